//! The request commands against a real encrypted store (no window).

use chrono::{Duration, NaiveDate, TimeZone as _};
use hearth_domain::contact::{Address, Gender};
use hearth_domain::request::{RequestChild, RequestParent, RequestType, RequestingWorker};

use super::*;
use crate::records::test_support::{self, account, sign_in_as};

const SLT_ID: &str = "01920000-0000-7000-8000-000000000002";

fn at(minute: i64) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 1, 9, 0, 0).unwrap() + Duration::minutes(minute)
}

async fn temp_store(dir: &std::path::Path) -> Store {
    test_support::temp_store(dir, at(0)).await
}

fn services() -> Vec<ServiceChoice> {
    vec![
        ServiceChoice {
            id: SLT_ID.into(),
            name: "Speech and Language Therapy".into(),
            code: "SLT".into(),
        },
        // A team whose code this configuration does not know is not offered.
        ServiceChoice {
            id: "01920000-0000-7000-8000-000000000099".into(),
            name: "Testland Unknown".into(),
            code: "not_configured".into(),
        },
    ]
}

fn complete() -> RequestDraft {
    RequestDraft {
        service: "SLT".into(),
        request_type: Some(RequestType::Support),
        ehm_id: "EHM-000123".into(),
        child: RequestChild {
            first_name: "Zoë".into(),
            last_name: "Testchild".into(),
            date_of_birth: NaiveDate::from_ymd_opt(2016, 3, 4),
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
            first_name: "Jamie".into(),
            last_name: "Testparent".into(),
            relationship: "Father".into(),
            phone: "07700900123".into(),
        },
        requesting_worker: RequestingWorker {
            name: "Kim Testworker".into(),
            team: "Early Help North".into(),
            phone: "03000412345".into(),
            email: "kim.testworker@example.org.uk".into(),
        },
        reason: "Zoë's speech is behind and school asks for an assessment.".into(),
        family_consents: true,
        unfinished_dates: Default::default(),
    }
}

async fn save_all(store: &Store, draft: &RequestDraft, when: DateTime<Utc>) -> String {
    let mut id: Option<String> = None;
    for step in RequestStep::ALL {
        id = Some(
            save_request_step(store, id.as_deref(), step, draft, when)
                .await
                .unwrap()
                .id,
        );
    }
    id.unwrap()
}

#[test]
fn every_validation_path_belongs_to_a_page() {
    let config = Config::builtin();
    let errors = RequestDraft::default().validate(&config);
    assert!(errors.len() > 10);
    for e in errors {
        assert!(RequestStep::of_path(&e.path).is_some(), "{}", e.path);
    }
    assert_eq!(
        RequestStep::of_path("child.address.postcode"),
        Some(RequestStep::Child)
    );
}

#[tokio::test]
async fn services_come_from_the_server_and_are_kept_for_offline() {
    let dir = tempfile::tempdir().unwrap();
    let store = temp_store(dir.path()).await;
    let offline = form_with(&store, None).await.unwrap();
    assert!(offline.services.is_empty() && offline.services_from_cache);
    let online = form_with(&store, Some(services())).await.unwrap();
    assert!(!online.services_from_cache);
    assert_eq!(online.services.len(), 1, "only configured services");
    assert_eq!(online.services[0].code, "SLT");
    let later = form_with(&store, None).await.unwrap();
    assert!(later.services_from_cache);
    assert_eq!(later.services, online.services);
    assert_eq!(later.steps.len(), 6);
    assert_eq!(later.views.len(), 7);
    assert!(!later.manager);
}

