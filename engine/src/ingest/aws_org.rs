//! AWS Organizations outputs, into [`AwsOrganization`]: `aws organizations
//! describe-policy --policy-id ID` (`{"Policy": {"PolicySummary": {...}, "Content":
//! "..."}}`, the content a JSON string), `list-policies-for-target --target-id X
//! --filter SERVICE_CONTROL_POLICY` (`{"Policies": [...]}`), `list-parents --child-id X`
//! (`{"Parents": [...]}`), `list-roots` (`{"Roots": [...]}`), `describe-organization`
//! (`{"Organization": {...}}`) and `list-accounts` (`{"Accounts": [...]}`).
//!
//! Detected by content in [`super::json`]. Two outputs do not say whom they describe:
//! `list-policies-for-target` and `list-parents`; their file name does, as
//! `public/collect.sh` writes them (`aws/org/TARGET.policies.json`,
//! `aws/org/CHILD.parents.json`, TARGET and CHILD an id: `r-...`, `ou-...` or twelve
//! digits). Policies of other types (tag, backup, resource control policies) are
//! skipped with a warning: only SCPs bear on what principals may do.

use serde_json::Value;

use super::aws_s3::named;
use crate::model::aws_org::{is_target_id, Attached, AwsOrganization, Scp};
use crate::source::Source;

/// Top-level keys of the outputs read here (`Policies` is shared with the IAM export;
/// see [`is_policy_list`]).
pub(super) const KEYS: [&str; 4] = ["Parents", "Roots", "Organization", "Accounts"];

const SCP: &str = "SERVICE_CONTROL_POLICY";

/// Whether a `Policies` list is `list-policies-for-target` output (entries with `Id`
/// and `Type`) rather than the IAM export's managed policies (`PolicyName`). Reads the
/// first entry only.
pub(super) fn is_policy_list(raw: &serde_json::value::RawValue) -> bool {
    #[derive(serde::Deserialize)]
    struct Entry {
        #[serde(rename = "Id")]
        id: Option<serde::de::IgnoredAny>,
        #[serde(rename = "Type")]
        kind: Option<serde::de::IgnoredAny>,
        #[serde(rename = "PolicyName")]
        policy_name: Option<serde::de::IgnoredAny>,
    }
    struct First(Option<Entry>);
    impl<'de> serde::Deserialize<'de> for First {
        fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
            struct V;
            impl<'de> serde::de::Visitor<'de> for V {
                type Value = First;
                fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                    f.write_str("a list")
                }
                fn visit_seq<A: serde::de::SeqAccess<'de>>(
                    self,
                    mut seq: A,
                ) -> Result<First, A::Error> {
                    let first = seq.next_element::<Entry>()?;
                    while seq.next_element::<serde::de::IgnoredAny>()?.is_some() {}
                    Ok(First(first))
                }
            }
            d.deserialize_seq(V)
        }
    }
    // Only the first entry is decoded; the rest is skipped unread.
    let mut de = serde_json::Deserializer::from_str(raw.get());
    match <First as serde::Deserialize>::deserialize(&mut de) {
        Ok(First(Some(e))) => e.id.is_some() && e.kind.is_some() && e.policy_name.is_none(),
        _ => false,
    }
}

