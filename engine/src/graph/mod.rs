//! The security graph and attack paths (capability 5).
//!
//! [`SecurityGraph::build`] turns the [`Inventory`] into a directed graph
//! ([`petgraph`]) whose nodes are the things an attacker stands on or wants (the
//! internet, workloads, containers, nodes, service accounts, permission sets, secrets,
//! cluster-admin rights) and whose edges are either **structure** (a workload runs a
//! container, a service routes to a pod) or **attack techniques** with their real
//! preconditions (a privileged container escapes to its node: `CE_PRIV_MOUNT`; a
//! service account whose binding allows `create pods/exec` gets into the pods of a
//! namespace: `POD_EXEC`). Technique names are KubeHound's where the technique is the
//! same. Every edge kind is documented once, in [`EdgeKind::info`], and `docs/graph.md`
//! is generated from it.
//!
//! Four ideas keep the graph exact and small:
//!
//! - **Workload units, not replicas.** A Deployment's replicas are one attacker
//!   position: its containers are nodes once, its pods are structure (where it runs).
//! - **Scope nodes instead of edge explosions.** A binding that lets a subject exec
//!   into every pod of a namespace has one `POD_EXEC` edge to that namespace's node,
//!   which contains the namespace's workloads; a cluster-wide grant points at "every
//!   namespace". Likewise for service accounts (`Identities`), secrets (`Secrets`) and
//!   nodes (`AllNodes`). Edges stay linear in the snapshot whatever RBAC holds.
//! - **Inference of what a live API server adds.** The `default` service account exists
//!   in every namespace and its token is mounted unless disabled; a pod without a node
//!   (a manifest, a pending pod) lands on "a node the scheduler picks" ([`NodeKind::AnyNode`]);
//!   DaemonSet pods are on every node.
//! - **Targets are classes.** Paths end at cluster-admin-equivalent rights, a node
//!   takeover, kube-system's secrets, other namespaces' secrets, or (later) cloud
//!   identities; [`paths`] finds the likeliest path from each entry to each class with
//!   one reverse Dijkstra search per class over −log likelihood, so the analysis is
//!   O(E log V) in the graph whatever the number of entries.
//!
//! Node takeover does not end a path: the kubelet's identity ([`kubelet`]) reads what
//! the Node authorizer allows it. Steps the snapshot cannot confirm (token Secrets of a
//! namespace whose Secrets were not collected, a flaw assumed in an exposed
//! application) carry the assumption on the edge, and paths through them say so.

mod azure;
mod build;
mod cloud;
mod eks;
mod explain;
mod export;
mod gateways;
mod gcp;
mod grants;
mod identity;
mod kubelet;
pub mod merge;
pub mod path_filter;
pub mod paths;

#[cfg(test)]
mod tests;
#[cfg(test)]
mod tests_access;
#[cfg(test)]
mod tests_azure;
#[cfg(test)]
mod tests_cloud;
#[cfg(test)]
mod tests_eks;
#[cfg(test)]
mod tests_gateways;
#[cfg(test)]
mod tests_gcp;

use std::collections::{BTreeMap, HashMap};

use petgraph::graph::{DiGraph, EdgeIndex, NodeIndex};
use serde::{Deserialize, Serialize};

use crate::hash::FastMap;
use crate::model::permissions::Permissions;
use crate::model::Inventory;
use crate::rules::ResourceRef;

pub(crate) use build::is_private_address;
pub use export::{GraphExport, OpenGraph};
pub use path_filter::PathFilter;
pub use paths::{AttackPathReport, PathOptions};

/// What a graph node stands for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum NodeKind {
    /// Anyone on the internet.
    Internet,
    /// The cluster the snapshot is of: it contains its namespaces and nodes.
    Cluster,
    /// The cluster's API server.
    ApiServer,
    /// A Kubernetes node (host).
    Node,
    /// The node an unscheduled pod would land on: some node, not the attacker's pick.
    AnyNode,
    /// Every node of the cluster, for an attacker who can choose (`nodeName`).
    AllNodes,
    /// The workloads of a namespace (or of every namespace, `*`): reaching it means
    /// controlling them.
    Namespace,
    /// A workload unit: a controller not owned by another, or a standalone pod.
    Workload,
    /// A pod in the snapshot (a replica of a workload).
    Pod,
    /// A container of a workload (init, regular or ephemeral).
    Container,
    /// A container image reference.
    Image,
    /// A hostPath volume mounted by one container.
    Volume,
    ServiceAccount,
    User,
    Group,
    /// The rules one binding grants its subjects (a binding plus its role).
    PermissionSet,
    /// The service accounts of a namespace (or of every namespace).
    Identities,
    /// The secrets of a namespace (or of every namespace).
    Secrets,
    /// One Secret, named by a pod: what the kubelet of the pod's node may read.
    Secret,
    Service,
    Ingress,
    /// Cluster-admin-equivalent rights.
    ClusterAdmin,
    /// A cloud identity a workload can assume (an AWS IAM role).
    CloudIdentity,
    /// A cloud data store (an S3 bucket, secrets, parameters, keys) a cloud identity
    /// may read.
    CloudResource,
}

