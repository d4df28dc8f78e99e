//! Walking a folder of input files in a stable order, for the tests that analyse the
//! demo as the CLI reads it.

use std::fs;
use std::path::{Path, PathBuf};

/// Every file under `dir`, depth first, sorted by path within each folder.
pub fn files_under(dir: &Path, out: &mut Vec<PathBuf>) {
    let mut entries: Vec<PathBuf> = fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.unwrap().path())
        .collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            files_under(&p, out);
        } else {
            out.push(p);
        }
    }
}
