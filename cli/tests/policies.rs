//! End-to-end tests of bring-your-own policies: `portolan policies test` on the fixture
//! suites (`tests/fixtures/policies/`, written here in the shape of Gatekeeper's library)
//! and `portolan analyze --policies` on a small snapshot
//! (`tests/fixtures/policies-snapshot/`): web (3 replicas, privileged) in the prod
//! namespace shop, toy (100 replicas, privileged, exempt image) in the dev namespace lab,
//! and two ingresses in different namespaces claiming one host.

mod common;

use common::portolan;
use serde_json::Value;

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[test]
fn fixture_suites_pass_case_by_case() {
    let out = portolan(&["policies", "test", "tests/fixtures/policies"], None);
    let stdout = text(&out.stdout);
    assert!(out.status.success(), "{stdout}{}", text(&out.stderr));
    assert!(
        stdout.contains("5 suite(s): 17 passed, 0 failed"),
        "{stdout}"
    );
    // An ExpansionTemplate in a case's inventory reviews a Deployment as its pod.
    assert!(
        stdout.contains("ok   tests/fixtures/policies/privileged/suite.yaml privileged-container / deployment-expanded-into-its-pod"),
        "{stdout}"
    );
    assert!(
        stdout.contains("ok   tests/fixtures/policies/uniquehost/suite.yaml unique-host / host-taken-in-another-namespace"),
        "{stdout}"
    );
}

