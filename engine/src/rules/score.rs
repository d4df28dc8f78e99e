//! The secure score: the share of healthy resources, weighted by severity, overall and
//! per namespace.
//!
//! For every rule that applies to at least one resource, the score counts the share of
//! those resources that pass it; a rule's share weighs by its severity (critical 10,
//! high 6, medium 3, low 1; informational rules do not count). The result is a
//! percentage: 100 when nothing fails. Workload rules apply to workload units (the
//! controllers), the same resources their findings name; control-plane flag rules apply
//! to the static pods of their component only (none on a managed cluster, where they are
//! not applicable). With no resource a scored rule applies to (nothing read, or all
//! input unreadable) there is no score: `overall` is absent and `unscored` says why, so
//! that unreadable input never shows as 100%.
//!
//! Each scored rule is a *control* ([`ScoreControl`]): its weight, the resources it
//! applies to, those failing it, and the *potential score increase* — the points the
//! overall score would gain if every failing resource were fixed, as Defender shows it
//! per recommendation.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

use super::{catalog, Finding, Severity};
use crate::hash::FastMap;
use crate::model::{Inventory, WorkloadUnit};

/// Overall and per-namespace secure score.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SecureScore {
    /// 0 to 100, one decimal; `None` (JSON `null`) when nothing could be scored.
    pub overall: Option<f64>,
    /// Why there is no score, when `overall` is `None`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unscored: Option<String>,
    /// One entry per namespace with resources, by name.
    pub namespaces: Vec<NamespaceScore>,
    /// The overall score's terms: one entry per rule that counted, by rule id.
    #[serde(default)]
    pub controls: Vec<ScoreControl>,
    /// One entry per cluster, in the analysis's cluster order, when it holds several
    /// (the overall score counts all of them).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub clusters: Vec<ClusterScore>,
}

/// One cluster's score in an analysis of several.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ClusterScore {
    pub cluster: String,
    /// 0 to 100, one decimal; `None` when nothing of the cluster could be scored.
    pub overall: Option<f64>,
}

/// One rule's part in the overall secure score.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ScoreControl {
    /// The rule's id.
    pub rule: String,
    pub severity: Severity,
    /// The rule's weight (critical 10, high 6, medium 3, low 1).
    pub weight: f64,
    /// Resources the rule applies to.
    pub applicable: usize,
    /// Of those, resources failing it (exempt findings do not count).
    pub unhealthy: usize,
    /// Points the overall score gains when every failing resource is fixed:
    /// `100 × weight × unhealthy / applicable / Σ weights`, two decimals.
    pub potential_increase: f64,
}

impl SecureScore {
    /// The sum of the weights of the rules that counted: the formula's denominator.
    pub fn total_weight(&self) -> f64 {
        self.controls.iter().map(|c| c.weight).sum()
    }

