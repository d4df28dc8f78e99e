//! The ClusterRoles the API server creates at start-up (its "bootstrap policy"), as data.
//!
//! A manifest-only repository binds `cluster-admin`, `edit` or `system:node` without
//! containing them: the API server has them, so the binding is real. When a binding
//! references one of these names and the snapshot does not define it,
//! [`super::Inventory::finish`] adds the definition below, marked
//! [`super::rbac::Role::assumed`], so rules and the graph judge the binding by what it
//! grants and say that the definition was assumed. A snapshot's own definition always
//! wins.
//!
//! The table is written from the Kubernetes RBAC documentation ("Default roles and role
//! bindings") and the API server's bootstrap policy. `admin`, `edit` and `view` are
//! aggregated roles: they carry their `aggregationRule` and the bootstrap
//! `system:aggregate-to-*` roles supply their rules, so a CRD's own
//! `aggregate-to-edit` ClusterRole in the snapshot is aggregated too. Rules that appeared
//! in a later release carry `since=MAJOR.MINOR` and are left out when the snapshot's
//! cluster is older; an unknown version takes the latest definitions.
//!
//! Format: `role NAME [label=KEY]...` starts a role (`aggregate=KEY` gives it the
//! aggregation rule selecting `rbac.authorization.k8s.io/aggregate-to-KEY: "true"`), then
//! one rule per indented line: `GROUPS RESOURCES VERBS [names=N,..] [since=X.Y]` (lists
//! comma-separated, `core` for the core group) or `url URLS VERBS`.

use std::collections::BTreeMap;

use super::meta::{LabelSelector, ObjectMeta};
use super::rbac::{PolicyRule, Role};
use crate::source::Source;

/// The file name assumed roles are attributed to in findings and the inventory.
pub const ASSUMED_SOURCE: &str = "(built-in role, definition assumed)";

const AGGREGATE_LABEL: &str = "rbac.authorization.k8s.io/aggregate-to-";

const POLICY: &str = "
role cluster-admin
  * * *
  url * *
role admin aggregate=admin
role edit aggregate=edit label=admin
role view aggregate=view label=edit
role system:aggregate-to-admin label=admin
  authorization.k8s.io localsubjectaccessreviews create
  rbac.authorization.k8s.io rolebindings,roles create,delete,deletecollection,get,list,patch,update,watch
role system:aggregate-to-edit label=edit
  core pods/attach,pods/exec,pods/portforward,pods/proxy,secrets,services/proxy get,list,watch
  core serviceaccounts impersonate
  core pods,pods/attach,pods/exec,pods/portforward,pods/proxy create,delete,deletecollection,patch,update
  core pods/eviction create
  core configmaps,events,persistentvolumeclaims,replicationcontrollers,replicationcontrollers/scale,secrets,serviceaccounts,services,services/proxy create,delete,deletecollection,patch,update
  core serviceaccounts/token create
  apps daemonsets,deployments,deployments/rollback,deployments/scale,replicasets,replicasets/scale,statefulsets,statefulsets/scale create,delete,deletecollection,patch,update
  autoscaling horizontalpodautoscalers create,delete,deletecollection,patch,update
  batch cronjobs,jobs create,delete,deletecollection,patch,update
  extensions daemonsets,deployments,deployments/rollback,deployments/scale,ingresses,networkpolicies,replicasets,replicasets/scale,replicationcontrollers/scale create,delete,deletecollection,patch,update
  policy poddisruptionbudgets create,delete,deletecollection,patch,update
  networking.k8s.io ingresses,networkpolicies create,delete,deletecollection,patch,update
  coordination.k8s.io leases create,delete,deletecollection,get,list,patch,update,watch
role system:aggregate-to-view label=view
  core configmaps,endpoints,persistentvolumeclaims,persistentvolumeclaims/status,pods,replicationcontrollers,replicationcontrollers/scale,serviceaccounts,services,services/status get,list,watch
  core bindings,events,limitranges,namespaces/status,pods/log,pods/status,replicationcontrollers/status,resourcequotas,resourcequotas/status get,list,watch
  core namespaces get,list,watch
  discovery.k8s.io endpointslices get,list,watch
  apps controllerrevisions,daemonsets,daemonsets/status,deployments,deployments/scale,deployments/status,replicasets,replicasets/scale,replicasets/status,statefulsets,statefulsets/scale,statefulsets/status get,list,watch
  autoscaling horizontalpodautoscalers,horizontalpodautoscalers/status get,list,watch
  batch cronjobs,cronjobs/status,jobs,jobs/status get,list,watch
  extensions daemonsets,daemonsets/status,deployments,deployments/scale,deployments/status,ingresses,ingresses/status,networkpolicies,replicasets,replicasets/scale,replicasets/status,replicationcontrollers/scale get,list,watch
  policy poddisruptionbudgets,poddisruptionbudgets/status get,list,watch
  networking.k8s.io ingresses,ingresses/status,networkpolicies get,list,watch
