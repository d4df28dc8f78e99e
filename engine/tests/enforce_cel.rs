//! The generated ValidatingAdmissionPolicy, run for real: every CEL validation of
//! `enforce::admission_policy_yaml` is evaluated by a CEL interpreter (the `cel` crate)
//! on the upstream pod-security-admission fixtures
//! (`shared/oracles/pod-security-admission/<level>/<version>/<pass|fail>/*.yaml`), as a
//! Pod (at the newest version also wrapped in a Deployment's and a CronJob's pod
//! template), and the set of
//! failing validations must equal the set of failing checks of `pss::evaluate` (which
//! `pss_oracle.rs` holds to upstream).
//!
//! `cargo test -p portolan-engine --test enforce_cel -- --nocapture` prints the
//! agreement table. Without the oracle folder the test says why it skipped, and passes.

mod common;

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::fs;

use cel::{Context, Program, Value};
use portolan_engine::enforce::{admission_policy_yaml, PolicyOptions};
use portolan_engine::ingest::parse_file;
use portolan_engine::rules::pss::{self, Level, Version};
use portolan_engine::InputFile;
use serde_json::{json, Value as Json};

/// The policy's variables and validations, compiled, read back from the generated YAML.
struct CompiledPolicy {
    variables: Vec<(String, Program)>,
    /// (check id from the message, expression, messageExpression)
    validations: Vec<(String, Program, Program)>,
}

fn compile(level: Level, version: Version) -> CompiledPolicy {
    let yaml = admission_policy_yaml(&PolicyOptions {
        level,
        version,
        ..PolicyOptions::default()
    });
    let docs: Vec<Json> = serde_saphyr::from_multiple(&yaml).expect("policy YAML parses");
    let spec = &docs[0]["spec"];
    let program = |e: &Json| {
        let text = e.as_str().expect("expression is a string");
        Program::compile(text).unwrap_or_else(|err| panic!("{text}: {err}"))
    };
    let variables = spec["variables"]
        .as_array()
        .expect("variables")
        .iter()
        .map(|v| {
            (
                v["name"].as_str().unwrap_or_default().to_string(),
                program(&v["expression"]),
            )
        })
        .collect();
    let validations = spec["validations"]
        .as_array()
        .expect("validations")
        .iter()
        .map(|v| {
            let message = v["message"].as_str().unwrap_or_default();
            let check = message.split(' ').next().unwrap_or_default().to_string();
            (
                check,
                program(&v["expression"]),
                program(&v["messageExpression"]),
            )
        })
        .collect();
    CompiledPolicy {
        variables,
        validations,
    }
}

/// The check ids whose validation is false for `object`; an evaluation error is a
/// failure of the test, since admission would then fail closed for a reason we did not
/// intend.
fn failing_validations(policy: &CompiledPolicy, object: &Json) -> Result<BTreeSet<String>, String> {
    let object = cel::to_value(object).map_err(|e| e.to_string())?;
    let mut variables: HashMap<String, Value> = HashMap::new();
    for (name, program) in &policy.variables {
        let mut cx = Context::default();
        cx.add_variable_from_value("object", object.clone());
        cx.add_variable_from_value("variables", variables.clone());
        let value = program
            .execute(&cx)
            .map_err(|e| format!("variable {name}: {e}"))?;
        variables.insert(name.clone(), value);
    }
    let mut cx = Context::default();
    cx.add_variable_from_value("object", object);
    cx.add_variable_from_value("variables", variables);
    let mut failing = BTreeSet::new();
    for (check, program, message) in &policy.validations {
        match program.execute(&cx) {
            Ok(Value::Bool(true)) => {}
            Ok(Value::Bool(false)) => {
                // What the API server would tell the client must evaluate and name the check.
                match message.execute(&cx) {
                    Ok(Value::String(m)) if m.starts_with(&format!("{check} (")) => {}
                    other => return Err(format!("{check}: messageExpression gave {other:?}")),
                }
                failing.insert(check.clone());
            }
            Ok(other) => return Err(format!("{check}: not a bool: {other:?}")),
            Err(e) => return Err(format!("{check}: {e}")),
        }
    }
    Ok(failing)
}

/// The fixture pod as a Pod and, when `templates`, its metadata and spec as the template
/// of a Deployment and of a CronJob.
fn as_objects(pod: &Json, templates: bool) -> Vec<(&'static str, Json)> {
    if !templates {
        return vec![("Pod", pod.clone())];
    }
    let template = json!({
        "metadata": pod.get("metadata").cloned().unwrap_or(json!({})),
        "spec": pod.get("spec").cloned().unwrap_or(json!({})),
    });
    vec![
        ("Pod", pod.clone()),
        (
            "Deployment",
            json!({"apiVersion": "apps/v1", "kind": "Deployment",
                   "metadata": {"name": "d"}, "spec": {"template": template}}),
        ),
        (
            "CronJob",
            json!({"apiVersion": "batch/v1", "kind": "CronJob",
                   "metadata": {"name": "c"},
                   "spec": {"schedule": "* * * * *",
                            "jobTemplate": {"spec": {"template": template}}}}),
        ),
    ]
}

#[derive(Default)]
struct Tally {
    files: usize,
    agree: usize,
    rejected: usize,
}