    /// The control of rule `id`, when it counted.
    pub fn control(&self, id: &str) -> Option<&ScoreControl> {
        self.controls.iter().find(|c| c.rule == id)
    }
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct NamespaceScore {
    pub namespace: String,
    /// The namespace's cluster, when the analysis holds several.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub cluster: String,
    /// 0 to 100, one decimal.
    pub score: f64,
    /// Resources in the namespace that rules apply to.
    pub resources: usize,
    /// Of those, resources with at least one finding.
    pub unhealthy: usize,
}

/// A rule's weight in the score, by its severity.
pub fn weight(severity: Severity) -> f64 {
    match severity {
        Severity::Critical => 10.0,
        Severity::High => 6.0,
        Severity::Medium => 3.0,
        Severity::Low => 1.0,
        Severity::Informational => 0.0,
    }
}

const CLUSTER_SCOPED: &[&str] = &["Cluster", "Node", "ClusterRole", "ClusterRoleBinding"];

/// Resources rules apply to, by (kind, namespace). A Namespace counts in itself.
fn population<'a>(
    inventory: &'a Inventory,
    units: &[WorkloadUnit<'a>],
) -> FastMap<(&'a str, &'a str), usize> {
    let mut pop: FastMap<(&'a str, &'a str), usize> = FastMap::default();
    let mut add = |kind: &'a str, ns: &'a str| {
        *pop.entry((kind, ns)).or_default() += 1;
    };
    for u in units {
        add(u.kind, u.namespace);
    }
    for n in &inventory.namespaces {
        add("Namespace", &n.metadata.name);
    }
    for c in &inventory.clusters {
        add("Cluster", &c.name);
    }
    for n in &inventory.nodes {
        add("Node", &n.metadata.name);
    }
    for s in &inventory.service_accounts {
        add("ServiceAccount", &s.metadata.namespace);
    }
    // Assumed built-in roles are not the snapshot's resources.
    for r in inventory.roles.iter().filter(|r| !r.assumed) {
        let kind = if r.cluster_scoped {
            "ClusterRole"
        } else {
            "Role"
        };
        add(kind, &r.metadata.namespace);
    }
    for b in &inventory.bindings {
        let kind = if b.cluster_scoped {
            "ClusterRoleBinding"
        } else {
            "RoleBinding"
        };
        add(kind, &b.metadata.namespace);
    }
    for s in &inventory.services {
        add("Service", &s.metadata.namespace);
    }
    for i in &inventory.ingresses {
        add("Ingress", &i.metadata.namespace);
    }
    for p in &inventory.network_policies {
        add("NetworkPolicy", &p.metadata.namespace);
    }
    for c in &inventory.config_maps {
        add("ConfigMap", &c.metadata.namespace);
    }
    for s in &inventory.secrets {
        add("Secret", &s.metadata.namespace);
    }
    pop
}

/// The resources rules apply to, by (kind, namespace) ([`secure_score`]'s population):
/// the same whatever the exemptions, so a caller scoring the findings of one inventory
/// again under other exemptions finds it once (the snapshot keeps it, see
/// [`crate::analysis::reexempt`]) rather than the workload units and every resource
/// again.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Population(Vec<((String, String), usize)>);

impl Population {
    pub fn of(inventory: &Inventory, units: &[WorkloadUnit]) -> Self {
        Population(
            population(inventory, units)
                .into_iter()
                .map(|((kind, ns), count)| ((kind.to_string(), ns.to_string()), count))
                .collect(),
        )
    }
}

/// Computes the score from the findings of one evaluation; exempt findings do not
/// count. One pass over the findings, whatever the number of namespaces: a large
/// estate has hundreds of thousands of findings.
pub fn secure_score(
    inventory: &Inventory,
    units: &[WorkloadUnit],
    findings: &[Finding],
) -> SecureScore {
    let pop: Vec<_> = population(inventory, units).into_iter().collect();
    score_population(inventory, &pop, &Tally::of(findings, &BTreeSet::new()))
}

/// [`secure_score`] with the inventory's [`Population`] found already.
pub fn secure_score_of(
    inventory: &Inventory,
    population: &Population,
    findings: &[Finding],
) -> SecureScore {
    secure_score_tallied(
        inventory,
        population,
        &Tally::of(findings, &BTreeSet::new()),
    )
}

/// [`secure_score`] with the inventory's [`Population`] found already and its findings
/// tallied ([`Tally`]).
pub fn secure_score_tallied(
    inventory: &Inventory,
    population: &Population,
    tally: &Tally,
) -> SecureScore {
    let pop: Vec<_> = population
        .0
        .iter()
        .map(|((kind, ns), count)| ((kind.as_str(), ns.as_str()), *count))
        .collect();
    score_population(inventory, &pop, tally)
}

/// No index: a finding left out of the score, a cluster-scoped resource's namespace, a
/// rule outside the catalogue or not applying to the resource's kind.
const NONE: u32 = u32::MAX;

/// What the score needs of an evaluation's findings: which resources fail each rule
/// (overall and per namespace) and which resources of each namespace fail any, counted
/// per (rule, resource) and per resource so that the same findings under other
/// exemptions are scored by going through those whose mark changed
/// ([`Tally::update`]) instead of hashing every finding's resource again (800,000
/// findings from 50,000 bare pods made that most of a re-evaluation). The findings are
/// those it was made of ([`Tally::of`]), indices and all: the snapshot keeps it with
/// them (see [`crate::analysis::reexempt`]).
#[derive(Clone, Debug, Default)]
pub struct Tally {
    /// Per finding: whether it counted (no exemption) when last tallied, its (rule,
    /// resource) pair and its resource (`NONE`: left out of the score).
    findings: Vec<Tallied>,
    pairs: Vec<Pair>,
    /// Per resource, the (namespace, kind, name) entries it makes unhealthy in
    /// `unhealthy_in`: its namespace's and, for a Namespace, its own (`NONE`: none).
    resources: Vec<[u32; 2]>,
    /// Per such entry, its counted findings and its namespace.
    slots: Vec<(u32, u32)>,
    namespaces: FastMap<String, u32>,
    /// Resources failing each catalogue rule (by its place in [`catalog`]), in the
    /// estate (`NONE`) and per namespace.
    unhealthy: FastMap<(u32, u32), usize>,
    /// Per namespace, its resources with a counted finding of any rule.
    unhealthy_in: Vec<usize>,
    /// The findings' rules, and those of them whose findings are left out
    /// ([`Tally::of`]'s `unscored`): a tally is updated only for the same (a rule
    /// without findings, such as a policy's that nothing fails, makes no difference).
    rules: BTreeSet<String>,
    unscored: BTreeSet<String>,
}

#[derive(Clone, Copy, Debug)]
struct Tallied {
    pair: u32,
    resource: u32,
    counted: bool,
}

/// One rule's findings on one resource (as the score names it: kind, namespace and
/// name, a Namespace's namespace its own name).
#[derive(Clone, Copy, Debug)]
struct Pair {
    counted: u32,
    /// The rule's place in the catalogue, `NONE` when the rule is not scored there.
    rule: u32,
    /// The namespace it counts in (`NONE`: the estate only).
    namespace: u32,
}

impl Tally {
    /// Tallies `findings` as marked now, but those of the rules `unscored` (which do
    /// not count in the score: the user's policies', unless scored).
    pub fn of<'a>(findings: &'a [Finding], unscored: &BTreeSet<String>) -> Tally {
        let mut tally = Tally::default();
        // The first rule of each id, as [`super::rule`] finds it.
        let mut catalogue: FastMap<&str, (u32, &'static [&'static str])> = FastMap::default();
        for (i, r) in catalog().enumerate() {
            catalogue
                .entry(r.info.id)
                .or_insert((i as u32, r.info.kinds));
        }
        let mut resource_ids: FastMap<(&str, &str, &str), u32> = FastMap::default();
        // The score's resource (kind, scope, name) of each resource, and its kind.
        let mut scored_ids: FastMap<(&str, &str, &str), u32> = FastMap::default();
        let mut scored_of: Vec<u32> = Vec::new();
        let mut scored_kind: Vec<(&str, &str)> = Vec::new();
        let mut slot_ids: FastMap<(&str, &str, &str), u32> = FastMap::default();
        let mut pair_ids: FastMap<(u32, u32), u32> = FastMap::default();
        // Findings come sorted by rule then resource: the last rule and resource are
        // compared before anything is hashed.
        let mut last_rule: Option<(&str, u32, u32, &[&str])> = None;
        let mut rule_ids: FastMap<&str, u32> = FastMap::default();
        let mut last_resource: Option<(&Finding, u32)> = None;
        for f in findings {
            if !unscored.is_empty() && unscored.contains(&f.rule) {
                let next = rule_ids.len() as u32;
                rule_ids.entry(f.rule.as_str()).or_insert(next);
                tally.findings.push(Tallied {
                    pair: NONE,
                    resource: NONE,
                    counted: false,
                });
                continue;
            }
            let (kind, ns, name) = (
                f.resource.kind.as_str(),
                f.resource.namespace.as_str(),
                f.resource.name.as_str(),
            );
            let (rule, catalogued, kinds) = match last_rule {
                Some((id, rule, catalogued, kinds)) if id == f.rule => (rule, catalogued, kinds),
                _ => {
                    let next = rule_ids.len() as u32;
                    let rule = *rule_ids.entry(f.rule.as_str()).or_insert(next);
                    let (catalogued, kinds) = catalogue
                        .get(f.rule.as_str())
                        .copied()
                        .unwrap_or((NONE, &[]));
                    last_rule = Some((f.rule.as_str(), rule, catalogued, kinds));
                    (rule, catalogued, kinds)
                }
            };
            let resource = match last_resource {
                Some((g, id))
                    if g.resource.kind == kind
                        && g.resource.namespace == ns
                        && g.resource.name == name =>
                {
                    id
                }
                _ => {
                    let next = resource_ids.len() as u32;
                    let id = *resource_ids.entry((kind, ns, name)).or_insert(next);
                    if id == next {
                        let scope = if kind == "Namespace" || kind == "Cluster" {
                            name
                        } else {
                            ns
                        };
                        let next = scored_ids.len() as u32;
                        let sid = *scored_ids.entry((kind, scope, name)).or_insert(next);
                        if sid == next {
                            scored_kind.push((kind, scope));
                        }
                        scored_of.push(sid);
                        let mut slots = [NONE; 2];
                        if !CLUSTER_SCOPED.contains(&kind) {
                            let mut slot = |scope: &'a str| {
                                let next = slot_ids.len() as u32;
                                let slot = *slot_ids.entry((scope, kind, name)).or_insert(next);
                                if slot == next {
                                    let namespace = tally.namespace(scope);
                                    tally.slots.push((0, namespace));
                                }
                                slot
                            };
                            slots[0] = slot(ns);
                            if kind == "Namespace" {
                                let own = slot(name);
                                if own != slots[0] {
                                    slots[1] = own;
                                }
                            }
                        }
                        tally.resources.push(slots);
                    }
                    last_resource = Some((f, id));
                    id
                }
            };
            let sid = scored_of[resource as usize];
            let next = pair_ids.len() as u32;
            let pair = *pair_ids.entry((rule, sid)).or_insert(next);
            if pair == next {
                let (kind, scope) = scored_kind[sid as usize];
                let applies = catalogued != NONE && kinds.contains(&kind);
                let namespace = if applies && !CLUSTER_SCOPED.contains(&kind) {
                    tally.namespace(scope)
                } else {
                    NONE
                };
                tally.pairs.push(Pair {
                    counted: 0,
                    rule: if applies { catalogued } else { NONE },
                    namespace,
                });
            }
            tally.findings.push(Tallied {
                pair,
                resource,
                counted: false,
            });
        }
        tally.rules = rule_ids.keys().map(|r| r.to_string()).collect();
        tally.unscored = unscored.intersection(&tally.rules).cloned().collect();
        for (i, f) in findings.iter().enumerate() {
            if f.exemption.is_none() && tally.findings[i].pair != NONE {
                tally.mark(i, true);
            }
        }
        tally
    }

    /// Brings the tally to `findings`' marks now: the same findings it was made of
    /// under other exemptions, with the same rules left out (`unscored`, as
    /// [`Tally::of`] was given). False, changing nothing, when they cannot be those
    /// (another number of them, or other rules left out): tally them anew.
    pub fn update(&mut self, findings: &[Finding], unscored: &BTreeSet<String>) -> bool {
        let unscored: BTreeSet<String> = unscored.intersection(&self.rules).cloned().collect();
        if findings.len() != self.findings.len() || unscored != self.unscored {
            return false;
        }
        // One pass, reading each finding's mark only: the rest of a change is in the
        // findings whose mark changed.
        for (i, f) in findings.iter().enumerate() {
            let t = self.findings[i];
            let counted = f.exemption.is_none();
            if t.pair != NONE && t.counted != counted {
                self.mark(i, counted);
            }
        }
        true
    }

    /// Counts finding `i` in (`counted`) or out.
    fn mark(&mut self, i: usize, counted: bool) {
        let t = &mut self.findings[i];
        t.counted = counted;
        let (pair, resource) = (t.pair as usize, t.resource as usize);
        // A pair or slot turns unhealthy at its first counted finding, healthy after
        // its last.
        let step = |n: &mut u32| -> Option<bool> {
            if counted {
                *n += 1;
                (*n == 1).then_some(true)
            } else {
                *n -= 1;
                (*n == 0).then_some(false)
            }
        };
        let add = |n: &mut usize, up: bool| {
            if up {
                *n += 1
            } else {
                *n -= 1
            }
        };
        let p = &mut self.pairs[pair];
        if let Some(up) = step(&mut p.counted) {
            if p.rule != NONE {
                add(self.unhealthy.entry((p.rule, NONE)).or_default(), up);
                if p.namespace != NONE {
                    add(self.unhealthy.entry((p.rule, p.namespace)).or_default(), up);
                }
            }
        }
        for slot in self.resources[resource] {
            if slot == NONE {
                continue;
            }
            let (n, namespace) = &mut self.slots[slot as usize];
            if let Some(up) = step(n) {
                add(&mut self.unhealthy_in[*namespace as usize], up);
            }
        }
    }

    fn namespace(&mut self, name: &str) -> u32 {
        if let Some(&id) = self.namespaces.get(name) {
            return id;
        }
        let id = self.namespaces.len() as u32;
        self.namespaces.insert(name.to_string(), id);
        self.unhealthy_in.push(0);
        id
    }

    /// Resources failing the rule at `rule` in the catalogue, in namespace `ns` (`None`:
    /// the estate).
    fn unhealthy(&self, rule: usize, ns: Option<&str>) -> usize {
        let ns = match ns {
            None => NONE,
            Some(ns) => match self.namespaces.get(ns) {
                Some(&id) => id,
                None => return 0,
            },
        };
        self.unhealthy.get(&(rule as u32, ns)).copied().unwrap_or(0)
    }

    /// Resources of namespace `ns` with a counted finding.
    fn unhealthy_in(&self, ns: &str) -> usize {
        self.namespaces
            .get(ns)
            .map_or(0, |&id| self.unhealthy_in[id as usize])
    }
}