#[tokio::test]
async fn autosave_send_and_my_requests() {
    let dir = tempfile::tempdir().unwrap();
    let store = temp_store(dir.path()).await;
    form_with(&store, Some(services())).await.unwrap();
    let me = account(1, &[Role::Practitioner], &[]);
    sign_in_as(&store, &me).await;

    // The first save creates the record with a provisional reference and the team's id.
    let mut draft = RequestDraft {
        service: "SLT".into(),
        ..RequestDraft::default()
    };
    let saved = save_request_step(&store, None, RequestStep::Service, &draft, at(1))
        .await
        .unwrap();
    assert!(
        saved.reference.starts_with("LOCAL-RFS-"),
        "{}",
        saved.reference
    );
    assert!(!saved.reference_is_permanent);
    let service_page = &saved.steps[0];
    assert!(service_page.saved);
    assert_eq!(
        service_page
            .errors
            .iter()
            .map(|e| e.path.as_str())
            .collect::<Vec<_>>(),
        ["request_type"]
    );
    let record = store
        .load(saved.id.parse().unwrap())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        text_of(&record.fields, SERVICE_ID_FIELD).as_deref(),
        Some(SLT_ID)
    );
    assert_eq!(
        text_of(&record.fields, AUTHOR_FIELD),
        Some(me.id.to_string())
    );

    // Send with answers missing: every error, nothing lost.
    let SendOutcome::Invalid { errors } = send_request(&store, &saved.id, at(2)).await.unwrap()
    else {
        panic!("sent with answers missing");
    };
    assert!(errors.iter().any(|e| e.path == "child.first_name"));
    assert!(
        !errors.iter().any(|e| e.path == "child.upn"),
        "UPN is optional"
    );
    assert_eq!(load_request(&store, &saved.id).await.unwrap().status, None);

    draft = complete();
    draft.child.upn = "12345".into();
    let id = saved.id.clone();
    for step in RequestStep::ALL {
        save_request_step(&store, Some(&id), step, &draft, at(3))
            .await
            .unwrap();
    }
    let SendOutcome::Invalid { errors } = send_request(&store, &id, at(4)).await.unwrap() else {
        panic!("sent with a bad UPN");
    };
    assert_eq!(
        errors.iter().map(|e| e.path.as_str()).collect::<Vec<_>>(),
        ["child.upn"]
    );
    draft.child.upn = "A123456789012".into();
    save_request_step(&store, Some(&id), RequestStep::Child, &draft, at(5))
        .await
        .unwrap();
    let SendOutcome::Sent {
        reference,
        reference_is_permanent,
    } = send_request(&store, &id, at(6)).await.unwrap()
    else {
        panic!("a complete request was refused");
    };
    assert!(reference == saved.reference && !reference_is_permanent);
    let record = load_request(&store, &id).await.unwrap();
    assert_eq!(record.status, Some(RequestStatus::AwaitingDecision));
    assert_eq!(record.status_label, "Awaiting decision");
    assert_eq!(record.service_name, "Speech and Language Therapy");
    assert!(
        record.decisions.is_empty(),
        "a practitioner decides nothing"
    );
    // Sent: no more edits; the edit is queued in the outbox for sync.
    let err = save_request_step(&store, Some(&id), RequestStep::Reason, &draft, at(7))
        .await
        .unwrap_err();
    assert!(err.message.contains("cannot be changed"), "{}", err.message);
    let queued = store.pending_mutations(100).await.unwrap();
    assert!(
        queued.len() >= 7,
        "every page and the send queued for sync: {}",
        queued.len()
    );

    let mine = my_requests(&store).await.unwrap();
    assert_eq!(mine.len(), 1);
    assert_eq!(mine[0].child, "Zoë Testchild");
    assert_eq!(mine[0].ehm_id, "EHM-000123");
    assert_eq!(mine[0].status, Some(RequestStatus::AwaitingDecision));
    assert_eq!(mine[0].service_name, "Speech and Language Therapy");
    // A practitioner is not a manager.
    assert!(
        managed_requests(&store, RequestView::AwaitingDecision, None)
            .await
            .is_err()
    );
}

