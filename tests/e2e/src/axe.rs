//! axe-core in the app's web view.
//!
//! The script comes from `node_modules/axe-core/axe.min.js` (the root package.json pins
//! the version; `npm ci` installs it). It is injected through WebDriver's execute command,
//! which WebKit runs as the automation, so the app's strict CSP (`script-src 'self'`) does
//! not stop it and nothing in the app has to load it.

use std::fmt;
use std::path::PathBuf;

use anyhow::{anyhow, bail, Context as _, Result};
use serde_json::Value;

use crate::webdriver::WebDriver;

/// The axe-core version the root package.json pins (checked against the file injected).
pub const AXE_VERSION: &str = "4.14.1";

/// `HEARTH_AXE_JS`, or axe.min.js in the repository's node_modules.
pub fn script_path() -> PathBuf {
    std::env::var_os("HEARTH_AXE_JS")
        .filter(|p| !p.is_empty())
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../node_modules/axe-core/axe.min.js")
        })
}

/// The axe-core source, checked to be the pinned version.
pub fn source() -> Result<String> {
    let path = script_path();
    let source = std::fs::read_to_string(&path).with_context(|| {
        format!(
            "reading axe-core at {} (run `npm ci` at the repository root)",
            path.display()
        )
    })?;
    if !source.starts_with(&format!("/*! axe v{AXE_VERSION}\n")) {
        bail!(
            "{} is not axe-core {AXE_VERSION} (the version package.json pins): run `npm ci`",
            path.display()
        );
    }
    Ok(source)
}

/// One rule axe-core found broken.
#[derive(Debug, Clone)]
pub struct Violation {
    pub id: String,
    pub impact: String,
    pub help: String,
    /// The CSS selectors of the offending nodes.
    pub targets: Vec<String>,
}

impl Violation {
    pub fn is_blocking(&self) -> bool {
        matches!(self.impact.as_str(), "serious" | "critical")
    }
}

impl fmt::Display for Violation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "  {} ({}): {} — {}",
            self.id,
            self.impact,
            self.help,
            self.targets.join(", ")
        )
    }
}

/// What one axe-core run found.
#[derive(Debug, Clone)]
pub struct Report {
    pub violations: Vec<Violation>,
    /// How many rules passed: a run that checked nothing is not a clean run.
    pub passes: usize,
}

impl Report {
    pub fn blocking(&self) -> Vec<&Violation> {
        self.violations.iter().filter(|v| v.is_blocking()).collect()
    }

    /// Reads axe-core's results object (only the parts we report).
    pub fn from_results(results: &Value) -> Result<Report> {
        let violations = results
            .get("violations")
            .and_then(Value::as_array)
            .ok_or_else(|| anyhow!("axe-core returned no violations list: {results}"))?
            .iter()
            .map(|v| Violation {
                id: str_of(v, "id"),
                impact: str_of(v, "impact"),
                help: str_of(v, "help"),
                targets: v
                    .get("nodes")
                    .and_then(Value::as_array)
                    .map(|nodes| {
                        nodes
                            .iter()
                            .map(|n| match n.get("target") {
                                Some(Value::Array(t)) => t
                                    .iter()
                                    .map(|s| s.as_str().map(str::to_owned).unwrap_or(s.to_string()))
                                    .collect::<Vec<_>>()
                                    .join(" >> "),
                                _ => String::from("?"),
                            })
                            .collect()
                    })
                    .unwrap_or_default(),
            })
            .collect();
        let passes = results
            .get("passes")
            .and_then(Value::as_array)
            .map(Vec::len)
            .unwrap_or(0);
        Ok(Report { violations, passes })
    }
}

fn str_of(v: &Value, key: &str) -> String {
    v.get(key)
        .and_then(Value::as_str)
        .unwrap_or("unknown")
        .to_owned()
}

/// Injects axe-core (once per page) and runs it on the whole document: WCAG 2.0–2.2 A and
/// AA rules plus axe's best practices.
pub async fn run(wd: &WebDriver, source: &str) -> Result<Report> {
    let loaded = wd
        .execute(
            "return typeof window.axe === 'object' && window.axe.version;",
            vec![],
        )
        .await?;
    if loaded.as_str() != Some(AXE_VERSION) {
        wd.execute(source, vec![])
            .await
            .context("injecting axe-core into the web view")?;
        let loaded = wd
            .execute(
                "return typeof window.axe === 'object' && window.axe.version;",
                vec![],
            )
            .await?;
        if loaded.as_str() != Some(AXE_VERSION) {
            bail!("axe-core did not load in the web view (window.axe.version is {loaded})");
        }
    }
    let results = wd
        .execute_async(
            r#"const done = arguments[arguments.length - 1];
               window.axe.run(document, {
                 runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa', 'best-practice'] },
                 resultTypes: ['violations'],
               }).then(r => done({ violations: r.violations, passes: r.passes.map(p => ({ id: p.id })) }),
                       e => done({ error: String(e && e.stack || e) }));"#,
            vec![],
        )
        .await
        .context("running axe-core")?;
    if let Some(error) = results.get("error") {
        bail!("axe-core failed in the web view: {error}");
    }
    let report = Report::from_results(&results)?;
    if report.passes == 0 {
        bail!("axe-core checked nothing on this page (no rule passed)");
    }
    Ok(report)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn serious_and_critical_block_and_name_their_targets() {
        let report = Report::from_results(&json!({
            "violations": [
                { "id": "label", "impact": "critical", "help": "Form elements must have labels",
                  "nodes": [{ "target": ["#password"] }] },
                { "id": "region", "impact": "moderate", "help": "All page content should be contained by landmarks",
                  "nodes": [{ "target": ["p"] }] },
                { "id": "color-contrast", "impact": "serious", "help": "Contrast",
                  "nodes": [{ "target": ["#a", "#b"] }, { "target": [".c"] }] }
            ],
            "passes": [{ "id": "document-title" }]
        }))
        .unwrap();
        let blocking: Vec<String> = report.blocking().iter().map(|v| v.to_string()).collect();
        assert_eq!(blocking.len(), 2);
        assert!(blocking[0].contains("label (critical)") && blocking[0].contains("#password"));
        assert!(blocking[1].contains("#a >> #b, .c"), "{}", blocking[1]);
        assert_eq!(report.passes, 1);
    }

    #[test]
    fn the_pinned_axe_core_is_installed() {
        let source = source().unwrap();
        assert!(source.len() > 100_000);
        let package: Value = serde_json::from_str(
            &std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../../package.json"))
                .unwrap(),
        )
        .unwrap();
        assert_eq!(package["devDependencies"]["axe-core"], AXE_VERSION);
    }
}
