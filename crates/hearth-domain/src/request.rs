//! Request for support to a commissioned service (seed 000): the form, its progression,
//! the manager views, the exact filters, and "new request from this one" (a closed
//! request is never re-opened).

use std::collections::BTreeMap;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::config::{self, Config};
use crate::contact::{self, Address, Gender};
use crate::ids::RequestId;
use crate::kind::RecordKind;
use crate::plan::DateParts;
use crate::validation::{is_blank, Errors, FieldError, ValidationErrors};
use crate::workflow::TransitionError;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
pub enum RequestType {
    /// The service takes the case forward; once accepted it closes on the referring system.
    Lead,
    /// The service supports the early-help worker's plan; the case stays open there.
    Support,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(default)]
pub struct RequestChild {
    pub first_name: String,
    pub last_name: String,
    pub date_of_birth: Option<NaiveDate>,
    pub gender: Option<Gender>,
    /// Code from [`Config::ethnicities`].
    pub ethnicity: String,
    /// Unique pupil number: the only optional field of the request.
    pub upn: String,
    pub address: Address,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(default)]
pub struct RequestParent {
    pub first_name: String,
    pub last_name: String,
    pub relationship: String,
    pub phone: String,
}

/// The early-help worker making the request.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(default)]
pub struct RequestingWorker {
    pub name: String,
    pub team: String,
    pub phone: String,
    pub email: String,
}

/// The "Demographics and EHPS information" form: all mandatory except the UPN.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(default)]
pub struct RequestDraft {
    /// Code from [`Config::commissioned_services`].
    pub service: String,
    pub request_type: Option<RequestType>,
    /// The case's id on the referring system (EHM).
    pub ehm_id: String,
    pub child: RequestChild,
    pub parent_carer: RequestParent,
    pub requesting_worker: RequestingWorker,
    pub reason: String,
    pub family_consents: bool,
    /// Dates typed but not finished, by validation path (`child.date_of_birth`): each is
    /// an error naming its field until its date is whole. Every page's save carries it.
    pub unfinished_dates: BTreeMap<String, DateParts>,
}

/// The request's only date, by its validation path, and how its error names it.
const CHILD_DATE_OF_BIRTH: (&str, &str) = ("child.date_of_birth", "The child's date of birth");

/// Message for a UPN in the wrong shape.
pub const UPN_MESSAGE: &str =
    "Enter the UPN as 13 characters, like A123456789012, or leave it blank";

/// A unique pupil number: a letter, 11 digits, then a digit or (temporary UPN) a letter.
pub fn is_valid_upn(upn: &str) -> bool {
    let b = upn.trim().as_bytes();
    b.len() == 13
        && b[0].is_ascii_alphabetic()
        && b[1..12].iter().all(u8::is_ascii_digit)
        && b[12].is_ascii_alphanumeric()
}

impl RequestDraft {
    pub fn validate(&self, config: &Config) -> Vec<FieldError> {
        let mut e = Errors::new();
        if config::find(&config.commissioned_services, &self.service).is_none() {
            e.push("service", "Select the commissioned service");
        }
        e.required_some(
            "request_type",
            &self.request_type,
            "Select whether the service is asked to lead or to support",
        );
        e.required("ehm_id", &self.ehm_id, "Enter the EHM ID of the case");
        let c = &self.child;
        e.required(
            "child.first_name",
            &c.first_name,
            "Enter the child's first name",
        );
        e.required(
            "child.last_name",
            &c.last_name,
            "Enter the child's last name",
        );
        e.required_some(
            "child.date_of_birth",
            &c.date_of_birth,
            "Enter the child's date of birth",
        );
        e.required_some("child.gender", &c.gender, "Select the child's gender");
        if config::find(&config.ethnicities, &c.ethnicity).is_none() {
            e.push("child.ethnicity", "Select the child's ethnicity");
        }
        if !is_blank(&c.upn) && !is_valid_upn(&c.upn) {
            e.push("child.upn", UPN_MESSAGE);
        }
        contact::check_address(&mut e, "child.address", &c.address, "the child's");
        let p = &self.parent_carer;
        e.required(
            "parent_carer.first_name",
            &p.first_name,
            "Enter the parent or carer's first name",
        );
        e.required(
            "parent_carer.last_name",
            &p.last_name,
            "Enter the parent or carer's last name",
        );
        e.required(
            "parent_carer.relationship",
            &p.relationship,
            "Enter the parent or carer's relationship to the child",
        );
        contact::check_phone(
            &mut e,
            "parent_carer.phone".into(),
            &p.phone,
            None,
            "",
            "Enter the parent or carer's phone number",
        );
        let w = &self.requesting_worker;
        e.required("requesting_worker.name", &w.name, "Enter your name");
        e.required("requesting_worker.team", &w.team, "Enter your team");
        contact::check_phone(
            &mut e,
            "requesting_worker.phone".into(),
            &w.phone,
            None,
            "",
            "Enter your phone number",
        );
        contact::check_email(
            &mut e,
            "requesting_worker.email".into(),
            &w.email,
            "Enter your email address",
        );
        e.required(
            "reason",
            &self.reason,
            "Enter why you are asking for support",
        );
        if !self.family_consents {
            e.push(
                "family_consents",
                "Confirm the family agrees to this request for support",
            );
        }
        self.check_unfinished_dates(&mut e);
        e.into_vec()
    }

