//! The app as a practitioner (and a screen-reader user) meets it: one profile (its own
//! data folder), started through tauri-driver, and found by what is on screen — the `<h1>`,
//! label text, button text, `role="alert"` — never by CSS classes.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use anyhow::{anyhow, bail, Context as _, Result};
use serde_json::{json, Value};

use crate::axe;
use crate::processes::{descendants, exe_of, signal, wait_gone, Prereqs, Server, TauriDriver};
use crate::screens::{CHECK_EMAIL, CONNECT, DASHBOARD, SIGN_IN};
use crate::webdriver::{xpath_literal, Element, Using, WebDriver};

/// How long to wait for the UI to reach a state (a wait, not a timing assertion).
pub const WAIT: Duration = Duration::from_secs(60);

/// One practitioner's device: a data folder the app keeps its encrypted cache in.
pub struct Profile {
    pub name: String,
    pub data_dir: tempfile::TempDir,
    logs: tempfile::TempDir,
}

impl Profile {
    /// A device whose cache is protected by a local password, keyring or not.
    pub fn new(name: &str) -> Result<Profile> {
        Ok(Profile {
            name: name.to_owned(),
            data_dir: tempfile::Builder::new()
                .prefix(&format!("hearth-e2e-{name}-"))
                .tempdir()?,
            logs: tempfile::Builder::new()
                .prefix(&format!("hearth-e2e-{name}-logs-"))
                .tempdir()?,
        })
    }
}

/// Where screenshots go: `HEARTH_E2E_SHOTS`, default /tmp/hearth-e2e-shots (outside the repo).
pub fn shots_dir() -> PathBuf {
    std::env::var_os("HEARTH_E2E_SHOTS")
        .filter(|d| !d.is_empty())
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("/tmp/hearth-e2e-shots"))
}

/// The app running for one profile.
pub struct App {
    pub wd: WebDriver,
    driver: Option<TauriDriver>,
    app_bin: PathBuf,
    profile_name: String,
    axe_source: String,
}

