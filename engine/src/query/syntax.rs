//! The text form of a query: a tokenizer, a recursive-descent parser whose errors name
//! the line and column and suggest the nearest word, and the printer (`Display`) that
//! writes the canonical text back, so text → query → text is stable.

use std::fmt;

use super::{
    severity_name, target_name, Cmp, Condition, Direction, Flag, Kind, Query, Relation,
    SeverityField, Step, Test, TextField, TextOp, MAX_HOPS, RELATIONS,
};
use crate::graph::{EdgeKind, Target};
use crate::rules::Severity;

/// The grammar, as `docs/query.md` shows it.
pub const GRAMMAR: &str = r#"query      = kind [ conditions ] { step }
step       = [ "without" ] ( "-[" relations [ hops ] "]->" | "<-[" relations [ hops ] "]-" )
             kind [ conditions ]
relations  = relation { "|" relation }
hops       = "*" [ int ] [ ".." int ]
conditions = "where" condition { "and" condition }
condition  = [ "not" ] ( flag
           | text-field ( "=" | "~" ) string | text-field "in" "(" string { "," string } ")"
           | severity-field compare severity
           | "label" string [ "=" string ]
           | "port" compare int
           | "target" "=" target
           | "count" "(" relations ")" compare int )
compare    = "=" | ">=" | ">" | "<=" | "<"
string     = '"' { character | '\"' | '\\' } '"'
"#;

/// A parse error, located in the query text (1-based line and column, in characters).
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct QueryError {
    pub line: usize,
    pub column: usize,
    pub message: String,
}

impl fmt::Display for QueryError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "line {}, column {}: {}",
            self.line, self.column, self.message
        )
    }
}

impl std::error::Error for QueryError {}

#[derive(Clone, Debug, PartialEq)]
enum Tok {
    Word(String),
    Str(String),
    Int(u64),
    /// Punctuation and operators: `-[`, `]->`, `<-[`, `]-`, `|`, `*`, `..`, `(`, `)`,
    /// `,`, `=`, `~`, `>=`, `>`, `<=`, `<`.
    Sym(&'static str),
    End,
}

impl Tok {
    fn describe(&self) -> String {
        match self {
            Tok::Word(w) => format!("`{w}`"),
            Tok::Str(s) => format!("the string {s:?}"),
            Tok::Int(n) => format!("the number {n}"),
            Tok::Sym(s) => format!("`{s}`"),
            Tok::End => "the end of the query".into(),
        }
    }
}

/// A token and the byte offset where it starts.
type Spanned = (Tok, usize);

const SYMBOLS: &[&str] = &[
    "<-[", "]->", "-[", "]-", "..", ">=", "<=", "|", "*", "(", ")", ",", "=", "~", ">", "<",
];

fn tokenize(text: &str) -> Result<Vec<Spanned>, (usize, String)> {
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        let c = bytes[i];
        if c.is_ascii_whitespace() {
            i += 1;
            continue;
        }
        let start = i;
        if c.is_ascii_alphabetic() || c == b'_' {
            while i < bytes.len() && (bytes[i].is_ascii_alphanumeric() || bytes[i] == b'_') {
                i += 1;
            }
            out.push((Tok::Word(text[start..i].to_string()), start));
        } else if c.is_ascii_digit() {
            while i < bytes.len() && bytes[i].is_ascii_digit() {
                i += 1;
            }
            let n = text[start..i]
                .parse::<u64>()
                .map_err(|_| (start, "number too large".to_string()))?;
            out.push((Tok::Int(n), start));
        } else if c == b'"' {
            i += 1;
            let mut s = String::new();
            loop {
                let Some(ch) = text[i..].chars().next() else {
                    return Err((start, "unterminated string".into()));
                };
                i += ch.len_utf8();
                match ch {
                    '"' => break,
                    '\\' => {
                        let Some(next) = text[i..].chars().next() else {
                            return Err((start, "unterminated string".into()));
                        };
                        if next != '"' && next != '\\' {
                            return Err((
                                i - 1,
                                format!("unknown escape `\\{next}` (only `\\\"` and `\\\\`)"),
                            ));
                        }
                        i += next.len_utf8();
                        s.push(next);
                    }
                    _ => s.push(ch),
                }
            }
            out.push((Tok::Str(s), start));
        } else if let Some(sym) = SYMBOLS.iter().find(|s| text[i..].starts_with(**s)) {
            i += sym.len();
            out.push((Tok::Sym(sym), start));
        } else {
            let ch = text[i..].chars().next().unwrap_or('?');
            return Err((start, format!("unexpected character `{ch}`")));
        }
    }
    out.push((Tok::End, text.len()));
    Ok(out)
}

/// Line and column (1-based, in characters) of a byte offset.
fn locate(text: &str, offset: usize) -> (usize, usize) {
    let before = &text[..offset.min(text.len())];
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map(|i| i + 1).unwrap_or(0);
    (line, before[line_start..].chars().count() + 1)
}

