//! Audit log benchmark: generates an audit log of about `SIZE_MB` megabytes (default
//! 1024) of realistic events, then reads it in 1 MiB chunks twice: through the audit
//! reader and every detection, and through `serde_json` into `Value` per line (the
//! baseline the issue sets: at least 0.7× its throughput). Prints throughput and the
//! process's peak memory after each pass. See BENCHMARKS.md.
//!
//! `cargo run --release -p portolan-engine --example bench_audit -- [SIZE_MB] [PATH]`
//! (the log is written to PATH, default the temp dir, and deleted at the end).

use std::io::{BufWriter, Read, Write};
use std::time::Instant;

use portolan_engine::detect::{AuditReader, Detector};

fn peak_rss_mb() -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1)?.parse::<f64>().ok())
        })
        .map_or(0.0, |kb| kb / 1024.0)
}

/// One event line; `i` makes ids, names and times vary.
fn line(i: u64, out: &mut String) {
    use std::fmt::Write as _;
    let sec = i / 40;
    let (h, m, s) = ((sec / 3600) % 24, (sec / 60) % 60, sec % 60);
    let day = 1 + (sec / 86_400) % 28;
    let ts = format!(
        "2026-11-{day:02}T{h:02}:{m:02}:{s:02}.{:06}Z",
        (i * 7919) % 1_000_000
    );
    let id = format!(
        "{:08x}-{:04x}-4000-8000-{:012x}",
        i as u32,
        (i >> 32) as u16,
        i.wrapping_mul(2654435761)
    );
    let node = i % 50;
    out.clear();
    let _ = match i % 20 {
        // Kubelets, controllers and operators: the bulk of any log.
        0..=9 => write!(
            out,
            r#"{{"kind":"Event","apiVersion":"audit.k8s.io/v1","level":"Metadata","auditID":"{id}","stage":"ResponseComplete","requestURI":"/api/v1/namespaces/team-{ns}/pods/app-{node}-{i}","verb":"get","user":{{"username":"system:node:ip-10-0-{node}-1.ec2.internal","groups":["system:nodes","system:authenticated"]}},"sourceIPs":["10.0.{node}.1"],"userAgent":"kubelet/v1.30.4 (linux/amd64) kubernetes/a737599","objectRef":{{"resource":"pods","namespace":"team-{ns}","name":"app-{node}-{i}","apiVersion":"v1"}},"responseStatus":{{"metadata":{{}},"code":200}},"requestReceivedTimestamp":"{ts}","stageTimestamp":"{ts}","annotations":{{"authorization.k8s.io/decision":"allow","authorization.k8s.io/reason":""}}}}"#,
            ns = i % 30
        ),
        10..=14 => write!(
            out,
            r#"{{"kind":"Event","apiVersion":"audit.k8s.io/v1","level":"Metadata","auditID":"{id}","stage":"ResponseComplete","requestURI":"/apis/coordination.k8s.io/v1/namespaces/kube-system/leases/kube-controller-manager?timeout=5s","verb":"update","user":{{"username":"system:kube-controller-manager","groups":["system:authenticated"]}},"sourceIPs":["10.0.0.12"],"userAgent":"kube-controller-manager/v1.30.4 (linux/amd64) kubernetes/a737599/leader-election","objectRef":{{"resource":"leases","namespace":"kube-system","name":"kube-controller-manager","uid":"6f1c","apiGroup":"coordination.k8s.io","apiVersion":"v1","resourceVersion":"{i}"}},"responseStatus":{{"metadata":{{}},"code":200}},"requestReceivedTimestamp":"{ts}","stageTimestamp":"{ts}"}}"#
        ),
        15..=17 => write!(
            out,
            r#"{{"kind":"Event","apiVersion":"audit.k8s.io/v1","level":"Metadata","auditID":"{id}","stage":"ResponseComplete","requestURI":"/apis/apps/v1/namespaces/team-{ns}/deployments?limit=500","verb":"list","user":{{"username":"system:serviceaccount:argocd:argocd-application-controller","groups":["system:serviceaccounts","system:serviceaccounts:argocd","system:authenticated"]}},"sourceIPs":["10.0.3.7"],"userAgent":"argocd-application-controller/v2.9.3","objectRef":{{"resource":"deployments","namespace":"team-{ns}","apiGroup":"apps","apiVersion":"v1"}},"responseStatus":{{"metadata":{{}},"code":200}},"requestReceivedTimestamp":"{ts}","stageTimestamp":"{ts}"}}"#,
            ns = i % 30
        ),
        // Request-level writes with bodies: pod creates the detections read.
        18 => write!(
            out,
            r#"{{"kind":"Event","apiVersion":"audit.k8s.io/v1","level":"Request","auditID":"{id}","stage":"ResponseComplete","requestURI":"/api/v1/namespaces/team-{ns}/pods","verb":"create","user":{{"username":"system:serviceaccount:kube-system:replicaset-controller","groups":["system:serviceaccounts","system:authenticated"]}},"sourceIPs":["10.0.0.12"],"userAgent":"kube-controller-manager/v1.30.4","objectRef":{{"resource":"pods","namespace":"team-{ns}","apiVersion":"v1"}},"responseStatus":{{"metadata":{{}},"code":201}},"requestObject":{{"kind":"Pod","apiVersion":"v1","metadata":{{"generateName":"web-7d9c-","namespace":"team-{ns}","labels":{{"app":"web","pod-template-hash":"7d9c"}}}},"spec":{{"serviceAccountName":"web","containers":[{{"name":"web","image":"ghcr.io/acme/web:2.{n}.0","ports":[{{"containerPort":8080}}],"env":[{{"name":"MODE","value":"prod"}}],"resources":{{"limits":{{"cpu":"500m","memory":"256Mi"}}}},"securityContext":{{"runAsNonRoot":true,"allowPrivilegeEscalation":false,"capabilities":{{"drop":["ALL"]}}}}}}],"volumes":[{{"name":"cfg","configMap":{{"name":"web"}}}}]}}}},"requestReceivedTimestamp":"{ts}","stageTimestamp":"{ts}"}}"#,
            ns = i % 30,
            n = i % 40
        ),
        // Exec sessions by people.
        _ => write!(
            out,
            r#"{{"kind":"Event","apiVersion":"audit.k8s.io/v1","level":"Metadata","auditID":"{id}","stage":"ResponseStarted","requestURI":"/api/v1/namespaces/team-{ns}/pods/app-{node}/exec?command=sh&command=-c&command=ls%20-la&container=app&stdin=true&stdout=true","verb":"create","user":{{"username":"dev{u}@acme.example","groups":["acme:developers","system:authenticated"]}},"sourceIPs":["10.8.0.{u}"],"userAgent":"kubectl/v1.30.2 (linux/amd64) kubernetes/3968350","objectRef":{{"resource":"pods","namespace":"team-{ns}","name":"app-{node}","apiVersion":"v1","subresource":"exec"}},"responseStatus":{{"metadata":{{}},"code":101}},"requestReceivedTimestamp":"{ts}","stageTimestamp":"{ts}"}}"#,
            ns = i % 30,
            u = i % 20
        ),
    };
}

