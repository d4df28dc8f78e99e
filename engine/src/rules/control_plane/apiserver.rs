//! `kube-apiserver` flags (CIS Kubernetes Benchmark 1.2, numbering of v1.10): who may
//! call the API anonymously, how requests are authorised and admitted, auditing, TLS to
//! clients, kubelets and etcd, service account keys and encryption at rest.

use std::collections::BTreeSet;

use super::{must_be, must_set, Fail, Instance};
use crate::model::flags::parse_duration_secs;
use crate::rules::Rule;

/// The family's rules, in catalogue order.
pub static RULES: &[&Rule] = &[
    &API_SERVER_ANONYMOUS_AUTH,
    &API_SERVER_TOKEN_AUTH_FILE,
    &API_SERVER_DENY_SERVICE_EXTERNAL_IPS,
    &API_SERVER_KUBELET_CLIENT_CERTIFICATE,
    &API_SERVER_KUBELET_CERTIFICATE_AUTHORITY,
    &API_SERVER_AUTHORIZATION_ALWAYS_ALLOW,
    &API_SERVER_AUTHORIZATION_NODE,
    &API_SERVER_AUTHORIZATION_RBAC,
    &API_SERVER_EVENT_RATE_LIMIT,
    &API_SERVER_ALWAYS_ADMIT,
    &API_SERVER_ALWAYS_PULL_IMAGES,
    &API_SERVER_SERVICE_ACCOUNT_ADMISSION,
    &API_SERVER_NAMESPACE_LIFECYCLE,
    &API_SERVER_NODE_RESTRICTION,
    &API_SERVER_PROFILING,
    &API_SERVER_AUDIT_LOG_PATH,
    &API_SERVER_AUDIT_LOG_MAX_AGE,
    &API_SERVER_AUDIT_LOG_MAX_BACKUP,
    &API_SERVER_AUDIT_LOG_MAX_SIZE,
    &API_SERVER_AUDIT_POLICY_FILE,
    &API_SERVER_REQUEST_TIMEOUT,
    &API_SERVER_SERVICE_ACCOUNT_LOOKUP,
    &API_SERVER_SERVICE_ACCOUNT_KEY_FILE,
    &API_SERVER_ETCD_CLIENT_CERTIFICATE,
    &API_SERVER_TLS_CERTIFICATE,
    &API_SERVER_CLIENT_CA_FILE,
    &API_SERVER_ETCD_CA_FILE,
    &API_SERVER_ENCRYPTION_PROVIDER_CONFIG,
    &API_SERVER_TLS_CIPHER_SUITES,
    &API_SERVER_EXTEND_TOKEN_EXPIRATION,
    &API_SERVER_INSECURE_PORT,
    &API_SERVER_SECURE_PORT_DISABLED,
    &API_SERVER_KUBELET_HTTPS,
    &API_SERVER_POD_SECURITY_ADMISSION,
];

/// Admission plugins on when `--enable-admission-plugins` does not mention them
/// (kube-apiserver 1.26 and later; older releases differ only in plugins no rule reads).
const DEFAULT_ADMISSION: &[&str] = &[
    "CertificateApproval",
    "CertificateSigning",
    "CertificateSubjectRestriction",
    "DefaultIngressClass",
    "DefaultStorageClass",
    "DefaultTolerationSeconds",
    "LimitRanger",
    "MutatingAdmissionWebhook",
    "NamespaceLifecycle",
    "PersistentVolumeClaimResize",
    "PodSecurity",
    "Priority",
    "ResourceQuota",
    "RuntimeClass",
    "ServiceAccount",
    "StorageObjectInUseProtection",
    "TaintNodesByCondition",
    "ValidatingAdmissionPolicy",
    "ValidatingAdmissionWebhook",
];

/// The admission plugins in effect: the deprecated `--admission-control` list when
/// given (it replaces the defaults), else the defaults plus
/// `--enable-admission-plugins`; minus `--disable-admission-plugins`.
pub fn admission_plugins<'a>(i: &'a Instance) -> BTreeSet<&'a str> {
    let legacy = i.flags.list("admission-control");
    let mut on: BTreeSet<&str> = if legacy.is_empty() {
        DEFAULT_ADMISSION
            .iter()
            .copied()
            .chain(i.flags.list("enable-admission-plugins"))
            .collect()
    } else {
        legacy.into_iter().collect()
    };
    for off in i.flags.list("disable-admission-plugins") {
        on.remove(off);
    }
    on
}

/// The flag that decides whether `plugin` is on, for the finding's field.
fn admission_flag(i: &Instance, plugin: &str) -> &'static str {
    if i.flags.list("disable-admission-plugins").contains(&plugin) {
        "disable-admission-plugins"
    } else if i.flags.has("admission-control") {
        "admission-control"
    } else {
        "enable-admission-plugins"
    }
}

fn plugin_required(i: &Instance, plugin: &str) -> Option<Fail> {
    if admission_plugins(i).contains(plugin) {
        return None;
    }
    let flag = admission_flag(i, plugin);
    let how = if flag == "disable-admission-plugins" {
        "disables"
    } else {
        "does not enable"
    };
    Some(Fail {
        flag,
        message: format!("{how} the {plugin} admission plugin (--{flag})"),
    })
}

