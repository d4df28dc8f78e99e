//! The self-contained HTML report: one file a consultant hands over and an auditor
//! opens offline.
//!
//! Rendered from the [`Analysis`] alone, so the CLI and the app produce the same bytes
//! for the same inputs. Inline CSS (with print rules), inline SVG charts and attack path
//! diagrams, a meta Content-Security-Policy that forbids every request, and a small
//! inline script that only adds table sorting and filtering: everything reads without
//! it. Every snapshot value goes through maud, which escapes by default. Long tables are
//! capped (the report says how many rows it left out), so a 50,000-pod estate still
//! gives a report a browser opens.

use std::collections::BTreeMap;

use maud::{html, Markup, PreEscaped, DOCTYPE};

use crate::graph::paths::AttackPath;
use crate::model::KIND_ORDER;
use crate::rules::{self, Recommendation, Severity};
use crate::Analysis;

#[path = "html_alerts.rs"]
mod alerts;

/// Findings listed per recommendation.
const MAX_FINDINGS_PER_RULE: usize = 100;
/// Attack paths drawn.
const MAX_PATHS: usize = 50;
/// Rows of the long tables (inputs, namespaces, insights, rejected workloads, ...).
const MAX_ROWS: usize = 200;
/// Entries of the executive summary's top lists.
const TOP: usize = 5;

/// Forbids every request: no fetch, image, font, frame, form or base change; only the
/// document's own inline style and script run.
const CSP: &str = "default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; \
                   form-action 'none'; base-uri 'none'";

