//! `portolan query`: runs a query (text or a built-in template) over a snapshot and
//! prints the matching chains as a table, JSON or CSV; `--list-templates` lists the
//! templates. The engine's `query` module does the work; this is the front end.

use std::io::{self, Write};
use std::path::PathBuf;

use clap::ValueEnum;
use portolan_engine::query::{self, templates, QueryContext};
use portolan_engine::{analysis::load_with_audit, conclude_with_graph, report};

use super::{audit, engine_options, load, EngineArgs};

#[derive(clap::Args)]
pub struct QueryArgs {
    /// Snapshot files or folders (`-` reads stdin), then the query in the text form of
    /// docs/query.md, unless --template names one.
    #[arg(value_name = "PATH... QUERY")]
    args: Vec<String>,
    /// Run a built-in template instead of a query text (`--list-templates` lists them).
    #[arg(long, value_name = "NAME")]
    template: Option<String>,
    /// List the built-in templates, one a line: `name — what it asks`.
    #[arg(long)]
    list_templates: bool,
    /// Output format.
    #[arg(short, long, value_enum, default_value = "table")]
    format: QueryFormat,
    #[command(flatten)]
    engine: EngineArgs,
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum QueryFormat {
    /// One row per chain, aligned, with the total on stderr.
    Table,
    /// `{"query": "<text form>", "results": [{"nodes": [{"id", "kind", "name", "namespace"}]}]}`.
    Json,
    /// One row per chain: kind, namespace, name and id of each node.
    Csv,
}

/// Runs `portolan query`; `Ok(false)` when the query found nothing.
pub fn run(args: &QueryArgs) -> Result<bool, String> {
    if args.list_templates {
        let mut out = io::stdout().lock();
        for t in templates::TEMPLATES {
            let _ = writeln!(out, "{} — {}", t.name, t.question);
        }
        return Ok(true);
    }
    let (paths, text, template) = match &args.template {
        Some(name) => {
            let t = templates::find(name).ok_or_else(|| {
                format!("no template `{name}`; `portolan query --list-templates` lists them")
            })?;
            (&args.args[..], t.query.to_string(), Some(t))
        }
        None => match args.args.split_last() {
            Some((text, paths)) if !paths.is_empty() => (paths, text.clone(), None),
            _ => return Err("give snapshot paths and then the query (or --template NAME)".into()),
        },
    };
    let parsed = query::parse(&text).map_err(|e| format!("query: {e}"))?;
    let paths: Vec<PathBuf> = paths.iter().map(PathBuf::from).collect();
    let inputs = load(&paths)?;
    let options = engine_options(&args.engine)?;
    let mut detector = portolan_engine::detect::Detector::default();
    let mut streamed = Vec::new();
    for path in &inputs.audit_logs {
        streamed.push(audit::stream(path, &mut detector)?);
    }
    let snapshot = load_with_audit(
        &inputs.files,
        &options.load,
        detector,
        streamed,
        &mut |_| {},
    );
    let (analysis, graph) = conclude_with_graph(&snapshot, &options);
    for d in analysis.diagnostics() {
        eprintln!("{d}");
    }
    let cx = QueryContext::new(graph, &snapshot.clusters().collect::<Vec<_>>(), &analysis);
    if let Some((kind, note)) = template.and_then(|t| t.requires) {
        if !cx.has_kind(kind) {
            eprintln!("{note}");
        }
    }
    let result = cx.run(&parsed);
    let answer = cx.answer(&parsed, &result);
    let mut out = io::stdout().lock();
    let written = match args.format {
        QueryFormat::Json => {
            let mut bytes = serde_json::to_vec_pretty(&answer).map_err(|e| e.to_string())?;
            bytes.push(b'\n');
            out.write_all(&bytes)
        }
        QueryFormat::Csv => out.write_all(report::query_csv(&answer).as_bytes()),
        QueryFormat::Table => out.write_all(table(&answer).as_bytes()),
    };
    written.map_err(|e| format!("cannot write to stdout: {e}"))?;
    let shown = answer.results.len() as u64;
    if !result.complete {
        eprintln!(
            "The query stopped at its work limit: at least {} results.",
            result.total
        );
    } else if shown < result.total {
        eprintln!("{} results; the first {shown} shown.", result.total);
    } else {
        eprintln!(
            "{} result{}.",
            result.total,
            if result.total == 1 { "" } else { "s" }
        );
    }
    Ok(result.total > 0)
}

/// The chains as aligned columns: one per node of the chain, `Kind namespace/name`.
fn table(answer: &query::QueryAnswer) -> String {
    let rows: Vec<Vec<String>> = answer
        .results
        .iter()
        .map(|c| {
            c.nodes
                .iter()
                .map(|n| {
                    let name = if n.namespace.is_empty() {
                        n.name.clone()
                    } else {
                        format!("{}/{}", n.namespace, n.name)
                    };
                    // Snapshot text is hostile: no control characters reach the terminal.
                    format!("{} {name}", n.kind)
                        .chars()
                        .map(|c| if c.is_control() { '?' } else { c })
                        .collect()
                })
                .collect()
        })
        .collect();
    let columns = rows.iter().map(Vec::len).max().unwrap_or(0);
    let widths: Vec<usize> = (0..columns)
        .map(|i| {
            rows.iter()
                .filter_map(|r| r.get(i))
                .map(|c| c.chars().count())
                .max()
                .unwrap_or(0)
        })
        .collect();
    let mut out = String::new();
    for r in &rows {
        let cells: Vec<String> = r
            .iter()
            .enumerate()
            .map(|(i, c)| format!("{c:<w$}", w = widths[i]))
            .collect();
        out.push_str(cells.join("  →  ").trim_end());
        out.push('\n');
    }
    out
}
