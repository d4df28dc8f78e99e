//! Concrete fixes: for a finding, the exact change that makes its rule pass on that
//! resource, where one can be stated exactly.
//!
//! A fix is a strategic merge patch of the resource (lists of containers merged by
//! container name, as `kubectl patch --type strategic` does) and, where the API server
//! accepts the change in place, the `kubectl` command that applies it. A Pod's spec is
//! immutable, so a Pod's fix is a patch of its manifest only. Fixes are computed once here,
//! after the rules ran, so the CLI, the report and the app show the same change. A rule
//! whose remedy is a judgement (which role to bind instead, which registry to trust) gets
//! no fix.

use serde::{Deserialize, Serialize};
use serde_json::{json, Map, Value};

use super::{pss, Context, Finding};
use crate::model::WorkloadUnit;

/// The change that makes a finding's rule pass on its resource.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Fix {
    /// A strategic merge patch of the resource, as compact JSON.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub patch: String,
    /// The `kubectl` command that makes the change on the live cluster; absent when the
    /// change cannot be made in place (a Pod's spec).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub command: String,
}

/// Attaches a fix to each finding that can be fixed exactly.
pub(crate) fn attach(cx: &Context, findings: &mut [Finding]) {
    // Units by resource, looked up once per finding (a large snapshot has many of both).
    let units: crate::hash::FastMap<(&str, &str, &str), usize> = cx
        .units
        .iter()
        .enumerate()
        .map(|(i, u)| ((u.kind, u.namespace, u.name), i))
        .collect();
    // Findings come sorted by rule then resource: the same resource often follows.
    let mut last: Option<(usize, Option<usize>)> = None;
    for i in 0..findings.len() {
        let r = &findings[i].resource;
        let unit = match last {
            Some((seen, unit)) if findings[seen].resource == *r => unit,
            _ => units
                .get(&(r.kind.as_str(), r.namespace.as_str(), r.name.as_str()))
                .copied(),
        };
        findings[i].fix = fix_for(cx, &findings[i], unit).map(Box::new);
        last = Some((i, unit));
    }
}

fn fix_for(cx: &Context, f: &Finding, unit: Option<usize>) -> Option<Fix> {
    if f.rule
        == super::cluster::NAMESPACE_WITHOUT_POD_SECURITY_ENFORCE
            .info
            .id
    {
        return Some(namespace_enforce(&f.resource.name));
    }
    let i = unit?;
    let unit = &cx.units[i];
    let fields: Vec<String> = if pss::CHECKS.iter().any(|c| c.id == f.rule) {
        let violations = cx.pss.get()?.get(i)?;
        violations
            .iter()
            .find(|v| v.check == f.rule)?
            .fields
            .clone()
    } else if POD_FIELD_RULES.contains(&f.rule.as_str()) {
        vec![f.field.strip_prefix(unit.template_path)?.to_string()]
    } else {
        return None;
    };
    pod_patch(unit, &fields)
}

/// Workload rules whose finding names one field that [`safe_value`] can set.
const POD_FIELD_RULES: &[&str] = &[
    "serviceAccountToken",
    "readOnlyRootFilesystem",
    "shareProcessNamespace",
];

/// Labels the namespace to enforce `baseline`, the level that stops privileged pods; the
/// remediation text says when `restricted` is the better choice.
fn namespace_enforce(name: &str) -> Fix {
    let label = "pod-security.kubernetes.io/enforce";
    Fix {
        patch: json!({"metadata": {"labels": {label: "baseline"}}}).to_string(),
        command: format!(
            "kubectl label --overwrite namespace {} {label}=baseline",
            sh_quote(name)
        ),
    }
}

/// The value that makes a pod field (path relative to the pod, past any container
/// segment) pass, for the fields that have exactly one safe value.
fn safe_value(path: &str) -> Option<Value> {
    Some(match path {
        "securityContext.privileged" | "securityContext.allowPrivilegeEscalation" => json!(false),
        "hostNetwork" | "hostPID" | "hostIPC" | "shareProcessNamespace" => json!(false),
        "automountServiceAccountToken" => json!(false),
        "securityContext.readOnlyRootFilesystem" | "securityContext.runAsNonRoot" => json!(true),
        "securityContext.procMount" => json!("Default"),
        _ => return None,
    })
}

