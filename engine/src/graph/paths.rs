//! Attack paths, choke points and per-workload insights.
//!
//! One reverse Dijkstra search per [`Target`] class, over edge weights −log p (p the
//! step's likelihood), gives every node its likeliest route to a target of that class
//! and the edge to follow; each entry point then reads its likeliest path to each class
//! off those arrays. A longer but likelier path wins over a short unlikely one; among
//! equally likely ones the fewer technique steps win. The cost is O(E log V) per class
//! whatever the number of entries, and paths never explode: there is one path per
//! (entry, target class). Entries are the internet-exposed workloads (and the anonymous
//! API server), or with `assume_breach` every workload. Paths are ranked by risk =
//! exposure × the product of the step likelihoods × impact; from the internet, a path
//! that rests on an assumption (a flaw assumed in an application whose image lists no
//! known remotely exploitable vulnerability, token Secrets that were not collected)
//! ranks below every confirmed one.
//!
//! Choke points: every technique edge names the fix that removes it (a rule on a
//! resource, so it matches a finding). A greedy set cover picks the fixes that break
//! the most paths; the remaining paths after each prefix of fixes are then *recomputed*
//! on the graph without the removed edges, so an alternative route is never missed.

use std::cmp::Reverse;
use std::collections::{BTreeMap, BTreeSet, BinaryHeap, HashSet, VecDeque};

use petgraph::graph::{EdgeIndex, NodeIndex};
use petgraph::visit::EdgeRef;
use petgraph::Direction;
use serde::{Deserialize, Serialize};

pub use super::explain::{
    factor, link_findings, ImageUpgrade, PathBreak, PathBreakKind, RiskFactors,
};
use super::{EdgeKind, Exposure, NodeKind, SecurityGraph, Target};
use crate::rules::ResourceRef;

/// Settings of the path analysis.
#[derive(Clone, Debug)]
pub struct PathOptions {
    /// Start from every workload, not only internet-exposed ones.
    pub assume_breach: bool,
    /// Paths listed in the report (all are counted and used for choke points).
    pub max_paths: usize,
}

impl Default for PathOptions {
    fn default() -> Self {
        PathOptions {
            assume_breach: false,
            max_paths: 100,
        }
    }
}

/// Attack paths of one analysis.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AttackPathReport {
    /// `internet` or `assume-breach`.
    pub mode: String,
    /// Entry points considered (workloads, and the API server when public).
    pub entries: usize,
    /// Paths found: one per entry and target class.
    pub total: usize,
    /// The riskiest paths, at most `max_paths`, riskiest first.
    pub paths: Vec<AttackPath>,
    /// Paths per target class.
    pub by_target: BTreeMap<String, usize>,
    pub choke_points: ChokePoints,
    /// Security insights of workloads (only workloads with at least one).
    pub insights: Vec<WorkloadInsights>,
    pub graph_size: GraphSize,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct GraphSize {
    pub nodes: usize,
    pub edges: usize,
}

/// One attack path.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AttackPath {
    /// Stable: `<entry node id> -> <target>`.
    pub id: String,
    pub title: String,
    /// exposure × the product of the step likelihoods × impact, 0–100.
    pub risk: f64,
    pub target: Target,
    /// The workload the path starts from (the cluster for the API server).
    pub entry: ResourceRef,
    /// How the entry is reached from the internet (empty in assume-breach paths from
    /// unexposed workloads).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub exposure: Vec<Exposure>,
    /// Technique steps.
    pub length: usize,
    pub steps: Vec<PathStep>,
    /// MITRE ATT&CK techniques along the path, in order, once each.
    pub mitre: Vec<String>,
    /// Indices into [`ChokePoints::fixes`] of the fixes that break this path.
    pub fixes: Vec<usize>,
    /// Whether a step rests on an assumption rather than on the snapshot (see
    /// `assumptions`); such paths rank below confirmed ones from the internet.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub assumed: bool,
    /// Why, once per distinct reason, in path order.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub assumptions: Vec<String>,
    /// The known remotely exploitable vulnerability the path enters by (`CVE-2024-6387`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub entry_vulnerability: Option<String>,
    /// Types of the audit-log alerts active on the path's nodes (see `detect::link`);
    /// such paths are ranked first.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub alerts: Vec<String>,
    /// `risk` factor by factor, in words, and `length` reconciled with `steps`.
    /// (Default only when read from an analysis saved before it existed.)
    #[serde(default)]
    pub risk_factors: RiskFactors,
    /// Every change that breaks the path, in path order: the fix of each technique
    /// step, and the image upgrade of its entry vulnerability.
    #[serde(default)]
    pub breaks: Vec<PathBreak>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PathStep {
    /// Edge kind (`CE_PRIV_MOUNT`, `ROUTES_TO`, ...).
    pub edge: EdgeKind,
    pub technique: bool,
    /// Node ids (see `graph` in the analysis).
    pub from: String,
    pub to: String,
    /// How the nodes are named (`Deployment shop/web`) and their kinds, for diagrams.
    pub from_label: String,
    pub to_label: String,
    pub from_kind: NodeKind,
    pub to_kind: NodeKind,
    pub sentence: String,
    /// Likelihood the step succeeds, 0–1.
    pub likelihood: f64,
    /// Why the step cannot be confirmed from the snapshot, when it is only assumed or
    /// possible.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub assumption: Option<String>,
    /// The cluster of the node the step reaches, in an analysis of several clusters;
    /// empty with one, and for the cloud identities and data that clusters share.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub cluster: String,
}