/// The authorization modes in order; `None` when `--authorization-config` decides them
/// (structured authorization: the flags do not say).
fn authorization_modes<'a>(i: &'a Instance) -> Option<Vec<&'a str>> {
    let modes = i.flags.list("authorization-mode");
    if modes.is_empty() {
        if i.flags.non_empty("authorization-config").is_some() {
            return None;
        }
        return Some(vec!["AlwaysAllow"]);
    }
    Some(modes)
}

fn mode_required(i: &Instance, mode: &str) -> Option<Fail> {
    let modes = authorization_modes(i)?;
    (!modes.contains(&mode)).then(|| Fail {
        flag: "authorization-mode",
        message: format!(
            "authorizes with --authorization-mode={}{}, without {mode}",
            modes.join(","),
            if i.flags.has("authorization-mode") {
                ""
            } else {
                " (the default)"
            }
        ),
    })
}

/// An integer flag must be at least `min`.
fn at_least(i: &Instance, flag: &'static str, min: i64) -> Option<Fail> {
    match i.flags.non_empty(flag) {
        None => Some(Fail {
            flag,
            message: format!("does not set --{flag} (recommended: {min} or more)"),
        }),
        Some(v) => match v.parse::<i64>() {
            Ok(n) if n >= min => None,
            _ => Some(Fail {
                flag,
                message: format!("sets --{flag}={v}, below the recommended {min}"),
            }),
        },
    }
}

/// Cipher suites the benchmark accepts (ECDHE or TLS 1.3 suites with AES or ChaCha20).
const STRONG_CIPHERS: &[&str] = &[
    "TLS_AES_128_GCM_SHA256",
    "TLS_AES_256_GCM_SHA384",
    "TLS_CHACHA20_POLY1305_SHA256",
    "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA",
    "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256",
    "TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA",
    "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384",
    "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305",
    "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256",
    "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA",
    "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
    "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA",
    "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
    "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305",
    "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256",
];

/// Where the API server's static pod manifest is changed, for remediations.
macro_rules! edit {
    ($what:literal) => {
        concat!(
            "Edit `/etc/kubernetes/manifests/kube-apiserver.yaml` on each control-plane node (kubeadm: `apiServer.extraArgs` of the ClusterConfiguration, then `kubeadm upgrade apply`) and ",
            $what,
            "; the kubelet restarts the API server."
        )
    };
}

flag_rule!(API_SERVER_ANONYMOUS_AUTH, ApiServer, "apiServerAnonymousAuth", Medium,
    ["cis-k8s/1.2.1", "nsa-cisa", "mitre/T1078.001"],
    title: "The API server should not accept anonymous requests",
    checks: "`kube-apiserver` runs with `--anonymous-auth=false` (the default is true). Not evaluated when `--authentication-config` is given without the flag: the structured configuration can limit anonymous access to chosen endpoints.",
    why: "Anonymous requests are served as `system:anonymous` in group `system:unauthenticated`: one careless binding to either (or an authorizer mistake) opens the API to anyone who can reach it, and version and health endpoints leak information to every scanner.",
    example: "spec:\n  containers:\n  - name: kube-apiserver\n    command:\n    - kube-apiserver\n    - --authorization-mode=Node,RBAC\n    # --anonymous-auth is not set: anonymous requests are accepted",
    remediation: edit!("set `--anonymous-auth=false` (load balancer health checks then need credentials, or use `--authentication-config` to allow anonymous access to `/healthz`, `/livez` and `/readyz` only)"),
    eval: |i| {
        if !i.flags.has("anonymous-auth") && i.flags.non_empty("authentication-config").is_some() {
            return None;
        }
        must_be(i, "anonymous-auth", false, true)
    },
);

flag_rule!(API_SERVER_TOKEN_AUTH_FILE, ApiServer, "apiServerTokenAuthFile", High,
    ["cis-k8s/1.2.2", "nsa-cisa", "mitre/T1078.001"],
    title: "The API server should not authenticate with a static token file",
    checks: "`kube-apiserver` sets neither `--token-auth-file` nor the removed `--basic-auth-file`.",
    why: "Static tokens and passwords live in clear text on the control-plane nodes, never expire, and can only be changed by restarting the API server: a leaked token stays valid indefinitely.",
    example: "command:\n- kube-apiserver\n- --token-auth-file=/etc/kubernetes/tokens.csv",
    remediation: edit!("remove `--token-auth-file`; authenticate people with OIDC or client certificates and workloads with service account tokens"),
    eval: |i| {
        ["token-auth-file", "basic-auth-file"].into_iter().find(|f| i.flags.non_empty(f).is_some()).map(|flag| Fail {
            flag,
            message: format!("authenticates with a static credential file (--{flag}={})", i.flags.get(flag).unwrap_or_default()),
        })
    },
);

