//! Secrets and credentials: Secrets injected as environment variables, credentials
//! written as literal environment values, and config map keys named like credentials or
//! holding one (judged while parsing). Names and values are classified by
//! [`crate::model::credentials`], shared with run-time detection.
//!
//! **Invariant:** no finding shows a credential. Messages name the variable or key and
//! at most a redacted hint (`AKIA…, 20 characters`).

use super::{containers, describe, unit_finding, POD_KINDS};
pub(crate) use crate::model::credentials::{classify_name, classify_value, NameKind};
use crate::rules::{Category, Context, Finding, ResourceRef, Rule, RuleInfo, Severity};

pub static SECRETS_IN_ENV: Rule = Rule {
    info: RuleInfo {
        id: "secretsInEnv",
        title: "Secrets should be mounted as files rather than exposed as environment variables",
        severity: Severity::Low,
        category: Category::Workload,
        kinds: POD_KINDS,
        checks: "No container reads a Secret into its environment: `env[].valueFrom.secretKeyRef` or `envFrom[].secretRef`. One finding per variable or `envFrom` entry.",
        why: "Environment variables leak: they are inherited by every child process, printed by crash handlers, debug endpoints and `env` in support bundles, visible in `/proc/<pid>/environ` to anything sharing the PID namespace, and copied into the pod spec of anyone who can read it through `kubectl describe`-style tooling. Mounted files can be scoped to one path, made readable by one user and are updated when the Secret rotates.",
        example: "spec:\n  containers:\n  - name: api\n    image: ghcr.io/acme/api:2.1.0\n    env:\n    - name: DB_PASSWORD\n      valueFrom:\n        secretKeyRef:\n          name: db\n          key: password",
        remediation: "Mount the Secret as a volume (`secret` or projected volume, `readOnly: true`, `defaultMode: 0400`) and have the application read the file; or fetch it at run time from an external secret store (CSI Secrets Store driver).",
        frameworks: &["cis-k8s/5.4.1", "nsa-cisa", "mitre/T1552.001"],
    },
    check: check_secrets_in_env,
};

fn check_secrets_in_env(cx: &Context, out: &mut Vec<Finding>) {
    for unit in cx.units {
        for ctr in containers(unit) {
            for (j, var) in ctr.c.env.iter().enumerate() {
                let Some(r) = var
                    .value_from
                    .as_ref()
                    .and_then(|v| v.secret_key_ref.as_ref())
                else {
                    continue;
                };
                out.push(unit_finding(
                    &SECRETS_IN_ENV,
                    unit,
                    &ctr.c.name,
                    format!("{}.env[{j}].valueFrom.secretKeyRef", ctr.path),
                    format!(
                        "{} reads key \"{}\" of Secret {} into environment variable {}",
                        describe(&ctr),
                        r.key,
                        r.name,
                        var.name
                    ),
                ));
            }
            for (j, from) in ctr.c.env_from.iter().enumerate() {
                let Some(r) = from.secret_ref.as_ref() else {
                    continue;
                };
                out.push(unit_finding(
                    &SECRETS_IN_ENV,
                    unit,
                    &ctr.c.name,
                    format!("{}.envFrom[{j}].secretRef", ctr.path),
                    format!(
                        "{} loads every key of Secret {} into its environment",
                        describe(&ctr),
                        r.name
                    ),
                ));
            }
        }
    }
}

/// Whether a literal value is a reference, a path or a flag rather than a credential.
fn not_a_credential(value: &str) -> bool {
    let v = value.trim();
    v.is_empty()
        || (v.starts_with("$(") && v.ends_with(')'))
        || (v.starts_with("${") && v.ends_with('}'))
        || v.starts_with('/')
        || matches!(
            v.to_ascii_lowercase().as_str(),
            "true"
                | "false"
                | "yes"
                | "no"
                | "on"
                | "off"
                | "none"
                | "null"
                | "enabled"
                | "disabled"
        )
}

pub static CREDENTIALS_IN_ENV: Rule = Rule {
    info: RuleInfo {
        id: "credentialsInEnv",
        title: "Credentials should not be written as literal environment variable values",
        severity: Severity::High,
        category: Category::Workload,
        kinds: POD_KINDS,
        checks: "No container's `env[].value` holds a credential: a non-empty literal value of a variable named like one (`*PASSWORD*`, `*PASSWD*`, `*SECRET*`, `*TOKEN*`, `*API_KEY*`, `*ACCESS_KEY*`, `*PRIVATE_KEY*`, `*CREDENTIALS*`, `*BEARER*`, a provider key named only by `KEY` such as `SENDGRID_KEY`, `KEY_STRIPE` or `*_KEY_CONTENT` (not data-structure keys such as `SORT_KEY` or `CACHE_KEY`), ...; not `*_FILE`, `*_PATH`, `*_NAME`, `*_URL`, public or publishable keys, `$(VAR)` references, paths or booleans), or a value that looks like one whatever the name: an AWS access key id (`AKIA`/`ASIA` + 16), a Google API key, a PEM private key (any standard header, also inside a longer text; not certificates or public keys), a JSON Web Token, a URL with `user:password@` or a connection string with `Password=`/`AccountKey=`, a bearer token, GitHub, GitLab, Slack or Stripe secret tokens. Findings name the variable and never show the value.",
        why: "A literal value is part of the pod spec: it is stored unencrypted in etcd (Secrets can be encrypted at rest), readable by everyone with `get` on the workload (far more people than can read Secrets), kept in Git, Helm release history, CI logs and every snapshot like this one, and it is never rotated.",
        example: "spec:\n  containers:\n  - name: api\n    image: ghcr.io/acme/storefront-api:2.14.0\n    env:\n    - name: DB_PASSWORD\n      value: changeme123",
        remediation: "Rotate the credential (consider it exposed), store it in a Secret (or an external secret manager synced by the CSI Secrets Store driver or External Secrets) and mount it as a file; for cloud APIs use a workload identity (IRSA, EKS Pod Identity, Azure or GKE Workload Identity) instead of static keys.",
        frameworks: &["cis-k8s/5.4.1", "nsa-cisa", "mitre/T1552.001"],
    },
    check: check_credentials_in_env,
};

