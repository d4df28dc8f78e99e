//! The analysis' charts, drawn once here with plotters' SVG backend: the secure score by
//! namespace, findings by severity, vulnerabilities by severity and fixability, and
//! attack paths by target. Each is a function of the [`Analysis`] alone returning an SVG
//! document, so the app (which embeds it as is) and the HTML report show the same
//! drawing of the same numbers. Text in a chart (namespace names) is escaped by the
//! backend; the SVG carries no script, link or external reference, so the report's CSP
//! holds.

use std::collections::{BTreeMap, BTreeSet};

use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::palette::{severity_colour, ScoreBand};
use crate::rules::Severity;
use crate::Analysis;

/// Namespaces drawn in the per-namespace chart (lowest scores first); the rest are
/// counted under it.
pub const MAX_NAMESPACE_BARS: usize = 40;

/// Width of every chart, in SVG user units (the page scales it down).
const WIDTH: u32 = 720;
/// Where bars start: the label column's width.
const LABEL_WIDTH: i32 = 200;
/// Longest bar.
const BAR_WIDTH: i32 = 300;
/// One row of the chart.
const ROW: i32 = 24;
/// The caption's band.
const CAPTION: i32 = 26;
/// Characters of a label kept (SVG text does not wrap).
const LABEL_CHARS: usize = 30;
/// plotters writes a font of size `s` as `s / 1.24` SVG units; these give 12 and 14.
const TEXT_SIZE: f64 = 12.0 * 1.24;
const CAPTION_SIZE: f64 = 14.0 * 1.24;

const TEXT: RGBColor = RGBColor(0x1b, 0x1f, 0x24);
const TRACK: RGBColor = RGBColor(0xee, 0xf1, 0xf4);
/// Vulnerabilities without a fixed version: the severity's colour would say "fix me".
const NO_FIX: RGBColor = RGBColor(0x94, 0xa3, 0xb8);

/// One row of a bar chart: its label, the stacked segments and the value written after.
struct Bar {
    label: String,
    segments: Vec<(f64, RGBColor)>,
    value: String,
}

/// `#rrggbb` as a colour; the palette holds only such literals.
fn hex(colour: &str) -> RGBColor {
    let c = |i: usize| {
        colour
            .get(i..i + 2)
            .and_then(|h| u8::from_str_radix(h, 16).ok())
            .unwrap_or(0)
    };
    RGBColor(c(1), c(3), c(5))
}

/// `text` cut to [`LABEL_CHARS`] characters with an ellipsis.
fn clip(text: &str) -> String {
    if text.chars().count() <= LABEL_CHARS {
        return text.to_string();
    }
    let mut cut: String = text.chars().take(LABEL_CHARS - 1).collect();
    cut.push('…');
    cut
}

/// Horizontal bars, one per row, scaled to `max`, under `caption`, with an optional
/// legend line.
fn bar_chart(caption: &str, bars: &[Bar], max: f64, legend: &[(&str, RGBColor)]) -> String {
    let legend_height = if legend.is_empty() { 0 } else { ROW };
    let height = CAPTION + ROW * bars.len() as i32 + legend_height + 6;
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (WIDTH, height as u32)).into_drawing_area();
        let _ = root.fill(&WHITE);
        let font = ("sans-serif", TEXT_SIZE).into_font().color(&TEXT);
        let left = font.clone().pos(Pos::new(HPos::Left, VPos::Center));
        let right = font.pos(Pos::new(HPos::Right, VPos::Center));
        let _ = root.draw(&Text::new(
            caption.to_string(),
            (0, CAPTION / 2),
            ("sans-serif", CAPTION_SIZE)
                .into_font()
                .style(FontStyle::Bold)
                .color(&TEXT)
                .pos(Pos::new(HPos::Left, VPos::Center)),
        ));
        let max = if max > 0.0 { max } else { 1.0 };
        for (i, bar) in bars.iter().enumerate() {
            let top = CAPTION + ROW * i as i32;
            let middle = top + ROW / 2;
            let _ = root.draw(&Text::new(
                clip(&bar.label),
                (LABEL_WIDTH - 8, middle),
                right.clone(),
            ));
            let _ = root.draw(&Rectangle::new(
                [
                    (LABEL_WIDTH, top + 4),
                    (LABEL_WIDTH + BAR_WIDTH, top + ROW - 4),
                ],
                TRACK.filled(),
            ));
            let mut x = LABEL_WIDTH;
            for &(value, colour) in &bar.segments {
                let w = (f64::from(BAR_WIDTH) * value.max(0.0) / max).round() as i32;
                if w > 0 {
                    let _ = root.draw(&Rectangle::new(
                        [(x, top + 4), (x + w, top + ROW - 4)],
                        colour.filled(),
                    ));
                }
                x += w;
            }
            let _ = root.draw(&Text::new(
                bar.value.clone(),
                (LABEL_WIDTH + BAR_WIDTH + 8, middle),
                left.clone(),
            ));
        }
        let mut x = LABEL_WIDTH;
        let y = CAPTION + ROW * bars.len() as i32 + ROW / 2;
        for &(name, colour) in legend {
            let _ = root.draw(&Rectangle::new(
                [(x, y - 6), (x + 12, y + 6)],
                colour.filled(),
            ));
            let _ = root.draw(&Text::new(name.to_string(), (x + 18, y), left.clone()));
            x += 30 + 8 * name.chars().count() as i32;
        }
        let _ = root.present();
    }
    svg
}

