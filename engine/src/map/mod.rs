//! The security map: the graph drawn for people.
//!
//! [`draw`] turns the security graph and its analysis into a [`SecurityMap`]: the
//! cluster as a frame, the cluster-wide objects and each namespace as regions inside
//! it, the internet to its left and the cloud identities to its right, attack-technique
//! edges set apart from structure. A workload's containers, pods and hostPath volumes
//! fold into the workload, images are left out: the map shows attacker positions, not
//! every object. It scales by aggregation: a namespace is drawn as one box per kind
//! ("120 Workloads") until the request expands it, and an expanded region draws at
//! most [`MAX_PER_REGION`] elements one by one, so a 50,000-pod snapshot draws a few
//! thousand elements at most. A focus set or an attack path is highlighted, and the
//! namespaces holding it are expanded so it can be seen. The drawing itself is an SVG
//! string (`svg.rs`) in which every snapshot value is escaped text, its characters that
//! reorder or hide text shown as escapes ([`crate::text::visible`]).

mod layout;
mod svg;

use std::collections::{BTreeMap, BTreeSet, HashMap};

use petgraph::graph::NodeIndex;
use petgraph::visit::EdgeRef;
use petgraph::Direction;
use serde::{Deserialize, Serialize};

use crate::analysis::Analysis;
use crate::graph::{EdgeKind, NodeKind, SecurityGraph};
use crate::rules::ResourceRef;
use crate::text::visible;

pub use layout::{layout, Layout, Rect, RegionInput};

/// Elements an expanded region draws one by one; the rest are aggregated per kind.
pub const MAX_PER_REGION: usize = 300;
/// Above this many aggregate boxes, a collapsed namespace is one box in all.
pub const MAX_AGGREGATES: usize = 2_500;
/// Edges drawn at most: highlighted first, then techniques, then the busiest.
pub const MAX_EDGES: usize = 6_000;
/// Cluster-wide objects and cloud identities are drawn one by one up to this many
/// without being asked.
pub const AUTO_EXPAND: usize = 40;
/// Search results returned at most.
pub const MAX_HITS: usize = 30;

/// What to draw: which regions are expanded, what is highlighted and filtered.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct MapRequest {
    /// Regions drawn one element at a time: `ns:<namespace>`, `cluster` (the
    /// cluster-wide objects) or `cloud`; in a map of several clusters the first two are
    /// prefixed with the cluster's name (`prod/ns:shop`), as its graph nodes are.
    pub expand: Vec<String>,
    /// Graph node ids to highlight (a container highlights its workload).
    pub focus: Vec<String>,
    /// The 1-based rank of the attack path to highlight.
    pub path: Option<usize>,
    /// Node kinds (`Workload`, `PermissionSet`, ...) left out.
    pub hide: Vec<String>,
    /// Only workloads with this insight (`exposedToInternet`, `hasActiveAlerts`, ...).
    pub insight: String,
    /// Text searched for in the names of everything on the map.
    pub search: String,
}

/// The map of one analysis for one request.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SecurityMap {
    /// The drawing: an `<svg>` element, every snapshot value escaped.
    pub svg: String,
    pub width: f64,
    pub height: f64,
    /// The part of the drawing to show first (`x, y, width, height`): around what is
    /// highlighted, or everything.
    pub view: [f64; 4],
    /// The regions, cluster-wide first, then namespaces by name, then the cloud.
    pub regions: Vec<MapRegion>,
    /// Things on the map in all (after filters), drawn or aggregated.
    pub entities: usize,
    /// Boxes drawn (single things and aggregates).
    pub elements: usize,
    pub edges: usize,
    /// Element ids highlighted (the focus set or the attack path).
    pub highlighted: Vec<String>,
    /// Focus ids and path steps that are not on the map.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub missing: Vec<String>,
    /// Search results.
    pub hits: Vec<MapHit>,
    /// Things per node kind, before the kind filter, for the filter's choices.
    pub kinds: Vec<KindCount>,
    /// Workload insights present, for the insight filter's choices.
    pub insights: Vec<String>,
}

/// One region of the map.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MapRegion {
    /// `cluster`, `ns:<namespace>` or `cloud`: what `MapRequest::expand` takes.
    pub id: String,
    pub label: String,
    pub entities: usize,
    pub expanded: bool,
}

/// A search result: something on the map whose name matches.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MapHit {
    pub id: String,
    pub kind: NodeKind,
    pub label: String,
    pub region: String,
}

