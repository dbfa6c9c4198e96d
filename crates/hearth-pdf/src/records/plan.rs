//! The Family Support Plan (every section of the nine wizard steps, the statement of
//! consent and the signature lines) and its reviews.

use hearth_domain::config;
use hearth_domain::plan::{Parent, Plan, PlanDraft, ScoreInput, WizardStep};
use hearth_domain::review::{LineProgressStatus, NextSteps, Review, ReviewDraft};

use super::{
    address, cell, date, date_cell, document, full_name, gender, gender_cell, label, label_cell,
    or_not_given, phone, yes_no, Blocks, PrintContext, Stage, BLANK_CELL,
};
use crate::model::{Block, Checkbox, Document, HeadingLevel};

const PLAN_TITLE: &str = "Family Support Plan";
const REVIEW_TITLE: &str = "Family Support Plan review";

/// The statement of consent printed in section 1 of every plan, one paragraph per
/// entry, above the family's choices and signed at the end of the plan.
pub const PLAN_CONSENT_STATEMENT: [&str; 7] = [
    "Please read the following carefully, then sign and date the plan. A professional, or \
     you yourself, have told us about an area of your life you might like some support \
     with. So that we can make sure you get the right support from the right place, we \
     would like to talk to you about what is important to you and your family. This will \
     help us work together with you to get things going well again.",
    "By signing this plan you are agreeing to the following:",
    "• I have been told about the need to share information with others who currently work \
     with our family and/or will be supporting our Family Support Plan, so they are aware \
     of our needs and wants.",
    "• I have been given the opportunity to discuss what sharing or not sharing information \
     about our family will mean.",
    "• I understand that our family's information will be held securely in accordance with \
     the UK General Data Protection Regulation (UK GDPR).",
    "• I understand that confidentiality may not be kept where a person may be at risk of \
     immediate harm.",
    "• I understand that selected information about my family and the support I receive \
     will also be used by the council, its partner organisations and central government \
     to plan and evaluate services for families.",
];

/// A completed plan, every section, with its latest review (meeting, attendance,
/// progress on each plan line, re-scored aspects, summary and next steps) when given,
/// and the signature lines for the family, the practitioner and the date.
pub fn plan_document(
    plan: &Plan,
    latest_review: Option<&Review>,
    reference: &str,
    ctx: &PrintContext<'_>,
) -> Document {
    plan_doc(
        plan.content(),
        latest_review.map(Review::content),
        reference,
        ctx,
        Stage::Final,
    )
}

/// A plan still being written, printed as far as it goes ("(draft)" in the title).
pub fn plan_draft_document(draft: &PlanDraft, reference: &str, ctx: &PrintContext<'_>) -> Document {
    plan_doc(draft, None, reference, ctx, Stage::Draft)
}

/// A review: the meeting, progress on each line, summary and next steps, then every
/// section of the plan as updated at the review.
pub fn review_document(review: &Review, reference: &str, ctx: &PrintContext<'_>) -> Document {
    review_doc(review.content(), reference, ctx, Stage::Final)
}

/// A review still being written ("(draft)" in the title).
pub fn review_draft_document(
    draft: &ReviewDraft,
    reference: &str,
    ctx: &PrintContext<'_>,
) -> Document {
    review_doc(draft, reference, ctx, Stage::Draft)
}

fn plan_doc(
    plan: &PlanDraft,
    review: Option<&ReviewDraft>,
    reference: &str,
    ctx: &PrintContext<'_>,
    stage: Stage,
) -> Document {
    let mut b = Blocks::default();
    sections(&mut b, plan, ctx);
    if let Some(review) = review {
        b.push(Block::PageBreak);
        b.h1(match review.held_on {
            Some(d) => format!("Latest review, {}", super::uk_date(d)),
            None => "Latest review".to_owned(),
        });
        review_core(&mut b, review, Some(plan), ctx, HeadingLevel::H2);
    }
    signatures(&mut b, plan);
    document(
        stage.title(PLAN_TITLE),
        reference,
        &plan.family_name,
        ctx,
        b,
    )
}

