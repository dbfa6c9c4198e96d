//! The referral to the MASH (seed 003): every field, long text expanded.

use hearth_domain::referral::{Referral, ReferralDraft, ReferralType};

use super::{
    address, cell, date, date_cell, document, ethnicity, full_name, gender, or_not_given, phone,
    yes_no, Blocks, PrintContext, Stage, NOT_GIVEN,
};
use crate::model::{Checkbox, Document, HeadingLevel};

const TITLE: &str = "Referral to the MASH";

/// A referral ready to submit (or submitted), every field in full.
pub fn referral_document(referral: &Referral, reference: &str, ctx: &PrintContext<'_>) -> Document {
    referral_doc(referral.content(), reference, ctx, Stage::Final)
}

/// A referral draft ("(draft)" in the title), e.g. to check before submitting.
pub fn referral_draft_document(
    draft: &ReferralDraft,
    reference: &str,
    ctx: &PrintContext<'_>,
) -> Document {
    referral_doc(draft, reference, ctx, Stage::Draft)
}

fn referral_doc(
    r: &ReferralDraft,
    reference: &str,
    ctx: &PrintContext<'_>,
    stage: Stage,
) -> Document {
    let mut b = Blocks::default();

    b.h1("Referral");
    b.kv(
        "Type of referral",
        match r.referral_type {
            Some(ReferralType::EarlyHelp) => "Early Help",
            Some(ReferralType::Safeguarding) => "Safeguarding",
            None => NOT_GIVEN,
        },
    );

    b.h1("Referrer");
    let f = &r.referrer;
    b.kv("Name", or_not_given(&f.name));
    b.kv("Role", or_not_given(&f.role));
    b.kv("Organisation", or_not_given(&f.organisation));
    b.kv("Phone", phone(&f.phone, &f.phone_extension));
    b.kv("Email", or_not_given(&f.email));
    b.kv(
        "Organisation's main number",
        or_not_given(&f.organisation_phone),
    );

    b.h1(if r.children.len() == 1 {
        "Child"
    } else {
        "Children"
    });
    if r.children.is_empty() {
        b.note("No child was added.");
    }
    for (i, c) in r.children.iter().enumerate() {
        let name = full_name(&c.first_name, &c.last_name);
        b.h2(match name.as_str() {
            "" => format!("Child {}", i + 1),
            _ => format!("Child {}: {name}", i + 1),
        });
        b.kv("Name", or_not_given(&name));
        b.kv("Date of birth", date(c.date_of_birth));
        b.kv("Date of birth estimated", yes_no(c.date_of_birth_estimated));
        b.kv("Ethnicity", ethnicity(ctx.config, &c.ethnicity));
        b.kv("Gender", gender(c.gender));
        b.kv("Address", address(&c.address));
        b.kv("School", or_not_given(&c.school));
    }

    b.h1("Parents, carers and household");
    b.table(
        &[
            ("Relationship", 3),
            ("Name", 4),
            ("Date of birth", 2),
            ("Parental responsibility", 2),
            ("Lives with the child", 2),
            ("Phone", 3),
        ],
        r.household
            .iter()
            .map(|m| {
                vec![
                    cell(&m.relationship),
                    cell(&full_name(&m.first_name, &m.last_name)),
                    date_cell(m.date_of_birth),
                    yes_no(m.parental_responsibility),
                    yes_no(m.lives_with_child),
                    cell(&m.phone),
                ]
            })
            .collect(),
        "No parents, carers or household members were added.",
    );

    b.long(HeadingLevel::H1, "Concerns about the child", &r.concerns);
    b.long(
        HeadingLevel::H1,
        "Support or action the referrer thinks is needed",
        &r.support_needed,
    );

    b.h1("Previous referrals");
    b.table(
        &[("No.", 1), ("Reference of the earlier referral", 10)],
        r.previous_references
            .iter()
            .enumerate()
            .map(|(i, reference)| vec![(i + 1).to_string(), cell(reference)])
            .collect(),
        "No earlier referrals were given.",
    );

    b.h1("Consent");
    b.checks(vec![
        Checkbox::new(
            "Yes, the family has given consent to this referral",
            r.consent.given == Some(true),
        ),
        Checkbox::new(
            "No, the family has not given consent to this referral",
            r.consent.given == Some(false),
        ),
    ]);
    if r.consent.given == Some(false) || !r.consent.reason_not_given.trim().is_empty() {
        b.long(
            HeadingLevel::H2,
            "Why consent has not been given",
            &r.consent.reason_not_given,
        );
    }

    document(stage.title(TITLE), reference, &family_name(r), ctx, b)
}

/// The children's surnames, each once, in order: "Kowalczyk / Ó Súilleabháin".
fn family_name(r: &ReferralDraft) -> String {
    let mut names: Vec<&str> = Vec::new();
    for c in &r.children {
        let last = c.last_name.trim();
        if !last.is_empty() && !names.contains(&last) {
            names.push(last);
        }
    }
    names.join(" / ")
}
