//! Bring-your-own admission policies: OPA Gatekeeper ConstraintTemplates and Constraints
//! (Rego, or CEL in `K8sNativeValidation`) and Kubernetes ValidatingAdmissionPolicies
//! with their bindings (CEL), evaluated in audit mode against a snapshot.
//!
//! [`PolicySet::read`] detects policy objects by content among any files (a snapshot may
//! hold the cluster's own templates and constraints). [`evaluate`] reviews every object
//! of the snapshot, read whole by [`raw`] (Secret values emptied, see there), against
//! every constraint and binding that matches it, as Gatekeeper's audit would: the review
//! is Gatekeeper's `input.review` (no `operation`), `data.inventory` holds every object
//! of the snapshot as Gatekeeper's sync would, workloads are also reviewed as the pods
//! their templates create when a constraint matches Pods (Gatekeeper's expansion).
//! Each violation is a [`Finding`] whose rule is `<ConstraintKind>/<constraintName>` (a
//! binding's: `<policyName>/<bindingName>`). Every problem with a policy is a located
//! [`Diagnostic`], never a silent pass. [`suite`] runs `gator verify` suites.

pub mod cel;
pub mod cel_k8s;
pub mod expansion;
pub mod gatekeeper;
pub mod raw;
pub mod rego;
pub mod rego_builtins;
pub mod rego_time;
pub mod suite;

use crate::model::meta::SmallMap;
use std::collections::{BTreeMap, HashMap};

use serde::{Deserialize, Serialize};
use serde_json::{json, Map, Value};

use crate::ingest::InputFile;
use crate::rules::{Finding, ResourceRef, Severity};
use crate::source::{Diagnostic, Source};
use gatekeeper::{Constraint, Target, Template};
use raw::{str_at, RawObject};

/// The policies read from a set of files.
#[derive(Clone, Debug, Default)]
pub struct PolicySet {
    pub templates: Vec<Template>,
    pub constraints: Vec<Constraint>,
    pub policies: Vec<cel::AdmissionPolicy>,
    pub bindings: Vec<cel::PolicyBinding>,
    /// Gatekeeper ExpansionTemplates: with any, only they expand workloads (see
    /// [`expansion`]).
    pub expansions: Vec<expansion::ExpansionTemplate>,
    /// Other objects met among the policy files: candidates for a binding's `paramRef`.
    pub params: Vec<RawObject>,
    /// Problems reading the policies, located.
    pub diagnostics: Vec<Diagnostic>,
    /// The snapshot's time, in nanoseconds since the Unix epoch: what Rego's
    /// `time.now_ns()` answers, so that verdicts do not depend on when the analysis
    /// runs. The snapshot information's `collectedAt`, else the newest
    /// `metadata.creationTimestamp` among the objects, else 0.
    pub now_ns: i64,
    /// Line of each template's `rego:` text in its file, by template name: Rego errors
    /// are reported at their line in the file.
    rego_lines: HashMap<String, u32>,
}

impl PolicySet {
    /// Keeps the policy objects (and their diagnostics) read from files `keep` accepts.
    pub fn retain_files(&mut self, keep: impl Fn(&str) -> bool) {
        self.templates.retain(|t| keep(&t.source.file));
        self.constraints.retain(|c| keep(&c.source.file));
        self.policies.retain(|p| keep(&p.source.file));
        self.bindings.retain(|b| keep(&b.source.file));
        self.expansions.retain(|e| keep(&e.source.file));
        self.params.retain(|p| keep(&p.source.file));
        self.diagnostics.retain(|d| keep(&d.file));
    }
}

/// The API group of Gatekeeper's mutators (Assign, AssignMetadata, ModifySet, ...).
const MUTATION_GROUP: &str = "mutations.gatekeeper.sh";

/// Whether a raw object is a policy object Portolan evaluates.
pub fn is_policy_object(obj: &RawObject) -> bool {
    gatekeeper::is_template(obj)
        || gatekeeper::is_constraint(obj)
        || cel::is_vap_object(obj)
        || expansion::is_expansion_template(obj)
}

impl PolicySet {
    /// Reads the policy objects among `files` (others are ignored, or kept as parameter
    /// objects when `keep_others`).
    pub fn read(files: &[InputFile], keep_others: bool) -> PolicySet {
        let mut set = PolicySet::default();
        let mut files: Vec<&InputFile> = files.iter().collect();
        files.sort_by(|a, b| a.path.cmp(&b.path));
        for f in files {
            let text = String::from_utf8_lossy(&f.bytes);
            let (objects, diagnostics) = raw::read(&f.path, &text);
            if objects.iter().any(is_policy_object) || keep_others {
                set.diagnostics.extend(diagnostics);
            }
            set.add(objects, Some(&text), keep_others);
        }
        set.finish();
        set
    }

