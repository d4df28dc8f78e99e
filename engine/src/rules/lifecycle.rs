//! End-of-life and known-vulnerable releases: the one dated table the node rules
//! ([`super::control_plane::nodes`]) and the image rules ([`super::workload::lifecycle`])
//! read (Kubernetes minors themselves are in
//! [`crate::rules::cluster::OLDEST_SUPPORTED_MINOR`]).
//!
//! The engine has no clock: every entry is a release that was past its end of life (or
//! known vulnerable) on [`TABLE_DATE`]. Update the date, the entries and the rule texts
//! together when releases move on; sources are the projects' release pages
//! (containerd `RELEASES.md`, docs.docker.com engine release notes, the distributions'
//! lifecycle pages, kubernetes.io security announcements).

use crate::model::image::ImageRef;

/// When the tables were last checked.
pub const TABLE_DATE: &str = "2026-12-03";

/// A version's leading numbers: `v1.30.2-eks-1552ad0` → `[1, 30, 2]`, `3.9-slim` →
/// `[3, 9]`; empty when it does not start with a number.
pub fn numbers(version: &str) -> Vec<u32> {
    let v = version.trim().trim_start_matches(['v', 'V']);
    let mut out = Vec::new();
    for part in v.split('.') {
        let digits: String = part.chars().take_while(char::is_ascii_digit).collect();
        let Ok(n) = digits.parse() else {
            break;
        };
        out.push(n);
        if digits.len() != part.len() {
            break;
        }
    }
    out
}

/// Kubelet releases with a known vulnerability that a node's version decides.
/// `(first affected, first fixed, advisory)`; a version in `[first affected, first
/// fixed)` is vulnerable.
pub const KUBELET_VULNERABLE: &[(&[u32], &[u32], &str)] = &[
    (
        &[0],
        &[1, 28, 12],
        "CVE-2024-10220 (gitRepo volumes run commands on the node; fixed in 1.28.12, 1.29.7, 1.30.3)",
    ),
    (
        &[1, 29],
        &[1, 29, 7],
        "CVE-2024-10220 (gitRepo volumes run commands on the node; fixed in 1.28.12, 1.29.7, 1.30.3)",
    ),
    (
        &[1, 30],
        &[1, 30, 3],
        "CVE-2024-10220 (gitRepo volumes run commands on the node; fixed in 1.28.12, 1.29.7, 1.30.3)",
    ),
];

/// The advisory a kubelet version is affected by, if any.
pub fn kubelet_vulnerability(version: &str) -> Option<&'static str> {
    let v = numbers(version);
    if v.len() < 3 {
        return None;
    }
    KUBELET_VULNERABLE
        .iter()
        .find(|(from, fixed, _)| v.as_slice() >= *from && v.as_slice() < *fixed)
        .map(|(_, _, advisory)| *advisory)
}

/// Container runtime releases past their end of life: `(runtime, versions before this
/// one, note)`. CRI-O follows the Kubernetes minors and is
/// read against [`crate::rules::cluster::OLDEST_SUPPORTED_MINOR`] instead.
pub const RUNTIME_END_OF_LIFE: &[(&str, &[u32], &str)] = &[
    // containerd RELEASES.md, support table (read 2026-12-03): 1.6 ended 2025-08-23;
    // 1.7's community support ended 2026-03-10 and its extended LTS in September 2026.
    (
        "containerd",
        &[2, 0],
        "containerd 1.7 and older are past end of life (1.7's extended support ended in September 2026)",
    ),
    // moby's project/BRANCHES-AND-TAGS.md as endoflife.date tracks it (read 2026-12-04):
    // within a major only the newest minor is maintained; 27.x ended 2025-05-03, 28.x with
    // 29.0 (2025-11), 26.1 in 2025, and 25.0, maintained longest (for Amazon Linux), on
    // 2026-12-04. 29 is the one maintained major.
    (
        "docker",
        &[29],
        "Docker Engine 28 and older are no longer maintained (28.x since 29.0 in November 2025; 25.0, the last older branch, since 2026-12-04)",
    ),
];