const CSS: &str = r#"
:root{--fg:#1b1f24;--muted:#57606a;--line:#d0d7de;--bg:#fff;--soft:#f6f8fa;--accent:#0b5cad}
*{box-sizing:border-box}
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:var(--fg);background:var(--bg);margin:0 auto;max-width:1100px;padding:24px}
h1{font-size:26px;margin:0 0 4px}h2{font-size:20px;border-bottom:2px solid var(--line);padding-bottom:4px;margin-top:36px}
h3{font-size:16px;margin:24px 0 6px}
.card>strong{display:block;margin-bottom:4px}
svg{max-width:100%;height:auto}
svg.score-ring{display:block;flex:none;max-width:none;margin:0 auto}
figure.chart{margin:8px 0}
.muted{color:var(--muted)}code{font:12px ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;background:var(--soft);padding:1px 4px;border-radius:3px;word-break:break-all}
table{border-collapse:collapse;width:100%;margin:8px 0 4px;font-size:13px}
th,td{border:1px solid var(--line);padding:4px 6px;text-align:left;vertical-align:top}
th{background:var(--soft);white-space:nowrap}
table.sortable th{cursor:pointer}
th[aria-sort=ascending]::after{content:" \25B2"}th[aria-sort=descending]::after{content:" \25BC"}
td.num,th.num{text-align:right;font-variant-numeric:tabular-nums}
.sev{display:inline-block;min-width:86px;padding:1px 6px;border-radius:10px;color:#fff;font-size:12px;text-align:center}
.sev-critical{background:var(--sev-critical)}.sev-high{background:var(--sev-high)}.sev-medium{background:var(--sev-medium)}.sev-low{background:var(--sev-low)}.sev-informational{background:var(--sev-informational)}
.exempt{color:var(--muted);font-style:italic}
.cards{display:flex;flex-wrap:wrap;gap:16px;align-items:flex-start}
.card{border:1px solid var(--line);border-radius:6px;padding:12px;background:var(--bg)}
.rule{border-left:4px solid var(--line);padding-left:12px;margin:20px 0}
.rule.sev-border-critical{border-color:var(--sev-critical)}.rule.sev-border-high{border-color:var(--sev-high)}.rule.sev-border-medium{border-color:var(--sev-medium)}.rule.sev-border-low{border-color:var(--sev-low)}
.path{margin:18px 0;padding:10px;border:1px solid var(--line);border-radius:6px}
.omitted{color:var(--muted);font-style:italic;margin:4px 0 12px}
details>summary{cursor:pointer;font-weight:600;margin:4px 0}
details.section>summary>h2{display:inline-block;margin:16px 0 8px}
input.filter{margin:8px 0 0;padding:4px 8px;width:280px;border:1px solid var(--line);border-radius:4px}
dl.scope{display:grid;grid-template-columns:max-content auto;gap:2px 16px;margin:8px 0}dl.scope dt{font-weight:600}dl.scope dd{margin:0}
nav ol{columns:2;margin:8px 0}
@media print{
 body{max-width:none;padding:0;font-size:11px}
 nav,input.filter{display:none}
 section.page{break-before:page}
 h2,h3{break-after:avoid}
 tr,.path,.card,svg{break-inside:avoid}
 thead{display:table-header-group}
 a{color:inherit;text-decoration:none}
 .sev{print-color-adjust:exact;-webkit-print-color-adjust:exact}
}
"#;

/// Sorting (click a header) and filtering (a search box above each sortable table).
/// Progressive: without it the tables are complete and readable.
const SCRIPT: &str = r#"
(function(){
  var each=function(list,f){Array.prototype.forEach.call(list,f);};
  // A printed report shows what the screen collapses.
  window.addEventListener('beforeprint',function(){each(document.querySelectorAll('details'),function(d){d.open=true;});});
  each(document.querySelectorAll('table.sortable'),function(t){
    var head=t.tHead,body=t.tBodies[0];
    if(!head||!body)return;
    each(head.rows[0].cells,function(th,i){
      th.tabIndex=0;
      var sort=function(){
        var asc=th.getAttribute('aria-sort')!=='ascending';
        each(head.rows[0].cells,function(c){c.removeAttribute('aria-sort');});
        th.setAttribute('aria-sort',asc?'ascending':'descending');
        var key=function(r){var c=r.cells[i];return c?(c.getAttribute('data-sort')||c.textContent):'';};
        var rows=Array.prototype.slice.call(body.rows);
        rows.sort(function(x,y){
          var a=key(x),b=key(y),n=parseFloat(a)-parseFloat(b);
          var r=isNaN(n)?a.localeCompare(b):n;
          return asc?r:-r;
        });
        each(rows,function(r){body.appendChild(r);});
      };
      th.addEventListener('click',sort);
      th.addEventListener('keydown',function(e){if(e.key==='Enter')sort();});
    });
    var f=document.createElement('input');
    f.type='search';f.className='filter';f.placeholder='Filter rows';
    f.setAttribute('aria-label','Filter rows');
    f.addEventListener('input',function(){
      var q=f.value.toLowerCase();
      each(body.rows,function(r){r.hidden=q!==''&&r.textContent.toLowerCase().indexOf(q)<0;});
    });
    t.parentNode.insertBefore(f,t);
  });
})();
"#;

/// The analysis as one self-contained HTML document.
pub fn html(analysis: &Analysis) -> String {
    let clusters: Vec<&str> = analysis.clusters.iter().map(|c| c.name.as_str()).collect();
    let title = if clusters.is_empty() {
        "Portolan security report".to_string()
    } else {
        format!("Portolan security report: {}", clusters.join(", "))
    };
    let markup = html! {
        (DOCTYPE)
        html lang="en" {
            head {
                meta charset="utf-8";
                meta http-equiv="Content-Security-Policy" content=(CSP);
                meta name="viewport" content="width=device-width, initial-scale=1";
                meta name="referrer" content="no-referrer";
                meta name="generator" content=(format!("{} {}", analysis.tool.name, analysis.tool.version));
                title { (title) }
                style { ":root{" (PreEscaped(super::palette::css_declarations())) "}" (PreEscaped(CSS)) }
            }
            body {
                header {
                    h1 { (title) }
                    p.muted {
                        "Generated by " (analysis.tool.name) " " (analysis.tool.version)
                        " from the inputs listed under Scope. Open offline: this file makes no request."
                    }
                    @if let Some(time) = &analysis.snapshot_time {
                        p.muted data-testid="snapshot-time" {
                            "Snapshot taken " time { (time) } " (UTC)."
                        }
                    } @else {
                        p.muted data-testid="snapshot-time" {
                            "Snapshot time unknown: the inputs carry none (collect.sh records it in snapshot.json)."
                        }
                    }
                }
                nav {
                    ol {
                        li { a href="#summary" { "Executive summary" } }
                        li { a href="#scope" { "Scope" } }
                        li { a href="#recommendations" { "Recommendations" } }
                        @if analysis.audit.is_some() { li { a href="#alerts" { "Alerts" } } }
                        li { a href="#attack-paths" { "Attack paths" } }
                        li { a href="#vulnerabilities" { "Vulnerabilities" } }
                        li { a href="#enforcement" { "Pod Security enforcement" } }
                        li { a href="#inventory" { "Inventory" } }
                    }
                }
                (summary(analysis))
                (scope(analysis))
                (recommendations(analysis))
                (alerts::alerts(analysis))
                (attack_paths(analysis))
                (vulnerabilities(analysis))
                (enforcement(analysis))
                (inventory(analysis))
                script { (PreEscaped(SCRIPT)) }
            }
        }
    };
    let mut out = markup.into_string();
    out.push('\n');
    out
}

/// "12 more … not shown", when a list of `total` entries was capped at `cap`.
fn omitted(cap: usize, total: usize, what: &str) -> Markup {
    let shown = cap.min(total);
    html! {
        @if total > shown {
            p.omitted { (total - shown) " more " (what) " not shown (" (shown) " of " (total) " listed here)." }
        }
    }
}

fn severity_badge(s: Severity) -> Markup {
    html! { span class=(format!("sev sev-{}", s.as_str())) { (s.as_str()) } }
}

fn severity_rank(s: Severity) -> usize {
    Severity::ALL.iter().position(|x| *x == s).unwrap_or(0)
}

fn score_colour(score: f64) -> &'static str {
    super::palette::ScoreBand::of(score).colour()
}

/// `text` cut to `max` characters with an ellipsis (SVG text does not wrap).
fn clip(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        text.to_string()
    } else {
        let mut s: String = text.chars().take(max.saturating_sub(1)).collect();
        s.push('…');
        s
    }
}

/// `file:line`.
fn location(file: &str, line: u32) -> String {
    if line > 0 {
        format!("{file}:{line}")
    } else {
        file.to_string()
    }
}

