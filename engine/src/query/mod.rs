//! The query engine: users' own questions over the security graph (capability 8).
//!
//! A [`Query`] is a start set (a [`Kind`] of node narrowed by [`Condition`]s) followed
//! by relation [`Step`]s, each a set of edge kinds or named [`Relation`]s with a hop
//! range and a direction, ending in a kind with conditions; a `without` step keeps only
//! the nodes from which it finds nothing. The same query has a small text form
//! ([`parse`] with located errors and "did you mean" suggestions, [`Query`]'s `Display`
//! prints it back), built-in [`templates`], and an evaluator ([`QueryContext::run`])
//! over the graph, the inventory, the findings, the vulnerabilities and the alerts of
//! one snapshot. Evaluation is a breadth-first search per step over node sets, so its
//! cost grows with the graph, not with the number of start nodes times the graph;
//! results are chains (one node per step, start first), sorted by node id and capped.
//! Every word of the language is documented once, here, and `docs/query.md` is
//! generated from it ([`markdown`]).

mod eval;
mod syntax;
pub mod templates;

#[cfg(test)]
mod tests;

use serde::{Deserialize, Serialize};

use crate::graph::{EdgeKind, NodeKind, Target};
use crate::rules::Severity;

pub use eval::{QueryContext, QueryResult, MAX_CHAINS};
pub use syntax::{parse, QueryError};
pub use templates::{Template, TEMPLATES};

/// The answer as the CLI's JSON and the app show it: the query's canonical text and
/// each chain that matched, start first.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct QueryAnswer {
    pub query: String,
    pub results: Vec<ResultChain>,
}

/// A query text's outcome, as the app's worker sends it to the Explorer: the answer
/// (empty on a parse error), the total of matching chains, and the located error.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct QueryOutcome {
    pub answer: QueryAnswer,
    pub total: u64,
    /// False when the work limit stopped the search: `total` is a lower bound.
    pub complete: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<QueryError>,
    /// The steps this snapshot's graph allows, for the Explorer's builder.
    #[serde(default)]
    pub steps: Vec<StepOption>,
}

/// A step the graph allows: from a kind, a named relation in a direction, to a kind
/// (at least one edge of the graph fits).
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct StepOption {
    pub from: Kind,
    pub outgoing: bool,
    /// Index into [`RELATIONS`].
    pub relation: usize,
    pub to: Kind,
}

/// One matching chain.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct ResultChain {
    pub nodes: Vec<ResultNode>,
}

/// A node of a chain: its graph id (the resource panel's `#/resource/<id>`), kind
/// (`docs/graph.md`), name and namespace (empty when cluster-scoped).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ResultNode {
    pub id: String,
    pub kind: String,
    pub name: String,
    pub namespace: String,
}

/// Longest hop range a step may ask for.
pub const MAX_HOPS: u32 = 16;

/// A query: where to start and the steps to follow.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Query {
    pub start: Kind,
    pub conditions: Vec<Condition>,
    pub steps: Vec<Step>,
}

/// One relation step from the current nodes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Step {
    /// Keep only the current nodes from which this step finds nothing; the chain does
    /// not move.
    pub without: bool,
    pub direction: Direction,
    pub relations: Vec<Relation>,
    /// `(min, max)` edges walked, when written; otherwise the relations' default.
    pub hops: Option<(u32, u32)>,
    pub kind: Kind,
    pub conditions: Vec<Condition>,
}

impl Step {
    /// The hop range in force: as written, or the widest default of its relations.
    pub fn hop_range(&self) -> (u32, u32) {
        self.hops.unwrap_or_else(|| {
            let max = self
                .relations
                .iter()
                .map(|r| r.default_max_hops())
                .max()
                .unwrap_or(1);
            (1, max)
        })
    }
}

/// Which way a step follows edges.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Direction {
    /// `-[...]->`: from the edge's source to its target.
    Out,
    /// `<-[...]-`: from the edge's target back to its source.
    In,
}

