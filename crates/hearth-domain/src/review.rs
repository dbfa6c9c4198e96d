//! A review of a completed plan: who attended, the plan's sections updated (prefilled
//! from the current plan), aspects re-scored, progress on each plan line, and either the
//! next review date or the plan's closure with a reason from the configured list.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use chrono::NaiveDate;

use crate::config::{self, Config};
use crate::plan::{DateParts, Plan, PlanDraft, PlanEvent, WizardStep};
use crate::validation::{item, join, Errors, FieldError, ValidationErrors};

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(default)]
pub struct Attendee {
    pub name: String,
    /// "Mum", "Class teacher", "Health visitor", …
    pub role: String,
}

/// How a line of the plan being reviewed is going.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
pub enum LineProgressStatus {
    Achieved,
    InProgress,
    NotStarted,
    NoLongerNeeded,
}

/// Progress on one line of the plan as it was before the review.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(default)]
pub struct LineProgress {
    /// Copied from the plan line, to show beside the answer.
    pub need: String,
    pub status: Option<LineProgressStatus>,
    pub note: String,
    /// 1 to 10, optional.
    pub score: Option<u8>,
}

/// Next steps, chosen on the last page of the review.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
pub enum NextSteps {
    /// Keep the plan going; the next review date is required.
    Continue,
    /// "Close the family support plan because…"
    Close,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(default)]
pub struct ReviewDraft {
    pub held_on: Option<NaiveDate>,
    pub attendees: Vec<Attendee>,
    /// The plan as updated at this review, prefilled from the current plan. Its aspects
    /// are the re-scored aspects; its family plan the lines going forward; its next
    /// review the next review date.
    pub updated_plan: PlanDraft,
    /// One entry per line of the plan as it was (same order).
    pub line_progress: Vec<LineProgress>,
    pub review_summary: String,
    pub next_steps: Option<NextSteps>,
    /// Code from [`Config::closure_reasons`]; required when closing.
    pub closure_reason: String,
    /// The review's own dates typed but not finished (`held_on`), kept as the wizard keeps
    /// the plan's (dates inside the updated plan are in its own `unfinished_dates`): an
    /// error naming the field until the date is whole.
    pub unfinished_dates: BTreeMap<String, DateParts>,
}

impl ReviewDraft {
    /// A new review of `plan`: sections prefilled, one progress entry per plan line,
    /// scores kept for re-scoring, next review date cleared.
    pub fn prefilled_from(plan: &Plan) -> ReviewDraft {
        let mut updated_plan = plan.content().clone();
        updated_plan.next_review = Default::default();
        ReviewDraft {
            line_progress: plan
                .content()
                .family_plan
                .iter()
                .map(|l| LineProgress {
                    need: l.need.clone(),
                    ..LineProgress::default()
                })
                .collect(),
            updated_plan,
            ..ReviewDraft::default()
        }
    }

    /// Every error at once. Paths into the updated plan start with `updated_plan.`.
    pub fn validate(&self, config: &Config) -> Vec<FieldError> {
        let mut e = Errors::new();
        e.required_some(
            "held_on",
            &self.held_on,
            "Enter the date of the review meeting",
        );
        // A meeting date typed but not finished: named, in place of "Enter the date".
        e.unfinished_date(
            "held_on",
            "The date of the review meeting",
            self.held_on,
            self.unfinished_dates.get("held_on"),
        );
        if self.attendees.is_empty() {
            e.push("attendees", "Add who attended the review");
        }
        for (i, a) in self.attendees.iter().enumerate() {
            e.required(
                join(&item("attendees", i), "name"),
                &a.name,
                "Enter the name of the person who attended",
            );
        }
        let closing = self.next_steps == Some(NextSteps::Close);
        for step in WizardStep::ALL {
            if closing && step == WizardStep::FamilyNameAndReview {
                e.required(
                    "updated_plan.family_name",
                    &self.updated_plan.family_name,
                    "Enter the family name",
                );
                continue;
            }
            if closing && step == WizardStep::SummaryAndFamilyPlan {
                // A closing plan needs no lines going forward, but any left must be whole.
                for (i, line) in self.updated_plan.family_plan.iter().enumerate() {
                    crate::plan::check_plan_line(
                        &mut e,
                        &item("updated_plan.family_plan", i),
                        line,
                        config,
                    );
                }
                continue;
            }
            for err in self.updated_plan.validate_step(step, config) {
                e.push(join("updated_plan", &err.path), err.message);
            }
        }
        for (i, p) in self.line_progress.iter().enumerate() {
            let at = item("line_progress", i);
            e.required_some(
                join(&at, "status"),
                &p.status,
                "Select how this part of the plan is going",
            );
            if p.score.is_some_and(|s| !(1..=10).contains(&s)) {
                e.push(
                    join(&at, "score"),
                    "Score this line from 1 to 10, or leave it blank",
                );
            }
        }
        match self.next_steps {
            None => e.push("next_steps", "Select whether the plan continues or closes"),
            Some(NextSteps::Close) => {
                if config::find(&config.closure_reasons, &self.closure_reason).is_none() {
                    e.push(
                        "closure_reason",
                        "Select why the family support plan is closing",
                    );
                }
            }
            Some(NextSteps::Continue) => {}
        }
        e.into_vec()
    }
}

/// A complete review. Built only by [`Review::parse`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct Review {
    content: ReviewDraft,
    held_on: NaiveDate,
}

impl Review {
    pub fn parse(draft: ReviewDraft, config: &Config) -> Result<Review, ValidationErrors> {
        ValidationErrors::check(draft.validate(config))?;
        let held_on = draft.held_on.ok_or_else(|| {
            ValidationErrors(vec![FieldError::new(
                "held_on",
                "Enter the date of the review meeting",
            )])
        })?;
        Ok(Review {
            content: draft,
            held_on,
        })
    }

