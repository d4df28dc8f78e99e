//! The compare tables, once: which findings and attack paths of an [`AnalysisDiff`] have
//! which status, the search, severity filter and sort of the app's compare page, and
//! their CSV with a leading `status` column. The compare page's "Export CSV" and
//! `portolan diff OLD NEW -f csv` (`-f paths-csv`) write the same bytes for the same
//! filter.
//!
//! Statuses: `new` (in the new analysis only), `fixed` (in the old only, its resource or
//! entry still present), `no-longer-present` (in the old only, its resource or entry
//! gone: out of view, not fixed), `exemption-changed` (a finding in both whose
//! exemption was added or removed) and `unchanged` (in both, otherwise).

use super::csv::{
    finding_cells, path_cells, rule_columns, table_csv, RuleColumns, CSV_COLUMNS, PATH_CSV_COLUMNS,
};
use super::tables::TableSort;
use crate::diff::{AnalysisDiff, PathRef};
use crate::graph::path_filter::{risk_level, search_matches};
use crate::graph::paths::AttackPath;
use crate::rules::{Finding, Severity};
use crate::Analysis;

/// What became of a finding or an attack path between two analyses.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DriftStatus {
    New,
    Fixed,
    NoLongerPresent,
    ExemptionChanged,
    Unchanged,
}

impl DriftStatus {
    /// Every status of a finding, in the order tables and CSV list them.
    pub const FINDINGS: [DriftStatus; 5] = [
        DriftStatus::New,
        DriftStatus::Fixed,
        DriftStatus::NoLongerPresent,
        DriftStatus::ExemptionChanged,
        DriftStatus::Unchanged,
    ];
    /// Every status of an attack path (paths have no exemption).
    pub const PATHS: [DriftStatus; 4] = [
        DriftStatus::New,
        DriftStatus::Fixed,
        DriftStatus::NoLongerPresent,
        DriftStatus::Unchanged,
    ];

    /// Its word in the CSV's `status` column and the CLI's `--status`.
    pub fn name(self) -> &'static str {
        match self {
            DriftStatus::New => "new",
            DriftStatus::Fixed => "fixed",
            DriftStatus::NoLongerPresent => "no-longer-present",
            DriftStatus::ExemptionChanged => "exemption-changed",
            DriftStatus::Unchanged => "unchanged",
        }
    }

    /// The status whose [`DriftStatus::name`] is `name`.
    pub fn from_name(name: &str) -> Option<Self> {
        DriftStatus::FINDINGS.into_iter().find(|s| s.name() == name)
    }
}

/// The findings of `d` with `status`, in the diff's order.
pub fn drift_findings(d: &AnalysisDiff, status: DriftStatus) -> Vec<&Finding> {
    let f = &d.findings;
    let changed = |x: &&Finding| f.exemption_changed.contains(&x.key());
    match status {
        DriftStatus::New => f.new.iter().collect(),
        DriftStatus::Fixed => f.fixed.iter().collect(),
        DriftStatus::NoLongerPresent => f.resource_gone.iter().collect(),
        DriftStatus::ExemptionChanged => f.unchanged.iter().filter(changed).collect(),
        DriftStatus::Unchanged => f.unchanged.iter().filter(|x| !changed(x)).collect(),
    }
}

/// The attack paths of `d` with `status`, as the analysis that lists them has them: a
/// new or unchanged path as `new` has it, a fixed or no longer present one as `old` had
/// it (the diff names paths by id only).
pub fn drift_paths<'a>(
    d: &AnalysisDiff,
    old: &'a Analysis,
    new: &'a Analysis,
    status: DriftStatus,
) -> Vec<&'a AttackPath> {
    let p = &d.attack_paths;
    let (refs, side): (&[PathRef], &Analysis) = match status {
        DriftStatus::New => (&p.new, new),
        DriftStatus::Fixed => (&p.fixed, old),
        DriftStatus::NoLongerPresent => (&p.resource_gone, old),
        DriftStatus::Unchanged => (&p.unchanged, new),
        DriftStatus::ExemptionChanged => (&[], new),
    };
    refs.iter()
        .filter_map(|r| side.attack_paths.paths.iter().find(|x| x.id == r.id))
        .collect()
}

/// The compare page's search and severity filter.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct DriftFilter {
    /// A severity word (`high`); for a path, its risk band. A word no severity has
    /// filters nothing, as a hand-edited URL may hold one.
    pub severity: String,
    /// Case ignored. Findings: rule, resource, container, message and file. Paths: the
    /// attack paths page's search (`entry:`, `through:`, `target:`, `fix:` or the title)
    /// or the entry's name.
    pub search: String,
}

impl DriftFilter {
    fn severity(&self) -> Option<&str> {
        Severity::ALL
            .into_iter()
            .any(|s| s.as_str() == self.severity)
            .then_some(self.severity.as_str())
    }
}

