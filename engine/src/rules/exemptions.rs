//! Exemptions: a rule waived for a resource, a namespace or a label selector, with a
//! reason and an optional expiry.
//!
//! An exempted finding stays in the analysis, marked with the exemption that covers it;
//! it no longer counts against the secure score, the recommendation's affected count or
//! `--fail-on`. An expired exemption covers nothing and says so.
//!
//! The file is YAML or JSON:
//!
//! ```yaml
//! exemptions:
//! - rule: hostPathVolumes          # a rule id, or "*" for every rule
//!   namespace: kube-system         # optional
//!   kind: DaemonSet                # optional
//!   name: aws-node                 # optional; a trailing * matches a prefix
//!   selector:                      # optional: labels of the resource
//!     matchLabels: {app.kubernetes.io/part-of: cni}
//!   reason: The VPC CNI needs the host's network configuration.
//!   expires: 2027-06-30            # optional, YYYY-MM-DD; exempt through that day
//!   category: mitigated            # optional: mitigated or riskAccepted
//!   owner: platform-team           # optional: who answers for it
//!   created: 2026-12-03            # optional, YYYY-MM-DD: when it was granted
//! ```
//!
//! `category`, `owner` and `created` were added later: files without them read as
//! before.

use crate::model::meta::SmallMap;
use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::Finding;
use crate::model::meta::LabelSelector;
use crate::model::Inventory;
use crate::source::Diagnostic;

/// One exemption as the user wrote it.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Exemption {
    pub rule: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub namespace: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub selector: Option<LabelSelector>,
    pub reason: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires: Option<String>,
    /// `mitigated` (a control elsewhere covers the risk) or `riskAccepted`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub category: Option<String>,
    /// Who answers for the exemption.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub owner: Option<String>,
    /// When it was granted, YYYY-MM-DD.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created: Option<String>,
}

/// The exemption categories, as written in the file.
pub const CATEGORIES: [&str; 2] = ["mitigated", "riskAccepted"];

/// A category in words: `riskAccepted` → `risk accepted`.
pub fn category_label(category: &str) -> &str {
    match category {
        "mitigated" => "mitigated",
        "riskAccepted" => "risk accepted",
        other => other,
    }
}

/// The exemption that covers a finding, recorded on it.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AppliedExemption {
    /// Index of the exemption in the exemption list given to the analysis.
    pub index: usize,
    pub reason: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub category: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub owner: Option<String>,
}

/// The file: `exemptions: [...]` or the list alone. Read without buffering (not an
/// untagged enum), so each scalar is read as the type its field wants: `reason: yes`,
/// `name: 0x1F` or `reason: 42` are strings, as the user wrote them, not a YAML 1.1
/// boolean or number.
enum File {
    Wrapped { exemptions: Vec<Exemption> },
    List(Vec<Exemption>),
}

impl<'de> Deserialize<'de> for File {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct FileVisitor;
        impl<'de> serde::de::Visitor<'de> for FileVisitor {
            type Value = File;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a list of exemptions, or a map with `exemptions:`")
            }
            fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<File, A::Error> {
                let mut list = Vec::new();
                while let Some(e) = seq.next_element()? {
                    list.push(e);
                }
                Ok(File::List(list))
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<File, A::Error> {
                let mut exemptions = None;
                while let Some(key) = map.next_key::<String>()? {
                    if key != "exemptions" {
                        return Err(serde::de::Error::unknown_field(&key, &["exemptions"]));
                    }
                    exemptions = Some(
                        map.next_value::<Option<Vec<Exemption>>>()?
                            .unwrap_or_default(),
                    );
                }
                exemptions
                    .map(|exemptions| File::Wrapped { exemptions })
                    .ok_or_else(|| serde::de::Error::missing_field("exemptions"))
            }
        }
        d.deserialize_any(FileVisitor)
    }
}

