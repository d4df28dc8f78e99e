//! Policy evaluation over snapshots: match fields, parameters, inventory, libs, CEL and
//! the error cases, each with its negative control.

use super::*;

fn snapshot(yaml: &str) -> Vec<Reviewed> {
    let (objects, diagnostics) = raw::read("snap.yaml", yaml);
    assert!(diagnostics.is_empty(), "{diagnostics:?}");
    reviewable(objects, "")
}

fn policies(yaml: &str) -> PolicySet {
    PolicySet::read(&[InputFile::new("policies.yaml", yaml)], true)
}

fn run(policy_yaml: &str, snap: &str) -> (Vec<(String, String, String)>, PolicyReport) {
    let (findings, report) = evaluate(&policies(policy_yaml), &snapshot(snap));
    let got = findings
        .into_iter()
        .map(|f| {
            (
                f.rule,
                format!(
                    "{}/{}/{}",
                    f.resource.kind, f.resource.namespace, f.resource.name
                ),
                f.message,
            )
        })
        .collect();
    (got, report)
}

const SNAP: &str = "apiVersion: v1\nkind: Namespace\nmetadata: {name: prod, labels: {env: prod}}\n---\napiVersion: v1\nkind: Namespace\nmetadata: {name: dev}\n---\napiVersion: v1\nkind: Pod\nmetadata: {name: api, namespace: prod, labels: {team: a}}\nspec: {containers: [{name: c, image: nginx}]}\n---\napiVersion: v1\nkind: Pod\nmetadata: {name: job, namespace: dev}\nspec: {containers: [{name: c, image: nginx}]}\n---\napiVersion: v1\nkind: Pod\nmetadata: {name: loose}\nspec: {containers: [{name: c, image: nginx}]}\n";

/// A template that flags every object it reviews, naming it and a parameter.
fn flag_all(constraint_spec: &str) -> String {
    format!(
        "apiVersion: templates.gatekeeper.sh/v1beta1\nkind: ConstraintTemplate\nmetadata: {{name: flag}}\nspec:\n  crd: {{spec: {{names: {{kind: Flag}}}}}}\n  targets:\n  - target: admission.k8s.gatekeeper.sh\n    rego: |\n      package flag\n      violation[{{\"msg\": msg}}] {{\n        msg := sprintf(\"%v %v/%v %v\", [input.review.kind.kind, input.review.namespace, input.review.name, object.get(input.parameters, \"tag\", \"none\")])\n      }}\n---\napiVersion: constraints.gatekeeper.sh/v1beta1\nkind: Flag\nmetadata: {{name: f}}\n{constraint_spec}"
    )
}

fn messages(constraint_spec: &str) -> Vec<String> {
    let (got, report) = run(&flag_all(constraint_spec), SNAP);
    assert!(report.diagnostics.is_empty(), "{:?}", report.diagnostics);
    got.into_iter().map(|(_, _, m)| m).collect()
}

#[test]
fn a_constraint_without_spec_reviews_everything_with_empty_parameters() {
    assert_eq!(
        messages(""),
        [
            "Namespace /dev none",
            "Namespace /prod none",
            "Pod default/loose none",
            "Pod dev/job none",
            "Pod prod/api none",
        ]
    );
}

#[test]
fn each_match_field_selects() {
    let pods = "spec:\n  match:\n    kinds: [{apiGroups: [''], kinds: [Pod]}]\n";
    assert_eq!(messages(pods).len(), 3);
    assert_eq!(
        messages(&format!("{pods}    namespaces: [pro*]\n")),
        ["Pod prod/api none"]
    );
    assert_eq!(
        messages(&format!("{pods}    excludedNamespaces: [prod, default]\n")),
        ["Pod dev/job none"]
    );
    assert_eq!(
        messages(&format!(
            "{pods}    labelSelector: {{matchLabels: {{team: a}}}}\n"
        )),
        ["Pod prod/api none"]
    );
    assert_eq!(
        messages(&format!(
            "{pods}    namespaceSelector: {{matchExpressions: [{{key: env, operator: Exists}}]}}\n"
        )),
        ["Pod prod/api none"]
    );
    assert_eq!(
        messages(&format!("{pods}    name: '*ob'\n")),
        ["Pod dev/job none"]
    );
    assert_eq!(
        messages("spec:\n  match:\n    scope: Cluster\n"),
        ["Namespace /dev none", "Namespace /prod none"]
    );
    // Parameters reach input.parameters.
    assert_eq!(
        messages(&format!("{pods}    name: api\n  parameters: {{tag: x}}\n")),
        ["Pod prod/api x"]
    );
}

