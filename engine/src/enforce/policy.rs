//! The Pod Security Standards as a ValidatingAdmissionPolicy (admissionregistration.k8s.io/v1).
//!
//! One CEL validation per upstream check id, written for the behaviour that check has
//! at the chosen version (the same table [`crate::rules::pss`] evaluates), over Pods and
//! the pod templates of every workload kind, reached through `variables`. The CEL uses
//! only standard CEL (`has`, `all`, `exists`, `in`, `startsWith`, ternaries), so it
//! evaluates on every Kubernetes version that serves the v1 API (1.30 and later).
//! `engine/tests/enforce_cel.rs` runs these expressions in a CEL interpreter against the
//! upstream fixtures and checks that they fail exactly where the evaluator does.

use std::fmt::Write as _;

use crate::rules::pss::{self, Level, Version};

use super::{pinned, yaml_string};

/// What happens to a request the policy rejects.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum EnforcementMode {
    /// Reject the request (`validationActions: [Deny]`).
    #[default]
    Deny,
    /// Admit it with a warning to the client and an audit annotation
    /// (`validationActions: [Warn, Audit]`): for rolling the policy out.
    Warn,
}

/// What [`admission_policy_yaml`] writes.
#[derive(Clone, Debug)]
pub struct PolicyOptions {
    pub level: Level,
    /// The policy version whose checks to encode (`latest` means the newest).
    pub version: Version,
    pub mode: EnforcementMode,
    /// Namespaces the binding leaves out.
    pub exempt_namespaces: Vec<String>,
}

impl Default for PolicyOptions {
    fn default() -> Self {
        PolicyOptions {
            level: Level::Restricted,
            version: pss::NEWEST_VERSION,
            mode: EnforcementMode::Deny,
            exempt_namespaces: vec!["kube-system".to_string()],
        }
    }
}

/// One CEL validation: `expression` is true when the pod passes check `check`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Validation {
    /// The upstream check id.
    pub check: &'static str,
    pub expression: String,
    /// The static message (used when `message_expression` cannot be evaluated).
    pub message: String,
    pub message_expression: String,
}

/// The policy's `variables`, in order (each may use the ones before it): the pod
/// template of whatever kind was admitted, and the lists every check walks.
pub fn policy_variables() -> &'static [(&'static str, &'static str)] {
    &[
        (
            "template",
            "object.kind == 'Pod' ? object : (object.kind == 'CronJob' ? object.spec.jobTemplate.spec.template : object.spec.template)",
        ),
        ("spec", "variables.template.spec"),
        (
            "annotations",
            "has(variables.template.metadata) && has(variables.template.metadata.annotations) ? variables.template.metadata.annotations : {}",
        ),
        (
            "podSecurityContext",
            "has(variables.spec.securityContext) ? variables.spec.securityContext : {}",
        ),
        (
            "containers",
            "(has(variables.spec.initContainers) ? variables.spec.initContainers : []) + (has(variables.spec.containers) ? variables.spec.containers : []) + (has(variables.spec.ephemeralContainers) ? variables.spec.ephemeralContainers : [])",
        ),
        (
            "volumes",
            "has(variables.spec.volumes) ? variables.spec.volumes : []",
        ),
        (
            "isWindows",
            "has(variables.spec.os) && has(variables.spec.os.name) && variables.spec.os.name == 'windows'",
        ),
        (
            "userNamespace",
            "has(variables.spec.hostUsers) && variables.spec.hostUsers == false",
        ),
    ]
}

/// Resources the policy matches: Pods (and the subresource `kubectl debug` adds
/// ephemeral containers through) and every kind with a pod template.
const RESOURCES: &[(&str, &[&str])] = &[
    (
        "",
        &["pods", "pods/ephemeralcontainers", "replicationcontrollers"],
    ),
    (
        "apps",
        &["deployments", "replicasets", "statefulsets", "daemonsets"],
    ),
    ("batch", &["jobs", "cronjobs"]),
];

