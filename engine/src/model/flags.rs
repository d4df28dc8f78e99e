//! Command lines of Kubernetes components, parsed once into a typed flag set.
//!
//! The control-plane binaries read their settings from flags (`spf13/pflag` for the
//! Kubernetes components, Go's `flag` package for etcd). A container's `command` and
//! `args` are joined as the runtime joins them, and every spelling is read: `--flag=value`,
//! `--flag value`, `-flag value` (etcd), a boolean given alone (`--profiling` is `true`;
//! a boolean takes its value only after `=`, as pflag does), repeated flags (the last
//! wins for a scalar, a list collects every occurrence), comma lists and `key=bool` maps
//! (`--feature-gates=A=true,B=false`). A shell wrapper (`sh -c "kube-apiserver ..."`)
//! is split into words. Each value remembers the field it came from
//! (`spec.containers[0].command[4]`), so a finding points at it.

use std::collections::BTreeMap;

/// One occurrence of a flag.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FlagValue {
    /// The value, `None` for a flag given alone (a boolean set to true).
    pub value: Option<String>,
    /// Where it was written: `spec.containers[0].command[3]`.
    pub field: String,
}

/// The flags of one command line, by name (without dashes), in the order written.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct FlagSet {
    flags: BTreeMap<String, Vec<FlagValue>>,
}

/// Flags of the control-plane components that are booleans: they never take the next
/// word as their value.
const BOOLEANS: &[&str] = &[
    "allow-privileged",
    "anonymous-auth",
    "auto-tls",
    "client-cert-auth",
    "enable-bootstrap-token-auth",
    "enable-priority-and-fairness",
    "experimental-initial-corrupt-check",
    "leader-elect",
    "peer-auto-tls",
    "peer-client-cert-auth",
    "profiling",
    "service-account-extend-token-expiration",
    "service-account-lookup",
    "strict-reconfig-check",
    "use-service-account-credentials",
    "enable-v2",
    "enable-pprof",
];

impl FlagSet {
    /// Reads `words` (each with the field it came from). The first word is the binary
    /// when it does not start with `-`; words that are not flags or values are ignored.
    pub fn parse(words: &[(String, String)]) -> FlagSet {
        let mut flags: BTreeMap<String, Vec<FlagValue>> = BTreeMap::new();
        let mut i = 0;
        while i < words.len() {
            let (field, word) = (&words[i].0, words[i].1.trim());
            i += 1;
            let Some(body) = word.strip_prefix("--").or_else(|| word.strip_prefix('-')) else {
                continue;
            };
            if body.is_empty() || body.starts_with('-') {
                continue;
            }
            let (name, value) = match body.split_once('=') {
                Some((n, v)) => (n, Some(unquote(v).to_string())),
                None if !BOOLEANS.contains(&body)
                    && words.get(i).is_some_and(|(_, next)| {
                        let next = next.trim();
                        !next.is_empty() && !next.starts_with('-')
                    }) =>
                {
                    i += 1;
                    (body, Some(unquote(words[i - 1].1.trim()).to_string()))
                }
                None => (body, None),
            };
            flags.entry(name.to_string()).or_default().push(FlagValue {
                value,
                field: field.clone(),
            });
        }
        FlagSet { flags }
    }

    /// The words of a container's `command` then `args`, each with its field path
    /// (`<container>.command[i]`). A word holding a shell script that runs `binary`
    /// (`sh -c "kube-apiserver --a=b"`) is split into words.
    pub fn words(
        container_path: &str,
        command: &[String],
        args: &[String],
        binary: &str,
    ) -> Vec<(String, String)> {
        let mut out = Vec::new();
        for (list, items) in [("command", command), ("args", args)] {
            for (i, w) in items.iter().enumerate() {
                let field = format!("{container_path}.{list}[{i}]");
                if w.contains(char::is_whitespace) && w.contains(binary) {
                    out.extend(
                        w.split_whitespace()
                            .map(|part| (field.clone(), part.to_string())),
                    );
                } else {
                    out.push((field, w.clone()));
                }
            }
        }
        out
    }

    /// Whether the flag was given at all.
    pub fn has(&self, name: &str) -> bool {
        self.flags.contains_key(name)
    }

    /// The last occurrence of the flag (the one pflag keeps for a scalar).
    pub fn last(&self, name: &str) -> Option<&FlagValue> {
        self.flags.get(name).and_then(|v| v.last())
    }

    /// The flag's value as a scalar: the last occurrence, `""` for a flag given alone.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.last(name)
            .map(|v| v.value.as_deref().unwrap_or_default())
    }

    /// The flag's value as a non-empty string (an empty value counts as unset).
    pub fn non_empty(&self, name: &str) -> Option<&str> {
        self.get(name).map(str::trim).filter(|v| !v.is_empty())
    }

    /// The flag as a boolean: alone means true; `None` when absent or not a boolean.
    pub fn bool(&self, name: &str) -> Option<bool> {
        let v = self.last(name)?;
        match v.value.as_deref().map(str::trim) {
            None => Some(true),
            Some(s) => parse_bool(s),
        }
    }

    /// The flag as a list: every occurrence, each split on commas, trimmed, empty
    /// items dropped (pflag's string slices append on repetition).
    pub fn list(&self, name: &str) -> Vec<&str> {
        self.flags
            .get(name)
            .into_iter()
            .flatten()
            .filter_map(|v| v.value.as_deref())
            .flat_map(|v| v.split(','))
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .collect()
    }

    /// A key of a `key=bool` map flag (`--feature-gates`); repeated flags merge, the
    /// last setting of a key wins.
    pub fn map_bool(&self, name: &str, key: &str) -> Option<bool> {
        let mut found = None;
        for item in self.list(name) {
            if let Some((k, v)) = item.split_once('=') {
                if k.trim() == key {
                    found = parse_bool(v.trim()).or(found);
                }
            }
        }
        found
    }

    /// The field of the flag's last occurrence, when given.
    pub fn field(&self, name: &str) -> Option<&str> {
        self.last(name).map(|v| v.field.as_str())
    }
}