/// A date of birth typed as a day and a month, no year: every page's save keeps the parts
/// (ARCHITECTURE "Invariants"), a reload gives them back, the child's page names the
/// field, "Send the request" refuses with the same words, and a whole date clears it.
#[tokio::test]
async fn a_half_typed_date_of_birth_is_kept_across_pages_and_reloads() {
    let dir = tempfile::tempdir().unwrap();
    let store = temp_store(dir.path()).await;
    form_with(&store, Some(services())).await.unwrap();
    sign_in_as(&store, &account(1, &[Role::Practitioner], &[])).await;
    let mut draft = complete();
    draft.child.date_of_birth = None;
    draft.unfinished_dates.insert(
        "child.date_of_birth".into(),
        hearth_domain::plan::DateParts {
            day: "4".into(),
            month: "3".into(),
            year: String::new(),
        },
    );
    let named = FieldError::new(
        "child.date_of_birth",
        "The child's date of birth must include a year",
    );
    let first = save_request_step(&store, None, RequestStep::Child, &draft, at(1))
        .await
        .unwrap();
    let child_page = |steps: &[RequestStepState]| {
        steps
            .iter()
            .find(|s| s.step == RequestStep::Child)
            .unwrap()
            .errors
            .clone()
    };
    assert_eq!(child_page(&first.steps), vec![named.clone()]);
    // Every other page's save carries the map too, so saving them leaves the parts there.
    for step in RequestStep::ALL {
        save_request_step(&store, Some(&first.id), step, &draft, at(2))
            .await
            .unwrap();
    }
    let loaded = load_request(&store, &first.id).await.unwrap();
    let parts = &loaded.draft.unfinished_dates["child.date_of_birth"];
    assert_eq!((parts.day.as_str(), parts.month.as_str()), ("4", "3"));
    assert_eq!(loaded.draft.child.date_of_birth, None);
    assert_eq!(child_page(&loaded.steps), vec![named.clone()]);
    assert_eq!(loaded.draft.reason, draft.reason, "nothing else lost");
    let SendOutcome::Invalid { errors } = send_request(&store, &first.id, at(3)).await.unwrap()
    else {
        panic!("sent with half a date of birth");
    };
    assert_eq!(errors, vec![named]);

    // The year typed: the date is whole, the parts say nothing more, and it is sent.
    draft.child.date_of_birth = NaiveDate::from_ymd_opt(2016, 3, 4);
    draft.unfinished_dates.clear();
    let saved = save_request_step(&store, Some(&first.id), RequestStep::Child, &draft, at(4))
        .await
        .unwrap();
    assert!(child_page(&saved.steps).is_empty());
    assert!(load_request(&store, &first.id)
        .await
        .unwrap()
        .draft
        .unfinished_dates
        .is_empty());
    assert!(matches!(
        send_request(&store, &first.id, at(5)).await.unwrap(),
        SendOutcome::Sent { .. }
    ));
}