/// The fixes that break the most paths.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ChokePoints {
    /// Fixes on any path, greedy order: each breaks the most paths the ones before it
    /// leave.
    pub fixes: Vec<ChokeFix>,
    /// How many of the first `fixes` the summary recommends.
    pub recommended: usize,
    pub paths_before: usize,
    /// Paths that remain, recomputed, after the recommended fixes.
    pub paths_after: usize,
    /// "Fix these 3 things and 41 of 44 attack paths disappear."
    pub summary: String,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ChokeFix {
    /// The rule whose finding on `resource` is the fix.
    pub rule: String,
    pub resource: ResourceRef,
    /// Paths that contain the fix.
    pub paths: usize,
    /// Paths that remain, recomputed, once this and every earlier fix are applied
    /// (only for the first fixes).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub remaining: Option<usize>,
}

/// Security insights of one workload.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct WorkloadInsights {
    pub resource: ResourceRef,
    /// `exposedToInternet`, `privileged`, `hostNetwork`, `hostPID`, `hostIPC`,
    /// `canEscapeToHost`, `criticalVulnerabilities`, `highVulnerabilities`,
    /// `remotelyExploitableVulnerabilities`, `reachesClusterAdmin`, `readsSecrets`,
    /// `readsKubeSystemSecrets`.
    pub insights: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub exposure: Vec<Exposure>,
}

/// The cost of a route: −log of its likelihood in millionths (integers, so sums are
/// exact and ties deterministic), then technique steps, then edges.
type Cost = (u64, u32, u32);
const UNREACHED: Cost = (u64::MAX, u32::MAX, u32::MAX);
/// Fixes chosen with their effect recomputed exactly.
const RECOMPUTED_FIXES: usize = 5;
/// Candidate fixes tried in each round of the choice.
const CANDIDATES: usize = 10;
/// Fixes listed in the report.
const LISTED_FIXES: usize = 20;

/// (entry, target class) pairs: what a path is, for counting.
type Pairs = HashSet<(NodeIndex, Target)>;

/// Costs to each target class and the edge to follow.
struct Reach {
    dist: Vec<Vec<Cost>>,
    next: Vec<Vec<u32>>,
}

fn add(a: Cost, b: Cost) -> Cost {
    (a.0.saturating_add(b.0), a.1 + b.1, a.2 + b.2)
}

/// An entry point: a workload (or the API server) and the nodes an attacker starts
/// from, each with the exposure edges leading to it.
struct Entry {
    node: NodeIndex,
    resource: ResourceRef,
    starts: Vec<(NodeIndex, Vec<EdgeIndex>)>,
    internet: bool,
}

/// The traversable edges into each node, `(source node, edge index)`, in one contiguous
/// array (node `v`'s are `edges[start[v]..start[v + 1]]`), in petgraph's order so ties
/// break as before. The reverse searches run 1 + (fixes tried) times over the whole
/// graph; petgraph's per-node edge lists are linked lists scattered over memory, and
/// following them was most of the searches' time on large graphs (cache misses that
/// grow with the graph).
struct Incoming {
    start: Vec<u32>,
    edges: Vec<(u32, u32)>,
}

impl Incoming {
    fn of(g: &SecurityGraph) -> Incoming {
        let mut start = Vec::with_capacity(g.graph.node_count() + 1);
        let mut edges = Vec::with_capacity(g.graph.edge_count());
        for v in g.graph.node_indices() {
            start.push(edges.len() as u32);
            for e in g.graph.edges_directed(v, Direction::Incoming) {
                if e.weight().kind.info().traversable {
                    edges.push((e.source().index() as u32, e.id().index() as u32));
                }
            }
        }
        start.push(edges.len() as u32);
        Incoming { start, edges }
    }