/// [`secure_score`] over the population `pop`, each (kind, namespace) once.
fn score_population(
    inventory: &Inventory,
    pop: &[((&str, &str), usize)],
    tally: &Tally,
) -> SecureScore {
    // Control-plane flag rules apply to the instances of their component only.
    let control_plane = super::control_plane::Populations::of(inventory);
    // The population per kind in the estate, and per kind in each namespace (namespaced
    // kinds only): each scope reads its own, not the whole population (a scan of it per
    // namespace grew with the square of the namespaces).
    let mut pop_all: Vec<(&str, usize)> = Vec::new();
    let mut pop_in: BTreeMap<&str, Vec<(&str, usize)>> = BTreeMap::new();
    for &((kind, n), count) in pop {
        match pop_all.iter_mut().find(|(k, _)| *k == kind) {
            Some((_, c)) => *c += count,
            None => pop_all.push((kind, count)),
        }
        if !CLUSTER_SCOPED.contains(&kind) {
            pop_in.entry(n).or_default().push((kind, count));
        }
    }
    let scope_pop = |ns: Option<&str>| -> &[(&str, usize)] {
        match ns {
            None => &pop_all,
            Some(ns) => pop_in.get(ns).map_or(&[], Vec::as_slice),
        }
    };
    // The controls of a scope (`ns` None is the whole estate): per counted rule its
    // weight, applicable and unhealthy resources.
    let controls_for = |ns: Option<&str>| -> Vec<ScoreControl> {
        let mut controls = Vec::new();
        for (index, rule) in catalog().enumerate() {
            let w = weight(rule.info.severity);
            // Without scans, nothing is known about images' vulnerabilities: the rule
            // neither passes nor fails.
            let unknown = rule.info.id == super::vulnerabilities::IMAGE_VULNERABILITIES.info.id
                && inventory.image_scans.is_empty();
            if w == 0.0 || unknown {
                continue;
            }
            let applicable: usize = match control_plane.applicable(rule.info.id, ns) {
                Some(count) => count,
                None => scope_pop(ns)
                    .iter()
                    .filter(|(kind, _)| rule.info.kinds.contains(kind))
                    .map(|(_, count)| count)
                    .sum(),
            };
            if applicable == 0 {
                continue;
            }
            let unhealthy = tally.unhealthy(index, ns);
            controls.push(ScoreControl {
                rule: rule.info.id.to_string(),
                severity: rule.info.severity,
                weight: w,
                applicable,
                unhealthy: unhealthy.min(applicable),
                potential_increase: 0.0,
            });
        }
        controls.sort_by(|a, b| a.rule.cmp(&b.rule));
        controls
    };
    let score_for = |ns: Option<&str>| score_of(&controls_for(ns));
    let namespaces: BTreeSet<&str> = pop
        .iter()
        .map(|(key, _)| key)
        .filter(|(kind, _)| !CLUSTER_SCOPED.contains(kind))
        .map(|&(_, ns)| ns)
        .filter(|ns| !ns.is_empty())
        .collect();
    let namespaces = namespaces
        .into_iter()
        .filter_map(|ns| {
            let score = score_for(Some(ns))?;
            let resources: usize = scope_pop(Some(ns)).iter().map(|(_, c)| c).sum();
            let unhealthy = tally.unhealthy_in(ns);
            Some(NamespaceScore {
                namespace: ns.to_string(),
                cluster: inventory.cluster_name.clone(),
                score,
                resources,
                unhealthy: unhealthy.min(resources),
            })
        })
        .collect();
    let mut controls = controls_for(None);
    let total: f64 = controls.iter().map(|c| c.weight).sum();
    for c in &mut controls {
        c.potential_increase =
            round2(100.0 * c.weight * c.unhealthy as f64 / c.applicable as f64 / total);
    }
    let overall = score_of(&controls);
    let unscored = overall.is_none().then(|| {
        if pop.is_empty() {
            "No Kubernetes object was read: there is nothing to score.".to_string()
        } else {
            "No resource that a scored rule applies to was read.".to_string()
        }
    });
    SecureScore {
        overall,
        unscored,
        namespaces,
        controls,
        clusters: Vec::new(),
    }
}

