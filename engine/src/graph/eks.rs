//! EKS identity links besides IRSA, both ways across the cluster's edge.
//!
//! Into the cloud: EKS Pod Identity associations (the service account's pods get the
//! role from the Pod Identity agent, when the role trusts `pods.eks.amazonaws.com`), and
//! the node role of a managed node group through the instance metadata service (IMDS,
//! `169.254.169.254`): from the node itself, from its pods on the host network, and from
//! its other pods unless a NetworkPolicy restricts their egress without allowing the
//! metadata address. Into the cluster: the `aws-auth` ConfigMap's `mapRoles`/`mapUsers`
//! (and `mapAccounts`, for every principal of an account) and EKS access entries map an IAM principal to a Kubernetes username and groups, and
//! access policies (cluster admin, admin, edit) grant it rights directly; so a path
//! that reaches a cloud identity continues into RBAC.

use std::collections::{BTreeMap, BTreeSet};

use petgraph::graph::NodeIndex;

use super::build::Builder;
use super::{identity, EdgeKind, NodeKind};
use crate::model::cloud::{AwsIamExport, AwsRole};
use crate::model::cluster::ComponentSettings;
use crate::model::iam_risk::trusts_service;
use crate::model::network::NetworkPolicy;
use crate::model::WorkloadUnit;
use crate::rules::network::{restricts, selects, Direction};

/// The node label EKS sets to the managed node group's name.
const NODEGROUP_LABEL: &str = "eks.amazonaws.com/nodegroup";

/// The service principal of the EKS Pod Identity agent.
const POD_IDENTITY_SERVICE: &str = "pods.eks.amazonaws.com";

/// The instance metadata service's address.
const IMDS: [u8; 4] = [169, 254, 169, 254];

pub(super) fn build(b: &mut Builder) {
    let inv = b.inv;
    if inv.eks_links.is_empty() && !has_aws_auth(b) {
        return;
    }
    let mut roles: BTreeMap<&str, (&AwsIamExport, &AwsRole)> = BTreeMap::new();
    for export in &inv.aws_iam {
        for role in &export.roles {
            roles.entry(role.arn.as_str()).or_insert((export, role));
        }
    }
    pod_identities(b, &roles);
    node_roles(b, &roles);
    cloud_to_cluster(b, &roles);
}

fn has_aws_auth(b: &Builder) -> bool {
    b.inv
        .config_maps
        .iter()
        .any(|c| matches!(c.settings, Some(ComponentSettings::AwsAuth(_))))
}

/// The node of a principal ARN: the role of the export, or a bare cloud identity (a
/// user, or a role not in any export) named by the ARN's last segment.
fn principal(
    b: &mut Builder,
    roles: &BTreeMap<&str, (&AwsIamExport, &AwsRole)>,
    arn: &str,
) -> NodeIndex {
    if let Some(&(export, role)) = roles.get(arn) {
        return super::cloud::role_node(b, export, role);
    }
    let name = arn.rsplit(['/', ':']).next().unwrap_or(arn).to_string();
    let i =
        b.g.node_or(format!("{}{arn}", super::cloud::AWS_ROLE_PREFIX), || {
            (NodeKind::CloudIdentity, String::new(), name)
        });
    let props = &mut b.g.graph[i].properties;
    props.insert("provider".into(), "AWS".into());
    props.insert("arn".into(), arn.to_string());
    i
}

/// The containers of the units running as service account `ns/name`.
fn containers_of(b: &Builder, units: &[WorkloadUnit], ns: &str, name: &str) -> Vec<NodeIndex> {
    units
        .iter()
        .enumerate()
        .filter(|(_, u)| u.namespace == ns && u.spec.service_account() == name)
        .flat_map(|(ui, _)| b.g.units[ui].containers.iter().copied())
        .collect()
}

