//! Ingestion tests over small inline inputs: shapes, locations, hostile input.

use super::*;
use crate::source::Level;

fn parse(path: &str, text: &str) -> Parsed {
    parse_file(&InputFile::new(path, text.as_bytes().to_vec()))
}

fn names(p: &Parsed) -> Vec<String> {
    p.objects
        .iter()
        .map(|(o, _)| o.metadata.name.clone())
        .collect()
}

fn lines(p: &Parsed) -> Vec<u32> {
    p.objects.iter().map(|(_, s)| s.line).collect()
}

fn errors(p: &Parsed) -> Vec<&Diagnostic> {
    p.diagnostics
        .iter()
        .filter(|d| d.level == Level::Error)
        .collect()
}

const LIST: &str = r#"{
    "apiVersion": "v1",
    "items": [
        {
            "apiVersion": "v1",
            "kind": "Pod",
            "metadata": {"name": "a", "namespace": "shop"},
            "spec": {"containers": [{"name": "c", "image": "nginx"}]}
        },
        {
            "apiVersion": "apps/v1",
            "kind": "Deployment",
            "metadata": {"name": "b", "namespace": "shop"},
            "spec": {"replicas": 2, "template": {"spec": {"containers": []}}}
        }
    ],
    "kind": "List",
    "metadata": {"resourceVersion": ""}
}"#;

#[test]
fn json_list_items_keep_their_lines() {
    let p = parse("pods.json", LIST);
    assert_eq!(p.format(), InputFormat::KubernetesJson);
    assert_eq!(names(&p), ["a", "b"]);
    assert_eq!(lines(&p), [4, 10]);
    assert!(p.diagnostics.is_empty(), "{:?}", p.diagnostics);
}

