//! `portolan`: the command-line front end over the engine, for CI pipelines.
//!
//! A thin shell: it reads files and folders (or stdin), hands their bytes to
//! `portolan_engine::analyze`, and writes the `Analysis` in the requested format.
//! Located input errors go to stderr and into the output; they never stop the run.

mod alloc;
mod audit;
mod iam;
mod paths;
mod policies;
mod query;
mod tables;

use std::io::{self, IsTerminal, Read, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};
use portolan_engine::analysis::{load_with_audit, Snapshot};
use portolan_engine::enforce::{self, NamespaceEnforcement, PodSecurityLevel};
use portolan_engine::ingest::is_snapshot_file;
use portolan_engine::model::KIND_ORDER;
use portolan_engine::rules::{self, pss, Severity};
use portolan_engine::source::Level;
use portolan_engine::{conclude, diff, report, Analysis, AnalyzeOptions, InputFile, Progress};

#[derive(Parser)]
#[command(
    name = "portolan",
    version,
    about = "Kubernetes and cloud security analysis of exported snapshots, offline.",
    long_about = "Portolan analyses snapshots of Kubernetes clusters (kubectl exports, manifests)\n\
                  without sending them anywhere. Export a snapshot with public/collect.sh or\n\
                  `kubectl get ... -o json`, then analyse it here or in the browser app.",
    after_help = "Examples:\n  \
        # Analyse an exported snapshot and print the summary; JSON goes to stdout\n  \
        portolan analyze ./portolan-snapshot > analysis.json\n\n  \
        # Write the HTML report, SARIF and CSV for a CI job\n  \
        portolan analyze ./portolan-snapshot --format html,sarif,csv --output reports/\n\n  \
        # What changed since the last export\n  \
        portolan diff last-week.json ./portolan-snapshot\n\n  \
        # Explain a rule\n  \
        portolan explain privileged\n\n\
        Use \"portolan <command> --help\" for more information about a command."
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Analyse snapshot files and folders and write the analysis.
    #[command(
        long_about = "Analyse snapshot files and folders and write the analysis.\n\n\
            Reads Kubernetes snapshots (kubectl JSON or YAML, manifests, folders of them, or\n\
            stdin with -), evaluates the hardening rules, finds attack paths, and writes the\n\
            analysis in one or more formats. A summary and located input errors go to stderr.\n\n\
            Formats (--format, comma-separated or repeated):\n  \
              json       the documented Analysis (schema/analysis.schema.json)\n  \
              html       a self-contained report: one file, opens offline, makes no request\n  \
              sarif      SARIF 2.1.0, for GitHub code scanning and other SARIF viewers\n  \
              csv        one row per finding, for spreadsheets\n  \
              opengraph  the security graph as BloodHound OpenGraph JSON\n\n\
            Output (--output): with one format, the file to write (default: stdout). With\n\
            several, a directory (existing, or given with a trailing /; it is created) that\n\
            receives portolan.json, portolan.html, portolan.sarif, portolan.csv and\n\
            portolan.opengraph.json; or a base name: --output out/scan writes out/scan.json,\n\
            out/scan.html, ... (a trailing .json/.html/.sarif/.csv on the base is dropped).",
        after_help = "Examples:\n  \
        # Analyse an exported snapshot folder and write JSON to a file\n  \
        portolan analyze ./portolan-snapshot --format json --output analysis.json\n\n  \
        # Analyse straight from kubectl\n  \
        kubectl get pods,deployments -A -o json | portolan analyze -\n\n  \
        # The HTML report to hand over, and SARIF for code scanning, in one run\n  \
        portolan analyze ./portolan-snapshot -f html,sarif -o reports/\n\n  \
        # Gate a pipeline on high findings, with accepted risks exempted\n  \
        portolan analyze manifests/ --exemptions exemptions.yaml --fail-on high -q -f sarif -o portolan.sarif"
    )]
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
    /// Compare two snapshots or analyses: new, fixed and unchanged findings and paths.
    #[command(
        long_about = "Compare two snapshots or analyses: new, fixed and unchanged findings and attack\n\
            paths, and the change of the secure score.\n\n\
            OLD and NEW are each a snapshot (a file, a folder or - for stdin) or an analysis\n\
            JSON written by `portolan analyze`, told apart by content. Findings match on rule,\n\
            resource, container and field; attack paths on their id (only listed paths are\n\
            compared: raise --max-paths to compare more). Prints a summary (or JSON with\n\
            --format json) on stdout.\n\n\
            --format csv writes one row per finding, --format paths-csv one per listed attack\n\
            path, each with a status column first: new, fixed (gone while its resource or\n\
            entry is still there), no-longer-present (its resource or entry is not in NEW:\n\
            out of view, not fixed), exemption-changed or unchanged. --status, --severity,\n\
            --search and --sort narrow and order them as the app's compare page does, whose\n\
            \"Export CSV\" of a table writes the same bytes as --status of that table.",
        after_help = "Examples:\n  \
            # Drift between last week's export and today's\n  \
            portolan diff ./snapshot-2026-11-19 ./snapshot-2026-11-26\n\n  \
            # Against a saved analysis, failing the pipeline on a new high finding\n  \
            portolan analyze ./main-snapshot -o baseline.json\n  \
            portolan diff baseline.json ./pr-snapshot --fail-on-new high\n\n  \
            # Machine-readable drift\n  \
            portolan diff old.json new.json --format json --output drift.json\n\n  \
            # New high findings for a ticket import\n  \
            portolan diff old.json new.json -f csv --status new --severity high -o new-high.csv"
    )]
    Diff(DiffArgs),
    /// Ask the security graph a question: the chains of nodes a query matches.
    #[command(
        long_about = "Ask the security graph a question: a start kind with conditions, then relation\n\
            steps (docs/query.md has the grammar, relations, conditions and templates). Prints\n\
            each matching chain, start first, as a table, JSON or CSV; the count goes to stderr.\n\
            Exits 1 when nothing matches.",
        after_help = "Examples:\n  \
            # Internet-exposed workloads running an image with a critical vulnerability\n  \
            portolan query ./portolan-snapshot 'workloads where exposed and vulnerability >= critical'\n\n  \
            # Who can exec into kube-system, as JSON\n  \
            portolan query ./portolan-snapshot --template exec-into-kube-system -f json\n\n  \
            # The built-in templates\n  \
            portolan query --list-templates"
    )]
    Query(query::QueryArgs),
    /// Explain a cloud principal's effective permissions: why it may or may not do an action.
    #[command(
        long_about = "Explain a cloud principal's effective permissions from the IAM exports among the\n\
            inputs (AWS get-account-authorization-details, Azure role assignments and\n\
            definitions, gcloud IAM policies): for each action, allowed, allowed under\n\
            conditions, denied explicitly, outside the permission boundary or not allowed,\n\
            with the statements (role assignments, bindings) that decide it. An action with\n\
            wildcards is answered for itself and for each narrower action the principal's\n\
            policies name. Exits 1 when no principal has that name (close names on stderr).",
        after_help = "Examples:\n  \
            # Why can the role read S3 objects?\n  \
            portolan iam ./portolan-snapshot --principal payments-s3-reader --action s3:GetObject\n\n  \
            # Everything a user's policies name, as JSON\n  \
            portolan iam ./portolan-snapshot --principal dana -f json"
    )]
    Iam(iam::IamArgs),
    /// List the attack paths, filtered by target, entry or a search, as a table, JSON or CSV.
    #[command(
        long_about = "List the attack paths of a snapshot, riskiest first, filtered as the app's attack\n\
            paths page filters them: --target (a target class), --entry (the resource a path\n\
            starts from, `Kind namespace/name`) and --search (a title search, or the page's\n\
            groups entry:, through:, target:, fix:). All given filters must hold. Only the\n\
            listed paths are filtered (the riskiest --max-paths). --format csv writes the same\n\
            bytes as the app's \"Export CSV\" for the same filter. The match count goes to stderr.",
        after_help = "Examples:\n  \
            # Paths to cluster-admin rights, for a spreadsheet\n  \
            portolan paths ./portolan-snapshot --target cluster-admin --format csv -o paths.csv\n\n  \
            # Where one exposed workload leads\n  \
            portolan paths ./portolan-snapshot --entry 'Deployment shop/web'\n\n  \
            # Paths through one service account, as JSON\n  \
            portolan paths ./portolan-snapshot --search 'through:ServiceAccount ci/deployer' -f json"
    )]
    Paths(paths::PathsArgs),
    /// List the inventory: the count of every kind, or one kind's resources.
    #[command(
        long_about = "List the inventory of a snapshot: without --kind, the count of every kind; with\n\
            --kind, that kind's resources with its columns, filtered and sorted as the app's\n\
            inventory page does it: --in-namespace (the page's namespace filter), --search\n\
            (name, namespace, any column or the source file, ignoring case) and --sort (a\n\
            column's header, --descending to reverse). --format csv writes the same bytes as\n\
            the page's \"Export CSV\" for the same filter. The match count goes to stderr.",
        after_help = "Examples:\n  \
            # What kinds the snapshot holds, and how many of each\n  \
            portolan inventory ./portolan-snapshot\n\n  \
            # The Deployments of kube-system, for a spreadsheet\n  \
            portolan inventory ./portolan-snapshot --kind Deployment --in-namespace kube-system -f csv -o deployments.csv\n\n  \
            # Services whose columns mention LoadBalancer\n  \
            portolan inventory ./portolan-snapshot --kind Service --search loadbalancer"
    )]
    Inventory(tables::InventoryArgs),
    /// List the vulnerabilities of the images the cluster runs: by image, CVE or workload.
    #[command(
        long_about = "List the vulnerabilities of the images a snapshot runs, from the Trivy or Grype\n\
            reports given with it, as one of the app's three tables: --view images, cves or\n\
            workloads. Filtered as the app's vulnerabilities page filters them: --severity (an\n\
            image, CVE or workload is kept when it has a vulnerability of that severity),\n\
            --fixable (only vulnerabilities with a fixed version) and --search; sorted by\n\
            --sort (a column key: images: image, runs, critical, high, medium, low, fixable,\n\
            upgrades; cves: id, severity, cvss, remote, packages, workloads; workloads:\n\
            workload, image, priority, critical, high, medium, low), --descending to reverse.\n\
            --format csv writes the same bytes as the page's \"Export CSV\" for the same filter.",
        after_help = "Examples:\n  \
            # Images with a fixable critical vulnerability\n  \
            portolan vulns ./portolan-snapshot --severity critical --fixable\n\n  \
            # Critical CVEs, highest CVSS first, for a spreadsheet\n  \
            portolan vulns ./portolan-snapshot --view cves --severity critical --sort cvss --descending -f csv\n\n  \
            # The most urgent containers\n  \
            portolan vulns ./portolan-snapshot --view workloads --sort priority --descending"
    )]
    Vulns(tables::VulnsArgs),
    /// List the hardening rules.
    Rules,
    /// List the audit-log detections (alert types).
    Detections,
    /// Test admission policies: run Gatekeeper-style suites (gator verify's suite.yaml).
    #[command(subcommand)]
    Policies(PoliciesCommand),
    /// Show the documentation of one rule or detection.
    Explain {
        /// A rule id, as `portolan rules` lists them (e.g. `privileged`), or an alert
        /// type, as `portolan detections` lists them (e.g. `K8S_ExecIntoContainer`).
        rule: String,
    },
}