/// Reads an exemption file (YAML or JSON). Problems are located diagnostics; valid
/// entries are returned even when others are not.
pub fn parse(path: &str, text: &str) -> (Vec<Exemption>, Vec<Diagnostic>) {
    let mut diagnostics = Vec::new();
    let exemptions = match serde_saphyr::from_str::<File>(text) {
        Ok(File::Wrapped { exemptions } | File::List(exemptions)) => exemptions,
        Err(e) => {
            let (line, column) = e
                .location()
                .map_or((0, 0), |l| (l.line() as u32, l.column() as u32));
            let message = e.to_string();
            let message = message.lines().next().unwrap_or_default();
            diagnostics.push(Diagnostic::error(
                path,
                line,
                column,
                format!(
                    "invalid exemption file: {}",
                    message.split(" at line ").next().unwrap_or(message)
                ),
            ));
            return (Vec::new(), diagnostics);
        }
    };
    let mut valid = Vec::new();
    for (i, e) in exemptions.into_iter().enumerate() {
        let problem = if e.rule.trim().is_empty() {
            Some("`rule` is empty (use \"*\" for every rule)")
        } else if e.reason.trim().is_empty() {
            Some("`reason` is empty: say why the finding is accepted")
        } else if e.expires.as_deref().is_some_and(|d| !is_date(d)) {
            Some("`expires` is not a YYYY-MM-DD date")
        } else if e.created.as_deref().is_some_and(|d| !is_date(d)) {
            Some("`created` is not a YYYY-MM-DD date")
        } else if e
            .category
            .as_deref()
            .is_some_and(|c| !CATEGORIES.contains(&c))
        {
            Some("`category` is neither `mitigated` nor `riskAccepted`")
        } else {
            None
        };
        match problem {
            Some(p) => diagnostics
                .push(Diagnostic::error(path, 0, 0, p).at_path(format!("exemptions[{i}]"))),
            None => valid.push(e),
        }
    }
    (valid, diagnostics)
}

/// Writes `exemptions` as an exemption file that [`parse`] reads back unchanged: the
/// file the app stores and exports, and the CLI's `--exemptions` reads. Every string is
/// double-quoted (JSON escapes are YAML escapes), so no value can change the structure.
pub fn to_yaml(exemptions: &[Exemption]) -> String {
    let quote = |s: &str| serde_json::to_string(s).unwrap_or_else(|_| "\"\"".into());
    let mut out = String::from("# Portolan exemptions: portolan analyze --exemptions FILE\n");
    if exemptions.is_empty() {
        out.push_str("exemptions: []\n");
        return out;
    }
    out.push_str("exemptions:\n");
    for e in exemptions {
        out.push_str(&format!("- rule: {}\n", quote(&e.rule)));
        for (key, value) in [
            ("namespace", &e.namespace),
            ("kind", &e.kind),
            ("name", &e.name),
        ] {
            if let Some(value) = value {
                out.push_str(&format!("  {key}: {}\n", quote(value)));
            }
        }
        if let Some(selector) = &e.selector {
            // JSON is YAML's flow style.
            let json = serde_json::to_string(selector).unwrap_or_else(|_| "{}".into());
            out.push_str(&format!("  selector: {json}\n"));
        }
        out.push_str(&format!("  reason: {}\n", quote(&e.reason)));
        for (key, value) in [
            ("expires", &e.expires),
            ("category", &e.category),
            ("owner", &e.owner),
            ("created", &e.created),
        ] {
            if let Some(value) = value {
                out.push_str(&format!("  {key}: {}\n", quote(value)));
            }
        }
    }
    out
}

fn is_date(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() == 10
        && b[4] == b'-'
        && b[7] == b'-'
        && b.iter()
            .enumerate()
            .all(|(i, c)| i == 4 || i == 7 || c.is_ascii_digit())
}

