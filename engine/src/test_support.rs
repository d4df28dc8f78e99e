//! Helpers the engine's unit tests share.

use crate::ingest::{parse_file, InputFile, InputFormat};
use crate::model::Inventory;

/// The inventory of these `(path, text)` files, as the analysis builds it; every file
/// must read without a diagnostic.
pub fn inventory<T: AsRef<str>>(files: &[(&str, T)]) -> Inventory {
    read(files, None)
}

/// [`inventory`], each file also required to be read as `format`.
pub fn inventory_of<T: AsRef<str>>(format: InputFormat, files: &[(&str, T)]) -> Inventory {
    read(files, Some(format))
}

fn read<T: AsRef<str>>(files: &[(&str, T)], format: Option<InputFormat>) -> Inventory {
    let mut inv = Inventory::default();
    for (path, text) in files {
        let parsed = parse_file(&InputFile::new(*path, text.as_ref().as_bytes().to_vec()));
        assert!(
            parsed.diagnostics.is_empty(),
            "{path}: {:?}",
            parsed.diagnostics
        );
        if let Some(format) = format {
            assert_eq!(parsed.format(), format, "{path}");
        }
        inv.extend(parsed.objects, None);
    }
    inv.finish();
    inv
}