#[test]
fn generated_cel_agrees_with_the_evaluator_on_upstream_fixtures() {
    let Some(root) = common::oracle_root("enforce_cel") else {
        return;
    };
    let mut tallies: BTreeMap<(Level, Version), Tally> = BTreeMap::new();
    let mut disagreements = Vec::new();
    let dirs = common::version_dirs(&root);
    let newest = |level: Level| {
        dirs.iter()
            .filter(|d| d.level == level)
            .filter_map(|d| d.version.as_ref().ok().copied())
            .max()
    };
    for dir in &dirs {
        let (level, &Ok(version)) = (dir.level, &dir.version) else {
            continue;
        };
        let policy = compile(level, version);
        // Every version as a Pod; the newest also through both template paths (the
        // interpreter is slow enough in debug builds that all of it takes a minute).
        let templates = Some(version) == newest(level);
        let tally = tallies.entry((level, version)).or_default();
        for (outcome, file) in common::fixture_files(&dir.path) {
            let label = format!(
                "{level}/{version}/{outcome}/{}",
                file.file_name().and_then(|n| n.to_str()).unwrap_or("")
            );
            let text = fs::read_to_string(&file).unwrap_or_default();
            let parsed = parse_file(&InputFile::new(label.clone(), text.clone()));
            let Some(&(meta, spec)) = common::pods(&parsed).first() else {
                disagreements.push(format!("{label}: no Pod"));
                continue;
            };
            let want: BTreeSet<String> = pss::evaluate(meta, spec, level, version)
                .iter()
                .map(|v| v.check.to_string())
                .collect();
            let pod: Json = match serde_saphyr::from_str(&text) {
                Ok(pod) => pod,
                Err(e) => {
                    disagreements.push(format!("{label}: {e}"));
                    continue;
                }
            };
            tally.files += 1;
            let mut agrees = true;
            for (kind, object) in as_objects(&pod, templates) {
                match failing_validations(&policy, &object) {
                    Ok(got) if got == want => {}
                    Ok(got) => {
                        agrees = false;
                        disagreements.push(format!(
                            "{label} as {kind}: CEL fails {got:?}, evaluator {want:?}"
                        ));
                    }
                    Err(e) => {
                        agrees = false;
                        disagreements.push(format!("{label} as {kind}: error {e}"));
                    }
                }
            }
            tally.agree += usize::from(agrees);
            tally.rejected += usize::from(!want.is_empty());
        }
    }

    println!("\nGenerated admission policy CEL vs the PSS evaluator (upstream fixtures,");
    println!("each as a Pod; at the newest version also as a Deployment and a CronJob template)");
    println!(
        "{:<11} {:<8} {:>13} {:>9}",
        "level", "version", "agree", "rejected"
    );
    let (mut agree, mut total) = (0, 0);
    for ((level, version), t) in &tallies {
        println!(
            "{:<11} {:<8} {:>6}/{:<6} {:>9}",
            level.as_str(),
            version.to_string(),
            t.agree,
            t.files,
            t.rejected
        );
        agree += t.agree;
        total += t.files;
    }
    common::report_agreement(agree, total, &root, &disagreements);
}

/// The match condition, run for real: updates that leave the pod spec or template alone
/// (relabelling, finalizer removal, scaling) are not checked; creations and spec changes
/// are.
#[test]
fn match_condition_checks_creations_and_pod_spec_changes_only() {
    let yaml = admission_policy_yaml(&PolicyOptions::default());
    let docs: Vec<Json> = serde_saphyr::from_multiple(&yaml).expect("policy YAML parses");
    let condition = docs[0]["spec"]["matchConditions"][0]["expression"]
        .as_str()
        .expect("one match condition");
    let program = Program::compile(condition).expect("compiles");
    let checked = |operation: &str, old: &Json, new: &Json| {
        let mut cx = Context::default();
        cx.add_variable_from_value("object", cel::to_value(new).expect("object"));
        cx.add_variable_from_value("oldObject", cel::to_value(old).expect("oldObject"));
        cx.add_variable_from_value(
            "request",
            cel::to_value(json!({ "operation": operation })).expect("request"),
        );
        match program.execute(&cx) {
            Ok(Value::Bool(b)) => b,
            other => panic!("{other:?}"),
        }
    };
    let pod = |image: &str, label: &str| {
        json!({"kind": "Pod", "metadata": {"name": "p", "labels": {"l": label}},
               "spec": {"containers": [{"name": "c", "image": image}]}})
    };
    assert!(checked("CREATE", &Json::Null, &pod("a", "x")));
    assert!(!checked("UPDATE", &pod("a", "x"), &pod("a", "y")));
    assert!(checked("UPDATE", &pod("a", "x"), &pod("b", "x")));

    let deployment = |replicas: u32, image: &str| {
        json!({"kind": "Deployment", "metadata": {"name": "d"},
               "spec": {"replicas": replicas, "template": {"spec": {"containers": [{"name": "c", "image": image}]}}}})
    };
    assert!(!checked("UPDATE", &deployment(1, "a"), &deployment(5, "a")));
    assert!(checked("UPDATE", &deployment(1, "a"), &deployment(1, "b")));

    let cronjob = |schedule: &str, image: &str| {
        json!({"kind": "CronJob", "metadata": {"name": "c"},
               "spec": {"schedule": schedule, "jobTemplate": {"spec": {"template": {"spec": {"containers": [{"name": "c", "image": image}]}}}}}})
    };
    assert!(!checked(
        "UPDATE",
        &cronjob("* * * * *", "a"),
        &cronjob("0 * * * *", "a")
    ));
    assert!(checked(
        "UPDATE",
        &cronjob("* * * * *", "a"),
        &cronjob("* * * * *", "b")
    ));
}
