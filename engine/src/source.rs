//! Where things come from: source locations of objects and located diagnostics.
//!
//! Every object in the model remembers the file and line it starts at, and every
//! problem found while reading input is a [`Diagnostic`] with the same kind of location,
//! so a user can open the file at the right place.

use std::sync::Arc;

use serde::{Deserialize, Serialize};

/// The place an object was read from.
#[derive(Clone, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Source {
    /// Path of the input file as the user gave it (relative inside a dropped folder);
    /// shared by every object read from the file, and by what is concluded of them.
    pub file: Arc<str>,
    /// 1-based line where the object starts; 0 when unknown.
    pub line: u32,
}

/// How bad a diagnostic is. Errors mean something was not loaded; warnings mean it was
/// loaded but something in it was ignored.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    Error,
    Warning,
}

/// A located problem in the input.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Diagnostic {
    pub level: Level,
    pub file: String,
    /// 1-based line, 0 when the problem concerns the whole file.
    pub line: u32,
    /// 1-based column, 0 when unknown.
    pub column: u32,
    /// Path to the value inside the document, e.g. `items[3].spec`, when known.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub path: String,
    pub message: String,
}

impl Diagnostic {
    pub fn error(file: &str, line: u32, column: u32, message: impl Into<String>) -> Self {
        Diagnostic {
            level: Level::Error,
            file: file.to_string(),
            line,
            column,
            path: String::new(),
            message: message.into(),
        }
    }

    pub fn warning(file: &str, line: u32, column: u32, message: impl Into<String>) -> Self {
        Diagnostic {
            level: Level::Warning,
            ..Diagnostic::error(file, line, column, message)
        }
    }

    pub fn at_path(mut self, path: impl Into<String>) -> Self {
        self.path = path.into();
        self
    }
}

impl std::fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.file)?;
        if self.line > 0 {
            write!(f, ":{}", self.line)?;
            if self.column > 0 {
                write!(f, ":{}", self.column)?;
            }
        }
        let level = match self.level {
            Level::Error => "error",
            Level::Warning => "warning",
        };
        write!(f, ": {level}: ")?;
        if !self.path.is_empty() {
            write!(f, "{}: ", self.path)?;
        }
        write!(f, "{}", self.message)
    }
}

/// Maps byte offsets of one input to 1-based line and column numbers.
pub struct LineIndex {
    /// Byte offset at which each line starts.
    starts: Vec<usize>,
}

impl LineIndex {
    pub fn new(text: &str) -> Self {
        // Counted first: a guess from the length would reserve a slot per 32 bytes,
        // a quarter of a compact file's size for the single line it has.
        let lines = memchr::memchr_iter(b'\n', text.as_bytes()).count();
        let mut starts = Vec::with_capacity(lines + 1);
        starts.push(0);
        starts.extend(memchr::memchr_iter(b'\n', text.as_bytes()).map(|i| i + 1));
        LineIndex { starts }
    }

    /// Byte offset of a 1-based (line, column), clamped to the text.
    pub fn offset(&self, line: u32, column: u32) -> usize {
        let line = (line.max(1) as usize - 1).min(self.starts.len() - 1);
        self.starts[line] + column.max(1) as usize - 1
    }

    /// Absolute (line, column) of a position reported relative to a slice that starts
    /// at byte `base` of the text.
    pub fn rebase(&self, base: usize, line: u32, column: u32) -> (u32, u32) {
        let (base_line, base_column) = self.locate(base);
        if line <= 1 {
            (base_line, base_column + column.max(1) - 1)
        } else {
            (base_line + line - 1, column)
        }
    }

    /// 1-based (line, column) of a byte offset; the column counts bytes.
    pub fn locate(&self, offset: usize) -> (u32, u32) {
        let line = match self.starts.binary_search(&offset) {
            Ok(i) => i,
            Err(i) => i - 1,
        };
        let column = offset - self.starts[line] + 1;
        (to_u32(line + 1), to_u32(column))
    }
}

pub(crate) fn to_u32(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_index_holds_a_slot_per_line_only() {
        // A compact file is one line, however long: its index is one offset, not one
        // per 32 bytes.
        let compact = format!("{{\"items\":[{}]}}", "{\"a\":1},".repeat(10_000));
        assert_eq!(LineIndex::new(&compact).starts.capacity(), 1);
        assert_eq!(LineIndex::new("a\nb\nc").starts.capacity(), 3);
    }

    #[test]
    fn line_index_locates_offsets() {
        let idx = LineIndex::new("ab\ncd\n\nx");
        assert_eq!(idx.locate(0), (1, 1));
        assert_eq!(idx.locate(1), (1, 2));
        assert_eq!(idx.locate(3), (2, 1));
        assert_eq!(idx.locate(6), (3, 1));
        assert_eq!(idx.locate(7), (4, 1));
    }

    #[test]
    fn diagnostic_displays_like_a_compiler() {
        let d = Diagnostic::error("pods.json", 3, 7, "expected `,`").at_path("items[2]");
        assert_eq!(
            d.to_string(),
            "pods.json:3:7: error: items[2]: expected `,`"
        );
    }
}
