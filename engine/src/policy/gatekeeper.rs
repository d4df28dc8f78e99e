//! OPA Gatekeeper's policy objects: ConstraintTemplates and the Constraints of the kinds
//! they define, read from raw manifests, and Gatekeeper's `match` semantics.
//!
//! A template (`templates.gatekeeper.sh` v1, v1beta1 or v1alpha1) names a constraint kind
//! (`spec.crd.spec.names.kind`) and carries its code: Rego in `targets[].rego` with
//! `targets[].libs`, or in `targets[].code[]` with engine `Rego`
//! (`source.rego`, `source.libs`, `source.version`), and CEL in `targets[].code[]` with
//! engine `K8sNativeValidation`. A constraint (`constraints.gatekeeper.sh`) is an
//! object of such a kind: its `spec.match` selects the objects it reviews,
//! `spec.parameters` are the policy's `input.parameters` and `spec.enforcementAction`
//! sets the severity of what it finds.

use crate::model::meta::SmallMap;

use serde_json::Value;

use super::raw::{str_at, strings, RawObject};
use crate::model::meta::LabelSelector;
use crate::rules::Severity;
use crate::source::{Diagnostic, Source};

/// The API group of ConstraintTemplates.
pub const TEMPLATE_GROUP: &str = "templates.gatekeeper.sh";
/// The API group of Constraints.
pub const CONSTRAINT_GROUP: &str = "constraints.gatekeeper.sh";

/// Rego code of a template.
#[derive(Clone, Debug, PartialEq)]
pub struct RegoCode {
    pub rego: String,
    pub libs: Vec<String>,
    /// `source.version: v1` was given: the code is Rego v1 only.
    pub v1: bool,
}

/// A CEL validation (Gatekeeper's `K8sNativeValidation` or a ValidatingAdmissionPolicy's).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct CelValidation {
    pub expression: String,
    pub message: String,
    pub message_expression: String,
}

/// CEL code: what a `K8sNativeValidation` source or a ValidatingAdmissionPolicy holds.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct CelCode {
    /// `(name, expression)` in order: each may read the ones before it.
    pub variables: Vec<(String, String)>,
    /// `(name, expression)`: all must hold for the validations to apply.
    pub match_conditions: Vec<(String, String)>,
    pub validations: Vec<CelValidation>,
}

/// A ConstraintTemplate.
#[derive(Clone, Debug, PartialEq)]
pub struct Template {
    /// `metadata.name`.
    pub name: String,
    /// The constraint kind it defines.
    pub kind: String,
    pub rego: Option<RegoCode>,
    pub cel: Option<CelCode>,
    pub source: Source,
}

/// What Gatekeeper does with a violation; it sets the finding's severity.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EnforcementAction {
    Deny,
    Warn,
    Dryrun,
}

impl EnforcementAction {
    pub(crate) fn parse(s: &str) -> Option<EnforcementAction> {
        match s.to_ascii_lowercase().as_str() {
            "" | "deny" | "scoped" => Some(EnforcementAction::Deny),
            "warn" => Some(EnforcementAction::Warn),
            "dryrun" => Some(EnforcementAction::Dryrun),
            _ => None,
        }
    }

    /// Gatekeeper's spelling: `deny`, `warn` or `dryrun`.
    pub fn as_str(self) -> &'static str {
        match self {
            EnforcementAction::Deny => "deny",
            EnforcementAction::Warn => "warn",
            EnforcementAction::Dryrun => "dryrun",
        }
    }

    /// deny → high, warn → medium, dryrun → low.
    pub fn severity(self) -> Severity {
        match self {
            EnforcementAction::Deny => Severity::High,
            EnforcementAction::Warn => Severity::Medium,
            EnforcementAction::Dryrun => Severity::Low,
        }
    }
}

/// Which objects a constraint reviews: Gatekeeper's `spec.match`.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Match {
    /// `(apiGroups, kinds)` pairs; empty matches every kind.
    pub kinds: Vec<(Vec<String>, Vec<String>)>,
    pub namespaces: Vec<String>,
    pub excluded_namespaces: Vec<String>,
    pub label_selector: Option<LabelSelector>,
    pub namespace_selector: Option<LabelSelector>,
    /// `*` (or empty), `Cluster` or `Namespaced`.
    pub scope: String,
    /// `metadata.name`, with a `*` prefix or suffix glob; empty matches every name.
    pub name: String,
    /// `All` (or empty), `Generated` or `Original`: expanded pods, the objects, or both.
    pub source: String,
}