    fn sources(&self, v: usize) -> &[(u32, u32)] {
        &self.edges[self.start[v] as usize..self.start[v + 1] as usize]
    }
}

/// A path before it is rendered.
struct Found {
    entry: usize,
    target: Target,
    edges: Vec<EdgeIndex>,
}

impl SecurityGraph {
    /// Finds, ranks and explains the attack paths.
    pub fn attack_paths(&self, options: &PathOptions) -> AttackPathReport {
        let none = HashSet::new();
        let incoming = Incoming::of(self);
        let reach = self.reach(&incoming, &none);
        let entries = self.entries(&none, options.assume_breach);
        let found = self.find_paths(&entries, &reach);

        // Fixes per path, and greedy choke points.
        let path_fixes: Vec<BTreeSet<u32>> = found
            .iter()
            .map(|f| f.edges.iter().filter_map(|&e| self.graph[e].fix).collect())
            .collect();
        let choke = self.choke_points(
            &incoming,
            &found,
            &entries,
            &path_fixes,
            options.assume_breach,
        );

        let fix_pos: BTreeMap<u32, usize> =
            choke.1.iter().enumerate().map(|(i, &f)| (f, i)).collect();
        let mut ranked: Vec<(f64, usize)> = found
            .iter()
            .enumerate()
            .map(|(i, f)| (self.risk(f, &entries), i))
            .collect();
        // From the internet, confirmed paths first; then by risk.
        let assumed: Vec<bool> = found
            .iter()
            .map(|f| {
                !options.assume_breach
                    && f.edges.iter().any(|&e| self.graph[e].assumption.is_some())
            })
            .collect();
        ranked.sort_by(|a, b| {
            assumed[a.1]
                .cmp(&assumed[b.1])
                .then_with(|| b.0.total_cmp(&a.0))
                .then_with(|| found[a.1].edges.len().cmp(&found[b.1].edges.len()))
                .then_with(|| a.1.cmp(&b.1))
        });
        let paths = ranked
            .iter()
            .take(options.max_paths)
            .map(|&(risk, i)| {
                let mut fixes: Vec<usize> = path_fixes[i]
                    .iter()
                    .filter_map(|f| fix_pos.get(f).copied())
                    .collect();
                fixes.sort_unstable();
                self.render(&found[i], &entries, risk, fixes, &fix_pos)
            })
            .collect();
        let mut by_target = BTreeMap::new();
        for f in &found {
            *by_target
                .entry(Target::name(f.target).to_string())
                .or_insert(0) += 1;
        }
        AttackPathReport {
            mode: if options.assume_breach {
                "assume-breach"
            } else {
                "internet"
            }
            .into(),
            entries: entries.len(),
            total: found.len(),
            paths,
            by_target,
            choke_points: choke.0,
            insights: self.insights(&reach),
            graph_size: GraphSize {
                nodes: self.graph.node_count(),
                edges: self.graph.edge_count(),
            },
        }
    }

    /// The cost of following an edge.
    fn cost(&self, e: EdgeIndex) -> Cost {
        let w = &self.graph[e];
        let p = w.exploitability().clamp(1e-6, 1.0);
        let log = (-p.ln() * 1e6).round() as u64;
        (log, w.kind.info().technique as u32, 1)
    }

    /// Per edge: whether paths may follow it once `removed` fixes are applied.
    fn passable(&self, removed: &HashSet<u32>) -> Vec<bool> {
        self.graph
            .edge_weights()
            .map(|w| w.kind.info().traversable && !w.fix.is_some_and(|f| removed.contains(&f)))
            .collect()
    }

    /// Reverse Dijkstra search from the targets of every class over −log likelihood,
    /// skipping edges removed by `removed` fixes.
    fn reach(&self, incoming: &Incoming, removed: &HashSet<u32>) -> Reach {
        let n = self.graph.node_count();
        let passable = self.passable(removed);
        let costs: Vec<Cost> = self.graph.edge_indices().map(|e| self.cost(e)).collect();
        let mut dist = Vec::with_capacity(Target::ALL.len());
        let mut next = Vec::with_capacity(Target::ALL.len());
        for target in Target::ALL {
            let mut d = vec![UNREACHED; n];
            let mut nx = vec![u32::MAX; n];
            let mut heap = BinaryHeap::new();
            for i in self.graph.node_indices() {
                if self.graph[i].is_target(target) {
                    d[i.index()] = (0, 0, 0);
                    heap.push(Reverse(((0, 0, 0), i.index() as u32)));
                }
            }
            while let Some(Reverse((dv, v))) = heap.pop() {
                if dv > d[v as usize] {
                    continue;
                }
                for &(u, ei) in incoming.sources(v as usize) {
                    let (u, ei) = (u as usize, ei as usize);
                    if !passable[ei] {
                        continue;
                    }
                    let du = add(dv, costs[ei]);
                    if du < d[u] {
                        d[u] = du;
                        nx[u] = ei as u32;
                        heap.push(Reverse((du, u as u32)));
                    }
                }
            }
            dist.push(d);
            next.push(nx);
        }
        Reach { dist, next }
    }