/// Edit distance between two words (Levenshtein), for suggestions.
fn distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut prev = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let cur = row[j + 1];
            row[j + 1] = (prev + usize::from(ca != *cb))
                .min(row[j] + 1)
                .min(row[j + 1] + 1);
            prev = cur;
        }
    }
    row[b.len()]
}

/// The nearest of `candidates` to `word`, when near enough to be a typo.
fn suggest<'a>(word: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let lower = word.to_ascii_lowercase();
    candidates
        .into_iter()
        .map(|c| (distance(&lower, &c.to_ascii_lowercase()), c))
        .filter(|(d, c)| *d <= (c.len() / 3).max(2))
        .min()
        .map(|(_, c)| c)
}

fn did_you_mean(s: Option<&str>) -> String {
    s.map(|s| format!(", did you mean `{s}`?"))
        .unwrap_or_default()
}

/// Parses the text form of a query.
pub fn parse(text: &str) -> Result<Query, QueryError> {
    let located = |(offset, message): (usize, String)| {
        let (line, column) = locate(text, offset);
        QueryError {
            line,
            column,
            message,
        }
    };
    let tokens = tokenize(text).map_err(located)?;
    let mut p = Parser { tokens, pos: 0 };
    p.query().map_err(located)
}

struct Parser {
    tokens: Vec<Spanned>,
    pos: usize,
}

type PResult<T> = Result<T, (usize, String)>;

impl Parser {
    fn peek(&self) -> &Tok {
        &self.tokens[self.pos.min(self.tokens.len() - 1)].0
    }

    fn offset(&self) -> usize {
        self.tokens[self.pos.min(self.tokens.len() - 1)].1
    }

    fn next(&mut self) -> Tok {
        let t = self.peek().clone();
        if self.pos < self.tokens.len() - 1 {
            self.pos += 1;
        }
        t
    }

    fn error<T>(&self, message: String) -> PResult<T> {
        Err((self.offset(), message))
    }

    fn expected<T>(&self, what: &str) -> PResult<T> {
        self.error(format!("expected {what}, found {}", self.peek().describe()))
    }

    fn eat_sym(&mut self, sym: &str) -> bool {
        if matches!(self.peek(), Tok::Sym(s) if *s == sym) {
            self.next();
            true
        } else {
            false
        }
    }

    fn eat_word(&mut self, word: &str) -> bool {
        if matches!(self.peek(), Tok::Word(w) if w == word) {
            self.next();
            true
        } else {
            false
        }
    }

    fn expect_sym(&mut self, sym: &str) -> PResult<()> {
        if self.eat_sym(sym) {
            Ok(())
        } else {
            self.expected(&format!("`{sym}`"))
        }
    }

    fn query(&mut self) -> PResult<Query> {
        let start = self.kind()?;
        let conditions = self.conditions()?;
        let mut steps = Vec::new();
        while *self.peek() != Tok::End {
            steps.push(self.step()?);
        }
        Ok(Query {
            start,
            conditions,
            steps,
        })
    }

    fn kind(&mut self) -> PResult<Kind> {
        match self.peek().clone() {
            Tok::Word(w) => match Kind::from_name(&w) {
                Some(k) => {
                    self.next();
                    Ok(k)
                }
                None => {
                    let names = Kind::ALL
                        .iter()
                        .map(|k| k.name())
                        .chain(["bindings", "roles"]);
                    self.error(format!(
                        "unknown kind `{w}`{}",
                        did_you_mean(suggest(&w, names))
                    ))
                }
            },
            _ => self.expected("a kind (`workloads`, `service_accounts`, ...)"),
        }
    }

    fn conditions(&mut self) -> PResult<Vec<Condition>> {
        let mut out = Vec::new();
        if !self.eat_word("where") {
            return Ok(out);
        }
        loop {
            out.push(self.condition()?);
            if !self.eat_word("and") {
                return Ok(out);
            }
        }
    }

    fn step(&mut self) -> PResult<Step> {
        let without = self.eat_word("without");
        let direction = if self.eat_sym("-[") {
            Direction::Out
        } else if self.eat_sym("<-[") {
            Direction::In
        } else if without {
            return self.expected("`-[` or `<-[` after `without`");
        } else {
            return self.expected("a step (`-[relation]->`), `where` or the end of the query");
        };
        let relations = self.relations()?;
        let hops = if self.eat_sym("*") {
            Some(self.hops()?)
        } else {
            None
        };
        match direction {
            Direction::Out => self.expect_sym("]->")?,
            Direction::In => self.expect_sym("]-")?,
        }
        let kind = self.kind()?;
        let conditions = self.conditions()?;
        Ok(Step {
            without,
            direction,
            relations,
            hops,
            kind,
            conditions,
        })
    }

