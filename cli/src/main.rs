//! `portolan`: the command-line front end over the engine, for CI pipelines.
//!
//! A thin shell: it reads files and folders (or stdin), hands their bytes to
//! `portolan_engine::analyze`, and writes the `Analysis` in the requested format.
//! Located input errors go to stderr and into the output; they never stop the run.

use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};
use portolan_engine::enforce::{self, NamespaceEnforcement, PodSecurityLevel};
use portolan_engine::ingest::is_snapshot_file;
use portolan_engine::model::KIND_ORDER;
use portolan_engine::rules::{self, pss, Severity};
use portolan_engine::source::Level;
use portolan_engine::{analyze, Analysis, AnalyzeOptions, InputFile};

#[derive(Parser)]
#[command(
    name = "portolan",
    version,
    about = "Kubernetes and cloud security analysis of exported snapshots, offline.",
    long_about = "Portolan analyses snapshots of Kubernetes clusters (kubectl exports, manifests)\n\
                  without sending them anywhere. Export a snapshot with public/collect.sh or\n\
                  `kubectl get ... -o json`, then analyse it here or in the browser app."
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Analyse snapshot files and folders and write the analysis.
    #[command(after_help = "Examples:\n  \
        # Analyse an exported snapshot folder and write JSON to a file\n  \
        portolan analyze ./portolan-snapshot --format json --output analysis.json\n\n  \
        # Analyse straight from kubectl\n  \
        kubectl get pods,deployments -A -o json | portolan analyze -")]
    Analyze(AnalyzeArgs),
    /// Generate the admission settings that enforce the Pod Security Standards.
    #[command(
        long_about = "Generate the admission settings that would enforce the Pod Security Standards,\n\
            and show what they would reject today.\n\n\
            Prints a dry run on stderr: per namespace its current enforce label, the strictest\n\
            level all its workloads pass, and the workloads that labelling it\n\
            enforce=baseline or enforce=restricted would reject (for a controller, the pods it\n\
            creates are rejected), with the failing checks.\n\n\
            Writes YAML to stdout (or --output): a Namespace manifest per namespace with the\n\
            pod-security.kubernetes.io labels (enforce at --level, or else at the namespace's\n\
            safe level, never below its current label; warn and audit at restricted; versions\n\
            pinned), then a\n\
            ValidatingAdmissionPolicy with one CEL validation per upstream check, covering Pods\n\
            and the pod templates of every workload kind, and its binding. Without --level the\n\
            policy enforces the strictest level no non-exempt workload fails, and is left out\n\
            when there is none.",
        after_help = "Examples:\n  \
            # Show what enforcing restricted would reject, and write the labels and policy\n  \
            portolan enforce ./portolan-snapshot --level restricted --output pss.yaml\n\n  \
            # Roll out baseline as warnings and audit annotations first\n  \
            portolan enforce ./portolan-snapshot --level baseline --mode warn | kubectl apply -f -\n\n  \
            # Evaluate at the cluster's policy version, exempting system namespaces\n  \
            portolan enforce ./portolan-snapshot --pss-version v1.30 \\\n      \
            --exempt-namespace kube-system --exempt-namespace monitoring"
    )]
    Enforce(EnforceArgs),
    /// List the hardening rules.
    Rules,
    /// Show the documentation of one rule.
    Explain {
        /// A rule id, as `portolan rules` lists them (e.g. `privileged`).
        rule: String,
    },
}

