//! The page's JSON reader: every answer of the worker (and the few JSON texts the page
//! reads itself: the demo's file list, the kept policy files) is decoded here, never by
//! `serde_json`'s deserializer.
//!
//! Why a reader of its own: the page decodes a few dozen of the engine's types, and
//! `serde_json` instantiates its parser per element type, inlining each type's decoding
//! into it (37 `deserialize_seq` copies, 5–9 KB apiece) and bringing in every struct's
//! `visit_seq` (structs written as arrays, which the worker never sends). Here the
//! parsing is one non-generic [`Parser`]; what is left per type is serde's derive and a
//! thin call into it, and structs are read from objects only. The page's wasm is the
//! first download (BENCHMARKS.md, "Bundle size").
//!
//! It reads what `serde_json` writes: standard JSON (RFC 8259), UTF-8, nesting at most
//! [`MAX_DEPTH`] deep. It never panics: bad input is an [`Error`] with its byte offset.

use std::fmt;

use serde::de::{self, DeserializeOwned, DeserializeSeed, IntoDeserializer, Visitor};
use serde::forward_to_deserialize_any;

/// Arrays and objects nested deeper than this are refused (as `serde_json` does, so a
/// hostile text cannot exhaust the stack).
pub const MAX_DEPTH: usize = 128;

/// Why a text could not be read, and where.
#[derive(Clone, Debug, PartialEq)]
pub struct Error {
    message: String,
    /// The byte offset where reading stopped, once known.
    at: Option<usize>,
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.at {
            Some(at) => write!(f, "{} at byte {at}", self.message),
            None => f.write_str(&self.message),
        }
    }
}

impl std::error::Error for Error {}

impl de::Error for Error {
    fn custom<T: fmt::Display>(message: T) -> Self {
        Error {
            message: message.to_string(),
            at: None,
        }
    }
}

type Result<T> = std::result::Result<T, Error>;

/// Reads `bytes` (one JSON value, whitespace around it allowed) as a `T`.
pub fn from_slice<T: DeserializeOwned>(bytes: &[u8]) -> Result<T> {
    let mut parser = Parser {
        input: bytes,
        pos: 0,
        depth: 0,
    };
    let read = T::deserialize(&mut parser).and_then(|value| {
        parser.skip_whitespace();
        match parser.input.get(parser.pos) {
            None => Ok(value),
            Some(_) => Err(parser.error("trailing characters")),
        }
    });
    read.map_err(|mut e| {
        e.at.get_or_insert(parser.pos);
        e
    })
}

/// Reads the text `text` as a `T` (see [`from_slice`]).
pub fn from_str<T: DeserializeOwned>(text: &str) -> Result<T> {
    from_slice(text.as_bytes())
}

/// A string read from the input: borrowed when it had no escapes.
enum Text<'de> {
    Borrowed(&'de str),
    Owned(String),
}

impl Text<'_> {
    fn as_str(&self) -> &str {
        match self {
            Text::Borrowed(s) => s,
            Text::Owned(s) => s,
        }
    }
}

/// A number read from the input, as `serde_json` classifies it.
enum Number {
    Unsigned(u64),
    Signed(i64),
    Float(f64),
}

/// The position in the input and the nesting depth.
pub struct Parser<'de> {
    input: &'de [u8],
    pos: usize,
    depth: usize,
}

impl<'de> Parser<'de> {
    fn error(&self, message: &str) -> Error {
        Error {
            message: message.to_string(),
            at: Some(self.pos),
        }
    }

    fn skip_whitespace(&mut self) {
        while let Some(b' ' | b'\n' | b'\r' | b'\t') = self.input.get(self.pos) {
            self.pos += 1;
        }
    }

    /// The next byte that is not whitespace, not consumed.
    fn peek(&mut self) -> Result<u8> {
        self.skip_whitespace();
        match self.input.get(self.pos) {
            Some(&b) => Ok(b),
            None => Err(self.error("unexpected end of input")),
        }
    }

    /// Consumes `byte` (after whitespace), or says what was expected.
    fn expect(&mut self, byte: u8) -> Result<()> {
        if self.peek()? == byte {
            self.pos += 1;
            Ok(())
        } else {
            Err(self.error(match byte {
                b':' => "expected `:`",
                b',' => "expected `,`",
                b']' => "expected `,` or `]`",
                b'}' => "expected `,` or `}`",
                b'"' => "expected a string",
                _ => "unexpected character",
            }))
        }
    }

