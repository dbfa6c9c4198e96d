//! The Family Support Plan (seed 001): a nine-step wizard, validated step by step and as
//! a whole; its status machine; and the dashboard tiles.
//!
//! [`PlanDraft`] is what the UI edits (every field optional or loose, so a partial JSON
//! step deserialises). [`Plan::parse`] turns a complete draft into a [`Plan`], or returns
//! every error at once.

use std::collections::BTreeMap;

use chrono::{NaiveDate, NaiveTime};
use serde::{Deserialize, Serialize};

use crate::config::{self, Config};
use crate::contact::{self, Address, EmailAddress, Gender, PhoneExtension, PhoneNumber};
use crate::dates::{review_timeliness, ReviewTimeliness};
use crate::ids::UserId;
use crate::kind::RecordKind;
use crate::sharing::{SharingList, Transfer};
use crate::validation::{is_blank, item, join, Errors, FieldError, ValidationErrors};
use crate::workflow::TransitionError;

/// The nine steps of the wizard, in order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
pub enum WizardStep {
    ConsentAndPractitioner,
    FocusChildAndParent,
    FamilyMembers,
    ContactsAndKeyInformation,
    FamilyStory,
    ChildStory,
    AspectsOfLife,
    SummaryAndFamilyPlan,
    FamilyNameAndReview,
}

impl WizardStep {
    pub const ALL: [WizardStep; 9] = [
        WizardStep::ConsentAndPractitioner,
        WizardStep::FocusChildAndParent,
        WizardStep::FamilyMembers,
        WizardStep::ContactsAndKeyInformation,
        WizardStep::FamilyStory,
        WizardStep::ChildStory,
        WizardStep::AspectsOfLife,
        WizardStep::SummaryAndFamilyPlan,
        WizardStep::FamilyNameAndReview,
    ];

    /// 1 to 9.
    pub fn number(self) -> u8 {
        WizardStep::ALL
            .iter()
            .position(|s| *s == self)
            .map_or(0, |i| i as u8 + 1)
    }

    /// The step whose page edits the top-level draft field `key` (`family_plan` →
    /// [`WizardStep::SummaryAndFamilyPlan`]); `None` for a field of no single step.
    pub fn of_field(key: &str) -> Option<WizardStep> {
        Some(match key {
            "consent" | "practitioner" => WizardStep::ConsentAndPractitioner,
            "focus_child" | "main_parent" | "second_parent" => WizardStep::FocusChildAndParent,
            "family_members" => WizardStep::FamilyMembers,
            "contacts" => WizardStep::ContactsAndKeyInformation,
            "family_story" => WizardStep::FamilyStory,
            "child_stories" => WizardStep::ChildStory,
            "aspects" => WizardStep::AspectsOfLife,
            "practitioner_summary" | "family_plan" => WizardStep::SummaryAndFamilyPlan,
            "family_name" | "next_review" => WizardStep::FamilyNameAndReview,
            _ => return None,
        })
    }

    /// The step of the field at a validation path (`family_members[2].date_of_birth`).
    pub fn of_path(path: &str) -> Option<WizardStep> {
        WizardStep::of_field(path.split(['.', '[']).next().unwrap_or_default())
    }

    pub fn title(self) -> &'static str {
        match self {
            WizardStep::ConsentAndPractitioner => "Consent and practitioner",
            WizardStep::FocusChildAndParent => "Focus child and main parent",
            WizardStep::FamilyMembers => "Family members and important people",
            WizardStep::ContactsAndKeyInformation => "Contacts and key information",
            WizardStep::FamilyStory => "Family's story",
            WizardStep::ChildStory => "Child's story",
            WizardStep::AspectsOfLife => "Aspects of life",
            WizardStep::SummaryAndFamilyPlan => "Practitioner summary and family plan",
            WizardStep::FamilyNameAndReview => "Family name and next review",
        }
    }
}

/// Step 1: the family's consent.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(default)]
pub struct Consent {
    /// "I agree that our family's personal information may be shared with those working
    /// with us and/or supporting our plan."
    pub agrees_to_share: bool,
    /// People or organisations the family does NOT agree to share with, one per entry.
    pub not_shared_with: Vec<String>,
    pub consent_date: Option<NaiveDate>,
}

/// Step 1: the practitioner completing the plan.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(default)]
pub struct Practitioner {
    pub name: String,
    /// Code from [`Config::agencies`].
    pub agency: String,
    /// Code from [`Config::prompting_reasons`].
    pub prompting: String,
    /// Digits only.
    pub phone: String,
    /// Optional, digits only; kept apart from the number.
    pub phone_extension: String,
    pub email: String,
}

/// Step 2: the focus child.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(default)]
pub struct FocusChild {
    pub first_name: String,
    pub last_name: String,
    pub date_of_birth: Option<NaiveDate>,
    pub gender: Option<Gender>,
}

/// Step 2: a parent.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(default)]
pub struct Parent {
    pub first_name: String,
    pub last_name: String,
    pub date_of_birth: Option<NaiveDate>,
    pub gender: Option<Gender>,
    pub address: Address,
}

impl Parent {
    fn is_blank(&self) -> bool {
        is_blank(&self.first_name)
            && is_blank(&self.last_name)
            && self.date_of_birth.is_none()
            && self.gender.is_none()
            && self.address.is_blank()
    }
}

/// Step 3: a family member or important person. No limit on how many.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(default)]
pub struct FamilyMember {
    /// "Brother", "Grandmother", "Neighbour", …
    pub relationship: String,
    pub first_name: String,
    pub last_name: String,
    pub date_of_birth: Option<NaiveDate>,
    pub gender: Option<Gender>,
    /// Phone, email or how to reach them.
    pub contact: String,
    /// "Part of the FSP": an additional focus child.
    pub part_of_plan: bool,
}

/// Step 4: another service working with the family.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(default)]
pub struct OtherService {
    /// "Housing", "Paediatric consultant", …
    pub service: String,
    pub contact: String,
    pub role: String,
}

