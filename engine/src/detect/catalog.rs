//! The catalogue of detections: every family's list in one order, lookup by alert
//! type, and the generated `docs/detections.md`.

use std::fmt::Write as _;

use super::{access, cluster, exec, network, rbac, workload, Detection};

/// Every family's detections, in documentation order.
pub static FAMILIES: &[(&str, &[Detection])] = &[
    ("Workloads", workload::DETECTIONS),
    ("Exec and nodes", exec::DETECTIONS),
    ("Identities and RBAC", rbac::DETECTIONS),
    ("Access", access::DETECTIONS),
    ("Exposure", network::DETECTIONS),
    ("Cluster machinery", cluster::DETECTIONS),
];

/// All detections.
pub struct Catalog;

/// All detections, in documentation order.
pub static CATALOG: Catalog = Catalog;

impl Catalog {
    /// Iterates over every detection.
    pub fn iter(&self) -> impl Iterator<Item = &'static Detection> {
        FAMILIES.iter().flat_map(|(_, d)| d.iter())
    }

    pub fn len(&self) -> usize {
        self.iter().count()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

impl IntoIterator for &Catalog {
    type Item = &'static Detection;
    type IntoIter = Box<dyn Iterator<Item = &'static Detection>>;
    fn into_iter(self) -> Self::IntoIter {
        Box::new(FAMILIES.iter().flat_map(|(_, d)| d.iter()))
    }
}

/// The detection whose alert type is `id` (case-insensitive).
pub fn detection(id: &str) -> Option<&'static Detection> {
    CATALOG.iter().find(|d| d.info.id.eq_ignore_ascii_case(id))
}

/// `docs/detections.md`, generated from the catalogue.
pub fn markdown() -> String {
    let mut out = String::new();
    out.push_str("# Detections\n\n");
    out.push_str("<!-- Generated from engine/src/detect by `cargo test -p portolan-engine detections_doc`; do not edit. -->\n\n");
    let _ = writeln!(
        out,
        "Portolan raises {} kinds of alert from Kubernetes audit logs. Each alert's `type` is the id below.\n",
        CATALOG.len()
    );
    out.push_str("| Type | Title | Severity | Tactic | Techniques | Threat Matrix |\n|---|---|---|---|---|---|\n");
    for d in &CATALOG {
        let i = &d.info;
        let _ = writeln!(
            out,
            "| [`{}`](#{}) | {} | {} | {} | {} | {} |",
            i.id,
            i.id.to_ascii_lowercase(),
            i.title,
            i.severity.as_str(),
            i.tactic,
            i.techniques.join(", "),
            i.matrix.unwrap_or("—")
        );
    }
    for (family, detections) in FAMILIES {
        let _ = writeln!(out, "\n## {family}\n");
        for d in *detections {
            let i = &d.info;
            let _ = writeln!(out, "### {}\n", i.id);
            let _ = writeln!(
                out,
                "**{}** — {} severity; {} ({}); Threat Matrix {}.\n",
                i.title,
                i.severity.as_str(),
                i.tactic,
                i.techniques.join(", "),
                i.matrix.unwrap_or("none")
            );
            let _ = writeln!(out, "{}\n", i.description);
            let _ = writeln!(
                out,
                "- Reads: {}",
                i.reads
                    .iter()
                    .map(|r| format!("`{r}`"))
                    .collect::<Vec<_>>()
                    .join(", ")
            );
            let _ = writeln!(out, "- Defaults: {}", i.defaults);
            let _ = writeln!(
                out,
                "- Stateful: {}",
                if d.check.is_none() {
                    "yes (concluded when the log ends)"
                } else {
                    "no"
                }
            );
            let _ = writeln!(out, "- What to do: {}\n", i.remediation);
            let _ = writeln!(out, "Example event:\n\n```json\n{}\n```", i.example);
        }
    }
    out
}
