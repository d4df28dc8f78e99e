//! CSV: one row per finding, then one per audit-log alert (its type in `rule`, its
//! tactic in `category`, its first evidence event in `file`/`line`), for spreadsheets
//! and ticket imports. The `fix` column holds the finding's exact fix (`kubectl`
//! command, else strategic merge patch) where one can be stated.
//!
//! RFC 4180: CRLF line ends, a field quoted when it holds a comma, quote or line break,
//! quotes doubled. Snapshot text is hostile, and a spreadsheet runs a cell that starts
//! with `=`, `+`, `-` or `@` (or a tab or carriage return) as a formula, so such a cell
//! is prefixed with `'` and shows as the text it is.

use crate::graph::path_filter::risk_level;
use crate::graph::paths::AttackPath;
use crate::rules;
use crate::Analysis;

/// A header row and one row per finding of `findings`, exactly as [`csv`] writes them.
pub fn findings_csv<'f>(findings: impl IntoIterator<Item = &'f rules::Finding>) -> String {
    findings_csv_with(findings, rule_columns)
}

/// The CSV columns of rule `id`'s documentation, from the rule catalogue (the CLI's
/// lookup; the app's page passes the catalogue its worker sent instead).
pub fn rule_columns(id: &str) -> Option<RuleColumns<'static>> {
    rules::rule(id).map(|r| RuleColumns {
        title: r.info.title,
        category: r.info.category,
        frameworks: r.info.frameworks.join(" "),
        remediation: r.info.remediation,
    })
}

/// What a finding's row shows of its rule's documentation.
pub struct RuleColumns<'d> {
    pub title: &'d str,
    pub category: rules::Category,
    /// The framework tags, space-separated.
    pub frameworks: String,
    pub remediation: &'d str,
}

/// [`findings_csv`] with the rules' documentation looked up by `doc` (a rule id to its
/// columns): the app's exports of a filtered list call this with the catalogue its
/// worker sent (the page does not link the rule catalogue), so they equal the CLI's
/// rows.
pub fn findings_csv_with<'f, 'd>(
    findings: impl IntoIterator<Item = &'f rules::Finding>,
    doc: impl Fn(&str) -> Option<RuleColumns<'d>>,
) -> String {
    table_csv(
        &CSV_COLUMNS,
        findings
            .into_iter()
            .map(|f| finding_cells(f, doc(&f.rule).as_ref())),
    )
}

/// One finding's cells, in the order of [`CSV_COLUMNS`], with its rule's documentation
/// `info`.
pub(super) fn finding_cells(f: &rules::Finding, info: Option<&RuleColumns>) -> Vec<String> {
    let r = &f.resource;
    vec![
        f.severity.as_str().to_string(),
        f.rule.clone(),
        info.map_or("", |i| i.title).to_string(),
        info.map_or("", |i| i.category.label()).to_string(),
        r.kind.clone(),
        r.namespace.clone(),
        r.name.clone(),
        f.container.clone(),
        f.field.clone(),
        f.source.file.to_string(),
        if f.source.line > 0 {
            f.source.line.to_string()
        } else {
            String::new()
        },
        f.message.clone(),
        info.map_or(String::new(), |i| i.frameworks.clone()),
        if f.exemption.is_some() { "yes" } else { "no" }.to_string(),
        f.exemption
            .as_ref()
            .map_or(String::new(), |e| e.reason.clone()),
        info.map_or("", |i| i.remediation).to_string(),
        fix_cell(f.fix.as_deref()),
    ]
}

/// The finding's exact fix: the `kubectl` command when the change can be made in
/// place, else the strategic merge patch; empty when no exact fix can be stated.
fn fix_cell(fix: Option<&rules::fix::Fix>) -> String {
    match fix {
        Some(f) if !f.command.is_empty() => f.command.clone(),
        Some(f) => f.patch.clone(),
        None => String::new(),
    }
}

/// Column names, in order.
pub const CSV_COLUMNS: [&str; 17] = [
    "severity",
    "rule",
    "title",
    "category",
    "kind",
    "namespace",
    "name",
    "container",
    "field",
    "file",
    "line",
    "message",
    "frameworks",
    "exempt",
    "exemption_reason",
    "remediation",
    "fix",
];

/// The findings as CSV, a header row first.
pub fn csv(analysis: &Analysis) -> String {
    let mut out = findings_csv(analysis.findings.iter());
    for a in &analysis.alerts {
        let info = crate::detect::detection(&a.kind).map(|d| &d.info);
        let first = a.evidence.first();
        let mut message = format!("{} by {}, {} events", a.title, a.user, a.count);
        if !a.detail.is_empty() {
            message.push_str(": ");
            message.push_str(&a.detail);
        }
        row(
            &mut out,
            [
                a.severity.as_str().to_string(),
                a.kind.clone(),
                a.title.clone(),
                format!("Threat detection: {}", a.tactic),
                a.resource.kind.clone(),
                a.resource.namespace.clone(),
                a.resource.name.clone(),
                String::new(),
                String::new(),
                first.map_or(String::new(), |e| e.file.clone()),
                first.map_or(String::new(), |e| e.line.to_string()),
                message,
                a.techniques
                    .iter()
                    .map(|t| format!("mitre/{t}"))
                    .collect::<Vec<_>>()
                    .join(" "),
                "no".to_string(),
                String::new(),
                info.map_or("", |i| i.remediation).to_string(),
                String::new(),
            ],
        );
    }
    out
}

