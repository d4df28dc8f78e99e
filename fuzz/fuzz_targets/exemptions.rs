//! Exemption files (YAML) as the CLI and the app read them.
#![no_main]

use libfuzzer_sys::fuzz_target;
use portolan_engine::rules::exemptions;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        let (read, _) = exemptions::parse("exemptions.yaml", text);
        let _ = exemptions::to_yaml(&read);
    }
});