    /// Which target classes each node reaches once `removed` fixes are applied (bit
    /// `i` for `Target::ALL[i]`): what choke points recompute. One reverse search
    /// carries every class at once, so a node is revisited only when it learns a class.
    fn reachable(&self, incoming: &Incoming, removed: &HashSet<u32>) -> Vec<u8> {
        let passable = self.passable(removed);
        let mut mask = vec![0u8; self.graph.node_count()];
        let mut queue = VecDeque::new();
        for i in self.graph.node_indices() {
            let node = &self.graph[i];
            for (ti, target) in Target::ALL.into_iter().enumerate() {
                if node.is_target(target) {
                    mask[i.index()] |= 1 << ti;
                }
            }
            if mask[i.index()] != 0 {
                queue.push_back(i);
            }
        }
        while let Some(v) = queue.pop_front() {
            let bits = mask[v.index()];
            for &(u, ei) in incoming.sources(v.index()) {
                let u = u as usize;
                if !passable[ei as usize] {
                    continue;
                }
                if bits & !mask[u] != 0 {
                    mask[u] |= bits;
                    queue.push_back(NodeIndex::new(u));
                }
            }
        }
        mask
    }

    /// Entry points: what the internet reaches (exposure edges only), and with
    /// `assume_breach` every workload.
    fn entries(&self, removed: &HashSet<u32>, assume_breach: bool) -> Vec<Entry> {
        let mut out: Vec<Entry> = Vec::new();
        let Some(internet) = self.find("internet") else {
            return out;
        };
        // Forward search over exposure edges.
        let mut parent: Vec<Option<EdgeIndex>> = vec![None; self.graph.node_count()];
        let mut seen = vec![false; self.graph.node_count()];
        seen[internet.index()] = true;
        let mut queue = VecDeque::from([internet]);
        let mut reached: Vec<NodeIndex> = Vec::new();
        while let Some(v) = queue.pop_front() {
            for e in self.graph.edges(v) {
                let w = e.weight();
                if !matches!(w.kind, EdgeKind::ROUTES_TO | EdgeKind::ENDPOINT_EXPLOIT)
                    || w.fix.is_some_and(|f| removed.contains(&f))
                {
                    continue;
                }
                let t = e.target();
                if !seen[t.index()] {
                    seen[t.index()] = true;
                    parent[t.index()] = Some(e.id());
                    queue.push_back(t);
                    reached.push(t);
                }
            }
        }
        let prefix = |mut v: NodeIndex| -> Vec<EdgeIndex> {
            let mut edges = Vec::new();
            while let Some(e) = parent[v.index()] {
                edges.push(e);
                v = self
                    .graph
                    .edge_endpoints(e)
                    .map(|(s, _)| s)
                    .unwrap_or(internet);
            }
            edges.reverse();
            edges
        };
        if let Some(api) = self.find("apiserver").filter(|a| seen[a.index()]) {
            let resource = self.graph[api].resource.clone().unwrap_or(ResourceRef {
                kind: "Cluster".into(),
                namespace: String::new(),
                name: self.graph[api].name.clone(),
                cluster: String::new(),
            });
            out.push(Entry {
                node: api,
                resource,
                starts: vec![(api, prefix(api))],
                internet: true,
            });
        }
        // Data stores anyone may read (CLOUD_PUBLIC_ACCESS): entries of their own.
        for e in self.graph.edges(internet) {
            let w = e.weight();
            if w.kind != EdgeKind::CLOUD_PUBLIC_ACCESS
                || w.fix.is_some_and(|f| removed.contains(&f))
            {
                continue;
            }
            let store = e.target();
            let resource = self.graph[store].resource.clone().unwrap_or(ResourceRef {
                kind: "AWS::S3::Bucket".into(),
                namespace: String::new(),
                name: self.graph[store].name.clone(),
                cluster: String::new(),
            });
            out.push(Entry {
                node: store,
                resource,
                starts: vec![(store, vec![e.id()])],
                internet: true,
            });
        }
        for unit in &self.units {
            let starts: Vec<(NodeIndex, Vec<EdgeIndex>)> = unit
                .containers
                .iter()
                .filter(|c| seen[c.index()])
                .map(|&c| (c, prefix(c)))
                .collect();
            if !starts.is_empty() {
                out.push(Entry {
                    node: unit.workload,
                    resource: unit.resource.clone(),
                    starts,
                    internet: true,
                });
            } else if assume_breach && !unit.containers.is_empty() {
                out.push(Entry {
                    node: unit.workload,
                    resource: unit.resource.clone(),
                    starts: unit.containers.iter().map(|&c| (c, Vec::new())).collect(),
                    internet: false,
                });
            }
        }
        out
    }

