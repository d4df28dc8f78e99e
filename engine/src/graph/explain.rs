//! What an attack path's numbers mean and what breaks it.
//!
//! [`RiskFactors`] spells out a path's risk (100 × exposure × Π step likelihood ×
//! impact) factor by factor, in words with their values, and reconciles the path's
//! "technique steps" (its length) with the steps it lists. [`PathBreak`] lists every
//! change that removes one of its steps: the fix of each step that names one (the
//! finding of a rule on a resource: technique steps, and exposure links), and, when the
//! path enters through a known remotely exploitable vulnerability, the image upgrade
//! that removes it (from the vulnerability join's fixed version). The CLI's JSON, the
//! report and the app all show these values; none of them recomputes them.

use serde::{Deserialize, Serialize};

use petgraph::graph::EdgeIndex;

use super::{SecurityGraph, Target};
use crate::hash::FastMap;
use crate::rules::{Finding, ResourceRef};

/// A path's risk, factor by factor.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RiskFactors {
    /// 1 when the entry is reached from the internet, 0.5 for an assumed breach.
    pub exposure: f64,
    pub exposure_reason: String,
    /// The product of the likelihoods of every step, 0–1.
    pub likelihood: f64,
    pub likelihood_reason: String,
    /// How bad reaching the target is, 0–1.
    pub impact: f64,
    pub impact_reason: String,
    /// `Risk 81.0 = 100 × exposure 1 × likelihood 0.81 × impact 1`.
    pub formula: String,
    /// Steps that are attacker actions (the path's length).
    pub technique_steps: usize,
    /// Steps that only link nodes (a workload runs its container, a service routes to
    /// it); they always succeed.
    pub linking_steps: usize,
    /// The two counts in a sentence, as pages label them.
    pub steps_note: String,
}

/// What a [`PathBreak`] changes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum PathBreakKind {
    /// Fix the finding of `rule` on `resource`.
    Finding,
    /// Upgrade the package of the entry image that has the path's entry vulnerability.
    ImageUpgrade,
}

/// The image upgrade that removes a path's entry vulnerability.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ImageUpgrade {
    pub vulnerability: String,
    pub image: String,
    pub package: String,
    pub installed: String,
    /// Empty when the scan knows no fixed version.
    pub fixed: String,
}

/// One change that breaks (or, for an image upgrade, weakens) a path.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PathBreak {
    pub kind: PathBreakKind,
    /// The step it removes or weakens (1-based, as the steps are listed).
    pub step: usize,
    /// The rule whose finding on `resource` is the fix (findings only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rule: Option<String>,
    pub resource: ResourceRef,
    /// What to do, in words.
    pub action: String,
    /// Index into `chokePoints.fixes` when the fix is listed there.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub choke_point: Option<usize>,
    /// Index into the analysis' `findings` of the finding the fix resolves, whose
    /// `fix` holds the exact patch or command (see [`link_findings`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub finding: Option<usize>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub upgrade: Option<ImageUpgrade>,
}

/// The exposure factor: 1 from the internet, 0.5 for an assumed breach.
pub(super) fn exposure(internet: bool) -> f64 {
    if internet {
        1.0
    } else {
        0.5
    }
}

/// What reaching a target means, in words.
fn impact_reason(t: Target) -> &'static str {
    match t {
        Target::ClusterAdmin => {
            "cluster-admin rights: full control of the cluster and everything in it"
        }
        Target::KubeSystemSecrets => {
            "kube-system secrets: credentials of the cluster's own components"
        }
        Target::CloudAdmin => {
            "cloud administrator: control of the cloud account around the cluster"
        }
        Target::CloudData => {
            "cloud data: buckets, secrets, parameters or keys in the cloud account"
        }
        Target::NodeTakeover => "node takeover: root on a node and every pod scheduled on it",
        Target::Secrets => "secrets: the credentials and keys applications keep",
    }
}

/// A risk factor as pages print it: at most two decimals, no trailing zeros.
pub fn factor(x: f64) -> String {
    let s = format!("{:.2}", x);
    s.trim_end_matches('0').trim_end_matches('.').to_string()
}

impl SecurityGraph {
    /// The factors of the risk of the path along `edges`; `risk` is the rounded
    /// product the path carries.
    pub(super) fn risk_factors(
        &self,
        edges: &[EdgeIndex],
        target: Target,
        internet: bool,
        api_server: bool,
        risk: f64,
    ) -> RiskFactors {
        let exposure = exposure(internet);
        let exposure_reason = match (internet, api_server) {
            (true, true) => "the API server is public and answers anonymous requests".to_string(),
            (true, false) => "the entry workload is reachable from the internet".to_string(),
            (false, _) => "assumed breach: the entry workload is not exposed to the internet, so an attacker already inside it is assumed".to_string(),
        };
        let likelihood: f64 = edges
            .iter()
            .map(|&e| self.graph[e].exploitability())
            .product();
        let uncertain: Vec<String> = edges
            .iter()
            .enumerate()
            .filter(|(_, &e)| self.graph[e].exploitability() < 1.0)
            .map(|(i, &e)| {
                let w = &self.graph[e];
                let assumed = if w.assumption.is_some() {
                    ", assumed"
                } else {
                    ""
                };
                format!(
                    "step {} {} {}{assumed}",
                    i + 1,
                    w.kind.info().name,
                    factor(w.exploitability())
                )
            })
            .collect();
        let certain = edges.len() - uncertain.len();
        let likelihood_reason = match uncertain.len() {
            0 => format!("every one of the {} steps always succeeds", edges.len()),
            _ => format!(
                "the product of the steps' likelihoods: {}; the other {certain} step{} always succeed{}",
                uncertain.join(" × "),
                if certain == 1 { "" } else { "s" },
                if certain == 1 { "s" } else { "" },
            ),
        };
        let impact = target.impact();
        let technique_steps = edges
            .iter()
            .filter(|&&e| self.graph[e].kind.info().technique)
            .count();
        let linking_steps = edges.len() - technique_steps;
        let plural = |n: usize, one: &str, many: &str| {
            if n == 1 {
                format!("{n} {one}")
            } else {
                format!("{n} {many}")
            }
        };
        let steps_note = format!(
            "{} listed: {} (actions an attacker takes, the path's length) and {} (a workload runs its container, a service routes to it), which always succeed",
            plural(edges.len(), "step", "steps"),
            plural(technique_steps, "technique step", "technique steps"),
            plural(linking_steps, "linking step", "linking steps"),
        );
        RiskFactors {
            exposure,
            exposure_reason,
            likelihood,
            likelihood_reason,
            impact,
            impact_reason: impact_reason(target).to_string(),
            formula: format!(
                "Risk {risk:.1} = 100 × exposure {} × likelihood {} × impact {}",
                factor(exposure),
                factor(likelihood),
                factor(impact)
            ),
            technique_steps,
            linking_steps,
            steps_note,
        }
    }

