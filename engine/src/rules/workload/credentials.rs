//! Secrets and credentials: Secrets injected as environment variables, credentials
//! written as literal environment values, and config map keys named like credentials.
//!
//! **Invariant:** no finding shows a credential. Messages name the variable or key and
//! at most a redacted hint (`AKIA…, 20 characters`).

use super::{containers, describe, unit_finding, POD_KINDS};
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
    for unit in &cx.units {
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

/// What a name (an environment variable or a config map key) says it holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum NameKind {
    /// A password, token, API key, private key, ...
    Credential,
    /// A connection string or URL that usually embeds user and password.
    ConnectionString,
}

/// Words of a name, upper-cased: `dbPassword`, `db-password`, `DB_PASSWORD` and
/// `db.password` all give `[DB, PASSWORD]`.
fn words(name: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut prev_lower = false;
    for ch in name.chars() {
        if !ch.is_ascii_alphanumeric() {
            if !cur.is_empty() {
                out.push(std::mem::take(&mut cur));
            }
            prev_lower = false;
            continue;
        }
        if ch.is_ascii_uppercase() && prev_lower && !cur.is_empty() {
            out.push(std::mem::take(&mut cur));
        }
        prev_lower = ch.is_ascii_lowercase() || ch.is_ascii_digit();
        cur.push(ch.to_ascii_uppercase());
    }
    if !cur.is_empty() {
        out.push(cur);
    }
    out
}

/// Last words that make a name about a credential's metadata, not the credential
/// (`TOKEN_FILE`, `SECRET_NAME`, `PASSWORD_MIN_LENGTH`, `API_KEY_HEADER`, `TOKEN_URL`).
const METADATA_WORDS: &[&str] = &[
    "FILE",
    "FILES",
    "PATH",
    "DIR",
    "NAME",
    "NAMES",
    "REF",
    "ARN",
    "ID",
    "TTL",
    "EXPIRY",
    "EXPIRATION",
    "EXPIRES",
    "LENGTH",
    "LEN",
    "SIZE",
    "TIMEOUT",
    "HEADER",
    "TYPE",
    "ENABLED",
    "ENABLE",
    "DISABLED",
    "DISABLE",
    "REQUIRED",
    "MODE",
    "FORMAT",
    "COUNT",
    "MAX",
    "MIN",
    "POLICY",
    "ROTATION",
    "LOCATION",
    "ENDPOINT",
    "URL",
    "URI",
    "HOST",
    "PORT",
    "VERSION",
    "AUDIENCE",
    "ISSUER",
    "REALM",
    "KIND",
    "SOURCE",
    "PROVIDER",
    "METHOD",
    "USER",
    "USERNAME",
    "INTERVAL",
    "PERIOD",
    "SECONDS",
    "DURATION",
    "LIFETIME",
    "PREFIX",
    "SUFFIX",
    "FIELD",
    "PARAM",
    "STORE",
    "VAULT",
    "MOUNT",
];

/// Database and broker names that, followed by `URL`/`URI`, form a connection string.
const CONNECTION_PREFIXES: &[&str] = &[
    "DATABASE",
    "DB",
    "POSTGRES",
    "POSTGRESQL",
    "PG",
    "MYSQL",
    "MARIADB",
    "MONGO",
    "MONGODB",
    "REDIS",
    "AMQP",
    "RABBITMQ",
    "JDBC",
    "SQL",
    "MSSQL",
    "CASSANDRA",
    "ELASTICSEARCH",
    "BROKER",
];

