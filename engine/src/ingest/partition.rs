//! Which cluster each input file belongs to, when one set of inputs holds several.
//!
//! A folder is a **cluster folder** when it directly holds a cluster marker: a
//! kubeconfig view (`kubectl config view --minify -o json`, the `cluster.json` that
//! `collect.sh` writes per context) or `kubectl version` output. A file belongs to the
//! deepest cluster folder that holds it, at any depth (KubeHound's per-namespace
//! sub-folders stay with their cluster). Account-level inputs — AWS, Azure and GCP IAM
//! exports, AWS Organizations outputs and S3 access settings, image scans,
//! `snapshot.json` — are shared by every cluster wherever they sit.
//! Fewer than two cluster folders is one cluster: every file in it, exactly as before.
//!
//! There is deliberately no guess from folder names alone: a folder per namespace
//! (KubeHound's layout) looks like a folder per cluster, and splitting one cluster in
//! two would lose every path between its namespaces.

/// What partitioning needs to know of one parsed file.
#[derive(Clone, Copy, Debug, Default)]
pub struct FileFacts<'a> {
    pub path: &'a str,
    /// The file is a kubeconfig view or `kubectl version` output.
    pub marker: bool,
    /// The file holds only account-level objects (cloud IAM, image scans, snapshot
    /// time), which every cluster shares.
    pub shared: bool,
    /// The file holds only a cloud description of a cluster or EKS identity links:
    /// cluster-bound, but shared when it sits outside every cluster folder (the cluster
    /// it describes is found by name).
    pub cloud_cluster: bool,
}

/// The clusters of a set of files.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Partition {
    /// Each cluster's folder, sorted (`""`: files outside every cluster folder). One
    /// entry, `""`, when the files hold fewer than two cluster folders.
    pub folders: Vec<String>,
    /// Per file (in the order given), the index of its cluster in `folders`, or `None`
    /// for a file every cluster shares.
    pub of_file: Vec<Option<usize>>,
}

impl Partition {
    /// Whether the files hold several clusters.
    pub fn is_several(&self) -> bool {
        self.folders.len() > 1
    }
}

/// Partitions `files` by cluster folder; see the module documentation.
pub fn partition(files: &[FileFacts]) -> Partition {
    let mut folders: Vec<String> = files
        .iter()
        .filter(|f| f.marker)
        .map(|f| parent(f.path).to_string())
        .collect();
    folders.sort();
    folders.dedup();
    if folders.len() < 2 {
        return Partition {
            folders: vec![String::new()],
            of_file: vec![Some(0); files.len()],
        };
    }
    let mut loose = false;
    let mut of_file: Vec<Option<usize>> = files
        .iter()
        .map(|f| {
            if f.shared && !f.marker {
                return None;
            }
            // The deepest folder holding the file: folders are sorted, so a folder's
            // sub-folders come after it.
            let found = folders
                .iter()
                .enumerate()
                .filter(|(_, d)| holds(d, f.path))
                .max_by_key(|(_, d)| d.len())
                .map(|(i, _)| i);
            if found.is_none() && !f.cloud_cluster {
                loose = true;
            }
            found
        })
        .collect();
    if loose {
        // Kubernetes objects outside every cluster folder form a cluster of their own:
        // joining them to one of the others would be a guess.
        let at = folders.len();
        folders.push(String::new());
        for (slot, f) in of_file.iter_mut().zip(files) {
            if slot.is_none() && !f.shared && !f.cloud_cluster {
                *slot = Some(at);
            }
        }
    }
    Partition { folders, of_file }
}

/// Whether files (path and bytes; audit logs left out) are surely one cluster before
/// any is parsed: fewer than two folders hold a file that may be a cluster marker
/// ([`may_be_marker`]). Then [`partition`] would put every file in one cluster, and
/// `analysis::load` moves each file's objects into the inventory as they are decoded.
/// When all the files sit in one folder nothing is read.
pub fn surely_one_cluster<'a>(files: impl Iterator<Item = (&'a str, &'a [u8])> + Clone) -> bool {
    let mut folders = files.clone().map(|(path, _)| parent(path));
    let Some(first) = folders.next() else {
        return true;
    };
    if folders.all(|f| f == first) {
        return true;
    }
    let mut marker_folder: Option<&str> = None;
    for (path, bytes) in files {
        let folder = parent(path);
        if marker_folder == Some(folder) || !may_be_marker(bytes) {
            continue;
        }
        if marker_folder.is_some() {
            return false;
        }
        marker_folder = Some(folder);
    }
    true
}

/// Whether a file may be a cluster marker, from its bytes alone: a `kubectl version`
/// has a `serverVersion` key and a kubeconfig the kind `Config`, written out in JSON
/// and YAML alike unless spelt with escapes, which need a backslash. A file with none
/// of the three is surely not a marker (`ConfigMap` is not the word `Config`).
pub fn may_be_marker(bytes: &[u8]) -> bool {
    if memchr::memchr(b'\\', bytes).is_some()
        || memchr::memmem::find(bytes, b"serverVersion").is_some()
    {
        return true;
    }
    let word = |b: Option<&u8>| b.is_some_and(|b| b.is_ascii_alphanumeric() || *b == b'_');
    memchr::memmem::find_iter(bytes, b"Config")
        .any(|at| !word(at.checked_sub(1).and_then(|i| bytes.get(i))) && !word(bytes.get(at + 6)))
}