#[test]
fn enforcement_action_and_annotation_set_the_severity() {
    let (findings, _) = evaluate(
        &policies(&flag_all(
            "spec:\n  enforcementAction: dryrun\n  match: {kinds: [{kinds: [Namespace]}]}\n",
        )),
        &snapshot(SNAP),
    );
    assert!(findings.iter().all(|f| f.severity == Severity::Low));
    let annotated = flag_all("spec:\n  enforcementAction: warn\n").replace(
        "metadata: {name: f}",
        "metadata: {name: f, annotations: {portolan.dev/severity: critical}}",
    );
    let (findings, _) = evaluate(&policies(&annotated), &snapshot(SNAP));
    assert!(findings.iter().all(|f| f.severity == Severity::Critical));
    let (findings, _) = evaluate(
        &policies(&flag_all("spec:\n  enforcementAction: warn\n")),
        &snapshot(SNAP),
    );
    assert!(findings.iter().all(|f| f.severity == Severity::Medium));
}

#[test]
fn inventory_holds_every_object_for_a_uniqueness_rule() {
    let template = "apiVersion: templates.gatekeeper.sh/v1\nkind: ConstraintTemplate\nmetadata: {name: uniq}\nspec:\n  crd: {spec: {names: {kind: UniqueServiceSelector}}}\n  targets:\n  - target: admission.k8s.gatekeeper.sh\n    rego: |\n      package uniq\n      same(ns, name) { ns == input.review.namespace; name == input.review.name }\n      flat(sel) = s { s := concat(\",\", [sprintf(\"%v:%v\", [k, v]) | v := sel[k]]) }\n      violation[{\"msg\": msg}] {\n        input.review.kind.kind == \"Service\"\n        mine := flat(input.review.object.spec.selector)\n        other := data.inventory.namespace[ns][\"v1\"][\"Service\"][name]\n        flat(other.spec.selector) == mine\n        not same(ns, name)\n        msg := sprintf(\"same selector as %v/%v\", [ns, name])\n      }\n---\napiVersion: constraints.gatekeeper.sh/v1beta1\nkind: UniqueServiceSelector\nmetadata: {name: u}\n";
    let snap = "apiVersion: v1\nkind: Service\nmetadata: {name: a, namespace: x}\nspec: {selector: {app: web}}\n---\napiVersion: v1\nkind: Service\nmetadata: {name: b}\nspec: {selector: {app: web}}\n---\napiVersion: v1\nkind: Service\nmetadata: {name: c, namespace: x}\nspec: {selector: {app: db}}\n";
    let (got, report) = run(template, snap);
    assert!(report.diagnostics.is_empty(), "{:?}", report.diagnostics);
    // b has no namespace: it is in `default`, in the review and the inventory alike.
    assert_eq!(
        got.iter()
            .map(|(_, o, m)| format!("{o}: {m}"))
            .collect::<Vec<_>>(),
        [
            "Service/default/b: same selector as x/a",
            "Service/x/a: same selector as default/b",
        ]
    );
}

#[test]
fn workloads_are_reviewed_as_their_pods_when_pods_are_matched() {
    let snap = "apiVersion: batch/v1\nkind: CronJob\nmetadata: {name: nightly, namespace: ops}\nspec:\n  jobTemplate:\n    spec:\n      template:\n        metadata: {labels: {app: n}}\n        spec: {containers: [{name: c, image: x}]}\n";
    let (findings, _) = evaluate(
        &policies(&flag_all(
            "spec:\n  match: {kinds: [{apiGroups: [''], kinds: [Pod]}]}\n",
        )),
        &snapshot(snap),
    );
    assert_eq!(findings.len(), 1);
    assert_eq!(findings[0].resource.kind, "CronJob");
    assert_eq!(findings[0].field, "spec.jobTemplate.spec.template");
    assert_eq!(findings[0].message, "[pod template] Pod ops/nightly none");
    // Not when the constraint asks for original objects only, nor when Pods are not
    // matched.
    let (findings, _) = evaluate(
        &policies(&flag_all(
            "spec:\n  match: {source: Original, kinds: [{apiGroups: [''], kinds: [Pod]}]}\n",
        )),
        &snapshot(snap),
    );
    assert!(findings.is_empty());
    let (findings, _) = evaluate(
        &policies(&flag_all(
            "spec:\n  match: {kinds: [{apiGroups: [batch], kinds: [CronJob]}]}\n",
        )),
        &snapshot(snap),
    );
    assert_eq!(findings.len(), 1);
    assert_eq!(findings[0].field, "");
}

