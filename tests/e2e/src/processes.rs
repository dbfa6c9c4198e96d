//! The real processes a run drives: `tauri-driver` (one per app profile, so each profile
//! gets its own `HEARTH_DATA_DIR`), the app it starts, and a `hearth-server`.

use std::ffi::OsString;
use std::fs::File;
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{anyhow, bail, Context as _, Result};

/// The programs a run needs, passed by environment variables (`make test-e2e` sets them).
#[derive(Debug, Clone)]
pub struct Prereqs {
    /// `HEARTH_APP_BIN`: the app built with its UI (`npm run build`, `cargo build --bin hearth`).
    pub app_bin: PathBuf,
    /// `HEARTH_SERVER_BIN`: `cargo build -p hearth-server`.
    pub server_bin: PathBuf,
    /// `TAURI_DRIVER`: `make deps-e2e` installs it.
    pub tauri_driver: PathBuf,
}

impl Prereqs {
    /// Reads and checks every prerequisite; the error names each one missing and how to get it.
    pub fn from_env() -> Result<Prereqs> {
        Self::from_lookup(|var| std::env::var_os(var))
    }

    /// [`from_env`](Self::from_env) with the environment given as a function.
    pub fn from_lookup(env: impl Fn(&str) -> Option<OsString>) -> Result<Prereqs> {
        let mut missing = Vec::new();
        let mut file = |var: &str, how: &str| -> PathBuf {
            match env(var) {
                Some(path) if Path::new(&path).is_file() => PathBuf::from(path),
                Some(path) => {
                    missing.push(format!(
                        "{var}={} is not a file ({how})",
                        Path::new(&path).display()
                    ));
                    PathBuf::new()
                }
                None => {
                    missing.push(format!("{var} is not set ({how})"));
                    PathBuf::new()
                }
            }
        };
        let app_bin = file(
            "HEARTH_APP_BIN",
            "the app: `npm run build` then `cargo build --bin hearth`",
        );
        let server_bin = file("HEARTH_SERVER_BIN", "`cargo build -p hearth-server`");
        let tauri_driver = file("TAURI_DRIVER", "`make deps-e2e` installs tauri-driver");
        if which(env("PATH"), "WebKitWebDriver").is_none() {
            missing.push(
                "WebKitWebDriver is not on PATH (Debian package webkit2gtk-driver: `make deps-debian`)"
                    .into(),
            );
        }
        if env("DISPLAY").is_none_or(|d| d.is_empty()) {
            missing.push("no DISPLAY: run under `xvfb-run -a` (`make test-e2e` does)".into());
        }
        if !missing.is_empty() {
            bail!(
                "the end-to-end tests cannot run; run them with `make test-e2e`, or fix:\n  - {}",
                missing.join("\n  - ")
            );
        }
        Ok(Prereqs {
            app_bin,
            server_bin,
            tauri_driver,
        })
    }
}

fn which(path: Option<OsString>, program: &str) -> Option<PathBuf> {
    path.and_then(|path| {
        std::env::split_paths(&path)
            .map(|dir| dir.join(program))
            .find(|p| p.is_file())
    })
}

/// A loopback port nobody listens on right now.
pub fn free_port() -> Result<u16> {
    Ok(TcpListener::bind("127.0.0.1:0")?.local_addr()?.port())
}