/// How many things of a kind the map holds.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct KindCount {
    pub kind: String,
    /// The kind as people read it, for `count` things: `Service accounts`, `Workload
    /// scopes` (the `Namespace` node kind is a namespace's workloads).
    #[serde(default)]
    pub label: String,
    pub count: usize,
}

/// Where a thing is drawn.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
enum Place {
    Internet,
    /// What is cluster-wide in a cluster (its name in a map of several, else empty).
    Cluster(String),
    /// A namespace of a cluster (named as above).
    Namespace(String, String),
    Cloud,
}

impl Place {
    fn id(&self) -> String {
        match self {
            Place::Internet => "internet".into(),
            // Of one cluster among several: prefixed as its graph nodes are.
            Place::Cluster(c) if c.is_empty() => "cluster".into(),
            Place::Cluster(c) => crate::graph::merge::cluster_id(c, "cluster"),
            Place::Namespace(c, ns) if c.is_empty() => format!("ns:{ns}"),
            Place::Namespace(c, ns) => crate::graph::merge::cluster_id(c, &format!("ns:{ns}")),
            Place::Cloud => "cloud".into(),
        }
    }

    fn label(&self) -> String {
        match self {
            Place::Internet => "Internet".into(),
            Place::Cluster(c) if c.is_empty() => "Cluster-wide".into(),
            Place::Cluster(c) => format!("Cluster-wide in {}", visible(c)),
            Place::Namespace(c, ns) if c.is_empty() => format!("namespace {}", visible(ns)),
            Place::Namespace(c, ns) => format!("namespace {} of {}", visible(ns), visible(c)),
            Place::Cloud => "Cloud".into(),
        }
    }
}

/// The layer (column) of a kind inside a region: entry points left, targets right.
fn layer(kind: NodeKind) -> usize {
    match kind {
        NodeKind::Internet
        | NodeKind::Cluster
        | NodeKind::Ingress
        | NodeKind::Service
        | NodeKind::ApiServer => 0,
        NodeKind::Namespace
        | NodeKind::Workload
        | NodeKind::Pod
        | NodeKind::Container
        | NodeKind::Image
        | NodeKind::Volume => 1,
        NodeKind::ServiceAccount | NodeKind::User | NodeKind::Group | NodeKind::Identities => 2,
        NodeKind::PermissionSet => 3,
        NodeKind::Secret
        | NodeKind::Secrets
        | NodeKind::ClusterAdmin
        | NodeKind::CloudIdentity
        | NodeKind::CloudResource => 4,
        NodeKind::Node | NodeKind::AnyNode | NodeKind::AllNodes => 5,
    }
}

/// The order of the kind filter's chips: as the map reads left to right, by
/// [`layer`] (entry points, workloads, identities, permission sets, targets and the
/// cloud, nodes), then in the graph's documentation order ([`NodeKind::ALL`], which
/// the enum's order follows). Fixed by the code, so the chips never move between
/// reloads or snapshots.
fn kind_order(kind: NodeKind) -> (usize, NodeKind) {
    (layer(kind), kind)
}

/// One thing on the map: a graph node that is an attacker position.
struct Entity {
    node: NodeIndex,
    place: Place,
    insights: BTreeSet<String>,
}

/// A box to draw: one entity or an aggregate of several of a kind.
#[derive(Clone, Debug)]
pub(crate) struct Element {
    pub id: String,
    pub kind: NodeKind,
    /// The whole name, for the tooltip.
    pub label: String,
    /// Entities it stands for (1 for a single thing).
    pub count: usize,
    pub aggregate: bool,
    /// The region an aggregate expands, empty for a single thing.
    pub expands: String,
    pub highlighted: bool,
    pub target: bool,
    pub insights: Vec<String>,
    pub rect: Rect,
}

/// An edge to draw, between two elements, standing for one or more graph edges.
#[derive(Clone, Debug, Default)]
pub(crate) struct Link {
    pub from: usize,
    pub to: usize,
    pub kinds: BTreeSet<EdgeKind>,
    pub count: usize,
    pub technique: bool,
    pub highlighted: bool,
}

/// A region as drawn.
pub(crate) struct DrawnRegion {
    pub id: String,
    pub label: String,
    pub rect: Rect,
    pub expanded: bool,
    pub entities: usize,
}