    /// Adds the policy objects among `objects` (from a file whose text is `text`, when
    /// known, to locate Rego errors).
    pub fn add(&mut self, objects: Vec<RawObject>, text: Option<&str>, keep_others: bool) {
        for obj in objects {
            if gatekeeper::is_template(&obj) {
                if let Some(t) = gatekeeper::template(&obj, &mut self.diagnostics) {
                    if let Some(text) = text {
                        self.rego_lines
                            .insert(t.name.clone(), rego_line(text, obj.source.line));
                    }
                    self.templates.push(t);
                }
            } else if gatekeeper::is_constraint(&obj) {
                self.constraints
                    .push(gatekeeper::constraint(&obj, &mut self.diagnostics));
            } else if cel::is_vap_object(&obj) {
                cel::read(&obj, self);
            } else if expansion::is_expansion_template(&obj) {
                if let Some(t) = expansion::read(&obj, &mut self.diagnostics) {
                    self.expansions.push(t);
                }
            } else if keep_others {
                if crate::model::kinds::group_of(obj.api_version()) == MUTATION_GROUP {
                    // Gatekeeper applies mutators (`source: Generated` ones in particular)
                    // to what ExpansionTemplates generate; Portolan does not: say so.
                    self.diagnostics.push(Diagnostic::warning(
                        &obj.source.file,
                        obj.source.line,
                        0,
                        format!(
                            "Gatekeeper mutator {} {:?}: mutators are not applied; objects are reviewed, and expanded, as they are written",
                            obj.kind(),
                            obj.name()
                        ),
                    ));
                }
                self.params.push(obj);
            }
        }
    }

    /// Adds another set's policies (the other set's duplicates by kind and name are
    /// kept once: a policy given twice is evaluated once).
    pub fn extend(&mut self, other: &PolicySet) {
        for t in &other.templates {
            if !self.templates.iter().any(|x| x.name == t.name) {
                self.templates.push(t.clone());
                if let Some(l) = other.rego_lines.get(&t.name) {
                    self.rego_lines.insert(t.name.clone(), *l);
                }
            }
        }
        for c in &other.constraints {
            if !self
                .constraints
                .iter()
                .any(|x| x.kind == c.kind && x.name == c.name)
            {
                self.constraints.push(c.clone());
            }
        }
        for p in &other.policies {
            if !self.policies.iter().any(|x| x.name == p.name) {
                self.policies.push(p.clone());
            }
        }
        for b in &other.bindings {
            if !self.bindings.iter().any(|x| x.name == b.name) {
                self.bindings.push(b.clone());
            }
        }
        for e in &other.expansions {
            if !self.expansions.iter().any(|x| x.name == e.name) {
                self.expansions.push(e.clone());
            }
        }
        self.params.extend(other.params.iter().cloned());
        self.diagnostics.extend(other.diagnostics.iter().cloned());
        self.now_ns = self.now_ns.max(other.now_ns);
        self.finish();
    }

    fn finish(&mut self) {
        self.templates
            .sort_by(|a, b| (&a.kind, &a.source).cmp(&(&b.kind, &b.source)));
        self.constraints
            .sort_by(|a, b| (&a.kind, &a.name).cmp(&(&b.kind, &b.name)));
        self.expansions.sort_by(|a, b| a.name.cmp(&b.name));
        self.expansions.dedup_by(|a, b| a.name == b.name);
        self.diagnostics.sort();
        self.diagnostics.dedup();
    }

    /// Whether no policy was read.
    pub fn is_empty(&self) -> bool {
        self.templates.is_empty()
            && self.constraints.is_empty()
            && self.policies.is_empty()
            && self.bindings.is_empty()
            && self.expansions.is_empty()
    }

    /// The line of a template's Rego text in its file (the line before its first line).
    pub fn rego_line(&self, template: &str) -> u32 {
        self.rego_lines.get(template).copied().unwrap_or(0)
    }
}

/// The line of the first `rego:` key at or after `from` (1-based), or `from`.
fn rego_line(text: &str, from: u32) -> u32 {
    text.lines()
        .enumerate()
        .skip(from.saturating_sub(1) as usize)
        .find(|(_, l)| {
            let t = l.trim_start().trim_start_matches("- ");
            t.starts_with("rego:") || t.starts_with("\"rego\":")
        })
        .map_or(from, |(i, _)| u32::try_from(i + 1).unwrap_or(from))
}

