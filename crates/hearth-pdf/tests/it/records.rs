//! Every record type printed with maximal invented content and checked with the real
//! tools. The expected text is walked from the RECORD (its fields, labels from the
//! configuration, dates as dd/mm/yyyy), never from the `Document` built from it.

use chrono::NaiveDate;
use hearth_domain::config::{self, Config};
use hearth_domain::contact::{Address, Gender};
use hearth_domain::form::{FieldValue, FormItem};
use hearth_domain::plan::{Parent, PlanDraft, ScoreInput};
use hearth_domain::referral::ReferralDraft;
use hearth_domain::request::RequestDraft;
use hearth_domain::review::{LineProgressStatus, NextSteps, ReviewDraft};
use hearth_domain::task::{ContributionDraft, CounterSignature};
use hearth_pdf::records::NOT_GIVEN;
use hearth_pdf::{
    contribution_document, contribution_draft_document, plan_document, plan_draft_document,
    referral_document, referral_draft_document, render, request_document, request_draft_document,
    review_document, review_draft_document, to_html, Document, PrintContext, MARKING,
};

use crate::fixture::printed_on;
use crate::helpers::{assert_groups_in_order, page_count, tool, word_boxes, Rendered};
use crate::records_fixture::{
    maximal_contribution, maximal_plan, maximal_referral, maximal_request, maximal_review,
    CONTRIBUTION_REFERENCE, PLAN_REFERENCE, REFERRAL_REFERENCE,
};

fn ctx(config: &Config) -> PrintContext<'_> {
    PrintContext {
        config,
        printed_on: printed_on(),
    }
}

fn uk(date: NaiveDate) -> String {
    date.format("%d/%m/%Y").to_string()
}

/// Expected values in print order; a group holds the cells of one table row.
#[derive(Default)]
struct Expected(Vec<Vec<String>>);

impl Expected {
    fn one(&mut self, value: impl Into<String>) {
        self.0.push(vec![value.into()]);
    }

    fn row(&mut self, values: Vec<String>) {
        self.0.push(values);
    }

    fn date(&mut self, date: Option<NaiveDate>) {
        self.one(uk(date.expect("maximal records fill every date")));
    }

    fn gender(&mut self, gender: Option<Gender>) {
        self.one(gender.expect("maximal records fill every gender").label());
    }

    fn address(&mut self, a: &Address) {
        for part in [
            &a.property,
            &a.street,
            &a.area,
            &a.town,
            &a.county,
            &a.postcode,
        ] {
            self.one(part.as_str());
        }
    }
}

fn score_text(score: Option<ScoreInput>) -> String {
    match score.expect("maximal records score every aspect") {
        ScoreInput::Score(n) => format!("{n}/10"),
        ScoreInput::NotApplicable => "N/A".to_owned(),
    }
}

fn parent_values(e: &mut Expected, p: &Parent) {
    e.one(p.first_name.as_str());
    e.one(p.last_name.as_str());
    e.date(p.date_of_birth);
    e.gender(p.gender);
    e.address(&p.address);
}

