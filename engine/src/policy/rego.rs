//! Rego evaluation of Gatekeeper templates with regorus, made to behave as OPA does
//! where Gatekeeper's policy libraries depend on it.
//!
//! - Rego v0 (`violation[{"msg": msg}] { ... }`) is the default of templates; v1 when
//!   the template says `version: v1`, or when the code does not parse as v0.
//! - `sprintf` formats as Go's `fmt` does through OPA: a missing argument prints
//!   `%!v(MISSING)`, an extra one `%!(EXTRA ...)`, a wrong type `%!d(string=x)`; it never
//!   makes the rule fail.
//! - Built-in errors make the expression undefined (OPA's non-strict mode).
//! - Every evaluation has a step budget, counted by a clock that advances one
//!   microsecond per interpreter step: deterministic, identical natively and in wasm,
//!   and a hostile policy cannot hang the page. `numbers.range` is capped for the same
//!   reason. regorus is built without the `http`, `net` and `time` built-ins: the
//!   `net.cidr_*` and `time.*` functions policies use are [`super::rego_builtins`],
//!   `time.now_ns` answering the snapshot's time, so that a verdict never depends on
//!   when the analysis ran.

use std::num::NonZeroU32;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Once;
use std::time::Duration;

use regorus::utils::limits::{ExecutionTimerConfig, TimeSource};
use regorus::{Engine, Value};

/// Interpreter steps one evaluation may take.
pub const STEP_BUDGET: u64 = 5_000_000;

/// Largest `numbers.range` a policy may build.
const MAX_RANGE: f64 = 1_000_000.0;

static STEPS: AtomicU64 = AtomicU64::new(0);

#[derive(Debug)]
struct StepClock;

impl TimeSource for StepClock {
    fn now(&self) -> Option<Duration> {
        Some(Duration::from_micros(
            STEPS.fetch_add(1, Ordering::Relaxed) + 1,
        ))
    }
}

static CLOCK: StepClock = StepClock;
static INSTALL: Once = Once::new();

/// A template's Rego, compiled once and evaluated per object.
#[derive(Debug)]
pub struct RegoProgram {
    engine: Engine,
    rule: String,
}

/// A compile or evaluation error: the message and, when known, the line in the Rego
/// text (1-based) and which text (`None`: the template's rego, `Some(i)`: lib `i`).
#[derive(Clone, Debug, PartialEq)]
pub struct RegoError {
    pub message: String,
    pub line: u32,
    pub lib: Option<usize>,
    /// The step budget ran out.
    pub budget: bool,
}

/// One violation: its `msg` (and `details`, when given).
#[derive(Clone, Debug, PartialEq)]
pub struct Violation {
    pub message: String,
    pub details: Option<serde_json::Value>,
}

fn package_of(rego: &str) -> Option<String> {
    rego.lines().find_map(|l| {
        let l = l.trim();
        l.strip_prefix("package ")
            .map(|p| p.trim().trim_end_matches(';').to_string())
    })
}

fn located(e: &anyhow::Error, lib: Option<usize>) -> RegoError {
    let message = format!("{e}");
    // regorus prints `file:line:col: error: ...`.
    let line = message
        .lines()
        .find_map(|l| {
            let mut parts = l.split(':');
            let _file = parts.next()?;
            parts.next()?.trim().parse::<u32>().ok()
        })
        .unwrap_or(0);
    let budget = message.contains("time limit") || message.contains("execution time");
    let first = message
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(str::trim)
        .collect::<Vec<_>>()
        .join(" ");
    RegoError {
        message: first,
        line,
        lib,
        budget,
    }
}

/// A built-in implemented here.
type BuiltinFn = fn(Vec<Value>) -> anyhow::Result<Value>;

