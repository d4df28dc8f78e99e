use crate::rules::testing::{findings, findings_with};
use crate::rules::{Finding, RuleOptions};

use super::credentials::{classify_name, classify_value, NameKind};
use super::host_path::normalize;
use super::runtime::privilege_switch;

/// Findings of one rule on one resource, as (container, field).
fn of<'a>(f: &'a [Finding], rule: &str, name: &str) -> Vec<&'a Finding> {
    f.iter()
        .filter(|f| f.rule == rule && f.resource.name == name)
        .collect()
}

fn fields(f: &[Finding], rule: &str, name: &str) -> Vec<String> {
    let mut v: Vec<String> = of(f, rule, name).iter().map(|f| f.field.clone()).collect();
    v.sort();
    v
}

/// A Deployment in namespace `apps` with the given pod spec body (indented 6).
fn deployment(name: &str, spec: &str) -> String {
    format!(
        "apiVersion: apps/v1\nkind: Deployment\nmetadata: {{name: {name}, namespace: apps}}\nspec:\n  template:\n    spec:\n{}",
        indent(spec, 6)
    )
}

fn daemonset(name: &str, spec: &str) -> String {
    format!(
        "apiVersion: apps/v1\nkind: DaemonSet\nmetadata: {{name: {name}, namespace: apps}}\nspec:\n  template:\n    spec:\n{}",
        indent(spec, 6)
    )
}

fn cronjob(name: &str, spec: &str) -> String {
    format!(
        "apiVersion: batch/v1\nkind: CronJob\nmetadata: {{name: {name}, namespace: apps}}\nspec:\n  schedule: '@daily'\n  jobTemplate:\n    spec:\n      template:\n        spec:\n{}",
        indent(spec, 10)
    )
}

fn pod(name: &str, namespace: &str, spec: &str) -> String {
    format!(
        "apiVersion: v1\nkind: Pod\nmetadata: {{name: {name}, namespace: {namespace}}}\nspec:\n{}",
        indent(spec, 2)
    )
}

fn indent(text: &str, n: usize) -> String {
    let pad = " ".repeat(n);
    text.lines().map(|l| format!("{pad}{l}\n")).collect()
}

fn docs(parts: &[String]) -> String {
    parts.join("---\n")
}

#[test]
fn host_paths_sockets_and_writable_mounts() {
    let spec = "containers:\n\
- name: agent\n  image: a:1\n  volumeMounts:
  - {name: root, mountPath: /host, readOnly: true}
  - {name: logs, mountPath: /var/log}
  - {name: sock, mountPath: /run/containerd/containerd.sock}
  - {name: tz, mountPath: /etc/localtime, readOnly: true}
  - {name: data, mountPath: /data}
  - {name: run, mountPath: /host-run, readOnly: true}
  - {name: var, mountPath: /host-var, readOnly: true}
  - {name: srv, mountPath: /cfg, subPath: ../etc/kubernetes, readOnly: true}
  - {name: empty, mountPath: /tmp}
  - {name: lock, mountPath: /run/xtables.lock}\n\
volumes:\n\
- {name: root, hostPath: {path: /}}\n\
- {name: logs, hostPath: {path: /var/log/}}\n\
- {name: sock, hostPath: {path: /run/containerd/containerd.sock, type: Socket}}\n\
- {name: tz, hostPath: {path: /etc/localtime}}\n\
- {name: data, hostPath: {path: /opt/data}}\n\
- {name: run, hostPath: {path: /var/run}}\n\
- {name: var, hostPath: {path: /var}}\n\
- {name: srv, hostPath: {path: /srv}}\n\
- {name: empty, emptyDir: {}}\n\
- {name: lock, hostPath: {path: /run/xtables.lock, type: FileOrCreate}}\n";
    let f = findings(&daemonset("agent", spec));
    let m = "spec.template.spec.containers[0].volumeMounts";
    assert_eq!(
        fields(&f, "containerRuntimeSocket", "agent"),
        [format!("{m}[2]"), format!("{m}[5]")]
    );
    assert_eq!(
        fields(&f, "hostPathSensitive", "agent"),
        [
            format!("{m}[0]"),
            format!("{m}[1]"),
            format!("{m}[6]"),
            format!("{m}[7]")
        ]
    );
    assert_eq!(
        fields(&f, "hostPathWritable", "agent"),
        [format!("{m}[1].readOnly"), format!("{m}[4].readOnly")]
    );
    let sock = &of(&f, "containerRuntimeSocket", "agent")[0];
    assert_eq!(sock.resource.kind, "DaemonSet");
    assert_eq!(sock.container, "agent");
    assert!(
        sock.message.contains("/run/containerd/containerd.sock"),
        "{}",
        sock.message
    );
    let run = of(&f, "containerRuntimeSocket", "agent")[1];
    assert!(
        run.message.contains("host directory /var/run"),
        "{}",
        run.message
    );
    let sensitive = of(&f, "hostPathSensitive", "agent");
    assert!(
        sensitive[2]
            .message
            .contains("/var, which contains /var/lib/kubelet"),
        "{}",
        sensitive[2].message
    );
    assert!(
        sensitive[3].message.contains("/etc/kubernetes"),
        "{}",
        sensitive[3].message
    );
    assert!(sensitive[0].message.contains("read-only"));

    // The same in a CronJob: the path goes through the job template.
    let f = findings(&cronjob(
        "backup",
        "containers:\n- name: dump\n  image: a:1\n  volumeMounts: [{name: s, mountPath: /var/run/docker.sock}]\nvolumes: [{name: s, hostPath: {path: /var/run/docker.sock}}]\nrestartPolicy: OnFailure\n",
    ));
    let sock = of(&f, "containerRuntimeSocket", "backup");
    assert_eq!(sock.len(), 1);
    assert_eq!(sock[0].resource.kind, "CronJob");
    assert_eq!(
        sock[0].field,
        "spec.jobTemplate.spec.template.spec.containers[0].volumeMounts[0]"
    );
    assert!(of(&f, "hostPathWritable", "backup").is_empty());
}

