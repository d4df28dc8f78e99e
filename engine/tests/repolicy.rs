//! Changing only the user's policies of a concluded analysis (`repolicy`, what the app's
//! worker does when a policy file is added, edited or removed on the Policies page)
//! gives exactly what concluding again with the new policies gives, and the update a
//! viewer receives (`ShownUpdate` with its policy part) brings its copy of the old
//! analysis, without findings, to the same place: on the demo's two
//! clusters and on one, with exemptions covering a policy's findings, with the policies
//! in the score or not, and through a template that stops compiling.

use std::fs;
use std::path::{Path, PathBuf};

use portolan_engine::analysis::{conclude, load_with, repolicy, AnalyzeOptions, LoadOptions};
use portolan_engine::policy::PolicySet;
use portolan_engine::rules::exemptions;
use portolan_engine::InputFile;

mod files;
mod viewer;
use files::files_under;
use viewer::assert_update_brings_viewer_there;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// The demo's files; only the first cluster's unless `both`.
fn demo(both: bool) -> Vec<InputFile> {
    let mut paths = Vec::new();
    files_under(&root().join("public/demo"), &mut paths);
    paths
        .iter()
        .filter(|p| p.extension().is_some_and(|e| e != "md"))
        .filter(|p| both || !p.display().to_string().contains("lab-kubeadm"))
        .map(|p| InputFile::new(p.display().to_string(), fs::read(p).unwrap()))
        .collect()
}

fn fixture(name: &str) -> String {
    fs::read_to_string(root().join("tests/fixtures/policies-app").join(name)).unwrap()
}

/// The policy sets a user goes through: none, two files, one edited (another parameter
/// and message), one broken by the edit, the CEL one with parameters.
fn policy_sets() -> Vec<Vec<(&'static str, String)>> {
    let labels = fixture("required-labels.yaml");
    let repos = fixture("allowed-repos.yaml");
    let edited = repos.replace("\"quay.io/\"", "\"docker.io/\"").replace(
        "has an invalid image repo",
        "comes from an unapproved registry",
    );
    assert_ne!(edited, repos, "the edit should change the fixture");
    let broken = repos.replace("violation contains", "violation contains contains");
    vec![
        vec![],
        vec![("labels.yaml", labels.clone()), ("repos.yaml", repos)],
        vec![("labels.yaml", labels.clone()), ("repos.yaml", edited)],
        vec![("labels.yaml", labels), ("repos.yaml", broken)],
        vec![("replica-cap.yaml", fixture("replica-cap.yaml"))],
    ]
}

fn options(policies: &[(&str, String)], scored: bool) -> AnalyzeOptions {
    let mut options = AnalyzeOptions::default();
    let files: Vec<InputFile> = policies
        .iter()
        .map(|(p, t)| InputFile::new(*p, t.as_bytes().to_vec()))
        .collect();
    options.policies.set = PolicySet::read(&files, true);
    options.policies.scored = scored;
    let (list, problems) = exemptions::parse(
        "exemptions.yaml",
        "- {rule: 'K8sAllowedRepos/*', namespace: shop, reason: r}\n\
         - {rule: readOnlyRootFilesystem, reason: r}\n",
    );
    assert!(problems.is_empty(), "{problems:?}");
    options.rules.exemptions = list;
    options.rules.today = Some("2026-12-04".into());
    options
}

fn check(both: bool, scored: bool) {
    let files = demo(both);
    let load = LoadOptions {
        keep_raw: true,
        ..LoadOptions::default()
    };
    let snapshot = load_with(&files, &load, &mut |_| {});
    assert_eq!(snapshot.is_several(), both);
    let sets = policy_sets();
    let fresh: Vec<_> = sets
        .iter()
        .map(|s| conclude(&snapshot, &options(s, scored)))
        .collect();
    let of = |i: usize, rule: &str| {
        fresh[i]
            .findings
            .iter()
            .filter(|f| f.rule == rule)
            .map(|f| f.message.clone())
            .collect::<Vec<_>>()
    };
    let repos = "K8sAllowedRepos/trusted-registries";
    assert!(
        !of(1, repos).is_empty(),
        "the fixture should find violations"
    );
    assert_ne!(of(1, repos), of(2, repos), "the edit should change them");
    assert!(
        of(3, repos).is_empty(),
        "a broken template leaves no violation"
    );
    let broken = fresh[3].policies.as_ref().unwrap();
    assert!(
        broken.diagnostics.iter().any(|d| d.file == "repos.yaml"
            && d.line > 1
            && d.message.contains("does not compile")),
        "{:?}",
        broken.diagnostics
    );
    for (a, from) in fresh.iter().enumerate() {
        for (b, set) in sets.iter().enumerate() {
            let mut kept = from.clone();
            assert!(
                repolicy(&mut kept, &snapshot, &options(set, scored)),
                "the snapshot kept its objects"
            );
            assert!(
                kept == fresh[b],
                "policy set {a} then {b} differs from concluding with {b} (clusters: {both})"
            );
            assert_update_brings_viewer_there(
                from,
                &kept,
                &fresh[b],
                true,
                &format!("policy set {a} then {b} (clusters: {both})"),
            );
        }
    }
}

#[test]
fn repolicy_equals_concluding_again_on_two_clusters() {
    check(true, false);
}

#[test]
fn repolicy_equals_concluding_again_on_one_cluster_with_policies_scored() {
    check(false, true);
}

#[test]
fn a_snapshot_that_kept_no_object_cannot_rerun_policies() {
    let snapshot = load_with(&demo(false), &LoadOptions::default(), &mut |_| {});
    let options = options(&policy_sets()[1], false);
    let mut analysis = conclude(&snapshot, &AnalyzeOptions::default());
    let before = analysis.clone();
    assert!(!repolicy(&mut analysis, &snapshot, &options));
    assert!(
        analysis == before,
        "a refused re-run leaves the analysis as it was"
    );
}