/// Every field of the nine sections, in wizard order.
fn plan_values(e: &mut Expected, p: &PlanDraft, config: &Config) {
    for name in &p.consent.not_shared_with {
        e.one(name.as_str());
    }
    e.date(p.consent.consent_date);
    let pr = &p.practitioner;
    e.one(pr.name.as_str());
    e.one(config::label(&config.agencies, &pr.agency));
    e.one(config::label(&config.prompting_reasons, &pr.prompting));
    e.one(pr.phone.as_str());
    e.one(pr.phone_extension.as_str());
    e.one(pr.email.as_str());

    e.one(p.focus_child.first_name.as_str());
    e.one(p.focus_child.last_name.as_str());
    e.date(p.focus_child.date_of_birth);
    e.gender(p.focus_child.gender);
    parent_values(e, &p.main_parent);
    parent_values(e, p.second_parent.as_ref().expect("second parent"));

    for m in &p.family_members {
        e.row(vec![
            m.relationship.clone(),
            m.first_name.clone(),
            m.last_name.clone(),
            uk(m.date_of_birth.expect("dob")),
            m.gender.expect("gender").label().to_owned(),
            m.contact.clone(),
            if m.part_of_plan { "Yes" } else { "No" }.to_owned(),
        ]);
    }

    let c = &p.contacts;
    e.one(c.parent_phone.as_str());
    e.one(c.parent_email.as_str());
    e.one(c.other_contact_details.as_str());
    e.one(if c.interpreter_needed { "Yes" } else { "No" });
    e.one(c.language.as_str());
    e.one(c.key_information.as_str());
    for s in &c.other_services {
        e.row(vec![s.service.clone(), s.contact.clone(), s.role.clone()]);
    }

    e.one(p.family_story.key_events_now.as_str());
    e.one(p.family_story.past_events.as_str());

    for s in &p.child_stories {
        e.one(s.child_name.as_str());
        e.one(s.working_well.as_str());
        e.one(s.could_be_better.as_str());
        e.one(s.who_i_can_talk_to.as_str());
    }

    for aspect in &config.aspects_of_life {
        let entry = &p.aspects[&aspect.code];
        e.row(vec![
            aspect.label.clone(),
            score_text(entry.score),
            entry.note.clone(),
        ]);
    }

    e.one(p.practitioner_summary.as_str());
    for (i, l) in p.family_plan.iter().enumerate() {
        e.row(vec![
            (i + 1).to_string(),
            config::label(&config.focus_areas, &l.focus_area).to_owned(),
            l.need.clone(),
            l.action.clone(),
            l.who.clone(),
            uk(l.by_when.expect("by when")),
            format!("{}/10", l.score.expect("score")),
        ]);
    }

    e.one(p.family_name.as_str());
    e.date(p.next_review.date);
    e.one(
        p.next_review
            .time
            .expect("time")
            .format("%H:%M")
            .to_string(),
    );
    e.one(p.next_review.location.as_str());
}

fn progress_text(status: Option<LineProgressStatus>) -> &'static str {
    match status.expect("status") {
        LineProgressStatus::Achieved => "Achieved",
        LineProgressStatus::InProgress => "In progress",
        LineProgressStatus::NotStarted => "Not started",
        LineProgressStatus::NoLongerNeeded => "No longer needed",
    }
}

/// The review's own parts: meeting, attendance, progress, (aspects re-scored against
/// `before`), summary, next steps.
fn review_values(e: &mut Expected, r: &ReviewDraft, before: Option<&PlanDraft>, config: &Config) {
    e.date(r.held_on);
    for a in &r.attendees {
        e.row(vec![a.name.clone(), a.role.clone()]);
    }
    for p in &r.line_progress {
        e.row(vec![
            p.need.clone(),
            progress_text(p.status).to_owned(),
            p.note.clone(),
            format!("{}/10", p.score.expect("score")),
        ]);
    }
    if let Some(plan) = before {
        for aspect in &config.aspects_of_life {
            let now = &r.updated_plan.aspects[&aspect.code];
            e.row(vec![
                aspect.label.clone(),
                score_text(plan.aspects[&aspect.code].score),
                score_text(now.score),
                now.note.clone(),
            ]);
        }
    }
    e.one(r.review_summary.as_str());
    match r.next_steps.expect("next steps") {
        NextSteps::Close => e.one(config::label(&config.closure_reasons, &r.closure_reason)),
        NextSteps::Continue => {
            let n = &r.updated_plan.next_review;
            e.date(n.date);
            e.one(n.time.expect("time").format("%H:%M").to_string());
            e.one(n.location.as_str());
        }
    }
}

