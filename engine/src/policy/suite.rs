//! Gatekeeper-style test suites, as `gator verify` runs them: a `suite.yaml` (kind
//! `Suite`) lists tests, each a template and a constraint with cases; a case reviews
//! one object (or an `AdmissionReview`'s request), with optional `inventory` files for
//! `data.inventory`, and asserts `violations: yes | no | N` (default `yes`), counting
//! only violations whose message matches the optional `message` regular expression. A
//! test marked `invalid` expects its constraint's parameters to fail the template's
//! schema. ExpansionTemplates among the suite's policy files or a case's `inventory`
//! expand the case's object as Gatekeeper does (see [`super::expansion`]): the objects it
//! generates are reviewed too, their messages prefixed `[Implied by <template>]`. The
//! engine does no I/O: the caller hands a function that reads a file by its path
//! relative to the suite.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::gatekeeper::{self, Constraint, Target, Template};
use super::raw::{self, str_at, RawObject};
use super::{expansion, rego, Evaluator, PolicySet, Review, Reviewed};

/// The outcome of one case.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct CaseReport {
    pub name: String,
    pub skipped: bool,
    /// Why the case failed; `None` when it passed (or was skipped).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

/// The outcome of one test.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct TestReport {
    pub name: String,
    pub skipped: bool,
    /// A problem with the test itself (template, constraint), failing it as a whole.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    pub cases: Vec<CaseReport>,
}

/// The outcome of a suite.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct SuiteReport {
    pub path: String,
    pub skipped: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    pub tests: Vec<TestReport>,
}

impl SuiteReport {
    /// Cases that passed, failed and were skipped; a failed test counts each of its
    /// cases (at least one) as failed.
    pub fn counts(&self) -> (usize, usize, usize) {
        let (mut pass, mut fail, mut skip) = (0, 0, 0);
        if self.error.is_some() {
            fail += 1;
        }
        for t in &self.tests {
            if t.skipped {
                skip += 1;
                continue;
            }
            if t.error.is_some() {
                fail += t.cases.len().max(1);
                continue;
            }
            for c in &t.cases {
                match (c.skipped, &c.error) {
                    (true, _) => skip += 1,
                    (false, None) => pass += 1,
                    (false, Some(_)) => fail += 1,
                }
            }
        }
        (pass, fail, skip)
    }
}

/// Whether `text` is a gator suite.
pub fn is_suite(text: &str) -> bool {
    let (objects, _) = raw::read("suite", text);
    objects.iter().any(|o| o.kind() == "Suite")
}

/// Joins a path relative to the suite's directory.
pub fn join(dir: &str, relative: &str) -> String {
    if relative.starts_with('/') {
        return relative.to_string();
    }
    let mut parts: Vec<&str> = if dir.is_empty() {
        Vec::new()
    } else {
        dir.split('/').collect()
    };
    for p in relative.split('/') {
        match p {
            "" | "." => {}
            ".." => {
                parts.pop();
            }
            p => parts.push(p),
        }
    }
    let joined = parts.join("/");
    if dir.starts_with('/') && !joined.starts_with('/') {
        format!("/{joined}")
    } else {
        joined
    }
}

type Reader<'r> = dyn FnMut(&str) -> Result<String, String> + 'r;

/// Runs the suite at `path` (its text `text`); `read` reads a file by its full path.
pub fn run(path: &str, text: &str, read: &mut Reader) -> SuiteReport {
    let dir = path.rsplit_once('/').map_or("", |(d, _)| d);
    let mut report = SuiteReport {
        path: path.to_string(),
        skipped: false,
        error: None,
        tests: Vec::new(),
    };
    let (objects, diagnostics) = raw::read(path, text);
    let Some(suite) = objects.iter().find(|o| o.kind() == "Suite") else {
        report.error = Some(
            diagnostics
                .first()
                .map(|d| d.message.clone())
                .unwrap_or_else(|| "not a Suite".into()),
        );
        return report;
    };
    if suite.value.get("skip").and_then(Value::as_bool) == Some(true) {
        report.skipped = true;
        return report;
    }
    let tests = suite
        .value
        .get("tests")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    for t in &tests {
        report.tests.push(run_test(dir, t, read));
    }
    report
}

fn read_objects(read: &mut Reader, path: &str) -> Result<Vec<RawObject>, String> {
    let text = read(path).map_err(|e| format!("reading {path}: {e}"))?;
    let (objects, diagnostics) = raw::read(path, &text);
    if let Some(d) = diagnostics.first() {
        return Err(format!("{path}:{}: {}", d.line, d.message));
    }
    if objects.is_empty() {
        return Err(format!("{path} defines no object"));
    }
    Ok(objects)
}