fn summary(a: &Analysis) -> Markup {
    let by_severity = super::charts::finding_counts(a);
    let exempt = a.findings.iter().filter(|f| f.exemption.is_some()).count();
    let top_recs: Vec<&Recommendation> = a
        .recommendations
        .iter()
        .filter(|r| r.affected > 0)
        .take(TOP)
        .collect();
    let ap = &a.attack_paths;
    let cp = &ap.choke_points;
    html! {
        section #summary {
            // Collapsible, open by default; closing brace at the end of the section.
            details.section open { summary { h2 { "Executive summary" } }
            div.cards {
                div.card {
                    @match a.secure_score.overall {
                        Some(score) => {
                            (score_gauge(score))
                            details.explain {
                                summary { "How it is computed" }
                                p.muted {
                                    "Each rule that applies to a resource counts with a weight by its severity "
                                    "(critical 10, high 6, medium 3, low 1). Score = Σ weight × share of the "
                                    "resources it applies to that pass ÷ Σ weight × 100; here "
                                    (a.secure_score.controls.len()) " rules, total weight "
                                    (a.secure_score.total_weight())
                                    ". Each recommendation below gives its potential score increase."
                                }
                            }
                        }
                        None => div.unscored {
                            strong { "No secure score" }
                            p { (a.secure_score.unscored.as_deref().unwrap_or("Nothing could be scored.")) }
                        },
                    }
                }
                div.card {
                    (chart("findings-by-severity", "Findings by severity", Some(super::charts::findings_by_severity(a))))
                    @if exempt > 0 { div.muted { (exempt) " exempted findings not counted." } }
                }
                div.card {
                    strong { "At a glance" }
                    table {
                        tbody {
                            tr { th title="Recommendations with at least one finding not exempted" { "Recommendations" } td.num { (a.open_recommendations()) } }
                            tr { th { "Findings (not exempt)" } td.num { (by_severity.iter().sum::<usize>()) } }
                            tr { th { "Attack paths" } td.num { (ap.total) } }
                            tr { th { "Entry points" } td.num { (ap.entries) } }
                            @if a.vulnerabilities.summary.scans > 0 {
                                tr { th { "Vulnerabilities (critical, high)" } td.num {
                                    (a.vulnerabilities.summary.by_severity.critical) ", " (a.vulnerabilities.summary.by_severity.high) } }
                            }
                            tr { th { "Workloads" } td.num { (a.enforcement.iter().map(|n| n.workloads).sum::<usize>()) } }
                        }
                    }
                }
            }
            @if !a.secure_score.clusters.is_empty() {
                (per_cluster(a))
            }
            h3 { "Secure score per namespace" }
            @match super::charts::namespace_scores(a) {
                Some(svg) => {
                    (chart("namespace-scores", "Secure score by namespace", Some(svg)))
                    (omitted(super::charts::MAX_NAMESPACE_BARS, a.secure_score.namespaces.len(), "namespaces (highest scores)"))
                }
                None => p.muted { "No namespaced resource the rules apply to." },
            }
            h3 { "Top risks" }
            @if ap.paths.is_empty() {
                p { "No attack path found from "
                    (if ap.mode == "assume-breach" { "any workload" } else { "an internet-exposed entry point" })
                    " to a high-impact target." }
            } @else {
                p { strong { (ap.total) } " attack paths. "
                    @if !cp.summary.is_empty() { (cp.summary) } }
                ol {
                    @for (i, p) in ap.paths.iter().take(TOP).enumerate() {
                        li { a href=(format!("#path-{}", i + 1)) { (p.title) } " " span.muted { "(risk " (format!("{:.1}", p.risk)) ")" } }
                    }
                }
            }
            @if top_recs.is_empty() {
                p { "No open recommendation." }
            } @else {
                p { strong { "Top recommendations" } }
                ol {
                    @for r in &top_recs {
                        li { (severity_badge(r.severity)) " "
                            a href=(format!("#rule-{}", r.rule)) { (r.title) }
                            " " span.muted { "(" (r.affected) " resources)" } }
                    }
                }
            }
            } // details.section
        }
    }
}

/// One row per cluster of an analysis of several: its score, open findings, and the
/// attack paths that enter it or reach it.
fn per_cluster(a: &Analysis) -> Markup {
    let paths = &a.attack_paths.paths;
    html! {
        h3 { "Per cluster" }
        table.sortable data-testid="per-cluster" {
            thead { tr { th { "Cluster" } th.num { "Secure score" } th.num { "Critical" } th.num { "High" } th.num { "Findings (not exempt)" } th.num { "Attack paths entering" } th.num { "Attack paths reaching it" } } }
            tbody {
                @for c in &a.secure_score.clusters {
                    @let open: Vec<&crate::rules::Finding> = a.findings.iter().filter(|f| f.exemption.is_none() && f.resource.cluster == c.cluster).collect();
                    tr {
                        td { (crate::text::visible(&c.cluster)) }
                        td.num { @match c.overall { Some(s) => (format!("{s:.1}")), None => "–" } }
                        td.num { (open.iter().filter(|f| f.severity == Severity::Critical).count()) }
                        td.num { (open.iter().filter(|f| f.severity == Severity::High).count()) }
                        td.num { (open.len()) }
                        td.num { (paths.iter().filter(|p| p.entry.cluster == c.cluster).count()) }
                        td.num { (paths.iter().filter(|p| p.entry.cluster != c.cluster && p.steps.iter().any(|s| s.cluster == c.cluster)).count()) }
                    }
                }
            }
        }
        p.muted { "Clusters are kept apart; the overall score counts every cluster's resources, and attack paths may cross from one cluster into another through the cloud identities they share." }
    }
}

