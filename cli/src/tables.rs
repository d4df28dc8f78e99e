//! `portolan inventory` and `portolan vulns`: the app's inventory and vulnerability
//! lists on the command line, filtered and sorted as the app filters and sorts them
//! (`report::tables`), as an aligned table, JSON or the CSV the app's "Export CSV"
//! downloads for the same filter.

use std::collections::BTreeMap;
use std::path::PathBuf;

use clap::ValueEnum;
use portolan_engine::report::table_csv;
use portolan_engine::report::tables::{
    self, InventoryFilter, TableSort, CVE_COLUMNS, IMAGE_COLUMNS, WORKLOAD_COLUMNS,
};
use portolan_engine::vulns::filter::{VulnFilter, VulnView};
use portolan_engine::Analysis;

use super::{
    check_output, engine_options, load, parse_severity, run_engine, write_output, EngineArgs,
};

/// The output of a list command.
#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ListFormat {
    /// Aligned columns for people (control characters of snapshot text shown as `?`).
    Table,
    /// The kept entries of the analysis JSON, in the listed order.
    Json,
    /// One row per entry (RFC 4180): the app's "Export CSV" for the same filter.
    Csv,
}

/// The arguments every list command shares.
#[derive(clap::Args)]
pub struct ListArgs {
    /// Files or folders to analyse (folders are walked recursively); `-` reads stdin.
    #[arg(required = true, value_name = "PATH")]
    paths: Vec<PathBuf>,
    #[command(flatten)]
    table: TableArgs,
    /// Output format.
    #[arg(long, short = 'f', value_enum, default_value_t = ListFormat::Table)]
    format: ListFormat,
    /// Write the output to FILE instead of stdout.
    #[arg(long, short = 'o', value_name = "FILE")]
    output: Option<PathBuf>,
    /// Print nothing on stderr but errors.
    #[arg(long, short = 'q')]
    quiet: bool,
    #[command(flatten)]
    engine: EngineArgs,
}

/// The search and sort of a table, as the app's page has them.
#[derive(clap::Args)]
pub struct TableArgs {
    /// Only rows matching TEXT (ignoring case), as the page's search box.
    #[arg(long, value_name = "TEXT", default_value = "")]
    pub search: String,
    /// Sort by this column (see the command's help for its columns); the engine's order
    /// without it.
    #[arg(long, value_name = "COLUMN", default_value = "")]
    pub sort: String,
    /// Sort in descending order.
    #[arg(long)]
    pub descending: bool,
}

impl TableArgs {
    /// The sort as the engine's tables read it.
    pub fn sort(&self) -> TableSort {
        TableSort {
            column: self.sort.clone(),
            descending: self.descending,
        }
    }
}

impl ListArgs {
    fn analyse(&self) -> Result<Analysis, String> {
        check_output(self.output.as_deref())?;
        let inputs = load(&self.paths)?;
        let options = engine_options(&self.engine)?;
        let analysis = run_engine(inputs, &options, self.quiet)?;
        for d in analysis.diagnostics() {
            if !self.quiet || d.level == portolan_engine::source::Level::Error {
                eprintln!("{d}");
            }
        }
        Ok(analysis)
    }

    fn note(&self, line: std::fmt::Arguments) {
        if !self.quiet {
            eprintln!("{line}");
        }
    }
}

#[derive(clap::Args)]
pub struct InventoryArgs {
    /// Only resources of this kind (`Deployment`, `ServiceAccount`, ...), one table with
    /// the kind's columns. Without it, the count of every kind.
    #[arg(long, value_name = "KIND")]
    kind: Option<String>,
    /// Only resources in this namespace (the inventory page's namespace filter; `-n`
    /// is the namespace of objects written without one, as for every command).
    #[arg(long, value_name = "NS", default_value = "")]
    in_namespace: String,
    /// Only resources of this cluster, when the snapshot holds several (the inventory
    /// page's cluster filter).
    #[arg(long, value_name = "CLUSTER", default_value = "")]
    cluster: String,
    #[command(flatten)]
    list: ListArgs,
}

