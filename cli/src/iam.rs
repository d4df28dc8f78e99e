//! `portolan iam`: a cloud principal's effective permissions for an action, and why —
//! the statements that grant it, the Denies and permission boundary that cancel it, the
//! conditions it rests on. The engine's `iam::explain` answers; this prints the answer as
//! a table or as its JSON (what the app's cloud identities page shows).

use std::io::{self, Write};
use std::path::PathBuf;

use clap::ValueEnum;
use portolan_engine::analysis::load_with;
use portolan_engine::iam::{self, AccessQuery, AccessReport};

use super::{engine_options, load, EngineArgs};

#[derive(clap::Args)]
pub struct IamArgs {
    /// Snapshot files or folders holding cloud IAM exports (`-` reads stdin).
    #[arg(required = true, value_name = "PATH")]
    paths: Vec<PathBuf>,
    /// The principal: a name (a user, group or role; an Azure principal or managed
    /// identity; a GCP member's email), an ARN, an Azure object id or a GCP member.
    #[arg(long, value_name = "NAME")]
    principal: String,
    /// The action, wildcards allowed (`s3:GetObject`, `iam:*`, `Microsoft.Storage/*`,
    /// for GCP a role `roles/storage.*`); without it, every action the principal's
    /// policies name.
    #[arg(long, value_name = "ACTION", default_value = "")]
    action: String,
    /// Only this resource: an ARN, an Azure scope, a GCP project or service account.
    #[arg(long, value_name = "RESOURCE", default_value = "")]
    resource: String,
    /// Output format.
    #[arg(short, long, value_enum, default_value = "table")]
    format: IamFormat,
    #[command(flatten)]
    engine: EngineArgs,
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum IamFormat {
    /// Each action's decision, then the statements behind it, one a line.
    Table,
    /// The engine's answer (`query`, `principals` with their actions and statements).
    Json,
}

/// Runs `portolan iam`; `Ok(false)` when no principal has that name.
pub fn run(args: &IamArgs) -> Result<bool, String> {
    let inputs = load(&args.paths)?;
    let options = engine_options(&args.engine)?;
    let snapshot = load_with(&inputs.files, &options.load, &mut |_| {});
    for d in snapshot.diagnostics() {
        eprintln!("{d}");
    }
    let report = iam::explain(
        snapshot.inventory(),
        &AccessQuery {
            principal: args.principal.clone(),
            action: args.action.clone(),
            resource: args.resource.clone(),
        },
    );
    let mut out = io::stdout().lock();
    let written = match args.format {
        IamFormat::Json => {
            let mut bytes = serde_json::to_vec_pretty(&report).map_err(|e| e.to_string())?;
            bytes.push(b'\n');
            out.write_all(&bytes)
        }
        IamFormat::Table => out.write_all(table(&report).as_bytes()),
    };
    written.map_err(|e| format!("cannot write to stdout: {e}"))?;
    if report.principals.is_empty() {
        let mut message = format!("no cloud principal named \"{}\"", report.query.principal);
        if !report.suggestions.is_empty() {
            let names: Vec<String> = report
                .suggestions
                .iter()
                .map(|p| format!("{} {}", p.kind, p.name))
                .collect();
            message.push_str(&format!(" (did you mean: {})", names.join(", ")));
        }
        eprintln!("{message}");
        return Ok(false);
    }
    Ok(true)
}

/// The answer in lines: per principal a heading, per action its decision and where, then
/// each statement with what it does, where it comes from and its conditions.
fn table(report: &AccessReport) -> String {
    let mut s = String::new();
    for p in &report.principals {
        s.push_str(&format!(
            "{} {} ({})\n",
            p.principal.kind, p.principal.name, p.principal.id
        ));
        if !p.groups.is_empty() {
            s.push_str(&format!("  groups: {}\n", p.groups.join(", ")));
        }
        if let Some(b) = &p.boundary {
            s.push_str(&format!("  permission boundary: {b}\n"));
        }
        for a in &p.actions {
            s.push_str(&format!("  {}: {}", a.action, a.decision_label()));
            if !a.resources.is_empty() {
                s.push_str(&format!(" on {}", a.resources.join(", ")));
            }
            s.push('\n');
            for st in &a.statements {
                let via = if st.via.is_empty() {
                    String::new()
                } else {
                    format!(" via {}", st.via)
                };
                s.push_str(&format!(
                    "    {:<16} {} {} {}{via}\n",
                    st.effect.label(),
                    st.attached,
                    st.policy,
                    st.statement
                ));
                for c in &st.conditions {
                    s.push_str(&format!("      when {c}\n"));
                }
            }
        }
        for n in &p.notes {
            s.push_str(&format!("  note: {n}\n"));
        }
    }
    s
}