/// What one document says; warnings are messages about parts skipped.
pub(super) fn read(
    path: &str,
    doc: &str,
    warnings: &mut Vec<String>,
) -> Result<AwsOrganization, String> {
    let top: Value = serde_json::from_str(doc).map_err(|e| format!("invalid JSON ({e})"))?;
    let Value::Object(top) = top else {
        return Err("not a JSON object".into());
    };
    let mut org = AwsOrganization::default();
    let text = |v: &Value, k: &str| v.get(k).and_then(Value::as_str).unwrap_or("").to_string();
    let list = |k: &str| -> Result<Vec<Value>, String> {
        match top.get(k) {
            Some(Value::Array(a)) => Ok(a.clone()),
            Some(Value::Null) | None => Ok(Vec::new()),
            Some(_) => Err(format!("`{k}` is not a list")),
        }
    };
    let mut note = |what: &str| {
        org.sources.insert(what.to_string(), Source::default());
    };
    if let Some(policy) = top.get("Policy") {
        note("policies");
        let summary = policy.get("PolicySummary").unwrap_or(&Value::Null);
        let kind = text(summary, "Type");
        let id = text(summary, "Id");
        if id.is_empty() {
            return Err("`Policy.PolicySummary` has no `Id`".into());
        }
        if kind != SCP {
            warnings.push(format!(
                "policy {id} is a {} policy, not a service control policy: skipped",
                if kind.is_empty() { "untyped" } else { &kind }
            ));
        } else {
            let document = super::aws_iam::document(policy.get("Content"))
                .map_err(|e| format!("the content of SCP {id} {e}"))?;
            org.policies.insert(
                id.clone(),
                Scp {
                    name: match text(summary, "Name") {
                        n if n.is_empty() => id.clone(),
                        n => n,
                    },
                    arn: text(summary, "Arn"),
                    id,
                    document,
                    source: Source::default(),
                },
            );
        }
    }
    if top.contains_key("Policies") {
        note("policies");
        let target = named(path, &[".policies-for-target", ".policies", ".scps"]);
        if !is_target_id(&target) {
            return Err(format!(
                "`list-policies-for-target` output does not say its target: name the file after it (TARGET.policies.json, TARGET a root `r-...`, an OU `ou-...` or an account id), not `{target}`"
            ));
        }
        let mut attached = Attached::default();
        let mut other: std::collections::BTreeSet<String> = Default::default();
        for p in list("Policies")? {
            let (id, kind) = (text(&p, "Id"), text(&p, "Type"));
            if id.is_empty() {
                warnings.push(format!(
                    "a policy attached to {target} has no `Id`: skipped"
                ));
            } else if !kind.is_empty() && kind != SCP {
                other.insert(kind);
            } else {
                let name = match text(&p, "Name") {
                    n if n.is_empty() => id.clone(),
                    n => n,
                };
                attached.policies.push((id, name));
            }
        }
        if !other.is_empty() {
            warnings.push(format!(
                "policies of type {} attached to {target} skipped: only service control policies bear on what principals may do",
                other.into_iter().collect::<Vec<_>>().join(", ")
            ));
        }
        org.attached.insert(target, attached);
    }
    if top.contains_key("Parents") {
        note("parents");
        let child = named(path, &[".parents"]);
        if !is_target_id(&child) {
            return Err(format!(
                "`list-parents` output does not say whose parents these are: name the file after the child (CHILD.parents.json, CHILD an OU `ou-...` or an account id), not `{child}`"
            ));
        }
        let parents = list("Parents")?;
        match parents.first().map(|p| text(p, "Id")) {
            Some(parent) if is_target_id(&parent) => {
                org.parents.insert(child, parent);
            }
            _ => return Err(format!("no parent of {child} with an `Id` in `Parents`")),
        }
    }
    if top.contains_key("Roots") {
        note("roots");
        org.roots.extend(
            list("Roots")?
                .iter()
                .map(|r| text(r, "Id"))
                .filter(|id| is_target_id(id)),
        );
    }
    if let Some(o) = top.get("Organization") {
        note("organization");
        let id = match text(o, "MasterAccountId") {
            m if m.is_empty() => text(o, "ManagementAccountId"),
            m => m,
        };
        if crate::model::aws_org::is_account_id(&id) {
            org.management_account = Some(id);
        } else {
            warnings.push(
                "`Organization` has no `MasterAccountId`: the management account is unknown".into(),
            );
        }
    }
    if top.contains_key("Accounts") {
        note("accounts");
        org.accounts.extend(
            list("Accounts")?
                .iter()
                .map(|a| text(a, "Id"))
                .filter(|id| crate::model::aws_org::is_account_id(id)),
        );
    }
    Ok(org)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read_ok(path: &str, doc: &str) -> (AwsOrganization, Vec<String>) {
        let mut warnings = Vec::new();
        let org = read(path, doc, &mut warnings).expect("read");
        (org, warnings)
    }

    #[test]
    fn describe_policy_reads_the_content_string() {
        let doc = r#"{"Policy": {"PolicySummary": {"Id": "p-deny1234", "Arn": "arn:aws:organizations::111111111111:policy/o-x/service_control_policy/p-deny1234", "Name": "DenyIam", "Type": "SERVICE_CONTROL_POLICY", "AwsManaged": false},
            "Content": "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Sid\":\"NoKeys\",\"Effect\":\"Deny\",\"Action\":\"iam:CreateAccessKey\",\"Resource\":\"*\"}]}"}}"#;
        let (org, warnings) = read_ok("aws/org/p-deny1234.json", doc);
        assert!(warnings.is_empty());
        let scp = &org.policies["p-deny1234"];
        assert_eq!(scp.name, "DenyIam");
        assert_eq!(scp.document.statements[0].sid, "NoKeys");
        assert!(!scp.document.statements[0].allow);
        // A tag policy is not an SCP; a broken content is a located error of the caller.
        let tag = r#"{"Policy": {"PolicySummary": {"Id": "p-tag", "Type": "TAG_POLICY"}, "Content": "{}"}}"#;
        let (org, warnings) = read_ok("t.json", tag);
        assert!(org.policies.is_empty());
        assert!(warnings[0].contains("TAG_POLICY"), "{warnings:?}");
        let broken = r#"{"Policy": {"PolicySummary": {"Id": "p-b", "Type": "SERVICE_CONTROL_POLICY"}, "Content": "{\"Version\": 1}"}}"#;
        let err = read("b.json", broken, &mut Vec::new()).unwrap_err();
        assert!(err.contains("p-b") && err.contains("Statement"), "{err}");
    }

    #[test]
    fn targets_and_children_come_from_the_file_name() {
        let doc = r#"{"Policies": [{"Id": "p-FullAWSAccess", "Arn": "a", "Name": "FullAWSAccess", "Description": "", "Type": "SERVICE_CONTROL_POLICY", "AwsManaged": true},
            {"Id": "p-tag", "Name": "Tags", "Type": "TAG_POLICY", "AwsManaged": false}]}"#;
        let (org, warnings) = read_ok("aws/org/ou-ab12-cdef3456.policies.json", doc);
        let attached = &org.attached["ou-ab12-cdef3456"];
        assert_eq!(
            attached.policies,
            vec![("p-FullAWSAccess".to_string(), "FullAWSAccess".to_string())]
        );
        assert!(warnings[0].contains("TAG_POLICY"), "{warnings:?}");
        let err = read("aws/org/policies.json", doc, &mut Vec::new()).unwrap_err();
        assert!(err.contains("TARGET.policies.json"), "{err}");
        let parents = r#"{"Parents": [{"Id": "ou-ab12-cdef3456", "Type": "ORGANIZATIONAL_UNIT"}]}"#;
        let (org, _) = read_ok("aws/org/222233334444.parents.json", parents);
        assert_eq!(org.parents["222233334444"], "ou-ab12-cdef3456");
        assert!(read("aws/org/x.parents.json", parents, &mut Vec::new()).is_err());
        assert!(read(
            "aws/org/222233334444.parents.json",
            r#"{"Parents": []}"#,
            &mut Vec::new()
        )
        .is_err());
    }

    #[test]
    fn roots_organization_and_accounts() {
        let (org, _) = read_ok(
            "roots.json",
            r#"{"Roots": [{"Id": "r-ab12", "Arn": "a", "Name": "Root", "PolicyTypes": [{"Type": "SERVICE_CONTROL_POLICY", "Status": "ENABLED"}]}]}"#,
        );
        assert!(org.roots.contains("r-ab12"));
        let (org, _) = read_ok(
            "org.json",
            r#"{"Organization": {"Id": "o-x", "FeatureSet": "ALL", "MasterAccountArn": "arn:aws:organizations::111111111111:account/o-x/111111111111", "MasterAccountId": "111111111111"}}"#,
        );
        assert_eq!(org.management_account.as_deref(), Some("111111111111"));
        let (org, _) = read_ok(
            "accounts.json",
            r#"{"Accounts": [{"Id": "222233334444", "Name": "prod", "Status": "ACTIVE"}, {"Id": "nope"}]}"#,
        );
        assert_eq!(org.accounts.len(), 1);
        assert!(read("a.json", r#"{"Accounts": 3}"#, &mut Vec::new()).is_err());
    }

    #[test]
    fn policy_lists_are_told_apart_by_their_first_entry() {
        let raw = |s: &str| serde_json::value::RawValue::from_string(s.to_string()).unwrap();
        assert!(is_policy_list(&raw(
            r#"[{"Id": "p-1", "Type": "SERVICE_CONTROL_POLICY"}, 3]"#
        )));
        assert!(!is_policy_list(&raw(
            r#"[{"PolicyName": "x", "PolicyId": "A", "Arn": "a"}]"#
        )));
        assert!(!is_policy_list(&raw("[]")));
        assert!(!is_policy_list(&raw(r#"{"Id": "p"}"#)));
    }
}
