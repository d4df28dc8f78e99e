//! SARIF 2.1.0: the findings in the format GitHub code scanning and other SARIF
//! viewers read.
//!
//! One result per finding, located at the file and line of the object it is about
//! (the input path as given); the rule catalogue becomes `tool.driver.rules` with its
//! text, framework tags and a `security-severity` GitHub ranks alerts by. Exempted
//! findings carry an accepted `suppression` with the exemption's reason.

use std::collections::HashMap;

use serde_json::{json, Map, Value};

use crate::rules::{self, Finding, RuleInfo, Severity};
use crate::Analysis;

/// The schema URL SARIF consumers expect in `$schema`.
const SCHEMA: &str = "https://json.schemastore.org/sarif-2.1.0.json";

/// Results a run may hold: GitHub code scanning rejects a run with more ("SARIF results
/// exceed hard limit", docs.github.com). A larger estate keeps the most severe open
/// results and says in a notification and the run's `portolan/omittedResults` what it
/// left out; the JSON output has everything.
pub const MAX_RESULTS: usize = 25_000;

/// Which findings and alerts a run writes: all when they fit in the limit, else the
/// most severe, open ones before exempted ones, earlier ones first among equals.
struct Kept {
    findings: Vec<bool>,
    alerts: Vec<bool>,
    /// Left out, by severity and whether exempted.
    left: Vec<(Severity, bool)>,
}

impl Kept {
    fn choose(analysis: &Analysis, limit: usize) -> Kept {
        let (nf, na) = (analysis.findings.len(), analysis.alerts.len());
        if nf + na <= limit {
            return Kept {
                findings: vec![true; nf],
                alerts: vec![true; na],
                left: Vec::new(),
            };
        }
        // (exempted, severity, position): findings first, then alerts.
        let mut order: Vec<(bool, Severity, usize)> = analysis
            .findings
            .iter()
            .map(|f| (f.exemption.is_some(), f.severity))
            .chain(analysis.alerts.iter().map(|a| (false, a.severity)))
            .enumerate()
            .map(|(i, (exempt, severity))| (exempt, severity, i))
            .collect();
        order.sort_unstable();
        let mut keep = vec![false; nf + na];
        for &(_, _, i) in &order[..limit] {
            keep[i] = true;
        }
        let left = order[limit..].iter().map(|&(e, s, _)| (s, e)).collect();
        let alerts = keep.split_off(nf);
        Kept {
            findings: keep,
            alerts,
            left,
        }
    }

    fn omitted(&self) -> usize {
        self.left.len()
    }

    /// What a reader of the log is told about the results left out, if any.
    fn omitted_text(&self) -> Option<String> {
        if self.left.is_empty() {
            return None;
        }
        let mut counts: Vec<String> = Vec::new();
        for severity in Severity::ALL {
            for exempt in [false, true] {
                let n = self
                    .left
                    .iter()
                    .filter(|l| **l == (severity, exempt))
                    .count();
                if n > 0 {
                    let what = if exempt { " (exempted)" } else { "" };
                    counts.push(format!("{n} {}{what}", severity.as_str()));
                }
            }
        }
        Some(format!(
            "{} results were left out of this run: {}. GitHub code \
             scanning rejects a run of more than {MAX_RESULTS} results, so Portolan writes \
             the {MAX_RESULTS} most severe; `--format json` or csv lists every finding.",
            self.left.len(),
            counts.join(", ")
        ))
    }
}

/// The analysis as a SARIF 2.1.0 log (pretty JSON, newline-terminated).
pub fn sarif(analysis: &Analysis) -> String {
    let mut text = serde_json::to_string_pretty(&sarif_value(analysis)).unwrap_or_default();
    text.push('\n');
    text
}

