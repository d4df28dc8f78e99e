//! CEL policies: Kubernetes ValidatingAdmissionPolicies with their bindings, and
//! Gatekeeper templates whose code is CEL (`K8sNativeValidation`), evaluated with the
//! `cel` crate.
//!
//! The environment is CEL's standard library with its string, list and math extensions
//! (`join`, `replace`, `lowerAscii`, `split`, ...), plus the Kubernetes list and regex
//! functions registered here (`find`, `findAll`, `isSorted`, `sum`, `min`, `max`), and
//! the quantity, URL and IP/CIDR libraries ([`super::cel_k8s`]). A Kubernetes library
//! function Portolan does not provide (`authorizer`, `semver`, ...) is a located
//! diagnostic on the policy when it is compiled, and any evaluation error is one too:
//! never a silent pass.
//!
//! Cost budget: before each expression runs, its cost is estimated from its syntax and
//! the review's data ([`estimated_cost`]: nested comprehensions multiply, a range of
//! unknown size counts as the largest list or map of the bound values); above
//! [`COST_BUDGET`] the expression is not run and the review is an error naming it, so a
//! hostile policy cannot hang the page.
//!
//! Variables bound: `object`, `oldObject` (null: audit reviews existing objects),
//! `params` (`{}` when the policy has none), `request` (kind, name, namespace, no
//! operation), `namespaceObject` and `variables`, each variable able to read the ones
//! before it. Gatekeeper adds `variables.params` and `variables.anyObject`.

use crate::model::meta::SmallMap;
use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use cel::extractors::This;
use cel::{Context, Env, ExecutionError, Program, Value};
use serde_json::{json, Value as Json};

use super::gatekeeper::{cel_code, glob, severity_annotation, CelCode};
use super::raw::{str_at, strings, RawObject};
use super::{finding, PolicyReport, PolicySet, PolicySummary, Reviewed};
use crate::model::meta::LabelSelector;
use crate::rules::{Finding, Severity};
use crate::source::{Diagnostic, Source};

/// The API group of ValidatingAdmissionPolicies.
pub const GROUP: &str = "admissionregistration.k8s.io";

/// Kubernetes CEL library functions Portolan does not evaluate.
const UNSUPPORTED: &[&str] = &[
    "authorizer",
    "semver",
    "isSemver",
    "isGlobalUnicast",
    "isLinkLocalMulticast",
    "isLinkLocalUnicast",
];

/// The estimated cost above which an expression is not run (Kubernetes' own per-call
/// limit is of this order).
pub const COST_BUDGET: u64 = 10_000_000;

/// Whether `obj` is a ValidatingAdmissionPolicy or a binding of one.
pub fn is_vap_object(obj: &RawObject) -> bool {
    crate::model::kinds::group_of(obj.api_version()) == GROUP
        && matches!(
            obj.kind(),
            "ValidatingAdmissionPolicy" | "ValidatingAdmissionPolicyBinding"
        )
}

/// Resource rules: which kinds a policy or binding selects.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct MatchResources {
    /// `(apiGroups, resources, operations)` of `resourceRules`.
    pub rules: Vec<(Vec<String>, Vec<String>, Vec<String>)>,
    pub exclude: Vec<(Vec<String>, Vec<String>, Vec<String>)>,
    pub namespace_selector: Option<LabelSelector>,
    pub object_selector: Option<LabelSelector>,
}

impl MatchResources {
    /// What the rules select, in short words (`resources pods, apps/deployments; except
    /// ...; namespace labels ...; labels ...`).
    pub fn summary(&self) -> String {
        let rules = |rules: &[(Vec<String>, Vec<String>, Vec<String>)]| -> String {
            rules
                .iter()
                .flat_map(|(groups, resources, _)| {
                    resources.iter().flat_map(move |r| {
                        groups.iter().map(move |g| {
                            if g.is_empty() || g == "*" {
                                r.clone()
                            } else {
                                format!("{g}/{r}")
                            }
                        })
                    })
                })
                .collect::<Vec<_>>()
                .join(", ")
        };
        let mut parts = Vec::new();
        if !self.rules.is_empty() {
            parts.push(format!("resources {}", rules(&self.rules)));
        }
        if !self.exclude.is_empty() {
            parts.push(format!("except {}", rules(&self.exclude)));
        }
        if let Some(s) = &self.namespace_selector {
            parts.push(format!("namespace labels {}", s.display()));
        }
        if let Some(s) = &self.object_selector {
            parts.push(format!("labels {}", s.display()));
        }
        parts.join("; ")
    }