/// Renders `doc` and checks it with qpdf, pdffonts and pdftotext: every expected value
/// in order, and every page's header and footer. Keeps a copy in `$HEARTH_PDF_KEEP`.
fn check(name: &str, doc: &Document, expected: &Expected) -> Rendered {
    let bytes = render(doc).unwrap_or_else(|e| panic!("{name}: {e}"));
    if let Some(dir) = std::env::var_os("HEARTH_PDF_KEEP") {
        std::fs::write(
            std::path::Path::new(&dir).join(format!("{name}.pdf")),
            &bytes,
        )
        .expect("keep a copy");
    }
    let rendered = Rendered::new(&bytes);
    let path = rendered.path.to_str().expect("utf-8 path");

    let qpdf = tool("qpdf", &["--check", path]);
    assert!(
        qpdf.contains("No syntax or stream encoding errors found"),
        "{name}: qpdf --check:\n{qpdf}"
    );

    let fonts = tool("pdffonts", &[path]);
    let rows: Vec<&str> = fonts
        .lines()
        .skip(2)
        .filter(|l| !l.trim().is_empty())
        .collect();
    assert!(!rows.is_empty(), "{name}: no fonts:\n{fonts}");
    for row in rows {
        let cols: Vec<&str> = row.split_whitespace().collect();
        let n = cols.len();
        assert_eq!(cols[n - 5], "yes", "{name}: font not embedded: {row}");
        assert_eq!(cols[n - 3], "yes", "{name}: font without ToUnicode: {row}");
    }

    assert_groups_in_order(&expected.0, &rendered.text(&["-raw"]));

    let total = page_count(&rendered.path);
    let squash = |s: &str| s.split_whitespace().collect::<String>();
    let layout = rendered.text(&["-layout"]);
    let pages: Vec<&str> = layout
        .split('\u{c}')
        .filter(|p| !p.trim().is_empty())
        .collect();
    assert_eq!(pages.len(), total, "{name}: page count");
    for (i, page) in pages.iter().enumerate() {
        let n = i + 1;
        let flat = squash(page);
        assert!(
            page.contains(&format!("Page {n} of {total}")),
            "{name}: page {n} number"
        );
        assert_eq!(page.matches(MARKING).count(), 2, "{name}: page {n} marking");
        assert!(
            flat.contains(&squash(&doc.reference)),
            "{name}: page {n} reference"
        );
        assert!(
            flat.contains(&squash(&doc.family_name)),
            "{name}: page {n} family name"
        );
        assert!(
            page.contains("Printed 21/11/2026"),
            "{name}: page {n} print date"
        );
    }
    rendered
}

fn assert_on_the_page(name: &str, rendered: &Rendered) {
    for w in word_boxes(rendered) {
        assert!(
            w.x_min >= 50.0
                && w.x_max <= 595.28 - 50.0
                && w.y_min >= 15.0
                && w.y_max <= 841.89 - 20.0,
            "{name}: word outside the printable area: {w:?}"
        );
    }
}

#[test]
fn plan_with_its_latest_review_prints_every_field_in_order() {
    let config = Config::builtin();
    let plan = maximal_plan(&config);
    let review = maximal_review(&plan, &config, NextSteps::Continue);
    let doc = plan_document(&plan, Some(&review), PLAN_REFERENCE, &ctx(&config));
    assert_eq!(doc.title, "Family Support Plan");
    assert_eq!(doc.family_name, plan.family_name());

    let mut e = Expected::default();
    e.one(PLAN_REFERENCE);
    e.one(plan.family_name());
    plan_values(&mut e, plan.content(), &config);
    review_values(&mut e, review.content(), Some(plan.content()), &config);
    e.one(plan.content().practitioner.name.as_str());
    let rendered = check("plan", &doc, &e);
    assert_on_the_page("plan", &rendered);

    let text = rendered.text(&[]);
    for expected in [
        "I agree that our family's personal information may be shared",
        "Family member",
        "OFFICIAL-SENSITIVE",
    ] {
        assert!(text.contains(expected), "plan lacks {expected:?}");
    }
    let total = page_count(&rendered.path);
    assert!(
        (40..=120).contains(&total),
        "{total} pages for the maximal plan"
    );
}

#[test]
fn review_prints_the_meeting_then_the_whole_updated_plan() {
    let config = Config::builtin();
    let plan = maximal_plan(&config);
    let review = maximal_review(&plan, &config, NextSteps::Close);
    let doc = review_document(&review, "FSP-2026-004217/R2", &ctx(&config));
    assert_eq!(doc.title, "Family Support Plan review");

    let mut e = Expected::default();
    review_values(&mut e, review.content(), None, &config);
    plan_values(&mut e, review.updated_plan(), &config);
    check("review", &doc, &e);
}