/// Step 4: contacts and key information.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(default)]
pub struct ContactsAndKeyInformation {
    /// Digits only, if given.
    pub parent_phone: String,
    pub parent_email: String,
    /// Other parent or carer contact details, free text.
    pub other_contact_details: String,
    pub interpreter_needed: bool,
    pub language: String,
    pub key_information: String,
    pub other_services: Vec<OtherService>,
}

/// Step 5.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(default)]
pub struct FamilyStory {
    pub key_events_now: String,
    pub past_events: String,
}

/// Step 6 (optional): one focus child's own story.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(default)]
pub struct ChildStory {
    /// The focus child this is about (see [`PlanDraft::focus_children`]).
    pub child_name: String,
    pub working_well: String,
    pub could_be_better: String,
    pub who_i_can_talk_to: String,
}

/// A score as typed: a number (checked to be 1–10) or N/A.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
pub enum ScoreInput {
    Score(u8),
    NotApplicable,
}

/// Step 7: one aspect of life.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(default)]
pub struct AspectEntry {
    pub score: Option<ScoreInput>,
    pub note: String,
}

/// A score from 1 to 10.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(transparent)]
pub struct Score(u8);

impl Score {
    pub fn new(n: u8) -> Option<Score> {
        (1..=10).contains(&n).then_some(Score(n))
    }

    pub fn get(self) -> u8 {
        self.0
    }
}

/// A validated aspect-of-life score.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
pub enum AspectScore {
    Score(Score),
    NotApplicable,
}

impl AspectScore {
    pub fn parse(input: ScoreInput) -> Option<AspectScore> {
        match input {
            ScoreInput::Score(n) => Score::new(n).map(AspectScore::Score),
            ScoreInput::NotApplicable => Some(AspectScore::NotApplicable),
        }
    }
}

/// Step 8: one line of the family plan. No limit on how many.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(default)]
pub struct PlanLine {
    /// Code from [`Config::focus_areas`].
    pub focus_area: String,
    pub need: String,
    pub action: String,
    pub who: String,
    pub by_when: Option<NaiveDate>,
    /// 1 to 10.
    pub score: Option<u8>,
}

/// Step 9: the next review.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(default)]
pub struct NextReview {
    pub date: Option<NaiveDate>,
    pub time: Option<NaiveTime>,
    pub location: String,
}

/// A date as typed into the three boxes of a date input (day, month, year) while they do
/// not make a date yet, e.g. a day and a month with no year. Kept in the draft so nothing
/// typed is lost, and reported as an error that names the field until it is finished.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(default)]
pub struct DateParts {
    pub day: String,
    pub month: String,
    pub year: String,
}

impl DateParts {
    /// What is wrong with the parts, as the end of a sentence ("must include a year"), or
    /// `None` when there is nothing to say (all blank, or already a real date).
    pub fn problem(&self) -> Option<String> {
        let parts = [
            ("day", self.day.trim()),
            ("month", self.month.trim()),
            ("year", self.year.trim()),
        ];
        let missing: Vec<&str> = parts
            .iter()
            .filter(|(_, v)| v.is_empty())
            .map(|(name, _)| *name)
            .collect();
        match missing.as_slice() {
            [_, _, _] => None,
            [one] => Some(format!("must include a {one}")),
            [a, b] => Some(format!("must include a {a} and a {b}")),
            _ if self.to_date().is_some() => None,
            _ => Some("must be a real date".to_owned()),
        }
    }

    /// The date the parts make, if they make a real one (a four-digit year).
    pub fn to_date(&self) -> Option<NaiveDate> {
        let year = self.year.trim();
        if year.len() != 4 {
            return None;
        }
        NaiveDate::from_ymd_opt(
            year.parse().ok()?,
            self.month.trim().parse().ok()?,
            self.day.trim().parse().ok()?,
        )
    }
}

/// How an unfinished date's error names its field, from the date's path.
fn date_label(path: &str) -> Option<&'static str> {
    let (top, rest) = path.split_once(['.', '['])?;
    let last = rest.rsplit('.').next().unwrap_or(rest);
    Some(match (top, last) {
        ("consent", "consent_date") => "The date consent was given",
        ("focus_child", "date_of_birth") => "The child's date of birth",
        ("main_parent", "date_of_birth") => "The parent's date of birth",
        ("second_parent", "date_of_birth") => "The second parent's date of birth",
        ("family_members", "date_of_birth") => "This person's date of birth",
        ("family_plan", "by_when") => "The ‘by when’ date",
        ("next_review", "date") => "The date of the next review",
        _ => return None,
    })
}

/// A Family Support Plan as the wizard edits it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(default)]
pub struct PlanDraft {
    // Step 1
    pub consent: Consent,
    pub practitioner: Practitioner,
    // Step 2
    pub focus_child: FocusChild,
    pub main_parent: Parent,
    /// Optional; when entered, their address is required (otherwise add them as a family member).
    pub second_parent: Option<Parent>,
    // Step 3
    pub family_members: Vec<FamilyMember>,
    // Step 4
    pub contacts: ContactsAndKeyInformation,
    // Step 5
    pub family_story: FamilyStory,
    // Step 6
    pub child_stories: Vec<ChildStory>,
    // Step 7: aspect code → score and note.
    pub aspects: BTreeMap<String, AspectEntry>,
    // Step 8
    pub practitioner_summary: String,
    pub family_plan: Vec<PlanLine>,
    // Step 9
    pub family_name: String,
    pub next_review: NextReview,
    /// Dates typed but not finished, by validation path (`focus_child.date_of_birth`):
    /// each is an error on its step until its date is whole. Any step's save carries it.
    pub unfinished_dates: BTreeMap<String, DateParts>,
}

/// A focus child: the step 2 child or a family member ticked "part of the FSP".
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct FocusChildSummary {
    pub name: String,
    pub date_of_birth: Option<NaiveDate>,
}

fn full_name(first: &str, last: &str) -> String {
    format!("{} {}", first.trim(), last.trim())
        .trim()
        .to_owned()
}

