//! Gatekeeper's ExpansionTemplates (`expansion.gatekeeper.sh`): which workload kinds are
//! reviewed as the resources they would create, as Gatekeeper's audit and `gator` do.
//!
//! A template names the kinds it applies to (`spec.applyTo`: groups, kinds, versions),
//! the field of the parent whose map becomes the generated object
//! (`spec.templateSource`, e.g. `spec.template`), the generated kind
//! (`spec.generatedGVK`) and optionally an `enforcementAction` that overrides the
//! constraint's for violations of generated objects. A generated object is the source map
//! with the generated apiVersion and kind, the parent's namespace, the name
//! `<parent name>-<generated kind>` in lower case and an owner reference to the parent;
//! generated objects are expanded again (a CronJob's Job, then that Job's Pod), and a
//! violation is reported on the top parent with the message prefixed
//! `[Implied by <template name>]`, the template that generated the reviewed object.
//!
//! Without any ExpansionTemplate, Portolan expands workloads by its built-in table
//! ([`super::expand`], `[pod template]` messages), since snapshots rarely carry the
//! cluster's templates; with some, only they expand, as in Gatekeeper.

use serde_json::{json, Map, Value};

use super::gatekeeper::EnforcementAction;
use super::raw::{str_at, strings, RawObject};
use super::Reviewed;
use crate::source::{Diagnostic, Source};

/// The API group of ExpansionTemplates.
pub const GROUP: &str = "expansion.gatekeeper.sh";

/// How deep generated objects are expanded again (Gatekeeper's safeguard against cycles).
const MAX_DEPTH: usize = 30;

/// One `spec.applyTo` entry: an object matches when its group, version and kind are each
/// listed.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ApplyTo {
    pub groups: Vec<String>,
    pub kinds: Vec<String>,
    pub versions: Vec<String>,
}

impl ApplyTo {
    fn matches(&self, group: &str, version: &str, kind: &str) -> bool {
        self.groups.iter().any(|g| g == group)
            && self.versions.iter().any(|v| v == version)
            && self.kinds.iter().any(|k| k == kind)
    }
}

/// An ExpansionTemplate.
#[derive(Clone, Debug, PartialEq)]
pub struct ExpansionTemplate {
    pub name: String,
    pub apply_to: Vec<ApplyTo>,
    /// `spec.templateSource`, split at dots.
    pub template_source: Vec<String>,
    /// `(group, version, kind)` of the generated objects.
    pub generated: (String, String, String),
    /// `spec.enforcementAction`: overrides the constraint's for generated objects.
    pub action: Option<EnforcementAction>,
    pub source: Source,
}

/// How a reviewed object was generated from a parent of the snapshot.
#[derive(Clone, Debug, PartialEq)]
pub struct Expansion {
    /// The top parent's kind and name: findings are reported on it.
    pub kind: String,
    pub name: String,
    /// The path in the top parent of the map the object was made from.
    pub field: String,
    /// The ExpansionTemplate that generated the object; `None` for the built-in pod
    /// expansion.
    pub template: Option<String>,
    /// The template's enforcement action override.
    pub action: Option<EnforcementAction>,
}

impl Expansion {
    /// The message of a violation by the generated object, as Gatekeeper aggregates it
    /// onto the parent.
    pub fn message(&self, message: &str) -> String {
        match &self.template {
            Some(t) => format!("[Implied by {t}] {message}"),
            None => format!("[pod template] {message}"),
        }
    }
}

/// Whether `obj` is an ExpansionTemplate.
pub fn is_expansion_template(obj: &RawObject) -> bool {
    obj.kind() == "ExpansionTemplate" && crate::model::kinds::group_of(obj.api_version()) == GROUP
}