/// Findings that count (not exempted) per severity, most severe first.
pub fn finding_counts(a: &Analysis) -> [usize; 5] {
    let mut counts = [0usize; 5];
    for f in a.findings.iter().filter(|f| f.exemption.is_none()) {
        counts[f.severity as usize] += 1;
    }
    counts
}

/// Findings (not exempted) by severity.
pub fn findings_by_severity(a: &Analysis) -> String {
    let counts = finding_counts(a);
    let bars: Vec<Bar> = Severity::ALL
        .iter()
        .map(|&s| Bar {
            label: s.as_str().to_string(),
            segments: vec![(counts[s as usize] as f64, hex(severity_colour(s)))],
            value: counts[s as usize].to_string(),
        })
        .collect();
    let max = counts.iter().copied().max().unwrap_or(0) as f64;
    bar_chart("Findings by severity", &bars, max, &[])
}

/// The secure score of each namespace, lowest first (at most [`MAX_NAMESPACE_BARS`]);
/// `None` when no namespaced resource was scored.
pub fn namespace_scores(a: &Analysis) -> Option<String> {
    let mut namespaces: Vec<_> = a.secure_score.namespaces.iter().collect();
    if namespaces.is_empty() {
        return None;
    }
    namespaces.sort_by(|x, y| {
        x.score
            .total_cmp(&y.score)
            .then_with(|| x.namespace.cmp(&y.namespace))
    });
    let bars: Vec<Bar> = namespaces
        .iter()
        .take(MAX_NAMESPACE_BARS)
        .map(|n| Bar {
            label: n.namespace.clone(),
            segments: vec![(
                n.score.clamp(0.0, 100.0),
                hex(ScoreBand::of(n.score).colour()),
            )],
            value: format!(
                "{:.1}%  ({} of {} unhealthy)",
                n.score, n.unhealthy, n.resources
            ),
        })
        .collect();
    Some(bar_chart("Secure score by namespace", &bars, 100.0, &[]))
}

/// Distinct vulnerability ids in running images per severity (at their most severe, as
/// the summary counts them): `(with a fixed version, without)`.
pub fn vulnerability_counts(a: &Analysis) -> [(usize, usize); 5] {
    let v = &a.vulnerabilities;
    let fixable: BTreeSet<&str> = v
        .images
        .iter()
        .filter(|i| i.running)
        .flat_map(|i| &i.vulnerabilities)
        .filter(|x| !x.fixed.is_empty())
        .map(|x| x.id.as_str())
        .collect();
    let mut severity: BTreeMap<&str, Severity> = BTreeMap::new();
    for e in &v.cves {
        severity
            .entry(e.id.as_str())
            .and_modify(|s| {
                if e.severity < *s {
                    *s = e.severity
                }
            })
            .or_insert(e.severity);
    }
    let mut counts = [(0usize, 0usize); 5];
    for (id, s) in severity {
        let c = &mut counts[s as usize];
        if fixable.contains(id) {
            c.0 += 1;
        } else {
            c.1 += 1;
        }
    }
    counts
}

