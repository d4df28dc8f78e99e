//! What a viewer shows of an analysis's findings without holding them: the counts its
//! pages print ([`FindingCounts`]), the rows a table shows, selected, searched and
//! paged here ([`FindingsQuery`]), and what changes on its copy when the exemptions or
//! policies do ([`ShownUpdate`]). The web app keeps the findings in its worker (a large
//! estate has hundreds of thousands) and its page asks for these instead.

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};

use crate::analysis::ExemptionSummary;
use crate::graph::AttackPathReport;
use crate::policy::PolicyReport;
use crate::rules::score::SecureScore;
use crate::rules::{affected_counts, Finding, Recommendation};
use crate::Analysis;

/// What a viewer of an analysis does not hold: its findings (it asks for the rows it
/// shows), each recommendation's findings' indices and the workloads' insights (the
/// resource panel and the map ask for them). [`Withheld::take`] leaves the viewer's copy,
/// [`Withheld::restore`] puts them back.
#[derive(Debug, Default)]
pub struct Withheld {
    findings: Vec<Finding>,
    recommendations: Vec<Recommendation>,
    insights: Vec<crate::graph::paths::WorkloadInsights>,
}

impl Withheld {
    /// Moves out of `analysis` what a viewer does not hold: `analysis` is then what a
    /// viewer holds ([`viewer_copy`]).
    pub fn take(analysis: &mut Analysis) -> Self {
        let shown = shown_recommendations(&analysis.recommendations);
        Withheld {
            findings: std::mem::take(&mut analysis.findings),
            recommendations: std::mem::replace(&mut analysis.recommendations, shown),
            insights: std::mem::take(&mut analysis.attack_paths.insights),
        }
    }

    /// Puts back into `analysis` (as [`Withheld::take`] left it) what it took.
    pub fn restore(self, analysis: &mut Analysis) {
        analysis.findings = self.findings;
        analysis.recommendations = self.recommendations;
        analysis.attack_paths.insights = self.insights;
    }
}

/// `analysis` as a viewer holds it (see [`Withheld`]).
pub fn viewer_copy(analysis: &Analysis) -> Analysis {
    let mut copy = Analysis {
        findings: Vec::new(),
        ..analysis.clone()
    };
    Withheld::take(&mut copy);
    copy
}

/// `recommendations` as a viewer holds them: without their findings' indices.
pub fn shown_recommendations(recommendations: &[Recommendation]) -> Vec<Recommendation> {
    recommendations
        .iter()
        .map(|r| Recommendation {
            rule: r.rule.clone(),
            title: r.title.clone(),
            severity: r.severity,
            category: r.category,
            frameworks: r.frameworks.clone(),
            remediation: r.remediation.clone(),
            affected: r.affected,
            exempted: r.exempted,
            findings: Vec::new(),
        })
        .collect()
}

/// What changes on a viewer's copy ([`viewer_copy`]) when the exemptions
/// ([`reexempt`](crate::analysis::reexempt)) or the policies
/// ([`repolicy`](crate::analysis::repolicy)) change: the analysis's parts that do and
/// the counts of its findings, never the findings.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ShownUpdate {
    /// Without their findings' indices, as in [`viewer_copy`].
    pub recommendations: Vec<Recommendation>,
    pub secure_score: SecureScore,
    pub exemptions: ExemptionSummary,
    pub counts: FindingCounts,
    /// After other policies: their report, and the attack paths (whose fixes link to
    /// findings by index, which other policy findings shift) without their insights, as
    /// in [`viewer_copy`].
    #[serde(default)]
    pub policies: Option<PolicyChange>,
}

/// What other policies change besides the counts (see [`ShownUpdate`]).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PolicyChange {
    pub policies: Option<PolicyReport>,
    pub attack_paths: AttackPathReport,
}

impl ShownUpdate {
    /// What a viewer shows of `analysis` (findings included) after a change of
    /// exemptions, or of policies when `policies`.
    pub fn of(analysis: &Analysis, policies: bool) -> Self {
        Self::counted(analysis, policies, FindingCounts::of(analysis))
    }