#[test]
fn host_path_normalisation() {
    assert_eq!(normalize("/"), "/");
    assert_eq!(normalize("//var/./log/"), "/var/log");
    assert_eq!(normalize("/srv/../etc"), "/etc");
    assert_eq!(normalize("/../.."), "/");
}

#[test]
fn dangerous_capabilities_are_named_and_net_raw_must_be_dropped() {
    let spec = "containers:\n\
- name: a\n  image: a:1\n  securityContext:\n    capabilities: {add: [NET_BIND_SERVICE, cap_sys_admin], drop: [ALL]}\n\
- name: b\n  image: b:1\n  securityContext:\n    capabilities: {add: [NET_RAW, NET_ADMIN], drop: [ALL]}\n\
- name: c\n  image: c:1\n\
- name: d\n  image: d:1\n  securityContext:\n    capabilities: {drop: [net_raw]}\n";
    let f = findings(&deployment("web", spec));
    let p = "spec.template.spec.containers";
    assert_eq!(
        fields(&f, "dangerousCapabilities", "web"),
        [
            format!("{p}[0].securityContext.capabilities.add[1]"),
            format!("{p}[1].securityContext.capabilities.add[1]")
        ]
    );
    let dangerous = of(&f, "dangerousCapabilities", "web");
    assert!(dangerous
        .iter()
        .any(|f| f.container == "a" && f.message.contains("SYS_ADMIN")));
    assert!(dangerous
        .iter()
        .any(|f| f.container == "b" && f.message.contains("NET_ADMIN")));
    assert_eq!(
        fields(&f, "netRawCapability", "web"),
        [
            format!("{p}[1].securityContext.capabilities.add[0]"),
            format!("{p}[2].securityContext.capabilities.drop")
        ]
    );
    // Windows pods are not held to Linux capability rules.
    let f = findings(&deployment(
        "win",
        "os: {name: windows}\ncontainers:\n- {name: a, image: a:1}\n",
    ));
    assert!(of(&f, "netRawCapability", "win").is_empty());
    assert!(of(&f, "readOnlyRootFilesystem", "win").is_empty());
}