/// Waits until something accepts connections on `port`, or `child` exits.
fn wait_for_port(port: u16, child: &mut Child, what: &str, log: &Path) -> Result<()> {
    let addr = SocketAddr::from(([127, 0, 0, 1], port));
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        if TcpStream::connect_timeout(&addr, Duration::from_millis(200)).is_ok() {
            return Ok(());
        }
        if let Some(status) = child.try_wait()? {
            bail!(
                "{what} exited ({status}) before listening on port {port}; its log:\n{}",
                std::fs::read_to_string(log).unwrap_or_default()
            );
        }
        if Instant::now() > deadline {
            bail!("{what} did not listen on port {port} within 60 s");
        }
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// Sends a signal to one process we started (by its id), with the system's `kill`.
pub fn signal(pid: u32, signal: &str) -> Result<()> {
    let status = Command::new("kill")
        .arg(format!("-{signal}"))
        .arg(pid.to_string())
        .status()
        .context("running kill")?;
    if !status.success() {
        bail!("kill -{signal} {pid} failed ({status})");
    }
    Ok(())
}

fn is_running(pid: u32) -> bool {
    // A zombie still has a /proc entry: treat state Z as gone.
    match std::fs::read_to_string(format!("/proc/{pid}/stat")) {
        Ok(stat) => stat
            .rsplit_once(')')
            .and_then(|(_, rest)| rest.split_whitespace().next())
            .is_some_and(|state| state != "Z"),
        Err(_) => false,
    }
}

/// Waits until `pid` is gone; errors after `timeout`.
pub fn wait_gone(pid: u32, timeout: Duration) -> Result<()> {
    let deadline = Instant::now() + timeout;
    while is_running(pid) {
        if Instant::now() > deadline {
            bail!("process {pid} still running after {timeout:?}");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    Ok(())
}

/// Every live descendant of `root` (children, grandchildren, ...), from /proc.
pub fn descendants(root: u32) -> Vec<u32> {
    let mut parent_of = Vec::new();
    if let Ok(entries) = std::fs::read_dir("/proc") {
        for entry in entries.flatten() {
            let Some(pid) = entry
                .file_name()
                .to_str()
                .and_then(|s| s.parse::<u32>().ok())
            else {
                continue;
            };
            let Ok(stat) = std::fs::read_to_string(format!("/proc/{pid}/stat")) else {
                continue;
            };
            // Fields after the ")" that closes the command name: state, ppid, ...
            let Some((_, rest)) = stat.rsplit_once(')') else {
                continue;
            };
            let mut fields = rest.split_whitespace();
            let state = fields.next().unwrap_or("Z");
            if let Some(ppid) = fields.next().and_then(|p| p.parse::<u32>().ok()) {
                if state != "Z" {
                    parent_of.push((pid, ppid));
                }
            }
        }
    }
    let mut found = vec![root];
    let mut i = 0;
    while i < found.len() {
        let parent = found[i];
        found.extend(
            parent_of
                .iter()
                .filter(|(_, ppid)| *ppid == parent)
                .map(|(pid, _)| *pid),
        );
        i += 1;
    }
    found.remove(0);
    found
}

/// The process's executable, if we may read it.
pub fn exe_of(pid: u32) -> Option<PathBuf> {
    std::fs::read_link(format!("/proc/{pid}/exe")).ok()
}

/// Resident memory of a process in KiB (VmRSS).
pub fn rss_kib(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.split_whitespace().next())
        .and_then(|v| v.parse().ok())
}

/// Proportional set size in KiB (shared pages divided among the processes sharing them),
/// from /proc/<pid>/smaps_rollup: the fair figure to add up over several processes.
pub fn pss_kib(pid: u32) -> Option<u64> {
    let rollup = std::fs::read_to_string(format!("/proc/{pid}/smaps_rollup")).ok()?;
    rollup
        .lines()
        .find_map(|l| l.strip_prefix("Pss:"))
        .and_then(|v| v.split_whitespace().next())
        .and_then(|v| v.parse().ok())
}

/// How long ago the process started (from /proc: its start time and the system's uptime,
/// both in clock ticks, so to 10 ms).
pub fn process_age(pid: u32) -> Option<Duration> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    let (_, rest) = stat.rsplit_once(')')?;
    // After the command name: state is field 3, starttime field 22.
    let start_ticks: f64 = rest.split_whitespace().nth(19)?.parse().ok()?;
    let uptime: f64 = std::fs::read_to_string("/proc/uptime")
        .ok()?
        .split_whitespace()
        .next()?
        .parse()
        .ok()?;
    let ticks = clock_ticks_per_second()?;
    let age = uptime - start_ticks / ticks;
    (age >= 0.0).then(|| Duration::from_secs_f64(age))
}

fn clock_ticks_per_second() -> Option<f64> {
    let out = Command::new("getconf").arg("CLK_TCK").output().ok()?;
    String::from_utf8(out.stdout).ok()?.trim().parse().ok()
}

/// A running `tauri-driver` whose app will see `env` (its profile's data folder).
pub struct TauriDriver {
    child: Child,
    pub port: u16,
    pub log: PathBuf,
}

impl TauriDriver {
    pub fn start(prereqs: &Prereqs, env: &[(&str, &Path)], log: PathBuf) -> Result<TauriDriver> {
        let port = free_port()?;
        let native_port = free_port()?;
        let out = File::create(&log).with_context(|| format!("creating {}", log.display()))?;
        let mut command = Command::new(&prereqs.tauri_driver);
        command
            .arg("--port")
            .arg(port.to_string())
            .arg("--native-port")
            .arg(native_port.to_string())
            .stdin(Stdio::null())
            .stdout(out.try_clone()?)
            .stderr(out);
        for (key, value) in env {
            command.env(key, value);
        }
        let mut child = command
            .spawn()
            .with_context(|| format!("starting {}", prereqs.tauri_driver.display()))?;
        wait_for_port(port, &mut child, "tauri-driver", &log)?;
        // tauri-driver listens before WebKitWebDriver does: a session asked for in between
        // is refused. Wait for both.
        wait_for_port(
            native_port,
            &mut child,
            "WebKitWebDriver (through tauri-driver)",
            &log,
        )?;
        Ok(TauriDriver { child, port, log })
    }

    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Stops tauri-driver (it stops WebKitWebDriver), then kills any of its descendants left.
    pub fn stop(mut self) -> Result<()> {
        self.stop_inner()
    }

    fn stop_inner(&mut self) -> Result<()> {
        if self.child.try_wait()?.is_some() {
            return Ok(());
        }
        let left_behind = descendants(self.child.id());
        signal(self.child.id(), "TERM")?;
        let deadline = Instant::now() + Duration::from_secs(10);
        while self.child.try_wait()?.is_none() {
            if Instant::now() > deadline {
                self.child.kill()?;
                break;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        let _ = self.child.wait();
        for pid in left_behind {
            if is_running(pid) {
                let _ = signal(pid, "KILL");
            }
        }
        Ok(())
    }
}

impl Drop for TauriDriver {
    fn drop(&mut self) {
        let _ = self.stop_inner();
    }
}

/// A `hearth-server` OS process with its own fresh SQLite data folder and the demo
/// organisation; mail goes to its development outbox folder.
pub struct Server {
    bin: PathBuf,
    pub data_dir: tempfile::TempDir,
    pub port: u16,
    child: Option<Child>,
    log: PathBuf,
}

impl Server {
    /// Seeds the demo organisation, then serves on a free loopback port.
    pub fn start(prereqs: &Prereqs) -> Result<Server> {
        let data_dir = tempfile::Builder::new()
            .prefix("hearth-e2e-server-")
            .tempdir()?;
        let seed = Command::new(&prereqs.server_bin)
            .arg("--data-dir")
            .arg(data_dir.path())
            .arg("demo-seed")
            .env_remove("DATABASE_URL")
            .env_remove("HEARTH_CONFIG")
            .env_remove("HEARTH_SMTP_URL")
            .output()
            .with_context(|| format!("running {} demo-seed", prereqs.server_bin.display()))?;
        if !seed.status.success() {
            bail!(
                "hearth-server demo-seed failed: {}",
                String::from_utf8_lossy(&seed.stderr)
            );
        }
        let log = data_dir.path().join("server.log");
        let mut server = Server {
            bin: prereqs.server_bin.clone(),
            data_dir,
            port: free_port()?,
            child: None,
            log,
        };
        server.resume()?;
        Ok(server)
    }

    /// The address the app is given ("Connect to your Hearth server").
    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    pub fn is_running(&self) -> bool {
        self.child.is_some()
    }

    /// Starts it again on the same port with the same data.
    pub fn resume(&mut self) -> Result<()> {
        if self.child.is_some() {
            return Ok(());
        }
        let out = File::options().create(true).append(true).open(&self.log)?;
        let mut child = Command::new(&self.bin)
            .arg("--data-dir")
            .arg(self.data_dir.path())
            .arg("--bind")
            .arg(format!("127.0.0.1:{}", self.port))
            .arg("serve")
            .env_remove("DATABASE_URL")
            .env_remove("HEARTH_CONFIG")
            .env_remove("HEARTH_SMTP_URL")
            .env("RUST_LOG", "warn")
            .stdin(Stdio::null())
            .stdout(out.try_clone()?)
            .stderr(out)
            .spawn()
            .with_context(|| format!("starting {} serve", self.bin.display()))?;
        wait_for_port(self.port, &mut child, "hearth-server", &self.log)?;
        self.child = Some(child);
        Ok(())
    }

    /// Stops it (as Ctrl-C would) and waits until it is gone: the app is now offline.
    pub fn stop(&mut self) -> Result<()> {
        if let Some(mut child) = self.child.take() {
            signal(child.id(), "INT")?;
            let deadline = Instant::now() + Duration::from_secs(15);
            while child.try_wait()?.is_none() {
                if Instant::now() > deadline {
                    child.kill()?;
                }
                std::thread::sleep(Duration::from_millis(50));
            }
            child.wait()?;
        }
        Ok(())
    }

    /// The newest sign-in code emailed to `email`, read from the development outbox.
    pub fn latest_sign_in_code(&self, email: &str) -> Result<String> {
        let outbox = self.data_dir.path().join("outbox");
        let mut mails: Vec<PathBuf> = std::fs::read_dir(&outbox)
            .with_context(|| format!("reading the outbox {}", outbox.display()))?
            .flatten()
            .map(|e| e.path())
            .filter(|p| p.extension().is_some_and(|x| x == "eml"))
            .collect();
        // UUIDv7 names: sorting by name sorts by time written.
        mails.sort();
        for path in mails.iter().rev() {
            let text = std::fs::read_to_string(path)?;
            if !text.lines().any(|l| l == format!("To: {email}")) {
                continue;
            }
            if let Some(code) = sign_in_code_in(&text) {
                return Ok(code);
            }
        }
        Err(anyhow!(
            "no sign-in code for {email} in {}",
            outbox.display()
        ))
    }
}

/// The code in a sign-in email ("Your Hearth sign-in code is: 123456").
pub fn sign_in_code_in(mail: &str) -> Option<String> {
    let (_, after) = mail.split_once("sign-in code is:")?;
    after.split_whitespace().next().map(str::to_owned)
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.stop();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_process_started_now_is_young_and_one_that_slept_is_older() {
        let mut child = Command::new("sleep").arg("30").spawn().unwrap();
        let young = process_age(child.id()).unwrap();
        std::thread::sleep(Duration::from_millis(300));
        let older = process_age(child.id()).unwrap();
        child.kill().unwrap();
        child.wait().unwrap();
        assert!(young < Duration::from_secs(5), "{young:?}");
        assert!(
            older >= young + Duration::from_millis(200),
            "{young:?} then {older:?}"
        );
        assert!(process_age(std::process::id()).is_some());
    }

    #[test]
    fn the_code_is_read_from_the_mail_text() {
        let mail = "From: a\nTo: b\nSubject: Your Hearth sign-in code\n\n\
                    Your Hearth sign-in code is: 482913\n\nIt expires in 10 minutes.\n";
        assert_eq!(sign_in_code_in(mail).as_deref(), Some("482913"));
        assert_eq!(sign_in_code_in("no code here"), None);
    }

    #[test]
    fn descendants_of_this_test_include_a_child_it_started() {
        let mut child = Command::new("sleep").arg("30").spawn().unwrap();
        let found = descendants(std::process::id());
        assert!(found.contains(&child.id()), "{found:?}");
        child.kill().unwrap();
        child.wait().unwrap();
        assert!(!descendants(std::process::id()).contains(&child.id()));
    }

    #[test]
    fn missing_prerequisites_are_each_named() {
        let err = Prereqs::from_lookup(|var| match var {
            "HEARTH_SERVER_BIN" => Some("/nonexistent/hearth-server".into()),
            "TAURI_DRIVER" => Some("/bin/sh".into()),
            "PATH" => Some("/nonexistent".into()),
            _ => None,
        })
        .unwrap_err()
        .to_string();
        assert!(err.contains("HEARTH_APP_BIN is not set"), "{err}");
        assert!(
            err.contains("HEARTH_SERVER_BIN=/nonexistent/hearth-server is not a file"),
            "{err}"
        );
        assert!(!err.contains("TAURI_DRIVER"), "{err}");
        assert!(err.contains("WebKitWebDriver is not on PATH"), "{err}");
        assert!(err.contains("no DISPLAY"), "{err}");
        assert!(err.contains("make test-e2e"), "{err}");

        let ok = Prereqs::from_lookup(|var| match var {
            "HEARTH_APP_BIN" | "HEARTH_SERVER_BIN" | "TAURI_DRIVER" => Some("/bin/sh".into()),
            "PATH" => std::env::var_os("PATH"),
            "DISPLAY" => Some(":99".into()),
            _ => None,
        });
        // WebKitWebDriver is a Debian package of the e2e prerequisites.
        assert!(ok.is_ok() || which(std::env::var_os("PATH"), "WebKitWebDriver").is_none());
    }
}
