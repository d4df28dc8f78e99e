//! The typed inventory of a snapshot (capability 4, discovery).
//!
//! [`Inventory`] holds every object the ingest step read, typed by kind, each with its
//! [`Source`]. It resolves what the raw objects leave implicit: which controller owns a
//! pod ([`Inventory::workload_units`]: a finding names the controller, not each
//! replica), which cluster the snapshot is from, duplicates across files. Submodules
//! hold the serde shapes per area; [`Inventory::summary`] produces the inventory part of
//! the [`crate::Analysis`].

pub mod aws_org;
pub mod azure;
pub mod bootstrap;
pub mod cloud;
pub mod cluster;
pub mod cni_policy;
pub mod credentials;
pub mod flags;
pub mod gateway;
pub mod gcp;
pub mod iam_risk;
pub mod image;
pub mod kinds;
pub mod meta;
pub mod network;
pub mod permissions;
pub mod pod;
pub mod rbac;
pub mod vuln;
pub mod workload;

use std::borrow::Cow;
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::sync::Arc;

use serde::Serialize;

use crate::analysis::{ClusterSummary, Detail, InventorySummary, ResourceSummary};
use crate::hash::FastMap;
use crate::ingest::object::{KubeCluster, KubeContext};
use crate::ingest::{Body, Object, ServerVersion};
use crate::source::{Diagnostic, Source};
use cluster::{Cluster, ConfigMap, ManagedCluster, Namespace, Node, OtherObject, Secret};
use image::ImageRef;
use meta::{ObjectMeta, OwnerReference};
use network::{EndpointSlice, Ingress, NetworkPolicy, Service};
use pod::{PodSpec, PodStatus};
use rbac::{Binding, Role, ServiceAccount};
use workload::{Workload, WorkloadKind};

/// Display order of inventory kinds, for the app, the CLI and the report.
pub const KIND_ORDER: &[&str] = &[
    "Cluster",
    "Node",
    "Namespace",
    "Deployment",
    "StatefulSet",
    "DaemonSet",
    "ReplicaSet",
    "ReplicationController",
    "Job",
    "CronJob",
    "Pod",
    "Container",
    "Image",
    "ServiceAccount",
    "User",
    "Group",
    "Role",
    "ClusterRole",
    "RoleBinding",
    "ClusterRoleBinding",
    "Service",
    "Ingress",
    "EndpointSlice",
    "NetworkPolicy",
    "ConfigMap",
    "Secret",
];

/// A Pod as found in the snapshot (a replica of a controller, or standalone).
///
/// The replicas of one controller carry the same spec but for the node they run on and
/// the name of their token volume, and pods are most of a large snapshot's model:
/// [`Inventory::extend`] keeps `nodeName` (`node_name`) and that name (`token_volume`)
/// apart and shares one `spec` between the pods of one owner whose specs are otherwise
/// equal (about half the model of a cluster of Deployments).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Pod {
    pub metadata: ObjectMeta,
    pub source: Source,
    /// `spec`, without `nodeName` (always `None` here: see `node_name`), its generated
    /// token volume named `kube-api-access` when it has one (see `token_volume`).
    #[serde(serialize_with = "pod::serialize_shared")]
    pub spec: Arc<PodSpec>,
    /// `spec.nodeName`: the node the pod was scheduled on.
    pub node_name: Option<String>,
    /// The own name of the pod's token volume (`kube-api-access-x7k2p`), which `spec`
    /// calls `kube-api-access` ([`PodSpec::take_token_volume`]); `None` when the spec
    /// names its volumes as written.
    pub token_volume: Option<String>,
    pub status: PodStatus,
}

/// The distinct pod specs seen per owner (`namespace NUL owner uid`, or `namespace
/// NUL kind NUL name` for an owner reference without a uid), to share equal ones
/// behind one `Arc`: replicas of one controller, a Deployment and its ReplicaSets.
#[derive(Debug, Default)]
pub(crate) struct SpecPool(FastMap<String, Vec<Arc<PodSpec>>>);

impl SpecPool {
    /// `spec`, or an equal one seen before under `owner` (at most a few distinct specs
    /// are kept per owner: past that, further specs are not compared, so the cost
    /// stays linear).
    pub(crate) fn share(
        &mut self,
        namespace: &str,
        owner: &OwnerReference,
        spec: Arc<PodSpec>,
    ) -> Arc<PodSpec> {
        let key = if owner.uid.is_empty() {
            format!("{namespace}\0{}\0{}", owner.kind, owner.name)
        } else {
            format!("{namespace}\0{}", owner.uid)
        };
        self.share_as(key, spec)
    }

    fn share_as(&mut self, key: String, spec: Arc<PodSpec>) -> Arc<PodSpec> {
        const MAX_DISTINCT: usize = 8;
        let specs = self.0.entry(key).or_default();
        if let Some(same) = specs.iter().find(|s| Arc::ptr_eq(s, &spec) || **s == spec) {
            return Arc::clone(same);
        }
        if specs.len() < MAX_DISTINCT {
            specs.push(Arc::clone(&spec));
        }
        spec
    }
}

/// Everything read from a snapshot, typed.
/// What adding one file's objects one by one ([`Inventory::extend_one`]) has to tell
/// once they are all in.
#[derive(Debug, Default)]
pub(crate) struct Extending {
    diagnostics: Vec<Diagnostic>,
    /// Namespaced objects placed in the default namespace, told as one warning.
    defaulted: usize,
    /// The file they came from.
    file: String,
}

#[derive(Debug, Default)]
pub struct Inventory {
    pub clusters: Vec<Cluster>,
    pub nodes: Vec<Node>,
    pub namespaces: Vec<Namespace>,
    pub workloads: Vec<Workload>,
    pub pods: Vec<Pod>,
    pub service_accounts: Vec<ServiceAccount>,
    /// Roles and ClusterRoles.
    pub roles: Vec<Role>,
    /// RoleBindings and ClusterRoleBindings.
    pub bindings: Vec<Binding>,
    pub services: Vec<Service>,
    pub ingresses: Vec<Ingress>,
    pub endpoint_slices: Vec<EndpointSlice>,
    pub network_policies: Vec<NetworkPolicy>,
    /// Cilium and Calico network policies ([`cni_policy`]).
    pub cni_policies: Vec<cni_policy::CniPolicy>,
    /// Gateway API and Istio gateways and routes ([`gateway`]).
    pub routing: Vec<gateway::RoutingObject>,
    pub storage_classes: Vec<cluster::StorageClass>,
    pub config_maps: Vec<ConfigMap>,
    pub secrets: Vec<Secret>,
    pub others: Vec<OtherObject>,
    /// AWS IAM exports (`aws iam get-account-authorization-details`), in input order.
    pub aws_iam: Vec<cloud::AwsIamExport>,
    /// EKS identity links (pod identity, node groups, access entries), in input order.
    pub eks_links: Vec<cloud::EksLinks>,
    /// S3 bucket policies and Block Public Access settings, one entry per bucket.
    pub aws_s3: cloud::AwsS3,
    /// AWS Organizations outputs, merged: the SCPs `Inventory::finish` puts on each
    /// IAM principal of a member account.
    pub aws_org: aws_org::AwsOrganization,
    /// What the SCP evaluation could not judge, found by `Inventory::finish` (told as
    /// warnings of the file named).
    pub cloud_gaps: Vec<Diagnostic>,
    /// gcloud IAM policies and service-account lists, in input order.
    pub gcp_iam: Vec<gcp::GcpIam>,
    /// Azure CLI outputs (role assignments, definitions, identities, ...), in input
    /// order; joined by [`azure::AzureEstate`].
    pub azure: Vec<azure::AzureExport>,
    /// Image scans (Trivy, Grype), in input order; joined to containers by
    /// [`vuln::ScanIndex`].
    pub image_scans: Vec<vuln::ImageScan>,
    /// The name this inventory's cluster goes by in an analysis of several clusters
    /// (`ingest::partition`); empty when the inputs hold one. Resources of the
    /// inventory are tagged with it.
    pub cluster_name: String,
    /// `group NUL kind NUL namespace NUL name` of each object added, and where it was
    /// read; only for [`Inventory::extend`]'s duplicate warnings, emptied by
    /// [`Inventory::finish`].
    seen: FastMap<String, Source>,
    /// The distinct pod specs read so far per owner: what [`Pod::spec`] shares across
    /// files (within a file, `ingest::Parsed` already shared them); emptied by
    /// [`Inventory::finish`].
    pod_specs: SpecPool,
    /// The same for controllers' templates, keyed by the controller's owner or, for a
    /// controller without one, by itself: a Deployment and its ReplicaSets share one
    /// template spec.
    template_specs: SpecPool,
    kubeconfigs: Vec<(String, Vec<KubeContext>, Vec<KubeCluster>, Source)>,
    server_versions: Vec<ServerVersion>,
    managed_clusters: Vec<ManagedCluster>,
    default_namespace: String,
    /// `collectedAt` of each `snapshot.json` read, with where.
    snapshot_times: Vec<(String, Source)>,
}

