//! The alerts timeline of the app's Alerts page: requests per time bucket above, alerts
//! per bucket stacked by severity below, drawn as SVG with plotters. Only numbers and
//! the engine's own RFC 3339 bucket times reach the drawing, never a value from the log.
//! The app asks its worker for it with the alerts its filters show.

use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use crate::detect::{Alert, AuditSummary};
use crate::rules::Severity;

/// Severity colours of the timeline, as the badges use them.
fn colour(s: Severity) -> RGBColor {
    match s {
        Severity::Critical => RGBColor(0x8e, 0x1b, 0x1b),
        Severity::High => RGBColor(0xc2, 0x41, 0x0c),
        Severity::Medium => RGBColor(0xa1, 0x62, 0x07),
        Severity::Low => RGBColor(0x1d, 0x4e, 0xd8),
        Severity::Informational => RGBColor(0x47, 0x55, 0x69),
    }
}

/// `HH:MM` of an RFC 3339 time (or the date, for day-wide buckets).
fn label(start: &str, bucket_seconds: i64) -> String {
    if bucket_seconds >= 86_400 {
        start.get(..10).unwrap_or(start).to_string()
    } else {
        start.get(11..16).unwrap_or(start).to_string()
    }
}

/// Alerts per bucket and severity: the alerts shown, placed by their first event.
fn alert_counts(summary: &AuditSummary, alerts: &[&Alert]) -> Vec<[usize; 5]> {
    let mut counts = vec![[0usize; 5]; summary.timeline.len()];
    for alert in alerts {
        let Some(time) = alert.time.as_deref() else {
            continue;
        };
        // Buckets are in time order; the alert belongs to the last one starting before it.
        let at = summary
            .timeline
            .partition_point(|b| b.start.as_str() <= time)
            .saturating_sub(1);
        if let Some(c) = counts.get_mut(at) {
            c[alert.severity as usize] += 1;
        }
    }
    counts
}

/// Width and height of the drawing, in SVG user units (the page scales it down).
const WIDTH: i32 = 960;
const HEIGHT: i32 = 260;
/// Where the bars start: the column of the y axis' numbers.
const LEFT: i32 = 50;
const RIGHT: i32 = WIDTH - 10;
/// Each panel: its caption's baseline band, then its bars.
const CAPTION: i32 = 20;
const REQUESTS_TOP: i32 = 0;
const REQUESTS_HEIGHT: i32 = 100;
const ALERTS_TOP: i32 = 130;
const ALERTS_HEIGHT: i32 = 90;
/// Bucket labels written under the alerts.
const X_LABELS: usize = 8;
const TEXT: RGBColor = RGBColor(0x1b, 0x1f, 0x24);
const AXIS: RGBColor = RGBColor(0xcb, 0xd5, 0xe1);
const REQUESTS: RGBColor = RGBColor(0x94, 0xa3, 0xb8);