    fn parse(v: Option<&Json>) -> Option<MatchResources> {
        let v = v?;
        let rules = |key: &str| {
            v.get(key)
                .and_then(Json::as_array)
                .map(|a| {
                    a.iter()
                        .map(|r| {
                            (
                                strings(r.get("apiGroups")),
                                strings(r.get("resources")),
                                strings(r.get("operations")),
                            )
                        })
                        .collect()
                })
                .unwrap_or_default()
        };
        let selector = |key: &str| {
            v.get(key)
                .and_then(|s| serde_json::from_value::<LabelSelector>(s.clone()).ok())
        };
        Some(MatchResources {
            rules: rules("resourceRules"),
            exclude: rules("excludeResourceRules"),
            namespace_selector: selector("namespaceSelector"),
            object_selector: selector("objectSelector"),
        })
    }

    /// Whether an existing object is selected (audit: the operations CREATE or UPDATE).
    fn matches(&self, o: &Reviewed, namespace_labels: Option<&SmallMap>) -> bool {
        let resource = resource_of(&o.kind);
        let rule_hits = |rules: &[(Vec<String>, Vec<String>, Vec<String>)]| {
            rules.iter().any(|(groups, resources, ops)| {
                groups.iter().any(|g| g == "*" || *g == o.group)
                    && resources.iter().any(|r| r == "*" || *r == resource)
                    && (ops.is_empty()
                        || ops
                            .iter()
                            .any(|op| op == "*" || op == "CREATE" || op == "UPDATE"))
            })
        };
        // A binding's matchResources without resourceRules narrows by selectors only.
        if (!self.rules.is_empty() && !rule_hits(&self.rules)) || rule_hits(&self.exclude) {
            return false;
        }
        if let Some(sel) = &self.object_selector {
            if !sel.matches(&o.labels) {
                return false;
            }
        }
        if let Some(sel) = &self.namespace_selector {
            let is_namespace = o.group.is_empty() && o.kind == "Namespace";
            if is_namespace {
                if !sel.matches(&o.labels) {
                    return false;
                }
            } else if !o.namespace.is_empty() {
                let empty = SmallMap::default();
                if !sel.matches(namespace_labels.unwrap_or(&empty)) {
                    return false;
                }
            }
        }
        true
    }
}

/// The resource (plural, lower case) of a kind, as resource rules name it.
pub fn resource_of(kind: &str) -> String {
    let lower = kind.to_ascii_lowercase();
    match lower.as_str() {
        "endpoints" => lower,
        _ if lower.ends_with("policy") || lower.ends_with("ry") => {
            format!("{}ies", &lower[..lower.len() - 1])
        }
        _ if lower.ends_with('s') || lower.ends_with('x') => format!("{lower}es"),
        _ => format!("{lower}s"),
    }
}

/// A ValidatingAdmissionPolicy.
#[derive(Clone, Debug, PartialEq)]
pub struct AdmissionPolicy {
    pub name: String,
    /// `(apiVersion, kind)` of its parameters, when it takes some.
    pub param_kind: Option<(String, String)>,
    pub match_constraints: Option<MatchResources>,
    pub code: CelCode,
    pub source: Source,
}

/// A ValidatingAdmissionPolicyBinding.
#[derive(Clone, Debug, PartialEq)]
pub struct PolicyBinding {
    pub name: String,
    pub policy: String,
    /// `paramRef`: name, namespace, selector, and whether a missing parameter denies.
    pub param_ref: Option<(String, String, Option<LabelSelector>, bool)>,
    pub match_resources: Option<MatchResources>,
    pub actions: Vec<String>,
    pub severity: Option<Severity>,
    pub source: Source,
}

impl PolicyBinding {
    /// Deny → high, Warn → medium, Audit → low (the strongest action given), unless the
    /// annotation says otherwise.
    pub fn severity(&self) -> Severity {
        self.severity.unwrap_or_else(|| {
            if self.actions.iter().any(|a| a == "Deny") || self.actions.is_empty() {
                Severity::High
            } else if self.actions.iter().any(|a| a == "Warn") {
                Severity::Medium
            } else {
                Severity::Low
            }
        })
    }
}

