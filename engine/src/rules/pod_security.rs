//! The Pod Security Standards checks as hardening rules.
//!
//! Each rule is one upstream check (same id), evaluated by [`super::pss`] on every
//! workload unit's pod template at the namespace's `enforce-version` label, or the
//! configured version, or the latest. Baseline checks are evaluated at `baseline` and
//! restricted checks at `restricted`, so a restricted check that replaces a baseline one
//! upstream (`restrictedVolumes` for `hostPathVolumes`) does not hide the baseline
//! finding here: both recommendations stand on their own.

use super::pss::{self, Level, Version};
use super::{Category, Context, Finding, ResourceRef, Rule, RuleInfo, Severity};

use super::POD_KINDS;
use crate::hash::FastMap;

/// Emits a finding for every unit that fails the PSS check `id`.
fn emit(cx: &Context, out: &mut Vec<Finding>, id: &str, severity: Severity) {
    let all = cx.pss.get_or_init(|| {
        // Each namespace's version found once (not a scan of the namespaces per unit),
        // and each version's checks listed once: baseline checks at baseline, then the
        // restricted level's own checks (the baseline ones it also runs would only be
        // thrown away).
        let mut versions: FastMap<&str, Version> = FastMap::default();
        for n in &cx.inventory.namespaces {
            versions.entry(n.metadata.name.as_str()).or_insert_with(|| {
                crate::enforce::namespace_version(&n.metadata.labels, cx.options.pss_version)
            });
        }
        let no_labels = Default::default();
        let unlabelled = crate::enforce::namespace_version(&no_labels, cx.options.pss_version);
        let mut checks: Vec<(Version, Vec<pss::ActiveCheck>)> = Vec::new();
        cx.units
            .iter()
            .map(|unit| {
                let version = versions.get(unit.namespace).copied().unwrap_or(unlabelled);
                let at = match checks.iter().position(|(v, _)| *v == version) {
                    Some(at) => at,
                    None => {
                        let mut both = pss::active_checks(Level::Baseline, version);
                        both.extend(
                            pss::active_checks(Level::Restricted, version)
                                .into_iter()
                                .filter(|(c, _)| c.level == Level::Restricted),
                        );
                        checks.push((version, both));
                        checks.len() - 1
                    }
                };
                pss::evaluate_checks(&checks[at].1, unit.metadata, unit.spec)
            })
            .collect()
    });
    for (unit, violations) in cx.units.iter().zip(all) {
        let Some(v) = violations.iter().find(|v| v.check == id) else {
            continue;
        };
        out.push(Finding {
            exemption: None,
            fix: None,
            rule: id.to_string(),
            severity,
            resource: ResourceRef {
                kind: unit.kind.to_string(),
                namespace: unit.namespace.to_string(),
                name: unit.name.to_string(),
                cluster: String::new(),
            },
            container: v.containers.join(", "),
            field: if v.field.is_empty() {
                String::new()
            } else {
                format!("{}{}", unit.template_path, v.field)
            },
            message: v.message.clone(),
            source: unit.source.clone(),
        });
    }
}

/// The family's rules, in catalogue order.
pub static RULES: &[&Rule] = &[
    &PRIVILEGED,
    &HOST_NAMESPACES,
    &HOST_PATH_VOLUMES,
    &HOST_PORTS,
    &CAPABILITIES_BASELINE,
    &HOST_PROBES,
    &APP_ARMOR,
    &SE_LINUX,
    &PROC_MOUNT,
    &SECCOMP_BASELINE,
    &SYSCTLS,
    &WINDOWS_HOST_PROCESS,
    &ALLOW_PRIVILEGE_ESCALATION,
    &CAPABILITIES_RESTRICTED,
    &PROC_MOUNT_RESTRICTED,
    &RESTRICTED_VOLUMES,
    &RUN_AS_NON_ROOT,
    &RUN_AS_USER,
    &SECCOMP_RESTRICTED,
];

