//! Evaluation of a [`Query`] over one snapshot's graph and analysis.
//!
//! [`QueryContext::new`] gathers, once, what conditions read about each graph node
//! (insights, findings, vulnerabilities, alerts, labels, ports). [`QueryContext::run`]
//! then works on node sets: the start set, a forward breadth-first search per step
//! (hop-bounded, one visited set per search), a backward pass that keeps only nodes on
//! complete chains, the successors of each kept node (a search per node only for
//! multi-hop steps, from the smaller side and inside the region the set searches
//! marked), chain counts by dynamic programming and the first chains in node id order.

use crate::model::meta::SmallMap;
use std::collections::HashMap;

use petgraph::graph::NodeIndex;
use petgraph::visit::EdgeRef;
use petgraph::Direction as PDir;

use super::{
    severity_rank, Condition, Direction, Flag, Query, Relation, SeverityField, Step, Test,
    TextField, TextOp,
};
use crate::analysis::Analysis;
use crate::graph::{EdgeKind, Node, NodeKind, SecurityGraph};
use crate::model::image::ImageRef;
use crate::model::Inventory;
use crate::rules::ResourceRef;

/// Chains a query returns at most; the total is counted in full.
pub const MAX_CHAINS: usize = 10_000;

/// Edges a query may scan while listing successors before it stops and says its
/// answer is incomplete (hostile or pathological queries on huge graphs).
const WORK_BUDGET: u64 = 50_000_000;

/// What a query found.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct QueryResult {
    /// The first chains in node id order, one node per positive step, start first.
    pub chains: Vec<Vec<NodeIndex>>,
    /// Every matching chain, counted (saturating).
    pub total: u64,
    /// False when the work budget ran out: `chains` and `total` are a lower bound.
    pub complete: bool,
}

/// What conditions read about one node.
#[derive(Clone, Debug, Default)]
struct Facts {
    flags: u32,
    /// Normalised image references it runs (or is).
    images: Vec<String>,
    vulnerability: Option<u8>,
    fixable: Option<u8>,
    remote: Option<u8>,
    /// Failing rules on its resource, with their severity rank.
    findings: Vec<(String, u8)>,
    alerts: Vec<(String, u8)>,
    ports: Vec<i64>,
    labels: Option<SmallMap>,
}

impl Facts {
    fn merge(&mut self, other: &Facts) {
        self.flags |= other.flags;
        for i in &other.images {
            if !self.images.contains(i) {
                self.images.push(i.clone());
            }
        }
        self.vulnerability = self.vulnerability.max(other.vulnerability);
        self.fixable = self.fixable.max(other.fixable);
        self.remote = self.remote.max(other.remote);
        for p in &other.ports {
            if !self.ports.contains(p) {
                self.ports.push(*p);
            }
        }
    }
}

/// Most severe vulnerability, fixable one and remotely exploitable one (ranks).
type Severities = (Option<u8>, Option<u8>, Option<u8>);

fn flag_bit(f: Flag) -> u32 {
    1 << (f as u32)
}

fn edge_bit(e: EdgeKind) -> u64 {
    1 << (e as u64)
}

/// The insight names of [`crate::graph::paths::WorkloadInsights`] as flags.
fn insight_flag(name: &str) -> Option<Flag> {
    Some(match name {
        "exposedToInternet" => Flag::Exposed,
        "privileged" => Flag::Privileged,
        "hostNetwork" => Flag::HostNetwork,
        "hostPID" => Flag::HostPid,
        "hostIPC" => Flag::HostIpc,
        "canEscapeToHost" => Flag::EscapesToHost,
        "reachesClusterAdmin" => Flag::ReachesClusterAdmin,
        "readsSecrets" => Flag::ReadsSecrets,
        "readsKubeSystemSecrets" => Flag::ReadsKubeSystemSecrets,
        "criticalVulnerabilities" => Flag::CriticalVulnerabilities,
        "remotelyExploitableVulnerabilities" => Flag::RemotelyExploitable,
        crate::detect::link::INSIGHT => Flag::HasAlerts,
        _ => return None,
    })
}