fn run_test(dir: &str, t: &Value, read: &mut Reader) -> TestReport {
    let mut report = TestReport {
        name: str_at(t, &["name"]).to_string(),
        skipped: t.get("skip").and_then(Value::as_bool) == Some(true),
        error: None,
        cases: Vec::new(),
    };
    if report.skipped {
        return report;
    }
    let invalid = t.get("invalid").and_then(Value::as_bool) == Some(true);
    let setup = (|| -> Result<(PolicySet, Template, Constraint, Value), String> {
        let template_path = join(dir, str_at(t, &["template"]));
        let constraint_path = join(dir, str_at(t, &["constraint"]));
        let mut set = PolicySet::default();
        let template_text =
            read(&template_path).map_err(|e| format!("reading {template_path}: {e}"))?;
        let (objs, _) = raw::read(&template_path, &template_text);
        set.add(objs, Some(&template_text), false);
        let template = set
            .templates
            .first()
            .cloned()
            .ok_or_else(|| format!("{template_path} holds no ConstraintTemplate"))?;
        let objs = read_objects(read, &constraint_path)?;
        let obj = objs
            .iter()
            .find(|o| gatekeeper::is_constraint(o))
            .ok_or_else(|| format!("{constraint_path} holds no constraint"))?;
        let mut diagnostics = Vec::new();
        let constraint = gatekeeper::constraint(obj, &mut diagnostics);
        if constraint.kind != template.kind {
            return Err(format!(
                "the constraint's kind {} is not the template's {}",
                constraint.kind, template.kind
            ));
        }
        let schema = template_schema(&template_text);
        Ok((set, template, constraint, schema))
    })();
    let (set, template, constraint, schema) = match setup {
        Ok(s) => s,
        Err(e) => {
            report.error = Some(e);
            return report;
        }
    };
    let schema_error = validate(&schema, &constraint.parameters, "spec.parameters");
    if invalid {
        if schema_error.is_none() {
            report.error = Some("the constraint was expected to be invalid for its template, but its parameters fit the schema".into());
        }
        return report;
    }
    if let Some(e) = schema_error {
        report.error = Some(format!("the constraint is invalid: {e}"));
        return report;
    }
    let cases = t
        .get("cases")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    for c in &cases {
        let name = str_at(c, &["name"]).to_string();
        if c.get("skip").and_then(Value::as_bool) == Some(true) {
            report.cases.push(CaseReport {
                name,
                skipped: true,
                error: None,
            });
            continue;
        }
        let error = run_case(dir, c, &set, &template, &constraint, read).err();
        report.cases.push(CaseReport {
            name,
            skipped: false,
            error,
        });
    }
    report
}

/// The openAPIV3Schema of a template's parameters (`{}` when none).
fn template_schema(template_text: &str) -> Value {
    let (objs, _) = raw::read("template", template_text);
    objs.iter()
        .find(|o| gatekeeper::is_template(o))
        .and_then(|o| {
            o.value
                .pointer("/spec/crd/spec/validation/openAPIV3Schema")
                .cloned()
        })
        .unwrap_or(Value::Null)
}

/// Checks `value` against a structural schema's types, items, properties and enums;
/// the first mismatch, with its path.
fn validate(schema: &Value, value: &Value, path: &str) -> Option<String> {
    if schema.is_null() || value.is_null() {
        return None;
    }
    let ty = str_at(schema, &["type"]);
    let fits = match ty {
        "string" => value.is_string(),
        "integer" => value.as_f64().is_some_and(|f| f.fract() == 0.0),
        "number" => value.is_number(),
        "boolean" => value.is_boolean(),
        "array" => value.is_array(),
        "object" => value.is_object(),
        _ => true,
    };
    if !fits {
        return Some(format!("{path}: expected {ty}, got {value}"));
    }
    if let Some(options) = schema.get("enum").and_then(Value::as_array) {
        if !options.contains(value) {
            return Some(format!("{path}: {value} is not one of the allowed values"));
        }
    }
    if let (Some(items), Some(arr)) = (schema.get("items"), value.as_array()) {
        for (i, v) in arr.iter().enumerate() {
            if let Some(e) = validate(items, v, &format!("{path}[{i}]")) {
                return Some(e);
            }
        }
    }
    if let Some(obj) = value.as_object() {
        let props = schema.get("properties").and_then(Value::as_object);
        for (k, v) in obj {
            let sub = props
                .and_then(|p| p.get(k))
                .or_else(|| schema.get("additionalProperties").filter(|a| a.is_object()));
            if let Some(sub) = sub {
                if let Some(e) = validate(sub, v, &format!("{path}.{k}")) {
                    return Some(e);
                }
            }
        }
    }
    None
}