/// The policy's one match condition: a request is checked when it creates an object or
/// changes its pod spec or template. Like Pod Security Admission, which ignores pod
/// updates that leave the spec alone, this keeps existing non-compliant pods deletable
/// (removing a finalizer is an update) and relabelable, and lets a controller be scaled.
pub const MATCH_CONDITION: (&str, &str) = (
    "creates-or-changes-pod-spec",
    "request.operation != 'UPDATE' || (object.kind == 'Pod' ? object.spec != oldObject.spec : (object.kind == 'CronJob' ? object.spec.jobTemplate.spec.template != oldObject.spec.jobTemplate.spec.template : object.spec.template != oldObject.spec.template))",
);

/// A CEL string literal.
fn cel_string(s: &str) -> String {
    let escaped: String = s
        .chars()
        .flat_map(|c| match c {
            '\\' => vec!['\\', '\\'],
            '\'' => vec!['\\', '\''],
            '\n' => vec!['\\', 'n'],
            c => vec![c],
        })
        .collect();
    format!("'{escaped}'")
}

/// `['a', 'b']`.
fn cel_list(items: &[&str]) -> String {
    let items: Vec<String> = items.iter().map(|s| cel_string(s)).collect();
    format!("[{}]", items.join(", "))
}

/// True when the container field `sc_field` (below `securityContext`) is unset or `ok`
/// holds for it (`ok` refers to the value as `c.securityContext.<sc_field>`).
fn container_unset_or(sc_field: &str, ok: &str) -> String {
    format!("variables.containers.all(c, !has(c.securityContext) || !has(c.securityContext.{sc_field}) || {ok})")
}

/// True when the pod-level security context field is unset or `ok` holds for it.
fn pod_unset_or(sc_field: &str, ok: &str) -> String {
    format!("(!has(variables.podSecurityContext.{sc_field}) || {ok})")
}

/// `expr`, skipped for pods that meet `exempt_variable` (a boolean variable) when the
/// behaviour (from `since`) is at least `from`: how upstream added the Windows (v1.25)
/// and user-namespace (v1.35) exemptions to existing checks.
fn exempt_from(from: Version, since: Version, exempt_variable: &str, expr: String) -> String {
    if since >= from {
        format!("variables.{exempt_variable} || ({expr})")
    } else {
        expr
    }
}

const APP_ARMOR_TYPES: &[&str] = &["RuntimeDefault", "Localhost"];
const SECCOMP_TYPES: &[&str] = &["RuntimeDefault", "Localhost"];