/// What analyses iterate over instead of pods: one entry per controller that is not
/// itself controlled by another present object, one per standalone pod, and one per
/// absent controller whose pods are present (named after that controller).
#[derive(Clone, Debug)]
pub struct WorkloadUnit<'a> {
    pub kind: &'a str,
    pub namespace: &'a str,
    pub name: &'a str,
    pub source: &'a Source,
    pub metadata: &'a ObjectMeta,
    pub spec: &'a PodSpec,
    /// Where the pod template sits in the resource (`spec.template.`,
    /// `spec.jobTemplate.spec.template.`, or empty when the unit is a pod), to turn a
    /// pod field path into a path in the resource.
    pub template_path: &'static str,
    /// Pods in the snapshot that belong to this unit (through any depth of ownership).
    pub pods: Vec<&'a Pod>,
    /// The inventory's [`Inventory::cluster_name`].
    pub cluster: &'a str,
}

impl Inventory {
    /// Adds the objects of one file. Returns warnings for objects already loaded from
    /// another place (the first one read wins), for built-in kinds written with an API
    /// version Kubernetes does not serve (read by kind all the same), and one per file
    /// counting the namespaced objects without a namespace, which are placed in the
    /// default namespace ([`Inventory::set_default_namespace`]). Cluster-scoped kinds
    /// never get one; custom resources keep what they were written with (their scope is
    /// their CRD's, which the snapshot may not hold).
    pub fn extend(
        &mut self,
        objects: Vec<(Object, Source)>,
        server_version: Option<ServerVersion>,
    ) -> Vec<Diagnostic> {
        self.server_versions.extend(server_version);
        let mut extending = Extending::default();
        // Taken from the back, the vector given back as it empties: the decoded objects
        // and the typed inventory they move into are never both held whole (the peak of
        // loading a large List).
        let mut objects = objects;
        objects.reverse();
        while let Some((obj, source)) = objects.pop() {
            if objects.capacity() > 1024 && objects.len() < objects.capacity() / 2 {
                objects.shrink_to_fit();
            }
            self.extend_one(obj, source, &mut extending);
        }
        self.end_extend(extending, None)
    }

    /// Adds one decoded object of a file being read, as [`Inventory::extend`] does for
    /// each: `ingest::parse_file_into` hands each object here as soon as it is decoded,
    /// so a large List is never held decoded and typed at once. What it tells waits in
    /// `extending` until [`Inventory::end_extend`].
    pub(crate) fn extend_one(
        &mut self,
        mut obj: Object,
        source: Source,
        extending: &mut Extending,
    ) {
        let diagnostics = &mut extending.diagnostics;
        if let Some(warning) = kinds::version_warning(&obj.api_version, &obj.kind) {
            diagnostics.push(Diagnostic::warning(&source.file, source.line, 0, warning));
        }
        if obj.metadata.namespace.is_empty()
            && kinds::scope(&obj.api_version, &obj.kind) == Some(kinds::KindScope::Namespaced)
        {
            obj.metadata.namespace = self.default_namespace().to_string();
            extending.defaulted += 1;
            extending.file.replace_range(.., &source.file);
        }
        if let Body::SnapshotInfo { collected_at } = &obj.body {
            if !is_utc_timestamp(collected_at) {
                diagnostics.push(Diagnostic::warning(
                    &source.file,
                    source.line,
                    0,
                    format!("collectedAt \"{collected_at}\" is not a UTC time (YYYY-MM-DDTHH:MM:SSZ); ignored"),
                ));
                return;
            }
        }
        if !obj.metadata.name.is_empty()
            && !matches!(
                obj.body,
                Body::KubeConfig { .. } | Body::SnapshotInfo { .. }
            )
        {
            let group = obj.api_version.rsplit_once('/').map_or("", |(g, _)| g);
            // One string for the four parts (none holds a NUL): one allocation per
            // object instead of four, joined without the formatting machinery.
            let parts = [
                group,
                obj.kind.as_str(),
                &obj.metadata.namespace,
                &obj.metadata.name,
            ];
            let key = parts.join("\0");
            if let Some(first) = self.seen.get(&key) {
                diagnostics.push(Diagnostic::warning(
                    &source.file,
                    source.line,
                    0,
                    format!(
                        "{} is also in {}:{}; this copy is ignored",
                        crate::ingest::describe(&obj),
                        first.file,
                        first.line
                    ),
                ));
                return;
            }
            self.seen.insert(key, source.clone());
        }
        self.add(obj, source);
    }

    /// Ends a file's [`Inventory::extend_one`] calls (its `kubectl version`, if any,
    /// added): what adding its objects told, as [`Inventory::extend`] returns it.
    pub(crate) fn end_extend(
        &mut self,
        extending: Extending,
        server_version: Option<ServerVersion>,
    ) -> Vec<Diagnostic> {
        self.server_versions.extend(server_version);
        let Extending {
            mut diagnostics,
            defaulted,
            file,
        } = extending;
        if defaulted > 0 {
            diagnostics.push(Diagnostic::warning(
                &file,
                0,
                0,
                format!(
                    "{defaulted} namespaced object{} without metadata.namespace placed in namespace {}, as kubectl would",
                    if defaulted == 1 { "" } else { "s" },
                    self.default_namespace()
                ),
            ));
        }
        diagnostics
    }

    /// Sets the namespace that namespaced objects written without `metadata.namespace`
    /// belong to (kubectl's `--namespace`); `default` when unset or empty. Call before
    /// [`Inventory::extend`].
    pub fn set_default_namespace(&mut self, namespace: &str) {
        self.default_namespace = namespace.trim().to_string();
    }

    /// The namespace namespaced objects without one are placed in.
    pub fn default_namespace(&self) -> &str {
        if self.default_namespace.is_empty() {
            "default"
        } else {
            &self.default_namespace
        }
    }

    /// `spec` behind an `Arc`, the one of an earlier pod of the same owner when equal.
    /// Comparing with each distinct spec of the owner keeps this linear in the pods as
    /// long as an owner's pods have few distinct specs (a rollout's ReplicaSets are
    /// owners of their own); a pod with no owner shares with none.
    fn share_spec(&mut self, metadata: &ObjectMeta, spec: Arc<PodSpec>) -> Arc<PodSpec> {
        match metadata.controller() {
            Some(owner) => self.pod_specs.share(&metadata.namespace, owner, spec),
            None => spec,
        }
    }

    /// A controller's template spec, the one of the controller that owns it (or of
    /// another it owns) when equal.
    fn share_template(&mut self, metadata: &ObjectMeta, spec: Arc<PodSpec>) -> Arc<PodSpec> {
        match metadata.controller() {
            Some(owner) => self.template_specs.share(&metadata.namespace, owner, spec),
            None if !metadata.uid.is_empty() => self
                .template_specs
                .share_as(format!("{}\0{}", metadata.namespace, metadata.uid), spec),
            None => spec,
        }
    }