fn review_doc(
    review: &ReviewDraft,
    reference: &str,
    ctx: &PrintContext<'_>,
    stage: Stage,
) -> Document {
    let mut b = Blocks::default();
    b.h1("Review meeting");
    review_core(&mut b, review, None, ctx, HeadingLevel::H1);
    b.push(Block::PageBreak);
    b.h1("The plan as updated at this review");
    b.note(
        "Every section of the plan as it stands after this review: prefilled from the plan \
         before it and updated at the meeting.",
    );
    sections(&mut b, &review.updated_plan, ctx);
    document(
        stage.title(REVIEW_TITLE),
        reference,
        &review.updated_plan.family_name,
        ctx,
        b,
    )
}

fn step_heading(b: &mut Blocks, step: WizardStep) {
    b.h1(format!("{}. {}", step.number(), step.title()));
}

/// The nine sections of a plan, in wizard order.
fn sections(b: &mut Blocks, p: &PlanDraft, ctx: &PrintContext<'_>) {
    let config = ctx.config;

    // 1. Consent and practitioner.
    step_heading(b, WizardStep::ConsentAndPractitioner);
    b.h2("Statement of consent");
    for paragraph in PLAN_CONSENT_STATEMENT {
        b.note(paragraph);
    }
    b.checks(vec![
        Checkbox::new(
            "I agree that our family's personal information may be shared with those working \
             with us and/or supporting our plan.",
            p.consent.agrees_to_share,
        ),
        Checkbox::new(
            "I do not agree that our family's personal information may be shared with the \
             people or organisations listed below.",
            p.consent
                .not_shared_with
                .iter()
                .any(|n| !n.trim().is_empty()),
        ),
    ]);
    b.table(
        &[("No.", 1), ("Not to be shared with", 12)],
        numbered(p.consent.not_shared_with.iter().map(|n| vec![cell(n)])),
        "The family named nobody they do not agree to share with.",
    );
    b.kv("Consent recorded on", date(p.consent.consent_date));
    b.h2("Practitioner");
    let pr = &p.practitioner;
    b.kv("Name", or_not_given(&pr.name));
    b.kv("Agency", label(&config.agencies, &pr.agency));
    b.kv(
        "What's prompting this plan",
        label(&config.prompting_reasons, &pr.prompting),
    );
    b.kv("Phone", phone(&pr.phone, &pr.phone_extension));
    b.kv("Email", or_not_given(&pr.email));

    // 2. Focus child and main parent.
    step_heading(b, WizardStep::FocusChildAndParent);
    b.h2("Focus child");
    let c = &p.focus_child;
    b.kv(
        "Name",
        or_not_given(&full_name(&c.first_name, &c.last_name)),
    );
    b.kv("Date of birth", date(c.date_of_birth));
    b.kv("Gender", gender(c.gender));
    b.h2("Main parent or carer");
    parent(b, &p.main_parent);
    b.h2("Second parent or carer");
    match p.second_parent.as_ref().filter(|s| !parent_is_blank(s)) {
        Some(second) => parent(b, second),
        None => b.note("No second parent or carer was added."),
    }

    // 3. Family members and important people.
    step_heading(b, WizardStep::FamilyMembers);
    b.table(
        &[
            ("Relationship", 3),
            ("Name", 5),
            ("Date of birth", 2),
            ("Gender", 2),
            ("Contact", 4),
            ("Part of the plan", 2),
        ],
        p.family_members
            .iter()
            .map(|m| {
                vec![
                    cell(&m.relationship),
                    cell(&full_name(&m.first_name, &m.last_name)),
                    date_cell(m.date_of_birth),
                    gender_cell(m.gender),
                    cell(&m.contact),
                    yes_no(m.part_of_plan),
                ]
            })
            .collect(),
        "No family members or important people were added.",
    );

    // 4. Contacts and key information.
    step_heading(b, WizardStep::ContactsAndKeyInformation);
    let k = &p.contacts;
    b.kv("Parent's phone", or_not_given(&k.parent_phone));
    b.kv("Parent's email", or_not_given(&k.parent_email));
    b.kv(
        "Other parent or carer contact details",
        or_not_given(&k.other_contact_details),
    );
    b.kv("Interpreter needed", yes_no(k.interpreter_needed));
    b.kv("Language", or_not_given(&k.language));
    b.long(HeadingLevel::H2, "Key information", &k.key_information);
    b.h2("Other services working with the family");
    b.table(
        &[("Service", 3), ("Contact", 3), ("Role", 3)],
        k.other_services
            .iter()
            .map(|s| vec![cell(&s.service), cell(&s.contact), cell(&s.role)])
            .collect(),
        "No other services were added.",
    );

    // 5. Family's story.
    step_heading(b, WizardStep::FamilyStory);
    b.long(
        HeadingLevel::H2,
        "Key events now",
        &p.family_story.key_events_now,
    );
    b.long(HeadingLevel::H2, "Past events", &p.family_story.past_events);

    // 6. Child's story (optional).
    step_heading(b, WizardStep::ChildStory);
    if p.child_stories.is_empty() {
        b.note("No child's story was recorded.");
    }
    for (i, s) in p.child_stories.iter().enumerate() {
        b.h2(match s.child_name.trim() {
            "" => format!("Child {}", i + 1),
            name => name.to_owned(),
        });
        b.long(HeadingLevel::H3, "What's working well", &s.working_well);
        b.long(HeadingLevel::H3, "What could be better", &s.could_be_better);
        b.long(HeadingLevel::H3, "Who I can talk to", &s.who_i_can_talk_to);
    }

    // 7. Aspects of life.
    step_heading(b, WizardStep::AspectsOfLife);
    b.table(
        &[("Aspect of life", 4), ("Score", 1), ("Note", 8)],
        aspect_codes(p, ctx)
            .into_iter()
            .map(|code| {
                let entry = p.aspects.get(code);
                vec![
                    config::label(&config.aspects_of_life, code).to_owned(),
                    score_cell(entry.and_then(|e| e.score)),
                    cell(entry.map_or("", |e| e.note.as_str())),
                ]
            })
            .collect(),
        "No aspects of life were scored.",
    );

    // 8. Practitioner summary and family plan.
    step_heading(b, WizardStep::SummaryAndFamilyPlan);
    b.long(
        HeadingLevel::H2,
        "Practitioner summary (opening)",
        &p.practitioner_summary,
    );
    b.h2("Family plan");
    b.table(
        &[
            ("Line and focus area", 3),
            ("Need or concern", 6),
            ("Action", 8),
            ("Who, by when", 3),
            ("Score", 1),
        ],
        p.family_plan
            .iter()
            .enumerate()
            .map(|(i, l)| {
                vec![
                    format!(
                        "{}. {}",
                        i + 1,
                        label_cell(&config.focus_areas, &l.focus_area)
                    ),
                    cell(&l.need),
                    cell(&l.action),
                    format!("{}\nby {}", cell(&l.who), date_cell(l.by_when)),
                    l.score.map_or(BLANK_CELL.to_owned(), |s| format!("{s}/10")),
                ]
            })
            .collect(),
        "No lines were added to the family plan.",
    );

    // 9. Family name and next review.
    step_heading(b, WizardStep::FamilyNameAndReview);
    b.kv("Family name", or_not_given(&p.family_name));
    b.kv("Date of the next review", date(p.next_review.date));
    b.kv(
        "Time of the next review",
        p.next_review.time.map_or(super::NOT_GIVEN.to_owned(), |t| {
            t.format("%H:%M").to_string()
        }),
    );
    b.kv("Where", or_not_given(&p.next_review.location));
}