#[derive(clap::Args)]
struct AnalyzeArgs {
    /// Files or folders to analyse (folders are walked recursively); `-` reads stdin.
    #[arg(required = true, value_name = "PATH")]
    paths: Vec<PathBuf>,
    /// Output format.
    #[arg(long, short = 'f', value_enum, default_value_t = Format::Json)]
    format: Format,
    /// Write the output to FILE instead of stdout.
    #[arg(long, short = 'o', value_name = "FILE")]
    output: Option<PathBuf>,
    /// Leave the per-resource inventory list out of the output (counts stay).
    #[arg(long)]
    no_resources: bool,
    /// Print nothing on stderr but errors.
    #[arg(long, short = 'q')]
    quiet: bool,
    /// Pod Security Standards version to evaluate (`v1.30`, `latest`); a namespace's
    /// `pod-security.kubernetes.io/enforce-version` label takes precedence.
    #[arg(long, value_name = "VERSION", default_value = "latest")]
    pss_version: String,
    /// A registry (or registry/repository prefix) images may come from, e.g.
    /// `ghcr.io/acme`; repeat for several. Without it, image provenance is not checked.
    #[arg(long, value_name = "REGISTRY")]
    trusted_registry: Vec<String>,
    /// Accepted findings: a YAML or JSON file of exemptions (rule, namespace, kind,
    /// name, selector, reason, expires). Exempted findings stay in the output, marked.
    #[arg(long, value_name = "FILE")]
    exemptions: Option<PathBuf>,
    /// Exit with status 1 when a finding of this severity or higher remains after
    /// exemptions: critical, high, medium, low or informational.
    #[arg(long, value_name = "SEVERITY", value_parser = parse_severity)]
    fail_on: Option<Severity>,
    /// Start attack paths from every workload, not only internet-exposed ones
    /// ("assume breach").
    #[arg(long)]
    assume_breach: bool,
    /// Attack paths listed in the output, riskiest first (all are counted).
    #[arg(long, value_name = "N", default_value_t = 100)]
    max_paths: usize,
    /// Include the security graph (nodes and edges) in the JSON output.
    #[arg(long)]
    graph: bool,
}

#[derive(clap::Args)]
struct EnforceArgs {
    /// Files or folders to analyse (folders are walked recursively); `-` reads stdin.
    #[arg(required = true, value_name = "PATH")]
    paths: Vec<PathBuf>,
    /// The level to enforce: baseline or restricted. Default: each namespace's safe level
    /// for the labels, and the strictest level passed everywhere for the policy.
    #[arg(long, value_name = "LEVEL", value_parser = parse_level)]
    level: Option<pss::Level>,
    /// Pod Security Standards version to evaluate and pin (`v1.30`, `latest`); a
    /// namespace's `enforce-version` label takes precedence for its dry run.
    #[arg(long, value_name = "VERSION", default_value = "latest")]
    pss_version: String,
    /// What the policy binding does with a failing request: deny, or warn (admit with
    /// a warning to the client and an audit annotation, to roll out; the labels then keep
    /// each namespace's enforce level at what rejects nothing today).
    #[arg(long, value_enum, default_value_t = Mode::Deny)]
    mode: Mode,
    /// A namespace the policy and labels leave alone; repeat for several. Giving any
    /// replaces the default.
    #[arg(long, value_name = "NS", default_value = "kube-system")]
    exempt_namespace: Vec<String>,
    /// Write the YAML to FILE instead of stdout.
    #[arg(long, short = 'o', value_name = "FILE")]
    output: Option<PathBuf>,
}

#[derive(Clone, Copy, ValueEnum)]
enum Mode {
    /// Reject failing requests (validationActions: [Deny]).
    Deny,
    /// Admit them with a warning and an audit annotation (validationActions: [Warn, Audit]).
    Warn,
}

fn parse_level(s: &str) -> Result<pss::Level, String> {
    s.parse().map_err(|e: pss::ParseError| e.to_string())
}

/// `--pss-version`: `None` for latest.
fn parse_pss_version(v: &str) -> Result<Option<pss::Version>, String> {
    match v {
        "latest" => Ok(None),
        v => v
            .parse::<pss::Version>()
            .map(Some)
            .map_err(|e| format!("--pss-version {v}: {e}")),
    }
}

/// Reads every snapshot file under `paths`.
fn load(paths: &[PathBuf]) -> Result<Vec<InputFile>, String> {
    let mut files = Vec::new();
    for path in paths {
        collect(path, &mut files)?;
    }
    if files.is_empty() {
        return Err("no snapshot files found (looked for .json, .yaml, .yml, .jsonl)".into());
    }
    Ok(files)
}

/// Writes `bytes` to `output`, or stdout.
fn write_output(output: Option<&Path>, bytes: &[u8]) -> Result<(), String> {
    match output {
        Some(path) => {
            std::fs::write(path, bytes).map_err(|e| format!("cannot write {}: {e}", path.display()))
        }
        None => io::stdout()
            .lock()
            .write_all(bytes)
            .map_err(|e| format!("cannot write to stdout: {e}")),
    }
}