/// The patch setting every pod-relative `fields` path (`spec.containers[0].securityContext.privileged`)
/// to its safe value, or `None` when any of them has none.
fn pod_patch(unit: &WorkloadUnit, fields: &[String]) -> Option<Fix> {
    if fields.is_empty() {
        return None;
    }
    let mut pod = Map::new();
    for field in fields {
        let rest = field.strip_prefix("spec.")?;
        let (target, path) = match container_segment(rest) {
            Some((list, index, path)) => {
                let containers = match list {
                    "containers" => &unit.spec.containers,
                    "initContainers" => &unit.spec.init_containers,
                    _ => return None,
                };
                let name = &containers.get(index)?.name;
                let entry = list_entry(&mut pod, list, name);
                (entry, path)
            }
            None => (&mut pod, rest),
        };
        set_path(target, path, safe_value(path)?);
    }
    let patch = wrap(unit.template_path, Value::Object(pod));
    let command = if unit.kind == "Pod" {
        String::new()
    } else {
        let mut c = format!("kubectl patch {}", unit.kind.to_ascii_lowercase());
        c.push(' ');
        c.push_str(&sh_quote(unit.name));
        if !unit.namespace.is_empty() {
            c.push_str(" -n ");
            c.push_str(&sh_quote(unit.namespace));
        }
        c.push_str(" --type strategic -p ");
        c.push_str(&sh_quote(&patch));
        c
    };
    Some(Fix { patch, command })
}

/// `containers[3].securityContext.x` → (`containers`, 3, `securityContext.x`).
fn container_segment(rest: &str) -> Option<(&str, usize, &str)> {
    let (head, path) = rest.split_once("].")?;
    let (list, index) = head.split_once('[')?;
    if list.contains('.') {
        return None;
    }
    Some((list, index.parse().ok()?, path))
}

/// The object for container `name` in `pod[list]`, added when missing.
fn list_entry<'m>(
    pod: &'m mut Map<String, Value>,
    list: &str,
    name: &str,
) -> &'m mut Map<String, Value> {
    let Value::Array(items) = pod.entry(list).or_insert_with(|| Value::Array(Vec::new())) else {
        unreachable!("only arrays are stored under a container list key");
    };
    let at = match items.iter().position(|c| c["name"] == name) {
        Some(at) => at,
        None => {
            items.push(json!({ "name": name }));
            items.len() - 1
        }
    };
    match &mut items[at] {
        Value::Object(m) => m,
        _ => unreachable!("container entries are objects"),
    }
}

/// Sets the dotted `path` in `map` to `value`, creating objects on the way.
fn set_path(map: &mut Map<String, Value>, path: &str, value: Value) {
    match path.split_once('.') {
        None => {
            map.insert(path.to_string(), value);
        }
        Some((head, tail)) => {
            let next = map.entry(head).or_insert_with(|| Value::Object(Map::new()));
            if !next.is_object() {
                *next = Value::Object(Map::new());
            }
            if let Value::Object(m) = next {
                set_path(m, tail, value);
            }
        }
    }
}

/// Nests the pod-level patch `{"spec": pod}` under the unit's template path
/// (`spec.template.`, `spec.jobTemplate.spec.template.`, or nothing for a Pod).
fn wrap(template_path: &str, pod: Value) -> String {
    let mut v = json!({ "spec": pod });
    for key in template_path
        .trim_end_matches('.')
        .rsplit('.')
        .filter(|k| !k.is_empty())
    {
        v = json!({ key: v });
    }
    v.to_string()
}

/// `s` quoted for a POSIX shell when it holds anything beyond a Kubernetes name's
/// characters, so a hostile name in the input cannot become a command.
fn sh_quote(s: &str) -> String {
    if !s.is_empty()
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '.' | '_' | '/' | '=' | ':'))
    {
        s.to_string()
    } else {
        format!("'{}'", s.replace('\'', r"'\''"))
    }
}

#[cfg(test)]
mod tests;
