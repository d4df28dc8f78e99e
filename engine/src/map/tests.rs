//! The security map on small estates whose shape is known by construction.

use super::*;
use crate::analysis::{conclude_with_graph, load, AnalyzeOptions};
use crate::InputFile;

const SHOP: &str = r#"
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: shop}
spec:
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      serviceAccountName: web
      containers:
      - {name: nginx, image: "nginx:1.25", ports: [{containerPort: 8080}], securityContext: {privileged: true}}
---
apiVersion: v1
kind: Service
metadata: {name: web, namespace: shop}
spec: {type: LoadBalancer, selector: {app: web}, ports: [{port: 80, targetPort: 8080}]}
---
apiVersion: v1
kind: ServiceAccount
metadata: {name: web, namespace: shop}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: web-admin}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: cluster-admin}
subjects: [{kind: ServiceAccount, name: web, namespace: shop}]
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: quiet, namespace: back}
spec:
  selector: {matchLabels: {app: quiet}}
  template:
    metadata: {labels: {app: quiet}}
    spec:
      automountServiceAccountToken: false
      containers: [{name: app, image: "quiet:1"}]
"#;

fn deployment(ns: &str, name: &str) -> String {
    format!(
        "---\napiVersion: apps/v1\nkind: Deployment\nmetadata: {{name: {name:?}, namespace: {ns:?}}}\nspec:\n  selector: {{matchLabels: {{app: x}}}}\n  template:\n    metadata: {{labels: {{app: x}}}}\n    spec:\n      automountServiceAccountToken: false\n      containers: [{{name: app, image: \"app:1\"}}]\n"
    )
}

fn map_of(yaml: &str, request: &MapRequest) -> SecurityMap {
    let files = [InputFile::new("estate.yaml", yaml.as_bytes().to_vec())];
    let snapshot = load(&files, &mut |_| {});
    let (analysis, graph) = conclude_with_graph(&snapshot, &AnalyzeOptions::default());
    draw(&analysis, &graph, request)
}

fn has_node(map: &SecurityMap, id: &str) -> bool {
    map.svg.contains(&format!("data-id=\"{id}\""))
}

#[test]
fn the_map_opens_aggregated_with_the_internet_at_the_edge() {
    let map = map_of(SHOP, &MapRequest::default());
    let shop = map
        .regions
        .iter()
        .find(|r| r.id == "ns:shop")
        .expect("shop is a region");
    assert!(!shop.expanded);
    assert!(map.regions.iter().any(|r| r.id == "ns:back" && !r.expanded));
    assert!(
        !has_node(&map, "workload:shop/Deployment/web"),
        "namespaces start aggregated"
    );
    assert!(has_node(&map, "group:ns:shop/Workload"));
    assert!(map.svg.contains(">1 Workload<"), "{}", map.svg);
    assert!(has_node(&map, "internet"), "the internet is always drawn");
    // Cluster-wide objects are few here: drawn one by one.
    assert!(map.regions.iter().any(|r| r.id == "cluster" && r.expanded));
    assert!(map.highlighted.is_empty());
    assert!(map
        .kinds
        .iter()
        .any(|k| k.kind == "Workload" && k.count == 2));
}

#[test]
fn expanding_a_namespace_draws_its_workloads_with_containers_folded_in() {
    let request = MapRequest {
        expand: vec!["ns:shop".into()],
        ..MapRequest::default()
    };
    let map = map_of(SHOP, &request);
    assert!(has_node(&map, "workload:shop/Deployment/web"));
    assert!(has_node(&map, "sa:shop/web"));
    assert!(
        !has_node(&map, "container:shop/Deployment/web/nginx"),
        "containers fold into the workload"
    );
    assert!(
        !has_node(&map, "workload:back/Deployment/quiet"),
        "back stays aggregated"
    );
    // The exposure is an edge from the service to the workload, a technique.
    assert!(map
        .svg
        .contains("data-from=\"service:shop/web\" data-to=\"workload:shop/Deployment/web\""));
    assert!(map.svg.contains("class=\"map-edge technique\""));
    assert!(map
        .svg
        .contains("href=\"#/resource/workload%3Ashop%2FDeployment%2Fweb\""));
}

