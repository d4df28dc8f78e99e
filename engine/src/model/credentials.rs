//! Recognising credentials in configuration: by the name of a variable or key, and by
//! the shape of a value.
//!
//! The one classifier every analysis uses: the `credentialsInEnv` and
//! `credentialsInConfigMap` rules, the parser of ConfigMaps (which judges each value as
//! it reads it and keeps only the verdict), and run-time detection over audit logs.
//!
//! **Invariant:** a verdict never holds the value: [`CredentialKind`] says what kind of
//! credential was seen (with at most a public prefix such as `AKIA`), nothing more.

use serde::Serialize;

/// What kind of credential a value is, recognised by its shape.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum CredentialKind {
    /// A PEM private key (any standard `-----BEGIN ... PRIVATE KEY-----` header).
    PrivateKey,
    /// An AWS access key id (`AKIA…` long-term, `ASIA…` temporary).
    AwsAccessKeyId(&'static str),
    /// A Google API key (`AIza…`).
    GoogleApiKey,
    /// A JSON Web Token (three base64url parts, a JSON header).
    Jwt,
    /// A URL with `user:password@`, or an ADO/Azure connection string with a password
    /// or account key.
    ConnectionString,
    /// An HTTP `Bearer` token.
    BearerToken,
    /// A provider's token recognised by its prefix (GitHub, GitLab, Slack, Stripe).
    ProviderToken(&'static str, &'static str),
}

impl CredentialKind {
    /// How findings describe it (never the value).
    pub fn describe(self) -> String {
        match self {
            CredentialKind::PrivateKey => "a PEM private key".into(),
            CredentialKind::AwsAccessKeyId(prefix) => {
                format!("an AWS access key id ({prefix}…, 20 characters)")
            }
            CredentialKind::GoogleApiKey => "a Google API key (AIza…)".into(),
            CredentialKind::Jwt => "a JSON Web Token".into(),
            CredentialKind::ConnectionString => {
                "a connection string with an embedded password".into()
            }
            CredentialKind::BearerToken => "a bearer token".into(),
            CredentialKind::ProviderToken(what, prefix) => format!("{what} ({prefix}…)"),
        }
    }
}

/// Tokens of a value: split at whitespace, quotes and the separators of `k=v;k=v`,
/// JSON and YAML.
fn tokens(value: &str) -> impl Iterator<Item = &str> {
    value
        .split(|c: char| {
            c.is_whitespace()
                || matches!(
                    c,
                    '"' | '\''
                        | '='
                        | ','
                        | ';'
                        | ':'
                        | '`'
                        | '('
                        | ')'
                        | '['
                        | ']'
                        | '{'
                        | '}'
                        | '<'
                        | '>'
                )
        })
        .filter(|t| !t.is_empty())
}

/// Whether a `-----BEGIN LABEL-----` header of a private key occurs in `value`: `RSA`,
/// `EC`, `DSA`, `OPENSSH`, `ENCRYPTED` or plain `PRIVATE KEY`, and PGP private key
/// blocks. Public keys and certificates are not.
fn pem_private_key(value: &str) -> bool {
    let mut rest = value;
    while let Some(i) = rest.find("-----BEGIN ") {
        let after = &rest[i + "-----BEGIN ".len()..];
        if let Some(end) = after.find("-----") {
            let label = &after[..end];
            let fits = label.len() <= 40
                && label
                    .chars()
                    .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == ' ');
            if fits && (label.ends_with("PRIVATE KEY") || label.ends_with("PRIVATE KEY BLOCK")) {
                return true;
            }
        }
        rest = after;
    }
    false
}

fn aws_access_key_id(value: &str) -> Option<&'static str> {
    let bytes = value.as_bytes();
    for (i, w) in bytes.windows(20).enumerate() {
        let prefix = if w.starts_with(b"AKIA") {
            "AKIA"
        } else if w.starts_with(b"ASIA") {
            "ASIA"
        } else {
            continue;
        };
        let body_ok = w[4..]
            .iter()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit());
        let before_ok = i == 0 || !bytes[i - 1].is_ascii_alphanumeric();
        let after_ok = bytes.get(i + 20).is_none_or(|b| !b.is_ascii_alphanumeric());
        if body_ok && before_ok && after_ok {
            return Some(prefix);
        }
    }
    None
}

fn base64url(s: &str) -> bool {
    !s.is_empty()
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_' || b == b'=')
}

