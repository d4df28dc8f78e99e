//! Does the whole analysis grow linearly with the cluster (issue #15)? For each size,
//! the hard case of the generator (compact JSON; many exposed, risky workloads whose
//! paths break with one fix) is analysed as `portolan analyze --format json` does —
//! load, conclude (rules, graph, attack paths and choke points, vulnerabilities),
//! serialise — next to `serde_json`'s parse of the same bytes into a `Value` in the
//! same run, with each stage's share and the peak heap next to the input's size.
//!
//! `cargo run --release -p portolan-engine --example bench_scale [PODS...]`
//! (default 5000 10000 20000 50000)
//!
//! With `--write DIR` it only writes each size's export to `DIR/hard-PODS.json`, for
//! running the CLI on it (`/usr/bin/time -v portolan analyze FILE -f json -o /dev/null`).
//! With `--cli FILE` it takes the CLI's steps on that file (read, load, drop the bytes,
//! conclude, stream the JSON out) and prints after each the live heap, its peak and the
//! process's resident peak (`VmHWM`), to tell the allocator's keep from the heap's.
//!
//! The analysis allocates through mimalloc, as the CLI does (`common/heap.rs`); the
//! yardstick, the bare parse, is measured as a plain program doing only that would run:
//! with the system allocator, in a child process (`--parse PODS`, which prints the
//! fastest of three parses in milliseconds). The parse under mimalloc is shown beside it.

use std::time::Instant;

use portolan_engine::analysis::{conclude, load_with, AnalyzeOptions, LoadOptions};
use portolan_engine::InputFile;

#[path = "common/synth.rs"]
mod synth;

#[path = "common/heap.rs"]
mod heap;

#[global_allocator]
static ALLOCATOR: heap::Counting = heap::Counting;

fn ms(start: Instant) -> f64 {
    start.elapsed().as_secs_f64() * 1e3
}

/// The fastest of three parses of `bytes` into a `serde_json::Value`, in milliseconds.
fn fastest_parse(bytes: &[u8]) -> f64 {
    let mut fastest = f64::MAX;
    for _ in 0..3 {
        let start = Instant::now();
        let value: serde_json::Value = serde_json::from_slice(bytes).expect("valid JSON");
        fastest = fastest.min(ms(start));
        drop(value);
    }
    fastest
}