fn pod_identities(b: &mut Builder, roles: &BTreeMap<&str, (&AwsIamExport, &AwsRole)>) {
    let inv = b.inv;
    let units = std::mem::take(&mut b.units);
    for a in inv.eks_links.iter().flat_map(|l| &l.pod_identities) {
        // A role not in the export, or one that does not trust the agent: no link.
        let Some(&(export, role)) = roles.get(a.role_arn.as_str()) else {
            continue;
        };
        if !trusts_service(role, POD_IDENTITY_SERVICE) {
            continue;
        }
        let sa = identity::service_account(b, &a.namespace, &a.service_account);
        let node = super::cloud::role_node(b, export, role);
        let mut from = vec![sa];
        // The agent serves the credentials to every container of the account's pods,
        // whether the Kubernetes token is mounted or not.
        from.extend(containers_of(b, units, &a.namespace, &a.service_account));
        for f in from {
            b.g.technique(
                f,
                node,
                EdgeKind::CLOUD_IDENTITY_ASSUME,
                " through EKS Pod Identity (an association for this service account)".into(),
                None,
            );
        }
    }
    b.units = units;
}

fn node_roles(b: &mut Builder, roles: &BTreeMap<&str, (&AwsIamExport, &AwsRole)>) {
    let inv = b.inv;
    let by_group: BTreeMap<&str, &str> = inv
        .eks_links
        .iter()
        .flat_map(|l| &l.nodegroups)
        .map(|n| (n.name.as_str(), n.node_role.as_str()))
        .collect();
    if by_group.is_empty() {
        return;
    }
    // Hosts of the snapshot by node group, and the role each one's instance has.
    let mut host_role: BTreeMap<NodeIndex, (NodeIndex, &str)> = BTreeMap::new();
    for n in &inv.nodes {
        let Some(group) = n.metadata.labels.get(NODEGROUP_LABEL) else {
            continue;
        };
        let Some(&arn) = by_group.get(group.as_str()) else {
            continue;
        };
        let h = b.host(&n.metadata.name);
        let role = principal(b, roles, arn);
        host_role.insert(h, (role, group.as_str()));
        b.g.technique(
            h,
            role,
            EdgeKind::CLOUD_IDENTITY_ASSUME,
            format!(" through the instance metadata service (node group {group})"),
            None,
        );
    }
    // An unscheduled pod lands on some node: its role when every node group has one.
    let distinct: BTreeSet<&str> = by_group.values().copied().collect();
    let any_role = match distinct.iter().next() {
        Some(&arn) if distinct.len() == 1 => Some(principal(b, roles, arn)),
        _ => None,
    };
    let units = std::mem::take(&mut b.units);
    let policies: Vec<&NetworkPolicy> = inv.network_policies.iter().collect();
    for (ui, unit) in units.iter().enumerate() {
        let host_network = unit.spec.host_network == Some(true);
        if !host_network && imds_blocked(&policies, unit) {
            continue;
        }
        let how = if host_network {
            " through the instance metadata service (on the host network)"
        } else {
            " through the instance metadata service (no NetworkPolicy blocks 169.254.169.254)"
        };
        let mut targets: BTreeSet<(NodeIndex, bool)> = BTreeSet::new();
        for &h in &b.hosts[ui] {
            if let Some(&(role, _)) = host_role.get(&h) {
                targets.insert((role, false));
            } else if b.g.graph[h].kind == NodeKind::AnyNode {
                if let Some(role) = any_role {
                    targets.insert((role, true));
                }
            }
        }
        for (role, unscheduled) in targets {
            for ci in b.g.units[ui].containers.clone() {
                if unscheduled {
                    let why = "possible — the pod is not scheduled; every node group's \
                               instances have this role";
                    b.g.possible(
                        ci,
                        role,
                        EdgeKind::CLOUD_IDENTITY_ASSUME,
                        how.into(),
                        None,
                        why.into(),
                    );
                } else {
                    b.g.technique(ci, role, EdgeKind::CLOUD_IDENTITY_ASSUME, how.into(), None);
                }
            }
        }
    }
    b.units = units;
}