/// The secure score as a ring. The ring is thin and wide enough that the widest score
/// ("100.0%") and its label fit inside it, clear of the stroke.
fn score_gauge(score: f64) -> Markup {
    const R: f64 = 64.0;
    let circumference = 2.0 * std::f64::consts::PI * R;
    let filled = circumference * score.clamp(0.0, 100.0) / 100.0;
    html! {
        svg.score-ring width="160" height="160" viewBox="0 0 160 160" role="img" aria-label=(format!("Secure score {score:.1}%")) {
            title { "Secure score " (format!("{score:.1}")) "%" }
            circle cx="80" cy="80" r=(R) fill="none" stroke="#e5e7eb" stroke-width="12" {}
            circle cx="80" cy="80" r=(R) fill="none" stroke=(score_colour(score)) stroke-width="12"
                stroke-dasharray=(format!("{filled:.2} {circumference:.2}")) transform="rotate(-90 80 80)" {}
            text x="80" y="82" text-anchor="middle" font-size="24" font-weight="700" fill="#1b1f24" { (format!("{score:.1}")) "%" }
            text x="80" y="102" text-anchor="middle" font-size="12" fill="#57606a" { "secure score" }
        }
    }
}

/// One of the engine's charts (`report::charts`, plotters SVG), inline: the same
/// drawing the app shows. The SVG holds only shapes and escaped text.
fn chart(id: &str, label: &str, svg: Option<String>) -> Markup {
    html! {
        @if let Some(svg) = svg {
            figure.chart id=(format!("chart-{id}")) role="img" aria-label=(label) { (PreEscaped(svg)) }
        }
    }
}

fn scope(a: &Analysis) -> Markup {
    let total_bytes: u64 = a.inputs.iter().map(|i| i.bytes).sum();
    let objects: usize = a.inputs.iter().map(|i| i.objects).sum();
    let diagnostics: Vec<_> = a.diagnostics().chain(&a.exemptions.diagnostics).collect();
    html! {
        section #scope .page {
            // Collapsible, open by default; closing brace at the end of the section.
            details.section open { summary { h2 { "Scope" } }
            dl.scope {
                dt { "Tool" } dd { (a.tool.name) " " (a.tool.version) " (schema " (a.schema_version) ")" }
                dt { "Inputs" } dd { (a.inputs.len()) " files, " (total_bytes) " bytes, " (objects) " objects" }
                dt { "Snapshot time" } dd { "not recorded in the inputs (the report carries no clock time, so the same inputs give the same bytes)" }
                dt { "Attack path mode" } dd {
                    @if a.attack_paths.mode == "assume-breach" { "assume breach: paths start from every workload" }
                    @else { "paths start from internet-exposed entry points" }
                }
            }
            @if !a.clusters.is_empty() {
                h3 { "Clusters" }
                table {
                    thead { tr { th { "Name" } th { "Version" } th { "Provider" } th { "Region" } th { "API server" } th { "Source" } } }
                    tbody {
                        @for c in &a.clusters {
                            tr { td { (c.name) } td { (c.version) } td { (c.provider) } td { (c.region) } td { (c.server) } td { code { (location(&c.source.file, c.source.line)) } } }
                        }
                    }
                }
            }
            h3 { "Input files" }
            table.sortable {
                thead { tr { th { "Path" } th { "Format" } th.num { "Bytes" } th.num { "Objects" } th.num { "Errors" } th.num { "Warnings" } } }
                tbody {
                    @for i in a.inputs.iter().take(MAX_ROWS) {
                        @let errors = i.diagnostics.iter().filter(|d| d.level == crate::source::Level::Error).count();
                        tr {
                            td { code { (i.path) } }
                            td { (i.format.label()) }
                            td.num { (i.bytes) }
                            td.num { (i.objects) }
                            td.num { (errors) }
                            td.num { (i.diagnostics.len() - errors) }
                        }
                    }
                }
            }
            (omitted(MAX_ROWS, a.inputs.len(), "input files"))
            @if !diagnostics.is_empty() {
                h3 { "Problems in the input" }
                table.sortable {
                    thead { tr { th { "Level" } th { "Location" } th { "Path" } th { "Message" } } }
                    tbody {
                        @for d in diagnostics.iter().take(MAX_ROWS) {
                            tr {
                                td { (match d.level { crate::source::Level::Error => "error", crate::source::Level::Warning => "warning" }) }
                                td { code { (location(&d.file, d.line)) @if d.column > 0 { ":" (d.column) } } }
                                td { code { (d.path) } }
                                td { (d.message) }
                            }
                        }
                    }
                }
                (omitted(MAX_ROWS, diagnostics.len(), "problems"))
            }
            @if !a.exemptions.applied.is_empty() {
                h3 { "Exemptions" }
                table {
                    thead { tr { th { "Rule" } th { "Scope" } th { "Reason" } th { "Expires" } } }
                    tbody {
                        @for e in &a.exemptions.applied {
                            tr {
                                td { code { (e.rule) } }
                                td {
                                    @for (k, v) in [("namespace", &e.namespace), ("kind", &e.kind), ("name", &e.name)] {
                                        @if let Some(v) = v { (k) " " code { (v) } " " }
                                    }
                                    @if e.selector.is_some() { "label selector" }
                                }
                                td { (e.reason) }
                                td { (e.expires.as_deref().unwrap_or("never")) }
                            }
                        }
                    }
                }
            }
            } // details.section
        }
    }
}