/// [`fastest_parse`] of the export of `pods` pods, in a child process allocating
/// through the system's allocator.
fn system_parse(pods: usize) -> f64 {
    let exe = std::env::current_exe().expect("the benchmark's own path");
    let out = std::process::Command::new(exe)
        .args(["--parse", &pods.to_string()])
        .env(heap::SYSTEM_ALLOC, "1")
        .output()
        .expect("the parse's child process runs");
    assert!(out.status.success(), "the parse's child process failed");
    String::from_utf8_lossy(&out.stdout)
        .trim()
        .parse()
        .expect("the child prints milliseconds")
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let write = synth::flag_value(&args, "--write");
    if let Some(pods) = synth::flag_value(&args, "--parse") {
        let pods: usize = pods.parse().expect("--parse takes a number of pods");
        let bytes = synth::cluster_json(&synth::Size::hard(pods));
        println!("{:.3}", fastest_parse(&bytes));
        return;
    }
    if let Some(path) = synth::flag_value(&args, "--cli") {
        cli_steps(&path);
        return;
    }
    if let Some(path) = synth::flag_value(&args, "--reexempt") {
        reexempt_steps(&path);
        return;
    }
    let sizes: Vec<usize> = args.iter().filter_map(|a| a.parse().ok()).collect();
    let sizes = if sizes.is_empty() {
        vec![5_000, 10_000, 20_000, 50_000]
    } else {
        sizes
    };
    if let Some(dir) = write {
        for pods in sizes {
            let path = format!("{dir}/hard-{pods}.json");
            let bytes = synth::cluster_json(&synth::Size::hard(pods));
            std::fs::write(&path, &bytes).unwrap_or_else(|e| panic!("{path}: {e}"));
            println!("{pods} pods written to {path} ({} bytes)", bytes.len());
        }
        return;
    }
    {
        use portolan_engine::model::{pod, workload, Pod};
        use std::mem::size_of;
        println!(
            "size_of: Object {} B, Pod {} B, Workload {} B, PodSpec {} B, Container {} B, Volume {} B, Finding {} B",
            size_of::<portolan_engine::ingest::Object>(),
            size_of::<Pod>(),
            size_of::<workload::Workload>(),
            size_of::<pod::PodSpec>(),
            size_of::<pod::Container>(),
            size_of::<pod::Volume>(),
            size_of::<portolan_engine::rules::Finding>(),
        );
    }
    println!(
        "| pods | MB | parse | parse, {} | load | conclude | serialise | whole | whole ÷ parse | paths | findings | peak ÷ input |",
        heap::inner_name()
    );
    println!("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
    let mut reexempts = Vec::new();
    let mut reexempt_steps = Vec::new();
    let mut stages = Vec::new();
    let mut memory = Vec::new();
    let mut breakdown = Vec::new();
    let mut rest = Vec::new();
    for pods in sizes {
        // The child first: this process's freed memory would sit beside it otherwise.
        let parse = system_parse(pods);
        let bytes = synth::cluster_json(&synth::Size::hard(pods));
        let input = bytes.len();
        let inner_parse = fastest_parse(&bytes);
        let files = [InputFile::new("cluster.json", bytes)];
        let options = AnalyzeOptions {
            include_resources: true,
            ..AnalyzeOptions::default()
        };
        let base = heap::reset_peak();
        let start = Instant::now();
        let snapshot = load_with(&files, &LoadOptions::default(), &mut |_| {});
        let load = ms(start);
        let load_peak = heap::peak() - base;
        let model = heap::live() - base;
        let start = Instant::now();
        let analysis = conclude(&snapshot, &options);
        let concluded = ms(start);
        let analysis_bytes = heap::live() - base - model;
        let start = Instant::now();
        // Streamed out as the CLI writes it (`-f json -o FILE`: pretty, through a
        // buffer), not built in memory first.
        let mut out = std::io::BufWriter::with_capacity(1 << 16, std::io::sink());
        serde_json::to_writer_pretty(&mut out, &analysis).expect("serialisable");
        std::io::Write::flush(&mut out).expect("a sink takes everything");
        let serialise = ms(start);
        let peak = heap::peak() - base;
        memory.push(format!(
            "| {pods} | {:.1} MB | {:.1} MB ({:.1}x) | {:.1} MB ({:.1}x) | {:.1} MB ({:.1}x) | {:.1} MB ({:.1}x) |",
            input as f64 / 1e6,
            load_peak as f64 / 1e6,
            load_peak as f64 / input as f64,
            model as f64 / 1e6,
            model as f64 / input as f64,
            analysis_bytes as f64 / 1e6,
            analysis_bytes as f64 / input as f64,
            peak as f64 / 1e6,
            peak as f64 / input as f64,
        ));
        // The app's exemption change: a namespace exempted from every rule.
        let mut exempted = options.clone();
        exempted.rules.exemptions = portolan_engine::rules::exemptions::parse(
            "exemptions.yaml",
            "- {rule: '*', namespace: team-0, reason: load test}\n",
        )
        .0;
        let (before, counts) = sent(&analysis);
        let start = Instant::now();
        let (kept, changed, update_json) =
            reexempt_and_send(&analysis, &snapshot, &exempted, &before, counts);
        let exempted_findings = kept
            .findings
            .iter()
            .filter(|f| f.exemption.is_some())
            .count();
        let reexempt = ms(start);
        // Where re-exempting goes, step by step as `rules::reexempt` and the worker take
        // them (grouping into recommendations is what is left of the whole).
        let ReexemptSteps {
            cleared,
            matched,
            scored,
            shown,
            written,
        } = ReexemptSteps::time(&snapshot, &analysis, &kept, &exempted, &changed);
        let grouped = reexempt - cleared - matched - scored - shown - written;
        reexempt_steps.push(format!(
            "| {pods} | {reexempt:.0} ms | {cleared:.0} ms | {matched:.0} ms | {grouped:.0} ms | {scored:.0} ms | {shown:.0} ms | {written:.0} ms |"
        ));
        // Where conclude's time goes: its stages one by one (conclude runs the rules
        // beside the graph on two threads; here each is timed alone, in sequence).
        let inventory = snapshot.inventory();
        let start = Instant::now();
        let units = inventory.workload_units();
        let found = ms(start);
        let start = Instant::now();
        let ((findings, ..), _) = portolan_engine::rules::evaluate_units_tallied(
            inventory,
            &units,
            &options.rules,
            Default::default(),
        );
        let rules = ms(start);
        let start = Instant::now();
        let graph = portolan_engine::graph::SecurityGraph::build_from_units(inventory, &units);
        let build = ms(start);
        let start = Instant::now();
        let paths = graph.attack_paths(&options.paths);
        let search = ms(start);
        let start = Instant::now();
        let _vulns = portolan_engine::vulns::assess(inventory, &units, &paths);
        let vulns = ms(start);
        let start = Instant::now();
        let _summary = inventory.summary_of(true, &units);
        let summary = ms(start);
        stages.push(format!(
            "| {pods} | {found:.0} ms | {rules:.0} ms ({} findings) | {build:.0} ms ({} nodes) | {search:.0} ms | {vulns:.0} ms | {summary:.0} ms |",
            findings.len(),
            graph.graph.node_count(),
        ));
        // The rest of conclude, outside those five.
        let mut paths = paths;
        let start = Instant::now();
        portolan_engine::graph::paths::link_findings(&mut paths.paths, &findings);
        let link = ms(start);
        let start = Instant::now();
        drop(graph);
        let graph_drop = ms(start);
        let start = Instant::now();
        let _enforcement =
            portolan_engine::enforce::summarize_units(inventory, &units, options.rules.pss_version);
        let enforcement = ms(start);
        let start = Instant::now();
        let _clusters = inventory.cluster_summaries();
        let _na = portolan_engine::rules::control_plane::not_applicable(inventory);
        let clusters = ms(start);
        let start = Instant::now();
        drop((findings, paths, units));
        let findings_drop = ms(start);
        rest.push(format!(
            "| {pods} | {link:.0} ms | {graph_drop:.0} ms | {enforcement:.0} ms | {clusters:.0} ms | {findings_drop:.0} ms |"
        ));
        reexempts.push(format!(
            "| {pods} | {concluded:.0} ms | {reexempt:.0} ms ({:.0}% of conclude) | {} exempted | {:.1} MB |",
            100.0 * reexempt / concluded,
            exempted_findings,
            update_json.len() as f64 / 1e6
        ));
        let whole = load + concluded + serialise;
        println!(
            "| {pods} | {:.1} | {parse:.0} ms | {inner_parse:.0} ms | {load:.0} ms | {concluded:.0} ms | {serialise:.0} ms | {whole:.0} ms | {:.1}x | {} | {} | {:.1}x |",
            input as f64 / 1e6,
            whole / parse,
            analysis.attack_paths.paths.len(),
            analysis.findings.len(),
            // The input's bytes are held throughout, as the CLI holds them.
            (peak + input) as f64 / input as f64,
        );
        drop((analysis, snapshot));
        breakdown.push(model_breakdown(pods, &files[0]));
        drop(files);
    }
    println!("\n| pods | workload units | rules | graph build | attack paths + choke points | vulnerabilities | inventory rows |");
    println!("|---:|---:|---:|---:|---:|---:|---:|");
    for row in stages {
        println!("{row}");
    }
    println!("\n| pods | findings linked to fixes | graph dropped | enforcement summary | clusters + not applicable | findings and paths dropped |");
    println!("|---:|---:|---:|---:|---:|---:|");
    for row in rest {
        println!("{row}");
    }
    println!("\n| pods | input | load peak (heap above the input) | snapshot (typed model) | analysis | peak to serialised |");
    println!("|---:|---:|---:|---:|---:|---:|");
    for row in memory {
        println!("{row}");
    }
    println!("\n| pods | model | pods | workloads | roles | bindings | services | service accounts | rest |");
    println!("|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
    for row in breakdown {
        println!("{row}");
    }
    println!("\n| pods | conclude | re-exempt + the page's update (`ShownUpdate`) as JSON | findings exempted | update |");
    println!("|---:|---:|---:|---:|---:|");
    for row in reexempts {
        println!("{row}");
    }
    println!("\n| pods | re-exempt + update | exemptions cleared | exemptions matched | recommendations (the rest) | secure score | update's counts (`FindingCounts::recount`) | update as JSON |");
    println!("|---:|---:|---:|---:|---:|---:|---:|---:|");
    for row in reexempt_steps {
        println!("{row}");
    }
}

/// Where the typed model's heap goes: the inventory of `file` built again, then each
/// kind's objects dropped in turn, the live heap measured around each drop.
fn model_breakdown(pods: usize, file: &InputFile) -> String {
    let before = heap::live();
    let mut parsed = portolan_engine::ingest::parse_file(file);
    let objects = std::mem::take(&mut parsed.objects);
    // What else the parse keeps (the pod specs it shared) goes, as `load` drops it.
    drop(parsed);
    let mut inventory = portolan_engine::model::Inventory::default();
    inventory.extend(objects, None);
    inventory.finish();
    let model = heap::live() - before;
    let freed = |take: &mut dyn FnMut()| {
        let live = heap::live();
        take();
        live - heap::live()
    };
    let p = freed(&mut || drop(std::mem::take(&mut inventory.pods)));
    let w = freed(&mut || drop(std::mem::take(&mut inventory.workloads)));
    let r = freed(&mut || drop(std::mem::take(&mut inventory.roles)));
    let b = freed(&mut || drop(std::mem::take(&mut inventory.bindings)));
    let s = freed(&mut || drop(std::mem::take(&mut inventory.services)));
    let a = freed(&mut || drop(std::mem::take(&mut inventory.service_accounts)));
    let rest = heap::live() - before;
    drop(inventory);
    let mb = |b: usize| b as f64 / 1e6;
    format!(
        "| {pods} | {:.1} MB | {:.1} MB | {:.1} MB | {:.1} MB | {:.1} MB | {:.1} MB | {:.1} MB | {:.1} MB |",
        mb(model),
        mb(p),
        mb(w),
        mb(r),
        mb(b),
        mb(s),
        mb(a),
        mb(rest)
    )
}

/// The process's resident peak so far (`VmHWM`), in bytes; 0 where `/proc` is not.
fn resident_peak() -> usize {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find_map(|l| l.strip_prefix("VmHWM:"))
                .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<usize>().ok())
        })
        .map_or(0, |kb| kb * 1024)
}

