//! Helpers the engine's unit tests share.

use crate::ingest::{parse_file, InputFile};
use crate::model::Inventory;

/// The inventory of these `(path, text)` files, as the analysis builds it; every file
/// must read without a diagnostic.
pub fn inventory(files: &[(&str, String)]) -> Inventory {
    let mut inv = Inventory::default();
    for (path, text) in files {
        let parsed = parse_file(&InputFile::new(*path, text.as_bytes().to_vec()));
        assert!(
            parsed.diagnostics.is_empty(),
            "{path}: {:?}",
            parsed.diagnostics
        );
        inv.extend(parsed.objects, None);
    }
    inv.finish();
    inv
}