/// The folder of `path` (`""` for a file given without one).
pub fn parent(path: &str) -> &str {
    path.rfind(['/', '\\']).map_or("", |i| &path[..i])
}

/// Whether `folder` holds `path`, at any depth.
pub(crate) fn holds(folder: &str, path: &str) -> bool {
    folder.is_empty()
        || path
            .strip_prefix(folder)
            .is_some_and(|rest| rest.starts_with(['/', '\\']))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn facts(path: &str) -> FileFacts<'_> {
        FileFacts {
            path,
            ..FileFacts::default()
        }
    }

    #[test]
    fn one_marker_folder_is_one_cluster_of_every_file() {
        let files = [
            FileFacts {
                marker: true,
                ..facts("demo/cluster.json")
            },
            facts("demo/pods.json"),
            facts("extra/pods.yaml"),
            FileFacts {
                shared: true,
                ..facts("demo/aws/iam.json")
            },
        ];
        let p = partition(&files);
        assert!(!p.is_several());
        assert_eq!(p.of_file, [Some(0); 4]);
    }

    #[test]
    fn files_go_to_the_deepest_cluster_folder_and_cloud_exports_are_shared() {
        let files = [
            FileFacts {
                marker: true,
                ..facts("snap/prod/cluster.json")
            },
            facts("snap/prod/pods.json"),
            facts("snap/prod/kube-system/pods.json"),
            FileFacts {
                marker: true,
                ..facts("snap/prod/lab/version.json")
            },
            facts("snap/prod/lab/pods.json"),
            // A sibling whose name begins like a cluster folder is not inside it.
            facts("snap/prod-old/pods.json"),
            FileFacts {
                shared: true,
                ..facts("snap/prod/aws/iam.json")
            },
            FileFacts {
                cloud_cluster: true,
                ..facts("snap/eks-lab.json")
            },
        ];
        let p = partition(&files);
        assert_eq!(p.folders, ["snap/prod", "snap/prod/lab", ""]);
        assert_eq!(
            p.of_file,
            [
                Some(0),
                Some(0),
                Some(0),
                Some(1),
                Some(1),
                Some(2),
                None,
                None
            ]
        );
    }

    #[test]
    fn windows_separators_and_folderless_files() {
        let files = [
            FileFacts {
                marker: true,
                ..facts("a\\cluster.json")
            },
            facts("a\\pods.json"),
            FileFacts {
                marker: true,
                ..facts("version.json")
            },
            facts("pods.json"),
        ];
        let p = partition(&files);
        assert_eq!(p.folders, ["", "a"]);
        assert_eq!(p.of_file, [Some(1), Some(1), Some(0), Some(0)]);
    }

    #[test]
    fn a_marker_is_told_from_its_bytes_and_configmaps_are_not_markers() {
        for marker in [
            r#"{"clientVersion": {}, "serverVersion": {"gitVersion": "v1.29.1"}}"#,
            "serverVersion:\n  gitVersion: v1.29.1\n",
            r#"{"apiVersion": "v1", "kind": "Config", "clusters": []}"#,
            "apiVersion: v1\nkind: Config\nclusters: []\n",
            "kind: 'Config' # a kubeconfig\n",
            // Escapes may spell either.
            r#"{"kind": "Conf\u0069g"}"#,
        ] {
            assert!(may_be_marker(marker.as_bytes()), "{marker}");
        }
        for other in [
            r#"{"kind": "List", "items": [{"kind": "ConfigMap"}, {"kind": "KubeletConfiguration"}]}"#,
            "kind: ConfigMap\nmetadata: {name: Configs}\n",
            "",
        ] {
            assert!(!may_be_marker(other.as_bytes()), "{other}");
        }
    }

    #[test]
    fn files_are_surely_one_cluster_unless_two_folders_may_hold_a_marker() {
        let version: &[u8] = br#"{"serverVersion": {"gitVersion": "v1.29.1"}}"#;
        let pods: &[u8] = br#"{"kind": "List", "items": []}"#;
        let one =
            |files: &[(&'static str, &'static [u8])]| surely_one_cluster(files.iter().copied());
        assert!(one(&[]));
        // One folder: one cluster, whatever the files hold.
        assert!(one(&[
            ("a/version.json", version),
            ("a/other.json", version)
        ]));
        // Markers in one folder, the rest elsewhere.
        assert!(one(&[
            ("a/version.json", version),
            ("a/ns/pods.json", pods),
            ("b/pods.json", pods)
        ]));
        assert!(!one(&[
            ("a/version.json", version),
            ("b/version.json", version)
        ]));
        assert!(!one(&[
            ("version.json", version),
            ("b/pods.json", pods),
            ("b/version.json", version)
        ]));
    }
}