/// The ExpansionTemplates of Gatekeeper's expansion documentation: Deployments and the
/// other pod controllers into Pods (with a `warn` override), and, for the CronJob chain,
/// CronJobs into Jobs.
const EXPANSIONS: &str = "apiVersion: expansion.gatekeeper.sh/v1alpha1\nkind: ExpansionTemplate\nmetadata: {name: expand-deployments}\nspec:\n  applyTo:\n  - {groups: [apps], kinds: [DaemonSet, Deployment, ReplicaSet, StatefulSet], versions: [v1]}\n  - {groups: [''], kinds: [ReplicationController], versions: [v1]}\n  - {groups: [batch], kinds: [Job], versions: [v1]}\n  - {groups: [argoproj.io], kinds: [Rollout], versions: [v1alpha1]}\n  templateSource: spec.template\n  enforcementAction: warn\n  generatedGVK: {kind: Pod, group: '', version: v1}\n---\napiVersion: expansion.gatekeeper.sh/v1alpha1\nkind: ExpansionTemplate\nmetadata: {name: expand-cronjobs}\nspec:\n  applyTo:\n  - {groups: [batch], kinds: [CronJob], versions: [v1]}\n  templateSource: spec.jobTemplate\n  generatedGVK: {kind: Job, group: batch, version: v1}\n";

const WORKLOADS: &str = "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: Web, namespace: shop}\nspec:\n  template:\n    metadata: {labels: {app: web}}\n    spec: {containers: [{name: c, image: x}]}\n---\napiVersion: batch/v1\nkind: CronJob\nmetadata: {name: nightly, namespace: ops}\nspec:\n  jobTemplate:\n    spec:\n      template:\n        spec: {containers: [{name: c, image: x}]}\n---\napiVersion: argoproj.io/v1alpha1\nkind: Rollout\nmetadata: {name: canary, namespace: shop}\nspec:\n  template:\n    spec: {containers: [{name: c, image: x}]}\n---\napiVersion: apps/v1beta2\nkind: Deployment\nmetadata: {name: old, namespace: shop}\nspec:\n  template:\n    spec: {containers: [{name: c, image: x}]}\n";

fn expanded(constraint_spec: &str) -> Vec<(String, String, String, String, Severity)> {
    let (findings, report) = evaluate(
        &policies(&format!("{}\n---\n{EXPANSIONS}", flag_all(constraint_spec))),
        &snapshot(WORKLOADS),
    );
    assert!(report.diagnostics.is_empty(), "{:?}", report.diagnostics);
    let mut got: Vec<_> = findings
        .into_iter()
        .map(|f| {
            (
                format!("{}/{}", f.resource.kind, f.resource.name),
                f.field,
                f.message,
                String::new(),
                f.severity,
            )
        })
        .collect();
    got.sort();
    got
}