    /// A half-typed date is an error naming its field, in place of "Enter the date" (a
    /// date left blank). An entry for a date now whole, or for no date of the form, says
    /// nothing.
    fn check_unfinished_dates(&self, e: &mut Errors) {
        let (path, label) = CHILD_DATE_OF_BIRTH;
        e.unfinished_date(
            path,
            label,
            self.child.date_of_birth,
            self.unfinished_dates.get(path),
        );
    }
}

/// A case reference (the Thrive-style ID): generated elsewhere, stored here.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(transparent)]
pub struct CaseReference(String);

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("a case reference cannot be blank or contain spaces")]
pub struct CaseReferenceError;

impl CaseReference {
    pub fn parse(s: &str) -> Result<CaseReference, CaseReferenceError> {
        let s = s.trim();
        if s.is_empty() || s.chars().any(char::is_whitespace) {
            Err(CaseReferenceError)
        } else {
            Ok(CaseReference(s.to_owned()))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// The progression, exactly as the commissioned services know it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
pub enum RequestStatus {
    AwaitingDecision,
    /// In discussion with the service.
    Pending,
    Declined,
    AcceptedAwaitingWorker,
    AcceptedWithWorker,
    AcceptedClosed,
    /// Hidden from live lists.
    Archived,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum RequestEvent {
    MarkPending,
    Decline,
    Accept,
    /// Allocate (or change) the worker.
    AllocateWorker {
        worker: String,
    },
    Close,
    Archive,
}

impl RequestEvent {
    fn as_str(&self) -> &'static str {
        match self {
            RequestEvent::MarkPending => "mark_pending",
            RequestEvent::Decline => "decline",
            RequestEvent::Accept => "accept",
            RequestEvent::AllocateWorker { .. } => "allocate_worker",
            RequestEvent::Close => "close",
            RequestEvent::Archive => "archive",
        }
    }
}

impl RequestStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            RequestStatus::AwaitingDecision => "awaiting_decision",
            RequestStatus::Pending => "pending",
            RequestStatus::Declined => "declined",
            RequestStatus::AcceptedAwaitingWorker => "accepted_awaiting_worker",
            RequestStatus::AcceptedWithWorker => "accepted_with_worker",
            RequestStatus::AcceptedClosed => "accepted_closed",
            RequestStatus::Archived => "archived",
        }
    }

    /// The allowed transitions; anything else is refused. Nothing leads out of a closed
    /// request except archiving: closed requests are never re-opened.
    pub fn apply(self, event: &RequestEvent) -> Result<RequestStatus, TransitionError> {
        use RequestEvent as E;
        use RequestStatus as S;
        let next = match (self, event) {
            (S::AwaitingDecision, E::MarkPending) => S::Pending,
            (S::AwaitingDecision | S::Pending, E::Decline) => S::Declined,
            (S::AwaitingDecision | S::Pending, E::Accept) => S::AcceptedAwaitingWorker,
            (S::AcceptedAwaitingWorker | S::AcceptedWithWorker, E::AllocateWorker { .. }) => {
                S::AcceptedWithWorker
            }
            (S::AcceptedWithWorker, E::Close) => S::AcceptedClosed,
            (S::Declined | S::AcceptedClosed, E::Archive) => S::Archived,
            (from, event) => {
                return Err(TransitionError::new(
                    RecordKind::Request,
                    from.as_str(),
                    event.as_str(),
                ))
            }
        };
        Ok(next)
    }