fn run_case(
    dir: &str,
    c: &Value,
    set: &PolicySet,
    template: &Template,
    constraint: &Constraint,
    read: &mut Reader,
) -> Result<(), String> {
    let object_path = str_at(c, &["object"]);
    if object_path.is_empty() {
        return Err("the case names no object".into());
    }
    let assertions = c
        .get("assertions")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    if assertions.is_empty() {
        return Err("the case has no assertions".into());
    }
    let object_path = join(dir, object_path);
    let objects = read_objects(read, &object_path)?;
    if objects.len() != 1 {
        return Err(format!(
            "{object_path} defines {} objects, not one",
            objects.len()
        ));
    }
    let mut inventory_objects = Vec::new();
    let mut expansions = set.expansions.clone();
    for p in c
        .get("inventory")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        let p = join(dir, p.as_str().unwrap_or_default());
        for o in read_objects(read, &p)? {
            if expansion::is_expansion_template(&o) {
                let mut problems = Vec::new();
                match expansion::read(&o, &mut problems) {
                    Some(t) => expansions.push(t),
                    None => {
                        return Err(problems
                            .first()
                            .map(|d| format!("{}:{}: {}", d.file, d.line, d.message))
                            .unwrap_or_default())
                    }
                }
                continue;
            }
            inventory_objects.push(Reviewed::new(o.value, o.source, ""));
        }
    }
    let values: Vec<regorus::Value> = inventory_objects
        .iter()
        .map(|o| rego::to_rego(&o.object))
        .collect();
    let data = super::inventory(&inventory_objects, &values);
    let namespaces = super::namespaces(&inventory_objects);
    let cx = CaseContext {
        set,
        template,
        constraint,
        data: &data,
        namespaces: &namespaces,
        expansions: &expansions,
    };
    let messages = review(&objects[0], &cx)?;
    for a in &assertions {
        let matching = match a.get("message").and_then(Value::as_str) {
            Some(pattern) => {
                let re = regex::Regex::new(pattern)
                    .map_err(|e| format!("assertion message {pattern:?}: {e}"))?;
                messages.iter().filter(|m| re.is_match(m)).count()
            }
            None => messages.len(),
        };
        let want = match a.get("violations") {
            Some(Value::Bool(b)) => Value::from(if *b { "yes" } else { "no" }),
            Some(v) => v.clone(),
            None => Value::from("yes"),
        };
        let ok = match &want {
            // YAML 1.1 readers take unquoted yes and no for booleans.
            Value::Bool(true) => matching > 0,
            Value::Bool(false) => matching == 0,
            Value::String(s) if s == "yes" => matching > 0,
            Value::String(s) if s == "no" => matching == 0,
            Value::Number(n) => n.as_u64() == Some(matching as u64),
            other => {
                return Err(format!(
                    "assertion violations: {other} is not yes, no or a count"
                ))
            }
        };
        if !ok {
            let about = a
                .get("message")
                .and_then(Value::as_str)
                .map(|m| format!(" matching {m:?}"))
                .unwrap_or_default();
            return Err(format!(
                "got {matching} violation(s){about}, want {want}; messages: {messages:?}"
            ));
        }
    }
    Ok(())
}

/// What reviewing a case's object needs.
struct CaseContext<'a> {
    set: &'a PolicySet,
    template: &'a Template,
    constraint: &'a Constraint,
    data: &'a regorus::Value,
    namespaces: &'a std::collections::HashMap<String, &'a Reviewed>,
    expansions: &'a [expansion::ExpansionTemplate],
}