/// What [`Match::matches`] needs to know about the reviewed object.
#[derive(Clone, Copy, Debug)]
pub struct Target<'a> {
    pub group: &'a str,
    pub kind: &'a str,
    pub name: &'a str,
    /// Empty for a cluster-scoped object.
    pub namespace: &'a str,
    pub labels: &'a SmallMap,
    /// The labels of the object's namespace, `None` when that Namespace is unknown.
    pub namespace_labels: Option<&'a SmallMap>,
    /// The object is a pod expanded from a workload's template.
    pub generated: bool,
}

impl Match {
    /// What the match selects, in short words (`kinds Pod, apps/Deployment; namespaces
    /// prod; labels app=web`); `everything` when it selects every object.
    pub fn summary(&self) -> String {
        let mut parts = Vec::new();
        let kinds: Vec<String> = self
            .kinds
            .iter()
            .flat_map(|(groups, kinds)| {
                let groups = if groups.is_empty() {
                    vec![String::new()]
                } else {
                    groups.clone()
                };
                kinds
                    .iter()
                    .flat_map(move |k| {
                        groups.clone().into_iter().map(move |g| {
                            if g.is_empty() || g == "*" {
                                k.clone()
                            } else {
                                format!("{g}/{k}")
                            }
                        })
                    })
                    .collect::<Vec<_>>()
            })
            .collect();
        if !kinds.is_empty() {
            parts.push(format!("kinds {}", kinds.join(", ")));
        }
        if !self.namespaces.is_empty() {
            parts.push(format!("namespaces {}", self.namespaces.join(", ")));
        }
        if !self.excluded_namespaces.is_empty() {
            parts.push(format!(
                "except namespaces {}",
                self.excluded_namespaces.join(", ")
            ));
        }
        if let Some(s) = &self.label_selector {
            parts.push(format!("labels {}", s.display()));
        }
        if let Some(s) = &self.namespace_selector {
            parts.push(format!("namespace labels {}", s.display()));
        }
        if !self.scope.is_empty() && self.scope != "*" {
            parts.push(format!("scope {}", self.scope));
        }
        if !self.name.is_empty() {
            parts.push(format!("name {}", self.name));
        }
        if !self.source.is_empty() && self.source != "All" {
            parts.push(format!("source {}", self.source));
        }
        if parts.is_empty() {
            "everything".into()
        } else {
            parts.join("; ")
        }
    }

    fn parse(spec: &Value, problems: &mut Vec<String>) -> Match {
        let Some(m) = spec.get("match") else {
            return Match::default();
        };
        let kinds = m
            .get("kinds")
            .and_then(Value::as_array)
            .map(|a| {
                a.iter()
                    .map(|k| (strings(k.get("apiGroups")), strings(k.get("kinds"))))
                    .collect()
            })
            .unwrap_or_default();
        let mut selector = |key: &str| -> Option<LabelSelector> {
            let v = m.get(key)?;
            match serde_json::from_value::<LabelSelector>(v.clone()) {
                Ok(s) => Some(s),
                Err(e) => {
                    problems.push(format!("spec.match.{key} is not a label selector: {e}"));
                    // A selector that cannot be read selects nothing rather than all.
                    Some(LabelSelector {
                        match_expressions: vec![crate::model::meta::LabelSelectorRequirement {
                            key: String::new(),
                            operator: "Invalid".into(),
                            values: Vec::new(),
                        }],
                        ..LabelSelector::default()
                    })
                }
            }
        };
        let label_selector = selector("labelSelector");
        let namespace_selector = selector("namespaceSelector");
        Match {
            kinds,
            namespaces: strings(m.get("namespaces")),
            excluded_namespaces: strings(m.get("excludedNamespaces")),
            label_selector,
            namespace_selector,
            scope: str_at(m, &["scope"]).to_string(),
            name: str_at(m, &["name"]).to_string(),
            source: str_at(m, &["source"]).to_string(),
        }
    }