fn recommendations(a: &Analysis) -> Markup {
    html! {
        section #recommendations .page {
            // Collapsible, open by default; closing brace at the end of the section.
            details.section open { summary { h2 { "Recommendations" } }
            @if a.recommendations.is_empty() {
                p { "No rule fails on these inputs." }
            } @else {
                table.sortable {
                    thead { tr { th { "Severity" } th { "Recommendation" } th { "Rule" } th.num { "Affected" } th.num { "Exempt" } } }
                    tbody {
                        @for r in &a.recommendations {
                            tr {
                                td data-sort=(severity_rank(r.severity)) { (severity_badge(r.severity)) }
                                td { a href=(format!("#rule-{}", r.rule)) { (r.title) } }
                                td { code { (r.rule) } }
                                td.num { (r.affected) }
                                td.num { (r.exempted) }
                            }
                        }
                    }
                }
                @for r in &a.recommendations { (recommendation(a, r)) }
            }
            (not_applicable(a))
            } // details.section
        }
    }
}

/// The rules that do not apply by design (control-plane rules on a managed cluster):
/// a status of their own, neither failed nor passed.
fn not_applicable(a: &Analysis) -> Markup {
    html! {
        @if !a.not_applicable.is_empty() {
            h3 #not-applicable { "Not applicable" }
            p.muted {
                (a.not_applicable.len()) " rule evaluations do not apply to these inputs: they are neither failed nor passed, and the secure score leaves them out."
            }
            details {
                summary { "Show the rules" }
                table {
                    thead { tr { th { "Rule" } th { "Resource" } th { "Why" } } }
                    tbody {
                        @for n in &a.not_applicable {
                            tr {
                                td { code { (n.rule) } }
                                td { (n.resource.to_string()) }
                                td { (n.reason) }
                            }
                        }
                    }
                }
            }
        }
    }
}

fn recommendation(a: &Analysis, r: &Recommendation) -> Markup {
    let info = rules::rule(&r.rule).map(|rule| &rule.info);
    let findings: Vec<_> = r
        .findings
        .iter()
        .filter_map(|i| a.findings.get(*i))
        .collect();
    let several = findings.iter().any(|f| !f.resource.cluster.is_empty());
    html! {
        div class=(format!("rule sev-border-{}", r.severity.as_str())) id=(format!("rule-{}", r.rule)) {
            h3 { (severity_badge(r.severity)) " " (r.title) " " code { (r.rule) } }
            p {
                (r.affected) " affected resources"
                @if r.exempted > 0 { ", " (r.exempted) " exempt" }
                " · " (r.category.label())
                @if !r.frameworks.is_empty() {
                    " · "
                    @for (i, f) in r.frameworks.iter().enumerate() {
                        @if i > 0 { ", " }
                        code { (f) }
                    }
                }
            }
            @if let Some(info) = info {
                p { strong { "What it checks. " } (info.checks) }
                p { strong { "Why it matters. " } (info.why) }
            }
            p { strong { "Remediation. " } (r.remediation) }
            @if let Some(c) = a.secure_score.control(&r.rule) {
                p.muted {
                    "Potential score increase: +" (format!("{:.2}", c.potential_increase))
                    " points (weight " (c.weight) " × " (c.unhealthy) " failing of " (c.applicable)
                    " resources it applies to ÷ total weight " (a.secure_score.total_weight()) " × 100)."
                }
            }
            // Collapsed to its counts: a long report is read by its summaries first.
            details.findings {
            summary {
                (findings.len()) " findings on " (r.affected) " affected resources"
                @if r.exempted > 0 { " (" (r.exempted) " exempt)" }
            }
            table.sortable {
                thead { tr { @if several { th { "Cluster" } } th { "Resource" } th { "Container" } th { "Field" } th { "Location" } th { "Message" } th { "Fix" } th { "Status" } } }
                tbody {
                    @for f in findings.iter().take(MAX_FINDINGS_PER_RULE) {
                        tr class=[f.exemption.as_ref().map(|_| "exempt")] {
                            @if several { td { (crate::text::visible(&f.resource.cluster)) } }
                            td { (f.resource) }
                            td { (f.container) }
                            td { @if !f.field.is_empty() { code { (f.field) } } }
                            td { code { (location(&f.source.file, f.source.line)) } }
                            td { (f.message) }
                            td { (fix_cell(f.fix.as_deref())) }
                            td {
                                @match &f.exemption {
                                    Some(e) => {
                                        "exempt: " (e.reason)
                                        @if let Some(x) = &e.expires { " (until " (x) ")" }
                                    }
                                    None => { "open" }
                                }
                            }
                        }
                    }
                }
            }
            (omitted(MAX_FINDINGS_PER_RULE, findings.len(), "findings of this rule"))
            }
        }
    }
}

/// A finding's fix: the kubectl command, or the manifest patch when the change cannot be
/// made in place.
fn fix_cell(fix: Option<&crate::rules::fix::Fix>) -> Markup {
    html! {
        @if let Some(fix) = fix {
            @if fix.command.is_empty() {
                "Patch the manifest: " code { (fix.patch) }
            } @else {
                code { (fix.command) }
            }
        }
    }
}

