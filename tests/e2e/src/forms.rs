//! Answering a form the way its own error summary asks: press the page's button, read the
//! summary (one link per wrong field, `href="#<field id>"`), answer each field it names with
//! invented data that fits its label, hint and message, and go again until the page moves
//! on. Works for any GOV.UK-style question page that keeps to the UI contract, so the tests
//! do not hard-code every field of the nine plan steps.

use std::time::Duration;

use anyhow::{anyhow, bail, Context as _, Result};
use serde_json::Value;

use crate::app::App;
use crate::webdriver::{keys, Element, Using};

/// What the page says about one field (read in the page in one step).
#[derive(Debug, Clone)]
pub struct FieldInfo {
    pub id: String,
    /// `input`, `select`, `textarea`, `button`, ...
    pub tag: String,
    /// The input's `type` (text, email, tel, radio, checkbox, ...).
    pub kind: String,
    pub label: String,
    /// The enclosing fieldset's legend, if any.
    pub legend: String,
    pub hint: String,
    /// For a select: the values of its non-empty options.
    pub options: Vec<String>,
    /// For a select: the texts of the same options (what type-ahead matches).
    pub option_labels: Vec<String>,
    pub value: String,
    pub checked: bool,
}

const DESCRIBE: &str = r#"
const el = document.getElementById(arguments[0]);
if (!el) return null;
const text = n => n ? n.innerText.replace(/\s+/g, ' ').trim() : '';
const label = el.id ? document.querySelector('label[for="' + CSS.escape(el.id) + '"]') : null;
const fieldset = el.closest('fieldset');
const hints = (el.getAttribute('aria-describedby') || '').split(/\s+/).filter(Boolean)
  .map(i => document.getElementById(i)).filter(n => n && !n.id.endsWith('-error')).map(text).join(' ');
return {
  id: el.id, tag: el.tagName.toLowerCase(), kind: (el.getAttribute('type') || '').toLowerCase(),
  label: text(label) || text(el) || '', legend: fieldset ? text(fieldset.querySelector('legend')) : '',
  hint: hints,
  options: el.tagName === 'SELECT' ? [...el.options].filter(o => o.value !== '').map(o => o.value) : [],
  optionLabels: el.tagName === 'SELECT' ? [...el.options].filter(o => o.value !== '').map(o => o.text.trim()) : [],
  value: 'value' in el ? String(el.value) : '', checked: !!el.checked,
};"#;

fn strings(v: &Value) -> Vec<String> {
    v.as_array()
        .map(|o| {
            o.iter()
                .filter_map(Value::as_str)
                .map(str::to_owned)
                .collect()
        })
        .unwrap_or_default()
}

impl App {
    /// Describes the element with this id, or `None` if there is none.
    pub async fn describe(&self, id: &str) -> Result<Option<FieldInfo>> {
        let v = self.wd.execute(DESCRIBE, vec![id.into()]).await?;
        if v.is_null() {
            return Ok(None);
        }
        let s = |k: &str| v[k].as_str().unwrap_or_default().to_owned();
        Ok(Some(FieldInfo {
            id: s("id"),
            tag: s("tag"),
            kind: s("kind"),
            label: s("label"),
            legend: s("legend"),
            hint: s("hint"),
            options: strings(&v["options"]),
            option_labels: strings(&v["optionLabels"]),
            value: s("value"),
            checked: v["checked"].as_bool().unwrap_or(false),
        }))
    }

    /// The error summary's links now, without waiting (`[]` when there is none).
    pub async fn errors_now(&self) -> Result<Vec<(String, String)>> {
        let v = self
            .wd
            .execute(
                r#"const box = document.querySelector('[role="alert"]');
                   if (!box) return [];
                   return [...box.querySelectorAll('a')].map(a => [a.getAttribute('href') || '', a.innerText.trim()]);"#,
                vec![],
            )
            .await?;
        Ok(v.as_array()
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
            .unwrap_or_default())
    }

    async fn element_by_id(&self, id: &str) -> Result<Element> {
        let found = self
            .wd
            .find_all(
                Using::XPath,
                &format!("//*[@id={}]", crate::webdriver::xpath_literal(id)),
            )
            .await?;
        found
            .into_iter()
            .next()
            .ok_or_else(|| anyhow!("no element #{id}"))
    }