/// containerd minors past their end of life between supported ones, with the date
/// (containerd RELEASES.md, read 2026-12-03; the table as containerd PR #13739 left it
/// in July 2026, re-checked 2026-12-04): 2.0 is an LTS until March 2027 and 2.3
/// until 2028-04-30, but 2.1 ended 2026-07-03 and 2.2 on 2026-11-06.
const CONTAINERD_ENDED_MINORS: &[(&[u32], &str)] = &[
    (&[2, 1], "containerd 2.1 reached end of life on 2026-07-03"),
    (&[2, 2], "containerd 2.2 reached end of life on 2026-11-06"),
];

/// Why a node's `containerRuntimeVersion` (`containerd://1.7.11`) is past its end of
/// life, if it is.
pub fn runtime_end_of_life(runtime_version: &str) -> Option<String> {
    let (runtime, version) = runtime_version.split_once("://")?;
    let v = numbers(version);
    if v.len() < 2 {
        return None;
    }
    if runtime == "cri-o" {
        let oldest = crate::rules::cluster::OLDEST_SUPPORTED_MINOR;
        return ((v[0], v[1]) < oldest).then(|| {
            format!(
                "CRI-O {}.{} follows Kubernetes {}.{}, which is out of upstream support",
                v[0], v[1], v[0], v[1]
            )
        });
    }
    if runtime == "containerd" {
        if let Some((_, note)) = CONTAINERD_ENDED_MINORS
            .iter()
            .find(|(minor, _)| v.starts_with(minor))
        {
            return Some(note.to_string());
        }
    }
    RUNTIME_END_OF_LIFE
        .iter()
        .find(|(name, before, _)| *name == runtime && v.as_slice() < *before)
        .map(|(_, _, note)| note.to_string())
}

/// Node operating systems past their end of (standard) support: `(osImage prefix,
/// end of life, name)`. Compared case-insensitively with the start of `osImage`.
pub const OS_END_OF_LIFE: &[(&str, &str, &str)] = &[
    // aws.amazon.com/amazon-linux-2/faqs: end of support 2026-06-30.
    ("Amazon Linux 2 ", "2026-06-30", "Amazon Linux 2"),
    // centos.org end-of-life pages (7, 8, Stream 8).
    ("CentOS Linux 7", "2024-06-30", "CentOS Linux 7"),
    ("CentOS Linux 8", "2021-12-31", "CentOS Linux 8"),
    ("CentOS Stream 8", "2024-05-31", "CentOS Stream 8"),
    // wiki.debian.org/LTS (9, 10 and 11 LTS end dates).
    ("Debian GNU/Linux 9", "2022-06-30", "Debian 9"),
    ("Debian GNU/Linux 10", "2024-06-30", "Debian 10"),
    ("Debian GNU/Linux 11", "2026-08-31", "Debian 11"),
    // access.redhat.com/support/policy/updates/errata: RHEL 7 maintenance ended 2024-06-30.
    ("Red Hat Enterprise Linux Server 7", "2024-06-30", "RHEL 7"),
    ("Red Hat Enterprise Linux 7", "2024-06-30", "RHEL 7"),
    // suse.com/lifecycle: SLES 12 SP5 general support ended 2024-10-31.
    ("SUSE Linux Enterprise Server 12", "2024-10-31", "SLES 12"),
    // ubuntu.com/about/release-cycle: end of standard support.
    ("Ubuntu 16.04", "2021-04-30", "Ubuntu 16.04"),
    ("Ubuntu 18.04", "2023-05-31", "Ubuntu 18.04"),
    ("Ubuntu 20.04", "2025-05-31", "Ubuntu 20.04"),
];

/// `(name, end of life)` of a node's `osImage` when it is past its end of support.
pub fn os_end_of_life(os_image: &str) -> Option<(&'static str, &'static str)> {
    let os = os_image.trim();
    // `Amazon Linux 2` is written alone, or followed by a space; `Amazon Linux 2023` is
    // another distribution.
    let padded = format!("{os} ");
    OS_END_OF_LIFE
        .iter()
        .find(|(prefix, _, _)| {
            padded.len() >= prefix.len()
                && padded.is_char_boundary(prefix.len())
                && padded[..prefix.len()].eq_ignore_ascii_case(prefix)
        })
        .map(|(_, date, name)| (*name, *date))
}