    /// [`ShownUpdate::of`] with the counts of `analysis`' findings found already
    /// ([`FindingCounts::recount`]).
    pub fn counted(analysis: &Analysis, policies: bool, counts: FindingCounts) -> Self {
        ShownUpdate {
            recommendations: shown_recommendations(&analysis.recommendations),
            secure_score: analysis.secure_score.clone(),
            exemptions: analysis.exemptions.clone(),
            counts,
            policies: policies.then(|| PolicyChange {
                policies: analysis.policies.clone(),
                attack_paths: AttackPathReport {
                    insights: Vec::new(),
                    ..analysis.attack_paths.clone()
                },
            }),
        }
    }

    /// Brings `shown`, a viewer's copy of an analysis of the same snapshot, to the
    /// update; returns the new counts of its findings.
    pub fn apply(self, shown: &mut Analysis) -> FindingCounts {
        shown.recommendations = self.recommendations;
        shown.secure_score = self.secure_score;
        shown.exemptions = self.exemptions;
        if let Some(change) = self.policies {
            shown.policies = change.policies;
            shown.attack_paths = change.attack_paths;
        }
        self.counts
    }
}

/// The counts of findings the app's pages show.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct FindingCounts {
    /// Findings no exemption covers, per severity in `Severity::ALL` order.
    pub by_severity: [usize; 5],
    /// Findings each of `Analysis::exemptions.applied` covers, by its index there.
    pub by_exemption: Vec<usize>,
    /// Per recommendation, in `Analysis::recommendations` order.
    pub recommendations: Vec<RecommendationCounts>,
}

/// What the app shows of one recommendation's findings.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RecommendationCounts {
    /// Per cluster its findings name (sorted), the affected and exempted resources there.
    pub clusters: Vec<ClusterCounts>,
    /// Columns of the affected table no finding fills (`cluster`, `namespace`,
    /// `container`, `field`, `fix`), in that order; none when it has no finding.
    pub empty_columns: Vec<String>,
    /// Namespaces holding a finding no exemption covers, sorted.
    pub open_namespaces: Vec<String>,
}

/// A recommendation's affected and exempted resources in one cluster.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct ClusterCounts {
    pub cluster: String,
    pub affected: usize,
    pub exempted: usize,
}

/// The findings of `analysis` left to act on, by severity, and those each applied
/// exemption covers: one pass over all of them.
fn marks(analysis: &Analysis) -> ([usize; 5], Vec<usize>) {
    let mut by_severity = [0; 5];
    let mut by_exemption = vec![0; analysis.exemptions.applied.len()];
    for f in &analysis.findings {
        match &f.exemption {
            None => by_severity[f.severity as usize] += 1,
            Some(x) => {
                if let Some(n) = by_exemption.get_mut(x.index) {
                    *n += 1;
                }
            }
        }
    }
    (by_severity, by_exemption)
}

impl FindingCounts {
    /// Counts the findings of `analysis`.
    pub fn of(analysis: &Analysis) -> Self {
        let (by_severity, by_exemption) = marks(analysis);
        let recommendations = analysis
            .recommendations
            .iter()
            .map(|r| RecommendationCounts::of(&analysis.findings, r))
            .collect();
        FindingCounts {
            by_severity,
            by_exemption,
            recommendations,
        }
    }

    /// The counts of `analysis` after a change of exemptions ([`reexempt`], which gave
    /// `changed`), from `self`, those of the same findings before it, when the
    /// recommendations were of `before`'s rules in that order: the recommendations of
    /// the rules none of whose findings changed keep theirs, the others are counted
    /// again (with 800,000 findings, counting all was a tenth of a re-evaluation).
    ///
    /// [`reexempt`]: crate::analysis::reexempt
    pub fn recount(self, before: &[String], analysis: &Analysis, changed: &[String]) -> Self {
        let (by_severity, by_exemption) = marks(analysis);
        let mut kept: std::collections::BTreeMap<&str, RecommendationCounts> = before
            .iter()
            .map(String::as_str)
            .zip(self.recommendations)
            .collect();
        let recommendations = analysis
            .recommendations
            .iter()
            .map(|r| {
                let unchanged = !changed.contains(&r.rule);
                match kept.remove(r.rule.as_str()) {
                    Some(counts) if unchanged => counts,
                    _ => RecommendationCounts::of(&analysis.findings, r),
                }
            })
            .collect();
        FindingCounts {
            by_severity,
            by_exemption,
            recommendations,
        }
    }