flag_rule!(API_SERVER_DENY_SERVICE_EXTERNAL_IPS, ApiServer, "apiServerDenyServiceExternalIps", Low,
    ["cis-k8s/1.2.3", "mitre/T1557"],
    title: "The API server should reject Services with external IPs",
    checks: "The `DenyServiceExternalIPs` admission plugin is enabled (`--enable-admission-plugins`); it is off by default.",
    why: "Anyone who can create a Service can set `spec.externalIPs` and have every node's kube-proxy redirect traffic for that address to their pods (CVE-2020-8554): a man-in-the-middle on in-cluster traffic to any external IP.",
    example: "command:\n- kube-apiserver\n- --enable-admission-plugins=NodeRestriction",
    remediation: edit!("add `DenyServiceExternalIPs` to `--enable-admission-plugins` (or restrict external IPs with an admission policy if some Services need them)"),
    eval: |i| plugin_required(i, "DenyServiceExternalIPs"),
);

flag_rule!(API_SERVER_KUBELET_CLIENT_CERTIFICATE, ApiServer, "apiServerKubeletClientCertificate", High,
    ["cis-k8s/1.2.4", "nsa-cisa", "mitre/T1557"],
    title: "The API server should authenticate to kubelets with a client certificate",
    checks: "`kube-apiserver` sets `--kubelet-client-certificate` and `--kubelet-client-key`.",
    why: "Without a client certificate the API server calls the kubelets (exec, logs, port-forward) unauthenticated, which only works if the kubelets accept anonymous requests: then anyone on the node network can do the same.",
    example: "command:\n- kube-apiserver\n- --kubelet-client-certificate=/etc/kubernetes/pki/apiserver-kubelet-client.crt\n# --kubelet-client-key missing",
    remediation: edit!("set `--kubelet-client-certificate` and `--kubelet-client-key` to a client certificate the kubelets trust"),
    eval: |i| must_set(i, &["kubelet-client-certificate", "kubelet-client-key"]),
);

flag_rule!(API_SERVER_KUBELET_CERTIFICATE_AUTHORITY, ApiServer, "apiServerKubeletCertificateAuthority", Medium,
    ["cis-k8s/1.2.5", "nsa-cisa", "mitre/T1557"],
    title: "The API server should verify kubelets' serving certificates",
    checks: "`kube-apiserver` sets `--kubelet-certificate-authority`.",
    why: "Without it the API server does not check whom it talks to when it proxies exec, attach, logs and port-forward to a kubelet: whoever can redirect node traffic reads those streams and the commands typed into them.",
    example: "command:\n- kube-apiserver\n- --kubelet-client-certificate=/etc/kubernetes/pki/apiserver-kubelet-client.crt\n- --kubelet-client-key=/etc/kubernetes/pki/apiserver-kubelet-client.key",
    remediation: edit!("enable kubelet serving certificate rotation with approved CSRs, then set `--kubelet-certificate-authority` to the CA that signs them"),
    eval: |i| must_set(i, &["kubelet-certificate-authority"]),
);

flag_rule!(API_SERVER_AUTHORIZATION_ALWAYS_ALLOW, ApiServer, "apiServerAuthorizationAlwaysAllow", Critical,
    ["cis-k8s/1.2.6", "nsa-cisa", "mitre/T1078"],
    title: "The API server should not authorize every request",
    checks: "`--authorization-mode` does not include `AlwaysAllow`, and is set (it defaults to `AlwaysAllow`). Not evaluated when `--authorization-config` configures authorization instead.",
    why: "With `AlwaysAllow` every authenticated (and, with anonymous auth, unauthenticated) request is allowed: RBAC objects in the snapshot mean nothing, and any token is cluster-admin.",
    example: "command:\n- kube-apiserver\n- --authorization-mode=AlwaysAllow",
    remediation: edit!("set `--authorization-mode=Node,RBAC`"),
    eval: |i| {
        let modes = super::apiserver::authorization_modes(i)?;
        modes.contains(&"AlwaysAllow").then(|| Fail {
            flag: "authorization-mode",
            message: if i.flags.has("authorization-mode") {
                format!("authorizes with --authorization-mode={}: every request is allowed", modes.join(","))
            } else {
                "does not set --authorization-mode, which defaults to AlwaysAllow: every request is allowed".to_string()
            },
        })
    },
);

flag_rule!(API_SERVER_AUTHORIZATION_NODE, ApiServer, "apiServerAuthorizationNode", Medium,
    ["cis-k8s/1.2.7", "nsa-cisa", "mitre/T1078"],
    title: "The API server should use the Node authorizer",
    checks: "`--authorization-mode` includes `Node`. Not evaluated when `--authorization-config` configures authorization.",
    why: "The Node authorizer limits each kubelet to the Secrets, ConfigMaps and volumes of the pods scheduled on its node. Without it kubelets need broad RBAC grants, and one compromised node reads every Secret in the cluster.",
    example: "command:\n- kube-apiserver\n- --authorization-mode=RBAC",
    remediation: edit!("set `--authorization-mode=Node,RBAC`"),
    eval: |i| mode_required(i, "Node"),
);