    fn add(&mut self, obj: Object, source: Source) {
        let mut obj = obj;
        if let Body::Workload { spec, .. } = &mut obj.body {
            let template = std::mem::take(&mut spec.template.spec);
            spec.template.spec = self.share_template(&obj.metadata, template);
        }
        let Object {
            api_version,
            kind,
            metadata,
            body,
        } = obj;
        match body {
            Body::Pod {
                spec,
                node_name,
                token_volume,
                status,
            } => {
                let spec = self.share_spec(&metadata, spec);
                self.pods.push(Pod {
                    metadata,
                    source,
                    spec,
                    node_name,
                    token_volume,
                    status,
                })
            }
            Body::Workload { kind, spec } => self.workloads.push(Workload {
                kind,
                metadata,
                source,
                replicas: spec.replicas,
                selector: spec.selector,
                schedule: None,
                template: spec.template,
            }),
            Body::CronJob { spec } => self.workloads.push(Workload {
                kind: WorkloadKind::CronJob,
                metadata,
                source,
                replicas: None,
                selector: spec.job_template.spec.selector,
                schedule: Some(spec.schedule),
                template: spec.job_template.spec.template,
            }),
            Body::Node { spec, status } => self.nodes.push(Node {
                metadata,
                source,
                spec,
                status,
            }),
            Body::Namespace => self.namespaces.push(Namespace { metadata, source }),
            Body::ServiceAccount {
                automount,
                image_pull_secrets,
            } => self.service_accounts.push(ServiceAccount {
                metadata,
                source,
                automount_service_account_token: automount,
                image_pull_secrets,
            }),
            Body::Role {
                cluster_scoped,
                rules,
                aggregation,
            } => self.roles.push(Role {
                cluster_scoped,
                metadata,
                source,
                rules,
                aggregation,
                assumed: false,
            }),
            Body::Binding {
                cluster_scoped,
                role_ref,
                subjects,
            } => self.bindings.push(Binding {
                cluster_scoped,
                metadata,
                source,
                role_ref,
                subjects,
            }),
            Body::Service {
                spec,
                load_balancer,
            } => self.services.push(Service {
                metadata,
                source,
                spec,
                load_balancer_ingress: load_balancer,
            }),
            Body::Ingress {
                spec,
                load_balancer,
            } => self.ingresses.push(Ingress {
                metadata,
                source,
                spec,
                load_balancer_ingress: load_balancer,
            }),
            Body::EndpointSlice {
                address_type,
                endpoints,
                ports,
            } => self.endpoint_slices.push(EndpointSlice {
                metadata,
                source,
                address_type,
                endpoints,
                ports,
            }),
            Body::NetworkPolicy { spec } => self.network_policies.push(NetworkPolicy {
                metadata,
                source,
                spec,
            }),
            Body::CniPolicy { kind, rules } => self.cni_policies.push(cni_policy::CniPolicy {
                kind,
                metadata,
                source,
                rules,
            }),
            Body::StorageClass {
                provisioner,
                parameters,
            } => self.storage_classes.push(cluster::StorageClass {
                metadata,
                source,
                provisioner,
                parameters,
            }),
            Body::Routing {
                kind: routing,
                mut spec,
            } => {
                spec.in_namespace(&metadata.namespace);
                self.routing.push(gateway::RoutingObject {
                    kind: routing,
                    api_kind: kind,
                    metadata,
                    source,
                    spec: *spec,
                })
            }
            Body::ConfigMap {
                keys,
                credentials,
                settings,
            } => self.config_maps.push(ConfigMap {
                metadata,
                source,
                keys,
                credentials,
                settings,
            }),
            Body::Secret { secret_type, keys } => self.secrets.push(Secret {
                metadata,
                source,
                secret_type,
                keys,
            }),
            Body::KubeConfig {
                current_context,
                contexts,
                clusters,
            } => self
                .kubeconfigs
                .push((current_context, contexts, clusters, source)),
            Body::SnapshotInfo { collected_at } => self.snapshot_times.push((collected_at, source)),
            Body::AwsIam(mut export) => {
                export.source = source;
                self.aws_iam.push(*export);
            }
            Body::GcpIam(mut iam) => {
                iam.source = source;
                self.gcp_iam.push(*iam);
            }
            Body::Azure(mut export) => {
                export.source = source;
                self.azure.push(*export);
            }
            Body::EksLinks(mut links) => {
                links.source = source;
                self.eks_links.push(*links);
            }
            Body::AwsS3(s3) => self.add_s3(*s3, source),
            Body::AwsOrg(org) => self.aws_org.merge(*org, &source),
            Body::ManagedCluster(mut cluster) => {
                cluster.source = source;
                self.managed_clusters.push(*cluster);
            }
            Body::Other => self.others.push(OtherObject {
                api_version,
                kind,
                metadata,
                source,
            }),
        }
    }

    /// Merges one S3 input: a bucket's policy and its Block Public Access settings
    /// may come from two files; the first of each is kept. The account's settings
    /// apply to every bucket.
    fn add_s3(&mut self, s3: cloud::AwsS3, source: Source) {
        if self.aws_s3.account_block.is_none() {
            self.aws_s3.account_block = s3.account_block;
        }
        for mut bucket in s3.buckets {
            match self
                .aws_s3
                .buckets
                .iter_mut()
                .find(|b| b.name == bucket.name)
            {
                Some(known) => {
                    if known.policy.is_none() {
                        known.policy = bucket.policy;
                        known.source = source.clone();
                    }
                    known.block = known.block.or(bucket.block);
                }
                None => {
                    bucket.source = source.clone();
                    self.aws_s3.buckets.push(bucket);
                }
            }
        }
    }

    /// Resolves what needs every file: the clusters. Call once after the last
    /// [`Inventory::extend`].
    pub fn finish(&mut self) {
        let version = self.server_versions.first().cloned();
        for (current, contexts, clusters, source) in &self.kubeconfigs {
            let cluster_name = contexts
                .iter()
                .find(|c| &c.name == current)
                .map(|c| c.context.cluster.as_str())
                .or_else(|| clusters.first().map(|c| c.name.as_str()))
                .unwrap_or_default();
            let server = clusters
                .iter()
                .find(|c| c.name == cluster_name)
                .map(|c| c.cluster.server.clone())
                .unwrap_or_default();
            if self.clusters.iter().any(|c| c.name == cluster_name) {
                continue;
            }
            self.clusters.push(Cluster {
                name: cluster_name.to_string(),
                server,
                version: version
                    .as_ref()
                    .map(|v| v.git_version.clone())
                    .unwrap_or_default(),
                source: source.clone(),
                version_source: version.as_ref().map(|v| v.source.clone()),
                cloud: None,
            });
        }
        // Cloud metadata joins the kubeconfig cluster it describes (by name, ARN or
        // resource id, or API server address), or stands as a cluster of its own.
        for managed in std::mem::take(&mut self.managed_clusters) {
            let same = self.clusters.iter().position(|c| {
                c.cloud.is_none() && (managed.is_named(&c.name) || managed.serves(&c.server))
            });
            let duplicate = self.clusters.iter().any(|c| {
                c.cloud
                    .as_ref()
                    .is_some_and(|m| m.id == managed.id && m.name == managed.name)
            });
            match same {
                Some(i) => {
                    let c = &mut self.clusters[i];
                    if c.server.is_empty() {
                        c.server = managed.endpoint.clone();
                    }
                    c.cloud = Some(managed);
                }
                None if duplicate => {}
                None => self.clusters.push(Cluster {
                    name: managed.name.clone(),
                    server: managed.endpoint.clone(),
                    version: version
                        .as_ref()
                        .map(|v| v.git_version.clone())
                        .unwrap_or_default(),
                    source: managed.source.clone(),
                    version_source: version.as_ref().map(|v| v.source.clone()),
                    cloud: Some(managed),
                }),
            }
        }
        if self.clusters.is_empty() {
            if let Some(v) = version {
                self.clusters.push(Cluster {
                    name: "unnamed".into(),
                    server: String::new(),
                    version: v.git_version,
                    version_source: Some(v.source.clone()),
                    source: v.source,
                    cloud: None,
                });
            }
        }
        self.add_bootstrap_roles();
        self.join_organization();
        self.note_unresolved_roles();
        // Nothing is added after this: the duplicate index and the vectors' spare
        // capacity would only be held through the analysis.
        self.seen = FastMap::default();
        self.pod_specs = SpecPool::default();
        self.template_specs = SpecPool::default();
        self.nodes.shrink_to_fit();
        self.namespaces.shrink_to_fit();
        self.workloads.shrink_to_fit();
        self.pods.shrink_to_fit();
        self.service_accounts.shrink_to_fit();
        self.roles.shrink_to_fit();
        self.bindings.shrink_to_fit();
        self.services.shrink_to_fit();
        self.ingresses.shrink_to_fit();
        self.endpoint_slices.shrink_to_fit();
        self.network_policies.shrink_to_fit();
        self.config_maps.shrink_to_fit();
        self.secrets.shrink_to_fit();
        self.others.shrink_to_fit();
    }