    /// The affected and exempted resources of `analysis.recommendations[index]` in
    /// `cluster` (empty: its totals, `r` being that recommendation).
    pub fn counts_in(&self, r: &Recommendation, index: usize, cluster: &str) -> (usize, usize) {
        if cluster.is_empty() {
            return (r.affected, r.exempted);
        }
        self.recommendations
            .get(index)
            .and_then(|c| c.clusters.iter().find(|c| c.cluster == cluster))
            .map_or((0, 0), |c| (c.affected, c.exempted))
    }

    /// Whether `analysis.recommendations[index]` fails on a resource of `cluster`
    /// (empty: any).
    pub fn in_cluster(&self, index: usize, cluster: &str) -> bool {
        cluster.is_empty()
            || self
                .recommendations
                .get(index)
                .is_some_and(|c| c.clusters.iter().any(|c| c.cluster == cluster))
    }
}

impl RecommendationCounts {
    fn of(findings: &[Finding], r: &Recommendation) -> Self {
        let of_rule = || r.findings.iter().filter_map(|&i| findings.get(i));
        // A rule's findings are sorted by resource, so clusters and namespaces come in
        // runs: each run is inserted once (800,000 findings make this the bulk of it).
        let mut names = BTreeSet::new();
        let mut last = None;
        for f in of_rule() {
            let cluster = f.resource.cluster.as_str();
            if !cluster.is_empty() && last != Some(cluster) {
                names.insert(cluster);
                last = Some(cluster);
            }
        }
        let clusters = match names.len() {
            // One cluster: its counts are the totals, counted already.
            1 => names
                .iter()
                .map(|c| ClusterCounts {
                    cluster: c.to_string(),
                    affected: r.affected,
                    exempted: r.exempted,
                })
                .collect(),
            _ => names
                .iter()
                .map(|c| {
                    let (affected, exempted) = affected_counts(findings, &r.findings, c);
                    ClusterCounts {
                        cluster: c.to_string(),
                        affected,
                        exempted,
                    }
                })
                .collect(),
        };
        let mut filled = [false; 5];
        let mut namespaces = BTreeSet::new();
        let mut last_open = None;
        for f in of_rule() {
            for (slot, filled_here) in filled.iter_mut().zip([
                !f.resource.cluster.is_empty(),
                !f.resource.namespace.is_empty(),
                !f.container.is_empty(),
                !f.field.is_empty(),
                f.fix.is_some(),
            ]) {
                *slot |= filled_here;
            }
            let namespace = f.resource.namespace.as_str();
            if f.exemption.is_none() && !namespace.is_empty() && last_open != Some(namespace) {
                namespaces.insert(namespace);
                last_open = Some(namespace);
            }
        }
        let empty_columns = if r.findings.is_empty() {
            Vec::new()
        } else {
            ["cluster", "namespace", "container", "field", "fix"]
                .into_iter()
                .zip(filled)
                .filter(|(_, filled)| !filled)
                .map(|(column, _)| column.to_string())
                .collect()
        };
        RecommendationCounts {
            clusters,
            empty_columns,
            open_namespaces: namespaces.into_iter().map(str::to_string).collect(),
        }
    }
}