/// Vulnerabilities of running images by severity, split by whether a fixed version
/// exists; `None` when no scan was read.
pub fn vulnerabilities_by_severity(a: &Analysis) -> Option<String> {
    if a.vulnerabilities.summary.scans == 0 {
        return None;
    }
    let counts = vulnerability_counts(a);
    let bars: Vec<Bar> = Severity::ALL
        .iter()
        .map(|&s| {
            let (fix, no_fix) = counts[s as usize];
            Bar {
                label: s.as_str().to_string(),
                segments: vec![
                    (fix as f64, hex(severity_colour(s))),
                    (no_fix as f64, NO_FIX),
                ],
                value: format!("{}  ({fix} fixable)", fix + no_fix),
            }
        })
        .collect();
    let max = counts.iter().map(|(a, b)| a + b).max().unwrap_or(0) as f64;
    Some(bar_chart(
        "Vulnerabilities by severity and fixability",
        &bars,
        max,
        &[
            (
                "fixed version available",
                hex(severity_colour(Severity::High)),
            ),
            ("no fix yet", NO_FIX),
        ],
    ))
}

/// Attack paths per target class, most first; `None` when there is no path.
pub fn paths_by_target(a: &Analysis) -> Option<String> {
    let by_target = &a.attack_paths.by_target;
    if by_target.values().all(|&n| n == 0) {
        return None;
    }
    let mut rows: Vec<(&String, &usize)> = by_target.iter().filter(|(_, &n)| n > 0).collect();
    rows.sort_by(|x, y| y.1.cmp(x.1).then_with(|| x.0.cmp(y.0)));
    let colour = hex(severity_colour(Severity::High));
    let bars: Vec<Bar> = rows
        .iter()
        .map(|(target, &n)| Bar {
            label: (*target).clone(),
            segments: vec![(n as f64, colour)],
            value: n.to_string(),
        })
        .collect();
    let max = rows.first().map_or(0, |r| *r.1) as f64;
    Some(bar_chart("Attack paths by target", &bars, max, &[]))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{analyze, AnalyzeOptions, InputFile};

    /// Text elements of an SVG, in order.
    fn texts(svg: &str) -> Vec<String> {
        svg.split("<text")
            .skip(1)
            .filter_map(|t| {
                let body = t.split_once('>')?.1;
                Some(body.split_once("</text>")?.0.trim().to_string())
            })
            .collect()
    }

    /// Filled rectangles' widths, in order, without the white background and tracks.
    fn bars(svg: &str) -> Vec<i32> {
        svg.split("<rect")
            .skip(1)
            .filter(|r| !r.contains("#FFFFFF") && !r.contains("#EEF1F4"))
            .filter_map(|r| {
                let w = r.split_once("width=\"")?.1.split_once('"')?.0;
                w.parse().ok()
            })
            .collect()
    }

    fn analysis(yaml: &str) -> Analysis {
        analyze(
            &[InputFile::new("pods.yaml", yaml.as_bytes().to_vec())],
            &AnalyzeOptions::default(),
            &mut |_| {},
        )
    }

    const PRIVILEGED: &str =
        "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\n  namespace: NS\nspec:\n  \
        containers:\n  - name: c\n    image: nginx:1.25\n    securityContext: {privileged: true}\n";

    #[test]
    fn findings_by_severity_has_one_bar_per_severity_with_its_count() {
        let a = analysis(&PRIVILEGED.replace("NS", "shop"));
        let counts = finding_counts(&a);
        assert!(counts[Severity::Critical as usize] > 0, "{counts:?}");
        let svg = findings_by_severity(&a);
        let t = texts(&svg);
        assert_eq!(t[0], "Findings by severity");
        for s in Severity::ALL {
            let at = t
                .iter()
                .position(|x| x == s.as_str())
                .unwrap_or_else(|| panic!("{}", s.as_str()));
            assert_eq!(t[at + 1], counts[s as usize].to_string(), "{}", s.as_str());
        }
        // The longest bar is the largest count; empty severities draw no bar.
        let widths = bars(&svg);
        assert_eq!(widths.len(), counts.iter().filter(|&&c| c > 0).count());
        assert_eq!(widths.iter().max(), Some(&BAR_WIDTH));
        // Deterministic.
        assert_eq!(svg, findings_by_severity(&a));
    }

    #[test]
    fn namespace_scores_are_lowest_first_and_hostile_names_are_escaped() {
        let hostile = "a<script>alert(1)</script>&\"'";
        let yaml = format!(
            "{}---\n{}",
            PRIVILEGED.replace("NS", "zz-bad"),
            "apiVersion: v1\nkind: Pod\nmetadata:\n  name: q\n  namespace: NS\nspec:\n  \
             containers:\n  - name: c\n    image: nginx:1.25\n"
                .replace("NS", &format!("'{}'", hostile.replace('\'', "''")))
        );
        let a = analysis(&yaml);
        let svg = namespace_scores(&a).expect("namespaces scored");
        assert!(!svg.contains("<script"), "{svg}");
        assert!(
            svg.contains("a&lt;script&gt;alert(1)&lt;/script&gt;&amp;&quot;&apos;"),
            "{svg}"
        );
        let t = texts(&svg);
        let mut want: Vec<_> = a.secure_score.namespaces.iter().collect();
        want.sort_by(|x, y| x.score.total_cmp(&y.score));
        assert_eq!(t[1], clip(&want[0].namespace), "lowest score first");
        assert_eq!(
            t[2],
            format!(
                "{:.1}%  ({} of {} unhealthy)",
                want[0].score, want[0].unhealthy, want[0].resources
            )
        );
        // Nothing scored: no chart.
        assert_eq!(namespace_scores(&Analysis::default()), None);
    }

    #[test]
    fn vulnerability_and_path_charts_follow_the_engine_numbers() {
        assert_eq!(vulnerabilities_by_severity(&Analysis::default()), None);
        assert_eq!(paths_by_target(&Analysis::default()), None);
        let mut a = Analysis::default();
        a.attack_paths.by_target.insert("cluster-admin".into(), 2);
        a.attack_paths.by_target.insert("node".into(), 5);
        a.attack_paths.by_target.insert("secrets".into(), 0);
        let svg = paths_by_target(&a).expect("paths");
        let t = texts(&svg);
        assert_eq!(
            t[1..],
            ["node", "5", "cluster-admin", "2"].map(String::from)
        );
        assert_eq!(
            bars(&svg),
            vec![BAR_WIDTH, (f64::from(BAR_WIDTH) * 2.0 / 5.0).round() as i32]
        );
    }

    #[test]
    fn vulnerability_chart_splits_fixable_from_the_scans() {
        // A Trivy image report: one critical with a fix, one high without, one high with.
        let trivy = r#"{"SchemaVersion":2,"ArtifactName":"nginx:1.25","ArtifactType":"container_image",
            "Results":[{"Target":"nginx:1.25 (debian 12.5)","Class":"os-pkgs","Type":"debian","Vulnerabilities":[
            {"VulnerabilityID":"CVE-2024-0001","PkgName":"a","InstalledVersion":"1","FixedVersion":"2","Severity":"CRITICAL"},
            {"VulnerabilityID":"CVE-2024-0002","PkgName":"b","InstalledVersion":"1","Severity":"HIGH"},
            {"VulnerabilityID":"CVE-2024-0003","PkgName":"c","InstalledVersion":"1","FixedVersion":"1.1","Severity":"HIGH"}]}]}"#;
        let a = analyze(
            &[
                InputFile::new("pods.yaml", PRIVILEGED.replace("NS", "shop").into_bytes()),
                InputFile::new("scan.json", trivy.as_bytes().to_vec()),
            ],
            &AnalyzeOptions::default(),
            &mut |_| {},
        );
        assert_eq!(
            a.vulnerabilities.summary.vulnerabilities, 3,
            "{:?}",
            a.vulnerabilities.summary
        );
        let counts = vulnerability_counts(&a);
        assert_eq!(counts[Severity::Critical as usize], (1, 0));
        assert_eq!(counts[Severity::High as usize], (1, 1));
        assert_eq!(
            counts.iter().map(|c| c.0).sum::<usize>(),
            a.vulnerabilities.summary.fixable
        );
        let svg = vulnerabilities_by_severity(&a).expect("scans read");
        let t = texts(&svg);
        let high = t.iter().position(|x| x == "high").expect("high row");
        assert_eq!(t[high + 1], "2  (1 fixable)");
        assert!(t.contains(&"no fix yet".to_string()));
    }
}
