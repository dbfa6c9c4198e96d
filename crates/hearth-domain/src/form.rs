//! Contribution forms defined as data. A new form type is a new [`FormDefinition`] in the
//! configuration, never new code: [`FormDefinition::validate`] checks any set of
//! [`Answers`] against any definition.
//!
//! Answer paths: `fields.<field id>` and `groups.<group id>[<row>].<column id>`.

use std::collections::{BTreeMap, BTreeSet};

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::plan::DateParts;
use crate::validation::{is_blank, FieldError};

/// One contribution form type (e.g. "EHCNA Information Gathering").
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct FormDefinition {
    /// Stable code, used on tasks (`form_type`).
    pub code: String,
    pub title: String,
    pub sections: Vec<FormSection>,
}

/// A titled part of a form; only presentation, ids are unique across the whole form.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct FormSection {
    pub id: String,
    pub title: String,
    #[serde(default)]
    pub guidance: String,
    pub items: Vec<FormItem>,
}

/// A question, or a repeatable group of questions (rows added with + and removed with −).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(tag = "item", rename_all = "snake_case")]
pub enum FormItem {
    Field(FieldDefinition),
    Group(GroupDefinition),
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct FieldDefinition {
    pub id: String,
    pub label: String,
    #[serde(default)]
    pub hint: String,
    pub kind: FieldKind,
    /// Marked with an asterisk; must be answered before submitting.
    #[serde(default)]
    pub mandatory: bool,
    /// Filled in from the task's child details and read-only.
    #[serde(default)]
    pub prefill: Option<Prefill>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum FieldKind {
    Text,
    LongText,
    Date,
    DropDown { options: Vec<String> },
    Checkbox,
}

/// A repeatable row group, e.g. "health provision / who will provide it".
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct GroupDefinition {
    pub id: String,
    pub label: String,
    #[serde(default)]
    pub hint: String,
    pub columns: Vec<FieldDefinition>,
    /// How many rows must be given (0: the group is optional). No maximum.
    #[serde(default)]
    pub min_rows: u32,
}

/// Child details a field is filled from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
pub enum Prefill {
    ChildName,
    ChildDateOfBirth,
    ChildAddress,
}

/// The child a task is about, as the council sent it; shown read-only on the form.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(default)]
pub struct ChildDetails {
    pub name: String,
    pub date_of_birth: Option<NaiveDate>,
    pub address: String,
}

impl Prefill {
    pub fn value(self, child: &ChildDetails) -> Option<FieldValue> {
        match self {
            Prefill::ChildName => Some(FieldValue::Text(child.name.clone())),
            Prefill::ChildDateOfBirth => child.date_of_birth.map(FieldValue::Date),
            Prefill::ChildAddress => Some(FieldValue::Text(child.address.clone())),
        }
    }
}

/// One answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
pub enum FieldValue {
    Text(String),
    Date(NaiveDate),
    Choice(String),
    Checked(bool),
}

/// One row of a repeatable group: column id → answer.
pub type GroupRow = BTreeMap<String, FieldValue>;

/// The answers of a contribution. Prefilled fields are not stored here.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(default)]
pub struct Answers {
    pub fields: BTreeMap<String, FieldValue>,
    pub groups: BTreeMap<String, Vec<GroupRow>>,
    /// Dates typed but not finished (a day and a month, no year), by answer path
    /// (`fields.completed_on`, `groups.reports[0].date`), kept so nothing typed is lost:
    /// each is an error naming its field until the date is whole (and has no answer).
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub unfinished_dates: BTreeMap<String, DateParts>,
}

impl FormDefinition {
    /// Every field that is not in a group, in form order.
    pub fn fields(&self) -> impl Iterator<Item = &FieldDefinition> {
        self.sections
            .iter()
            .flat_map(|s| &s.items)
            .filter_map(|i| match i {
                FormItem::Field(f) => Some(f),
                FormItem::Group(_) => None,
            })
    }

    /// Every repeatable group, in form order.
    pub fn groups(&self) -> impl Iterator<Item = &GroupDefinition> {
        self.sections
            .iter()
            .flat_map(|s| &s.items)
            .filter_map(|i| match i {
                FormItem::Group(g) => Some(g),
                FormItem::Field(_) => None,
            })
    }

    /// The read-only values shown at the top of the form, by field id.
    pub fn prefilled(&self, child: &ChildDetails) -> BTreeMap<String, FieldValue> {
        self.fields()
            .filter_map(|f| Some((f.id.clone(), f.prefill?.value(child)?)))
            .collect()
    }

    /// Checks the definition itself: ids unique, drop-downs with options, groups with
    /// columns, prefill only on text and date fields. Paths are inside the definition.
    pub fn check(&self) -> Vec<FieldError> {
        let mut errors = Vec::new();
        let here = |p: String| format!("form_types[{}].{p}", self.code);
        if is_blank(&self.code) {
            errors.push(FieldError::new(
                "form_types.code",
                "A form type needs a code",
            ));
        }
        let mut seen = BTreeSet::new();
        for (s, section) in self.sections.iter().enumerate() {
            for (i, item) in section.items.iter().enumerate() {
                let path = here(format!("sections[{s}].items[{i}]"));
                let id = match item {
                    FormItem::Field(f) => &f.id,
                    FormItem::Group(g) => &g.id,
                };
                if is_blank(id) || !seen.insert(id.clone()) {
                    errors.push(FieldError::new(
                        &path,
                        format!("The id ‘{id}’ is blank or used twice"),
                    ));
                }
                match item {
                    FormItem::Field(f) => check_definition(&mut errors, &path, f),
                    FormItem::Group(g) => {
                        if g.columns.is_empty() {
                            errors.push(FieldError::new(&path, "A repeatable group needs columns"));
                        }
                        let mut cols = BTreeSet::new();
                        for (c, col) in g.columns.iter().enumerate() {
                            let cpath = format!("{path}.columns[{c}]");
                            if is_blank(&col.id) || !cols.insert(col.id.clone()) {
                                errors.push(FieldError::new(
                                    &cpath,
                                    format!("The id ‘{}’ is blank or used twice", col.id),
                                ));
                            }
                            if col.prefill.is_some() {
                                errors
                                    .push(FieldError::new(&cpath, "A column cannot be prefilled"));
                            }
                            check_definition(&mut errors, &cpath, col);
                        }
                    }
                }
            }
        }
        errors
    }

    /// Checks answers against this definition and returns every problem at once.
    pub fn validate(&self, answers: &Answers) -> Vec<FieldError> {
        let mut errors = Vec::new();
        let mut known_fields = BTreeSet::new();
        for field in self.fields() {
            known_fields.insert(field.id.as_str());
            let path = format!("fields.{}", field.id);
            let value = answers.fields.get(&field.id);
            if field.prefill.is_some() {
                if value.is_some() {
                    errors.push(FieldError::new(
                        path,
                        format!(
                            "{} comes from the child's record and cannot be changed here",
                            field.label
                        ),
                    ));
                }
                continue;
            }
            let unfinished = answers.unfinished_dates.get(&path);
            let label = Labelled::Field(&field.label);
            check_value(
                &mut errors,
                path,
                field,
                value,
                unfinished.map(|p| (label, p)),
            );
        }
        for id in answers.fields.keys() {
            if !known_fields.contains(id.as_str()) {
                errors.push(FieldError::new(
                    format!("fields.{id}"),
                    "This form has no such question",
                ));
            }
        }
        let mut known_groups = BTreeSet::new();
        for group in self.groups() {
            known_groups.insert(group.id.as_str());
            let rows = answers
                .groups
                .get(&group.id)
                .map(Vec::as_slice)
                .unwrap_or(&[]);
            if rows.len() < group.min_rows as usize {
                let n = group.min_rows;
                let what = if n == 1 {
                    "row".to_owned()
                } else {
                    format!("{n} rows")
                };
                let at_least = if n == 1 {
                    format!("at least one {what}")
                } else {
                    format!("at least {what}")
                };
                errors.push(FieldError::new(
                    format!("groups.{}", group.id),
                    format!("Add {at_least} to {}", lower_first(&group.label)),
                ));
            }
            for (r, row) in rows.iter().enumerate() {
                for col in &group.columns {
                    let path = format!("groups.{}[{r}].{}", group.id, col.id);
                    let unfinished = answers.unfinished_dates.get(&path);
                    let label = Labelled::Cell {
                        column: &col.label,
                        group: &group.label,
                        row: r,
                    };
                    check_value(
                        &mut errors,
                        path,
                        col,
                        row.get(&col.id),
                        unfinished.map(|p| (label, p)),
                    );
                }
                for id in row.keys() {
                    if !group.columns.iter().any(|c| &c.id == id) {
                        errors.push(FieldError::new(
                            format!("groups.{}[{r}].{id}", group.id),
                            "This form has no such question",
                        ));
                    }
                }
            }
        }
        for id in answers.groups.keys() {
            if !known_groups.contains(id.as_str()) {
                errors.push(FieldError::new(
                    format!("groups.{id}"),
                    "This form has no such question",
                ));
            }
        }
        errors
    }
}

fn check_definition(errors: &mut Vec<FieldError>, path: &str, f: &FieldDefinition) {
    if let FieldKind::DropDown { options } = &f.kind {
        if options.is_empty() {
            errors.push(FieldError::new(
                path,
                format!("The drop-down ‘{}’ needs options", f.id),
            ));
        }
    }
    if let Some(p) = f.prefill {
        let fits = matches!(
            (p, &f.kind),
            (Prefill::ChildDateOfBirth, FieldKind::Date)
                | (
                    Prefill::ChildName | Prefill::ChildAddress,
                    FieldKind::Text | FieldKind::LongText
                )
        );
        if !fits {
            errors.push(FieldError::new(
                path,
                format!("The field ‘{}’ cannot be prefilled that way", f.id),
            ));
        }
    }
}

fn lower_first(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(first) => first.to_lowercase().chain(c).collect(),
        None => String::new(),
    }
}

/// How an unfinished date's error names its question.
#[derive(Debug, Clone, Copy)]
enum Labelled<'a> {
    /// "Date completed must include a year".
    Field(&'a str),
    /// "Date in row 2 of reports must include a year".
    Cell {
        column: &'a str,
        group: &'a str,
        row: usize,
    },
}

impl Labelled<'_> {
    fn name(self) -> String {
        match self {
            Labelled::Field(label) => label.trim().to_owned(),
            Labelled::Cell { column, group, row } => format!(
                "{} in row {} of {}",
                column.trim(),
                row + 1,
                lower_first(group.trim())
            ),
        }
    }
}