/// The score of several clusters from each one's: a rule's applicable and unhealthy
/// resources are summed over the clusters, so the overall score is the one formula
/// over the whole estate; namespaces are listed per cluster.
pub fn merge(parts: &[SecureScore], names: &[&str]) -> SecureScore {
    let mut controls: BTreeMap<&str, ScoreControl> = BTreeMap::new();
    for c in parts.iter().flat_map(|p| &p.controls) {
        controls
            .entry(c.rule.as_str())
            .and_modify(|m| {
                m.applicable += c.applicable;
                m.unhealthy += c.unhealthy;
            })
            .or_insert_with(|| c.clone());
    }
    let mut controls: Vec<ScoreControl> = controls.into_values().collect();
    let total: f64 = controls.iter().map(|c| c.weight).sum();
    for c in &mut controls {
        c.potential_increase =
            round2(100.0 * c.weight * c.unhealthy as f64 / c.applicable as f64 / total);
    }
    let overall = score_of(&controls);
    SecureScore {
        overall,
        unscored: overall
            .is_none()
            .then(|| parts.iter().find_map(|p| p.unscored.clone()))
            .flatten(),
        namespaces: parts.iter().flat_map(|p| p.namespaces.clone()).collect(),
        controls,
        clusters: parts
            .iter()
            .zip(names)
            .map(|(p, name)| ClusterScore {
                cluster: name.to_string(),
                overall: p.overall,
            })
            .collect(),
    }
}