impl NodeKind {
    pub fn name(self) -> &'static str {
        match self {
            NodeKind::Internet => "Internet",
            NodeKind::Cluster => "Cluster",
            NodeKind::ApiServer => "ApiServer",
            NodeKind::Node => "Node",
            NodeKind::AnyNode => "AnyNode",
            NodeKind::AllNodes => "AllNodes",
            NodeKind::Namespace => "Namespace",
            NodeKind::Workload => "Workload",
            NodeKind::Pod => "Pod",
            NodeKind::Container => "Container",
            NodeKind::Image => "Image",
            NodeKind::Volume => "Volume",
            NodeKind::ServiceAccount => "ServiceAccount",
            NodeKind::User => "User",
            NodeKind::Group => "Group",
            NodeKind::PermissionSet => "PermissionSet",
            NodeKind::Identities => "Identities",
            NodeKind::Secrets => "Secrets",
            NodeKind::Secret => "Secret",
            NodeKind::Service => "Service",
            NodeKind::Ingress => "Ingress",
            NodeKind::ClusterAdmin => "ClusterAdmin",
            NodeKind::CloudIdentity => "CloudIdentity",
            NodeKind::CloudResource => "CloudResource",
        }
    }

    /// Every node kind, in documentation order.
    pub const ALL: &'static [NodeKind] = &[
        NodeKind::Internet,
        NodeKind::Cluster,
        NodeKind::ApiServer,
        NodeKind::Node,
        NodeKind::AnyNode,
        NodeKind::AllNodes,
        NodeKind::Namespace,
        NodeKind::Workload,
        NodeKind::Pod,
        NodeKind::Container,
        NodeKind::Image,
        NodeKind::Volume,
        NodeKind::ServiceAccount,
        NodeKind::User,
        NodeKind::Group,
        NodeKind::PermissionSet,
        NodeKind::Identities,
        NodeKind::Secrets,
        NodeKind::Secret,
        NodeKind::Service,
        NodeKind::Ingress,
        NodeKind::ClusterAdmin,
        NodeKind::CloudIdentity,
        NodeKind::CloudResource,
    ];

    /// One sentence on what the node stands for, for `docs/graph.md`.
    pub fn description(self) -> &'static str {
        match self {
            NodeKind::Internet => "Anyone on the internet: the entry point of exposure paths.",
            NodeKind::Cluster => "The cluster of the snapshot, named as its kubeconfig or cloud description says (`cluster` when none does). Structure, not an attacker position: it contains each namespace (the scope of its workloads) and each node, so a query can start from it; no edge leads to it.",
            NodeKind::ApiServer => "The cluster's API server; reachable from the internet when the cluster metadata says its endpoint is public without authorised ranges.",
            NodeKind::Node => "A Kubernetes node (host). Reaching it is a node takeover: every pod on it and the kubelet's credentials.",
            NodeKind::AnyNode => "The node a pod without `nodeName` would land on (a manifest, a pending pod): some node, not one the attacker picks.",
            NodeKind::AllNodes => "Every node, for an attacker who chooses where a pod runs (`nodeName`). Contains each node.",
            NodeKind::Namespace => "The workloads of one namespace (`*`: of every namespace). Reaching it means controlling them (exec, patch); it contains each workload.",
            NodeKind::Workload => "A workload unit: a controller not owned by another present object, or a standalone pod. Replicas are one position.",
            NodeKind::Pod => "A pod of the snapshot (a replica), with the node it is scheduled on.",
            NodeKind::Container => "A container of a workload's pod template (init, regular or ephemeral): where an attacker runs code.",
            NodeKind::Image => "A container image reference, normalised.",
            NodeKind::Volume => "A hostPath volume as mounted by one container (path, read-only or not).",
            NodeKind::ServiceAccount => "A service account; the `default` account of a namespace is inferred when absent from the snapshot.",
            NodeKind::User => "A user named by a binding (`system:anonymous` included), or the kubelet identity of a node (`system:node:<name>`, group `system:nodes`).",
            NodeKind::Group => "A group named by a binding (`system:authenticated`, `system:serviceaccounts`, ...).",
            NodeKind::PermissionSet => "The rules one RoleBinding or ClusterRoleBinding grants, with its scope (KubeHound's permission set). Its technique edges are what those rules allow.",
            NodeKind::Identities => "The service accounts of one namespace (`*`: of every namespace): whoever reaches it can act as any of them.",
            NodeKind::Secrets => "The secrets of one namespace (`*`: of every namespace). A target: kube-system's above all.",
            NodeKind::Secret => "One Secret a pod refers to (a volume, a projected source, an environment variable, an image pull secret): the kubelet of the node the pod runs on may read it. A target like the secrets of its namespace.",
            NodeKind::Service => "A Service; exposed ones are reached from the internet and route to the containers they select.",
            NodeKind::Ingress => "An Ingress served by an internet-facing controller, or a Gateway API or Istio gateway; routes to its backend services.",
            NodeKind::ClusterAdmin => "Cluster-admin-equivalent rights: every verb on every resource. The ultimate target.",
            NodeKind::CloudIdentity => "A cloud identity a service account can assume: an AWS IAM role from `aws iam get-account-authorization-details` (properties `provider`, `arn`, `access`, `grantedBy`, `escalation`). A cloud-admin target when its effective policy (with its permission boundary and its account's service control policies) grants administrator access (`*` on `*`, unconditional, no Deny that may refuse an IAM action) or an unconditional privilege-escalation method (see the `awsIamPrivilegeEscalation` rule). Or a Google service account (provider `GCP`, properties `email`, `roles`, `access`) a Kubernetes service account acts as through GKE Workload Identity, or the Kubernetes account's own workload identity when a project policy grants it roles directly (`principal://`); a cloud-admin target when a project policy grants it, unconditionally, a basic role (`roles/owner`, `roles/editor`), IAM administration (`roles/resourcemanager.projectIamAdmin`, `roles/iam.securityAdmin`) or impersonation of every service account (`roles/iam.serviceAccountTokenCreator`, ...). Or an Azure principal (provider `Azure`, properties `principalId`, `roles`, `access`; a user-assigned managed identity also `id`, its resource id, and `clientId`): the identity a pod acts as through Azure Workload Identity, or a principal whose AKS roles lead into the cluster; a cloud-admin target when an unconditional role assignment on a subscription or management group allows `Microsoft.Authorization/roleAssignments/write` (Owner, User Access Administrator, a custom role) or every write (Contributor).",
            NodeKind::CloudResource => "A cloud data store a cloud identity may read, named by its name with the ARN (or the ARN pattern a policy grants) as property `arn`: an S3 bucket, Secrets Manager secrets, SSM parameters, KMS keys (`service`); `*` stands for every one of the account. For GCP, `*` of a service (`storage`, `secretmanager`, `cloudkms`) in a project (property `project`), granted at project level. For Azure, a key vault or storage account of `az keyvault list`/`az storage account list` (property `id`, its resource id; service `keyvault` or `storage`), or `*` for every one of a scope (property `scope`) when the export lists none of that kind. A cloud-data target.",
        }
    }
}

/// The targets attack paths lead to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Target {
    ClusterAdmin,
    KubeSystemSecrets,
    /// Administrator (or escalation to it) in a cloud account.
    CloudAdmin,
    /// Data in a cloud account (buckets, secrets, parameters, keys).
    CloudData,
    NodeTakeover,
    Secrets,
}

impl Target {
    /// The target's name in JSON and the CLI: `cluster-admin`, `cloud-data`, ...
    pub fn name(self) -> &'static str {
        match self {
            Target::ClusterAdmin => "cluster-admin",
            Target::KubeSystemSecrets => "kube-system-secrets",
            Target::CloudAdmin => "cloud-admin",
            Target::CloudData => "cloud-data",
            Target::NodeTakeover => "node-takeover",
            Target::Secrets => "secrets",
        }
    }

    /// The target named `name` (its [`Target::name`]).
    pub fn from_name(name: &str) -> Option<Target> {
        Target::ALL.into_iter().find(|t| t.name() == name)
    }

    pub const ALL: [Target; 6] = [
        Target::ClusterAdmin,
        Target::KubeSystemSecrets,
        Target::CloudAdmin,
        Target::CloudData,
        Target::NodeTakeover,
        Target::Secrets,
    ];

    fn bit(self) -> u8 {
        1 << (self as u8)
    }

    /// How bad reaching the target is, 0–1.
    pub fn impact(self) -> f64 {
        match self {
            Target::ClusterAdmin => 1.0,
            Target::KubeSystemSecrets => 0.9,
            Target::CloudAdmin => 1.0,
            Target::CloudData => 0.9,
            Target::NodeTakeover => 0.8,
            Target::Secrets => 0.6,
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Target::ClusterAdmin => "cluster-admin rights",
            Target::KubeSystemSecrets => "kube-system secrets",
            Target::CloudAdmin => "cloud admin rights",
            Target::CloudData => "cloud data",
            Target::NodeTakeover => "node takeover",
            Target::Secrets => "secrets",
        }
    }
}

/// A node of the graph.
#[derive(Clone, Debug)]
pub struct Node {
    pub kind: NodeKind,
    /// Unique and stable: `container:shop/Deployment/web/nginx`.
    pub id: String,
    /// Empty for cluster-scoped nodes.
    pub namespace: String,
    pub name: String,
    /// The Kubernetes object the node stands for, to link to findings and inventory.
    pub resource: Option<ResourceRef>,
    /// Target classes this node belongs to (bit set over [`Target`]).
    targets: u8,
    /// Facts about nodes that stand for no Kubernetes object (a cloud identity's ARN
    /// and access), by name.
    pub properties: BTreeMap<String, String>,
    /// The cluster the node is in, in the graph of several clusters ([`merge`]); empty
    /// with one cluster, and for the internet and cloud nodes, which clusters share.
    pub cluster: String,
}

impl Node {
    pub fn is_target(&self, target: Target) -> bool {
        self.targets & target.bit() != 0
    }

