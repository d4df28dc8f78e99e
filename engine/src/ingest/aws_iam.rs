//! `aws iam get-account-authorization-details` output: the users, groups and roles of
//! an AWS account with their trust policies, inline policies, attached managed policies
//! (at the version in force, `DefaultVersionId`) and permission boundaries, into
//! [`AwsIamExport`].
//!
//! Detected by content in [`super::json`] (the top-level `RoleDetailList`,
//! `UserDetailList`, `GroupDetailList` or `Policies` lists). Users (with their group
//! memberships), groups, roles (with their instance profiles) and permission boundaries
//! are read. Policy documents are JSON
//! objects (AWS CLI) or URL-encoded JSON strings (the raw API and other SDKs);
//! `Statement` is one object or a list; `Action`, `NotAction`, `Resource`,
//! `NotResource` and principal lists a string or a list. What cannot be read costs a
//! diagnostic located at the export and the path inside it (`RoleDetailList[3]`).

use std::collections::{BTreeMap, HashMap};

use serde_json::Value;

use crate::model::cloud::{
    AwsGroup, AwsIamExport, AwsManagedPolicy, AwsRole, AwsUser, Boundary, Condition, NamedPolicy,
    PolicyDocument, Statement,
};
use crate::source::Diagnostic;

/// The top-level keys that mark an authorization-details export.
pub(super) const KEYS: [&str; 4] = [
    "UserDetailList",
    "GroupDetailList",
    "RoleDetailList",
    "Policies",
];

/// Reads an export; `line`/`column` locate its start for diagnostics.
pub(super) fn read(
    path: &str,
    doc: &str,
    (line, column): (u32, u32),
    diagnostics: &mut Vec<Diagnostic>,
) -> Result<AwsIamExport, serde_json::Error> {
    let top: Value = serde_json::from_str(doc)?;
    let mut warn = |at: String, what: String| {
        diagnostics.push(Diagnostic::warning(path, line, column, what).at_path(at));
    };
    // Managed policies: only the default version is in force.
    let mut managed: HashMap<String, PolicyDocument> = HashMap::new();
    for (i, p) in list(&top, "Policies").iter().enumerate() {
        let arn = text(p, "Arn");
        let default = text(p, "DefaultVersionId");
        let version = list(p, "PolicyVersionList").iter().find(|v| {
            let id = text(v, "VersionId");
            if default.is_empty() {
                v.get("IsDefaultVersion").and_then(Value::as_bool) == Some(true)
            } else {
                id == default
            }
        });
        let Some(version) = version else {
            warn(
                format!("Policies[{i}]"),
                format!("managed policy {arn}: no version {default} in PolicyVersionList; skipped"),
            );
            continue;
        };
        match document(version.get("Document")) {
            Ok(d) => {
                managed.insert(arn.to_string(), d);
            }
            Err(e) => warn(
                format!("Policies[{i}].PolicyVersionList"),
                format!("managed policy {arn}: {e}; skipped"),
            ),
        }
    }
    let mut policies: Vec<AwsManagedPolicy> = list(&top, "Policies")
        .iter()
        .filter_map(|p| {
            let arn = text(p, "Arn");
            Some(AwsManagedPolicy {
                name: text(p, "PolicyName").to_string(),
                arn: arn.to_string(),
                aws_managed: arn.starts_with("arn:aws:iam::aws:policy/"),
                attachments: p
                    .get("AttachmentCount")
                    .and_then(Value::as_u64)
                    .unwrap_or(0),
                document: managed.get(arn)?.clone(),
            })
        })
        .collect();
    policies.sort_by(|a, b| a.arn.cmp(&b.arn));
    policies.dedup_by(|a, b| a.arn == b.arn);
    let cx = Principals { managed: &managed };
    let mut roles = Vec::new();
    for (i, r) in list(&top, "RoleDetailList").iter().enumerate() {
        let at = format!("RoleDetailList[{i}]");
        let (name, arn) = (text(r, "RoleName"), text(r, "Arn"));
        if name.is_empty() || arn.is_empty() {
            warn(at, "role without RoleName or Arn; skipped".into());
            continue;
        }
        let trust = match document(r.get("AssumeRolePolicyDocument")) {
            Ok(d) => d,
            Err(e) => {
                warn(
                    format!("{at}.AssumeRolePolicyDocument"),
                    format!("role {name}: trust policy {e}; no one can be shown to assume it"),
                );
                PolicyDocument::default()
            }
        };
        let what = format!("role {name}");
        let policies = cx.policies(r, "RolePolicyList", &at, &what, &mut warn);
        let boundary = cx.boundary(r, &at, &what, &mut warn);
        let mut instance_profiles: Vec<String> = list(r, "InstanceProfileList")
            .iter()
            .map(|p| text(p, "Arn").to_string())
            .filter(|a| !a.is_empty())
            .collect();
        instance_profiles.sort();
        roles.push(AwsRole {
            name: name.to_string(),
            arn: arn.to_string(),
            trust,
            policies,
            boundary,
            instance_profiles,
            scps: None,
        });
    }
    let mut users = Vec::new();
    for (i, u) in list(&top, "UserDetailList").iter().enumerate() {
        let at = format!("UserDetailList[{i}]");
        let (name, arn) = (text(u, "UserName"), text(u, "Arn"));
        if name.is_empty() || arn.is_empty() {
            warn(at, "user without UserName or Arn; skipped".into());
            continue;
        }
        let what = format!("user {name}");
        let policies = cx.policies(u, "UserPolicyList", &at, &what, &mut warn);
        let boundary = cx.boundary(u, &at, &what, &mut warn);
        let mut groups = strings(u.get("GroupList"));
        groups.sort();
        groups.dedup();
        users.push(AwsUser {
            name: name.to_string(),
            arn: arn.to_string(),
            groups,
            policies,
            boundary,
            scps: None,
        });
    }
    let mut groups = Vec::new();
    for (i, g) in list(&top, "GroupDetailList").iter().enumerate() {
        let at = format!("GroupDetailList[{i}]");
        let (name, arn) = (text(g, "GroupName"), text(g, "Arn"));
        if name.is_empty() || arn.is_empty() {
            warn(at, "group without GroupName or Arn; skipped".into());
            continue;
        }
        let what = format!("group {name}");
        let policies = cx.policies(g, "GroupPolicyList", &at, &what, &mut warn);
        groups.push(AwsGroup {
            name: name.to_string(),
            arn: arn.to_string(),
            policies,
            scps: None,
        });
    }
    roles.sort_by(|a, b| a.arn.cmp(&b.arn));
    users.sort_by(|a, b| a.arn.cmp(&b.arn));
    groups.sort_by(|a, b| a.arn.cmp(&b.arn));
    Ok(AwsIamExport {
        roles,
        users,
        groups,
        policies,
        source: Default::default(),
        index: Default::default(),
    })
}