    /// Whether the constraint reviews `t`, as Gatekeeper's matcher decides.
    pub fn matches(&self, t: &Target) -> bool {
        match self.source.as_str() {
            "Generated" if !t.generated => return false,
            "Original" if t.generated => return false,
            _ => {}
        }
        let kind_ok = self.kinds.is_empty()
            || self.kinds.iter().any(|(groups, kinds)| {
                (groups.is_empty() || groups.iter().any(|g| g == "*" || g == t.group))
                    && (kinds.is_empty() || kinds.iter().any(|k| k == "*" || k == t.kind))
            });
        if !kind_ok {
            return false;
        }
        let is_namespace = t.group.is_empty() && t.kind == "Namespace";
        match self.scope.as_str() {
            "Cluster" if !t.namespace.is_empty() => return false,
            "Namespaced" if t.namespace.is_empty() => return false,
            _ => {}
        }
        if !self.name.is_empty() && !glob(&self.name, t.name) {
            return false;
        }
        // The namespace a namespace-based criterion looks at: the object's own, or the
        // Namespace's name; other cluster-scoped objects are not filtered by namespace.
        let ns_name = if is_namespace { t.name } else { t.namespace };
        let scoped = is_namespace || !t.namespace.is_empty();
        if scoped {
            if !self.namespaces.is_empty() && !self.namespaces.iter().any(|p| glob(p, ns_name)) {
                return false;
            }
            if self.excluded_namespaces.iter().any(|p| glob(p, ns_name)) {
                return false;
            }
        }
        if let Some(sel) = &self.label_selector {
            if !sel.matches(t.labels) {
                return false;
            }
        }
        if let Some(sel) = &self.namespace_selector {
            if is_namespace {
                if !sel.matches(t.labels) {
                    return false;
                }
            } else if scoped {
                let empty = SmallMap::default();
                if !sel.matches(t.namespace_labels.unwrap_or(&empty)) {
                    return false;
                }
            }
        }
        true
    }
}

/// Gatekeeper's name globs: a `*` at the start or the end (or `*` alone).
pub fn glob(pattern: &str, name: &str) -> bool {
    if pattern == "*" {
        return true;
    }
    if let Some(prefix) = pattern.strip_suffix('*') {
        if let Some(inner) = prefix.strip_prefix('*') {
            return name.contains(inner);
        }
        return name.starts_with(prefix);
    }
    if let Some(suffix) = pattern.strip_prefix('*') {
        return name.ends_with(suffix);
    }
    pattern == name
}

/// A Constraint.
#[derive(Clone, Debug, PartialEq)]
pub struct Constraint {
    pub kind: String,
    pub name: String,
    pub matcher: Match,
    /// `spec.parameters`, `{}` when absent.
    pub parameters: Value,
    pub action: EnforcementAction,
    /// From the annotation `portolan.dev/severity`, when given.
    pub severity: Option<Severity>,
    pub source: Source,
}

impl Constraint {
    /// The severity of this constraint's findings.
    pub fn severity(&self) -> Severity {
        self.severity.unwrap_or(self.action.severity())
    }
}

/// The annotation that sets the severity of a policy's findings.
pub const SEVERITY_ANNOTATION: &str = "portolan.dev/severity";

pub(crate) fn severity_annotation(
    obj: &Value,
    source: &Source,
    diagnostics: &mut Vec<Diagnostic>,
) -> Option<Severity> {
    let s = str_at(obj, &["metadata", "annotations", SEVERITY_ANNOTATION]);
    if s.is_empty() {
        return None;
    }
    let parsed = Severity::ALL
        .into_iter()
        .find(|v| v.as_str().eq_ignore_ascii_case(s));
    if parsed.is_none() {
        diagnostics.push(
            Diagnostic::warning(
                &source.file,
                source.line,
                0,
                format!(
                    "annotation {SEVERITY_ANNOTATION}: {s:?} is not a severity (critical, high, medium, low, informational); ignored"
                ),
            )
            .at_path(format!("metadata.annotations.{SEVERITY_ANNOTATION}")),
        );
    }
    parsed
}

/// Whether `obj` is a ConstraintTemplate.
pub fn is_template(obj: &RawObject) -> bool {
    obj.kind() == "ConstraintTemplate"
        && crate::model::kinds::group_of(obj.api_version()) == TEMPLATE_GROUP
}

/// Whether `obj` is a Constraint.
pub fn is_constraint(obj: &RawObject) -> bool {
    crate::model::kinds::group_of(obj.api_version()) == CONSTRAINT_GROUP
}