/// The Kubernetes object a node stands for, for findings and labels.
fn resource_of(node: &Node) -> Option<ResourceRef> {
    if let Some(r) = &node.resource {
        return Some(r.clone());
    }
    let kind = match node.kind {
        NodeKind::Pod => "Pod",
        NodeKind::Service => "Service",
        NodeKind::Ingress => "Ingress",
        NodeKind::ServiceAccount => "ServiceAccount",
        NodeKind::Node => "Node",
        NodeKind::Secret => "Secret",
        NodeKind::Namespace if node.name != "*" => {
            return Some(ResourceRef {
                kind: "Namespace".into(),
                namespace: String::new(),
                name: node.name.clone(),
                cluster: String::new(),
            })
        }
        _ => return None,
    };
    Some(ResourceRef {
        kind: kind.into(),
        namespace: node.namespace.clone(),
        name: node.name.clone(),
        cluster: String::new(),
    })
}

/// The graph, and what conditions read about its nodes, of one snapshot.
pub struct QueryContext {
    graph: SecurityGraph,
    /// The steps the graph allows, for the Explorer's builder.
    steps: Vec<super::StepOption>,
    facts: Vec<Facts>,
    /// Each node's position in node id order.
    rank: Vec<u32>,
}

impl QueryContext {
    /// Gathers the facts of `graph`'s nodes from the inventories it was built from (one
    /// per cluster, in the analysis's order) and
    /// the analysis concluded from it; the context keeps the graph.
    pub fn new(graph: SecurityGraph, inventories: &[&Inventory], analysis: &Analysis) -> Self {
        let facts = gather(&graph, inventories, analysis);
        let g = &graph.graph;
        let mut order: Vec<NodeIndex> = g.node_indices().collect();
        order.sort_by(|a, b| g[*a].id.cmp(&g[*b].id));
        let mut rank = vec![0; g.node_count()];
        for (r, i) in order.iter().enumerate() {
            rank[i.index()] = r as u32;
        }
        let steps = step_options(&graph);
        QueryContext {
            graph,
            steps,
            facts,
            rank,
        }
    }

    /// Gathers the nodes' facts again from `analysis`, concluded from the same graph
    /// and inventory with other exemptions (exempted findings do not count).
    pub fn refresh(&mut self, inventories: &[&Inventory], analysis: &Analysis) {
        self.facts = gather(&self.graph, inventories, analysis);
    }
}

/// Every (kind, named relation, direction, kind) that some edge of `graph` fits.
fn step_options(graph: &SecurityGraph) -> Vec<super::StepOption> {
    use std::collections::BTreeSet;
    let g = &graph.graph;
    let mut shapes: BTreeSet<(NodeKind, EdgeKind, NodeKind)> = BTreeSet::new();
    for e in g.edge_indices() {
        if let Some((a, b)) = g.edge_endpoints(e) {
            shapes.insert((g[a].kind, g[e].kind, g[b].kind));
        }
    }
    let mut out: BTreeSet<super::StepOption> = BTreeSet::new();
    for (a, edge, b) in shapes {
        for (r, _) in super::RELATIONS.iter().enumerate() {
            if !Relation::Named(r).follows(edge) {
                continue;
            }
            for &from in super::Kind::ALL.iter().filter(|k| k.matches(a)) {
                for &to in super::Kind::ALL.iter().filter(|k| k.matches(b)) {
                    out.insert(super::StepOption {
                        from,
                        outgoing: true,
                        relation: r,
                        to,
                    });
                    out.insert(super::StepOption {
                        from: to,
                        outgoing: false,
                        relation: r,
                        to: from,
                    });
                }
            }
        }
    }
    out.into_iter().collect()
}