macro_rules! pss_rule {
    ($name:ident, $id:literal, $level:literal, $severity:ident, $title:literal,
     checks: $checks:literal, why: $why:literal, example: $example:literal,
     remediation: $remediation:literal, frameworks: [$($fw:literal),*]) => {
        pub static $name: Rule = Rule {
            info: RuleInfo {
                id: $id,
                title: $title,
                severity: Severity::$severity,
                category: Category::PodSecurity,
                kinds: POD_KINDS,
                checks: $checks,
                why: $why,
                example: $example,
                remediation: $remediation,
                frameworks: &[concat!("pss-", $level, "/", $id), $($fw),*],
            },
            check: |cx, out| emit(cx, out, $id, Severity::$severity),
        };
    };
}

pss_rule!(PRIVILEGED, "privileged", "baseline", Critical,
    "Privileged containers should be avoided",
    checks: "No container (init, regular or ephemeral) sets `securityContext.privileged: true`; Windows HostProcess pods are covered by `windowsHostProcess`.",
    why: "A privileged container has every capability and every host device, with no seccomp or AppArmor confinement: root in it is root on the node, one mount away from the host filesystem and every other pod on it.",
    example: "spec:\n  containers:\n  - name: agent\n    image: example/agent\n    securityContext:\n      privileged: true",
    remediation: "Remove `privileged: true`. Grant the specific capability the workload needs instead (for example `NET_ADMIN`), or move node-level work to a managed DaemonSet reviewed as part of the platform.",
    frameworks: ["cis-k8s/5.2.2", "nsa-cisa", "mitre/T1611"]);

pss_rule!(HOST_NAMESPACES, "hostNamespaces", "baseline", High,
    "Containers should not share the host's network, PID or IPC namespace",
    checks: "`spec.hostNetwork`, `spec.hostPID` and `spec.hostIPC` are unset or false.",
    why: "With the host PID namespace a container sees and can signal or trace every process on the node; with the host network it binds node ports and reaches node-local services (kubelet, metadata endpoints) as the node; with host IPC it reads other workloads' shared memory.",
    example: "spec:\n  hostPID: true\n  hostNetwork: true\n  containers:\n  - name: debug\n    image: busybox",
    remediation: "Remove `hostNetwork`, `hostPID` and `hostIPC`. Expose ports through a Service; for node monitoring use the node exporter's documented minimal setup in a dedicated, tightly-bound namespace.",
    frameworks: ["cis-k8s/5.2.3", "cis-k8s/5.2.4", "cis-k8s/5.2.5", "nsa-cisa", "mitre/T1611"]);

pss_rule!(HOST_PATH_VOLUMES, "hostPathVolumes", "baseline", High,
    "Containers should not mount host paths",
    checks: "No volume uses `hostPath`.",
    why: "A hostPath volume hands the container a piece of the node's filesystem: `/` or `/etc` means node takeover, the container runtime socket means running any container on the node, `/var/log` with `pods/log` rights lets an attacker read any file through log symlinks.",
    example: "spec:\n  volumes:\n  - name: root\n    hostPath:\n      path: /",
    remediation: "Replace the hostPath volume with an `emptyDir`, a `configMap`/`secret`, a CSI volume or a PersistentVolumeClaim. If a node agent truly needs a host path, mount the narrowest path read-only and isolate the agent in its own namespace.",
    frameworks: ["cis-k8s/5.2.12", "nsa-cisa", "mitre/T1611"]);

pss_rule!(HOST_PORTS, "hostPorts", "baseline", Medium,
    "Containers should not bind host ports",
    checks: "No container port sets `hostPort` (other than 0).",
    why: "A host port opens the workload on every address of the node, bypassing Service-level controls and NetworkPolicy, and pins the pod to nodes where the port is free.",
    example: "spec:\n  containers:\n  - name: web\n    image: nginx\n    ports:\n    - containerPort: 80\n      hostPort: 80",
    remediation: "Remove `hostPort` and expose the workload through a Service (ClusterIP behind an Ingress, or a LoadBalancer with source ranges).",
    frameworks: ["cis-k8s/5.2.13", "nsa-cisa"]);

