//! The harness of Hearth's end-to-end tests (issue 5): the real app window driven through
//! `tauri-driver` and WebKitWebDriver under Xvfb, against a real `hearth-server` process.
//!
//! - [`webdriver`]: a small W3C WebDriver client over reqwest.
//! - [`processes`]: the prerequisites (`HEARTH_APP_BIN`, `HEARTH_SERVER_BIN`,
//!   `TAURI_DRIVER`), tauri-driver per app profile, the server, `kill -9`, memory.
//! - [`app`]: the app as a screen-reader user meets it (h1, label text, button text,
//!   `role="alert"`), screenshots to `HEARTH_E2E_SHOTS`, and [`axe`] on every screen.
//! - [`screenshot`]: the window's pixels from the X server (`xdotool`, ImageMagick `import`).
//! - [`device`]: a second device with no window (the app's store and sync engine).
//!
//! Run with `make test-e2e`; the tests are in `tests/`.

pub mod app;
pub mod axe;
pub mod device;
pub mod dialog;
pub mod forms;
pub mod processes;
pub mod screens;
pub mod screenshot;
pub mod seed;
pub mod webdriver;

pub use app::{App, Profile};
pub use processes::{Prereqs, Server};