role system:auth-delegator
  authentication.k8s.io tokenreviews create
  authorization.k8s.io subjectaccessreviews create
role system:basic-user
  authorization.k8s.io selfsubjectaccessreviews,selfsubjectrulesreviews create
  authentication.k8s.io selfsubjectreviews create since=1.28
role system:discovery
  url /api,/api/*,/apis,/apis/*,/healthz,/livez,/openapi,/openapi/*,/readyz,/version,/version/ get
role system:public-info-viewer
  url /healthz,/livez,/readyz,/version,/version/ get
role system:service-account-issuer-discovery
  url /.well-known/openid-configuration,/openid/v1/jwks get
role system:monitoring
  url /healthz,/healthz/*,/livez,/livez/*,/metrics,/metrics/slis,/readyz,/readyz/* get
role system:certificates.k8s.io:certificatesigningrequests:nodeclient
  certificates.k8s.io certificatesigningrequests/nodeclient create
role system:certificates.k8s.io:certificatesigningrequests:selfnodeclient
  certificates.k8s.io certificatesigningrequests/selfnodeclient create
role system:certificates.k8s.io:kube-apiserver-client-approver
  certificates.k8s.io signers approve names=kubernetes.io/kube-apiserver-client
role system:certificates.k8s.io:kube-apiserver-client-kubelet-approver
  certificates.k8s.io signers approve names=kubernetes.io/kube-apiserver-client-kubelet
role system:certificates.k8s.io:kubelet-serving-approver
  certificates.k8s.io signers approve names=kubernetes.io/kubelet-serving
role system:certificates.k8s.io:legacy-unknown-approver
  certificates.k8s.io signers approve names=kubernetes.io/legacy-unknown
role system:heapster
  core events,namespaces,nodes,pods get,list,watch
  extensions deployments get,list,watch
role system:kube-aggregator
  core endpoints,services get,list,watch
role system:kube-dns
  core endpoints,services list,watch
role system:kube-controller-manager
  core,events.k8s.io events create,patch,update
  coordination.k8s.io leases create
  coordination.k8s.io leases get,update names=kube-controller-manager
  core secrets,serviceaccounts create
  core secrets delete
  core configmaps,namespaces,secrets,serviceaccounts get
  core secrets,serviceaccounts update
  authentication.k8s.io tokenreviews create
  authorization.k8s.io subjectaccessreviews create
  * * list,watch
  core serviceaccounts/token create
role system:kube-scheduler
  core,events.k8s.io events create,patch,update
  coordination.k8s.io leases create
  coordination.k8s.io leases get,update names=kube-scheduler
  core nodes get,list,watch
  core pods delete,get,list,watch
  core bindings,pods/binding create
  core pods/status patch,update
  core replicationcontrollers,services get,list,watch
  apps,extensions replicasets get,list,watch
  apps statefulsets get,list,watch
  policy poddisruptionbudgets get,list,watch
  core persistentvolumeclaims,persistentvolumes get,list,watch
  authentication.k8s.io tokenreviews create
  authorization.k8s.io subjectaccessreviews create
  storage.k8s.io csinodes,csidrivers,csistoragecapacities get,list,watch
  core namespaces get,list,watch
role system:kubelet-api-admin
  core nodes get,list,watch,proxy
  core nodes/log,nodes/metrics,nodes/proxy,nodes/stats *
role system:node
  authentication.k8s.io tokenreviews create
  authorization.k8s.io localsubjectaccessreviews,subjectaccessreviews create
  core services get,list,watch
  core nodes create,get,list,watch,patch,update
  core nodes/status patch,update
  core events create,patch,update
  core pods get,list,watch,create,delete
  core pods/status patch,update
  core pods/eviction create
  core configmaps,secrets get,list,watch
  core persistentvolumeclaims,persistentvolumes get
  core endpoints get
  certificates.k8s.io certificatesigningrequests create,get,list,watch
  coordination.k8s.io leases create,delete,get,patch,update
  storage.k8s.io volumeattachments get
  core serviceaccounts/token create
  core persistentvolumeclaims/status get,patch,update
  storage.k8s.io csidrivers get,list,watch
  storage.k8s.io csinodes create,delete,get,patch,update
  node.k8s.io runtimeclasses get,list,watch
role system:node-bootstrapper
  certificates.k8s.io certificatesigningrequests create,get,list,watch
role system:node-problem-detector
  core nodes get
  core nodes/status patch
  core,events.k8s.io events create,patch,update
role system:node-proxier
  core endpoints,services list,watch
  core nodes get,list,watch
  core,events.k8s.io events create,patch,update
  discovery.k8s.io endpointslices list,watch
role system:persistent-volume-provisioner
  core persistentvolumes create,delete,get,list,watch
  core persistentvolumeclaims get,list,update,watch
  storage.k8s.io storageclasses get,list,watch
  core,events.k8s.io events create,patch,update,watch
role system:volume-scheduler
  core persistentvolumes get,list,patch,update,watch
  storage.k8s.io storageclasses get,list,watch
  core persistentvolumeclaims get,list,patch,update,watch
role system:controller:clusterrole-aggregation-controller
  rbac.authorization.k8s.io clusterroles escalate,get,list,patch,update,watch
role system:controller:namespace-controller
  core namespaces delete,get,list,watch
  core namespaces/finalize,namespaces/status update
  * * delete,deletecollection,get,list
role system:controller:generic-garbage-collector
  * * delete,get,list,patch,update,watch
role system:controller:deployment-controller
  apps,extensions deployments get,list,update,watch
  apps,extensions deployments/status,deployments/finalizers update
  apps,extensions replicasets create,delete,get,list,patch,update,watch
  core pods get,list,update,watch
  core,events.k8s.io events create,patch,update
role system:controller:replicaset-controller
  apps,extensions replicasets get,list,update,watch
  apps,extensions replicasets/status,replicasets/finalizers update
  core pods create,delete,list,patch,watch
  core,events.k8s.io events create,patch,update
role system:controller:replication-controller
  core replicationcontrollers get,list,update,watch
  core replicationcontrollers/status,replicationcontrollers/finalizers update
  core pods create,delete,list,patch,watch
  core,events.k8s.io events create,patch,update
role system:controller:daemon-set-controller
  apps,extensions daemonsets get,list,watch
  apps,extensions daemonsets/status,daemonsets/finalizers update
  core nodes list,watch
  core pods create,delete,list,patch,watch
  core pods/binding create
  apps controllerrevisions create,delete,get,list,patch,update,watch
  core,events.k8s.io events create,patch,update
role system:controller:statefulset-controller
  core pods get,list,watch,create,delete,patch,update
  apps statefulsets get,list,watch
  apps statefulsets/status,statefulsets/finalizers update
  apps controllerrevisions create,delete,get,list,patch,update,watch
  core persistentvolumeclaims create,get,update,patch,delete
  core,events.k8s.io events create,patch,update
role system:controller:job-controller
  batch jobs get,list,patch,update,watch
  batch jobs/status,jobs/finalizers update,patch
  core pods create,delete,list,patch,watch
  core,events.k8s.io events create,patch,update
role system:controller:cronjob-controller
  batch cronjobs get,list,update,watch
  batch jobs create,delete,get,list,patch,update,watch
  batch cronjobs/status,cronjobs/finalizers update
  core pods delete,list
  core,events.k8s.io events create,patch,update
role system:controller:service-account-controller
  core serviceaccounts create
  core,events.k8s.io events create,patch,update
role system:controller:certificate-controller
  certificates.k8s.io certificatesigningrequests delete,get,list,watch
  certificates.k8s.io certificatesigningrequests/approval,certificatesigningrequests/status update
  certificates.k8s.io signers approve names=kubernetes.io/kube-apiserver-client-kubelet,kubernetes.io/legacy-unknown
  certificates.k8s.io signers sign names=kubernetes.io/kube-apiserver-client,kubernetes.io/kube-apiserver-client-kubelet,kubernetes.io/kubelet-serving,kubernetes.io/legacy-unknown
  authorization.k8s.io subjectaccessreviews create
  core,events.k8s.io events create,patch,update
";

/// Whether the API server bootstraps a ClusterRole of this name.
pub fn is_bootstrap_role(name: &str) -> bool {
    roles(None).iter().any(|r| r.metadata.name == name)
}

/// The bootstrap ClusterRoles for a cluster of `version` (`(major, minor)`; `None`: the
/// latest), each marked assumed, in table order.
pub fn roles(version: Option<(u32, u32)>) -> Vec<Role> {
    let mut out: Vec<Role> = Vec::new();
    for line in POLICY.lines() {
        if line.trim().is_empty() {
            continue;
        }
        let mut words = line.split_whitespace();
        if let Some(rest) = line.strip_prefix("role ") {
            let mut words = rest.split_whitespace();
            let name = words.next().unwrap_or_default();
            let mut labels = BTreeMap::new();
            labels.insert("kubernetes.io/bootstrapping".into(), "rbac-defaults".into());
            let mut aggregation = Vec::new();
            for w in words {
                if let Some(key) = w.strip_prefix("label=") {
                    labels.insert(format!("{AGGREGATE_LABEL}{key}"), "true".into());
                } else if let Some(key) = w.strip_prefix("aggregate=") {
                    let mut selector = LabelSelector::default();
                    selector
                        .match_labels
                        .insert(format!("{AGGREGATE_LABEL}{key}"), "true".into());
                    aggregation.push(selector);
                }
            }
            out.push(Role {
                cluster_scoped: true,
                metadata: ObjectMeta {
                    name: name.into(),
                    labels: labels.into(),
                    ..ObjectMeta::default()
                },
                source: Source {
                    file: ASSUMED_SOURCE.into(),
                    line: 0,
                },
                rules: Vec::new(),
                aggregation,
                assumed: true,
            });
            continue;
        }
        let Some(role) = out.last_mut() else {
            continue;
        };
        let first = words.next().unwrap_or_default();
        let list = |s: &str| -> Vec<String> {
            s.split(',')
                .map(|w| if w == "core" { "" } else { w }.to_string())
                .collect()
        };
        let mut rule = PolicyRule::default();
        if first == "url" {
            rule.non_resource_urls = list(words.next().unwrap_or_default());
            rule.verbs = list(words.next().unwrap_or_default());
        } else {
            rule.api_groups = list(first);
            rule.resources = list(words.next().unwrap_or_default());
            rule.verbs = list(words.next().unwrap_or_default());
        }
        let mut applies = true;
        for w in words {
            if let Some(names) = w.strip_prefix("names=") {
                rule.resource_names = list(names);
            } else if let Some(since) = w.strip_prefix("since=") {
                let since = super::cluster::parse_minor(since);
                applies = match (version, since) {
                    (Some(v), Some(s)) => v >= s,
                    _ => true,
                };
            }
        }
        if applies {
            role.rules.push(rule);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::permissions::{rule_allows, Request};

    fn role<'a>(roles: &'a [Role], name: &str) -> &'a Role {
        roles.iter().find(|r| r.metadata.name == name).unwrap()
    }

    #[test]
    fn table_reads_into_roles() {
        let roles = roles(None);
        let admin = role(&roles, "cluster-admin");
        assert_eq!(admin.rules.len(), 2);
        assert!(admin.assumed && admin.cluster_scoped);
        assert_eq!(admin.rules[1].non_resource_urls, ["*"]);
        // Core group is the empty string; resourceNames are kept.
        let node = role(&roles, "system:node");
        assert!(node
            .rules
            .iter()
            .any(|r| rule_allows(r, &Request::resource("get", "", "secrets").named("x"))));
        let approver = role(
            &roles,
            "system:certificates.k8s.io:kube-apiserver-client-approver",
        );
        assert_eq!(
            approver.rules[0].resource_names,
            ["kubernetes.io/kube-apiserver-client"]
        );
        // Aggregated roles select their parts by label; parts carry the label.
        let edit = role(&roles, "edit");
        assert!(edit.rules.is_empty());
        assert!(
            edit.aggregation[0].matches(&role(&roles, "system:aggregate-to-edit").metadata.labels)
        );
        assert!(!edit.aggregation[0]
            .matches(&role(&roles, "system:aggregate-to-admin").metadata.labels));
        // Every role has a name and every rule verbs.
        for r in &roles {
            assert!(!r.metadata.name.is_empty());
            assert!(r.rules.iter().all(|rule| !rule.verbs.is_empty()));
        }
        assert!(is_bootstrap_role("view") && !is_bootstrap_role("viewer"));
    }

    #[test]
    fn version_gates_later_rules() {
        let old = roles(Some((1, 27)));
        let new = roles(Some((1, 30)));
        assert_eq!(role(&old, "system:basic-user").rules.len(), 1);
        assert_eq!(role(&new, "system:basic-user").rules.len(), 2);
        assert_eq!(role(&roles(None), "system:basic-user").rules.len(), 2);
    }
}
