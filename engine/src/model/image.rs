//! Container image references, normalised the way container runtimes resolve them.
//!
//! `nginx`, `docker.io/nginx:latest` and `index.docker.io/library/nginx:latest` are the
//! same image; joining scans to running containers and counting images both depend on
//! reading them alike.

use serde::Serialize;

#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct ImageRef {
    /// Registry host, `docker.io` when none is given.
    pub registry: String,
    /// Repository path, with `library/` for Docker Hub official images.
    pub repository: String,
    /// Tag; `latest` when neither tag nor digest is given.
    pub tag: Option<String>,
    /// `sha256:...` when pinned by digest.
    pub digest: Option<String>,
}

impl ImageRef {
    /// Parses an image reference. Returns `None` for an empty reference.
    pub fn parse(reference: &str) -> Option<ImageRef> {
        let reference = reference.trim();
        if reference.is_empty() {
            return None;
        }
        let (name, digest) = match reference.split_once('@') {
            Some((n, d)) => (n, Some(d.to_string())),
            None => (reference, None),
        };
        // A tag is after the last ':' that follows the last '/' (a registry port has
        // a '/' after it).
        let slash = name.rfind('/').map_or(0, |i| i + 1);
        let (name, tag) = match name[slash..].rfind(':') {
            Some(i) => (&name[..slash + i], Some(name[slash + i + 1..].to_string())),
            None => (name, None),
        };
        let (registry, repository) = match name.split_once('/') {
            Some((first, rest))
                if first.contains('.') || first.contains(':') || first == "localhost" =>
            {
                (first.to_string(), rest.to_string())
            }
            _ => ("docker.io".to_string(), name.to_string()),
        };
        let registry = match registry.as_str() {
            "index.docker.io" | "registry-1.docker.io" => "docker.io".to_string(),
            _ => registry,
        };
        let repository = if registry == "docker.io" && !repository.contains('/') {
            format!("library/{repository}")
        } else {
            repository
        };
        let tag = match (tag, &digest) {
            (None, None) => Some("latest".to_string()),
            (tag, _) => tag,
        };
        Some(ImageRef {
            registry,
            repository,
            tag,
            digest,
        })
    }

    /// The full normalised reference: `registry/repository[:tag][@digest]`.
    pub fn canonical(&self) -> String {
        let mut s = format!("{}/{}", self.registry, self.repository);
        if let Some(tag) = &self.tag {
            s.push(':');
            s.push_str(tag);
        }
        if let Some(digest) = &self.digest {
            s.push('@');
            s.push_str(digest);
        }
        s
    }
}

/// Whether `digest` is a well-formed digest of an algorithm the OCI image specification
/// registers: `sha256:` and 64 lowercase hex digits, or `sha512:` and 128. Anything else
/// after `@` (`sha256:abc`, `SHA256:...`, `latest`) pins nothing: a runtime refuses the
/// reference.
pub fn well_formed_digest(digest: &str) -> bool {
    let Some((algorithm, hex)) = digest.split_once(':') else {
        return false;
    };
    let length = match algorithm {
        "sha256" => 64,
        "sha512" => 128,
        _ => return false,
    };
    hex.len() == length
        && hex
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

#[cfg(test)]
mod tests {
    use super::{well_formed_digest, ImageRef};

    #[test]
    fn digests_are_well_formed_or_not() {
        let hex64 = "b2412fae2beef78c13e95a13dc08782070f1b01ff27f1e51d5f6656815870521";
        assert!(well_formed_digest(&format!("sha256:{hex64}")));
        assert!(well_formed_digest(&format!("sha512:{hex64}{hex64}")));
        assert!(!well_formed_digest(&format!("sha512:{hex64}")));
        assert!(!well_formed_digest(&format!(
            "sha256:{}",
            hex64.to_uppercase()
        )));
        assert!(!well_formed_digest(&format!("SHA256:{hex64}")));
        assert!(!well_formed_digest(&format!("sha256:{hex64}0")));
        assert!(!well_formed_digest("sha256:abc"));
        assert!(!well_formed_digest(&format!("md5:{hex64}")));
        assert!(!well_formed_digest("latest"));
        assert!(!well_formed_digest(""));
    }

    fn canon(s: &str) -> String {
        ImageRef::parse(s).unwrap().canonical()
    }

    #[test]
    fn normalises_like_a_runtime() {
        assert_eq!(canon("nginx"), "docker.io/library/nginx:latest");
        assert_eq!(canon("nginx:1.25"), "docker.io/library/nginx:1.25");
        assert_eq!(canon("docker.io/nginx"), "docker.io/library/nginx:latest");
        assert_eq!(
            canon("index.docker.io/library/nginx:1"),
            "docker.io/library/nginx:1"
        );
        assert_eq!(canon("bitnami/redis:7"), "docker.io/bitnami/redis:7");
        assert_eq!(canon("localhost:5000/app"), "localhost:5000/app:latest");
        assert_eq!(
            canon("ghcr.io/acme/web@sha256:abc"),
            "ghcr.io/acme/web@sha256:abc"
        );
        assert_eq!(
            canon("registry.k8s.io/ingress-nginx/controller:v1.9.4@sha256:abc"),
            "registry.k8s.io/ingress-nginx/controller:v1.9.4@sha256:abc"
        );
        assert!(ImageRef::parse(" ").is_none());
    }
}