#[derive(Subcommand)]
enum PoliciesCommand {
    /// Run every suite (a YAML file of kind Suite) under the paths; print each case and
    /// exit with status 1 when one fails.
    #[command(after_help = "Examples:\n  \
        # Test a folder of templates, constraints and their suites\n  \
        portolan policies test ./policies")]
    Test {
        /// Suite files or folders holding them.
        #[arg(required = true, value_name = "DIR_OR_FILE")]
        paths: Vec<PathBuf>,
        /// Print failures and the summary only.
        #[arg(long, short = 'q')]
        quiet: bool,
    },
}

#[derive(clap::Args)]
struct AnalyzeArgs {
    /// Files or folders to analyse (folders are walked recursively); `-` reads stdin.
    #[arg(required = true, value_name = "PATH")]
    paths: Vec<PathBuf>,
    /// Output formats: json, html, sarif, csv, opengraph; comma-separated or repeated.
    #[arg(
        long,
        short = 'f',
        value_enum,
        value_delimiter = ',',
        default_value = "json"
    )]
    format: Vec<Format>,
    /// Where to write: a FILE for one format (default: stdout); for several, a directory
    /// or a base name (see above).
    #[arg(long, short = 'o', value_name = "FILE|DIR|BASE")]
    output: Option<PathBuf>,
    /// Leave the per-resource inventory list out of the output (counts stay).
    #[arg(long)]
    no_resources: bool,
    /// Print nothing on stderr but errors (no summary, no progress).
    #[arg(long, short = 'q')]
    quiet: bool,
    /// Exit with status 1 when a finding of this severity or higher remains after
    /// exemptions: critical, high, medium, low or informational.
    #[arg(long, value_name = "SEVERITY", value_parser = parse_severity)]
    fail_on: Option<Severity>,
    /// Include the security graph (nodes and edges) in the JSON output.
    #[arg(long)]
    graph: bool,
    /// Analyse this cluster alone, when the inputs hold several cluster folders: its
    /// folder's files and the account-level files (IAM exports, scans) it shares.
    #[arg(long, value_name = "NAME")]
    cluster: Option<String>,
    #[command(flatten)]
    engine: EngineArgs,
}