/// The entity each graph node is drawn as: a workload's containers, pods and volumes
/// are the workload; images are not drawn, nor the cluster node (the frame is the
/// cluster).
fn representatives(graph: &SecurityGraph) -> Vec<Option<NodeIndex>> {
    let g = &graph.graph;
    let mut rep: Vec<Option<NodeIndex>> = g.node_indices().map(Some).collect();
    let source_by = |i: NodeIndex, kind: EdgeKind| {
        g.edges_directed(i, Direction::Incoming)
            .find(|e| e.weight().kind == kind)
            .map(|e| e.source())
    };
    for i in g.node_indices() {
        match g[i].kind {
            NodeKind::Container => rep[i.index()] = source_by(i, EdgeKind::RUNS),
            NodeKind::Pod => rep[i.index()] = source_by(i, EdgeKind::OWNS),
            NodeKind::Image | NodeKind::Cluster => rep[i.index()] = None,
            _ => {}
        }
    }
    for i in g.node_indices() {
        if g[i].kind == NodeKind::Volume {
            rep[i.index()] = source_by(i, EdgeKind::VOLUME_DISCOVER).and_then(|c| rep[c.index()]);
        }
    }
    rep
}

fn place_of(graph: &SecurityGraph, i: NodeIndex) -> Place {
    let n = graph.node(i);
    match n.kind {
        NodeKind::Internet => Place::Internet,
        NodeKind::CloudIdentity | NodeKind::CloudResource => Place::Cloud,
        NodeKind::Namespace | NodeKind::Identities | NodeKind::Secrets => {
            if n.name == "*" || n.name.is_empty() {
                Place::Cluster(n.cluster.clone())
            } else {
                Place::Namespace(n.cluster.clone(), n.name.clone())
            }
        }
        _ if n.namespace.is_empty() || n.namespace == "*" => Place::Cluster(n.cluster.clone()),
        _ => Place::Namespace(n.cluster.clone(), n.namespace.clone()),
    }
}