flag_rule!(API_SERVER_AUTHORIZATION_RBAC, ApiServer, "apiServerAuthorizationRbac", High,
    ["cis-k8s/1.2.8", "nsa-cisa", "mitre/T1078"],
    title: "The API server should use RBAC authorization",
    checks: "`--authorization-mode` includes `RBAC`. Not evaluated when `--authorization-config` configures authorization.",
    why: "Without the RBAC authorizer, Roles and bindings are stored but not enforced: access is decided by whatever other mode is configured (ABAC files, webhooks or AlwaysAllow) and the least-privilege model of the cluster is not in force.",
    example: "command:\n- kube-apiserver\n- --authorization-mode=Node,ABAC",
    remediation: edit!("add `RBAC` to `--authorization-mode` (`Node,RBAC`) and migrate ABAC policies to Roles"),
    eval: |i| mode_required(i, "RBAC"),
);

flag_rule!(API_SERVER_EVENT_RATE_LIMIT, ApiServer, "apiServerEventRateLimit", Low,
    ["cis-k8s/1.2.9", "mitre/T1499"],
    title: "The API server should rate-limit events",
    checks: "The `EventRateLimit` admission plugin is enabled (it is off by default; it also needs `--admission-control-config-file` with its limits).",
    why: "A misbehaving or hostile client can flood the API server and etcd with Event objects, slowing the whole control plane down and burying the events operators need.",
    example: "command:\n- kube-apiserver\n- --enable-admission-plugins=NodeRestriction",
    remediation: edit!("add `EventRateLimit` to `--enable-admission-plugins` and give its limits in the file named by `--admission-control-config-file`"),
    eval: |i| plugin_required(i, "EventRateLimit"),
);

flag_rule!(API_SERVER_ALWAYS_ADMIT, ApiServer, "apiServerAlwaysAdmit", High,
    ["cis-k8s/1.2.10", "nsa-cisa", "mitre/T1610"],
    title: "The API server should not use the AlwaysAdmit admission plugin",
    checks: "The deprecated `AlwaysAdmit` admission plugin is not enabled (`--enable-admission-plugins` or `--admission-control`).",
    why: "`AlwaysAdmit` admits every request whatever the other plugins say, switching admission control off: Pod Security Admission, quotas and policy webhooks stop protecting anything.",
    example: "command:\n- kube-apiserver\n- --enable-admission-plugins=NodeRestriction,AlwaysAdmit",
    remediation: edit!("remove `AlwaysAdmit` from the admission plugin flags"),
    eval: |i| {
        admission_plugins(i).contains("AlwaysAdmit").then(|| Fail {
            flag: if i.flags.has("admission-control") { "admission-control" } else { "enable-admission-plugins" },
            message: "enables the AlwaysAdmit admission plugin: admission control admits every request".to_string(),
        })
    },
);

flag_rule!(API_SERVER_ALWAYS_PULL_IMAGES, ApiServer, "apiServerAlwaysPullImages", Low,
    ["cis-k8s/1.2.11", "mitre/T1525"],
    title: "The API server should force image pulls in multi-tenant clusters",
    checks: "The `AlwaysPullImages` admission plugin is enabled (it is off by default).",
    why: "Without it a pod can run a private image another tenant already pulled onto the node, without the registry ever checking its own pull credentials.",
    example: "command:\n- kube-apiserver\n- --enable-admission-plugins=NodeRestriction",
    remediation: edit!("add `AlwaysPullImages` to `--enable-admission-plugins` (every pod start then needs the registry)"),
    eval: |i| plugin_required(i, "AlwaysPullImages"),
);

flag_rule!(API_SERVER_SERVICE_ACCOUNT_ADMISSION, ApiServer, "apiServerServiceAccountAdmission", Medium,
    ["cis-k8s/1.2.12", "nsa-cisa", "mitre/T1078.004"],
    title: "The API server should keep the ServiceAccount admission plugin",
    checks: "The `ServiceAccount` admission plugin is in effect: on by default, not removed by `--disable-admission-plugins` or left out of a `--admission-control` list.",
    why: "The plugin gives every pod a service account that exists and mounts a bound, expiring token; without it pods can name accounts that do not exist and tokens are managed by hand.",
    example: "command:\n- kube-apiserver\n- --disable-admission-plugins=ServiceAccount",
    remediation: edit!("remove `ServiceAccount` from `--disable-admission-plugins`"),
    eval: |i| plugin_required(i, "ServiceAccount"),
);

flag_rule!(API_SERVER_NAMESPACE_LIFECYCLE, ApiServer, "apiServerNamespaceLifecycle", Medium,
    ["cis-k8s/1.2.13", "mitre/T1610"],
    title: "The API server should keep the NamespaceLifecycle admission plugin",
    checks: "The `NamespaceLifecycle` admission plugin is in effect (on by default).",
    why: "It refuses objects in namespaces that do not exist or are being deleted and protects `default`, `kube-system` and `kube-public` from deletion; without it deleted namespaces can be repopulated before they are gone.",
    example: "command:\n- kube-apiserver\n- --disable-admission-plugins=NamespaceLifecycle",
    remediation: edit!("remove `NamespaceLifecycle` from `--disable-admission-plugins`"),
    eval: |i| plugin_required(i, "NamespaceLifecycle"),
);