/// Reads a policy or binding into `set`.
pub fn read(obj: &RawObject, set: &mut PolicySet) {
    let v = &obj.value;
    let spec = v.get("spec").cloned().unwrap_or(Json::Null);
    if obj.kind() == "ValidatingAdmissionPolicy" {
        let param_kind = spec.get("paramKind").map(|p| {
            (
                str_at(p, &["apiVersion"]).to_string(),
                str_at(p, &["kind"]).to_string(),
            )
        });
        set.policies.push(AdmissionPolicy {
            name: obj.name().to_string(),
            param_kind,
            match_constraints: MatchResources::parse(spec.get("matchConstraints")),
            code: cel_code(&spec),
            source: obj.source.clone(),
        });
    } else {
        let param_ref = spec.get("paramRef").map(|p| {
            (
                str_at(p, &["name"]).to_string(),
                str_at(p, &["namespace"]).to_string(),
                p.get("selector")
                    .and_then(|s| serde_json::from_value::<LabelSelector>(s.clone()).ok()),
                str_at(p, &["parameterNotFoundAction"]) != "Allow",
            )
        });
        let actions = spec
            .get("validationActions")
            .and_then(Json::as_array)
            .map(|a| {
                a.iter()
                    .filter_map(|s| s.as_str().map(str::to_string))
                    .collect()
            })
            .unwrap_or_default();
        set.bindings.push(PolicyBinding {
            name: obj.name().to_string(),
            policy: str_at(&spec, &["policyName"]).to_string(),
            param_ref,
            match_resources: MatchResources::parse(spec.get("matchResources")),
            actions,
            severity: severity_annotation(v, &obj.source, &mut set.diagnostics),
            source: obj.source.clone(),
        });
    }
}

/// A validation compiled: expression, message, message expression.
#[derive(Debug)]
struct Validation {
    expression: Program,
    text: String,
    message: String,
    message_expression: Option<Program>,
}

/// CEL code compiled once.
pub struct CelProgram {
    env: Arc<Env>,
    variables: Vec<(String, Program)>,
    match_conditions: Vec<(String, Program)>,
    validations: Vec<Validation>,
    gatekeeper: bool,
}

impl std::fmt::Debug for CelProgram {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CelProgram")
            .field("variables", &self.variables.len())
            .field("validations", &self.validations.len())
            .finish()
    }
}

fn env() -> Env {
    let mut env = Env::stdlib();
    // These only fail when a name is declared twice, which a fresh env rules out.
    let _ = env.add_extension(cel::extensions::strings);
    let _ = env.add_extension(cel::extensions::lists);
    let _ = env.add_extension(cel::extensions::math);
    env
}

fn context(env: &Arc<Env>) -> Context<'static, 'static> {
    let mut cx = Context::with_env(env.clone());
    let _ = cx.add_function("find", |This(s): This<Arc<String>>, re: Arc<String>| {
        regex_find(&s, &re, false)
    });
    let _ = cx.add_function("findAll", |This(s): This<Arc<String>>, re: Arc<String>| {
        regex_find(&s, &re, true)
    });
    let _ = cx.add_function("isSorted", |This(l): This<Arc<Vec<Value>>>| {
        l.windows(2)
            .all(|w| w[0].partial_cmp(&w[1]) != Some(std::cmp::Ordering::Greater))
    });
    let _ = cx.add_function(
        "sum",
        |This(l): This<Arc<Vec<Value>>>| -> cel::ResolveResult {
            let mut acc = Value::Int(0);
            for (i, v) in l.iter().enumerate() {
                acc = if i == 0 {
                    v.clone()
                } else {
                    match (&acc, v) {
                        (Value::Int(a), Value::Int(b)) => Value::Int(a.saturating_add(*b)),
                        (Value::UInt(a), Value::UInt(b)) => Value::UInt(a.saturating_add(*b)),
                        (Value::Float(a), Value::Float(b)) => Value::Float(a + b),
                        _ => return Err(ExecutionError::function_error("sum", "mixed types")),
                    }
                };
            }
            Ok(acc)
        },
    );
    let _ = cx.add_function(
        "min",
        |This(l): This<Arc<Vec<Value>>>| -> cel::ResolveResult {
            extreme(&l, std::cmp::Ordering::Less, "min")
        },
    );
    let _ = cx.add_function(
        "max",
        |This(l): This<Arc<Vec<Value>>>| -> cel::ResolveResult {
            extreme(&l, std::cmp::Ordering::Greater, "max")
        },
    );
    super::cel_k8s::register(&mut cx);
    cx
}