/// Draws the map of `analysis` (whose graph is `graph`) for `request`.
pub fn draw(analysis: &Analysis, graph: &SecurityGraph, request: &MapRequest) -> SecurityMap {
    let rep = representatives(graph);
    let g = &graph.graph;

    // Insights per workload resource, and alerts per entity.
    let by_resource: HashMap<&ResourceRef, &Vec<String>> = analysis
        .attack_paths
        .insights
        .iter()
        .map(|w| (&w.resource, &w.insights))
        .collect();
    let mut alerted: BTreeSet<NodeIndex> = BTreeSet::new();
    for a in &analysis.alerts {
        for id in &a.nodes {
            if let Some(e) = graph.find(id).and_then(|i| rep[i.index()]) {
                alerted.insert(e);
            }
        }
    }

    // Every entity, before filters.
    let mut all: Vec<Entity> = Vec::new();
    for i in g.node_indices() {
        if rep[i.index()] != Some(i) {
            continue;
        }
        let n = &g[i];
        let mut insights: BTreeSet<String> = BTreeSet::new();
        if n.kind == NodeKind::Workload {
            if let Some(list) = n.resource.as_ref().and_then(|r| by_resource.get(r)) {
                insights.extend(list.iter().cloned());
            }
        }
        if alerted.contains(&i) {
            insights.insert("hasActiveAlerts".into());
        }
        all.push(Entity {
            node: i,
            place: place_of(graph, i),
            insights,
        });
    }
    let mut kinds: BTreeMap<(usize, NodeKind), usize> = BTreeMap::new();
    let mut insight_names: BTreeSet<String> = BTreeSet::new();
    for e in &all {
        *kinds.entry(kind_order(g[e.node].kind)).or_insert(0) += 1;
        insight_names.extend(e.insights.iter().cloned());
    }

    // Filters: hidden kinds, and workloads without the insight asked for.
    let hidden: BTreeSet<&str> = request.hide.iter().map(String::as_str).collect();
    let shown = |e: &Entity| {
        let kind = g[e.node].kind;
        kind == NodeKind::Internet
            || (!hidden.contains(kind.name())
                && (request.insight.is_empty()
                    || kind != NodeKind::Workload
                    || e.insights.contains(&request.insight)))
    };
    let entities: Vec<&Entity> = all.iter().filter(|e| shown(e)).collect();
    let entity_at: HashMap<NodeIndex, usize> = entities
        .iter()
        .enumerate()
        .map(|(k, e)| (e.node, k))
        .collect();
    let entity_of = |id: &str| {
        graph
            .find(id)
            .and_then(|i| rep[i.index()])
            .and_then(|i| entity_at.get(&i).copied())
    };

    // Highlights: the focus set, or the steps of an attack path.
    let mut highlighted: BTreeSet<usize> = BTreeSet::new();
    let mut path_pairs: BTreeSet<(usize, usize)> = BTreeSet::new();
    let mut missing = Vec::new();
    let is_cluster = |id: &str| {
        graph
            .find(id)
            .is_some_and(|i| g[i].kind == NodeKind::Cluster)
    };
    for id in &request.focus {
        match entity_of(id) {
            Some(k) => {
                highlighted.insert(k);
            }
            // The frame is the cluster: a query's `clusters` is on the map, not missing.
            None if is_cluster(id) => {}
            None => missing.push(id.clone()),
        }
    }
    if let Some(path) = request
        .path
        .and_then(|rank| rank.checked_sub(1))
        .and_then(|k| analysis.attack_paths.paths.get(k))
    {
        for step in &path.steps {
            match (entity_of(&step.from), entity_of(&step.to)) {
                (Some(a), Some(b)) => {
                    highlighted.extend([a, b]);
                    if a != b {
                        path_pairs.insert((a, b));
                    }
                }
                (a, b) => {
                    highlighted.extend(a.into_iter().chain(b));
                    for (id, found) in [(&step.from, a), (&step.to, b)] {
                        if found.is_none() && !missing.contains(id) {
                            missing.push(id.clone());
                        }
                    }
                }
            }
        }
    }

    // Regions and what is expanded.
    let mut members: BTreeMap<Place, Vec<usize>> = BTreeMap::new();
    for (k, e) in entities.iter().enumerate() {
        members.entry(e.place.clone()).or_default().push(k);
    }
    let asked: BTreeSet<&str> = request.expand.iter().map(String::as_str).collect();
    let expanded = |place: &Place, list: &[usize]| match place {
        Place::Internet => true,
        Place::Cluster(_) | Place::Cloud if list.len() <= AUTO_EXPAND => true,
        _ => asked.contains(place.id().as_str()) || list.iter().any(|k| highlighted.contains(k)),
    };
    let collapsed_boxes: usize = members
        .iter()
        .filter(|(p, list)| !expanded(p, list))
        .map(|(_, list)| {
            list.iter()
                .map(|&k| g[entities[k].node].kind)
                .collect::<BTreeSet<_>>()
                .len()
        })
        .sum();
    let whole_namespaces = collapsed_boxes > MAX_AGGREGATES;

    // Elements per region, in drawing order (layer, then highlighted, then name).
    let mut elements: Vec<Element> = Vec::new();
    let mut element_of: Vec<usize> = vec![usize::MAX; entities.len()];
    let mut region_elements: Vec<(Place, bool, usize, Vec<usize>)> = Vec::new();
    for (place, list) in &members {
        let open = expanded(place, list);
        let mut sorted = list.clone();
        sorted.sort_by(|&a, &b| {
            let (na, nb) = (&g[entities[a].node], &g[entities[b].node]);
            (
                layer(na.kind),
                !highlighted.contains(&a),
                na.kind,
                &na.name,
                &na.id,
            )
                .cmp(&(
                    layer(nb.kind),
                    !highlighted.contains(&b),
                    nb.kind,
                    &nb.name,
                    &nb.id,
                ))
        });
        let mut mine = Vec::new();
        let mut rest: BTreeMap<NodeKind, Vec<usize>> = BTreeMap::new();
        if open {
            // Highlighted ones are drawn whatever the cap.
            let mut drawn = 0;
            for &k in &sorted {
                if drawn < MAX_PER_REGION || highlighted.contains(&k) {
                    drawn += 1;
                    let n = &g[entities[k].node];
                    element_of[k] = elements.len();
                    mine.push(elements.len());
                    elements.push(Element {
                        id: n.id.clone(),
                        kind: n.kind,
                        label: visible(&n.label()).into_owned(),
                        count: 1,
                        aggregate: false,
                        expands: String::new(),
                        highlighted: highlighted.contains(&k),
                        target: n.targets().next().is_some(),
                        insights: entities[k].insights.iter().cloned().collect(),
                        rect: Rect::default(),
                    });
                } else {
                    rest.entry(g[entities[k].node].kind).or_default().push(k);
                }
            }
        } else if whole_namespaces && matches!(place, Place::Namespace(..)) {
            element_of_all(&mut elements, &mut element_of, &mut mine, place, &sorted);
        } else {
            for &k in &sorted {
                rest.entry(g[entities[k].node].kind).or_default().push(k);
            }
        }
        // Aggregates, in layer order.
        let mut groups: Vec<(NodeKind, Vec<usize>)> = rest.into_iter().collect();
        groups.sort_by_key(|(kind, _)| (layer(*kind), *kind));
        for (kind, ks) in groups {
            let id = format!("group:{}/{}", place.id(), kind.name());
            let more = if open { "more " } else { "" };
            let label = format!("{} {more}{}", ks.len(), plural(kind, ks.len()));
            for &k in &ks {
                element_of[k] = elements.len();
            }
            mine.push(elements.len());
            elements.push(Element {
                id,
                kind,
                label,
                count: ks.len(),
                aggregate: true,
                expands: place.id(),
                highlighted: false,
                target: ks
                    .iter()
                    .any(|&k| g[entities[k].node].targets().next().is_some()),
                insights: Vec::new(),
                rect: Rect::default(),
            });
        }
        region_elements.push((place.clone(), open, list.len(), mine));
    }

    // Layout.
    let inside: Vec<&(Place, bool, usize, Vec<usize>)> = region_elements
        .iter()
        .filter(|(p, ..)| matches!(p, Place::Cluster(_) | Place::Namespace(..)))
        .collect();
    let cloud = region_elements.iter().find(|(p, ..)| *p == Place::Cloud);
    let input = |mine: &[usize]| RegionInput {
        layers: mine.iter().map(|&e| layer(elements[e].kind)).collect(),
    };
    let inside_input: Vec<RegionInput> = inside.iter().map(|(_, _, _, m)| input(m)).collect();
    let cloud_input = cloud.map(|(_, _, _, m)| input(m));
    let placed = layout(&inside_input, cloud_input.as_ref());
    let mut drawn_regions = Vec::new();
    let mut regions = Vec::new();
    let in_order = inside.iter().copied().chain(cloud);
    for (k, (place, open, count, mine)) in in_order.enumerate() {
        for (&e, rect) in mine.iter().zip(&placed.boxes[k]) {
            elements[e].rect = *rect;
        }
        drawn_regions.push(DrawnRegion {
            id: place.id(),
            label: place.label(),
            rect: placed.regions[k],
            expanded: *open,
            entities: *count,
        });
        regions.push(MapRegion {
            id: place.id(),
            label: place.label(),
            entities: *count,
            expanded: *open,
        });
    }
    if let Some((_, _, _, mine)) = region_elements.iter().find(|(p, ..)| *p == Place::Internet) {
        for &e in mine {
            elements[e].rect = placed.internet;
        }
    }

    // Edges between elements.
    let mut links: BTreeMap<(usize, usize), Link> = BTreeMap::new();
    for e in g.edge_references() {
        let (Some(a), Some(b)) = (rep[e.source().index()], rep[e.target().index()]) else {
            continue;
        };
        let (Some(&ka), Some(&kb)) = (entity_at.get(&a), entity_at.get(&b)) else {
            continue;
        };
        let (ea, eb) = (element_of[ka], element_of[kb]);
        if ea == eb || ea == usize::MAX || eb == usize::MAX {
            continue;
        }
        let link = links.entry((ea, eb)).or_insert_with(|| Link {
            from: ea,
            to: eb,
            ..Link::default()
        });
        link.kinds.insert(e.weight().kind);
        link.count += 1;
        link.technique |= e.weight().kind.info().technique;
        link.highlighted |= path_pairs.contains(&(ka, kb));
    }
    let mut links: Vec<Link> = links.into_values().collect();
    if links.len() > MAX_EDGES {
        links.sort_by_key(|l| {
            (
                !l.highlighted,
                !l.technique,
                std::cmp::Reverse(l.count),
                l.from,
                l.to,
            )
        });
        links.truncate(MAX_EDGES);
        links.sort_by_key(|l| (l.from, l.to));
    }

    // Search.
    let needle = request.search.trim().to_lowercase();
    let mut hits: Vec<MapHit> = if needle.is_empty() {
        Vec::new()
    } else {
        entities
            .iter()
            .filter(|e| {
                let n = &g[e.node];
                n.name.to_lowercase().contains(&needle) || n.id.to_lowercase().contains(&needle)
            })
            .map(|e| MapHit {
                id: g[e.node].id.clone(),
                kind: g[e.node].kind,
                label: visible(&g[e.node].label()).into_owned(),
                region: e.place.id(),
            })
            .collect()
    };
    hits.sort_by(|a, b| (&a.label, &a.id).cmp(&(&b.label, &b.id)));
    hits.truncate(MAX_HITS);

    let highlighted_ids: Vec<String> = elements
        .iter()
        .filter(|e| e.highlighted)
        .map(|e| e.id.clone())
        .collect();
    let view = highlight_box(&elements).unwrap_or([0.0, 0.0, placed.width, placed.height]);
    let svg = svg::render(
        &placed,
        &drawn_regions,
        &elements,
        &links,
        &analysis_title(analysis),
    );
    SecurityMap {
        svg,
        width: placed.width,
        height: placed.height,
        view,
        regions,
        entities: entities.len(),
        elements: elements.len(),
        edges: links.len(),
        highlighted: highlighted_ids,
        missing,
        hits,
        kinds: kinds
            .into_iter()
            .map(|((_, kind), count)| KindCount {
                kind: kind.name().to_string(),
                label: capitalised(&plural(kind, count)),
                count,
            })
            .collect(),
        insights: insight_names.into_iter().collect(),
    }
}

