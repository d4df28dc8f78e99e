//! Audit logs on the command line: streaming them into the engine's detector in chunks
//! (a 1 GB log is never held whole), and the text of `portolan detections`, `portolan
//! explain K8S_…`, the alert summary and the alert part of `portolan diff`.

use std::fmt::Write as _;
use std::io::{self, Read, Write};
use std::path::Path;

use portolan_engine::analysis::StreamedAudit;
use portolan_engine::detect::{self, AuditReader, Detector};
use portolan_engine::rules::Severity;
use portolan_engine::{diff, Analysis};

/// Bytes read from an audit log at a time.
const CHUNK: usize = 1 << 20;

/// Whether the file at `path` is an audit log, judged from its first 64 KiB.
pub fn is_audit_file(path: &Path) -> bool {
    let Ok(mut file) = std::fs::File::open(path) else {
        return false;
    };
    let mut head = vec![0u8; 64 * 1024];
    let mut filled = 0;
    while filled < head.len() {
        match file.read(&mut head[filled..]) {
            Ok(0) => break,
            Ok(n) => filled += n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(_) => return false,
        }
    }
    head.truncate(filled);
    portolan_engine::ingest::is_audit_log(&head)
}

/// Streams one audit log into `detector`, a chunk at a time.
pub fn stream(path: &Path, detector: &mut Detector) -> Result<StreamedAudit, String> {
    let name = path.display().to_string();
    let mut file = std::fs::File::open(path).map_err(|e| format!("{name}: {e}"))?;
    let mut reader = AuditReader::new(name.clone());
    let mut buf = vec![0u8; CHUNK];
    let mut bytes = 0u64;
    loop {
        let n = match file.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(format!("{name}: {e}")),
        };
        bytes += n as u64;
        reader.feed(&buf[..n], &mut |e| detector.observe(e));
    }
    let report = reader.finish(&mut |e| detector.observe(e));
    Ok(StreamedAudit {
        path: name,
        bytes,
        report,
    })
}

/// `portolan detections`: one line per detection.
pub fn list_detections() {
    let mut out = io::stdout().lock();
    let _ = writeln!(
        out,
        "{:<32} {:<14} {:<22} {:<18} TITLE",
        "TYPE", "SEVERITY", "TACTIC", "TECHNIQUES"
    );
    for d in &detect::CATALOG {
        let i = &d.info;
        let _ = writeln!(
            out,
            "{:<32} {:<14} {:<22} {:<18} {}",
            i.id,
            i.severity.as_str(),
            i.tactic,
            i.techniques.join(","),
            i.title
        );
    }
}

/// `portolan explain K8S_…`.
pub fn explain(i: &detect::DetectionInfo, stateful: bool) {
    let mut out = io::stdout().lock();
    let _ = writeln!(out, "{} — {}", i.id, i.title);
    let _ = writeln!(
        out,
        "Severity: {}    Tactic: {}    Techniques: {}    Threat Matrix: {}",
        i.severity.as_str(),
        i.tactic,
        i.techniques.join(", "),
        i.matrix.unwrap_or("none")
    );
    let _ = writeln!(out, "\nWhat it detects\n  {}\n", i.description);
    let _ = writeln!(out, "Audit fields read\n  {}\n", i.reads.join(", "));
    let _ = writeln!(
        out,
        "Defaults\n  {}{}\n",
        i.defaults,
        if stateful {
            " Stateful: concluded when the log ends."
        } else {
            ""
        }
    );
    let _ = writeln!(out, "Example event\n  {}\n", i.example);
    let _ = writeln!(out, "What to do\n  {}", i.remediation);
}

/// Alerts at or above `threshold`: what `--fail-on` counts besides findings.
pub fn at_or_above(analysis: &Analysis, threshold: Severity) -> usize {
    analysis
        .alerts
        .iter()
        .filter(|a| a.severity <= threshold)
        .count()
}

/// The alert lines of the stderr summary, when audit logs were read.
pub fn report_alerts(err: &mut impl Write, analysis: &Analysis) {
    let Some(audit) = &analysis.audit else {
        return;
    };
    let counts: Vec<String> = Severity::ALL
        .iter()
        .map(|s| {
            let n = analysis.alerts.iter().filter(|a| a.severity == *s).count();
            format!("{n} {}", s.as_str())
        })
        .collect();
    let _ = writeln!(
        err,
        "Alerts: {} from {} audit events ({}).",
        analysis.alerts.len(),
        audit.events,
        counts.join(", ")
    );
    for a in analysis.alerts.iter().take(8) {
        let _ = writeln!(
            err,
            "  {:<13} {:<30} {} on {}{}",
            a.severity.as_str(),
            a.kind,
            a.user,
            a.resource_label(),
            if a.attack_paths.is_empty() {
                String::new()
            } else {
                format!(" (on {} attack paths)", a.attack_paths.len())
            }
        );
    }
}

/// The alert lines of `portolan diff`.
pub fn diff_alerts(out: &mut String, d: &diff::AnalysisDiff) {
    let a = &d.alerts;
    if a.new.is_empty() && a.gone.is_empty() && a.unchanged == 0 {
        return;
    }
    let _ = writeln!(
        out,
        "Alerts: {} new, {} gone, {} unchanged.",
        a.new.len(),
        a.gone.len(),
        a.unchanged
    );
    for (label, list) in [("New", &a.new), ("Gone", &a.gone)] {
        if list.is_empty() {
            continue;
        }
        let _ = writeln!(out, "{label} alerts:");
        for x in list {
            let _ = writeln!(
                out,
                "  {:<13} {:<30} {} on {}",
                x.severity.as_str(),
                x.kind,
                x.user,
                x.resource_label()
            );
        }
    }
}