/// Marks the findings the exemptions cover. `today` (YYYY-MM-DD) decides expiry; the
/// engine has no clock, so the caller passes it (and without it nothing expires).
/// Returns a warning per expired exemption and per exemption that covers nothing.
pub fn apply(
    findings: &mut [Finding],
    exemptions: &[Exemption],
    inventory: &Inventory,
    today: Option<&str>,
) -> Vec<Diagnostic> {
    let mut warnings = Vec::new();
    if exemptions.is_empty() {
        return warnings;
    }
    // Only a selector reads the resources' labels: without one, no index of them (every
    // resource, a tree of strings) is built and no finding looks its resource up.
    let labels = exemptions
        .iter()
        .any(|e| e.selector.is_some())
        .then(|| resource_labels(inventory));
    let mut used = vec![0usize; exemptions.len()];
    let expired: Vec<bool> = exemptions
        .iter()
        .map(|e| match (&e.expires, today) {
            (Some(until), Some(today)) => until.as_str() < today,
            _ => false,
        })
        .collect();
    for f in findings.iter_mut() {
        // Looked up once per finding, and only when a selector is all that is left to
        // decide an exemption.
        let mut resource_labels = None;
        let mut labels_of = |f: &Finding| -> Option<&SmallMap> {
            *resource_labels.get_or_insert_with(|| {
                labels.as_ref().and_then(|index| {
                    index
                        .get(&(
                            f.resource.kind.as_str(),
                            f.resource.namespace.as_str(),
                            f.resource.name.as_str(),
                        ))
                        .copied()
                })
            })
        };
        let hit = exemptions
            .iter()
            .enumerate()
            .find(|(i, e)| !expired[*i] && covers(e, f, &mut labels_of));
        if let Some((i, e)) = hit {
            used[i] += 1;
            f.exemption = Some(Box::new(AppliedExemption {
                index: i,
                reason: e.reason.clone(),
                expires: e.expires.clone(),
                category: e.category.clone(),
                owner: e.owner.clone(),
            }));
        }
    }
    for (i, e) in exemptions.iter().enumerate() {
        let what = format!("exemption {i} (rule {})", e.rule);
        let message = if expired[i] {
            format!(
                "{what} expired on {}; its findings count again",
                e.expires.as_deref().unwrap_or_default()
            )
        } else if used[i] == 0 {
            format!("{what} matches no finding")
        } else {
            continue;
        };
        // The path names the exemption, so a front end can show the warning beside it.
        warnings.push(
            Diagnostic::warning("exemptions", 0, 0, message).at_path(format!("exemptions[{i}]")),
        );
    }
    warnings
}

/// Whether `e` covers `f`; `labels` gives the labels of `f`'s resource, asked only when
/// `e` has a selector and covers `f` otherwise.
fn covers<'a>(
    e: &Exemption,
    f: &Finding,
    labels: &mut impl FnMut(&Finding) -> Option<&'a SmallMap>,
) -> bool {
    (e.rule == "*" || e.rule == f.rule)
        && e.namespace
            .as_deref()
            .is_none_or(|n| n == f.resource.namespace)
        && e.kind.as_deref().is_none_or(|k| k == f.resource.kind)
        && e.name.as_deref().is_none_or(|n| match n.strip_suffix('*') {
            Some(prefix) => f.resource.name.starts_with(prefix),
            None => n == f.resource.name,
        })
        && e.selector.as_ref().is_none_or(|s| {
            let empty = SmallMap::default();
            s.matches(labels(f).unwrap_or(&empty))
        })
}

type LabelIndex<'a> = BTreeMap<(&'a str, &'a str, &'a str), &'a SmallMap>;