#[test]
fn referral_prints_every_field_with_long_text_expanded() {
    let config = Config::builtin();
    let referral = maximal_referral(&config);
    let doc = referral_document(&referral, REFERRAL_REFERENCE, &ctx(&config));
    let r = referral.content();

    let mut e = Expected::default();
    e.one("Safeguarding");
    let f = &r.referrer;
    for v in [
        &f.name,
        &f.role,
        &f.organisation,
        &f.phone,
        &f.phone_extension,
        &f.email,
        &f.organisation_phone,
    ] {
        e.one(v.as_str());
    }
    for c in &r.children {
        e.one(c.first_name.as_str());
        e.one(c.last_name.as_str());
        e.date(c.date_of_birth);
        e.one(if c.date_of_birth_estimated {
            "Yes"
        } else {
            "No"
        });
        e.one(config::label(&config.ethnicities, &c.ethnicity));
        e.gender(c.gender);
        e.address(&c.address);
        e.one(c.school.as_str());
    }
    for m in &r.household {
        let yes = |b: bool| if b { "Yes" } else { "No" }.to_owned();
        e.row(vec![
            m.relationship.clone(),
            m.first_name.clone(),
            m.last_name.clone(),
            uk(m.date_of_birth.expect("dob")),
            yes(m.parental_responsibility),
            yes(m.lives_with_child),
            m.phone.clone(),
        ]);
    }
    e.one(r.concerns.as_str());
    e.one(r.support_needed.as_str());
    for reference in &r.previous_references {
        e.one(reference.as_str());
    }
    e.one(r.consent.reason_not_given.as_str());
    let rendered = check("referral", &doc, &e);
    assert_on_the_page("referral", &rendered);
}

#[test]
fn request_prints_every_field() {
    let config = Config::builtin();
    let request = maximal_request(&config);
    let doc = request_document(&request, &ctx(&config));
    assert_eq!(doc.reference, request.case_reference().as_str());
    let r = request.content();

    let mut e = Expected::default();
    e.one(config::label(&config.commissioned_services, &r.service));
    e.one("Lead");
    e.one(request.case_reference().as_str());
    e.one(r.ehm_id.as_str());
    e.one(request.worker().expect("worker"));
    let c = &r.child;
    e.one(c.first_name.as_str());
    e.one(c.last_name.as_str());
    e.date(c.date_of_birth);
    e.gender(c.gender);
    e.one(config::label(&config.ethnicities, &c.ethnicity));
    e.one(c.upn.as_str());
    e.address(&c.address);
    let p = &r.parent_carer;
    for v in [&p.first_name, &p.last_name, &p.relationship, &p.phone] {
        e.one(v.as_str());
    }
    let w = &r.requesting_worker;
    for v in [&w.name, &w.team, &w.phone, &w.email] {
        e.one(v.as_str());
    }
    e.one(r.reason.as_str());
    check("request", &doc, &e);
}

fn field_text(value: &FieldValue) -> String {
    match value {
        FieldValue::Text(t) | FieldValue::Choice(t) => t.clone(),
        FieldValue::Date(d) => uk(*d),
        FieldValue::Checked(true) => "Yes".to_owned(),
        FieldValue::Checked(false) => "No".to_owned(),
    }
}

#[test]
fn contribution_of_every_configured_form_type_prints_every_answer() {
    let config = Config::builtin();
    for form in &config.form_types {
        let m = maximal_contribution(&config, &form.code);
        let doc = contribution_document(
            &m.task,
            &m.contribution,
            &m.documents,
            CONTRIBUTION_REFERENCE,
            &ctx(&config),
        );
        assert_eq!(doc.title, form.title);

        let mut e = Expected::default();
        let child = m.task.child();
        e.one(child.name.as_str());
        e.date(child.date_of_birth);
        e.one(child.address.as_str());
        e.one(uk(m.task.requested_on()));
        e.one(uk(m.task.due_date()));
        e.one(m.task.comments());
        let s = m.task.sent_by();
        for v in [&s.name, &s.department, &s.phone, &s.address] {
            e.one(v.as_str());
        }
        e.one(uk(m.task.closed_at().expect("submitted").date_naive()));
        match m.task.counter_signature() {
            CounterSignature::Signed { at, .. } => e.one(uk(at.date_naive())),
            other => panic!("expected a signed contribution, got {other:?}"),
        }
        let answers = &m.contribution.content().answers;
        for section in &form.sections {
            for item in &section.items {
                match item {
                    FormItem::Field(f) => {
                        let value = if f.prefill.is_some() {
                            &m.contribution.prefilled()[&f.id]
                        } else {
                            &answers.fields[&f.id]
                        };
                        match value {
                            // A ticked box prints as a check mark beside its label.
                            FieldValue::Checked(_) => e.one(f.label.as_str()),
                            v => e.one(field_text(v)),
                        }
                    }
                    FormItem::Group(g) => {
                        for row in &answers.groups[&g.id] {
                            e.row(g.columns.iter().map(|c| field_text(&row[&c.id])).collect());
                        }
                    }
                }
            }
        }
        for d in &m.documents {
            e.row(vec![d.title().to_owned(), d.file_name().to_owned()]);
        }
        let name = format!("contribution-{}", form.code);
        let rendered = check(&name, &doc, &e);
        assert_on_the_page(&name, &rendered);
    }
}

