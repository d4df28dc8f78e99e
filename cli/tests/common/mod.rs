//! What the CLI's end-to-end tests share: the repository root, a run of the real
//! `portolan` binary from it, with optional standard input, and the schema check of an
//! analysis. Each test binary compiles this module and uses a part of it.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

/// The repository root (the folder above `cli/`).
pub fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// Runs `portolan ARGS` from the repository root, feeding `stdin` (empty when `None`).
pub fn portolan(args: &[&str], stdin: Option<&[u8]>) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_portolan"))
        .args(args)
        .current_dir(repo())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run portolan");
    let mut input = child.stdin.take().expect("stdin");
    // A run that fails before reading stdin (a bad argument, a query that does not
    // parse) closes it: the pipe breaks, and the output still tells what happened.
    match input.write_all(stdin.unwrap_or_default()) {
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => {}
        r => r.expect("write stdin"),
    }
    drop(input);
    child.wait_with_output().expect("portolan output")
}

/// Asserts that `analysis` validates against `schema/analysis.schema.json`.
#[allow(dead_code)] // not every test binary validates an analysis
pub fn validate(analysis: &serde_json::Value) {
    let schema: serde_json::Value =
        serde_json::from_str(include_str!("../../../schema/analysis.schema.json"))
            .expect("schema is JSON");
    let validator = jsonschema::validator_for(&schema).expect("schema compiles");
    let errors: Vec<String> = validator
        .iter_errors(analysis)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect();
    assert!(errors.is_empty(), "schema violations: {errors:#?}");
}