    /// The likeliest path from each entry to each target class it reaches.
    fn find_paths(&self, entries: &[Entry], reach: &Reach) -> Vec<Found> {
        let mut out = Vec::new();
        for (ei, entry) in entries.iter().enumerate() {
            for (ti, target) in Target::ALL.into_iter().enumerate() {
                let dist = &reach.dist[ti];
                let best = entry
                    .starts
                    .iter()
                    .filter(|(n, _)| dist[n.index()] != UNREACHED)
                    .min_by_key(|(n, p)| {
                        let prefix = p.iter().fold((0, 0, 0), |c, &e| add(c, self.cost(e)));
                        (add(prefix, dist[n.index()]), n.index())
                    });
                let Some((start, prefix)) = best else {
                    continue;
                };
                let mut edges = prefix.clone();
                let mut v = *start;
                while dist[v.index()] != (0, 0, 0) {
                    let e = EdgeIndex::new(reach.next[ti][v.index()] as usize);
                    edges.push(e);
                    v = self.graph.edge_endpoints(e).map(|(_, t)| t).unwrap_or(v);
                }
                // The same route to a stronger target class already says it all
                // (every namespace's secrets include kube-system's).
                if out
                    .iter()
                    .rev()
                    .take_while(|f: &&Found| f.entry == ei)
                    .any(|f| f.edges == edges)
                {
                    continue;
                }
                out.push(Found {
                    entry: ei,
                    target,
                    edges,
                });
            }
        }
        out
    }

    /// The (entry, target) pairs still connected once `removed` fixes are applied.
    fn remaining(
        &self,
        incoming: &Incoming,
        removed: &HashSet<u32>,
        assume_breach: bool,
    ) -> HashSet<(NodeIndex, Target)> {
        let reachable = self.reachable(incoming, removed);
        let entries = self.entries(removed, assume_breach);
        let mut out = HashSet::new();
        for entry in &entries {
            for (ti, target) in Target::ALL.into_iter().enumerate() {
                if entry
                    .starts
                    .iter()
                    .any(|(n, _)| reachable[n.index()] & (1 << ti) != 0)
                {
                    out.insert((entry.node, target));
                }
            }
        }
        out
    }

    fn technique_edges<'a>(&'a self, f: &'a Found) -> impl Iterator<Item = EdgeIndex> + 'a {
        f.edges
            .iter()
            .copied()
            .filter(|&e| self.graph[e].kind.info().technique)
    }

    /// exposure × the product of the step likelihoods × impact, 0–100.
    fn risk(&self, f: &Found, entries: &[Entry]) -> f64 {
        // `risk_factors` spells out the same factors.
        let exposure = super::explain::exposure(entries[f.entry].internet);
        let likelihood: f64 = f
            .edges
            .iter()
            .map(|&e| self.graph[e].exploitability())
            .product();
        let risk = 100.0 * exposure * likelihood * f.target.impact();
        (risk * 10.0).round() / 10.0
    }