    /// Declined, closed or archived: finished for good.
    pub fn is_closed(self) -> bool {
        matches!(
            self,
            RequestStatus::Declined | RequestStatus::AcceptedClosed | RequestStatus::Archived
        )
    }
}

/// The manager views ("EHPS reports"): one per status, and the archive.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
pub enum RequestView {
    AwaitingDecision,
    Pending,
    Declined,
    AcceptedAwaitingWorker,
    AcceptedWithWorker,
    AcceptedClosed,
    Archive,
}

impl RequestView {
    pub fn shows(self, status: RequestStatus) -> bool {
        let wanted = match self {
            RequestView::AwaitingDecision => RequestStatus::AwaitingDecision,
            RequestView::Pending => RequestStatus::Pending,
            RequestView::Declined => RequestStatus::Declined,
            RequestView::AcceptedAwaitingWorker => RequestStatus::AcceptedAwaitingWorker,
            RequestView::AcceptedWithWorker => RequestStatus::AcceptedWithWorker,
            RequestView::AcceptedClosed => RequestStatus::AcceptedClosed,
            RequestView::Archive => RequestStatus::Archived,
        };
        status == wanted
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RequestError {
    #[error(transparent)]
    Transition(#[from] TransitionError),
    #[error("Enter the name of the worker")]
    WorkerName,
}

/// Everything stored about a request, for persistence. Turn it back into a [`Request`]
/// with [`Request::from_parts`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct RequestParts {
    pub id: RequestId,
    pub case_reference: CaseReference,
    pub content: RequestDraft,
    pub status: RequestStatus,
    pub worker: Option<String>,
}

/// A saved request for support.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct Request {
    id: RequestId,
    case_reference: CaseReference,
    content: RequestDraft,
    status: RequestStatus,
    worker: Option<String>,
}

impl Request {
    /// Saves a new request: it must be complete; it starts awaiting a decision.
    pub fn create(
        id: RequestId,
        case_reference: CaseReference,
        draft: RequestDraft,
        config: &Config,
    ) -> Result<Request, ValidationErrors> {
        ValidationErrors::check(draft.validate(config))?;
        Ok(Request {
            id,
            case_reference,
            content: draft,
            status: RequestStatus::AwaitingDecision,
            worker: None,
        })
    }

    /// Rebuilds a stored request, checking its content again.
    pub fn from_parts(parts: RequestParts, config: &Config) -> Result<Request, ValidationErrors> {
        let RequestParts {
            id,
            case_reference,
            content,
            status,
            worker,
        } = parts;
        ValidationErrors::check(content.validate(config))?;
        Ok(Request {
            id,
            case_reference,
            content,
            status,
            worker,
        })
    }

    pub fn into_parts(self) -> RequestParts {
        RequestParts {
            id: self.id,
            case_reference: self.case_reference,
            content: self.content,
            status: self.status,
            worker: self.worker,
        }
    }

    pub fn id(&self) -> RequestId {
        self.id
    }

    pub fn case_reference(&self) -> &CaseReference {
        &self.case_reference
    }

    pub fn ehm_id(&self) -> &str {
        self.content.ehm_id.trim()
    }

    pub fn content(&self) -> &RequestDraft {
        &self.content
    }

    pub fn status(&self) -> RequestStatus {
        self.status
    }

    pub fn worker(&self) -> Option<&str> {
        self.worker.as_deref()
    }

    /// A Lead request, once accepted, is closed on the referring system.
    pub fn closes_on_referring_system(&self) -> bool {
        self.content.request_type == Some(RequestType::Lead)
            && matches!(
                self.status,
                RequestStatus::AcceptedAwaitingWorker
                    | RequestStatus::AcceptedWithWorker
                    | RequestStatus::AcceptedClosed
            )
    }

