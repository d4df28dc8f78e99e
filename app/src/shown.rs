//! The shape in which the page reads the analysis the worker sends (`result-head`):
//! every field of the engine's [`Analysis`] the page holds, and only those.
//!
//! The worker sends the analysis as a viewer holds it
//! ([`viewer_copy`](portolan_engine::analysis::shown::viewer_copy)): without `findings`
//! (the page asks for the rows it shows) and without `graph` (never asked for in the
//! app). Decoding it as an `Analysis` linked the decoders of both anyway, the security
//! graph's export and a second list of findings, into the page's wasm, which counts
//! every byte (the first visit downloads it before the drop zone works). This type
//! leaves the two fields out; [`ShownAnalysis::into_analysis`] builds the engine's
//! `Analysis` the page's components read, so no fact lives here: the conversion names
//! every field of `Analysis` (a field added there does not compile here until it is
//! sent or left out on purpose) and a test checks that a whole analysis, sent as the
//! worker sends it, comes back equal.

use portolan_engine::analysis::{
    ClusterSummary, ExemptionSummary, InputReport, InventorySummary, Tool,
};
use portolan_engine::detect::{Alert, AuditSummary};
use portolan_engine::enforce::NamespaceEnforcement;
use portolan_engine::graph::paths::AttackPathReport;
use portolan_engine::policy::PolicyReport;
use portolan_engine::rules::score::SecureScore;
use portolan_engine::rules::{NotApplicable, Recommendation};
use portolan_engine::vulns::VulnerabilityReport;
use portolan_engine::Analysis;
use serde::Deserialize;

/// [`Analysis`] without `findings` and `graph`, as the page decodes it. Absent fields
/// take their defaults (the worker always sends those the engine requires).
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct ShownAnalysis {
    schema_version: u32,
    tool: Tool,
    inputs: Vec<InputReport>,
    clusters: Vec<ClusterSummary>,
    snapshot_time: Option<String>,
    inventory: InventorySummary,
    recommendations: Vec<Recommendation>,
    secure_score: SecureScore,
    exemptions: ExemptionSummary,
    attack_paths: AttackPathReport,
    vulnerabilities: VulnerabilityReport,
    enforcement: Vec<NamespaceEnforcement>,
    alerts: Vec<Alert>,
    audit: Option<AuditSummary>,
    not_applicable: Vec<NotApplicable>,
    policies: Option<PolicyReport>,
}

impl ShownAnalysis {
    /// The engine's [`Analysis`] the page holds: no finding, no graph.
    pub fn into_analysis(self) -> Analysis {
        let ShownAnalysis {
            schema_version,
            tool,
            inputs,
            clusters,
            snapshot_time,
            inventory,
            recommendations,
            secure_score,
            exemptions,
            attack_paths,
            vulnerabilities,
            enforcement,
            alerts,
            audit,
            not_applicable,
            policies,
        } = self;
        // No `..`: every field of `Analysis` is named here.
        Analysis {
            schema_version,
            tool,
            inputs,
            clusters,
            snapshot_time,
            inventory,
            findings: Vec::new(),
            recommendations,
            secure_score,
            exemptions,
            attack_paths,
            graph: None,
            vulnerabilities,
            enforcement,
            alerts,
            audit,
            not_applicable,
            policies,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use portolan_engine::analysis::shown::viewer_copy;
    use portolan_engine::analysis::{analyze, AnalyzeOptions};
    use portolan_engine::InputFile;
    use std::path::Path;

    /// Every file of the demo estate (clusters, scans, audit log, AWS), read as the
    /// worker reads a dropped folder.
    fn demo_files() -> Vec<InputFile> {
        fn walk(dir: &Path, root: &Path, out: &mut Vec<InputFile>) {
            let mut entries: Vec<_> = std::fs::read_dir(dir)
                .expect("demo folder")
                .map(|e| e.expect("entry").path())
                .collect();
            entries.sort();
            for path in entries {
                if path.is_dir() {
                    walk(&path, root, out);
                } else if path.extension().is_some_and(|x| x != "md") {
                    let name = path
                        .strip_prefix(root)
                        .expect("inside")
                        .display()
                        .to_string();
                    out.push(InputFile::new(name, std::fs::read(&path).expect("read")));
                }
            }
        }
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../public/demo");
        let mut files = Vec::new();
        walk(&root, &root, &mut files);
        files
    }

    #[test]
    fn the_page_reads_everything_the_worker_sends_but_findings_and_graph() {
        let options = AnalyzeOptions {
            include_graph: true,
            include_resources: true,
            ..AnalyzeOptions::default()
        };
        let full = analyze(&demo_files(), &options, &mut |_| {});
        // The demo exercises every part the page shows.
        assert!(!full.findings.is_empty() && full.graph.is_some());
        assert!(!full.attack_paths.paths.is_empty() && !full.alerts.is_empty());
        assert!(!full.vulnerabilities.images.is_empty() && full.clusters.len() > 1);
        assert!(!full.inventory.resources.is_empty() && !full.enforcement.is_empty());
        assert!(full.audit.is_some() && !full.recommendations.is_empty());

        // What the worker sends: the viewer's copy, graph and all.
        let sent = viewer_copy(&full);
        assert!(sent.graph.is_some());
        let json = serde_json::to_vec(&sent).expect("serialise");
        let read: ShownAnalysis = serde_json::from_slice(&json).expect("the page reads it");
        let expected = Analysis {
            graph: None,
            ..sent
        };
        assert_eq!(read.into_analysis(), expected);
    }

    #[test]
    fn absent_fields_take_the_engines_defaults() {
        let json = serde_json::to_vec(&Analysis::default()).expect("serialise");
        let read: ShownAnalysis = serde_json::from_slice(&json).expect("read");
        assert_eq!(read.into_analysis(), Analysis::default());
        let read: ShownAnalysis = serde_json::from_slice(b"{}").expect("read");
        assert_eq!(read.into_analysis(), Analysis::default());
    }
}