    pub fn targets(&self) -> impl Iterator<Item = Target> + '_ {
        Target::ALL.into_iter().filter(|t| self.is_target(*t))
    }

    /// How the node is named in sentences: `Deployment shop/web`, `node ip-10-0-1-5`.
    pub fn label(&self) -> String {
        let qualified = if self.namespace.is_empty() {
            self.name.clone()
        } else {
            format!("{}/{}", self.namespace, self.name)
        };
        match self.kind {
            NodeKind::Internet => "the internet".into(),
            NodeKind::ApiServer => "the API server".into(),
            // Unnamed by the snapshot (no kubeconfig, no cloud description).
            NodeKind::Cluster if self.resource.is_none() => "the cluster".into(),
            NodeKind::Cluster => format!("cluster {}", self.name),
            NodeKind::ClusterAdmin => "cluster-admin rights".into(),
            NodeKind::AnyNode => "the node it is scheduled on".into(),
            NodeKind::AllNodes => "any node".into(),
            NodeKind::Namespace if self.name == "*" => "the workloads of every namespace".into(),
            NodeKind::Namespace => format!("the workloads of namespace {}", self.name),
            NodeKind::Identities if self.name == "*" => {
                "the service accounts of every namespace".into()
            }
            NodeKind::Identities => format!("the service accounts of namespace {}", self.name),
            NodeKind::Secrets if self.name == "*" => "the secrets of every namespace".into(),
            NodeKind::Secrets => format!("the secrets of namespace {}", self.name),
            NodeKind::Workload => match &self.resource {
                Some(r) => format!("{} {qualified}", r.kind),
                None => format!("workload {qualified}"),
            },
            NodeKind::Container => format!("container {}", self.name),
            NodeKind::Node => format!("node {}", self.name),
            NodeKind::ServiceAccount => format!("service account {qualified}"),
            NodeKind::PermissionSet => self.name.clone(),
            NodeKind::Secret => format!("Secret {qualified}"),
            NodeKind::Volume => format!("hostPath volume {}", self.name),
            NodeKind::CloudIdentity if self.id.starts_with(cloud::AWS_ROLE_PREFIX) => {
                format!("AWS IAM role {}", self.name)
            }
            NodeKind::CloudIdentity if self.id.starts_with(azure::AZURE_PRINCIPAL_PREFIX) => {
                if self.properties.contains_key("clientId") {
                    format!("Azure managed identity {}", self.name)
                } else {
                    format!("Azure principal {}", self.name)
                }
            }
            NodeKind::CloudResource => match self.properties.get("service").map(String::as_str) {
                Some("s3") if self.name == "*" => "every S3 bucket".into(),
                Some("s3") => format!("S3 bucket {}", self.name),
                Some("keyvault") if self.name == "*" => format!(
                    "every key vault of {}",
                    crate::model::azure::describe_scope(
                        self.properties.get("scope").map_or("", String::as_str)
                    )
                ),
                Some("keyvault") => format!("key vault {}", self.name),
                Some("storage")
                    if self
                        .properties
                        .get("provider")
                        .is_some_and(|p| p == "Azure") =>
                {
                    if self.name == "*" {
                        format!(
                            "every storage account of {}",
                            crate::model::azure::describe_scope(
                                self.properties.get("scope").map_or("", String::as_str)
                            )
                        )
                    } else {
                        format!("storage account {}", self.name)
                    }
                }
                Some(service) if self.name == "*" => format!("every {service} resource"),
                Some(service) => format!("{service} {}", self.name),
                None => format!("cloud resource {}", self.name),
            },
            _ => format!("{} {qualified}", self.kind.name()),
        }
    }
}

/// The most severe remotely exploitable vulnerability of a container's image, from the
/// scan join: what an endpoint step into the container names, and the upgrade that
/// removes it.
#[derive(Clone, Debug, PartialEq)]
pub struct RemoteVulnerability {
    /// `CVE-2025-1974`.
    pub id: String,
    /// Severity, CVSS score, package and installed version, in words.
    pub detail: String,
    /// The image as the scan names it.
    pub image: String,
    pub package: String,
    pub installed: String,
    /// The version that fixes it; empty when the scan knows none.
    pub fixed: String,
}

/// A fix that removes an edge: the finding of `rule` on `resource`.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Fix {
    pub rule: String,
    pub resource: ResourceRef,
}

/// An edge of the graph.
#[derive(Clone, Debug)]
pub struct Edge {
    pub kind: EdgeKind,
    /// Why the edge exists, in a few words (`privileged container "app"`); empty for
    /// structure.
    pub detail: String,
    /// Index into [`SecurityGraph::fixes`] of the fix that removes the edge.
    pub fix: Option<u32>,
    /// Replaces the kind's exploitability for this edge (an endpoint whose image has a
    /// remotely exploitable vulnerability, a step that rests on missing data).
    pub exploitability: Option<f64>,
    /// Why the step cannot be confirmed from the snapshot, when it rests on an
    /// assumption (`possible — secrets of namespace dev not collected`).
    pub assumption: Option<String>,
}

impl Edge {
    /// Likelihood an attacker succeeds at this step, 0–1.
    pub fn exploitability(&self) -> f64 {
        self.exploitability
            .unwrap_or_else(|| self.kind.info().exploitability)
    }
}

/// The security graph of one inventory.
#[derive(Debug, Default)]
pub struct SecurityGraph {
    pub graph: DiGraph<Node, Edge>,
    /// Every distinct fix edges refer to.
    pub fixes: Vec<Fix>,
    /// The fixes by the hash of (rule, resource), so that finding one already there
    /// allocates nothing (an edge per grant asks for its fix).
    fix_index: FastMap<u64, Vec<u32>>,
    fix_hasher: foldhash::fast::RandomState,
    ids: FastMap<String, NodeIndex>,
    /// Per workload unit (in `Inventory::workload_units` order): its node and its
    /// container nodes.
    pub units: Vec<UnitNodes>,
    /// How each internet-exposed container is reached.
    pub exposures: HashMap<NodeIndex, Vec<Exposure>>,
    /// Containers whose image has a remotely exploitable critical or high
    /// vulnerability: the most severe one's id (`CVE-2024-6387`) and a description for
    /// the step (`critical, CVSS 9.8, in openssh-server 1:9.2p1-2`).
    pub remote_vulnerabilities: HashMap<NodeIndex, RemoteVulnerability>,
}

/// The nodes of one workload unit.
#[derive(Clone, Debug)]
pub struct UnitNodes {
    pub workload: NodeIndex,
    pub containers: Vec<NodeIndex>,
    pub resource: ResourceRef,
    pub flags: Vec<&'static str>,
}

/// How an exposed workload is reached from the internet.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Exposure {
    /// `LoadBalancer Service shop/web`, `Ingress shop/web`, `hostPort`, ...
    pub via: String,
    /// Address, host name or `*` when the address is not in the snapshot.
    pub host: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub port: Option<i64>,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub path: String,
}

impl SecurityGraph {
    /// Builds the graph of an inventory.
    pub fn build(inventory: &Inventory) -> SecurityGraph {
        Self::build_from_units(inventory, &inventory.workload_units())
    }

    /// [`Self::build`] with the inventory's workload units already found (conclude
    /// finds them once for every stage).
    pub fn build_from_units<'a>(
        inventory: &'a Inventory,
        units: &[crate::model::WorkloadUnit<'a>],
    ) -> SecurityGraph {
        let mut g = SecurityGraph::default();
        build::build(&mut g, inventory, units, Permissions::resolve(inventory));
        g
    }

    pub fn node(&self, i: NodeIndex) -> &Node {
        &self.graph[i]
    }

    pub fn find(&self, id: &str) -> Option<NodeIndex> {
        self.ids.get(id).copied()
    }

    /// The node with `id`, created with `make` when absent.
    fn node_or(
        &mut self,
        id: String,
        make: impl FnOnce() -> (NodeKind, String, String),
    ) -> NodeIndex {
        if let Some(&i) = self.ids.get(&id) {
            return i;
        }
        let (kind, namespace, name) = make();
        let i = self.graph.add_node(Node {
            kind,
            id: id.clone(),
            namespace,
            name,
            resource: None,
            targets: 0,
            properties: BTreeMap::new(),
            cluster: String::new(),
        });
        self.ids.insert(id, i);
        i
    }

    fn mark_target(&mut self, i: NodeIndex, target: Target) {
        self.graph[i].targets |= target.bit();
    }

    fn fix(&mut self, rule: &str, resource: &ResourceRef) -> u32 {
        use std::hash::BuildHasher;
        let hash = self.fix_hasher.hash_one((rule, resource));
        let same = self.fix_index.entry(hash).or_default();
        let fixes = &self.fixes;
        if let Some(&i) = same.iter().find(|&&i| {
            let f = &fixes[i as usize];
            f.rule == rule && f.resource == *resource
        }) {
            return i;
        }
        let i = self.fixes.len() as u32;
        same.push(i);
        self.fixes.push(Fix {
            rule: rule.to_string(),
            resource: resource.clone(),
        });
        i
    }

    fn edge(&mut self, from: NodeIndex, to: NodeIndex, kind: EdgeKind) -> EdgeIndex {
        self.graph.add_edge(
            from,
            to,
            Edge {
                kind,
                detail: String::new(),
                fix: None,
                exploitability: None,
                assumption: None,
            },
        )
    }