/// Labels of every resource a finding can name.
fn resource_labels(inventory: &Inventory) -> LabelIndex<'_> {
    let mut index: LabelIndex = BTreeMap::new();
    for w in &inventory.workloads {
        let m = &w.metadata;
        index.insert((w.kind.as_str(), &m.namespace, &m.name), &m.labels);
    }
    for p in &inventory.pods {
        let m = &p.metadata;
        index.insert(("Pod", &m.namespace, &m.name), &m.labels);
    }
    for n in &inventory.namespaces {
        let m = &n.metadata;
        index.insert(("Namespace", "", &m.name), &m.labels);
    }
    for s in &inventory.services {
        let m = &s.metadata;
        index.insert(("Service", &m.namespace, &m.name), &m.labels);
    }
    for i in &inventory.ingresses {
        let m = &i.metadata;
        index.insert(("Ingress", &m.namespace, &m.name), &m.labels);
    }
    for b in &inventory.bindings {
        let m = &b.metadata;
        let kind = if b.cluster_scoped {
            "ClusterRoleBinding"
        } else {
            "RoleBinding"
        };
        index.insert((kind, &m.namespace, &m.name), &m.labels);
    }
    for r in &inventory.roles {
        let m = &r.metadata;
        let kind = if r.cluster_scoped {
            "ClusterRole"
        } else {
            "Role"
        };
        index.insert((kind, &m.namespace, &m.name), &m.labels);
    }
    for p in &inventory.network_policies {
        let m = &p.metadata;
        index.insert(("NetworkPolicy", &m.namespace, &m.name), &m.labels);
    }
    for c in &inventory.config_maps {
        let m = &c.metadata;
        index.insert(("ConfigMap", &m.namespace, &m.name), &m.labels);
    }
    index
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ingest::{parse_file, InputFile};
    use crate::rules::{evaluate_scored, RuleOptions};

    const PODS: &str = "apiVersion: v1\nkind: Pod\nmetadata: {name: a, namespace: x, labels: {team: infra}}\nspec:\n  hostNetwork: true\n  containers: [{name: c, image: nginx}]\n---\napiVersion: v1\nkind: Pod\nmetadata: {name: b, namespace: x, labels: {team: web}}\nspec:\n  hostNetwork: true\n  containers: [{name: c, image: nginx}]\n";

    fn run(exemptions: &str, today: Option<&str>) -> Vec<Finding> {
        let parsed = parse_file(&InputFile::new("p.yaml", PODS.as_bytes().to_vec()));
        let mut inventory = Inventory::default();
        inventory.extend(parsed.objects, None);
        inventory.finish();
        let (exemptions, problems) = parse("ex.yaml", exemptions);
        assert!(problems.is_empty(), "{problems:?}");
        let options = RuleOptions {
            exemptions,
            today: today.map(str::to_string),
            ..RuleOptions::default()
        };
        evaluate_scored(&inventory, &options)
            .0
            .into_iter()
            .filter(|f| f.rule == "hostNamespaces")
            .collect()
    }

    fn exempt(findings: &[Finding]) -> Vec<&str> {
        findings
            .iter()
            .filter(|f| f.exemption.is_some())
            .map(|f| f.resource.name.as_str())
            .collect()
    }

    #[test]
    fn a_label_selector_picks_resources() {
        let f = run(
            "- rule: hostNamespaces\n  selector: {matchLabels: {team: infra}}\n  reason: CNI.\n",
            None,
        );
        assert_eq!(exempt(&f), ["a"]);
    }

    #[test]
    fn namespace_wide_and_expiry() {
        let ex = "exemptions:\n- rule: \"*\"\n  namespace: x\n  reason: Sandbox.\n  expires: 2026-01-31\n";
        assert_eq!(exempt(&run(ex, Some("2026-01-31"))), ["a", "b"]);
        assert!(exempt(&run(ex, Some("2026-02-01"))).is_empty());
    }

    #[test]
    fn to_yaml_round_trips_hostile_text() {
        let exemptions = vec![
            Exemption {
                rule: "hostPathVolumes".into(),
                namespace: Some("kube-system".into()),
                kind: Some("DaemonSet".into()),
                name: Some("aws-*".into()),
                reason: "Needs: the host's \"network\"\n# not a comment\t\u{1F512} é \\ ---".into(),
                expires: Some("2027-06-30".into()),
                ..Exemption::default()
            },
            Exemption {
                rule: "*".into(),
                selector: Some(LabelSelector {
                    match_labels: [("app.kubernetes.io/part-of".into(), "cni: {x}".into())].into(),
                    ..LabelSelector::default()
                }),
                reason: "- [a] &b *c !d |".into(),
                ..Exemption::default()
            },
        ];
        let text = to_yaml(&exemptions);
        assert_eq!(parse("ex.yaml", &text), (exemptions, Vec::new()));
        assert_eq!(parse("ex.yaml", &to_yaml(&[])), (Vec::new(), Vec::new()));
    }

    #[test]
    fn warnings_name_the_exemption() {
        let (exemptions, _) = parse(
            "ex.yaml",
            "- rule: hostNamespaces\n  reason: a\n- rule: privileged\n  reason: b\n  expires: 2000-01-01\n",
        );
        let parsed = parse_file(&InputFile::new("p.yaml", PODS.as_bytes().to_vec()));
        let mut inventory = Inventory::default();
        inventory.extend(parsed.objects, None);
        inventory.finish();
        let options = RuleOptions {
            exemptions,
            today: Some("2026-01-01".into()),
            ..RuleOptions::default()
        };
        let warnings = evaluate_scored(&inventory, &options).3;
        let paths: Vec<&str> = warnings.iter().map(|w| w.path.as_str()).collect();
        assert_eq!(paths, ["exemptions[1]"]);
        assert!(warnings[0].message.contains("expired on 2000-01-01"));
    }

    #[test]
    fn invalid_entries_are_located_and_skipped() {
        let (valid, problems) = parse(
            "ex.yaml",
            "- rule: a\n  reason: ok\n- rule: b\n  reason: x\n  expires: tomorrow\n- rule: c\n  reason: y\n  colour: red\n",
        );
        assert!(!problems.is_empty());
        assert!(valid.len() <= 1);
    }

    #[test]
    fn category_owner_and_date_are_read_checked_and_written() {
        let text = "exemptions:\n- rule: privileged\n  reason: Sandboxed by gVisor.\n  category: mitigated\n  owner: \"platform team\"\n  created: 2026-12-03\n- rule: hostPID\n  reason: Old file.\n- rule: a\n  reason: x\n  category: ignored\n- rule: b\n  reason: Later.\n  created: yesterday\n";
        let (list, problems) = parse("ex.yaml", text);
        assert_eq!(list.len(), 2, "{problems:?}");
        assert_eq!(list[0].category.as_deref(), Some("mitigated"));
        assert_eq!(list[0].owner.as_deref(), Some("platform team"));
        assert_eq!(list[0].created.as_deref(), Some("2026-12-03"));
        // A file without the new fields reads as before.
        assert_eq!(list[1].category, None);
        assert_eq!(problems.len(), 2);
        assert!(problems[0].message.contains("category"), "{problems:?}");
        assert!(problems[1].message.contains("created"), "{problems:?}");
        let (again, none) = parse("ex.yaml", &to_yaml(&list));
        assert!(none.is_empty());
        assert_eq!(again, list);
        assert_eq!(category_label("riskAccepted"), "risk accepted");
    }
}
#[cfg(test)]
mod yaml11 {
    /// YAML 1.1 booleans and numbers, where a string is expected, are the text written.
    #[test]
    fn scalars_are_read_as_the_strings_written() {
        for v in [
            "y",
            "yes",
            "on",
            "no",
            "off",
            "1.5",
            "42",
            "true",
            "0x1F",
            "2027-06-30",
        ] {
            let text = format!("- rule: {v}\n  reason: {v}\n  name: {v}\n  namespace: {v}\n");
            let (e, d) = super::parse("x.yaml", &text);
            assert!(d.is_empty(), "{v}: {d:?}");
            assert_eq!(e[0].rule, v);
            assert_eq!(e[0].reason, v);
            assert_eq!(e[0].name.as_deref(), Some(v));
            assert_eq!(e[0].namespace.as_deref(), Some(v));
        }
        let (e, d) = super::parse(
            "x.yaml",
            "exemptions:\n- {rule: podExec, reason: y, expires: 2027-01-31}\n",
        );
        assert!(d.is_empty(), "{d:?}");
        assert_eq!(e[0].reason, "y");
        // Negative controls: null is not a string, and an unknown top-level key is located.
        let (e, d) = super::parse("x.yaml", "- rule: podExec\n  reason: ~\n");
        assert!(e.is_empty() && d[0].line == 2, "{d:?}");
        let (_, d) = super::parse("x.yaml", "exemption:\n- {rule: a, reason: b}\n");
        assert!(d[0].message.contains("exemption"), "{d:?}");
    }
}
