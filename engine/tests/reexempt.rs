//! Changing only the exemptions of a concluded analysis (`reexempt`, what the app's
//! worker does when the user exempts a finding) gives exactly what concluding again
//! with the new exemptions gives, and the update a viewer receives (`ShownUpdate`)
//! brings its copy of the old analysis, without findings, to the same place.

use std::fs;
use std::path::Path;

use portolan_engine::analysis::{conclude, load_with, reexempt, AnalyzeOptions, LoadOptions};
use portolan_engine::rules::exemptions;
use portolan_engine::InputFile;

mod files;
mod viewer;
use files::files_under;
use viewer::assert_update_brings_viewer_there;

fn inputs() -> Vec<InputFile> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let mut paths = Vec::new();
    files_under(&root.join("public/demo"), &mut paths);
    // User policies among the inputs: their findings are exempted like the rules'.
    for name in ["required-labels.yaml", "allowed-repos.yaml"] {
        paths.push(root.join("tests/fixtures/policies-app").join(name));
    }
    paths
        .iter()
        .filter(|p| p.extension().is_some_and(|e| e != "md"))
        .map(|p| InputFile::new(p.display().to_string(), fs::read(p).unwrap()))
        .collect()
}

fn options(text: &str) -> AnalyzeOptions {
    let mut options = AnalyzeOptions::default();
    if !text.is_empty() {
        let (list, problems) = exemptions::parse("exemptions.yaml", text);
        assert!(problems.is_empty(), "{problems:?}");
        options.rules.exemptions = list;
    }
    options.rules.today = Some("2026-12-04".into());
    options
}

#[test]
fn reexempting_equals_concluding_again() {
    let files = inputs();
    let snapshot = load_with(&files, &LoadOptions::default(), &mut |_| {});
    let sets = [
        "",
        // A whole rule, a namespace of another, one resource by name prefix.
        "- {rule: readOnlyRootFilesystem, reason: r}\n\
         - {rule: runAsNonRoot, namespace: kube-system, reason: r}\n\
         - {rule: '*', name: 'pay*', reason: every rule, category: riskAccepted, owner: sec}\n",
        // Expired, and one that covers nothing: both warn.
        "- {rule: readOnlyRootFilesystem, reason: old, expires: '2026-01-01'}\n\
         - {rule: noSuchRule, reason: r}\n",
        // Every finding of every rule, the policies' included: the score is whole.
        "- {rule: '*', reason: all}\n",
        // By the resources' labels (the only exemptions that read them), after one by
        // namespace that takes some of the same findings first.
        "- {rule: runAsNonRoot, namespace: argocd, reason: r}\n\
         - {rule: '*', selector: {matchLabels: {app.kubernetes.io/managed-by: Helm}}, reason: charts}\n",
    ];
    let fresh: Vec<_> = sets
        .iter()
        .map(|t| conclude(&snapshot, &options(t)))
        .collect();
    assert!(
        fresh[0]
            .recommendations
            .iter()
            .any(|r| r.category == portolan_engine::rules::Category::Policy),
        "the fixture should give findings of a user policy"
    );
    assert_ne!(fresh[0].secure_score, fresh[1].secure_score);
    assert!(fresh[3].findings.iter().all(|f| f.exemption.is_some()));
    let by_selector =
        |f: &&portolan_engine::rules::Finding| f.exemption.as_ref().is_some_and(|x| x.index == 1);
    assert!(
        fresh[4].findings.iter().filter(by_selector).count() > 0,
        "the selector should exempt some findings"
    );
    for (a, from) in fresh.iter().enumerate() {
        for (b, text) in sets.iter().enumerate() {
            let mut kept = from.clone();
            reexempt(&mut kept, &snapshot, &options(text));
            assert!(
                kept == fresh[b],
                "exemption set {a} then {b} differs from concluding with {b}"
            );
            assert_update_brings_viewer_there(
                from,
                &kept,
                &fresh[b],
                false,
                &format!("exemption set {a} then {b}"),
            );
        }
    }
}