#[test]
fn an_attack_path_is_highlighted_and_its_namespaces_expanded() {
    let files = [InputFile::new("estate.yaml", SHOP.as_bytes().to_vec())];
    let snapshot = load(&files, &mut |_| {});
    let (analysis, graph) = conclude_with_graph(&snapshot, &AnalyzeOptions::default());
    let path = &analysis.attack_paths.paths[0];
    let map = draw(
        &analysis,
        &graph,
        &MapRequest {
            path: Some(1),
            ..MapRequest::default()
        },
    );
    assert!(!map.highlighted.is_empty());
    for step in &path.steps {
        // Every step's ends are highlighted, containers as their workload.
        for id in [&step.from, &step.to] {
            let shown = id.replace("container:", "workload:");
            let shown = match shown.rsplit_once('/') {
                Some((w, _)) if id.starts_with("container:") => w.to_string(),
                _ => shown,
            };
            assert!(
                map.highlighted.contains(&shown) || map.highlighted.contains(id),
                "{id} not highlighted in {:?}",
                map.highlighted
            );
        }
    }
    assert!(map.regions.iter().any(|r| r.id == "ns:shop" && r.expanded));
    assert!(map.svg.contains("map-edge technique hl") || map.svg.contains("map-edge hl"));
    // The unrelated namespace is not highlighted.
    assert!(!map.highlighted.iter().any(|h| h.contains("back")));
    // A rank past the end highlights nothing.
    let none = draw(
        &analysis,
        &graph,
        &MapRequest {
            path: Some(999),
            ..MapRequest::default()
        },
    );
    assert!(none.highlighted.is_empty());
}

#[test]
fn a_focus_set_is_highlighted_and_unknown_ids_reported() {
    let request = MapRequest {
        focus: vec![
            "container:shop/Deployment/web/nginx".into(),
            "workload:nowhere/Pod/x".into(),
        ],
        ..MapRequest::default()
    };
    let map = map_of(SHOP, &request);
    assert_eq!(map.highlighted, ["workload:shop/Deployment/web"]);
    assert_eq!(map.missing, ["workload:nowhere/Pod/x"]);
    // The first view is around the focus, not the whole map.
    assert!(
        map.view[2] < map.width || map.view[3] < map.height,
        "{:?}",
        map.view
    );
    assert!(map.regions.iter().any(|r| r.id == "ns:shop" && r.expanded));
    assert!(!map.regions.iter().any(|r| r.id == "ns:back" && r.expanded));
}

#[test]
fn filters_hide_kinds_and_keep_workloads_with_an_insight() {
    let expand = vec!["ns:shop".to_string(), "ns:back".to_string()];
    let hidden = map_of(
        SHOP,
        &MapRequest {
            expand: expand.clone(),
            hide: vec!["ServiceAccount".into()],
            ..MapRequest::default()
        },
    );
    assert!(!hidden.svg.contains("data-kind=\"ServiceAccount\""));
    assert!(has_node(&hidden, "workload:back/Deployment/quiet"));
    let exposed = map_of(
        SHOP,
        &MapRequest {
            expand,
            insight: "exposedToInternet".into(),
            ..MapRequest::default()
        },
    );
    assert!(has_node(&exposed, "workload:shop/Deployment/web"));
    assert!(!has_node(&exposed, "workload:back/Deployment/quiet"));
    assert!(exposed.insights.iter().any(|i| i == "exposedToInternet"));
}

#[test]
fn search_finds_what_is_aggregated() {
    let map = map_of(
        SHOP,
        &MapRequest {
            search: "QUIET".into(),
            ..MapRequest::default()
        },
    );
    assert_eq!(map.hits.len(), 1);
    assert_eq!(map.hits[0].id, "workload:back/Deployment/quiet");
    assert_eq!(map.hits[0].region, "ns:back");
    assert!(map_of(
        SHOP,
        &MapRequest {
            search: "zzz".into(),
            ..MapRequest::default()
        }
    )
    .hits
    .is_empty());
}