/// Whether the unit's egress is restricted by NetworkPolicies none of which allows the
/// metadata address.
fn imds_blocked(policies: &[&NetworkPolicy], unit: &WorkloadUnit) -> bool {
    let selecting: Vec<&&NetworkPolicy> = policies
        .iter()
        .filter(|p| {
            restricts(p, Direction::Egress) && selects(p, unit.namespace, &unit.metadata.labels)
        })
        .collect();
    !selecting.is_empty()
        && !selecting.iter().any(|p| {
            p.spec.egress.iter().flatten().any(|rule| {
                rule.peers.is_empty()
                    || rule.peers.iter().any(|peer| {
                        peer.ip_block.as_ref().is_some_and(|block| {
                            cidr_contains(&block.cidr, IMDS)
                                && !block.except.iter().any(|e| cidr_contains(e, IMDS))
                        })
                    })
            })
        })
}

/// Whether an IPv4 CIDR contains `ip` (`false` for what does not parse, IPv6 included).
fn cidr_contains(cidr: &str, ip: [u8; 4]) -> bool {
    let (addr, len) = cidr.trim().split_once('/').unwrap_or((cidr.trim(), "32"));
    let (Ok(addr), Ok(len)) = (addr.parse::<std::net::Ipv4Addr>(), len.parse::<u32>()) else {
        return false;
    };
    if len > 32 {
        return false;
    }
    let mask = if len == 0 { 0 } else { u32::MAX << (32 - len) };
    u32::from(addr) & mask == u32::from_be_bytes(ip) & mask
}

/// The EKS access policies and what reaching them gives.
const CLUSTER_ADMIN_POLICY: &str = "AmazonEKSClusterAdminPolicy";
const NAMESPACE_WRITE_POLICIES: &[&str] = &["AmazonEKSAdminPolicy", "AmazonEKSEditPolicy"];

/// An access entry merged from its documents: username, groups, and the access
/// policies with their namespaces (empty: the cluster).
type Entry<'a> = (String, Vec<String>, Vec<(&'a str, Vec<String>)>);

fn cloud_to_cluster(b: &mut Builder, roles: &BTreeMap<&str, (&AwsIamExport, &AwsRole)>) {
    let inv = b.inv;
    let admin = b.g.find("cluster-admin").expect("fixed node");
    // (principal ARN, username, groups, source of the mapping).
    let mut mapped: Vec<(String, String, Vec<String>, &str)> = Vec::new();
    for cm in &inv.config_maps {
        if let Some(ComponentSettings::AwsAuth(auth)) = &cm.settings {
            for m in &auth.mappings {
                mapped.push((
                    m.arn.clone(),
                    m.username.clone(),
                    m.groups.clone(),
                    "aws-auth",
                ));
            }
        }
    }
    // Access entries: the entry and its policies may come from two documents.
    let mut entries: BTreeMap<&str, Entry> = BTreeMap::new();
    for e in inv.eks_links.iter().flat_map(|l| &l.access_entries) {
        let entry = entries.entry(e.principal_arn.as_str()).or_default();
        if !e.username.is_empty() {
            entry.0 = e.username.clone();
        }
        entry.1.extend(e.groups.iter().cloned());
        for p in &e.policies {
            entry.2.push((p.policy_arn.as_str(), p.namespaces.clone()));
        }
    }
    for (arn, (username, groups, _)) in &entries {
        mapped.push((
            arn.to_string(),
            username.clone(),
            groups.clone(),
            "access entry",
        ));
    }
    for (arn, username, groups, via) in mapped {
        let from = principal(b, roles, &arn);
        // Templated usernames (`system:node:{{EC2PrivateDNSName}}`) name no one user.
        if !username.is_empty() && !username.contains("{{") {
            let to = identity::user(b, &username);
            b.g.technique(
                from,
                to,
                EdgeKind::CLOUD_KUBE_IDENTITY,
                format!(" (the {via} mapping)"),
                None,
            );
        }
        for g in groups {
            let detail = format!(" (the {via} mapping)");
            if g == "system:masters" {
                let detail = format!(" (group system:masters, by the {via} mapping)");
                b.g.technique(from, admin, EdgeKind::CLOUD_KUBE_IDENTITY, detail, None);
                continue;
            }
            let to = identity::group(b, &g);
            b.g.technique(from, to, EdgeKind::CLOUD_KUBE_IDENTITY, detail, None);
        }
    }
    map_accounts(b, roles);
    for (arn, (_, _, policies)) in entries {
        let from = principal(b, roles, arn);
        for (policy, namespaces) in policies {
            let name = policy.rsplit('/').next().unwrap_or(policy);
            let detail = format!(" (access policy {name})");
            if name == CLUSTER_ADMIN_POLICY {
                b.g.technique(from, admin, EdgeKind::CLOUD_KUBE_IDENTITY, detail, None);
            } else if NAMESPACE_WRITE_POLICIES.contains(&name) {
                let scopes = if namespaces.is_empty() {
                    vec!["*".to_string()]
                } else {
                    namespaces
                };
                for ns in scopes {
                    for kind in [NodeKind::Namespace, NodeKind::Secrets] {
                        let to = b.scope(kind, &ns);
                        let k = EdgeKind::CLOUD_KUBE_IDENTITY;
                        b.g.technique(from, to, k, detail.clone(), None);
                    }
                }
            }
        }
    }
}

