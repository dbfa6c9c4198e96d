//! A small W3C WebDriver client over reqwest: only the commands the tests use.
//!
//! tauri-driver forwards these to WebKitWebDriver, which drives the app's WebKitGTK web view.

use std::time::Duration;

use anyhow::{anyhow, bail, Context as _, Result};
use serde_json::{json, Value};

/// The key under which WebDriver returns an element reference.
const ELEMENT_KEY: &str = "element-6066-11e4-a52e-4f735466cecf";

/// A reference to an element in the current page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Element(pub String);

impl Element {
    /// The JSON form WebDriver expects when an element is passed to a script.
    pub fn to_json(&self) -> Value {
        json!({ ELEMENT_KEY: self.0 })
    }

    fn from_json(value: &Value) -> Result<Element> {
        value
            .get(ELEMENT_KEY)
            .and_then(Value::as_str)
            .map(|id| Element(id.to_owned()))
            .ok_or_else(|| anyhow!("WebDriver returned no element reference: {value}"))
    }
}

/// An error the remote end returned (`{"value": {"error": ..., "message": ...}}`).
#[derive(Debug)]
pub struct WebDriverError {
    pub error: String,
    pub message: String,
}

impl std::fmt::Display for WebDriverError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "WebDriver error {}: {}", self.error, self.message)
    }
}

impl std::error::Error for WebDriverError {}

/// One WebDriver session.
pub struct WebDriver {
    http: reqwest::Client,
    base: String,
    session: String,
}

impl WebDriver {
    /// Opens a session at `base` (for example `http://127.0.0.1:4444`) with these
    /// capabilities (the `alwaysMatch` object).
    pub async fn new_session(base: &str, always_match: Value) -> Result<WebDriver> {
        let http = reqwest::Client::builder()
            .timeout(Duration::from_secs(120))
            .build()?;
        let body = json!({ "capabilities": { "alwaysMatch": always_match } });
        let value = send(
            &http,
            reqwest::Method::POST,
            &format!("{base}/session"),
            Some(body),
        )
        .await
        .context("opening a WebDriver session (starting the app)")?;
        let session = value
            .get("sessionId")
            .and_then(Value::as_str)
            .ok_or_else(|| anyhow!("new session returned no sessionId: {value}"))?
            .to_owned();
        Ok(WebDriver {
            http,
            base: base.to_owned(),
            session,
        })
    }

    async fn cmd(&self, method: reqwest::Method, path: &str, body: Option<Value>) -> Result<Value> {
        let url = format!("{}/session/{}{}", self.base, self.session, path);
        send(&self.http, method, &url, body).await
    }

    async fn get(&self, path: &str) -> Result<Value> {
        self.cmd(reqwest::Method::GET, path, None).await
    }

    async fn post(&self, path: &str, body: Value) -> Result<Value> {
        self.cmd(reqwest::Method::POST, path, Some(body)).await
    }

    /// Every element matching an XPath expression or a CSS selector.
    pub async fn find_all(&self, using: Using, value: &str) -> Result<Vec<Element>> {
        let found = self
            .post(
                "/elements",
                json!({ "using": using.as_str(), "value": value }),
            )
            .await?;
        found
            .as_array()
            .ok_or_else(|| anyhow!("find elements returned {found}"))?
            .iter()
            .map(Element::from_json)
            .collect()
    }

    /// Scrolls the element to the middle of its scrolling area. WebKitWebDriver's own
    /// "scroll into view" does not scroll the app's page area (a scrolling element above the
    /// sync bar, not the document), so an element scrolled out of sight is "not
    /// interactable" to it, as a practitioner would scroll to it first.
    async fn scroll_to_middle(&self, element: &Element) -> Result<()> {
        self.execute(
            "arguments[0].scrollIntoView({ block: 'center', inline: 'nearest' });",
            vec![element.to_json()],
        )
        .await?;
        Ok(())
    }

    pub async fn click(&self, element: &Element) -> Result<()> {
        self.scroll_to_middle(element).await?;
        self.post(&format!("/element/{}/click", element.0), json!({}))
            .await?;
        Ok(())
    }

    pub async fn clear(&self, element: &Element) -> Result<()> {
        self.scroll_to_middle(element).await?;
        self.post(&format!("/element/{}/clear", element.0), json!({}))
            .await?;
        Ok(())
    }

    pub async fn send_keys(&self, element: &Element, text: &str) -> Result<()> {
        self.scroll_to_middle(element).await?;
        self.post(
            &format!("/element/{}/value", element.0),
            json!({ "text": text }),
        )
        .await?;
        Ok(())
    }

    /// The element's rendered text.
    pub async fn text(&self, element: &Element) -> Result<String> {
        let value = self.get(&format!("/element/{}/text", element.0)).await?;
        Ok(value.as_str().unwrap_or_default().to_owned())
    }