macro_rules! kinds {
    ($( $variant:ident => $name:literal, [$($nk:ident),*], $doc:literal; )*) => {
        /// What a query starts from or a step ends at: one or more graph node kinds.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        pub enum Kind { $($variant),* }

        impl Kind {
            /// Every kind, in documentation order.
            pub const ALL: &'static [Kind] = &[$(Kind::$variant),*];

            /// The word of the text form.
            pub fn name(self) -> &'static str {
                match self { $(Kind::$variant => $name),* }
            }

            /// The graph node kinds it stands for (empty: every kind).
            pub fn node_kinds(self) -> &'static [NodeKind] {
                match self { $(Kind::$variant => &[$(NodeKind::$nk),*]),* }
            }

            /// What the word means, for `docs/query.md` and the app.
            pub fn description(self) -> &'static str {
                match self { $(Kind::$variant => $doc),* }
            }
        }
    };
}

kinds! {
    Any => "any", [], "Any node of the graph.";
    Internet => "internet", [Internet], "Anyone on the internet.";
    Clusters => "clusters", [Cluster], "The cluster of the snapshot: it contains its namespaces and nodes (`clusters -[contains]-> namespaces`).";
    ApiServer => "api_server", [ApiServer], "The cluster's API server.";
    Nodes => "nodes", [Node, AnyNode, AllNodes], "Kubernetes nodes, with \"the node a pod is scheduled on\" and \"any node\".";
    Namespaces => "namespaces", [Namespace], "The workloads of a namespace, as one position (`*`: every namespace).";
    Workloads => "workloads", [Workload], "Workload units: controllers and standalone pods.";
    Pods => "pods", [Pod], "Pods of the snapshot (replicas).";
    Containers => "containers", [Container], "Containers of workloads.";
    Images => "images", [Image], "Container images, normalised.";
    Volumes => "volumes", [Volume], "Sensitive hostPath volumes as mounted by one container.";
    ServiceAccounts => "service_accounts", [ServiceAccount], "Service accounts.";
    Users => "users", [User], "Users named by bindings, and nodes' kubelet identities.";
    Groups => "groups", [Group], "Groups named by bindings.";
    Subjects => "subjects", [ServiceAccount, User, Group], "Service accounts, users and groups: whoever a binding can name.";
    PermissionSets => "permission_sets", [PermissionSet], "What one binding grants (the binding with its role); `bindings` and `roles` are read as this word.";
    Identities => "identities", [Identities], "The service accounts of a namespace, as one position (`*`: every namespace).";
    Secrets => "secrets", [Secrets, Secret], "The secrets of a namespace (`*`: every namespace), and single Secrets pods name.";
    Services => "services", [Service], "Services.";
    Ingresses => "ingresses", [Ingress], "Ingresses served by an internet-facing controller.";
    ClusterAdmin => "cluster_admin", [ClusterAdmin], "Cluster-admin-equivalent rights.";
    CloudIdentities => "cloud_identities", [CloudIdentity], "Cloud identities service accounts, containers and nodes can assume (AWS IAM roles through IRSA, EKS Pod Identity or a node's instance profile; Google service accounts through GKE Workload Identity; Azure managed identities through Azure Workload Identity), and cloud principals mapped into the cluster.";
    CloudResources => "cloud_resources", [CloudResource], "Cloud data stores a cloud identity may read (S3 buckets, Secrets Manager secrets, SSM parameters, KMS keys; Cloud Storage, Secret Manager, Cloud KMS; Azure key vaults and storage accounts).";
}

impl Kind {
    /// Whether a node of `kind` belongs to this kind.
    pub fn matches(self, kind: NodeKind) -> bool {
        let kinds = self.node_kinds();
        kinds.is_empty() || kinds.contains(&kind)
    }

    /// The kind a word names, aliases included.
    pub fn from_name(word: &str) -> Option<Kind> {
        match word {
            "bindings" | "roles" => Some(Kind::PermissionSets),
            _ => Kind::ALL.iter().copied().find(|k| k.name() == word),
        }
    }
}

/// A named set of edge kinds.
#[derive(Debug)]
pub struct NamedRelation {
    pub name: &'static str,
    pub description: &'static str,
    pub edges: &'static [EdgeKind],
    /// The hop range's upper end when a step does not write one (the lower is 1).
    pub default_max_hops: u32,
}

use EdgeKind as E;