    /// Choke points: a greedy choice of fixes, each the one that leaves the fewest
    /// paths (recomputed exactly among the candidates that lie on the most open
    /// paths), then the other fixes by how many paths contain them. Returns the report
    /// and the fix ids in its order.
    fn choke_points(
        &self,
        incoming: &Incoming,
        found: &[Found],
        entries: &[Entry],
        path_fixes: &[BTreeSet<u32>],
        assume_breach: bool,
    ) -> (ChokePoints, Vec<u32>) {
        let mut count: BTreeMap<u32, usize> = BTreeMap::new();
        for set in path_fixes {
            for &f in set {
                *count.entry(f).or_insert(0) += 1;
            }
        }
        let keys: Vec<(NodeIndex, Target)> = found
            .iter()
            .map(|f| (entries[f.entry].node, f.target))
            .collect();
        let before = found.len();
        let mut open: Pairs = keys.iter().copied().collect();
        let mut chosen: Vec<(u32, usize)> = Vec::new();
        let mut removed: HashSet<u32> = HashSet::new();
        while chosen.len() < RECOMPUTED_FIXES && !open.is_empty() {
            // Candidates: the fixes on the most paths still open.
            let mut on_open: BTreeMap<u32, usize> = BTreeMap::new();
            for (set, key) in path_fixes.iter().zip(&keys) {
                if open.contains(key) {
                    for &f in set.iter().filter(|f| !removed.contains(f)) {
                        *on_open.entry(f).or_insert(0) += 1;
                    }
                }
            }
            let mut candidates: Vec<(usize, u32)> =
                on_open.into_iter().map(|(f, n)| (n, f)).collect();
            candidates.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
            candidates.truncate(CANDIDATES);
            let mut best: Option<(usize, u32, Pairs)> = None;
            for (_, f) in candidates {
                removed.insert(f);
                let left = self.remaining(incoming, &removed, assume_breach);
                removed.remove(&f);
                if best.as_ref().is_none_or(|(n, _, _)| left.len() < *n) {
                    best = Some((left.len(), f, left));
                }
            }
            match best {
                Some((n, f, left)) if n < open.len() => {
                    removed.insert(f);
                    chosen.push((f, n));
                    open = left;
                }
                _ => break,
            }
        }
        let recommended = chosen.len();
        let after = chosen.last().map_or(before, |c| c.1);
        let mut order: Vec<u32> = chosen.iter().map(|c| c.0).collect();
        let mut rest: Vec<(usize, u32)> = count
            .iter()
            .filter(|(f, _)| !removed.contains(f))
            .map(|(&f, &n)| (n, f))
            .collect();
        rest.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
        order.extend(
            rest.iter()
                .take(LISTED_FIXES.saturating_sub(order.len()))
                .map(|r| r.1),
        );
        let fixes: Vec<ChokeFix> = order
            .iter()
            .enumerate()
            .map(|(i, &f)| {
                let fix = &self.fixes[f as usize];
                ChokeFix {
                    rule: fix.rule.clone(),
                    resource: fix.resource.clone(),
                    paths: count[&f],
                    remaining: chosen.get(i).map(|c| c.1),
                }
            })
            .collect();
        let summary = match (before, recommended) {
            (0, _) => "No attack path found.".to_string(),
            (_, 0) => format!("No single fix breaks any of the {before} attack paths."),
            (_, 1) => format!(
                "Apply this fix and {} of {before} attack paths disappear.",
                before - after
            ),
            (_, n) => format!(
                "Apply these {n} fixes and {} of {before} attack paths disappear.",
                before - after
            ),
        };
        (
            ChokePoints {
                fixes,
                recommended,
                paths_before: before,
                paths_after: after,
                summary,
            },
            order,
        )
    }

    fn render(
        &self,
        f: &Found,
        entries: &[Entry],
        risk: f64,
        fixes: Vec<usize>,
        fix_pos: &BTreeMap<u32, usize>,
    ) -> AttackPath {
        let entry = &entries[f.entry];
        let api_server = self.graph[entry.node].kind == NodeKind::ApiServer;
        let steps: Vec<PathStep> = f
            .edges
            .iter()
            .map(|&e| {
                let (s, t) = self.graph.edge_endpoints(e).expect("edge of the graph");
                let w = &self.graph[e];
                let info = w.kind.info();
                let sentence = info
                    .sentence
                    .replace("{from}", &self.graph[s].label())
                    .replace("{to}", &self.graph[t].label())
                    .replace("{detail}", &w.detail);
                PathStep {
                    edge: w.kind,
                    technique: info.technique,
                    from: self.graph[s].id.clone(),
                    to: self.graph[t].id.clone(),
                    from_label: self.graph[s].label(),
                    to_label: self.graph[t].label(),
                    from_kind: self.graph[s].kind,
                    to_kind: self.graph[t].kind,
                    sentence: capitalise(&sentence),
                    likelihood: w.exploitability(),
                    assumption: w.assumption.clone(),
                    cluster: self.graph[t].cluster.clone(),
                }
            })
            .collect();
        let mut mitre: Vec<String> = Vec::new();
        for &e in &f.edges {
            for m in self.graph[e].kind.info().mitre {
                if !mitre.iter().any(|x| x == m) {
                    mitre.push(m.to_string());
                }
            }
        }
        let exposure = if entry.internet {
            entry
                .starts
                .iter()
                .flat_map(|(c, _)| self.exposures.get(c).into_iter().flatten())
                .cloned()
                .collect::<BTreeSet<_>>()
                .into_iter()
                .collect()
        } else {
            Vec::new()
        };
        let mut assumptions: Vec<String> = Vec::new();
        for a in steps.iter().filter_map(|s| s.assumption.as_ref()) {
            if !assumptions.contains(a) {
                assumptions.push(a.clone());
            }
        }
        AttackPath {
            id: format!(
                "{} -> {}",
                self.graph[entry.node].id,
                Target::name(f.target)
            ),
            title: self.title(f, entry),
            assumed: !assumptions.is_empty(),
            assumptions,
            entry_vulnerability: self.entry_vulnerability(f).cloned(),
            risk,
            target: f.target,
            entry: entry.resource.clone(),
            exposure,
            length: self.technique_edges(f).count(),
            steps,
            mitre,
            fixes,
            alerts: Vec::new(),
            risk_factors: self.risk_factors(&f.edges, f.target, entry.internet, api_server, risk),
            breaks: self.path_breaks(&f.edges, fix_pos, &entry.resource),
        }
    }