/// Whether an object of this `apiVersion` and `kind` is a policy object (the typed
/// ingestion's view, before objects are read whole).
pub fn is_policy_kind(api_version: &str, kind: &str) -> bool {
    let group = crate::model::kinds::group_of(api_version);
    (group == gatekeeper::TEMPLATE_GROUP && kind == "ConstraintTemplate")
        || group == gatekeeper::CONSTRAINT_GROUP
        || (group == expansion::GROUP && kind == "ExpansionTemplate")
        || (group == cel::GROUP
            && matches!(
                kind,
                "ValidatingAdmissionPolicy" | "ValidatingAdmissionPolicyBinding"
            ))
}

/// Reads the snapshot's files whole: the objects policies review, and the policy
/// objects among them. Audit logs are left out.
pub fn read_snapshot(files: &[&InputFile], default_namespace: &str) -> (Vec<Reviewed>, PolicySet) {
    let mut set = PolicySet::default();
    let mut all = Vec::new();
    for f in files {
        if crate::ingest::is_audit_log(&f.bytes) || f.bytes.len() > crate::ingest::MAX_INPUT_BYTES {
            continue;
        }
        let text = String::from_utf8_lossy(&f.bytes);
        // Problems reading a file are the typed ingestion's to report.
        let (objects, _) = raw::read(&f.path, &text);
        let policies: Vec<RawObject> = objects
            .iter()
            .filter(|o| is_policy_object(o))
            .cloned()
            .collect();
        if !policies.is_empty() {
            set.add(policies, Some(&text), false);
        }
        all.extend(objects);
    }
    set.finish();
    set.now_ns = snapshot_time_ns(&all);
    (reviewable(all, default_namespace), set)
}

/// The snapshot's time (see [`PolicySet::now_ns`]).
pub fn snapshot_time_ns(objects: &[RawObject]) -> i64 {
    let info = objects.iter().find_map(|o| {
        (o.api_version() == crate::ingest::object::SNAPSHOT_INFO_API_VERSION)
            .then(|| rego_builtins::rfc3339_ns(str_at(&o.value, &["collectedAt"])))
            .flatten()
    });
    info.or_else(|| {
        objects
            .iter()
            .filter_map(|o| {
                rego_builtins::rfc3339_ns(str_at(&o.value, &["metadata", "creationTimestamp"]))
            })
            .max()
    })
    .unwrap_or(0)
}

/// Evaluates the policies among the inputs and those given apart: the findings and
/// recommendation text for the rules, and the report (`None` when there is no policy).
pub fn conclude(
    from_inputs: &PolicySet,
    reviewable: &[Reviewed],
    options: &crate::analysis::PolicyOptions,
) -> (crate::rules::ExternalFindings, Option<PolicyReport>) {
    // Policy files given apart that hold no policy but problems (a file that does not
    // parse) are reported: the app's Policies page shows them where the file is kept.
    if from_inputs.is_empty() && options.set.is_empty() && options.set.diagnostics.is_empty() {
        return (crate::rules::ExternalFindings::default(), None);
    }
    let mut set = options.set.clone();
    set.extend(from_inputs);
    let (findings, report) = evaluate(&set, reviewable);
    let rules = report
        .policies
        .iter()
        .map(|p| crate::rules::ExternalRule {
            id: p.rule.clone(),
            title: if p.engine == "gatekeeper" {
                format!("Gatekeeper constraint {} (template {})", p.rule, p.template)
            } else {
                format!("ValidatingAdmissionPolicy binding {}", p.rule)
            },
            severity: p.severity,
            framework: p.engine.clone(),
            remediation: "Change the resource so that the policy admits it, or exempt it if the policy does not apply.".into(),
        })
        .collect();
    (
        crate::rules::ExternalFindings {
            findings,
            rules,
            scored: options.scored,
        },
        Some(report),
    )
}

/// One policy's outcome in an evaluation.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct PolicySummary {
    /// The rule id of its findings: `<ConstraintKind>/<name>` or `<policy>/<binding>`.
    pub rule: String,
    /// `gatekeeper` or `validating-admission-policy`.
    pub engine: String,
    /// The template's name (Gatekeeper) or the policy's (ValidatingAdmissionPolicy).
    pub template: String,
    pub severity: Severity,
    /// Objects the constraint or binding reviewed.
    pub reviewed: usize,
    /// Violations found.
    pub violations: usize,
    /// Reviews that ended in an error (see the diagnostics).
    pub errors: usize,
    pub source: Source,
    /// `rego` or `cel`; empty when its template or policy is missing.
    #[serde(default)]
    pub language: String,
    /// A constraint's `enforcementAction` (`deny`, `warn`, `dryrun`) or a binding's
    /// `validationActions` (`Deny`, `Warn`, `Audit`).
    #[serde(default)]
    pub action: String,
    /// What the constraint or binding selects, in short words.
    #[serde(default)]
    pub matches: String,
}

