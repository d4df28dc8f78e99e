//! `portolan rules`: the table's columns stay aligned whatever the longest rule id.

use std::process::Command;

#[test]
fn rules_table_columns_line_up() {
    let out = Command::new(env!("CARGO_BIN_EXE_portolan"))
        .arg("rules")
        .output()
        .expect("run portolan rules");
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).expect("UTF-8");
    let mut lines = text.lines();
    let header = lines.next().expect("header");
    let columns: Vec<usize> = ["SEVERITY", "CATEGORY", "TITLE"]
        .iter()
        .map(|c| header.find(c).expect("column"))
        .collect();
    let mut rows = 0;
    let mut longest = 0;
    for line in lines {
        rows += 1;
        let id = line.split(' ').next().unwrap_or_default();
        longest = longest.max(id.len());
        for &at in &columns {
            // Each column starts after at least one blank, at the header's offset.
            let before = &line[..at];
            assert!(before.ends_with(' '), "{line}");
            assert!(!line[at..].starts_with(' '), "{line}");
        }
    }
    assert!(rows > 50, "{text}");
    // The ids that broke the fixed-width table are in it.
    assert!(longest >= "serviceAccountNamespaceTakeover".len(), "{text}");
}