#[test]
fn expansion_templates_expand_what_they_apply_to_as_gatekeeper_does() {
    let pods = "spec:\n  match: {kinds: [{apiGroups: [''], kinds: [Pod]}]}\n";
    let got = expanded(pods);
    let row = |o: &str, field: &str, m: &str, s: Severity| {
        (
            o.to_string(),
            field.to_string(),
            m.to_string(),
            String::new(),
            s,
        )
    };
    assert_eq!(
        got,
        [
            // CronJob → Job (expand-cronjobs) → Pod (expand-deployments, which applies
            // to Jobs): the pod's violation names the template that made the pod, and
            // its `warn` override sets the severity.
            row(
                "CronJob/nightly",
                "spec.jobTemplate.spec.template",
                "[Implied by expand-deployments] Pod ops/nightly-job-pod none",
                Severity::Medium
            ),
            // A custom resource expands like a built-in workload.
            row(
                "Rollout/canary",
                "spec.template",
                "[Implied by expand-deployments] Pod shop/canary-pod none",
                Severity::Medium
            ),
            // `<parent>-<kind>` in lower case.
            row(
                "Deployment/Web",
                "spec.template",
                "[Implied by expand-deployments] Pod shop/web-pod none",
                Severity::Medium
            ),
        ]
        .into_iter()
        .collect::<std::collections::BTreeSet<_>>()
        .into_iter()
        .collect::<Vec<_>>()
    );
    // apps/v1beta2 is not among the template's versions: no expansion, and without the
    // built-in one (there are templates) no pod of it is reviewed.
    assert!(!got.iter().any(|r| r.0 == "Deployment/old"));
    // The generated Job is reviewed by constraints on Jobs, with no override (the
    // CronJob template sets none): the constraint's deny.
    let jobs = expanded("spec:\n  match: {kinds: [{apiGroups: [batch], kinds: [Job]}]}\n");
    assert_eq!(
        jobs,
        [row(
            "CronJob/nightly",
            "spec.jobTemplate",
            "[Implied by expand-cronjobs] Job ops/nightly-job none",
            Severity::High
        )]
    );
    // `source: Original` reviews none of the generated objects, `Generated` only them.
    assert!(expanded(
        "spec:\n  match: {source: Original, kinds: [{apiGroups: [''], kinds: [Pod]}]}\n"
    )
    .is_empty());
    let generated = expanded(
        "spec:\n  match: {source: Generated, kinds: [{apiGroups: ['*'], kinds: [Deployment, Pod]}]}\n",
    );
    assert_eq!(generated.len(), 3, "{generated:?}");
}

#[test]
fn expansion_templates_gatekeeper_refuses_are_located_diagnostics() {
    let bad = "apiVersion: expansion.gatekeeper.sh/v1alpha1\nkind: ExpansionTemplate\nmetadata: {name: loop}\nspec:\n  applyTo: [{groups: [''], kinds: [Pod], versions: [v1]}]\n  templateSource: spec\n  generatedGVK: {kind: Pod, group: '', version: v1}\n---\napiVersion: expansion.gatekeeper.sh/v1alpha1\nkind: ExpansionTemplate\nmetadata: {name: nosource}\nspec:\n  applyTo: [{groups: [apps], kinds: [Deployment], versions: [v1]}]\n  generatedGVK: {kind: Pod, group: '', version: v1}\n---\napiVersion: expansion.gatekeeper.sh/v1alpha1\nkind: ExpansionTemplate\nmetadata: {name: odd-action}\nspec:\n  applyTo: [{groups: [apps], kinds: [Deployment], versions: [v1]}]\n  templateSource: spec.template\n  enforcementAction: block\n  generatedGVK: {kind: Pod, group: '', version: v1}\n";
    let set = policies(bad);
    assert_eq!(set.expansions.len(), 1);
    assert_eq!(set.expansions[0].action, None);
    let messages: Vec<(u32, String)> = set
        .diagnostics
        .iter()
        .map(|d| (d.line, d.message.clone()))
        .collect();
    assert_eq!(messages.len(), 3, "{messages:?}");
    assert!(messages.iter().any(|(l, m)| *l == 1
        && m.contains("\"loop\"")
        && m.contains("applies to that same kind")));
    assert!(messages
        .iter()
        .any(|(l, m)| *l == 9 && m.contains("templateSource is empty")));
    assert!(messages
        .iter()
        .any(|(l, m)| *l == 16 && m.contains("\"block\"")));
    // A mutator among the policy files is not applied, and says so.
    let mutator = policies(
        "apiVersion: mutations.gatekeeper.sh/v1\nkind: Assign\nmetadata: {name: add-sidecar}\nspec: {}\n",
    );
    assert_eq!(mutator.diagnostics.len(), 1, "{:?}", mutator.diagnostics);
    assert!(mutator.diagnostics[0]
        .message
        .contains("Assign \"add-sidecar\": mutators are not applied"));
    // ExpansionTemplates among the snapshot's files are found by content.
    let files = [
        InputFile::new("snap.yaml", WORKLOADS),
        InputFile::new("expansions.yaml", EXPANSIONS),
    ];
    let mut options = crate::AnalyzeOptions::default();
    options.policies.set = policies(&flag_all(
        "spec:\n  match: {kinds: [{apiGroups: [''], kinds: [Pod]}]}\n",
    ));
    let analysis = crate::analyze(&files, &options, &mut |_| {});
    let implied = analysis
        .findings
        .iter()
        .filter(|f| f.message.starts_with("[Implied by "))
        .count();
    assert_eq!(implied, 3);
}