    /// Consumes the keyword `word` (`null`, `true`, `false`).
    fn keyword(&mut self, word: &str) -> Result<()> {
        let end = self.pos + word.len();
        if self.input.get(self.pos..end) == Some(word.as_bytes()) {
            self.pos = end;
            Ok(())
        } else {
            Err(self.error("expected a value"))
        }
    }

    /// One level deeper (an array, an object, an enum's object).
    fn enter(&mut self) -> Result<()> {
        if self.depth >= MAX_DEPTH {
            return Err(self.error("nested too deeply"));
        }
        self.depth += 1;
        Ok(())
    }

    fn leave(&mut self) {
        self.depth = self.depth.saturating_sub(1);
    }

    /// Reads a string; the next byte (after whitespace) must be its `"`.
    fn string(&mut self) -> Result<Text<'de>> {
        self.expect(b'"')?;
        let input = self.input;
        let start = self.pos;
        // The common case: no escape, borrowed as is.
        loop {
            match input.get(self.pos) {
                None => return Err(self.error("unterminated string")),
                Some(b'"') => {
                    let text = std::str::from_utf8(&input[start..self.pos])
                        .map_err(|_| self.error("invalid UTF-8 in a string"))?;
                    self.pos += 1;
                    return Ok(Text::Borrowed(text));
                }
                Some(b'\\') => break,
                Some(&b) if b < 0x20 => return Err(self.error("control character in a string")),
                Some(_) => self.pos += 1,
            }
        }
        let mut out: Vec<u8> = input[start..self.pos].to_vec();
        loop {
            match input.get(self.pos) {
                None => return Err(self.error("unterminated string")),
                Some(b'"') => {
                    self.pos += 1;
                    return String::from_utf8(out)
                        .map(Text::Owned)
                        .map_err(|_| self.error("invalid UTF-8 in a string"));
                }
                Some(b'\\') => {
                    self.pos += 1;
                    let escaped = match input.get(self.pos) {
                        Some(b'"') => b'"',
                        Some(b'\\') => b'\\',
                        Some(b'/') => b'/',
                        Some(b'b') => 0x08,
                        Some(b'f') => 0x0c,
                        Some(b'n') => b'\n',
                        Some(b'r') => b'\r',
                        Some(b't') => b'\t',
                        Some(b'u') => {
                            self.pos += 1;
                            let c = self.unicode_escape()?;
                            let mut buf = [0; 4];
                            out.extend_from_slice(c.encode_utf8(&mut buf).as_bytes());
                            continue;
                        }
                        _ => return Err(self.error("invalid escape")),
                    };
                    out.push(escaped);
                    self.pos += 1;
                }
                Some(&b) if b < 0x20 => return Err(self.error("control character in a string")),
                Some(&b) => {
                    out.push(b);
                    self.pos += 1;
                }
            }
        }
    }

    /// The character of a `\u` escape (the `\u` consumed), a surrogate pair's as one.
    fn unicode_escape(&mut self) -> Result<char> {
        let first = self.hex4()?;
        let code = match first {
            0xD800..=0xDBFF => {
                if self.input.get(self.pos..self.pos + 2) != Some(b"\\u") {
                    return Err(self.error("lone leading surrogate"));
                }
                self.pos += 2;
                let second = self.hex4()?;
                if !(0xDC00..=0xDFFF).contains(&second) {
                    return Err(self.error("invalid surrogate pair"));
                }
                0x10000 + ((first - 0xD800) << 10) + (second - 0xDC00)
            }
            0xDC00..=0xDFFF => return Err(self.error("lone trailing surrogate")),
            code => code,
        };
        char::from_u32(code).ok_or_else(|| self.error("invalid escape"))
    }

    fn hex4(&mut self) -> Result<u32> {
        let digits = self
            .input
            .get(self.pos..self.pos + 4)
            .and_then(|d| std::str::from_utf8(d).ok())
            .filter(|d| d.bytes().all(|b| b.is_ascii_hexdigit()))
            .and_then(|d| u32::from_str_radix(d, 16).ok())
            .ok_or_else(|| self.error("invalid \\u escape"))?;
        self.pos += 4;
        Ok(digits)
    }

    /// Reads a number: an integer when it has no fraction or exponent and fits.
    fn number(&mut self) -> Result<Number> {
        self.skip_whitespace();
        let input = self.input;
        let start = self.pos;
        let digits = |p: &mut Parser| {
            let from = p.pos;
            while input.get(p.pos).is_some_and(u8::is_ascii_digit) {
                p.pos += 1;
            }
            p.pos > from
        };
        if input.get(self.pos) == Some(&b'-') {
            self.pos += 1;
        }
        let int_start = self.pos;
        if !digits(self) {
            return Err(self.error("invalid number"));
        }
        if input[int_start] == b'0' && self.pos - int_start > 1 {
            return Err(self.error("invalid number: leading zero"));
        }
        let mut integer = true;
        if input.get(self.pos) == Some(&b'.') {
            self.pos += 1;
            integer = false;
            if !digits(self) {
                return Err(self.error("invalid number"));
            }
        }
        if let Some(b'e' | b'E') = input.get(self.pos) {
            self.pos += 1;
            integer = false;
            if let Some(b'+' | b'-') = input.get(self.pos) {
                self.pos += 1;
            }
            if !digits(self) {
                return Err(self.error("invalid number"));
            }
        }
        // Only ASCII digits and signs were consumed.
        let text = std::str::from_utf8(&input[start..self.pos]).unwrap_or_default();
        if integer {
            if let Ok(n) = text.parse::<u64>() {
                return Ok(Number::Unsigned(n));
            }
            if let Ok(n) = text.parse::<i64>() {
                return Ok(Number::Signed(n));
            }
        }
        match text.parse::<f64>() {
            Ok(n) if n.is_finite() => Ok(Number::Float(n)),
            _ => Err(self.error("number out of range")),
        }
    }

    /// Skips one value of any kind.
    fn skip_value(&mut self) -> Result<()> {
        match self.peek()? {
            b'"' => self.string().map(drop),
            b'n' => self.keyword("null"),
            b't' => self.keyword("true"),
            b'f' => self.keyword("false"),
            b'-' | b'0'..=b'9' => self.number().map(drop),
            open @ (b'[' | b'{') => {
                self.enter()?;
                self.pos += 1;
                let close = if open == b'[' { b']' } else { b'}' };
                let mut first = true;
                loop {
                    if self.peek()? == close {
                        self.pos += 1;
                        break;
                    }
                    if !first {
                        self.expect(b',')?;
                    }
                    first = false;
                    if open == b'{' {
                        self.string()?;
                        self.expect(b':')?;
                    }
                    self.skip_value()?;
                }
                self.leave();
                Ok(())
            }
            _ => Err(self.error("expected a value")),
        }
    }

    /// Reads an array with `visitor`, which must take every element.
    fn array<V: Visitor<'de>>(&mut self, visitor: V) -> Result<V::Value> {
        self.expect(b'[')?;
        self.enter()?;
        let value = visitor.visit_seq(Elements {
            parser: self,
            first: true,
        })?;
        self.expect(b']')?;
        self.leave();
        Ok(value)
    }

    /// Reads an object with `visitor`, which must take every entry.
    fn object<V: Visitor<'de>>(&mut self, visitor: V) -> Result<V::Value> {
        self.expect(b'{')?;
        self.enter()?;
        let value = visitor.visit_map(Entries {
            parser: self,
            first: true,
        })?;
        self.expect(b'}')?;
        self.leave();
        Ok(value)
    }

    /// Moves past the `,` before an element or entry, unless it is the first; false at
    /// the `close` that ends the list.
    fn next_item(&mut self, first: &mut bool, close: u8) -> Result<bool> {
        if self.peek()? == close {
            return Ok(false);
        }
        if !std::mem::take(first) {
            self.expect(b',')?;
        }
        Ok(true)
    }
}