/// The violation messages of reviewing `obj` (an object or an AdmissionReview), and of
/// the objects it expands into.
fn review(obj: &RawObject, cx: &CaseContext) -> Result<Vec<String>, String> {
    let CaseContext {
        set,
        template,
        constraint,
        data,
        namespaces,
        expansions,
    } = *cx;
    let is_admission_review = obj.kind() == "AdmissionReview"
        && crate::model::kinds::group_of(obj.api_version()) == "admission.k8s.io";
    let (review, target_obj) = if is_admission_review {
        let mut request = obj
            .value
            .get("request")
            .cloned()
            .ok_or("the AdmissionReview has no request")?;
        let object = request.get("object").filter(|o| !o.is_null()).cloned();
        let old = request.get("oldObject").filter(|o| !o.is_null()).cloned();
        let Some(subject) = object.clone().or(old) else {
            return Err("the AdmissionRequest has no object or oldObject to review".into());
        };
        if object.is_none() {
            // As Gatekeeper does on DELETE: the old object is reviewed as the object.
            if let Some(m) = request.as_object_mut() {
                m.insert("object".into(), subject.clone());
            }
        }
        let mut reviewed = Reviewed::new(subject, obj.source.clone(), "");
        if let Some(k) = request.get("kind") {
            reviewed.group = str_at(k, &["group"]).to_string();
            reviewed.version = str_at(k, &["version"]).to_string();
            reviewed.kind = str_at(k, &["kind"]).to_string();
        }
        let ns = str_at(&request, &["namespace"]);
        if !ns.is_empty() {
            reviewed.namespace = ns.to_string();
        }
        (request, reviewed)
    } else {
        let declared = !obj.namespace().is_empty();
        let mut reviewed = Reviewed::new(obj.value.clone(), obj.source.clone(), "");
        let review = reviewed.review(namespaces.get(&reviewed.namespace).map(|n| &n.object));
        if !declared {
            // gator matches an object without a namespace as it declares it.
            reviewed.namespace = String::new();
        }
        (review, reviewed)
    };
    let generated = expansion::expand(&target_obj, expansions);
    let ns = namespaces.get(&target_obj.namespace);
    let target = Target {
        group: &target_obj.group,
        kind: &target_obj.kind,
        name: &target_obj.name,
        namespace: &target_obj.namespace,
        labels: &target_obj.labels,
        namespace_labels: ns.map(|n| &n.labels),
        generated: false,
    };
    let matches = |o: &Reviewed| {
        constraint.matcher.matches(&Target {
            group: &o.group,
            kind: &o.kind,
            name: &o.name,
            namespace: &o.namespace,
            labels: &o.labels,
            namespace_labels: namespaces.get(&o.namespace).map(|n| &n.labels),
            generated: true,
        })
    };
    let generated: Vec<&Reviewed> = generated.iter().filter(|o| matches(o)).collect();
    let itself = constraint.matcher.matches(&target);
    if !itself && generated.is_empty() {
        return Ok(Vec::new());
    }
    let mut diagnostics = Vec::new();
    let mut evaluator =
        Evaluator::compile(set, template, data, &mut diagnostics).ok_or_else(|| {
            diagnostics
                .first()
                .map(|d| format!("{}:{}: {}", d.file, d.line, d.message))
                .unwrap_or_else(|| "the template cannot be evaluated".into())
        })?;
    let params = rego::to_rego(&constraint.parameters);
    let mut messages = Vec::new();
    if itself {
        let violations =
            evaluator.violations(&mut Review::whole(review), &constraint.parameters, &params)?;
        messages.extend(violations.into_iter().map(|v| v.message));
    }
    for g in generated {
        let ns = namespaces.get(&g.namespace).copied();
        let mut review = Review::new(g, None, ns, None);
        let violations = evaluator.violations(&mut review, &constraint.parameters, &params)?;
        messages.extend(violations.into_iter().map(|v| match &g.expanded_from {
            Some(e) => e.message(&v.message),
            None => v.message,
        }));
    }
    Ok(messages)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_join_relative_to_the_suite() {
        assert_eq!(join("lib/a", "samples/c.yaml"), "lib/a/samples/c.yaml");
        assert_eq!(join("lib/a", "../b/t.yaml"), "lib/b/t.yaml");
        assert_eq!(join("/abs/a", "./t.yaml"), "/abs/a/t.yaml");
        assert_eq!(join("", "t.yaml"), "t.yaml");
    }

    #[test]
    fn schemas_check_types_items_and_enums() {
        let schema: Value = serde_json::json!({"type": "object", "properties": {
            "labels": {"type": "array", "items": {"type": "string"}},
            "mode": {"type": "string", "enum": ["a", "b"]},
            "n": {"type": "integer"}}});
        assert_eq!(
            validate(
                &schema,
                &serde_json::json!({"labels": ["x"], "mode": "a", "n": 2}),
                "p"
            ),
            None
        );
        assert!(validate(&schema, &serde_json::json!({"labels": "x"}), "p").is_some());
        assert!(validate(&schema, &serde_json::json!({"labels": [1]}), "p").is_some());
        assert!(validate(&schema, &serde_json::json!({"mode": "c"}), "p").is_some());
        assert!(validate(&schema, &serde_json::json!({"n": 1.5}), "p").is_some());
    }
}