    /// Keeps, in [`Inventory::cloud_gaps`], a warning for each Azure role assignment whose
    /// role definition is not among the inputs (a custom role: built-in ones are known,
    /// as are the AKS RBAC roles the graph reads by name),
    /// located at the assignment: what it grants is unknown, so no finding or graph edge
    /// comes of it.
    fn note_unresolved_roles(&mut self) {
        if self.azure.is_empty() {
            return;
        }
        let estate = azure::AzureEstate::new(&self.azure);
        // The AKS RBAC roles are known by name: the graph reads what they give in the
        // cluster.
        let aks_role = |a: &azure::RoleAssignment| {
            azure::AKS_RBAC_ROLES
                .iter()
                .any(|(name, ..)| name.eq_ignore_ascii_case(&a.role_definition_name))
        };
        let gaps: Vec<Diagnostic> = estate
            .unresolved()
            .filter(|(a, _)| !aks_role(a))
            .map(|(a, source)| {
                let role = if a.role_definition_name.is_empty() {
                    &a.role_definition_id
                } else {
                    &a.role_definition_name
                };
                let who = if a.principal_name.is_empty() {
                    &a.principal_id
                } else {
                    &a.principal_name
                };
                Diagnostic::warning(
                    &source.file,
                    a.line,
                    0,
                    format!(
                        "role assignment {} ({role} for {who} at {}): the role's definition is not among the inputs, a custom role (add `az role definition list --custom-role-only true`); what it grants is unknown, so it is left out of the findings and the graph",
                        a.id,
                        azure::describe_scope(&a.scope)
                    ),
                )
            })
            .collect();
        self.cloud_gaps.extend(gaps);
    }

    /// Puts on each IAM user, group and role the SCPs in force on its account
    /// ([`aws_org::AwsOrganization::chain`]; none for a service-linked role), and keeps
    /// what could not be judged, once per account, in [`Inventory::cloud_gaps`].
    fn join_organization(&mut self) {
        if self.aws_org.is_empty() {
            return;
        }
        let mut chains: BTreeMap<String, Option<Arc<cloud::ScpChain>>> = BTreeMap::new();
        let org = &self.aws_org;
        let gaps = &mut self.cloud_gaps;
        let mut chain_of =
            |arn: &str| -> Option<Arc<cloud::ScpChain>> {
                let account = aws_org::arn_account(arn)?;
                chains
                    .entry(account.to_string())
                    .or_insert_with(|| {
                        let (chain, found) = org.chain(account)?;
                        gaps.extend(found.into_iter().map(|g| {
                            Diagnostic::warning(&g.source.file, g.source.line, 0, g.message)
                        }));
                        Some(Arc::new(chain))
                    })
                    .clone()
            };
        for export in &mut self.aws_iam {
            for u in &mut export.users {
                u.scps = chain_of(&u.arn);
            }
            for g in &mut export.groups {
                g.scps = chain_of(&g.arn);
            }
            for r in &mut export.roles {
                if !aws_org::is_service_linked_role(&r.arn) {
                    r.scps = chain_of(&r.arn);
                }
            }
        }
    }

    /// Adds, marked assumed, the bootstrap ClusterRoles ([`bootstrap`]) that a binding
    /// references but the snapshot does not define, with the bootstrap roles that
    /// aggregate into them; a snapshot's own definition always wins. The definitions
    /// follow the cluster's version when the snapshot says it, else the latest.
    fn add_bootstrap_roles(&mut self) {
        let defined: HashSet<String> = self
            .roles
            .iter()
            .filter(|r| r.cluster_scoped)
            .map(|r| r.metadata.name.clone())
            .collect();
        let mut wanted: Vec<String> = self
            .bindings
            .iter()
            .filter(|b| b.role_ref.kind == "ClusterRole")
            .map(|b| b.role_ref.name.clone())
            .filter(|n| !defined.contains(n))
            .collect();
        if wanted.is_empty() {
            return;
        }
        let version = self.clusters.iter().find_map(|c| c.minor_version());
        let table = bootstrap::roles(version);
        let mut added: HashSet<String> = HashSet::new();
        while let Some(name) = wanted.pop() {
            if defined.contains(&name) || added.contains(&name) {
                continue;
            }
            let Some(role) = table.iter().find(|r| r.metadata.name == name) else {
                continue;
            };
            // Aggregated roles bring the bootstrap roles they select.
            for part in &table {
                if role
                    .aggregation
                    .iter()
                    .any(|s| s.matches(&part.metadata.labels))
                {
                    wanted.push(part.metadata.name.clone());
                }
            }
            added.insert(name);
            self.roles.push(role.clone());
        }
    }

    /// When the snapshot was taken (`collectedAt` of `collect.sh`'s `snapshot.json`), the
    /// earliest when several folders were loaded; `None` when no input says.
    pub fn snapshot_time(&self) -> Option<&str> {
        self.snapshot_times.iter().map(|(t, _)| t.as_str()).min()
    }

    pub fn cluster_summaries(&self) -> Vec<ClusterSummary> {
        self.clusters
            .iter()
            .map(|c| ClusterSummary {
                name: c.name.clone(),
                server: c.server.clone(),
                version: c.version.clone(),
                source: c.source.clone(),
                provider: c
                    .cloud
                    .as_ref()
                    .map(|m| m.provider.as_str().to_string())
                    .unwrap_or_default(),
                id: c.cloud.as_ref().map(|m| m.id.clone()).unwrap_or_default(),
                region: c
                    .cloud
                    .as_ref()
                    .map(|m| m.region.clone())
                    .unwrap_or_default(),
            })
            .collect()
    }

