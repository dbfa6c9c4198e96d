//! The request for support to a commissioned service (seed 000).

use hearth_domain::request::{Request, RequestDraft, RequestStatus, RequestType};

use super::{
    address, date, document, ethnicity, full_name, gender, label, or_not_given, Blocks,
    PrintContext, Stage, NOT_GIVEN,
};
use crate::model::{Checkbox, Document, HeadingLevel};

const TITLE: &str = "Request for support";

/// A saved request: its case reference in the page header, status and allocated
/// worker with the request.
pub fn request_document(request: &Request, ctx: &PrintContext<'_>) -> Document {
    let saved = Saved {
        case_reference: request.case_reference().as_str(),
        status: request.status(),
        worker: request.worker(),
    };
    request_doc(
        request.content(),
        request.case_reference().as_str(),
        Some(saved),
        ctx,
        Stage::Final,
    )
}

/// A request not yet saved ("(draft)" in the title); `reference` is whatever the
/// caller prints until the case reference exists.
pub fn request_draft_document(
    draft: &RequestDraft,
    reference: &str,
    ctx: &PrintContext<'_>,
) -> Document {
    request_doc(draft, reference, None, ctx, Stage::Draft)
}

struct Saved<'a> {
    case_reference: &'a str,
    status: RequestStatus,
    worker: Option<&'a str>,
}

fn status_label(status: RequestStatus) -> &'static str {
    match status {
        RequestStatus::AwaitingDecision => "Awaiting a decision",
        RequestStatus::Pending => "Pending (in discussion with the service)",
        RequestStatus::Declined => "Declined",
        RequestStatus::AcceptedAwaitingWorker => "Accepted, awaiting a worker",
        RequestStatus::AcceptedWithWorker => "Accepted, with a worker",
        RequestStatus::AcceptedClosed => "Accepted and closed",
        RequestStatus::Archived => "Archived",
    }
}

fn request_doc(
    r: &RequestDraft,
    reference: &str,
    saved: Option<Saved<'_>>,
    ctx: &PrintContext<'_>,
    stage: Stage,
) -> Document {
    let config = ctx.config;
    let mut b = Blocks::default();

    b.h1("The request");
    b.kv(
        "Commissioned service",
        label(&config.commissioned_services, &r.service),
    );
    b.kv(
        "Type of request",
        match r.request_type {
            Some(RequestType::Lead) => "Lead: the service is asked to take the case forward",
            Some(RequestType::Support) => {
                "Support: the service is asked to support the early-help worker's plan"
            }
            None => NOT_GIVEN,
        },
    );
    if let Some(s) = &saved {
        b.kv("Case reference", s.case_reference);
    }
    b.kv("EHM ID", or_not_given(&r.ehm_id));
    if let Some(s) = &saved {
        b.kv("Status", status_label(s.status));
        b.kv(
            "Allocated worker",
            s.worker
                .map_or("Not yet allocated".to_owned(), or_not_given),
        );
    }

    b.h1("Child");
    let c = &r.child;
    b.kv(
        "Name",
        or_not_given(&full_name(&c.first_name, &c.last_name)),
    );
    b.kv("Date of birth", date(c.date_of_birth));
    b.kv("Gender", gender(c.gender));
    b.kv("Ethnicity", ethnicity(config, &c.ethnicity));
    b.kv("Unique pupil number (UPN)", or_not_given(&c.upn));
    b.kv("Address", address(&c.address));

    b.h1("Parent or carer");
    let p = &r.parent_carer;
    b.kv(
        "Name",
        or_not_given(&full_name(&p.first_name, &p.last_name)),
    );
    b.kv("Relationship to the child", or_not_given(&p.relationship));
    b.kv("Phone", or_not_given(&p.phone));

    b.h1("Requesting worker");
    let w = &r.requesting_worker;
    b.kv("Name", or_not_given(&w.name));
    b.kv("Team", or_not_given(&w.team));
    b.kv("Phone", or_not_given(&w.phone));
    b.kv("Email", or_not_given(&w.email));

    b.long(HeadingLevel::H1, "Why support is requested", &r.reason);

    b.h1("Family's agreement");
    b.checks(vec![Checkbox::new(
        "The family agrees to this request for support",
        r.family_consents,
    )]);

    document(stage.title(TITLE), reference, &r.child.last_name, ctx, b)
}