/// How an image entry matches versions.
#[derive(Clone, Copy, Debug)]
pub enum Versions {
    /// Every version (and tags that are not versions).
    All,
    /// Tags whose version is below this one (tags that are not versions do not match).
    Before(&'static [u32]),
    /// Exactly this release line (`[1, 12, 0]` matches 1.12.0 only).
    Exactly(&'static [u32]),
}

impl Versions {
    fn matches(self, tag: &str) -> bool {
        let v = numbers(tag);
        match self {
            Versions::All => true,
            Versions::Before(before) => !v.is_empty() && v.as_slice() < before,
            Versions::Exactly(exact) => v.starts_with(exact) && v.len() == exact.len(),
        }
    }
}

/// One entry of the image table.
#[derive(Debug)]
pub struct ImageLifecycle {
    /// Normalised `registry/repository` names; an entry ending in `/*` matches every
    /// repository under it.
    pub repositories: &'static [&'static str],
    pub versions: Versions,
    /// A known, remotely exploitable vulnerability (`true`) or end of life (`false`).
    pub exploitable: bool,
    pub note: &'static str,
}

const INGRESS_NGINX: &[&str] = &[
    "registry.k8s.io/ingress-nginx/controller",
    "registry.k8s.io/ingress-nginx/controller-chroot",
    "k8s.gcr.io/ingress-nginx/controller",
    "quay.io/kubernetes-ingress-controller/nginx-ingress-controller",
];

/// Images whose version says they are known exploitable or past end of life.
pub const IMAGES: &[ImageLifecycle] = &[
    // kubernetes/ingress-nginx advisory GHSA-mgvx-rpfc-9mpv and kubernetes.io blog
    // 2025-03-24 (CVE-2025-1974, fixed in 1.11.5 and 1.12.1).
    ImageLifecycle {
        repositories: INGRESS_NGINX,
        versions: Versions::Before(&[1, 11, 5]),
        exploitable: true,
        note: "ingress-nginx before 1.11.5 and 1.12.1 is affected by CVE-2025-1974 (IngressNightmare, CVSS 9.8): unauthenticated code execution through the admission webhook, with access to every Secret the controller can read",
    },
    // Same advisory: 1.12.0 is the one affected 1.12 release.
    ImageLifecycle {
        repositories: INGRESS_NGINX,
        versions: Versions::Exactly(&[1, 12, 0]),
        exploitable: true,
        note: "ingress-nginx 1.12.0 is affected by CVE-2025-1974 (IngressNightmare, CVSS 9.8; fixed in 1.12.1)",
    },
    // kubernetes.io blog 2025-11-11 "Ingress NGINX Retirement" (SIG Network and the
    // Security Response Committee): best-effort maintenance until March 2026, then no
    // releases or security fixes. Verified 2026-12-03.
    ImageLifecycle {
        repositories: INGRESS_NGINX,
        versions: Versions::All,
        exploitable: false,
        note: "the Kubernetes project retired ingress-nginx: best-effort maintenance ended in March 2026 and no security fixes follow",
    },
    // helm.sh blog "Helm 2 and the Charts Project Are Now Unsupported" (2020-11-13).
    ImageLifecycle {
        repositories: &["gcr.io/kubernetes-helm/tiller", "ghcr.io/helm/tiller"],
        versions: Versions::All,
        exploitable: false,
        note: "Tiller (Helm 2) reached end of life on 2020-11-13; it usually runs with cluster-admin and an unauthenticated gRPC port",
    },
    // Weaveworks ceased operations in February 2024; weaveworks/weave is archived.
    ImageLifecycle {
        repositories: &["docker.io/weaveworks/weave-kube", "docker.io/weaveworks/weave-npc"],
        versions: Versions::All,
        exploitable: false,
        note: "Weave Net is unmaintained since Weaveworks closed in 2024",
    },
    // kubernetes.io blog 2023-03-10 "k8s.gcr.io Image Registry Will Be Frozen From the
    // 3rd of April 2023".
    ImageLifecycle {
        repositories: &["k8s.gcr.io/*"],
        versions: Versions::All,
        exploitable: false,
        note: "the k8s.gcr.io registry is frozen since 2023-04-03: its images receive no updates (registry.k8s.io replaces it)",
    },
    // centos.org: CentOS Linux 7 end of life 2024-06-30 (8 on 2021-12-31).
    ImageLifecycle {
        repositories: &["docker.io/library/centos"],
        versions: Versions::All,
        exploitable: false,
        note: "CentOS Linux reached end of life (CentOS 7 on 2024-06-30)",
    },
    // PEP 596 / devguide.python.org/versions: 3.9 end of life 2025-10.
    ImageLifecycle {
        repositories: &["docker.io/library/python"],
        versions: Versions::Before(&[3, 10]),
        exploitable: false,
        note: "Python 3.9 and older are past end of life (3.9 on 2025-10-31)",
    },
    // nodejs/Release schedule: Node.js 20 end of life 2026-04-30.
    ImageLifecycle {
        repositories: &["docker.io/library/node"],
        versions: Versions::Before(&[22]),
        exploitable: false,
        note: "Node.js 20 and older are past end of life (20 on 2026-04-30)",
    },
    // postgresql.org/support/versioning: 13 final release 2025-11-13.
    ImageLifecycle {
        repositories: &["docker.io/library/postgres"],
        versions: Versions::Before(&[14]),
        exploitable: false,
        note: "PostgreSQL 13 and older are past end of life (13 on 2025-11-13)",
    },
    // Oracle MySQL lifecycle (8.0 extended support ends April 2026; Percona and
    // OpenLogic give 2026-04-30). Verified 2026-12-03.
    ImageLifecycle {
        repositories: &["docker.io/library/mysql"],
        versions: Versions::Before(&[8, 4]),
        exploitable: false,
        note: "MySQL 8.0 and older are past end of life (8.0 on 2026-04-30)",
    },
    // ubuntu.com/about/release-cycle: 20.04 standard support ended May 2025.
    ImageLifecycle {
        repositories: &["docker.io/library/ubuntu"],
        versions: Versions::Before(&[22, 4]),
        exploitable: false,
        note: "Ubuntu 20.04 and older are past standard support (20.04 on 2025-05-31)",
    },
    // wiki.debian.org/LTS: Debian 11 LTS ends 2026-08-31.
    ImageLifecycle {
        repositories: &["docker.io/library/debian"],
        versions: Versions::Before(&[12]),
        exploitable: false,
        note: "Debian 11 and older are past end of life (11 LTS on 2026-08-31)",
    },
    // alpinelinux.org/releases: v3.21 main repository supported until 2026-11-01.
    // Verified 2026-12-03.
    ImageLifecycle {
        repositories: &["docker.io/library/alpine"],
        versions: Versions::Before(&[3, 22]),
        exploitable: false,
        note: "Alpine 3.21 and older are past end of life (3.21 on 2026-11-01)",
    },
];

/// Debian release names used as tags, all past end of life.
const OLD_DEBIAN: &[&str] = &["jessie", "stretch", "buster", "bullseye"];

/// The table entries an image matches, exploitable ones first.
pub fn image_entries(image: &ImageRef) -> Vec<&'static ImageLifecycle> {
    let name = format!(
        "{}/{}",
        image.registry.to_ascii_lowercase(),
        image.repository
    );
    let tag = image.tag.as_deref().unwrap_or_default();
    let mut out: Vec<&ImageLifecycle> = IMAGES
        .iter()
        .filter(|e| {
            e.repositories.iter().any(|r| match r.strip_suffix("/*") {
                Some(prefix) => name.starts_with(&format!("{prefix}/")),
                None => name == *r,
            })
        })
        .filter(|e| {
            e.versions.matches(tag)
                || (name == "docker.io/library/debian"
                    && OLD_DEBIAN.iter().any(|d| tag.starts_with(d)))
        })
        .collect();
    out.sort_by_key(|e| !e.exploitable);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entries(image: &str) -> Vec<bool> {
        let parsed = ImageRef::parse(image).unwrap();
        image_entries(&parsed)
            .iter()
            .map(|e| e.exploitable)
            .collect()
    }