    fn technique(
        &mut self,
        from: NodeIndex,
        to: NodeIndex,
        kind: EdgeKind,
        detail: String,
        fix: Option<u32>,
    ) -> EdgeIndex {
        self.graph.add_edge(
            from,
            to,
            Edge {
                kind,
                detail,
                fix,
                exploitability: None,
                assumption: None,
            },
        )
    }

    /// A technique edge that cannot be confirmed from the snapshot: drawn with a lower
    /// likelihood and the reason it is only possible.
    fn possible(
        &mut self,
        from: NodeIndex,
        to: NodeIndex,
        kind: EdgeKind,
        detail: String,
        fix: Option<u32>,
        assumption: String,
    ) -> EdgeIndex {
        self.graph.add_edge(
            from,
            to,
            Edge {
                kind,
                detail,
                fix,
                exploitability: Some(POSSIBLE_EXPLOITABILITY),
                assumption: Some(assumption),
            },
        )
    }
}

/// Exploitability of `ENDPOINT_EXPLOIT` in general, and into a container whose image has
/// a remotely exploitable critical or high vulnerability.
pub const ENDPOINT_EXPLOITABILITY: f64 = 0.6;
pub const VULNERABLE_ENDPOINT_EXPLOITABILITY: f64 = 0.9;
/// Exploitability of a step the snapshot can neither confirm nor rule out (token
/// Secrets of a namespace whose Secrets were not collected).
pub const POSSIBLE_EXPLOITABILITY: f64 = 0.3;

/// Documentation of one edge kind: the one place its text lives.
#[derive(Debug)]
pub struct EdgeInfo {
    pub name: &'static str,
    /// An attack technique (counts toward path length) rather than structure.
    pub technique: bool,
    /// Whether attack paths may follow the edge.
    pub traversable: bool,
    pub description: &'static str,
    pub precondition: &'static str,
    pub mitre: &'static [&'static str],
    /// Rule ids whose fix removes the edge.
    pub removed_by: &'static [&'static str],
    /// Likelihood an attacker succeeds at the step, 0–1.
    pub exploitability: f64,
    /// The step as a sentence: `{from}`, `{to}` and `{detail}` are filled in.
    pub sentence: &'static str,
}

macro_rules! edge_kinds {
    ($($kind:ident),* $(,)?) => {
        /// Edge kinds: structure, then attack techniques (KubeHound's names where the
        /// technique is the same).
        #[allow(non_camel_case_types)]
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        pub enum EdgeKind { $($kind),* }

        impl EdgeKind {
            pub const ALL: &'static [EdgeKind] = &[$(EdgeKind::$kind),*];

            /// The kind's name (`POD_EXEC`), as `info().name` says it. Its own match, not
            /// `info().name`: reading the name through `info()` links every edge's
            /// documentation, and the page's wasm shows names only.
            pub fn name(self) -> &'static str {
                match self {
                    $(EdgeKind::$kind => stringify!($kind)),*
                }
            }
        }
    };
}

edge_kinds!(
    CONTAINS,
    RUNS,
    OWNS,
    SCHEDULED_ON,
    USES_IMAGE,
    VOLUME_DISCOVER,
    ROUTES_TO,
    MEMBER_OF,
    PERMISSION_DISCOVER,
    ENDPOINT_EXPLOIT,
    CE_PRIV_MOUNT,
    CE_NSENTER,
    CE_MODULE_LOAD,
    CE_SYS_PTRACE,
    CE_UMH_CORE_PATTERN,
    CE_VAR_LOG_SYMLINK,
    EXPLOIT_HOST_READ,
    EXPLOIT_HOST_WRITE,
    EXPLOIT_HOST_TRAVERSE,
    EXPLOIT_CONTAINERD_SOCK,
    SHARE_PS_NAMESPACE,
    IDENTITY_ASSUME,
    TOKEN_STEAL,
    TOKEN_LIST,
    TOKEN_BRUTEFORCE,
    TOKEN_REQUEST,
    SECRET_READ,
    POD_EXEC,
    POD_CREATE,
    POD_PATCH,
    NODE_PROXY,
    ROLE_BIND,
    ROLE_ESCALATE,
    IDENTITY_IMPERSONATE,
    CSR_APPROVE,
    WEBHOOK_MUTATE,
    WEBHOOK_INTERCEPT,
    PV_CREATE,
    NODE_IDENTITY_ASSUME,
    NODE_TOKEN_REQUEST,
    NODE_SECRET_READ,
    ADMIN_EQUIVALENT,
    CLOUD_IDENTITY_ASSUME,
    CLOUD_DATA_READ,
    CLOUD_KUBE_IDENTITY,
    CLOUD_PUBLIC_ACCESS,
);