fn attack_paths(a: &Analysis) -> Markup {
    let ap = &a.attack_paths;
    let cp = &ap.choke_points;
    html! {
        section #attack-paths .page {
            // Collapsible, open by default; closing brace at the end of the section.
            details.section open { summary { h2 { "Attack paths" } }
            p {
                (ap.total) " paths from " (ap.entries)
                @if ap.mode == "assume-breach" { " workloads (assume breach)" } @else { " internet-exposed entry points" }
                " over a graph of " (ap.graph_size.nodes) " nodes and " (ap.graph_size.edges) " edges."
                @if !ap.by_target.is_empty() {
                    " By target: "
                    @for (i, (t, n)) in ap.by_target.iter().enumerate() {
                        @if i > 0 { ", " }
                        (t) " " (n)
                    }
                    "."
                }
            }
            (chart("paths-by-target", "Attack paths by target", super::charts::paths_by_target(a)))
            @if !cp.fixes.is_empty() {
                h3 { "Choke points" }
                p { (cp.summary) }
                table {
                    thead { tr { th.num { "#" } th { "Fix (rule)" } th { "Resource" } th.num { "Paths through it" } th.num { "Paths left after it and the ones above" } } }
                    tbody {
                        @for (i, f) in cp.fixes.iter().enumerate() {
                            tr {
                                td.num { (i + 1) @if i < cp.recommended { " ★" } }
                                td { a href=(format!("#rule-{}", f.rule)) { code { (f.rule) } } }
                                td { (f.resource) }
                                td.num { (f.paths) }
                                td.num { @if let Some(n) = f.remaining { (n) } @else { "–" } }
                            }
                        }
                    }
                }
            }
            @for (i, p) in ap.paths.iter().take(MAX_PATHS).enumerate() { (path(i + 1, p, a)) }
            // Paths past the listed ones (`--max-paths`) are counted, not drawn.
            (omitted(MAX_PATHS.min(ap.paths.len()), ap.total, "attack paths"))
            @if !ap.insights.is_empty() {
                h3 { "Workload insights" }
                table.sortable {
                    thead { tr { th { "Workload" } th { "Insights" } th { "Exposure" } } }
                    tbody {
                        @for w in ap.insights.iter().take(MAX_ROWS) {
                            tr {
                                td { (w.resource) }
                                td { (w.insights.join(", ")) }
                                td {
                                    @for (i, e) in w.exposure.iter().enumerate() {
                                        @if i > 0 { br; }
                                        (exposure(e))
                                    }
                                }
                            }
                        }
                    }
                }
                (omitted(MAX_ROWS, ap.insights.len(), "workloads with insights"))
            }
            } // details.section
        }
    }
}

/// `LoadBalancer Service shop/web lb.example.com:443/api`.
fn exposure(e: &crate::graph::Exposure) -> Markup {
    html! { (e.via) " " (e.host) @if let Some(port) = e.port { ":" (port) } (e.path) }
}

fn path(n: usize, p: &AttackPath, a: &Analysis) -> Markup {
    use crate::graph::paths::factor;
    let rf = &p.risk_factors;
    html! {
        div.path id=(format!("path-{n}")) {
            h3 { (n) ". " (p.title) }
            @let clusters = crate::graph::path_filter::clusters(p);
            @if !clusters.is_empty() {
                p data-testid="path-clusters" { "Clusters: " (crate::text::visible(&clusters.join(" → "))) }
            }
            p.muted {
                "Risk " (format!("{:.1}", p.risk)) " · " (p.length) " technique steps of " (p.steps.len()) " steps listed · target " (p.target.label())
                @if !p.mitre.is_empty() { " · MITRE ATT&CK " (p.mitre.join(", ")) }
                @if let Some(id) = &p.entry_vulnerability { " · enters through " (id) }
            }
            @if !rf.formula.is_empty() {
                details.explain data-testid="path-risk" {
                    summary { "How the risk is computed" }
                    p { (rf.formula) }
                    ul {
                        li { strong { "Exposure " (factor(rf.exposure)) } ": " (rf.exposure_reason) }
                        li { strong { "Likelihood " (factor(rf.likelihood)) } ": " (rf.likelihood_reason) }
                        li { strong { "Impact " (factor(rf.impact)) } ": " (rf.impact_reason) }
                    }
                    p.muted { (rf.steps_note) "." }
                }
            }
            @if p.assumed {
                p { strong { "Assumed: " }
                    @for (i, a) in p.assumptions.iter().enumerate() {
                        @if i > 0 { "; " }
                        (a)
                    }
                }
            }
            @if !p.exposure.is_empty() {
                p { "Exposed through "
                    @for (i, e) in p.exposure.iter().enumerate() {
                        @if i > 0 { "; " }
                        (exposure(e))
                    }
                }
            }
            (path_diagram(n, p))
            ol {
                @for s in &p.steps {
                    li { code { (s.edge.name()) } " "
                        span.muted { (if s.technique { "technique" } else { "link" }) } " "
                        (s.sentence)
                        @if let Some(a) = &s.assumption { " " em { "(" (a) ")" } }
                    }
                }
            }
            @if !p.breaks.is_empty() {
                p { strong { "Every fix that breaks it" } }
                ul data-testid="path-breaks" {
                    @for b in &p.breaks {
                        li {
                            @if let Some(rule) = &b.rule { a href=(format!("#rule-{rule}")) { code { (rule) } } " " }
                            (b.action)
                            @if let Some(c) = b.choke_point { " " span.muted { "(choke point " (c + 1) ")" } }
                            @if let Some(fix) = b.finding.and_then(|i| a.findings.get(i)).and_then(|f| f.fix.as_ref()) {
                                ": " (fix_cell(Some(fix)))
                            }
                        }
                    }
                }
            }
        }
    }
}