#[test]
fn read_only_root_filesystem() {
    let spec = "initContainers:\n- name: init\n  image: a:1\n  securityContext: {readOnlyRootFilesystem: true}\n\
containers:\n- name: a\n  image: a:1\n  securityContext: {readOnlyRootFilesystem: false}\n- name: b\n  image: b:1\n- name: c\n  image: c:1\n  securityContext: {readOnlyRootFilesystem: true}\n";
    let f = findings(&deployment("web", spec));
    assert_eq!(
        fields(&f, "readOnlyRootFilesystem", "web"),
        [
            "spec.template.spec.containers[0].securityContext.readOnlyRootFilesystem",
            "spec.template.spec.containers[1].securityContext.readOnlyRootFilesystem"
        ]
    );
    assert!(of(&f, "readOnlyRootFilesystem", "web")[0]
        .message
        .contains("is false"));
}

#[test]
fn requests_and_memory_limits() {
    let spec = "initContainers:\n- name: init\n  image: a:1\n\
containers:\n\
- name: full\n  image: a:1\n  resources: {requests: {cpu: 100m, memory: 64Mi}, limits: {memory: 64Mi}}\n\
- name: limits-only\n  image: a:1\n  resources: {limits: {cpu: '1', memory: 1Gi}}\n\
- name: no-mem-request\n  image: a:1\n  resources: {requests: {cpu: 100m}}\n";
    let f = findings(&daemonset("agent", spec));
    let p = "spec.template.spec";
    assert_eq!(
        fields(&f, "resourceRequests", "agent"),
        [
            format!("{p}.containers[2].resources.requests.memory"),
            format!("{p}.initContainers[0].resources.requests"),
        ]
    );
    assert_eq!(
        fields(&f, "memoryLimits", "agent"),
        [
            format!("{p}.containers[2].resources.limits.memory"),
            format!("{p}.initContainers[0].resources.limits.memory"),
        ]
    );
    assert!(of(&f, "resourceRequests", "agent")
        .iter()
        .any(|f| f.message.contains("no cpu or memory request")));
}

#[test]
fn probes_only_for_long_running_regular_containers() {
    let spec = "initContainers:\n- {name: init, image: a:1}\n\
containers:\n\
- name: both\n  image: a:1\n  livenessProbe: {httpGet: {path: /healthz, port: 8080}}\n  readinessProbe: {exec: {command: [true]}}\n\
- name: none\n  image: a:1\n\
- name: ready-only\n  image: a:1\n  readinessProbe: {tcpSocket: {port: 80}}\n";
    let yaml = docs(&[
        deployment("web", spec),
        cronjob(
            "nightly",
            "restartPolicy: OnFailure\ncontainers:\n- {name: job, image: a:1}\n",
        ),
        pod(
            "once",
            "apps",
            "restartPolicy: Never\ncontainers:\n- {name: c, image: a:1}\n",
        ),
        pod("server", "apps", "containers:\n- {name: c, image: a:1}\n"),
    ]);
    let f = findings(&yaml);
    let p = "spec.template.spec.containers";
    assert_eq!(
        fields(&f, "livenessProbe", "web"),
        [
            format!("{p}[1].livenessProbe"),
            format!("{p}[2].livenessProbe")
        ]
    );
    assert_eq!(
        fields(&f, "readinessProbe", "web"),
        [format!("{p}[1].readinessProbe")]
    );
    assert!(of(&f, "livenessProbe", "nightly").is_empty());
    assert!(of(&f, "readinessProbe", "nightly").is_empty());
    // A standalone pod is judged like any long-running workload.
    assert_eq!(
        fields(&f, "readinessProbe", "once"),
        ["spec.containers[0].readinessProbe"]
    );
    assert_eq!(
        fields(&f, "livenessProbe", "server"),
        ["spec.containers[0].livenessProbe"]
    );
}