/// What conditions read about each node of `graph`.
fn gather(graph: &SecurityGraph, inventories: &[&Inventory], analysis: &Analysis) -> Vec<Facts> {
    let g = &graph.graph;
    let n = g.node_count();
    let mut facts = vec![Facts::default(); n];
    let mut by_resource: HashMap<ResourceRef, Vec<NodeIndex>> = HashMap::new();
    for i in g.node_indices() {
        if let Some(r) = resource_of(&g[i]) {
            by_resource.entry(r).or_default().push(i);
        }
    }
    let nodes_of = |r: &ResourceRef| by_resource.get(r).map(Vec::as_slice).unwrap_or(&[]);

    // Insights of workloads, for the workload, its containers and volumes.
    for w in &analysis.attack_paths.insights {
        let bits = w
            .insights
            .iter()
            .filter_map(|s| insight_flag(s))
            .fold(0, |acc, f| acc | flag_bit(f));
        for &i in nodes_of(&w.resource) {
            facts[i.index()].flags |= bits;
        }
    }
    // Services, ingresses and the API server the internet reaches.
    if let Some(internet) = graph.find("internet") {
        for e in g.edges_directed(internet, PDir::Outgoing) {
            facts[e.target().index()].flags |= flag_bit(Flag::Exposed);
        }
    }
    // Attack paths: every step's nodes and each entry.
    for p in &analysis.attack_paths.paths {
        for s in &p.steps {
            for id in [&s.from, &s.to] {
                if let Some(i) = graph.find(id) {
                    facts[i.index()].flags |= flag_bit(Flag::OnAttackPath);
                }
            }
        }
        for &i in nodes_of(&p.entry) {
            if g[i].kind == NodeKind::Workload {
                facts[i.index()].flags |= flag_bit(Flag::OnAttackPath);
            }
        }
    }
    for i in g.node_indices() {
        if g[i].targets().next().is_some() {
            facts[i.index()].flags |= flag_bit(Flag::IsTarget);
        }
    }
    // Findings on each node's resource (exempt ones no longer count).
    for f in analysis.findings.iter().filter(|f| f.exemption.is_none()) {
        for &i in nodes_of(&f.resource) {
            let entry = (f.rule.clone(), severity_rank(f.severity));
            if !facts[i.index()].findings.contains(&entry) {
                facts[i.index()].findings.push(entry);
            }
        }
    }
    // Alerts, by the graph nodes they were linked to.
    for a in &analysis.alerts {
        for id in &a.nodes {
            if let Some(i) = graph.find(id) {
                facts[i.index()].flags |= flag_bit(Flag::HasAlerts);
                facts[i.index()]
                    .alerts
                    .push((a.kind.clone(), severity_rank(a.severity)));
            }
        }
    }
    // Vulnerabilities per image, then per container by its scan match.
    let mut images: HashMap<&str, Severities> = HashMap::new();
    for im in &analysis.vulnerabilities.images {
        let mut v = (None, None, None);
        for x in &im.vulnerabilities {
            let r = Some(severity_rank(x.severity));
            v.0 = v.0.max(r);
            if !x.fixed.is_empty() {
                v.1 = v.1.max(r);
            }
            if x.remote {
                v.2 = v.2.max(r);
            }
        }
        images.insert(im.image.as_str(), v);
    }
    let mut container_image: HashMap<(&ResourceRef, &str), &str> = HashMap::new();
    for c in &analysis.vulnerabilities.containers {
        container_image.insert((&c.resource, c.container.as_str()), c.image.as_str());
    }
    for i in g.node_indices() {
        let node = &g[i];
        let image = match node.kind {
            NodeKind::Image => Some(node.name.clone()),
            NodeKind::Container => {
                let scanned = node
                    .resource
                    .as_ref()
                    .and_then(|r| container_image.get(&(r, node.name.as_str())));
                let graph_image = g
                    .edges_directed(i, PDir::Outgoing)
                    .find(|e| e.weight().kind == EdgeKind::USES_IMAGE)
                    .map(|e| g[e.target()].name.clone());
                let f = &mut facts[i.index()];
                if let Some(s) = scanned {
                    if let Some(&(v, fx, r)) = images.get(s) {
                        f.vulnerability = v;
                        f.fixable = fx;
                        f.remote = r;
                    }
                }
                graph_image
            }
            _ => None,
        };
        if let Some(image) = image {
            let f = &mut facts[i.index()];
            if let Some(&(v, fx, r)) = images.get(image.as_str()) {
                f.vulnerability = f.vulnerability.max(v);
                f.fixable = f.fixable.max(fx);
                f.remote = f.remote.max(r);
            }
            f.images.push(image);
        }
    }
    // Ports and labels from each cluster's inventory; the graph's units are the
    // clusters' in order.
    let mut first_unit = 0;
    for inventory in inventories {
        let units = inventory.workload_units();
        let nodes_of_units = graph.units.get(first_unit..).unwrap_or_default();
        first_unit += units.len();
        for (unit, nodes) in units.iter().zip(nodes_of_units) {
            for ((_, c), &ci) in unit.spec.all_containers().zip(&nodes.containers) {
                for p in &c.ports {
                    if !facts[ci.index()].ports.contains(&p.container_port) {
                        facts[ci.index()].ports.push(p.container_port);
                    }
                }
            }
            facts[nodes.workload.index()].labels = Some(unit.metadata.labels.clone());
        }
        let mut labels: Vec<(ResourceRef, &SmallMap)> = Vec::new();
        let r = |kind: &str, m: &crate::model::meta::ObjectMeta| ResourceRef {
            kind: kind.into(),
            namespace: m.namespace.clone(),
            name: m.name.clone(),
            cluster: inventory.cluster_name.clone(),
        };
        labels.extend(
            inventory
                .pods
                .iter()
                .map(|o| (r("Pod", &o.metadata), &o.metadata.labels)),
        );
        labels.extend(
            inventory
                .services
                .iter()
                .map(|o| (r("Service", &o.metadata), &o.metadata.labels)),
        );
        labels.extend(
            inventory
                .service_accounts
                .iter()
                .map(|o| (r("ServiceAccount", &o.metadata), &o.metadata.labels)),
        );
        labels.extend(
            inventory
                .nodes
                .iter()
                .map(|o| (r("Node", &o.metadata), &o.metadata.labels)),
        );
        labels.extend(inventory.namespaces.iter().map(|o| {
            let mut key = r("Namespace", &o.metadata);
            key.namespace.clear();
            (key, &o.metadata.labels)
        }));
        for (key, l) in labels {
            for &i in nodes_of(&key) {
                if facts[i.index()].labels.is_none() {
                    facts[i.index()].labels = Some(l.clone());
                }
            }
        }
        for s in &inventory.services {
            for &i in nodes_of(&r("Service", &s.metadata)) {
                let f = &mut facts[i.index()];
                for p in &s.spec.ports {
                    f.ports.push(p.port);
                    f.ports.extend(p.node_port);
                }
            }
        }
    }
    // Workloads gather their containers' facts; pods their workload's.
    for i in g.node_indices() {
        if g[i].kind != NodeKind::Workload {
            continue;
        }
        let containers: Vec<NodeIndex> = g
            .edges_directed(i, PDir::Outgoing)
            .filter(|e| e.weight().kind == EdgeKind::RUNS)
            .map(|e| e.target())
            .collect();
        for c in containers {
            let cf = facts[c.index()].clone();
            facts[i.index()].merge(&cf);
        }
    }
    for i in g.node_indices() {
        if g[i].kind != NodeKind::Pod {
            continue;
        }
        let owner = g
            .edges_directed(i, PDir::Incoming)
            .find(|e| e.weight().kind == EdgeKind::OWNS)
            .map(|e| e.source());
        if let Some(w) = owner {
            let wf = facts[w.index()].clone();
            facts[i.index()].merge(&wf);
        }
    }
    facts
}