#[test]
fn errors_are_located_diagnostics_never_silent_passes() {
    // A constraint whose template is missing.
    let (_, report) = run(
        "apiVersion: constraints.gatekeeper.sh/v1beta1\nkind: Nowhere\nmetadata: {name: n}\n",
        SNAP,
    );
    assert_eq!(report.diagnostics.len(), 1);
    assert!(report.diagnostics[0]
        .message
        .contains("no ConstraintTemplate defines the kind Nowhere"));
    assert_eq!(report.policies[0].errors, 1);
    // A Rego compile error, at its line in the file: the template starts at line 1,
    // `rego: |` is line 8, and the broken line is the Rego's third.
    let broken = flag_all("").replace(
        "      violation[{\"msg\": msg}] {\n",
        "      violation[{\"msg\": msg}] {\n        x := \n",
    );
    let (got, report) = run(&broken, SNAP);
    assert!(got.is_empty());
    let d = &report.diagnostics[0];
    assert_eq!(d.file, "policies.yaml");
    assert!(d.message.contains("Rego does not compile"), "{d:?}");
    assert!((9..=12).contains(&d.line), "{d:?}");
    // A CEL type error at evaluation, and an unsupported Kubernetes CEL function.
    let cel = "apiVersion: admissionregistration.k8s.io/v1\nkind: ValidatingAdmissionPolicy\nmetadata: {name: p}\nspec:\n  matchConstraints: {resourceRules: [{apiGroups: [''], apiVersions: [v1], operations: [CREATE], resources: [pods]}]}\n  validations:\n  - expression: \"object.metadata.name + 1 == 2\"\n---\napiVersion: admissionregistration.k8s.io/v1\nkind: ValidatingAdmissionPolicyBinding\nmetadata: {name: b}\nspec: {policyName: p, validationActions: [Warn]}\n";
    let (got, report) = run(cel, SNAP);
    assert!(got.is_empty());
    // One diagnostic per distinct error, each located at the policy.
    assert_eq!(report.diagnostics.len(), 3, "{:?}", report.diagnostics);
    assert!(report
        .diagnostics
        .iter()
        .all(|d| d.message.contains("evaluation failed") && d.line == 1));
    let (_, report) = run(
        &cel.replace(
            "object.metadata.name + 1 == 2",
            "isSemver(object.metadata.name)",
        ),
        SNAP,
    );
    assert!(
        report.diagnostics[0].message.contains("not supported"),
        "{:?}",
        report.diagnostics
    );
    // A binding naming no policy.
    let (_, report) = run(&cel.replace("policyName: p", "policyName: q"), SNAP);
    assert!(report.diagnostics[0]
        .message
        .contains("no ValidatingAdmissionPolicy named \"q\""));
}

#[test]
fn a_hostile_policy_is_stopped_by_its_budget() {
    let hostile = flag_all("spec:\n  match: {kinds: [{kinds: [Namespace]}], name: prod}\n").replace(
        "        msg := sprintf(",
        "        xs := numbers.range(1, 100000)\n        count([1 | xs[_]; xs[_]]) > 0\n        msg := sprintf(",
    );
    let (got, report) = run(&hostile, SNAP);
    assert!(got.is_empty());
    assert!(
        report
            .diagnostics
            .iter()
            .any(|d| d.message.contains("exceeded its budget")),
        "{:?}",
        report.diagnostics
    );
}