#[tokio::test]
async fn a_manager_decides_filters_and_a_closed_request_is_copied_not_reopened() {
    let dir = tempfile::tempdir().unwrap();
    let store = temp_store(dir.path()).await;
    form_with(&store, Some(services())).await.unwrap();
    sign_in_as(&store, &account(1, &[Role::Practitioner], &[])).await;
    let a = save_all(&store, &complete(), at(1)).await;
    send_request(&store, &a, at(2)).await.unwrap();
    let mut other = complete();
    other.ehm_id = "EHM-000999".into();
    other.child.first_name = "Owen".into();
    let b = save_all(&store, &other, at(3)).await;
    send_request(&store, &b, at(4)).await.unwrap();

    let manager = account(2, &[Role::Manager], &[SLT_ID]);
    sign_in_as(&store, &manager).await;
    assert!(form_with(&store, None).await.unwrap().manager);
    let awaiting = managed_requests(&store, RequestView::AwaitingDecision, None)
        .await
        .unwrap();
    assert_eq!(awaiting.len(), 2);
    let rec = load_request(&store, &a).await.unwrap();
    assert_eq!(
        rec.decisions,
        [Decision::Accept, Decision::MarkPending, Decision::Decline]
    );

    // Refused transitions name the problem and change nothing.
    let err = decide(&store, &a, &RequestEvent::Close, at(5))
        .await
        .unwrap_err();
    assert!(err.message.contains("not possible"), "{}", err.message);
    decide(&store, &a, &RequestEvent::MarkPending, at(6))
        .await
        .unwrap();
    decide(&store, &a, &RequestEvent::Accept, at(7))
        .await
        .unwrap();
    // The service's workers, as the allocation list fetched them (crate::workers).
    let casey = crate::workers::WorkerChoice {
        id: uuid::Uuid::from_u128(70).to_string(),
        name: "Casey Testworker".into(),
    };
    crate::workers::workers_with(&store, SLT_ID, Ok(vec![casey]), at(7))
        .await
        .unwrap();
    let err = decide(
        &store,
        &a,
        &RequestEvent::AllocateWorker {
            worker: "  ".into(),
        },
        at(8),
    )
    .await
    .unwrap_err();
    assert_eq!(err.message, "Select the worker to allocate");
    let rec = decide(
        &store,
        &a,
        &RequestEvent::AllocateWorker {
            worker: "Casey Testworker".into(),
        },
        at(9),
    )
    .await
    .unwrap();
    assert_eq!(rec.status, Some(RequestStatus::AcceptedWithWorker));
    assert_eq!(rec.worker.as_deref(), Some("Casey Testworker"));
    for (view, n) in [
        (RequestView::AwaitingDecision, 1),
        (RequestView::Pending, 0),
        (RequestView::AcceptedWithWorker, 1),
    ] {
        assert_eq!(
            managed_requests(&store, view, None).await.unwrap().len(),
            n,
            "{view:?}"
        );
    }

    // Exact, case-insensitive filters: whole value only.
    let with_worker = RequestView::AcceptedWithWorker;
    let found = |f: RequestFilter| {
        let store = &store;
        async move {
            managed_requests(store, with_worker, Some(&f))
                .await
                .unwrap()
                .into_iter()
                .map(|r| r.id)
                .collect::<Vec<_>>()
        }
    };
    assert_eq!(
        found(RequestFilter::WorkerName("casey TESTWORKER".into())).await,
        std::slice::from_ref(&a)
    );
    assert!(found(RequestFilter::WorkerName("Casey".into()))
        .await
        .is_empty());
    assert_eq!(
        found(RequestFilter::EhmId("ehm-000123".into())).await,
        std::slice::from_ref(&a)
    );
    assert!(found(RequestFilter::EhmId("EHM-0001".into()))
        .await
        .is_empty());
    let reference = rec.reference.to_lowercase();
    assert_eq!(
        found(RequestFilter::CaseReference(reference.clone())).await,
        std::slice::from_ref(&a)
    );
    assert!(found(RequestFilter::CaseReference(
        reference[..reference.len() - 1].into()
    ))
    .await
    .is_empty());
    assert_eq!(
        found(RequestFilter::EhmId(" ".into())).await,
        std::slice::from_ref(&a),
        "blank shows all"
    );
    let awaiting_by_ehm = managed_requests(
        &store,
        RequestView::AwaitingDecision,
        Some(&RequestFilter::EhmId("EHM-000999".into())),
    )
    .await
    .unwrap();
    assert_eq!(
        awaiting_by_ehm.iter().map(|r| &r.id).collect::<Vec<_>>(),
        [&b]
    );

    // Not closed yet: no copy.
    assert!(new_from(&store, &a, at(10)).await.is_err());
    decide(&store, &a, &RequestEvent::Close, at(11))
        .await
        .unwrap();
    for event in [RequestEvent::Accept, RequestEvent::MarkPending] {
        let err = decide(&store, &a, &event, at(12)).await.unwrap_err();
        assert!(
            err.message.contains("cannot be re-opened"),
            "{}",
            err.message
        );
    }
    let rec = decide(&store, &a, &RequestEvent::Archive, at(13))
        .await
        .unwrap();
    assert!(rec.closed && rec.decisions.is_empty());
    assert!(managed_requests(&store, RequestView::AcceptedClosed, None)
        .await
        .unwrap()
        .is_empty());
    assert_eq!(
        managed_requests(&store, RequestView::Archive, None)
            .await
            .unwrap()
            .len(),
        1
    );

    // "New request from this one": what is still true, the reason asked again.
    let copy = new_from(&store, &a, at(14)).await.unwrap();
    assert_ne!(copy.id, a);
    assert_eq!(copy.status, None);
    assert_eq!(copy.draft.child, complete().child);
    assert_eq!(copy.draft.ehm_id, "EHM-000123");
    assert_eq!(copy.draft.reason, "");
    assert!(!copy.draft.family_consents);
    assert_eq!(
        load_request(&store, &a).await.unwrap().status,
        Some(RequestStatus::Archived)
    );

    // A manager of another service sees none of them and decides nothing.
    sign_in_as(
        &store,
        &account(
            3,
            &[Role::Manager],
            &["01920000-0000-7000-8000-000000000001"],
        ),
    )
    .await;
    assert!(
        managed_requests(&store, RequestView::AwaitingDecision, None)
            .await
            .unwrap()
            .is_empty()
    );
    assert!(decide(&store, &b, &RequestEvent::Accept, at(15))
        .await
        .is_err());
}
