//! The app's lists as tables, once: the columns of the inventory and of the three
//! vulnerability views, how their rows are filtered and sorted, and their CSV. The app
//! draws and exports these tables and `portolan inventory` / `portolan vulns` write them,
//! so an "Export CSV" and the CLI give the same bytes for the same filter.

use std::borrow::Cow;
use std::cmp::Ordering;
use std::collections::{BTreeSet, HashMap};

use super::csv::table_csv;
use crate::analysis::ResourceSummary;
use crate::rules::Severity;
use crate::vulns::filter::{VulnFilter, VulnView};
use crate::vulns::{
    ContainerRef, ContainerVulnerabilities, CveExposure, ImageVulnerabilities, VulnerabilityReport,
};

/// How a table is sorted: by the column named `column` (a column key of the table; an
/// unknown or empty one keeps the engine's order), largest last unless `descending`.
/// Rows with equal keys keep the engine's order.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TableSort {
    pub column: String,
    pub descending: bool,
}

impl TableSort {
    fn apply(&self, order: Ordering) -> Ordering {
        if self.descending {
            order.reverse()
        } else {
            order
        }
    }
}

// ---- Inventory ---------------------------------------------------------------------

/// A column of one kind's inventory table.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum InventoryColumn {
    /// Shown only when the rows come from several clusters.
    Cluster,
    Namespace,
    Name,
    /// Index into [`ResourceSummary::details`], with the detail's name.
    Detail(usize, String),
}

impl InventoryColumn {
    /// The column's header, its name in the CSV, and its sort key.
    pub fn label(&self) -> String {
        match self {
            InventoryColumn::Cluster => "Cluster".into(),
            InventoryColumn::Namespace => "Namespace".into(),
            InventoryColumn::Name => "Name".into(),
            InventoryColumn::Detail(_, name) => name.clone(),
        }
    }

    /// The cell's text.
    pub fn text(&self, r: &ResourceSummary) -> String {
        match self {
            InventoryColumn::Cluster => r.cluster.clone(),
            InventoryColumn::Namespace => r.namespace.clone(),
            InventoryColumn::Name => r.name.clone(),
            InventoryColumn::Detail(i, _) => detail(r, *i).to_string(),
        }
    }

    fn compare(&self, a: &ResourceSummary, b: &ResourceSummary) -> Ordering {
        match self {
            InventoryColumn::Cluster => a.cluster.cmp(&b.cluster),
            InventoryColumn::Namespace => a.namespace.cmp(&b.namespace),
            InventoryColumn::Name => a.name.cmp(&b.name),
            InventoryColumn::Detail(i, _) => natural(detail(a, *i), detail(b, *i)),
        }
    }
}

fn detail(r: &ResourceSummary, i: usize) -> &str {
    r.details.get(i).map_or("", |d| d.value.as_str())
}

/// Numbers compare as numbers, everything else as text.
fn natural(a: &str, b: &str) -> Ordering {
    match (a.parse::<f64>(), b.parse::<f64>()) {
        (Ok(x), Ok(y)) => x.partial_cmp(&y).unwrap_or(Ordering::Equal),
        (Ok(_), Err(_)) => Ordering::Less,
        (Err(_), Ok(_)) => Ordering::Greater,
        (Err(_), Err(_)) => a.cmp(b),
    }
}

/// Positions in `resources` of those of `kind`, in the engine's order.
pub fn kind_rows(resources: &[ResourceSummary], kind: &str) -> Vec<usize> {
    (0..resources.len())
        .filter(|&i| resources[i].kind == kind)
        .collect()
}

/// The columns of the table of `rows`: the namespace when a row has one, the name, then
/// the kind's own columns minus those empty in every row.
pub fn inventory_columns(resources: &[ResourceSummary], rows: &[usize]) -> Vec<InventoryColumn> {
    let mut columns = Vec::new();
    if rows.iter().any(|&i| !resources[i].cluster.is_empty()) {
        columns.push(InventoryColumn::Cluster);
    }
    if rows.iter().any(|&i| !resources[i].namespace.is_empty()) {
        columns.push(InventoryColumn::Namespace);
    }
    columns.push(InventoryColumn::Name);
    if let Some(&first) = rows.first() {
        columns.extend(
            resources[first]
                .details
                .iter()
                .enumerate()
                .filter(|(i, _)| rows.iter().any(|&r| !detail(&resources[r], *i).is_empty()))
                .map(|(i, d)| InventoryColumn::Detail(i, d.name.to_string())),
        );
    }
    columns
}

/// The namespace and search filters of an inventory table.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct InventoryFilter {
    /// Only resources of this cluster; empty for all.
    pub cluster: String,
    /// Only resources of this namespace; empty for all.
    pub namespace: String,
    /// A search of name, namespace, every column and the source file (case ignored).
    pub search: String,
}