#[test]
fn json_bad_item_costs_one_located_error() {
    let text = LIST.replace(r#""replicas": 2"#, r#""replicas": "two""#);
    let p = parse("d.json", &text);
    assert_eq!(names(&p), ["a"]);
    let e = errors(&p);
    assert_eq!(e.len(), 1);
    assert_eq!(e[0].line, 14, "{}", e[0]);
    assert!(e[0].path.contains("items[1]"), "{}", e[0]);
    assert!(e[0].path.contains("spec.replicas"), "{}", e[0]);
}

#[test]
fn truncated_json_keeps_items_before_the_cut() {
    let cut = LIST.find("\"Deployment\"").unwrap();
    let p = parse("t.json", &LIST[..cut]);
    assert_eq!(names(&p), ["a"]);
    let e = errors(&p);
    assert_eq!(e.len(), 1);
    assert!(e[0].line >= 11, "{}", e[0]);
    assert!(e[0].message.contains("EOF"), "{}", e[0]);
}

#[test]
fn single_object_and_json_lines() {
    let text = "{\"apiVersion\":\"v1\",\"kind\":\"Namespace\",\"metadata\":{\"name\":\"x\"}}\n\
                {\"apiVersion\":\"v1\",\"kind\":\"Namespace\",\"metadata\":{\"name\":\"y\"}}\n";
    let p = parse("ns.jsonl", text);
    assert_eq!(names(&p), ["x", "y"]);
    assert_eq!(lines(&p), [1, 2]);
    assert!(p.diagnostics.is_empty(), "{:?}", p.diagnostics);
}

#[test]
fn kubectl_version_json() {
    let p = parse(
        "version.json",
        r#"{"clientVersion":{"gitVersion":"v1.31.0"},"serverVersion":{"major":"1","gitVersion":"v1.30.4-eks-a737599"}}"#,
    );
    assert_eq!(p.format(), InputFormat::KubectlVersion);
    assert_eq!(p.server_version.unwrap().git_version, "v1.30.4-eks-a737599");
}

#[test]
fn json_without_kind_is_unrecognised() {
    let p = parse("x.json", r#"{"hello": "world"}"#);
    assert_eq!(p.format(), InputFormat::Unrecognized);
    assert_eq!(errors(&p).len(), 1);
}

#[test]
fn multi_document_yaml_with_comments() {
    let text = "# rendered by helm\n---\napiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: one\n---\n# second\napiVersion: rbac.authorization.k8s.io/v1\nkind: Role\nmetadata:\n  name: two\n  namespace: ci\nrules:\n- apiGroups: [\"\"]\n  resources: [pods]\n  verbs: [create]\n---\n";
    let p = parse("rbac.yaml", text);
    assert_eq!(p.format(), InputFormat::KubernetesYaml);
    assert_eq!(names(&p), ["one", "two"]);
    // The first line of each object's content, past the marker and the comments.
    assert_eq!(lines(&p), [3, 9]);
    match &p.objects[1].0.body {
        Body::Role { rules, .. } => assert_eq!(rules[0].verbs, ["create"]),
        other => panic!("{other:?}"),
    }
}

#[test]
fn yaml_list_items_keep_their_lines() {
    let text = "apiVersion: v1\nitems:\n- apiVersion: v1\n  kind: Namespace\n  metadata:\n    name: a\n- apiVersion: v1\n  kind: Namespace\n  metadata:\n    name: b\nkind: List\n";
    let p = parse("ns.yaml", text);
    assert_eq!(names(&p), ["a", "b"]);
    assert_eq!(lines(&p), [3, 7]);
}

#[test]
fn broken_yaml_document_does_not_stop_the_others() {
    let p = parse(
        "m.yaml",
        include_str!("../../../tests/fixtures/malformed/invalid.yaml"),
    );
    assert_eq!(names(&p), ["ok-before", "ok-after"]);
    let e = errors(&p);
    assert_eq!(e.len(), 1);
    assert!((9..=11).contains(&e[0].line), "{}", e[0]);
}

#[test]
fn yaml_alias_bomb_is_stopped() {
    let p = parse(
        "bomb.yaml",
        include_str!("../../../tests/fixtures/malformed/alias-bomb.yaml"),
    );
    assert!(p.objects.is_empty());
    let e = errors(&p);
    assert_eq!(e.len(), 1, "{:?}", p.diagnostics);
    assert!(e[0].line >= 1);
}

#[test]
fn deep_nesting_is_an_error_not_a_crash() {
    for (name, text) in [
        (
            "deep.json",
            include_str!("../../../tests/fixtures/malformed/deep-nesting.json"),
        ),
        (
            "deep.yaml",
            include_str!("../../../tests/fixtures/malformed/deep-nesting.yaml"),
        ),
    ] {
        let p = parse(name, text);
        assert!(p.objects.is_empty(), "{name}");
        let e = errors(&p);
        assert_eq!(e.len(), 1, "{name}: {:?}", p.diagnostics);
        assert!(e[0].line >= 1, "{name}: {}", e[0]);
    }
}

#[test]
fn binary_and_empty_files() {
    let p = parse_file(&InputFile::new(
        "x.bin",
        include_bytes!("../../../tests/fixtures/malformed/binary.json").to_vec(),
    ));
    assert_eq!(p.format(), InputFormat::Binary);
    assert_eq!(errors(&p)[0].line, 1);
    let p = parse("e.yaml", "  \n");
    assert_eq!(p.format(), InputFormat::Empty);
    assert_eq!(errors(&p)[0].line, 1);
}

#[test]
fn secret_values_in_yaml_never_enter_the_model() {
    let text = "apiVersion: v1\nkind: Secret\nmetadata:\n  name: s\n  annotations:\n    kubectl.kubernetes.io/last-applied-configuration: '{\"data\":{\"p\":\"aHVudGVyMg==\"}}'\ndata:\n  p: aHVudGVyMg==\nstringData:\n  q: hunter2\n";
    let p = parse("s.yaml", text);
    let dump = format!("{:?}", p.objects);
    assert!(!dump.contains("aHVudGVyMg=="));
    assert!(!dump.contains("hunter2"));
    match &p.objects[0].0.body {
        Body::Secret { keys, .. } => assert_eq!(keys, &["p", "q"]),
        other => panic!("{other:?}"),
    }
}

#[test]
fn hostile_bytes_never_panic() {
    // A cheap deterministic fuzz: every prefix of valid inputs, and byte flips.
    let inputs = [LIST, "apiVersion: v1\nkind: Pod\nmetadata: {name: x}\nspec:\n  containers:\n  - name: a\n    image: b\n"];
    for text in inputs {
        for cut in 0..text.len() {
            if text.is_char_boundary(cut) {
                let _ = parse("cut", &text[..cut]);
            }
        }
        let mut bytes = text.as_bytes().to_vec();
        for i in (0..bytes.len()).step_by(7) {
            let saved = bytes[i];
            bytes[i] = b"{[:-\"'&*!|>#"[i % 12];
            let _ = parse_file(&InputFile::new("flip", bytes.clone()));
            bytes[i] = saved;
        }
    }
}

// --- managed-cluster metadata (`aws eks describe-cluster`, `az aks show`) ---

const EKS_FIXTURE: &str = include_str!(concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../tests/fixtures/cloud/eks-describe-cluster.json"
));
const AKS_FIXTURE: &str = include_str!(concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../tests/fixtures/cloud/aks-show.json"
));