/// Settings of the analysis itself, shared by `analyze` and `diff`.
#[derive(clap::Args)]
struct EngineArgs {
    /// Pod Security Standards version to evaluate (`v1.30`, `latest`); a namespace's
    /// `pod-security.kubernetes.io/enforce-version` label takes precedence.
    #[arg(long, value_name = "VERSION", default_value = "latest")]
    pss_version: String,
    /// A registry (or registry/repository prefix) images may come from, e.g.
    /// `ghcr.io/acme`; repeat for several. Without it, image provenance is not checked.
    #[arg(long, value_name = "REGISTRY")]
    trusted_registry: Vec<String>,
    /// A registry (or registry/repository prefix) images must not come from, e.g.
    /// `docker.io`; repeat for several. Matched like `--trusted-registry`.
    #[arg(long, value_name = "REGISTRY")]
    blocked_registry: Vec<String>,
    /// Accepted findings: a YAML or JSON file of exemptions (rule, namespace, kind,
    /// name, selector, reason, expires). Exempted findings stay in the output, marked.
    #[arg(long, value_name = "FILE")]
    exemptions: Option<PathBuf>,
    /// Start attack paths from every workload, not only internet-exposed ones
    /// ("assume breach").
    #[arg(long)]
    assume_breach: bool,
    /// Attack paths listed in the output, riskiest first (all are counted).
    #[arg(long, value_name = "N", default_value_t = 100)]
    max_paths: usize,
    /// The namespace of namespaced objects written without `metadata.namespace`, as
    /// kubectl's `--namespace` (default: `default`).
    #[arg(long, short = 'n', value_name = "NS")]
    namespace: Option<String>,
    /// Admission policies to evaluate: a file or folder of Gatekeeper ConstraintTemplates
    /// and constraints, or ValidatingAdmissionPolicies and bindings (and their parameter
    /// objects); repeatable. Their violations are findings (rule `<Kind>/<name>`).
    #[arg(long, value_name = "DIR_OR_FILE")]
    policies: Vec<PathBuf>,
    /// Count policy findings in the secure score (by default they are not).
    #[arg(long)]
    score_policies: bool,
}