#[test]
fn empty_drafts_print_with_every_answer_marked_not_given() {
    let config = Config::builtin();
    let ctx = ctx(&config);
    let m = maximal_contribution(&config, "ehcna_information_gathering");
    let docs = [
        plan_draft_document(&PlanDraft::default(), "LOCAL-1", &ctx),
        review_draft_document(&ReviewDraft::default(), "LOCAL-2", &ctx),
        referral_draft_document(&ReferralDraft::default(), "LOCAL-3", &ctx),
        request_draft_document(&RequestDraft::default(), "LOCAL-4", &ctx),
        contribution_draft_document(&m.task, &ContributionDraft::default(), &[], "LOCAL-5", &ctx),
    ];
    for doc in &docs {
        assert!(doc.title.ends_with(" (draft)"), "{}", doc.title);
        let rendered = Rendered::new(&render(doc).unwrap());
        let text = rendered.text(&[]);
        assert!(text.contains(NOT_GIVEN), "{}: no ‘{NOT_GIVEN}’", doc.title);
        assert!(text.contains(&doc.title), "{}: title", doc.title);
    }
    // The empty family plan, referral household and form group say so rather than
    // printing an empty table.
    let text = |doc: &Document| Rendered::new(&render(doc).unwrap()).text(&[]);
    assert!(text(&docs[0]).contains("No lines were added to the family plan."));
    assert!(text(&docs[2]).contains("No parents, carers or household members were added."));
    let contribution = text(&docs[4]);
    assert!(contribution.contains("No rows were added."));
    assert!(contribution.contains("No supporting documents were attached."));
}

#[test]
fn answers_the_form_no_longer_asks_are_printed_not_dropped() {
    let config = Config::builtin();
    let m = maximal_contribution(&config, "consultation_report");
    let mut draft = m.contribution.content().clone();
    draft.answers.fields.insert(
        "retired_question".into(),
        FieldValue::Text("Łukasz's old answer".into()),
    );
    let doc = contribution_draft_document(&m.task, &draft, &m.documents, "LOCAL-6", &ctx(&config));
    let text = Rendered::new(&render(&doc).unwrap()).text(&["-raw"]);
    assert!(text.contains("Other answers"), "{text}");
    assert!(text.contains("retired_question") && text.contains("Łukasz's old answer"));

    // A form type the configuration no longer has: everything printed by question id.
    let mut config_without = config.clone();
    config_without
        .form_types
        .retain(|f| f.code != "consultation_report");
    let doc = contribution_draft_document(
        &m.task,
        &draft,
        &m.documents,
        "LOCAL-7",
        &ctx(&config_without),
    );
    assert_eq!(doc.title, "Contribution (consultation_report) (draft)");
    let text = Rendered::new(&render(&doc).unwrap()).text(&["-raw"]);
    let by_id: Vec<Vec<String>> = draft
        .answers
        .fields
        .iter()
        .map(|(id, value)| vec![id.clone(), field_text(value)])
        .collect();
    assert_groups_in_order(&by_id, &text);
}

#[test]
fn html_export_escapes_every_text() {
    let config = Config::builtin();
    let mut draft = PlanDraft {
        family_name: "O'Brien \"</style><script>alert(1)</script>\" & Zoë".into(),
        ..PlanDraft::default()
    };
    draft.practitioner.name = "<b>Siobhán</b> & co".into();
    let doc = plan_draft_document(&draft, "REF-\"</style>", &ctx(&config));
    let html = to_html(&doc);
    assert_eq!(
        html.matches("</style>").count(),
        1,
        "only the real </style>"
    );
    assert!(!html.contains("<script>"));
    assert!(!html.contains("<b>"));
    assert!(html.contains("&lt;b&gt;Siobhán&lt;/b&gt; &amp; co"));
    assert!(html.contains("O&#39;Brien &quot;&lt;/style&gt;"));
    assert!(html.contains("counter(pages)"));
}