/// `header.payload.signature`, base64url, the header and payload JSON objects
/// (`eyJ` is the encoding of `{"`).
fn jwt(token: &str) -> bool {
    let parts: Vec<&str> = token.split('.').collect();
    parts.len() == 3
        && parts[0].starts_with("eyJ")
        && parts[1].starts_with("eyJ")
        && parts[0].len() >= 10
        && parts[1].len() >= 10
        && parts[2].len() >= 16
        && parts.iter().all(|p| base64url(p))
}

fn placeholder(value: &str) -> bool {
    let v = value.trim();
    v.is_empty()
        || v.starts_with('$')
        || v.starts_with("{{")
        || v.starts_with('<')
        || v.chars().all(|c| c == '*' || c == 'x' || c == 'X')
}

/// `scheme://user:password@host` with a literal password.
fn url_with_password(value: &str) -> bool {
    let mut rest = value;
    while let Some(i) = rest.find("://") {
        let after = &rest[i + 3..];
        let authority = after
            .split(['/', '?', '#', ' ', '"', '\'', '\n'])
            .next()
            .unwrap_or_default();
        if let Some((userinfo, _host)) = authority.rsplit_once('@') {
            if let Some((_user, password)) = userinfo.split_once(':') {
                if !placeholder(password) {
                    return true;
                }
            }
        }
        rest = after;
    }
    false
}

/// `Server=db;User Id=app;Password=...` (ADO.NET, ODBC, JDBC properties) or an Azure
/// storage/Service Bus connection string with `AccountKey=`/`SharedAccessKey=`.
fn keyed_connection_string(value: &str) -> bool {
    if !value.contains(';') {
        return false;
    }
    value.split(';').any(|part| {
        part.split_once('=').is_some_and(|(k, v)| {
            matches!(
                k.trim().to_ascii_lowercase().as_str(),
                "password" | "pwd" | "accountkey" | "sharedaccesskey"
            ) && !placeholder(v)
        })
    })
}

/// A `Bearer <token>` value (an `Authorization` header written into configuration).
fn bearer(value: &str) -> bool {
    let mut words = value.split_whitespace();
    while let Some(w) = words.next() {
        if w.eq_ignore_ascii_case("bearer") {
            if let Some(token) = words.next() {
                if token.len() >= 16 && !placeholder(token) {
                    return true;
                }
            }
        }
    }
    false
}

/// The kind of credential `value` holds, recognised by its shape whatever it is called;
/// `None` for anything else. A private key header inside a longer text (a config file,
/// a JSON service account key) counts; a certificate or public key does not.
pub fn classify_value(value: &str) -> Option<CredentialKind> {
    if let Some(prefix) = aws_access_key_id(value) {
        return Some(CredentialKind::AwsAccessKeyId(prefix));
    }
    if pem_private_key(value) {
        return Some(CredentialKind::PrivateKey);
    }
    if url_with_password(value) || keyed_connection_string(value) {
        return Some(CredentialKind::ConnectionString);
    }
    if bearer(value) {
        return Some(CredentialKind::BearerToken);
    }
    for token in tokens(value) {
        if jwt(token) {
            return Some(CredentialKind::Jwt);
        }
        if token.len() == 39
            && token.starts_with("AIza")
            && token[4..]
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        {
            return Some(CredentialKind::GoogleApiKey);
        }
        for (prefix, what) in [
            ("ghp_", "a GitHub token"),
            ("gho_", "a GitHub token"),
            ("ghs_", "a GitHub token"),
            ("github_pat_", "a GitHub token"),
            ("glpat-", "a GitLab token"),
            ("xoxb-", "a Slack token"),
            ("xoxp-", "a Slack token"),
            ("sk_live_", "a Stripe secret key"),
            ("rk_live_", "a Stripe secret key"),
        ] {
            if token.starts_with(prefix) && token.len() >= prefix.len() + 16 {
                return Some(CredentialKind::ProviderToken(what, prefix));
            }
        }
    }
    None
}

/// What a name (an environment variable or a config map key) says it holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NameKind {
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
pub fn classify_name(name: &str) -> Option<NameKind> {
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
        || pair("LICENSE", "KEY")
        || has("BEARER")
        || provider_key(&w);
    credential.then_some(NameKind::Credential)
}