impl QueryContext {
    /// The graph queried.
    pub fn graph(&self) -> &SecurityGraph {
        &self.graph
    }

    /// Parses and runs `text`, keeping the first `limit` chains: what the app's worker
    /// answers the Explorer with.
    pub fn ask(&self, text: &str, limit: usize) -> super::QueryOutcome {
        match super::parse(text) {
            Err(error) => super::QueryOutcome {
                answer: super::QueryAnswer {
                    query: text.to_string(),
                    results: Vec::new(),
                },
                total: 0,
                complete: true,
                error: Some(error),
                steps: self.steps.clone(),
            },
            Ok(query) => {
                let result = self.run_capped(&query, limit);
                super::QueryOutcome {
                    answer: self.answer(&query, &result),
                    total: result.total,
                    complete: result.complete,
                    error: None,
                    steps: self.steps.clone(),
                }
            }
        }
    }

    /// The steps this snapshot's graph allows, for the Explorer's builder.
    pub fn step_options(&self) -> &[super::StepOption] {
        &self.steps
    }

    /// Whether the graph has a node of `kind` (a template about cloud identities says
    /// so when there are none).
    pub fn has_kind(&self, kind: super::Kind) -> bool {
        self.graph
            .graph
            .node_weights()
            .any(|n| kind.matches(n.kind))
    }