/// Every named relation, in documentation order.
pub const RELATIONS: &[NamedRelation] = &[
    NamedRelation {
        name: "contains",
        description: "A scope contains its members: the cluster its namespaces and nodes, a namespace its workloads, every node each node, a namespace's identities its service accounts.",
        edges: &[E::CONTAINS],
        default_max_hops: 1,
    },
    NamedRelation {
        name: "runs",
        description: "A workload runs a container.",
        edges: &[E::RUNS],
        default_max_hops: 1,
    },
    NamedRelation {
        name: "owns",
        description: "A workload owns a pod (a replica).",
        edges: &[E::OWNS],
        default_max_hops: 1,
    },
    NamedRelation {
        name: "scheduled_on",
        description: "A pod runs on a node.",
        edges: &[E::SCHEDULED_ON],
        default_max_hops: 1,
    },
    NamedRelation {
        name: "uses_image",
        description: "A container runs an image.",
        edges: &[E::USES_IMAGE],
        default_max_hops: 1,
    },
    NamedRelation {
        name: "mounts",
        description: "A container mounts a sensitive hostPath volume.",
        edges: &[E::VOLUME_DISCOVER],
        default_max_hops: 1,
    },
    NamedRelation {
        name: "routes_traffic_to",
        description: "Traffic reaches a service, an ingress routes to a service, a service routes to the containers serving it.",
        edges: &[E::ROUTES_TO, E::ENDPOINT_EXPLOIT],
        default_max_hops: 1,
    },
    NamedRelation {
        name: "member_of",
        description: "A service account or user is a member of a group.",
        edges: &[E::MEMBER_OF],
        default_max_hops: 1,
    },
    NamedRelation {
        name: "has_permission",
        description: "A subject holds what a binding grants, directly or through its groups (two hops by default: member of a group, then the group's binding).",
        edges: &[E::MEMBER_OF, E::PERMISSION_DISCOVER],
        default_max_hops: 2,
    },
    NamedRelation {
        name: "can_authenticate_as",
        description: "Acting as another identity: mounted or stolen tokens, token requests, impersonation, a kubelet's credentials, a cloud role assumed (IRSA, Pod Identity, a node's role, GKE or Azure Workload Identity), a cloud identity mapped into the cluster (`aws-auth`, access entries, Azure RBAC for AKS).",
        edges: &[
            E::IDENTITY_ASSUME,
            E::TOKEN_STEAL,
            E::TOKEN_LIST,
            E::TOKEN_BRUTEFORCE,
            E::TOKEN_REQUEST,
            E::IDENTITY_IMPERSONATE,
            E::NODE_IDENTITY_ASSUME,
            E::NODE_TOKEN_REQUEST,
            E::CLOUD_IDENTITY_ASSUME,
            E::CLOUD_KUBE_IDENTITY,
        ],
        default_max_hops: 1,
    },
    NamedRelation {
        name: "can_read_secrets",
        description: "Reading secrets: RBAC read, the kubelet's reads, an admission webhook that intercepts them.",
        edges: &[E::SECRET_READ, E::NODE_SECRET_READ, E::WEBHOOK_INTERCEPT],
        default_max_hops: 1,
    },
    NamedRelation {
        name: "can_read_cloud_data",
        description: "A cloud identity reads a cloud data store: objects of a bucket, secrets, parameters, decryption with keys.",
        edges: &[E::CLOUD_DATA_READ],
        default_max_hops: 1,
    },
    NamedRelation {
        name: "can_exec",
        description: "Running commands in running containers: `pods/exec`, `pods/attach`, `nodes/proxy`.",
        edges: &[E::POD_EXEC, E::NODE_PROXY],
        default_max_hops: 1,
    },
    NamedRelation {
        name: "can_create_pods",
        description: "Creating pods (directly or through a controller), with any service account of the namespace or on a node of one's choosing.",
        edges: &[E::POD_CREATE],
        default_max_hops: 1,
    },
    NamedRelation {
        name: "can_modify_pods",
        description: "Changing running pods or the pods created later: patching pods, a mutating webhook.",
        edges: &[E::POD_PATCH, E::WEBHOOK_MUTATE],
        default_max_hops: 1,
    },
    NamedRelation {
        name: "can_escalate",
        description: "Gaining rights RBAC did not grant: `bind`, `escalate`, `impersonate`, approving one's own certificate.",
        edges: &[
            E::ROLE_BIND,
            E::ROLE_ESCALATE,
            E::IDENTITY_IMPERSONATE,
            E::CSR_APPROVE,
        ],
        default_max_hops: 1,
    },
    NamedRelation {
        name: "can_escape_to",
        description: "A container escapes to its node: privileged mounts, host namespaces, capabilities, host-path writes and reads (a container reaches a mounted volume first, so two hops by default).",
        edges: &[
            E::VOLUME_DISCOVER,
            E::CE_PRIV_MOUNT,
            E::CE_NSENTER,
            E::CE_MODULE_LOAD,
            E::CE_SYS_PTRACE,
            E::CE_UMH_CORE_PATTERN,
            E::CE_VAR_LOG_SYMLINK,
            E::EXPLOIT_HOST_READ,
            E::EXPLOIT_HOST_WRITE,
            E::EXPLOIT_CONTAINERD_SOCK,
        ],
        default_max_hops: 2,
    },
    NamedRelation {
        name: "is_admin",
        description: "A permission set equivalent to cluster-admin.",
        edges: &[E::ADMIN_EQUIVALENT],
        default_max_hops: 1,
    },
    NamedRelation {
        name: "can_reach",
        description: "Any step an attack path may take: every attack technique and the structure paths follow (12 hops by default).",
        edges: &[],
        default_max_hops: 12,
    },
];