#[test]
fn a_large_namespace_draws_at_most_the_cap_and_aggregates_the_rest() {
    let mut yaml = String::new();
    for i in 0..MAX_PER_REGION + 50 {
        yaml.push_str(&deployment("bulk", &format!("app-{i:04}")));
    }
    let map = map_of(
        &yaml,
        &MapRequest {
            expand: vec!["ns:bulk".into()],
            ..MapRequest::default()
        },
    );
    let singles = map
        .svg
        .matches("data-kind=\"Workload\" data-count=\"1\"")
        .count();
    assert!(singles <= MAX_PER_REGION, "{singles} drawn");
    assert!(
        map.svg.contains("more Workloads"),
        "the rest is one aggregate"
    );
    assert!(map.elements <= MAX_PER_REGION + 10);
    // Collapsed, the same namespace is a handful of boxes.
    let collapsed = map_of(&yaml, &MapRequest::default());
    assert!(collapsed.elements < 20, "{}", collapsed.elements);
}

#[test]
fn hostile_names_are_escaped_text() {
    let evil = "<img src=x onerror=alert(1)>";
    let yaml = deployment(evil, evil);
    for request in [
        MapRequest::default(),
        MapRequest {
            expand: vec![format!("ns:{evil}")],
            ..MapRequest::default()
        },
    ] {
        let map = map_of(&yaml, &request);
        assert!(!map.svg.contains("<img"), "{}", map.svg);
        assert!(map.svg.contains("&lt;img"));
    }
}

#[test]
fn the_map_is_deterministic() {
    let request = MapRequest {
        expand: vec!["ns:shop".into()],
        path: Some(1),
        ..MapRequest::default()
    };
    assert_eq!(map_of(SHOP, &request), map_of(SHOP, &request));
}

#[test]
fn kinds_are_labelled_in_words() {
    let ingresses = r#"
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: a, namespace: shop}
spec: {rules: [{http: {paths: [{path: /, pathType: Prefix, backend: {service: {name: web, port: {number: 80}}}}]}}]}
---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: b, namespace: shop}
spec: {rules: [{http: {paths: [{path: /, pathType: Prefix, backend: {service: {name: web, port: {number: 80}}}}]}}]}
"#;
    let map = map_of(&format!("{SHOP}---{ingresses}"), &MapRequest::default());
    let label = |kind: &str| {
        map.kinds
            .iter()
            .find(|k| k.kind == kind)
            .map(|k| k.label.clone())
    };
    assert_eq!(label("Workload").as_deref(), Some("Workloads"));
    assert_eq!(label("ServiceAccount").as_deref(), Some("Service account"));
    // The `Namespace` node kind is a namespace's workloads; `Ingresses`, not `Ingresss`.
    assert_eq!(label("Namespace").as_deref(), Some("Workload scopes"));
    assert_eq!(label("Ingress").as_deref(), Some("Ingresses"));
    assert_eq!(capitalised(""), "");
}

/// The text a reader sees in an SVG string: everything outside tags (the contents of
/// `<text>` and `<title>`), attribute values left out.
fn shown_text(svg: &str) -> String {
    let mut out = String::new();
    let mut in_tag = false;
    for c in svg.chars() {
        match c {
            '<' => in_tag = true,
            '>' => in_tag = false,
            _ if !in_tag => out.push(c),
            _ => {}
        }
    }
    out
}

