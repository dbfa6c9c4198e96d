//! placeholder: replaced by the app helper
pub fn run() {}