/// The estimated cost of running `e` when a range of unknown size holds at most
/// `largest` elements: one unit per node, a comprehension's loop counted once per
/// element of its range (a literal list by its length, a comprehension's result by its
/// own range, anything else as `largest`). Saturates instead of overflowing.
pub fn estimated_cost(e: &cel::IdedExpr, largest: u64) -> u64 {
    use cel::common::ast::{EntryExpr, Expr, IdedEntryExpr};
    fn range_size(e: &cel::IdedExpr, largest: u64) -> u64 {
        match &e.expr {
            Expr::List(l) => l.elements.len() as u64,
            Expr::Comprehension(c) => range_size(&c.iter_range, largest),
            Expr::Call(c) if c.func_name == "_+_" => c
                .args
                .iter()
                .map(|a| range_size(a, largest))
                .fold(0u64, u64::saturating_add),
            _ => largest,
        }
    }
    fn entries(es: &[IdedEntryExpr]) -> Vec<&cel::IdedExpr> {
        es.iter()
            .flat_map(|en| match &en.expr {
                EntryExpr::MapEntry(me) => vec![&me.key, &me.value],
                EntryExpr::StructField(f) => vec![&f.value],
            })
            .collect()
    }
    let sum = |es: Vec<&cel::IdedExpr>| {
        es.into_iter()
            .map(|x| estimated_cost(x, largest))
            .fold(1u64, u64::saturating_add)
    };
    match &e.expr {
        Expr::Comprehension(c) => {
            let body = sum(vec![&c.loop_cond, &c.loop_step]);
            range_size(&c.iter_range, largest)
                .saturating_mul(body)
                .saturating_add(sum(vec![&c.iter_range, &c.accu_init, &c.result]))
        }
        Expr::Call(c) => sum(c
            .target
            .iter()
            .map(|t| t.as_ref())
            .chain(c.args.iter())
            .collect()),
        Expr::List(l) => sum(l.elements.iter().collect()),
        Expr::Select(s) => sum(vec![s.operand.as_ref()]),
        Expr::Map(m) => sum(entries(&m.entries)),
        Expr::Struct(s) => sum(entries(&s.entries)),
        _ => 1,
    }
}

/// The size of the largest list or map in `v` (at least 1): what a comprehension over
/// the review's data can range over (CEL does not iterate strings).
fn largest_collection(v: &Json) -> u64 {
    match v {
        Json::Array(a) => a
            .iter()
            .map(largest_collection)
            .fold(a.len() as u64, u64::max),
        Json::Object(m) => m
            .values()
            .map(largest_collection)
            .fold(m.len() as u64, u64::max),
        _ => 1,
    }
    .max(1)
}

/// Runs `program` unless its estimated cost exceeds [`COST_BUDGET`].
fn run_within_budget(
    program: &Program,
    cx: &Context,
    largest: u64,
    what: &str,
) -> Result<Value, String> {
    let cost = estimated_cost(program.expression(), largest);
    if cost > COST_BUDGET {
        return Err(format!(
            "{what}: estimated cost {cost} exceeds the budget of {COST_BUDGET}; not run"
        ));
    }
    program.execute(cx).map_err(|e| format!("{what}: {e}"))
}

fn extreme(l: &[Value], want: std::cmp::Ordering, name: &str) -> cel::ResolveResult {
    let mut best: Option<&Value> = None;
    for v in l {
        best = match best {
            Some(b) if v.partial_cmp(b) != Some(want) => Some(b),
            _ => Some(v),
        };
    }
    best.cloned()
        .ok_or_else(|| ExecutionError::function_error(name, "empty list"))
}

fn regex_find(s: &str, re: &str, all: bool) -> cel::ResolveResult {
    let re = regex::Regex::new(re).map_err(|e| ExecutionError::function_error("find", e))?;
    if all {
        Ok(Value::List(Arc::new(
            re.find_iter(s)
                .map(|m| Value::String(Arc::new(m.as_str().to_string())))
                .collect(),
        )))
    } else {
        Ok(Value::String(Arc::new(
            re.find(s)
                .map(|m| m.as_str().to_string())
                .unwrap_or_default(),
        )))
    }
}