/// The CLI's steps on `path` (`portolan analyze PATH -f json -o /dev/null`), each
/// followed by the live heap, the heap's peak and the resident peak.
/// Where re-exempting goes, in milliseconds, step by step as `rules::reexempt` and the
/// worker take them (grouping into recommendations is what is left of the whole).
struct ReexemptSteps {
    cleared: f64,
    matched: f64,
    scored: f64,
    shown: f64,
    written: f64,
}

impl ReexemptSteps {
    /// The steps that take `analysis`, concluded from `snapshot`, to `kept`, the same
    /// re-exempted with `exempted`'s exemptions.
    fn time(
        snapshot: &portolan_engine::analysis::Snapshot,
        analysis: &portolan_engine::Analysis,
        kept: &portolan_engine::Analysis,
        exempted: &AnalyzeOptions,
        changed: &[String],
    ) -> ReexemptSteps {
        use portolan_engine::rules::score;
        let inventory = snapshot.inventory();
        let mut findings = analysis.findings.clone();
        // Kept by the snapshot from conclude on (no user policy here: all scored).
        let population = score::Population::of(inventory, &inventory.workload_units());
        let mut tally = score::Tally::of(&findings, &Default::default());
        // Kept by the worker from the last result or update sent.
        let (before, counts) = sent(analysis);
        let start = Instant::now();
        let was: Vec<bool> = findings
            .iter_mut()
            .map(|f| f.exemption.take().is_some())
            .collect();
        let cleared = ms(start);
        drop(was);
        let start = Instant::now();
        portolan_engine::rules::exemptions::apply(
            &mut findings,
            &exempted.rules.exemptions,
            inventory,
            exempted.rules.today.as_deref(),
        );
        let matched = ms(start);
        let start = Instant::now();
        assert!(tally.update(&findings, &Default::default()));
        let _score = score::secure_score_tallied(inventory, &population, &tally);
        let scored = ms(start);
        drop(findings);
        let start = Instant::now();
        let update = portolan_engine::analysis::shown::ShownUpdate::counted(
            kept,
            false,
            counts.recount(&before, kept, changed),
        );
        let shown = ms(start);
        let start = Instant::now();
        let _json = serde_json::to_vec(&update).expect("serialisable");
        let written = ms(start);
        ReexemptSteps {
            cleared,
            matched,
            scored,
            shown,
            written,
        }
    }
}

