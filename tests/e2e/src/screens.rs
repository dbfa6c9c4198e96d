//! The `<h1>` of each screen (the UI contract; App.svelte lists them), in one place for
//! the tests and the bench.

pub const CONNECT: &str = "Connect to your Hearth server";
pub const SIGN_IN: &str = "Sign in";
pub const CHECK_EMAIL: &str = "Check your email";
pub const UNLOCK: &str = "Unlock Hearth";
pub const DASHBOARD: &str = "Dashboard";
pub const MY_PLANS: &str = "My plans";
/// The wizard's task list.
pub const TASK_LIST: &str = "Family Support Plan";
pub const CHECK_ANSWERS: &str = "Check your answers";
pub const PLAN_COMPLETED: &str = "Plan completed";