    fn relations(&mut self) -> PResult<Vec<Relation>> {
        let mut out = Vec::new();
        loop {
            match self.peek().clone() {
                Tok::Word(w) => match Relation::from_name(&w) {
                    Some(r) => {
                        self.next();
                        if !out.contains(&r) {
                            out.push(r);
                        }
                    }
                    None => {
                        let names = RELATIONS
                            .iter()
                            .map(|r| r.name)
                            .chain(EdgeKind::ALL.iter().map(|e| e.name()));
                        return self.error(format!(
                            "unknown relation `{w}`{}",
                            did_you_mean(suggest(&w, names))
                        ));
                    }
                },
                _ => return self.expected("a relation (`can_exec`, `runs`, `POD_EXEC`, ...)"),
            }
            if !self.eat_sym("|") {
                return Ok(out);
            }
        }
    }

    fn hops(&mut self) -> PResult<(u32, u32)> {
        let at = self.offset();
        let min = match self.peek() {
            Tok::Int(n) => {
                let n = *n;
                self.next();
                Some(n)
            }
            _ => None,
        };
        let max = if self.eat_sym("..") {
            match self.next() {
                Tok::Int(n) => Some(n),
                _ => return Err((at, "expected a number after `..`".into())),
            }
        } else {
            min
        };
        let (Some(max), min) = (max, min.unwrap_or(1)) else {
            return Err((at, "expected a hop count after `*` (`*2`, `*1..3`)".into()));
        };
        if max > u64::from(MAX_HOPS) {
            return Err((at, format!("at most {MAX_HOPS} hops")));
        }
        if min > max || max == 0 {
            return Err((at, format!("empty hop range {min}..{max}")));
        }
        Ok((min as u32, max as u32))
    }

    fn string(&mut self) -> PResult<String> {
        match self.peek().clone() {
            Tok::Str(s) => {
                self.next();
                Ok(s)
            }
            _ => self.expected("a string in double quotes"),
        }
    }

    fn compare(&mut self) -> PResult<Cmp> {
        for cmp in [Cmp::Ge, Cmp::Gt, Cmp::Le, Cmp::Lt, Cmp::Eq] {
            if self.eat_sym(cmp.symbol()) {
                return Ok(cmp);
            }
        }
        self.expected("a comparison (`=`, `>=`, `>`, `<=`, `<`)")
    }

    fn int(&mut self) -> PResult<u64> {
        match self.peek().clone() {
            Tok::Int(n) => {
                self.next();
                Ok(n)
            }
            _ => self.expected("a number"),
        }
    }

    fn condition(&mut self) -> PResult<Condition> {
        let negated = self.eat_word("not");
        let word = match self.peek().clone() {
            Tok::Word(w) => w,
            _ => return self.expected("a condition (`exposed`, `name = \"web\"`, ...)"),
        };
        let at = self.offset();
        self.next();
        let test = if let Some(flag) = Flag::from_name(&word) {
            Test::Flag(flag)
        } else if word == "label" {
            let key = self.string()?;
            let value = if self.eat_sym("=") {
                Some(self.string()?)
            } else {
                None
            };
            Test::Label { key, value }
        } else if word == "port" {
            let cmp = self.compare()?;
            let value = self.int()?;
            Test::Port {
                cmp,
                value: i64::try_from(value).unwrap_or(i64::MAX),
            }
        } else if word == "target" {
            self.expect_sym("=")?;
            let name = match self.next() {
                Tok::Word(w) => w,
                other => {
                    return Err((
                        at,
                        format!("expected a target class, found {}", other.describe()),
                    ))
                }
            };
            match Target::ALL.iter().find(|t| target_name(**t) == name) {
                Some(t) => Test::Target(*t),
                None => {
                    let names = Target::ALL.iter().map(|t| target_name(*t));
                    return Err((
                        at,
                        format!(
                            "unknown target `{name}`{}",
                            did_you_mean(suggest(&name, names))
                        ),
                    ));
                }
            }
        } else if word == "count" {
            self.expect_sym("(")?;
            let relations = self.relations()?;
            self.expect_sym(")")?;
            let cmp = self.compare()?;
            let value = self.int()?;
            Test::Count {
                relations,
                cmp,
                value,
            }
        } else if let Some(test) = self.field_test(&word)? {
            test
        } else {
            let names = Flag::ALL
                .iter()
                .map(|f| f.name())
                .chain(TextField::ALL.iter().map(|f| f.name()))
                .chain(SeverityField::ALL.iter().map(|f| f.name()))
                .chain(["label", "port", "target", "count"]);
            return Err((
                at,
                format!(
                    "unknown condition `{word}`{}",
                    did_you_mean(suggest(&word, names))
                ),
            ));
        };
        Ok(Condition { negated, test })
    }