    /// The units workload analyses run over; see [`WorkloadUnit`].
    pub fn workload_units(&self) -> Vec<WorkloadUnit<'_>> {
        let by_uid: FastMap<&str, usize> = self
            .workloads
            .iter()
            .enumerate()
            .filter(|(_, w)| !w.metadata.uid.is_empty())
            .map(|(i, w)| (w.metadata.uid.as_str(), i))
            .collect();
        let by_name: FastMap<(&str, &str, &str), usize> = self
            .workloads
            .iter()
            .enumerate()
            .map(|(i, w)| {
                let m = &w.metadata;
                ((w.kind.as_str(), m.namespace.as_str(), m.name.as_str()), i)
            })
            .collect();
        let find = |ns: &str, owner: &OwnerReference| -> Option<usize> {
            by_uid
                .get(owner.uid.as_str())
                .or_else(|| by_name.get(&(owner.kind.as_str(), ns, owner.name.as_str())))
                .copied()
        };
        // The top-most present controller of each workload.
        let top = |mut i: usize| -> usize {
            for _ in 0..8 {
                let w = &self.workloads[i];
                match w
                    .metadata
                    .controller()
                    .and_then(|o| find(&w.metadata.namespace, o))
                {
                    Some(parent) if parent != i => i = parent,
                    _ => break,
                }
            }
            i
        };
        let mut units: Vec<WorkloadUnit> = Vec::new();
        // Each workload's top-most controller, and the unit of each top-most one: found
        // once per workload, not once per pod.
        let tops: Vec<usize> = (0..self.workloads.len()).map(top).collect();
        let mut unit_of_workload = vec![usize::MAX; self.workloads.len()];
        for (i, w) in self.workloads.iter().enumerate() {
            if tops[i] == i {
                unit_of_workload[i] = units.len();
                units.push(WorkloadUnit {
                    kind: w.kind.as_str(),
                    namespace: &w.metadata.namespace,
                    name: &w.metadata.name,
                    source: &w.source,
                    metadata: &w.template.metadata,
                    spec: &w.template.spec,
                    template_path: match w.kind {
                        WorkloadKind::CronJob => "spec.jobTemplate.spec.template.",
                        _ => "spec.template.",
                    },
                    pods: Vec::new(),
                    cluster: &self.cluster_name,
                });
            }
        }
        let mut orphan_groups: FastMap<(&str, &str, &str), usize> = FastMap::default();
        for pod in &self.pods {
            let ns = pod.metadata.namespace.as_str();
            match pod.metadata.controller() {
                None => units.push(WorkloadUnit {
                    kind: "Pod",
                    namespace: ns,
                    name: &pod.metadata.name,
                    source: &pod.source,
                    metadata: &pod.metadata,
                    spec: &pod.spec,
                    template_path: "",
                    pods: vec![pod],
                    cluster: &self.cluster_name,
                }),
                // Past eight controllers up (or in a cycle) a chain's top may be no unit:
                // its pods are grouped by owner, as those of an absent controller.
                Some(owner) => match find(ns, owner)
                    .map(|w| unit_of_workload[tops[w]])
                    .filter(|&u| u != usize::MAX)
                {
                    Some(unit) => units[unit].pods.push(pod),
                    None => {
                        let key = (owner.kind.as_str(), ns, owner.name.as_str());
                        match orphan_groups.get(&key) {
                            Some(&u) => units[u].pods.push(pod),
                            None => {
                                orphan_groups.insert(key, units.len());
                                units.push(WorkloadUnit {
                                    kind: &owner.kind,
                                    namespace: ns,
                                    name: &owner.name,
                                    source: &pod.source,
                                    metadata: &pod.metadata,
                                    spec: &pod.spec,
                                    template_path: "",
                                    pods: vec![pod],
                                    cluster: &self.cluster_name,
                                });
                            }
                        }
                    }
                },
            }
        }
        units
    }

    /// Counts per kind and, when `with_resources`, the resource rows.
    pub fn summary(&self, with_resources: bool) -> InventorySummary {
        self.summary_of(with_resources, &self.workload_units())
    }

    /// [`Self::summary`] with this inventory's [`Self::workload_units`] already found
    /// (conclude finds them once for every stage).
    pub fn summary_of(&self, with_resources: bool, units: &[WorkloadUnit]) -> InventorySummary {
        let mut rows = Rows::default();
        for c in &self.clusters {
            rows.push(
                "Cluster",
                "",
                &c.name,
                &c.source,
                [
                    ("Server", c.server.clone()),
                    ("Version", c.version.clone()),
                    (
                        "Provider",
                        c.cloud
                            .as_ref()
                            .map(|m| m.provider.label().to_string())
                            .unwrap_or_default(),
                    ),
                ],
            );
        }
        for n in &self.nodes {
            let zone = n
                .metadata
                .labels
                .get("topology.kubernetes.io/zone")
                .cloned()
                .unwrap_or_default();
            rows.push(
                "Node",
                "",
                &n.metadata.name,
                &n.source,
                [
                    (
                        "Internal IP",
                        n.address("InternalIP").unwrap_or_default().into(),
                    ),
                    (
                        "External IP",
                        n.address("ExternalIP").unwrap_or_default().into(),
                    ),
                    ("Kubelet", n.status.node_info.kubelet_version.clone()),
                    (
                        "Runtime",
                        n.status.node_info.container_runtime_version.clone(),
                    ),
                    ("Zone", zone),
                ],
            );
        }
        for n in &self.namespaces {
            rows.push(
                "Namespace",
                "",
                &n.metadata.name,
                &n.source,
                [("PSA enforce", n.psa_enforce().unwrap_or_default().into())],
            );
        }
        for w in &self.workloads {
            let spec = &w.template.spec;
            let desired = match (w.kind, w.replicas) {
                (WorkloadKind::CronJob, _) => w.schedule.clone().unwrap_or_default(),
                (WorkloadKind::DaemonSet, _) => "per node".into(),
                (_, Some(r)) => r.to_string(),
                (_, None) => "1".into(),
            };
            rows.push(
                w.kind.as_str(),
                &w.metadata.namespace,
                &w.metadata.name,
                &w.source,
                [
                    (
                        if w.kind == WorkloadKind::CronJob {
                            "Schedule"
                        } else {
                            "Replicas"
                        },
                        desired,
                    ),
                    ("Service account", spec.service_account().into()),
                    ("Owner", owner_display(&w.metadata)),
                    ("Images", images_display(spec)),
                ],
            );
        }
        for p in &self.pods {
            rows.push(
                "Pod",
                &p.metadata.namespace,
                &p.metadata.name,
                &p.source,
                [
                    ("Phase", p.status.phase.clone().unwrap_or_default()),
                    ("Node", p.node_name.clone().unwrap_or_default()),
                    ("Owner", owner_display(&p.metadata)),
                    ("Service account", p.spec.service_account().into()),
                    ("Images", images_display(&p.spec)),
                ],
            );
        }
        let mut images: BTreeMap<String, (ImageRef, usize, Source)> = BTreeMap::new();
        for unit in units {
            for (kind, c) in unit.spec.all_containers() {
                let name = format!("{}/{}", unit.name, c.name);
                rows.push(
                    "Container",
                    unit.namespace,
                    &name,
                    unit.source,
                    [
                        ("Workload", format!("{} {}", unit.kind, unit.name)),
                        ("Type", kind.label().into()),
                        ("Image", c.image.clone().unwrap_or_default()),
                    ],
                );
            }
        }
        let specs = self
            .workloads
            .iter()
            .map(|w| (&*w.template.spec, &w.source))
            .chain(self.pods.iter().map(|p| (&*p.spec, &p.source)));
        for (spec, source) in specs {
            for (_, c) in spec.all_containers() {
                if let Some(image) = c.image.as_deref().and_then(ImageRef::parse) {
                    let entry = images
                        .entry(image.canonical())
                        .or_insert_with(|| (image, 0, source.clone()));
                    entry.1 += 1;
                }
            }
        }
        for (name, (image, uses, source)) in &images {
            rows.push(
                "Image",
                "",
                name,
                source,
                [
                    ("Registry", image.registry.clone()),
                    ("Repository", image.repository.clone()),
                    ("Tag", image.tag.clone().unwrap_or_default()),
                    ("Digest", image.digest.clone().unwrap_or_default()),
                    ("Used by", uses.to_string()),
                ],
            );
        }
        for sa in &self.service_accounts {
            let automount = match sa.automount_service_account_token {
                Some(false) => "no",
                _ => "yes",
            };
            rows.push(
                "ServiceAccount",
                &sa.metadata.namespace,
                &sa.metadata.name,
                &sa.source,
                [
                    ("Automount token", automount.into()),
                    (
                        "Cloud identity",
                        sa.cloud_identity().unwrap_or_default().into(),
                    ),
                ],
            );
        }
        let mut identities: BTreeMap<(&str, &str), (BTreeSet<String>, &Source)> = BTreeMap::new();
        for b in &self.bindings {
            for s in &b.subjects {
                if s.kind == "User" || s.kind == "Group" {
                    let entry = identities
                        .entry((s.kind.as_str(), s.name.as_str()))
                        .or_insert_with(|| (BTreeSet::new(), &b.source));
                    entry
                        .0
                        .insert(format!("{}/{}", b.role_ref.kind, b.role_ref.name));
                }
            }
        }
        for ((kind, name), (roles, source)) in &identities {
            let roles: Vec<&str> = roles.iter().map(String::as_str).collect();
            let kind = if *kind == "User" { "User" } else { "Group" };
            rows.push(kind, "", name, source, [("Roles", roles.join(", "))]);
        }
        // Assumed built-in roles are not in the snapshot: not inventory rows.
        for r in self.roles.iter().filter(|r| !r.assumed) {
            let kind = if r.cluster_scoped {
                "ClusterRole"
            } else {
                "Role"
            };
            let aggregated = if r.aggregation.is_empty() {
                "no"
            } else {
                "yes"
            };
            rows.push(
                kind,
                &r.metadata.namespace,
                &r.metadata.name,
                &r.source,
                [
                    ("Rules", r.rules.len().to_string()),
                    ("Aggregated", aggregated.into()),
                ],
            );
        }
        for b in &self.bindings {
            let kind = if b.cluster_scoped {
                "ClusterRoleBinding"
            } else {
                "RoleBinding"
            };
            let subjects: Vec<String> = b
                .subjects
                .iter()
                .map(|s| match s.kind.as_str() {
                    "ServiceAccount" => format!("ServiceAccount {}/{}", s.namespace, s.name),
                    _ => format!("{} {}", s.kind, s.name),
                })
                .collect();
            rows.push(
                kind,
                &b.metadata.namespace,
                &b.metadata.name,
                &b.source,
                [
                    ("Role", format!("{}/{}", b.role_ref.kind, b.role_ref.name)),
                    ("Subjects", subjects.join(", ")),
                ],
            );
        }
        for s in &self.services {
            let ports: Vec<String> = s
                .spec
                .ports
                .iter()
                .map(|p| match p.node_port {
                    Some(np) => format!(
                        "{}:{}/{}",
                        p.port,
                        np,
                        p.protocol.as_deref().unwrap_or("TCP")
                    ),
                    None => format!("{}/{}", p.port, p.protocol.as_deref().unwrap_or("TCP")),
                })
                .collect();
            let mut external: Vec<String> = s.load_balancer_ingress.clone();
            external.extend(s.spec.external_ips.iter().cloned());
            if let Some(name) = &s.spec.external_name {
                external.push(name.clone());
            }
            let selector: Vec<String> = s
                .spec
                .selector
                .iter()
                .map(|(k, v)| format!("{k}={v}"))
                .collect();
            rows.push(
                "Service",
                &s.metadata.namespace,
                &s.metadata.name,
                &s.source,
                [
                    ("Type", s.spec.service_type().into()),
                    ("Cluster IP", s.spec.cluster_ip.clone().unwrap_or_default()),
                    ("External", external.join(", ")),
                    ("Ports", ports.join(", ")),
                    ("Selector", selector.join(",")),
                ],
            );
        }
        for i in &self.ingresses {
            let hosts: BTreeSet<&str> = i.spec.rules.iter().map(|r| r.host.as_str()).collect();
            let hosts: Vec<&str> = hosts
                .into_iter()
                .map(|h| if h.is_empty() { "*" } else { h })
                .collect();
            rows.push(
                "Ingress",
                &i.metadata.namespace,
                &i.metadata.name,
                &i.source,
                [
                    (
                        "Class",
                        i.spec.ingress_class_name.clone().unwrap_or_default(),
                    ),
                    ("Hosts", hosts.join(", ")),
                    (
                        "TLS",
                        if i.spec.tls.is_empty() { "no" } else { "yes" }.into(),
                    ),
                    ("Address", i.load_balancer_ingress.join(", ")),
                ],
            );
        }
        for e in &self.endpoint_slices {
            let ports: Vec<String> = e
                .ports
                .iter()
                .filter_map(|p| p.port.map(|n| n.to_string()))
                .collect();
            rows.push(
                "EndpointSlice",
                &e.metadata.namespace,
                &e.metadata.name,
                &e.source,
                [
                    ("Service", e.service_name().unwrap_or_default().into()),
                    ("Endpoints", e.endpoints.len().to_string()),
                    ("Ports", ports.join(", ")),
                ],
            );
        }
        for n in &self.network_policies {
            let mut types = n.spec.policy_types.clone();
            if types.is_empty() {
                types.push("Ingress".into());
                if n.spec.egress.is_some() {
                    types.push("Egress".into());
                }
            }
            rows.push(
                "NetworkPolicy",
                &n.metadata.namespace,
                &n.metadata.name,
                &n.source,
                [
                    ("Pod selector", n.spec.pod_selector.display()),
                    ("Policy types", types.join(", ")),
                ],
            );
        }
        for p in &self.cni_policies {
            let directions = |f: fn(&cni_policy::CniRule) -> bool| {
                p.rules.iter().filter(|r| f(r)).count().to_string()
            };
            rows.push(
                p.kind.as_str(),
                &p.metadata.namespace,
                &p.metadata.name,
                &p.source,
                [
                    ("Rules", p.rules.len().to_string()),
                    ("Rules enforcing ingress", directions(|r| r.ingress)),
                    ("Rules enforcing egress", directions(|r| r.egress)),
                ],
            );
        }
        for c in &self.storage_classes {
            rows.push(
                "StorageClass",
                "",
                &c.metadata.name,
                &c.source,
                [("Provisioner", c.provisioner.clone())],
            );
        }
        for r in &self.routing {
            let fields = match &r.spec {
                gateway::RoutingSpec::Gateway(g) => vec![
                    (
                        "Listeners",
                        g.listeners
                            .iter()
                            .map(|l| {
                                let port = l.port.map(|p| p.to_string()).unwrap_or_default();
                                format!("{} {port}", l.protocol)
                            })
                            .collect::<Vec<_>>()
                            .join(", "),
                    ),
                    ("Addresses", g.addresses.join(", ")),
                ],
                gateway::RoutingSpec::Route(rt) => vec![
                    (
                        "Gateways",
                        rt.gateways
                            .iter()
                            .map(|(ns, n)| format!("{ns}/{n}"))
                            .collect::<Vec<_>>()
                            .join(", "),
                    ),
                    (
                        "Services",
                        rt.backends
                            .iter()
                            .map(|b| format!("{}/{}", b.namespace, b.service))
                            .collect::<std::collections::BTreeSet<_>>()
                            .into_iter()
                            .collect::<Vec<_>>()
                            .join(", "),
                    ),
                ],
            };
            rows.push(
                r.api_kind.clone(),
                &r.metadata.namespace,
                &r.metadata.name,
                &r.source,
                fields,
            );
        }
        for c in &self.config_maps {
            rows.push(
                "ConfigMap",
                &c.metadata.namespace,
                &c.metadata.name,
                &c.source,
                [("Keys", c.keys.join(", "))],
            );
        }
        for s in &self.secrets {
            rows.push(
                "Secret",
                &s.metadata.namespace,
                &s.metadata.name,
                &s.source,
                [("Type", s.secret_type.clone()), ("Keys", s.keys.join(", "))],
            );
        }
        for o in &self.others {
            rows.push(
                o.kind.clone(),
                &o.metadata.namespace,
                &o.metadata.name,
                &o.source,
                [("API version", o.api_version.clone())],
            );
        }
        // The AWS account's principals and customer-managed policies, by name, so cloud
        // findings name resources the inventory lists.
        let boundary = |b: &Option<cloud::Boundary>| b.as_ref().map(|b| b.arn.clone());
        for e in &self.aws_iam {
            for u in &e.users {
                let details = vec![
                    ("ARN", u.arn.clone()),
                    ("Groups", u.groups.join(", ")),
                    (
                        "Permission boundary",
                        boundary(&u.boundary).unwrap_or_default(),
                    ),
                ];
                rows.push("AWS::IAM::User", "", &u.name, &e.source, details);
            }
            for g in &e.groups {
                let details = vec![("ARN", g.arn.clone())];
                rows.push("AWS::IAM::Group", "", &g.name, &e.source, details);
            }
            for r in &e.roles {
                let details = vec![
                    ("ARN", r.arn.clone()),
                    ("Instance profiles", r.instance_profiles.join(", ")),
                    (
                        "Permission boundary",
                        boundary(&r.boundary).unwrap_or_default(),
                    ),
                ];
                rows.push("AWS::IAM::Role", "", &r.name, &e.source, details);
            }
            for p in e.policies.iter().filter(|p| !p.aws_managed) {
                let details = vec![("ARN", p.arn.clone())];
                rows.push("AWS::IAM::Policy", "", &p.name, &e.source, details);
            }
        }
        self.cloud_principal_rows(&mut rows);
        rows.finish(with_resources)
    }
}