/// The app's exemption change as its worker takes it: `analysis` re-exempted with
/// `exempted`'s exemptions, the rules whose findings changed, and the update it sends its page (the changed parts and the
/// counts, recounted from `counts`, those it sent of `before`'s recommendations), as
/// JSON.
fn reexempt_and_send(
    analysis: &portolan_engine::Analysis,
    snapshot: &portolan_engine::analysis::Snapshot,
    exempted: &portolan_engine::AnalyzeOptions,
    before: &[String],
    counts: portolan_engine::analysis::shown::FindingCounts,
) -> (portolan_engine::Analysis, Vec<String>, Vec<u8>) {
    let mut kept = analysis.clone();
    let changed = portolan_engine::analysis::reexempt(&mut kept, snapshot, exempted);
    let update = portolan_engine::analysis::shown::ShownUpdate::counted(
        &kept,
        false,
        counts.recount(before, &kept, &changed),
    );
    let json = serde_json::to_vec(&update).expect("serialisable");
    (kept, changed, json)
}

/// What the app's worker keeps of what it last sent of `analysis`: its
/// recommendations' rules, in order, and its findings' counts.
fn sent(
    analysis: &portolan_engine::Analysis,
) -> (Vec<String>, portolan_engine::analysis::shown::FindingCounts) {
    (
        analysis
            .recommendations
            .iter()
            .map(|r| r.rule.clone())
            .collect(),
        portolan_engine::analysis::shown::FindingCounts::of(analysis),
    )
}