/// One relation of a step: a named relation or a single edge kind.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Relation {
    /// Index into [`RELATIONS`].
    Named(usize),
    Edge(EdgeKind),
}

impl Relation {
    pub fn name(self) -> &'static str {
        match self {
            Relation::Named(i) => RELATIONS[i].name,
            Relation::Edge(e) => e.name(),
        }
    }

    /// The relation a word names: a named relation or an edge kind (`POD_EXEC`).
    pub fn from_name(word: &str) -> Option<Relation> {
        if let Some(i) = RELATIONS.iter().position(|r| r.name == word) {
            return Some(Relation::Named(i));
        }
        EdgeKind::ALL
            .iter()
            .copied()
            .find(|e| e.name() == word)
            .map(Relation::Edge)
    }

    /// Whether the relation follows an edge of `kind`.
    pub fn follows(self, kind: EdgeKind) -> bool {
        match self {
            Relation::Named(i) => {
                let r = &RELATIONS[i];
                if r.edges.is_empty() {
                    kind.info().traversable
                } else {
                    r.edges.contains(&kind)
                }
            }
            Relation::Edge(e) => e == kind,
        }
    }

    fn default_max_hops(self) -> u32 {
        match self {
            Relation::Named(i) => RELATIONS[i].default_max_hops,
            Relation::Edge(_) => 1,
        }
    }
}

/// A test on one node; `negated` for `not`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Condition {
    pub negated: bool,
    pub test: Test,
}

/// What a condition tests.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Test {
    /// An insight or fact that holds or not (`exposed`).
    Flag(Flag),
    /// A text property: `=` (exact), `~` (glob, `*` any text), `in` (one of).
    Text {
        field: TextField,
        op: TextOp,
        values: Vec<String>,
    },
    /// `label "app"` (present) or `label "app" = "web"`.
    Label { key: String, value: Option<String> },
    /// `port = 443`: a container port, a service port or node port.
    Port { cmp: Cmp, value: i64 },
    /// `vulnerability >= critical`: the most severe such thing compared to a severity.
    Severity {
        field: SeverityField,
        cmp: Cmp,
        severity: Severity,
    },
    /// `target = cluster_admin`: the node is a target of that class.
    Target(Target),
    /// `count(runs) >= 3`: distinct nodes one step away through the relations.
    Count {
        relations: Vec<Relation>,
        cmp: Cmp,
        value: u64,
    },
}

/// Comparison of numbers and severities (a more severe severity is greater).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Cmp {
    Eq,
    Ge,
    Gt,
    Le,
    Lt,
}

impl Cmp {
    pub fn symbol(self) -> &'static str {
        match self {
            Cmp::Eq => "=",
            Cmp::Ge => ">=",
            Cmp::Gt => ">",
            Cmp::Le => "<=",
            Cmp::Lt => "<",
        }
    }

    fn holds<T: PartialOrd>(self, a: T, b: T) -> bool {
        match self {
            Cmp::Eq => a == b,
            Cmp::Ge => a >= b,
            Cmp::Gt => a > b,
            Cmp::Le => a <= b,
            Cmp::Lt => a < b,
        }
    }
}

/// How a text property is compared.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TextOp {
    Eq,
    Glob,
    In,
}