impl PolicySummary {
    pub(crate) fn new(
        rule: &str,
        engine: &str,
        template: &str,
        severity: Severity,
        source: &Source,
    ) -> PolicySummary {
        PolicySummary {
            rule: rule.to_string(),
            engine: engine.to_string(),
            template: template.to_string(),
            severity,
            reviewed: 0,
            violations: 0,
            errors: 0,
            source: source.clone(),
            language: String::new(),
            action: String::new(),
            matches: String::new(),
        }
    }
}

/// What the policies concluded about a snapshot.
#[derive(Clone, Debug, Default, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct PolicyReport {
    /// One entry per constraint and binding, sorted by rule.
    pub policies: Vec<PolicySummary>,
    /// Problems with the policies (reading, compiling, evaluating), located in the
    /// policy files.
    pub diagnostics: Vec<Diagnostic>,
}

/// An object ready for review: its identity, labels and the JSON the policies read.
#[derive(Clone, Debug)]
pub struct Reviewed {
    pub object: Value,
    pub group: String,
    pub version: String,
    pub kind: String,
    pub name: String,
    pub namespace: String,
    pub labels: SmallMap,
    pub source: Source,
    /// For an object generated from a workload (a pod from its template): how (see
    /// [`expansion`]).
    pub expanded_from: Option<expansion::Expansion>,
}

impl Reviewed {
    /// Prepares `obj`: a namespaced kind without a namespace is put in
    /// `default_namespace`, in the object too (as the API server would).
    pub fn new(mut object: Value, source: Source, default_namespace: &str) -> Reviewed {
        let api_version = str_at(&object, &["apiVersion"]).to_string();
        let kind = str_at(&object, &["kind"]).to_string();
        let (group, version) = match api_version.rsplit_once('/') {
            Some((g, v)) => (g.to_string(), v.to_string()),
            None => (String::new(), api_version.clone()),
        };
        let mut namespace = str_at(&object, &["metadata", "namespace"]).to_string();
        if namespace.is_empty() && is_namespaced(&api_version, &kind) {
            namespace = if default_namespace.is_empty() {
                "default".into()
            } else {
                default_namespace.into()
            };
            if let Some(meta) = object.get_mut("metadata").and_then(Value::as_object_mut) {
                meta.insert("namespace".into(), Value::String(namespace.clone()));
            }
        }
        let labels = object
            .pointer("/metadata/labels")
            .and_then(Value::as_object)
            .map(|m| {
                m.iter()
                    .filter_map(|(k, v)| Some((k.clone(), v.as_str()?.to_string())))
                    .collect()
            })
            .unwrap_or_default();
        Reviewed {
            name: str_at(&object, &["metadata", "name"]).to_string(),
            object,
            group,
            version,
            kind,
            namespace,
            labels,
            source,
            expanded_from: None,
        }
    }

    fn api_version(&self) -> String {
        if self.group.is_empty() {
            self.version.clone()
        } else {
            format!("{}/{}", self.group, self.version)
        }
    }

    /// Gatekeeper's `input.review` for this object, without `object` and `_unstable`.
    fn review_fields(&self) -> Map<String, Value> {
        let review = json!({
            "kind": {"group": self.group, "version": self.version, "kind": self.kind},
            "name": self.name,
            "namespace": self.namespace,
        });
        match review {
            Value::Object(map) => map,
            _ => Map::new(),
        }
    }

    /// Gatekeeper's `input.review` for this object.
    pub fn review(&self, namespace: Option<&Value>) -> Value {
        let mut review = self.review_fields();
        review.insert("object".into(), self.object.clone());
        if let Some(ns) = namespace {
            review.insert("_unstable".into(), json!({ "namespace": ns }));
        }
        Value::Object(review)
    }

    /// [`Reviewed::review`] as a Rego value, from the Rego values of the object and of
    /// its namespace (shared, not copied).
    pub fn review_rego(
        &self,
        object: regorus::Value,
        namespace: Option<regorus::Value>,
    ) -> regorus::Value {
        let mut review: BTreeMap<regorus::Value, regorus::Value> = self
            .review_fields()
            .into_iter()
            .map(|(k, v)| (regorus::Value::from(k), rego::to_rego(&v)))
            .collect();
        review.insert(regorus::Value::from("object"), object);
        if let Some(ns) = namespace {
            let mut unstable = BTreeMap::new();
            unstable.insert(regorus::Value::from("namespace"), ns);
            review.insert(
                regorus::Value::from("_unstable"),
                regorus::Value::from(unstable),
            );
        }
        regorus::Value::from(review)
    }
}

