//! Referral to the MASH (seed 003): referrer, children, household, concerns, consent,
//! and the referral type. Drafts are deleted 30 days after their last save (see
//! [`crate::dates::draft_expiry`]); a submitted referral goes to the MASH work tray where
//! triage records an outcome.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::config::{self, Config};
use crate::contact::{self, Address, Gender, Postcode};
use crate::kind::RecordKind;
use crate::plan::DateParts;
use crate::validation::{is_blank, item, join, Errors, FieldError, ValidationErrors};
use crate::workflow::TransitionError;

pub use crate::dates::{draft_expires_at, draft_expiry, draft_warn_from, DraftExpiry};

/// How far apart two dates of birth may be and still match, when the referral's date of
/// birth is estimated.
pub const ESTIMATED_DOB_TOLERANCE_DAYS: i64 = 366;

/// The pages of the referral form, in order. Each edits some top-level fields of the
/// draft ([`ReferralStep::of_field`]); a step's errors are the whole referral's errors on
/// those fields.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
pub enum ReferralStep {
    TypeAndReferrer,
    Children,
    Household,
    Concerns,
    Consent,
}

impl ReferralStep {
    pub const ALL: [ReferralStep; 5] = [
        ReferralStep::TypeAndReferrer,
        ReferralStep::Children,
        ReferralStep::Household,
        ReferralStep::Concerns,
        ReferralStep::Consent,
    ];

    /// 1 to 5.
    pub fn number(self) -> u8 {
        ReferralStep::ALL
            .iter()
            .position(|s| *s == self)
            .map_or(0, |i| i as u8 + 1)
    }