fn parse_severity(s: &str) -> Result<Severity, String> {
    Severity::parse(s)
        .ok_or_else(|| "expected critical, high, medium, low or informational".to_string())
}

/// Today's date (UTC) as YYYY-MM-DD, for exemption expiry.
fn today() -> String {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    let days = (secs / 86_400) as i64;
    // Civil date from days since 1970-01-01 (proleptic Gregorian calendar).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!("{year:04}-{month:02}-{day:02}")
}

#[derive(Clone, Copy, ValueEnum)]
enum Format {
    /// The documented `Analysis` JSON (schema/analysis.schema.json).
    Json,
    /// The security graph in BloodHound's OpenGraph JSON, for BloodHound CE's file
    /// ingest.
    Opengraph,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::Analyze(args) => match run_analyze(&args) {
            Ok(true) => ExitCode::SUCCESS,
            Ok(false) => ExitCode::from(1),
            Err(message) => {
                eprintln!("error: {message}");
                ExitCode::from(2)
            }
        },
        Command::Enforce(args) => match run_enforce(&args) {
            Ok(()) => ExitCode::SUCCESS,
            Err(message) => {
                eprintln!("error: {message}");
                ExitCode::from(2)
            }
        },
        Command::Rules => {
            list_rules();
            ExitCode::SUCCESS
        }
        Command::Explain { rule } => match rules::rule(&rule) {
            Some(r) => {
                explain(&r.info);
                ExitCode::SUCCESS
            }
            None => {
                eprintln!("error: no rule `{rule}`; `portolan rules` lists them");
                ExitCode::from(2)
            }
        },
    }
}

fn list_rules() {
    let mut out = io::stdout().lock();
    let _ = writeln!(
        out,
        "{:<28} {:<14} {:<24} TITLE",
        "RULE", "SEVERITY", "CATEGORY"
    );
    for r in rules::catalog() {
        let i = &r.info;
        let _ = writeln!(
            out,
            "{:<28} {:<14} {:<24} {}",
            i.id,
            i.severity.as_str(),
            i.category.label(),
            i.title
        );
    }
}

fn explain(i: &rules::RuleInfo) {
    let mut out = io::stdout().lock();
    let _ = writeln!(out, "{} — {}", i.id, i.title);
    let _ = writeln!(
        out,
        "Severity: {}    Category: {}    Applies to: {}",
        i.severity.as_str(),
        i.category.label(),
        i.kinds.join(", ")
    );
    let _ = writeln!(out, "Frameworks: {}\n", i.frameworks.join(", "));
    let _ = writeln!(out, "What it checks\n  {}\n", i.checks);
    let _ = writeln!(out, "Why it matters\n  {}\n", i.why);
    let _ = writeln!(out, "Failing example");
    for line in i.example.lines() {
        let _ = writeln!(out, "  {line}");
    }
    let _ = writeln!(out, "\nRemediation\n  {}", i.remediation);
}

/// Runs an analysis; `Ok(false)` when `--fail-on` is crossed.
fn run_analyze(args: &AnalyzeArgs) -> Result<bool, String> {
    let files = load(&args.paths)?;
    let pss_version = parse_pss_version(&args.pss_version)?;
    let exemptions = match &args.exemptions {
        None => Vec::new(),
        Some(path) => {
            let text =
                std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
            let (exemptions, problems) =
                rules::exemptions::parse(&path.display().to_string(), &text);
            if !problems.is_empty() {
                let lines: Vec<String> = problems.iter().map(|d| d.to_string()).collect();
                return Err(lines.join("\n"));
            }
            exemptions
        }
    };
    let options = AnalyzeOptions {
        include_resources: !args.no_resources,
        rules: rules::RuleOptions {
            pss_version,
            trusted_registries: args.trusted_registry.clone(),
            exemptions,
            today: Some(today()),
        },
        paths: portolan_engine::graph::PathOptions {
            assume_breach: args.assume_breach,
            max_paths: args.max_paths,
        },
        include_graph: args.graph || matches!(args.format, Format::Opengraph),
    };
    let analysis = analyze(&files, &options, &mut |_| {});
    report(&analysis, args.quiet);
    let mut bytes = match args.format {
        Format::Json => serde_json::to_vec_pretty(&analysis).map_err(|e| e.to_string())?,
        Format::Opengraph => {
            let graph = analysis.graph.clone().unwrap_or_default();
            serde_json::to_vec_pretty(&graph.open_graph()).map_err(|e| e.to_string())?
        }
    };
    bytes.push(b'\n');
    write_output(args.output.as_deref(), &bytes)?;
    let failing = args.fail_on.map_or(0, |threshold| {
        analysis
            .findings
            .iter()
            .filter(|f| f.exemption.is_none() && f.severity <= threshold)
            .count()
    });
    if failing > 0 && !args.quiet {
        eprintln!(
            "{failing} findings at or above {} remain: failing (--fail-on).",
            args.fail_on.map_or("", |s| s.as_str())
        );
    }
    Ok(failing == 0)
}

