//! YAML inputs: multi-document manifests (Helm-rendered or hand-written),
//! `kubectl get -o yaml` Lists, single objects, and `kubectl version -o yaml`.
//!
//! The stream is split at `---` document markers first, so a broken document costs one
//! diagnostic and the others still load. Each document is decoded with budgets that
//! scale with its size, which stops alias bombs and runaway nesting with an error
//! instead of exhausting memory or the stack.

use serde::de::IgnoredAny;
use serde::Deserialize;
use serde_saphyr::{Budget, Options, Spanned};

use super::{classify_format, item_path, InputFormat, Object, Parsed, ServerVersion};
use crate::source::{to_u32, Diagnostic, LineIndex, Source};

pub(super) fn parse(path: &str, text: &str, parsed: &mut Parsed) {
    let index = LineIndex::new(text);
    for (start, doc) in documents(text) {
        if is_blank(doc) {
            continue;
        }
        let first_line = index.locate(start).0;
        parse_document(path, doc, first_line, parsed);
    }
    if parsed.format.is_none() && parsed.diagnostics.is_empty() {
        parsed.diagnostics.push(Diagnostic::warning(
            path,
            0,
            0,
            "no YAML document in this file holds content",
        ));
    }
}

/// Splits a YAML stream at lines that start with the `---` marker. Each piece keeps its
/// marker line, so line numbers inside it count from its first line.
fn documents(text: &str) -> Vec<(usize, &str)> {
    let mut docs = Vec::new();
    let mut start = 0;
    let mut pos = 0;
    for line in text.split_inclusive('\n') {
        let is_marker = line.starts_with("---")
            && matches!(
                line.as_bytes().get(3),
                None | Some(b' ' | b'\t' | b'\r' | b'\n')
            );
        if is_marker && pos > start {
            docs.push((start, &text[start..pos]));
            start = pos;
        }
        pos += line.len();
    }
    docs.push((start, &text[start..]));
    docs
}

/// Whether a document holds only markers, comments, directives and blank lines.
fn is_blank(doc: &str) -> bool {
    doc.lines().all(|l| {
        let t = l.trim();
        t.is_empty() || t.starts_with('#') || t.starts_with('%') || t == "---" || t == "..."
    })
}

/// Parser limits for one document. The defaults suit configuration files; a snapshot
/// document can be a List of 50,000 pods, so node and event budgets grow with its size
/// (a YAML node takes at least two bytes of input) while alias expansion stays tight.
fn options(len: usize) -> Options {
    let mut options = Options::default();
    let mut budget = Budget::default();
    budget.max_events = budget.max_events.max(len);
    budget.max_nodes = budget.max_nodes.max(len);
    budget.max_total_scalar_bytes = budget.max_total_scalar_bytes.max(len);
    budget.max_reader_input_bytes = Some(len.max(1 << 20));
    options.budget = Some(budget);
    options.alias_limits.max_total_replayed_events = 100_000;
    options.with_snippet = false;
    options
}

fn parse_document(path: &str, doc: &str, first_line: u32, parsed: &mut Parsed) {
    let value: serde_json::Value =
        match serde_saphyr::from_str_with_options(doc, options(doc.len())) {
            Ok(value) => value,
            Err(e) => {
                parsed.diagnostics.push(yaml_error(path, first_line, &e));
                return;
            }
        };
    let source = |line: u32| Source {
        file: path.to_string(),
        line,
    };
    let Some(map) = value.as_object() else {
        if !value.is_null() {
            parsed.diagnostics.push(Diagnostic::error(
                path,
                first_line,
                1,
                "YAML document is not a Kubernetes object (not a mapping); skipped",
            ));
        }
        return;
    };
    let kind = map.get("kind").and_then(|k| k.as_str()).unwrap_or_default();
    if let Some(items) = map
        .get("items")
        .filter(|_| kind.is_empty() || kind.ends_with("List"))
    {
        if parsed.format.is_none() {
            parsed.format = Some(InputFormat::KubernetesYaml);
        }
        let lines = item_lines(doc);
        for (i, item) in items.as_array().into_iter().flatten().enumerate() {
            let line = lines.get(i).map_or(first_line, |l| first_line + l - 1);
            match decode(item) {
                Ok(obj) => {
                    classify_format(parsed, &obj, true);
                    parsed.objects.push((obj, source(line)));
                }
                Err(message) => parsed.diagnostics.push(
                    Diagnostic::error(path, line, 0, message.1).at_path(item_path(i) + &message.0),
                ),
            }
        }
        return;
    }
    if let Some(version) = map.get("serverVersion") {
        parsed.format = Some(InputFormat::KubectlVersion);
        let git_version = version
            .get("gitVersion")
            .and_then(|v| v.as_str())
            .unwrap_or_default();
        parsed.server_version = Some(ServerVersion {
            git_version: git_version.into(),
            source: source(first_line),
        });
        return;
    }
    match decode(&value) {
        Ok(obj) => {
            classify_format(parsed, &obj, true);
            parsed.objects.push((obj, source(first_line)));
        }
        Err((field, message)) => parsed.diagnostics.push(
            Diagnostic::error(path, first_line, 0, message)
                .at_path(field.trim_start_matches('.').to_string()),
        ),
    }
}

/// Decodes an object from a YAML-derived value; on failure, the field path and reason.
fn decode(value: &serde_json::Value) -> Result<Object, (String, String)> {
    match Object::deserialize(value) {
        Ok(obj) => Ok(obj),
        Err(_) => match serde_path_to_error::deserialize::<_, Object>(value) {
            Ok(obj) => Ok(obj),
            Err(e) => {
                let path = e.path().to_string();
                let path = if path == "." {
                    String::new()
                } else {
                    format!(".{path}")
                };
                Err((path, format!("object skipped: {}", e.into_inner())))
            }
        },
    }
}

/// 1-based line of each List item within its document.
fn item_lines(doc: &str) -> Vec<u32> {
    #[derive(Deserialize)]
    struct Lines {
        #[serde(default)]
        items: Vec<Spanned<IgnoredAny>>,
    }
    serde_saphyr::from_str_with_options::<Lines>(doc, options(doc.len()))
        .map(|l| {
            l.items
                .iter()
                .map(|s| to_u32(s.referenced.line() as usize))
                .collect()
        })
        .unwrap_or_default()
}

fn yaml_error(path: &str, first_line: u32, e: &serde_saphyr::Error) -> Diagnostic {
    let (line, column) = match e.location() {
        Some(loc) if loc.line() > 0 => (
            first_line + to_u32(loc.line() as usize) - 1,
            to_u32(loc.column() as usize),
        ),
        _ => (first_line, 0),
    };
    // The parser's message repeats locations relative to the document; ours is absolute.
    let message = e.to_string();
    let message = message.lines().next().unwrap_or_default();
    let message = message.split(" at line ").next().unwrap_or(message);
    Diagnostic::error(path, line, column, format!("invalid YAML: {message}"))
}