    /// `result` of `query` as the CLI's JSON and the app show it.
    pub fn answer(&self, query: &Query, result: &QueryResult) -> super::QueryAnswer {
        let g = &self.graph.graph;
        super::QueryAnswer {
            query: query.to_string(),
            results: result
                .chains
                .iter()
                .map(|c| super::ResultChain {
                    nodes: c
                        .iter()
                        .map(|&i| super::ResultNode {
                            id: g[i].id.clone(),
                            kind: g[i].kind.name().to_string(),
                            name: g[i].name.clone(),
                            namespace: g[i].namespace.clone(),
                        })
                        .collect(),
                })
                .collect(),
        }
    }

    /// Runs `query`, keeping the first [`MAX_CHAINS`] chains.
    pub fn run(&self, query: &Query) -> QueryResult {
        self.run_capped(query, MAX_CHAINS)
    }

    /// Runs `query`, keeping the first `limit` chains.
    pub fn run_capped(&self, query: &Query, limit: usize) -> QueryResult {
        let mut budget = WORK_BUDGET;
        // Forward: the node set at each position of the chain.
        let mut sets: Vec<Vec<bool>> = vec![self.candidates(query.start, &query.conditions)];
        let mut positive: Vec<&Step> = Vec::new();
        for step in &query.steps {
            let (min, max) = step.hop_range();
            let mask = mask(&step.relations);
            let ends = self.candidates(step.kind, &step.conditions);
            let Some(current) = sets.last_mut() else {
                break;
            };
            if step.without {
                let reaching = self.walk(&ends, mask, reverse(step.direction), min, max);
                for (c, r) in current.iter_mut().zip(reaching) {
                    *c = *c && !r;
                }
            } else {
                let reached = self.walk(current, mask, step.direction, min, max);
                let next: Vec<bool> = reached.iter().zip(&ends).map(|(a, b)| *a && *b).collect();
                sets.push(next);
                positive.push(step);
            }
        }
        // Backward: keep only nodes from which the rest of the chain completes.
        for i in (0..positive.len()).rev() {
            let step = positive[i];
            let (min, max) = step.hop_range();
            let reaching = self.walk(
                &sets[i + 1],
                mask(&step.relations),
                reverse(step.direction),
                min,
                max,
            );
            for (c, r) in sets[i].iter_mut().zip(reaching) {
                *c = *c && r;
            }
        }
        // Successors of each kept node at each step.
        let mut complete = true;
        let mut succ: Vec<HashMap<NodeIndex, Vec<NodeIndex>>> = Vec::new();
        for (i, step) in positive.iter().enumerate() {
            let s = self.successors(step, &sets[i], &sets[i + 1], &mut budget);
            complete &= s.1;
            succ.push(s.0);
        }
        // Chain counts, from the end.
        let n = self.facts.len();
        let mut counts: Vec<u64> = sets
            .last()
            .map(|s| s.iter().map(|&b| u64::from(b)).collect())
            .unwrap_or_default();
        for i in (0..positive.len()).rev() {
            let mut c = vec![0u64; n];
            for (u, vs) in &succ[i] {
                c[u.index()] = vs
                    .iter()
                    .fold(0u64, |acc, v| acc.saturating_add(counts[v.index()]));
            }
            counts = c;
        }
        let mut starts: Vec<NodeIndex> = (0..n)
            .filter(|&i| sets[0][i] && counts[i] > 0)
            .map(NodeIndex::new)
            .collect();
        starts.sort_by_key(|i| self.rank[i.index()]);
        let total = starts
            .iter()
            .fold(0u64, |acc, s| acc.saturating_add(counts[s.index()]));
        let mut chains = Vec::new();
        let mut chain = Vec::with_capacity(positive.len() + 1);
        for s in starts {
            if chains.len() >= limit {
                break;
            }
            chain.push(s);
            enumerate(&succ, 0, &mut chain, &mut chains, limit);
            chain.pop();
        }
        QueryResult {
            chains,
            total,
            complete,
        }
    }