    /// Moves the request on; see [`RequestStatus::apply`].
    pub fn apply(&self, event: &RequestEvent) -> Result<Request, RequestError> {
        let status = self.status.apply(event)?;
        let worker = match event {
            RequestEvent::AllocateWorker { worker } if is_blank(worker) => {
                return Err(RequestError::WorkerName)
            }
            RequestEvent::AllocateWorker { worker } => Some(worker.trim().to_owned()),
            _ => self.worker.clone(),
        };
        Ok(Request {
            status,
            worker,
            ..self.clone()
        })
    }

    /// "New request from this one": a new draft with what is still true (service, type,
    /// EHM ID, child, parent or carer, worker). The reason and the family's agreement are
    /// asked again.
    pub fn new_request_from(&self) -> RequestDraft {
        RequestDraft {
            reason: String::new(),
            family_consents: false,
            unfinished_dates: BTreeMap::new(),
            ..self.content.clone()
        }
    }
}

/// The exact filters: whole value, case-insensitive, no wildcards or partial matches.
/// A blank filter shows everything (clearing the filter).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(tag = "by", content = "value", rename_all = "snake_case")]
pub enum RequestFilter {
    CaseReference(String),
    EhmId(String),
    WorkerName(String),
}

fn same(a: &str, b: &str) -> bool {
    a.trim().to_lowercase() == b.trim().to_lowercase()
}

impl RequestFilter {
    pub fn matches(&self, request: &Request) -> bool {
        match self {
            RequestFilter::CaseReference(v) => {
                is_blank(v) || same(v, request.case_reference.as_str())
            }
            RequestFilter::EhmId(v) => is_blank(v) || same(v, request.ehm_id()),
            RequestFilter::WorkerName(v) => {
                is_blank(v) || request.worker().is_some_and(|w| same(v, w))
            }
        }
    }

    pub fn apply<'a>(&self, requests: &'a [Request]) -> Vec<&'a Request> {
        requests.iter().filter(|r| self.matches(r)).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plan::tests::parts;
    use uuid::Uuid;

    fn draft() -> RequestDraft {
        RequestDraft {
            service: "young_carers".into(),
            request_type: Some(RequestType::Support),
            ehm_id: "EHM-123456".into(),
            child: RequestChild {
                first_name: "Zoë".into(),
                last_name: "Testchild".into(),
                date_of_birth: NaiveDate::from_ymd_opt(2014, 9, 1),
                gender: Some(Gender::Female),
                ethnicity: "white_british".into(),
                upn: String::new(),
                address: Address {
                    street: "Testing Row".into(),
                    town: "Maidstone".into(),
                    postcode: "ME14 1XX".into(),
                    ..Address::default()
                },
            },
            parent_carer: RequestParent {
                first_name: "Alex".into(),
                last_name: "Testparent".into(),
                relationship: "Mother".into(),
                phone: "07700900123".into(),
            },
            requesting_worker: RequestingWorker {
                name: "Sam Testworker".into(),
                team: "Early Help West".into(),
                phone: "03000412345".into(),
                email: "sam.testworker@example.org.uk".into(),
            },
            reason: "Zoë cares for her mum and is missing school.".into(),
            family_consents: true,
            unfinished_dates: BTreeMap::new(),
        }
    }

    #[test]
    fn a_half_typed_date_of_birth_is_named_until_it_is_whole() {
        let config = Config::builtin();
        let mut d = draft();
        d.child.date_of_birth = None;
        d.unfinished_dates
            .insert("child.date_of_birth".into(), parts("4", "3", ""));
        assert_eq!(
            d.validate(&config),
            vec![FieldError::new(
                "child.date_of_birth",
                "The child's date of birth must include a year"
            )]
        );
        // Kept in the draft as typed (what the form reloads).
        let json = serde_json::to_value(&d).unwrap();
        assert_eq!(
            json["unfinished_dates"]["child.date_of_birth"]["month"],
            "3"
        );
        let back: RequestDraft = serde_json::from_value(json).unwrap();
        assert_eq!(back, d);
        // A real date wins over the parts left behind; parts all blank say nothing extra.
        d.child.date_of_birth = NaiveDate::from_ymd_opt(2014, 9, 1);
        assert_eq!(d.validate(&config), vec![]);
        d.child.date_of_birth = None;
        d.unfinished_dates
            .insert("child.date_of_birth".into(), DateParts::default());
        assert_eq!(
            d.validate(&config),
            vec![FieldError::new(
                "child.date_of_birth",
                "Enter the child's date of birth"
            )]
        );
        // A new request from a closed one starts with no half-typed date.
        d.unfinished_dates
            .insert("child.date_of_birth".into(), parts("4", "", ""));
        d.child.date_of_birth = NaiveDate::from_ymd_opt(2014, 9, 1);
        let mut closed = request("THR-1").into_parts();
        closed.content = d;
        closed.status = RequestStatus::Declined;
        let closed = Request::from_parts(closed, &config).unwrap();
        assert!(closed.new_request_from().unfinished_dates.is_empty());
    }