impl EdgeKind {
    pub fn info(self) -> &'static EdgeInfo {
        use EdgeKind::*;
        match self {
            CONTAINS => &EdgeInfo {
                name: "CONTAINS",
                technique: false,
                traversable: true,
                description: "A scope node contains its members: the cluster contains its namespaces and nodes, every namespace contains its workloads, every node is among all nodes, a namespace's service accounts are among its identities.",
                precondition: "Structure.",
                mitre: &[],
                removed_by: &[],
                exploitability: 1.0,
                sentence: "{from} include {to}.",
            },
            RUNS => &EdgeInfo {
                name: "RUNS",
                technique: false,
                traversable: true,
                description: "A workload runs a container: controlling the workload means running code in each of its containers.",
                precondition: "Structure.",
                mitre: &[],
                removed_by: &[],
                exploitability: 1.0,
                sentence: "{from} runs {to}.",
            },
            OWNS => &EdgeInfo {
                name: "OWNS",
                technique: false,
                traversable: false,
                description: "A workload owns a pod of the snapshot (a replica).",
                precondition: "Structure (ownerReferences, resolved to the top controller).",
                mitre: &[],
                removed_by: &[],
                exploitability: 1.0,
                sentence: "{from} owns {to}.",
            },
            SCHEDULED_ON => &EdgeInfo {
                name: "SCHEDULED_ON",
                technique: false,
                traversable: false,
                description: "A pod runs on a node (`spec.nodeName`).",
                precondition: "Structure.",
                mitre: &[],
                removed_by: &[],
                exploitability: 1.0,
                sentence: "{from} is scheduled on {to}.",
            },
            USES_IMAGE => &EdgeInfo {
                name: "USES_IMAGE",
                technique: false,
                traversable: false,
                description: "A container runs an image.",
                precondition: "Structure.",
                mitre: &[],
                removed_by: &[],
                exploitability: 1.0,
                sentence: "{from} runs image {to}.",
            },
            VOLUME_DISCOVER => &EdgeInfo {
                name: "VOLUME_DISCOVER",
                technique: false,
                traversable: true,
                description: "A container mounts a hostPath volume: code in the container reads (and, unless read-only, writes) that part of the node's filesystem.",
                precondition: "A `hostPath` volume mounted by the container.",
                mitre: &["T1083"],
                removed_by: &["hostPathVolumes"],
                exploitability: 1.0,
                sentence: "{from} mounts {to}.",
            },
            ROUTES_TO => &EdgeInfo {
                name: "ROUTES_TO",
                technique: false,
                traversable: true,
                description: "Traffic reaches a service from the internet (an internet-facing load balancer, node ports on nodes with external addresses, external IPs), an Ingress or a gateway's route (Gateway API HTTPRoute/GRPCRoute/TLSRoute/TCPRoute/UDPRoute, Istio VirtualService) routes to its backend service, or the internet reaches a public API server.",
                precondition: "A LoadBalancer Service that is not internal (AKS/EKS/GKE annotations, private status address) and has no restricting `loadBalancerSourceRanges`; a NodePort Service when a node has an ExternalIP; public `externalIPs`; an Ingress with a public status address or an internet-facing controller; a Gateway API Gateway with a public status address or an exposed Service labelled `gateway.networking.k8s.io/gateway-name` (an exposed controller when neither is known); an Istio Gateway whose selected gateway pods an exposed Service selects; an API server endpoint public without authorised ranges.",
                mitre: &["T1133"],
                removed_by: &["internetFacingLoadBalancer", "nodePortService", "serviceExternalIps", "apiServerPublicAccess"],
                exploitability: 1.0,
                sentence: "{from} reaches {to}{detail}.",
            },
            MEMBER_OF => &EdgeInfo {
                name: "MEMBER_OF",
                technique: false,
                traversable: true,
                description: "A service account or user is a member of a group that bindings name: every service account is in `system:serviceaccounts`, `system:serviceaccounts:<namespace>` and `system:authenticated` (so are the service accounts of a namespace, its `default` account included, taken together); a kubelet in `system:nodes`; the anonymous user in `system:unauthenticated`.",
                precondition: "A binding names the group.",
                mitre: &[],
                removed_by: &["broadGroupBinding", "anonymousAccess"],
                exploitability: 1.0,
                sentence: "{from} is a member of {to}.",
            },
            PERMISSION_DISCOVER => &EdgeInfo {
                name: "PERMISSION_DISCOVER",
                technique: false,
                traversable: true,
                description: "A subject holds the permissions of a binding that names it (KubeHound's identity → permission set).",
                precondition: "A RoleBinding or ClusterRoleBinding names the subject and its role exists (aggregated ClusterRoles resolved).",
                mitre: &["T1069"],
                removed_by: &["broadGroupBinding", "anonymousAccess"],
                exploitability: 1.0,
                sentence: "{from} holds {to}.",
            },
            ENDPOINT_EXPLOIT => &EdgeInfo {
                name: "ENDPOINT_EXPLOIT",
                technique: true,
                traversable: true,
                description: "An attacker who reaches an exposed endpoint exploits the application behind it and runs code in the container serving it. When a scan of the container's image lists a remotely exploitable (CVSS v3 AV:N/PR:N/UI:N) critical or high vulnerability, the step names it and its exploitability is 0.9.",
                precondition: "A service routes to the container's port (selector and target port matched), or the container binds a host port / uses the host network on a node with an external address.",
                mitre: &["T1190"],
                removed_by: &["internetFacingLoadBalancer", "nodePortService", "serviceExternalIps", "hostPorts", "hostNamespaces"],
                exploitability: ENDPOINT_EXPLOITABILITY,
                sentence: "{from} routes to {to}{detail}; a vulnerability in the application gives code execution there.",
            },
            CE_PRIV_MOUNT => &EdgeInfo {
                name: "CE_PRIV_MOUNT",
                technique: true,
                traversable: true,
                description: "A privileged container mounts the node's disk and takes over the node.",
                precondition: "`securityContext.privileged: true`.",
                mitre: &["T1611"],
                removed_by: &["privileged"],
                exploitability: 0.95,
                sentence: "{from} is privileged ({detail}): it mounts the host's disk and escapes to {to}.",
            },
            CE_NSENTER => &EdgeInfo {
                name: "CE_NSENTER",
                technique: true,
                traversable: true,
                description: "A privileged container sharing the host's PID namespace enters the namespaces of the node's init process (`nsenter -t 1`).",
                precondition: "`privileged: true` and `hostPID: true`.",
                mitre: &["T1611"],
                removed_by: &["privileged", "hostNamespaces"],
                exploitability: 0.95,
                sentence: "{from} is privileged and shares the host's PIDs ({detail}): `nsenter -t 1` gives a shell on {to}.",
            },
            CE_MODULE_LOAD => &EdgeInfo {
                name: "CE_MODULE_LOAD",
                technique: true,
                traversable: true,
                description: "A container with CAP_SYS_MODULE loads a kernel module and runs code in the node's kernel.",
                precondition: "`SYS_MODULE` (or `ALL`) in `capabilities.add` of a non-privileged container (privileged ones have `CE_PRIV_MOUNT`).",
                mitre: &["T1611", "T1547.006"],
                removed_by: &["dangerousCapabilities", "capabilities_baseline"],
                exploitability: 0.8,
                sentence: "{from} has CAP_SYS_MODULE ({detail}): a kernel module gives code execution on {to}.",
            },
            CE_SYS_PTRACE => &EdgeInfo {
                name: "CE_SYS_PTRACE",
                technique: true,
                traversable: true,
                description: "A container with CAP_SYS_PTRACE in the host's PID namespace injects code into a root process of the node.",
                precondition: "`hostPID: true` and `SYS_PTRACE` (or `ALL`) added, not privileged.",
                mitre: &["T1611", "T1055"],
                removed_by: &["dangerousCapabilities", "hostNamespaces"],
                exploitability: 0.7,
                sentence: "{from} can ptrace host processes ({detail}) and injects code into a root process of {to}.",
            },
            CE_UMH_CORE_PATTERN => &EdgeInfo {
                name: "CE_UMH_CORE_PATTERN",
                technique: true,
                traversable: true,
                description: "A writable mount of the host's `/proc/sys/kernel` lets the container set `core_pattern` to a program the kernel runs as root on the node (user-mode helper).",
                precondition: "A hostPath of `/proc`, `/proc/sys` or `/proc/sys/kernel[/core_pattern]`, mounted read-write.",
                mitre: &["T1611"],
                removed_by: &["hostPathSensitive", "hostPathWritable"],
                exploitability: 0.8,
                sentence: "{from} writes the kernel's core_pattern through {detail} and runs code as root on {to}.",
            },
            CE_VAR_LOG_SYMLINK => &EdgeInfo {
                name: "CE_VAR_LOG_SYMLINK",
                technique: true,
                traversable: true,
                description: "A container that writes the node's `/var/log` plants a symlink to `/`, then reads any host file through the kubelet's log endpoint with its service account's `pods/log` right.",
                precondition: "A read-write hostPath covering `/var/log`, the service account token mounted, and `get pods/log` for that service account.",
                mitre: &["T1611", "T1552.001"],
                removed_by: &["hostPathWritable", "hostPathSensitive"],
                exploitability: 0.7,
                sentence: "{from} writes the host's /var/log ({detail}) and, with its pods/log right, reads the files of {to}.",
            },
            EXPLOIT_HOST_READ => &EdgeInfo {
                name: "EXPLOIT_HOST_READ",
                technique: true,
                traversable: true,
                description: "A read-only hostPath exposes the node's credentials (kubelet client certificate and kubeconfig, root's SSH keys, `/etc/shadow`).",
                precondition: "A hostPath covering `/`, `/etc`, `/etc/kubernetes`, `/var/lib/kubelet` or `/root`, mounted read-only.",
                mitre: &["T1552.001"],
                removed_by: &["hostPathSensitive"],
                exploitability: 0.7,
                sentence: "{from} ({detail}) reads the kubelet's credentials and takes over {to}.",
            },
            EXPLOIT_HOST_WRITE => &EdgeInfo {
                name: "EXPLOIT_HOST_WRITE",
                technique: true,
                traversable: true,
                description: "A writable hostPath of a sensitive host directory lets the container plant a static pod, a cron job, an SSH key or a binary and run code on the node.",
                precondition: "A read-write hostPath covering or inside `/`, `/etc`, `/root`, `/home`, `/boot`, `/usr`, `/bin`, `/sbin`, `/lib`, `/dev`, `/var`, `/var/lib/kubelet`, `/var/lib/docker`, `/var/lib/containerd`, `/var/spool/cron` or `/etc/kubernetes` (harmless files such as `/etc/localtime` excepted).",
                mitre: &["T1611"],
                removed_by: &["hostPathWritable", "hostPathSensitive"],
                exploitability: 0.9,
                sentence: "{from} ({detail}) writes to the host's filesystem and runs code on {to}.",
            },
            EXPLOIT_HOST_TRAVERSE => &EdgeInfo {
                name: "EXPLOIT_HOST_TRAVERSE",
                technique: true,
                traversable: true,
                description: "A hostPath inside the kubelet's pod directory (`/var/lib/kubelet/pods`) exposes the service account tokens of every pod on the node.",
                precondition: "A hostPath inside `/var/lib/kubelet/pods`.",
                mitre: &["T1528"],
                removed_by: &["hostPathSensitive"],
                exploitability: 0.8,
                sentence: "{from} ({detail}) reads the token of {to} from another pod's volume on the same node.",
            },
            EXPLOIT_CONTAINERD_SOCK => &EdgeInfo {
                name: "EXPLOIT_CONTAINERD_SOCK",
                technique: true,
                traversable: true,
                description: "A container that can reach the container runtime's socket starts a privileged container on the node.",
                precondition: "A hostPath of a runtime socket (Docker, containerd, CRI-O, Podman, BuildKit) or the directory holding it.",
                mitre: &["T1611", "T1610"],
                removed_by: &["containerRuntimeSocket"],
                exploitability: 0.95,
                sentence: "{from} talks to the container runtime ({detail}) and starts a privileged container on {to}.",
            },
            SHARE_PS_NAMESPACE => &EdgeInfo {
                name: "SHARE_PS_NAMESPACE",
                technique: true,
                traversable: true,
                description: "Containers of a pod that share one process namespace see and signal each other's processes and read each other's filesystems through `/proc/<pid>/root`.",
                precondition: "`shareProcessNamespace: true`.",
                mitre: &["T1055"],
                removed_by: &["shareProcessNamespace"],
                exploitability: 0.8,
                sentence: "{from} shares its process namespace with {to} and reads its files and environment.",
            },
            IDENTITY_ASSUME => &EdgeInfo {
                name: "IDENTITY_ASSUME",
                technique: true,
                traversable: true,
                description: "Code in a container uses the service account token mounted into it; an unauthenticated request to a public API server acts as `system:anonymous`.",
                precondition: "The token is mounted: `automountServiceAccountToken` not false on the pod (or, when unset, on the service account), or a projected `serviceAccountToken` volume.",
                mitre: &["T1078"],
                removed_by: &["serviceAccountToken"],
                exploitability: 1.0,
                sentence: "{from} acts as {to}{detail}.",
            },
            TOKEN_STEAL => &EdgeInfo {
                name: "TOKEN_STEAL",
                technique: true,
                traversable: true,
                description: "Whoever controls a node reads the service account tokens of the pods on it (DaemonSet pods are on every node).",
                precondition: "A pod on the node with its token mounted.",
                mitre: &["T1528"],
                removed_by: &["serviceAccountToken"],
                exploitability: 0.95,
                sentence: "On {from} the attacker reads the token of {to}{detail}.",
            },
            TOKEN_LIST => &EdgeInfo {
                name: "TOKEN_LIST",
                technique: true,
                traversable: true,
                description: "Reading secrets yields the long-lived token Secrets (`kubernetes.io/service-account-token`) of service accounts.",
                precondition: "`list` secrets in the token's namespace (or `get` on its name); the token Secret exists. When the snapshot holds no Secret of the namespace (the collector could not read them), the edge points at the namespace's service accounts as possible, with exploitability 0.3.",
                mitre: &["T1552.007"],
                removed_by: &["secretsAccess"],
                exploitability: 1.0,
                sentence: "With {from}, the attacker reads the token Secret of {to}{detail}.",
            },
            TOKEN_BRUTEFORCE => &EdgeInfo {
                name: "TOKEN_BRUTEFORCE",
                technique: true,
                traversable: true,
                description: "`get` on secrets without `list` still yields token Secrets whose names can be guessed (`<account>-token-<5 characters>`).",
                precondition: "`get` secrets (not `list`) in the token's namespace; the token Secret exists (possible, with exploitability 0.3, when the namespace's Secrets were not collected).",
                mitre: &["T1552.007", "T1110"],
                removed_by: &["secretsAccess"],
                exploitability: 0.6,
                sentence: "With {from}, the attacker guesses the name of the token Secret of {to}{detail}.",
            },
            TOKEN_REQUEST => &EdgeInfo {
                name: "TOKEN_REQUEST",
                technique: true,
                traversable: true,
                description: "The TokenRequest API issues a token for any service account the subject may `create serviceaccounts/token` on.",
                precondition: "`create` on `serviceaccounts/token` in the namespace (resourceNames honoured).",
                mitre: &["T1528"],
                removed_by: &["serviceAccountTokenCreation"],
                exploitability: 1.0,
                sentence: "With {from}, the attacker requests tokens for {to}{detail}.",
            },
            SECRET_READ => &EdgeInfo {
                name: "SECRET_READ",
                technique: true,
                traversable: true,
                description: "The subject reads the secrets of a namespace (or of every namespace).",
                precondition: "`get`, `list` or `watch` on secrets without resourceNames, in the namespace or cluster-wide.",
                mitre: &["T1552.007"],
                removed_by: &["secretsAccess"],
                exploitability: 1.0,
                sentence: "With {from}, the attacker reads {to}{detail}.",
            },
            POD_EXEC => &EdgeInfo {
                name: "POD_EXEC",
                technique: true,
                traversable: true,
                description: "The subject runs commands in (or attaches to) running containers.",
                precondition: "`create` (or `get`, for the WebSocket path) on `pods/exec` or `pods/attach`; resourceNames honoured.",
                mitre: &["T1609"],
                removed_by: &["podExec"],
                exploitability: 1.0,
                sentence: "With {from}, the attacker execs into {to}{detail}.",
            },
            POD_CREATE => &EdgeInfo {
                name: "POD_CREATE",
                technique: true,
                traversable: true,
                description: "The subject creates pods (directly or through a controller): a pod on a node of its choosing (`nodeName`) that is privileged takes over that node, and a pod may mount any service account of its namespace.",
                precondition: "`create` pods or `create`/`update`/`patch` a pod controller. Node takeover additionally needs a namespace in scope that does not enforce the baseline or restricted Pod Security Standard.",
                mitre: &["T1610"],
                removed_by: &["podCreation"],
                exploitability: 0.95,
                sentence: "With {from}, the attacker creates {detail} and controls {to}.",
            },
            POD_PATCH => &EdgeInfo {
                name: "POD_PATCH",
                technique: true,
                traversable: true,
                description: "The subject modifies running pods (image, ephemeral containers) and so runs its own code in them.",
                precondition: "`patch`/`update` on pods or `pods/ephemeralcontainers`; resourceNames honoured.",
                mitre: &["T1610"],
                removed_by: &["podModification"],
                exploitability: 0.9,
                sentence: "With {from}, the attacker patches the pods of {to}{detail} to run its own code.",
            },
            NODE_PROXY => &EdgeInfo {
                name: "NODE_PROXY",
                technique: true,
                traversable: true,
                description: "`nodes/proxy` reaches every kubelet's API, which runs commands in any container of its node.",
                precondition: "`get` or `create` on `nodes/proxy`, cluster-wide.",
                mitre: &["T1609"],
                removed_by: &["nodeProxy"],
                exploitability: 0.9,
                sentence: "With {from}, the attacker calls the kubelets through nodes/proxy and runs commands in {to}{detail}.",
            },
            ROLE_BIND => &EdgeInfo {
                name: "ROLE_BIND",
                technique: true,
                traversable: true,
                description: "The subject binds a role to itself with the `bind` verb, so it holds what that role grants: without resourceNames, the strongest role in scope (cluster-admin cluster-wide, full control of a namespace); with resourceNames, exactly the roles named (a bindable permission set whose edges are the named role's).",
                precondition: "Create RoleBindings (in the namespace) or ClusterRoleBindings (cluster-wide) without resourceNames, and `bind` on roles/clusterroles, without resourceNames or naming roles of the snapshot that grant a technique.",
                mitre: &["T1098.006"],
                removed_by: &["rbacBindEscalate"],
                exploitability: 0.95,
                sentence: "With {from}, the attacker binds itself a stronger role{detail} and gains {to}.",
            },
            ROLE_ESCALATE => &EdgeInfo {
                name: "ROLE_ESCALATE",
                technique: true,
                traversable: true,
                description: "The subject edits the role its own binding references (`escalate` lifts RBAC's rule that one cannot grant what one does not hold) and adds every verb on every resource: cluster-admin through a ClusterRoleBinding, full control of the namespace through a RoleBinding to a Role.",
                precondition: "`escalate` and `update` or `patch` on the binding's own role: on clusterroles through a ClusterRoleBinding, on roles in the namespace through a RoleBinding that references a Role (resourceNames honoured).",
                mitre: &["T1098.006"],
                removed_by: &["rbacBindEscalate"],
                exploitability: 0.95,
                sentence: "With {from}, the attacker rewrites its own role{detail} and gains {to}.",
            },
            IDENTITY_IMPERSONATE => &EdgeInfo {
                name: "IDENTITY_IMPERSONATE",
                technique: true,
                traversable: true,
                description: "The subject impersonates users, groups (`system:masters`: cluster-admin) or service accounts.",
                precondition: "`impersonate` on users/groups (cluster-wide) or serviceaccounts; resourceNames honoured.",
                mitre: &["T1078", "T1134"],
                removed_by: &["impersonation"],
                exploitability: 1.0,
                sentence: "With {from}, the attacker impersonates {to}{detail}.",
            },
            CSR_APPROVE => &EdgeInfo {
                name: "CSR_APPROVE",
                technique: true,
                traversable: true,
                description: "The subject creates a CertificateSigningRequest for a client certificate in the group `system:masters`, approves it itself, and authenticates with the signed certificate: cluster-admin that outlives every RBAC change until the certificate expires.",
                precondition: "`create` certificatesigningrequests, `update` or `patch` certificatesigningrequests/approval, and `approve` on the signer `kubernetes.io/kube-apiserver-client` (by name, `kubernetes.io/*` or any signer), all held by the same subject (through any of its bindings).",
                mitre: &["T1649", "T1098"],
                removed_by: &["csrApproval"],
                exploitability: 0.8,
                sentence: "With {from}, the attacker has its own system:masters client certificate signed{detail} and gains {to}.",
            },
            WEBHOOK_MUTATE => &EdgeInfo {
                name: "WEBHOOK_MUTATE",
                technique: true,
                traversable: true,
                description: "The subject registers (or redirects) a mutating admission webhook that rewrites every pod created afterwards, adding its own container or command: code execution in the workloads of every namespace as they are rolled, scaled or rescheduled.",
                precondition: "`create`, `update` or `patch` on mutatingwebhookconfigurations, cluster-wide (resourceNames honoured only for update/patch of existing configurations, which still redirects them).",
                mitre: &["T1554", "T1610"],
                removed_by: &["admissionWebhookWrite"],
                exploitability: 0.7,
                sentence: "With {from}, the attacker registers a mutating webhook{detail} and injects its code into {to} as their pods are created.",
            },
            WEBHOOK_INTERCEPT => &EdgeInfo {
                name: "WEBHOOK_INTERCEPT",
                technique: true,
                traversable: true,
                description: "An admission webhook receives every object sent to the API server that it registers for, Secrets included: the subject registers one for Secrets and reads each secret as it is created or updated.",
                precondition: "`create` (or `update`/`patch`) on validatingwebhookconfigurations or mutatingwebhookconfigurations, cluster-wide.",
                mitre: &["T1557", "T1552.007"],
                removed_by: &["admissionWebhookWrite"],
                exploitability: 0.5,
                sentence: "With {from}, the attacker registers an admission webhook{detail} and reads {to} as they are written.",
            },
            PV_CREATE => &EdgeInfo {
                name: "PV_CREATE",
                technique: true,
                traversable: true,
                description: "The subject creates a hostPath PersistentVolume on a node of its choosing, claims it and mounts the claim in a pod: the node's filesystem, read-write, where Pod Security Admission forbids hostPath volumes but not claims.",
                precondition: "`create` persistentvolumes (cluster-wide), and `create` on persistentvolumeclaims and on pods (or a pod controller) in a common namespace, held by the same subject.",
                mitre: &["T1611"],
                removed_by: &["persistentVolumeCreation"],
                exploitability: 0.85,
                sentence: "With {from}, the attacker creates a hostPath PersistentVolume{detail}, mounts it in a pod and takes over {to}.",
            },
            NODE_IDENTITY_ASSUME => &EdgeInfo {
                name: "NODE_IDENTITY_ASSUME",
                technique: true,
                traversable: true,
                description: "Whoever controls a node uses the kubelet's credentials (its kubeconfig and client certificate under `/var/lib/kubelet` and `/etc/kubernetes`) and acts as `system:node:<name>` in the group `system:nodes`. The Node authorizer and the NodeRestriction admission plugin limit that identity to its own Node object, the pods bound to it (status, deletion, mirror pods that may not name secrets or service accounts), and the secrets, config maps, persistent volume claims and service account tokens those pods use.",
                precondition: "A node taken over (for an unscheduled pod, the node the scheduler picks).",
                mitre: &["T1078", "T1552.001"],
                removed_by: &[],
                exploitability: 0.95,
                sentence: "On {from} the attacker uses the kubelet's credentials and acts as {to}.",
            },
            NODE_TOKEN_REQUEST => &EdgeInfo {
                name: "NODE_TOKEN_REQUEST",
                technique: true,
                traversable: true,
                description: "The kubelet's identity requests tokens (TokenRequest) for the service account of any pod bound to its node, whether or not that pod mounts its token; the Node authorizer refuses it for every other service account.",
                precondition: "A pod of the service account scheduled on the node (DaemonSet pods are on every node).",
                mitre: &["T1528"],
                removed_by: &[],
                exploitability: 0.95,
                sentence: "As {from}, the attacker requests a token for {to}{detail}.",
            },
            NODE_SECRET_READ => &EdgeInfo {
                name: "NODE_SECRET_READ",
                technique: true,
                traversable: true,
                description: "The kubelet's identity reads the secrets the pods bound to its node refer to (volumes, projected sources, environment, image pull secrets); the Node authorizer refuses every other secret.",
                precondition: "A pod scheduled on the node refers to the Secret.",
                mitre: &["T1552.007"],
                removed_by: &[],
                exploitability: 0.95,
                sentence: "As {from}, the attacker reads {to}{detail}.",
            },
            ADMIN_EQUIVALENT => &EdgeInfo {
                name: "ADMIN_EQUIVALENT",
                technique: false,
                traversable: true,
                description: "A cluster-wide permission set that allows every verb on every resource is cluster-admin.",
                precondition: "A ClusterRoleBinding whose role has a rule `*` verbs on `*` resources in `*` groups.",
                mitre: &["T1078"],
                removed_by: &["clusterAdminBinding"],
                exploitability: 1.0,
                sentence: "{from} is equivalent to {to}.",
            },
            CLOUD_IDENTITY_ASSUME => &EdgeInfo {
                name: "CLOUD_IDENTITY_ASSUME",
                technique: true,
                traversable: true,
                description: "A service account, a container or a node gets an AWS IAM role's credentials. IRSA: the EKS pod identity webhook gives the account's pods a web identity token the role's trust policy accepts (mounted even where the Kubernetes token is not, so their containers assume the role directly). EKS Pod Identity: an association names the account and the role trusts `pods.eks.amazonaws.com`. Node role: a node of a managed node group (label `eks.amazonaws.com/nodegroup`, `aws eks describe-nodegroup`) serves its instance role on the metadata service to the node, its host-network pods and its other pods unless their egress NetworkPolicies leave out 169.254.169.254. GKE Workload Identity: the GKE metadata server gives the account's pods (their containers directly, token mounted or not) tokens of the Google service account it is annotated with, or of its own workload identity. Azure Workload Identity: the webhook projects into pods labelled `azure.workload.identity/use: \"true\"` a token Entra exchanges for the user-assigned managed identity the account's `azure.workload.identity/client-id` names (only those pods' containers: a pod without the label gets no such token).",
                precondition: "IRSA: the service account's `eks.amazonaws.com/role-arn` annotation names a role of the IAM export whose trust policy allows `sts:AssumeRoleWithWebIdentity` to the cluster's OIDC provider (`Federated`), with a `:sub` condition (`StringEquals`/`StringLike`) matching `system:serviceaccount:NAMESPACE:NAME`, or none; no Deny cancels it; only possible when the cluster's OIDC issuer is unknown (no `aws eks describe-cluster`) or other conditions apply. Pod Identity: the association's role is in the export. Node role: the node group was described; an unscheduled pod's step is only possible. GKE: the account's `iam.gke.io/gcp-service-account` annotation names a Google service account whose IAM policy (`gcloud iam service-accounts get-iam-policy`) grants `roles/iam.workloadIdentityUser` to `serviceAccount:POOL.svc.id.goog[NS/NAME]` (or its `principal://` form), only possible under an IAM condition; or a project policy grants a role to the account's `principal://` member. Azure: the identity with that client id is in `az identity list`, and one of its federated credentials (`az identity federated-credential list`) has the audience `api://AzureADTokenExchange`, the subject `system:serviceaccount:NAMESPACE:NAME` and the cluster's OIDC issuer (`az aks show` `oidcIssuerProfile.issuerUrl`); only possible when the cluster's issuer is unknown.",
                mitre: &["T1078.004"],
                removed_by: &[],
                exploitability: 1.0,
                sentence: "{from} assumes {to}{detail}.",
            },
            CLOUD_DATA_READ => &EdgeInfo {
                name: "CLOUD_DATA_READ",
                technique: true,
                traversable: true,
                description: "A cloud identity reads a data store: its effective policy (identity policies less any Deny, capped by its permission boundary and its account's service control policies) allows reading objects, secrets, parameters or decrypting with keys of the resource. For GCP: a project policy grants it a role that reads Cloud Storage objects, Secret Manager secrets or decrypts with Cloud KMS keys, across the project. For Azure: a role assignment whose scope contains the store grants a data action that reads Key Vault secrets or decrypts with its keys, or reads blobs, or lists the storage account's keys; or a vault's access policy lets the principal get secrets.",
                precondition: "The role's policies allow `s3:GetObject`, `secretsmanager:GetSecretValue`, `ssm:GetParameter*` or `kms:Decrypt` on the resource's ARN (or a pattern covering it), or a bucket policy (`aws s3api get-bucket-policy`) allows `s3:GetObject` to the role's ARN and none of the role's own policies denies it unconditionally. Only possible when the grant rests on a condition. GCP: `roles/storage.objectViewer`, `objectUser`, `objectAdmin`, `admin`, `legacyObjectReader`, `roles/secretmanager.secretAccessor`, `admin`, `roles/cloudkms.cryptoKeyDecrypter` or `cryptoKeyEncrypterDecrypter` on the project; only possible under an IAM condition. Azure: `Microsoft.KeyVault/vaults/secrets/getSecret/action` or `.../keys/decrypt/action` (vaults with `enableRbacAuthorization`), `Microsoft.Storage/storageAccounts/blobServices/containers/blobs/read`, or `Microsoft.Storage/storageAccounts/listKeys/action` (accounts that allow shared keys), less the entry's `notActions`/`notDataActions`, on the store's resource group, subscription or the store itself (a sibling scope reaches nothing); only possible under an ABAC condition.",
                mitre: &["T1530"],
                removed_by: &["awsIamDataAccess", "azureRbacDataAccess"],
                exploitability: 1.0,
                sentence: "{from} can read {to}{detail}.",
            },
            CLOUD_KUBE_IDENTITY => &EdgeInfo {
                name: "CLOUD_KUBE_IDENTITY",
                technique: true,
                traversable: true,
                description: "A cloud identity authenticates to the cluster as a Kubernetes user and groups, or holds rights there directly: EKS's `aws-auth` ConfigMap (`mapRoles`, `mapUsers`) and access entries map an IAM role or user to a username and groups (`system:masters`: cluster-admin), `mapAccounts` lets every role and user of an account in as a user named by its ARN (in `system:authenticated`), and EKS access policies grant cluster admin (`AmazonEKSClusterAdminPolicy`) or control of namespaces and their secrets (`AmazonEKSAdminPolicy`, `AmazonEKSEditPolicy`, by access scope). On AKS with Azure RBAC for Kubernetes authorization, the role Azure Kubernetes Service RBAC Cluster Admin makes an Azure principal cluster-admin and RBAC Admin or Writer gives it the namespaces and their secrets; with local accounts enabled, a role that lists the cluster's admin kubeconfig makes it cluster-admin.",
                precondition: "An `aws-auth` mapping or an access entry names the principal's ARN, or `mapAccounts` lists its account (the edge then leads to the user of that ARN when a binding names it, else to `system:authenticated` when a binding names the group). Templated usernames (`system:node:{{EC2PrivateDNSName}}`) map only their groups. AKS: `az aks show` says `aadProfile.enableAzureRbac` and a role assignment of an AKS RBAC role has the cluster (or a scope above it, or `CLUSTER/namespaces/NS` for one namespace) as scope; or `disableLocalAccounts` is not true and an assignment covering the cluster allows `Microsoft.ContainerService/managedClusters/listClusterAdminCredential/action` (Owner, Contributor, Azure Kubernetes Service Cluster Admin Role). Only possible under an ABAC condition.",
                mitre: &["T1078.004"],
                removed_by: &[],
                exploitability: 1.0,
                sentence: "{from} acts in the cluster as {to}{detail}.",
            },
            CLOUD_PUBLIC_ACCESS => &EdgeInfo {
                name: "CLOUD_PUBLIC_ACCESS",
                technique: true,
                traversable: true,
                description: "Anyone on the internet reads a cloud data store without credentials: an S3 bucket whose bucket policy allows `s3:GetObject` to everyone. The bucket is then an entry of attack paths from the internet (with the target cloud data), like an exposed workload.",
                precondition: "A bucket policy (`aws s3api get-bucket-policy`) has an Allow statement for principal `*` (or `AWS: *`) covering `s3:GetObject` that no condition ties to known callers (AWS's definition of public, as `awsS3PublicBucket` judges it), and neither the bucket's nor the account's Block Public Access (`aws s3api get-public-access-block`, `aws s3control get-public-access-block`) sets `RestrictPublicBuckets`. Only possible when the public statement has conditions on other keys.",
                mitre: &["T1530"],
                removed_by: &["awsS3PublicBucket"],
                exploitability: 1.0,
                sentence: "{from} can read {to} without credentials{detail}.",
            },
        }
    }
}