#[test]
fn a_wrong_verdict_fails_the_run_and_names_the_case() {
    let dir = std::env::temp_dir().join(format!("portolan-suite-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let fixtures = common::repo().join("tests/fixtures/policies/privileged");
    let suite = format!(
        "kind: Suite\napiVersion: test.gatekeeper.sh/v1alpha1\ntests:\n- name: t\n  template: {0}/template.yaml\n  constraint: {0}/samples/constraint.yaml\n  cases:\n  - name: claims-no-violation\n    object: {0}/samples/privileged.yaml\n    assertions:\n    - violations: no\n  - name: wrong-message\n    object: {0}/samples/privileged.yaml\n    assertions:\n    - message: \"^nothing like it$\"\n  - name: right\n    object: {0}/samples/exempt.yaml\n    assertions:\n    - violations: 0\n",
        fixtures.display()
    );
    std::fs::write(dir.join("suite.yaml"), suite).unwrap();
    let out = portolan(&["policies", "test", dir.to_str().unwrap()], None);
    let stdout = text(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{stdout}");
    assert!(
        stdout.contains("FAIL")
            && stdout.contains("t / claims-no-violation: got 1 violation(s), want \"no\""),
        "{stdout}"
    );
    assert!(
        stdout.contains("t / wrong-message: got 0 violation(s) matching"),
        "{stdout}"
    );
    assert!(stdout.contains("1 passed, 2 failed"), "{stdout}");
    // No suite at all is an error, not a pass.
    let out = portolan(&["policies", "test", "tests/fixtures/policies-vap"], None);
    assert_eq!(out.status.code(), Some(2));
}

fn analyze(extra: &[&str]) -> (Value, String, Option<i32>) {
    let mut args = vec!["analyze", "tests/fixtures/policies-snapshot"];
    args.extend_from_slice(extra);
    let out = portolan(&args, None);
    let json = serde_json::from_slice(&out.stdout).unwrap_or(Value::Null);
    (json, text(&out.stderr), out.status.code())
}

fn policy_findings(a: &Value) -> Vec<(String, String, String, String)> {
    a["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["rule"].as_str().unwrap().contains('/'))
        .map(|f| {
            (
                f["rule"].as_str().unwrap().to_string(),
                f["severity"].as_str().unwrap().to_string(),
                format!(
                    "{}/{}",
                    f["resource"]["namespace"].as_str().unwrap_or(""),
                    f["resource"]["name"].as_str().unwrap()
                ),
                f["message"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

#[test]
fn analyze_with_policies_gives_findings_next_to_the_rules() {
    let (plain, _, _) = analyze(&[]);
    assert!(plain.get("policies").is_none());
    let (a, stderr, code) = analyze(&[
        "--policies",
        "tests/fixtures/policies/privileged/template.yaml",
        "--policies",
        "tests/fixtures/policies/privileged/samples/constraint.yaml",
        "--policies",
        "tests/fixtures/policies/uniquehost/template.yaml",
        "--policies",
        "tests/fixtures/policies/uniquehost/samples/constraint.yaml",
        "--policies",
        "tests/fixtures/policies-vap",
    ]);
    assert_eq!(code, Some(0), "{stderr}");
    let schema: Value =
        serde_json::from_str(include_str!("../../schema/analysis.schema.json")).unwrap();
    let validator = jsonschema::validator_for(&schema).unwrap();
    let errors: Vec<String> = validator.iter_errors(&a).map(|e| e.to_string()).collect();
    assert!(errors.is_empty(), "{errors:#?}");
    let found = policy_findings(&a);
    let rules: Vec<(&str, &str, &str)> = found
        .iter()
        .map(|(r, s, o, _)| (r.as_str(), s.as_str(), o.as_str()))
        .collect();
    assert_eq!(
        rules,
        [
            // The privileged pod template of web (toy's image is exempt).
            (
                "K8sPSPPrivilegedContainer/psp-privileged-container",
                "high",
                "shop/web"
            ),
            // Each ingress conflicts with the other, through data.inventory.
            ("K8sUniqueIngressHost/unique-ingress-host", "high", "lab/b"),
            ("K8sUniqueIngressHost/unique-ingress-host", "high", "shop/a"),
            // The binding selects prod only; its annotation sets the severity.
            ("replica-cap/replica-cap-prod", "medium", "shop/web"),
        ]
    );
    assert!(found[0]
        .3
        .starts_with("[pod template] Privileged container is not allowed: web"));
    assert_eq!(found[3].3, "replicas 3 exceed the cap of 2");
    let summaries = a["policies"]["policies"].as_array().unwrap();
    assert_eq!(summaries.len(), 3);
    assert!(a["recommendations"]
        .as_array()
        .unwrap()
        .iter()
        .any(|r| r["rule"] == "replica-cap/replica-cap-prod" && r["category"] == "policy"));
    // Policies stay out of the score unless asked.
    assert_eq!(a["secureScore"], plain["secureScore"]);
    assert!(
        stderr.contains("Policies: 3 constraints and bindings, 4 violations"),
        "{stderr}"
    );
    // The Secret's value never reaches the output.
    assert!(!serde_json::to_string(&a).unwrap().contains("aHVudGVyMg"));
}

#[test]
fn policy_findings_gate_ci_and_take_exemptions() {
    let policies = ["--policies", "tests/fixtures/policies-vap"];
    let (_, _, code) = analyze(&[&policies[..], &["--fail-on", "medium", "-q"]].concat());
    assert_eq!(code, Some(1));
    let dir = std::env::temp_dir().join(format!("portolan-pol-ex-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let ex = dir.join("ex.yaml");
    std::fs::write(
        &ex,
        "exemptions:\n- rule: replica-cap/replica-cap-prod\n  namespace: shop\n  reason: Scaled down next sprint.\n",
    )
    .unwrap();
    let (a, _, _) =
        analyze(&[&policies[..], &["--exemptions", ex.to_str().unwrap(), "-q"]].concat());
    let f = a["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["rule"] == "replica-cap/replica-cap-prod")
        .unwrap();
    assert!(f.get("exemption").is_some(), "{f}");
    // SARIF carries the policy's rule.
    let out = portolan(
        &[
            "analyze",
            "tests/fixtures/policies-snapshot",
            "--policies",
            "tests/fixtures/policies-vap",
            "-f",
            "sarif",
            "-q",
        ],
        None,
    );
    assert!(text(&out.stdout).contains("replica-cap/replica-cap-prod"));
    // A path without any policy is an error.
    let (_, stderr, code) = analyze(&["--policies", "tests/fixtures/policies-snapshot"]);
    assert_eq!(code, Some(2), "{stderr}");
    assert!(stderr.contains("no ConstraintTemplate"), "{stderr}");
}