/// The box around the highlighted elements, with a margin.
fn highlight_box(elements: &[Element]) -> Option<[f64; 4]> {
    const MARGIN: f64 = 120.0;
    let mut hl = elements.iter().filter(|e| e.highlighted).map(|e| e.rect);
    let first = hl.next()?;
    let (mut x0, mut y0) = (first.x, first.y);
    let (mut x1, mut y1) = (first.x + first.w, first.y + first.h);
    for r in hl {
        x0 = x0.min(r.x);
        y0 = y0.min(r.y);
        x1 = x1.max(r.x + r.w);
        y1 = y1.max(r.y + r.h);
    }
    Some([
        x0 - MARGIN,
        y0 - MARGIN,
        x1 - x0 + 2.0 * MARGIN,
        y1 - y0 + 2.0 * MARGIN,
    ])
}

/// A collapsed namespace drawn as one box, when there are too many namespaces for a
/// box per kind.
fn element_of_all(
    elements: &mut Vec<Element>,
    element_of: &mut [usize],
    mine: &mut Vec<usize>,
    place: &Place,
    list: &[usize],
) {
    for &k in list {
        element_of[k] = elements.len();
    }
    mine.push(elements.len());
    elements.push(Element {
        id: format!("group:{}", place.id()),
        kind: NodeKind::Namespace,
        label: format!("{} things", list.len()),
        count: list.len(),
        aggregate: true,
        expands: place.id(),
        highlighted: false,
        target: false,
        insights: Vec::new(),
        rect: Rect::default(),
    });
}