    fn request(reference: &str) -> Request {
        let config = Config::builtin();
        Request::create(
            RequestId(Uuid::from_u128(1)),
            CaseReference::parse(reference).unwrap(),
            draft(),
            &config,
        )
        .unwrap()
    }

    #[test]
    fn upn_is_optional_and_everything_else_is_mandatory() {
        let config = Config::builtin();
        assert_eq!(draft().validate(&config), vec![]);
        let mut with_upn = draft();
        with_upn.child.upn = "A123456789012".into();
        assert_eq!(with_upn.validate(&config), vec![]);
        with_upn.child.upn = "12345".into();
        assert_eq!(
            with_upn.validate(&config),
            vec![FieldError::new("child.upn", UPN_MESSAGE)]
        );

        let paths: Vec<_> = RequestDraft::default()
            .validate(&config)
            .into_iter()
            .map(|e| e.path)
            .collect();
        assert_eq!(
            paths,
            [
                "service",
                "request_type",
                "ehm_id",
                "child.first_name",
                "child.last_name",
                "child.date_of_birth",
                "child.gender",
                "child.ethnicity",
                "child.address.street",
                "child.address.town",
                "child.address.postcode",
                "parent_carer.first_name",
                "parent_carer.last_name",
                "parent_carer.relationship",
                "parent_carer.phone",
                "requesting_worker.name",
                "requesting_worker.team",
                "requesting_worker.phone",
                "requesting_worker.email",
                "reason",
                "family_consents",
            ]
        );
        assert!(!paths.iter().any(|p| p == "child.upn"));
    }

    #[test]
    fn progression_allowed_and_forbidden_transitions() {
        use RequestEvent as E;
        use RequestStatus as S;
        let w = || E::AllocateWorker {
            worker: "Pat Testworker".into(),
        };
        let allowed = [
            (S::AwaitingDecision, E::MarkPending, S::Pending),
            (S::AwaitingDecision, E::Decline, S::Declined),
            (S::AwaitingDecision, E::Accept, S::AcceptedAwaitingWorker),
            (S::Pending, E::Decline, S::Declined),
            (S::Pending, E::Accept, S::AcceptedAwaitingWorker),
            (S::AcceptedAwaitingWorker, w(), S::AcceptedWithWorker),
            (S::AcceptedWithWorker, w(), S::AcceptedWithWorker),
            (S::AcceptedWithWorker, E::Close, S::AcceptedClosed),
            (S::Declined, E::Archive, S::Archived),
            (S::AcceptedClosed, E::Archive, S::Archived),
        ];
        let all_states = [
            S::AwaitingDecision,
            S::Pending,
            S::Declined,
            S::AcceptedAwaitingWorker,
            S::AcceptedWithWorker,
            S::AcceptedClosed,
            S::Archived,
        ];
        let all_events = [
            E::MarkPending,
            E::Decline,
            E::Accept,
            w(),
            E::Close,
            E::Archive,
        ];
        let mut allowed_count = 0;
        for from in all_states {
            for event in &all_events {
                let expected = allowed
                    .iter()
                    .find(|(f, e, _)| *f == from && e == event)
                    .map(|(_, _, to)| *to);
                match expected {
                    Some(to) => {
                        allowed_count += 1;
                        assert_eq!(from.apply(event), Ok(to), "{from:?} {event:?}");
                    }
                    None => assert_eq!(
                        from.apply(event),
                        Err(TransitionError::new(
                            RecordKind::Request,
                            from.as_str(),
                            event.as_str()
                        )),
                        "{from:?} {event:?}"
                    ),
                }
            }
        }
        assert_eq!(allowed_count, allowed.len());
        assert_eq!(
            S::AwaitingDecision.apply(&w()).unwrap_err().to_string(),
            "a request cannot allocate_worker while it is awaiting_decision"
        );
    }