    #[test]
    fn versions_are_read_from_their_leading_numbers() {
        assert_eq!(numbers("v1.30.2-eks-1552ad0"), [1, 30, 2]);
        assert_eq!(numbers("3.9-slim"), [3, 9]);
        assert_eq!(numbers("22.04"), [22, 4]);
        assert!(numbers("latest").is_empty());
    }

    #[test]
    fn images_by_version() {
        // Known exploitable, then retired.
        assert_eq!(
            entries("registry.k8s.io/ingress-nginx/controller:v1.9.4"),
            [true, false]
        );
        assert_eq!(
            entries("registry.k8s.io/ingress-nginx/controller:v1.12.0@sha256:abc"),
            [true, false]
        );
        assert_eq!(
            entries("registry.k8s.io/ingress-nginx/controller:v1.12.1"),
            [false]
        );
        assert_eq!(
            entries("registry.k8s.io/ingress-nginx/controller:v1.11.5"),
            [false]
        );
        assert_eq!(entries("python:3.8-slim"), [false]);
        assert!(entries("python:3.12").is_empty());
        assert!(entries("python:latest").is_empty());
        assert_eq!(entries("debian:bullseye-slim"), [false]);
        assert!(entries("debian:bookworm").is_empty());
        assert!(entries("ubuntu:22.04").is_empty());
        assert_eq!(entries("ubuntu:20.04"), [false]);
        assert_eq!(entries("k8s.gcr.io/pause:3.2"), [false]);
        assert!(entries("registry.k8s.io/pause:3.9").is_empty());
        assert!(entries("ghcr.io/acme/python:3.8").is_empty());
    }

