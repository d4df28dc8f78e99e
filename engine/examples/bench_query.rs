//! Benchmark of the query engine (issue #13): every built-in template on the generated
//! export `bench_graph` uses (50,000 pods by default), after the snapshot is loaded,
//! concluded and its query context gathered once, as the app's worker keeps them.
//!
//! `cargo run --release -p portolan-engine --example bench_query [PODS]`
//!
//! With `--write FILE` it only writes the export (the same bytes) to FILE, for the
//! browser benchmark (`tests/browser/bench_queries.mjs`); a debug build does for that.

use std::time::{Duration, Instant};

use portolan_engine::graph::SecurityGraph;
use portolan_engine::query::{self, QueryContext, TEMPLATES};
use portolan_engine::{conclude, load, AnalyzeOptions, InputFile};

#[path = "common/synth.rs"]
mod synth;

fn best<T>(runs: usize, mut f: impl FnMut() -> T) -> (Duration, T) {
    let mut best = Duration::MAX;
    let mut out = None;
    for _ in 0..runs {
        let start = Instant::now();
        let v = f();
        best = best.min(start.elapsed());
        out = Some(v);
    }
    (best, out.expect("at least one run"))
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let write = synth::flag_value(&args, "--write");
    let pods: usize = args.iter().find_map(|a| a.parse().ok()).unwrap_or(50_000);
    let size = synth::Size::pods(pods);
    let bytes = synth::cluster_json(&size);
    if let Some(path) = write {
        std::fs::write(&path, &bytes).unwrap_or_else(|e| panic!("{path}: {e}"));
        println!("{pods} pods written to {path} ({} bytes)", bytes.len());
        return;
    }
    let file = InputFile::new("cluster.json", bytes);
    let start = Instant::now();
    let snapshot = load(std::slice::from_ref(&file), &mut |_| {});
    let options = AnalyzeOptions {
        include_resources: false,
        ..AnalyzeOptions::default()
    };
    let analysis = conclude(&snapshot, &options);
    let setup = start.elapsed();
    let (build, mut graph) = best(1, || SecurityGraph::build(snapshot.inventory()));
    let (nodes, edges) = (graph.graph.node_count(), graph.graph.edge_count());
    let (gather, cx) = best(1, || {
        QueryContext::new(
            std::mem::take(&mut graph),
            &[snapshot.inventory()],
            &analysis,
        )
    });
    println!(
        "Generated export: {pods} pods ({nodes} nodes, {edges} edges); load + conclude {:.1} s, graph {:.0} ms, query context {:.0} ms",
        setup.as_secs_f64(),
        build.as_secs_f64() * 1e3,
        gather.as_secs_f64() * 1e3
    );
    println!("| template | time | results |");
    println!("| --- | ---: | ---: |");
    let mut worst = Duration::ZERO;
    for t in TEMPLATES {
        let q = query::parse(t.query).expect("templates parse");
        let (time, result) = best(3, || cx.run(&q));
        worst = worst.max(time);
        println!(
            "| `{}` | {:.1} ms | {}{} |",
            t.name,
            time.as_secs_f64() * 1e3,
            result.total,
            if result.complete { "" } else { " (work limit)" }
        );
    }
    println!("slowest: {:.1} ms", worst.as_secs_f64() * 1e3);
}