flag_rule!(API_SERVER_NODE_RESTRICTION, ApiServer, "apiServerNodeRestriction", Medium,
    ["cis-k8s/1.2.14", "nsa-cisa", "mitre/T1078"],
    title: "The API server should restrict what kubelets may change",
    checks: "The `NodeRestriction` admission plugin is enabled (`--enable-admission-plugins`; it is off by default).",
    why: "Without it a kubelet's credentials can modify any Node object and the pods of other nodes, for example labelling itself to attract sensitive workloads or removing taints: one compromised node spreads to others.",
    example: "command:\n- kube-apiserver\n- --authorization-mode=Node,RBAC\n- --enable-admission-plugins=EventRateLimit",
    remediation: edit!("add `NodeRestriction` to `--enable-admission-plugins`"),
    eval: |i| plugin_required(i, "NodeRestriction"),
);

flag_rule!(API_SERVER_PROFILING, ApiServer, "apiServerProfiling", Low,
    ["cis-k8s/1.2.15", "mitre/T1082"],
    title: "API server profiling should be disabled",
    checks: "`kube-apiserver` runs with `--profiling=false` (the default is true).",
    why: "The `/debug/pprof` endpoints expose the process's internals and let a caller trigger expensive CPU and heap profiles, which helps denial of service and reconnaissance.",
    example: "command:\n- kube-apiserver\n- --profiling=true",
    remediation: edit!("set `--profiling=false`"),
    eval: |i| must_be(i, "profiling", false, true),
);

flag_rule!(API_SERVER_AUDIT_LOG_PATH, ApiServer, "apiServerAuditLogPath", Medium,
    ["cis-k8s/1.2.16", "nsa-cisa", "mitre/T1562.008"],
    title: "The API server should write an audit log",
    checks: "`kube-apiserver` sets `--audit-log-path` (or sends audit events to a webhook with `--audit-webhook-config-file`).",
    why: "The audit log is the only record of who read Secrets, exec'd into pods or changed RBAC; without it an intrusion leaves no trace and run-time detection has nothing to analyse.",
    example: "command:\n- kube-apiserver\n- --authorization-mode=Node,RBAC\n# no --audit-log-path",
    remediation: edit!("set `--audit-log-path=/var/log/kubernetes/audit/audit.log` and `--audit-policy-file`, with the directory mounted from the host"),
    eval: |i| {
        if i.flags.non_empty("audit-webhook-config-file").is_some() {
            return None;
        }
        must_set(i, &["audit-log-path"])
    },
);

/// Audit log rotation rules apply only when the API server writes a log file.
fn logs_to_file(i: &Instance) -> bool {
    i.flags
        .non_empty("audit-log-path")
        .is_some_and(|p| p != "-")
}

flag_rule!(API_SERVER_AUDIT_LOG_MAX_AGE, ApiServer, "apiServerAuditLogMaxAge", Low,
    ["cis-k8s/1.2.17", "nsa-cisa", "mitre/T1070"],
    title: "API server audit logs should be kept at least 30 days",
    checks: "When the API server writes an audit log file, `--audit-log-maxage` is 30 or more.",
    why: "Intrusions are often found weeks later; audit logs deleted after a few days cannot tell what happened.",
    example: "command:\n- kube-apiserver\n- --audit-log-path=/var/log/kubernetes/audit.log\n- --audit-log-maxage=7",
    remediation: edit!("set `--audit-log-maxage=30` (or more), and ship the logs off the node"),
    eval: |i| if logs_to_file(i) { at_least(i, "audit-log-maxage", 30) } else { None },
);

flag_rule!(API_SERVER_AUDIT_LOG_MAX_BACKUP, ApiServer, "apiServerAuditLogMaxBackup", Low,
    ["cis-k8s/1.2.18", "nsa-cisa", "mitre/T1070"],
    title: "API server audit logs should keep at least 10 rotated files",
    checks: "When the API server writes an audit log file, `--audit-log-maxbackup` is 10 or more.",
    why: "With few rotated files a burst of requests (or an attacker generating noise) rotates the evidence away.",
    example: "command:\n- kube-apiserver\n- --audit-log-path=/var/log/kubernetes/audit.log\n- --audit-log-maxbackup=1",
    remediation: edit!("set `--audit-log-maxbackup=10` (or more)"),
    eval: |i| if logs_to_file(i) { at_least(i, "audit-log-maxbackup", 10) } else { None },
);

flag_rule!(API_SERVER_AUDIT_LOG_MAX_SIZE, ApiServer, "apiServerAuditLogMaxSize", Low,
    ["cis-k8s/1.2.19", "nsa-cisa", "mitre/T1070"],
    title: "API server audit log files should rotate at 100 MB or more",
    checks: "When the API server writes an audit log file, `--audit-log-maxsize` (megabytes) is 100 or more.",
    why: "Small files rotate quickly and, with a bounded number of backups, keep only a short window of activity.",
    example: "command:\n- kube-apiserver\n- --audit-log-path=/var/log/kubernetes/audit.log\n- --audit-log-maxsize=10",
    remediation: edit!("set `--audit-log-maxsize=100` (or more)"),
    eval: |i| if logs_to_file(i) { at_least(i, "audit-log-maxsize", 100) } else { None },
);