fn new_engine(v0: bool, now_ns: i64) -> Engine {
    INSTALL.call_once(|| {
        let _ = regorus::utils::limits::set_time_source(&CLOCK);
    });
    let mut engine = Engine::new();
    engine.set_rego_v0(v0);
    engine.set_strict_builtin_errors(false);
    if let Some(interval) = NonZeroU32::new(1) {
        engine.set_execution_timer_config(ExecutionTimerConfig {
            limit: Duration::from_micros(STEP_BUDGET),
            check_interval: interval,
        });
    }
    // Cannot fail on a fresh engine: the names are not taken yet.
    let _ = engine.add_extension("sprintf".into(), 2, Box::new(sprintf_extension));
    let _ = engine.add_extension("numbers.range".into(), 2, Box::new(range_extension));
    use super::rego_builtins as b;
    use super::rego_time as t;
    let extensions: [(&str, u8, BuiltinFn); 12] = [
        ("net.cidr_contains", 2, b::cidr_contains),
        ("net.cidr_intersects", 2, b::cidr_intersects),
        ("net.cidr_is_valid", 1, b::cidr_is_valid),
        ("time.parse_rfc3339_ns", 1, b::parse_rfc3339_ns),
        ("time.parse_duration_ns", 1, b::parse_duration_ns),
        ("time.date", 1, t::date),
        ("time.clock", 1, t::clock),
        ("time.weekday", 1, t::weekday),
        ("time.add_date", 4, t::add_date),
        ("time.diff", 2, t::diff),
        ("time.format", 1, t::format),
        ("time.parse_ns", 2, t::parse_ns),
    ];
    for (name, nargs, f) in extensions {
        // A built-in's error makes the expression undefined, as OPA's non-strict mode
        // does (regorus fails the query on an extension's error).
        let lenient = move |args: Vec<Value>| Ok(f(args).unwrap_or(Value::Undefined));
        let _ = engine.add_extension(name.into(), nargs, Box::new(lenient));
    }
    let _ = engine.add_extension(
        "time.now_ns".into(),
        0,
        Box::new(move |_: Vec<Value>| Ok(Value::from(now_ns))),
    );
    engine
}

/// How deeply `[` and `{` may nest in a Rego source. regorus' parser tries the
/// alternatives of each (array or comprehension, object, set or comprehension) by
/// backtracking, so its time doubles with each level: 20 levels take seconds, 40 years
/// (found by the `policies` fuzz target). Written policies nest a few levels.
pub const MAX_NESTING: usize = 16;