/// `docs/graph.md`: every node and edge kind, generated from this module.
pub fn markdown() -> String {
    let mut out = String::from(
        "# The security graph\n\n<!-- Generated by `UPDATE_DOCS=1 cargo test -p portolan-engine graph_doc`; do not edit. -->\n\n\
         Portolan builds a graph of the snapshot and follows its edges from entry points \
         (internet-exposed workloads; every workload with `--assume-breach`) to targets \
         (cluster-admin rights, node takeover, kube-system's secrets, other secrets, cloud \
         identities). Technique edges reuse KubeHound's names where the technique is the \
         same. The code is `engine/src/graph/`.\n\n## Nodes\n\n| kind | what it stands for |\n| --- | --- |\n",
    );
    for k in NodeKind::ALL {
        out.push_str(&format!("| `{}` | {} |\n", k.name(), k.description()));
    }
    out.push_str("\n## Edges\n\nStructure edges describe the cluster; technique edges are attack steps and count toward a path's length. Non-traversable edges are kept for the export only.\n\n");
    for k in EdgeKind::ALL {
        let i = k.info();
        let sort = match (i.technique, i.traversable) {
            (true, _) => "technique",
            (false, true) => "structure, followed by paths",
            (false, false) => "structure, not followed",
        };
        out.push_str(&format!(
            "### `{}`\n\n{}\n\n- Kind: {sort}\n- Precondition: {}\n",
            i.name, i.description, i.precondition
        ));
        if !i.mitre.is_empty() {
            out.push_str(&format!("- MITRE ATT&CK: {}\n", i.mitre.join(", ")));
        }
        if !i.removed_by.is_empty() {
            let rules: Vec<String> = i.removed_by.iter().map(|r| format!("`{r}`")).collect();
            out.push_str(&format!("- Removed by fixing: {}\n", rules.join(", ")));
        }
        if i.technique {
            out.push_str(&format!("- Exploitability: {}\n", i.exploitability));
        }
        out.push('\n');
    }
    out
}