#[test]
fn admission_policies_with_params_variables_and_binding_selectors() {
    let vap = "apiVersion: admissionregistration.k8s.io/v1\nkind: ValidatingAdmissionPolicy\nmetadata: {name: team-label}\nspec:\n  paramKind: {apiVersion: v1, kind: ConfigMap}\n  matchConstraints: {resourceRules: [{apiGroups: [''], apiVersions: [v1], operations: ['*'], resources: [pods]}]}\n  matchConditions:\n  - {name: not-loose, expression: \"object.metadata.name != 'loose'\"}\n  variables:\n  - {name: team, expression: \"has(object.metadata.labels) && 'team' in object.metadata.labels ? object.metadata.labels.team : ''\"}\n  - {name: ok, expression: \"variables.team in params.data.teams.split(',')\"}\n  validations:\n  - expression: variables.ok\n    message: missing team\n    messageExpression: \"'team ' + variables.team + ' is not one of ' + params.data.teams\"\n---\napiVersion: admissionregistration.k8s.io/v1\nkind: ValidatingAdmissionPolicyBinding\nmetadata: {name: all}\nspec:\n  policyName: team-label\n  validationActions: [Audit]\n  paramRef: {name: teams, namespace: cfg}\n---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: teams, namespace: cfg}\ndata: {teams: 'b,c'}\n";
    let (got, report) = run(vap, SNAP);
    assert!(report.diagnostics.is_empty(), "{:?}", report.diagnostics);
    assert_eq!(
        got,
        [
            (
                "team-label/all".to_string(),
                "Pod/dev/job".to_string(),
                "team  is not one of b,c".to_string()
            ),
            (
                "team-label/all".to_string(),
                "Pod/prod/api".to_string(),
                "team a is not one of b,c".to_string()
            ),
        ]
    );
    // The binding's matchResources narrows to prod.
    let narrowed = vap.replace(
        "  paramRef: {name: teams, namespace: cfg}\n",
        "  paramRef: {name: teams, namespace: cfg}\n  matchResources: {namespaceSelector: {matchLabels: {env: prod}}}\n",
    );
    let (got, _) = run(&narrowed, SNAP);
    assert_eq!(got.len(), 1);
    assert_eq!(got[0].1, "Pod/prod/api");
    // A missing parameter denies every matched object, before match conditions run
    // (parameterNotFoundAction defaults to Deny here).
    let (got, _) = run(
        &vap.replace("paramRef: {name: teams", "paramRef: {name: absent"),
        SNAP,
    );
    assert_eq!(got.len(), 3);
    assert!(got[0].2.contains("no ConfigMap parameter found"), "{got:?}");
}

#[test]
fn findings_join_the_analysis_and_stay_out_of_the_score() {
    let files = [InputFile::new("snap.yaml", SNAP)];
    let plain = crate::analyze(&files, &crate::AnalyzeOptions::default(), &mut |_| {});
    let mut options = crate::AnalyzeOptions::default();
    options.policies.set = policies(&flag_all(
        "spec:\n  match: {kinds: [{apiGroups: [''], kinds: [Pod]}]}\n",
    ));
    options.load.keep_raw = true;
    let with = crate::analyze(&files, &options, &mut |_| {});
    let ours: Vec<&Finding> = with
        .findings
        .iter()
        .filter(|f| f.rule == "Flag/f")
        .collect();
    assert_eq!(ours.len(), 3);
    assert_eq!(with.secure_score, plain.secure_score);
    assert!(with
        .recommendations
        .iter()
        .any(|r| r.rule == "Flag/f" && r.category == crate::rules::Category::Policy));
    // Policy objects among the inputs are found by content and evaluated too.
    let both = [
        InputFile::new("snap.yaml", SNAP),
        InputFile::new(
            "policy.yaml",
            flag_all("spec:\n  match: {kinds: [{apiGroups: [''], kinds: [Pod]}]}\n"),
        ),
    ];
    let found = crate::analyze(&both, &crate::AnalyzeOptions::default(), &mut |_| {});
    assert_eq!(
        found.findings.iter().filter(|f| f.rule == "Flag/f").count(),
        3
    );
    assert_eq!(found.policies.map(|p| p.policies.len()), Some(1));
}