/// The line (1-based) where `[`/`{` first nest deeper than [`MAX_NESTING`] in `source`,
/// outside strings and comments; `None` when they never do.
fn too_deep(source: &str) -> Option<u32> {
    let mut depth = 0usize;
    let mut line = 1u32;
    let mut chars = source.chars();
    while let Some(c) = chars.next() {
        match c {
            '\n' => line += 1,
            // A comment runs to the end of the line.
            '#' => line += u32::from(chars.by_ref().any(|c| c == '\n')),
            '"' => {
                while let Some(c) = chars.next() {
                    match c {
                        '\\' => {
                            chars.next();
                        }
                        '"' | '\n' => {
                            line += u32::from(c == '\n');
                            break;
                        }
                        _ => {}
                    }
                }
            }
            '`' => {
                for c in chars.by_ref() {
                    if c == '`' {
                        break;
                    }
                    line += u32::from(c == '\n');
                }
            }
            '[' | '{' => {
                depth += 1;
                if depth > MAX_NESTING {
                    return Some(line);
                }
            }
            ']' | '}' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    None
}

impl RegoProgram {
    /// Compiles a template's Rego and libs. `data` is the whole `data` document the
    /// policies read (`data.inventory`); `now_ns` is what `time.now_ns()` answers.
    pub fn compile(
        rego: &str,
        libs: &[String],
        v1_only: bool,
        data: &Value,
        now_ns: i64,
    ) -> Result<RegoProgram, RegoError> {
        let Some(package) = package_of(rego) else {
            return Err(RegoError {
                message: "the Rego has no package".into(),
                line: 1,
                lib: None,
                budget: false,
            });
        };
        for (i, source) in std::iter::once(rego)
            .chain(libs.iter().map(String::as_str))
            .enumerate()
        {
            if let Some(line) = too_deep(source) {
                return Err(RegoError {
                    message: format!(
                        "brackets nest deeper than {MAX_NESTING} levels; refused, since parsing such Rego takes time exponential in the depth"
                    ),
                    line,
                    lib: i.checked_sub(1),
                    budget: false,
                });
            }
        }
        // Each syntax is tried whole: parsed, then evaluated once against an empty input,
        // since regorus reports unsafe variables and unknown functions only then. The
        // error kept is the one that got furthest (a parse error loses to a later one).
        let attempt = |v0: bool| -> Result<RegoProgram, (u8, RegoError)> {
            let mut engine = new_engine(v0, now_ns);
            engine
                .add_policy("template.rego".into(), rego.to_string())
                .map_err(|e| (0, located(&e, None)))?;
            for (i, lib) in libs.iter().enumerate() {
                engine
                    .add_policy(format!("lib{i}.rego"), lib.clone())
                    .map_err(|e| (0, located(&e, Some(i))))?;
            }
            engine
                .add_data(data.clone())
                .map_err(|e| (1, located(&e, None)))?;
            let mut program = RegoProgram {
                engine,
                rule: format!("data.{package}.violation"),
            };
            program.engine.set_input(Value::new_object());
            if let Err(e) = program.engine.eval_rule(program.rule.clone()) {
                let e = located(&e, None);
                if !e.budget {
                    return Err((1, e));
                }
            }
            Ok(program)
        };
        if v1_only {
            return attempt(false).map_err(|(_, e)| e);
        }
        match attempt(true) {
            Ok(p) => Ok(p),
            Err((v0_stage, v0_error)) => match attempt(false) {
                Ok(p) => Ok(p),
                Err((v1_stage, v1_error)) if v1_stage > v0_stage => Err(v1_error),
                Err(_) => Err(v0_error),
            },
        }
    }

    /// Evaluates `violation` for one input (`{review, parameters}`).
    pub fn violations(&mut self, input: Value) -> Result<Vec<Violation>, RegoError> {
        self.engine.set_input(input);
        let result = self
            .engine
            .eval_rule(self.rule.clone())
            .map_err(|e| located(&e, None))?;
        let mut out = Vec::new();
        let items: Vec<&Value> = match &result {
            Value::Set(s) => s.iter().collect(),
            Value::Array(a) => a.iter().collect(),
            _ => Vec::new(),
        };
        for item in items {
            let msg = match item {
                Value::Object(o) => o.get(&Value::from("msg")),
                _ => None,
            };
            let message = match msg {
                Some(Value::String(s)) => s.to_string(),
                Some(v) => term(v),
                None => term(item),
            };
            let details = match item {
                Value::Object(o) => o
                    .get(&Value::from("details"))
                    .and_then(|d| serde_json::to_value(d).ok()),
                _ => None,
            };
            out.push(Violation { message, details });
        }
        out.sort_by(|a, b| a.message.cmp(&b.message));
        Ok(out)
    }
}

/// Converts a JSON value for regorus.
pub fn to_rego(v: &serde_json::Value) -> Value {
    // Read from the borrowed value: no copy of the JSON first.
    serde::Deserialize::deserialize(v).unwrap_or(Value::Undefined)
}

fn range_extension(args: Vec<Value>) -> anyhow::Result<Value> {
    let (Some(Value::Number(a)), Some(Value::Number(b))) = (args.first(), args.get(1)) else {
        return Ok(Value::Undefined);
    };
    let (Some(a), Some(b)) = (a.as_f64(), b.as_f64()) else {
        return Ok(Value::Undefined);
    };
    if a.fract() != 0.0 || b.fract() != 0.0 {
        anyhow::bail!("numbers.range: operands must be integers");
    }
    if (b - a).abs() > MAX_RANGE {
        anyhow::bail!("numbers.range: a range of more than {MAX_RANGE} numbers is refused");
    }
    let step = if b >= a { 1.0 } else { -1.0 };
    let mut out = Vec::new();
    let mut x = a;
    loop {
        out.push(Value::from(x));
        if x == b {
            break;
        }
        x += step;
    }
    Ok(Value::from(out))
}

fn sprintf_extension(args: Vec<Value>) -> anyhow::Result<Value> {
    if args.iter().any(|a| matches!(a, Value::Undefined)) {
        return Ok(Value::Undefined);
    }
    let (Some(Value::String(format)), Some(Value::Array(values))) = (args.first(), args.get(1))
    else {
        anyhow::bail!("sprintf: expects a format string and an array");
    };
    let values: Vec<Value> = values.iter().cloned().collect();
    Ok(Value::from(go_sprintf(format, &values)))
}

/// Go's `fmt.Sprintf` over Rego values, as OPA's `sprintf` prints them.
pub fn go_sprintf(format: &str, args: &[Value]) -> String {
    let mut out = String::new();
    let mut next = 0usize;
    let mut chars = format.chars().peekable();
    while let Some(c) = chars.next() {
        if c != '%' {
            out.push(c);
            continue;
        }
        // Flags, width and precision.
        let mut spec = String::new();
        while let Some(&f) = chars.peek() {
            if "+-# 0123456789.".contains(f) {
                spec.push(f);
                chars.next();
            } else {
                break;
            }
        }
        let Some(verb) = chars.next() else {
            out.push_str("%!(NOVERB)");
            break;
        };
        if verb == '%' {
            out.push('%');
            continue;
        }
        let Some(arg) = args.get(next) else {
            out.push_str(&format!("%!{verb}(MISSING)"));
            continue;
        };
        next += 1;
        let precision = spec
            .split_once('.')
            .and_then(|(_, p)| p.parse::<usize>().ok());
        let width = spec
            .split('.')
            .next()
            .map(|w| w.trim_start_matches(['+', '-', '#', ' ', '0']))
            .and_then(|w| w.parse::<usize>().ok());
        let text = match (verb, arg) {
            ('s', Value::String(s)) => s.to_string(),
            ('q', Value::String(s)) => {
                serde_json::to_string(s.as_ref()).unwrap_or_else(|_| s.to_string())
            }
            ('v', Value::String(s)) => s.to_string(),
            ('s' | 'v', v) => term(v),
            ('d', Value::Number(n)) => match n.as_f64() {
                Some(f) if f.fract() == 0.0 => format!("{}", f as i64),
                _ => format!("%!d({})", term(arg)),
            },
            ('f' | 'F', Value::Number(n)) => {
                let f = n.as_f64().unwrap_or(0.0);
                format!("{:.*}", precision.unwrap_or(6), f)
            }
            ('e', Value::Number(n)) => format!("{:e}", n.as_f64().unwrap_or(0.0)),
            ('g' | 'G', Value::Number(_)) => term(arg),
            ('x', Value::Number(n)) => format!("{:x}", n.as_f64().unwrap_or(0.0) as i64),
            ('X', Value::Number(n)) => format!("{:X}", n.as_f64().unwrap_or(0.0) as i64),
            ('x', Value::String(s)) => s.bytes().map(|b| format!("{b:02x}")).collect(),
            ('t', Value::Bool(b)) => b.to_string(),
            (verb, v) => format!("%!{verb}({}={})", go_type(v), term(v)),
        };
        match width {
            Some(w) if text.chars().count() < w => {
                let pad = " ".repeat(w - text.chars().count());
                if spec.contains('-') {
                    out.push_str(&text);
                    out.push_str(&pad);
                } else {
                    out.push_str(&pad);
                    out.push_str(&text);
                }
            }
            _ => out.push_str(&text),
        }
    }
    if next < args.len() {
        let extra: Vec<String> = args[next..]
            .iter()
            .map(|a| format!("{}={}", go_type(a), term(a)))
            .collect();
        out.push_str(&format!("%!(EXTRA {})", extra.join(", ")));
    }
    out
}

fn go_type(v: &Value) -> &'static str {
    match v {
        Value::String(_) => "string",
        Value::Number(_) => "json.Number",
        Value::Bool(_) => "bool",
        Value::Null => "<nil>",
        Value::Array(_) => "[]interface {}",
        Value::Set(_) => "ast.Set",
        Value::Object(_) => "map[string]interface {}",
        _ => "undefined",
    }
}

/// A value as OPA prints a term: strings quoted inside collections, `, ` between items.
pub fn term(v: &Value) -> String {
    fn inner(v: &Value, out: &mut String) {
        match v {
            Value::String(s) => {
                out.push_str(&serde_json::to_string(s.as_ref()).unwrap_or_default())
            }
            Value::Number(_) | Value::Bool(_) | Value::Null => {
                out.push_str(&serde_json::to_string(v).unwrap_or_default())
            }
            Value::Array(a) => {
                out.push('[');
                for (i, x) in a.iter().enumerate() {
                    if i > 0 {
                        out.push_str(", ");
                    }
                    inner(x, out);
                }
                out.push(']');
            }
            Value::Set(s) => {
                if s.is_empty() {
                    out.push_str("set()");
                    return;
                }
                out.push('{');
                for (i, x) in s.iter().enumerate() {
                    if i > 0 {
                        out.push_str(", ");
                    }
                    inner(x, out);
                }
                out.push('}');
            }
            Value::Object(o) => {
                out.push('{');
                for (i, (k, x)) in o.iter().enumerate() {
                    if i > 0 {
                        out.push_str(", ");
                    }
                    inner(k, out);
                    out.push_str(": ");
                    inner(x, out);
                }
                out.push('}');
            }
            _ => out.push_str("undefined"),
        }
    }
    match v {
        Value::String(s) => s.to_string(),
        _ => {
            let mut out = String::new();
            inner(v, &mut out);
            out
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// 2026-12-03T10:00:00Z, the snapshot time of these tests.
    const NOW: i64 = 1_796_292_000_000_000_000;

    fn program(rego: &str, libs: &[&str]) -> Result<RegoProgram, RegoError> {
        let libs: Vec<String> = libs.iter().map(|s| s.to_string()).collect();
        RegoProgram::compile(rego, &libs, false, &Value::new_object(), NOW)
    }

    fn run(rego: &str, input: serde_json::Value) -> Vec<String> {
        let mut p = program(rego, &[]).unwrap();
        p.violations(to_rego(&input))
            .unwrap()
            .into_iter()
            .map(|v| v.message)
            .collect()
    }

    #[test]
    fn net_built_ins_answer_as_opa_and_bad_input_is_undefined() {
        // A policy in the style of the libraries' allowed-CIDR checks (Rego v0).
        let rego = r#"package cidrs
violation[{"msg": msg}] {
  ip := input.review.object.spec.loadBalancerIP
  not allowed(ip)
  msg := sprintf("%v is outside the allowed ranges", [ip])
}
violation[{"msg": "overlap"}] {
  net.cidr_intersects(input.review.object.spec.cidr, "10.96.0.0/12")
}
violation[{"msg": "invalid"}] {
  not net.cidr_is_valid(input.review.object.spec.cidr)
}
allowed(ip) { net.cidr_contains("10.0.0.0/8", ip) }
"#;
        let obj = |ip: &str, cidr: &str| serde_json::json!({"review": {"object": {"spec": {"loadBalancerIP": ip, "cidr": cidr}}}});
        assert!(run(rego, obj("10.1.2.3", "192.168.0.0/16")).is_empty());
        assert_eq!(
            run(rego, obj("8.8.8.8", "10.100.0.0/16")),
            ["8.8.8.8 is outside the allowed ranges", "overlap"]
        );
        // Not an address: `net.cidr_contains` errs, so `allowed` is undefined and `not`
        // holds (OPA's non-strict mode); an invalid CIDR is reported as such.
        assert_eq!(
            run(rego, obj("nope", "10.0.0.0/33")),
            ["invalid", "nope is outside the allowed ranges"]
        );
    }

    #[test]
    fn time_now_is_the_snapshot_time() {
        let rego = r#"package expiry
import rego.v1
violation contains {"msg": msg} if {
  expires := time.parse_rfc3339_ns(input.review.object.metadata.annotations.expires)
  expires < time.now_ns()
  msg := sprintf("expired %v", [input.review.object.metadata.annotations.expires])
}
violation contains {"msg": "too long"} if {
  time.parse_duration_ns(input.review.object.metadata.annotations.ttl) > time.parse_duration_ns("24h")
}
"#;
        let obj = |expires: &str, ttl: &str| serde_json::json!({"review": {"object": {"metadata": {"annotations": {"expires": expires, "ttl": ttl}}}}});
        // NOW is 2026-12-03T10:00:00Z whatever the machine's clock says.
        assert_eq!(
            run(rego, obj("2026-12-03T09:59:59Z", "1h")),
            ["expired 2026-12-03T09:59:59Z"]
        );
        assert!(run(rego, obj("2026-12-03T10:00:01Z", "23h59m")).is_empty());
        assert_eq!(run(rego, obj("2027-01-01T00:00:00Z", "25h")), ["too long"]);
    }

    #[test]
    fn calendar_built_ins_read_the_snapshot_time() {
        // 2026-12-03 is a Thursday; a certificate annotation expires within 30 days.
        let rego = r#"package cal
import rego.v1
violation contains {"msg": msg} if {
  now := time.now_ns()
  [y, m, d] := time.date(now)
  [h, _, _] := time.clock([now, "Local"])
  msg := sprintf("%v %v-%v-%v %vh %v", [time.weekday(now), y, m, d, h, time.format([now, "UTC", "DateOnly"])])
}
violation contains {"msg": "renew soon"} if {
  expires := time.parse_ns("2006-01-02", input.review.object.expires)
  expires < time.add_date(time.now_ns(), 0, 0, 30)
}
violation contains {"msg": sprintf("%v", [time.diff(time.now_ns(), time.parse_ns("2006-01-02", input.review.object.expires))])} if {
  input.review.object.diff
}
violation contains {"msg": "unknown zone"} if {
  time.clock([time.now_ns(), "Europe/Paris"])
}
"#;
        let obj = |expires: &str, diff: bool| serde_json::json!({"review": {"object": {"expires": expires, "diff": diff}}});
        assert_eq!(
            run(rego, obj("2026-12-20", false)),
            ["Thursday 2026-12-3 10h 2026-12-03", "renew soon"]
        );
        assert_eq!(
            run(rego, obj("2027-12-20", true)),
            ["Thursday 2026-12-3 10h 2026-12-03", "[1, 0, 16, 14, 0, 0]"]
        );
    }

    #[test]
    fn sprintf_prints_as_go() {
        let s = |f: &str, a: Vec<Value>| go_sprintf(f, &a);
        assert_eq!(s("%v and %v", vec![Value::from("a")]), "a and %!v(MISSING)");
        assert_eq!(s("%d", vec![Value::from(3.0)]), "3");
        assert_eq!(s("%d", vec![Value::from("x")]), "%!d(string=x)");
        assert_eq!(
            s(
                "%v",
                vec![Value::from(vec![Value::from("a"), Value::from(1.0)])]
            ),
            "[\"a\", 1]"
        );
        assert_eq!(s("%s", vec![]), "%!s(MISSING)");
        assert_eq!(s("a", vec![Value::from("x")]), "a%!(EXTRA string=x)");
        assert_eq!(s("100%%", vec![]), "100%");
    }

    #[test]
    fn v0_and_v1_syntax() {
        let v0 = "package a\nviolation[{\"msg\": msg}] {\n  input.review.object.x == 1\n  msg := sprintf(\"x is %v, %v\", [input.review.object.x])\n}\n";
        assert_eq!(
            run(v0, serde_json::json!({"review": {"object": {"x": 1}}})),
            ["x is 1, %!v(MISSING)"]
        );
        let v1 = "package a\nviolation contains {\"msg\": msg} if {\n  input.review.object.x == 1\n  msg := \"one\"\n}\n";
        assert_eq!(
            run(v1, serde_json::json!({"review": {"object": {"x": 1}}})),
            ["one"]
        );
        assert!(run(v1, serde_json::json!({"review": {"object": {"x": 2}}})).is_empty());
    }

    #[test]
    fn undefined_inside_not_and_builtin_errors() {
        // `not` over an undefined reference or a failing built-in is true, as in OPA.
        let rego = "package a\nviolation[{\"msg\": \"no label\"}] {\n  not input.review.object.metadata.labels.team\n}\nviolation[{\"msg\": \"not a number\"}] {\n  not to_number(input.review.object.n) > 0\n}\nviolation[{\"msg\": \"prefix\"}] {\n  not startswith(input.review.object.missing, \"a\")\n}\n";
        let got = run(
            rego,
            serde_json::json!({"review": {"object": {"metadata": {}, "n": "abc"}}}),
        );
        assert_eq!(got, ["no label", "not a number", "prefix"]);
    }

    #[test]
    fn functions_else_comprehensions_and_libs() {
        let rego = "package t\nimport data.lib.util.has_prefix\nviolation[{\"msg\": msg, \"details\": {\"c\": c.name}}] {\n  c := input.review.object.spec.containers[_]\n  not has_prefix(c.image, input.parameters.repos)\n  level(c) == \"bad\"\n  names := [n | n := input.review.object.spec.containers[_].name]\n  msg := sprintf(\"%v of %v\", [c.name, count(names)])\n}\nlevel(c) = \"bad\" { c.privileged } else = \"bad\" { c.root } else = \"ok\" { true }\n";
        let lib = "package lib.util\nhas_prefix(s, prefixes) { startswith(s, prefixes[_]) }\nhas_prefix(s, prefixes) { s == \"scratch\" }\n";
        let mut p = program(rego, &[lib]).unwrap();
        let input = serde_json::json!({"parameters": {"repos": ["good/"]}, "review": {"object": {"spec": {"containers": [
            {"name": "a", "image": "good/x", "privileged": true},
            {"name": "b", "image": "evil/x", "root": true},
            {"name": "c", "image": "evil/y"},
            {"name": "d", "image": "scratch", "privileged": true}
        ]}}}});
        let v = p.violations(to_rego(&input)).unwrap();
        assert_eq!(v.len(), 1);
        assert_eq!(v[0].message, "b of 4");
        assert_eq!(v[0].details, Some(serde_json::json!({"c": "b"})));
    }

    #[test]
    fn compile_errors_are_located() {
        let e = program("package a\nviolation[{\"msg\": m}] {\n  m := \n}\n", &[]).unwrap_err();
        assert!(e.line >= 2, "{e:?}");
        let e = program(
            "package a\nviolation[{\"msg\": m}] {\n  m := no_such_function(1)\n}\n",
            &[],
        )
        .unwrap_err();
        assert!(e.message.contains("no_such_function"), "{e:?}");
        assert!(program("violation[x] { x := 1 }", &[]).is_err());
    }

    #[test]
    fn deep_nesting_is_refused_before_the_parser() {
        // Found by fuzzing: each level doubles regorus' parse time.
        let deep = format!(
            "package a\n# [[[[ in a comment\nviolation[{{\"msg\": m}}] {{\n  s := \"{{{{{{{{[[[[\"\n  m := {}1\n}}\n",
            "[".repeat(40)
        );
        let started = std::time::Instant::now();
        let e = program(&deep, &[]).unwrap_err();
        assert!(started.elapsed().as_secs() < 2, "{:?}", started.elapsed());
        assert!(e.message.contains("nest deeper than 16"), "{e:?}");
        assert_eq!(e.line, 5, "{e:?}");
        let e = program(
            "package a\nviolation[{\"msg\": \"x\"}] { true }\n",
            &[&deep],
        )
        .unwrap_err();
        assert_eq!(e.lib, Some(0), "{e:?}");
        // Nesting up to the limit, and brackets in strings and comments, still compile.
        let fine = format!(
            "package a\n# {}\nviolation[{{\"msg\": m}}] {{\n  m := \"{}\"\n  x := {}1{}\n  x == x\n}}\n",
            "[".repeat(40),
            "{".repeat(40),
            "[".repeat(MAX_NESTING - 1),
            "]".repeat(MAX_NESTING - 1)
        );
        assert!(program(&fine, &[]).is_ok());
    }

    #[test]
    fn a_hostile_policy_runs_out_of_budget() {
        let rego = "package a\nviolation[{\"msg\": \"x\"}] {\n  xs := numbers.range(1, 1000000)\n  count([1 | xs[_]; xs[_]]) > 0\n}\n";
        let mut p = program(rego, &[]).unwrap();
        let e = p
            .violations(to_rego(&serde_json::json!({"review": {}})))
            .unwrap_err();
        assert!(e.budget, "{e:?}");
        let e = program(
            "package a\nviolation[{\"msg\": \"x\"}] {\n  count(numbers.range(1, 100000000)) > 0\n}\n",
            &[],
        )
        .and_then(|mut p| p.violations(to_rego(&serde_json::json!({}))));
        // A huge range is refused with an error, which the caller reports.
        assert!(e.is_err_and(|e| e.message.contains("refused")));
    }
}