pss_rule!(CAPABILITIES_BASELINE, "capabilities_baseline", "baseline", High,
    "Containers should not add capabilities beyond the default set",
    checks: "`securityContext.capabilities.add` holds only capabilities of the runtime's default set (AUDIT_WRITE, CHOWN, DAC_OVERRIDE, FOWNER, FSETID, KILL, MKNOD, NET_BIND_SERVICE, SETFCAP, SETGID, SETPCAP, SETUID, SYS_CHROOT).",
    why: "Capabilities such as SYS_ADMIN, SYS_PTRACE, SYS_MODULE or NET_ADMIN are most of what makes a container escape possible: mounting the host disk, loading kernel modules, tracing host processes, rewiring the node's network.",
    example: "securityContext:\n  capabilities:\n    add: [\"SYS_ADMIN\"]",
    remediation: "Remove the added capability; if the workload needs one, document why and scope it to that container only.",
    frameworks: ["cis-k8s/5.2.9", "nsa-cisa", "mitre/T1611"]);

pss_rule!(HOST_PROBES, "hostProbesAndHostLifecycle", "baseline", Medium,
    "Probes and lifecycle hooks should not target other hosts",
    checks: "`httpGet.host` and `tcpSocket.host` in probes and lifecycle handlers are unset (they default to the pod's own address).",
    why: "A probe or hook with a `host` makes the kubelet connect to an arbitrary address from the node: a server-side request forgery from the node's network position.",
    example: "livenessProbe:\n  httpGet:\n    host: 169.254.169.254\n    path: /latest/meta-data/\n    port: 80",
    remediation: "Remove the `host` field so the kubelet probes the pod itself.",
    frameworks: ["nsa-cisa", "mitre/T1090"]);

pss_rule!(APP_ARMOR, "appArmorProfile", "baseline", Medium,
    "AppArmor should not be disabled",
    checks: "AppArmor profiles (the `appArmorProfile` fields and the `container.apparmor.security.beta.kubernetes.io/*` annotations) are unset, `RuntimeDefault`/`runtime/default` or `Localhost`/`localhost/*` — never `Unconfined`.",
    why: "An unconfined container loses the mandatory access control that blocks many escape techniques (mounts, writes to /proc and /sys).",
    example: "metadata:\n  annotations:\n    container.apparmor.security.beta.kubernetes.io/app: unconfined",
    remediation: "Remove the `Unconfined` profile, or set `appArmorProfile.type: RuntimeDefault`.",
    frameworks: ["nsa-cisa"]);

pss_rule!(SE_LINUX, "seLinuxOptions", "baseline", Medium,
    "SELinux options should not be customised",
    checks: "`seLinuxOptions.type` is unset or one of the container types (`container_t`, `container_init_t`, `container_kvm_t`, and `container_engine_t` from v1.31); `user` and `role` are unset.",
    why: "A custom SELinux user, role or type can lift the labels that keep a container from host files and other containers.",
    example: "securityContext:\n  seLinuxOptions:\n    type: spc_t",
    remediation: "Remove the custom SELinux user and role; use one of the container types.",
    frameworks: ["nsa-cisa"]);

pss_rule!(PROC_MOUNT, "procMount", "baseline", Medium,
    "The default /proc mask should be kept",
    checks: "`securityContext.procMount` is unset or `Default` (from v1.35 baseline allows `Unmasked` in pods with their own user namespace, `hostUsers: false`).",
    why: "An unmasked /proc exposes kernel interfaces that the default mask hides, from which a container can read host information or influence the kernel.",
    example: "securityContext:\n  procMount: Unmasked",
    remediation: "Remove `procMount: Unmasked`.",
    frameworks: ["nsa-cisa"]);