#[test]
fn image_tags_digests_and_pull_policy() {
    let spec = "containers:\n\
- {name: latest, image: 'ghcr.io/acme/cart:latest'}\n\
- {name: untagged, image: acme/recommender}\n\
- {name: pinned, image: 'ghcr.io/acme/api@sha256:b2412fae2beef78c13e95a13dc08782070f1b01ff27f1e51d5f6656815870521'}\n\
- {name: fixed, image: 'nginx:1.25.3'}\n\
- {name: stable, image: 'acme/tool:stable'}\n\
- {name: latest-cached, image: 'acme/x:latest', imagePullPolicy: IfNotPresent}\n\
- {name: port, image: 'localhost:5000/app'}\n";
    let f = findings(&deployment("web", spec));
    let p = "spec.template.spec.containers";
    assert_eq!(
        fields(&f, "imageLatestTag", "web"),
        [
            format!("{p}[0].image"),
            format!("{p}[1].image"),
            format!("{p}[5].image"),
            format!("{p}[6].image")
        ]
    );
    let untagged = of(&f, "imageLatestTag", "web");
    let untagged = untagged.iter().find(|f| f.container == "untagged").unwrap();
    assert!(
        untagged.message.contains("has no tag"),
        "{}",
        untagged.message
    );
    let digest = fields(&f, "imageDigest", "web");
    assert_eq!(digest.len(), 6);
    assert!(!digest.contains(&format!("{p}[2].image")));
    assert_eq!(
        fields(&f, "imagePullPolicy", "web"),
        [
            format!("{p}[4].imagePullPolicy"),
            format!("{p}[5].imagePullPolicy")
        ]
    );
}

#[test]
fn trusted_registries() {
    let spec = "containers:\n\
- {name: a, image: 'ghcr.io/acme/api:1'}\n\
- {name: b, image: 'ghcr.io/acmecorp/api:1'}\n\
- {name: c, image: 'nginx:1.25'}\n\
- {name: d, image: '123456789012.dkr.ecr.us-east-1.amazonaws.com/web:2'}\n\
- {name: e, image: 'nicolaka/netshoot:latest'}\n\
- {name: f, image: 'index.docker.io/library/redis:7'}\n";
    let yaml = deployment("web", spec);
    assert!(of(&findings(&yaml), "trustedRegistry", "web").is_empty());
    let options = RuleOptions {
        trusted_registries: vec![
            "https://GHCR.io/acme/".into(),
            "*.dkr.ecr.us-east-1.amazonaws.com".into(),
            "docker.io/library".into(),
        ],
        ..RuleOptions::default()
    };
    let f = findings_with(&yaml, &options);
    let p = "spec.template.spec.containers";
    assert_eq!(
        fields(&f, "trustedRegistry", "web"),
        [format!("{p}[1].image"), format!("{p}[4].image")]
    );
    let netshoot = of(&f, "trustedRegistry", "web")[1];
    assert!(
        netshoot.message.contains("docker.io/nicolaka/netshoot"),
        "{}",
        netshoot.message
    );
}

#[test]
fn namespaces_naked_pods_and_service_accounts() {
    let yaml = docs(&[
        "apiVersion: v1\nkind: ServiceAccount\nmetadata: {name: quiet, namespace: apps}\nautomountServiceAccountToken: false\n".into(),
        "apiVersion: v1\nkind: ServiceAccount\nmetadata: {name: chatty, namespace: apps}\n".into(),
        deployment("sa-off", "serviceAccountName: quiet\ncontainers: [{name: c, image: a:1}]\n"),
        deployment("pod-wins", "serviceAccountName: quiet\nautomountServiceAccountToken: true\ncontainers: [{name: c, image: a:1}]\n"),
        deployment("pod-off", "serviceAccountName: chatty\nautomountServiceAccountToken: false\ncontainers: [{name: c, image: a:1}]\n"),
        deployment("sa-on", "serviceAccountName: chatty\ncontainers: [{name: c, image: a:1}]\n"),
        cronjob("uses-default", "restartPolicy: OnFailure\ncontainers: [{name: c, image: a:1}]\n"),
        deployment("default-no-token", "automountServiceAccountToken: false\ncontainers: [{name: c, image: a:1}]\n"),
        pod("debug", "default", "containers: [{name: c, image: a:1}]\n"),
        "apiVersion: v1\nkind: Pod\nmetadata:\n  name: web-1\n  namespace: apps\n  ownerReferences: [{apiVersion: apps/v1, kind: ReplicaSet, name: web, uid: u1, controller: true}]\nspec:\n  containers: [{name: c, image: a:1}]\n".into(),
    ]);
    let f = findings(&yaml);
    let token = |name: &str| of(&f, "serviceAccountToken", name);
    assert!(token("sa-off").is_empty());
    assert!(token("pod-off").is_empty());
    assert!(token("default-no-token").is_empty());
    assert_eq!(token("pod-wins").len(), 1);
    assert!(token("pod-wins")[0]
        .message
        .contains("sets automountServiceAccountToken: true"));
    assert_eq!(
        token("pod-wins")[0].field,
        "spec.template.spec.automountServiceAccountToken"
    );
    assert!(token("sa-on")[0].message.contains("ServiceAccount chatty"));
    let cron = token("uses-default");
    assert_eq!(
        cron[0].field,
        "spec.jobTemplate.spec.template.spec.automountServiceAccountToken"
    );
    assert!(
        cron[0].message.contains("not in the snapshot"),
        "{}",
        cron[0].message
    );

    // `web` is the absent ReplicaSet of pod web-1, named after it.
    let mut default_sa: Vec<&str> = f
        .iter()
        .filter(|f| f.rule == "defaultServiceAccount")
        .map(|f| f.resource.name.as_str())
        .collect();
    default_sa.sort();
    assert_eq!(default_sa, ["debug", "uses-default", "web"]);
    assert_eq!(
        fields(&f, "defaultServiceAccount", "uses-default"),
        ["spec.jobTemplate.spec.template.spec.serviceAccountName"]
    );

    let naked: Vec<&str> = f
        .iter()
        .filter(|f| f.rule == "nakedPod")
        .map(|f| f.resource.name.as_str())
        .collect();
    assert_eq!(naked, ["debug"]);
    let in_default: Vec<(&str, &str)> = f
        .iter()
        .filter(|f| f.rule == "defaultNamespace")
        .map(|f| (f.resource.kind.as_str(), f.resource.name.as_str()))
        .collect();
    assert_eq!(in_default, [("Pod", "debug")]);
}

