//! gcloud IAM output into [`GcpIam`]: `gcloud projects get-iam-policy PROJECT --format
//! json` and `gcloud iam service-accounts get-iam-policy EMAIL --format json` (an IAM
//! policy: `bindings` of `members` to a `role`, each with an optional `condition`, and
//! an `etag`), and `gcloud iam service-accounts list --format json` (an array of
//! service accounts with `email`, `name` `projects/P/serviceAccounts/EMAIL`,
//! `projectId`, `disabled`).
//!
//! Detected by content in [`super::json`]: an object whose keys are only those of a
//! policy (`bindings`, `etag`, `version`, `auditConfigs`), or an array whose first
//! element is a service account. A policy does not say whose it is: the file name does,
//! as `public/collect.sh` writes it (`gcp/PROJECT.iam-policy.json`,
//! `gcp/EMAIL.iam-policy.json`; a name with `@` is a service account's). A binding that
//! cannot be read costs a diagnostic located at the document and the path inside it.

use serde_json::Value;

use crate::model::gcp::{GcpBinding, GcpIam, GcpPolicy, GcpResource, GcpServiceAccount};
use crate::source::Diagnostic;

/// The keys an IAM policy may have at the top level.
pub(super) const POLICY_KEYS: [&str; 4] = ["bindings", "etag", "version", "auditConfigs"];

/// Whether a JSON value (an array's first element) is a service account of
/// `gcloud iam service-accounts list`.
pub(super) fn is_service_account(raw: &str) -> bool {
    let Ok(Value::Object(m)) = serde_json::from_str::<Value>(raw) else {
        return false;
    };
    m.get("email").is_some_and(Value::is_string)
        && m.get("name")
            .and_then(Value::as_str)
            .is_some_and(|n| n.starts_with("projects/") && n.contains("/serviceAccounts/"))
}

/// The resource a policy file belongs to, from its name: `EMAIL.iam-policy.json` or
/// `EMAIL.json` is a service account's, any other name a project's (its ID when the
/// name is one: lower-case letters, digits and hyphens).
fn resource_of(path: &str) -> GcpResource {
    let file = path.rsplit(['/', '\\']).next().unwrap_or(path);
    let stem = file.strip_suffix(".json").unwrap_or(file);
    let stem = stem.strip_suffix(".iam-policy").unwrap_or(stem);
    if stem.contains('@') {
        return GcpResource::ServiceAccount(stem.to_string());
    }
    let id = (6..=30).contains(&stem.len())
        && stem
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
        && stem.starts_with(|c: char| c.is_ascii_lowercase());
    GcpResource::Project(if id { stem.to_string() } else { String::new() })
}

/// Reads an IAM policy; `line`/`column` locate its start for diagnostics.
pub(super) fn policy(
    path: &str,
    doc: &str,
    (line, column): (u32, u32),
    diagnostics: &mut Vec<Diagnostic>,
) -> Result<GcpIam, serde_json::Error> {
    let top: Value = serde_json::from_str(doc)?;
    let mut bindings = Vec::new();
    let list = match top.get("bindings") {
        None | Some(Value::Null) => &[][..],
        Some(Value::Array(a)) => a.as_slice(),
        Some(_) => {
            diagnostics.push(
                Diagnostic::warning(path, line, column, "`bindings` is not a list; skipped")
                    .at_path("bindings"),
            );
            &[][..]
        }
    };
    for (i, b) in list.iter().enumerate() {
        let role = b.get("role").and_then(Value::as_str).unwrap_or_default();
        let members: Vec<String> = match b.get("members") {
            Some(Value::Array(m)) => m
                .iter()
                .filter_map(Value::as_str)
                .map(str::to_string)
                .collect(),
            _ => Vec::new(),
        };
        if role.is_empty() || members.is_empty() {
            diagnostics.push(
                Diagnostic::warning(
                    path,
                    line,
                    column,
                    "binding without a `role` or `members`; skipped",
                )
                .at_path(format!("bindings[{i}]")),
            );
            continue;
        }
        let condition = b.get("condition").filter(|c| !c.is_null()).map(|c| {
            let text = |k| c.get(k).and_then(Value::as_str).unwrap_or_default();
            match (text("title"), text("expression")) {
                ("", "") => "a condition".to_string(),
                ("", e) => e.to_string(),
                (t, _) => t.to_string(),
            }
        });
        let mut members = members;
        members.sort();
        members.dedup();
        bindings.push(GcpBinding {
            role: role.to_string(),
            members,
            condition,
        });
    }
    Ok(GcpIam {
        policies: vec![GcpPolicy {
            resource: resource_of(path),
            bindings,
        }],
        ..GcpIam::default()
    })
}

/// Reads `gcloud iam service-accounts list` output from its elements; an element
/// without an email costs a diagnostic.
pub(super) fn service_accounts(
    path: &str,
    items: &[(&str, (u32, u32))],
    diagnostics: &mut Vec<Diagnostic>,
) -> GcpIam {
    let mut out = GcpIam::default();
    for (i, (raw, (line, column))) in items.iter().enumerate() {
        let v: Value = serde_json::from_str(raw).unwrap_or(Value::Null);
        let text = |k| v.get(k).and_then(Value::as_str).unwrap_or_default();
        let email = text("email");
        if email.is_empty() {
            diagnostics.push(
                Diagnostic::warning(
                    path,
                    *line,
                    *column,
                    "service account without `email`; skipped",
                )
                .at_path(format!("[{i}]")),
            );
            continue;
        }
        let project = match text("projectId") {
            "" => text("name")
                .strip_prefix("projects/")
                .and_then(|r| r.split('/').next())
                .unwrap_or_default(),
            p => p,
        };
        out.service_accounts.push(GcpServiceAccount {
            email: email.to_string(),
            project: project.to_string(),
            display_name: text("displayName").to_string(),
            disabled: v.get("disabled").and_then(Value::as_bool).unwrap_or(false),
        });
    }
    out.service_accounts.sort_by(|a, b| a.email.cmp(&b.email));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_file_name_says_whose_policy() {
        assert_eq!(
            resource_of("snap/gcp/shop-prod.iam-policy.json"),
            GcpResource::Project("shop-prod".into())
        );
        assert_eq!(
            resource_of("gcp/app@shop-prod.iam.gserviceaccount.com.iam-policy.json"),
            GcpResource::ServiceAccount("app@shop-prod.iam.gserviceaccount.com".into())
        );
        // Not a project ID (capitals, too short): the project is unknown.
        assert_eq!(
            resource_of("Policy.json"),
            GcpResource::Project(String::new())
        );
        assert_eq!(resource_of("p.json"), GcpResource::Project(String::new()));
    }
}