/// The analysis as a SARIF 2.1.0 log, as a JSON value.
pub fn sarif_value(analysis: &Analysis) -> Value {
    let catalog: Vec<&RuleInfo> = rules::catalog().map(|r| &r.info).collect();
    let mut rules: Vec<Value> = catalog.iter().map(|i| rule(i)).collect();
    let detections: Vec<&crate::detect::DetectionInfo> =
        crate::detect::CATALOG.iter().map(|d| &d.info).collect();
    rules.extend(detections.iter().map(|i| detection_rule(i)));
    let rule_index: HashMap<&str, usize> =
        catalog.iter().enumerate().map(|(n, i)| (i.id, n)).collect();
    let detection_index: HashMap<&str, usize> = detections
        .iter()
        .enumerate()
        .map(|(n, i)| (i.id, n + catalog.len()))
        .collect();
    let kept = Kept::choose(analysis, MAX_RESULTS);
    let mut results: Vec<Value> = analysis
        .findings
        .iter()
        .zip(&kept.findings)
        .filter(|(_, keep)| **keep)
        .map(|(f, _)| result(f, rule_index.get(f.rule.as_str()).copied()))
        .collect();
    results.extend(
        analysis
            .alerts
            .iter()
            .zip(&kept.alerts)
            .filter(|(_, keep)| **keep)
            .map(|(a, _)| alert_result(a, detection_index.get(a.kind.as_str()).copied())),
    );
    let artifacts: Vec<Value> = analysis
        .inputs
        .iter()
        .map(|i| {
            json!({
                "location": { "uri": uri(&i.path) },
                "length": i.bytes,
            })
        })
        .collect();
    let notifications: Vec<Value> = analysis
        .diagnostics()
        .chain(&analysis.exemptions.diagnostics)
        .map(|d| {
            let mut location = json!({ "uri": uri(&d.file) });
            let mut physical = Map::new();
            physical.insert("artifactLocation".into(), location.take());
            if d.line > 0 {
                let mut region = json!({ "startLine": d.line });
                if d.column > 0 {
                    region["startColumn"] = json!(d.column);
                }
                physical.insert("region".into(), region);
            }
            json!({
                "level": match d.level {
                    crate::source::Level::Error => "error",
                    crate::source::Level::Warning => "warning",
                },
                "message": { "text": d.message },
                "locations": [{ "physicalLocation": physical }],
            })
        })
        .collect();
    let mut notifications = notifications;
    if let Some(text) = kept.omitted_text() {
        notifications.push(json!({
            "level": "warning",
            "message": { "text": text },
        }));
    }
    json!({
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [{
            "tool": {
                "driver": {
                    "name": "Portolan",
                    "semanticVersion": analysis.tool.version,
                    "version": analysis.tool.version,
                    "rules": rules,
                }
            },
            "invocations": [{
                "executionSuccessful": true,
                "toolExecutionNotifications": notifications,
            }],
            "artifacts": artifacts,
            "columnKind": "unicodeCodePoints",
            "results": results,
            "properties": { "portolan/omittedResults": kept.omitted() },
        }]
    })
}

/// `error`, `warning` or `note`: SARIF's levels, from ours.
pub fn level(severity: Severity) -> &'static str {
    match severity {
        Severity::Critical | Severity::High => "error",
        Severity::Medium => "warning",
        Severity::Low | Severity::Informational => "note",
    }
}

/// GitHub's `security-severity` (a CVSS-like score it buckets into critical ≥ 9.0,
/// high ≥ 7.0, medium ≥ 4.0, low > 0).
fn security_severity(severity: Severity) -> &'static str {
    match severity {
        Severity::Critical => "9.5",
        Severity::High => "8.0",
        Severity::Medium => "5.5",
        Severity::Low => "3.0",
        Severity::Informational => "0.0",
    }
}

fn rule(i: &RuleInfo) -> Value {
    let mut tags: Vec<&str> = vec!["security", "kubernetes"];
    tags.extend(i.frameworks.iter().copied());
    let markdown = format!(
        "**Remediation.** {}\n\n**What it checks.** {}\n\n**Why it matters.** {}\n\n\
         **Failing example.**\n\n```yaml\n{}\n```\n\n**Frameworks.** {}\n",
        i.remediation,
        i.checks,
        i.why,
        i.example.trim_end(),
        i.frameworks.join(", ")
    );
    json!({
        "id": i.id,
        "name": i.id,
        "shortDescription": { "text": i.title },
        "fullDescription": { "text": format!("{} {}", i.checks, i.why) },
        "help": { "text": i.remediation, "markdown": markdown },
        "defaultConfiguration": { "level": level(i.severity) },
        "properties": {
            "tags": tags,
            "security-severity": security_severity(i.severity),
            "precision": "high",
            "problem.severity": match i.severity {
                Severity::Critical | Severity::High => "error",
                Severity::Medium => "warning",
                _ => "recommendation",
            },
            "category": i.category.label(),
        }
    })
}