/// Classifies a name, or `None` when it does not look like it holds a credential.
pub(crate) fn classify_name(name: &str) -> Option<NameKind> {
    let lower = name.to_ascii_lowercase();
    let file = lower.rsplit('/').next().unwrap_or(&lower);
    if file.ends_with(".key")
        || file.ends_with(".p12")
        || file.ends_with(".pfx")
        || file.ends_with(".jks")
        || file.ends_with(".keystore")
        || matches!(
            file,
            "id_rsa"
                | "id_ecdsa"
                | "id_ed25519"
                | "id_dsa"
                | ".htpasswd"
                | "htpasswd"
                | ".pgpass"
                | "pgpass"
                | ".netrc"
                | "netrc"
                | ".git-credentials"
        )
    {
        return Some(NameKind::Credential);
    }
    let w = words(name);
    let has = |s: &str| w.iter().any(|x| x == s);
    let pair = |a: &str, b: &str| w.windows(2).any(|p| p[0] == a && p[1] == b);
    // Connection strings come first: `DATABASE_URL` ends with a metadata word.
    if has("DSN")
        || has("CONNSTR")
        || has("CONNECTIONSTRING")
        || pair("CONNECTION", "STRING")
        || pair("CONN", "STRING")
        || w.windows(2).any(|p| {
            CONNECTION_PREFIXES.contains(&p[0].as_str()) && matches!(p[1].as_str(), "URL" | "URI")
        })
    {
        return Some(NameKind::ConnectionString);
    }
    if has("PUBLIC") || has("PUBLISHABLE") || (name.len() == 3 && w == ["PWD"]) {
        return None;
    }
    let last = w.last()?;
    if METADATA_WORDS.contains(&last.as_str()) {
        return None;
    }
    let credential = has("PASSWORD")
        || has("PASSWD")
        || has("PASSPHRASE")
        || has("PASSWORDS")
        || (has("PWD") && w.len() > 1)
        || (has("PASS") && w.len() > 1)
        || has("SECRET")
        || has("SECRETS")
        || has("TOKEN")
        || has("CREDENTIAL")
        || has("CREDENTIALS")
        || has("CREDS")
        || has("APIKEY")
        || has("ACCESSKEY")
        || has("SECRETKEY")
        || has("PRIVATEKEY")
        || has("AUTHTOKEN")
        || has("ACCESSTOKEN")
        || pair("API", "KEY")
        || pair("ACCESS", "KEY")
        || pair("PRIVATE", "KEY")
        || pair("SIGNING", "KEY")
        || pair("ENCRYPTION", "KEY")
        || pair("MASTER", "KEY")
        || pair("AUTH", "KEY")
        || pair("LICENSE", "KEY");
    credential.then_some(NameKind::Credential)
}