macro_rules! words {
    ($(#[$m:meta])* $ty:ident { $( $variant:ident => $name:literal, $doc:literal; )* }) => {
        $(#[$m])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq)]
        pub enum $ty { $($variant),* }

        impl $ty {
            /// Every word, in documentation order.
            pub const ALL: &'static [$ty] = &[$($ty::$variant),*];

            /// The word of the text form.
            pub fn name(self) -> &'static str {
                match self { $($ty::$variant => $name),* }
            }

            /// What the word tests, for `docs/query.md` and the app.
            pub fn description(self) -> &'static str {
                match self { $($ty::$variant => $doc),* }
            }

            fn from_name(word: &str) -> Option<$ty> {
                Self::ALL.iter().copied().find(|w| w.name() == word)
            }
        }
    };
}

words!(
    /// Facts a node has or not.
    Flag {
        Exposed => "exposed", "Reachable from the internet (a workload, its containers, pods and volumes; a service or ingress the internet reaches).";
        Privileged => "privileged", "Runs a privileged container.";
        HostNetwork => "host_network", "Uses the node's network namespace.";
        HostPid => "host_pid", "Uses the node's process namespace.";
        HostIpc => "host_ipc", "Uses the node's IPC namespace.";
        EscapesToHost => "escapes_to_host", "Has a container that can escape to its node.";
        ReachesClusterAdmin => "reaches_cluster_admin", "An attack path from it reaches cluster-admin rights.";
        ReadsSecrets => "reads_secrets", "An attack path from it reads secrets.";
        ReadsKubeSystemSecrets => "reads_kube_system_secrets", "An attack path from it reads kube-system's secrets.";
        CriticalVulnerabilities => "critical_vulnerabilities", "Runs an image with a critical vulnerability.";
        RemotelyExploitable => "remotely_exploitable", "Runs an image with a remotely exploitable critical or high vulnerability.";
        HasAlerts => "has_alerts", "An alert from the audit logs is about it.";
        OnAttackPath => "on_attack_path", "Lies on one of the analysis' attack paths (as a step or as its entry).";
        IsTarget => "is_target", "Is a target of attack paths (cluster-admin, node takeover, secrets, a cloud identity).";
    }
);

words!(
    /// Text properties of a node.
    TextField {
        Name => "name", "The node's name (a host path for volumes, the normalised reference for images).";
        Namespace => "namespace", "Its namespace (for namespace, identity and secret scopes: the namespace they stand for).";
        Id => "id", "The graph node id (`workload:shop/Deployment/web`).";
        Image => "image", "An image it runs (containers, workloads, pods) or is (images), normalised.";
        Registry => "registry", "The registry of such an image (`docker.io`, `ghcr.io`).";
        Finding => "finding", "The id of a hardening rule that fails on its resource (`privileged`).";
        Alert => "alert", "The type of an alert about it (`secretEnumeration`).";
        Access => "access", "A cloud identity's access (`administrator access`, `data access to S3 objects`).";
    }
);

words!(
    /// Things with a severity.
    SeverityField {
        Vulnerability => "vulnerability", "The most severe vulnerability of an image it runs.";
        FixableVulnerability => "fixable_vulnerability", "The most severe vulnerability with a fixed version.";
        RemoteVulnerability => "remote_vulnerability", "The most severe remotely exploitable (network, no privileges, no interaction) vulnerability.";
        Finding => "finding", "The most severe failing rule on its resource (exempt findings excluded).";
        Alert => "alert", "The most severe alert about it.";
    }
);

/// The text form's word for a severity.
fn severity_name(s: Severity) -> &'static str {
    match s {
        Severity::Critical => "critical",
        Severity::High => "high",
        Severity::Medium => "medium",
        Severity::Low => "low",
        Severity::Informational => "informational",
    }
}

/// A severity as a number that grows with severity, for comparisons.
fn severity_rank(s: Severity) -> u8 {
    match s {
        Severity::Critical => 4,
        Severity::High => 3,
        Severity::Medium => 2,
        Severity::Low => 1,
        Severity::Informational => 0,
    }
}

/// The text form's word for a target class.
fn target_name(t: Target) -> &'static str {
    match t {
        Target::ClusterAdmin => "cluster_admin",
        Target::KubeSystemSecrets => "kube_system_secrets",
        Target::CloudAdmin => "cloud_admin",
        Target::CloudData => "cloud_data",
        Target::NodeTakeover => "node_takeover",
        Target::Secrets => "secrets",
    }
}