flag_rule!(API_SERVER_AUDIT_POLICY_FILE, ApiServer, "apiServerAuditPolicyFile", Medium,
    ["cis-k8s/3.2.1", "nsa-cisa", "mitre/T1562.008"],
    title: "The API server should have an audit policy",
    checks: "When the API server writes an audit log (`--audit-log-path`) or sends audit events to a webhook, `--audit-policy-file` is set.",
    why: "Without a policy file the API server records no audit events at all: the log path is configured but the log stays empty.",
    example: "command:\n- kube-apiserver\n- --audit-log-path=/var/log/kubernetes/audit.log",
    remediation: edit!("set `--audit-policy-file` to a policy that records at least metadata for Secrets, ConfigMaps and TokenReviews and requests for pod exec, attach, port-forward and RBAC changes"),
    eval: |i| {
        let auditing = i.flags.non_empty("audit-log-path").is_some() || i.flags.non_empty("audit-webhook-config-file").is_some();
        if auditing { must_set(i, &["audit-policy-file"]) } else { None }
    },
);

flag_rule!(API_SERVER_REQUEST_TIMEOUT, ApiServer, "apiServerRequestTimeout", Low,
    ["cis-k8s/1.2.20", "mitre/T1499"],
    title: "The API server's request timeout should be bounded",
    checks: "`--request-timeout`, when set, is a positive Go duration of at most one hour (the default is 60s).",
    why: "Requests that never time out hold connections and memory: a slow client, or many, can exhaust the API server.",
    example: "command:\n- kube-apiserver\n- --request-timeout=0s",
    remediation: edit!("remove `--request-timeout` or set it to a bounded value such as `300s`"),
    eval: |i| {
        let v = i.flags.get("request-timeout")?;
        match parse_duration_secs(v) {
            Some(s) if s > 0.0 && s <= 3600.0 => None,
            Some(_) => Some(Fail { flag: "request-timeout", message: format!("sets --request-timeout={v}, which is not a bounded positive timeout") }),
            None => Some(Fail { flag: "request-timeout", message: format!("sets --request-timeout={v}, which is not a duration") }),
        }
    },
);

flag_rule!(API_SERVER_SERVICE_ACCOUNT_LOOKUP, ApiServer, "apiServerServiceAccountLookup", Medium,
    ["cis-k8s/1.2.21", "nsa-cisa", "mitre/T1528"],
    title: "The API server should check that service account tokens still exist",
    checks: "`--service-account-lookup` is not false (the default is true).",
    why: "Without the lookup a token stays valid after its Secret or service account is deleted, until it expires: revoking a leaked legacy token does nothing.",
    example: "command:\n- kube-apiserver\n- --service-account-lookup=false",
    remediation: edit!("remove `--service-account-lookup=false`"),
    eval: |i| must_be(i, "service-account-lookup", true, true),
);

flag_rule!(API_SERVER_SERVICE_ACCOUNT_KEY_FILE, ApiServer, "apiServerServiceAccountKeyFile", Medium,
    ["cis-k8s/1.2.22", "nsa-cisa", "mitre/T1528"],
    title: "The API server should verify service account tokens with a dedicated key",
    checks: "`kube-apiserver` sets `--service-account-key-file`.",
    why: "Without it the API server falls back to its TLS serving key to verify tokens, so the key pair cannot be rotated on its own and a leaked serving key also forges service account tokens.",
    example: "command:\n- kube-apiserver\n- --tls-cert-file=/etc/kubernetes/pki/apiserver.crt\n- --tls-private-key-file=/etc/kubernetes/pki/apiserver.key",
    remediation: edit!("set `--service-account-key-file` to the public key matching the controller manager's `--service-account-private-key-file` (and `--service-account-signing-key-file`)"),
    eval: |i| must_set(i, &["service-account-key-file"]),
);

flag_rule!(API_SERVER_ETCD_CLIENT_CERTIFICATE, ApiServer, "apiServerEtcdClientCertificate", High,
    ["cis-k8s/1.2.23", "nsa-cisa", "mitre/T1552"],
    title: "The API server should authenticate to etcd with a client certificate",
    checks: "`kube-apiserver` sets `--etcd-certfile` and `--etcd-keyfile`.",
    why: "etcd holds every object of the cluster, Secrets included. If the API server needs no certificate to reach it, etcd accepts unauthenticated clients, and anyone who reaches port 2379 reads or rewrites the cluster.",
    example: "command:\n- kube-apiserver\n- --etcd-servers=http://127.0.0.1:2379",
    remediation: edit!("set `--etcd-certfile` and `--etcd-keyfile` to a client certificate etcd's CA signed, and require client certificates on etcd (`--client-cert-auth=true`)"),
    eval: |i| must_set(i, &["etcd-certfile", "etcd-keyfile"]),
);

