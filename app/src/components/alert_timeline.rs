//! The alerts timeline: requests per time bucket above, alerts per bucket stacked by
//! severity below, drawn as SVG with plotters. Only numbers and the engine's own RFC
//! 3339 bucket times reach the drawing, never a value from the log.

use leptos::prelude::*;
use plotters::prelude::*;
use portolan_engine::detect::{Alert, AuditSummary};
use portolan_engine::rules::Severity;

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
pub fn alert_counts(summary: &AuditSummary, alerts: &[&Alert]) -> Vec<[usize; 5]> {
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

/// The timeline as an SVG document.
pub fn timeline_svg(summary: &AuditSummary, alerts: &[&Alert]) -> String {
    let buckets = &summary.timeline;
    let counts = alert_counts(summary, alerts);
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (960, 260)).into_drawing_area();
        let _ = root.fill(&WHITE);
        let (top, bottom) = root.split_vertically(130);
        let n = buckets.len().max(1) as u32;
        let max_events = buckets.iter().map(|b| b.events).max().unwrap_or(0).max(1) as u32;
        let max_alerts = counts
            .iter()
            .map(|c| c.iter().sum::<usize>())
            .max()
            .unwrap_or(0)
            .max(1) as u32;
        let x_label = |x: &u32| {
            buckets
                .get(*x as usize)
                .map(|b| label(&b.start, summary.bucket_seconds))
                .unwrap_or_default()
        };
        if let Ok(mut chart) = ChartBuilder::on(&top)
            .margin(6)
            .x_label_area_size(0)
            .y_label_area_size(44)
            .caption("Requests", ("sans-serif", 13))
            .build_cartesian_2d(0u32..n, 0u32..max_events + max_events / 10 + 1)
        {
            let _ = chart
                .configure_mesh()
                .disable_x_mesh()
                .y_labels(3)
                .label_style(("sans-serif", 11))
                .draw();
            let _ = chart.draw_series(buckets.iter().enumerate().map(|(i, b)| {
                let i = i as u32;
                Rectangle::new(
                    [(i, 0), (i + 1, b.events as u32)],
                    RGBColor(0x94, 0xa3, 0xb8).filled(),
                )
            }));
        }
        if let Ok(mut chart) = ChartBuilder::on(&bottom)
            .margin(6)
            .x_label_area_size(22)
            .y_label_area_size(44)
            .caption("Alerts by severity", ("sans-serif", 13))
            .build_cartesian_2d(0u32..n, 0u32..max_alerts + 1)
        {
            let _ = chart
                .configure_mesh()
                .disable_x_mesh()
                .x_labels(8)
                .y_labels(3)
                .x_label_formatter(&x_label)
                .label_style(("sans-serif", 11))
                .draw();
            for severity in Severity::ALL {
                let s = severity as usize;
                let _ = chart.draw_series(counts.iter().enumerate().filter(|(_, c)| c[s] > 0).map(
                    |(i, c)| {
                        let below: usize = c[..s].iter().sum();
                        let i = i as u32;
                        Rectangle::new(
                            [(i, below as u32), (i + 1, (below + c[s]) as u32)],
                            colour(severity).filled(),
                        )
                    },
                ));
            }
        }
        let _ = root.present();
    }
    svg
}

/// The timeline of `alerts` over the log's requests.
#[component]
pub fn AlertTimeline(summary: AuditSummary, alerts: Vec<Alert>) -> impl IntoView {
    let refs: Vec<&Alert> = alerts.iter().collect();
    let svg = timeline_svg(&summary, &refs);
    view! {
        <div class="panel alert-timeline" data-testid="alert-timeline" role="img"
            aria-label="Requests and alerts over time" inner_html=svg></div>
    }
}