/// Whether a kind is namespaced: Kubernetes' own kinds by their scope; another kind when
/// its object names a namespace (the caller checks that first).
fn is_namespaced(api_version: &str, kind: &str) -> bool {
    matches!(
        crate::model::kinds::scope(api_version, kind),
        Some(crate::model::kinds::KindScope::Namespaced)
    )
}

/// Workload kinds and the path of the pod template in them.
const POD_TEMPLATES: &[(&str, &str, &[&str])] = &[
    ("apps", "Deployment", &["spec", "template"]),
    ("apps", "ReplicaSet", &["spec", "template"]),
    ("apps", "StatefulSet", &["spec", "template"]),
    ("apps", "DaemonSet", &["spec", "template"]),
    ("batch", "Job", &["spec", "template"]),
    ("", "ReplicationController", &["spec", "template"]),
    (
        "batch",
        "CronJob",
        &["spec", "jobTemplate", "spec", "template"],
    ),
];

/// The pod a workload's template creates, as Gatekeeper's expansion builds it: the
/// template's metadata and spec in a `v1` Pod in the workload's namespace.
pub fn expand(workload: &Reviewed) -> Option<Reviewed> {
    let (_, _, path) = POD_TEMPLATES
        .iter()
        .find(|(g, k, _)| *k == workload.kind && (workload.group == *g || g.is_empty()))?;
    let mut template = &workload.object;
    for key in path.iter() {
        template = template.get(key)?;
    }
    let mut metadata = template
        .get("metadata")
        .and_then(Value::as_object)
        .cloned()
        .unwrap_or_default();
    metadata.insert("name".into(), Value::String(workload.name.clone()));
    metadata.insert(
        "namespace".into(),
        Value::String(workload.namespace.clone()),
    );
    let pod = json!({
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": metadata,
        "spec": template.get("spec").cloned().unwrap_or_else(|| Value::Object(Map::new())),
    });
    let mut reviewed = Reviewed::new(pod, workload.source.clone(), &workload.namespace);
    let field = if path.len() == 2 {
        "spec.template"
    } else {
        "spec.jobTemplate.spec.template"
    };
    reviewed.expanded_from = Some(expansion::Expansion {
        kind: workload.kind.clone(),
        name: workload.name.clone(),
        field: field.into(),
        template: None,
        action: None,
    });
    Some(reviewed)
}

/// `data.inventory` as Gatekeeper's sync fills it: `namespace[ns][apiVersion][kind][name]`
/// and `cluster[apiVersion][kind][name]`, each object being its Rego value in `values`
/// (same order as `objects`; shared, not copied).
pub fn inventory(objects: &[Reviewed], values: &[regorus::Value]) -> regorus::Value {
    type Names = BTreeMap<String, regorus::Value>;
    type Tree = BTreeMap<String, BTreeMap<String, Names>>;
    let mut namespaced: BTreeMap<String, Tree> = BTreeMap::new();
    let mut cluster: Tree = BTreeMap::new();
    for (o, v) in objects.iter().zip(values) {
        if o.expanded_from.is_some() {
            continue;
        }
        let tree = if o.namespace.is_empty() {
            &mut cluster
        } else {
            namespaced.entry(o.namespace.clone()).or_default()
        };
        tree.entry(o.api_version())
            .or_default()
            .entry(o.kind.clone())
            .or_default()
            .insert(o.name.clone(), v.clone());
    }
    fn object<T>(map: BTreeMap<String, T>, f: impl Fn(T) -> regorus::Value) -> regorus::Value {
        let map: BTreeMap<regorus::Value, regorus::Value> = map
            .into_iter()
            .map(|(k, v)| (regorus::Value::from(k), f(v)))
            .collect();
        regorus::Value::from(map)
    }
    let tree = |t: Tree| object(t, |kinds| object(kinds, |names| object(names, |v| v)));
    let mut inventory = BTreeMap::new();
    inventory.insert("namespace".to_string(), object(namespaced, tree));
    inventory.insert("cluster".to_string(), tree(cluster));
    let mut data = BTreeMap::new();
    data.insert("inventory".to_string(), object(inventory, |v| v));
    object(data, |v| v)
}

/// Namespace objects by name (for `namespaceSelector` and `_unstable.namespace`).
fn namespaces(objects: &[Reviewed]) -> HashMap<String, &Reviewed> {
    objects
        .iter()
        .filter(|o| o.group.is_empty() && o.kind == "Namespace")
        .map(|o| (o.name.clone(), o))
        .collect()
}