fn managed(p: &Parsed) -> &crate::model::cluster::ManagedCluster {
    match &p.objects[..] {
        [(obj, _)] => match &obj.body {
            Body::ManagedCluster(m) => m,
            other => panic!("not a managed cluster: {other:?}"),
        },
        other => panic!("expected one object, got {}", other.len()),
    }
}

#[test]
fn eks_describe_cluster_is_detected_and_read() {
    let p = parse("eks.json", EKS_FIXTURE);
    assert_eq!(p.format(), InputFormat::EksCluster);
    assert!(p.diagnostics.is_empty(), "{:?}", p.diagnostics);
    let m = managed(&p);
    assert_eq!(m.provider, crate::model::cluster::Provider::Eks);
    assert_eq!(m.name, "payments-staging");
    assert_eq!(
        m.id,
        "arn:aws:eks:eu-west-1:210987654321:cluster/payments-staging"
    );
    assert_eq!(m.region, "eu-west-1");
    assert_eq!(m.version, "1.33");
    assert!(m.endpoint.starts_with("https://4E1A9C27"));
    assert_eq!(m.public_endpoint, Some(true));
    assert_eq!(m.authorized_ranges, ["203.0.113.0/24", "198.51.100.17/32"]);
    assert_eq!(
        m.enabled_log_types.as_deref(),
        Some(&["api".to_string(), "audit".into(), "authenticator".into()][..])
    );
    assert_eq!(
        m.encrypted_resources.as_deref(),
        Some(&["secrets".to_string()][..])
    );
    assert_eq!(m.authentication_mode.as_deref(), Some("API"));
    assert_eq!(p.objects[0].1.line, 1);
    // The certificate authority data is not kept anywhere.
    assert!(!format!("{:?}", p.objects).contains("LS0tLS1CRUdJTi"));
}

#[test]
fn az_aks_show_is_detected_before_its_kind_and_read() {
    let p = parse("aks.json", AKS_FIXTURE);
    assert_eq!(p.format(), InputFormat::AksCluster);
    assert!(p.diagnostics.is_empty(), "{:?}", p.diagnostics);
    let m = managed(&p);
    assert_eq!(m.provider, crate::model::cluster::Provider::Aks);
    assert_eq!(m.name, "contoso-prod");
    assert_eq!(m.region, "westeurope");
    assert_eq!(m.version, "1.32.6");
    assert_eq!(
        m.endpoint,
        "contoso-prod-dns-8c1f2a3b.hcp.westeurope.azmk8s.io"
    );
    assert_eq!(m.public_endpoint, Some(true));
    assert!(m.authorized_ranges.is_empty());
    assert_eq!(m.rbac_enabled, Some(true));
    assert_eq!(m.local_accounts_disabled, Some(false));
    assert_eq!(m.entra_id, Some(false));
    assert_eq!(m.network_policy.as_deref(), Some("none"));
    assert_eq!(m.network_plugin.as_deref(), Some("azure"));
}