impl PlanDraft {
    /// Every focus child, the main one first.
    pub fn focus_children(&self) -> Vec<FocusChildSummary> {
        let main = FocusChildSummary {
            name: full_name(&self.focus_child.first_name, &self.focus_child.last_name),
            date_of_birth: self.focus_child.date_of_birth,
        };
        std::iter::once(main)
            .chain(
                self.family_members
                    .iter()
                    .filter(|m| m.part_of_plan)
                    .map(|m| FocusChildSummary {
                        name: full_name(&m.first_name, &m.last_name),
                        date_of_birth: m.date_of_birth,
                    }),
            )
            .collect()
    }

    /// The errors of one wizard step ("each validated before moving on").
    pub fn validate_step(&self, step: WizardStep, config: &Config) -> Vec<FieldError> {
        let mut e = Errors::new();
        match step {
            WizardStep::ConsentAndPractitioner => self.check_consent(&mut e, config),
            WizardStep::FocusChildAndParent => self.check_focus(&mut e),
            WizardStep::FamilyMembers => self.check_members(&mut e),
            WizardStep::ContactsAndKeyInformation => self.check_contacts(&mut e),
            WizardStep::FamilyStory => {}
            WizardStep::ChildStory => self.check_child_stories(&mut e),
            WizardStep::AspectsOfLife => check_aspects(&mut e, "aspects", &self.aspects, config),
            WizardStep::SummaryAndFamilyPlan => self.check_family_plan(&mut e, config),
            WizardStep::FamilyNameAndReview => {
                e.required("family_name", &self.family_name, "Enter the family name");
                check_next_review(&mut e, "next_review", &self.next_review);
            }
        }
        self.check_unfinished_dates(&mut e, step);
        e.into_vec()
    }

    /// A half-typed date on `step` is an error naming its field, in place of "Enter the
    /// date" (a date left blank). Entries for a date now whole, or for a row no longer
    /// there, say nothing.
    fn check_unfinished_dates(&self, e: &mut Errors, step: WizardStep) {
        for (path, parts) in &self.unfinished_dates {
            if WizardStep::of_path(path) != Some(step) {
                continue;
            }
            if let (Some(date), Some(label)) = (self.date_at(path), date_label(path)) {
                e.unfinished_date(path, label, date, Some(parts));
            }
        }
    }

    /// The date at a validation path: `Some(None)` for a date field left empty, `None` when
    /// the path names no date field of this draft (or a row that is not there).
    fn date_at(&self, path: &str) -> Option<Option<NaiveDate>> {
        let row = |prefix: &str, field: &str| -> Option<usize> {
            path.strip_prefix(prefix)?
                .strip_suffix(field)?
                .strip_suffix("].")?
                .parse()
                .ok()
        };
        Some(match path {
            "consent.consent_date" => self.consent.consent_date,
            "focus_child.date_of_birth" => self.focus_child.date_of_birth,
            "main_parent.date_of_birth" => self.main_parent.date_of_birth,
            "second_parent.date_of_birth" => self.second_parent.as_ref()?.date_of_birth,
            "next_review.date" => self.next_review.date,
            _ => {
                if let Some(i) = row("family_members[", "date_of_birth") {
                    self.family_members.get(i)?.date_of_birth
                } else {
                    self.family_plan
                        .get(row("family_plan[", "by_when")?)?
                        .by_when
                }
            }
        })
    }

    /// The errors of every step, in step order.
    pub fn validate(&self, config: &Config) -> Vec<FieldError> {
        WizardStep::ALL
            .iter()
            .flat_map(|s| self.validate_step(*s, config))
            .collect()
    }

    /// For the task list: which steps are complete.
    pub fn completed_steps(&self, config: &Config) -> Vec<WizardStep> {
        WizardStep::ALL
            .into_iter()
            .filter(|s| self.validate_step(*s, config).is_empty())
            .collect()
    }

    fn check_consent(&self, e: &mut Errors, config: &Config) {
        if !self.consent.agrees_to_share {
            e.push(
                "consent.agrees_to_share",
                "Confirm the family agrees to share information with those working with them",
            );
        }
        for (i, name) in self.consent.not_shared_with.iter().enumerate() {
            e.required(
                item("consent.not_shared_with", i),
                name,
                "Enter who the family does not agree to share with, or remove the line",
            );
        }
        let p = &self.practitioner;
        e.required("practitioner.name", &p.name, "Enter your name");
        check_code(
            e,
            "practitioner.agency",
            &p.agency,
            &config.agencies,
            "Select your agency",
        );
        check_code(
            e,
            "practitioner.prompting",
            &p.prompting,
            &config.prompting_reasons,
            "Select what is prompting this FSP",
        );
        contact::check_phone(
            e,
            "practitioner.phone".into(),
            &p.phone,
            Some("practitioner.phone_extension".into()),
            &p.phone_extension,
            "Enter your phone number",
        );
        contact::check_email(
            e,
            "practitioner.email".into(),
            &p.email,
            "Enter your email address",
        );
    }

    fn check_focus(&self, e: &mut Errors) {
        let c = &self.focus_child;
        e.required(
            "focus_child.first_name",
            &c.first_name,
            "Enter the child's first name",
        );
        e.required(
            "focus_child.last_name",
            &c.last_name,
            "Enter the child's last name",
        );
        e.required_some(
            "focus_child.date_of_birth",
            &c.date_of_birth,
            "Enter the child's date of birth",
        );
        e.required_some("focus_child.gender", &c.gender, "Select the child's gender");
        let p = &self.main_parent;
        e.required(
            "main_parent.first_name",
            &p.first_name,
            "Enter the parent's first name",
        );
        e.required(
            "main_parent.last_name",
            &p.last_name,
            "Enter the parent's last name",
        );
        contact::check_address(e, "main_parent.address", &p.address, "the parent's");
        if let Some(p) = self.second_parent.as_ref().filter(|p| !p.is_blank()) {
            e.required(
                "second_parent.first_name",
                &p.first_name,
                "Enter the second parent's first name",
            );
            e.required(
                "second_parent.last_name",
                &p.last_name,
                "Enter the second parent's last name",
            );
            if p.address.is_blank() {
                e.push(
                    "second_parent.address",
                    "Enter the second parent's address, or add them as a family member on the next step",
                );
            } else {
                contact::check_address(
                    e,
                    "second_parent.address",
                    &p.address,
                    "the second parent's",
                );
            }
        }
    }