    pub fn content(&self) -> &ReviewDraft {
        &self.content
    }

    pub fn held_on(&self) -> NaiveDate {
        self.held_on
    }

    /// The plan as it stands after the review.
    pub fn updated_plan(&self) -> &PlanDraft {
        &self.content.updated_plan
    }

    /// The closure reason code when this review closes the plan.
    pub fn closure_reason(&self) -> Option<&str> {
        (self.content.next_steps == Some(NextSteps::Close))
            .then_some(self.content.closure_reason.as_str())
    }

    /// What to apply to the plan's status: [`PlanEvent::CloseByReview`] or nothing.
    pub fn plan_event(&self) -> Option<PlanEvent> {
        self.closure_reason().map(|_| PlanEvent::CloseByReview)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plan::tests::{complete_draft, d};
    use crate::plan::{PlanStatus, ScoreInput};

    fn plan(config: &Config) -> Plan {
        Plan::parse(complete_draft(config), config).unwrap()
    }

    fn filled(config: &Config) -> ReviewDraft {
        let mut r = ReviewDraft::prefilled_from(&plan(config));
        r.held_on = Some(d(2027, 2, 1));
        r.attendees = vec![Attendee {
            name: "Alex Testparent".into(),
            role: "Parent".into(),
        }];
        r.line_progress[0].status = Some(LineProgressStatus::InProgress);
        r
    }

    #[test]
    fn prefilled_from_the_plan() {
        let config = Config::builtin();
        let r = ReviewDraft::prefilled_from(&plan(&config));
        assert_eq!(r.updated_plan.family_name, "Testchild");
        assert_eq!(r.updated_plan.aspects.len(), config.aspects_of_life.len());
        assert_eq!(r.line_progress.len(), 1);
        assert_eq!(r.line_progress[0].need, "Need 1");
        assert_eq!(r.updated_plan.next_review.date, None);
    }

    #[test]
    fn a_blank_review_gives_every_error() {
        let config = Config::builtin();
        let errors = ReviewDraft::prefilled_from(&plan(&config)).validate(&config);
        let paths: Vec<_> = errors.iter().map(|e| e.path.as_str()).collect();
        assert_eq!(
            paths,
            [
                "held_on",
                "attendees",
                "updated_plan.next_review.date",
                "updated_plan.next_review.time",
                "updated_plan.next_review.location",
                "line_progress[0].status",
                "next_steps",
            ]
        );
    }

    #[test]
    fn continuing_needs_a_next_review_and_rescored_aspects() {
        let config = Config::builtin();
        let mut r = filled(&config);
        r.next_steps = Some(NextSteps::Continue);
        r.updated_plan.aspects.get_mut("health").unwrap().score = Some(ScoreInput::Score(12));
        let errors = r.validate(&config);
        assert_eq!(
            errors.iter().map(|e| e.path.as_str()).collect::<Vec<_>>(),
            [
                "updated_plan.aspects.health.score",
                "updated_plan.next_review.date",
                "updated_plan.next_review.time",
                "updated_plan.next_review.location"
            ]
        );
        r.updated_plan.aspects.get_mut("health").unwrap().score = Some(ScoreInput::Score(8));
        r.updated_plan.next_review = complete_draft(&config).next_review;
        let review = Review::parse(r, &config).unwrap();
        assert_eq!(review.plan_event(), None);
    }

    #[test]
    fn a_half_typed_meeting_date_is_kept_and_named_until_it_is_whole() {
        let config = Config::builtin();
        let mut r = filled(&config);
        r.next_steps = Some(NextSteps::Close);
        r.closure_reason = "outcomes_achieved".into();
        r.held_on = None;
        r.unfinished_dates.insert(
            "held_on".into(),
            DateParts {
                day: "14".into(),
                month: "3".into(),
                year: String::new(),
            },
        );
        // It survives a save (the draft's JSON) as typed.
        let json = serde_json::to_value(&r).unwrap();
        assert_eq!(json["unfinished_dates"]["held_on"]["day"], "14");
        let back: ReviewDraft = serde_json::from_value(json).unwrap();
        assert_eq!(back, r);
        // One error for the field, naming it, in place of "Enter the date".
        assert_eq!(
            r.validate(&config),
            vec![FieldError::new(
                "held_on",
                "The date of the review meeting must include a year"
            )]
        );
        assert!(Review::parse(r.clone(), &config).is_err());
        r.unfinished_dates.get_mut("held_on").unwrap().year = "27".into();
        assert_eq!(
            r.validate(&config)[0].message,
            "The date of the review meeting must be a real date"
        );
        // Finished: the date speaks for itself and the parts say nothing.
        r.held_on = Some(d(2027, 3, 14));
        assert_eq!(r.validate(&config), vec![]);
        // All blank again: the ordinary "Enter the date".
        r.held_on = None;
        r.unfinished_dates.clear();
        assert_eq!(
            r.validate(&config)[0].message,
            "Enter the date of the review meeting"
        );
    }

    #[test]
    fn closure_through_a_review_needs_a_listed_reason() {
        let config = Config::builtin();
        let mut r = filled(&config);
        r.next_steps = Some(NextSteps::Close);
        r.closure_reason = "bored".into();
        assert_eq!(
            r.validate(&config),
            vec![FieldError::new(
                "closure_reason",
                "Select why the family support plan is closing"
            )]
        );
        r.closure_reason = "outcomes_achieved".into();
        let review = Review::parse(r, &config).unwrap();
        assert_eq!(review.closure_reason(), Some("outcomes_achieved"));
        let event = review.plan_event().unwrap();
        assert_eq!(PlanStatus::Completed.apply(event), Ok(PlanStatus::Closed));
    }
}