fn parent(b: &mut Blocks, p: &Parent) {
    b.kv(
        "Name",
        or_not_given(&full_name(&p.first_name, &p.last_name)),
    );
    b.kv("Date of birth", date(p.date_of_birth));
    b.kv("Gender", gender(p.gender));
    b.kv("Address", address(&p.address));
}

fn parent_is_blank(p: &Parent) -> bool {
    p.first_name.trim().is_empty()
        && p.last_name.trim().is_empty()
        && p.date_of_birth.is_none()
        && p.gender.is_none()
        && p.address.is_blank()
}

/// Rows numbered from 1 in a first column.
fn numbered(rows: impl Iterator<Item = Vec<String>>) -> Vec<Vec<String>> {
    rows.enumerate()
        .map(|(i, row)| {
            let mut out = Vec::with_capacity(row.len() + 1);
            out.push((i + 1).to_string());
            out.extend(row);
            out
        })
        .collect()
}

/// The configured aspects in configuration order, then any the configuration no longer
/// has (a draft may hold them), so nothing recorded is dropped.
fn aspect_codes<'a>(p: &'a PlanDraft, ctx: &'a PrintContext<'_>) -> Vec<&'a str> {
    let configured = ctx.config.aspects_of_life.iter().map(|a| a.code.as_str());
    let others = p
        .aspects
        .keys()
        .map(String::as_str)
        .filter(|code| config::find(&ctx.config.aspects_of_life, code).is_none());
    configured.chain(others).collect()
}

