//! The app's components, one file per part of the screen.

pub mod affected_table;
pub mod attack_paths;
pub mod compare;
pub mod counts;
pub mod drop_zone;
pub mod enforcement;
pub mod exempt_badge;
pub mod exempt_form;
pub mod exemption_row;
pub mod exemptions;
pub mod inputs;
pub mod inventory;
pub mod namespace_scores;
pub mod nav;
pub mod no_snapshot;
pub mod overview;
pub mod pager;
pub mod recommendation_detail;
pub mod recommendation_row;
pub mod recommendations;
pub mod severity;
pub mod severity_summary;
pub mod status;
pub mod top_recommendations;
