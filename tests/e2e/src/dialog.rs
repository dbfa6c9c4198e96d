//! The system's file dialog (GTK, opened by the app through rfd), answered as a person would:
//! under Xvfb with `xdotool` (Debian package `xdotool`): find the dialog by its title, focus
//! it, Ctrl+L, type the file's full path, Return.

use std::path::Path;
use std::process::Command;
use std::time::Duration;

use anyhow::{anyhow, ensure, Context as _, Result};

use crate::app::eventually;

/// Answers the system's file dialog as a person would with the keyboard: waits for its
/// window, focuses it, opens the location field (Ctrl+L), types the file's full path and
/// presses Return.
pub async fn pick_file(title: &str, path: &Path) -> Result<()> {
    // Found once it is mapped (visible), and focused: without a window manager, focus is
    // given by hand, as a person's click would.
    let window = eventually(|| async {
        let found = xdotool(&["search", "--onlyvisible", "--name", &format!("^{title}$")])?;
        let window = found
            .lines()
            .last()
            .map(str::to_owned)
            .ok_or_else(|| anyhow!("no file dialog window yet"))?;
        xdotool(&["windowfocus", "--sync", &window])?;
        Ok(window)
    })
    .await?;
    eprintln!("file dialog window {window} focused");
    // The dialog takes a moment to be ready for keys after it maps.
    tokio::time::sleep(Duration::from_millis(700)).await;
    xdotool(&["key", "--clearmodifiers", "ctrl+l"])?;
    tokio::time::sleep(Duration::from_millis(300)).await;
    let full = path.to_str().ok_or_else(|| anyhow!("a UTF-8 path"))?;
    xdotool(&["type", "--delay", "15", full])?;
    tokio::time::sleep(Duration::from_millis(300)).await;
    xdotool(&["key", "Return"])?;
    // Gone once it has answered.
    eventually(|| async {
        let left = xdotool(&["search", "--onlyvisible", "--name", &format!("^{title}$")])
            .unwrap_or_default();
        ensure!(left.is_empty(), "the file dialog is still open");
        Ok(())
    })
    .await
}

pub fn xdotool(args: &[&str]) -> Result<String> {
    let out = Command::new("xdotool")
        .args(args)
        .output()
        .context("running xdotool (Debian package `xdotool`)")?;
    ensure!(
        out.status.success(),
        "xdotool {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    Ok(String::from_utf8_lossy(&out.stdout).trim().to_owned())
}