pss_rule!(SECCOMP_BASELINE, "seccompProfile_baseline", "baseline", Medium,
    "Seccomp should not be disabled",
    checks: "Seccomp profiles (fields and the legacy annotations) are never `Unconfined`.",
    why: "Without seccomp every system call is reachable, including the rarely used ones behind most kernel privilege escalations.",
    example: "securityContext:\n  seccompProfile:\n    type: Unconfined",
    remediation: "Set `seccompProfile.type: RuntimeDefault` (or a reviewed `Localhost` profile).",
    frameworks: ["cis-k8s/5.7.2", "nsa-cisa"]);

pss_rule!(SYSCTLS, "sysctls", "baseline", Medium,
    "Only safe sysctls should be set",
    checks: "`spec.securityContext.sysctls` names only the safe set for the version (kernel.shm_rmid_forced, net.ipv4.ip_local_port_range, net.ipv4.tcp_syncookies, net.ipv4.ping_group_range, net.ipv4.ip_unprivileged_port_start, and the ones added in later versions).",
    why: "Unsafe sysctls change kernel behaviour for the whole node, not just the pod.",
    example: "securityContext:\n  sysctls:\n  - name: kernel.msgmax\n    value: \"65536\"",
    remediation: "Remove unsafe sysctls, or run the workload on dedicated nodes configured for it.",
    frameworks: ["nsa-cisa"]);

pss_rule!(WINDOWS_HOST_PROCESS, "windowsHostProcess", "baseline", Critical,
    "Windows HostProcess containers should be avoided",
    checks: "`windowsOptions.hostProcess` is unset or false for the pod and every container.",
    why: "A HostProcess container runs directly on the Windows node as a host process, with the node's full access.",
    example: "securityContext:\n  windowsOptions:\n    hostProcess: true",
    remediation: "Remove `hostProcess: true`; run node management outside workload namespaces.",
    frameworks: ["cis-k8s/5.2.11", "nsa-cisa", "mitre/T1611"]);

pss_rule!(ALLOW_PRIVILEGE_ESCALATION, "allowPrivilegeEscalation", "restricted", Medium,
    "Containers should not allow privilege escalation",
    checks: "Every container sets `securityContext.allowPrivilegeEscalation: false` (Windows pods exempt from v1.25).",
    why: "Unless it is false, a process can gain privileges through setuid binaries or file capabilities (`no_new_privs` is off), turning a foothold into root inside the container.",
    example: "containers:\n- name: app\n  image: example/app\n  # securityContext.allowPrivilegeEscalation not set",
    remediation: "Set `securityContext.allowPrivilegeEscalation: false` on every container.",
    frameworks: ["cis-k8s/5.2.6", "nsa-cisa", "mitre/T1068"]);

pss_rule!(CAPABILITIES_RESTRICTED, "capabilities_restricted", "restricted", Medium,
    "Containers should drop all capabilities",
    checks: "Every container drops `ALL` capabilities and adds back at most `NET_BIND_SERVICE` (Windows pods exempt from v1.25).",
    why: "The runtime's default capabilities (NET_RAW among them) allow packet spoofing and other attacks on the pod network; few applications need any of them.",
    example: "securityContext:\n  capabilities:\n    drop: [\"NET_RAW\"]",
    remediation: "Set `securityContext.capabilities.drop: [\"ALL\"]`, adding `NET_BIND_SERVICE` back only to bind ports below 1024.",
    frameworks: ["cis-k8s/5.2.8", "cis-k8s/5.2.10", "nsa-cisa"]);

pss_rule!(PROC_MOUNT_RESTRICTED, "procMount_restricted", "restricted", Medium,
    "The default /proc mask should be kept, even in user namespaces",
    checks: "`securityContext.procMount` is unset or `Default`, also for pods with `hostUsers: false` (from v1.35).",
    why: "An unmasked /proc exposes kernel interfaces the default mask hides.",
    example: "spec:\n  hostUsers: false\n  containers:\n  - name: app\n    securityContext:\n      procMount: Unmasked",
    remediation: "Remove `procMount: Unmasked`.",
    frameworks: ["nsa-cisa"]);