#[test]
fn bidi_and_invisible_characters_in_names_are_shown_as_escapes() {
    // A right-to-left override that would make `evil…txt.exe` read `evilexe.txt`, an
    // isolate in the namespace, a zero-width space and a right-to-left mark.
    let yaml = "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: \"evil\\u202Etxt.exe\\u200B\", namespace: \"shop\\u2066x\\u200F\"}\nspec:\n  selector: {matchLabels: {app: x}}\n  template:\n    metadata: {labels: {app: x}}\n    spec:\n      containers: [{name: app, image: \"app:1\"}]\n";
    let ns = "shop\u{2066}x\u{200F}";
    for request in [
        MapRequest::default(),
        MapRequest {
            expand: vec![format!("ns:{ns}")],
            search: "evil".into(),
            ..MapRequest::default()
        },
    ] {
        let map = map_of(yaml, &request);
        let text = shown_text(&map.svg);
        for c in ['\u{202E}', '\u{2066}', '\u{200B}', '\u{200F}'] {
            assert!(!text.contains(c), "{c:?} shown raw in {text}");
        }
        assert!(text.contains("namespace shop⟨U+2066⟩x⟨U+200F⟩"), "{text}");
        let region = map.regions.iter().find(|r| r.id == format!("ns:{ns}"));
        assert_eq!(
            region.map(|r| r.label.as_str()),
            Some("namespace shop⟨U+2066⟩x⟨U+200F⟩")
        );
        if !request.expand.is_empty() {
            // The tooltip has the whole name, escaped; the box label its start.
            assert!(
                text.contains("Deployment shop⟨U+2066⟩x⟨U+200F⟩/evil⟨U+202E⟩txt.exe⟨U+200B⟩"),
                "{text}"
            );
            assert_eq!(map.hits.len(), 1);
            assert_eq!(
                map.hits[0].label,
                "Deployment shop⟨U+2066⟩x⟨U+200F⟩/evil⟨U+202E⟩txt.exe⟨U+200B⟩"
            );
            // Ids still name the real object, for links.
            assert_eq!(
                map.hits[0].id,
                format!("workload:{ns}/Deployment/evil\u{202E}txt.exe\u{200B}")
            );
        }
    }
}

#[test]
fn kind_chips_follow_the_map_from_left_to_right() {
    let map = map_of(SHOP, &MapRequest::default());
    let kinds: Vec<&str> = map.kinds.iter().map(|k| k.kind.as_str()).collect();
    let order: Vec<(usize, NodeKind)> = map
        .kinds
        .iter()
        .map(|k| {
            let kind = NodeKind::ALL
                .iter()
                .copied()
                .find(|n| n.name() == k.kind)
                .expect("a node kind");
            kind_order(kind)
        })
        .collect();
    let mut sorted = order.clone();
    sorted.sort();
    assert_eq!(order, sorted, "{kinds:?}");
    // Entry points first, nodes last; not the alphabet.
    assert_eq!(kinds.first(), Some(&"Internet"), "{kinds:?}");
    let at = |k: &str| kinds.iter().position(|x| *x == k);
    assert!(at("Service") < at("Workload"), "{kinds:?}");
    assert!(at("Workload") < at("ServiceAccount"), "{kinds:?}");
    assert!(at("ServiceAccount") < at("PermissionSet"), "{kinds:?}");
    assert!(at("PermissionSet") < at("ClusterAdmin"), "{kinds:?}");
    assert!(at("ClusterAdmin") < at("AllNodes"), "{kinds:?}");
    // The same order whatever the snapshot's file order.
    let mut docs: Vec<&str> = SHOP.split("\n---\n").collect();
    docs.reverse();
    let reversed = docs.join("\n---\n");
    assert_eq!(map_of(&reversed, &MapRequest::default()).kinds, map.kinds);
}

#[test]
fn the_cluster_in_a_focus_set_is_the_frame_not_missing() {
    // As "Show on map" asks for `clusters -[contains]-> namespaces -[contains]-> workloads`.
    let map = map_of(
        SHOP,
        &MapRequest {
            focus: vec![
                "cluster".into(),
                "namespace:shop".into(),
                "workload:shop/Deployment/web".into(),
            ],
            ..MapRequest::default()
        },
    );
    assert!(map.missing.is_empty(), "{:?}", map.missing);
    assert!(map
        .highlighted
        .contains(&"workload:shop/Deployment/web".to_string()));
    assert!(
        !has_node(&map, "cluster"),
        "the cluster is the frame, not a box"
    );
}