    /// Answers the field with this id (named in an error summary with `message`) with
    /// invented data that fits it, by mouse and typing. Returns what it did, for the log.
    pub async fn answer(&self, id: &str, message: &str) -> Result<String> {
        let info = self
            .describe(id)
            .await?
            .ok_or_else(|| anyhow!("the error summary links to #{id}, which is not on the page"))?;
        let el = self.element_by_id(id).await?;
        match (info.tag.as_str(), info.kind.as_str()) {
            ("select", _) => {
                let pick = info
                    .options
                    .first()
                    .ok_or_else(|| anyhow!("the list #{id} \"{}\" has no choices", info.label))?;
                let option = self
                    .wd
                    .find_all(
                        Using::XPath,
                        &format!(
                            "//*[@id={}]/option[@value={}]",
                            crate::webdriver::xpath_literal(id),
                            crate::webdriver::xpath_literal(pick)
                        ),
                    )
                    .await?;
                let option = option
                    .first()
                    .ok_or_else(|| anyhow!("no option {pick} in #{id}"))?;
                self.wd.click(option).await?;
                Ok(format!("chose \"{pick}\" in \"{}\"", info.label))
            }
            ("input", "radio") => {
                self.wd.click(&el).await?;
                Ok(format!("chose \"{}\" for \"{}\"", info.label, info.legend))
            }
            ("input", "checkbox") => {
                if !info.checked {
                    self.wd.click(&el).await?;
                }
                Ok(format!("ticked \"{}\"", info.label))
            }
            ("button", _) | ("a", _) => {
                // "Add a family member" and the like: the rows it adds are asked for next.
                self.wd.click(&el).await?;
                Ok(format!("pressed \"{}\"", info.label))
            }
            ("fieldset", _) | ("div", _) => {
                // A group: answer its first control.
                let first = self
                    .wd
                    .execute(
                        r#"const g = document.getElementById(arguments[0]);
                           const c = g.querySelector('input, select, textarea');
                           return c ? c.id : null;"#,
                        vec![id.into()],
                    )
                    .await?;
                match first.as_str() {
                    Some(inner) if inner != id && !inner.is_empty() => {
                        Box::pin(self.answer(inner, message)).await
                    }
                    _ => bail!("#{id} is a group with no field to answer"),
                }
            }
            _ => {
                let text = invented_text(&info, message);
                self.wd.clear(&el).await?;
                self.wd.send_keys(&el, &text).await?;
                let mut did = format!("typed \"{text}\" in \"{}\"", info.label);
                if info.label == "Day" {
                    // A GOV.UK date: the summary links to the day; month and year follow.
                    for (part, value) in [("month", "3"), ("year", invented_year(&info, message))] {
                        let part_el = self.element_by_id(&format!("{id}-{part}")).await?;
                        self.wd.clear(&part_el).await?;
                        self.wd.send_keys(&part_el, value).await?;
                    }
                    did = format!(
                        "typed 14 3 {} in \"{}\"",
                        invented_year(&info, message),
                        info.legend
                    );
                }
                Ok(did)
            }
        }
    }

    /// Presses `button` and answers whatever the error summary then asks, until the screen's
    /// `<h1>` changes from `title` (at most `rounds` presses). Returns every message shown,
    /// in order, and what was answered.
    pub async fn answer_until_done(
        &self,
        title: &str,
        button: &str,
        rounds: usize,
    ) -> Result<Vec<(String, String)>> {
        let mut shown = Vec::new();
        for _ in 0..rounds {
            self.press(button).await?;
            let errors = self.after_press(title).await?;
            let Some(errors) = errors else {
                return Ok(shown);
            };
            for (href, message) in errors {
                let id = href.trim_start_matches('#').to_owned();
                let did = self
                    .answer(&id, &message)
                    .await
                    .with_context(|| format!("answering #{id} (\"{message}\") on \"{title}\""))?;
                eprintln!("  \"{title}\": \"{message}\" -> {did}");
                shown.push((id, message));
            }
        }
        bail!(
            "\"{title}\" still shows errors after {rounds} rounds: {:?}",
            self.errors_now().await?
        )
    }