#[test]
fn the_snapshot_time_is_collected_at_else_the_newest_creation() {
    let read = |yaml: &str| raw::read("snap.yaml", yaml).0;
    let pods = "apiVersion: v1\nkind: Pod\nmetadata: {name: a, creationTimestamp: '2026-01-02T00:00:00Z'}\n---\napiVersion: v1\nkind: Pod\nmetadata: {name: b, creationTimestamp: '2026-03-04T00:00:00Z'}\n";
    assert_eq!(
        snapshot_time_ns(&read(pods)),
        rego_builtins::rfc3339_ns("2026-03-04T00:00:00Z").unwrap_or(-1)
    );
    let with_info = format!(
        "{pods}---\napiVersion: portolan/v1\nkind: SnapshotInfo\ncollectedAt: '2026-12-03T10:00:00Z'\n"
    );
    assert_eq!(
        snapshot_time_ns(&read(&with_info)),
        1_796_292_000_000_000_000
    );
    assert_eq!(
        snapshot_time_ns(&read("apiVersion: v1\nkind: Pod\nmetadata: {name: x}\n")),
        0
    );
}

#[test]
fn the_shared_rego_review_and_inventory_are_the_documents_of_the_json_ones() {
    let objects = snapshot(SNAP);
    let values: Vec<regorus::Value> = objects.iter().map(|o| rego::to_rego(&o.object)).collect();
    let namespaces = namespaces(&objects);
    let mut compared = 0;
    for (o, v) in objects.iter().zip(&values) {
        let ns = namespaces.get(&o.namespace).copied();
        let ns_value = objects
            .iter()
            .zip(&values)
            .find(|(n, _)| ns.is_some_and(|ns| std::ptr::eq(*n, ns)))
            .map(|(_, v)| v);
        let want = rego::to_rego(&o.review(ns.map(|n| &n.object)));
        assert_eq!(
            Review::new(o, Some(v), ns, ns_value).rego(),
            &want,
            "{}",
            o.name
        );
        assert_eq!(Review::new(o, None, ns, None).rego(), &want, "{}", o.name);
        compared += usize::from(ns.is_some());
    }
    // The two pods in a namespace object's namespace carry `_unstable.namespace`.
    assert_eq!(compared, 2);
    let by_name = |name: &str| {
        let o = objects.iter().find(|o| o.name == name).unwrap();
        o.object.clone()
    };
    let want = serde_json::json!({"inventory": {
        "cluster": {"v1": {"Namespace": {"prod": by_name("prod"), "dev": by_name("dev")}}},
        "namespace": {
            "prod": {"v1": {"Pod": {"api": by_name("api")}}},
            "dev": {"v1": {"Pod": {"job": by_name("job")}}},
            "default": {"v1": {"Pod": {"loose": by_name("loose")}}},
        }
    }});
    assert_eq!(inventory(&objects, &values), rego::to_rego(&want));
}

#[test]
fn constraints_of_one_template_share_the_review_but_not_the_parameters() {
    let policy = format!(
        "{}\n---\napiVersion: constraints.gatekeeper.sh/v1beta1\nkind: Flag\nmetadata: {{name: g}}\nspec:\n  match: {{kinds: [{{apiGroups: [\"\"], kinds: [Pod]}}], namespaces: [prod]}}\n  parameters: {{tag: second}}\n",
        flag_all("spec:\n  match: {kinds: [{apiGroups: [\"\"], kinds: [Pod]}]}\n  parameters: {tag: first}\n")
    );
    let (got, report) = run(&policy, SNAP);
    assert!(report.diagnostics.is_empty(), "{:?}", report.diagnostics);
    let got: Vec<(String, String)> = got.into_iter().map(|(r, _, m)| (r, m)).collect();
    let want = [
        ("Flag/f", "Pod default/loose first"),
        ("Flag/f", "Pod dev/job first"),
        ("Flag/f", "Pod prod/api first"),
        ("Flag/g", "Pod prod/api second"),
    ];
    assert_eq!(got, want.map(|(r, m)| (r.to_string(), m.to_string())));
    let reviewed: Vec<(&str, usize)> = report
        .policies
        .iter()
        .map(|p| (p.rule.as_str(), p.reviewed))
        .collect();
    assert_eq!(reviewed, [("Flag/f", 3), ("Flag/g", 1)]);
}
