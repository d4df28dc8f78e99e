//! What the app's page sees of a re-run: the update its worker sends must bring the
//! page's copy of the analysis where concluding again would.

use portolan_engine::analysis::shown::{viewer_copy, FindingCounts, ShownUpdate};
use portolan_engine::Analysis;

/// `ShownUpdate::of(kept, policies)` brings a viewer's copy of `from` to the viewer's
/// copy of `fresh` (what concluding again gives), with `fresh`'s counts; `what` names
/// the step in the failure.
pub fn assert_update_brings_viewer_there(
    from: &Analysis,
    kept: &Analysis,
    fresh: &Analysis,
    policies: bool,
    what: &str,
) {
    let update = ShownUpdate::of(kept, policies);
    assert_eq!(
        update.policies.is_some(),
        policies,
        "{what}: the policy part"
    );
    let mut copy = viewer_copy(from);
    let counts = update.apply(&mut copy);
    assert!(
        copy == viewer_copy(fresh),
        "{what}: the update does not bring a viewer's copy there"
    );
    assert_eq!(
        counts,
        FindingCounts::of(fresh),
        "{what}: the update counts other findings"
    );
}