/// Runs `portolan inventory`.
pub fn inventory(args: &InventoryArgs) -> Result<(), String> {
    let list = &args.list;
    let analysis = list.analyse()?;
    let resources = &analysis.inventory.resources;
    let Some(kind) = &args.kind else {
        let counts = &analysis.inventory.counts;
        let bytes = match list.format {
            ListFormat::Json => json(serde_json::to_vec_pretty(counts))?,
            ListFormat::Csv => table_csv(
                &["kind", "count"],
                counts.iter().map(|(k, n)| vec![k.clone(), n.to_string()]),
            )
            .into_bytes(),
            ListFormat::Table => aligned(
                &["KIND", "COUNT"],
                counts.iter().map(|(k, n)| vec![k.clone(), n.to_string()]),
            )
            .into_bytes(),
        };
        return write_output(list.output.as_deref(), &bytes);
    };
    let rows = tables::kind_rows(resources, kind);
    let columns = tables::inventory_columns(resources, &rows);
    if !list.table.sort.is_empty() && !columns.iter().any(|c| c.label() == list.table.sort) {
        let names: Vec<String> = columns.iter().map(|c| c.label()).collect();
        return Err(format!(
            "--sort {}: {kind} has the columns {}",
            list.table.sort,
            names.join(", ")
        ));
    }
    let filter = InventoryFilter {
        cluster: args.cluster.clone(),
        namespace: args.in_namespace.clone(),
        search: list.table.search.clone(),
    };
    let visible =
        tables::inventory_visible(resources, &rows, &columns, &filter, &list.table.sort());
    let bytes = match list.format {
        ListFormat::Csv => tables::inventory_rows_csv(resources, &columns, &visible).into_bytes(),
        ListFormat::Json => json(serde_json::to_vec_pretty(
            &visible.iter().map(|&i| &resources[i]).collect::<Vec<_>>(),
        ))?,
        ListFormat::Table => {
            let header: Vec<String> = columns.iter().map(|c| c.label().to_uppercase()).collect();
            let header: Vec<&str> = header.iter().map(String::as_str).collect();
            aligned(
                &header,
                visible
                    .iter()
                    .map(|&i| columns.iter().map(|c| c.text(&resources[i])).collect()),
            )
            .into_bytes()
        }
    };
    write_output(list.output.as_deref(), &bytes)?;
    list.note(format_args!(
        "{} of {} {kind} resources match.",
        visible.len(),
        rows.len()
    ));
    Ok(())
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ViewArg {
    /// One row per image: where it runs, its vulnerabilities by severity, the upgrades.
    Images,
    /// One row per vulnerability (CVE): severity, CVSS, packages, the workloads exposed.
    Cves,
    /// One row per running container of a scanned image, most urgent first.
    Workloads,
}

#[derive(clap::Args)]
pub struct VulnsArgs {
    /// The table: images, cves or workloads (the app's "By image", "By CVE", "By workload").
    #[arg(long, value_enum, default_value_t = ViewArg::Images)]
    view: ViewArg,
    /// Only vulnerabilities of this severity: critical, high, medium, low or
    /// informational (an image or workload is kept when it has one).
    #[arg(long, value_name = "SEVERITY", value_parser = parse_severity)]
    severity: Option<portolan_engine::rules::Severity>,
    /// Only vulnerabilities with a fixed version.
    #[arg(long)]
    fixable: bool,
    /// Only what runs in this cluster, when the snapshot holds several (the
    /// vulnerabilities page's cluster filter).
    #[arg(long, value_name = "NAME", default_value = "")]
    cluster: String,
    #[command(flatten)]
    list: ListArgs,
}

/// Runs `portolan vulns`.
pub fn vulns(args: &VulnsArgs) -> Result<(), String> {
    let list = &args.list;
    let view = match args.view {
        ViewArg::Images => VulnView::Images,
        ViewArg::Cves => VulnView::Cves,
        ViewArg::Workloads => VulnView::Workloads,
    };
    let keys = tables::vuln_column_keys(view);
    if !list.table.sort.is_empty() && !keys.contains(&list.table.sort.as_str()) {
        return Err(format!(
            "--sort {}: the {} view sorts by {}",
            list.table.sort,
            view.slug(),
            keys.join(", ")
        ));
    }
    let analysis = list.analyse()?;
    let report = &analysis.vulnerabilities;
    let filter = VulnFilter::new(
        args.severity.map_or("", |s| s.as_str()),
        args.fixable,
        &list.table.search,
    )
    .in_cluster(&args.cluster);
    if !args.cluster.is_empty() && !analysis.clusters.iter().any(|c| c.name == args.cluster) {
        let names: Vec<&str> = analysis.clusters.iter().map(|c| c.name.as_str()).collect();
        return Err(format!(
            "no cluster named \"{}\" among the inputs (clusters: {})",
            args.cluster,
            names.join(", ")
        ));
    }
    let sort = list.table.sort();
    // Each view's rows as the page shows them: images and CVEs with their workloads
    // kept to the cluster filter's.
    let (bytes, shown) = match view {
        VulnView::Images => {
            let (images, rows) = tables::image_rows(report, &filter, &sort);
            (
                list_bytes(list.format, &images, &rows, IMAGE_COLUMNS, |x| {
                    serde_json::to_vec_pretty(x)
                })?,
                rows.len(),
            )
        }
        VulnView::Cves => {
            let (cves, rows) = tables::cve_rows(report, &filter, &sort);
            (
                list_bytes(list.format, &cves, &rows, CVE_COLUMNS, |x| {
                    serde_json::to_vec_pretty(x)
                })?,
                rows.len(),
            )
        }
        VulnView::Workloads => {
            let rows = tables::workload_rows(report, &filter, &sort);
            let bytes = list_bytes(
                list.format,
                &report.containers,
                &rows,
                WORKLOAD_COLUMNS,
                |x| serde_json::to_vec_pretty(x),
            )?;
            (bytes, rows.len())
        }
    };
    write_output(list.output.as_deref(), &bytes)?;
    if report.summary.scans == 0 {
        list.note(format_args!(
            "No image scan was read: add Trivy or Grype JSON reports to the inputs."
        ));
    } else {
        let all = match view {
            VulnView::Images => report.images.len(),
            VulnView::Cves => report.cves.len(),
            VulnView::Workloads => report.containers.len(),
        };
        list.note(format_args!("{shown} of {all} {} match.", view.slug()));
    }
    Ok(())
}

/// The kept `rows` of `items` in `format`: CSV and the table through `columns`, JSON
/// as the entries themselves.
fn list_bytes<T>(
    format: ListFormat,
    items: &[T],
    rows: &[usize],
    columns: &[tables::Column<T>],
    to_json: fn(&[&T]) -> serde_json::Result<Vec<u8>>,
) -> Result<Vec<u8>, String> {
    Ok(match format {
        ListFormat::Csv => tables::columns_csv(items, rows, columns).into_bytes(),
        ListFormat::Json => json(to_json(&pick(items, rows)))?,
        ListFormat::Table => columns_table(items, rows, columns).into_bytes(),
    })
}

fn pick<'a, T>(items: &'a [T], rows: &[usize]) -> Vec<&'a T> {
    rows.iter().map(|&i| &items[i]).collect()
}