/// Reads a ConstraintTemplate; `None` (with a diagnostic) when it defines no kind or has
/// no code Portolan can run.
pub fn template(obj: &RawObject, diagnostics: &mut Vec<Diagnostic>) -> Option<Template> {
    let v = &obj.value;
    let src = &obj.source;
    let kind = str_at(v, &["spec", "crd", "spec", "names", "kind"]);
    if kind.is_empty() {
        diagnostics.push(
            Diagnostic::error(
                &src.file,
                src.line,
                0,
                format!(
                    "ConstraintTemplate {:?} names no constraint kind (spec.crd.spec.names.kind); skipped",
                    obj.name()
                ),
            )
            .at_path("spec.crd.spec.names.kind"),
        );
        return None;
    }
    let mut rego = None;
    let mut cel = None;
    let targets = v
        .pointer("/spec/targets")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    for t in &targets {
        if let Some(r) = t.get("rego").and_then(Value::as_str) {
            if !r.trim().is_empty() {
                rego = Some(RegoCode {
                    rego: r.to_string(),
                    libs: strings(t.get("libs")),
                    v1: false,
                });
            }
        }
        for code in t
            .get("code")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            let engine = str_at(code, &["engine"]);
            let source = code.get("source").unwrap_or(&Value::Null);
            match engine {
                "Rego" if rego.is_none() => {
                    let r = str_at(source, &["rego"]);
                    if !r.trim().is_empty() {
                        rego = Some(RegoCode {
                            rego: r.to_string(),
                            libs: strings(source.get("libs")),
                            v1: str_at(source, &["version"]) == "v1",
                        });
                    }
                }
                "K8sNativeValidation" => cel = Some(cel_code(source)),
                _ => {}
            }
        }
    }
    if rego.is_none() && cel.is_none() {
        diagnostics.push(
            Diagnostic::error(
                &src.file,
                src.line,
                0,
                format!("ConstraintTemplate {:?} holds no Rego and no K8sNativeValidation code; its constraints cannot be evaluated", obj.name()),
            )
            .at_path("spec.targets"),
        );
    }
    Some(Template {
        name: obj.name().to_string(),
        kind: kind.to_string(),
        rego,
        cel,
        source: src.clone(),
    })
}

/// Reads CEL code in the shape Gatekeeper's `K8sNativeValidation` source and a
/// ValidatingAdmissionPolicy's spec share.
pub fn cel_code(source: &Value) -> CelCode {
    let pairs = |key: &str| -> Vec<(String, String)> {
        source
            .get(key)
            .and_then(Value::as_array)
            .map(|a| {
                a.iter()
                    .map(|v| {
                        (
                            str_at(v, &["name"]).to_string(),
                            str_at(v, &["expression"]).to_string(),
                        )
                    })
                    .collect()
            })
            .unwrap_or_default()
    };
    CelCode {
        variables: pairs("variables"),
        match_conditions: pairs("matchConditions"),
        validations: source
            .get("validations")
            .and_then(Value::as_array)
            .map(|a| {
                a.iter()
                    .map(|v| CelValidation {
                        expression: str_at(v, &["expression"]).to_string(),
                        message: str_at(v, &["message"]).to_string(),
                        message_expression: str_at(v, &["messageExpression"]).to_string(),
                    })
                    .collect()
            })
            .unwrap_or_default(),
    }
}

