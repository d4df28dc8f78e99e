//! The app's components, one file per part of the screen.

pub mod counts;
pub mod drop_zone;
pub mod inputs;
pub mod inventory;
pub mod nav;
pub mod overview;
pub mod status;
