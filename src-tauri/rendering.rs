//! How the window is drawn: WebKitGTK without GPU compositing, chosen for memory.
//!
//! Hearth's screens are forms, lists and text; nothing in them needs GPU compositing
//! (no video, no WebGL, no 3D transforms). With compositing on, WebKitGTK's web process
//! keeps a GL compositor and its layer backing stores (about 100 MiB more resident memory
//! measured, BENCHMARKS.md "App cold start and memory"). (Both processes still map the GL
//! driver: WebKit opens an EGL display whatever the settings.)
//!
//! [`apply_rendering_defaults`] runs first thing in `main`, before GTK, WebKit or any thread
//! starts (the environment is read by GTK and WebKit at initialisation, and inherited by
//! WebKit's web and network processes). Each variable is set only if the user has not set
//! it, so anyone who needs a different setting (a driver problem, a test) still has the
//! last word: `WEBKIT_DISABLE_COMPOSITING_MODE=0` turns compositing back on.

use std::ffi::OsString;

/// The variables set when absent, and why each is safe on a practitioner's laptop.
pub const RENDERING_DEFAULTS: &[(&str, &str)] = &[
    // WebKitGTK paints the page in the web process without a GL compositor (no accelerated
    // compositing; CSS transitions still run, drawn on the CPU).
    ("WEBKIT_DISABLE_COMPOSITING_MODE", "1"),
    // No DMA-BUF renderer either (the GPU buffer path between the web and app processes;
    // WebKit then hands frames over in shared memory): with compositing off it saved about
    // 4 MiB more in the app process.
    ("WEBKIT_DISABLE_DMABUF_RENDERER", "1"),
];
// Measured and not set: `GDK_GL=disable` (the app and web processes still map the GL
// driver, which WebKit's EGL display loads; within 2 MiB), `WEBKIT_SKIA_ENABLE_CPU_RENDERING=1`
// (no change) and hiding EGL's vendor libraries (the app then fails to start).

/// The defaults from `table` that `current` (the environment) does not already set. A
/// variable set to anything, even empty, is the user's choice and is left alone.
pub fn missing_defaults<'a>(
    table: &'a [(&'a str, &'a str)],
    current: impl Fn(&str) -> Option<OsString>,
) -> Vec<(&'a str, &'a str)> {
    table
        .iter()
        .copied()
        .filter(|(name, _)| current(name).is_none())
        .collect()
}

/// Sets [`RENDERING_DEFAULTS`] the user has not set. Call it at the very start of `main`,
/// while the process has one thread (changing the environment is not thread-safe).
pub fn apply_rendering_defaults() {
    for (name, value) in missing_defaults(RENDERING_DEFAULTS, |n| std::env::var_os(n)) {
        std::env::set_var(name, value);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_variables_the_user_left_unset_are_set() {
        let table = [("A_VAR", "1"), ("B_VAR", "1"), ("C_VAR", "1")];
        let user = |name: &str| match name {
            "A_VAR" => Some(OsString::from("0")),
            "C_VAR" => Some(OsString::new()),
            _ => None,
        };
        assert_eq!(missing_defaults(&table, user), vec![("B_VAR", "1")]);
        assert_eq!(missing_defaults(&table, |_| None), table.to_vec());
    }

    #[test]
    fn compositing_is_off_by_default() {
        let set = missing_defaults(RENDERING_DEFAULTS, |_| None);
        assert!(set.contains(&("WEBKIT_DISABLE_COMPOSITING_MODE", "1")));
    }
}