/// Reads the policies of users, groups and roles against the export's managed policies.
struct Principals<'m> {
    managed: &'m HashMap<String, PolicyDocument>,
}

impl Principals<'_> {
    /// A principal's inline policies (under `inline_key`) then its attached managed ones.
    fn policies(
        &self,
        v: &Value,
        inline_key: &str,
        at: &str,
        what: &str,
        warn: &mut impl FnMut(String, String),
    ) -> Vec<NamedPolicy> {
        let mut policies = Vec::new();
        for (j, p) in list(v, inline_key).iter().enumerate() {
            let pname = text(p, "PolicyName");
            match document(p.get("PolicyDocument")) {
                Ok(document) => policies.push(NamedPolicy {
                    name: pname.to_string(),
                    document,
                }),
                Err(e) => warn(
                    format!("{at}.{inline_key}[{j}]"),
                    format!("{what}: inline policy {pname}: {e}; skipped"),
                ),
            }
        }
        for (j, p) in list(v, "AttachedManagedPolicies").iter().enumerate() {
            let parn = text(p, "PolicyArn");
            match self.managed.get(parn) {
                Some(document) => policies.push(NamedPolicy {
                    name: parn.to_string(),
                    document: document.clone(),
                }),
                None => warn(
                    format!("{at}.AttachedManagedPolicies[{j}]"),
                    format!(
                        "{what}: attached policy {parn} is not in the export's Policies; \
                         its permissions are unknown"
                    ),
                ),
            }
        }
        policies
    }

    /// The `PermissionsBoundary`, with its document when the export holds the policy.
    fn boundary(
        &self,
        v: &Value,
        at: &str,
        what: &str,
        warn: &mut impl FnMut(String, String),
    ) -> Option<Boundary> {
        let arn = text(v.get("PermissionsBoundary")?, "PermissionsBoundaryArn");
        if arn.is_empty() {
            return None;
        }
        let document = self.managed.get(arn).cloned();
        if document.is_none() {
            warn(
                format!("{at}.PermissionsBoundary"),
                format!(
                    "{what}: permission boundary {arn} is not in the export's Policies; \
                     its grants are shown as conditional"
                ),
            );
        }
        Some(Boundary {
            arn: arn.to_string(),
            document,
        })
    }
}