#[test]
fn aks_arm_form_with_properties_is_read() {
    let text = r#"{"id": "/subscriptions/x/resourceGroups/rg/providers/Microsoft.ContainerService/managedClusters/arm",
        "name": "arm", "type": "Microsoft.ContainerService/managedClusters", "location": "eastus",
        "properties": {"kubernetesVersion": "1.35.1", "enableRBAC": false, "disableLocalAccounts": true,
          "aadProfile": {"managed": true},
          "apiServerAccessProfile": {"authorizedIPRanges": ["203.0.113.0/24"]},
          "networkProfile": {"networkPlugin": "azure", "networkPolicy": "cilium"}}}"#;
    let p = parse("arm.json", text);
    assert_eq!(p.format(), InputFormat::AksCluster);
    let m = managed(&p);
    assert_eq!(m.rbac_enabled, Some(false));
    assert_eq!(m.local_accounts_disabled, Some(true));
    assert_eq!(m.entra_id, Some(true));
    assert_eq!(m.authorized_ranges, ["203.0.113.0/24"]);
    assert_eq!(m.network_policy.as_deref(), Some("cilium"));
    assert_eq!(m.version, "1.35.1");
}

#[test]
fn broken_cloud_metadata_costs_a_located_error() {
    let text = "{\n  \"cluster\": {\n    \"name\": \"x\",\n    \"resourcesVpcConfig\": {\"endpointPublicAccess\": \"yes\"}\n  }\n}\n";
    let p = parse("eks.json", text);
    assert!(p.objects.is_empty());
    let e = errors(&p);
    assert_eq!(e.len(), 1, "{:?}", p.diagnostics);
    assert!(
        e[0].message.contains("aws eks describe-cluster"),
        "{}",
        e[0].message
    );
    assert_eq!(e[0].line, 4);
    // A `cluster` without name or ARN is not EKS output.
    let p = parse("other.json", r#"{"cluster": {"size": 3}}"#);
    assert!(p.objects.is_empty());
    assert_eq!(errors(&p).len(), 1);
    // A Kubernetes object with a `type` (a Secret) is still a Kubernetes object.
    let p = parse(
        "s.json",
        r#"{"apiVersion": "v1", "kind": "Secret", "type": "Opaque", "metadata": {"name": "s"}}"#,
    );
    assert_eq!(p.format(), InputFormat::KubernetesJson);
    assert_eq!(names(&p), ["s"]);
}

#[test]
fn a_streamed_list_reserves_nothing_for_the_objects_it_hands_on() {
    // The List reader reserves the objects' vector for every item; streamed objects go
    // to the inventory, so that would be an object's size per item never filled.
    let items: Vec<String> = (0..50)
        .map(|i| format!(r#"{{"apiVersion":"v1","kind":"Pod","metadata":{{"name":"p{i}","namespace":"a"}},"spec":{{"containers":[{{"name":"c","image":"x"}}]}}}}"#))
        .collect();
    let list = format!(
        r#"{{"apiVersion":"v1","kind":"List","items":[{}]}}"#,
        items.join(",")
    );
    let mut inventory = crate::model::Inventory::default();
    let (parsed, streamed) = parse_file_into(&InputFile::new("pods.json", list), &mut inventory);
    assert_eq!(streamed.objects, 50);
    assert_eq!(inventory.pods.len(), 50);
    assert_eq!(parsed.objects.capacity(), 0);
}