/// The expression and message of check `id` in its behaviour from version `since`;
/// `None` for a behaviour not encoded (a test keeps every behaviour encoded).
fn check_cel(id: &str, since: Version) -> Option<(String, &'static str)> {
    let v = |minor| Version::v1(minor);
    let expr = match id {
        "privileged" => (
            container_unset_or("privileged", "c.securityContext.privileged != true"),
            "containers must not set securityContext.privileged=true",
        ),
        "hostNamespaces" => (
            ["hostNetwork", "hostPID", "hostIPC"]
                .iter()
                .map(|f| format!("!(has(variables.spec.{f}) && variables.spec.{f} == true)"))
                .collect::<Vec<_>>()
                .join(" && "),
            "the pod must not set hostNetwork, hostPID or hostIPC to true",
        ),
        "hostPathVolumes" => (
            "variables.volumes.all(v, !has(v.hostPath))".to_string(),
            "the pod must not use hostPath volumes",
        ),
        "hostPorts" => (
            "variables.containers.all(c, !has(c.ports) || c.ports.all(p, !has(p.hostPort) || p.hostPort == 0))".to_string(),
            "containers must not set hostPort",
        ),
        "capabilities_baseline" => (
            container_unset_or(
                "capabilities",
                &format!(
                    "!has(c.securityContext.capabilities.add) || c.securityContext.capabilities.add.all(cap, cap in {})",
                    cel_list(pss::DEFAULT_CAPABILITIES)
                ),
            ),
            "containers must not add capabilities beyond the default set",
        ),
        "hostProbesAndHostLifecycle" => (
            "variables.containers.all(c, [has(c.livenessProbe) ? c.livenessProbe : {}, has(c.readinessProbe) ? c.readinessProbe : {}, has(c.startupProbe) ? c.startupProbe : {}, has(c.lifecycle) && has(c.lifecycle.postStart) ? c.lifecycle.postStart : {}, has(c.lifecycle) && has(c.lifecycle.preStop) ? c.lifecycle.preStop : {}].all(h, (!has(h.httpGet) || !has(h.httpGet.host) || h.httpGet.host == '') && (!has(h.tcpSocket) || !has(h.tcpSocket.host) || h.tcpSocket.host == '')))".to_string(),
            "probes and lifecycle hooks must not set httpGet.host or tcpSocket.host",
        ),
        "appArmorProfile" => {
            let types = cel_list(APP_ARMOR_TYPES);
            (
                format!(
                    "variables.annotations.all(k, !k.startsWith('{}') || variables.annotations[k] == '' || variables.annotations[k] == 'runtime/default' || variables.annotations[k].startsWith('localhost/')) && {} && {}",
                    pss::APP_ARMOR_ANNOTATION_PREFIX,
                    pod_unset_or("appArmorProfile", &format!("(has(variables.podSecurityContext.appArmorProfile.type) && variables.podSecurityContext.appArmorProfile.type in {types})")),
                    container_unset_or("appArmorProfile", &format!("(has(c.securityContext.appArmorProfile.type) && c.securityContext.appArmorProfile.type in {types})")),
                ),
                "AppArmor profiles must be RuntimeDefault or Localhost",
            )
        }
        "seLinuxOptions" => {
            let types = pss::allowed_se_linux_types(since);
            let ok = |o: &str| {
                format!("((!has({o}.type) || {o}.type in {}) && (!has({o}.user) || {o}.user == '') && (!has({o}.role) || {o}.role == ''))", cel_list(types))
            };
            (
                format!(
                    "{} && {}",
                    pod_unset_or("seLinuxOptions", &ok("variables.podSecurityContext.seLinuxOptions")),
                    container_unset_or("seLinuxOptions", &ok("c.securityContext.seLinuxOptions")),
                ),
                "seLinuxOptions must not set user or role, and type only to a container type",
            )
        }
        "procMount" | "procMount_restricted" => {
            let expr = container_unset_or("procMount", "c.securityContext.procMount == 'Default'");
            (
                if id == "procMount" {
                    exempt_from(v(35), since, "userNamespace", expr)
                } else {
                    expr
                },
                "containers must not set securityContext.procMount other than Default",
            )
        }
        "seccompProfile_baseline" if since < v(19) => {
            let valid = |a: &str| {
                format!("({a} == 'runtime/default' || {a} == 'docker/default' || {a}.startsWith('localhost/'))")
            };
            let pod = format!("variables.annotations[{}]", cel_string(pss::SECCOMP_POD_ANNOTATION));
            let container = format!("variables.annotations[{} + c.name]", cel_string(pss::SECCOMP_CONTAINER_ANNOTATION_PREFIX));
            (
                format!(
                    "(!({} in variables.annotations) || {}) && variables.containers.all(c, !(({} + c.name) in variables.annotations) || {})",
                    cel_string(pss::SECCOMP_POD_ANNOTATION),
                    valid(&pod),
                    cel_string(pss::SECCOMP_CONTAINER_ANNOTATION_PREFIX),
                    valid(&container),
                ),
                "seccomp annotations must be runtime/default, docker/default or localhost/*",
            )
        }
        "seccompProfile_baseline" => (
            seccomp_explicit(),
            "seccompProfile.type must be RuntimeDefault or Localhost when set",
        ),
        "seccompProfile_restricted" => {
            let expr = format!(
                "{} && ((has(variables.podSecurityContext.seccompProfile) && has(variables.podSecurityContext.seccompProfile.type) && variables.podSecurityContext.seccompProfile.type in {}) || variables.containers.all(c, has(c.securityContext) && has(c.securityContext.seccompProfile)))",
                seccomp_explicit(),
                cel_list(SECCOMP_TYPES)
            );
            (
                exempt_from(v(25), since, "isWindows", expr),
                "the pod or every container must set securityContext.seccompProfile.type to RuntimeDefault or Localhost",
            )
        }
        "sysctls" => {
            let safe = pss::safe_sysctls(since);
            (
                pod_unset_or(
                    "sysctls",
                    &format!(
                        "variables.podSecurityContext.sysctls.all(s, has(s.name) && s.name in {})",
                        cel_list(&safe)
                    ),
                ),
                "the pod must set only safe sysctls",
            )
        }
        "windowsHostProcess" => (
            format!(
                "{} && {}",
                pod_unset_or("windowsOptions", "!has(variables.podSecurityContext.windowsOptions.hostProcess) || variables.podSecurityContext.windowsOptions.hostProcess != true"),
                container_unset_or("windowsOptions", "!has(c.securityContext.windowsOptions.hostProcess) || c.securityContext.windowsOptions.hostProcess != true"),
            ),
            "the pod and containers must not set windowsOptions.hostProcess=true",
        ),
        "allowPrivilegeEscalation" => {
            let expr = "variables.containers.all(c, has(c.securityContext) && has(c.securityContext.allowPrivilegeEscalation) && c.securityContext.allowPrivilegeEscalation == false)".to_string();
            (
                exempt_from(v(25), since, "isWindows", expr),
                "containers must set securityContext.allowPrivilegeEscalation=false",
            )
        }
        "capabilities_restricted" => {
            let expr = "variables.containers.all(c, has(c.securityContext) && has(c.securityContext.capabilities) && has(c.securityContext.capabilities.drop) && 'ALL' in c.securityContext.capabilities.drop && (!has(c.securityContext.capabilities.add) || c.securityContext.capabilities.add.all(cap, cap == 'NET_BIND_SERVICE')))".to_string();
            (
                exempt_from(v(25), since, "isWindows", expr),
                "containers must drop ALL capabilities and add only NET_BIND_SERVICE",
            )
        }
        "restrictedVolumes" => {
            let has_any = |sources: &[&str]| {
                sources.iter().map(|s| format!("has(v.{s})")).collect::<Vec<_>>().join(" || ")
            };
            (
                format!(
                    "variables.volumes.all(v, {} || !({}))",
                    has_any(pss::ALLOWED_VOLUME_SOURCES),
                    has_any(pss::RESTRICTED_VOLUME_SOURCES)
                ),
                "volumes must be configMap, csi, downwardAPI, emptyDir, ephemeral, image, persistentVolumeClaim, projected or secret",
            )
        }
        "runAsNonRoot" => {
            let expr = "!(has(variables.podSecurityContext.runAsNonRoot) && variables.podSecurityContext.runAsNonRoot == false) && variables.containers.all(c, has(c.securityContext) && has(c.securityContext.runAsNonRoot) ? c.securityContext.runAsNonRoot == true : (has(variables.podSecurityContext.runAsNonRoot) && variables.podSecurityContext.runAsNonRoot == true))".to_string();
            (
                exempt_from(v(35), since, "userNamespace", expr),
                "the pod or every container must set securityContext.runAsNonRoot=true",
            )
        }
        "runAsUser" => {
            let expr = format!(
                "{} && {}",
                pod_unset_or("runAsUser", "variables.podSecurityContext.runAsUser != 0"),
                container_unset_or("runAsUser", "c.securityContext.runAsUser != 0"),
            );
            (
                exempt_from(v(35), since, "userNamespace", expr),
                "the pod and containers must not set runAsUser=0",
            )
        }
        _ => return None,
    };
    Some(expr)
}

