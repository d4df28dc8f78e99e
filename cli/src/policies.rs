//! The CLI's side of bring-your-own policies: reading `--policies` files and folders
//! into a policy set, and `portolan policies test`, which runs Gatekeeper-style
//! (`gator verify`) suites and prints each case.

use std::io::Write;
use std::path::{Path, PathBuf};

use portolan_engine::policy::{suite, PolicySet};
use portolan_engine::InputFile;

/// Reads every JSON or YAML file under `paths` into one policy set; an error when a
/// path holds no policy at all (a mistyped path must not pass silently).
pub fn read(paths: &[PathBuf]) -> Result<PolicySet, String> {
    let mut set = PolicySet::default();
    for path in paths {
        let mut files = Vec::new();
        for file in walk(path)? {
            let bytes = std::fs::read(&file).map_err(|e| format!("{}: {e}", file.display()))?;
            files.push(InputFile::new(file.display().to_string(), bytes));
        }
        let found = PolicySet::read(&files, true);
        if found.is_empty() {
            return Err(format!(
                "{}: no ConstraintTemplate, constraint, ValidatingAdmissionPolicy or ExpansionTemplate found",
                path.display()
            ));
        }
        set.extend(&found);
    }
    Ok(set)
}

/// The JSON and YAML files under `path` (itself, when a file), in name order.
fn walk(path: &Path) -> Result<Vec<PathBuf>, String> {
    let meta = std::fs::metadata(path).map_err(|e| format!("{}: {e}", path.display()))?;
    if meta.is_file() {
        return Ok(vec![path.to_path_buf()]);
    }
    let mut out = Vec::new();
    let mut stack = vec![path.to_path_buf()];
    while let Some(dir) = stack.pop() {
        let mut entries: Vec<PathBuf> = std::fs::read_dir(&dir)
            .map_err(|e| format!("{}: {e}", dir.display()))?
            .filter_map(|e| e.ok().map(|e| e.path()))
            .collect();
        entries.sort();
        for entry in entries {
            let name = entry.file_name().unwrap_or_default().to_string_lossy();
            if name.starts_with('.') {
                continue;
            }
            if entry.is_dir() {
                stack.push(entry);
            } else if [".yaml", ".yml", ".json"]
                .iter()
                .any(|ext| name.to_ascii_lowercase().ends_with(ext))
            {
                out.push(entry);
            }
        }
    }
    out.sort();
    Ok(out)
}

/// `portolan policies test PATH...`: runs every suite found (files whose content is a
/// `Suite`); `Ok(false)` when a case failed.
pub fn test(paths: &[PathBuf], quiet: bool) -> Result<bool, String> {
    let mut suites = Vec::new();
    for path in paths {
        for file in walk(path)? {
            let text =
                std::fs::read_to_string(&file).map_err(|e| format!("{}: {e}", file.display()))?;
            if suite::is_suite(&text) {
                suites.push((file, text));
            }
        }
    }
    if suites.is_empty() {
        return Err("no suite found (a YAML file of kind Suite, as gator verify reads)".into());
    }
    let mut out = std::io::stdout().lock();
    let (mut pass, mut fail, mut skip) = (0, 0, 0);
    for (file, text) in &suites {
        let path = file.display().to_string().replace('\\', "/");
        let report = suite::run(&path, text, &mut |p: &str| {
            std::fs::read_to_string(p).map_err(|e| e.to_string())
        });
        let (p, f, s) = report.counts();
        pass += p;
        fail += f;
        skip += s;
        if let Some(e) = &report.error {
            let _ = writeln!(out, "FAIL {path}: {e}");
        }
        if report.skipped {
            let _ = writeln!(out, "SKIP {path}");
        }
        for t in &report.tests {
            if t.skipped {
                let _ = writeln!(out, "SKIP {path} {}", t.name);
                continue;
            }
            if let Some(e) = &t.error {
                let _ = writeln!(out, "FAIL {path} {}: {e}", t.name);
                continue;
            }
            for c in &t.cases {
                match (c.skipped, &c.error) {
                    (true, _) => {
                        if !quiet {
                            let _ = writeln!(out, "SKIP {path} {} / {}", t.name, c.name);
                        }
                    }
                    (false, None) => {
                        if !quiet {
                            let _ = writeln!(out, "ok   {path} {} / {}", t.name, c.name);
                        }
                    }
                    (false, Some(e)) => {
                        let _ = writeln!(out, "FAIL {path} {} / {}: {e}", t.name, c.name);
                    }
                }
            }
        }
    }
    let _ = writeln!(
        out,
        "{} suite(s): {pass} passed, {fail} failed, {skip} skipped",
        suites.len()
    );
    Ok(fail == 0)
}
