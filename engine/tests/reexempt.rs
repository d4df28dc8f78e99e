//! Changing only the exemptions of a concluded analysis (`reexempt`, what the app's
//! worker does when the user exempts a finding) gives exactly what concluding again
//! with the new exemptions gives, and the update a viewer receives (`ShownUpdate`)
//! brings its copy of the old analysis, without findings, to the same place.

use std::fs;
use std::path::Path;

use portolan_engine::analysis::shown::FindingCounts;
use portolan_engine::analysis::{conclude, load_with, reexempt, AnalyzeOptions, LoadOptions};
use portolan_engine::rules::exemptions;
use portolan_engine::Analysis;
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
            let changed = reexempt(&mut kept, &snapshot, &options(text));
            assert!(
                kept == fresh[b],
                "exemption set {a} then {b} differs from concluding with {b}"
            );
            assert_recount_counts_there(from, &kept, &changed, &fresh[b], &format!("{a} then {b}"));
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

/// `FindingCounts::recount`, from `from`'s counts and the rules `reexempt` said changed,
/// gives `fresh`'s counts (and every recommendation whose rule is not in `changed`
/// counts as it did in `from`).
fn assert_recount_counts_there(
    from: &Analysis,
    kept: &Analysis,
    changed: &[String],
    fresh: &Analysis,
    what: &str,
) {
    let before: Vec<String> = from
        .recommendations
        .iter()
        .map(|r| r.rule.clone())
        .collect();
    let recounted = FindingCounts::of(from).recount(&before, kept, changed);
    assert_eq!(recounted, FindingCounts::of(fresh), "{what}: recounted");
    for r in &from.recommendations {
        let after = kept.recommendations.iter().find(|k| k.rule == r.rule);
        if !changed.contains(&r.rule) {
            assert_eq!(
                after.map(|k| (k.affected, k.exempted)),
                Some((r.affected, r.exempted)),
                "{what}: {} is not said to change but does",
                r.rule
            );
        }
    }
}

/// A small deterministic generator (xorshift), for exemption sets drawn at random.
struct Draw(u64);

impl Draw {
    fn below(&mut self, n: usize) -> usize {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        (self.0 % n as u64) as usize
    }
}

#[test]
fn random_exemption_sets_in_sequence_equal_concluding_again() {
    // One cluster, the demo's top folder, with the user policies: the score's tally
    // kept in the snapshot is what is tested (several clusters score each part afresh).
    let files: Vec<InputFile> = inputs()
        .into_iter()
        .filter(|f| {
            let path = Path::new(&f.path);
            path.parent().is_some_and(|p| p.ends_with("public/demo"))
                || path.to_string_lossy().contains("policies-app")
        })
        .collect();
    let snapshot = load_with(&files, &LoadOptions::default(), &mut |_| {});
    assert!(
        !snapshot.is_several(),
        "the demo's top folder is one cluster"
    );
    let plain = conclude(&snapshot, &options(""));
    // What exemptions name: the findings' rules (the policies' too), namespaces and
    // resources' names (whole, or a prefix).
    let mut rules: Vec<&str> = plain.findings.iter().map(|f| f.rule.as_str()).collect();
    rules.sort_unstable();
    rules.dedup();
    rules.push("*");
    let mut namespaces: Vec<&str> = plain
        .findings
        .iter()
        .map(|f| f.resource.namespace.as_str())
        .filter(|n| !n.is_empty())
        .collect();
    namespaces.sort_unstable();
    namespaces.dedup();
    let mut names: Vec<String> = plain
        .findings
        .iter()
        .map(|f| f.resource.name.clone())
        .collect();
    names.sort_unstable();
    names.dedup();
    let mut draw = Draw(0x5eed_1234_abcd_0042);
    let mut kept = plain.clone();
    let mut exempted_ever = 0;
    for step in 0..24 {
        let mut text = String::new();
        for _ in 0..draw.below(5) {
            let rule = rules[draw.below(rules.len())];
            text.push_str(&format!("- {{rule: '{rule}', reason: r"));
            match draw.below(4) {
                0 => {}
                1 => text.push_str(&format!(
                    ", namespace: {}",
                    namespaces[draw.below(namespaces.len())]
                )),
                2 => text.push_str(&format!(", name: '{}'", names[draw.below(names.len())])),
                _ => {
                    let name = &names[draw.below(names.len())];
                    let prefix: String = name.chars().take(1 + draw.below(3)).collect();
                    text.push_str(&format!(", name: '{prefix}*'"));
                }
            }
            text.push_str("}\n");
        }
        let before = kept.clone();
        let changed = reexempt(&mut kept, &snapshot, &options(&text));
        let fresh = conclude_elsewhere(&files, &text);
        assert!(
            kept == fresh,
            "step {step}: reexempting with\n{text}differs from concluding with it"
        );
        assert_recount_counts_there(&before, &kept, &changed, &fresh, &format!("step {step}"));
        exempted_ever += kept
            .findings
            .iter()
            .filter(|f| f.exemption.is_some())
            .count();
    }
    assert!(exempted_ever > 0, "the sets drawn should exempt something");
}

/// What concluding a snapshot of `files` of its own with the exemptions `text` gives
/// (not the one re-exempted, whose kept tally is under test).
fn conclude_elsewhere(files: &[InputFile], text: &str) -> Analysis {
    let snapshot = load_with(files, &LoadOptions::default(), &mut |_| {});
    conclude(&snapshot, &options(text))
}