/// Words before a final `KEY` that make it a data-structure key, not a secret
/// (`SORT_KEY`, `PARTITION_KEY`, `CACHE_KEY`, `ROUTING_KEY`, `IDEMPOTENCY_KEY`).
const DATA_KEY_QUALIFIERS: &[&str] = &[
    "SORT",
    "PRIMARY",
    "PARTITION",
    "CACHE",
    "ROUTING",
    "FOREIGN",
    "SHARD",
    "SHARDING",
    "HASH",
    "RANGE",
    "LOOKUP",
    "IDEMPOTENCY",
    "DEDUP",
    "DEDUPLICATION",
    "OBJECT",
    "LABEL",
    "ANNOTATION",
    "TENANT",
    "GROUP",
    "MESSAGE",
    "EVENT",
    "CONFIG",
    "JSON",
    "MAP",
    "METRIC",
    "FEATURE",
    "TRANSLATION",
    "I18N",
    "SEARCH",
    "INDEX",
    "QUERY",
    "LOCK",
    "ROW",
    "COLUMN",
    "TABLE",
    "UNIQUE",
    "COMPOSITE",
    "NATURAL",
    "SURROGATE",
    "CLUSTERING",
    "DISTRIBUTION",
    "ORDER",
    "GROUPING",
    "BUCKETING",
    "REDIS",
    "QUEUE",
    "TOPIC",
    "STREAM",
    "CORRELATION",
    "TRACE",
    "LOG",
    "SELECTOR",
    "MATCH",
    "HOT",
    "SHORTCUT",
    "PUBLIC",
];

/// Last words after a leading `KEY` that describe keys in general, not hold one
/// (`KEY_SEPARATOR`, `KEY_ALGORITHM`, `KEY_BINDINGS`).
const KEY_TAILS: &[&str] = &[
    "SEPARATOR",
    "DELIMITER",
    "COLUMN",
    "COLUMNS",
    "ALGORITHM",
    "ALG",
    "STRATEGY",
    "BINDINGS",
    "BINDING",
    "MAP",
    "MAPPING",
    "CODE",
    "CODES",
    "LAYOUT",
    "REPEAT",
    "SPACE",
    "PATTERN",
    "FUNCTION",
    "FUNC",
    "GENERATOR",
    "USAGE",
    "USAGES",
    "LIST",
];

/// Words after a `KEY` in the middle of a name that say the value is the key itself
/// (`GCP_SA_KEY_CONTENT`, `SIGNING_KEY_B64`).
const KEY_CONTENT_WORDS: &[&str] = &[
    "CONTENT", "CONTENTS", "DATA", "VALUE", "B64", "BASE64", "JSON", "PEM", "MATERIAL", "STRING",
    "RAW", "TEXT", "BYTES",
];