pss_rule!(RESTRICTED_VOLUMES, "restrictedVolumes", "restricted", Low,
    "Pods should use only core volume types",
    checks: "Volumes are only of the types configMap, csi, downwardAPI, emptyDir, ephemeral, image, persistentVolumeClaim, projected and secret.",
    why: "Other volume types (hostPath, NFS, iSCSI, cloud disks named directly) bypass the storage abstraction and its access controls, reaching infrastructure from the pod spec.",
    example: "volumes:\n- name: share\n  nfs:\n    server: 10.0.0.5\n    path: /exports",
    remediation: "Use a PersistentVolumeClaim (backed by a StorageClass or a pre-provisioned PersistentVolume) instead of naming the storage in the pod.",
    frameworks: ["nsa-cisa"]);

pss_rule!(RUN_AS_NON_ROOT, "runAsNonRoot", "restricted", Medium,
    "Containers should run as a non-root user",
    checks: "`runAsNonRoot: true` is set for the pod or for every container, and no container sets it to false (pods in their own user namespace exempt from v1.35; Windows pods from v1.25).",
    why: "Root in a container is root on the node's kernel: any escape, mounted host path or kernel bug is exploited with full privileges.",
    example: "containers:\n- name: app\n  image: example/app\n  # runs as the image's user, root by default",
    remediation: "Set `securityContext.runAsNonRoot: true` (pod-level) and build the image with a non-root `USER`, or set `runAsUser` to a non-zero UID.",
    frameworks: ["cis-k8s/5.2.7", "nsa-cisa", "mitre/T1068"]);

pss_rule!(RUN_AS_USER, "runAsUser", "restricted", Medium,
    "Containers should not run as UID 0",
    checks: "`runAsUser` is not 0 for the pod or any container (from v1.23).",
    why: "An explicit UID 0 runs the container as root even when the image declares another user.",
    example: "securityContext:\n  runAsUser: 0",
    remediation: "Set `runAsUser` to a non-zero UID, or remove it and rely on `runAsNonRoot: true`.",
    frameworks: ["cis-k8s/5.2.7", "nsa-cisa"]);

pss_rule!(SECCOMP_RESTRICTED, "seccompProfile_restricted", "restricted", Low,
    "Containers should run with a seccomp profile",
    checks: "`seccompProfile.type` is `RuntimeDefault` or `Localhost` for the pod or for every container (from v1.19; Windows pods exempt from v1.25).",
    why: "Without a profile the container can make every system call; the runtime default profile blocks the ones most kernel exploits rely on at no cost to ordinary applications.",
    example: "spec:\n  containers:\n  - name: app\n    image: example/app\n    # no seccompProfile",
    remediation: "Set `spec.securityContext.seccompProfile.type: RuntimeDefault`.",
    frameworks: ["cis-k8s/5.7.2", "nsa-cisa"]);

#[cfg(test)]
mod tests {
    use crate::ingest::{parse_file, InputFile};
    use crate::model::Inventory;
    use crate::rules::{evaluate, Finding, RuleOptions};

    fn findings(yaml: &str, options: &RuleOptions) -> Vec<Finding> {
        let parsed = parse_file(&InputFile::new("t.yaml", yaml.as_bytes().to_vec()));
        assert!(parsed.diagnostics.is_empty(), "{:?}", parsed.diagnostics);
        let mut inventory = Inventory::default();
        inventory.extend(parsed.objects, None);
        inventory.finish();
        // Only this family's findings: other families judge the same objects too.
        evaluate(&inventory, options)
            .0
            .into_iter()
            .filter(|f| super::RULES.iter().any(|r| r.info.id == f.rule))
            .collect()
    }

    fn rules_on(findings: &[Finding], name: &str) -> Vec<String> {
        let mut r: Vec<String> = findings
            .iter()
            .filter(|f| f.resource.name == name)
            .map(|f| f.rule.clone())
            .collect();
        r.sort();
        r
    }

    const HARDENED: &str = "securityContext:\n        runAsNonRoot: true\n        seccompProfile: {type: RuntimeDefault}\n      containers:\n      - name: app\n        image: example/app:1.0\n        securityContext:\n          allowPrivilegeEscalation: false\n          capabilities: {drop: [ALL]}\n";

