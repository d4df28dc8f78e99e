//! How containers run: root filesystem, shared process namespace, privilege switching
//! in the command.

use super::{containers, describe, is_windows, unit_finding, POD_KINDS};
use crate::rules::{Category, Context, Finding, Rule, RuleInfo, Severity};

pub static READ_ONLY_ROOT_FILESYSTEM: Rule = Rule {
    info: RuleInfo {
        id: "readOnlyRootFilesystem",
        title: "Immutable (read-only) root filesystem should be enforced for containers",
        severity: Severity::Low,
        category: Category::Workload,
        kinds: POD_KINDS,
        checks: "Every container of a Linux pod sets `securityContext.readOnlyRootFilesystem: true`.",
        why: "A writable root filesystem lets an intruder download tools, replace the application's binaries or libraries and persist in the running container. With a read-only root, writes are confined to the volumes the pod declares (an `emptyDir` for `/tmp`), which makes tampering visible and most post-exploitation tooling fail.",
        example: "spec:\n  containers:\n  - name: api\n    image: ghcr.io/acme/api:2.1.0\n    securityContext:\n      readOnlyRootFilesystem: false",
        remediation: "Set `securityContext.readOnlyRootFilesystem: true` and mount an `emptyDir` at the paths the application writes to (`/tmp`, caches, pid files).",
        frameworks: &["cis-k8s/5.7.3", "nsa-cisa", "mitre/T1036", "mitre/T1105"],
    },
    check: check_read_only_root,
};

fn check_read_only_root(cx: &Context, out: &mut Vec<Finding>) {
    for unit in cx.units {
        if is_windows(unit.spec) {
            continue;
        }
        for ctr in containers(unit) {
            let value = ctr
                .c
                .security_context
                .as_ref()
                .and_then(|s| s.read_only_root_filesystem);
            if value == Some(true) {
                continue;
            }
            out.push(unit_finding(
                &READ_ONLY_ROOT_FILESYSTEM,
                unit,
                &ctr.c.name,
                format!("{}.securityContext.readOnlyRootFilesystem", ctr.path),
                format!(
                    "{} runs with a writable root filesystem (readOnlyRootFilesystem {})",
                    describe(&ctr),
                    if value == Some(false) {
                        "is false"
                    } else {
                        "is not set"
                    }
                ),
            ));
        }
    }
}

pub static SHARE_PROCESS_NAMESPACE: Rule = Rule {
    info: RuleInfo {
        id: "shareProcessNamespace",
        title: "Containers of a pod should not share one process namespace",
        severity: Severity::Low,
        category: Category::Workload,
        kinds: POD_KINDS,
        checks: "`spec.shareProcessNamespace` is unset or false.",
        why: "With a shared process namespace every container sees the others' processes and, through `/proc/<pid>/root` and `/proc/<pid>/environ`, their files and environment variables (secrets included); with SYS_PTRACE it can read their memory. A compromised sidecar then owns the main application.",
        example: "spec:\n  shareProcessNamespace: true\n  containers:\n  - name: pgbouncer\n    image: bitnami/pgbouncer:1.21.0\n  - name: exporter\n    image: prometheuscommunity/pgbouncer-exporter:v0.7.0",
        remediation: "Remove `shareProcessNamespace: true`. Sidecars that need to signal the main process can use a shared `emptyDir` or the application's own admin endpoint; use an ephemeral debug container (`kubectl debug --target`) for troubleshooting instead.",
        frameworks: &["nsa-cisa", "mitre/T1552.007"],
    },
    check: check_share_process_namespace,
};

fn check_share_process_namespace(cx: &Context, out: &mut Vec<Finding>) {
    for unit in cx.units {
        if unit.spec.share_process_namespace != Some(true) {
            continue;
        }
        let names: Vec<String> = unit
            .spec
            .containers
            .iter()
            .map(|c| format!("\"{}\"", c.name))
            .collect();
        out.push(unit_finding(
            &SHARE_PROCESS_NAMESPACE,
            unit,
            "",
            format!("{}spec.shareProcessNamespace", unit.template_path),
            format!(
                "the pod shares one process namespace between its containers ({})",
                names.join(", ")
            ),
        ));
    }
}

