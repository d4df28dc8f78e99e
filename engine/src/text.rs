//! Snapshot text as people read it: characters that reorder or hide text made visible.
//!
//! A name in a snapshot is hostile. Escaping keeps it from becoming markup, but a
//! RIGHT-TO-LEFT OVERRIDE (U+202E) still makes `evil\u{202E}txt.exe` read as
//! `evilexe.txt`, and a zero-width space makes two different names look alike. Every
//! place that shows a snapshot name as text (the map's labels and tooltips, the
//! Explorer's results, the resource panel) passes it through [`visible`], which shows
//! each such character as an escape, `⟨U+202E⟩`: nothing is hidden, nothing reorders,
//! and the reader sees that the name holds something odd. Identifiers (graph ids in
//! links and data attributes) are left as they are: they are matched, not read.

use std::borrow::Cow;

/// Whether `c` changes the order of the text around it or is not seen: the explicit
/// bidirectional formatting characters (embeddings, overrides, isolates and marks),
/// zero-width and other default-ignorable characters, line and paragraph separators,
/// and control characters.
pub fn is_hidden(c: char) -> bool {
    matches!(c,
        '\u{0}'..='\u{1F}' | '\u{7F}'..='\u{9F}'
        // Soft hyphen, combining grapheme joiner, Arabic letter mark.
        | '\u{AD}' | '\u{34F}' | '\u{61C}'
        // Hangul fillers, Khmer inherent vowels, Mongolian variation selectors and vowel separator.
        | '\u{115F}' | '\u{1160}' | '\u{17B4}' | '\u{17B5}' | '\u{180B}'..='\u{180F}'
        // Zero-width space, non-joiner, joiner; left-to-right and right-to-left marks.
        | '\u{200B}'..='\u{200F}'
        // Line and paragraph separators; embeddings, pop, overrides (LRE, RLE, PDF, LRO, RLO).
        | '\u{2028}'..='\u{202E}'
        // Word joiner, invisible operators, isolates (LRI, RLI, FSI, PDI), deprecated formats.
        | '\u{2060}'..='\u{206F}'
        | '\u{3164}'
        // Variation selectors, byte order mark, half-width Hangul filler, interlinear annotations.
        | '\u{FE00}'..='\u{FE0F}' | '\u{FEFF}' | '\u{FFA0}' | '\u{FFF9}'..='\u{FFFB}'
        // Shorthand format controls, musical symbol formats, tags and their variation selectors.
        | '\u{1BCA0}'..='\u{1BCA3}' | '\u{1D173}'..='\u{1D17A}' | '\u{E0000}'..='\u{E0FFF}'
    )
}

/// `text` with every [hidden](is_hidden) character shown as `⟨U+XXXX⟩`; borrowed when
/// there is none (the common case costs no allocation).
pub fn visible(text: &str) -> Cow<'_, str> {
    if !text.chars().any(is_hidden) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 16);
    for c in text.chars() {
        if is_hidden(c) {
            out.push_str(&format!("⟨U+{:04X}⟩", c as u32));
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_names_are_borrowed_unchanged() {
        for name in [
            "web",
            "kube-system",
            "ghcr.io/org/app:1.2",
            "",
            "naïve-日本-שלום",
        ] {
            assert!(matches!(visible(name), Cow::Borrowed(n) if n == name));
        }
    }

    #[test]
    fn bidi_controls_are_shown_as_escapes() {
        assert_eq!(visible("evil\u{202E}txt.exe"), "evil⟨U+202E⟩txt.exe");
        for c in ('\u{202A}'..='\u{202E}').chain('\u{2066}'..='\u{2069}') {
            let shown = visible(&format!("a{c}b")).into_owned();
            assert_eq!(shown, format!("a⟨U+{:04X}⟩b", c as u32));
            assert!(!shown.contains(c));
        }
        assert_eq!(visible("\u{200E}x\u{200F}"), "⟨U+200E⟩x⟨U+200F⟩");
        assert_eq!(visible("x\u{61C}"), "x⟨U+061C⟩");
    }

    #[test]
    fn invisible_characters_are_shown_as_escapes() {
        assert_eq!(visible("ad\u{200B}min"), "ad⟨U+200B⟩min");
        assert_eq!(visible("\u{FEFF}web"), "⟨U+FEFF⟩web");
        assert_eq!(visible("a\u{2060}b\u{200D}c"), "a⟨U+2060⟩b⟨U+200D⟩c");
        assert_eq!(visible("line\nbreak\u{7}"), "line⟨U+000A⟩break⟨U+0007⟩");
        assert_eq!(visible("tag\u{E0041}"), "tag⟨U+E0041⟩");
    }

    #[test]
    fn the_result_holds_no_hidden_character() {
        let all: String = (0u32..0x11_0000).filter_map(char::from_u32).collect();
        let hidden = all.chars().filter(|c| is_hidden(*c)).count();
        let shown = visible(&all);
        assert!(!shown.chars().any(is_hidden));
        // One escape per hidden character (the input never holds `⟨U+` itself), and
        // every visible character kept.
        assert_eq!(shown.matches("⟨U+").count(), hidden);
        assert_eq!(
            shown.chars().count(),
            all.chars().count() - hidden + escapes_len(&shown)
        );
    }

    /// Characters the escapes take in `shown`.
    fn escapes_len(shown: &str) -> usize {
        shown
            .match_indices("⟨U+")
            .map(|(at, _)| {
                shown[at..]
                    .find('⟩')
                    .map_or(0, |end| shown[at..at + end].chars().count() + 1)
            })
            .sum()
    }
}