/// The frame's title: the cluster's name when the snapshot says it.
fn analysis_title(analysis: &Analysis) -> String {
    let names: Vec<&str> = analysis.clusters.iter().map(|c| c.name.as_str()).collect();
    match names.as_slice() {
        [] => "Cluster".into(),
        [one] => format!("Cluster {}", visible(one)),
        many => format!("Clusters {}", visible(&many.join(", "))),
    }
}

/// `text` with its first letter upper-case.
fn capitalised(text: &str) -> String {
    let mut chars = text.chars();
    chars
        .next()
        .map_or_else(String::new, |c| c.to_uppercase().chain(chars).collect())
}

/// A kind's name for a count of things: `Workloads`, `service accounts`.
fn plural(kind: NodeKind, n: usize) -> String {
    let one = match kind {
        NodeKind::ServiceAccount => "service account",
        NodeKind::PermissionSet => "permission set",
        NodeKind::CloudIdentity => "cloud identity",
        NodeKind::CloudResource => "cloud resource",
        NodeKind::Identities => "identity scope",
        NodeKind::Secrets => "secret scope",
        NodeKind::Namespace => "workload scope",
        NodeKind::ClusterAdmin => "cluster-admin",
        NodeKind::AnyNode => "scheduler-picked node",
        NodeKind::AllNodes => "all-nodes scope",
        NodeKind::ApiServer => "API server",
        other => {
            let name = other.name();
            return match (n, name.ends_with('s')) {
                (1, _) => name.to_string(),
                // `Ingresses`, not `Ingresss`.
                (_, true) => format!("{name}es"),
                _ => format!("{name}s"),
            };
        }
    };
    match (n, one) {
        (1, _) => one.to_string(),
        (_, "cloud identity") => "cloud identities".into(),
        _ => format!("{one}s"),
    }
}

#[cfg(test)]
mod tests;
