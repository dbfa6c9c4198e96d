//! The `<h1>` of each screen (the UI contract), in one place for the tests and the bench.

pub const SET_PASSWORD: &str = "Set a local password";
pub const UNLOCK: &str = "Unlock Hearth";
pub const DASHBOARD: &str = "Dashboard";