    #[test]
    fn templates_of_every_controller_kind_are_checked_with_their_paths() {
        let yaml = format!(
            "apiVersion: apps/v1\nkind: Deployment\nmetadata: {{name: good, namespace: a}}\nspec:\n  template:\n    spec:\n      {HARDENED}---\n\
             apiVersion: apps/v1\nkind: DaemonSet\nmetadata: {{name: agent, namespace: a}}\nspec:\n  template:\n    spec:\n      hostPID: true\n      {HARDENED}---\n\
             apiVersion: batch/v1\nkind: CronJob\nmetadata: {{name: backup, namespace: a}}\nspec:\n  schedule: '@daily'\n  jobTemplate:\n    spec:\n      template:\n        spec:\n          containers:\n          - name: dump\n            image: pg:15\n            securityContext: {{privileged: true}}\n"
        );
        let f = findings(&yaml, &RuleOptions::default());
        assert!(rules_on(&f, "good").is_empty(), "{f:#?}");
        assert_eq!(rules_on(&f, "agent"), ["hostNamespaces"]);
        let backup = rules_on(&f, "backup");
        for rule in ["privileged", "runAsNonRoot", "allowPrivilegeEscalation"] {
            assert!(backup.contains(&rule.to_string()), "{backup:?}");
        }
        let privileged = f.iter().find(|f| f.rule == "privileged").unwrap();
        assert_eq!(privileged.resource.kind, "CronJob");
        assert_eq!(
            privileged.field,
            "spec.jobTemplate.spec.template.spec.containers[0].securityContext.privileged"
        );
        assert_eq!(privileged.container, "dump");
    }

    #[test]
    fn replicas_are_reported_once_through_their_controller() {
        let yaml = "apiVersion: apps/v1\nkind: ReplicaSet\nmetadata: {name: web-5d, namespace: a, uid: rs1}\nspec:\n  template:\n    spec:\n      hostNetwork: true\n      containers: [{name: c, image: nginx}]\n---\n\
                    apiVersion: v1\nkind: Pod\nmetadata:\n  name: web-5d-x\n  namespace: a\n  ownerReferences: [{apiVersion: apps/v1, kind: ReplicaSet, name: web-5d, uid: rs1, controller: true}]\nspec:\n  hostNetwork: true\n  containers: [{name: c, image: nginx}]\n---\n\
                    apiVersion: v1\nkind: Pod\nmetadata:\n  name: web-5d-y\n  namespace: a\n  ownerReferences: [{apiVersion: apps/v1, kind: ReplicaSet, name: web-5d, uid: rs1, controller: true}]\nspec:\n  hostNetwork: true\n  containers: [{name: c, image: nginx}]\n";
        let f = findings(yaml, &RuleOptions::default());
        let host: Vec<&Finding> = f.iter().filter(|f| f.rule == "hostNamespaces").collect();
        assert_eq!(host.len(), 1, "{host:#?}");
        assert_eq!(host[0].resource.kind, "ReplicaSet");
    }

    #[test]
    fn namespace_enforce_version_is_honoured() {
        let yaml = "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: old\n  labels: {pod-security.kubernetes.io/enforce-version: v1.22}\n---\n\
                    apiVersion: v1\nkind: Pod\nmetadata: {name: p, namespace: old}\nspec:\n  securityContext: {runAsNonRoot: true, runAsUser: 0}\n  containers: [{name: c, image: nginx}]\n---\n\
                    apiVersion: v1\nkind: Pod\nmetadata: {name: q, namespace: new}\nspec:\n  securityContext: {runAsNonRoot: true, runAsUser: 0}\n  containers: [{name: c, image: nginx}]\n";
        let f = findings(yaml, &RuleOptions::default());
        assert!(!rules_on(&f, "p").contains(&"runAsUser".to_string()));
        assert!(rules_on(&f, "q").contains(&"runAsUser".to_string()));
    }
}