impl InventoryFilter {
    fn admits(&self, r: &ResourceSummary, needle: &str) -> bool {
        let hit = |s: &str| s.to_lowercase().contains(needle);
        (self.cluster.is_empty() || r.cluster == self.cluster)
            && (self.namespace.is_empty() || r.namespace == self.namespace)
            && (needle.is_empty()
                || hit(&r.name)
                || hit(&r.namespace)
                || r.details.iter().any(|d| hit(&d.value))
                || hit(&r.source.file))
    }
}

/// The `rows` the filter keeps, sorted by the column whose label `sort` names.
pub fn inventory_visible(
    resources: &[ResourceSummary],
    rows: &[usize],
    columns: &[InventoryColumn],
    filter: &InventoryFilter,
    sort: &TableSort,
) -> Vec<usize> {
    let needle = filter.search.trim().to_lowercase();
    let mut visible: Vec<usize> = rows
        .iter()
        .copied()
        .filter(|&i| filter.admits(&resources[i], &needle))
        .collect();
    if let Some(column) = columns.iter().find(|c| c.label() == sort.column) {
        visible.sort_by(|&x, &y| sort.apply(column.compare(&resources[x], &resources[y])));
    }
    visible
}

/// The resources at `rows` as CSV, every column.
pub fn inventory_rows_csv(
    resources: &[ResourceSummary],
    columns: &[InventoryColumn],
    rows: &[usize],
) -> String {
    let header: Vec<String> = columns.iter().map(InventoryColumn::label).collect();
    let header: Vec<&str> = header.iter().map(String::as_str).collect();
    table_csv(
        &header,
        rows.iter()
            .map(|&i| columns.iter().map(|c| c.text(&resources[i])).collect()),
    )
}

/// One kind's inventory table under a filter and a sort, as CSV: what the inventory
/// page's "Export CSV" writes and `portolan inventory --kind K -f csv`.
pub fn inventory_csv(
    resources: &[ResourceSummary],
    kind: &str,
    filter: &InventoryFilter,
    sort: &TableSort,
) -> String {
    let rows = kind_rows(resources, kind);
    let columns = inventory_columns(resources, &rows);
    let visible = inventory_visible(resources, &rows, &columns, filter, sort);
    inventory_rows_csv(resources, &columns, &visible)
}

// ---- Vulnerabilities ---------------------------------------------------------------

/// One column of a vulnerability table: `key` in the URL and the CLI's `--sort`, `label`
/// in the header and the CSV, and the cell's text and numeric sort key (text order when
/// `None`).
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

fn distinct_workloads(refs: &[ContainerRef]) -> Vec<String> {
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

/// Positions in `items` of those `keep` admits, sorted by the column `sort` names (the
/// engine's order otherwise, and among equal keys).
pub fn sorted<T>(
    items: &[T],
    keep: impl Fn(&T) -> bool,
    columns: &[Column<T>],
    sort: &TableSort,
) -> Vec<usize> {
    let mut out: Vec<usize> = (0..items.len()).filter(|&i| keep(&items[i])).collect();
    if let Some(column) = columns.iter().find(|c| c.key == sort.column) {
        let keys: Vec<(String, Option<f64>)> = items.iter().map(column.cell).collect();
        out.sort_by(|&a, &b| {
            let (ta, na) = &keys[a];
            let (tb, nb) = &keys[b];
            let order = match (na, nb) {
                (Some(x), Some(y)) => x.total_cmp(y),
                _ => ta.to_lowercase().cmp(&tb.to_lowercase()),
            };
            sort.apply(order).then(a.cmp(&b))
        });
    }
    out
}

/// The rows at `rows` of `items` as CSV.
pub fn columns_csv<T>(items: &[T], rows: &[usize], columns: &[Column<T>]) -> String {
    let header: Vec<&str> = columns.iter().map(|c| c.label).collect();
    table_csv(
        &header,
        rows.iter()
            .map(|&i| columns.iter().map(|c| (c.cell)(&items[i]).0).collect()),
    )
}

/// Positions in `report.containers` of the rows the filters keep, sorted: a container
/// passes the severity filters when its image does.
pub fn workload_rows(
    report: &VulnerabilityReport,
    filter: &VulnFilter,
    sort: &TableSort,
) -> Vec<usize> {
    let images: HashMap<&str, bool> = report
        .images
        .iter()
        .map(|i| (i.image.as_str(), filter.admits_image_levels(i)))
        .collect();
    sorted(
        &report.containers,
        |c| filter.admits_container(c, images.get(c.image.as_str()).copied().unwrap_or(false)),
        WORKLOAD_COLUMNS,
        sort,
    )
}

/// The images scoped to the filter's cluster ([`VulnFilter::scope_images`]) and the
/// positions of the rows the filters keep, sorted: what the by-image table shows.
pub fn image_rows<'a>(
    report: &'a VulnerabilityReport,
    filter: &VulnFilter,
    sort: &TableSort,
) -> (Cow<'a, [ImageVulnerabilities]>, Vec<usize>) {
    let images = filter.scope_images(&report.images);
    let rows = sorted(&images, |x| filter.admits_image(x), IMAGE_COLUMNS, sort);
    (images, rows)
}