impl<'de> de::Deserializer<'de> for &mut Parser<'de> {
    type Error = Error;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        match self.peek()? {
            b'"' => match self.string()? {
                Text::Borrowed(s) => visitor.visit_borrowed_str(s),
                Text::Owned(s) => visitor.visit_string(s),
            },
            b'n' => {
                self.keyword("null")?;
                visitor.visit_unit()
            }
            b't' => {
                self.keyword("true")?;
                visitor.visit_bool(true)
            }
            b'f' => {
                self.keyword("false")?;
                visitor.visit_bool(false)
            }
            b'-' | b'0'..=b'9' => match self.number()? {
                Number::Unsigned(n) => visitor.visit_u64(n),
                Number::Signed(n) => visitor.visit_i64(n),
                Number::Float(n) => visitor.visit_f64(n),
            },
            b'[' => self.array(visitor),
            b'{' => self.object(visitor),
            _ => Err(self.error("expected a value")),
        }
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        if self.peek()? == b'n' {
            self.keyword("null")?;
            visitor.visit_none()
        } else {
            visitor.visit_some(self)
        }
    }

    fn deserialize_unit<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        self.skip_whitespace();
        self.keyword("null")?;
        visitor.visit_unit()
    }

    fn deserialize_unit_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        visitor: V,
    ) -> Result<V::Value> {
        self.deserialize_unit(visitor)
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        visitor: V,
    ) -> Result<V::Value> {
        visitor.visit_newtype_struct(self)
    }

    fn deserialize_seq<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        self.array(visitor)
    }

    fn deserialize_tuple<V: Visitor<'de>>(self, _len: usize, visitor: V) -> Result<V::Value> {
        self.array(visitor)
    }

    fn deserialize_tuple_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _len: usize,
        visitor: V,
    ) -> Result<V::Value> {
        self.array(visitor)
    }

    fn deserialize_map<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        self.object(visitor)
    }

    /// Structs are objects: the worker never writes one as an array.
    fn deserialize_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value> {
        self.object(visitor)
    }

    /// `"Variant"`, or `{"Variant": value}` (serde's externally tagged form).
    fn deserialize_enum<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value> {
        match self.peek()? {
            b'"' => {
                let name = self.string()?;
                visitor.visit_enum(name.as_str().into_deserializer())
            }
            b'{' => {
                self.pos += 1;
                self.enter()?;
                let value = visitor.visit_enum(Variant { parser: self })?;
                self.expect(b'}')?;
                self.leave();
                Ok(value)
            }
            _ => Err(self.error("expected an enum variant")),
        }
    }

    fn deserialize_ignored_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        self.skip_value()?;
        visitor.visit_unit()
    }

    forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string
        bytes byte_buf identifier
    }
}