impl CelProgram {
    /// Compiles `code`; the errors, one per expression that cannot run.
    pub fn compile(code: &CelCode, gatekeeper: bool) -> Result<CelProgram, Vec<String>> {
        let env = Arc::new(env());
        let mut errors = Vec::new();
        let mut compile = |what: String, text: &str| -> Option<Program> {
            match env.compile(text) {
                Ok(p) => {
                    let refs = p.references();
                    let mut bad: Vec<&str> = refs
                        .functions()
                        .into_iter()
                        .filter(|f| UNSUPPORTED.contains(f))
                        .collect();
                    // The authorizer library is reached through a variable.
                    if refs.has_variable("authorizer") {
                        bad.push("authorizer");
                    }
                    bad.sort_unstable();
                    if bad.is_empty() {
                        Some(p)
                    } else {
                        errors.push(format!(
                            "{what}: the Kubernetes CEL function(s) {} are not supported by Portolan; not evaluated",
                            bad.join(", ")
                        ));
                        None
                    }
                }
                Err(e) => {
                    errors.push(format!("{what}: CEL does not parse: {e}"));
                    None
                }
            }
        };
        let variables: Vec<(String, Program)> = code
            .variables
            .iter()
            .filter_map(|(n, e)| Some((n.clone(), compile(format!("variable {n}"), e)?)))
            .collect();
        let match_conditions: Vec<(String, Program)> = code
            .match_conditions
            .iter()
            .filter_map(|(n, e)| Some((n.clone(), compile(format!("matchCondition {n}"), e)?)))
            .collect();
        let mut validations = Vec::new();
        for (i, v) in code.validations.iter().enumerate() {
            let Some(expression) = compile(format!("validations[{i}]"), &v.expression) else {
                continue;
            };
            let message_expression = if v.message_expression.is_empty() {
                None
            } else {
                compile(
                    format!("validations[{i}].messageExpression"),
                    &v.message_expression,
                )
            };
            validations.push(Validation {
                expression,
                text: v.expression.clone(),
                message: v.message.clone(),
                message_expression,
            });
        }
        if !errors.is_empty() {
            return Err(errors);
        }
        Ok(CelProgram {
            env,
            variables,
            match_conditions,
            validations,
            gatekeeper,
        })
    }

    /// The messages of the validations that fail with these bindings; `Ok(empty)` when
    /// a match condition excludes the object.
    pub fn evaluate(
        &self,
        object: &Json,
        params: &Json,
        request: &Json,
        namespace: &Json,
    ) -> Result<Vec<String>, String> {
        let to = |v: &Json| cel::to_value(v).map_err(|e| e.to_string());
        let largest = [object, params, request, namespace]
            .into_iter()
            .map(largest_collection)
            .max()
            .unwrap_or(1);
        let object_v = to(object)?;
        let params_v = to(params)?;
        let mut variables: HashMap<String, Value> = HashMap::new();
        if self.gatekeeper {
            variables.insert("params".into(), params_v.clone());
            variables.insert("anyObject".into(), object_v.clone());
        }
        let mut root = context(&self.env);
        root.add_variable_from_value("object", object_v);
        root.add_variable_from_value("oldObject", Value::Null);
        root.add_variable_from_value("params", params_v);
        root.add_variable_from_value("request", to(request)?);
        root.add_variable_from_value("namespaceObject", to(namespace)?);
        for (name, program) in &self.variables {
            let mut cx = root.new_inner_scope();
            cx.add_variable_from_value("variables", variables.clone());
            let value = run_within_budget(program, &cx, largest, &format!("variable {name}"))?;
            variables.insert(name.clone(), value);
        }
        let mut cx = root.new_inner_scope();
        cx.add_variable_from_value("variables", variables);
        for (name, condition) in &self.match_conditions {
            let what = format!("matchCondition {name}");
            match run_within_budget(condition, &cx, largest, &what)? {
                Value::Bool(true) => {}
                Value::Bool(false) => return Ok(Vec::new()),
                other => return Err(format!("{what}: not a bool: {other:?}")),
            }
        }
        let mut failed = Vec::new();
        for v in &self.validations {
            let what = format!("validation {:?}", v.text);
            match run_within_budget(&v.expression, &cx, largest, &what)? {
                Value::Bool(true) => {}
                Value::Bool(false) => {
                    let from_expression = v.message_expression.as_ref().and_then(|m| {
                        match run_within_budget(m, &cx, largest, "messageExpression") {
                            Ok(Value::String(s)) if !s.trim().is_empty() => Some(s.to_string()),
                            _ => None,
                        }
                    });
                    let message = from_expression.unwrap_or_else(|| {
                        if v.message.is_empty() {
                            format!("failed expression: {}", v.text)
                        } else {
                            v.message.clone()
                        }
                    });
                    failed.push(message);
                }
                other => return Err(format!("{what} is not a bool: {other:?}")),
            }
        }
        Ok(failed)
    }

    /// Gatekeeper's view: the review's object, the constraint's parameters.
    pub fn gatekeeper_violations(
        &self,
        review: &Json,
        parameters: &Json,
    ) -> Result<Vec<super::rego::Violation>, String> {
        let object = review.get("object").cloned().unwrap_or(Json::Null);
        let mut request = review.clone();
        if let Some(m) = request.as_object_mut() {
            m.remove("object");
            m.remove("_unstable");
        }
        let namespace = review
            .pointer("/_unstable/namespace")
            .cloned()
            .unwrap_or(Json::Null);
        Ok(self
            .evaluate(&object, parameters, &request, &namespace)?
            .into_iter()
            .map(|message| super::rego::Violation {
                message,
                details: None,
            })
            .collect())
    }
}

