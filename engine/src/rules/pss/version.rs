//! Policy levels and policy versions, as namespaces name them in the
//! `pod-security.kubernetes.io/enforce` and `.../enforce-version` labels.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// A Pod Security Standards level. `privileged` is the absence of checks, so it has no
/// variant: a caller that reads `privileged` from a label simply does not evaluate.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    Baseline,
    /// Every baseline check (minus the ones a restricted check overrides) plus the
    /// restricted checks.
    Restricted,
}

impl Level {
    pub fn as_str(self) -> &'static str {
        match self {
            Level::Baseline => "baseline",
            Level::Restricted => "restricted",
        }
    }
}

impl fmt::Display for Level {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Level {
    type Err = ParseError;
    fn from_str(s: &str) -> Result<Self, ParseError> {
        match s {
            "baseline" => Ok(Level::Baseline),
            "restricted" => Ok(Level::Restricted),
            _ => Err(ParseError(format!(
                "unknown Pod Security level {s:?} (expected baseline or restricted)"
            ))),
        }
    }
}

/// A policy version: `v1.N` or `latest`. Ordered; `latest` is newer than every `v1.N`,
/// and a version newer than the newest check behaves as the newest (as upstream does).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Version {
    /// `v1.N`, holding the minor version N.
    V1(u32),
    /// What an absent `-version` label means.
    #[default]
    Latest,
}

impl Version {
    /// `v1.minor`.
    pub const fn v1(minor: u32) -> Version {
        Version::V1(minor)
    }
}

impl fmt::Display for Version {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Version::V1(minor) => write!(f, "v1.{minor}"),
            Version::Latest => f.write_str("latest"),
        }
    }
}

impl FromStr for Version {
    type Err = ParseError;
    /// Accepts exactly what the enforce-version label accepts: `latest` or `v1.N`, N
    /// without leading zeros.
    fn from_str(s: &str) -> Result<Self, ParseError> {
        if s == "latest" {
            return Ok(Version::Latest);
        }
        let minor = s
            .strip_prefix("v1.")
            .filter(|m| !m.is_empty() && m.bytes().all(|b| b.is_ascii_digit()))
            .filter(|m| *m == "0" || !m.starts_with('0'))
            .and_then(|m| m.parse::<u32>().ok());
        minor.map(Version::V1).ok_or_else(|| {
            ParseError(format!(
                "invalid Pod Security version {s:?} (expected latest or v1.N)"
            ))
        })
    }
}

impl Serialize for Version {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Version {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

/// A level or version that could not be read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ParseError(String);

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for ParseError {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_parse_and_order() {
        assert_eq!("v1.0".parse(), Ok(Version::v1(0)));
        assert_eq!("v1.37".parse(), Ok(Version::v1(37)));
        assert_eq!("latest".parse(), Ok(Version::Latest));
        for bad in [
            "", "v1", "v1.", "v1.01", "1.2", "v2.0", "v1.x", "v1.-1", "Latest",
        ] {
            assert!(bad.parse::<Version>().is_err(), "{bad}");
        }
        assert!(Version::v1(9) < Version::v1(10));
        assert!(Version::v1(1000) < Version::Latest);
        assert_eq!(Version::v1(25).to_string(), "v1.25");
        assert_eq!("restricted".parse(), Ok(Level::Restricted));
        assert!("privileged".parse::<Level>().is_err());
    }
}
