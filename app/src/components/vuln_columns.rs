//! The columns of the three vulnerability tables, once: each column's header, its text
//! (what the CSV export writes) and its sort key. The tables sort by any of them (the
//! `sort`/`dir` of the URL), and "Export CSV" writes the rows the filters keep, in the
//! shown order, with the engine's CSV writer.

use std::collections::BTreeSet;

use leptos::prelude::*;
use portolan_engine::rules::Severity;
use portolan_engine::vulns::{ContainerVulnerabilities, CveExposure, ImageVulnerabilities};

use crate::route::{Page, TableQuery};
use crate::state::use_state;

/// One column: `key` in the URL, `label` in the header and the CSV, and the cell's text
/// and numeric sort key (text order when `None`).
pub struct Column<T: 'static> {
    pub key: &'static str,
    pub label: &'static str,
    pub numeric: bool,
    pub cell: fn(&T) -> (String, Option<f64>),
}

fn text(s: impl Into<String>) -> (String, Option<f64>) {
    (s.into(), None)
}

fn count(n: usize) -> (String, Option<f64>) {
    (n.to_string(), Some(n as f64))
}

/// Most severe highest, so a descending sort puts critical first.
fn severity_rank(s: Severity) -> f64 {
    Severity::ALL.len() as f64 - Severity::ALL.iter().position(|x| *x == s).unwrap_or(0) as f64
}

fn distinct_workloads(refs: &[portolan_engine::vulns::ContainerRef]) -> Vec<String> {
    refs.iter()
        .map(|c| c.resource.to_string())
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect()
}

/// A scanned image's count, empty when the image was not scanned.
fn scanned_count(i: &ImageVulnerabilities, n: usize) -> (String, Option<f64>) {
    if i.scanned {
        count(n)
    } else {
        (String::new(), Some(-1.0))
    }
}

pub const IMAGE_COLUMNS: &[Column<ImageVulnerabilities>] = &[
    Column {
        key: "image",
        label: "Image",
        numeric: false,
        cell: |i| text(i.image.clone()),
    },
    Column {
        key: "runs",
        label: "Runs in",
        numeric: true,
        cell: |i| {
            let n = distinct_workloads(&i.workloads).len();
            if i.running {
                count(n)
            } else {
                ("not running".into(), Some(-1.0))
            }
        },
    },
    Column {
        key: "critical",
        label: "Critical",
        numeric: true,
        cell: |i| scanned_count(i, i.counts.critical),
    },
    Column {
        key: "high",
        label: "High",
        numeric: true,
        cell: |i| scanned_count(i, i.counts.high),
    },
    Column {
        key: "medium",
        label: "Medium",
        numeric: true,
        cell: |i| scanned_count(i, i.counts.medium),
    },
    Column {
        key: "low",
        label: "Low",
        numeric: true,
        cell: |i| scanned_count(i, i.counts.low),
    },
    Column {
        key: "fixable",
        label: "Fixable",
        numeric: true,
        cell: |i| scanned_count(i, i.fixable),
    },
    Column {
        key: "upgrades",
        label: "Upgrades",
        numeric: false,
        cell: |i| {
            text(
                i.upgrades
                    .iter()
                    .map(|u| format!("{} {} → {}", u.package, u.installed, u.fixed))
                    .collect::<Vec<_>>()
                    .join("; "),
            )
        },
    },
];

pub const CVE_COLUMNS: &[Column<CveExposure>] = &[
    Column {
        key: "id",
        label: "Vulnerability",
        numeric: false,
        cell: |c| text(c.id.clone()),
    },
    Column {
        key: "severity",
        label: "Severity",
        numeric: true,
        cell: |c| {
            (
                c.severity.as_str().to_string(),
                Some(severity_rank(c.severity)),
            )
        },
    },
    Column {
        key: "cvss",
        label: "CVSS",
        numeric: true,
        cell: |c| match c.cvss_score {
            Some(s) => (format!("{s:.1}"), Some(s)),
            None => (String::new(), Some(-1.0)),
        },
    },
    Column {
        key: "remote",
        label: "Remote",
        numeric: false,
        cell: |c| text(if c.remote { "remote" } else { "" }),
    },
    Column {
        key: "packages",
        label: "Package installed → fixed",
        numeric: false,
        cell: |c| text(c.packages.join("; ")),
    },
    Column {
        key: "workloads",
        label: "Workloads",
        numeric: false,
        cell: |c| text(distinct_workloads(&c.workloads).join("; ")),
    },
];

pub const WORKLOAD_COLUMNS: &[Column<ContainerVulnerabilities>] = &[
    Column {
        key: "workload",
        label: "Workload / container",
        numeric: false,
        cell: |c| text(format!("{} / {}", c.resource, c.container)),
    },
    Column {
        key: "image",
        label: "Image",
        numeric: false,
        cell: |c| text(c.image.clone()),
    },
    Column {
        key: "priority",
        label: "Top priority",
        numeric: true,
        cell: |c| (format!("{:.0}", c.priority), Some(c.priority)),
    },
    Column {
        key: "critical",
        label: "Critical",
        numeric: true,
        cell: |c| count(c.counts.critical),
    },
    Column {
        key: "high",
        label: "High",
        numeric: true,
        cell: |c| count(c.counts.high),
    },
    Column {
        key: "medium",
        label: "Medium",
        numeric: true,
        cell: |c| count(c.counts.medium),
    },
    Column {
        key: "low",
        label: "Low",
        numeric: true,
        cell: |c| count(c.counts.low),
    },
];