/// The timeline as an SVG document. Drawn element by element at fixed positions: in a
/// web worker plotters cannot measure text, which its chart builder needs.
pub fn alert_timeline(summary: &AuditSummary, alerts: &[&Alert]) -> String {
    let buckets = &summary.timeline;
    let counts = alert_counts(summary, alerts);
    let n = buckets.len().max(1) as i32;
    let width = RIGHT - LEFT;
    // Left edge of bucket `i`.
    let x = |i: i32| LEFT + width * i / n;
    let max_events = buckets.iter().map(|b| b.events).max().unwrap_or(0).max(1);
    let max_alerts = counts
        .iter()
        .map(|c| c.iter().sum::<usize>())
        .max()
        .unwrap_or(0)
        .max(1);
    let mut svg = String::new();
    {
        let root =
            SVGBackend::with_string(&mut svg, (WIDTH as u32, HEIGHT as u32)).into_drawing_area();
        let _ = root.fill(&WHITE);
        let font = ("sans-serif", 11.0 * 1.24).into_font().color(&TEXT);
        let caption = ("sans-serif", 13.0 * 1.24)
            .into_font()
            .color(&TEXT)
            .pos(Pos::new(HPos::Center, VPos::Center));
        let number = font.clone().pos(Pos::new(HPos::Right, VPos::Center));
        let under = font.pos(Pos::new(HPos::Center, VPos::Top));
        // Caption, axis line and the y axis' top and zero of one panel; its bars'
        // bottom and height.
        let panel = |title: &str, top: i32, height: i32, max: usize| {
            let _ = root.draw(&Text::new(
                title.to_string(),
                (LEFT + width / 2, top + CAPTION / 2),
                caption.clone(),
            ));
            let bottom = top + CAPTION + height;
            let _ = root.draw(&PathElement::new(
                vec![(LEFT, top + CAPTION), (LEFT, bottom), (RIGHT, bottom)],
                AXIS,
            ));
            for (value, y) in [(max, top + CAPTION), (0, bottom)] {
                let _ = root.draw(&Text::new(value.to_string(), (LEFT - 6, y), number.clone()));
            }
            (bottom, height)
        };
        let (bottom, height) = panel("Requests", REQUESTS_TOP, REQUESTS_HEIGHT, max_events);
        for (i, b) in buckets.iter().enumerate() {
            let h = (height as f64 * b.events as f64 / max_events as f64).round() as i32;
            if h > 0 {
                let i = i as i32;
                let _ = root.draw(&Rectangle::new(
                    [(x(i), bottom - h), (x(i + 1), bottom)],
                    REQUESTS.filled(),
                ));
            }
        }
        let (bottom, height) = panel("Alerts by severity", ALERTS_TOP, ALERTS_HEIGHT, max_alerts);
        let scale =
            |count: usize| (height as f64 * count as f64 / max_alerts as f64).round() as i32;
        for (i, c) in counts.iter().enumerate() {
            let i = i as i32;
            for severity in Severity::ALL {
                let s = severity as usize;
                if c[s] == 0 {
                    continue;
                }
                let below: usize = c[..s].iter().sum();
                let _ = root.draw(&Rectangle::new(
                    [
                        (x(i), bottom - scale(below + c[s])),
                        (x(i + 1), bottom - scale(below)),
                    ],
                    colour(severity).filled(),
                ));
            }
        }
        let step = buckets.len().div_ceil(X_LABELS).max(1);
        for (i, b) in buckets.iter().enumerate().step_by(step) {
            let i = i as i32;
            let _ = root.draw(&Text::new(
                label(&b.start, summary.bucket_seconds),
                ((x(i) + x(i + 1)) / 2, bottom + 4),
                under.clone(),
            ));
        }
        let _ = root.present();
    }
    svg
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::detect::TimelineBucket;

    fn bucket(start: &str, events: usize) -> TimelineBucket {
        TimelineBucket {
            start: start.into(),
            events,
            ..TimelineBucket::default()
        }
    }

    #[test]
    fn the_timeline_draws_a_bar_per_bucket_and_alerts_in_their_bucket() {
        let summary = AuditSummary {
            events: 30,
            bucket_seconds: 60,
            timeline: vec![
                bucket("2026-12-04T10:00:00Z", 10),
                bucket("2026-12-04T10:01:00Z", 0),
                bucket("2026-12-04T10:02:00Z", 20),
            ],
            ..AuditSummary::default()
        };
        let alert = |time: &str, severity| Alert {
            time: Some(time.into()),
            severity,
            ..Alert::default()
        };
        let (a, b, c) = (
            alert("2026-12-04T10:00:30Z", Severity::High),
            alert("2026-12-04T10:02:10Z", Severity::High),
            alert("2026-12-04T10:02:50Z", Severity::Low),
        );
        let alerts = [&a, &b, &c];
        assert_eq!(
            alert_counts(&summary, &alerts),
            vec![[0, 1, 0, 0, 0], [0; 5], [0, 1, 0, 1, 0]]
        );
        let svg = alert_timeline(&summary, &alerts);
        // The background, two request bars (an empty bucket has none) and three alert
        // segments.
        assert_eq!(svg.matches("<rect").count(), 1 + 2 + 3, "{svg}");
        assert!(svg.contains("\n10:02\n"), "{svg}");
        assert!(svg.contains("\nAlerts by severity\n"), "{svg}");
    }
}