/// `docs/query.md`: the language, generated from this module.
pub fn markdown() -> String {
    let mut out = String::from(
        "# Queries\n\n<!-- Generated by `UPDATE_DOCS=1 cargo test -p portolan-engine query_doc`; do not edit. -->\n\n\
         A query asks the security graph (see `docs/graph.md`) a question of your own: where to \
         start, which relations to follow, where to end. `portolan query PATH... 'QUERY'` runs \
         one; the app's Explorer page builds the same text by clicking. Each result is the \
         chain that matched, one node per step, start first. The code is `engine/src/query/`.\n\n\
         ## Grammar\n\n```text\n",
    );
    out.push_str(syntax::GRAMMAR);
    out.push_str(
        "```\n\nWords are case-sensitive; spaces and line breaks separate them. A step's hop \
         range counts the edges walked (`*2` exactly two, `*1..3` one to three, `*..3` up to \
         three); without one, a step walks its relations' default (one hop for most). \
         `<-[...]-` follows edges backwards. A `without` step keeps the current nodes from \
         which it finds nothing and leaves the chain where it was. `=` compares exactly, `~` \
         matches a pattern where `*` is any text, `in (\"a\", \"b\")` is one of. Severities \
         compare by severity (`>= high` is high or critical). Results are sorted by node id and \
         capped at ",
    );
    out.push_str(&format!(
        "{MAX_CHAINS} chains; the total is counted in full.\n\n## Kinds\n\n| word | nodes |\n| --- | --- |\n"
    ));
    for k in Kind::ALL {
        out.push_str(&format!("| `{}` | {} |\n", k.name(), k.description()));
    }
    out.push_str("\n## Relations\n\nA step names relations, or edge kinds of `docs/graph.md` by their name (`POD_EXEC`), separated by `|`.\n\n| relation | edges | default hops | meaning |\n| --- | --- | --- | --- |\n");
    for r in RELATIONS {
        let edges = if r.edges.is_empty() {
            "every edge attack paths follow".to_string()
        } else {
            r.edges
                .iter()
                .map(|e| format!("`{}`", e.name()))
                .collect::<Vec<_>>()
                .join(", ")
        };
        out.push_str(&format!(
            "| `{}` | {edges} | 1..{} | {} |\n",
            r.name, r.default_max_hops, r.description
        ));
    }
    out.push_str("\n## Conditions\n\n`where` starts a kind's conditions, `and` joins them, `not` negates one.\n\n| condition | tests |\n| --- | --- |\n");
    for f in Flag::ALL {
        out.push_str(&format!("| `{}` | {} |\n", f.name(), f.description()));
    }
    for f in TextField::ALL {
        out.push_str(&format!(
            "| `{} = \"...\"`, `~`, `in (...)` | {} |\n",
            f.name(),
            f.description()
        ));
    }
    for f in SeverityField::ALL {
        out.push_str(&format!(
            "| `{} >= critical` (`=`, `>`, `<=`, `<`) | {} |\n",
            f.name(),
            f.description()
        ));
    }
    out.push_str("| `label \"key\"`, `label \"key\" = \"value\"` | A label of its resource (workloads, pods, services, namespaces, nodes, service accounts). |\n");
    out.push_str("| `port = 443` | A container port, service port or node port it declares (containers, workloads, services). |\n");
    let targets: Vec<String> = Target::ALL
        .iter()
        .map(|t| format!("`{}`", target_name(*t)))
        .collect();
    out.push_str(&format!(
        "| `target = cluster_admin` | It is a target of that class: {}. |\n",
        targets.join(", ")
    ));
    out.push_str("| `count(relation\\|...) >= 2` | The number of distinct nodes one step away (outgoing) through the relations. |\n");
    out.push_str(&format!(
        "\nSeverities: {}.\n\n## Templates\n\n`portolan query --template NAME PATH...` runs one; `portolan query --list-templates` lists them. Each example below is parsed and run by the tests.\n\n",
        crate::rules::Severity::ALL
            .iter()
            .map(|s| format!("`{}`", severity_name(*s)))
            .collect::<Vec<_>>()
            .join(", ")
    ));
    for t in TEMPLATES {
        out.push_str(&format!(
            "### `{}`\n\n{}\n\n```text\n{}\n```\n\n",
            t.name, t.question, t.query
        ));
    }
    out
}