/// Any table as CSV, written exactly as the findings are (same quoting, same formula
/// neutralisation): `header`, then `rows`. The app's exports of inventory and
/// vulnerability lists and the attack path CSV use it, so every CSV reads alike.
pub fn table_csv(header: &[&str], rows: impl IntoIterator<Item = Vec<String>>) -> String {
    let mut out = String::new();
    row(&mut out, header.iter().map(|c| c.to_string()));
    for r in rows {
        row(&mut out, r);
    }
    out
}

/// Columns of the attack path CSV, in order.
pub const PATH_CSV_COLUMNS: [&str; 10] = [
    "id",
    "risk",
    "risk_level",
    "title",
    "target",
    "entry_kind",
    "entry_namespace",
    "entry_name",
    "steps",
    "assumed",
];

/// Attack paths as CSV, one row each in the given order: what `portolan paths --format
/// csv` writes and the app's attack path exports (the attack paths page, compare's path
/// tables) download. `risk` is shown to one decimal as everywhere else; `steps` counts
/// technique steps.
pub fn paths_csv<'p>(paths: impl IntoIterator<Item = &'p AttackPath>) -> String {
    table_csv(&PATH_CSV_COLUMNS, paths.into_iter().map(path_cells))
}

/// One path's cells, in the order of [`PATH_CSV_COLUMNS`].
pub(super) fn path_cells(p: &AttackPath) -> Vec<String> {
    vec![
        p.id.clone(),
        format!("{:.1}", p.risk),
        risk_level(p.risk).to_string(),
        p.title.clone(),
        p.target.name().to_string(),
        p.entry.kind.clone(),
        p.entry.namespace.clone(),
        p.entry.name.clone(),
        p.length.to_string(),
        if p.assumed { "yes" } else { "no" }.to_string(),
    ]
}

/// A query's answer as CSV: one row per chain, four columns (kind, namespace, name,
/// id) per node of the chain, as `portolan query -f csv` writes it.
pub fn query_csv(answer: &crate::query::QueryAnswer) -> String {
    let width = answer
        .results
        .iter()
        .map(|c| c.nodes.len())
        .max()
        .unwrap_or(1);
    let mut out = String::new();
    row(
        &mut out,
        (1..=width)
            .flat_map(|i| ["kind", "namespace", "name", "id"].map(|c| format!("node{i}_{c}"))),
    );
    for chain in &answer.results {
        row(
            &mut out,
            chain.nodes.iter().flat_map(|n| {
                [
                    n.kind.clone(),
                    n.namespace.clone(),
                    n.name.clone(),
                    n.id.clone(),
                ]
            }),
        );
    }
    out
}

fn row(out: &mut String, cells: impl IntoIterator<Item = String>) {
    for (i, cell) in cells.into_iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        push_cell(out, &cell);
    }
    out.push_str("\r\n");
}

/// One cell, neutralised against formula injection and quoted when needed.
fn push_cell(out: &mut String, cell: &str) {
    let formula = cell.starts_with(['=', '+', '-', '@', '\t', '\r']);
    let quoted = cell.contains([',', '"', '\r', '\n']) || formula;
    if quoted {
        out.push('"');
    }
    if formula {
        out.push('\'');
    }
    for c in cell.chars() {
        if c == '"' {
            out.push('"');
        }
        out.push(c);
    }
    if quoted {
        out.push('"');
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cell(s: &str) -> String {
        let mut out = String::new();
        push_cell(&mut out, s);
        out
    }

    #[test]
    fn tables_are_written_like_findings() {
        let text = table_csv(&["image", "critical"], [vec!["=cmd".into(), "2".into()]]);
        assert_eq!(text, "image,critical\r\n\"'=cmd\",2\r\n");
        assert_eq!(table_csv(&["a"], Vec::<Vec<String>>::new()), "a\r\n");
    }

    #[test]
    fn attack_paths_are_one_row_each_with_their_band() {
        use crate::graph::path_filter::tests::path;
        use crate::graph::Target;
        let mut hostile = path("=cmd, \"x\"", Target::Secrets, "", "-web", vec![]);
        hostile.risk = 20.04;
        hostile.assumed = true;
        let mut low = path("Low", Target::NodeTakeover, "ci", "runner", vec![]);
        low.risk = 9.96;
        let text = paths_csv([&hostile, &low]);
        assert_eq!(
            text,
            "id,risk,risk_level,title,target,entry_kind,entry_namespace,entry_name,steps,assumed\r\n\
             /-web -> secrets,20.0,high,\"'=cmd, \"\"x\"\"\",secrets,Deployment,,\"'-web\",2,yes\r\n\
             ci/runner -> node-takeover,10.0,medium,Low,node-takeover,Deployment,ci,runner,2,no\r\n"
        );
    }

    #[test]
    fn cells_are_quoted_and_neutralised() {
        assert_eq!(cell("plain"), "plain");
        assert_eq!(cell("a,b"), "\"a,b\"");
        assert_eq!(cell("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(cell("two\nlines"), "\"two\nlines\"");
        assert_eq!(cell("=HYPERLINK(\"x\")"), "\"'=HYPERLINK(\"\"x\"\")\"");
        assert_eq!(cell("-1+1"), "\"'-1+1\"");
        assert_eq!(cell("@sum"), "\"'@sum\"");
        assert_eq!(cell(""), "");
    }
}