/// The elements of an array.
struct Elements<'a, 'de> {
    parser: &'a mut Parser<'de>,
    first: bool,
}

impl<'de> de::SeqAccess<'de> for Elements<'_, 'de> {
    type Error = Error;

    fn next_element_seed<T: DeserializeSeed<'de>>(&mut self, seed: T) -> Result<Option<T::Value>> {
        if !self.parser.next_item(&mut self.first, b']')? {
            return Ok(None);
        }
        seed.deserialize(&mut *self.parser).map(Some)
    }
}

/// The entries of an object.
struct Entries<'a, 'de> {
    parser: &'a mut Parser<'de>,
    first: bool,
}

impl<'de> de::MapAccess<'de> for Entries<'_, 'de> {
    type Error = Error;

    fn next_key_seed<K: DeserializeSeed<'de>>(&mut self, seed: K) -> Result<Option<K::Value>> {
        if !self.parser.next_item(&mut self.first, b'}')? {
            return Ok(None);
        }
        let key = self.parser.string()?;
        self.parser.expect(b':')?;
        seed.deserialize(Key(key)).map(Some)
    }

    fn next_value_seed<V: DeserializeSeed<'de>>(&mut self, seed: V) -> Result<V::Value> {
        seed.deserialize(&mut *self.parser)
    }
}

/// An object's key: a string, read as a number where the map's key type is one (as
/// `serde_json` writes integer keys).
struct Key<'de>(Text<'de>);

impl Key<'_> {
    fn number<T: std::str::FromStr>(&self) -> Result<T> {
        self.0
            .as_str()
            .parse()
            .map_err(|_| de::Error::custom("expected a number as the key"))
    }
}

macro_rules! number_keys {
    ($($method:ident $visit:ident $ty:ty),*) => {
        $(fn $method<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
            visitor.$visit(self.number::<$ty>()?)
        })*
    };
}

impl<'de> de::Deserializer<'de> for Key<'de> {
    type Error = Error;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        match self.0 {
            Text::Borrowed(s) => visitor.visit_borrowed_str(s),
            Text::Owned(s) => visitor.visit_string(s),
        }
    }

    number_keys!(
        deserialize_i8 visit_i8 i8, deserialize_i16 visit_i16 i16,
        deserialize_i32 visit_i32 i32, deserialize_i64 visit_i64 i64,
        deserialize_u8 visit_u8 u8, deserialize_u16 visit_u16 u16,
        deserialize_u32 visit_u32 u32, deserialize_u64 visit_u64 u64,
        deserialize_f32 visit_f32 f32, deserialize_f64 visit_f64 f64
    );

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        visitor.visit_some(self)
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        visitor: V,
    ) -> Result<V::Value> {
        visitor.visit_newtype_struct(self)
    }

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value> {
        visitor.visit_enum(self.0.as_str().into_deserializer())
    }

    forward_to_deserialize_any! {
        bool i128 u128 char str string bytes byte_buf unit unit_struct seq tuple
        tuple_struct map struct identifier ignored_any
    }
}