/// Pretty JSON (`serde_json::to_vec_pretty` of the kept entries) with a final newline.
fn json(written: serde_json::Result<Vec<u8>>) -> Result<Vec<u8>, String> {
    let mut bytes = written.map_err(|e| e.to_string())?;
    bytes.push(b'\n');
    Ok(bytes)
}

fn columns_table<T>(items: &[T], rows: &[usize], columns: &[tables::Column<T>]) -> String {
    let header: Vec<String> = columns.iter().map(|c| c.label.to_uppercase()).collect();
    let header: Vec<&str> = header.iter().map(String::as_str).collect();
    aligned(
        &header,
        rows.iter()
            .map(|&i| columns.iter().map(|c| (c.cell)(&items[i]).0).collect()),
    )
}

/// Columns padded to their widest cell, two spaces apart; control characters of
/// snapshot text shown as `?` so a value cannot move the terminal's cursor.
fn aligned(header: &[&str], rows: impl IntoIterator<Item = Vec<String>>) -> String {
    let clean = |s: &str| -> String {
        s.chars()
            .map(|c| if c.is_control() { '?' } else { c })
            .collect()
    };
    let mut table: Vec<Vec<String>> = vec![header.iter().map(|h| clean(h)).collect()];
    table.extend(
        rows.into_iter()
            .map(|r| r.iter().map(|c| clean(c)).collect()),
    );
    let mut widths: BTreeMap<usize, usize> = BTreeMap::new();
    for row in &table {
        for (i, cell) in row.iter().enumerate() {
            let w = widths.entry(i).or_default();
            *w = (*w).max(cell.chars().count());
        }
    }
    let mut out = String::new();
    for row in &table {
        let mut line = String::new();
        for (i, cell) in row.iter().enumerate() {
            if i > 0 {
                line.push_str("  ");
            }
            line.push_str(cell);
            if i + 1 < row.len() {
                let pad = widths[&i] - cell.chars().count();
                line.extend(std::iter::repeat_n(' ', pad));
            }
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tables_align_and_neutralise_control_characters() {
        let text = aligned(
            &["NAME", "N"],
            [
                vec!["web\x1b[2J".to_string(), "10".to_string()],
                vec!["a".to_string(), String::new()],
            ],
        );
        assert_eq!(text, "NAME     N\nweb?[2J  10\na\n");
    }
}