impl App {
    /// Starts the app on `profile` (a new tauri-driver, then a WebDriver session).
    pub async fn start(prereqs: &Prereqs, profile: &Profile) -> Result<App> {
        let log = profile.logs.path().join(format!(
            "tauri-driver-{}.log",
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)?
                .as_millis()
        ));
        let driver = TauriDriver::start(
            prereqs,
            &[
                ("HEARTH_DATA_DIR", profile.data_dir.path()),
                // The password screens, whether or not this machine has a keyring.
                ("HEARTH_KEY_STORAGE", Path::new("password")),
                ("RUST_LOG", Path::new("warn")),
            ],
            log,
        )?;
        let caps = json!({
            "browserName": "wry",
            "tauri:options": { "application": prereqs.app_bin },
        });
        let wd = match WebDriver::new_session(&driver.url(), caps).await {
            Ok(wd) => wd,
            Err(err) => {
                let log = std::fs::read_to_string(&driver.log).unwrap_or_default();
                return Err(err.context(format!("tauri-driver log:\n{log}")));
            }
        };
        wd.set_script_timeout(Duration::from_secs(60)).await?;
        Ok(App {
            wd,
            driver: Some(driver),
            app_bin: std::fs::canonicalize(&prereqs.app_bin)?,
            profile_name: profile.name.clone(),
            axe_source: axe::source()?,
        })
    }

    /// The app's own process (a descendant of this profile's tauri-driver).
    pub fn app_pid(&self) -> Result<u32> {
        let driver = self
            .driver
            .as_ref()
            .ok_or_else(|| anyhow!("the app is stopped"))?;
        descendants(driver.pid())
            .into_iter()
            .find(|pid| exe_of(*pid).as_deref() == Some(self.app_bin.as_path()))
            .ok_or_else(|| {
                anyhow!(
                    "no process of {} under tauri-driver",
                    self.app_bin.display()
                )
            })
    }

    /// Every process of the app: itself and its WebKit helpers (web process, network process).
    pub fn process_tree(&self) -> Result<Vec<(u32, PathBuf)>> {
        let app = self.app_pid()?;
        let mut all = vec![(app, self.app_bin.clone())];
        all.extend(
            descendants(app)
                .into_iter()
                .filter_map(|pid| exe_of(pid).map(|exe| (pid, exe))),
        );
        Ok(all)
    }

    /// `kill -9` of the app, as a crash or a flat battery would: nothing gets to save.
    pub fn kill9(mut self) -> Result<()> {
        let pid = self.app_pid()?;
        signal(pid, "KILL")?;
        wait_gone(pid, Duration::from_secs(10))?;
        if let Some(driver) = self.driver.take() {
            driver.stop()?;
        }
        Ok(())
    }

    /// Closes the app through WebDriver and stops its driver.
    pub async fn quit(mut self) -> Result<()> {
        let pid = self.app_pid().ok();
        self.wd.quit().await?;
        if let Some(pid) = pid {
            wait_gone(pid, Duration::from_secs(15))?;
        }
        if let Some(driver) = self.driver.take() {
            driver.stop()?;
        }
        Ok(())
    }

    // -------------------------------------------------------------------------------------
    // Finding things as a screen-reader user would

    /// The text of every `<h1>` in the page (read in one step, so a screen changing
    /// meanwhile cannot leave a stale reference).
    pub async fn h1s(&self) -> Result<Vec<String>> {
        self.texts(Using::Css, "h1").await
    }

    /// Waits until the page has exactly one `<h1>` and it reads `title`.
    pub async fn wait_for_screen(&self, title: &str) -> Result<()> {
        let deadline = Instant::now() + WAIT;
        loop {
            let h1s = self.h1s().await?;
            if h1s.len() == 1 && h1s[0] == title {
                return Ok(());
            }
            if Instant::now() > deadline {
                let shot = self
                    .save_shot(&format!("failed-waiting-for-{}", slug(title)))
                    .await;
                bail!(
                    "expected the screen \"{title}\" (one h1), the page has h1 {h1s:?}; \
                     screenshot: {}",
                    shot.map(|p| p.display().to_string())
                        .unwrap_or_else(|e| e.to_string())
                );
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Waits for the screen, then checks focus went to its `<h1>` (UI contract).
    pub async fn expect_screen_with_focus(&self, title: &str) -> Result<()> {
        self.wait_for_screen(title).await?;
        let deadline = Instant::now() + WAIT;
        loop {
            let focused = self
                .wd
                .execute(
                    "const a = document.activeElement; return a ? a.tagName + ':' + a.textContent.trim() : '';",
                    vec![],
                )
                .await?;
            if focused.as_str() == Some(&format!("H1:{title}")) {
                return Ok(());
            }
            if Instant::now() > deadline {
                bail!("on \"{title}\" focus is on {focused}, not the h1");
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// The input, select or textarea whose visible `<label>` reads `label` (through `for`),
    /// waiting for it to appear.
    pub async fn field(&self, label: &str) -> Result<Element> {
        eventually(|| self.field_now(label)).await
    }

    async fn field_now(&self, label: &str) -> Result<Element> {
        let xpath = format!("//label[normalize-space(.)={}]", xpath_literal(label));
        let labels = self.wd.find_all(Using::XPath, &xpath).await?;
        let [label_el] = labels.as_slice() else {
            let all = self.texts(Using::Css, "label").await?;
            bail!(
                "expected one label \"{label}\", found {}; labels on screen: {all:?}",
                labels.len()
            );
        };
        let id = self
            .wd
            .attribute(label_el, "for")
            .await?
            .ok_or_else(|| anyhow!("the label \"{label}\" has no `for`"))?;
        let fields = self
            .wd
            .find_all(Using::XPath, &format!("//*[@id={}]", xpath_literal(&id)))
            .await?;
        match fields.as_slice() {
            [field] => Ok(field.clone()),
            _ => bail!(
                "the label \"{label}\" points at #{id}, which matches {} elements",
                fields.len()
            ),
        }
    }

    /// Types `text` into the field labelled `label` (after clearing it).
    pub async fn fill(&self, label: &str, text: &str) -> Result<()> {
        let field = self.field(label).await?;
        self.wd.clear(&field).await?;
        self.wd.send_keys(&field, text).await
    }

    /// The current value of the field labelled `label`.
    pub async fn value_of(&self, label: &str) -> Result<String> {
        let field = self.field(label).await?;
        Ok(self
            .wd
            .property(&field, "value")
            .await?
            .as_str()
            .unwrap_or_default()
            .to_owned())
    }

    /// The one visible `<button>` whose text reads `text`, waiting for it to appear.
    pub async fn button(&self, text: &str) -> Result<Element> {
        eventually(|| self.button_now(text)).await
    }

    async fn button_now(&self, text: &str) -> Result<Element> {
        let xpath = format!("//button[normalize-space(.)={}]", xpath_literal(text));
        let mut visible = Vec::new();
        for b in self.wd.find_all(Using::XPath, &xpath).await? {
            if self.wd.is_displayed(&b).await? {
                visible.push(b);
            }
        }
        match visible.as_slice() {
            [b] => Ok(b.clone()),
            _ => {
                let all = self.texts(Using::Css, "button").await?;
                bail!(
                    "expected one button \"{text}\", found {}; buttons on screen: {all:?}",
                    visible.len()
                )
            }
        }
    }

    /// Follows the main navigation (`<nav aria-label="Main">`) item reading `text`.
    pub async fn nav(&self, text: &str) -> Result<()> {
        let xpath = format!(
            "//nav[@aria-label='Main']//*[self::a or self::button][normalize-space(.)={}]",
            xpath_literal(text)
        );
        let item = eventually(|| async {
            let found = self.wd.find_all(Using::XPath, &xpath).await?;
            match found.as_slice() {
                [one] => Ok(one.clone()),
                _ => {
                    let all = self.texts(Using::Css, "nav a, nav button").await?;
                    bail!(
                        "expected one \"{text}\" in the main navigation, found {}; it has {all:?}",
                        found.len()
                    )
                }
            }
        })
        .await?;
        self.wd.click(&item).await
    }

    /// Follows the one visible link reading `text`.
    pub async fn follow(&self, text: &str) -> Result<()> {
        let xpath = format!("//a[normalize-space(.)={}]", xpath_literal(text));
        let link = eventually(|| async {
            let mut visible = Vec::new();
            for a in self.wd.find_all(Using::XPath, &xpath).await? {
                if self.wd.is_displayed(&a).await? {
                    visible.push(a);
                }
            }
            match visible.as_slice() {
                [one] => Ok(one.clone()),
                _ => bail!("expected one link \"{text}\", found {}", visible.len()),
            }
        })
        .await?;
        self.wd.click(&link).await
    }

    /// Waits until a `role="status"` region says something containing `text`.
    pub async fn wait_for_status(&self, text: &str) -> Result<String> {
        eventually(|| async {
            let all = self.texts(Using::Css, "[role=status]").await?;
            all.iter()
                .find(|t| t.contains(text))
                .cloned()
                .ok_or_else(|| anyhow!("no status says \"{text}\"; they say {all:?}"))
        })
        .await
    }

    pub async fn press(&self, text: &str) -> Result<()> {
        let b = self.button(text).await?;
        self.wd.click(&b).await
    }

    /// The rendered texts of every element matching, read in one step in the page.
    pub async fn texts(&self, using: Using, selector: &str) -> Result<Vec<String>> {
        let script = match using {
            Using::Css => {
                "return [...document.querySelectorAll(arguments[0])].map(e => e.innerText.trim());"
            }
            Using::XPath => {
                r#"const r = document.evaluate(arguments[0], document, null, XPathResult.ORDERED_NODE_SNAPSHOT_TYPE, null);
                   const out = [];
                   for (let i = 0; i < r.snapshotLength; i++) out.push(r.snapshotItem(i).innerText.trim());
                   return out;"#
            }
        };
        let value = self.wd.execute(script, vec![selector.into()]).await?;
        Ok(value
            .as_array()
            .ok_or_else(|| anyhow!("texts of {selector}: {value}"))?
            .iter()
            .map(|t| t.as_str().unwrap_or_default().to_owned())
            .collect())
    }

    /// The text a screen reader hears for the dashboard tile labelled `label` (its whole
    /// `<li>`: label, count and hint), leaving out what is `aria-hidden`.
    pub async fn tile(&self, label: &str) -> Result<String> {
        let text = self
            .wd
            .execute(
                r#"const heard = n => n.nodeType === 3 ? n.textContent
                     : n.nodeType === 1 && n.getAttribute('aria-hidden') === 'true' ? ''
                     : [...n.childNodes].map(heard).join(' ');
                   const h = [...document.querySelectorAll('h3')].find(h => h.textContent.trim() === arguments[0]);
                   return h ? heard(h.closest('li')).replace(/\s+/g, ' ').trim() : null;"#,
                vec![label.into()],
            )
            .await?;
        text.as_str()
            .map(str::to_owned)
            .ok_or_else(|| anyhow!("no dashboard tile \"{label}\""))
    }

    /// The whole visible text of `<main>`.
    pub async fn main_text(&self) -> Result<String> {
        let mains = self.wd.find_all(Using::Css, "main").await?;
        let main = mains.first().ok_or_else(|| anyhow!("no <main>"))?;
        self.wd.text(main).await
    }

    /// Waits for the error summary (`role="alert"` headed "There is a problem") and
    /// returns its links as (href, message).
    pub async fn error_summary(&self) -> Result<Vec<(String, String)>> {
        let deadline = Instant::now() + WAIT;
        loop {
            let found = self
                .wd
                .execute(
                    r#"const box = document.querySelector('[role="alert"]');
                       if (!box) return null;
                       const title = document.getElementById(box.getAttribute('aria-labelledby') || '');
                       return { title: title ? title.textContent.trim() : null,
                                links: [...box.querySelectorAll('a')].map(a => [a.getAttribute('href'), a.textContent.trim()]) };"#,
                    vec![],
                )
                .await?;
            if !found.is_null() {
                let title = found.get("title").and_then(Value::as_str);
                if title != Some("There is a problem") {
                    bail!("the alert is not headed \"There is a problem\": {found}");
                }
                let links = found
                    .get("links")
                    .and_then(Value::as_array)
                    .map(|links| {
                        links
                            .iter()
                            .map(|l| {
                                (
                                    l[0].as_str().unwrap_or_default().to_owned(),
                                    l[1].as_str().unwrap_or_default().to_owned(),
                                )
                            })
                            .collect()
                    })
                    .unwrap_or_default();
                return Ok(links);
            }
            if Instant::now() > deadline {
                bail!("no error summary (role=\"alert\") appeared");
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Checks the field labelled `label` shows `message` inline, as the contract says:
    /// `aria-invalid="true"` and `aria-describedby` naming `<id>-error` that holds it.
    pub async fn expect_field_error(&self, label: &str, message: &str) -> Result<()> {
        let field = self.field(label).await?;
        let id = self.wd.attribute(&field, "id").await?.unwrap_or_default();
        let invalid = self.wd.attribute(&field, "aria-invalid").await?;
        if invalid.as_deref() != Some("true") {
            bail!("the field \"{label}\" is not aria-invalid=\"true\" ({invalid:?})");
        }
        let described = self
            .wd
            .attribute(&field, "aria-describedby")
            .await?
            .unwrap_or_default();
        let error_id = format!("{id}-error");
        if !described.split_whitespace().any(|d| d == error_id) {
            bail!("the field \"{label}\" is not described by #{error_id} ({described:?})");
        }
        let inline = self
            .texts(
                Using::XPath,
                &format!("//*[@id={}]", xpath_literal(&error_id)),
            )
            .await?;
        if !inline.iter().any(|t| t.contains(message)) {
            bail!("#{error_id} reads {inline:?}, not \"{message}\"");
        }
        Ok(())
    }

    // -------------------------------------------------------------------------------------
    // The keyboard alone

    /// What has focus, as a screen reader would name it: a field by its label's text, a
    /// button or link by its text, a heading by its text; with its tag.
    pub async fn focused(&self) -> Result<(String, String)> {
        let value = self
            .wd
            .execute(
                r#"const a = document.activeElement;
                   if (!a || a === document.body) return ['BODY', ''];
                   let name = '';
                   if (a.id) {
                     const l = document.querySelector('label[for="' + CSS.escape(a.id) + '"]');
                     if (l) name = l.innerText;
                   }
                   if (!name) name = a.innerText || a.getAttribute('aria-label') || '';
                   return [a.tagName, name.replace(/\s+/g, ' ').trim()];"#,
                vec![],
            )
            .await?;
        Ok((
            value[0].as_str().unwrap_or_default().to_owned(),
            value[1].as_str().unwrap_or_default().to_owned(),
        ))
    }

    /// Presses Tab (at most `limit` times) until the element named `name` has focus.
    pub async fn tab_to(&self, name: &str, limit: usize) -> Result<()> {
        let mut seen = Vec::new();
        for _ in 0..limit {
            self.wd.press_keys(&[crate::webdriver::keys::TAB]).await?;
            let (tag, focused) = self.focused().await?;
            if focused == name {
                return Ok(());
            }
            seen.push(format!("{tag} \"{focused}\""));
        }
        bail!("Tab never reached \"{name}\" in {limit} presses; it went through: {seen:?}")
    }

    /// Types `text` with the keyboard into whatever has focus.
    pub async fn type_text(&self, text: &str) -> Result<()> {
        let keys: Vec<String> = text.chars().map(String::from).collect();
        let keys: Vec<&str> = keys.iter().map(String::as_str).collect();
        self.wd.press_keys(&keys).await
    }

    /// Presses one key (a character or a [`crate::webdriver::keys`] code).
    pub async fn key(&self, key: &str) -> Result<()> {
        self.wd.press_keys(&[key]).await
    }

    // -------------------------------------------------------------------------------------
    // Evidence: screenshots and axe-core

    /// Waits until what the DOM says has been painted (fonts loaded, two frames), so a
    /// screenshot shows the screen just found and not the one before it.
    pub async fn settle(&self) -> Result<()> {
        self.wd
            .execute_async(
                r#"const done = arguments[arguments.length - 1];
                   document.fonts.ready.then(() =>
                     requestAnimationFrame(() => requestAnimationFrame(() => setTimeout(() => done(true), 50))));"#,
                vec![],
            )
            .await?;
        Ok(())
    }

    /// Saves a PNG of the window as `<shots>/<profile>-<name>.png` (module [`crate::screenshot`]).
    pub async fn save_shot(&self, name: &str) -> Result<PathBuf> {
        self.settle().await?;
        let dir = shots_dir();
        std::fs::create_dir_all(&dir).with_context(|| format!("creating {}", dir.display()))?;
        let path = dir.join(format!("{}-{}.png", self.profile_name, slug(name)));
        // The app process draws the web process's frame a moment after the page has
        // painted it; under load a capture straight away can catch half a frame.
        tokio::time::sleep(Duration::from_millis(200)).await;
        // From the X server: WebKitWebDriver's screenshot hangs with compositing off.
        let png = crate::screenshot::window_png(self.app_pid()?)?;
        std::fs::write(&path, png).with_context(|| format!("writing {}", path.display()))?;
        // Only the page scrolls: the window itself never may (body has `overflow: hidden`,
        // so a practitioner would have no way to bring the header and navigation back).
        let shifted = self
            .wd
            .execute(
                "return Math.max(window.scrollY, document.documentElement.scrollTop, document.body.scrollTop);",
                vec![],
            )
            .await?;
        if shifted.as_f64().unwrap_or(0.0) > 0.0 {
            bail!(
                "on \"{name}\" the whole window is scrolled by {shifted} px: the header is out of sight (screenshot {})",
                path.display()
            );
        }
        // A screen that has just appeared (its <h1> holds the focus), or its error summary
        // that just took the focus, is shown from the top, with the header and navigation in
        // sight, not where the previous screen or the last field typed in was scrolled to.
        let opened_at = self
            .wd
            .execute(
                r#"const h = document.activeElement;
                   if (!h || (h.tagName !== "H1" && !h.classList.contains("error-summary"))) return 0;
                   const s = document.querySelector(".scroller");
                   return s ? s.scrollTop : 0;"#,
                vec![],
            )
            .await?;
        if opened_at.as_f64().unwrap_or(0.0) > 0.0 {
            bail!(
                "\"{name}\" opened scrolled down by {opened_at} px, the header out of sight (screenshot {})",
                path.display()
            );
        }
        Ok(path)
    }

    /// Runs axe-core in the web view; fails on any serious or critical violation.
    pub async fn axe_check(&self, screen: &str) -> Result<axe::Report> {
        let report = axe::run(&self.wd, &self.axe_source).await?;
        let blocking = report.blocking();
        if !blocking.is_empty() {
            let shot = self.save_shot(&format!("axe-failed-{screen}")).await.ok();
            bail!(
                "axe-core found serious or critical violations on \"{screen}\" (screenshot {:?}):\n{}",
                shot,
                blocking
                    .iter()
                    .map(|v| v.to_string())
                    .collect::<Vec<_>>()
                    .join("\n")
            );
        }
        for v in &report.violations {
            eprintln!("axe (not blocking) on \"{screen}\": {v}");
        }
        Ok(report)
    }

    /// What every main screen gets: wait for it, a screenshot, and an axe-core check.
    pub async fn visit(&self, title: &str) -> Result<axe::Report> {
        self.wait_for_screen(title).await?;
        let shot = self.save_shot(title).await?;
        eprintln!("screen \"{title}\": {}", shot.display());
        self.axe_check(title).await
    }
}

impl Drop for App {
    fn drop(&mut self) {
        // A failed test: make sure no app is left behind (tauri-driver stops its children;
        // anything it leaves is killed by TauriDriver's own Drop).
        if let Some(driver) = self.driver.take() {
            if let Ok(pid) = self.app_pid_under(&driver) {
                let _ = signal(pid, "KILL");
            }
            drop(driver);
        }
    }
}

impl App {
    fn app_pid_under(&self, driver: &TauriDriver) -> Result<u32> {
        descendants(driver.pid())
            .into_iter()
            .find(|pid| exe_of(*pid).as_deref() == Some(self.app_bin.as_path()))
            .ok_or_else(|| anyhow!("no app process"))
    }
}

/// The demo organisation's password (invented; `hearth-server demo-seed`).
pub const DEMO_PASSWORD: &str = "hearth demo only 2026";

impl App {
    /// First run on a new profile: the server's address, email and the demo password, then
    /// the code the server mailed; ends on the dashboard.
    pub async fn sign_in_first_run(&self, server: &Server, email: &str) -> Result<()> {
        self.visit(CONNECT).await?;
        self.fill("Server address", &server.url()).await?;
        self.press("Continue").await?;
        self.visit(SIGN_IN).await?;
        self.fill("Email address", email).await?;
        self.fill("Password", DEMO_PASSWORD).await?;
        self.press("Sign in").await?;
        self.visit(CHECK_EMAIL).await?;
        let code = eventually(|| async { server.latest_sign_in_code(email) }).await?;
        self.fill("Code from the email", &code).await?;
        self.press("Continue").await?;
        self.visit(DASHBOARD).await?;
        Ok(())
    }

    /// What the sync bar says now (its status lines, joined).
    pub async fn sync_bar(&self) -> Result<String> {
        Ok(self
            .texts(Using::Css, "section[aria-label='Sync'] [role=status]")
            .await?
            .join(" "))
    }

    /// Presses "Sync now" until the bar says online, nothing waiting, no conflict.
    pub async fn synced(&self) -> Result<()> {
        eventually(|| async {
            let bar = self.sync_bar().await?;
            if bar.contains("conflict") {
                // Not a state to wait out: say so at once (the wait would only hide it).
                return Ok(Err(anyhow!("the sync bar shows a conflict: {bar}")));
            }
            if !(bar.contains("Online.") && bar.contains("No changes waiting to sync")) {
                if let Ok(b) = self.button("Sync now").await {
                    let _ = self.wd.click(&b).await;
                }
                bail!("not synced yet: {bar}");
            }
            Ok(Ok(()))
        })
        .await?
    }
}

/// Tries `attempt` until it succeeds or [`WAIT`] has passed (the page may be changing
/// screen); returns the last error.
pub async fn eventually<T, F, Fut>(mut attempt: F) -> Result<T>
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Result<T>>,
{
    let deadline = Instant::now() + WAIT;
    loop {
        match attempt().await {
            Ok(value) => return Ok(value),
            Err(err) if Instant::now() > deadline => return Err(err),
            Err(_) => tokio::time::sleep(Duration::from_millis(100)).await,
        }
    }
}

/// A file-name-safe form of a title.
pub fn slug(text: &str) -> String {
    let mut out = String::new();
    for c in text.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
        } else if !out.ends_with('-') {
            out.push('-');
        }
    }
    out.trim_matches('-').to_owned()
}
