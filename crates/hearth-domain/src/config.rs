//! Configurable lists: data, not code. A council changes its aspects of life, agencies,
//! closure reasons, ethnicity categories, focus areas, form types or commissioned
//! services by editing JSON; validation takes the [`Config`] it should check against.

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};

use crate::form::FormDefinition;
use crate::validation::{FieldError, ValidationErrors};

/// The built-in configuration: invented but realistic UK early-help values.
pub const DEFAULT_CONFIG_JSON: &str = include_str!("../config/default.json");

/// One option of a configured list. Records store the `code`; forms show the `label`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct ListItem {
    pub code: String,
    pub label: String,
    /// Help text shown under the option, if any.
    #[serde(default)]
    pub hint: String,
    /// A heading the option is grouped under (ethnicity categories), if any.
    #[serde(default)]
    pub group: String,
}

/// Every configurable list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct Config {
    /// Scored 1–10 or N/A on every plan and review.
    pub aspects_of_life: Vec<ListItem>,
    /// The practitioner's agency (school, health visitor, …).
    pub agencies: Vec<ListItem>,
    /// "What's prompting this FSP?"
    pub prompting_reasons: Vec<ListItem>,
    /// "Close the family support plan because…"
    pub closure_reasons: Vec<ListItem>,
    pub ethnicities: Vec<ListItem>,
    /// Family plan focus areas.
    pub focus_areas: Vec<ListItem>,
    pub commissioned_services: Vec<ListItem>,
    /// Contribution form types, each a whole form definition.
    pub form_types: Vec<FormDefinition>,
}

/// The configuration could not be read or does not make sense.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("the configuration is not valid JSON of the expected shape: {0}")]
    Json(#[from] serde_json::Error),
    #[error("the configuration is inconsistent: {0}")]
    Invalid(ValidationErrors),
}

impl Config {
    /// The configuration embedded in the crate.
    pub fn builtin() -> Config {
        // The embedded JSON is checked by a test; failing here is a build mistake.
        Config::from_json(DEFAULT_CONFIG_JSON).expect("the built-in configuration is valid")
    }

    /// Reads and checks a configuration (codes unique and not blank, lists not empty,
    /// form definitions well formed).
    pub fn from_json(json: &str) -> Result<Config, ConfigError> {
        let config: Config = serde_json::from_str(json)?;
        ValidationErrors::check(config.check()).map_err(ConfigError::Invalid)?;
        Ok(config)
    }

    /// Problems with this configuration; empty when it is usable.
    pub fn check(&self) -> Vec<FieldError> {
        let mut errors = Vec::new();
        for (name, list) in [
            ("aspects_of_life", &self.aspects_of_life),
            ("agencies", &self.agencies),
            ("prompting_reasons", &self.prompting_reasons),
            ("closure_reasons", &self.closure_reasons),
            ("ethnicities", &self.ethnicities),
            ("focus_areas", &self.focus_areas),
            ("commissioned_services", &self.commissioned_services),
        ] {
            if list.is_empty() {
                errors.push(FieldError::new(name, "This list needs at least one option"));
            }
            let mut seen = BTreeSet::new();
            for (i, item) in list.iter().enumerate() {
                if item.code.trim().is_empty() || !seen.insert(item.code.as_str()) {
                    errors.push(FieldError::new(
                        format!("{name}[{i}].code"),
                        format!("The code ‘{}’ is blank or used twice", item.code),
                    ));
                }
            }
        }
        let mut seen = BTreeSet::new();
        for (i, form) in self.form_types.iter().enumerate() {
            if !seen.insert(form.code.as_str()) {
                errors.push(FieldError::new(
                    format!("form_types[{i}].code"),
                    format!("The code ‘{}’ is used twice", form.code),
                ));
            }
            errors.extend(form.check());
        }
        errors
    }

    /// The contribution form with this code.
    pub fn form_type(&self, code: &str) -> Option<&FormDefinition> {
        self.form_types.iter().find(|f| f.code == code)
    }
}

/// The option with this code, if the list has it.
pub fn find<'a>(list: &'a [ListItem], code: &str) -> Option<&'a ListItem> {
    list.iter().find(|i| i.code == code)
}

/// The label for a code, or the code itself when the list no longer has it.
pub fn label<'a>(list: &'a [ListItem], code: &'a str) -> &'a str {
    find(list, code).map(|i| i.label.as_str()).unwrap_or(code)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_config_is_valid_and_complete() {
        let c = Config::from_json(DEFAULT_CONFIG_JSON).unwrap();
        assert_eq!(c.check(), vec![]);
        assert!(c.aspects_of_life.len() >= 8);
        assert!(c.form_type("ehcna_information_gathering").is_some());
        assert_eq!(
            label(&c.closure_reasons, "moved_away"),
            "The family moved out of the area"
        );
        assert_eq!(label(&c.closure_reasons, "gone"), "gone");
    }

    #[test]
    fn duplicate_codes_and_empty_lists_are_refused() {
        let mut c = Config::builtin();
        c.agencies.push(c.agencies[0].clone());
        c.focus_areas.clear();
        let errors = c.check();
        assert_eq!(
            errors.iter().map(|e| e.path.as_str()).collect::<Vec<_>>(),
            [
                format!("agencies[{}].code", c.agencies.len() - 1).as_str(),
                "focus_areas"
            ]
        );
        let json = serde_json::to_string(&c).unwrap();
        assert!(matches!(
            Config::from_json(&json),
            Err(ConfigError::Invalid(_))
        ));
        assert!(matches!(Config::from_json("{}"), Err(ConfigError::Json(_))));
    }
}