/// Adds `path` to `files`: a file as is, a folder walked recursively (in name order,
/// keeping only snapshot files), `-` as stdin.
fn collect(path: &Path, files: &mut Vec<InputFile>) -> Result<(), String> {
    if path.as_os_str() == "-" {
        let mut bytes = Vec::new();
        io::stdin()
            .read_to_end(&mut bytes)
            .map_err(|e| format!("cannot read stdin: {e}"))?;
        files.push(InputFile::new("<stdin>", bytes));
        return Ok(());
    }
    let meta = std::fs::metadata(path).map_err(|e| format!("{}: {e}", path.display()))?;
    if meta.is_file() {
        let bytes = std::fs::read(path).map_err(|e| format!("{}: {e}", path.display()))?;
        files.push(InputFile::new(path.display().to_string(), bytes));
        return Ok(());
    }
    let mut stack = vec![path.to_path_buf()];
    while let Some(dir) = stack.pop() {
        let mut entries: Vec<PathBuf> = std::fs::read_dir(&dir)
            .map_err(|e| format!("{}: {e}", dir.display()))?
            .filter_map(|e| e.ok().map(|e| e.path()))
            .collect();
        entries.sort();
        for entry in entries.into_iter().rev() {
            let name = entry.file_name().unwrap_or_default().to_string_lossy();
            if name.starts_with('.') {
                continue;
            }
            if entry.is_dir() {
                stack.push(entry);
            } else if is_snapshot_file(&name) {
                let bytes =
                    std::fs::read(&entry).map_err(|e| format!("{}: {e}", entry.display()))?;
                files.push(InputFile::new(entry.display().to_string(), bytes));
            }
        }
    }
    Ok(())
}

/// Diagnostics and a short inventory summary on stderr, for humans reading CI logs.
fn report(analysis: &Analysis, quiet: bool) {
    let stderr = io::stderr();
    let mut err = stderr.lock();
    for d in analysis
        .diagnostics()
        .chain(&analysis.exemptions.diagnostics)
    {
        if !quiet || d.level == Level::Error {
            let _ = writeln!(err, "{d}");
        }
    }
    if quiet {
        return;
    }
    let objects: usize = analysis.inputs.iter().map(|i| i.objects).sum();
    let errors = analysis
        .diagnostics()
        .filter(|d| d.level == Level::Error)
        .count();
    let _ = writeln!(
        err,
        "Read {} files, {} objects, {} errors.",
        analysis.inputs.len(),
        objects,
        errors
    );
    for cluster in &analysis.clusters {
        let _ = writeln!(
            err,
            "Cluster {} {} {}",
            cluster.name, cluster.version, cluster.server
        );
    }
    let mut line = String::from("Inventory:");
    let known = KIND_ORDER.iter().copied();
    let others = analysis
        .inventory
        .counts
        .keys()
        .map(String::as_str)
        .filter(|k| !KIND_ORDER.contains(k));
    for kind in known.chain(others) {
        let n = analysis.count(kind);
        if n > 0 {
            line.push_str(&format!(" {kind} {n},"));
        }
    }
    let _ = writeln!(err, "{}", line.trim_end_matches(','));
    let mut line = format!(
        "Findings: {} on {} recommendations (",
        analysis.findings.len(),
        analysis.recommendations.len()
    );
    let by_severity: Vec<String> = Severity::ALL
        .iter()
        .map(|s| {
            let n = analysis
                .findings
                .iter()
                .filter(|f| f.severity == *s)
                .count();
            format!("{n} {}", s.as_str())
        })
        .collect();
    line.push_str(&by_severity.join(", "));
    let _ = writeln!(err, "{line}).");
    let _ = writeln!(err, "Secure score: {:.1}%", analysis.secure_score.overall);
    report_vulnerabilities(&mut err, analysis);
    report_paths(&mut err, analysis);
}