    /// Nodes of `kind` that pass every condition.
    fn candidates(&self, kind: super::Kind, conditions: &[Condition]) -> Vec<bool> {
        let g = &self.graph.graph;
        g.node_indices()
            .map(|i| kind.matches(g[i].kind) && conditions.iter().all(|c| self.test(i, c)))
            .collect()
    }

    fn test(&self, i: NodeIndex, c: &Condition) -> bool {
        let node = &self.graph.graph[i];
        let f = &self.facts[i.index()];
        let holds = match &c.test {
            Test::Flag(flag) => f.flags & flag_bit(*flag) != 0,
            Test::Text { field, op, values } => {
                let have: Vec<String> = match field {
                    TextField::Name => vec![node.name.clone()],
                    TextField::Namespace => vec![match node.kind {
                        NodeKind::Namespace | NodeKind::Identities | NodeKind::Secrets => {
                            node.name.clone()
                        }
                        _ => node.namespace.clone(),
                    }],
                    TextField::Id => vec![node.id.clone()],
                    TextField::Image => f.images.clone(),
                    TextField::Registry => f
                        .images
                        .iter()
                        .filter_map(|i| ImageRef::parse(i).map(|r| r.registry))
                        .collect(),
                    TextField::Finding => f.findings.iter().map(|(r, _)| r.clone()).collect(),
                    TextField::Alert => f.alerts.iter().map(|(k, _)| k.clone()).collect(),
                    TextField::Access => {
                        node.properties.get("access").cloned().into_iter().collect()
                    }
                };
                have.iter().any(|h| match op {
                    TextOp::Eq | TextOp::In => values.iter().any(|v| v == h),
                    TextOp::Glob => values.iter().any(|v| glob(v, h)),
                })
            }
            Test::Label { key, value } => f
                .labels
                .as_ref()
                .and_then(|l| l.get(key))
                .is_some_and(|v| value.as_ref().is_none_or(|want| want == v)),
            Test::Port { cmp, value } => f.ports.iter().any(|p| cmp.holds(*p, *value)),
            Test::Severity {
                field,
                cmp,
                severity,
            } => {
                let want = severity_rank(*severity);
                let have = match field {
                    SeverityField::Vulnerability => f.vulnerability,
                    SeverityField::FixableVulnerability => f.fixable,
                    SeverityField::RemoteVulnerability => f.remote,
                    SeverityField::Finding => f.findings.iter().map(|x| x.1).max(),
                    SeverityField::Alert => f.alerts.iter().map(|x| x.1).max(),
                };
                have.is_some_and(|h| cmp.holds(h, want))
            }
            Test::Target(t) => node.is_target(*t),
            Test::Count {
                relations,
                cmp,
                value,
            } => {
                let m = mask(relations);
                let mut seen: Vec<NodeIndex> = self
                    .graph
                    .graph
                    .edges_directed(i, PDir::Outgoing)
                    .filter(|e| m & edge_bit(e.weight().kind) != 0)
                    .map(|e| e.target())
                    .collect();
                seen.sort();
                seen.dedup();
                cmp.holds(seen.len() as u64, *value)
            }
        };
        holds != c.negated
    }