/// The objects of a snapshot that policies review: everything read from the inputs that
/// is a Kubernetes object, except policy objects and the tool's own files.
pub fn reviewable(objects: Vec<RawObject>, default_namespace: &str) -> Vec<Reviewed> {
    let mut out: Vec<Reviewed> = objects
        .into_iter()
        .filter(|o| !is_policy_object(o))
        .filter(|o| {
            let (v, k) = (o.api_version(), o.kind());
            !(v.is_empty()
                || (v == "v1" && k == "Config")
                || v == crate::ingest::object::SNAPSHOT_INFO_API_VERSION)
        })
        .map(|o| Reviewed::new(o.value, o.source, default_namespace))
        .collect();
    out.sort_by(|a, b| {
        (&a.kind, &a.namespace, &a.name, &a.source).cmp(&(
            &b.kind,
            &b.namespace,
            &b.name,
            &b.source,
        ))
    });
    out
}

/// A violation of one constraint or binding by one object.
#[derive(Clone, Debug, PartialEq)]
pub struct Outcome {
    pub message: String,
}

/// One constraint ready to review objects.
struct Armed<'s> {
    constraint: &'s Constraint,
    rule: String,
    summary: PolicySummary,
    /// Index of its template's compiled code in the evaluation's programs.
    program: usize,
    params: regorus::Value,
    /// Whether it reviews the pods expanded from workloads.
    matches_pods: bool,
    /// Evaluation errors: message → objects.
    errors: BTreeMap<String, usize>,
}

/// Evaluates every constraint and binding of `set` against `objects` (the snapshot,
/// from [`reviewable`]). Returns the findings (sorted) and the report.
///
/// Each object is converted once for all constraints: its Rego value (shared with
/// `data.inventory`) and its review are built once and handed to every constraint that
/// matches it; each template is compiled once whatever the number of its constraints.
pub fn evaluate(set: &PolicySet, objects: &[Reviewed]) -> (Vec<Finding>, PolicyReport) {
    let mut report = PolicyReport {
        diagnostics: set.diagnostics.clone(),
        ..PolicyReport::default()
    };
    let mut findings = Vec::new();
    let namespaces = namespaces(objects);
    // The template of each constraint (the first that defines its kind).
    let template_of = |c: &Constraint| set.templates.iter().position(|t| t.kind == c.kind);
    let uses_rego = set.constraints.iter().any(|c| {
        template_of(c).is_some_and(|t| set.templates.get(t).is_some_and(|t| t.rego.is_some()))
    });
    // Every object's Rego value, built once and shared by the inventory and the reviews.
    let values: Vec<regorus::Value> = if uses_rego {
        objects.iter().map(|o| rego::to_rego(&o.object)).collect()
    } else {
        Vec::new()
    };
    let data = if uses_rego {
        inventory(objects, &values)
    } else {
        regorus::Value::new_object()
    };
    let namespace_values: HashMap<&str, &regorus::Value> = objects
        .iter()
        .zip(&values)
        .filter(|(o, _)| o.group.is_empty() && o.kind == "Namespace")
        .map(|(o, v)| (o.name.as_str(), v))
        .collect();
    // Compiled code by template index: compiled when a constraint first needs it.
    let mut programs: Vec<Option<Option<Evaluator>>> = set.templates.iter().map(|_| None).collect();
    let mut armed: Vec<Armed> = Vec::new();
    for c in &set.constraints {
        let rule = format!("{}/{}", c.kind, c.name);
        let mut summary = PolicySummary::new(&rule, "gatekeeper", "", c.severity(), &c.source);
        summary.action = c.action.as_str().into();
        summary.matches = c.matcher.summary();
        let Some(index) = template_of(c) else {
            report.diagnostics.push(Diagnostic::error(
                &c.source.file,
                c.source.line,
                0,
                format!(
                    "constraint {rule}: no ConstraintTemplate defines the kind {}; not evaluated",
                    c.kind
                ),
            ));
            summary.errors = 1;
            report.policies.push(summary);
            continue;
        };
        let template = &set.templates[index];
        summary.template = template.name.clone();
        summary.language = if template.rego.is_some() {
            "rego"
        } else {
            "cel"
        }
        .into();
        let compiled = programs[index].get_or_insert_with(|| {
            Evaluator::compile(set, template, &data, &mut report.diagnostics)
        });
        if compiled.is_none() {
            summary.errors = 1;
            report.policies.push(summary);
            continue;
        }
        let matches_pods = c.matcher.matches(&Target {
            group: "",
            kind: "Pod",
            name: "*",
            namespace: "*",
            labels: &SmallMap::default(),
            namespace_labels: None,
            generated: true,
        }) || c
            .matcher
            .kinds
            .iter()
            .any(|(_, kinds)| kinds.iter().any(|k| k == "Pod"));
        armed.push(Armed {
            constraint: c,
            rule,
            summary,
            program: index,
            params: rego::to_rego(&c.parameters),
            matches_pods,
            errors: BTreeMap::new(),
        });
    }
    // The user's ExpansionTemplates, when there are any, else the built-in pod expansion
    // for the constraints that review pods.
    let builtin = set.expansions.is_empty();
    let expanded: Vec<Reviewed> = if !builtin && !armed.is_empty() {
        objects
            .iter()
            .flat_map(|o| expansion::expand(o, &set.expansions))
            .collect()
    } else if armed.iter().any(|a| a.matches_pods) {
        objects.iter().filter_map(expand).collect()
    } else {
        Vec::new()
    };
    let reviews = objects
        .iter()
        .enumerate()
        .map(|(i, o)| (o, values.get(i)))
        .chain(expanded.iter().map(|o| (o, None)));
    for (o, value) in reviews {
        let ns = namespaces.get(&o.namespace);
        let target = Target {
            group: &o.group,
            kind: &o.kind,
            name: &o.name,
            namespace: &o.namespace,
            labels: &o.labels,
            namespace_labels: ns.map(|n| &n.labels),
            generated: o.expanded_from.is_some(),
        };
        let mut review = Review::new(
            o,
            value,
            ns.copied(),
            namespace_values.get(o.namespace.as_str()).copied(),
        );
        for a in &mut armed {
            if (builtin && target.generated && !a.matches_pods)
                || !a.constraint.matcher.matches(&target)
            {
                continue;
            }
            let Some(Some(evaluator)) = programs[a.program].as_mut() else {
                continue;
            };
            a.summary.reviewed += 1;
            match evaluator.violations(&mut review, &a.constraint.parameters, &a.params) {
                Ok(violations) => {
                    // An ExpansionTemplate's enforcement action overrides the
                    // constraint's for what it generates (not an explicit severity).
                    let severity = match o.expanded_from.as_ref().and_then(|e| e.action) {
                        Some(action) if a.constraint.severity.is_none() => action.severity(),
                        _ => a.constraint.severity(),
                    };
                    for v in violations {
                        a.summary.violations += 1;
                        findings.push(finding(&a.rule, severity, o, v.message));
                    }
                }
                Err(e) => {
                    a.summary.errors += 1;
                    *a.errors.entry(e).or_default() += 1;
                }
            }
        }
    }
    for a in armed {
        let template = &set.templates[a.program];
        let line = match &programs[a.program] {
            Some(Some(e)) => e.error_line(),
            _ => 0,
        };
        for (message, n) in a.errors {
            report.diagnostics.push(Diagnostic::error(
                &template.source.file,
                line,
                0,
                format!(
                    "constraint {}: evaluation failed on {n} object(s): {message}",
                    a.rule
                ),
            ));
        }
        report.policies.push(a.summary);
    }
    cel::evaluate_bindings(set, objects, &namespaces, &mut findings, &mut report);
    findings.sort_by(|a, b| {
        (a.severity, &a.rule, &a.resource, &a.field, &a.message).cmp(&(
            b.severity,
            &b.rule,
            &b.resource,
            &b.field,
            &b.message,
        ))
    });
    findings.dedup();
    report.policies.sort_by(|a, b| a.rule.cmp(&b.rule));
    report.diagnostics.sort();
    report.diagnostics.dedup();
    (findings, report)
}

