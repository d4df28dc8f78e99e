//! The one colour scale of severities and secure scores, shared by the HTML report and
//! the app (which sets [`css_variables`] on its page), so that a critical finding or a
//! poor score looks the same wherever it appears. Every colour carries white text at a
//! contrast of at least 4.5:1, on a light page and on a dark one.

use crate::rules::Severity;

/// The colour of a severity (badges, bars, borders).
pub fn severity_colour(s: Severity) -> &'static str {
    match s {
        Severity::Critical => "#8e1b1b",
        Severity::High => "#c2410c",
        Severity::Medium => "#a16207",
        Severity::Low => "#1d4ed8",
        Severity::Informational => "#475569",
    }
}

/// A secure score's band: good from 80, fair from 50, poor below.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ScoreBand {
    Good,
    Fair,
    Poor,
}

impl ScoreBand {
    /// All bands, best first.
    pub const ALL: [ScoreBand; 3] = [ScoreBand::Good, ScoreBand::Fair, ScoreBand::Poor];

    /// The band of `score` (0–100).
    pub fn of(score: f64) -> ScoreBand {
        if score >= 80.0 {
            ScoreBand::Good
        } else if score >= 50.0 {
            ScoreBand::Fair
        } else {
            ScoreBand::Poor
        }
    }

    /// `good`, `fair` or `poor`: CSS class suffixes and variable names.
    pub fn slug(self) -> &'static str {
        match self {
            ScoreBand::Good => "good",
            ScoreBand::Fair => "fair",
            ScoreBand::Poor => "poor",
        }
    }

    /// The band's colour.
    pub fn colour(self) -> &'static str {
        match self {
            ScoreBand::Good => "#15803d",
            ScoreBand::Fair => "#a16207",
            ScoreBand::Poor => "#b91c1c",
        }
    }
}

/// The scale as CSS custom properties (`--sev-critical`, ..., `--score-good`, ...), in
/// a fixed order: `name`/`value` pairs.
pub fn css_variables() -> Vec<(String, &'static str)> {
    let mut vars: Vec<(String, &'static str)> = Severity::ALL
        .iter()
        .map(|&s| (format!("--sev-{}", s.as_str()), severity_colour(s)))
        .collect();
    vars.extend(
        ScoreBand::ALL
            .iter()
            .map(|&b| (format!("--score-{}", b.slug()), b.colour())),
    );
    vars
}

/// [`css_variables`] as the body of a CSS rule.
pub fn css_declarations() -> String {
    css_variables()
        .into_iter()
        .map(|(name, value)| format!("{name}:{value};"))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// WCAG relative luminance of `#rrggbb`.
    fn luminance(hex: &str) -> f64 {
        let channel = |i: usize| {
            let c = u8::from_str_radix(&hex[i..i + 2], 16).unwrap() as f64 / 255.0;
            if c <= 0.03928 {
                c / 12.92
            } else {
                ((c + 0.055) / 1.055).powf(2.4)
            }
        };
        0.2126 * channel(1) + 0.7152 * channel(3) + 0.0722 * channel(5)
    }

    #[test]
    fn white_text_is_readable_on_every_colour() {
        for (name, colour) in css_variables() {
            let ratio = 1.05 / (luminance(colour) + 0.05);
            assert!(ratio >= 4.5, "{name} {colour}: {ratio:.2}");
        }
        // Negative control: a light colour fails.
        assert!(1.05 / (luminance("#fbbf24") + 0.05) < 4.5);
    }

    #[test]
    fn score_bands() {
        assert_eq!(ScoreBand::of(100.0), ScoreBand::Good);
        assert_eq!(ScoreBand::of(80.0), ScoreBand::Good);
        assert_eq!(ScoreBand::of(79.9), ScoreBand::Fair);
        assert_eq!(ScoreBand::of(50.0), ScoreBand::Fair);
        assert_eq!(ScoreBand::of(0.0), ScoreBand::Poor);
        assert!(css_declarations().starts_with("--sev-critical:#8e1b1b;"));
    }
}