/// `mapAccounts`: every IAM role and user of a listed account authenticates to the
/// cluster, as a user named by its ARN, and is so in `system:authenticated`. A principal
/// of the exports gets an edge to that user when a binding names it, else to the group
/// when a binding names the group; principals whose identity nothing grants stay out of
/// the graph (an account of 10,000 roles adds no node for nothing).
fn map_accounts(b: &mut Builder, roles: &BTreeMap<&str, (&AwsIamExport, &AwsRole)>) {
    let inv = b.inv;
    let accounts: BTreeSet<&str> = inv
        .config_maps
        .iter()
        .filter_map(|cm| match &cm.settings {
            Some(ComponentSettings::AwsAuth(auth)) => Some(auth.accounts.iter()),
            _ => None,
        })
        .flatten()
        .map(|a| a.trim())
        .filter(|a| !a.is_empty())
        .collect();
    if accounts.is_empty() {
        return;
    }
    let authenticated = b.g.find("group:system:authenticated");
    let principals = inv.aws_iam.iter().flat_map(|e| {
        let roles = e.roles.iter().map(|r| r.arn.as_str());
        roles.chain(e.users.iter().map(|u| u.arn.as_str()))
    });
    let mut done = BTreeSet::new();
    for arn in principals {
        // arn:aws:iam::ACCOUNT:role/NAME — the account is the fifth field.
        let Some(account) = arn.split(':').nth(4) else {
            continue;
        };
        if !accounts.contains(account) || !done.insert(arn) {
            continue;
        }
        let Some(to) = b.g.find(&format!("user:{arn}")).or(authenticated) else {
            continue;
        };
        let from = principal(b, roles, arn);
        let detail = format!(" (account {account} in the aws-auth mapAccounts)");
        b.g.technique(from, to, EdgeKind::CLOUD_KUBE_IDENTITY, detail, None);
    }
}

#[cfg(test)]
mod tests {
    use super::cidr_contains;

    #[test]
    fn cidrs_contain_the_metadata_address_or_not() {
        let imds = [169, 254, 169, 254];
        assert!(cidr_contains("0.0.0.0/0", imds));
        assert!(cidr_contains("169.254.0.0/16", imds));
        assert!(cidr_contains("169.254.169.254/32", imds));
        assert!(cidr_contains("169.254.169.254", imds));
        assert!(!cidr_contains("10.0.0.0/8", imds));
        assert!(!cidr_contains("::/0", imds));
        assert!(!cidr_contains("169.254.169.254/40", imds));
    }
}
