//! Saved analyses (`portolan analyze --format json`) as `portolan diff` reads them,
//! diffed against themselves.
#![no_main]

use libfuzzer_sys::fuzz_target;
use portolan_engine::diff::{diff, read_analysis};

fuzz_target!(|data: &[u8]| {
    if let Some(Ok(analysis)) = read_analysis(data) {
        let _ = diff(&analysis, &analysis);
    }
});