fn score_cell(score: Option<ScoreInput>) -> String {
    match score {
        Some(ScoreInput::Score(n)) => format!("{n}/10"),
        Some(ScoreInput::NotApplicable) => "N/A".to_owned(),
        None => BLANK_CELL.to_owned(),
    }
}

fn progress_label(status: Option<LineProgressStatus>) -> &'static str {
    match status {
        Some(LineProgressStatus::Achieved) => "Achieved",
        Some(LineProgressStatus::InProgress) => "In progress",
        Some(LineProgressStatus::NotStarted) => "Not started",
        Some(LineProgressStatus::NoLongerNeeded) => "No longer needed",
        None => BLANK_CELL,
    }
}

/// The review itself, headings at `top` (parts one level below). `before` is the plan
/// the review is printed with, to show each aspect's score before and after.
fn review_core(
    b: &mut Blocks,
    r: &ReviewDraft,
    before: Option<&PlanDraft>,
    ctx: &PrintContext<'_>,
    top: HeadingLevel,
) {
    let config = ctx.config;
    b.kv("Date of the review meeting", date(r.held_on));
    b.heading(top, "Who attended");
    b.table(
        &[("Name", 3), ("Role", 3)],
        r.attendees
            .iter()
            .map(|a| vec![cell(&a.name), cell(&a.role)])
            .collect(),
        "No attendees were recorded.",
    );
    b.heading(top, "Progress on the plan");
    b.table(
        &[
            ("No.", 1),
            ("Need or concern", 5),
            ("Progress", 2),
            ("Note", 6),
            ("Score", 1),
        ],
        numbered(r.line_progress.iter().map(|l| {
            vec![
                cell(&l.need),
                progress_label(l.status).to_owned(),
                cell(&l.note),
                l.score.map_or(BLANK_CELL.to_owned(), |s| format!("{s}/10")),
            ]
        })),
        "The plan had no lines to review.",
    );
    if let Some(plan) = before {
        b.heading(top, "Aspects of life re-scored");
        let updated = &r.updated_plan;
        b.table(
            &[
                ("Aspect of life", 4),
                ("In the plan", 2),
                ("At this review", 2),
                ("Note at this review", 7),
            ],
            aspect_codes(updated, ctx)
                .into_iter()
                .map(|code| {
                    let now = updated.aspects.get(code);
                    vec![
                        config::label(&config.aspects_of_life, code).to_owned(),
                        score_cell(plan.aspects.get(code).and_then(|e| e.score)),
                        score_cell(now.and_then(|e| e.score)),
                        cell(now.map_or("", |e| e.note.as_str())),
                    ]
                })
                .collect(),
            "No aspects of life were scored.",
        );
    }
    b.heading(top, "Review summary");
    b.paragraph(&r.review_summary);
    b.heading(top, "Next steps");
    b.checks(vec![
        Checkbox::new(
            "Continue the family support plan",
            r.next_steps == Some(NextSteps::Continue),
        ),
        Checkbox::new(
            "Close the family support plan",
            r.next_steps == Some(NextSteps::Close),
        ),
    ]);
    if r.next_steps == Some(NextSteps::Close) || !r.closure_reason.trim().is_empty() {
        b.kv(
            "Closing because",
            label(&config.closure_reasons, &r.closure_reason),
        );
    }
    if r.next_steps != Some(NextSteps::Close) {
        let n = &r.updated_plan.next_review;
        b.kv("Date of the next review", date(n.date));
        b.kv(
            "Time of the next review",
            n.time.map_or(super::NOT_GIVEN.to_owned(), |t| {
                t.format("%H:%M").to_string()
            }),
        );
        b.kv("Where", or_not_given(&n.location));
    }
}

fn signatures(b: &mut Blocks, p: &PlanDraft) {
    b.h1("Signatures");
    b.note(
        "Signed to confirm the statement of consent in section 1 and this plan. The family \
         keeps a copy.",
    );
    let practitioner = match p.practitioner.name.trim() {
        "" => "Practitioner".to_owned(),
        name => format!("Practitioner: {name}"),
    };
    b.push(Block::SignatureLines(vec![
        "Family member".to_owned(),
        practitioner,
        "Date".to_owned(),
    ]));
}