pub static SUDO_IN_COMMAND: Rule = Rule {
    info: RuleInfo {
        id: "sudoInCommand",
        title: "Containers should not switch user with sudo, su or doas",
        severity: Severity::Medium,
        category: Category::Workload,
        kinds: POD_KINDS,
        checks: "No container's `command` or `args` runs `sudo`, `doas` or `su` in command position (first word, after a shell separator such as `;`, `&&`, `|`, `$(`, or after `exec`, `env`, `nohup`, `time`), including inside `sh -c` scripts. The image's own ENTRYPOINT is not in the snapshot and is not checked.",
        why: "A container that needs `sudo` or `su` ships a setuid binary and a privileged account: any foothold in it becomes root in the container (and root on the node's kernel), and it usually means `allowPrivilegeEscalation` is left on for it to work.",
        example: "spec:\n  containers:\n  - name: agent\n    image: ghcr.io/acme/agent:1.0\n    command: [\"sh\", \"-c\", \"sudo /usr/local/bin/setup && exec agent\"]",
        remediation: "Do the privileged setup at image build time or in an init container with only the capability it needs, run the main process directly as the intended non-root user (`runAsUser`), remove sudo/su from the image and set `allowPrivilegeEscalation: false`.",
        frameworks: &["nsa-cisa", "mitre/T1548.003"],
    },
    check: check_sudo,
};

/// Finds a privilege-switching command in a command line given as a list of strings
/// (the elements may be whole shell scripts). Returns the element index and the word.
pub(crate) fn privilege_switch(parts: &[String]) -> Option<(usize, &'static str)> {
    // Tokens: (element index, word), with shell separators as the word "".
    let mut tokens: Vec<(usize, String)> = Vec::new();
    for (i, part) in parts.iter().enumerate() {
        let mut word = String::new();
        let mut chars = part.chars().peekable();
        while let Some(ch) = chars.next() {
            let separator = matches!(ch, ';' | '&' | '|' | '(' | ')' | '`' | '\n' | '{' | '}')
                || (ch == '$' && chars.peek() == Some(&'('));
            if separator || ch.is_whitespace() {
                if !word.is_empty() {
                    tokens.push((i, std::mem::take(&mut word)));
                }
                if separator {
                    tokens.push((i, String::new()));
                }
            } else if ch != '"' && ch != '\'' {
                word.push(ch);
            }
        }
        if !word.is_empty() {
            tokens.push((i, word));
        }
    }
    let mut at_start = true;
    for (k, (i, word)) in tokens.iter().enumerate() {
        if word.is_empty() {
            at_start = true;
            continue;
        }
        if !at_start {
            continue;
        }
        let base = word.rsplit('/').next().unwrap_or(word);
        match base {
            "sudo" => return Some((*i, "sudo")),
            "doas" => return Some((*i, "doas")),
            "su" => return Some((*i, "su")),
            "exec" | "env" | "nohup" | "time" | "command" | "then" | "else" | "do" | "!" => {}
            _ if word.contains('=') && !word.starts_with('-') => {}
            _ if base == "sh" || base == "bash" || base == "ash" || base == "dash" => {
                // `sh -c SCRIPT`: the script's first word is in command position.
                let flag = tokens.get(k + 1).map(|(_, w)| w.as_str());
                if flag.is_some_and(|f| f.starts_with('-') && f.contains('c')) {
                    continue;
                }
                at_start = false;
            }
            _ if word.starts_with('-') && k > 0 => {}
            _ => at_start = false,
        }
    }
    None
}

fn check_sudo(cx: &Context, out: &mut Vec<Finding>) {
    for unit in cx.units {
        for ctr in containers(unit) {
            // The command line is command followed by args.
            let mut line = ctr.c.command.clone();
            line.extend(ctr.c.args.iter().cloned());
            let Some((i, word)) = privilege_switch(&line) else {
                continue;
            };
            let n = ctr.c.command.len();
            let field = if i < n {
                format!("{}.command[{i}]", ctr.path)
            } else {
                format!("{}.args[{}]", ctr.path, i - n)
            };
            let at = if i < n {
                format!("command[{i}]")
            } else {
                format!("args[{}]", i - n)
            };
            out.push(unit_finding(
                &SUDO_IN_COMMAND,
                unit,
                &ctr.c.name,
                field,
                format!("{} runs {word} in its command line ({at})", describe(&ctr)),
            ));
        }
    }
}