fn list<'v>(v: &'v Value, key: &str) -> &'v [Value] {
    v.get(key)
        .and_then(Value::as_array)
        .map_or(&[], Vec::as_slice)
}

fn text<'v>(v: &'v Value, key: &str) -> &'v str {
    v.get(key).and_then(Value::as_str).unwrap_or_default()
}

/// A string or a list of strings (other values skipped).
fn strings(v: Option<&Value>) -> Vec<String> {
    match v {
        Some(Value::String(s)) => vec![s.clone()],
        Some(Value::Array(a)) => a
            .iter()
            .filter_map(|s| s.as_str().map(String::from))
            .collect(),
        _ => Vec::new(),
    }
}

/// A policy document: a JSON object, or a URL-encoded (or plain) JSON string.
pub(super) fn document(v: Option<&Value>) -> Result<PolicyDocument, String> {
    let parsed;
    let v = match v {
        None | Some(Value::Null) => return Err("missing".into()),
        Some(Value::String(s)) => {
            let decoded = if s.trim_start().starts_with('{') {
                s.clone()
            } else {
                percent_decode(s)
            };
            parsed = serde_json::from_str::<Value>(&decoded)
                .map_err(|e| format!("is not a JSON policy document ({e})"))?;
            &parsed
        }
        Some(v) => v,
    };
    let statements = match v.get("Statement") {
        Some(Value::Array(a)) => a.iter().collect(),
        Some(s @ Value::Object(_)) => vec![s],
        _ => return Err("has no Statement".into()),
    };
    Ok(PolicyDocument {
        statements: statements.into_iter().filter_map(statement).collect(),
    })
}

fn statement(s: &Value) -> Option<Statement> {
    let allow = match s.get("Effect").and_then(Value::as_str) {
        Some(e) if e.eq_ignore_ascii_case("Allow") => true,
        Some(e) if e.eq_ignore_ascii_case("Deny") => false,
        _ => return None,
    };
    let not_action = s.get("Action").is_none() && s.get("NotAction").is_some();
    let not_resource = s.get("Resource").is_none() && s.get("NotResource").is_some();
    let mut principals = BTreeMap::new();
    match s.get("Principal") {
        Some(Value::String(p)) => {
            principals.insert("*".to_string(), vec![p.clone()]);
        }
        Some(Value::Object(m)) => {
            for (k, v) in m {
                principals.insert(k.clone(), strings(Some(v)));
            }
        }
        _ => {}
    }
    let mut conditions = Vec::new();
    if let Some(Value::Object(ops)) = s.get("Condition") {
        for (op, keys) in ops {
            if let Value::Object(keys) = keys {
                for (key, values) in keys {
                    conditions.push(Condition {
                        operator: op.clone(),
                        key: key.clone(),
                        values: strings(Some(values)),
                    });
                }
            }
        }
    }
    Some(Statement {
        sid: text(s, "Sid").to_string(),
        allow,
        actions: strings(s.get(if not_action { "NotAction" } else { "Action" })),
        not_action,
        resources: strings(s.get(if not_resource {
            "NotResource"
        } else {
            "Resource"
        })),
        not_resource,
        principals,
        conditions,
    })
}

/// Decodes `%XX` escapes; anything malformed is kept as is.
fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = |b: u8| (b as char).to_digit(16);
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            if let (Some(h), Some(l)) = (hex(bytes[i + 1]), hex(bytes[i + 2])) {
                out.push((h * 16 + l) as u8);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}
