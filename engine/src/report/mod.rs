//! Reports: the [`Analysis`](crate::Analysis) in the formats people and tools exchange.
//!
//! Each renderer reads the `Analysis` alone, so the CLI and the app give the same bytes
//! for the same inputs, and never anything the analysis does not hold (secret values
//! never enter it). [`html`] is the self-contained report an auditor opens offline;
//! [`sarif`] is SARIF 2.1.0 for GitHub code scanning and other SARIF viewers; [`csv`]
//! is one row per finding for spreadsheets. [`charts`] draws the analysis' bar charts
//! as SVG (plotters), once, for the report and the app; [`timeline`] the app's alerts
//! timeline. The JSON form is the `Analysis` itself.

pub mod charts;
mod csv;
pub mod drift;
mod html;
pub mod palette;
mod sarif;
pub mod tables;
pub mod timeline;

pub use self::csv::{
    csv, findings_csv, findings_csv_with, paths_csv, query_csv, rule_columns, table_csv,
    RuleColumns, CSV_COLUMNS, PATH_CSV_COLUMNS,
};
pub use self::html::html;
pub use self::sarif::{sarif, sarif_value, MAX_RESULTS as SARIF_MAX_RESULTS};

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{analyze, Analysis, AnalyzeOptions, InputFile};

    #[test]
    fn an_empty_analysis_renders_in_every_format() {
        let empty = Analysis::default();
        let page = html(&empty);
        assert!(page.starts_with("<!DOCTYPE html>") && page.ends_with("</html>\n"));
        assert!(page.contains("No rule fails on these inputs."));
        assert!(sarif(&empty).contains("\"results\": []"));
        assert_eq!(csv(&empty).lines().count(), 1);
    }

    #[test]
    fn snapshot_text_is_escaped_in_the_report() {
        let yaml =
            "apiVersion: v1\nkind: Pod\nmetadata:\n  name: x</title><script>alert(1)</script>\n  \
                    namespace: a&b\nspec:\n  containers:\n  - name: c\"'<b>\n    image: nginx\n    \
                    securityContext: {privileged: true}\n";
        let a = analyze(
            &[InputFile::new("<p>.yaml", yaml.as_bytes().to_vec())],
            &AnalyzeOptions::default(),
            &mut |_| {},
        );
        let page = html(&a);
        assert!(page.contains("x&lt;/title&gt;&lt;script&gt;alert(1)&lt;/script&gt;"));
        assert!(page.contains("a&amp;b"));
        assert!(page.contains("c&quot;'&lt;b&gt;"));
        assert!(page.contains("&lt;p&gt;.yaml"));
        // The fix names the hostile container, escaped like the rest.
        assert!(page.contains(r#"Patch the manifest: <code>{&quot;spec&quot;:{&quot;containers&quot;:[{&quot;name&quot;:&quot;c\&quot;'&lt;b&gt;&quot;"#));
        assert_eq!(page.matches("<script").count(), 1);
        assert!(!page.contains("<b>"));
        // And the same bytes twice.
        assert!(page == html(&a));
    }
}