#[test]
fn secrets_in_env_and_literal_credentials() {
    let spec = "containers:\n\
- name: api\n  image: a:1\n  env:
  - {name: DB_PASSWORD, value: changeme123}
  - {name: DB_HOST, value: postgres}
  - name: API_TOKEN\n    valueFrom: {secretKeyRef: {name: api, key: token}}
  - {name: PASSWORD_FILE, value: /run/secrets/db}
  - {name: ADMIN_PASSWORD, value: $(OTHER)}
  - {name: DATABASE_URL, value: 'postgres://app:s3cr3t@db:5432/app'}
  - {name: REDIS_URL, value: 'redis://redis:6379/0'}
  - {name: UPLOAD_KEY, value: AKIAIOSFODNN7EXAMPLE}
  - {name: STRIPE_PUBLISHABLE_KEY, value: pk_live_123}
  - {name: TLS_KEY, value: \"-----BEGIN RSA PRIVATE KEY-----\\nMII\"}
  envFrom:\n  - configMapRef: {name: cfg}\n  - secretRef: {name: all}\n";
    let f = findings(&docs(&[
        deployment("api", spec),
        cronjob("job", "restartPolicy: OnFailure\ncontainers:\n- name: dump\n  image: a:1\n  env: [{name: PGPASSWORD, valueFrom: {secretKeyRef: {name: db, key: password}}}]\n"),
    ]));
    let p = "spec.template.spec.containers[0]";
    assert_eq!(
        fields(&f, "secretsInEnv", "api"),
        [
            format!("{p}.envFrom[1].secretRef"),
            format!("{p}.env[2].valueFrom.secretKeyRef")
        ]
    );
    assert_eq!(
        fields(&f, "secretsInEnv", "job"),
        ["spec.jobTemplate.spec.template.spec.containers[0].env[0].valueFrom.secretKeyRef"]
    );
    assert_eq!(
        fields(&f, "credentialsInEnv", "api"),
        [
            format!("{p}.env[0].value"),
            format!("{p}.env[5].value"),
            format!("{p}.env[7].value"),
            format!("{p}.env[9].value")
        ]
    );
    for finding in of(&f, "credentialsInEnv", "api") {
        for secret in ["changeme123", "s3cr3t", "AKIAIOSFODNN7EXAMPLE", "MII"] {
            assert!(!finding.message.contains(secret), "{}", finding.message);
        }
    }
    let messages: Vec<&str> = of(&f, "credentialsInEnv", "api")
        .iter()
        .map(|f| f.message.as_str())
        .collect();
    assert!(messages[0].contains("DB_PASSWORD") && messages[0].contains("11 characters"));
    assert!(
        messages[2].contains("AKIA…, 20 characters"),
        "{}",
        messages[2]
    );
}

#[test]
fn credential_names_and_values() {
    for name in [
        "DB_PASSWORD",
        "dbPassword",
        "db.password",
        "api_key",
        "apiKey",
        "aws_secret_access_key",
        "GITHUB_TOKEN",
        "client-secret",
        "tls.key",
        "id_rsa",
        "SECRET_KEY_BASE",
        "DB_PASS",
    ] {
        assert_eq!(classify_name(name), Some(NameKind::Credential), "{name}");
    }
    for name in ["DATABASE_URL", "mongodb_uri", "PG_DSN", "ConnectionString"] {
        assert_eq!(
            classify_name(name),
            Some(NameKind::ConnectionString),
            "{name}"
        );
    }
    for name in [
        "PWD",
        "PASSWORD_FILE",
        "SECRET_NAME",
        "TOKEN_URL",
        "STRIPE_PUBLISHABLE_KEY",
        "AWS_ACCESS_KEY_ID",
        "CACHE_KEY",
        "ca.crt",
        "FEATURE_FLAGS",
        "PASSWORD_MIN_LENGTH",
        "users.anonymous.enabled",
        "KEYCLOAK_REALM",
    ] {
        assert_eq!(classify_name(name), None, "{name}");
    }
    assert!(classify_value("key=AKIAIOSFODNN7EXAMPLE;").is_some());
    assert!(classify_value("XAKIAIOSFODNN7EXAMPLE").is_none());
    assert!(classify_value("amqp://guest:guest@rabbit:5672/").is_some());
    assert!(classify_value("https://user@host/x").is_none());
    assert!(classify_value("postgres://app:$(DB_PASSWORD)@db/app").is_none());
    assert!(classify_value("https://example.com/a:b@c").is_none());
    assert!(classify_value("ghp_0123456789abcdefghij0123").is_some());
}

#[test]
fn config_map_keys_are_judged_by_name() {
    let yaml = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: storefront-config, namespace: shop}\ndata:\n  api_key: AKIADEMOFAKEKEY00001\n  aws_secret_access_key: x\n  STRIPE_PUBLISHABLE_KEY: pk\n  CDN_URL: https://cdn\n  DATABASE_URL: postgres://u:p@h/db\n---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: kube-root-ca.crt, namespace: shop}\ndata:\n  ca.crt: x\n";
    let f = findings(yaml);
    let cm: Vec<&Finding> = f
        .iter()
        .filter(|f| f.rule == "credentialsInConfigMap")
        .collect();
    let mut keys: Vec<&str> = cm.iter().map(|f| f.field.as_str()).collect();
    keys.sort();
    assert_eq!(
        keys,
        [
            "data.DATABASE_URL",
            "data.api_key",
            "data.aws_secret_access_key"
        ]
    );
    for finding in &cm {
        assert_eq!(finding.resource.kind, "ConfigMap");
        assert_eq!(finding.resource.name, "storefront-config");
        assert_eq!(&*finding.source.file, "t.yaml");
        assert!(!finding.message.contains("DEMOFAKE"), "{}", finding.message);
    }
}