    /// A text or severity comparison on `word`, which both kinds of field may share
    /// (`finding = "privileged"`, `finding >= high`): the value decides.
    fn field_test(&mut self, word: &str) -> PResult<Option<Test>> {
        let text = TextField::from_name(word);
        let severity = SeverityField::from_name(word);
        if text.is_none() && severity.is_none() {
            return Ok(None);
        }
        if let Some(field) = text {
            if self.eat_word("in") {
                self.expect_sym("(")?;
                let mut values = vec![self.string()?];
                while self.eat_sym(",") {
                    values.push(self.string()?);
                }
                self.expect_sym(")")?;
                return Ok(Some(Test::Text {
                    field,
                    op: TextOp::In,
                    values,
                }));
            }
            if self.eat_sym("~") {
                let value = self.string()?;
                return Ok(Some(Test::Text {
                    field,
                    op: TextOp::Glob,
                    values: vec![value],
                }));
            }
        }
        let cmp = self.compare()?;
        match (self.peek().clone(), text, severity) {
            (Tok::Str(s), Some(field), _) if cmp == Cmp::Eq => {
                self.next();
                Ok(Some(Test::Text {
                    field,
                    op: TextOp::Eq,
                    values: vec![s],
                }))
            }
            (Tok::Word(w), _, Some(field)) => {
                let Some(severity) = Severity::ALL
                    .iter()
                    .copied()
                    .find(|s| severity_name(*s) == w)
                else {
                    let names = Severity::ALL.iter().map(|s| severity_name(*s));
                    return self.error(format!(
                        "unknown severity `{w}`{}",
                        did_you_mean(suggest(&w, names))
                    ));
                };
                self.next();
                Ok(Some(Test::Severity {
                    field,
                    cmp,
                    severity,
                }))
            }
            (_, Some(_), None) if cmp == Cmp::Eq => self.expected("a string in double quotes"),
            (_, _, Some(_)) => self.expected("a severity (`critical`, `high`, ...)"),
            _ => self.expected("`=`, `~` or `in`"),
        }
    }
}

fn quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        if c == '"' || c == '\\' {
            out.push('\\');
        }
        out.push(c);
    }
    out.push('"');
    out
}

fn relations_text(relations: &[Relation]) -> String {
    relations
        .iter()
        .map(|r| r.name())
        .collect::<Vec<_>>()
        .join("|")
}

impl fmt::Display for Condition {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.negated {
            f.write_str("not ")?;
        }
        match &self.test {
            Test::Flag(flag) => f.write_str(flag.name()),
            Test::Text { field, op, values } => match op {
                TextOp::Eq => write!(f, "{} = {}", field.name(), quote(&values[0])),
                TextOp::Glob => write!(f, "{} ~ {}", field.name(), quote(&values[0])),
                TextOp::In => {
                    let list: Vec<String> = values.iter().map(|v| quote(v)).collect();
                    write!(f, "{} in ({})", field.name(), list.join(", "))
                }
            },
            Test::Label { key, value } => match value {
                Some(v) => write!(f, "label {} = {}", quote(key), quote(v)),
                None => write!(f, "label {}", quote(key)),
            },
            Test::Port { cmp, value } => write!(f, "port {} {value}", cmp.symbol()),
            Test::Severity {
                field,
                cmp,
                severity,
            } => write!(
                f,
                "{} {} {}",
                field.name(),
                cmp.symbol(),
                severity_name(*severity)
            ),
            Test::Target(t) => write!(f, "target = {}", target_name(*t)),
            Test::Count {
                relations,
                cmp,
                value,
            } => write!(
                f,
                "count({}) {} {value}",
                relations_text(relations),
                cmp.symbol()
            ),
        }
    }
}

fn write_conditions(f: &mut fmt::Formatter<'_>, conditions: &[Condition]) -> fmt::Result {
    for (i, c) in conditions.iter().enumerate() {
        f.write_str(if i == 0 { " where " } else { " and " })?;
        write!(f, "{c}")?;
    }
    Ok(())
}

impl fmt::Display for Step {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.without {
            f.write_str("without ")?;
        }
        let hops = match self.hops {
            None => String::new(),
            Some((min, max)) if min == max => format!("*{min}"),
            Some((min, max)) => format!("*{min}..{max}"),
        };
        let rel = relations_text(&self.relations);
        match self.direction {
            Direction::Out => write!(f, "-[{rel}{hops}]-> {}", self.kind.name())?,
            Direction::In => write!(f, "<-[{rel}{hops}]- {}", self.kind.name())?,
        }
        write_conditions(f, &self.conditions)
    }
}

/// The canonical text form, on one line.
impl fmt::Display for Query {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.start.name())?;
        write_conditions(f, &self.conditions)?;
        for s in &self.steps {
            write!(f, " {s}")?;
        }
        Ok(())
    }
}
