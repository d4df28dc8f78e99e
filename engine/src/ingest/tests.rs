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
    assert_eq!(lines(&p), [2, 7]);
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