/// `100 × Σ weight × healthy / applicable ÷ Σ weight`, one decimal; `None` without
/// controls.
fn score_of(controls: &[ScoreControl]) -> Option<f64> {
    let total: f64 = controls.iter().map(|c| c.weight).sum();
    let got: f64 = controls
        .iter()
        .map(|c| c.weight * c.applicable.saturating_sub(c.unhealthy) as f64 / c.applicable as f64)
        .sum();
    (total > 0.0).then(|| round1(100.0 * got / total))
}

fn round2(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
}

fn round1(x: f64) -> f64 {
    (x * 10.0).round() / 10.0
}

#[cfg(test)]
mod tests {
    use crate::ingest::{parse_file, InputFile};
    use crate::model::Inventory;
    use crate::rules::{evaluate, RuleOptions};

    fn score(yaml: &str) -> super::SecureScore {
        let parsed = parse_file(&InputFile::new("t.yaml", yaml.as_bytes().to_vec()));
        let mut inventory = Inventory::default();
        inventory.extend(parsed.objects, None);
        inventory.finish();
        let (findings, _) = evaluate(&inventory, &RuleOptions::default());
        super::secure_score(&inventory, &inventory.workload_units(), &findings)
    }

    const GOOD: &str = "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: good, namespace: a}\nspec:\n  template:\n    spec:\n      automountServiceAccountToken: false\n      securityContext: {runAsNonRoot: true, seccompProfile: {type: RuntimeDefault}}\n      containers:\n      - name: app\n        image: example/app:1.0@sha256:0000000000000000000000000000000000000000000000000000000000000000\n        imagePullPolicy: Always\n        resources: {requests: {cpu: 100m, memory: 64Mi}, limits: {memory: 64Mi}}\n        livenessProbe: {httpGet: {path: /, port: 8080}}\n        readinessProbe: {httpGet: {path: /, port: 8080}}\n        securityContext: {allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: {drop: [ALL]}}\n";