/// One line on the image scans, when there are any.
fn report_vulnerabilities(err: &mut impl Write, analysis: &Analysis) {
    let s = &analysis.vulnerabilities.summary;
    if s.scans == 0 {
        return;
    }
    let c = &s.by_severity;
    let mut line = format!(
        "Vulnerabilities: {} in {} of {} running images ({} critical, {} high; {} fixable, {} remotely exploitable",
        s.vulnerabilities, s.scanned_images, s.running_images, c.critical, c.high, s.fixable, s.remotely_exploitable
    );
    if s.known_exploited > 0 {
        line.push_str(&format!(", {} known exploited", s.known_exploited));
    }
    line.push_str(&format!(
        "), {} affected workloads; {} images not scanned",
        s.affected_workloads, s.not_scanned_images
    ));
    match s.unused_scans {
        0 => {}
        1 => line.push_str(", 1 scan of an image nothing runs"),
        n => line.push_str(&format!(", {n} scans of images nothing runs")),
    }
    let _ = writeln!(err, "{line}.");
}

/// The attack path summary: counts, the riskiest paths and the choke points.
fn report_paths(err: &mut impl Write, analysis: &Analysis) {
    let ap = &analysis.attack_paths;
    let from = if ap.mode == "assume-breach" {
        "workloads (assume breach)"
    } else {
        "internet-exposed entry points"
    };
    let targets: Vec<String> = ap
        .by_target
        .iter()
        .map(|(t, n)| format!("{t} {n}"))
        .collect();
    let _ = writeln!(
        err,
        "Attack paths: {} from {} {from}{}",
        ap.total,
        ap.entries,
        if targets.is_empty() {
            ".".to_string()
        } else {
            format!(" ({}).", targets.join(", "))
        }
    );
    for (i, p) in ap.paths.iter().take(5).enumerate() {
        let _ = writeln!(err, "  {}. [risk {:.1}] {}", i + 1, p.risk, p.title);
    }
    let cp = &ap.choke_points;
    if ap.total > 0 {
        let _ = writeln!(err, "Choke points: {}", cp.summary);
        for (i, f) in cp.fixes.iter().take(cp.recommended).enumerate() {
            let r = &f.resource;
            let name = if r.namespace.is_empty() {
                r.name.clone()
            } else {
                format!("{}/{}", r.namespace, r.name)
            };
            let _ = writeln!(err, "  {}. {} on {} {name}", i + 1, f.rule, r.kind);
        }
    }
}