    /// The known remotely exploitable vulnerability of the container the path enters
    /// by.
    fn entry_vulnerability(&self, f: &Found) -> Option<&String> {
        f.edges
            .iter()
            .filter(|&&e| self.graph[e].kind == EdgeKind::ENDPOINT_EXPLOIT)
            .filter_map(|&e| self.graph.edge_endpoints(e))
            .find_map(|(_, t)| self.remote_vulnerabilities.get(&t).map(|v| &v.id))
    }

    /// A title in the style of Defender's: who, then what they can do.
    fn title(&self, f: &Found, entry: &Entry) -> String {
        let who = match (self.graph[entry.node].kind, entry.internet) {
            (NodeKind::ApiServer, _) => "Anonymous users of the public API server".to_string(),
            (_, true) => {
                let cve = self.entry_vulnerability(f);
                let running = cve
                    .map(|id| format!(" running an image with remotely exploitable {id}"))
                    .unwrap_or_default();
                format!(
                    "Internet-exposed {} {}/{}{running}",
                    entry.resource.kind, entry.resource.namespace, entry.resource.name
                )
            }
            (_, false) => format!(
                "A compromised {} {}/{}",
                entry.resource.kind, entry.resource.namespace, entry.resource.name
            ),
        };
        let mut phrases: Vec<String> = Vec::new();
        fn push(phrases: &mut Vec<String>, p: String) {
            if phrases.last() != Some(&p) {
                phrases.push(p);
            }
        }
        for &e in &f.edges {
            let (_, t) = self.graph.edge_endpoints(e).expect("edge of the graph");
            let to = &self.graph[t];
            use EdgeKind::*;
            match self.graph[e].kind {
                CE_PRIV_MOUNT
                | CE_NSENTER
                | CE_MODULE_LOAD
                | CE_SYS_PTRACE
                | CE_UMH_CORE_PATTERN
                | CE_VAR_LOG_SYMLINK
                | EXPLOIT_HOST_READ
                | EXPLOIT_HOST_WRITE
                | EXPLOIT_CONTAINERD_SOCK => push(
                    &mut phrases,
                    match to.kind {
                        NodeKind::Node => format!("escape to node {}", to.name),
                        _ => "escape to its node".into(),
                    },
                ),
                TOKEN_STEAL
                | EXPLOIT_HOST_TRAVERSE
                | TOKEN_LIST
                | TOKEN_BRUTEFORCE
                | NODE_TOKEN_REQUEST => {
                    push(&mut phrases, format!("steal the token of {}", to.label()))
                }
                NODE_IDENTITY_ASSUME => push(&mut phrases, "use the kubelet's credentials".into()),
                CLOUD_KUBE_IDENTITY if to.kind != NodeKind::ClusterAdmin => push(
                    &mut phrases,
                    format!("act in the cluster as {}", to.label()),
                ),
                ROLE_ESCALATE => push(&mut phrases, "rewrite its own role".into()),
                CSR_APPROVE => push(
                    &mut phrases,
                    "sign itself a system:masters client certificate".into(),
                ),
                WEBHOOK_MUTATE => push(
                    &mut phrases,
                    "inject code into new pods with a mutating webhook".into(),
                ),
                WEBHOOK_INTERCEPT => push(
                    &mut phrases,
                    "intercept secrets with an admission webhook".into(),
                ),
                PV_CREATE => push(
                    &mut phrases,
                    "take over any node with a hostPath PersistentVolume".into(),
                ),
                TOKEN_REQUEST | IDENTITY_IMPERSONATE if to.kind != NodeKind::ClusterAdmin => {
                    push(&mut phrases, format!("act as {}", to.label()))
                }
                POD_EXEC | POD_PATCH | NODE_PROXY => {
                    push(&mut phrases, format!("run code in {}", to.label()))
                }
                POD_CREATE if to.kind == NodeKind::AllNodes => push(
                    &mut phrases,
                    "take over any node with a privileged pod".into(),
                ),
                POD_CREATE => push(&mut phrases, format!("create pods as {}", to.label())),
                ROLE_BIND => push(&mut phrases, "bind itself a stronger role".into()),
                SHARE_PS_NAMESPACE => push(
                    &mut phrases,
                    format!("reach {} of the same pod", to.label()),
                ),
                _ => {}
            }
        }
        let last = f
            .edges
            .last()
            .and_then(|&e| self.graph.edge_endpoints(e))
            .map(|(_, t)| &self.graph[t]);
        let end = match (f.target, last) {
            (Target::ClusterAdmin, _) => "gain cluster-admin rights".to_string(),
            (Target::NodeTakeover, Some(n)) if n.kind == NodeKind::Node => {
                format!("take over node {}", n.name)
            }
            (Target::NodeTakeover, _) => "take over a node".to_string(),
            (Target::KubeSystemSecrets | Target::Secrets, Some(n))
                if n.kind == NodeKind::Secret =>
            {
                format!("read {}", n.label())
            }
            (Target::KubeSystemSecrets | Target::Secrets, Some(n)) if n.name == "*" => {
                "read the secrets of every namespace".to_string()
            }
            (Target::KubeSystemSecrets, _) => "read kube-system's secrets".to_string(),
            (Target::Secrets, Some(n)) => format!("read the secrets of namespace {}", n.name),
            (Target::CloudAdmin, Some(n)) if n.kind == NodeKind::CloudIdentity => {
                match n.properties.get("access") {
                    Some(access) => format!("assume {} with {access}", n.label()),
                    None => format!("assume {}", n.label()),
                }
            }
            (Target::CloudData, Some(n)) if n.kind == NodeKind::CloudResource => {
                let through = f
                    .edges
                    .iter()
                    .rev()
                    .filter_map(|&e| self.graph.edge_endpoints(e))
                    .map(|(from, _)| &self.graph[from])
                    .find(|m| m.kind == NodeKind::CloudIdentity);
                match through {
                    Some(role) => format!("read {} as {}", n.label(), role.label()),
                    None => format!("read {}", n.label()),
                }
            }
            (t, _) => format!("reach {}", t.label()),
        };
        // An escape already says the node is taken.
        let escaped = phrases
            .last()
            .is_some_and(|p| p.starts_with("escape to") || p.starts_with("take over any node"));
        if !(f.target == Target::NodeTakeover && escaped) {
            push(&mut phrases, end);
        }
        let body = match phrases.len() {
            0 => String::new(),
            1 => phrases[0].clone(),
            n => format!("{} and {}", phrases[..n - 1].join(", "), phrases[n - 1]),
        };
        format!("{who} can {body}")
    }