/// Which findings a table shows, and which page of them.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct FindingsQuery {
    /// The findings of these rules' recommendations, in the analysis's order.
    pub rules: Vec<String>,
    /// These findings (indices into `Analysis::findings`), after those of `rules`.
    pub indices: Vec<usize>,
    /// Only findings on a resource of this cluster (empty: any).
    pub cluster: String,
    /// Only findings matching this text (see [`matches`]; empty: all).
    pub search: String,
    /// Rows to skip and to give (`limit` 0: every row after `offset`).
    pub offset: usize,
    pub limit: usize,
}

/// One page of a [`FindingsQuery`]'s rows.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct FindingsPage {
    /// Rows the query selects, all pages together.
    pub total: usize,
    pub rows: Vec<FindingRow>,
}

/// A finding with its index in `Analysis::findings`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct FindingRow {
    pub index: usize,
    pub finding: Finding,
}

/// Whether `f` matches the lower-cased `needle`: by resource name, namespace or kind,
/// container, field, message or source file.
pub fn matches(f: &Finding, needle: &str) -> bool {
    let hit = |s: &str| s.to_lowercase().contains(needle);
    hit(&f.resource.name)
        || hit(&f.resource.namespace)
        || hit(&f.resource.kind)
        || hit(&f.container)
        || hit(&f.field)
        || hit(&f.message)
        || hit(&f.source.file)
}

impl FindingsQuery {
    /// Indices of every finding of `analysis` the query selects (all pages), in order.
    pub fn select(&self, analysis: &Analysis) -> Vec<usize> {
        let needle = self.search.trim().to_lowercase();
        let mut chosen: Vec<usize> = analysis
            .recommendations
            .iter()
            .filter(|r| self.rules.contains(&r.rule))
            .flat_map(|r| r.findings.iter().copied())
            .collect();
        if self.rules.len() > 1 {
            chosen.sort_unstable();
            chosen.dedup();
        }
        chosen.extend(self.indices.iter().copied());
        chosen.retain(|&i| {
            analysis.findings.get(i).is_some_and(|f| {
                (self.cluster.is_empty() || f.resource.cluster == self.cluster)
                    && (needle.is_empty() || matches(f, &needle))
            })
        });
        chosen
    }

    /// The page of rows the query asks for.
    pub fn page(&self, analysis: &Analysis) -> FindingsPage {
        let selected = self.select(analysis);
        let limit = if self.limit == 0 {
            usize::MAX
        } else {
            self.limit
        };
        FindingsPage {
            total: selected.len(),
            rows: selected
                .iter()
                .skip(self.offset)
                .take(limit)
                .map(|&index| FindingRow {
                    index,
                    finding: analysis.findings[index].clone(),
                })
                .collect(),
        }
    }

    /// Every row the query selects as CSV, as `portolan analyze --format csv` writes
    /// them.
    pub fn csv(&self, analysis: &Analysis) -> String {
        let selected = self.select(analysis);
        crate::report::findings_csv(selected.iter().map(|&i| &analysis.findings[i]))
    }
}

