//! Ingestion benchmark: a generated 50,000-pod `kubectl get -o json` export, analysed
//! by the engine, next to the time `serde_json` takes to parse the same bytes into a
//! `Value` (the floor any JSON reader pays).
//!
//! Run: `cargo run --release -p portolan-engine --example bench_ingest [PODS]`.
//! Reports the median of several runs of each, measured in the same process.

#[path = "common/synth.rs"]
mod synth;

use std::time::{Duration, Instant};

use portolan_engine::model::Inventory;
use portolan_engine::rules::{self, RuleOptions};
use portolan_engine::{analyze, AnalyzeOptions, InputFile};

fn median(mut samples: Vec<Duration>) -> Duration {
    samples.sort();
    samples[samples.len() / 2]
}

fn time<T>(runs: usize, mut f: impl FnMut() -> T) -> Duration {
    median(
        (0..runs)
            .map(|_| {
                let start = Instant::now();
                std::hint::black_box(f());
                start.elapsed()
            })
            .collect(),
    )
}

fn main() {
    let pods: usize = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(50_000);
    let size = synth::Size::pods(pods);
    let bytes = synth::cluster_json(&size);
    let mb = bytes.len() as f64 / 1e6;
    let runs = 5;
    let value = time(runs, || {
        serde_json::from_slice::<serde_json::Value>(&bytes).expect("valid JSON")
    });
    let files = vec![InputFile::new("cluster.json", bytes.clone())];
    let ingest_only = |files: &[InputFile]| {
        let mut inventory = Inventory::default();
        for file in files {
            let parsed = portolan_engine::ingest::parse_file(file);
            inventory.extend(parsed.objects, parsed.server_version);
        }
        inventory.finish();
        inventory
    };
    let mut objects = 0;
    let ingest = time(runs, || {
        let inventory = ingest_only(&files);
        objects = inventory.pods.len() + inventory.workloads.len() + inventory.bindings.len();
        inventory
    });
    let inventory = ingest_only(&files);
    let mut findings = 0;
    let rules_time = time(runs, || {
        let (f, r) = rules::evaluate(&inventory, &RuleOptions::default());
        findings = f.len();
        (f, r)
    });
    let full = time(runs, || {
        analyze(&files, &AnalyzeOptions::default(), &mut |_| {})
    });
    let secs = |d: Duration| d.as_secs_f64();
    println!("Generated export: {pods} pods, {mb:.1} MB of JSON ({objects} pods, controllers and bindings)");
    println!(
        "serde_json::Value parse:             {:>8.1} ms  {:>7.1} MB/s",
        secs(value) * 1e3,
        mb / secs(value)
    );
    println!(
        "engine ingest (parse + typed model): {:>8.1} ms  {:>7.1} MB/s  {:.2}x the Value parse",
        secs(ingest) * 1e3,
        mb / secs(ingest),
        secs(ingest) / secs(value)
    );
    println!(
        "rule evaluation ({} rules, {findings} findings): {:>8.1} ms  {:.2}x the Value parse",
        rules::catalog().count(),
        secs(rules_time) * 1e3,
        secs(rules_time) / secs(value)
    );
    println!(
        "whole analysis (ingest, rules, rows):{:>8.1} ms  {:>7.1} MB/s  {:.2}x the Value parse",
        secs(full) * 1e3,
        mb / secs(full),
        secs(full) / secs(value)
    );
    let counts_only = AnalyzeOptions {
        include_resources: false,
        ..AnalyzeOptions::default()
    };

    // The same cluster at a tenth of the size as a `kubectl get -o yaml` List.
    let small = synth::Size::pods(pods / 10);
    let list: serde_json::Value =
        serde_json::from_slice(&synth::cluster_json(&small)).expect("valid JSON");
    let yaml = serde_saphyr::to_string(&list).expect("YAML serialisation");
    let ymb = yaml.len() as f64 / 1e6;
    let yaml_value = time(3, || {
        serde_saphyr::from_str_with_options::<serde_json::Value>(
            &yaml,
            serde_saphyr::options! { budget: None },
        )
        .expect("valid YAML")
    });
    let yaml_files = vec![InputFile::new("cluster.yaml", yaml.clone().into_bytes())];
    let yaml_ingest = time(3, || analyze(&yaml_files, &counts_only, &mut |_| {}));
    println!("Same export as YAML, {} pods: {ymb:.1} MB", pods / 10);
    println!(
        "serde-saphyr Value parse:           {:>8.1} ms  {:>7.1} MB/s",
        secs(yaml_value) * 1e3,
        ymb / secs(yaml_value)
    );
    println!(
        "engine ingest (parse + model):      {:>8.1} ms  {:>7.1} MB/s  {:.2}x the Value parse",
        secs(yaml_ingest) * 1e3,
        ymb / secs(yaml_ingest),
        secs(yaml_ingest) / secs(yaml_value)
    );
}