    /// After pressing a page's main button: `None` once the `<h1>` is no longer `title`,
    /// or the error summary's links once it shows.
    async fn after_press(&self, title: &str) -> Result<Option<Vec<(String, String)>>> {
        let deadline = std::time::Instant::now() + crate::app::WAIT;
        loop {
            let h1s = self.h1s().await?;
            if h1s.len() == 1 && h1s[0] != title {
                return Ok(None);
            }
            // The press was answered with errors once the summary has taken focus (it does
            // on every press; before it, focus was on the button). Until then the page may
            // still show the summary of the press before, or, moving on, the next page's.
            let summary_focused = self
                .wd
                .execute(
                    r#"const a = document.activeElement;
                       return !!(a && a.closest('[role="alert"]'));"#,
                    vec![],
                )
                .await?;
            if summary_focused.as_bool() == Some(true) {
                let errors = self.errors_now().await?;
                if !errors.is_empty() {
                    return Ok(Some(errors));
                }
            }
            if std::time::Instant::now() > deadline {
                bail!(
                    "after pressing on \"{title}\" neither a new screen nor an error summary came"
                );
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// The keyboard-only version of [`answer_until_done`](Self::answer_until_done), with
    /// Tab, Enter, Space and typing only: Tab to the button and press Enter; the error
    /// summary then has focus, so Tab reaches its first link, and Enter on it must move focus
    /// to its field, which is answered; the other fields named are reached by Tab, in page
    /// order, until the button comes round again. Every link's target must be on the page.
    pub async fn answer_until_done_by_keyboard(
        &self,
        title: &str,
        button: &str,
        rounds: usize,
    ) -> Result<Vec<(String, String)>> {
        let mut shown = Vec::new();
        self.tab_to(button, 300).await?;
        for _ in 0..rounds {
            self.key(keys::ENTER).await?;
            let Some(errors) = self.after_press(title).await? else {
                return Ok(shown);
            };
            for (href, message) in &errors {
                let id = href.trim_start_matches('#');
                if self.describe(id).await?.is_none() {
                    bail!("on \"{title}\" the summary links \"{message}\" to #{id}, which is not on the page");
                }
            }
            let mut at_button = false;
            for (i, (href, message)) in errors.iter().enumerate() {
                let id = href.trim_start_matches('#').to_owned();
                if i == 0 {
                    // The summary has focus after a press; Tab reaches its first link.
                    self.tab_to(message, 60).await?;
                    self.key(keys::ENTER).await?;
                    let landed = self.focused_id().await?;
                    if landed != id {
                        bail!("the summary link \"{message}\" moved focus to #{landed}, not #{id}");
                    }
                } else if !self.tab_to_id_or(&id, button, 300).await? {
                    at_button = true;
                    break;
                }
                let info = self
                    .describe(&id)
                    .await?
                    .ok_or_else(|| anyhow!("#{id} is not on the page"))?;
                let did = self.answer_by_keyboard(&info, message).await?;
                eprintln!("  \"{title}\" (keyboard): \"{message}\" -> {did}");
                shown.push((id, message.clone()));
            }
            if !at_button {
                self.tab_to(button, 300).await?;
            }
        }
        bail!("\"{title}\" still shows errors after {rounds} rounds (keyboard)")
    }

    /// The id of the focused element (empty for none).
    pub async fn focused_id(&self) -> Result<String> {
        let v = self
            .wd
            .execute(
                "const a = document.activeElement; return a && a !== document.body ? a.id : '';",
                vec![],
            )
            .await?;
        Ok(v.as_str().unwrap_or_default().to_owned())
    }

    /// Presses Tab until the element `#id` has focus (`true`), or the button reading `stop`
    /// does first (`false`).
    pub async fn tab_to_id_or(&self, id: &str, stop: &str, limit: usize) -> Result<bool> {
        for _ in 0..limit {
            self.key(keys::TAB).await?;
            if self.focused_id().await? == id {
                return Ok(true);
            }
            let (tag, name) = self.focused().await?;
            if tag == "BUTTON" && name == stop {
                return Ok(false);
            }
        }
        bail!("Tab reached neither #{id} nor \"{stop}\" in {limit} presses")
    }

    async fn answer_by_keyboard(&self, info: &FieldInfo, message: &str) -> Result<String> {
        let (tag, _) = self.focused().await?;
        if tag == "BODY" {
            bail!("nothing is focused to answer #{}", info.id);
        }
        match (info.tag.as_str(), info.kind.as_str()) {
            ("select", _) => {
                // Type-ahead: typing an option's text selects it, as on any select.
                let pick = info
                    .option_labels
                    .first()
                    .and_then(|l| l.split_whitespace().next())
                    .ok_or_else(|| anyhow!("the list #{} has no choices", info.id))?;
                self.type_text(pick).await?;
                Ok(format!("typed \"{pick}\" in the list \"{}\"", info.label))
            }
            ("input", "radio") | ("input", "checkbox") => {
                self.key(keys::SPACE).await?;
                Ok(format!("space on \"{}\"", info.label))
            }
            ("button", _) => {
                self.key(keys::ENTER).await?;
                Ok(format!("enter on \"{}\"", info.label))
            }
            _ => {
                let text = invented_text(info, message);
                self.type_text(&text).await?;
                if info.label == "Day" {
                    let year = invented_year(info, message);
                    self.key(keys::TAB).await?;
                    self.type_text("3").await?;
                    self.key(keys::TAB).await?;
                    self.type_text(year).await?;
                    return Ok(format!("typed 14 3 {year} in \"{}\"", info.legend));
                }
                Ok(format!("typed \"{text}\" in \"{}\"", info.label))
            }
        }
    }
}

/// Invented data that fits a field, from its label, hint, type and error message.
pub fn invented_text(info: &FieldInfo, message: &str) -> String {
    let about = format!(
        "{} {} {} {} {}",
        info.label, info.legend, info.hint, info.kind, message
    )
    .to_lowercase();
    if info.label == "Day" {
        "14".into()
    } else if about.contains("time") && !about.contains("timeline") {
        "10:30".into()
    } else if about.contains("email") {
        "invented.person@example.org.uk".into()
    } else if about.contains("phone") || info.kind == "tel" {
        "02392123456".into()
    } else if about.contains("postcode") {
        "PO1 3AX".into()
    } else if about.contains("score") || about.contains("number") || info.kind == "number" {
        "5".into()
    } else if about.contains("first name") || about.contains("forename") {
        "Ada".into()
    } else if about.contains("last name")
        || about.contains("surname")
        || about.contains("family name")
    {
        "Testwell".into()
    } else if about.contains("name") {
        "Invented Name".into()
    } else {
        "Invented answer for the test.".into()
    }
}

fn invented_year(info: &FieldInfo, message: &str) -> &'static str {
    let about = format!("{} {}", info.legend, message).to_lowercase();
    if about.contains("review") || about.contains("future") || about.contains("next") {
        "2027"
    } else {
        "2016"
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn field(label: &str, kind: &str) -> FieldInfo {
        FieldInfo {
            id: "x".into(),
            tag: "input".into(),
            kind: kind.into(),
            label: label.into(),
            legend: String::new(),
            hint: String::new(),
            options: vec![],
            option_labels: vec![],
            value: String::new(),
            checked: false,
        }
    }

    #[test]
    fn invented_answers_fit_the_field() {
        assert_eq!(
            invented_text(&field("Email address", "email"), ""),
            "invented.person@example.org.uk"
        );
        assert_eq!(
            invented_text(&field("Phone number", "tel"), ""),
            "02392123456"
        );
        assert_eq!(invented_text(&field("Postcode", "text"), ""), "PO1 3AX");
        assert_eq!(invented_text(&field("First name", "text"), ""), "Ada");
        assert_eq!(invented_text(&field("Family name", "text"), ""), "Testwell");
        assert_eq!(invented_text(&field("Day", "text"), ""), "14");
        assert_eq!(
            invented_text(&field("Time of the next review", "text"), ""),
            "10:30"
        );
        let mut review = field("Day", "text");
        review.legend = "Date of the next review".into();
        assert_eq!(invented_year(&review, ""), "2027");
        assert_eq!(
            invented_year(&field("Day", "text"), "Enter the date of birth"),
            "2016"
        );
    }
}