/// Rules whose recommendation has a finding on a resource whose name, namespace or kind
/// holds `needle` (case ignored): the recommendation table's search over the affected
/// resources.
pub fn rules_with_resource(analysis: &Analysis, needle: &str) -> Vec<String> {
    let needle = needle.trim().to_lowercase();
    let hit = |s: &str| s.to_lowercase().contains(&needle);
    analysis
        .recommendations
        .iter()
        .filter(|r| {
            r.findings.iter().any(|&i| {
                analysis.findings.get(i).is_some_and(|f| {
                    hit(&f.resource.name) || hit(&f.resource.namespace) || hit(&f.resource.kind)
                })
            })
        })
        .map(|r| r.rule.clone())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::{analyze, AnalyzeOptions};
    use crate::rules::exemptions;
    use crate::InputFile;

    /// Two pods on the host network in namespaces shop and team, shop exempted.
    fn demo() -> Analysis {
        let pod = |name: &str, ns: &str| {
            let text = format!(
                "apiVersion: v1\nkind: Pod\nmetadata: {{name: {name}, namespace: {ns}}}\nspec:\n  hostNetwork: true\n  containers: [{{name: c, image: nginx}}]\n"
            );
            InputFile::new(format!("{name}.yaml"), text.into_bytes())
        };
        let files = [pod("web-a", "shop"), pod("web-b", "team")];
        let (exempt, problems) = exemptions::parse(
            "ex.yaml",
            "- rule: hostNamespaces\n  namespace: shop\n  reason: Sandbox.\n",
        );
        assert!(problems.is_empty(), "{problems:?}");
        let mut options = AnalyzeOptions::default();
        options.rules.exemptions = exempt;
        analyze(&files, &options, &mut |_| {})
    }

    #[test]
    fn a_viewer_holds_no_finding_and_what_it_withholds_goes_back() {
        let a = demo();
        assert!(a.recommendations.iter().any(|r| !r.findings.is_empty()));
        let mut copy = a.clone();
        let withheld = Withheld::take(&mut copy);
        assert!(copy.findings.is_empty() && copy.attack_paths.insights.is_empty());
        assert!(copy.recommendations.iter().all(|r| r.findings.is_empty()));
        assert_eq!(copy, viewer_copy(&a));
        assert_eq!(
            copy.recommendations.len(),
            a.recommendations.len(),
            "every recommendation is shown"
        );
        withheld.restore(&mut copy);
        assert_eq!(copy, a);
    }

    #[test]
    fn counts_match_the_findings() {
        let a = demo();
        assert!(!a.findings.is_empty());
        let counts = FindingCounts::of(&a);
        let open = a.findings.iter().filter(|f| f.exemption.is_none()).count();
        assert_eq!(counts.by_severity.iter().sum::<usize>(), open);
        assert_eq!(counts.by_exemption, [1]);
        assert_eq!(counts.recommendations.len(), a.recommendations.len());
        let host = a
            .recommendations
            .iter()
            .position(|r| r.rule == "hostNamespaces")
            .unwrap();
        assert_eq!(counts.recommendations[host].open_namespaces, ["team"]);
        assert!(counts.recommendations[host]
            .empty_columns
            .contains(&"cluster".to_string()));
        for (i, r) in a.recommendations.iter().enumerate() {
            assert_eq!(counts.counts_in(r, i, ""), (r.affected, r.exempted));
            for c in &counts.recommendations[i].clusters {
                assert_eq!(
                    (c.affected, c.exempted),
                    r.counts_in(&a.findings, &c.cluster)
                );
                assert!(counts.in_cluster(i, &c.cluster));
            }
            assert!(!counts.in_cluster(i, "no such cluster"));
        }
    }

    #[test]
    fn a_query_pages_searches_and_writes_the_cli_csv() {
        let a = demo();
        let r = &a.recommendations[0];
        let all = FindingsQuery {
            rules: vec![r.rule.clone()],
            ..FindingsQuery::default()
        };
        assert_eq!(all.select(&a), r.findings);
        let page = FindingsQuery {
            offset: 1,
            limit: 2,
            ..all.clone()
        }
        .page(&a);
        assert_eq!(page.total, r.findings.len());
        let expected: Vec<usize> = r.findings.iter().skip(1).take(2).copied().collect();
        assert_eq!(
            page.rows.iter().map(|row| row.index).collect::<Vec<_>>(),
            expected
        );
        let name = a.findings[r.findings[0]].resource.name.to_uppercase();
        let searched = FindingsQuery {
            search: name.clone(),
            ..all.clone()
        }
        .select(&a);
        assert!(searched.contains(&r.findings[0]));
        assert!(searched
            .iter()
            .all(|&i| matches(&a.findings[i], &name.to_lowercase())));
        assert_eq!(
            all.csv(&a),
            crate::report::findings_csv(r.findings.iter().map(|&i| &a.findings[i]))
        );
        let none = FindingsQuery {
            search: "no resource is called this".into(),
            ..all
        };
        assert_eq!(none.page(&a).total, 0);
        assert!(rules_with_resource(&a, &name).contains(&r.rule));
        assert!(rules_with_resource(&a, "no resource is called this").is_empty());
    }
}
