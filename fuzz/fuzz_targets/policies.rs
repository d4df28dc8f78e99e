//! Bring-your-own policies on a fixed small snapshot: the input is either a whole policy
//! file (YAML or JSON: ConstraintTemplates, Constraints, ValidatingAdmissionPolicies,
//! ExpansionTemplates), or the Rego of a ConstraintTemplate, or the CEL expression of a
//! ValidatingAdmissionPolicy, each wrapped in the objects that make it run. Random bytes
//! rarely form a policy file that reaches an interpreter; wrapping them sends the parsers
//! and interpreters of Rego (regorus, with the step budget) and CEL (with its cost budget)
//! the input directly.
#![no_main]

use libfuzzer_sys::fuzz_target;
use portolan_engine::policy::{self, PolicySet};
use portolan_engine::InputFile;
use serde_json::json;

/// The objects every policy reviews: a privileged Pod and a Deployment (its template
/// goes through the pod expansion).
const SNAPSHOT: &str = r#"{"apiVersion":"v1","kind":"List","items":[
{"apiVersion":"v1","kind":"Pod","metadata":{"name":"p","namespace":"default","labels":{"app":"a"}},
 "spec":{"hostNetwork":true,"containers":[{"name":"c","image":"nginx:1.25","securityContext":{"privileged":true},
 "resources":{"limits":{"cpu":"500m","memory":"1Gi"}}}]}},
{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"d","namespace":"team"},
 "spec":{"replicas":3,"template":{"metadata":{"labels":{"app":"d"}},"spec":{"containers":[{"name":"c","image":"registry.example/d@sha256:00"}]}}}},
{"apiVersion":"v1","kind":"Namespace","metadata":{"name":"team","labels":{"env":"prod"}}}]}"#;

fuzz_target!(|data: &[u8]| {
    let Some((&pick, bytes)) = data.split_first() else {
        return;
    };
    let text = String::from_utf8_lossy(bytes);
    let file = match pick % 4 {
        0 => InputFile::new("policy.yaml", bytes),
        1 => InputFile::new("policy.json", bytes),
        2 => InputFile::new("policy.json", rego_template(&text).as_bytes()),
        _ => InputFile::new("policy.json", cel_policy(&text).as_bytes()),
    };
    let set = PolicySet::read(&[file], false);
    let snapshot = InputFile::new("snapshot.json", SNAPSHOT.as_bytes());
    let (objects, _) = policy::read_snapshot(&[&snapshot], "default");
    let _ = policy::evaluate(&set, &objects);
});

/// A ConstraintTemplate whose Rego is `rego`, and a constraint of it on Pods.
fn rego_template(rego: &str) -> String {
    json!({"apiVersion": "v1", "kind": "List", "items": [
        {"apiVersion": "templates.gatekeeper.sh/v1", "kind": "ConstraintTemplate",
         "metadata": {"name": "k8sfuzz"},
         "spec": {"crd": {"spec": {"names": {"kind": "K8sFuzz"}}},
                  "targets": [{"target": "admission.k8s.gatekeeper.sh", "rego": rego}]}},
        {"apiVersion": "constraints.gatekeeper.sh/v1beta1", "kind": "K8sFuzz",
         "metadata": {"name": "fuzz"},
         "spec": {"match": {"kinds": [{"apiGroups": [""], "kinds": ["Pod"]}]},
                  "parameters": {"labels": ["app"], "limit": 2}}}]})
    .to_string()
}

/// A ValidatingAdmissionPolicy whose validation expression is `expression`, and its
/// binding.
fn cel_policy(expression: &str) -> String {
    json!({"apiVersion": "v1", "kind": "List", "items": [
        {"apiVersion": "admissionregistration.k8s.io/v1", "kind": "ValidatingAdmissionPolicy",
         "metadata": {"name": "fuzz"},
         "spec": {"matchConstraints": {"resourceRules": [{"apiGroups": ["*"], "apiVersions": ["*"],
                    "operations": ["CREATE"], "resources": ["*"]}]},
                  "validations": [{"expression": expression, "messageExpression": expression}]}},
        {"apiVersion": "admissionregistration.k8s.io/v1", "kind": "ValidatingAdmissionPolicyBinding",
         "metadata": {"name": "fuzz"},
         "spec": {"policyName": "fuzz", "validationActions": ["Deny"]}}]})
    .to_string()
}