    fn insights(&self, reach: &Reach) -> Vec<WorkloadInsights> {
        let ti = |t: Target| Target::ALL.iter().position(|x| *x == t).unwrap_or(0);
        let reaches = |unit: &super::UnitNodes, t: Target| {
            unit.containers
                .iter()
                .any(|c| reach.dist[ti(t)][c.index()] != UNREACHED)
        };
        let mut out = Vec::new();
        for unit in &self.units {
            let exposure: Vec<Exposure> = unit
                .containers
                .iter()
                .flat_map(|c| self.exposures.get(c).into_iter().flatten())
                .cloned()
                .collect::<BTreeSet<_>>()
                .into_iter()
                .collect();
            let mut insights: Vec<String> = Vec::new();
            if !exposure.is_empty() {
                insights.push("exposedToInternet".into());
            }
            insights.extend(unit.flags.iter().map(|s| s.to_string()));
            if reaches(unit, Target::ClusterAdmin) {
                insights.push("reachesClusterAdmin".into());
            }
            if reaches(unit, Target::KubeSystemSecrets) {
                insights.push("readsKubeSystemSecrets".into());
            }
            if reaches(unit, Target::Secrets) {
                insights.push("readsSecrets".into());
            }
            if reaches(unit, Target::CloudAdmin) {
                insights.push("reachesCloudAdmin".into());
            }
            if reaches(unit, Target::CloudData) {
                insights.push("readsCloudData".into());
            }
            if !insights.is_empty() {
                out.push(WorkloadInsights {
                    resource: unit.resource.clone(),
                    insights,
                    exposure,
                });
            }
        }
        out.sort_by(|a, b| a.resource.cmp(&b.resource));
        out
    }
}

fn capitalise(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().chain(c).collect(),
        None => String::new(),
    }
}
