//! Audit logs (Event lines, EventList, arrays, AKS/EKS/GKE envelopes) streamed through
//! `AuditReader::feed` in chunks cut where the input says, and every detection.
#![no_main]

use libfuzzer_sys::fuzz_target;
use portolan_engine::detect::Detector;
use portolan_engine::ingest::audit::AuditReader;

fuzz_target!(|data: &[u8]| {
    // The first two bytes choose the chunk size, so line and value boundaries fall
    // anywhere, as they do between the browser's reads.
    let (size, bytes) = match data {
        [a, b, rest @ ..] => (1 + usize::from(u16::from_le_bytes([*a, *b])), rest),
        _ => return,
    };
    let mut detector = Detector::default();
    let mut reader = AuditReader::new("audit.log");
    for chunk in bytes.chunks(size) {
        reader.feed(chunk, &mut |e| detector.observe(e));
    }
    let _ = reader.finish(&mut |e| detector.observe(e));
    let _ = detector.finish();
});