    fn check_members(&self, e: &mut Errors) {
        for (i, m) in self.family_members.iter().enumerate() {
            let at = item("family_members", i);
            e.required(
                join(&at, "relationship"),
                &m.relationship,
                "Enter how this person is related to the family",
            );
            e.required(
                join(&at, "first_name"),
                &m.first_name,
                "Enter this person's first name",
            );
            e.required(
                join(&at, "last_name"),
                &m.last_name,
                "Enter this person's last name",
            );
            if m.part_of_plan {
                e.required_some(
                    join(&at, "date_of_birth"),
                    &m.date_of_birth,
                    "Enter the child's date of birth",
                );
                e.required_some(join(&at, "gender"), &m.gender, "Select the child's gender");
            }
        }
    }

    fn check_contacts(&self, e: &mut Errors) {
        let c = &self.contacts;
        contact::check_optional_phone(e, "contacts.parent_phone".into(), &c.parent_phone);
        if !is_blank(&c.parent_email) && EmailAddress::parse(&c.parent_email).is_err() {
            e.push("contacts.parent_email", contact::EMAIL_MESSAGE);
        }
        if c.interpreter_needed {
            e.required(
                "contacts.language",
                &c.language,
                "Enter the language the interpreter is needed for",
            );
        }
        for (i, s) in c.other_services.iter().enumerate() {
            e.required(
                join(&item("contacts.other_services", i), "service"),
                &s.service,
                "Enter the service, or remove the line",
            );
        }
    }

    fn check_child_stories(&self, e: &mut Errors) {
        for (i, s) in self.child_stories.iter().enumerate() {
            e.required(
                join(&item("child_stories", i), "child_name"),
                &s.child_name,
                "Enter which child this story is about",
            );
        }
    }

    fn check_family_plan(&self, e: &mut Errors, config: &Config) {
        if self.family_plan.is_empty() {
            e.push("family_plan", "Add at least one line to the family plan");
        }
        for (i, line) in self.family_plan.iter().enumerate() {
            check_plan_line(e, &item("family_plan", i), line, config);
        }
    }
}

fn check_code(e: &mut Errors, path: &str, code: &str, list: &[config::ListItem], missing: &str) {
    if is_blank(code) || config::find(list, code).is_none() {
        e.push(path, missing);
    }
}

pub(crate) fn check_plan_line(e: &mut Errors, at: &str, line: &PlanLine, config: &Config) {
    check_code(
        e,
        &join(at, "focus_area"),
        &line.focus_area,
        &config.focus_areas,
        "Select a focus area",
    );
    e.required(join(at, "need"), &line.need, "Enter the need or concern");
    e.required(join(at, "action"), &line.action, "Enter the action");
    e.required(join(at, "who"), &line.who, "Enter who will do it");
    e.required_some(
        join(at, "by_when"),
        &line.by_when,
        "Enter when it will be done by",
    );
    if line.score.and_then(Score::new).is_none() {
        e.push(join(at, "score"), "Score this line from 1 to 10");
    }
}

/// Every configured aspect needs a score from 1 to 10 or N/A; unknown aspects are refused.
pub(crate) fn check_aspects(
    e: &mut Errors,
    prefix: &str,
    aspects: &BTreeMap<String, AspectEntry>,
    config: &Config,
) {
    for aspect in &config.aspects_of_life {
        let valid = aspects
            .get(&aspect.code)
            .and_then(|a| a.score)
            .and_then(AspectScore::parse);
        if valid.is_none() {
            e.push(
                format!("{prefix}.{}.score", aspect.code),
                format!("Score ‘{}’ from 1 to 10, or choose N/A", aspect.label),
            );
        }
    }
    for code in aspects.keys() {
        if config::find(&config.aspects_of_life, code).is_none() {
            e.push(
                format!("{prefix}.{code}"),
                "This aspect of life is no longer in the list: remove it",
            );
        }
    }
}

pub(crate) fn check_next_review(e: &mut Errors, prefix: &str, r: &NextReview) {
    e.required_some(
        join(prefix, "date"),
        &r.date,
        "Enter the date of the next review",
    );
    e.required_some(
        join(prefix, "time"),
        &r.time,
        "Enter the time of the next review",
    );
    e.required(
        join(prefix, "location"),
        &r.location,
        "Enter where the next review will be",
    );
}

/// A complete Family Support Plan: every step valid. Built only by [`Plan::parse`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct Plan {
    content: PlanDraft,
    phone: PhoneNumber,
    phone_extension: Option<PhoneExtension>,
    email: EmailAddress,
    aspects: BTreeMap<String, AspectScore>,
    next_review_date: NaiveDate,
    next_review_time: NaiveTime,
}

impl Plan {
    /// Checks every step against `config`; all errors at once.
    pub fn parse(draft: PlanDraft, config: &Config) -> Result<Plan, ValidationErrors> {
        ValidationErrors::check(draft.validate(config))?;
        let invariant =
            |path: &str| ValidationErrors(vec![FieldError::new(path, "Check this answer")]);
        let phone = PhoneNumber::parse(&draft.practitioner.phone)
            .map_err(|_| invariant("practitioner.phone"))?;
        let phone_extension = PhoneExtension::parse(&draft.practitioner.phone_extension)
            .map_err(|_| invariant("practitioner.phone_extension"))?;
        let email = EmailAddress::parse(&draft.practitioner.email)
            .map_err(|_| invariant("practitioner.email"))?;
        let aspects = draft
            .aspects
            .iter()
            .filter_map(|(k, v)| Some((k.clone(), AspectScore::parse(v.score?)?)))
            .collect();
        let next_review_date = draft
            .next_review
            .date
            .ok_or_else(|| invariant("next_review.date"))?;
        let next_review_time = draft
            .next_review
            .time
            .ok_or_else(|| invariant("next_review.time"))?;
        Ok(Plan {
            content: draft,
            phone,
            phone_extension,
            email,
            aspects,
            next_review_date,
            next_review_time,
        })
    }

