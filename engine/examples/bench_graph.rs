//! Benchmark of the security graph and attack path analysis (issue #4): graph build
//! and path analysis on a generated export of 50,000 pods, 5,000 service accounts and
//! 20,000 bindings, next to the time `serde_json` takes to parse the same bytes, and
//! the memory the inventory and graph hold next to the input size.
//!
//! `cargo run --release -p portolan-engine --example bench_graph [PODS]`

use std::time::{Duration, Instant};

use portolan_engine::graph::{PathOptions, SecurityGraph};
use portolan_engine::ingest::parse_file;
use portolan_engine::model::Inventory;
use portolan_engine::InputFile;

#[path = "common/synth.rs"]
mod synth;

#[path = "common/heap.rs"]
mod heap;

#[global_allocator]
static ALLOCATOR: heap::Counting = heap::Counting;

use heap::live;

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
    let pods: usize = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(50_000);
    let size = synth::Size::pods(pods);
    let bytes = synth::cluster_json(&size);
    let mb = bytes.len() as f64 / 1e6;
    let runs = 3;
    let (parse, value) = best(runs, || {
        serde_json::from_slice::<serde_json::Value>(&bytes).expect("valid JSON")
    });
    drop(value);
    let file = InputFile::new("cluster.json", bytes);
    let before_inventory = live();
    let mut inventory = Inventory::default();
    let parsed = parse_file(&file);
    inventory.extend(parsed.objects, parsed.server_version);
    inventory.finish();
    let inventory_bytes = live().saturating_sub(before_inventory);

    let before_graph = live();
    heap::reset_peak();
    let (build, graph) = best(1, || SecurityGraph::build(&inventory));
    let graph_bytes = live().saturating_sub(before_graph);
    let (build, _) = (
        build.min(best(runs - 1, || SecurityGraph::build(&inventory)).0),
        (),
    );
    let (internet, report) = best(runs, || graph.attack_paths(&PathOptions::default()));
    let breach_options = PathOptions {
        assume_breach: true,
        ..PathOptions::default()
    };
    let (breach, breach_report) = best(1, || graph.attack_paths(&breach_options));
    let peak = heap::peak().saturating_sub(before_graph);

    let secs = |d: Duration| d.as_secs_f64();
    let input = file.bytes.len() as f64;
    println!(
        "Generated export: {pods} pods, {} service accounts, {} bindings, {mb:.1} MB of JSON",
        size.service_accounts, size.bindings
    );
    println!(
        "serde_json::Value parse:          {:>8.1} ms",
        secs(parse) * 1e3
    );
    println!(
        "graph build:                      {:>8.1} ms  {:.2}x the parse  ({} nodes, {} edges)",
        secs(build) * 1e3,
        secs(build) / secs(parse),
        graph.graph.node_count(),
        graph.graph.edge_count()
    );
    println!(
        "attack paths (internet):          {:>8.1} ms  {:.2}x the parse  ({} entries, {} paths; {})",
        secs(internet) * 1e3,
        secs(internet) / secs(parse),
        report.entries,
        report.total,
        report.choke_points.summary
    );
    println!(
        "attack paths (assume breach):     {:>8.1} ms  {:.2}x the parse  ({} entries, {} paths; {})",
        secs(breach) * 1e3,
        secs(breach) / secs(parse),
        breach_report.entries,
        breach_report.total,
        breach_report.choke_points.summary
    );
    println!(
        "graph + internet paths:           {:>8.1} ms  {:.2}x the parse",
        secs(build + internet) * 1e3,
        secs(build + internet) / secs(parse)
    );
    println!(
        "graph + assume-breach paths:      {:>8.1} ms  {:.2}x the parse",
        secs(build + breach) * 1e3,
        secs(build + breach) / secs(parse)
    );
    println!(
        "memory: input {:.0} MB; inventory {:.0} MB ({:.2}x); graph {:.0} MB ({:.2}x); peak during graph and paths {:.0} MB above the inventory ({:.2}x); inventory + that peak {:.2}x the input",
        input / 1e6,
        inventory_bytes as f64 / 1e6,
        inventory_bytes as f64 / input,
        graph_bytes as f64 / 1e6,
        graph_bytes as f64 / input,
        peak as f64 / 1e6,
        peak as f64 / input,
        (inventory_bytes + peak) as f64 / input
    );
}
