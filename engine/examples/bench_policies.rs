//! Policy benchmark: N Gatekeeper templates (each a pod-container check with its own
//! constraint, parameters and a lib, in the shape of Gatekeeper's library) over the
//! generated `kubectl get -o json` export, next to the time of the rules alone.
//!
//! Run: `cargo run --release -p portolan-engine --example bench_policies [PODS] [TEMPLATES]`
//! (defaults 50,000 and 50).

#[path = "common/synth.rs"]
mod synth;

use std::time::Instant;

use portolan_engine::policy::PolicySet;
use portolan_engine::{conclude, load_with, AnalyzeOptions, InputFile, LoadOptions};

fn template(i: usize) -> String {
    format!(
        r#"apiVersion: templates.gatekeeper.sh/v1
kind: ConstraintTemplate
metadata: {{name: bench{i}}}
spec:
  crd: {{spec: {{names: {{kind: Bench{i}}}}}}}
  targets:
  - target: admission.k8s.gatekeeper.sh
    rego: |
      package bench{i}
      import data.lib.exempt.is_exempt
      violation[{{"msg": msg}}] {{
        c := input.review.object.spec.containers[_]
        not is_exempt(c)
        not startswith(c.image, input.parameters.prefixes[_])
        msg := sprintf("container %v image %v not allowed by check {i}", [c.name, c.image])
      }}
    libs:
    - |
      package lib.exempt
      is_exempt(c) {{ c.name == "istio-proxy" }}
---
apiVersion: constraints.gatekeeper.sh/v1beta1
kind: Bench{i}
metadata: {{name: bench{i}}}
spec:
  match:
    kinds: [{{apiGroups: [""], kinds: [Pod]}}]
    excludedNamespaces: [kube-system]
  parameters: {{prefixes: ["registry{i}.example.com/"]}}
"#
    )
}

fn main() {
    let mut args = std::env::args().skip(1);
    let pods: usize = args.next().and_then(|a| a.parse().ok()).unwrap_or(50_000);
    let templates: usize = args.next().and_then(|a| a.parse().ok()).unwrap_or(50);
    let bytes = synth::cluster_json(&synth::Size::pods(pods));
    let files = [InputFile::new("cluster.json", bytes)];
    let text: String = (0..templates)
        .map(template)
        .collect::<Vec<_>>()
        .join("---\n");
    let set = PolicySet::read(&[InputFile::new("policies.yaml", text)], false);
    assert_eq!(set.constraints.len(), templates);

    let start = Instant::now();
    let plain = load_with(&files, &LoadOptions::default(), &mut |_| {});
    let load_plain = start.elapsed();
    let start = Instant::now();
    let rules_only = conclude(&plain, &AnalyzeOptions::default());
    let rules_time = start.elapsed();
    drop(plain);

    let start = Instant::now();
    let raw = LoadOptions {
        keep_raw: true,
        ..LoadOptions::default()
    };
    let snapshot = load_with(&files, &raw, &mut |_| {});
    let load_raw = start.elapsed();
    let mut options = AnalyzeOptions::default();
    options.policies.set = set;
    let start = Instant::now();
    let with = conclude(&snapshot, &options);
    let with_time = start.elapsed();
    let report = with.policies.as_ref().expect("policies ran");
    let violations: usize = report.policies.iter().map(|p| p.violations).sum();
    let reviewed: usize = report.policies.iter().map(|p| p.reviewed).sum();
    println!("{pods} pods, {templates} templates");
    println!(
        "load (typed model)                 {:>9.0} ms",
        load_plain.as_secs_f64() * 1e3
    );
    println!(
        "load (typed model + raw objects)   {:>9.0} ms",
        load_raw.as_secs_f64() * 1e3
    );
    println!(
        "rules alone                        {:>9.0} ms ({} findings)",
        rules_time.as_secs_f64() * 1e3,
        rules_only.findings.len()
    );
    println!(
        "rules + policies                   {:>9.0} ms ({reviewed} reviews, {violations} violations, {} problems)",
        with_time.as_secs_f64() * 1e3,
        report.diagnostics.len()
    );
    println!(
        "policies alone                     {:>9.0} ms ({:.1} µs per review)",
        (with_time.saturating_sub(rules_time)).as_secs_f64() * 1e3,
        with_time.saturating_sub(rules_time).as_secs_f64() * 1e6 / reviewed.max(1) as f64
    );
}