/// A provider-style key whose only marker is the word `KEY`: `SENDGRID_KEY`,
/// `KEY_STRIPE`, `GCP_SA_KEY_CONTENT`; not `SORT_KEY`, `KEY_SEPARATOR`, nor `KEYBOARD`
/// (a word of its own) or a bare `key`.
fn provider_key(w: &[String]) -> bool {
    let Some(i) = w.iter().position(|x| x == "KEY") else {
        return false;
    };
    if w.len() < 2 {
        return false;
    }
    if i == w.len() - 1 {
        return !DATA_KEY_QUALIFIERS.contains(&w[i - 1].as_str());
    }
    if i == 0 {
        let last = w[w.len() - 1].as_str();
        return !KEY_TAILS.contains(&last) && !DATA_KEY_QUALIFIERS.contains(&w[1].as_str());
    }
    KEY_CONTENT_WORDS.contains(&w[i + 1].as_str())
        && !DATA_KEY_QUALIFIERS.contains(&w[i - 1].as_str())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn private_keys_by_any_standard_header_and_not_public_material() {
        for header in [
            "RSA PRIVATE KEY",
            "PRIVATE KEY",
            "EC PRIVATE KEY",
            "DSA PRIVATE KEY",
            "OPENSSH PRIVATE KEY",
            "ENCRYPTED PRIVATE KEY",
            "PGP PRIVATE KEY BLOCK",
        ] {
            let pem = format!("-----BEGIN {header}-----\nMIIEvQIBADANBg\n-----END {header}-----\n");
            assert_eq!(
                classify_value(&pem),
                Some(CredentialKind::PrivateKey),
                "{header}"
            );
        }
        // Inside a longer text: a config file, a JSON service account key.
        let config = "server:\n  port: 8443\n  tls_key: |\n    -----BEGIN EC PRIVATE KEY-----\n    MHcCAQEE\n    -----END EC PRIVATE KEY-----\n";
        assert_eq!(classify_value(config), Some(CredentialKind::PrivateKey));
        let sa = r#"{"type": "service_account", "private_key": "-----BEGIN PRIVATE KEY-----\nMIIE\n-----END PRIVATE KEY-----\n"}"#;
        assert_eq!(classify_value(sa), Some(CredentialKind::PrivateKey));
        // Negative controls: certificates, public keys, and the words alone.
        for text in [
            "-----BEGIN CERTIFICATE-----\nMIIC\n-----END CERTIFICATE-----\n",
            "-----BEGIN PUBLIC KEY-----\nMIIB\n-----END PUBLIC KEY-----\n",
            "-----BEGIN RSA PUBLIC KEY-----\nMIIB\n-----END RSA PUBLIC KEY-----\n",
            "rotate the private key every 90 days",
            "PRIVATE KEY",
            "-----BEGIN CERTIFICATE-----\nsee the PRIVATE KEY in vault\n-----END CERTIFICATE-----",
        ] {
            assert_eq!(classify_value(text), None, "{text}");
        }
    }

    #[test]
    fn cloud_keys_tokens_and_connection_strings() {
        assert_eq!(
            classify_value("key=AKIAIOSFODNN7EXAMPLE;"),
            Some(CredentialKind::AwsAccessKeyId("AKIA"))
        );
        assert_eq!(
            classify_value("ASIAIOSFODNN7EXAMPLE"),
            Some(CredentialKind::AwsAccessKeyId("ASIA"))
        );
        assert_eq!(classify_value("XAKIAIOSFODNN7EXAMPLE"), None);
        assert_eq!(
            classify_value("AIzaSyA1234567890abcdefghijklmnopqrstuv"),
            Some(CredentialKind::GoogleApiKey)
        );
        let jwt = "eyJhbGciOiJSUzI1NiIsImtpZCI6IjEifQ.eyJzdWIiOiJzeXN0ZW06c2VydmljZWFjY291bnQifQ.c2lnbmF0dXJlLWJ5dGVzLWhlcmU";
        assert_eq!(classify_value(jwt), Some(CredentialKind::Jwt));
        assert_eq!(
            classify_value(&format!("token: {jwt}\n")),
            Some(CredentialKind::Jwt)
        );
        assert_eq!(classify_value("eyJhbGciOi.notajwt"), None);
        assert_eq!(classify_value("version 1.2.3"), None);
        for conn in [
            "postgres://u:p@h",
            "amqp://guest:guest@rabbit:5672/",
            "Server=db.internal;Database=shop;User Id=app;Password=S3cret!;",
            "DefaultEndpointsProtocol=https;AccountName=acme;AccountKey=bXlrZXk=;EndpointSuffix=core.windows.net",
        ] {
            assert_eq!(
                classify_value(conn),
                Some(CredentialKind::ConnectionString),
                "{conn}"
            );
        }
        for not in [
            "https://user@host/x",
            "postgres://app:$(DB_PASSWORD)@db/app",
            "https://example.com/a:b@c",
            "Server=db;Database=shop;Integrated Security=true;",
            "Server=db;Password=;",
            "Password=hunter2",
        ] {
            assert_eq!(classify_value(not), None, "{not}");
        }
        assert_eq!(
            classify_value("Bearer 0123456789abcdef0123"),
            Some(CredentialKind::BearerToken)
        );
        assert_eq!(classify_value("Bearer ${TOKEN}"), None);
        assert_eq!(
            classify_value("ghp_0123456789abcdefghij0123"),
            Some(CredentialKind::ProviderToken("a GitHub token", "ghp_"))
        );
    }

    #[test]
    fn provider_style_key_names() {
        for name in [
            "SENDGRID_KEY",
            "STRIPE_KEY",
            "KEY_STRIPE",
            "GCP_SA_KEY_CONTENT",
            "SIGNING_KEY_B64",
            "AUTH_BEARER",
            "BEARER",
            "azureStorageKey",
        ] {
            assert_eq!(classify_name(name), Some(NameKind::Credential), "{name}");
        }
        for name in [
            "KEYBOARD_LAYOUT",
            "SORT_KEY",
            "PARTITION_KEY",
            "CACHE_KEY",
            "ROUTING_KEY",
            "KEY_SEPARATOR",
            "KEY_ALGORITHM",
            "KEY_ID",
            "KEY_FILE",
            "SSH_KEY_PATH",
            "KEY",
            "key",
            "MONKEY_PATCH",
            "HOTKEY",
            "KEY_VAULT_NAME",
            "PUBLIC_KEY",
            "KEY_ROTATION_DAYS_MAX",
        ] {
            assert_eq!(classify_name(name), None, "{name}");
        }
    }
}