    /// The question page's heading.
    pub fn title(self) -> &'static str {
        match self {
            ReferralStep::TypeAndReferrer => "Type of referral and your details",
            ReferralStep::Children => "The children",
            ReferralStep::Household => "Parents, carers and household",
            ReferralStep::Concerns => "Concerns and support needed",
            ReferralStep::Consent => "Consent",
        }
    }

    /// The top-level draft fields this step's page edits.
    pub fn fields(self) -> &'static [&'static str] {
        match self {
            ReferralStep::TypeAndReferrer => &["referral_type", "referrer"],
            ReferralStep::Children => &["children"],
            ReferralStep::Household => &["household"],
            ReferralStep::Concerns => &["concerns", "support_needed", "previous_references"],
            ReferralStep::Consent => &["consent"],
        }
    }

    /// The step whose page edits the top-level field `key`; `None` for a field of no
    /// single step (`unfinished_dates`).
    pub fn of_field(key: &str) -> Option<ReferralStep> {
        ReferralStep::ALL
            .into_iter()
            .find(|s| s.fields().contains(&key))
    }

    /// The step of the field at a validation path (`children[1].date_of_birth`).
    pub fn of_path(path: &str) -> Option<ReferralStep> {
        ReferralStep::of_field(path.split(['.', '[']).next().unwrap_or_default())
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
pub enum ReferralType {
    /// Needs the family's consent.
    EarlyHelp,
    /// Can be submitted without consent (safety concerns, emergencies).
    Safeguarding,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(default)]
pub struct Referrer {
    pub name: String,
    pub role: String,
    pub organisation: String,
    pub phone: String,
    pub phone_extension: String,
    pub email: String,
    /// The organisation's main number, for when the referrer cannot be reached.
    pub organisation_phone: String,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(default)]
pub struct ReferralChild {
    pub first_name: String,
    pub last_name: String,
    /// Mandatory; when not known, a best guess with `date_of_birth_estimated` ticked.
    pub date_of_birth: Option<NaiveDate>,
    /// "Is the date of birth estimated?" Relaxes the matching at triage.
    pub date_of_birth_estimated: bool,
    /// Code from [`Config::ethnicities`]; mandatory.
    pub ethnicity: String,
    pub gender: Option<Gender>,
    pub address: Address,
    pub school: String,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(default)]
pub struct HouseholdMember {
    /// "Mother", "Stepfather", "Lodger", …
    pub relationship: String,
    pub first_name: String,
    pub last_name: String,
    pub date_of_birth: Option<NaiveDate>,
    pub parental_responsibility: bool,
    pub lives_with_child: bool,
    pub phone: String,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(default)]
pub struct ReferralConsent {
    /// Has the family given consent to this referral?
    pub given: Option<bool>,
    /// Mandatory when consent has not been given.
    pub reason_not_given: String,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(default)]
pub struct ReferralDraft {
    pub referral_type: Option<ReferralType>,
    pub referrer: Referrer,
    pub children: Vec<ReferralChild>,
    pub household: Vec<HouseholdMember>,
    pub concerns: String,
    /// What support or action the referrer thinks is needed.
    pub support_needed: String,
    /// References of earlier referrals for the same child.
    pub previous_references: Vec<String>,
    pub consent: ReferralConsent,
    /// Dates typed but not finished, by validation path (`children[0].date_of_birth`):
    /// each is an error naming its field until its date is whole. Every step's save
    /// carries it.
    pub unfinished_dates: BTreeMap<String, DateParts>,
}

/// Message when an Early Help referral has no consent.
pub const EARLY_HELP_NEEDS_CONSENT: &str = "An Early Help referral needs the family's consent. If a child may be at risk of harm, make a safeguarding referral instead";

impl ReferralDraft {
    /// Every error that stops the referral being submitted.
    pub fn validate(&self, config: &Config) -> Vec<FieldError> {
        let mut e = Errors::new();
        e.required_some(
            "referral_type",
            &self.referral_type,
            "Select whether this is an Early Help or a safeguarding referral",
        );

        let r = &self.referrer;
        e.required("referrer.name", &r.name, "Enter your name");
        e.required("referrer.role", &r.role, "Enter your role");
        e.required(
            "referrer.organisation",
            &r.organisation,
            "Enter your organisation",
        );
        contact::check_phone(
            &mut e,
            "referrer.phone".into(),
            &r.phone,
            Some("referrer.phone_extension".into()),
            &r.phone_extension,
            "Enter your phone number",
        );
        contact::check_email(
            &mut e,
            "referrer.email".into(),
            &r.email,
            "Enter your email address",
        );
        contact::check_optional_phone(
            &mut e,
            "referrer.organisation_phone".into(),
            &r.organisation_phone,
        );

        if self.children.is_empty() {
            e.push("children", "Add the child this referral is about");
        }
        for (i, c) in self.children.iter().enumerate() {
            let at = item("children", i);
            e.required(
                join(&at, "first_name"),
                &c.first_name,
                "Enter the child's first name",
            );
            e.required(
                join(&at, "last_name"),
                &c.last_name,
                "Enter the child's last name",
            );
            e.required_some(
                join(&at, "date_of_birth"),
                &c.date_of_birth,
                "Enter the child's date of birth. If you do not know it, enter your best guess and tick ‘Is the date of birth estimated?’",
            );
            if config::find(&config.ethnicities, &c.ethnicity).is_none() {
                e.push(join(&at, "ethnicity"), "Select the child's ethnicity");
            }
            e.required_some(join(&at, "gender"), &c.gender, "Select the child's gender");
            if !is_blank(&c.address.postcode) && Postcode::parse(&c.address.postcode).is_err() {
                e.push(join(&at, "address.postcode"), contact::POSTCODE_MESSAGE);
            }
        }
        for (i, m) in self.household.iter().enumerate() {
            let at = item("household", i);
            e.required(
                join(&at, "relationship"),
                &m.relationship,
                "Enter how this person is related to the child",
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
            contact::check_optional_phone(&mut e, join(&at, "phone"), &m.phone);
        }
        e.required(
            "concerns",
            &self.concerns,
            "Enter your concerns about the child",
        );
        e.required(
            "support_needed",
            &self.support_needed,
            "Enter what support or action you think is needed",
        );
        for (i, reference) in self.previous_references.iter().enumerate() {
            e.required(
                item("previous_references", i),
                reference,
                "Enter the reference, or remove the line",
            );
        }

        match self.consent.given {
            None => e.push(
                "consent.given",
                "Select whether the family has given consent",
            ),
            Some(false) => {
                e.required(
                    "consent.reason_not_given",
                    &self.consent.reason_not_given,
                    "Enter why consent has not been given",
                );
                if self.referral_type == Some(ReferralType::EarlyHelp) {
                    e.push("consent.given", EARLY_HELP_NEEDS_CONSENT);
                }
            }
            Some(true) => {}
        }
        self.check_unfinished_dates(&mut e);
        e.into_vec()
    }

    /// The errors on one page of the form.
    pub fn validate_step(&self, step: ReferralStep, config: &Config) -> Vec<FieldError> {
        self.validate(config)
            .into_iter()
            .filter(|e| ReferralStep::of_path(&e.path) == Some(step))
            .collect()
    }

    /// A half-typed date is an error naming its field, in place of "Enter the date" (a
    /// date left blank). Entries for a date now whole, or a row no longer there, say nothing.
    fn check_unfinished_dates(&self, e: &mut Errors) {
        for (path, parts) in &self.unfinished_dates {
            if let Some((label, date)) = self.date_at(path) {
                e.unfinished_date(path, label, date, Some(parts));
            }
        }
    }

    /// The label and value of the date field at a validation path, if there is one.
    fn date_at(&self, path: &str) -> Option<(&'static str, Option<NaiveDate>)> {
        let row = |list: &str| -> Option<usize> {
            path.strip_prefix(list)?
                .strip_prefix('[')?
                .strip_suffix("].date_of_birth")?
                .parse()
                .ok()
        };
        if let Some(i) = row("children") {
            let child = self.children.get(i)?;
            return Some(("The child's date of birth", child.date_of_birth));
        }
        if let Some(i) = row("household") {
            let member = self.household.get(i)?;
            return Some(("This person's date of birth", member.date_of_birth));
        }
        None
    }
}

/// A referral ready to submit. Built only by [`Referral::parse`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct Referral {
    content: ReferralDraft,
    referral_type: ReferralType,
    consent_given: bool,
}

impl Referral {
    pub fn parse(draft: ReferralDraft, config: &Config) -> Result<Referral, ValidationErrors> {
        ValidationErrors::check(draft.validate(config))?;
        let missing = |p: &str| ValidationErrors(vec![FieldError::new(p, "Check this answer")]);
        let referral_type = draft
            .referral_type
            .ok_or_else(|| missing("referral_type"))?;
        let consent_given = draft
            .consent
            .given
            .ok_or_else(|| missing("consent.given"))?;
        Ok(Referral {
            content: draft,
            referral_type,
            consent_given,
        })
    }

    pub fn content(&self) -> &ReferralDraft {
        &self.content
    }

    pub fn referral_type(&self) -> ReferralType {
        self.referral_type
    }

    pub fn consent_given(&self) -> bool {
        self.consent_given
    }
}

/// What the MASH decided.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
pub enum TriageOutcome {
    NoFurtherAction,
    AdviceAndSignposting,
    EarlyHelp,
    EarlyHelpUniversalPlus,
    SocialCareAssessment,
    StrategyDiscussion,
}

/// Draft → submitted (in the MASH work tray) → outcome recorded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum ReferralStatus {
    Draft,
    Submitted,
    OutcomeRecorded { outcome: TriageOutcome },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum ReferralEvent {
    /// Only after [`Referral::parse`] succeeded.
    Submit,
    RecordOutcome {
        outcome: TriageOutcome,
    },
}

impl ReferralStatus {
    pub fn apply(self, event: ReferralEvent) -> Result<ReferralStatus, TransitionError> {
        match (self, event) {
            (ReferralStatus::Draft, ReferralEvent::Submit) => Ok(ReferralStatus::Submitted),
            (ReferralStatus::Submitted, ReferralEvent::RecordOutcome { outcome }) => {
                Ok(ReferralStatus::OutcomeRecorded { outcome })
            }
            (from, event) => Err(TransitionError::new(
                RecordKind::Referral,
                match from {
                    ReferralStatus::Draft => "draft",
                    ReferralStatus::Submitted => "submitted",
                    ReferralStatus::OutcomeRecorded { .. } => "outcome_recorded",
                },
                match event {
                    ReferralEvent::Submit => "submit",
                    ReferralEvent::RecordOutcome { .. } => "record_outcome",
                },
            )),
        }
    }

    /// Drafts expire; submitted referrals never do.
    pub fn can_expire(self) -> bool {
        self == ReferralStatus::Draft
    }
}

/// Triage: might an existing record (name and date of birth) be this child? Names match
/// case-insensitively; dates of birth exactly, or within [`ESTIMATED_DOB_TOLERANCE_DAYS`]
/// when either date is estimated: the referral's (its tick relaxes the search, seed 003),
/// or the record's (an earlier referral whose referrer ticked it holds a guess too).
pub fn may_be_same_child(
    child: &ReferralChild,
    first_name: &str,
    last_name: &str,
    date_of_birth: NaiveDate,
    date_of_birth_estimated: bool,
) -> bool {
    let same = |a: &str, b: &str| a.trim().to_lowercase() == b.trim().to_lowercase();
    let names = same(&child.first_name, first_name) && same(&child.last_name, last_name);
    let dob = match child.date_of_birth {
        None => false,
        Some(d) if child.date_of_birth_estimated || date_of_birth_estimated => {
            (d - date_of_birth).num_days().abs() <= ESTIMATED_DOB_TOLERANCE_DAYS
        }
        Some(d) => d == date_of_birth,
    };
    names && dob
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dates::DRAFT_EXPIRY_WARNING_DAYS;
    use chrono::{Duration, TimeZone, Utc};

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    fn child() -> ReferralChild {
        ReferralChild {
            first_name: "Zoë".into(),
            last_name: "Testchild".into(),
            date_of_birth: Some(d(2016, 3, 4)),
            date_of_birth_estimated: false,
            ethnicity: "white_british".into(),
            gender: Some(Gender::Female),
            address: Address {
                street: "Testing Row".into(),
                town: "Romford".into(),
                postcode: "RM1 3AB".into(),
                ..Address::default()
            },
            school: "Testbrook Primary".into(),
        }
    }

    fn draft(kind: ReferralType, consent: Option<bool>) -> ReferralDraft {
        ReferralDraft {
            referral_type: Some(kind),
            referrer: Referrer {
                name: "Sam Testworker".into(),
                role: "Designated safeguarding lead".into(),
                organisation: "Testbrook Primary".into(),
                phone: "01708123456".into(),
                phone_extension: String::new(),
                email: "sam.testworker@example.org.uk".into(),
                organisation_phone: "01708000000".into(),
            },
            children: vec![child()],
            household: vec![],
            concerns: "Zoë has missed 20 days of school this term.".into(),
            support_needed: "Family support worker.".into(),
            previous_references: vec!["MARF-000042".into()],
            consent: ReferralConsent {
                given: consent,
                reason_not_given: String::new(),
            },
            unfinished_dates: BTreeMap::new(),
        }
    }

    #[test]
    fn every_field_is_on_one_step_and_step_errors_partition_the_whole() {
        let json = serde_json::to_value(ReferralDraft::default()).unwrap();
        for key in json.as_object().unwrap().keys() {
            let steps: Vec<_> = ReferralStep::ALL
                .iter()
                .filter(|s| s.fields().contains(&key.as_str()))
                .collect();
            if key == "unfinished_dates" {
                assert!(steps.is_empty());
            } else {
                assert_eq!(steps.len(), 1, "{key}");
            }
        }
        let config = Config::builtin();
        let blank = ReferralDraft::default();
        let mut by_step: Vec<FieldError> = ReferralStep::ALL
            .iter()
            .flat_map(|s| blank.validate_step(*s, &config))
            .collect();
        let mut all = blank.validate(&config);
        by_step.sort_by(|a, b| a.path.cmp(&b.path));
        all.sort_by(|a, b| a.path.cmp(&b.path));
        assert_eq!(by_step, all);
        assert_eq!(
            ReferralStep::of_path("children[2].address.postcode"),
            Some(ReferralStep::Children)
        );
        assert_eq!(ReferralStep::Consent.number(), 5);
    }

    #[test]
    fn a_half_typed_date_of_birth_is_named_until_it_is_whole() {
        let config = Config::builtin();
        let mut r = draft(ReferralType::EarlyHelp, Some(true));
        r.children[0].date_of_birth = None;
        r.unfinished_dates.insert(
            "children[0].date_of_birth".into(),
            DateParts {
                day: "4".into(),
                month: "3".into(),
                year: String::new(),
            },
        );
        // A row that is not there says nothing.
        r.unfinished_dates.insert(
            "household[3].date_of_birth".into(),
            DateParts {
                day: "1".into(),
                ..DateParts::default()
            },
        );
        assert_eq!(
            r.validate_step(ReferralStep::Children, &config),
            vec![FieldError::new(
                "children[0].date_of_birth",
                "The child's date of birth must include a year"
            )]
        );
        r.children[0].date_of_birth = Some(d(2016, 3, 4));
        assert_eq!(r.validate(&config), vec![]);
    }

    #[test]
    fn a_complete_early_help_referral_with_consent_submits() {
        let config = Config::builtin();
        let r = Referral::parse(draft(ReferralType::EarlyHelp, Some(true)), &config).unwrap();
        assert!(r.consent_given());
        assert_eq!(
            ReferralStatus::Draft.apply(ReferralEvent::Submit),
            Ok(ReferralStatus::Submitted)
        );
    }

    #[test]
    fn no_consent_needs_a_reason() {
        let config = Config::builtin();
        let mut r = draft(ReferralType::Safeguarding, Some(false));
        assert_eq!(
            r.validate(&config),
            vec![FieldError::new(
                "consent.reason_not_given",
                "Enter why consent has not been given"
            )]
        );
        r.consent.reason_not_given = "Telling the parents could put the child at risk".into();
        assert_eq!(r.validate(&config), vec![]);
    }

    #[test]
    fn early_help_needs_consent_but_safeguarding_does_not() {
        let config = Config::builtin();
        let mut eh = draft(ReferralType::EarlyHelp, Some(false));
        eh.consent.reason_not_given = "Parents not yet asked".into();
        assert_eq!(
            Referral::parse(eh, &config).unwrap_err().into_vec(),
            vec![FieldError::new("consent.given", EARLY_HELP_NEEDS_CONSENT)]
        );

        let mut sg = draft(ReferralType::Safeguarding, Some(false));
        sg.consent.reason_not_given = "Immediate safety concern".into();
        let submitted = Referral::parse(sg, &config).unwrap();
        assert!(!submitted.consent_given());
        assert_eq!(submitted.referral_type(), ReferralType::Safeguarding);

        let unanswered = draft(ReferralType::Safeguarding, None);
        assert_eq!(
            unanswered.validate(&config),
            vec![FieldError::new(
                "consent.given",
                "Select whether the family has given consent"
            )]
        );
    }

    #[test]
    fn date_of_birth_is_mandatory_and_may_be_estimated() {
        let config = Config::builtin();
        let mut r = draft(ReferralType::EarlyHelp, Some(true));
        r.children[0].date_of_birth = None;
        r.children[0].date_of_birth_estimated = true;
        assert_eq!(
            r.validate(&config),
            vec![FieldError::new(
                "children[0].date_of_birth",
                "Enter the child's date of birth. If you do not know it, enter your best guess and tick ‘Is the date of birth estimated?’"
            )]
        );
        r.children[0].date_of_birth = Some(d(2015, 1, 1));
        let submitted = Referral::parse(r, &config).unwrap();
        assert!(submitted.content().children[0].date_of_birth_estimated);
    }

    #[test]
    fn ethnicity_is_mandatory_and_from_the_configured_list() {
        let config = Config::builtin();
        let mut r = draft(ReferralType::EarlyHelp, Some(true));
        r.children[0].ethnicity = String::new();
        assert_eq!(
            r.validate(&config),
            vec![FieldError::new(
                "children[0].ethnicity",
                "Select the child's ethnicity"
            )]
        );
        r.children[0].ethnicity = "martian".into();
        assert_eq!(
            r.validate(&config),
            vec![FieldError::new(
                "children[0].ethnicity",
                "Select the child's ethnicity"
            )]
        );
        r.children[0].ethnicity = "not_known".into();
        assert_eq!(r.validate(&config), vec![]);
    }

    #[test]
    fn gender_is_mandatory_and_from_the_list() {
        let config = Config::builtin();
        let mut r = draft(ReferralType::EarlyHelp, Some(true));
        r.children[0].gender = None;
        assert_eq!(
            r.validate(&config),
            vec![FieldError::new(
                "children[0].gender",
                "Select the child's gender"
            )]
        );
        let json = serde_json::to_value(draft(ReferralType::EarlyHelp, Some(true))).unwrap();
        let mut bad = json.clone();
        bad["children"][0]["gender"] = serde_json::json!("unknown");
        assert!(serde_json::from_value::<ReferralDraft>(bad).is_err());
        let mut unborn = json;
        unborn["children"][0]["gender"] = serde_json::json!("unborn");
        assert_eq!(
            serde_json::from_value::<ReferralDraft>(unborn)
                .unwrap()
                .children[0]
                .gender,
            Some(Gender::Unborn)
        );
    }

    #[test]
    fn a_blank_referral_gives_every_error_at_once() {
        let config = Config::builtin();
        let paths: Vec<_> = ReferralDraft::default()
            .validate(&config)
            .into_iter()
            .map(|e| e.path)
            .collect();
        assert_eq!(
            paths,
            [
                "referral_type",
                "referrer.name",
                "referrer.role",
                "referrer.organisation",
                "referrer.phone",
                "referrer.email",
                "children",
                "concerns",
                "support_needed",
                "consent.given"
            ]
        );
    }

    #[test]
    fn draft_expiry_moves_with_every_save() {
        let first = Utc.with_ymd_and_hms(2026, 11, 1, 10, 0, 0).unwrap();
        let second = first + Duration::days(12);
        assert_eq!(draft_expires_at(first), first + Duration::days(30));
        assert_eq!(
            draft_expires_at(second),
            Utc.with_ymd_and_hms(2026, 12, 13, 10, 0, 0).unwrap()
        );
        assert_eq!(
            draft_warn_from(second),
            draft_expires_at(second) - Duration::days(DRAFT_EXPIRY_WARNING_DAYS)
        );
        let now = first + Duration::days(31);
        assert_eq!(draft_expiry(first, now), DraftExpiry::Expired);
        assert_eq!(
            draft_expiry(second, now),
            DraftExpiry::Kept {
                expires_at: draft_expires_at(second)
            }
        );
        let later = Utc.with_ymd_and_hms(2026, 12, 9, 10, 0, 0).unwrap();
        assert_eq!(
            draft_expiry(second, later),
            DraftExpiry::ExpiresSoon {
                expires_at: draft_expires_at(second)
            }
        );
        assert!(ReferralStatus::Draft.can_expire());
        assert!(!ReferralStatus::Submitted.can_expire());
    }

    #[test]
    fn referral_status_machine() {
        let outcome = TriageOutcome::EarlyHelp;
        assert_eq!(
            ReferralStatus::Submitted.apply(ReferralEvent::RecordOutcome { outcome }),
            Ok(ReferralStatus::OutcomeRecorded { outcome })
        );
        assert_eq!(
            ReferralStatus::Draft.apply(ReferralEvent::RecordOutcome { outcome }),
            Err(TransitionError::new(
                RecordKind::Referral,
                "draft",
                "record_outcome"
            ))
        );
        assert!(ReferralStatus::Submitted
            .apply(ReferralEvent::Submit)
            .is_err());
        assert!(ReferralStatus::OutcomeRecorded { outcome }
            .apply(ReferralEvent::RecordOutcome { outcome })
            .is_err());
    }

    #[test]
    fn estimated_dates_of_birth_match_more_loosely() {
        let mut c = child();
        assert!(may_be_same_child(
            &c,
            "zoë",
            "TESTCHILD",
            d(2016, 3, 4),
            false
        ));
        assert!(!may_be_same_child(
            &c,
            "Zoë",
            "Testchild",
            d(2016, 3, 5),
            false
        ));
        assert!(!may_be_same_child(
            &c,
            "Zoe",
            "Testchild",
            d(2016, 3, 4),
            false
        ));
        // The record's date is a guess: looser too, but never looser than a year.
        assert!(may_be_same_child(
            &c,
            "Zoë",
            "Testchild",
            d(2016, 9, 5),
            true
        ));
        assert!(!may_be_same_child(
            &c,
            "Zoë",
            "Testchild",
            d(2018, 3, 4),
            true
        ));
        c.date_of_birth_estimated = true;
        assert!(may_be_same_child(
            &c,
            "Zoë",
            "Testchild",
            d(2016, 9, 5),
            false
        ));
        assert!(!may_be_same_child(
            &c,
            "Zoë",
            "Testchild",
            d(2018, 3, 4),
            false
        ));
        assert!(!may_be_same_child(
            &c,
            "Owen",
            "Testchild",
            d(2016, 3, 4),
            true
        ));
        c.date_of_birth = None;
        assert!(!may_be_same_child(
            &c,
            "Zoë",
            "Testchild",
            d(2016, 3, 4),
            true
        ));
    }
}