    /// Everything, as entered. To change a plan, clone this, edit, and parse again.
    pub fn content(&self) -> &PlanDraft {
        &self.content
    }

    pub fn into_draft(self) -> PlanDraft {
        self.content
    }

    pub fn practitioner_phone(&self) -> &PhoneNumber {
        &self.phone
    }

    pub fn practitioner_phone_extension(&self) -> Option<&PhoneExtension> {
        self.phone_extension.as_ref()
    }

    pub fn practitioner_email(&self) -> &EmailAddress {
        &self.email
    }

    pub fn aspect_scores(&self) -> &BTreeMap<String, AspectScore> {
        &self.aspects
    }

    pub fn next_review_date(&self) -> NaiveDate {
        self.next_review_date
    }

    pub fn next_review_time(&self) -> NaiveTime {
        self.next_review_time
    }

    pub fn family_name(&self) -> &str {
        self.content.family_name.trim()
    }

    pub fn focus_children(&self) -> Vec<FocusChildSummary> {
        self.content.focus_children()
    }
}

/// Draft (in progress) → completed (active) → closed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
pub enum PlanStatus {
    Draft,
    Completed,
    Closed,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
pub enum PlanEvent {
    /// "Finish" on the last wizard step (the draft must parse as a [`Plan`]).
    Finish,
    /// Closed through a review with a closure reason.
    CloseByReview,
}

impl PlanStatus {
    fn as_str(self) -> &'static str {
        match self {
            PlanStatus::Draft => "draft",
            PlanStatus::Completed => "completed",
            PlanStatus::Closed => "closed",
        }
    }

    pub fn apply(self, event: PlanEvent) -> Result<PlanStatus, TransitionError> {
        match (self, event) {
            (PlanStatus::Draft, PlanEvent::Finish) => Ok(PlanStatus::Completed),
            (PlanStatus::Completed, PlanEvent::CloseByReview) => Ok(PlanStatus::Closed),
            (from, event) => Err(TransitionError::new(
                RecordKind::Plan,
                from.as_str(),
                match event {
                    PlanEvent::Finish => "finish",
                    PlanEvent::CloseByReview => "close",
                },
            )),
        }
    }
}

/// What the dashboard needs to know about one plan.
#[derive(Debug, Clone, Copy)]
pub struct PlanOverview<'a> {
    pub status: PlanStatus,
    /// The next review date, once the plan is completed.
    pub next_review: Option<NaiveDate>,
    pub sharing: &'a SharingList,
}

/// The dashboard tiles.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct Dashboard {
    pub drafts: u32,
    pub completed: u32,
    /// Completed plans whose review is overdue by more than 6 weeks (this includes
    /// those overdue by more than 12).
    pub review_overdue_six_weeks: u32,
    /// Completed plans whose review is overdue by more than 12 weeks.
    pub review_overdue_twelve_weeks: u32,
    pub closed: u32,
    pub transfers_to_authorise: u32,
    /// Plans shared with me that have more than one active coordinator.
    pub several_coordinators: u32,
}