/// How the filters read one kind of row: its severity word, whether it matches the
/// search (trimmed, non-empty), and its sort key for a column key (`None` when the
/// table has no such column: the rows keep their order).
struct RowFilter<T> {
    severity: fn(&T) -> &'static str,
    matches: fn(&T, &str) -> bool,
    key: fn(&T, &str) -> Option<(i64, String)>,
}

/// `file:line`, or the file alone when the line is unknown.
pub fn source_text(f: &Finding) -> String {
    if f.source.line > 0 {
        format!("{}:{}", f.source.file, f.source.line)
    } else {
        f.source.file.to_string()
    }
}

/// Sort columns of the finding tables: severity (most severe first), rule, resource and
/// source.
pub const FINDING_SORT_KEYS: [&str; 4] = ["severity", "rule", "resource", "source"];
/// Sort columns of the attack path tables: risk (riskiest first), path, entry, target.
pub const PATH_SORT_KEYS: [&str; 4] = ["risk", "path", "entry", "target"];

const FINDING_FILTER: RowFilter<Finding> = RowFilter {
    severity: |f| f.severity.as_str(),
    matches: |f, needle| {
        let needle = needle.to_lowercase();
        [
            f.rule.as_str(),
            f.resource.kind.as_str(),
            f.resource.namespace.as_str(),
            f.resource.name.as_str(),
            f.container.as_str(),
            f.message.as_str(),
            &*f.source.file,
        ]
        .iter()
        .any(|v| v.to_lowercase().contains(&needle))
    },
    key: |f, column| match column {
        "severity" => Some((f.severity as i64, String::new())),
        "rule" => Some((0, f.rule.to_lowercase())),
        "resource" => Some((0, f.resource.to_string().to_lowercase())),
        "source" => Some((0, source_text(f))),
        _ => None,
    },
};

const PATH_FILTER: RowFilter<AttackPath> = RowFilter {
    severity: |p| risk_level(p.risk),
    matches: |p, needle| {
        search_matches(p, needle)
            || p.entry
                .to_string()
                .to_lowercase()
                .contains(&needle.to_lowercase())
    },
    key: |p, column| match column {
        // Riskiest first (scores are shown to one decimal).
        "risk" => Some((-(p.risk * 10.0).round() as i64, String::new())),
        "path" => Some((0, p.title.to_lowercase())),
        "entry" => Some((0, p.entry.to_string().to_lowercase())),
        "target" => Some((0, p.target.name().to_string())),
        _ => None,
    },
};

fn filter_sort<'a, T>(
    rows: Vec<&'a T>,
    filter: &DriftFilter,
    sort: &TableSort,
    f: &RowFilter<T>,
) -> Vec<&'a T> {
    let needle = filter.search.trim();
    let severity = filter.severity();
    let mut kept: Vec<&T> = rows
        .into_iter()
        .filter(|r| severity.is_none_or(|s| (f.severity)(r) == s))
        .filter(|r| needle.is_empty() || (f.matches)(r, needle))
        .collect();
    if !sort.column.is_empty() {
        // The stable sort keeps the given order among equal keys.
        kept.sort_by(|a, b| {
            let order = (f.key)(a, &sort.column).cmp(&(f.key)(b, &sort.column));
            if sort.descending {
                order.reverse()
            } else {
                order
            }
        });
    }
    kept
}

/// The findings the filter keeps, sorted.
pub fn filter_findings<'a>(
    rows: Vec<&'a Finding>,
    filter: &DriftFilter,
    sort: &TableSort,
) -> Vec<&'a Finding> {
    filter_sort(rows, filter, sort, &FINDING_FILTER)
}

/// The attack paths the filter keeps, sorted.
pub fn filter_paths<'a>(
    rows: Vec<&'a AttackPath>,
    filter: &DriftFilter,
    sort: &TableSort,
) -> Vec<&'a AttackPath> {
    filter_sort(rows, filter, sort, &PATH_FILTER)
}

/// The findings of `statuses` (each filtered and sorted on its own, in the order given)
/// as CSV: a `status` column, then the columns of the findings CSV.
pub fn drift_findings_csv(
    d: &AnalysisDiff,
    statuses: &[DriftStatus],
    filter: &DriftFilter,
    sort: &TableSort,
) -> String {
    drift_findings_csv_with(d, statuses, filter, sort, rule_columns)
}