/// The path's nodes as a vertical chain of boxes, each arrow labelled with its edge.
fn path_diagram(n: usize, p: &AttackPath) -> Markup {
    // (kind, label) of each node along the path.
    let mut nodes: Vec<(&str, &str)> = Vec::with_capacity(p.steps.len() + 1);
    if let Some(first) = p.steps.first() {
        nodes.push((first.from_kind.name(), &first.from_label));
    }
    nodes.extend(
        p.steps
            .iter()
            .map(|s| (s.to_kind.name(), s.to_label.as_str())),
    );
    const BOX: usize = 30;
    const GAP: usize = 34;
    let height = nodes.len() * BOX + nodes.len().saturating_sub(1) * GAP + 4;
    html! {
        svg width="720" height=(height) viewBox=(format!("0 0 720 {height}")) role="img" aria-label=(format!("Diagram of attack path {}", p.id)) {
            defs {
                marker id=(format!("arrow-{n}")) viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse" {
                    path d="M0,0 L10,5 L0,10 z" fill="#57606a" {}
                }
            }
            @for (i, (kind, label)) in nodes.iter().enumerate() {
                @let y = 2 + i * (BOX + GAP);
                @let last = i + 1 == nodes.len();
                g {
                    title { (kind) ": " (label) }
                    rect x="2" y=(y) width="712" height=(BOX) rx="5"
                        fill=(if i == 0 { "#fff7ed" } else if last { "#fef2f2" } else { "#f6f8fa" })
                        stroke=(if last { "#b91c1c" } else if i == 0 { "#c2410c" } else { "#8c959f" }) {}
                    text x="12" y=(y + 19) font-size="11" fill="#57606a" { (clip(kind, 16)) }
                    text x="130" y=(y + 19) font-size="12" fill="#1b1f24" { (clip(label, 86)) }
                }
                @if let Some(step) = p.steps.get(i) {
                    @let y1 = y + BOX;
                    @let y2 = y1 + GAP;
                    line x1="60" y1=(y1) x2="60" y2=(y2 - 1) stroke=(if step.technique { "#b91c1c" } else { "#8c959f" })
                        stroke-width=(if step.technique { "2" } else { "1.5" }) marker-end=(format!("url(#arrow-{n})")) {}
                    text x="72" y=(y1 + GAP / 2 + 4) font-size="11" font-family="ui-monospace,monospace"
                        fill=(if step.technique { "#b91c1c" } else { "#57606a" }) {
                        title { (step.sentence) }
                        (step.edge.name())
                    }
                }
            }
        }
    }
}

fn vulnerabilities(a: &Analysis) -> Markup {
    let v = &a.vulnerabilities;
    let s = &v.summary;
    let counts = |c: &crate::vulns::SeverityCounts| {
        html! {
            td.num { (c.critical) } td.num { (c.high) } td.num { (c.medium) } td.num { (c.low) }
        }
    };
    html! {
        section #vulnerabilities .page {
            // Collapsible, open by default; closing brace at the end of the section.
            details.section open { summary { h2 { "Vulnerabilities" } }
            @if s.scans == 0 {
                p { (s.running_images) " images run; no image scan (Trivy or Grype JSON) was among the inputs." }
            } @else {
                p {
                    (s.scans) " scans; " (s.scanned_images) " of " (s.running_images) " running images scanned ("
                    (s.not_scanned_images) " not scanned, " (s.unused_scans) " scans of images nothing runs). "
                    (s.vulnerabilities) " vulnerabilities in running images: "
                    (s.by_severity.critical) " critical, " (s.by_severity.high) " high, " (s.by_severity.medium) " medium, "
                    (s.by_severity.low) " low; " (s.fixable) " fixable, " (s.remotely_exploitable) " remotely exploitable, "
                    (s.known_exploited) " known exploited; " (s.affected_workloads) " workloads affected."
                }
                (chart("vulnerabilities", "Vulnerabilities by severity and fixability", super::charts::vulnerabilities_by_severity(a)))
                @if !v.cves.is_empty() {
                    h3 { "Vulnerabilities by priority" }
                    table.sortable {
                        thead { tr { th { "Id" } th { "Severity" } th.num { "CVSS" } th { "Packages (installed → fixed)" } th { "Images" } th.num { "Workloads" } th.num { "Priority" } } }
                        tbody {
                            @for c in v.cves.iter().take(MAX_ROWS) {
                                tr {
                                    td { code { (c.id) } @if c.known_exploited { " (known exploited)" } @if c.remote { " (remote)" } }
                                    td data-sort=(severity_rank(c.severity)) { (severity_badge(c.severity)) }
                                    td.num { @if let Some(score) = c.cvss_score { (format!("{score:.1}")) } }
                                    td { (c.packages.join(", ")) }
                                    td { (c.images.join(", ")) }
                                    td.num { (c.workloads.len()) }
                                    td.num { (format!("{:.1}", c.priority)) }
                                }
                            }
                        }
                    }
                    (omitted(MAX_ROWS, v.cves.len(), "vulnerabilities"))
                }
            }
            @if !v.images.is_empty() {
                h3 { "Images" }
                table.sortable {
                    thead { tr { th { "Image" } th { "Scanned" } th { "Running" } th.num { "Critical" } th.num { "High" } th.num { "Medium" } th.num { "Low" } th.num { "Fixable" } th { "Upgrades" } th.num { "Workloads" } } }
                    tbody {
                        @for i in v.images.iter().take(MAX_ROWS) {
                            tr {
                                td { code { (i.image) } }
                                td { (if i.scanned { "yes" } else { "no" }) }
                                td { (if i.running { "yes" } else { "no" }) }
                                (counts(&i.counts))
                                td.num { (i.fixable) }
                                td {
                                    @for (n, u) in i.upgrades.iter().take(3).enumerate() {
                                        @if n > 0 { br; }
                                        (u.package) " " (u.installed) " → " (u.fixed)
                                    }
                                    @if i.upgrades.len() > 3 { br; "+" (i.upgrades.len() - 3) " more" }
                                }
                                td.num { (i.workloads.len()) }
                            }
                        }
                    }
                }
                (omitted(MAX_ROWS, v.images.len(), "images"))
            }
            } // details.section
        }
    }
}

