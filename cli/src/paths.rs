//! `portolan paths`: the listed attack paths of a snapshot, filtered by target class,
//! entry and a search exactly as the app's attack paths page filters them
//! (`graph::PathFilter`), as a table, JSON or the CSV the app exports.

use std::io::{self, Write};
use std::path::PathBuf;

use clap::ValueEnum;
use portolan_engine::graph::paths::AttackPath;
use portolan_engine::graph::{PathFilter, Target};
use portolan_engine::report;

use super::{check_output, engine_options, load, run_engine, write_output, EngineArgs};

#[derive(clap::Args)]
pub struct PathsArgs {
    /// Files or folders to analyse (folders are walked recursively); `-` reads stdin.
    #[arg(required = true, value_name = "PATH")]
    paths: Vec<PathBuf>,
    /// Only paths to this target: cluster-admin, kube-system-secrets, cloud-admin,
    /// cloud-data, node-takeover or secrets.
    #[arg(long, value_name = "TARGET", value_parser = parse_target)]
    target: Option<Target>,
    /// Only paths entered at this resource, written as the app shows it:
    /// `Deployment shop/web` (kind, then namespace/name).
    #[arg(long, value_name = "KIND NS/NAME")]
    entry: Option<String>,
    /// Only paths whose title contains TEXT (ignoring case), or one of the app's groups:
    /// `entry:<Kind ns/name>`, `through:<node>`, `target:<name>`, `fix:<choke point index>`.
    #[arg(long, value_name = "TEXT")]
    search: Option<String>,
    /// Only paths in this cluster (entered in it or passing through it), when the
    /// inputs hold several cluster folders.
    #[arg(long, value_name = "NAME")]
    cluster: Option<String>,
    /// Output format.
    #[arg(long, short = 'f', value_enum, default_value_t = PathsFormat::Table)]
    format: PathsFormat,
    /// Write the output to FILE instead of stdout.
    #[arg(long, short = 'o', value_name = "FILE")]
    output: Option<PathBuf>,
    /// Print nothing on stderr but errors.
    #[arg(long, short = 'q')]
    quiet: bool,
    #[command(flatten)]
    engine: EngineArgs,
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum PathsFormat {
    /// One line per path: risk, target, technique steps and title.
    Table,
    /// The paths as the `attackPaths.paths` entries of the analysis JSON.
    Json,
    /// One row per path (RFC 4180): the app's "Export CSV" of the attack paths page.
    Csv,
}

fn parse_target(s: &str) -> Result<Target, String> {
    Target::from_name(s).ok_or_else(|| {
        let names: Vec<&str> = Target::ALL.iter().map(|t| t.name()).collect();
        format!("expected one of {}", names.join(", "))
    })
}

/// Runs `portolan paths`.
pub fn run(args: &PathsArgs) -> Result<(), String> {
    check_output(args.output.as_deref())?;
    let inputs = load(&args.paths)?;
    let options = engine_options(&args.engine)?;
    let analysis = run_engine(inputs, &options, args.quiet)?;
    for d in analysis.diagnostics() {
        if !args.quiet || d.level == portolan_engine::source::Level::Error {
            eprintln!("{d}");
        }
    }
    let filter = PathFilter {
        target: args.target,
        entry: args.entry.clone().unwrap_or_default(),
        search: args.search.clone().unwrap_or_default(),
        cluster: args.cluster.clone().unwrap_or_default(),
    };
    if !filter.cluster.is_empty() && !analysis.clusters.iter().any(|c| c.name == filter.cluster) {
        // A cluster's name is its kubeconfig's (or its folder's): say which there are.
        let names: Vec<&str> = analysis.clusters.iter().map(|c| c.name.as_str()).collect();
        return Err(format!(
            "no cluster named \"{}\" among the inputs (clusters: {})",
            filter.cluster,
            names.join(", ")
        ));
    }
    let report = &analysis.attack_paths;
    let kept: Vec<&AttackPath> = filter.apply(&report.paths).collect();
    let bytes = match args.format {
        PathsFormat::Csv => report::paths_csv(kept.iter().copied()).into_bytes(),
        PathsFormat::Json => {
            let mut bytes = serde_json::to_vec_pretty(&kept).map_err(|e| e.to_string())?;
            bytes.push(b'\n');
            bytes
        }
        PathsFormat::Table => table(&kept, analysis.clusters.len() > 1).into_bytes(),
    };
    write_output(args.output.as_deref(), &bytes)?;
    if !args.quiet {
        let mut err = io::stderr().lock();
        let listed = report.paths.len();
        let _ = write!(err, "{} of {listed} listed paths match", kept.len());
        if listed < report.total {
            let _ = write!(
                err,
                " ({} found; --max-paths lists more than {listed})",
                report.total
            );
        }
        let _ = writeln!(err, ".");
    }
    Ok(())
}

/// One aligned line per path: risk, target, technique steps, title (control characters
/// of snapshot text shown as `?`).
fn table(paths: &[&AttackPath], several: bool) -> String {
    let target_width = paths
        .iter()
        .map(|p| p.target.name().len())
        .max()
        .unwrap_or(0)
        .max("TARGET".len());
    let mut out = format!(
        "{:>5}  {:<target_width$}  {:>5}  PATH\n",
        "RISK", "TARGET", "STEPS"
    );
    for p in paths {
        let title: String = p
            .title
            .chars()
            .map(|c| if c.is_control() { '?' } else { c })
            .collect();
        let mut line = format!(
            "{:>5.1}  {:<target_width$}  {:>5}  {title}",
            p.risk,
            p.target.name(),
            p.length
        );
        if p.assumed {
            line.push_str(" (assumed)");
        }
        if several {
            let clusters = portolan_engine::graph::path_filter::clusters(p).join(" → ");
            let clusters: String = clusters
                .chars()
                .map(|c| if c.is_control() { '?' } else { c })
                .collect();
            line.push_str(&format!(" [{clusters}]"));
        }
        out.push_str(&line);
        out.push('\n');
    }
    out
}