/// [`drift_findings_csv`] with the rules' documentation looked up by `doc` (see
/// [`super::findings_csv_with`]: the app's page passes its catalogue).
pub fn drift_findings_csv_with<'d>(
    d: &AnalysisDiff,
    statuses: &[DriftStatus],
    filter: &DriftFilter,
    sort: &TableSort,
    doc: impl Fn(&str) -> Option<RuleColumns<'d>>,
) -> String {
    let header: Vec<&str> = ["status"].into_iter().chain(CSV_COLUMNS).collect();
    let doc = &doc;
    table_csv(
        &header,
        statuses.iter().flat_map(|&status| {
            filter_findings(drift_findings(d, status), filter, sort)
                .into_iter()
                .map(move |f| with_status(status, finding_cells(f, doc(&f.rule).as_ref())))
        }),
    )
}

/// The attack paths of `statuses` as CSV: a `status` column, then the columns of the
/// attack path CSV.
pub fn drift_paths_csv(
    d: &AnalysisDiff,
    old: &Analysis,
    new: &Analysis,
    statuses: &[DriftStatus],
    filter: &DriftFilter,
    sort: &TableSort,
) -> String {
    let header: Vec<&str> = ["status"].into_iter().chain(PATH_CSV_COLUMNS).collect();
    table_csv(
        &header,
        statuses.iter().flat_map(|&status| {
            filter_paths(drift_paths(d, old, new, status), filter, sort)
                .into_iter()
                .map(move |p| with_status(status, path_cells(p)))
        }),
    )
}

fn with_status(status: DriftStatus, mut cells: Vec<String>) -> Vec<String> {
    cells.insert(0, status.name().to_string());
    cells
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{analyze, AnalyzeOptions, InputFile};

    fn analysis(yaml: &str) -> Analysis {
        analyze(
            &[InputFile::new("m.yaml", yaml.as_bytes().to_vec())],
            &AnalyzeOptions::default(),
            &mut |_| {},
        )
    }

    const PRIVILEGED: &str = "apiVersion: v1\nkind: Pod\nmetadata: {name: web, namespace: shop}\n\
        spec:\n  containers:\n  - name: c\n    image: nginx\n    securityContext: {privileged: true}\n";
    const GONE: &str = "---\napiVersion: v1\nkind: Pod\nmetadata: {name: old, namespace: ops}\n\
        spec:\n  containers:\n  - name: c\n    image: nginx\n    securityContext: {privileged: true}\n";

    #[test]
    fn statuses_are_one_column_and_filters_apply_per_status() {
        let old = analysis(&format!("{PRIVILEGED}{GONE}"));
        let fixed = PRIVILEGED.replace("privileged: true", "privileged: false");
        let new = analysis(&fixed);
        let d = crate::diff::diff(&old, &new);
        let all = drift_findings_csv(
            &d,
            &DriftStatus::FINDINGS,
            &DriftFilter::default(),
            &TableSort::default(),
        );
        let rows: Vec<&str> = all.split("\r\n").collect();
        assert!(rows[0].starts_with("status,severity,rule,"));
        let status = |name: &str| {
            rows.iter()
                .filter(|r| r.starts_with(&format!("{name},")))
                .count()
        };
        assert_eq!(status("fixed"), d.findings.fixed.len());
        assert_eq!(status("no-longer-present"), d.findings.resource_gone.len());
        assert!(status("no-longer-present") > 0 && status("fixed") > 0);
        assert!(rows
            .iter()
            .filter(|r| r.starts_with("no-longer-present,"))
            .all(|r| r.contains(",ops,old,")));
        // The severity filter and a search narrow every status alike.
        let only = DriftFilter {
            severity: "critical".into(),
            search: "OPS".into(),
        };
        let narrowed = drift_findings_csv(&d, &DriftStatus::FINDINGS, &only, &TableSort::default());
        assert!(narrowed.matches("\r\n").count() > 1, "{narrowed}");
        assert!(narrowed
            .split("\r\n")
            .skip(1)
            .filter(|r| !r.is_empty())
            .all(|r| r.starts_with("no-longer-present,critical,")));
        // An unknown severity word filters nothing.
        let unknown = DriftFilter {
            severity: "urgent".into(),
            search: String::new(),
        };
        assert_eq!(
            drift_findings_csv(&d, &DriftStatus::FINDINGS, &unknown, &TableSort::default()),
            all
        );
        assert_eq!(
            DriftStatus::from_name("no-longer-present"),
            Some(DriftStatus::NoLongerPresent)
        );
        assert_eq!(DriftStatus::from_name("gone"), None);
    }

    #[test]
    fn path_rows_come_from_the_side_that_lists_them() {
        let a = analysis(PRIVILEGED);
        let d = crate::diff::diff(&a, &a);
        let csv = drift_paths_csv(
            &d,
            &a,
            &a,
            &DriftStatus::PATHS,
            &DriftFilter::default(),
            &TableSort::default(),
        );
        assert!(csv.starts_with("status,id,risk,risk_level,"));
        assert_eq!(
            csv.matches("\r\nunchanged,").count(),
            d.attack_paths.unchanged.len()
        );
    }
}