fn enforcement(a: &Analysis) -> Markup {
    let rejected: Vec<_> = a
        .enforcement
        .iter()
        .flat_map(|n| n.restricted.iter().map(move |w| (n, w)))
        .collect();
    html! {
        section #enforcement .page {
            // Collapsible, open by default; closing brace at the end of the section.
            details.section open { summary { h2 { "Pod Security enforcement (dry run)" } }
            p { "Per namespace: its current " code { "pod-security.kubernetes.io/enforce" } " label, the strictest level all its workloads pass today, and how many workloads labelling it "
                code { "enforce=baseline" } " or " code { "enforce=restricted" } " would reject. " code { "portolan enforce" } " writes the labels and an admission policy." }
            @if a.enforcement.is_empty() {
                p.muted { "No namespace with workloads." }
            } @else {
                table.sortable {
                    thead { tr { th { "Namespace" } th { "Enforce now" } th { "Version" } th.num { "Workloads" } th { "Safe level" } th.num { "Baseline rejects" } th.num { "Restricted rejects" } } }
                    tbody {
                        @for n in a.enforcement.iter().take(MAX_ROWS) {
                            tr {
                                td { (n.namespace) }
                                td { @if n.labels.enforce.is_empty() { @if n.observed { "–" } @else { "unknown" } } @else { (n.labels.enforce) } }
                                td { (n.version.to_string()) }
                                td.num { (n.workloads) }
                                td { (n.safe_level.as_str()) }
                                td.num { (n.baseline.len()) }
                                td.num { (n.restricted.len()) }
                            }
                        }
                    }
                }
                (omitted(MAX_ROWS, a.enforcement.len(), "namespaces"))
                @if !rejected.is_empty() {
                    h3 { "Workloads enforce=restricted would reject" }
                    table.sortable {
                        thead { tr { th { "Namespace" } th { "Workload" } th { "Failing checks" } th { "Location" } } }
                        tbody {
                            @for (n, w) in rejected.iter().take(MAX_ROWS) {
                                tr {
                                    td { (n.namespace) }
                                    td { (w.describe()) @if w.controller { " (its pods)" } }
                                    td { (w.check_ids()) }
                                    td { code { (location(&w.source.file, w.source.line)) } }
                                }
                            }
                        }
                    }
                    (omitted(MAX_ROWS, rejected.len(), "rejected workloads"))
                }
            }
            } // details.section
        }
    }
}

fn inventory(a: &Analysis) -> Markup {
    let counts = &a.inventory.counts;
    let mut kinds: Vec<(&str, usize)> = KIND_ORDER
        .iter()
        .filter_map(|k| counts.get(*k).map(|n| (*k, *n)))
        .collect();
    kinds.extend(
        counts
            .iter()
            .filter(|(k, _)| !KIND_ORDER.contains(&k.as_str()))
            .map(|(k, n)| (k.as_str(), *n)),
    );
    let mut formats: BTreeMap<&str, (usize, u64)> = BTreeMap::new();
    for i in &a.inputs {
        let e = formats.entry(i.format.label()).or_default();
        e.0 += 1;
        e.1 += i.bytes;
    }
    html! {
        section #inventory .page {
            // Collapsible, open by default; closing brace at the end of the section.
            details.section open { summary { h2 { "Inventory" } }
            div.cards {
                div.card {
                    table.sortable {
                        thead { tr { th { "Kind" } th.num { "Count" } } }
                        tbody { @for (k, n) in &kinds { tr { td { (k) } td.num { (n) } } } }
                    }
                }
                div.card {
                    table {
                        thead { tr { th { "Input format" } th.num { "Files" } th.num { "Bytes" } } }
                        tbody { @for (f, (files, bytes)) in &formats { tr { td { (f) } td.num { (files) } td.num { (bytes) } } } }
                    }
                }
            }
            } // details.section
        }
    }
}