    fn for_neighbours(
        &self,
        u: NodeIndex,
        mask: u64,
        dir: Direction,
        mut f: impl FnMut(NodeIndex),
    ) {
        let d = match dir {
            Direction::Out => PDir::Outgoing,
            Direction::In => PDir::Incoming,
        };
        for e in self.graph.graph.edges_directed(u, d) {
            if mask & edge_bit(e.weight().kind) != 0 {
                f(if dir == Direction::Out {
                    e.target()
                } else {
                    e.source()
                });
            }
        }
    }

    /// The nodes at the end of a walk of `min..=max` edges from any node of `from`:
    /// one breadth-first search over the set (per hop layer when `min` > 1).
    fn walk(&self, from: &[bool], mask: u64, dir: Direction, min: u32, max: u32) -> Vec<bool> {
        let n = from.len();
        let mut frontier: Vec<NodeIndex> =
            (0..n).filter(|&i| from[i]).map(NodeIndex::new).collect();
        if min <= 1 {
            // Any length from 1 to max: a node's shortest walk decides.
            let mut seen = vec![false; n];
            for _ in 0..max {
                let mut next = Vec::new();
                for &u in &frontier {
                    self.for_neighbours(u, mask, dir, |v| {
                        if !seen[v.index()] {
                            seen[v.index()] = true;
                            next.push(v);
                        }
                    });
                }
                if next.is_empty() {
                    break;
                }
                frontier = next;
            }
            return seen;
        }
        let mut result = vec![false; n];
        for d in 1..=max {
            let mut layer = vec![false; n];
            let mut next = Vec::new();
            for &u in &frontier {
                self.for_neighbours(u, mask, dir, |v| {
                    if !layer[v.index()] {
                        layer[v.index()] = true;
                        next.push(v);
                    }
                });
            }
            if d >= min {
                for v in &next {
                    result[v.index()] = true;
                }
            }
            if next.is_empty() {
                break;
            }
            frontier = next;
        }
        result
    }

    /// For each node of `from`, the nodes of `to` one step away, sorted by id; and
    /// whether the work budget sufficed.
    fn successors(
        &self,
        step: &Step,
        from: &[bool],
        to: &[bool],
        budget: &mut u64,
    ) -> (HashMap<NodeIndex, Vec<NodeIndex>>, bool) {
        let (min, max) = step.hop_range();
        let m = mask(&step.relations);
        let n = from.len();
        let mut out: HashMap<NodeIndex, Vec<NodeIndex>> = HashMap::new();
        let mut complete = true;
        let sources: Vec<NodeIndex> = (0..n).filter(|&i| from[i]).map(NodeIndex::new).collect();
        let targets: Vec<NodeIndex> = (0..n).filter(|&i| to[i]).map(NodeIndex::new).collect();
        if max == 1 {
            for &u in &sources {
                let mut vs = Vec::new();
                self.for_neighbours(u, m, step.direction, |v| {
                    if to[v.index()] {
                        vs.push(v);
                    }
                });
                *budget = budget.saturating_sub(vs.len() as u64 + 1);
                if !vs.is_empty() {
                    out.insert(u, vs);
                }
            }
        } else {
            // One search per node of the smaller side, inside the region between them.
            let backwards = targets.len() < sources.len();
            let (origins, ends, dir) = if backwards {
                (&targets, from, reverse(step.direction))
            } else {
                (&sources, to, step.direction)
            };
            // Nodes worth expanding: those from which an end is reachable in time.
            let region = self.walk(ends, m, reverse(dir), 1, max);
            let mut scratch = Scratch::new(n);
            for &o in origins.iter() {
                if *budget == 0 {
                    complete = false;
                    break;
                }
                let found = self.search(o, m, dir, min, max, &region, ends, &mut scratch, budget);
                for v in found {
                    let (u, w) = if backwards { (v, o) } else { (o, v) };
                    out.entry(u).or_default().push(w);
                }
            }
        }
        for vs in out.values_mut() {
            vs.sort_by_key(|v| self.rank[v.index()]);
            vs.dedup();
        }
        (out, complete)
    }

