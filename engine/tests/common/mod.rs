//! What the tests over the upstream pod-security-admission fixtures share: finding
//! them (`shared/oracles/pod-security-admission/<level>/<version>/<pass|fail>/*.yaml`,
//! one Pod per file) and walking them in a stable order.

use std::fs;
use std::path::{Path, PathBuf};

use portolan_engine::ingest::{Body, Parsed};
use portolan_engine::model::meta::ObjectMeta;
use portolan_engine::model::pod::PodSpec;
use portolan_engine::rules::pss::{Level, Version};

/// The fixture folder, or `None` after saying why `test` skipped (the shared oracle
/// folder is not mounted in every checkout).
pub fn oracle_root(test: &str) -> Option<PathBuf> {
    let root =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/oracles/pod-security-admission");
    if root.is_dir() {
        return Some(root);
    }
    println!(
        "{test}: SKIPPED, the upstream fixtures are not at {} \
         (the shared oracle folder is not mounted in this checkout)",
        root.display()
    );
    None
}

fn sorted_dirs(dir: &Path) -> Vec<PathBuf> {
    let mut out: Vec<PathBuf> = fs::read_dir(dir)
        .map(|rd| rd.filter_map(|e| e.ok().map(|e| e.path())).collect())
        .unwrap_or_default();
    out.sort();
    out
}

fn file_name(path: &Path) -> &str {
    path.file_name().and_then(|n| n.to_str()).unwrap_or("")
}

/// One `<level>/<version>` folder; `version` is `Err(name)` when the folder name is not
/// a policy version.
pub struct VersionDir {
    pub level: Level,
    pub version: Result<Version, String>,
    pub path: PathBuf,
}

/// Every version folder under every level folder, in name order.
pub fn version_dirs(root: &Path) -> Vec<VersionDir> {
    let mut out = Vec::new();
    for level_dir in sorted_dirs(root) {
        let Ok(level) = file_name(&level_dir).parse::<Level>() else {
            continue;
        };
        for path in sorted_dirs(&level_dir) {
            let name = file_name(&path);
            let version = name.parse::<Version>().map_err(|_| name.to_string());
            out.push(VersionDir {
                level,
                version,
                path,
            });
        }
    }
    out
}

/// The fixtures of a version folder: (`pass` or `fail`, file), pass first, in name order.
pub fn fixture_files(version_dir: &Path) -> Vec<(&'static str, PathBuf)> {
    ["pass", "fail"]
        .into_iter()
        .flat_map(|outcome| {
            sorted_dirs(&version_dir.join(outcome))
                .into_iter()
                .filter(|f| f.extension().and_then(|e| e.to_str()) == Some("yaml"))
                .map(move |f| (outcome, f))
        })
        .collect()
}

/// The Pods read from a fixture file.
pub fn pods(parsed: &Parsed) -> Vec<(&ObjectMeta, &PodSpec)> {
    parsed
        .objects
        .iter()
        .filter_map(|(obj, _)| match &obj.body {
            Body::Pod { spec, .. } => Some((&obj.metadata, &**spec)),
            _ => None,
        })
        .collect()
}

/// Prints the agreement line, then fails listing every disagreement (or when no
/// fixture was read at all).
pub fn report_agreement(agree: usize, total: usize, root: &Path, disagreements: &[String]) {
    println!("agreement: {agree}/{total} files\n");
    assert!(total > 0, "no fixture found under {}", root.display());
    assert!(
        disagreements.is_empty(),
        "{} disagreement(s):\n{}",
        disagreements.len(),
        disagreements.join("\n")
    );
}