/// `YYYY-MM-DDTHH:MM:SSZ` (what `date -u +%Y-%m-%dT%H:%M:%SZ` prints).
fn is_utc_timestamp(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() == 20
        && b.iter().enumerate().all(|(i, c)| match i {
            4 | 7 => *c == b'-',
            10 => *c == b'T',
            13 | 16 => *c == b':',
            19 => *c == b'Z',
            _ => c.is_ascii_digit(),
        })
}

fn owner_display(meta: &ObjectMeta) -> String {
    meta.controller()
        .or(meta.owner_references.first())
        .map(|o| format!("{} {}", o.kind, o.name))
        .unwrap_or_default()
}

fn images_display(spec: &PodSpec) -> String {
    let images: Vec<&str> = spec
        .all_containers()
        .filter_map(|(_, c)| c.image.as_deref())
        .collect();
    images.join(", ")
}

/// Accumulates inventory rows and counts.
#[derive(Default)]
struct Rows {
    counts: BTreeMap<String, usize>,
    resources: Vec<ResourceSummary>,
}

impl Rows {
    fn push(
        &mut self,
        kind: impl Into<Cow<'static, str>>,
        namespace: &str,
        name: &str,
        source: &Source,
        details: impl IntoIterator<Item = (&'static str, String)>,
    ) {
        let kind = kind.into();
        // The kind's name is allocated only the first time it is counted.
        match self.counts.get_mut(&*kind) {
            Some(count) => *count += 1,
            None => {
                self.counts.insert(kind.to_string(), 1);
            }
        }
        self.resources.push(ResourceSummary {
            kind,
            namespace: namespace.to_string(),
            name: name.to_string(),
            cluster: String::new(),
            source: source.clone(),
            details: details
                .into_iter()
                .map(|(name, value)| Detail {
                    name: Cow::Borrowed(name),
                    value,
                })
                .collect(),
        });
    }

    fn finish(mut self, with_resources: bool) -> InventorySummary {
        if !with_resources {
            self.resources.clear();
        }
        sort_rows(&mut self.resources);
        InventorySummary {
            counts: self.counts,
            resources: self.resources,
        }
    }
}

/// Sorts inventory rows by kind (in [`KIND_ORDER`]), namespace, name, then cluster and
/// source.
pub fn sort_rows(rows: &mut [ResourceSummary]) {
    let order: HashMap<&str, usize> = KIND_ORDER
        .iter()
        .enumerate()
        .map(|(i, k)| (*k, i))
        .collect();
    // Each row's kind ranked once, not at every comparison; the rows sorted by their
    // positions, then each moved once (`sorting`: a row is a few hundred bytes).
    let rank: Vec<usize> = rows
        .iter()
        .map(|r| order.get(&*r.kind).copied().unwrap_or(usize::MAX))
        .collect();
    let positions = crate::sorting::positions(rows.len(), |ia, ib| {
        let (a, b) = (&rows[ia], &rows[ib]);
        (
            rank[ia],
            &a.kind,
            &a.namespace,
            &a.name,
            &a.cluster,
            &a.source,
        )
            .cmp(&(
                rank[ib],
                &b.kind,
                &b.namespace,
                &b.name,
                &b.cluster,
                &b.source,
            ))
    });
    crate::sorting::permute(rows, positions);
}

/// Whether `kind` is a cloud account's (`AWS::IAM::Role`, `Azure::...`, `GCP::...`):
/// shared by every cluster of an analysis, never tagged with one.
pub fn is_cloud_kind(kind: &str) -> bool {
    kind.contains("::")
}

impl Inventory {
    /// The Azure and GCP principals, beside the AWS ones and by the kinds and names their
    /// findings use: each Azure principal of a role assignment or managed identity once
    /// (by object id), each GCP member of a binding or listed service account once.
    fn cloud_principal_rows(&self, rows: &mut Rows) {
        let estate = azure::AzureEstate::new(&self.azure);
        /// One Azure principal's row.
        struct AzureRow<'a> {
            principal_id: String,
            kind: &'static str,
            name: String,
            principal_type: String,
            client_id: String,
            /// `ROLE at SCOPE` of each assignment.
            roles: BTreeSet<String>,
            source: &'a Source,
        }
        // By object id (lower case: ARM ids are case-insensitive).
        let mut azure_rows: BTreeMap<String, AzureRow> = BTreeMap::new();
        for e in &self.azure {
            for i in &e.identities {
                if i.principal_id.is_empty() {
                    continue;
                }
                azure_rows
                    .entry(i.principal_id.to_ascii_lowercase())
                    .or_insert_with(|| AzureRow {
                        principal_id: i.principal_id.clone(),
                        kind: "Azure::ManagedIdentity::UserAssignedIdentity",
                        name: i.name.clone(),
                        principal_type: "ServicePrincipal".into(),
                        client_id: i.client_id.clone(),
                        roles: BTreeSet::new(),
                        source: &e.source,
                    });
            }
        }
        for e in &self.azure {
            for a in &e.role_assignments {
                if a.principal_id.is_empty() {
                    continue;
                }
                let row = azure_rows
                    .entry(a.principal_id.to_ascii_lowercase())
                    .or_insert_with(|| AzureRow {
                        principal_id: a.principal_id.clone(),
                        kind: estate.principal_kind(a),
                        name: estate.principal_name(&a.principal_id),
                        principal_type: a.principal_type.clone(),
                        client_id: String::new(),
                        roles: BTreeSet::new(),
                        source: &e.source,
                    });
                let role = estate
                    .role_of(a)
                    .map_or(a.role_definition_name.as_str(), |r| r.role_name.as_str());
                let role = if role.is_empty() {
                    a.role_definition_id.as_str()
                } else {
                    role
                };
                row.roles.insert(format!("{role} at {}", a.scope));
            }
        }
        for row in azure_rows.into_values() {
            let details = vec![
                ("Principal ID", row.principal_id),
                ("Type", row.principal_type),
                ("Client ID", row.client_id),
                (
                    "Role assignments",
                    row.roles.into_iter().collect::<Vec<_>>().join("; "),
                ),
            ];
            rows.push(row.kind, "", &row.name, row.source, details);
        }
        // By (kind, name) as findings name them: the members written that way (both
        // forms of a Workload Identity member are one), their roles on resources.
        type GcpRow<'a> = (BTreeSet<String>, BTreeSet<String>, &'a Source);
        let mut gcp_rows: BTreeMap<(&'static str, String), GcpRow> = BTreeMap::new();
        for g in &self.gcp_iam {
            let mut row = |member: String, role: Option<String>| {
                let entry = gcp_rows
                    .entry(gcp::member_ref(&member))
                    .or_insert_with(|| (BTreeSet::new(), BTreeSet::new(), &g.source));
                entry.0.insert(member);
                entry.1.extend(role);
            };
            for sa in &g.service_accounts {
                row(format!("serviceAccount:{}", sa.email), None);
            }
            for p in &g.policies {
                for b in &p.bindings {
                    for m in &b.members {
                        row(
                            m.clone(),
                            Some(format!("{} on {}", b.role, p.resource.describe())),
                        );
                    }
                }
            }
        }
        for ((kind, name), (members, roles, source)) in gcp_rows {
            let details = vec![
                ("Member", members.into_iter().collect::<Vec<_>>().join(", ")),
                ("Roles", roles.into_iter().collect::<Vec<_>>().join("; ")),
            ];
            rows.push(kind, "", &name, source, details);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::InputFile;

    fn inventory(yaml: &str) -> Inventory {
        let parsed = crate::ingest::parse_file(&InputFile::new("s.yaml", yaml.as_bytes().to_vec()));
        let mut inventory = Inventory::default();
        inventory.extend(parsed.objects, None);
        inventory.finish();
        inventory
    }

    /// A Deployment, its ReplicaSet, three replicas (the third of another image, as in
    /// a rollout) each with a token volume of its own name, and a pod of no owner.
    fn replicas() -> String {
        let template = "{containers: [{name: app, image: 'web:1'}]}";
        let mut yaml = format!(
            "apiVersion: apps/v1
kind: Deployment
metadata: {{name: web, namespace: shop, uid: d1}}
spec: {{template: {{metadata: {{labels: {{app: web}}}}, spec: {template}}}}}
---
apiVersion: apps/v1
kind: ReplicaSet
metadata:
  name: web-1
  namespace: shop
  uid: r1
  ownerReferences: [{{kind: Deployment, name: web, uid: d1, controller: true}}]
spec: {{template: {{metadata: {{labels: {{app: web, pod-template-hash: '1'}}}}, spec: {template}}}}}
"
        );
        for (name, node, image) in [
            ("a", "node-a", "web:1"),
            ("b", "node-b", "web:1"),
            ("c", "node-a", "web:2"),
        ] {
            yaml += &format!(
                "---
apiVersion: v1
kind: Pod
metadata:
  name: web-1-{name}
  namespace: shop
  ownerReferences: [{{kind: ReplicaSet, name: web-1, uid: r1, controller: true}}]
spec:
  nodeName: {node}
  containers:
  - name: app
    image: '{image}'
    volumeMounts: [{{name: kube-api-access-{name}x7k2, mountPath: /var/run/secrets/kubernetes.io/serviceaccount}}]
  volumes:
  - name: kube-api-access-{name}x7k2
    projected: {{sources: [{{serviceAccountToken: {{path: token}}}}]}}
"
            );
        }
        yaml + "---
apiVersion: v1
kind: Pod
metadata: {name: alone, namespace: shop}
spec: {containers: [{name: app, image: 'web:1'}]}
"
    }

    #[test]
    fn replicas_share_their_spec_and_keep_their_node() {
        let inv = inventory(&replicas());
        let pod = |name: &str| inv.pods.iter().find(|p| p.metadata.name == name).unwrap();
        let (a, b, c) = (pod("web-1-a"), pod("web-1-b"), pod("web-1-c"));
        assert!(
            Arc::ptr_eq(&a.spec, &b.spec),
            "equal replicas share one spec"
        );
        assert!(
            !Arc::ptr_eq(&a.spec, &c.spec),
            "a different spec is its own"
        );
        assert_eq!(c.spec.containers[0].image.as_deref(), Some("web:2"));
        assert_eq!(a.node_name.as_deref(), Some("node-a"));
        assert_eq!(b.node_name.as_deref(), Some("node-b"));
        assert_eq!(a.spec.node_name, None, "nodeName lives on the pod");
        // So does the own name of the token volume, which the shared spec does not hold.
        assert_eq!(a.token_volume.as_deref(), Some("kube-api-access-ax7k2"));
        assert_eq!(b.token_volume.as_deref(), Some("kube-api-access-bx7k2"));
        assert_eq!(a.spec.volumes[0].name, pod::TOKEN_VOLUME);
        assert_eq!(
            a.spec.containers[0].volume_mounts[0].name,
            pod::TOKEN_VOLUME
        );
        let mut own = PodSpec::clone(&b.spec);
        own.restore_token_volume(b.token_volume.as_deref().unwrap());
        assert_eq!(own.volumes[0].name, "kube-api-access-bx7k2");
        assert_eq!(
            own.containers[0].volume_mounts[0].name,
            "kube-api-access-bx7k2"
        );
        // A pod without an owner shares with none, even when equal.
        assert!(!Arc::ptr_eq(&pod("alone").spec, &a.spec));
        // The ReplicaSet carries its Deployment's template spec.
        let (deployment, replica_set) = (&inv.workloads[0], &inv.workloads[1]);
        assert!(Arc::ptr_eq(
            &deployment.template.spec,
            &replica_set.template.spec
        ));
        assert_ne!(deployment.template.metadata, replica_set.template.metadata);
    }

    #[test]
    fn only_one_generated_token_volume_is_renamed() {
        let pod = |volumes: &str| {
            let yaml = format!(
                "apiVersion: v1\nkind: Pod\nmetadata: {{name: p, namespace: shop}}\n\
                 spec: {{containers: [{{name: app, volumeMounts: [{{name: kube-api-access-q2x7z, mountPath: /t}}]}}], volumes: [{volumes}]}}\n"
            );
            let inv = inventory(&yaml);
            let p = &inv.pods[0];
            let names: Vec<&str> = p.spec.volumes.iter().map(|v| v.name.as_str()).collect();
            (p.token_volume.clone(), names.join(","))
        };
        let token = "projected: {sources: [{serviceAccountToken: {path: token}}]}";
        assert_eq!(
            pod(&format!("{{name: kube-api-access-q2x7z, {token}}}")),
            (
                Some("kube-api-access-q2x7z".into()),
                "kube-api-access".into()
            )
        );
        // Not projected, or without a token: a volume of the user's, kept as named.
        for other in [
            "emptyDir: {}",
            "projected: {sources: [{configMap: {name: c}}]}",
        ] {
            let (taken, names) = pod(&format!("{{name: kube-api-access-q2x7z, {other}}}"));
            assert_eq!((taken, names.as_str()), (None, "kube-api-access-q2x7z"));
        }
        // Two candidates, or the plain name already in use: nothing is renamed.
        let two = format!(
            "{{name: kube-api-access-q2x7z, {token}}}, {{name: kube-api-access-b4k9m, {token}}}"
        );
        assert_eq!(pod(&two).0, None);
        let taken = format!(
            "{{name: kube-api-access-q2x7z, {token}}}, {{name: kube-api-access, emptyDir: {{}}}}"
        );
        assert_eq!(pod(&taken).0, None);
    }

    #[test]
    fn a_long_chain_of_controllers_leaves_its_pods_in_a_unit() {
        // Ten ReplicaSets each owned by the next: deeper than the eight levels looked up.
        let mut yaml = String::new();
        for i in 0..10 {
            yaml += &format!(
                "---\napiVersion: apps/v1\nkind: ReplicaSet\nmetadata: {{name: rs-{i}, namespace: ns, uid: u{i}, \
                 ownerReferences: [{{kind: ReplicaSet, name: rs-{}, uid: u{}, controller: true}}]}}\n",
                i + 1,
                i + 1
            );
        }
        yaml += "---\napiVersion: v1\nkind: Pod\nmetadata: {name: p, namespace: ns, \
                 ownerReferences: [{kind: ReplicaSet, name: rs-0, uid: u0, controller: true}]}\n";
        let inv = inventory(&yaml);
        let units = inv.workload_units();
        let with_pod: Vec<&str> = units
            .iter()
            .filter(|u| u.pods.iter().any(|p| p.metadata.name == "p"))
            .map(|u| u.name)
            .collect();
        assert_eq!(with_pod.len(), 1, "{with_pod:?}");
    }

    #[test]
    fn pods_are_still_scheduled_on_their_nodes() {
        let inv = inventory(&replicas());
        let graph = crate::graph::SecurityGraph::build(&inv);
        for (pod, node) in [("web-1-a", "node-a"), ("web-1-b", "node-b")] {
            let p = graph.find(&format!("pod:shop/{pod}")).expect("pod node");
            let on: Vec<&str> = graph
                .graph
                .neighbors(p)
                .map(|n| graph.graph[n].name.as_str())
                .collect();
            assert!(on.contains(&node), "{pod} on {on:?}");
        }
    }
}