    pub async fn attribute(&self, element: &Element, name: &str) -> Result<Option<String>> {
        let value = self
            .get(&format!("/element/{}/attribute/{name}", element.0))
            .await?;
        Ok(value.as_str().map(str::to_owned))
    }

    pub async fn property(&self, element: &Element, name: &str) -> Result<Value> {
        self.get(&format!("/element/{}/property/{name}", element.0))
            .await
    }

    pub async fn is_displayed(&self, element: &Element) -> Result<bool> {
        let value = self
            .get(&format!("/element/{}/displayed", element.0))
            .await?;
        Ok(value.as_bool().unwrap_or(false))
    }

    pub async fn active_element(&self) -> Result<Element> {
        Element::from_json(&self.get("/element/active").await?)
    }

    /// Runs `script` as the body of a function with `args` as `arguments`.
    pub async fn execute(&self, script: &str, args: Vec<Value>) -> Result<Value> {
        self.post("/execute/sync", json!({ "script": script, "args": args }))
            .await
    }

    /// Like [`execute`](Self::execute), but the script calls its last argument with the result.
    pub async fn execute_async(&self, script: &str, args: Vec<Value>) -> Result<Value> {
        self.post("/execute/async", json!({ "script": script, "args": args }))
            .await
    }

    /// Sets the script timeout (for [`execute_async`](Self::execute_async)).
    pub async fn set_script_timeout(&self, timeout: Duration) -> Result<()> {
        self.post(
            "/timeouts",
            json!({ "script": u64::try_from(timeout.as_millis()).unwrap_or(u64::MAX) }),
        )
        .await?;
        Ok(())
    }

    /// Presses and releases each key in turn, sent to whatever has focus. Keys are either
    /// characters or the WebDriver codes in [`keys`].
    pub async fn press_keys(&self, keys: &[&str]) -> Result<()> {
        let mut actions = Vec::new();
        for key in keys {
            actions.push(json!({ "type": "keyDown", "value": key }));
            actions.push(json!({ "type": "keyUp", "value": key }));
        }
        self.post(
            "/actions",
            json!({ "actions": [{ "type": "key", "id": "keyboard", "actions": actions }] }),
        )
        .await?;
        self.cmd(reqwest::Method::DELETE, "/actions", None).await?;
        Ok(())
    }

    /// Ends the session (closes the app). Errors are returned, not hidden: callers that
    /// expect the app to be gone already ignore them on purpose.
    pub async fn quit(&self) -> Result<()> {
        self.cmd(reqwest::Method::DELETE, "", None).await?;
        Ok(())
    }
}

/// WebDriver key codes.
pub mod keys {
    pub const TAB: &str = "\u{E004}";
    pub const ENTER: &str = "\u{E007}";
    pub const SPACE: &str = "\u{E00D}";
    pub const SHIFT: &str = "\u{E008}";
}

/// How to locate elements.
#[derive(Debug, Clone, Copy)]
pub enum Using {
    Css,
    XPath,
}

impl Using {
    fn as_str(self) -> &'static str {
        match self {
            Using::Css => "css selector",
            Using::XPath => "xpath",
        }
    }
}

async fn send(
    http: &reqwest::Client,
    method: reqwest::Method,
    url: &str,
    body: Option<Value>,
) -> Result<Value> {
    let mut request = http.request(method.clone(), url);
    if let Some(body) = body {
        request = request.json(&body);
    }
    let response = request
        .send()
        .await
        .with_context(|| format!("{method} {url}"))?;
    let status = response.status();
    let text = response.text().await?;
    let parsed: Value = serde_json::from_str(&text)
        .with_context(|| format!("{method} {url} answered {status} with non-JSON: {text}"))?;
    let value = parsed.get("value").cloned().unwrap_or(Value::Null);
    if !status.is_success() {
        if let Some(error) = value.get("error").and_then(Value::as_str) {
            return Err(WebDriverError {
                error: error.to_owned(),
                message: value
                    .get("message")
                    .and_then(Value::as_str)
                    .unwrap_or_default()
                    .to_owned(),
            }
            .into());
        }
        bail!("{method} {url} answered {status}: {text}");
    }
    Ok(value)
}

/// An XPath string literal for `text`, whatever quotes it holds.
pub fn xpath_literal(text: &str) -> String {
    if !text.contains('\'') {
        format!("'{text}'")
    } else if !text.contains('"') {
        format!("\"{text}\"")
    } else {
        let parts: Vec<String> = text.split('\'').map(|p| format!("'{p}'")).collect();
        format!("concat({})", parts.join(", \"'\", "))
    }
}

#[cfg(test)]
mod tests {
    use super::xpath_literal;

    #[test]
    fn xpath_literals_survive_any_quote() {
        assert_eq!(xpath_literal("Unlock"), "'Unlock'");
        assert_eq!(xpath_literal("Child's name"), "\"Child's name\"");
        assert_eq!(xpath_literal(r#"a'b"c"#), r#"concat('a', "'", 'b"c')"#);
    }
}