#[test]
fn sudo_su_and_doas_in_command_lines() {
    let s = |v: &[&str]| privilege_switch(&v.iter().map(|s| s.to_string()).collect::<Vec<_>>());
    assert_eq!(s(&["sudo", "-u", "app", "run"]), Some((0, "sudo")));
    assert_eq!(
        s(&["/bin/sh", "-c", "apt-get update && sudo x"]),
        Some((2, "sudo"))
    );
    assert_eq!(s(&["sh", "-c", "su - app -c run"]), Some((2, "su")));
    assert_eq!(s(&["env", "A=1", "/usr/bin/doas", "x"]), Some((2, "doas")));
    assert_eq!(
        s(&["bash", "-c", "x=$(sudo cat /etc/shadow)"]),
        Some((2, "sudo"))
    );
    assert_eq!(s(&["echo", "sudo"]), None);
    assert_eq!(s(&["--user", "su"]), None);
    assert_eq!(s(&["python", "sudoku.py"]), None);

    let spec = "containers:\n- name: a\n  image: a:1\n  command: [/bin/sh, -c]\n  args: ['id && sudo /setup.sh']\n- name: b\n  image: b:1\n  command: [app, --verbose]\n";
    let f = findings(&daemonset("agent", spec));
    let sudo = of(&f, "sudoInCommand", "agent");
    assert_eq!(sudo.len(), 1);
    assert_eq!(sudo[0].field, "spec.template.spec.containers[0].args[0]");
    assert!(sudo[0].message.contains("runs sudo"));
}