/// Reads an ExpansionTemplate; `None` (with a located diagnostic) when Gatekeeper would
/// refuse it: no name, no `templateSource`, no `generatedGVK`, no `applyTo`, or one that
/// applies to the kind it generates.
pub fn read(obj: &RawObject, diagnostics: &mut Vec<Diagnostic>) -> Option<ExpansionTemplate> {
    let v = &obj.value;
    let src = &obj.source;
    let name = obj.name().to_string();
    let refuse = |diagnostics: &mut Vec<Diagnostic>, what: String, path: &str| {
        diagnostics.push(
            Diagnostic::error(
                &src.file,
                src.line,
                0,
                format!("ExpansionTemplate {name:?}: {what}; not used"),
            )
            .at_path(path),
        );
    };
    if name.is_empty() {
        refuse(diagnostics, "it has no name".into(), "metadata.name");
        return None;
    }
    let template_source = str_at(v, &["spec", "templateSource"]);
    if template_source.is_empty() {
        refuse(
            diagnostics,
            "spec.templateSource is empty".into(),
            "spec.templateSource",
        );
        return None;
    }
    let gvk = v.pointer("/spec/generatedGVK").unwrap_or(&Value::Null);
    let generated = (
        str_at(gvk, &["group"]).to_string(),
        str_at(gvk, &["version"]).to_string(),
        str_at(gvk, &["kind"]).to_string(),
    );
    if generated.1.is_empty() && generated.2.is_empty() && generated.0.is_empty() {
        refuse(
            diagnostics,
            "spec.generatedGVK is empty".into(),
            "spec.generatedGVK",
        );
        return None;
    }
    let apply_to: Vec<ApplyTo> = v
        .pointer("/spec/applyTo")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .map(|a| ApplyTo {
            groups: strings(a.get("groups")),
            kinds: strings(a.get("kinds")),
            versions: strings(a.get("versions")),
        })
        .collect();
    if apply_to.is_empty() {
        refuse(diagnostics, "spec.applyTo is empty".into(), "spec.applyTo");
        return None;
    }
    if apply_to
        .iter()
        .any(|a| a.matches(&generated.0, &generated.1, &generated.2))
    {
        refuse(
            diagnostics,
            format!("it generates {} and applies to that same kind", generated.2),
            "spec.applyTo",
        );
        return None;
    }
    let action_text = str_at(v, &["spec", "enforcementAction"]);
    let action = if action_text.is_empty() {
        None
    } else {
        let parsed = EnforcementAction::parse(action_text);
        if parsed.is_none() {
            diagnostics.push(
                Diagnostic::warning(
                    &src.file,
                    src.line,
                    0,
                    format!(
                        "ExpansionTemplate {name:?}: enforcementAction {action_text:?} is not deny, warn or dryrun; the constraints' own actions apply"
                    ),
                )
                .at_path("spec.enforcementAction"),
            );
        }
        parsed
    };
    Some(ExpansionTemplate {
        name,
        apply_to,
        template_source: template_source.split('.').map(str::to_string).collect(),
        generated,
        action,
        source: src.clone(),
    })
}

/// The objects `parent` expands into by `templates`, recursively (each generated object
/// expanded again), in template name order. A template whose source field the parent
/// lacks (or holds as something other than a map) generates nothing, as Gatekeeper's
/// audit skips such a parent.
pub fn expand(parent: &Reviewed, templates: &[ExpansionTemplate]) -> Vec<Reviewed> {
    let mut out = Vec::new();
    expand_into(parent, templates, 0, &mut out);
    out
}

fn expand_into(
    parent: &Reviewed,
    templates: &[ExpansionTemplate],
    depth: usize,
    out: &mut Vec<Reviewed>,
) {
    if depth >= MAX_DEPTH {
        return;
    }
    for t in templates.iter().filter(|t| {
        t.apply_to
            .iter()
            .any(|a| a.matches(&parent.group, &parent.version, &parent.kind))
    }) {
        let Some(generated) = generate(parent, t) else {
            continue;
        };
        expand_into(&generated, templates, depth + 1, out);
        out.push(generated);
    }
}

/// The object `template` generates from `parent`.
fn generate(parent: &Reviewed, template: &ExpansionTemplate) -> Option<Reviewed> {
    let mut source = &parent.object;
    for key in &template.template_source {
        source = source.get(key)?;
    }
    let mut object: Map<String, Value> = source.as_object()?.clone();
    let (group, version, kind) = &template.generated;
    let api_version = if group.is_empty() {
        version.clone()
    } else {
        format!("{group}/{version}")
    };
    object.insert("apiVersion".into(), Value::String(api_version));
    object.insert("kind".into(), Value::String(kind.clone()));
    let metadata = object
        .entry("metadata")
        .or_insert_with(|| Value::Object(Map::new()));
    if !metadata.is_object() {
        *metadata = Value::Object(Map::new());
    }
    if let Some(meta) = metadata.as_object_mut() {
        if !parent.namespace.is_empty() {
            meta.insert("namespace".into(), Value::String(parent.namespace.clone()));
        }
        let name = if kind.is_empty() {
            parent.name.clone()
        } else {
            format!("{}-{kind}", parent.name)
        };
        meta.insert("name".into(), Value::String(name.to_lowercase()));
        let owner = json!({
            "apiVersion": str_at(&parent.object, &["apiVersion"]),
            "kind": parent.kind,
            "name": parent.name,
        });
        let owners = meta
            .entry("ownerReferences")
            .or_insert_with(|| Value::Array(Vec::new()));
        if let Some(list) = owners.as_array_mut() {
            let present = list.iter().any(|o| {
                str_at(o, &["apiVersion"]) == str_at(&owner, &["apiVersion"])
                    && str_at(o, &["kind"]) == parent.kind
                    && str_at(o, &["name"]) == parent.name
            });
            if !present {
                list.push(owner);
            }
        }
    }
    let mut reviewed = Reviewed::new(
        Value::Object(object),
        parent.source.clone(),
        &parent.namespace,
    );
    let path = template.template_source.join(".");
    reviewed.expanded_from = Some(match &parent.expanded_from {
        Some(p) => Expansion {
            kind: p.kind.clone(),
            name: p.name.clone(),
            field: format!("{}.{path}", p.field),
            template: Some(template.name.clone()),
            action: template.action,
        },
        None => Expansion {
            kind: parent.kind.clone(),
            name: parent.name.clone(),
            field: path,
            template: Some(template.name.clone()),
            action: template.action,
        },
    });
    Some(reviewed)
}