/// The CVEs scoped to the filter's cluster ([`VulnFilter::scope_cves`]) and the
/// positions of the rows the filters keep, sorted: what the by-CVE table shows.
pub fn cve_rows<'a>(
    report: &'a VulnerabilityReport,
    filter: &VulnFilter,
    sort: &TableSort,
) -> (Cow<'a, [CveExposure]>, Vec<usize>) {
    let cves = filter.scope_cves(&report.cves);
    let rows = sorted(&cves, |x| filter.admits_cve(x), CVE_COLUMNS, sort);
    (cves, rows)
}

/// The table of `view` under the filters and sort, as CSV: what the vulnerabilities
/// page's "Export CSV" writes and `portolan vulns --view V -f csv`.
pub fn vulns_csv(
    report: &VulnerabilityReport,
    view: VulnView,
    filter: &VulnFilter,
    sort: &TableSort,
) -> String {
    match view {
        VulnView::Images => {
            let (images, rows) = image_rows(report, filter, sort);
            columns_csv(&images, &rows, IMAGE_COLUMNS)
        }
        VulnView::Cves => {
            let (cves, rows) = cve_rows(report, filter, sort);
            columns_csv(&cves, &rows, CVE_COLUMNS)
        }
        VulnView::Workloads => {
            let rows = workload_rows(report, filter, sort);
            columns_csv(&report.containers, &rows, WORKLOAD_COLUMNS)
        }
    }
}

/// The column keys of `view`, for `--sort`'s help and errors.
pub fn vuln_column_keys(view: VulnView) -> Vec<&'static str> {
    match view {
        VulnView::Images => IMAGE_COLUMNS.iter().map(|c| c.key).collect(),
        VulnView::Cves => CVE_COLUMNS.iter().map(|c| c.key).collect(),
        VulnView::Workloads => WORKLOAD_COLUMNS.iter().map(|c| c.key).collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::Detail;

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

    fn by(column: &str, descending: bool) -> TableSort {
        TableSort {
            column: column.into(),
            descending,
        }
    }

    #[test]
    fn sorts_by_any_column_and_keeps_the_order_of_ties() {
        let rows = [Row("b", 2.0), Row("a", 10.0), Row("C", 2.0)];
        assert_eq!(
            sorted(&rows, |_| true, COLUMNS, &by("score", true)),
            vec![1, 0, 2]
        );
        assert_eq!(
            sorted(&rows, |r| r.1 < 5.0, COLUMNS, &by("name", false)),
            vec![0, 2]
        );
        assert_eq!(
            sorted(&rows, |_| true, COLUMNS, &by("", false)),
            vec![0, 1, 2]
        );
        assert_eq!(columns_csv(&rows, &[1], COLUMNS), "Name,Score\r\na,10\r\n");
    }

    #[test]
    fn critical_ranks_highest() {
        assert!(severity_rank(Severity::Critical) > severity_rank(Severity::Low));
    }

    fn resource(kind: &'static str, ns: &str, name: &str, replicas: &str) -> ResourceSummary {
        ResourceSummary {
            kind: kind.into(),
            namespace: ns.into(),
            name: name.into(),
            cluster: String::new(),
            source: Default::default(),
            details: vec![
                Detail {
                    name: "Replicas".into(),
                    value: replicas.into(),
                },
                Detail {
                    name: "Empty".into(),
                    value: String::new(),
                },
            ],
        }
    }

    #[test]
    fn inventory_filters_sorts_and_hides_empty_columns() {
        let resources = [
            resource("Deployment", "shop", "web", "10"),
            resource("Pod", "shop", "web-1", ""),
            resource("Deployment", "kube-system", "=dns", "2"),
            resource("Deployment", "shop", "api", "9"),
        ];
        let all = InventoryFilter::default();
        assert_eq!(
            inventory_csv(&resources, "Deployment", &all, &by("Replicas", false)),
            "Namespace,Name,Replicas\r\nkube-system,\"'=dns\",2\r\nshop,api,9\r\nshop,web,10\r\n"
        );
        let shop = InventoryFilter {
            namespace: "shop".into(),
            search: " WE ".into(),
            ..InventoryFilter::default()
        };
        assert_eq!(
            inventory_csv(&resources, "Deployment", &shop, &TableSort::default()),
            "Namespace,Name,Replicas\r\nshop,web,10\r\n"
        );
        // No resource of the kind: the header alone.
        assert_eq!(
            inventory_csv(&resources, "Secret", &all, &TableSort::default()),
            "Name\r\n"
        );
        // Two clusters: a Cluster column first, and the cluster filter.
        let mut two = resources.clone();
        two[0].cluster = "lab".into();
        two[3].cluster = "prod".into();
        let lab = InventoryFilter {
            cluster: "lab".into(),
            ..InventoryFilter::default()
        };
        assert_eq!(
            inventory_csv(&two, "Deployment", &lab, &TableSort::default()),
            "Cluster,Namespace,Name,Replicas\r\nlab,shop,web,10\r\n"
        );
    }
}