/// `true`/`false` as Go's `strconv.ParseBool` reads them.
pub fn parse_bool(s: &str) -> Option<bool> {
    match s {
        "1" | "t" | "T" | "true" | "TRUE" | "True" => Some(true),
        "0" | "f" | "F" | "false" | "FALSE" | "False" => Some(false),
        _ => None,
    }
}

/// A Go duration (`1m0s`, `300s`, `2h`, `0`) in seconds; `None` when malformed.
pub fn parse_duration_secs(s: &str) -> Option<f64> {
    let s = s.trim();
    if s == "0" {
        return Some(0.0);
    }
    let (negative, mut rest) = match s.strip_prefix('-') {
        Some(r) => (true, r),
        None => (false, s.strip_prefix('+').unwrap_or(s)),
    };
    if rest.is_empty() {
        return None;
    }
    let mut total = 0.0;
    while !rest.is_empty() {
        let n = rest
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .unwrap_or(rest.len());
        let number: f64 = rest[..n].parse().ok()?;
        rest = &rest[n..];
        let u = rest
            .find(|c: char| c.is_ascii_digit() || c == '.')
            .unwrap_or(rest.len());
        let factor = match &rest[..u] {
            "ns" => 1e-9,
            "us" | "µs" | "μs" => 1e-6,
            "ms" => 1e-3,
            "s" => 1.0,
            "m" => 60.0,
            "h" => 3600.0,
            _ => return None,
        };
        rest = &rest[u..];
        total += number * factor;
    }
    Some(if negative { -total } else { total })
}

fn unquote(s: &str) -> &str {
    for q in ['"', '\''] {
        if let Some(inner) = s.strip_prefix(q).and_then(|r| r.strip_suffix(q)) {
            return inner;
        }
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    fn set(words: &[&str]) -> FlagSet {
        let words: Vec<(String, String)> = words
            .iter()
            .enumerate()
            .map(|(i, w)| (format!("c.command[{i}]"), w.to_string()))
            .collect();
        FlagSet::parse(&words)
    }

    #[test]
    fn reads_every_spelling() {
        let f = set(&[
            "kube-apiserver",
            "--authorization-mode=Node",
            "--authorization-mode",
            "RBAC",
            "--profiling",
            "--anonymous-auth=false",
            "-audit-log-maxage",
            "30",
            "--feature-gates=A=true,B=false",
            "--feature-gates=A=false",
            "--tls-cert-file=\"/etc/k/a.crt\"",
        ]);
        assert_eq!(f.list("authorization-mode"), ["Node", "RBAC"]);
        assert_eq!(f.get("authorization-mode"), Some("RBAC"));
        assert_eq!(f.field("authorization-mode"), Some("c.command[2]"));
        assert_eq!(f.bool("profiling"), Some(true));
        assert_eq!(f.bool("anonymous-auth"), Some(false));
        assert_eq!(f.get("audit-log-maxage"), Some("30"));
        assert_eq!(f.map_bool("feature-gates", "A"), Some(false));
        assert_eq!(f.map_bool("feature-gates", "B"), Some(false));
        assert_eq!(f.map_bool("feature-gates", "C"), None);
        assert_eq!(f.get("tls-cert-file"), Some("/etc/k/a.crt"));
        assert!(!f.has("kube-apiserver"));
    }

    #[test]
    fn a_boolean_takes_its_value_only_after_equals() {
        // pflag: `--anonymous-auth false` sets true and leaves `false` as an argument.
        let f = set(&["kube-apiserver", "--anonymous-auth", "false", "--x", "y"]);
        assert_eq!(f.bool("anonymous-auth"), Some(true));
        assert_eq!(f.get("x"), Some("y"));
    }

    #[test]
    fn shell_wrappers_are_split() {
        let words = FlagSet::words(
            "spec.containers[0]",
            &["/bin/sh".into(), "-c".into()],
            &["exec kube-scheduler --profiling=false --bind-address=0.0.0.0".into()],
            "kube-scheduler",
        );
        let f = FlagSet::parse(&words);
        assert_eq!(f.bool("profiling"), Some(false));
        assert_eq!(f.get("bind-address"), Some("0.0.0.0"));
        assert_eq!(f.field("bind-address"), Some("spec.containers[0].args[0]"));
    }

    #[test]
    fn durations_and_booleans() {
        assert_eq!(parse_duration_secs("1m0s"), Some(60.0));
        assert_eq!(parse_duration_secs("300s"), Some(300.0));
        assert_eq!(parse_duration_secs("1h30m"), Some(5400.0));
        assert_eq!(parse_duration_secs("0"), Some(0.0));
        assert_eq!(parse_duration_secs("-5s"), Some(-5.0));
        assert_eq!(parse_duration_secs("60"), None);
        assert_eq!(parse_duration_secs("abc"), None);
        assert_eq!(parse_bool("True"), Some(true));
        assert_eq!(parse_bool("yes"), None);
    }
}