/// A finding for a violation by `o` (a workload's own finding when `o` is its pod).
pub(crate) fn finding(rule: &str, severity: Severity, o: &Reviewed, message: String) -> Finding {
    let (kind, name, field, message) = match &o.expanded_from {
        Some(e) => (
            e.kind.clone(),
            e.name.clone(),
            e.field.clone(),
            e.message(&message),
        ),
        None => (o.kind.clone(), o.name.clone(), String::new(), message),
    };
    Finding {
        rule: rule.to_string(),
        severity,
        resource: ResourceRef {
            kind,
            namespace: o.namespace.clone(),
            name,
            cluster: String::new(),
        },
        container: String::new(),
        field,
        message,
        source: o.source.clone(),
        exemption: None,
        fix: None,
    }
}

/// Gatekeeper's `input.review` of one object, built at most once in each form (JSON for
/// CEL, a Rego value for Rego) whatever the number of constraints reviewing it.
pub(crate) struct Review<'a> {
    from: ReviewFrom<'a>,
    json: Option<Value>,
    rego: Option<regorus::Value>,
}

enum ReviewFrom<'a> {
    /// An object, its Rego value when already built, its namespace and that one's value.
    Object {
        object: &'a Reviewed,
        value: Option<&'a regorus::Value>,
        namespace: Option<&'a Reviewed>,
        namespace_value: Option<&'a regorus::Value>,
    },
    /// A review given whole (an AdmissionReview's request).
    Whole(Value),
}

