//! `--namespace`/`-n`: the namespace of objects written without one, as with kubectl.

use std::path::{Path, PathBuf};

use serde_json::Value;

mod common;
use common::portolan;

fn manifest() -> PathBuf {
    let dir = std::env::temp_dir().join(format!("portolan-ns-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let path = dir.join("chart.yaml");
    std::fs::write(
        &path,
        "apiVersion: v1\nkind: Pod\nmetadata: {name: web}\nspec:\n  hostNetwork: true\n  containers: [{name: c, image: nginx:1.27}]\n\
---\napiVersion: rbac.authorization.k8s.io/v1\nkind: RoleBinding\nmetadata: {name: viewers}\n\
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: admin}\nsubjects: [{kind: ServiceAccount, name: ci}]\n",
    )
    .expect("write manifest");
    path
}

fn findings(args: &[&str], path: &Path) -> Vec<(String, String, String)> {
    let path = path.to_str().expect("UTF-8 temp path");
    let args: Vec<&str> = args.iter().copied().chain([path]).collect();
    let out = portolan(&args, None);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let json: Value = serde_json::from_slice(&out.stdout).expect("JSON");
    let mut v: Vec<(String, String, String)> = json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["rule"] == "hostNamespaces" || f["rule"] == "namespaceAdminBinding")
        .map(|f| {
            (
                f["rule"].as_str().unwrap().to_string(),
                f["resource"]["namespace"]
                    .as_str()
                    .unwrap_or("")
                    .to_string(),
                f["message"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    v.sort();
    v
}

#[test]
fn namespace_flag_places_objects_without_one() {
    let path = manifest();
    let default = findings(&["analyze", "--format", "json"], &path);
    assert_eq!(default.len(), 2, "{default:?}");
    assert!(
        default.iter().all(|(_, ns, _)| ns == "default"),
        "{default:?}"
    );
    let given = findings(&["analyze", "-n", "payments", "--format", "json"], &path);
    let long = findings(
        &["analyze", "--namespace", "payments", "--format", "json"],
        &path,
    );
    assert_eq!(given, long);
    assert!(given.iter().all(|(_, ns, _)| ns == "payments"), "{given:?}");
    // The RoleBinding's subject follows the binding into the namespace.
    let admin = &given
        .iter()
        .find(|f| f.0 == "namespaceAdminBinding")
        .unwrap()
        .2;
    assert!(
        admin.contains("ServiceAccount payments/ci is admin of namespace payments"),
        "{admin}"
    );
    assert!(
        admin.contains("built-in role, definition assumed"),
        "{admin}"
    );
    // `enforce` reads the namespace the same way: its dry run names it.
    let file = path.to_str().expect("UTF-8 temp path");
    let out = portolan(&["enforce", "-n", "payments", file], None);
    assert!(out.status.success());
    let text =
        String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr);
    assert!(text.contains("payments"), "{text}");
    let _ = std::fs::remove_dir_all(path.parent().unwrap());
}