/// seccomp: an explicitly set profile type (pod or container) is RuntimeDefault or
/// Localhost.
fn seccomp_explicit() -> String {
    let types = cel_list(SECCOMP_TYPES);
    format!(
        "{} && {}",
        pod_unset_or(
            "seccompProfile",
            &format!("(has(variables.podSecurityContext.seccompProfile.type) && variables.podSecurityContext.seccompProfile.type in {types})")
        ),
        container_unset_or(
            "seccompProfile",
            &format!("(has(c.securityContext.seccompProfile.type) && c.securityContext.seccompProfile.type in {types})")
        ),
    )
}

/// The validations of the policy for `level` at `version`: one per check that
/// upstream runs there, in upstream's order.
pub fn policy_validations(level: Level, version: Version) -> Vec<Validation> {
    let version = pinned(version);
    pss::active_checks(level, version)
        .into_iter()
        .filter_map(|(check, behaviour)| {
            let (expression, what) = check_cel(check.id, behaviour.since)?;
            let message = format!(
                "{} ({} {}): {what}",
                check.id,
                check.level.as_str(),
                check.title
            );
            Some(Validation {
                check: check.id,
                expression,
                message_expression: format!(
                    "{} + (object.kind == 'Pod' ? '' : ' (in the pod template of this ' + object.kind + ')')",
                    cel_string(&message)
                ),
                message,
            })
        })
        .collect()
}