/// Positions in `items` of those `keep` admits, sorted by the query's column (the
/// engine's order otherwise, and among equal keys).
pub fn sorted<T>(
    items: &[T],
    keep: impl Fn(&T) -> bool,
    columns: &[Column<T>],
    query: &TableQuery,
) -> Vec<usize> {
    let mut out: Vec<usize> = (0..items.len()).filter(|&i| keep(&items[i])).collect();
    if let Some(column) = columns.iter().find(|c| c.key == query.sort) {
        let keys: Vec<(String, Option<f64>)> = items.iter().map(column.cell).collect();
        out.sort_by(|&a, &b| {
            let (ta, na) = &keys[a];
            let (tb, nb) = &keys[b];
            let order = match (na, nb) {
                (Some(x), Some(y)) => x.total_cmp(y),
                _ => ta.to_lowercase().cmp(&tb.to_lowercase()),
            };
            let order = if query.descending {
                order.reverse()
            } else {
                order
            };
            order.then(a.cmp(&b))
        });
    }
    out
}

/// The rows at `rows` of `items` as CSV, with the engine's writer.
pub fn csv<T>(items: &[T], rows: &[usize], columns: &[Column<T>]) -> String {
    let header: Vec<&str> = columns.iter().map(|c| c.label).collect();
    portolan_engine::report::table_csv(
        &header,
        rows.iter()
            .map(|&i| columns.iter().map(|c| (c.cell)(&items[i]).0).collect()),
    )
}

/// The header row: each column sorts its table (a second click reverses), kept in the
/// URL like the other filters.
#[component]
pub fn SortHeaders(columns: Vec<(&'static str, &'static str, bool)>) -> impl IntoView {
    let state = use_state();
    view! {
        <tr>
            {columns
                .into_iter()
                .map(|(key, label, numeric)| {
                    let sorted = move || state.route.with(|r| r.query.sort == key);
                    let aria = move || match (sorted(), state.route.with(|r| r.query.descending)) {
                        (false, _) => "none",
                        (true, false) => "ascending",
                        (true, true) => "descending",
                    };
                    let arrow = move || match (sorted(), state.route.with(|r| r.query.descending)) {
                        (false, _) => "↕",
                        (true, false) => "↑",
                        (true, true) => "↓",
                    };
                    let click = move |_| {
                        let mut route = state.route.get_untracked();
                        if !matches!(route.page, Page::Vulnerabilities) {
                            return;
                        }
                        let q = &mut route.query;
                        if q.sort == key {
                            q.descending = !q.descending;
                        } else {
                            q.sort = key.to_string();
                            // Numbers read best largest first.
                            q.descending = numeric;
                        }
                        state.navigate(route, false);
                    };
                    view! {
                        <th class:num=numeric aria-sort=aria class:sorted=sorted>
                            <button class="sort" data-testid=format!("vuln-sort-{key}") on:click=click>
                                {label}
                                <span class="sort-arrow" aria-hidden="true">{arrow}</span>
                            </button>
                        </th>
                    }
                })
                .collect_view()}
        </tr>
    }
}

/// `(key, label, numeric)` of `columns`, for [`SortHeaders`].
pub fn headers<T>(columns: &[Column<T>]) -> Vec<(&'static str, &'static str, bool)> {
    columns
        .iter()
        .map(|c| (c.key, c.label, c.numeric))
        .collect()
}

/// Case-insensitive: whether any of `fields` contains `needle` (already lower case).
pub fn any_contains<'a>(needle: &str, fields: impl IntoIterator<Item = &'a str>) -> bool {
    needle.is_empty()
        || fields
            .into_iter()
            .any(|f| f.to_lowercase().contains(needle))
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Row(&'static str, f64);

    const COLUMNS: &[Column<Row>] = &[
        Column {
            key: "name",
            label: "Name",
            numeric: false,
            cell: |r| text(r.0),
        },
        Column {
            key: "score",
            label: "Score",
            numeric: true,
            cell: |r| (r.1.to_string(), Some(r.1)),
        },
    ];

    #[test]
    fn sorts_by_any_column_and_keeps_the_order_of_ties() {
        let rows = [Row("b", 2.0), Row("a", 10.0), Row("C", 2.0)];
        let mut q = TableQuery {
            sort: "score".into(),
            descending: true,
            ..TableQuery::default()
        };
        assert_eq!(sorted(&rows, |_| true, COLUMNS, &q), vec![1, 0, 2]);
        q.sort = "name".into();
        q.descending = false;
        assert_eq!(sorted(&rows, |r| r.1 < 5.0, COLUMNS, &q), vec![0, 2]);
        q.sort = String::new();
        assert_eq!(sorted(&rows, |_| true, COLUMNS, &q), vec![0, 1, 2]);
        assert_eq!(csv(&rows, &[1], COLUMNS), "Name,Score\r\na,10\r\n");
    }

    #[test]
    fn critical_ranks_highest() {
        assert!(severity_rank(Severity::Critical) > severity_rank(Severity::Low));
    }
}