impl Dashboard {
    /// Counts the plans `me` can read, and the transfers waiting for `me`.
    pub fn count<'a>(
        me: UserId,
        today: NaiveDate,
        plans: impl IntoIterator<Item = PlanOverview<'a>>,
        transfers: impl IntoIterator<Item = &'a Transfer>,
    ) -> Dashboard {
        let mut d = Dashboard::default();
        for p in plans.into_iter().filter(|p| p.sharing.can_read(me)) {
            match p.status {
                PlanStatus::Draft => d.drafts += 1,
                PlanStatus::Completed => {
                    d.completed += 1;
                    match p.next_review.map(|n| review_timeliness(n, today)) {
                        Some(ReviewTimeliness::OverdueMoreThanTwelveWeeks) => {
                            d.review_overdue_six_weeks += 1;
                            d.review_overdue_twelve_weeks += 1;
                        }
                        Some(ReviewTimeliness::OverdueMoreThanSixWeeks) => {
                            d.review_overdue_six_weeks += 1
                        }
                        _ => {}
                    }
                }
                PlanStatus::Closed => d.closed += 1,
            }
            if p.sharing.has_several_coordinators() {
                d.several_coordinators += 1;
            }
        }
        d.transfers_to_authorise = transfers.into_iter().filter(|t| t.awaits(me)).count() as u32;
        d
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::ids::{PlanId, TransferId};
    use crate::sharing::SharingRole;
    use uuid::Uuid;

    pub(crate) fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    fn address() -> Address {
        Address {
            property: "12".into(),
            street: "Testing Row".into(),
            town: "Portsmouth".into(),
            postcode: "PO1 2AB".into(),
            ..Address::default()
        }
    }

    pub(crate) fn line(n: usize) -> PlanLine {
        PlanLine {
            focus_area: "education".into(),
            need: format!("Need {n}"),
            action: "Meet with the school".into(),
            who: "Mum and school".into(),
            by_when: Some(d(2027, 1, 15)),
            score: Some(4),
        }
    }

    /// A complete, invented plan.
    pub(crate) fn complete_draft(config: &Config) -> PlanDraft {
        PlanDraft {
            consent: Consent {
                agrees_to_share: true,
                not_shared_with: vec!["Testtown Football Club".into()],
                consent_date: Some(d(2026, 11, 20)),
            },
            practitioner: Practitioner {
                name: "Sam Testworker".into(),
                agency: "school".into(),
                prompting: "family_request".into(),
                phone: "02392123456".into(),
                phone_extension: "4021".into(),
                email: "sam.testworker@example.org.uk".into(),
            },
            focus_child: FocusChild {
                first_name: "Zoë".into(),
                last_name: "Testchild".into(),
                date_of_birth: Some(d(2016, 3, 4)),
                gender: Some(Gender::Female),
            },
            main_parent: Parent {
                first_name: "Alex".into(),
                last_name: "Testparent".into(),
                address: address(),
                ..Parent::default()
            },
            second_parent: None,
            family_members: vec![FamilyMember {
                relationship: "Brother".into(),
                first_name: "Owen".into(),
                last_name: "Testchild".into(),
                date_of_birth: Some(d(2018, 5, 6)),
                gender: Some(Gender::Male),
                contact: String::new(),
                part_of_plan: true,
            }],
            contacts: ContactsAndKeyInformation {
                interpreter_needed: true,
                language: "Polish".into(),
                ..Default::default()
            },
            family_story: FamilyStory::default(),
            child_stories: vec![],
            aspects: config
                .aspects_of_life
                .iter()
                .enumerate()
                .map(|(i, a)| {
                    let score = if i == 0 {
                        ScoreInput::NotApplicable
                    } else {
                        ScoreInput::Score((i % 10 + 1) as u8)
                    };
                    (
                        a.code.clone(),
                        AspectEntry {
                            score: Some(score),
                            note: String::new(),
                        },
                    )
                })
                .collect(),
            practitioner_summary: "Things are improving.".into(),
            family_plan: vec![line(1)],
            family_name: "Testchild".into(),
            next_review: NextReview {
                date: Some(d(2027, 2, 1)),
                time: NaiveTime::from_hms_opt(10, 30, 0),
                location: "Testtown Family Hub".into(),
            },
            unfinished_dates: BTreeMap::new(),
        }
    }

    fn paths(errors: &[FieldError]) -> Vec<&str> {
        errors.iter().map(|e| e.path.as_str()).collect()
    }

    /// The boxes of a date input as typed (for the tests of every form with dates).
    pub(crate) fn parts(day: &str, month: &str, year: &str) -> DateParts {
        DateParts {
            day: day.into(),
            month: month.into(),
            year: year.into(),
        }
    }

    #[test]
    fn date_parts_say_what_is_missing() {
        assert_eq!(parts("", "", "").problem(), None);
        assert_eq!(
            parts("14", "3", "").problem().as_deref(),
            Some("must include a year")
        );
        assert_eq!(
            parts("14", "", "").problem().as_deref(),
            Some("must include a month and a year")
        );
        assert_eq!(
            parts("", "3", "2016").problem().as_deref(),
            Some("must include a day")
        );
        assert_eq!(
            parts("31", "2", "2016").problem().as_deref(),
            Some("must be a real date")
        );
        assert_eq!(
            parts("14", "3", "16").problem().as_deref(),
            Some("must be a real date")
        );
        assert_eq!(parts("14", "3", "2016").problem(), None);
        assert_eq!(parts(" 4", "03 ", "2016").to_date(), Some(d(2016, 3, 4)));
    }

    #[test]
    fn a_half_typed_date_is_kept_and_its_error_names_the_field() {
        let config = Config::builtin();
        let mut draft = complete_draft(&config);
        draft.focus_child.date_of_birth = None;
        draft.family_plan[0].by_when = None;
        draft.consent.consent_date = None;
        draft
            .unfinished_dates
            .insert("focus_child.date_of_birth".into(), parts("14", "3", ""));
        draft
            .unfinished_dates
            .insert("family_plan[0].by_when".into(), parts("", "1", "2027"));
        // An optional date half typed is an error too (it is not blank).
        draft
            .unfinished_dates
            .insert("consent.consent_date".into(), parts("2", "", ""));
        // A row that is not there any more, and a date finished since: nothing to say.
        draft
            .unfinished_dates
            .insert("family_plan[5].by_when".into(), parts("1", "", ""));
        draft
            .unfinished_dates
            .insert("next_review.date".into(), parts("1", "", ""));

        let focus = draft.validate_step(WizardStep::FocusChildAndParent, &config);
        assert_eq!(
            focus,
            vec![FieldError::new(
                "focus_child.date_of_birth",
                "The child's date of birth must include a year"
            )]
        );
        let line = draft.validate_step(WizardStep::SummaryAndFamilyPlan, &config);
        assert_eq!(
            line,
            vec![FieldError::new(
                "family_plan[0].by_when",
                "The ‘by when’ date must include a day"
            )]
        );
        let consent = draft.validate_step(WizardStep::ConsentAndPractitioner, &config);
        assert_eq!(
            consent,
            vec![FieldError::new(
                "consent.consent_date",
                "The date consent was given must include a month and a year"
            )]
        );
        assert!(draft
            .validate_step(WizardStep::FamilyNameAndReview, &config)
            .is_empty());
        assert_eq!(
            Plan::parse(draft.clone(), &config).unwrap_err().paths(),
            [
                "consent.consent_date",
                "focus_child.date_of_birth",
                "family_plan[0].by_when"
            ]
        );
        // What was typed survives a round trip through JSON (the cache, the server).
        let json = serde_json::to_value(&draft).unwrap();
        assert_eq!(
            json["unfinished_dates"]["focus_child.date_of_birth"],
            serde_json::json!({"day": "14", "month": "3", "year": ""})
        );
        let back: PlanDraft = serde_json::from_value(json).unwrap();
        assert_eq!(back, draft);
    }

    #[test]
    fn every_path_names_its_step() {
        assert_eq!(
            WizardStep::of_path("family_members[3].date_of_birth"),
            Some(WizardStep::FamilyMembers)
        );
        assert_eq!(
            WizardStep::of_path("next_review.date"),
            Some(WizardStep::FamilyNameAndReview)
        );
        assert_eq!(WizardStep::of_path("unfinished_dates"), None);
    }

    #[test]
    fn a_complete_plan_parses() {
        let config = Config::builtin();
        let plan = Plan::parse(complete_draft(&config), &config).unwrap();
        assert_eq!(plan.practitioner_phone().as_str(), "02392123456");
        assert_eq!(
            plan.practitioner_phone_extension().unwrap().as_str(),
            "4021"
        );
        assert_eq!(plan.next_review_date(), d(2027, 2, 1));
        assert_eq!(plan.focus_children().len(), 2);
        assert_eq!(
            plan.aspect_scores().get("education"),
            Some(&AspectScore::NotApplicable)
        );
    }

    #[test]
    fn a_blank_step_gives_every_error_at_once() {
        let config = Config::builtin();
        let errors =
            PlanDraft::default().validate_step(WizardStep::ConsentAndPractitioner, &config);
        assert_eq!(
            errors,
            vec![
                FieldError::new(
                    "consent.agrees_to_share",
                    "Confirm the family agrees to share information with those working with them"
                ),
                FieldError::new("practitioner.name", "Enter your name"),
                FieldError::new("practitioner.agency", "Select your agency"),
                FieldError::new(
                    "practitioner.prompting",
                    "Select what is prompting this FSP"
                ),
                FieldError::new("practitioner.phone", "Enter your phone number"),
                FieldError::new("practitioner.email", "Enter your email address"),
            ]
        );
        let errors = PlanDraft::default().validate_step(WizardStep::FocusChildAndParent, &config);
        assert_eq!(
            paths(&errors),
            [
                "focus_child.first_name",
                "focus_child.last_name",
                "focus_child.date_of_birth",
                "focus_child.gender",
                "main_parent.first_name",
                "main_parent.last_name",
                "main_parent.address.street",
                "main_parent.address.town",
                "main_parent.address.postcode",
            ]
        );
        assert_eq!(errors[2].message, "Enter the child's date of birth");
    }

    #[test]
    fn practitioner_phone_is_digits_only_with_a_separate_extension() {
        let config = Config::builtin();
        let mut draft = complete_draft(&config);
        draft.practitioner.phone = "023 9212 3456".into();
        draft.practitioner.phone_extension = "ext 21".into();
        assert_eq!(
            draft.validate_step(WizardStep::ConsentAndPractitioner, &config),
            vec![
                FieldError::new(
                    "practitioner.phone",
                    "Enter a phone number using digits only, like 02392123456"
                ),
                FieldError::new(
                    "practitioner.phone_extension",
                    "Enter the extension using up to 6 digits only, like 4021"
                ),
            ]
        );
        draft.practitioner.phone = "02392123456".into();
        draft.practitioner.phone_extension = "21".into();
        assert_eq!(
            draft.validate_step(WizardStep::ConsentAndPractitioner, &config),
            vec![]
        );
        draft.practitioner.phone_extension = String::new();
        assert_eq!(
            draft.validate_step(WizardStep::ConsentAndPractitioner, &config),
            vec![]
        );
    }

    #[test]
    fn agency_and_prompting_come_from_the_configured_lists() {
        let config = Config::builtin();
        let mut draft = complete_draft(&config);
        draft.practitioner.agency = "ministry_of_magic".into();
        assert_eq!(
            paths(&draft.validate_step(WizardStep::ConsentAndPractitioner, &config)),
            ["practitioner.agency"]
        );
    }

    #[test]
    fn a_second_parent_needs_an_address() {
        let config = Config::builtin();
        let mut draft = complete_draft(&config);
        draft.second_parent = Some(Parent {
            first_name: "Jo".into(),
            last_name: "Testparent".into(),
            ..Parent::default()
        });
        assert_eq!(
            draft.validate_step(WizardStep::FocusChildAndParent, &config),
            vec![FieldError::new(
                "second_parent.address",
                "Enter the second parent's address, or add them as a family member on the next step"
            )]
        );
        draft.second_parent.as_mut().unwrap().address = Address {
            street: "Sample Street".into(),
            town: "Havant".into(),
            postcode: "nope".into(),
            ..Address::default()
        };
        assert_eq!(
            draft.validate_step(WizardStep::FocusChildAndParent, &config),
            vec![FieldError::new(
                "second_parent.address.postcode",
                "Enter a real postcode, like PO1 2AB"
            )]
        );
        draft.second_parent.as_mut().unwrap().address.postcode = "PO9 1AA".into();
        assert_eq!(
            draft.validate_step(WizardStep::FocusChildAndParent, &config),
            vec![]
        );
        // Not entered (or left blank): no address needed.
        draft.second_parent = Some(Parent::default());
        assert_eq!(
            draft.validate_step(WizardStep::FocusChildAndParent, &config),
            vec![]
        );
    }

    #[test]
    fn no_limit_on_family_members_or_plan_lines() {
        let config = Config::builtin();
        let mut draft = complete_draft(&config);
        draft.family_members = (0..200)
            .map(|i| FamilyMember {
                relationship: "Cousin".into(),
                first_name: format!("Testcousin{i}"),
                last_name: "Testchild".into(),
                ..FamilyMember::default()
            })
            .collect();
        draft.family_plan = (0..100).map(line).collect();
        assert_eq!(draft.validate(&config), vec![]);
        let plan = Plan::parse(draft, &config).unwrap();
        assert_eq!(plan.content().family_members.len(), 200);
        assert_eq!(plan.content().family_plan.len(), 100);
    }

    #[test]
    fn family_member_errors_name_the_row_and_focus_children_need_a_date_of_birth() {
        let config = Config::builtin();
        let mut draft = complete_draft(&config);
        draft.family_members = (0..4)
            .map(|i| FamilyMember {
                relationship: "Sister".into(),
                first_name: format!("T{i}"),
                last_name: "Testchild".into(),
                ..FamilyMember::default()
            })
            .collect();
        draft.family_members[3].part_of_plan = true;
        draft.family_members[3].gender = Some(Gender::Female);
        assert_eq!(
            draft.validate_step(WizardStep::FamilyMembers, &config),
            vec![FieldError::new(
                "family_members[3].date_of_birth",
                "Enter the child's date of birth"
            )]
        );
    }

    #[test]
    fn every_aspect_scored_one_to_ten_or_not_applicable() {
        let config = Config::builtin();
        let mut draft = complete_draft(&config);
        let msg = |code: &str| {
            let label = config::label(&config.aspects_of_life, code).to_owned();
            format!("Score ‘{label}’ from 1 to 10, or choose N/A")
        };
        draft.aspects.get_mut("health").unwrap().score = Some(ScoreInput::Score(0));
        draft.aspects.get_mut("housing").unwrap().score = Some(ScoreInput::Score(11));
        draft.aspects.remove("finances");
        draft.aspects.get_mut("crime").unwrap().score = None;
        draft.aspects.insert(
            "astrology".into(),
            AspectEntry {
                score: Some(ScoreInput::Score(5)),
                note: String::new(),
            },
        );
        assert_eq!(
            draft.validate_step(WizardStep::AspectsOfLife, &config),
            vec![
                FieldError::new("aspects.health.score", msg("health")),
                FieldError::new("aspects.crime.score", msg("crime")),
                FieldError::new("aspects.housing.score", msg("housing")),
                FieldError::new("aspects.finances.score", msg("finances")),
                FieldError::new(
                    "aspects.astrology",
                    "This aspect of life is no longer in the list: remove it"
                ),
            ]
        );
        for (code, score) in [
            ("health", ScoreInput::Score(1)),
            ("housing", ScoreInput::Score(10)),
            ("crime", ScoreInput::NotApplicable),
        ] {
            draft.aspects.get_mut(code).unwrap().score = Some(score);
        }
        draft.aspects.insert(
            "finances".into(),
            AspectEntry {
                score: Some(ScoreInput::Score(7)),
                note: "Debt advice started".into(),
            },
        );
        draft.aspects.remove("astrology");
        assert_eq!(
            draft.validate_step(WizardStep::AspectsOfLife, &config),
            vec![]
        );
    }

    #[test]
    fn the_family_plan_needs_at_least_one_line() {
        let config = Config::builtin();
        let mut draft = complete_draft(&config);
        draft.family_plan.clear();
        assert_eq!(
            draft.validate_step(WizardStep::SummaryAndFamilyPlan, &config),
            vec![FieldError::new(
                "family_plan",
                "Add at least one line to the family plan"
            )]
        );
        draft.family_plan.push(PlanLine {
            score: Some(11),
            ..PlanLine::default()
        });
        assert_eq!(
            paths(&draft.validate_step(WizardStep::SummaryAndFamilyPlan, &config)),
            [
                "family_plan[0].focus_area",
                "family_plan[0].need",
                "family_plan[0].action",
                "family_plan[0].who",
                "family_plan[0].by_when",
                "family_plan[0].score"
            ]
        );
    }

    #[test]
    fn the_last_step_needs_family_name_and_next_review() {
        let config = Config::builtin();
        assert_eq!(
            PlanDraft::default().validate_step(WizardStep::FamilyNameAndReview, &config),
            vec![
                FieldError::new("family_name", "Enter the family name"),
                FieldError::new("next_review.date", "Enter the date of the next review"),
                FieldError::new("next_review.time", "Enter the time of the next review"),
                FieldError::new(
                    "next_review.location",
                    "Enter where the next review will be"
                ),
            ]
        );
    }

    #[test]
    fn optional_steps_and_partial_json() {
        let config = Config::builtin();
        let draft: PlanDraft =
            serde_json::from_str(r#"{"practitioner":{"name":"Sam Testworker"}}"#).unwrap();
        assert_eq!(draft.practitioner.name, "Sam Testworker");
        assert_eq!(
            draft.validate_step(WizardStep::FamilyStory, &config),
            vec![]
        );
        assert_eq!(draft.validate_step(WizardStep::ChildStory, &config), vec![]);
        let errors = Plan::parse(draft, &config).unwrap_err();
        assert!(errors.errors().len() > 20);
        let config_steps = complete_draft(&config).completed_steps(&config);
        assert_eq!(config_steps, WizardStep::ALL.to_vec());
        assert_eq!(WizardStep::FamilyNameAndReview.number(), 9);
    }

    #[test]
    fn plan_status_machine() {
        assert_eq!(
            PlanStatus::Draft.apply(PlanEvent::Finish),
            Ok(PlanStatus::Completed)
        );
        assert_eq!(
            PlanStatus::Completed.apply(PlanEvent::CloseByReview),
            Ok(PlanStatus::Closed)
        );
        assert_eq!(
            PlanStatus::Draft.apply(PlanEvent::CloseByReview),
            Err(TransitionError::new(RecordKind::Plan, "draft", "close"))
        );
        assert!(PlanStatus::Closed.apply(PlanEvent::Finish).is_err());
        assert!(PlanStatus::Completed.apply(PlanEvent::Finish).is_err());
    }

    #[test]
    fn dashboard_tiles() {
        let me = UserId(Uuid::from_u128(1));
        let someone = UserId(Uuid::from_u128(2));
        let mine = SharingList::new(me);
        let shared = SharingList::new(someone)
            .attach(someone, me, SharingRole::Coordinator, true)
            .unwrap();
        let not_mine = SharingList::new(someone);
        let today = d(2026, 11, 21);
        let weeks_ago = |w: i64| today - chrono::Duration::weeks(w);
        let plans = [
            PlanOverview {
                status: PlanStatus::Draft,
                next_review: None,
                sharing: &mine,
            },
            PlanOverview {
                status: PlanStatus::Completed,
                next_review: Some(today),
                sharing: &mine,
            },
            PlanOverview {
                status: PlanStatus::Completed,
                next_review: Some(weeks_ago(6)),
                sharing: &mine,
            },
            PlanOverview {
                status: PlanStatus::Completed,
                next_review: Some(weeks_ago(7)),
                sharing: &shared,
            },
            PlanOverview {
                status: PlanStatus::Completed,
                next_review: Some(weeks_ago(13)),
                sharing: &mine,
            },
            PlanOverview {
                status: PlanStatus::Closed,
                next_review: Some(weeks_ago(30)),
                sharing: &mine,
            },
            PlanOverview {
                status: PlanStatus::Completed,
                next_review: Some(weeks_ago(30)),
                sharing: &not_mine,
            },
        ];
        let t = Transfer::request(
            TransferId(Uuid::from_u128(5)),
            PlanId(Uuid::from_u128(6)),
            someone,
            me,
            &not_mine,
        )
        .unwrap();
        let d = Dashboard::count(me, today, plans, [&t]);
        assert_eq!(
            d,
            Dashboard {
                drafts: 1,
                completed: 4,
                review_overdue_six_weeks: 2,
                review_overdue_twelve_weeks: 1,
                closed: 1,
                transfers_to_authorise: 1,
                several_coordinators: 1,
            }
        );
    }
}