    /// The nodes of `ends` at the end of a walk of `min..=max` edges from `origin`,
    /// expanding only nodes of `region`.
    #[allow(clippy::too_many_arguments)]
    fn search(
        &self,
        origin: NodeIndex,
        mask: u64,
        dir: Direction,
        min: u32,
        max: u32,
        region: &[bool],
        ends: &[bool],
        scratch: &mut Scratch,
        budget: &mut u64,
    ) -> Vec<NodeIndex> {
        let found_epoch = scratch.bump();
        let mut found = Vec::new();
        let mut frontier = vec![origin];
        let mut layer_epoch = scratch.bump();
        for d in 1..=max {
            // With min ≤ 1 a node is expanded once (its shortest walk); otherwise once
            // per layer.
            if min > 1 {
                layer_epoch = scratch.bump();
            }
            let mut next = Vec::new();
            for &u in &frontier {
                let mut scanned = 0u64;
                self.for_neighbours(u, mask, dir, |v| {
                    scanned += 1;
                    let vi = v.index();
                    if d >= min && ends[vi] && scratch.found[vi] != found_epoch {
                        scratch.found[vi] = found_epoch;
                        found.push(v);
                    }
                    if region[vi] && scratch.seen[vi] != layer_epoch {
                        scratch.seen[vi] = layer_epoch;
                        next.push(v);
                    }
                });
                *budget = budget.saturating_sub(scanned + 1);
            }
            if next.is_empty() || *budget == 0 {
                break;
            }
            frontier = next;
        }
        found
    }
}

/// Visit marks reused across searches (an epoch per search), so each search costs what
/// it visits, not the size of the graph.
struct Scratch {
    seen: Vec<u32>,
    found: Vec<u32>,
    epoch: u32,
}

impl Scratch {
    fn new(n: usize) -> Scratch {
        Scratch {
            seen: vec![0; n],
            found: vec![0; n],
            epoch: 0,
        }
    }

    fn bump(&mut self) -> u32 {
        if self.epoch == u32::MAX {
            self.seen.iter_mut().for_each(|x| *x = 0);
            self.found.iter_mut().for_each(|x| *x = 0);
            self.epoch = 0;
        }
        self.epoch += 1;
        self.epoch
    }
}

fn enumerate(
    succ: &[HashMap<NodeIndex, Vec<NodeIndex>>],
    step: usize,
    chain: &mut Vec<NodeIndex>,
    out: &mut Vec<Vec<NodeIndex>>,
    limit: usize,
) {
    if out.len() >= limit {
        return;
    }
    if step == succ.len() {
        out.push(chain.clone());
        return;
    }
    let Some(&u) = chain.last() else {
        return;
    };
    if let Some(vs) = succ[step].get(&u) {
        for &v in vs {
            if out.len() >= limit {
                return;
            }
            chain.push(v);
            enumerate(succ, step + 1, chain, out, limit);
            chain.pop();
        }
    }
}

fn reverse(d: Direction) -> Direction {
    match d {
        Direction::Out => Direction::In,
        Direction::In => Direction::Out,
    }
}

fn mask(relations: &[Relation]) -> u64 {
    EdgeKind::ALL
        .iter()
        .filter(|e| relations.iter().any(|r| r.follows(**e)))
        .fold(0, |acc, e| acc | edge_bit(*e))
}

/// Whether `text` matches `pattern`, where `*` is any text (possibly empty).
fn glob(pattern: &str, text: &str) -> bool {
    let parts: Vec<&str> = pattern.split('*').collect();
    if parts.len() == 1 {
        return pattern == text;
    }
    let (first, last) = (parts[0], parts[parts.len() - 1]);
    if !text.starts_with(first) || text.len() < first.len() + last.len() || !text.ends_with(last) {
        return false;
    }
    let mut rest = &text[first.len()..text.len() - last.len()];
    for mid in &parts[1..parts.len() - 1] {
        match rest.find(mid) {
            Some(at) => rest = &rest[at + mid.len()..],
            None => return false,
        }
    }
    true
}