#[derive(clap::Args)]
struct DiffArgs {
    /// The earlier snapshot (file, folder or `-`) or analysis JSON.
    #[arg(value_name = "OLD")]
    old: PathBuf,
    /// The later snapshot (file, folder or `-`) or analysis JSON.
    #[arg(value_name = "NEW")]
    new: PathBuf,
    /// Output format: text (a summary for people), json, csv (findings) or paths-csv.
    #[arg(long, short = 'f', value_enum, default_value_t = DiffFormat::Text)]
    format: DiffFormat,
    /// CSV formats: only rows of this status: new, fixed, no-longer-present,
    /// exemption-changed or unchanged; repeat for several (default: all).
    #[arg(long, value_name = "STATUS", value_parser = parse_status)]
    status: Vec<report::drift::DriftStatus>,
    /// CSV formats: only findings of this severity; for paths-csv, paths of this risk
    /// band (high, medium or low).
    #[arg(long, value_name = "SEVERITY", value_parser = parse_severity)]
    severity: Option<Severity>,
    /// CSV formats: the compare page's search and sort (findings search rule, resource,
    /// container, message and file and sort by severity, rule, resource or source;
    /// paths search as `portolan paths --search` or the entry, and sort by risk, path,
    /// entry or target). Each status's rows are sorted on their own.
    #[command(flatten)]
    table: tables::TableArgs,
    /// Write the output to FILE instead of stdout.
    #[arg(long, short = 'o', value_name = "FILE")]
    output: Option<PathBuf>,
    /// Exit with status 1 when NEW has a finding of this severity or higher that OLD did
    /// not have and no exemption covers.
    #[arg(long, value_name = "SEVERITY", value_parser = parse_severity)]
    fail_on_new: Option<Severity>,
    /// Print nothing on stderr but errors.
    #[arg(long, short = 'q')]
    quiet: bool,
    #[command(flatten)]
    engine: EngineArgs,
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum DiffFormat {
    /// A summary for people.
    Text,
    /// The `AnalysisDiff` as JSON.
    Json,
    /// One row per finding with its status (RFC 4180): the compare page's finding exports.
    Csv,
    /// One row per listed attack path with its status: the compare page's path exports.
    PathsCsv,
}

fn parse_status(s: &str) -> Result<report::drift::DriftStatus, String> {
    report::drift::DriftStatus::from_name(s).ok_or_else(|| {
        "expected new, fixed, no-longer-present, exemption-changed or unchanged".to_string()
    })
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
    /// The namespace of namespaced objects written without `metadata.namespace`, as
    /// kubectl's `--namespace` (default: `default`).
    #[arg(long, short = 'n', value_name = "NS")]
    namespace: Option<String>,
    /// The cluster to write labels and a policy for, when the inputs hold several
    /// cluster folders (labels and policies are applied to one cluster at a time).
    #[arg(long, value_name = "NAME")]
    cluster: Option<String>,
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

/// The inputs under the paths given: snapshot files read whole, and audit logs, which
/// are streamed into the engine when it runs.
#[derive(Default)]
struct Inputs {
    files: Vec<InputFile>,
    audit_logs: Vec<PathBuf>,
}

/// Reads every snapshot file under `paths`; audit logs are only noted.
fn load(paths: &[PathBuf]) -> Result<Inputs, String> {
    let mut inputs = Inputs::default();
    for path in paths {
        collect(path, &mut inputs)?;
    }
    if inputs.files.is_empty() && inputs.audit_logs.is_empty() {
        return Err("no snapshot files found (looked for .json, .yaml, .yml, .jsonl)".into());
    }
    Ok(inputs)
}

/// Fails before an analysis that may take seconds, rather than after it, when `output`
/// cannot be a file to write: its directory is missing, or it is a directory itself.
/// (A write the file system refuses, e.g. for permissions, still shows at the write.)
pub(crate) fn check_output(output: Option<&Path>) -> Result<(), String> {
    let Some(path) = output else { return Ok(()) };
    if path.is_dir() {
        return Err(format!(
            "cannot write {}: it is a directory",
            path.display()
        ));
    }
    let dir = path
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    if !dir.is_dir() {
        return Err(format!(
            "cannot write {}: there is no directory {}",
            path.display(),
            dir.display()
        ));
    }
    Ok(())
}

/// Writes to `output` (stdout when `None`) through a buffer. The buffer's type is known
/// to `write` (only its flushes go through `dyn Write`): serde_json writes a token at a
/// time, and each went through a dynamic call before (2% of a 100,000-pod run).
fn write_with(
    output: Option<&Path>,
    write: impl FnOnce(&mut io::BufWriter<Box<dyn Write + '_>>) -> io::Result<()>,
) -> Result<(), String> {
    let (sink, name): (Box<dyn Write>, String) = match output {
        Some(path) => (
            Box::new(
                std::fs::File::create(path)
                    .map_err(|e| format!("cannot write {}: {e}", path.display()))?,
            ),
            path.display().to_string(),
        ),
        None => (Box::new(io::stdout().lock()), "to stdout".into()),
    };
    let mut out = io::BufWriter::with_capacity(1 << 16, sink);
    write(&mut out)
        .and_then(|()| out.flush())
        .map_err(|e| format!("cannot write {name}: {e}"))
}

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

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Format {
    /// The documented `Analysis` JSON (schema/analysis.schema.json).
    Json,
    /// A self-contained HTML report: one file that opens offline and makes no request.
    Html,
    /// SARIF 2.1.0, for GitHub code scanning and other SARIF viewers.
    Sarif,
    /// One row per finding (RFC 4180), for spreadsheets.
    Csv,
    /// The security graph in BloodHound's OpenGraph JSON, for BloodHound CE's file
    /// ingest.
    Opengraph,
}

impl Format {
    /// The file name suffix of the format, when `--output` names a directory or base.
    fn extension(self) -> &'static str {
        match self {
            Format::Json => "json",
            Format::Html => "html",
            Format::Sarif => "sarif",
            Format::Csv => "csv",
            Format::Opengraph => "opengraph.json",
        }
    }
}

/// Where each format goes: `None` is stdout. One format: `output` is its file, or a
/// directory to write `portolan.EXT` into. Several: `output` is a directory (existing or
/// ending with a separator, created) or a base name that gets each format's suffix.
fn output_paths(
    formats: &[Format],
    output: Option<&Path>,
) -> Result<Vec<(Format, Option<PathBuf>)>, String> {
    let Some(output) = output else {
        return match formats {
            [format] => Ok(vec![(*format, None)]),
            _ => Err("several formats need --output: a directory or a base name".into()),
        };
    };
    let text = output.to_string_lossy();
    let is_dir =
        output.is_dir() || text.ends_with('/') || text.ends_with(std::path::MAIN_SEPARATOR);
    if is_dir {
        std::fs::create_dir_all(output)
            .map_err(|e| format!("cannot create {}: {e}", output.display()))?;
        return Ok(formats
            .iter()
            .map(|f| (*f, Some(output.join(format!("portolan.{}", f.extension())))))
            .collect());
    }
    if let [format] = formats {
        return Ok(vec![(*format, Some(output.to_path_buf()))]);
    }
    let name = output
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let base = [".json", ".html", ".sarif", ".csv"]
        .iter()
        .find_map(|ext| name.strip_suffix(ext))
        .unwrap_or(&name)
        .to_string();
    Ok(formats
        .iter()
        .map(|f| {
            (
                *f,
                Some(output.with_file_name(format!("{base}.{}", f.extension()))),
            )
        })
        .collect())
}

/// A progress callback that redraws one line on stderr, when stderr is a terminal and
/// not `--quiet`; `None` otherwise. Call [`end_progress`] after the run.
fn progress_line(quiet: bool) -> Option<impl FnMut(Progress)> {
    if quiet || !io::stderr().is_terminal() {
        return None;
    }
    Some(|p: Progress| {
        let what = match p.stage.as_str() {
            "parse" => format!("Reading {}/{} {}", p.done, p.total, p.file),
            "model" => "Building the inventory".to_string(),
            "rules" => "Evaluating the rules".to_string(),
            "graph" => "Finding attack paths".to_string(),
            other => other.to_string(),
        };
        let mut err = io::stderr().lock();
        let _ = write!(
            err,
            "\r\x1b[2K{}",
            what.chars().take(100).collect::<String>()
        );
        let _ = err.flush();
    })
}

/// Clears the progress line.
fn end_progress(shown: bool) {
    if shown {
        let mut err = io::stderr().lock();
        let _ = write!(err, "\r\x1b[2K");
        let _ = err.flush();
    }
}

/// Runs the engine, with a progress line when it is wanted; audit logs are streamed
/// into it a chunk at a time.
/// Loads `inputs` and concludes the analysis. The input bytes are dropped once the
/// snapshot is loaded, and the snapshot once concluded: the peak holds at most the
/// snapshot and the analysis beside the bytes' typed model, never the bytes themselves.
fn run_engine(inputs: Inputs, options: &AnalyzeOptions, quiet: bool) -> Result<Analysis, String> {
    run_engine_for(inputs, options, quiet, None).map(|(analysis, _)| analysis)
}

/// [`run_engine`], of the cluster named `cluster` alone when given
/// (`Snapshot::keep_cluster`), with the snapshot it concluded from, for the caller to
/// drop when it suits it.
fn run_engine_for(
    inputs: Inputs,
    options: &AnalyzeOptions,
    quiet: bool,
    cluster: Option<&str>,
) -> Result<(Analysis, Snapshot), String> {
    let mut detector = portolan_engine::detect::Detector::default();
    let mut streamed = Vec::new();
    for path in &inputs.audit_logs {
        streamed.push(audit::stream(path, &mut detector)?);
    }
    let files = inputs.files;
    let mut progress = progress_line(quiet);
    let mut snapshot = match &mut progress {
        Some(progress) => load_with_audit(&files, &options.load, detector, streamed, progress),
        None => load_with_audit(&files, &options.load, detector, streamed, &mut |_| {}),
    };
    drop(files);
    alloc::give_back();
    if let Some(cluster) = cluster {
        if let Err(e) = snapshot.keep_cluster(cluster) {
            end_progress(progress.is_some());
            return Err(e);
        }
    }
    let analysis = conclude(&snapshot, options);
    if progress.is_some() {
        end_progress(true);
    }
    Ok((analysis, snapshot))
}

fn main() -> ExitCode {
    // On Linux a constructor tuned the allocator before the first allocation.
    #[cfg(not(target_os = "linux"))]
    alloc::tune();
    let cli = Cli::parse();
    match cli.command {
        Command::Analyze(args) => exit(run_analyze(&args)),
        Command::Diff(args) => exit(run_diff(&args)),
        Command::Enforce(args) => exit(run_enforce(&args).map(|()| true)),
        Command::Policies(PoliciesCommand::Test { paths, quiet }) => {
            exit(policies::test(&paths, quiet))
        }
        Command::Paths(args) => exit(paths::run(&args).map(|()| true)),
        Command::Inventory(args) => exit(tables::inventory(&args).map(|()| true)),
        Command::Vulns(args) => exit(tables::vulns(&args).map(|()| true)),
        Command::Query(args) => exit(query::run(&args)),
        Command::Iam(args) => exit(iam::run(&args)),
        Command::Rules => {
            list_rules();
            ExitCode::SUCCESS
        }
        Command::Detections => {
            audit::list_detections();
            ExitCode::SUCCESS
        }
        Command::Explain { rule } => match (
            rules::rule(&rule),
            portolan_engine::detect::detection(&rule),
        ) {
            (Some(r), _) => {
                explain(&r.info);
                ExitCode::SUCCESS
            }
            (None, Some(d)) => {
                audit::explain(&d.info, d.check.is_none());
                ExitCode::SUCCESS
            }
            (None, None) => {
                eprintln!(
                    "error: no rule or detection `{rule}`; `portolan rules` and `portolan detections` list them"
                );
                ExitCode::from(2)
            }
        },
    }
}

/// The exit code of a command: 0, 1 when it ran and a gate failed (`Ok(false)`), 2 on an
/// error, which goes to stderr.
fn exit(result: Result<bool, String>) -> ExitCode {
    match result {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::from(1),
        Err(message) => {
            eprintln!("error: {message}");
            ExitCode::from(2)
        }
    }
}

/// `portolan rules`: one aligned row per rule, columns as wide as their longest value.
fn list_rules() {
    let catalog: Vec<&rules::Rule> = rules::catalog().collect();
    let width = |f: &dyn Fn(&rules::RuleInfo) -> usize, header: &str| {
        catalog
            .iter()
            .map(|r| f(&r.info))
            .max()
            .unwrap_or(0)
            .max(header.len())
    };
    let id = width(&|i| i.id.chars().count(), "RULE");
    let severity = width(&|i| i.severity.as_str().len(), "SEVERITY");
    let category = width(&|i| i.category.label().chars().count(), "CATEGORY");
    let mut out = io::stdout().lock();
    let _ = writeln!(
        out,
        "{:<id$}  {:<severity$}  {:<category$}  TITLE",
        "RULE", "SEVERITY", "CATEGORY"
    );
    for r in catalog {
        let i = &r.info;
        let _ = writeln!(
            out,
            "{:<id$}  {:<severity$}  {:<category$}  {}",
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

/// The engine options of `flags`.
fn engine_options(flags: &EngineArgs) -> Result<AnalyzeOptions, String> {
    let pss_version = parse_pss_version(&flags.pss_version)?;
    let exemptions = match &flags.exemptions {
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
    Ok(AnalyzeOptions {
        include_resources: true,
        rules: rules::RuleOptions {
            pss_version,
            trusted_registries: flags.trusted_registry.clone(),
            blocked_registries: flags.blocked_registry.clone(),
            exemptions,
            today: Some(today()),
        },
        paths: portolan_engine::graph::PathOptions {
            assume_breach: flags.assume_breach,
            max_paths: flags.max_paths,
        },
        include_graph: false,
        load: portolan_engine::LoadOptions {
            default_namespace: flags.namespace.clone().unwrap_or_default(),
            keep_raw: !flags.policies.is_empty(),
        },
        policies: portolan_engine::analysis::PolicyOptions {
            set: if flags.policies.is_empty() {
                Default::default()
            } else {
                policies::read(&flags.policies)?
            },
            scored: flags.score_policies,
        },
    })
}

/// Runs an analysis; `Ok(false)` when `--fail-on` is crossed.
fn run_analyze(args: &AnalyzeArgs) -> Result<bool, String> {
    let mut formats: Vec<Format> = Vec::new();
    for f in &args.format {
        if !formats.contains(f) {
            formats.push(*f);
        }
    }
    let outputs = output_paths(&formats, args.output.as_deref())?;
    for (_, path) in &outputs {
        check_output(path.as_deref())?;
    }
    let inputs = load(&args.paths)?;
    let mut options = engine_options(&args.engine)?;
    options.include_resources = !args.no_resources;
    let opengraph = formats.contains(&Format::Opengraph);
    options.include_graph = args.graph || opengraph;
    let (mut analysis, snapshot) =
        run_engine_for(inputs, &options, args.quiet, args.cluster.as_deref())?;
    // The JSON is streamed out, in little memory; the other formats build their output
    // whole, in the memory freeing the snapshot gives back. Kept, the snapshot is never
    // freed (below).
    let snapshot = formats
        .iter()
        .all(|f| matches!(f, Format::Json))
        .then_some(snapshot);
    report(&analysis, args.quiet);
    let open_graph = if opengraph {
        let graph = analysis.graph.as_ref().map(|g| g.open_graph());
        let mut bytes =
            serde_json::to_vec_pretty(&graph.unwrap_or_default()).map_err(|e| e.to_string())?;
        bytes.push(b'\n');
        bytes
    } else {
        Vec::new()
    };
    if !args.graph {
        // Asked for as OpenGraph only: not in the JSON.
        analysis.graph = None;
    }
    for (format, path) in &outputs {
        let path = path.as_deref();
        match format {
            // Streamed: the analysis's JSON is larger than the analysis.
            Format::Json => write_with(path, |out| {
                serde_json::to_writer_pretty(&mut *out, &analysis)?;
                out.write_all(b"\n")
            }),
            Format::Html => write_output(path, report::html(&analysis).as_bytes()),
            Format::Sarif => write_output(path, report::sarif(&analysis).as_bytes()),
            Format::Csv => write_output(path, report::csv(&analysis).as_bytes()),
            Format::Opengraph => write_output(path, &open_graph),
        }?;
        if let (Some(path), false) = (path, args.quiet) {
            eprintln!("Wrote {}.", path.display());
        }
        let results = analysis.findings.len() + analysis.alerts.len();
        if matches!(format, Format::Sarif) && results > report::SARIF_MAX_RESULTS {
            eprintln!(
                "warning: the SARIF log holds the {} most severe of {results} results \
                 (GitHub code scanning rejects more); its notifications say what was left out.",
                report::SARIF_MAX_RESULTS
            );
        }
    }
    let failing = args.fail_on.map_or(0, |threshold| {
        analysis
            .findings
            .iter()
            .filter(|f| f.exemption.is_none() && f.severity <= threshold)
            .count()
            + audit::at_or_above(&analysis, threshold)
    });
    if failing > 0 && !args.quiet {
        eprintln!(
            "{failing} findings and alerts at or above {} remain: failing (--fail-on).",
            args.fail_on.map_or("", |s| s.as_str())
        );
    }
    // Unreadable input has no findings; a gate must not pass on it.
    let nothing_read = args.fail_on.is_some() && analysis.inputs.iter().all(|i| i.objects == 0);
    if nothing_read {
        eprintln!("No object was read from the inputs: failing (--fail-on).");
    }
    // The process ends here: the OS takes the memory back at once, where freeing the
    // analysis's and the snapshot's millions of blocks one by one took 4% of a
    // 200,000-pod run.
    std::mem::forget((analysis, snapshot));
    Ok(failing == 0 && !nothing_read)
}

/// One side of a diff: an analysis JSON as is, anything else analysed as a snapshot.
fn diff_side(path: &Path, options: &AnalyzeOptions, quiet: bool) -> Result<Analysis, String> {
    let name = path.display();
    if path.as_os_str() == "-" || path.is_file() {
        let inputs = load(&[path.to_path_buf()])?;
        if let [file] = inputs.files.as_slice() {
            if let Some(analysis) = diff::read_analysis(&file.bytes) {
                return analysis.map_err(|e| format!("{name}: {e}"));
            }
        }
        return run_engine(inputs, options, quiet);
    }
    let inputs = load(&[path.to_path_buf()])?;
    run_engine(inputs, options, quiet)
}

/// `portolan diff`; `Ok(false)` when `--fail-on-new` is crossed.
fn run_diff(args: &DiffArgs) -> Result<bool, String> {
    if args.old.as_os_str() == "-" && args.new.as_os_str() == "-" {
        return Err("only one of OLD and NEW can be stdin".into());
    }
    check_output(args.output.as_deref())?;
    let mut options = engine_options(&args.engine)?;
    // The resource rows tell a resource that is gone from one that was fixed.
    options.include_resources = true;
    let old = diff_side(&args.old, &options, args.quiet)?;
    let new = diff_side(&args.new, &options, args.quiet)?;
    for d in old.diagnostics().chain(new.diagnostics()) {
        if !args.quiet || d.level == Level::Error {
            eprintln!("{d}");
        }
    }
    let drift = diff::diff(&old, &new);
    let bytes = match args.format {
        DiffFormat::Json => {
            let mut bytes = serde_json::to_vec_pretty(&drift).map_err(|e| e.to_string())?;
            bytes.push(b'\n');
            bytes
        }
        DiffFormat::Text => diff_summary(&drift).into_bytes(),
        DiffFormat::Csv | DiffFormat::PathsCsv => {
            use report::drift::{
                drift_findings_csv, drift_paths_csv, DriftFilter, DriftStatus, FINDING_SORT_KEYS,
                PATH_SORT_KEYS,
            };
            let statuses: Vec<DriftStatus> = DriftStatus::FINDINGS
                .into_iter()
                .filter(|s| args.status.is_empty() || args.status.contains(s))
                .collect();
            let filter = DriftFilter {
                severity: args
                    .severity
                    .map_or(String::new(), |s| s.as_str().to_string()),
                search: args.table.search.clone(),
            };
            let sort = args.table.sort();
            let keys: &[&str] = if args.format == DiffFormat::Csv {
                &FINDING_SORT_KEYS
            } else {
                &PATH_SORT_KEYS
            };
            if !sort.column.is_empty() && !keys.contains(&sort.column.as_str()) {
                return Err(format!(
                    "--sort {}: expected {}",
                    sort.column,
                    keys.join(", ")
                ));
            }
            if args.format == DiffFormat::Csv {
                drift_findings_csv(&drift, &statuses, &filter, &sort)
            } else {
                drift_paths_csv(&drift, &old, &new, &statuses, &filter, &sort)
            }
            .into_bytes()
        }
    };
    write_output(args.output.as_deref(), &bytes)?;
    let failing = args.fail_on_new.map_or(0, |s| drift.new_at_or_above(s));
    if failing > 0 && !args.quiet {
        eprintln!(
            "{failing} new findings and alerts at or above {}: failing (--fail-on-new).",
            args.fail_on_new.map_or("", |s| s.as_str())
        );
    }
    Ok(failing == 0)
}

/// The diff for people.
fn diff_summary(d: &diff::AnalysisDiff) -> String {
    use std::fmt::Write as _;
    let mut out = String::new();
    let s = &d.secure_score;
    let score = |s: Option<f64>| s.map_or("none".to_string(), |s| format!("{s:.1}%"));
    let change = s.change.map_or(String::new(), |c| format!(" ({c:+.1})"));
    let _ = writeln!(
        out,
        "Secure score: {} -> {}{change}",
        score(s.old),
        score(s.new)
    );
    diff_coverage(&mut out, &d.coverage);
    let f = &d.findings;
    let _ = writeln!(
        out,
        "Findings: {} new, {} fixed, {} resource no longer present, {} unchanged.",
        f.new.len(),
        f.fixed.len(),
        f.resource_gone.len(),
        f.unchanged.len()
    );
    for (label, list) in [
        ("New", &f.new),
        ("Fixed", &f.fixed),
        ("Resource no longer present", &f.resource_gone),
    ] {
        if list.is_empty() {
            continue;
        }
        let _ = writeln!(out, "{label} findings:");
        for f in list {
            let container = if f.container.is_empty() {
                String::new()
            } else {
                format!(" [{}]", f.container)
            };
            let _ = writeln!(
                out,
                "  {:<13} {:<24} {}{container}: {} ({}:{})",
                f.severity.as_str(),
                f.rule,
                f.resource,
                f.message,
                f.source.file,
                f.source.line
            );
        }
    }
    let p = &d.attack_paths;
    let _ = writeln!(
        out,
        "Attack paths: {} -> {} ({} new, {} gone, {} entry no longer present, {} unchanged among those listed).",
        p.old_total,
        p.new_total,
        p.new.len(),
        p.fixed.len(),
        p.resource_gone.len(),
        p.unchanged.len()
    );
    for (label, list) in [
        ("New", &p.new),
        ("Gone", &p.fixed),
        ("Entry no longer present", &p.resource_gone),
    ] {
        if list.is_empty() {
            continue;
        }
        let _ = writeln!(out, "{label} attack paths:");
        for path in list {
            let _ = writeln!(out, "  [risk {:.1}] {}", path.risk, path.title);
        }
    }
    audit::diff_alerts(&mut out, d);
    out
}

/// The two snapshots' coverage, and a warning when the new one read less.
fn diff_coverage(out: &mut String, c: &diff::CoverageChange) {
    use std::fmt::Write as _;
    let _ = writeln!(
        out,
        "Coverage: {} -> {} files, {} -> {} objects, {} -> {} namespaces.",
        c.old.files,
        c.new.files,
        c.old.objects,
        c.new.objects,
        c.old.namespaces.len(),
        c.new.namespaces.len()
    );
    if !c.shrank {
        return;
    }
    let mut what = Vec::new();
    if !c.missing_namespaces.is_empty() {
        what.push(format!("namespaces {}", c.missing_namespaces.join(", ")));
    }
    if !c.fewer_kinds.is_empty() {
        what.push(format!("fewer {}", c.fewer_kinds.join(", ")));
    }
    if what.is_empty() {
        what.push("fewer files or objects".into());
    }
    let _ = writeln!(
        out,
        "Warning: the new snapshot covers less than the old one (missing: {}). Findings on resources it does not hold are listed as no longer present, not fixed.",
        what.join("; ")
    );
}

/// Adds `path` to `files`: a file as is, a folder walked recursively (in name order,
/// keeping only snapshot files), `-` as stdin.
fn collect(path: &Path, inputs: &mut Inputs) -> Result<(), String> {
    let files = &mut inputs.files;
    if path.as_os_str() == "-" {
        let mut bytes = Vec::new();
        io::stdin()
            .read_to_end(&mut bytes)
            .map_err(|e| format!("cannot read stdin: {e}"))?;
        files.push(InputFile::new("<stdin>", bytes));
        return Ok(());
    }
    let meta = std::fs::metadata(path).map_err(|e| format!("{}: {e}", path.display()))?;
    if meta.is_file() && audit::is_audit_file(path) {
        inputs.audit_logs.push(path.to_path_buf());
        return Ok(());
    }
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
            } else if is_snapshot_file(&name) && audit::is_audit_file(&entry) {
                inputs.audit_logs.push(entry);
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
    let policy_diagnostics = analysis.policies.iter().flat_map(|p| &p.diagnostics);
    for d in analysis
        .diagnostics()
        .chain(&analysis.exemptions.diagnostics)
        .chain(policy_diagnostics)
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
    if let Some(p) = &analysis.policies {
        let violations: usize = p.policies.iter().map(|x| x.violations).sum();
        let _ = writeln!(
            err,
            "Policies: {} constraints and bindings, {violations} violations, {} problems.",
            p.policies.len(),
            p.diagnostics.len()
        );
    }
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
    match analysis.secure_score.overall {
        Some(score) => {
            let _ = writeln!(err, "Secure score: {score:.1}%");
            // Several clusters: each one's score too (names are snapshot text).
            for c in &analysis.secure_score.clusters {
                let name: String = c
                    .cluster
                    .chars()
                    .map(|ch| if ch.is_control() { '?' } else { ch })
                    .collect();
                let score = c
                    .overall
                    .map_or_else(|| "none".into(), |s| format!("{s:.1}%"));
                let _ = writeln!(err, "  {name}: {score}");
            }
        }
        None => {
            let why = analysis
                .secure_score
                .unscored
                .as_deref()
                .unwrap_or_default();
            let _ = writeln!(err, "Secure score: none. {why}");
        }
    }
    if let Some(first) = analysis.not_applicable.first() {
        let _ = writeln!(
            err,
            "Not applicable: {} rule evaluations ({})",
            analysis.not_applicable.len(),
            first.reason
        );
    }
    report_vulnerabilities(&mut err, analysis);
    audit::report_alerts(&mut err, analysis);
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
    check_output(args.output.as_deref())?;
    let files = load(&args.paths)?.files;
    let pss_version = parse_pss_version(&args.pss_version)?;
    let options = AnalyzeOptions {
        include_resources: false,
        rules: rules::RuleOptions {
            pss_version,
            ..Default::default()
        },
        load: portolan_engine::LoadOptions {
            default_namespace: args.namespace.clone().unwrap_or_default(),
            ..Default::default()
        },
        ..AnalyzeOptions::default()
    };
    let mut analysis = portolan_engine::analyze(&files, &options, &mut |_| {});
    for d in analysis.diagnostics() {
        eprintln!("{d}");
    }
    one_cluster(&mut analysis, args.cluster.as_deref())?;
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

    // Never newer than what the cluster runs.
    let version = pss_version
        .or_else(|| enforce::analysis_cluster_version(&analysis.clusters))
        .unwrap_or(pss::NEWEST_VERSION);
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

/// Keeps, of an analysis of several clusters, the enforcement and cluster of the one
/// named `cluster` (`enforce::one_cluster`); an error without one (or with a name no
/// cluster has).
fn one_cluster(
    analysis: &mut portolan_engine::Analysis,
    cluster: Option<&str>,
) -> Result<(), String> {
    let (enforcement, clusters) = enforce::one_cluster(analysis, cluster.unwrap_or_default())?;
    analysis.enforcement = enforcement;
    analysis.clusters = clusters;
    Ok(())
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