    /// Every change that breaks the path along `edges`, in path order, once each;
    /// `choke` maps a fix id to its place in the choke-point list.
    pub(super) fn path_breaks(
        &self,
        edges: &[EdgeIndex],
        choke: &std::collections::BTreeMap<u32, usize>,
        entry: &ResourceRef,
    ) -> Vec<PathBreak> {
        let mut out: Vec<PathBreak> = Vec::new();
        for (i, &e) in edges.iter().enumerate() {
            let w = &self.graph[e];
            if let Some(f) = w.fix {
                let fix = &self.fixes[f as usize];
                let seen = out.iter().any(|b| {
                    b.rule.as_deref() == Some(fix.rule.as_str()) && b.resource == fix.resource
                });
                if !seen {
                    let title = crate::rules::rule(&fix.rule)
                        .map(|r| r.info.title)
                        .unwrap_or(fix.rule.as_str());
                    out.push(PathBreak {
                        kind: PathBreakKind::Finding,
                        step: i + 1,
                        rule: Some(fix.rule.clone()),
                        resource: fix.resource.clone(),
                        action: format!(
                            "{title} — on {} {}, removing step {} ({})",
                            fix.resource.kind,
                            qualified(&fix.resource),
                            i + 1,
                            w.kind.info().name
                        ),
                        choke_point: choke.get(&f).copied(),
                        finding: None,
                        upgrade: None,
                    });
                }
            }
            if w.kind == super::EdgeKind::ENDPOINT_EXPLOIT {
                let Some((_, t)) = self.graph.edge_endpoints(e) else {
                    continue;
                };
                let Some(v) = self.remote_vulnerabilities.get(&t) else {
                    continue;
                };
                let action = if v.fixed.is_empty() {
                    format!(
                        "No fixed version of {} is known for {}: replace image {} or take it off the internet; step {} would then rest on an assumed flaw",
                        v.package, v.id, v.image, i + 1
                    )
                } else {
                    format!(
                        "Upgrade {} from {} to {} in image {} (fixes {}); step {} would then rest on an assumed flaw",
                        v.package, v.installed, v.fixed, v.image, v.id, i + 1
                    )
                };
                out.push(PathBreak {
                    kind: PathBreakKind::ImageUpgrade,
                    step: i + 1,
                    rule: None,
                    resource: entry.clone(),
                    action,
                    choke_point: None,
                    finding: None,
                    upgrade: Some(ImageUpgrade {
                        vulnerability: v.id.clone(),
                        image: v.image.clone(),
                        package: v.package.clone(),
                        installed: v.installed.clone(),
                        fixed: v.fixed.clone(),
                    }),
                });
            }
        }
        out
    }
}

/// `namespace/name`, or `name` for cluster-scoped resources.
fn qualified(r: &ResourceRef) -> String {
    if r.namespace.is_empty() {
        r.name.clone()
    } else {
        format!("{}/{}", r.namespace, r.name)
    }
}

/// Points each path's finding fixes at the finding they resolve (the first finding of
/// the rule on the resource), so pages can show its exact patch or command.
pub fn link_findings(paths: &mut [super::paths::AttackPath], findings: &[Finding]) {
    // Only the (rule, resource) pairs the paths' fixes name are indexed: a few against
    // every finding. A finding whose rule no fix names is passed over without hashing.
    let mut index: FastMap<(&str, &ResourceRef), Option<usize>> = FastMap::default();
    for b in paths.iter().flat_map(|p| &p.breaks) {
        if let Some(rule) = &b.rule {
            index.insert((rule.as_str(), &b.resource), None);
        }
    }
    let mut rules: Vec<&str> = index.keys().map(|&(rule, _)| rule).collect();
    rules.sort_unstable();
    rules.dedup();
    for (i, f) in findings.iter().enumerate() {
        if rules.binary_search(&f.rule.as_str()).is_err() {
            continue;
        }
        if let Some(first @ None) = index.get_mut(&(f.rule.as_str(), &f.resource)) {
            *first = Some(i);
        }
    }
    let found: Vec<Option<usize>> = paths
        .iter()
        .flat_map(|p| &p.breaks)
        .map(|b| {
            let rule = b.rule.as_deref()?;
            index.get(&(rule, &b.resource)).copied().flatten()
        })
        .collect();
    drop(rules);
    drop(index);
    let breaks = paths.iter_mut().flat_map(|p| &mut p.breaks);
    for (b, finding) in breaks.zip(found) {
        if b.rule.is_some() {
            b.finding = finding;
        }
    }
}