flag_rule!(API_SERVER_TLS_CERTIFICATE, ApiServer, "apiServerTlsCertificate", High,
    ["cis-k8s/1.2.24", "nsa-cisa", "mitre/T1557"],
    title: "The API server should serve with a provisioned TLS certificate",
    checks: "`kube-apiserver` sets `--tls-cert-file` and `--tls-private-key-file`.",
    why: "Without them the API server generates a self-signed certificate that clients cannot verify, which trains them to skip verification and leaves the connection open to interception.",
    example: "command:\n- kube-apiserver\n- --secure-port=6443",
    remediation: edit!("set `--tls-cert-file` and `--tls-private-key-file` to a certificate signed by the cluster CA"),
    eval: |i| must_set(i, &["tls-cert-file", "tls-private-key-file"]),
);

flag_rule!(API_SERVER_CLIENT_CA_FILE, ApiServer, "apiServerClientCaFile", High,
    ["cis-k8s/1.2.25", "nsa-cisa", "mitre/T1078"],
    title: "The API server should verify client certificates",
    checks: "`kube-apiserver` sets `--client-ca-file`.",
    why: "Without a client CA the API server cannot authenticate client certificates: kubelets and components fall back to weaker credentials, and the certificate-based trust model of the cluster is off.",
    example: "command:\n- kube-apiserver\n- --tls-cert-file=/etc/kubernetes/pki/apiserver.crt",
    remediation: edit!("set `--client-ca-file=/etc/kubernetes/pki/ca.crt`"),
    eval: |i| must_set(i, &["client-ca-file"]),
);

flag_rule!(API_SERVER_ETCD_CA_FILE, ApiServer, "apiServerEtcdCaFile", High,
    ["cis-k8s/1.2.26", "nsa-cisa", "mitre/T1557"],
    title: "The API server should verify etcd's certificate",
    checks: "`kube-apiserver` sets `--etcd-cafile`.",
    why: "Without it the API server trusts any server that answers on the etcd address: whoever can redirect that traffic serves it forged objects and collects every write, Secrets included.",
    example: "command:\n- kube-apiserver\n- --etcd-certfile=/etc/kubernetes/pki/apiserver-etcd-client.crt\n- --etcd-keyfile=/etc/kubernetes/pki/apiserver-etcd-client.key",
    remediation: edit!("set `--etcd-cafile` to the CA of etcd's serving certificates"),
    eval: |i| must_set(i, &["etcd-cafile"]),
);

flag_rule!(API_SERVER_ENCRYPTION_PROVIDER_CONFIG, ApiServer, "apiServerEncryptionProviderConfig", Medium,
    ["cis-k8s/1.2.27", "nsa-cisa", "mitre/T1552.007"],
    title: "The API server should encrypt Secrets at rest",
    checks: "`kube-apiserver` sets `--encryption-provider-config` (the file's providers are not visible in the snapshot; CIS 1.2.28 asks for `kms`, `aescbc`, `aesgcm` or `secretbox` there).",
    why: "Without an encryption configuration Secrets are stored in etcd in plain text: anyone with a copy of etcd's data directory or a backup reads every credential of the cluster.",
    example: "command:\n- kube-apiserver\n- --etcd-servers=https://127.0.0.1:2379",
    remediation: edit!("write an EncryptionConfiguration (preferably a KMS v2 provider) for `secrets`, set `--encryption-provider-config` to it, and rewrite existing Secrets (`kubectl get secrets -A -o json | kubectl replace -f -`)"),
    eval: |i| must_set(i, &["encryption-provider-config"]),
);

flag_rule!(API_SERVER_TLS_CIPHER_SUITES, ApiServer, "apiServerTlsCipherSuites", Low,
    ["cis-k8s/1.2.29", "nsa-cisa", "mitre/T1557"],
    title: "The API server should offer strong TLS cipher suites only",
    checks: "`--tls-cipher-suites` is set and lists only ECDHE or TLS 1.3 suites with AES or ChaCha20 (the benchmark's list); without it the Go defaults apply, which still include RSA key exchange suites.",
    why: "Suites without forward secrecy (RSA key exchange) or with 3DES or RC4 let a recorded session be decrypted later or weaken it against known attacks.",
    example: "command:\n- kube-apiserver\n- --tls-cipher-suites=TLS_RSA_WITH_AES_128_CBC_SHA,TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
    remediation: edit!("set `--tls-cipher-suites=TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384,TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256,TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256`"),
    eval: |i| {
        let suites = i.flags.list("tls-cipher-suites");
        if suites.is_empty() {
            return Some(Fail { flag: "tls-cipher-suites", message: "does not set --tls-cipher-suites: the Go defaults, with RSA key exchange, are offered".into() });
        }
        let weak: Vec<&str> = suites.into_iter().filter(|s| !STRONG_CIPHERS.contains(s)).collect();
        (!weak.is_empty()).then(|| Fail { flag: "tls-cipher-suites", message: format!("offers weak TLS cipher suites: {}", weak.join(", ")) })
    },
);