fn result(f: &Finding, rule_index: Option<usize>) -> Value {
    let r = &f.resource;
    let mut physical = Map::new();
    physical.insert(
        "artifactLocation".into(),
        json!({ "uri": uri(&f.source.file) }),
    );
    if f.source.line > 0 {
        physical.insert("region".into(), json!({ "startLine": f.source.line }));
    }
    let mut logical = json!({
        "name": r.name,
        "fullyQualifiedName": format!("{}/{}", r.kind, r.qualified_name()),
        "kind": "resource",
    });
    if !f.container.is_empty() {
        logical["fullyQualifiedName"] =
            json!(format!("{}/{}/{}", r.kind, r.qualified_name(), f.container));
    }
    let mut properties = json!({
        "severity": f.severity.as_str(),
        "resourceKind": r.kind,
        "resourceName": r.name,
    });
    for (key, value) in [
        ("namespace", &r.namespace),
        ("container", &f.container),
        ("field", &f.field),
    ] {
        if !value.is_empty() {
            properties[key] = json!(value);
        }
    }
    let mut message = format!("{}: {}", r, f.message);
    if !f.field.is_empty() {
        message.push_str(&format!(" (field {})", f.field));
    }
    let mut result = json!({
        "ruleId": f.rule,
        "level": level(f.severity),
        "message": { "text": message },
        "locations": [{
            "physicalLocation": physical,
            "logicalLocations": [logical],
        }],
        "partialFingerprints": { "portolanFinding/v1": f.key() },
        "properties": properties,
    });
    if let Some(index) = rule_index {
        result["ruleIndex"] = json!(index);
    }
    if let Some(e) = &f.exemption {
        let mut justification = e.reason.clone();
        if let Some(expires) = &e.expires {
            justification.push_str(&format!(" (until {expires})"));
        }
        result["suppressions"] = json!([{
            "kind": "external",
            "status": "accepted",
            "justification": justification,
        }]);
    }
    result
}

/// A detection as a SARIF rule: its own rule, tagged with its MITRE techniques.
fn detection_rule(i: &crate::detect::DetectionInfo) -> Value {
    let mut tags: Vec<String> = vec!["security".into(), "kubernetes".into(), "runtime".into()];
    tags.extend(i.techniques.iter().map(|t| format!("mitre/{t}")));
    tags.extend(i.matrix.map(|m| format!("ms-threat-matrix/{m}")));
    let markdown = format!(
        "**What to do.** {}\n\n**What it detects.** {}\n\n**Defaults.** {}\n\n**MITRE ATT&CK.** {} ({})\n",
        i.remediation,
        i.description,
        i.defaults,
        i.tactic,
        i.techniques.join(", ")
    );
    json!({
        "id": i.id,
        "name": i.id,
        "shortDescription": { "text": i.title },
        "fullDescription": { "text": i.description },
        "help": { "text": i.remediation, "markdown": markdown },
        "defaultConfiguration": { "level": level(i.severity) },
        "properties": {
            "tags": tags,
            "security-severity": security_severity(i.severity),
            "precision": "medium",
            "problem.severity": match i.severity {
                Severity::Critical | Severity::High => "error",
                Severity::Medium => "warning",
                _ => "recommendation",
            },
            "category": format!("Threat detection: {}", i.tactic),
        }
    })
}

/// An alert as a SARIF result, located at its first evidence event in the audit log.
fn alert_result(a: &crate::detect::Alert, rule_index: Option<usize>) -> Value {
    let mut locations = Vec::new();
    if let Some(e) = a.evidence.first() {
        let mut physical = Map::new();
        physical.insert("artifactLocation".into(), json!({ "uri": uri(&e.file) }));
        if e.line > 0 {
            physical.insert("region".into(), json!({ "startLine": e.line }));
        }
        locations.push(json!({
            "physicalLocation": physical,
            "logicalLocations": [{
                "name": a.resource.name,
                "fullyQualifiedName": a.resource_label(),
                "kind": "resource",
            }],
        }));
    }
    let mut message = format!(
        "{} by {} on {} ({} events)",
        a.title,
        a.user,
        a.resource_label(),
        a.count
    );
    if !a.detail.is_empty() {
        message.push_str(&format!(": {}", a.detail));
    }
    let mut properties = json!({
        "severity": a.severity.as_str(),
        "tactic": a.tactic,
        "techniques": a.techniques,
        "user": a.user,
        "count": a.count,
    });
    if let Some(t) = &a.time {
        properties["time"] = json!(t);
    }
    let mut result = json!({
        "ruleId": a.kind,
        "level": level(a.severity),
        "message": { "text": message },
        "locations": locations,
        "partialFingerprints": { "portolanAlert/v1": a.key() },
        "properties": properties,
    });
    if let Some(index) = rule_index {
        result["ruleIndex"] = json!(index);
    }
    result
}

