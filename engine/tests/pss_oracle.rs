//! Conformance of the Pod Security Standards checks against the upstream
//! pod-security-admission fixtures (`shared/oracles/pod-security-admission/`):
//! `<level>/<version>/<pass|fail>/<checkid><n>.yaml`, one Pod per file. Every `pass`
//! file must be allowed at its level and version; every `fail` file must be rejected
//! through the check its name gives (file names are lower-case ids), or, at
//! `restricted`, through the restricted check that upstream runs in its place
//! (`restrictedVolumes` for `hostPathVolumes`, ...).
//!
//! `cargo test -p portolan-engine --test pss_oracle -- --nocapture` prints the
//! agreement table. Without the oracle folder the test says why it skipped, and passes.

mod common;

use std::collections::BTreeMap;
use std::fs;
use std::path::Path;

use portolan_engine::ingest::parse_file;
use portolan_engine::rules::pss::{self, Level, Version};
use portolan_engine::InputFile;

#[derive(Default)]
struct Tally {
    pass_ok: usize,
    pass_total: usize,
    fail_ok: usize,
    fail_total: usize,
    /// Fail files rejected through the restricted check that overrides the named one.
    via_override: usize,
    /// Fail files rejected through the named check (or its overrider) alone.
    exclusive: usize,
}

/// `capabilities_baseline3.yaml` -> `capabilities_baseline`.
fn check_name(file: &Path) -> String {
    let stem = file.file_stem().and_then(|s| s.to_str()).unwrap_or("");
    stem.trim_end_matches(|c: char| c.is_ascii_digit())
        .to_string()
}

#[test]
fn pod_security_admission_fixtures_agree() {
    let Some(root) = common::oracle_root("pss_oracle") else {
        return;
    };

    let mut tallies: BTreeMap<(Level, Version), Tally> = BTreeMap::new();
    let mut disagreements = Vec::new();

    for dir in common::version_dirs(&root) {
        let level = dir.level;
        let version = match dir.version {
            Ok(version) => version,
            Err(_) => {
                disagreements.push(format!("{}: not a policy version", dir.path.display()));
                continue;
            }
        };
        let tally = tallies.entry((level, version)).or_default();
        for (outcome, file) in common::fixture_files(&dir.path) {
            let file_name = file.file_name().and_then(|n| n.to_str()).unwrap_or("");
            let label = format!("{level}/{version}/{outcome}/{file_name}");
            let bytes = fs::read(&file).unwrap_or_default();
            let parsed = parse_file(&InputFile::new(file.display().to_string(), bytes));
            let pods = common::pods(&parsed);
            if pods.len() != 1 || !parsed.diagnostics.is_empty() {
                disagreements.push(format!(
                    "{label}: expected one Pod, read {} ({:?})",
                    pods.len(),
                    parsed.diagnostics
                ));
                continue;
            }
            let (meta, spec) = pods[0];
            let violations = pss::evaluate(meta, spec, level, version);
            let found: Vec<String> = violations
                .iter()
                .map(|v| format!("{}: {} [{}]", v.check, v.message, v.fields.join(", ")))
                .collect();
            if outcome == "pass" {
                tally.pass_total += 1;
                if violations.is_empty() {
                    tally.pass_ok += 1;
                } else {
                    disagreements.push(format!("{label}: should pass, got {found:#?}"));
                }
                continue;
            }
            tally.fail_total += 1;
            let named = check_name(&file);
            let Some(check) = pss::CHECKS.iter().find(|c| c.id.to_lowercase() == named) else {
                disagreements.push(format!("{label}: no check named {named:?}"));
                continue;
            };
            let overrider = pss::overridden_by(level, version, check.id);
            let through = |id: &str| id == check.id || Some(id) == overrider;
            if violations.iter().any(|v| v.check == check.id) {
                tally.fail_ok += 1;
            } else if violations.iter().any(|v| Some(v.check) == overrider) {
                tally.fail_ok += 1;
                tally.via_override += 1;
            } else {
                disagreements.push(format!(
                    "{label}: should fail through {}{}, got {found:#?}",
                    check.id,
                    overrider.map(|o| format!(" (or {o})")).unwrap_or_default()
                ));
                continue;
            }
            if violations.iter().all(|v| through(v.check)) {
                tally.exclusive += 1;
            }
        }
    }

    println!("\nPod Security Standards vs upstream fixtures");
    println!(
        "{:<11} {:<8} {:>11} {:>11} {:>13} {:>10}",
        "level", "version", "pass", "fail", "via override", "exclusive"
    );
    let (mut agree, mut total) = (0, 0);
    for ((level, version), t) in &tallies {
        println!(
            "{:<11} {:<8} {:>5}/{:<5} {:>5}/{:<5} {:>13} {:>10}",
            level.as_str(),
            version.to_string(),
            t.pass_ok,
            t.pass_total,
            t.fail_ok,
            t.fail_total,
            t.via_override,
            t.exclusive
        );
        agree += t.pass_ok + t.fail_ok;
        total += t.pass_total + t.fail_total;
    }
    common::report_agreement(agree, total, &root, &disagreements);
}