/// An enum written `{"Variant": value}`, positioned after the `{`.
struct Variant<'a, 'de> {
    parser: &'a mut Parser<'de>,
}

impl<'a, 'de> de::EnumAccess<'de> for Variant<'a, 'de> {
    type Error = Error;
    type Variant = Self;

    fn variant_seed<T: DeserializeSeed<'de>>(self, seed: T) -> Result<(T::Value, Self)> {
        let name = self.parser.string()?;
        self.parser.expect(b':')?;
        let variant = seed.deserialize(Key(name))?;
        Ok((variant, self))
    }
}

impl<'de> de::VariantAccess<'de> for Variant<'_, 'de> {
    type Error = Error;

    fn unit_variant(self) -> Result<()> {
        de::Deserialize::deserialize(&mut *self.parser)
    }

    fn newtype_variant_seed<T: DeserializeSeed<'de>>(self, seed: T) -> Result<T::Value> {
        seed.deserialize(&mut *self.parser)
    }

    fn tuple_variant<V: Visitor<'de>>(self, _len: usize, visitor: V) -> Result<V::Value> {
        self.parser.array(visitor)
    }

    fn struct_variant<V: Visitor<'de>>(
        self,
        _fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value> {
        self.parser.object(visitor)
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use serde::{Deserialize, Serialize};

    use super::*;

    /// Writes `value` with `serde_json` (as the worker does) and reads it back here.
    fn round_trip<T>(value: &T) -> T
    where
        T: Serialize + DeserializeOwned,
    {
        let bytes = serde_json::to_vec(value).unwrap();
        from_slice(&bytes).unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&bytes)))
    }

    #[derive(Debug, PartialEq, Serialize, Deserialize)]
    #[serde(rename_all = "camelCase")]
    enum Shape {
        Point,
        Circle(f64),
        Pair(u8, i64),
        Named { long_name: String },
    }

    #[derive(Debug, PartialEq, Serialize, Deserialize)]
    #[serde(rename_all = "camelCase", tag = "type", content = "name")]
    enum Tagged {
        User(String),
        Everyone,
    }

    #[derive(Debug, PartialEq, Serialize, Deserialize)]
    #[serde(untagged)]
    enum Either {
        Number(u32),
        Text(String),
    }

    #[derive(Debug, PartialEq, Serialize, Deserialize)]
    #[serde(rename_all = "camelCase")]
    struct Everything {
        text: String,
        escaped: String,
        unsigned: u64,
        signed: i64,
        float: f64,
        small: u8,
        flag: bool,
        nothing: Option<String>,
        something: Option<Vec<u32>>,
        shapes: Vec<Shape>,
        tagged: Vec<Tagged>,
        either: Vec<Either>,
        by_number: BTreeMap<u32, String>,
        by_shape: BTreeMap<String, (bool, char)>,
        unit: (),
        #[serde(default)]
        absent: Vec<String>,
    }

    fn everything() -> Everything {
        Everything {
            text: "plain text".into(),
            escaped: "quote \" backslash \\ newline \n tab \t nul \u{0} bidi \u{202e} emoji 🦀 é"
                .into(),
            unsigned: u64::MAX,
            signed: i64::MIN,
            float: -1.25e-7,
            small: 200,
            flag: true,
            nothing: None,
            something: Some(vec![1, 2, 3]),
            shapes: vec![
                Shape::Point,
                Shape::Circle(0.1 + 0.2),
                Shape::Pair(7, -3),
                Shape::Named {
                    long_name: "x".into(),
                },
            ],
            tagged: vec![Tagged::User("alice".into()), Tagged::Everyone],
            either: vec![Either::Number(3), Either::Text("three".into())],
            by_number: BTreeMap::from([(3, "three".into()), (40, "forty".into())]),
            by_shape: BTreeMap::from([("a".into(), (false, 'ß'))]),
            unit: (),
            absent: Vec::new(),
        }
    }

    #[test]
    fn reads_what_serde_json_writes() {
        assert_eq!(round_trip(&everything()), everything());
        let pretty = serde_json::to_vec_pretty(&everything()).unwrap();
        assert_eq!(from_slice::<Everything>(&pretty).unwrap(), everything());
    }

    #[test]
    fn reads_escapes_and_ignores_unknown_fields() {
        let text = r#" { "x": {"deep": [1, 2.5, -3e2, "\u00e9\ud83e\udd80\/", null, true, {}]},
            "text": "a\u0022b", "escaped": "", "unsigned": 0, "signed": -0, "float": 1E2,
            "small": 1, "flag": false, "nothing": null, "something": null, "shapes": [],
            "tagged": [], "either": [], "byNumber": {}, "byShape": {}, "unit": null } "#;
        let read: Everything = from_str(text).unwrap();
        assert_eq!(read.text, "a\"b");
        assert_eq!(read.float, 100.0);
        assert_eq!(read.something, None);
    }

    #[test]
    fn reads_the_engines_analysis_as_the_page_holds_it() {
        use portolan_engine::analysis::shown::{viewer_copy, FindingCounts};
        use portolan_engine::analysis::{analyze, AnalyzeOptions};
        use portolan_engine::ingest::InputFile;

        let demo = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../public/demo");
        let mut paths: Vec<_> = std::fs::read_dir(&demo)
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.is_file())
            .collect();
        paths.sort();
        let files: Vec<InputFile> = paths
            .iter()
            .map(|p| InputFile::new(p.to_string_lossy(), std::fs::read(p).unwrap()))
            .collect();
        let analysis = analyze(&files, &AnalyzeOptions::default(), &mut |_| {});
        assert!(!analysis.findings.is_empty() && !analysis.attack_paths.paths.is_empty());
        let shown = viewer_copy(&analysis);
        assert_eq!(round_trip(&shown), shown);
        let counts = FindingCounts::of(&analysis);
        assert_eq!(round_trip(&counts), counts);
        assert_eq!(round_trip(&analysis.findings), analysis.findings);
    }

    #[test]
    fn refuses_bad_input_with_its_offset() {
        for (text, offset) in [
            ("", 0),
            ("[1, 2", 5),
            ("[1 2]", 3),
            ("[1,]", 3),
            ("{\"a\" 1}", 5),
            ("\"abc", 4),
            ("\"\\x\"", 2),
            ("\"\\ud800\"", 7),
            ("01", 2),
            ("1.", 2),
            ("-", 1),
            ("tru", 0),
            ("[1] x", 4),
            ("1e999", 5),
            ("\"a\u{1}\"", 2),
        ] {
            let e = from_str::<serde::de::IgnoredAny>(text)
                .err()
                .unwrap_or_else(|| panic!("{text:?} was read"));
            assert_eq!(e.at, Some(offset), "{text:?}: {e}");
        }
        // Type mismatches are errors too, located where reading stopped.
        let e = from_str::<Vec<u32>>("[1, \"two\"]").unwrap_err();
        assert!(e.to_string().contains("at byte 9"), "{e}");
        assert!(from_str::<Shape>("\"square\"").is_err());
        assert!(from_str::<(u8, u8)>("[1, 2, 3]").is_err());
        assert!(from_str::<u8>("256").is_err());
    }

    #[test]
    fn never_panics_on_cut_or_deep_input() {
        let bytes = serde_json::to_vec(&everything()).unwrap();
        for cut in 0..bytes.len() {
            assert!(from_slice::<Everything>(&bytes[..cut]).is_err());
            let _ = from_slice::<serde::de::IgnoredAny>(&bytes[..cut]);
        }
        let deep = "[".repeat(100_000);
        assert!(from_str::<serde::de::IgnoredAny>(&deep).is_err());
        let e = from_str::<Vec<Vec<Vec<u8>>>>(&deep).unwrap_err();
        assert!(e.to_string().contains("expected"), "{e}");
        let nested = format!("{}{}", "[".repeat(MAX_DEPTH + 1), "]".repeat(MAX_DEPTH + 1));
        let e = from_str::<serde::de::IgnoredAny>(&nested).unwrap_err();
        assert!(e.to_string().starts_with("nested too deeply"), "{e}");
        let fine = format!("{}{}", "[".repeat(MAX_DEPTH), "]".repeat(MAX_DEPTH));
        assert!(from_str::<serde::de::IgnoredAny>(&fine).is_ok());
    }
}