fn main() {
    let mut args = std::env::args().skip(1);
    let size_mb: u64 = args.next().and_then(|s| s.parse().ok()).unwrap_or(1024);
    let path = args
        .next()
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| std::env::temp_dir().join("portolan-bench-audit.jsonl"));
    let target = size_mb * 1024 * 1024;
    let started = Instant::now();
    let mut bytes = 0u64;
    let mut lines = 0u64;
    {
        let mut w = BufWriter::new(std::fs::File::create(&path).expect("create the log"));
        let mut buf = String::new();
        while bytes < target {
            line(lines, &mut buf);
            buf.push('\n');
            w.write_all(buf.as_bytes()).expect("write");
            bytes += buf.len() as u64;
            lines += 1;
        }
    }
    println!(
        "generated {} lines, {:.0} MB in {:.1} s ({})",
        lines,
        bytes as f64 / 1e6,
        started.elapsed().as_secs_f64(),
        path.display()
    );
    let mb = bytes as f64 / 1e6;
    let mut chunk = vec![0u8; 1 << 20];

    // Pass 1: the audit reader and every detection, in 1 MiB chunks.
    let started = Instant::now();
    let mut detector = Detector::default();
    let mut reader = AuditReader::new(path.display().to_string());
    let mut file = std::fs::File::open(&path).expect("open");
    loop {
        let n = file.read(&mut chunk).expect("read");
        if n == 0 {
            break;
        }
        reader.feed(&chunk[..n], &mut |e| detector.observe(e));
    }
    let report = reader.finish(&mut |e| detector.observe(e));
    let (alerts, summary) = detector.finish();
    let ours = started.elapsed().as_secs_f64();
    println!(
        "portolan: {} events, {} alerts, {} diagnostics in {:.2} s = {:.0} MB/s; peak RSS {:.0} MB",
        summary.events,
        alerts.len(),
        report.diagnostics.len(),
        ours,
        mb / ours,
        peak_rss_mb()
    );

    // Pass 2: serde_json into Value, line by line, same chunking.
    let started = Instant::now();
    let mut file = std::fs::File::open(&path).expect("open");
    let mut pending: Vec<u8> = Vec::new();
    let mut values = 0u64;
    loop {
        let n = file.read(&mut chunk).expect("read");
        if n == 0 {
            break;
        }
        pending.extend_from_slice(&chunk[..n]);
        let Some(last) = pending.iter().rposition(|b| *b == b'\n') else {
            continue;
        };
        for l in pending[..last].split(|b| *b == b'\n') {
            if let Ok(v) = serde_json::from_slice::<serde_json::Value>(l) {
                values += u64::from(v.is_object());
            }
        }
        pending.drain(..=last);
    }
    let base = started.elapsed().as_secs_f64();
    println!(
        "serde_json Value: {} values in {:.2} s = {:.0} MB/s; peak RSS {:.0} MB",
        values,
        base,
        mb / base,
        peak_rss_mb()
    );
    println!(
        "ratio (portolan / serde_json Value throughput): {:.2}",
        base / ours
    );
    let _ = std::fs::remove_file(&path);
}