fn check_credentials_in_env(cx: &Context, out: &mut Vec<Finding>) {
    for unit in cx.units {
        for ctr in containers(unit) {
            for (j, var) in ctr.c.env.iter().enumerate() {
                let Some(value) = var.value.as_deref() else {
                    continue;
                };
                let what = match classify_value(value).map(|k| k.describe()) {
                    Some(what) => what,
                    None if classify_name(&var.name) == Some(NameKind::Credential)
                        && !not_a_credential(value) =>
                    {
                        format!("a literal value ({} characters)", value.chars().count())
                    }
                    None => continue,
                };
                out.push(unit_finding(
                    &CREDENTIALS_IN_ENV,
                    unit,
                    &ctr.c.name,
                    format!("{}.env[{j}].value", ctr.path),
                    format!(
                        "{} sets environment variable {} to {what} in the pod spec",
                        describe(&ctr),
                        var.name
                    ),
                ));
            }
        }
    }
}

pub static CREDENTIALS_IN_CONFIG_MAP: Rule = Rule {
    info: RuleInfo {
        id: "credentialsInConfigMap",
        title: "Credentials should be stored in Secrets, not ConfigMaps",
        severity: Severity::Medium,
        category: Category::Workload,
        kinds: &["ConfigMap"],
        checks: "No ConfigMap key is named like a credential (`password`, `secret`, `token`, `api_key`, `access_key`, `private_key`, `credentials`, `*.key`, `id_rsa`, `.htpasswd`, `.pgpass`, ...; not public or publishable keys, nor names of files, paths or URLs of credentials) or like a connection string that usually embeds a password (`DATABASE_URL`, `*_DSN`, `CONNECTION_STRING`, `REDIS_URL`, ...), and no value is a credential by its shape whatever its key is called: a PEM private key (any standard header, also inside a longer text such as a config file), an AWS access key id, a Google API key, a JSON Web Token, a URL with `user:password@` or a connection string with `Password=`/`AccountKey=`, a bearer token, or a GitHub, GitLab, Slack or Stripe token. Values are judged while the snapshot is parsed and only the verdict (key, kind of credential) is kept: no value enters the model or a finding.",
        why: "ConfigMaps are meant to be read: many roles (`view` among them) can read them where they cannot read Secrets, they are not encrypted at rest, they are printed by `kubectl describe`, copied into support bundles and stored in Git. A credential in one is readable by far more people and tools than intended.",
        example: "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: storefront-config\ndata:\n  api_key: AKIA...\n  aws_secret_access_key: ...",
        remediation: "Move the value to a Secret (or an external secret manager), mount it as a file, rotate it, and remove the key from the ConfigMap and from the history of where it is kept (Git, Helm values).",
        frameworks: &["cis-k8s/5.4.1", "nsa-cisa", "mitre/T1552.001"],
    },
    check: check_config_maps,
};

fn check_config_maps(cx: &Context, out: &mut Vec<Finding>) {
    for cm in &cx.inventory.config_maps {
        for key in &cm.keys {
            let verdict = cm
                .credentials
                .iter()
                .find(|(k, _)| k == key)
                .map(|(_, kind)| *kind);
            let what = match (verdict, classify_name(key)) {
                (Some(kind), _) => format!("holds {}", kind.describe()),
                (None, Some(NameKind::Credential)) => {
                    "is named like a credential (value not shown)".to_string()
                }
                (None, Some(NameKind::ConnectionString)) => {
                    "is named like a connection string, which usually embeds a password (value not shown)"
                        .to_string()
                }
                (None, None) => continue,
            };
            out.push(Finding {
                exemption: None,
                fix: None,
                rule: CREDENTIALS_IN_CONFIG_MAP.info.id.to_string(),
                severity: CREDENTIALS_IN_CONFIG_MAP.info.severity,
                resource: ResourceRef {
                    kind: "ConfigMap".into(),
                    namespace: cm.metadata.namespace.clone(),
                    name: cm.metadata.name.clone(),
                    cluster: String::new(),
                },
                container: String::new(),
                field: format!("data.{key}"),
                message: format!("ConfigMap {} key \"{key}\" {what}", cm.metadata.name),
                source: cm.source.clone(),
            });
        }
    }
}