impl<'a> Review<'a> {
    pub(crate) fn new(
        object: &'a Reviewed,
        value: Option<&'a regorus::Value>,
        namespace: Option<&'a Reviewed>,
        namespace_value: Option<&'a regorus::Value>,
    ) -> Review<'a> {
        Review {
            from: ReviewFrom::Object {
                object,
                value,
                namespace,
                namespace_value,
            },
            json: None,
            rego: None,
        }
    }

    /// A review given whole.
    pub(crate) fn whole(review: Value) -> Review<'static> {
        Review {
            from: ReviewFrom::Whole(review),
            json: None,
            rego: None,
        }
    }

    /// The review as JSON.
    pub(crate) fn json(&mut self) -> &Value {
        let from = &self.from;
        self.json.get_or_insert_with(|| match from {
            ReviewFrom::Object {
                object, namespace, ..
            } => object.review(namespace.map(|n| &n.object)),
            ReviewFrom::Whole(v) => v.clone(),
        })
    }

    /// The review as a Rego value (the same document as [`Review::json`]).
    pub(crate) fn rego(&mut self) -> &regorus::Value {
        let from = &self.from;
        self.rego.get_or_insert_with(|| match from {
            ReviewFrom::Object {
                object,
                value,
                namespace,
                namespace_value,
            } => {
                let value = value
                    .cloned()
                    .unwrap_or_else(|| rego::to_rego(&object.object));
                let namespace = namespace.map(|n| {
                    namespace_value
                        .cloned()
                        .unwrap_or_else(|| rego::to_rego(&n.object))
                });
                object.review_rego(value, namespace)
            }
            ReviewFrom::Whole(v) => rego::to_rego(v),
        })
    }
}

/// A template's code, compiled once: Rego when it has some, else CEL.
pub(crate) enum Evaluator {
    Rego(Box<rego::RegoProgram>, u32),
    Cel(cel::CelProgram),
}

impl Evaluator {
    /// Compiles the template's code; `None` after reporting why it cannot run. `data` is
    /// the `data` document Rego reads.
    pub(crate) fn compile(
        set: &PolicySet,
        template: &Template,
        data: &regorus::Value,
        diagnostics: &mut Vec<Diagnostic>,
    ) -> Option<Evaluator> {
        let rego_line = set.rego_line(&template.name);
        if let Some(code) = &template.rego {
            return match rego::RegoProgram::compile(
                &code.rego, &code.libs, code.v1, data, set.now_ns,
            ) {
                Ok(p) => Some(Evaluator::Rego(Box::new(p), rego_line)),
                Err(e) => {
                    diagnostics.push(rego_diagnostic(template, rego_line, &e));
                    None
                }
            };
        }
        let code = template.cel.as_ref()?;
        match cel::CelProgram::compile(code, true) {
            Ok(p) => Some(Evaluator::Cel(p)),
            Err(errors) => {
                for e in errors {
                    diagnostics.push(Diagnostic::error(
                        &template.source.file,
                        template.source.line,
                        0,
                        format!("ConstraintTemplate {}: {e}", template.name),
                    ));
                }
                None
            }
        }
    }

    /// The violations of one review with these parameters; an error as its message.
    pub(crate) fn violations(
        &mut self,
        review: &mut Review,
        parameters: &Value,
        params_rego: &regorus::Value,
    ) -> Result<Vec<rego::Violation>, String> {
        match self {
            Evaluator::Rego(p, _) => {
                let mut input = BTreeMap::new();
                input.insert(regorus::Value::from("review"), review.rego().clone());
                input.insert(regorus::Value::from("parameters"), params_rego.clone());
                p.violations(regorus::Value::from(input)).map_err(|e| {
                    if e.budget {
                        format!(
                            "the evaluation exceeded its budget of {} steps",
                            rego::STEP_BUDGET
                        )
                    } else {
                        e.message
                    }
                })
            }
            Evaluator::Cel(p) => p
                .gatekeeper_violations(review.json(), parameters)
                .map_err(|e| e.to_string()),
        }
    }

    fn error_line(&self) -> u32 {
        match self {
            Evaluator::Rego(_, line) => *line,
            Evaluator::Cel(_) => 0,
        }
    }
}

fn rego_diagnostic(template: &Template, rego_line: u32, e: &rego::RegoError) -> Diagnostic {
    let (line, what) = match e.lib {
        None if e.line > 0 && rego_line > 0 => (rego_line + e.line, String::new()),
        None => (template.source.line, String::new()),
        Some(i) => (
            template.source.line,
            format!(" (libs[{i}], line {})", e.line),
        ),
    };
    Diagnostic::error(
        &template.source.file,
        line,
        0,
        format!(
            "ConstraintTemplate {}: Rego does not compile{what}: {}",
            template.name, e.message
        ),
    )
}

#[cfg(test)]
mod tests;
