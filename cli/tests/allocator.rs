//! The CLI's allocator is tuned before its first allocation (`src/alloc.rs`): mimalloc
//! prints the options it starts with when `MIMALLOC_VERBOSE` is set, at its process
//! initialisation, so what it prints is what its first arena was made with.

#![cfg(target_os = "linux")]

use std::process::Command;

fn options_at_start(env: &[(&str, &str)]) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_portolan"))
        .arg("--version")
        .env("MIMALLOC_VERBOSE", "1")
        .env_remove("MIMALLOC_EAGER_COMMIT")
        .env_remove("MIMALLOC_ARENA_EAGER_COMMIT")
        .env_remove("MIMALLOC_PURGE_DELAY")
        .envs(env.iter().copied())
        .output()
        .expect("run portolan --version");
    assert!(out.status.success());
    String::from_utf8_lossy(&out.stderr).into_owned()
}

fn option(printed: &str, name: &str) -> String {
    let prefix = format!("mimalloc: option '{name}': ");
    let line = printed
        .lines()
        .find(|l| l.starts_with(&prefix))
        .unwrap_or_else(|| panic!("no {name} in {printed}"));
    line[prefix.len()..].trim().to_owned()
}

#[test]
fn the_allocator_starts_tuned() {
    let printed = options_at_start(&[]);
    assert_eq!(option(&printed, "arena_eager_commit"), "0");
    assert_eq!(option(&printed, "purge_delay"), "1000");
    assert_eq!(option(&printed, "eager_commit"), "0");
    // Its defaults stay: the tuning sets these three only.
    assert_eq!(option(&printed, "purge_decommits"), "1");
}

#[test]
fn the_environment_overrides_the_tuning() {
    let printed = options_at_start(&[
        ("MIMALLOC_EAGER_COMMIT", "1"),
        ("MIMALLOC_ARENA_EAGER_COMMIT", "2"),
        ("MIMALLOC_PURGE_DELAY", "10"),
    ]);
    assert_eq!(option(&printed, "eager_commit"), "1");
    assert_eq!(option(&printed, "arena_eager_commit"), "2");
    assert_eq!(option(&printed, "purge_delay"), "10");
}