/// The policy's name for a level: `portolan-pss-restricted`.
pub fn policy_name(level: Level) -> String {
    format!("portolan-pss-{}", level.as_str())
}

/// A ValidatingAdmissionPolicy enforcing `options.level` at `options.version`, and its
/// binding, as a YAML stream (each document starts with `---`).
pub fn admission_policy_yaml(options: &PolicyOptions) -> String {
    let version = pinned(options.version);
    let name = policy_name(options.level);
    let mut out = String::new();
    let _ = writeln!(
        out,
        "---\n# Pod Security Standards {level} ({version}) for Pods and the pod templates of\n\
         # workload controllers: one validation per upstream check. Unlike namespace labels,\n\
         # it also rejects a controller whose template fails, when it is applied.\n\
         apiVersion: admissionregistration.k8s.io/v1\nkind: ValidatingAdmissionPolicy\n\
         metadata:\n  name: {name}\n  labels:\n    app.kubernetes.io/managed-by: portolan\n\
         spec:\n  failurePolicy: Fail\n  matchConstraints:\n    resourceRules:",
        level = options.level,
    );
    for (group, resources) in RESOURCES {
        let _ = writeln!(
            out,
            "    - apiGroups: [{}]\n      apiVersions: [\"*\"]\n      operations: [CREATE, UPDATE]\n      resources: [{}]",
            yaml_string(group),
            resources.join(", ")
        );
    }
    let _ = writeln!(
        out,
        "  matchConditions:\n  - name: {}\n    expression: {}",
        MATCH_CONDITION.0,
        yaml_string(MATCH_CONDITION.1)
    );
    out.push_str("  variables:\n");
    for (var, expression) in policy_variables() {
        let _ = writeln!(
            out,
            "  - name: {var}\n    expression: {}",
            yaml_string(expression)
        );
    }
    out.push_str("  validations:\n");
    for validation in policy_validations(options.level, version) {
        let _ = writeln!(
            out,
            "  # {}\n  - expression: {}\n    message: {}\n    messageExpression: {}\n    reason: Forbidden",
            validation.check,
            yaml_string(&validation.expression),
            yaml_string(&validation.message),
            yaml_string(&validation.message_expression),
        );
    }
    let actions = match options.mode {
        EnforcementMode::Deny => "[Deny]",
        EnforcementMode::Warn => "[Warn, Audit]",
    };
    let _ = writeln!(
        out,
        "---\napiVersion: admissionregistration.k8s.io/v1\nkind: ValidatingAdmissionPolicyBinding\n\
         metadata:\n  name: {name}\n  labels:\n    app.kubernetes.io/managed-by: portolan\n\
         spec:\n  policyName: {name}\n  validationActions: {actions}"
    );
    if !options.exempt_namespaces.is_empty() {
        let values: Vec<String> = options
            .exempt_namespaces
            .iter()
            .map(|n| yaml_string(n))
            .collect();
        let _ = writeln!(
            out,
            "  matchResources:\n    namespaceSelector:\n      matchExpressions:\n      - key: kubernetes.io/metadata.name\n        operator: NotIn\n        values: [{}]",
            values.join(", ")
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_check_behaviour_has_cel() {
        for check in pss::CHECKS {
            for behaviour in check.versions {
                assert!(
                    check_cel(check.id, behaviour.since).is_some(),
                    "{} since {} has no CEL",
                    check.id,
                    behaviour.since
                );
            }
        }
    }

    #[test]
    fn one_validation_per_active_check() {
        for level in [Level::Baseline, Level::Restricted] {
            for minor in [0, 19, 25, 31, 35, 37] {
                let version = Version::v1(minor);
                let ids: Vec<&str> = policy_validations(level, version)
                    .iter()
                    .map(|v| v.check)
                    .collect();
                let want: Vec<&str> = pss::active_checks(level, version)
                    .iter()
                    .map(|(c, _)| c.id)
                    .collect();
                assert_eq!(ids, want, "{level} {version}");
            }
        }
    }

    #[test]
    fn cel_strings_escape_quotes() {
        assert_eq!(cel_string("it's \\ \n"), "'it\\'s \\\\ \\n'");
    }
}
