//! `windowsHostProcess`: no Windows HostProcess containers.

use crate::model::meta::ObjectMeta;
use crate::model::pod::PodSpec;

use super::helpers::{containers, setters_phrase, Offenders};
use super::{Check, CheckVersion, Failure, Level, Version};

/// HostProcess (`windowsHostProcess`, baseline).
///
/// ## What it checks
/// `securityContext.windowsOptions.hostProcess`, at pod level and on every container,
/// is unset or `false`.
///
/// ## Why it matters
/// A Windows HostProcess container runs directly on the node, in the host's network
/// and with access to its filesystem and processes: the Windows equivalent of a
/// privileged container in the host namespaces.
///
/// ## Failing example
/// ```yaml
/// spec:
///   hostNetwork: true
///   securityContext:
///     windowsOptions:
///       hostProcess: true
/// ```
///
/// ## Versions
/// - v1.0: `hostProcess` must be unset or `false`.
pub const WINDOWS_HOST_PROCESS: Check = Check {
    id: "windowsHostProcess",
    level: Level::Baseline,
    title: "HostProcess",
    versions: &[CheckVersion {
        since: Version::v1(0),
        overrides: &[],
        run: windows_host_process_v1_0,
    }],
};

fn windows_host_process_v1_0(_: &ObjectMeta, spec: &PodSpec) -> Option<Failure> {
    let mut bad = Offenders::default();
    let pod = spec
        .security_context
        .as_ref()
        .and_then(|sc| sc.windows_options.as_ref())
        .and_then(|w| w.host_process)
        == Some(true);
    if pod {
        bad.pod("spec.securityContext.windowsOptions.hostProcess");
    }
    for c in containers(spec) {
        let host_process = c
            .security_context()
            .and_then(|sc| sc.windows_options.as_ref())
            .and_then(|w| w.host_process);
        if host_process == Some(true) {
            bad.container(&c, c.field("securityContext.windowsOptions.hostProcess"));
        }
    }
    let detail = format!(
        "{} must not set securityContext.windowsOptions.hostProcess=true",
        setters_phrase(pod, &bad.containers)
    );
    bad.fail("hostProcess", detail)
}
