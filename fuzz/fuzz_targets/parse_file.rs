//! Content detection and the loader of every snapshot format (Kubernetes JSON/YAML,
//! kubectl config/version, Trivy/Grype reports, cloud and IAM exports, policy files):
//! `parse_file` on arbitrary bytes under each file extension the CLI reads.
#![no_main]

use libfuzzer_sys::fuzz_target;
use portolan_engine::ingest::{is_audit_log, parse_file};
use portolan_engine::InputFile;

/// The extensions a file may carry; the first input byte picks one.
const NAMES: [&str; 5] = ["in.json", "in.yaml", "in.log", "in.jsonl", "in"];

fuzz_target!(|data: &[u8]| {
    let Some((&pick, bytes)) = data.split_first() else {
        return;
    };
    let _ = is_audit_log(bytes);
    let file = InputFile::new(NAMES[usize::from(pick) % NAMES.len()], bytes);
    let _ = parse_file(&file);
});