/// The app's exemption of the top recommendation's rule in the first namespace it
/// offers, on the analysis of `path`, step by step (as the breakdown above).
fn reexempt_steps(path: &str) {
    let bytes = std::fs::read(path).unwrap_or_else(|e| panic!("{path}: {e}"));
    let files = vec![InputFile::new(path, bytes)];
    let options = AnalyzeOptions::default();
    let snapshot = load_with(&files, &options.load, &mut |_| {});
    let start = Instant::now();
    let analysis = conclude(&snapshot, &options);
    let concluded = ms(start);
    let top = &analysis.recommendations[0];
    let namespace = top
        .findings
        .iter()
        .map(|&i| analysis.findings[i].resource.namespace.as_str())
        .find(|n| !n.is_empty())
        .unwrap_or_default();
    let mut exempted = options.clone();
    exempted.rules.exemptions = portolan_engine::rules::exemptions::parse(
        "exemptions.yaml",
        &format!(
            "- {{rule: {}, namespace: {namespace}, reason: load test}}\n",
            top.rule
        ),
    )
    .0;
    let (before, counts) = sent(&analysis);
    let start = Instant::now();
    let (kept, changed, _json) =
        reexempt_and_send(&analysis, &snapshot, &exempted, &before, counts);
    let whole = ms(start);
    let ReexemptSteps {
        cleared,
        matched,
        scored,
        shown,
        written,
    } = ReexemptSteps::time(&snapshot, &analysis, &kept, &exempted, &changed);
    println!(
        "{} findings, conclude {concluded:.0} ms, {} exempted by {{rule: {}, namespace: {namespace}}}",
        analysis.findings.len(),
        kept.findings.iter().filter(|f| f.exemption.is_some()).count(),
        top.rule
    );
    println!("| re-exempt + update | exemptions cleared | exemptions matched | recommendations (the rest) | secure score | update's counts | update as JSON |");
    println!("|---:|---:|---:|---:|---:|---:|---:|");
    println!(
        "| {whole:.0} ms ({:.0}% of conclude) | {cleared:.0} ms | {matched:.0} ms | {:.0} ms | {scored:.0} ms | {shown:.0} ms | {written:.0} ms |",
        100.0 * whole / concluded,
        whole - cleared - matched - scored - shown - written
    );
}

fn cli_steps(path: &str) {
    let report = |step: &str, start: Instant| {
        println!(
            "| {step} | {:.0} ms | {:.1} MB | {:.1} MB | {:.1} MB |",
            ms(start),
            heap::live() as f64 / 1e6,
            heap::peak() as f64 / 1e6,
            resident_peak() as f64 / 1e6
        );
    };
    println!("| step | time | live heap | heap peak | resident peak |");
    println!("|---|---:|---:|---:|---:|");
    let start = Instant::now();
    let bytes = std::fs::read(path).unwrap_or_else(|e| panic!("{path}: {e}"));
    let files = vec![InputFile::new(path, bytes)];
    report("read", start);
    let options = AnalyzeOptions::default();
    let start = Instant::now();
    let snapshot = load_with(&files, &options.load, &mut |_| {});
    report("load", start);
    let start = Instant::now();
    drop(files);
    report("bytes dropped", start);
    let start = Instant::now();
    let analysis = conclude(&snapshot, &options);
    report("conclude", start);
    let start = Instant::now();
    drop(snapshot);
    report("snapshot dropped", start);
    let start = Instant::now();
    let mut out = std::io::BufWriter::with_capacity(1 << 16, std::io::sink());
    serde_json::to_writer_pretty(&mut out, &analysis).expect("serialisable");
    report("JSON written", start);
}
