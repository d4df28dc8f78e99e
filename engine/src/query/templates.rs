//! Built-in queries for the classic questions, in the text form: the CLI's
//! `--template`, the app's template picker and `docs/query.md` read this one list.

use super::Kind;

/// A named, documented query.
#[derive(Debug)]
pub struct Template {
    pub name: &'static str,
    /// What it asks, in a sentence.
    pub question: &'static str,
    pub query: &'static str,
    /// A kind the snapshot must hold for the question to make sense, with what to say
    /// when it holds none (`no cloud identities in this snapshot`).
    pub requires: Option<(Kind, &'static str)>,
}

/// Every template, in the order the CLI lists them.
pub const TEMPLATES: &[Template] = &[
    Template {
        name: "exposed-critical-vulnerabilities",
        question: "Internet-exposed workloads running an image with a critical vulnerability.",
        query: "workloads where exposed and vulnerability >= critical -[runs]-> containers where vulnerability >= critical",
        requires: None,
    },
    Template {
        name: "remotely-exploitable-from-internet",
        question: "Containers the internet reaches whose image has a remotely exploitable critical or high vulnerability.",
        query: "internet -[routes_traffic_to*1..3]-> containers where remote_vulnerability >= high",
        requires: None,
    },
    Template {
        name: "reaches-cluster-admin",
        question: "Workloads from which an attacker reaches cluster-admin rights.",
        query: "workloads -[can_reach*1..12]-> cluster_admin",
        requires: None,
    },
    Template {
        name: "create-pods-in-kube-system",
        question: "Identities that can create pods in kube-system (or in every namespace).",
        query: "subjects -[has_permission]-> permission_sets -[can_create_pods]-> identities where name in (\"kube-system\", \"*\")",
        requires: None,
    },
    Template {
        name: "exec-into-kube-system",
        question: "Identities that can exec into the pods of kube-system (or of every namespace).",
        query: "subjects -[has_permission]-> permission_sets -[can_exec]-> namespaces where name in (\"kube-system\", \"*\")",
        requires: None,
    },
    Template {
        name: "read-secrets-cluster-wide",
        question: "Service accounts that can read the secrets of every namespace.",
        query: "service_accounts -[has_permission]-> permission_sets -[can_read_secrets]-> secrets where name = \"*\"",
        requires: None,
    },
    Template {
        name: "container-escapes",
        question: "Containers that can escape to their node.",
        query: "containers -[can_escape_to]-> nodes",
        requires: None,
    },
    Template {
        name: "fixable-critical-in-production",
        question: "Images with a fixable critical vulnerability running in production namespaces (names containing `prod`).",
        query: "workloads where namespace ~ \"*prod*\" -[runs]-> containers -[uses_image]-> images where fixable_vulnerability >= critical",
        requires: None,
    },
    Template {
        name: "exposed-without-network-policy",
        question: "Internet-exposed workloads that no NetworkPolicy isolates for ingress.",
        query: "workloads where exposed and finding = \"workloadWithoutIngressPolicy\"",
        requires: None,
    },
    Template {
        name: "users-bound-to-cluster-admin",
        question: "Users that hold cluster-admin-equivalent rights, directly or through a group.",
        query: "users -[has_permission]-> permission_sets -[is_admin]-> cluster_admin",
        requires: None,
    },
    Template {
        name: "escalation-rights",
        question: "Permission sets with escalate, bind or impersonate (or that approve their own certificates).",
        query: "permission_sets -[can_escalate]-> any",
        requires: None,
    },
    Template {
        name: "sensitive-host-paths",
        question: "Workloads whose containers mount sensitive hostPath volumes.",
        query: "workloads -[runs]-> containers -[mounts]-> volumes",
        requires: None,
    },
    Template {
        name: "privileged-and-exposed",
        question: "Internet-exposed workloads running a privileged container.",
        query: "workloads where exposed and privileged",
        requires: None,
    },
    Template {
        name: "privileged-by-namespace",
        question: "The cluster's namespaces that run a privileged workload, with those workloads.",
        query: "clusters -[contains]-> namespaces -[contains]-> workloads where privileged",
        requires: None,
    },
    Template {
        name: "anonymous-permissions",
        question: "What anonymous and unauthenticated requests are granted.",
        query: "subjects where name in (\"system:anonymous\", \"system:unauthenticated\") -[has_permission]-> permission_sets",
        requires: None,
    },
    Template {
        name: "default-service-account-permissions",
        question: "Default service accounts that a binding grants something.",
        query: "service_accounts where name = \"default\" -[has_permission]-> permission_sets",
        requires: None,
    },
    Template {
        name: "internet-to-node-takeover",
        question: "Nodes an attacker on the internet can take over.",
        query: "internet -[can_reach*1..12]-> nodes where target = node_takeover",
        requires: None,
    },
    Template {
        name: "cloud-admin",
        question: "Workloads whose identity reaches administrator rights in the cloud account.",
        query: "workloads -[can_reach*1..12]-> cloud_identities where target = cloud_admin",
        requires: Some((Kind::CloudIdentities, "no cloud identities in this snapshot")),
    },
    Template {
        name: "cloud-data",
        question: "Cloud data stores that workloads can read through the identities they reach.",
        query: "workloads -[can_reach*1..12]-> cloud_resources where target = cloud_data",
        requires: Some((Kind::CloudResources, "no cloud data stores in this snapshot")),
    },
    Template {
        name: "service-accounts-with-cloud-roles",
        question: "Service accounts that assume a cloud identity.",
        query: "service_accounts -[can_authenticate_as]-> cloud_identities",
        requires: Some((Kind::CloudIdentities, "no cloud identities in this snapshot")),
    },
    Template {
        name: "alerts-on-attack-paths",
        question: "Workloads with active alerts that lie on an attack path.",
        query: "workloads where has_alerts and on_attack_path",
        requires: None,
    },
];

/// The template called `name`.
pub fn find(name: &str) -> Option<&'static Template> {
    TEMPLATES.iter().find(|t| t.name == name)
}