/// Evaluates every binding of `set` against `objects`.
pub(crate) fn evaluate_bindings(
    set: &PolicySet,
    objects: &[Reviewed],
    namespaces: &HashMap<String, &Reviewed>,
    findings: &mut Vec<Finding>,
    report: &mut PolicyReport,
) {
    let mut compiled: HashMap<&str, Option<CelProgram>> = HashMap::new();
    for b in &set.bindings {
        let rule = format!("{}/{}", b.policy, b.name);
        let mut summary = PolicySummary::new(
            &rule,
            "validating-admission-policy",
            &b.policy,
            b.severity(),
            &b.source,
        );
        summary.language = "cel".into();
        summary.action = if b.actions.is_empty() {
            "Deny".into()
        } else {
            b.actions.join(", ")
        };
        let Some(policy) = set.policies.iter().find(|p| p.name == b.policy) else {
            report.diagnostics.push(Diagnostic::error(
                &b.source.file,
                b.source.line,
                0,
                format!(
                    "binding {}: no ValidatingAdmissionPolicy named {:?}; not evaluated",
                    b.name, b.policy
                ),
            ));
            summary.errors = 1;
            report.policies.push(summary);
            continue;
        };
        summary.matches = [&policy.match_constraints, &b.match_resources]
            .into_iter()
            .flatten()
            .map(MatchResources::summary)
            .filter(|s| !s.is_empty())
            .collect::<Vec<_>>()
            .join("; binding: ");
        let program = compiled.entry(policy.name.as_str()).or_insert_with(|| {
            CelProgram::compile(&policy.code, false)
                .map_err(|errors| {
                    for e in errors {
                        report.diagnostics.push(Diagnostic::error(
                            &policy.source.file,
                            policy.source.line,
                            0,
                            format!("ValidatingAdmissionPolicy {}: {e}", policy.name),
                        ));
                    }
                })
                .ok()
        });
        let Some(program) = program.as_ref() else {
            summary.errors = 1;
            report.policies.push(summary);
            continue;
        };
        let mut errors: BTreeMap<String, usize> = BTreeMap::new();
        for o in objects {
            let ns = namespaces.get(&o.namespace);
            let ns_labels = ns.map(|n| &n.labels);
            let by_policy = policy
                .match_constraints
                .as_ref()
                .is_some_and(|m| !m.rules.is_empty() && m.matches(o, ns_labels));
            let by_binding = b
                .match_resources
                .as_ref()
                .is_none_or(|m| m.matches(o, ns_labels));
            if !by_policy || !by_binding {
                continue;
            }
            let params_list = match params_for(set, objects, policy, b, o) {
                Ok(p) => p,
                Err(message) => {
                    summary.reviewed += 1;
                    summary.violations += 1;
                    findings.push(finding(&rule, b.severity(), o, message));
                    continue;
                }
            };
            summary.reviewed += 1;
            let request = json!({
                "kind": {"group": o.group, "version": o.version, "kind": o.kind},
                "name": o.name,
                "namespace": o.namespace,
            });
            let namespace = ns.map(|n| n.object.clone()).unwrap_or(Json::Null);
            for params in params_list {
                match program.evaluate(&o.object, &params, &request, &namespace) {
                    Ok(messages) => {
                        for m in messages {
                            summary.violations += 1;
                            findings.push(finding(&rule, b.severity(), o, m));
                        }
                    }
                    Err(e) => {
                        summary.errors += 1;
                        *errors.entry(e).or_default() += 1;
                    }
                }
            }
        }
        for (message, n) in errors {
            report.diagnostics.push(Diagnostic::error(
                &policy.source.file,
                policy.source.line,
                0,
                format!("binding {rule}: evaluation failed on {n} object(s): {message}"),
            ));
        }
        report.policies.push(summary);
    }
}