/// A path as given, as a relative URI reference: `/` separators, and percent-encoding
/// for what a URI cannot hold (spaces, `<stdin>`, non-ASCII).
pub fn uri(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for b in path.replace('\\', "/").bytes() {
        if b.is_ascii_alphanumeric() || b"-._~/:@!$&'()*+,;=".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::exemptions::AppliedExemption;

    fn finding(n: usize, severity: Severity, exempt: bool) -> Finding {
        Finding {
            rule: "privileged".into(),
            severity,
            resource: crate::rules::ResourceRef {
                kind: "Pod".into(),
                namespace: "ns".into(),
                name: format!("pod-{n}"),
                cluster: String::new(),
            },
            container: String::new(),
            field: String::new(),
            message: "m".into(),
            source: crate::Source::default(),
            exemption: exempt.then(|| {
                Box::new(AppliedExemption {
                    index: 0,
                    reason: "r".into(),
                    expires: None,
                    category: None,
                    owner: None,
                })
            }),
            fix: None,
        }
    }

    #[test]
    fn a_run_keeps_the_most_severe_open_results_within_the_limit() {
        let mut analysis = Analysis::default();
        // 10 critical exempted, 5 high, 3 low, 4 critical: 22 results for a limit of 10.
        let plan = [
            (10, Severity::Critical, true),
            (5, Severity::High, false),
            (3, Severity::Low, false),
            (4, Severity::Critical, false),
        ];
        for (count, severity, exempt) in plan {
            for _ in 0..count {
                let n = analysis.findings.len();
                analysis.findings.push(finding(n, severity, exempt));
            }
        }
        let kept = Kept::choose(&analysis, 10);
        // Open before exempted whatever the severity: the 4 critical, the 5 high and the
        // first low one.
        let chosen: Vec<usize> = (0..22).filter(|i| kept.findings[*i]).collect();
        assert_eq!(chosen, [10, 11, 12, 13, 14, 15, 18, 19, 20, 21]);
        assert_eq!(kept.omitted(), 12);
        let text = kept.omitted_text().unwrap();
        assert!(
            text.starts_with(
                "12 results were left out of this run: 10 critical (exempted), 2 low."
            ),
            "{text}"
        );
        // Under the limit nothing is left out and no notification is written.
        let all = Kept::choose(&analysis, 22);
        assert!(all.findings.iter().all(|k| *k) && all.omitted_text().is_none());
    }

    #[test]
    fn the_log_says_what_it_left_out() {
        let mut analysis = Analysis::default();
        for n in 0..MAX_RESULTS + 2 {
            let severity = if n < 2 { Severity::Low } else { Severity::High };
            analysis.findings.push(finding(n, severity, false));
        }
        let log = sarif_value(&analysis);
        let run = &log["runs"][0];
        assert_eq!(run["results"].as_array().unwrap().len(), MAX_RESULTS);
        assert_eq!(run["properties"]["portolan/omittedResults"], 2);
        let notes = run["invocations"][0]["toolExecutionNotifications"]
            .as_array()
            .unwrap();
        let text = notes.last().unwrap()["message"]["text"].as_str().unwrap();
        assert!(text.starts_with("2 results were left out"), "{text}");
        assert!(text.contains("2 low"), "{text}");
        // The kept ones are the high ones: pod-0 and pod-1 are low.
        assert!(run["results"]
            .as_array()
            .unwrap()
            .iter()
            .all(|r| r["properties"]["severity"] == "high"));
    }

    #[test]
    fn uri_keeps_relative_paths_and_encodes_the_rest() {
        assert_eq!(uri("public/demo/pods.json"), "public/demo/pods.json");
        assert_eq!(uri("my dir\\a.yaml"), "my%20dir/a.yaml");
        assert_eq!(uri("<stdin>"), "%3Cstdin%3E");
        assert_eq!(uri("é.yaml"), "%C3%A9.yaml");
    }
}
