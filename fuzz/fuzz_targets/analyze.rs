//! The whole engine on one file: load (any format, audit logs included) and conclude
//! (graph, rules, bring-your-own policies, attack paths, alerts).
#![no_main]

use libfuzzer_sys::fuzz_target;
use portolan_engine::{analysis, conclude, AnalyzeOptions, InputFile};

const NAMES: [&str; 3] = ["in.json", "in.yaml", "in.log"];

fuzz_target!(|data: &[u8]| {
    let Some((&pick, bytes)) = data.split_first() else {
        return;
    };
    let file = InputFile::new(NAMES[usize::from(pick) % NAMES.len()], bytes);
    let snapshot = analysis::load(&[file], &mut |_| {});
    let _ = conclude(&snapshot, &AnalyzeOptions::default());
});