/// The parameter objects a binding gives a review (`[{}]`-like null when the policy
/// takes none); `Err` with the denial message when they are required and missing.
fn params_for(
    set: &PolicySet,
    objects: &[Reviewed],
    policy: &AdmissionPolicy,
    b: &PolicyBinding,
    o: &Reviewed,
) -> Result<Vec<Json>, String> {
    let (Some((api_version, kind)), Some((name, namespace, selector, deny))) =
        (&policy.param_kind, &b.param_ref)
    else {
        return Ok(vec![Json::Null]);
    };
    // A namespaced parameter without a namespace is looked up in the object's namespace.
    let wanted_ns = if namespace.is_empty() {
        o.namespace.as_str()
    } else {
        namespace.as_str()
    };
    let candidates = set
        .params
        .iter()
        .map(|p| &p.value)
        .chain(objects.iter().map(|r| &r.object));
    let found: Vec<Json> = candidates
        .filter(|p| str_at(p, &["apiVersion"]) == api_version && str_at(p, &["kind"]) == kind)
        .filter(|p| {
            let ns = str_at(p, &["metadata", "namespace"]);
            ns.is_empty() || ns == wanted_ns
        })
        .filter(|p| {
            if !name.is_empty() {
                return glob(name, str_at(p, &["metadata", "name"]));
            }
            let labels: SmallMap = p
                .pointer("/metadata/labels")
                .and_then(Json::as_object)
                .map(|m| {
                    m.iter()
                        .filter_map(|(k, v)| Some((k.clone(), v.as_str()?.to_string())))
                        .collect()
                })
                .unwrap_or_default();
            selector.as_ref().is_some_and(|s| s.matches(&labels))
        })
        .cloned()
        .collect();
    if found.is_empty() {
        if *deny {
            return Err(format!(
                "no {kind} parameter found for binding {} (parameterNotFoundAction: Deny)",
                b.name
            ));
        }
        return Ok(Vec::new());
    }
    Ok(found)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn code(vars: &[(&str, &str)], validations: &[(&str, &str, &str)]) -> CelCode {
        CelCode {
            variables: vars
                .iter()
                .map(|(n, e)| (n.to_string(), e.to_string()))
                .collect(),
            match_conditions: Vec::new(),
            validations: validations
                .iter()
                .map(|(e, m, me)| super::super::gatekeeper::CelValidation {
                    expression: e.to_string(),
                    message: m.to_string(),
                    message_expression: me.to_string(),
                })
                .collect(),
        }
    }

    #[test]
    fn variables_chain_and_message_expressions() {
        let p = CelProgram::compile(
            &code(
                &[
                    ("containers", "object.spec.containers"),
                    (
                        "bad",
                        "variables.containers.filter(c, !c.image.startsWith(params.repo)).map(c, c.name)",
                    ),
                ],
                &[(
                    "size(variables.bad) == 0",
                    "bad images",
                    "'containers ' + variables.bad.join(', ') + ' use other registries'",
                )],
            ),
            false,
        )
        .unwrap();
        let object = json!({"spec": {"containers": [{"name": "a", "image": "good/a"}, {"name": "b", "image": "evil/b"}]}});
        let got = p
            .evaluate(&object, &json!({"repo": "good/"}), &json!({}), &Json::Null)
            .unwrap();
        assert_eq!(got, ["containers b use other registries"]);
        let ok = json!({"spec": {"containers": [{"name": "a", "image": "good/a"}]}});
        assert!(p
            .evaluate(&ok, &json!({"repo": "good/"}), &json!({}), &Json::Null)
            .unwrap()
            .is_empty());
    }

    #[test]
    fn kubernetes_functions_and_unsupported_ones() {
        let p = CelProgram::compile(
            &code(
                &[],
                &[
                    (
                        "object.name.lowerAscii().replace('-', '') == 'ab'",
                        "m1",
                        "",
                    ),
                    ("object.name.find('[0-9]+') == ''", "has digits", ""),
                    ("[3, 1].isSorted()", "unsorted", ""),
                    ("[1, 2].sum() == 3 && [4, 2].min() == 2", "math", ""),
                ],
            ),
            false,
        )
        .unwrap();
        let got = p
            .evaluate(&json!({"name": "A-b"}), &json!({}), &json!({}), &Json::Null)
            .unwrap();
        assert_eq!(got, ["unsorted"]);
        let e = CelProgram::compile(
            &code(
                &[],
                &[("authorizer.group('apps').check('get').allowed()", "", "")],
            ),
            false,
        )
        .unwrap_err();
        assert!(e[0].contains("authorizer"), "{e:?}");
        let e = CelProgram::compile(&code(&[], &[("object.(", "", "")]), false).unwrap_err();
        assert!(e[0].contains("does not parse"), "{e:?}");
        // A type error at run time is an error, never a pass.
        let p = CelProgram::compile(&code(&[], &[("object.n + 1 > 0", "", "")]), false).unwrap();
        assert!(p
            .evaluate(&json!({"n": "x"}), &json!({}), &json!({}), &Json::Null)
            .is_err());
    }

    /// Validations in the style of the Kubernetes documentation's examples of its
    /// quantity, URL and IP libraries, each with an object that passes and one that fails.
    #[test]
    fn kubernetes_libraries_in_validations() {
        let p = CelProgram::compile(
            &code(
                &[],
                &[
                    (
                        "object.spec.containers.all(c, !has(c.resources.limits.memory) || quantity(c.resources.limits.memory).compareTo(quantity('1Gi')) <= 0)",
                        "memory over 1Gi",
                        "",
                    ),
                    (
                        "!has(object.spec.webhook) || (isURL(object.spec.webhook) && url(object.spec.webhook).getScheme() == 'https')",
                        "webhook must be https",
                        "",
                    ),
                    (
                        "!has(object.spec.podIP) || cidr('10.0.0.0/8').containsIP(object.spec.podIP)",
                        "pod IP outside 10/8",
                        "",
                    ),
                ],
            ),
            false,
        )
        .unwrap();
        let run = |o: Json| p.evaluate(&o, &json!({}), &json!({}), &Json::Null);
        let good = json!({"spec": {"containers": [{"resources": {"limits": {"memory": "1024Mi"}}}],
            "webhook": "https://hooks.example.com/x", "podIP": "10.1.2.3"}});
        assert_eq!(run(good), Ok(Vec::<String>::new()));
        let bad = json!({"spec": {"containers": [{"resources": {"limits": {"memory": "1.5Gi"}}}],
            "webhook": "http://hooks.example.com/x", "podIP": "192.168.1.1"}});
        assert_eq!(
            run(bad),
            Ok(vec![
                "memory over 1Gi".to_string(),
                "webhook must be https".into(),
                "pod IP outside 10/8".into()
            ])
        );
        // A malformed value is an error naming the function, never a pass.
        let e =
            run(json!({"spec": {"containers": [{"resources": {"limits": {"memory": "lots"}}}]}}))
                .unwrap_err();
        assert!(e.contains("quantity"), "{e}");
    }

    #[test]
    fn an_expensive_expression_stops_with_an_error_instead_of_hanging() {
        // 10^8 iterations if it ran: eight nested comprehensions over a literal of ten.
        let nested = "[0,1,2,3,4,5,6,7,8,9].all(a, [0,1,2,3,4,5,6,7,8,9].all(b, [0,1,2,3,4,5,6,7,8,9].all(c, [0,1,2,3,4,5,6,7,8,9].all(d, [0,1,2,3,4,5,6,7,8,9].all(e, [0,1,2,3,4,5,6,7,8,9].all(f, [0,1,2,3,4,5,6,7,8,9].all(g, [0,1,2,3,4,5,6,7,8,9].all(h, true))))))))";
        let p = CelProgram::compile(&code(&[], &[(nested, "", "")]), false).unwrap();
        let started = std::time::Instant::now();
        let e = p
            .evaluate(&json!({}), &json!({}), &json!({}), &Json::Null)
            .unwrap_err();
        assert!(e.contains("exceeds the budget"), "{e}");
        assert!(started.elapsed().as_secs() < 5);
        // Nesting over the object's own lists is estimated from their size: two levels
        // over a list of 100 run, over a list of 5,000 they do not.
        let pairs = "object.items.all(a, object.items.all(b, a == b || a != b))";
        let p = CelProgram::compile(&code(&[], &[(pairs, "", "")]), false).unwrap();
        let items = |n: usize| json!({"items": (0..n).collect::<Vec<_>>()});
        assert_eq!(
            p.evaluate(&items(100), &json!({}), &json!({}), &Json::Null),
            Ok(Vec::<String>::new())
        );
        assert!(p
            .evaluate(&items(5_000), &json!({}), &json!({}), &Json::Null)
            .unwrap_err()
            .contains("exceeds the budget"));
        // The estimate: a literal range counts its elements, nesting multiplies.
        let cost = |s: &str, largest: u64| {
            estimated_cost(cel::Program::compile(s).unwrap().expression(), largest)
        };
        assert!(cost("[1,2,3].all(x, x > 0)", 1_000) < 50);
        assert!(cost("object.l.all(x, x > 0)", 1_000) >= 1_000);
        assert!(cost("object.l.all(x, object.l.all(y, x > y))", 1_000) >= 1_000_000);
    }

    #[test]
    fn resources_are_plural() {
        assert_eq!(resource_of("Pod"), "pods");
        assert_eq!(resource_of("Ingress"), "ingresses");
        assert_eq!(resource_of("NetworkPolicy"), "networkpolicies");
        assert_eq!(resource_of("Endpoints"), "endpoints");
        assert_eq!(resource_of("Deployment"), "deployments");
    }
}