#[test]
fn shared_process_namespace() {
    let f = findings(&docs(&[
        deployment("shared", "shareProcessNamespace: true\ncontainers: [{name: a, image: a:1}, {name: b, image: b:1}]\n"),
        deployment("alone", "containers: [{name: a, image: a:1}]\n"),
    ]));
    assert_eq!(
        fields(&f, "shareProcessNamespace", "shared"),
        ["spec.template.spec.shareProcessNamespace"]
    );
    assert!(of(&f, "shareProcessNamespace", "alone").is_empty());
}

#[test]
fn a_hardened_workload_is_clean() {
    let spec = "serviceAccountName: web\nautomountServiceAccountToken: false\n\
securityContext: {runAsNonRoot: true, seccompProfile: {type: RuntimeDefault}}\n\
containers:\n- name: web\n  image: 'ghcr.io/acme/web:2.14.0@sha256:b2412fae2beef78c13e95a13dc08782070f1b01ff27f1e51d5f6656815870521'
  securityContext: {readOnlyRootFilesystem: true, allowPrivilegeEscalation: false, capabilities: {drop: [ALL]}}
  resources: {requests: {cpu: 100m, memory: 128Mi}, limits: {memory: 128Mi}}
  livenessProbe: {httpGet: {path: /healthz, port: 8080}}\n  readinessProbe: {httpGet: {path: /ready, port: 8080}}
  env:\n  - {name: LOG_LEVEL, value: info}\n  volumeMounts: [{name: tmp, mountPath: /tmp}, {name: creds, mountPath: /secrets, readOnly: true}]\n\
volumes: [{name: tmp, emptyDir: {}}, {name: creds, secret: {secretName: web}}]\n";
    let options = RuleOptions {
        trusted_registries: vec!["ghcr.io/acme".into()],
        ..RuleOptions::default()
    };
    let f = findings_with(&deployment("web", spec), &options);
    let workload: Vec<&Finding> = f
        .iter()
        .filter(|f| super::RULES.iter().any(|r| r.info.id == f.rule))
        .collect();
    assert!(workload.is_empty(), "{workload:#?}");
}

