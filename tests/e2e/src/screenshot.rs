//! Screenshots of the app's window taken from the X server (Xvfb), not through WebDriver.
//!
//! The app draws without GPU compositing (`src-tauri/rendering.rs`), and in that mode
//! WebKitWebDriver's screenshot command never answers. The X server has the window's
//! pixels anyway: find the app's visible window by its process id with `xdotool` (Debian
//! package `xdotool`), raise it above any other profile's window (there is no window manager
//! under Xvfb), and read it with ImageMagick's `import` (Debian package `imagemagick`).

use std::io::ErrorKind;
use std::process::{Command, Output};

use anyhow::{anyhow, bail, ensure, Result};

/// Runs `program`; a missing program is named with the Debian package that provides it.
fn spawn(program: &str, package: &str, args: &[&str]) -> Result<Output> {
    match Command::new(program).args(args).output() {
        Ok(out) => Ok(out),
        Err(err) if err.kind() == ErrorKind::NotFound => bail!(
            "screenshots need `{program}`, which is not installed (Debian package `{package}`; \
             `make deps` installs it)"
        ),
        Err(err) => Err(anyhow!(err).context(format!("running {program} {args:?}"))),
    }
}

/// Runs `program` (as [`spawn`]) and returns its standard output; a failure is an error.
fn run(program: &str, package: &str, args: &[&str]) -> Result<Vec<u8>> {
    let out = spawn(program, package, args)?;
    ensure!(
        out.status.success(),
        "{program} {args:?} failed ({}): {}",
        out.status,
        String::from_utf8_lossy(&out.stderr).trim()
    );
    Ok(out.stdout)
}

/// The X window ids of the visible windows of process `pid` (`_NET_WM_PID`).
pub fn visible_windows(pid: u32) -> Result<Vec<String>> {
    // xdotool exits 1 when nothing matches: an empty list, not an error.
    let pid = pid.to_string();
    let out = spawn(
        "xdotool",
        "xdotool",
        &["search", "--onlyvisible", "--pid", &pid],
    )?;
    Ok(String::from_utf8_lossy(&out.stdout)
        .split_whitespace()
        .map(str::to_owned)
        .collect())
}

/// The app's main window's title (`tauri.conf.json`); a system dialog it opens has another.
const MAIN_WINDOW_TITLE: &str = "Hearth";

/// A PNG of process `pid`'s main window, as the X server shows it.
pub fn window_png(pid: u32) -> Result<Vec<u8>> {
    let windows = visible_windows(pid)?;
    let window = match windows.as_slice() {
        [one] => one.clone(),
        [] => bail!(
            "process {pid} has no visible window on the X display (DISPLAY={:?})",
            std::env::var_os("DISPLAY")
        ),
        several => {
            let mut main = Vec::new();
            for w in several {
                let name = run("xdotool", "xdotool", &["getwindowname", w])?;
                if String::from_utf8_lossy(&name).trim() == MAIN_WINDOW_TITLE {
                    main.push(w.clone());
                }
            }
            match main.as_slice() {
                [one] => one.clone(),
                _ => bail!(
                    "process {pid} has visible windows {several:?}, of which {main:?} are \
                     titled \"{MAIN_WINDOW_TITLE}\""
                ),
            }
        }
    };
    let window = window.as_str();
    run("xdotool", "xdotool", &["windowraise", window])?;
    let png = run("import", "imagemagick", &["-window", window, "png:-"])?;
    ensure!(
        png.starts_with(b"\x89PNG\r\n\x1a\n"),
        "import -window {window} did not write a PNG ({} bytes)",
        png.len()
    );
    Ok(png)
}