    #[test]
    fn a_privileged_workload_lowers_the_score_of_its_namespace_only() {
        let bad = "---\napiVersion: apps/v1\nkind: Deployment\nmetadata: {name: bad, namespace: b}\nspec:\n  template:\n    spec:\n      containers:\n      - name: app\n        image: example/app\n        securityContext: {privileged: true}\n";
        let clean = score(GOOD);
        let mixed = score(&format!("{GOOD}{bad}"));
        assert!(mixed.overall < clean.overall, "{clean:?} vs {mixed:?}");
        // Fixing every failing resource of every control gives 100.
        let gain: f64 = mixed.controls.iter().map(|c| c.potential_increase).sum();
        let overall = mixed.overall.unwrap();
        assert!((overall + gain - 100.0).abs() < 0.2, "{overall} + {gain}");
        let privileged = mixed.control("privileged").unwrap();
        assert_eq!((privileged.applicable, privileged.unhealthy), (2, 1));
        assert!(privileged.potential_increase > 0.0);
        assert_eq!(mixed.unscored, None);
        let a = mixed
            .namespaces
            .iter()
            .find(|n| n.namespace == "a")
            .unwrap();
        let b = mixed
            .namespaces
            .iter()
            .find(|n| n.namespace == "b")
            .unwrap();
        assert!(a.score > b.score, "{mixed:?}");
        assert_eq!(b.unhealthy, 1);
        assert!((0.0..=100.0).contains(&b.score));
    }

    #[test]
    fn nothing_read_is_no_score_not_100() {
        for input in ["", "{\"kind\": ", "apiVersion: v1\nkind: Pod\nmetadata: ["] {
            let s = score(input);
            assert_eq!(s.overall, None, "{input:?}");
            assert!(s.unscored.as_deref().unwrap().contains("nothing to score"));
            assert!(s.controls.is_empty());
        }
        // Negative control: one readable object is scored.
        assert!(score(GOOD).overall.is_some());
    }
}