/// A credential recognised in a value by its shape, described without the value.
pub(crate) fn credential_in_value(value: &str) -> Option<String> {
    let bytes = value.as_bytes();
    // AWS access key ids: AKIA/ASIA + 16 upper-case letters or digits, alone as a word.
    for (i, w) in bytes.windows(20).enumerate() {
        let prefix_ok = w.starts_with(b"AKIA") || w.starts_with(b"ASIA");
        let body_ok = w[4..]
            .iter()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit());
        let before_ok = i == 0 || !bytes[i - 1].is_ascii_alphanumeric();
        let after_ok = bytes.get(i + 20).is_none_or(|b| !b.is_ascii_alphanumeric());
        if prefix_ok && body_ok && before_ok && after_ok {
            return Some(format!(
                "an AWS access key id ({}…, 20 characters)",
                &value[i..i + 4]
            ));
        }
    }
    if value.contains("-----BEGIN") && value.contains("PRIVATE KEY") {
        return Some("a PEM private key".into());
    }
    // scheme://user:password@host
    let mut rest = value;
    while let Some(i) = rest.find("://") {
        let after = &rest[i + 3..];
        let authority = after
            .split(['/', '?', '#', ' ', '"', '\''])
            .next()
            .unwrap_or_default();
        if let Some((userinfo, _host)) = authority.rsplit_once('@') {
            if let Some((_user, password)) = userinfo.split_once(':') {
                let placeholder = password.starts_with("$(")
                    || password.starts_with("${")
                    || password.starts_with('$')
                    || password.is_empty();
                if !placeholder {
                    return Some("a connection string with an embedded password".into());
                }
            }
        }
        rest = after;
    }
    for (prefix, what) in [
        ("ghp_", "a GitHub token"),
        ("github_pat_", "a GitHub token"),
        ("glpat-", "a GitLab token"),
        ("xoxb-", "a Slack token"),
        ("xoxp-", "a Slack token"),
        ("sk_live_", "a Stripe secret key"),
    ] {
        if value
            .split(|c: char| c.is_whitespace() || c == '"' || c == '\'' || c == '=')
            .any(|t| t.starts_with(prefix) && t.len() >= prefix.len() + 16)
        {
            return Some(format!("{what} ({prefix}…)"));
        }
    }
    None
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
        checks: "No container's `env[].value` holds a credential: a non-empty literal value of a variable named like one (`*PASSWORD*`, `*PASSWD*`, `*SECRET*`, `*TOKEN*`, `*API_KEY*`, `*ACCESS_KEY*`, `*PRIVATE_KEY*`, `*CREDENTIALS*`, ...; not `*_FILE`, `*_PATH`, `*_NAME`, `*_URL`, public or publishable keys, `$(VAR)` references, paths or booleans), or a value that looks like one whatever the name: an AWS access key id (`AKIA`/`ASIA` + 16), a PEM private key, a URL with `user:password@`, GitHub, GitLab, Slack or Stripe secret tokens. Findings name the variable and never show the value.",
        why: "A literal value is part of the pod spec: it is stored unencrypted in etcd (Secrets can be encrypted at rest), readable by everyone with `get` on the workload (far more people than can read Secrets), kept in Git, Helm release history, CI logs and every snapshot like this one, and it is never rotated.",
        example: "spec:\n  containers:\n  - name: api\n    image: ghcr.io/acme/storefront-api:2.14.0\n    env:\n    - name: DB_PASSWORD\n      value: changeme123",
        remediation: "Rotate the credential (consider it exposed), store it in a Secret (or an external secret manager synced by the CSI Secrets Store driver or External Secrets) and mount it as a file; for cloud APIs use a workload identity (IRSA, EKS Pod Identity, Azure or GKE Workload Identity) instead of static keys.",
        frameworks: &["cis-k8s/5.4.1", "nsa-cisa", "mitre/T1552.001"],
    },
    check: check_credentials_in_env,
};

fn check_credentials_in_env(cx: &Context, out: &mut Vec<Finding>) {
    for unit in &cx.units {
        for ctr in containers(unit) {
            for (j, var) in ctr.c.env.iter().enumerate() {
                let Some(value) = var.value.as_deref() else {
                    continue;
                };
                let what = match credential_in_value(value) {
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
        checks: "No ConfigMap key is named like a credential (`password`, `secret`, `token`, `api_key`, `access_key`, `private_key`, `credentials`, `*.key`, `id_rsa`, `.htpasswd`, `.pgpass`, ...; not public or publishable keys, nor names of files, paths or URLs of credentials) or like a connection string that usually embeds a password (`DATABASE_URL`, `*_DSN`, `CONNECTION_STRING`, `REDIS_URL`, ...). Portolan never reads ConfigMap values, so the decision is on key names only.",
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
            let what = match classify_name(key) {
                Some(NameKind::Credential) => "is named like a credential",
                Some(NameKind::ConnectionString) => {
                    "is named like a connection string, which usually embeds a password"
                }
                None => continue,
            };
            out.push(Finding {
                exemption: None,
                rule: CREDENTIALS_IN_CONFIG_MAP.info.id.to_string(),
                severity: CREDENTIALS_IN_CONFIG_MAP.info.severity,
                resource: ResourceRef {
                    kind: "ConfigMap".into(),
                    namespace: cm.metadata.namespace.clone(),
                    name: cm.metadata.name.clone(),
                },
                container: String::new(),
                field: format!("data.{key}"),
                message: format!(
                    "ConfigMap {} key \"{key}\" {what} (value not read)",
                    cm.metadata.name
                ),
                source: cm.source.clone(),
            });
        }
    }
}