    #[test]
    fn kubelets_runtimes_and_operating_systems() {
        assert!(kubelet_vulnerability("v1.30.2-eks-1552ad0").is_some());
        assert!(kubelet_vulnerability("v1.30.3").is_none());
        assert!(kubelet_vulnerability("v1.29.6").is_some());
        assert!(kubelet_vulnerability("v1.28.12").is_none());
        assert!(kubelet_vulnerability("v1.27.16").is_some());
        assert!(kubelet_vulnerability("v1.31.0").is_none());
        assert!(runtime_end_of_life("containerd://1.7.22").is_some());
        // 2.0 is an LTS (until March 2027); 2.1 and 2.2 ended before it.
        assert!(runtime_end_of_life("containerd://2.0.1").is_none());
        assert!(runtime_end_of_life("containerd://2.1.4").is_some());
        assert!(runtime_end_of_life("containerd://2.2.0").is_some());
        assert!(runtime_end_of_life("containerd://2.3.1").is_none());
        assert!(runtime_end_of_life("docker://24.0.7").is_some());
        assert!(runtime_end_of_life("docker://27.3.1").is_some());
        assert!(runtime_end_of_life("docker://28.5.2").is_some());
        assert!(runtime_end_of_life("docker://29.1.0").is_none());
        assert!(runtime_end_of_life("cri-o://1.29.1").is_some());
        assert!(runtime_end_of_life("garbage").is_none());
        assert_eq!(
            os_end_of_life("Amazon Linux 2").map(|x| x.0),
            Some("Amazon Linux 2")
        );
        assert!(os_end_of_life("Amazon Linux 2023.6.20241010").is_none());
        assert!(os_end_of_life("Ubuntu 20.04.6 LTS").is_some());
        assert!(os_end_of_life("Ubuntu 22.04.4 LTS").is_none());
        assert!(os_end_of_life("é").is_none());
    }
}