/// Checks one answer; `unfinished` is what was typed into its date boxes without making a
/// date yet, which (while the date has no answer) is reported instead of "Enter …".
fn check_value(
    errors: &mut Vec<FieldError>,
    path: String,
    field: &FieldDefinition,
    value: Option<&FieldValue>,
    unfinished: Option<(Labelled<'_>, &DateParts)>,
) {
    if let (None, FieldKind::Date, Some((name, parts))) = (value, &field.kind, unfinished) {
        if let Some(problem) = parts.problem() {
            errors.push(FieldError::new(path, format!("{} {problem}", name.name())));
            return;
        }
    }
    // A label that is a question reads wrong after "Enter"/"Select" ("Select how long has
    // the child been known…?"): it is quoted whole instead.
    let question = field.label.trim_end().ends_with('?');
    let label = if question {
        format!("‘{}’", field.label.trim())
    } else {
        lower_first(&field.label)
    };
    let answered = match (value, &field.kind) {
        (None, _) => false,
        (Some(FieldValue::Text(t)), FieldKind::Text | FieldKind::LongText) => !is_blank(t),
        (Some(FieldValue::Date(_)), FieldKind::Date) => true,
        (Some(FieldValue::Choice(c)), FieldKind::DropDown { options }) => {
            if !options.iter().any(|o| o == c) {
                errors.push(FieldError::new(
                    path,
                    format!("Select one of the options for {label}"),
                ));
                return;
            }
            true
        }
        (Some(FieldValue::Checked(ticked)), FieldKind::Checkbox) => *ticked,
        (Some(_), _) => {
            errors.push(FieldError::new(
                path,
                format!("The answer to {label} is the wrong kind of answer"),
            ));
            return;
        }
    };
    if !answered && field.mandatory {
        let message = match field.kind {
            FieldKind::Text | FieldKind::LongText | FieldKind::Date if question => {
                format!("Answer {label}")
            }
            FieldKind::DropDown { .. } if question => format!("Select an answer to {label}"),
            FieldKind::Text | FieldKind::LongText | FieldKind::Date => format!("Enter {label}"),
            FieldKind::DropDown { .. } => format!("Select {label}"),
            FieldKind::Checkbox => format!("Tick ‘{}’", field.label),
        };
        errors.push(FieldError::new(path, message));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Config;
    use crate::plan::tests::parts;

    fn text(s: &str) -> FieldValue {
        FieldValue::Text(s.to_owned())
    }

    fn row(cells: &[(&str, FieldValue)]) -> GroupRow {
        cells
            .iter()
            .map(|(k, v)| ((*k).to_owned(), v.clone()))
            .collect()
    }

    /// A form type made up here, in JSON, to show no code is needed for a new one.
    fn speech_form() -> FormDefinition {
        serde_json::from_str(
            r#"{
              "code": "speech_and_language",
              "title": "Speech and language advice",
              "sections": [{
                "id": "advice", "title": "Advice",
                "items": [
                  { "item": "field", "id": "child_name", "label": "Full name", "kind": { "type": "text" }, "prefill": "child_name" },
                  { "item": "field", "id": "summary", "label": "Summary of needs", "kind": { "type": "long_text" }, "mandatory": true },
                  { "item": "field", "id": "seen_in", "label": "Seen in", "kind": { "type": "drop_down", "options": ["Clinic", "School", "Home"] }, "mandatory": true },
                  { "item": "field", "id": "seen_on", "label": "Date seen", "kind": { "type": "date" } },
                  { "item": "field", "id": "parent_agrees", "label": "The parent agrees with this advice", "kind": { "type": "checkbox" }, "mandatory": true },
                  { "item": "group", "id": "health_provision", "label": "Health provision", "min_rows": 1, "columns": [
                    { "id": "provision", "label": "Health provision", "kind": { "type": "long_text" }, "mandatory": true },
                    { "id": "who", "label": "Who will provide this", "kind": { "type": "text" }, "mandatory": true }
                  ]},
                  { "item": "group", "id": "reports", "label": "Reports", "columns": [
                    { "id": "report", "label": "Report", "kind": { "type": "text" }, "mandatory": true },
                    { "id": "date", "label": "Date", "kind": { "type": "date" }, "mandatory": true }
                  ]}
                ]
              }]
            }"#,
        )
        .unwrap()
    }

    fn complete_answers() -> Answers {
        let mut a = Answers::default();
        a.fields.insert(
            "summary".into(),
            text("Needs help with expressive language."),
        );
        a.fields
            .insert("seen_in".into(), FieldValue::Choice("Clinic".into()));
        a.fields
            .insert("parent_agrees".into(), FieldValue::Checked(true));
        a.groups.insert(
            "health_provision".into(),
            vec![
                row(&[
                    ("provision", text("Weekly speech therapy")),
                    ("who", text("Testtrust SLT")),
                ]),
                row(&[
                    ("provision", text("Home programme")),
                    ("who", text("Parent with SLT support")),
                ]),
            ],
        );
        a.groups.insert(
            "reports".into(),
            vec![row(&[
                ("report", text("SLT assessment")),
                (
                    "date",
                    FieldValue::Date(NaiveDate::from_ymd_opt(2026, 7, 20).unwrap()),
                ),
            ])],
        );
        a
    }

    #[test]
    fn a_data_defined_form_accepts_complete_answers() {
        let form = speech_form();
        assert_eq!(form.check(), vec![]);
        assert_eq!(form.validate(&complete_answers()), vec![]);
    }

    #[test]
    fn every_problem_is_reported_including_repeatable_rows() {
        let form = speech_form();
        let mut a = complete_answers();
        a.fields.remove("summary");
        a.fields
            .insert("seen_in".into(), FieldValue::Choice("Car park".into()));
        a.fields
            .insert("parent_agrees".into(), FieldValue::Checked(false));
        a.fields.insert("seen_on".into(), text("last Tuesday"));
        a.fields.insert("child_name".into(), text("Someone Else"));
        a.fields.insert("shoe_size".into(), text("3"));
        a.groups.get_mut("health_provision").unwrap()[1].remove("who");
        a.groups.get_mut("reports").unwrap()[0].insert("date".into(), text("July"));
        let errors = form.validate(&a);
        assert_eq!(
            errors,
            vec![
                FieldError::new(
                    "fields.child_name",
                    "Full name comes from the child's record and cannot be changed here"
                ),
                FieldError::new("fields.summary", "Enter summary of needs"),
                FieldError::new("fields.seen_in", "Select one of the options for seen in"),
                FieldError::new(
                    "fields.seen_on",
                    "The answer to date seen is the wrong kind of answer"
                ),
                FieldError::new(
                    "fields.parent_agrees",
                    "Tick ‘The parent agrees with this advice’"
                ),
                FieldError::new("fields.shoe_size", "This form has no such question"),
                FieldError::new(
                    "groups.health_provision[1].who",
                    "Enter who will provide this"
                ),
                FieldError::new(
                    "groups.reports[0].date",
                    "The answer to date is the wrong kind of answer"
                ),
            ]
        );
    }

    #[test]
    fn a_half_typed_date_is_kept_and_named_until_it_is_whole() {
        let form = speech_form();
        let mut a = complete_answers();
        a.groups.get_mut("reports").unwrap()[0].remove("date");
        a.unfinished_dates
            .insert("fields.seen_on".into(), parts("14", "3", ""));
        a.unfinished_dates
            .insert("groups.reports[0].date".into(), parts("", "7", "2026"));
        // A stale entry (no such row) and one for a date now answered say nothing.
        a.unfinished_dates
            .insert("groups.reports[4].date".into(), parts("1", "", ""));
        a.unfinished_dates
            .insert("groups.health_provision[0].who".into(), parts("1", "", ""));
        assert_eq!(
            form.validate(&a),
            vec![
                FieldError::new("fields.seen_on", "Date seen must include a year"),
                FieldError::new(
                    "groups.reports[0].date",
                    "Date in row 1 of reports must include a day"
                ),
            ]
        );
        // Kept through a save and a reload, as the task record stores it.
        let json = serde_json::to_value(&a).unwrap();
        assert_eq!(json["unfinished_dates"]["fields.seen_on"]["day"], "14");
        let back: Answers = serde_json::from_value(json).unwrap();
        assert_eq!(back, a);
        // Not a real date: said so.
        a.unfinished_dates
            .insert("fields.seen_on".into(), parts("31", "2", "2026"));
        assert_eq!(
            form.validate(&a)[0],
            FieldError::new("fields.seen_on", "Date seen must be a real date")
        );
        // Once the date is whole the entry is ignored; answers with none serialise as before.
        a.fields.insert(
            "seen_on".into(),
            FieldValue::Date(NaiveDate::from_ymd_opt(2026, 3, 14).unwrap()),
        );
        a.groups.get_mut("reports").unwrap()[0].insert(
            "date".into(),
            FieldValue::Date(NaiveDate::from_ymd_opt(2026, 7, 1).unwrap()),
        );
        assert_eq!(form.validate(&a), vec![]);
        let plain = serde_json::to_value(complete_answers()).unwrap();
        assert!(plain.get("unfinished_dates").is_none(), "{plain}");
    }

    #[test]
    fn a_mandatory_group_needs_a_row_and_an_optional_one_does_not() {
        let form = speech_form();
        let mut a = complete_answers();
        a.groups.remove("health_provision");
        a.groups.remove("reports");
        assert_eq!(
            form.validate(&a),
            vec![FieldError::new(
                "groups.health_provision",
                "Add at least one row to health provision"
            )]
        );
    }

    #[test]
    fn repeatable_rows_have_no_limit() {
        let form = speech_form();
        let mut a = complete_answers();
        let rows = (0..150)
            .map(|i| {
                row(&[
                    ("provision", text(&format!("Provision {i}"))),
                    ("who", text("Testtrust")),
                ])
            })
            .collect();
        a.groups.insert("health_provision".into(), rows);
        assert_eq!(form.validate(&a), vec![]);
    }

    #[test]
    fn prefilled_values_come_from_the_child() {
        let form = speech_form();
        let child = ChildDetails {
            name: "Zoë Testchild".into(),
            date_of_birth: None,
            address: String::new(),
        };
        let pre = form.prefilled(&child);
        assert_eq!(pre.get("child_name"), Some(&text("Zoë Testchild")));
        assert_eq!(pre.len(), 1);
    }

    #[test]
    fn broken_definitions_are_caught() {
        let mut form = speech_form();
        if let FormItem::Field(f) = &mut form.sections[0].items[2] {
            f.kind = FieldKind::DropDown { options: vec![] };
            f.id = "summary".into();
        }
        let errors = form.check();
        assert_eq!(errors.len(), 2, "{errors:?}");
    }

    #[test]
    fn built_in_form_types_are_well_formed_and_validate() {
        let config = Config::builtin();
        let form = config.form_type("ehcna_information_gathering").unwrap();
        let errors = form.validate(&Answers::default());
        let paths: Vec<_> = errors.iter().map(|e| e.path.as_str()).collect();
        assert_eq!(
            paths,
            [
                "fields.known_to_service",
                "fields.health_needs",
                "fields.outcomes",
                "fields.completed_by",
                "fields.completed_on",
                "groups.health_provision"
            ]
        );
        // A question is quoted whole; a plain label follows "Enter" in lower case.
        assert_eq!(
            errors[0].message,
            "Select an answer to ‘How long has the child been known to your service?’"
        );
        assert_eq!(errors[1].message, "Enter health needs");
    }
}