/// Reads a Constraint.
pub fn constraint(obj: &RawObject, diagnostics: &mut Vec<Diagnostic>) -> Constraint {
    let v = &obj.value;
    let src = &obj.source;
    let spec = v.get("spec").cloned().unwrap_or(Value::Null);
    let mut problems = Vec::new();
    let matcher = Match::parse(&spec, &mut problems);
    for p in problems {
        diagnostics.push(Diagnostic::error(&src.file, src.line, 0, p));
    }
    let action_text = str_at(&spec, &["enforcementAction"]);
    let action = EnforcementAction::parse(action_text).unwrap_or_else(|| {
        diagnostics.push(
            Diagnostic::warning(
                &src.file,
                src.line,
                0,
                format!(
                    "enforcementAction {action_text:?} is not deny, warn or dryrun; read as deny"
                ),
            )
            .at_path("spec.enforcementAction"),
        );
        EnforcementAction::Deny
    });
    let parameters = match spec.get("parameters") {
        Some(p) if !p.is_null() => p.clone(),
        _ => Value::Object(serde_json::Map::new()),
    };
    Constraint {
        kind: obj.kind().to_string(),
        name: obj.name().to_string(),
        matcher,
        parameters,
        action,
        severity: severity_annotation(v, src, diagnostics),
        source: src.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn labels(pairs: &[(&str, &str)]) -> SmallMap {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    fn matcher(yaml: &str) -> Match {
        let spec: Value = serde_saphyr::from_str(yaml).unwrap();
        let mut problems = Vec::new();
        let m = Match::parse(&spec, &mut problems);
        assert!(problems.is_empty(), "{problems:?}");
        m
    }

    fn target<'a>(
        kind: &'a str,
        ns: &'a str,
        name: &'a str,
        l: &'a SmallMap,
        nsl: Option<&'a SmallMap>,
    ) -> Target<'a> {
        Target {
            group: if kind == "Deployment" { "apps" } else { "" },
            kind,
            name,
            namespace: ns,
            labels: l,
            namespace_labels: nsl,
            generated: false,
        }
    }

    #[test]
    fn globs_are_prefix_and_suffix() {
        assert!(glob("kube-*", "kube-system"));
        assert!(!glob("kube-*", "my-kube"));
        assert!(glob("*-system", "kube-system"));
        assert!(glob("*", ""));
        assert!(glob("exact", "exact"));
        assert!(!glob("exact", "exactly"));
    }

    #[test]
    fn kinds_scope_and_namespaces() {
        let none = SmallMap::default();
        let m = matcher("match: {kinds: [{apiGroups: [''], kinds: [Pod]}], namespaces: [prod-*], excludedNamespaces: [prod-skip]}");
        assert!(m.matches(&target("Pod", "prod-a", "p", &none, None)));
        assert!(!m.matches(&target("Pod", "dev", "p", &none, None)));
        assert!(!m.matches(&target("Pod", "prod-skip", "p", &none, None)));
        assert!(!m.matches(&target("Deployment", "prod-a", "p", &none, None)));
        // A Namespace is matched on its own name.
        let m = matcher("match: {namespaces: [prod-*]}");
        assert!(m.matches(&target("Namespace", "", "prod-a", &none, None)));
        assert!(!m.matches(&target("Namespace", "", "dev", &none, None)));
        // Other cluster-scoped objects are not filtered by namespace.
        assert!(m.matches(&target("Node", "", "n1", &none, None)));
        let m = matcher("match: {scope: Namespaced}");
        assert!(!m.matches(&target("Node", "", "n1", &none, None)));
        assert!(m.matches(&target("Pod", "a", "p", &none, None)));
        let m = matcher("match: {scope: Cluster}");
        assert!(m.matches(&target("Node", "", "n1", &none, None)));
        assert!(!m.matches(&target("Pod", "a", "p", &none, None)));
    }

    #[test]
    fn selectors_and_names() {
        let team = labels(&[("team", "a")]);
        let none = SmallMap::default();
        let prod = labels(&[("env", "prod")]);
        let m = matcher("match: {labelSelector: {matchExpressions: [{key: team, operator: In, values: [a, b]}]}, namespaceSelector: {matchLabels: {env: prod}}, name: web-*}");
        assert!(m.matches(&target("Pod", "x", "web-1", &team, Some(&prod))));
        assert!(!m.matches(&target("Pod", "x", "api-1", &team, Some(&prod))));
        assert!(!m.matches(&target("Pod", "x", "web-1", &none, Some(&prod))));
        assert!(!m.matches(&target("Pod", "x", "web-1", &team, Some(&none))));
        // An unknown namespace has no labels.
        assert!(!m.matches(&target("Pod", "x", "web-1", &team, None)));
        // A Namespace is selected by its own labels.
        let m = matcher("match: {namespaceSelector: {matchLabels: {env: prod}}}");
        assert!(m.matches(&target("Namespace", "", "x", &prod, None)));
        assert!(!m.matches(&target("Namespace", "", "x", &none, None)));
    }

    #[test]
    fn no_spec_matches_everything() {
        let none = SmallMap::default();
        let m = Match::default();
        assert!(m.matches(&target("Node", "", "n", &none, None)));
        assert!(m.matches(&target("Pod", "a", "p", &none, None)));
    }
}