#[test]
fn config_map_values_and_env_values_are_judged_by_shape() {
    let jwt = "eyJhbGciOiJSUzI1NiIsImtpZCI6IjEifQ.eyJzdWIiOiJzeXN0ZW06c2VydmljZWFjY291bnQifQ.c2lnbmF0dXJlLWJ5dGVzLWhlcmU";
    let yaml = format!(
        "apiVersion: v1\nkind: ConfigMap\nmetadata: {{name: app, namespace: shop}}\ndata:\n  \
         nginx.conf: |\n    server {{ listen 443; }}\n    -----BEGIN RSA PRIVATE KEY-----\n    MIIEpAIBAAKCAQEA\n    -----END RSA PRIVATE KEY-----\n  \
         ca.crt: |\n    -----BEGIN CERTIFICATE-----\n    MIIC\n    -----END CERTIFICATE-----\n  \
         notes: rotate the private key yearly\n  \
         upstream: {jwt}\n  \
         SENDGRID_KEY: abc\n  \
         SORT_KEY: name\n  \
         settings: \"Server=db;User Id=app;Password=Tr0ub4dor3;\"\n"
    );
    let f = findings(&yaml);
    let mut cm: Vec<(&str, &str)> = f
        .iter()
        .filter(|f| f.rule == "credentialsInConfigMap")
        .map(|f| (f.field.as_str(), f.message.as_str()))
        .collect();
    cm.sort();
    let fields: Vec<&str> = cm.iter().map(|(f, _)| *f).collect();
    assert_eq!(
        fields,
        [
            "data.SENDGRID_KEY",
            "data.nginx.conf",
            "data.settings",
            "data.upstream"
        ]
    );
    assert!(cm[1].1.contains("holds a PEM private key"), "{}", cm[1].1);
    assert!(cm[2].1.contains("connection string"), "{}", cm[2].1);
    assert!(cm[3].1.contains("JSON Web Token"), "{}", cm[3].1);
    for (_, m) in &cm {
        for secret in ["MIIEpAIBAAKCAQEA", "Tr0ub4dor3", "eyJhbGci"] {
            assert!(!m.contains(secret), "{m}");
        }
    }
    // Environment values, whatever the variable is called.
    let f = findings(&pod("p", "shop", &format!(
        "containers:\n- name: c\n  image: a:1\n  env:\n  - {{name: UPSTREAM, value: '{jwt}'}}\n  - {{name: AUTH_HEADER_VALUE, value: 'Bearer 0123456789abcdef0123'}}\n  - {{name: CA, value: '-----BEGIN CERTIFICATE-----'}}\n  - {{name: STRIPE_KEY, value: sk_test_abc}}\n  - {{name: SORT_KEY, value: created_at}}\n"
    )));
    let messages: Vec<&str> = f
        .iter()
        .filter(|f| f.rule == "credentialsInEnv")
        .map(|f| f.message.as_str())
        .collect();
    assert_eq!(messages.len(), 3, "{messages:?}");
    assert!(
        messages[0].contains("UPSTREAM to a JSON Web Token"),
        "{messages:?}"
    );
    assert!(messages[1].contains("bearer token"), "{messages:?}");
    assert!(
        messages[2].contains("STRIPE_KEY to a literal value"),
        "{messages:?}"
    );
}

#[test]
fn cloud_credential_host_paths_in_every_workload_kind() {
    let spec = "containers:\n\
- name: c\n  image: a:1\n  volumeMounts:
  - {name: aws, mountPath: /creds, readOnly: true}
  - {name: kube, mountPath: /k, subPath: azure.json}
  - {name: etc, mountPath: /host-etc, readOnly: true}
  - {name: data, mountPath: /data}
  - {name: root, mountPath: /host, readOnly: true}
  - {name: certs, mountPath: /etc/ssl/certs, readOnly: true}\n\
volumes:\n\
- {name: aws, hostPath: {path: /home/ubuntu/.aws}}\n\
- {name: kube, hostPath: {path: /etc/kubernetes}}\n\
- {name: etc, hostPath: {path: /etc}}\n\
- {name: data, hostPath: {path: /opt/data}}\n\
- {name: root, hostPath: {path: /}}\n\
- {name: certs, hostPath: {path: /etc/ssl/certs}}\n";
    let yaml = docs(&[
        deployment("d", spec),
        daemonset("ds", spec),
        cronjob("cj", spec),
        pod("p", "apps", spec),
    ]);
    let f = findings(&yaml);
    for (name, prefix) in [
        ("d", "spec.template.spec."),
        ("ds", "spec.template.spec."),
        ("cj", "spec.jobTemplate.spec.template.spec."),
        ("p", "spec."),
    ] {
        let m = format!("{prefix}containers[0].volumeMounts");
        assert_eq!(
            fields(&f, "hostPathCloudCredentials", name),
            [format!("{m}[0]"), format!("{m}[1]"), format!("{m}[2]")],
            "{name}"
        );
    }
    let kube = of(&f, "hostPathCloudCredentials", "d")
        .into_iter()
        .find(|f| f.field.ends_with("[1]"))
        .map(|f| f.message.clone())
        .unwrap_or_default();
    assert!(
        kube.contains("/etc/kubernetes/azure.json") && kube.contains("service principal"),
        "{kube}"
    );
    // A clean workload: no finding.
    let clean = findings(&deployment(
        "clean",
        "containers:\n- name: c\n  image: a:1\n  volumeMounts:\n  - {name: d, mountPath: /d}\nvolumes:\n- {name: d, hostPath: {path: /var/lib/app}}\n",
    ));
    assert!(of(&clean, "hostPathCloudCredentials", "clean").is_empty());
}