flag_rule!(API_SERVER_EXTEND_TOKEN_EXPIRATION, ApiServer, "apiServerExtendTokenExpiration", Low,
    ["cis-k8s/1.2.30", "mitre/T1528"],
    title: "The API server should not extend service account token lifetimes",
    checks: "`kube-apiserver` runs with `--service-account-extend-token-expiration=false` (the default is true).",
    why: "With the extension, projected tokens requested for an hour are issued for a year (to ease migration to bound tokens): a stolen token stays usable far longer than its pod asked for.",
    example: "command:\n- kube-apiserver\n- --service-account-issuer=https://kubernetes.default.svc",
    remediation: edit!("set `--service-account-extend-token-expiration=false` once no client relies on the old long-lived tokens"),
    eval: |i| must_be(i, "service-account-extend-token-expiration", false, true),
);

flag_rule!(API_SERVER_INSECURE_PORT, ApiServer, "apiServerInsecurePort", Critical,
    ["nsa-cisa", "mitre/T1190", "mitre/T1078"],
    title: "The API server should not serve an unauthenticated HTTP port",
    checks: "`--insecure-port` is absent or 0 and `--insecure-bind-address` is not set (CIS 1.2.19 and 1.2.18 of benchmark v1.6). Before Kubernetes 1.20 the insecure port defaulted to 8080 on localhost, so an API server of an older version (from its image tag or the cluster's) without `--insecure-port=0` fails; the flags were removed in 1.24.",
    why: "The insecure port serves the whole API over plain HTTP with no authentication and no authorization: anything that reaches it (a pod on the host network, an SSRF on the node) is cluster-admin.",
    example: "command:\n- kube-apiserver\n- --insecure-port=8080\n- --insecure-bind-address=0.0.0.0",
    remediation: edit!("set `--insecure-port=0` and remove `--insecure-bind-address`, then upgrade to a supported Kubernetes version, where the insecure port no longer exists"),
    eval: |i| {
        if let Some(addr) = i.flags.non_empty("insecure-bind-address") {
            if i.flags.get("insecure-port").map(str::trim) != Some("0") {
                return Some(Fail { flag: "insecure-bind-address", message: format!("serves the unauthenticated insecure port on --insecure-bind-address={addr}") });
            }
        }
        match i.flags.get("insecure-port").map(str::trim) {
            Some("0") => None,
            Some(p) => Some(Fail { flag: "insecure-port", message: format!("serves the API without authentication on --insecure-port={p}") }),
            None if i.older_than((1, 20)) => Some(Fail { flag: "insecure-port", message: "does not set --insecure-port=0: before Kubernetes 1.20 the unauthenticated port 8080 is open on localhost by default".into() }),
            None => None,
        }
    },
);

flag_rule!(API_SERVER_SECURE_PORT_DISABLED, ApiServer, "apiServerSecurePortDisabled", High,
    ["nsa-cisa", "mitre/T1557"],
    title: "The API server should serve on its secure port",
    checks: "`--secure-port` is not 0 (CIS 1.2.20 of benchmark v1.6).",
    why: "With the secure port disabled the API is served only over the unauthenticated HTTP port, if at all: no TLS, no authentication.",
    example: "command:\n- kube-apiserver\n- --secure-port=0",
    remediation: edit!("set `--secure-port=6443` (or remove the flag)"),
    eval: |i| (i.flags.get("secure-port").map(str::trim) == Some("0")).then(|| Fail { flag: "secure-port", message: "disables its TLS port (--secure-port=0)".into() }),
);

flag_rule!(API_SERVER_KUBELET_HTTPS, ApiServer, "apiServerKubeletHttps", High,
    ["nsa-cisa", "mitre/T1557"],
    title: "The API server should talk to kubelets over HTTPS",
    checks: "`--kubelet-https` is not false (CIS 1.2.5 of benchmark v1.6; the flag was removed in Kubernetes 1.22, where HTTPS is always used).",
    why: "Over plain HTTP, exec, attach, logs and port-forward traffic between the API server and the nodes (commands, output, secrets printed in logs) crosses the network readable and alterable.",
    example: "command:\n- kube-apiserver\n- --kubelet-https=false",
    remediation: edit!("remove `--kubelet-https=false`, and upgrade to a supported version where the flag no longer exists"),
    eval: |i| must_be(i, "kubelet-https", true, true),
);

flag_rule!(API_SERVER_POD_SECURITY_ADMISSION, ApiServer, "apiServerPodSecurityAdmission", High,
    ["nsa-cisa", "mitre/T1610"],
    title: "The API server should keep Pod Security Admission",
    checks: "The `PodSecurity` admission plugin is in effect (on by default since Kubernetes 1.23): not removed by `--disable-admission-plugins` or left out of a `--admission-control` list. Not evaluated before 1.23.",
    why: "Without the plugin the `pod-security.kubernetes.io/enforce` labels on namespaces are ignored: every namespace that looks protected admits privileged pods.",
    example: "command:\n- kube-apiserver\n- --disable-admission-plugins=PodSecurity",
    remediation: edit!("remove `PodSecurity` from `--disable-admission-plugins` (or enforce equivalent policies with a policy engine and exempt this finding)"),
    eval: |i| if i.older_than((1, 23)) { None } else { plugin_required(i, "PodSecurity") },
);