/// `portolan enforce`: the dry run on stderr, the labels and the policy as YAML.
fn run_enforce(args: &EnforceArgs) -> Result<(), String> {
    let files = load(&args.paths)?;
    let pss_version = parse_pss_version(&args.pss_version)?;
    let options = AnalyzeOptions {
        include_resources: false,
        rules: rules::RuleOptions {
            pss_version,
            ..Default::default()
        },
        ..AnalyzeOptions::default()
    };
    let analysis = analyze(&files, &options, &mut |_| {});
    for d in analysis.diagnostics() {
        eprintln!("{d}");
    }
    let exempt = &args.exempt_namespace;
    let enforced: Vec<&NamespaceEnforcement> = analysis
        .enforcement
        .iter()
        .filter(|n| !exempt.contains(&n.namespace))
        .collect();
    // Without --level, the policy enforces what every non-exempt namespace passes.
    let policy_level = match args.level {
        Some(level) => PodSecurityLevel::from(level),
        None => enforced
            .iter()
            .map(|n| n.safe_level)
            .min()
            .unwrap_or(PodSecurityLevel::Restricted),
    };
    dry_run_table(&analysis.enforcement, args, policy_level);

    let version = pss_version.unwrap_or(pss::NEWEST_VERSION);
    let mut yaml = format!(
        "# Generated by portolan {} enforce: Pod Security Admission labels, then a\n\
         # ValidatingAdmissionPolicy and its binding. Review before applying.\n",
        portolan_engine::VERSION
    );
    yaml.push_str(&enforce::namespace_labels_yaml(
        &analysis.enforcement,
        &enforce::LabelOptions {
            // Rolling out: the labels must not start rejecting either.
            target: match args.mode {
                Mode::Deny => args.level.map(PodSecurityLevel::from),
                Mode::Warn => None,
            },
            exempt_namespaces: exempt.clone(),
        },
    ));
    let level = match policy_level {
        PodSecurityLevel::Privileged => None,
        PodSecurityLevel::Baseline => Some(pss::Level::Baseline),
        PodSecurityLevel::Restricted => Some(pss::Level::Restricted),
    };
    match level {
        Some(level) => yaml.push_str(&enforce::admission_policy_yaml(&enforce::PolicyOptions {
            level,
            version,
            mode: match args.mode {
                Mode::Deny => enforce::EnforcementMode::Deny,
                Mode::Warn => enforce::EnforcementMode::Warn,
            },
            exempt_namespaces: exempt.clone(),
        })),
        None => yaml.push_str(
            "# No admission policy: some workload outside the exempt namespaces fails\n\
             # baseline. Pass --level baseline --mode warn to roll it out as warnings.\n",
        ),
    }
    write_output(args.output.as_deref(), yaml.as_bytes())
}

/// The dry run, for people: one row per namespace, then the workloads the target level
/// would reject.
fn dry_run_table(
    namespaces: &[NamespaceEnforcement],
    args: &EnforceArgs,
    policy: PodSecurityLevel,
) {
    let mut err = io::stderr().lock();
    let width = namespaces
        .iter()
        .map(|n| n.namespace.chars().count())
        .max()
        .unwrap_or(0)
        .max("NAMESPACE".len());
    let _ = writeln!(
        err,
        "{:<width$}  {:<12} {:<8} {:>9}  {:<10}  {:>8}  {:>10}",
        "NAMESPACE", "ENFORCE NOW", "VERSION", "WORKLOADS", "SAFE LEVEL", "BASELINE", "RESTRICTED"
    );
    for n in namespaces {
        let now = if n.labels.enforce.is_empty() {
            if n.observed {
                "-"
            } else {
                "?"
            }
        } else {
            n.labels.enforce.as_str()
        };
        let exempt = args.exempt_namespace.contains(&n.namespace);
        let _ = writeln!(
            err,
            "{:<width$}  {:<12} {:<8} {:>9}  {:<10}  {:>8}  {:>10}{}",
            n.namespace,
            now,
            n.version.to_string(),
            n.workloads,
            n.safe_level.as_str(),
            n.baseline.len(),
            n.restricted.len(),
            if exempt { "  (exempt)" } else { "" }
        );
    }
    let target = args
        .level
        .map_or(PodSecurityLevel::Restricted, PodSecurityLevel::from);
    let _ = writeln!(err);
    let mut total = 0;
    for n in namespaces {
        if args.exempt_namespace.contains(&n.namespace) {
            continue;
        }
        let rejected = n.rejected_at(target);
        if rejected.is_empty() {
            continue;
        }
        total += rejected.len();
        let _ = writeln!(
            err,
            "Labelling namespace {} enforce={} would reject {}:",
            n.namespace,
            target.as_str(),
            enforce::workloads_phrase(rejected.len())
        );
        for w in rejected {
            let whose = if w.controller { " (its pods)" } else { "" };
            let _ = writeln!(err, "  {}{whose}: {}", w.describe(), w.check_ids());
        }
    }
    if total == 0 {
        let _ = writeln!(
            err,
            "enforce={} rejects no workload outside the exempt namespaces.",
            target.as_str()
        );
    }
    let _ = writeln!(
        err,
        "Policy: {}{}.",
        match policy {
            PodSecurityLevel::Privileged => "none (no level passes everywhere)".to_string(),
            level => format!("portolan-pss-{}", level.as_str()),
        },
        match (policy, args.mode) {
            (PodSecurityLevel::Privileged, _) => "",
            (_, Mode::Deny) => ", denying",
            (_, Mode::Warn) => ", warning and auditing",
        }
    );
}