    #[test]
    fn a_closed_request_never_reopens() {
        let closed = request("Test13")
            .apply(&RequestEvent::Accept)
            .unwrap()
            .apply(&RequestEvent::AllocateWorker {
                worker: "Pat Testworker".into(),
            })
            .unwrap()
            .apply(&RequestEvent::Close)
            .unwrap();
        assert_eq!(closed.status(), RequestStatus::AcceptedClosed);
        for event in [
            RequestEvent::MarkPending,
            RequestEvent::Accept,
            RequestEvent::Decline,
            RequestEvent::AllocateWorker { worker: "X".into() },
            RequestEvent::Close,
        ] {
            assert!(
                matches!(closed.apply(&event), Err(RequestError::Transition(_))),
                "{event:?}"
            );
        }
        let archived = closed.apply(&RequestEvent::Archive).unwrap();
        assert!(archived.status().is_closed());
        assert!(RequestView::Archive.shows(archived.status()));
        assert!(archived.apply(&RequestEvent::Accept).is_err());

        let next = closed.new_request_from();
        assert_eq!(next.child, closed.content().child);
        assert_eq!(next.ehm_id, "EHM-123456");
        assert_eq!(next.reason, "");
        assert!(!next.family_consents);
    }

    #[test]
    fn worker_name_is_needed_to_allocate() {
        let accepted = request("Test13").apply(&RequestEvent::Accept).unwrap();
        assert_eq!(
            accepted.apply(&RequestEvent::AllocateWorker {
                worker: "  ".into()
            }),
            Err(RequestError::WorkerName)
        );
    }

    #[test]
    fn filters_are_exact_and_case_insensitive() {
        let a = request("Test13")
            .apply(&RequestEvent::Accept)
            .unwrap()
            .apply(&RequestEvent::AllocateWorker {
                worker: "Pat Testworker".into(),
            })
            .unwrap();
        let b = request("Test130");
        let all = [a, b];
        let refs = |f: RequestFilter| {
            f.apply(&all)
                .iter()
                .map(|r| r.case_reference().as_str().to_owned())
                .collect::<Vec<_>>()
        };
        assert_eq!(
            refs(RequestFilter::CaseReference("test13".into())),
            ["Test13"]
        );
        assert_eq!(
            refs(RequestFilter::CaseReference("Test1".into())),
            Vec::<String>::new()
        );
        assert_eq!(
            refs(RequestFilter::CaseReference("Test1*".into())),
            Vec::<String>::new()
        );
        assert_eq!(
            refs(RequestFilter::CaseReference("".into())),
            ["Test13", "Test130"]
        );
        assert_eq!(
            refs(RequestFilter::EhmId("ehm-123456".into())),
            ["Test13", "Test130"]
        );
        assert_eq!(
            refs(RequestFilter::EhmId("EHM-12345".into())),
            Vec::<String>::new()
        );
        assert_eq!(
            refs(RequestFilter::WorkerName("pat testworker".into())),
            ["Test13"]
        );
        assert_eq!(
            refs(RequestFilter::WorkerName("Pat".into())),
            Vec::<String>::new()
        );
    }

    #[test]
    fn lead_requests_close_on_the_referring_system_once_accepted() {
        let config = Config::builtin();
        let mut d = draft();
        d.request_type = Some(RequestType::Lead);
        let r = Request::create(
            RequestId(Uuid::from_u128(2)),
            CaseReference::parse("Test14").unwrap(),
            d,
            &config,
        )
        .unwrap();
        assert!(!r.closes_on_referring_system());
        assert!(r
            .apply(&RequestEvent::Accept)
            .unwrap()
            .closes_on_referring_system());
        let parts = r.clone().into_parts();
        assert_eq!(Request::from_parts(parts, &config).unwrap(), r);
    }
}
