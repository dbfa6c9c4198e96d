//! Maximal invented records (no real people): every optional field filled,
//! 10,000-character free text, 50 family members, 40 plan lines, names beyond
//! Latin-1. Each record passes its own validation. Shared with `benches/render.rs`.

use chrono::{DateTime, NaiveDate, NaiveTime, Utc};
use hearth_domain::account::WorkGroup;
use hearth_domain::contact::{Address, Gender};
use hearth_domain::document::{DocumentDraft, DocumentMeta, FileFacts, RecordLink, Sha256Hex};
use hearth_domain::form::{
    Answers, ChildDetails, FieldDefinition, FieldKind, FieldValue, GroupRow,
};
use hearth_domain::plan::{
    AspectEntry, ChildStory, Consent, ContactsAndKeyInformation, FamilyMember, FamilyStory,
    FocusChild, NextReview, OtherService, Parent, Plan, PlanDraft, PlanLine, Practitioner,
    ScoreInput,
};
use hearth_domain::referral::{
    HouseholdMember, Referral, ReferralChild, ReferralConsent, ReferralDraft, ReferralType,
    Referrer,
};
use hearth_domain::request::{
    CaseReference, Request, RequestChild, RequestDraft, RequestEvent, RequestParent, RequestType,
    RequestingWorker,
};
use hearth_domain::review::{Attendee, LineProgressStatus, NextSteps, Review, ReviewDraft};
use hearth_domain::task::{Contribution, ContributionDraft, NewTask, SentBy, Task, TaskEvent};
use hearth_domain::{Config, DocumentId, RecordKind, RequestId, TaskId, UserId, WorkGroupId};
use uuid::Uuid;

use crate::fixture::free_text;

pub const LONG: usize = 10_000;
pub const PLAN_REFERENCE: &str = "FSP-2026-004217";
pub const REFERRAL_REFERENCE: &str = "MARF-2026-000917";
pub const CONTRIBUTION_REFERENCE: &str = "TASK-2026-000318";

const FIRST: [&str; 12] = [
    "Zoë",
    "Siobhán",
    "Łukasz",
    "Aoife",
    "Dmitrij",
    "Renée",
    "Oluwaseun",
    "Małgorzata",
    "Jürgen",
    "Niamh",
    "Søren",
    "Ayşe",
];
const LAST: [&str; 6] = [
    "Kowalczyk",
    "Ó Súilleabháin",
    "Nguyễn",
    "Adébáyọ̀",
    "Brennan-Walsh",
    "Þórsdóttir",
];
const RELATIONSHIPS: [&str; 6] = [
    "Sister",
    "Maternal grandmother",
    "Step-brother",
    "Neighbour",
    "Uncle (mother's side)",
    "Family friend who collects the children from school on Tuesdays",
];

pub fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).expect("valid date")
}

fn at(y: i32, m: u32, day: u32, h: u32) -> DateTime<Utc> {
    d(y, m, day)
        .and_hms_opt(h, 0, 0)
        .expect("valid time")
        .and_utc()
}

fn first(i: usize) -> String {
    FIRST[i % FIRST.len()].to_owned()
}

fn last(i: usize) -> String {
    LAST[i % LAST.len()].to_owned()
}

fn address(i: usize) -> Address {
    Address {
        property: format!("Flat {}, Ærø Court", i + 1),
        street: format!("{} Długa Street", 10 + i),
        area: "Fratton".into(),
        town: "Portsmouth".into(),
        county: "Hampshire".into(),
        postcode: format!("PO{} 2AB", 1 + i % 9),
    }
}

pub fn maximal_plan_draft(config: &Config) -> PlanDraft {
    let family_members: Vec<FamilyMember> = (0..50)
        .map(|i| FamilyMember {
            relationship: RELATIONSHIPS[i % RELATIONSHIPS.len()].to_owned(),
            first_name: format!("{}{}", first(i + 1), i + 1),
            last_name: last(i),
            date_of_birth: Some(d(1950 + i as i32, 1 + (i % 12) as u32, 1 + (i % 28) as u32)),
            gender: Some(Gender::ALL[i % Gender::ALL.len()]),
            contact: format!("07700 900{i:03}, member{i}@example.org.uk"),
            part_of_plan: i % 5 == 0,
        })
        .collect();
    let mut draft = PlanDraft {
        consent: Consent {
            agrees_to_share: true,
            not_shared_with: (0..5)
                .map(|i| format!("Former landlord {} {} of Ærø Lettings", first(i), last(i)))
                .collect(),
            consent_date: Some(d(2026, 11, 2)),
        },
        practitioner: Practitioner {
            name: "Siobhán Ní Bhriain-Łukaszewicz".into(),
            agency: config.agencies[3].code.clone(),
            prompting: config.prompting_reasons[2].code.clone(),
            phone: "02392123456".into(),
            phone_extension: "4471".into(),
            email: "siobhan.ni.bhriain-lukaszewicz@northfield-childrens-centre.example.gov.uk"
                .into(),
        },
        focus_child: FocusChild {
            first_name: "Zoë".into(),
            last_name: "Kowalczyk-Ó Súilleabháin".into(),
            date_of_birth: Some(d(2017, 4, 3)),
            gender: Some(Gender::Female),
        },
        main_parent: Parent {
            first_name: "Łukasz".into(),
            last_name: "Kowalczyk".into(),
            date_of_birth: Some(d(1986, 9, 14)),
            gender: Some(Gender::Male),
            address: address(3),
        },
        second_parent: Some(Parent {
            first_name: "Siobhán".into(),
            last_name: "Ó Súilleabháin".into(),
            date_of_birth: Some(d(1988, 2, 29)),
            gender: Some(Gender::Female),
            address: address(7),
        }),
        family_members,
        contacts: ContactsAndKeyInformation {
            parent_phone: "07700900123".into(),
            parent_email: "lukasz.kowalczyk@example.org.uk".into(),
            other_contact_details: free_text(21, 600),
            interpreter_needed: true,
            language: "Polish for Łukasz; Irish for Siobhán's mother".into(),
            key_information: free_text(1, LONG),
            other_services: (0..12)
                .map(|i| OtherService {
                    service: format!("Service {}: paediatric consultant, Queen Alexandra", i + 1),
                    contact: format!(
                        "Dr {} {}, 02392{:06}",
                        first(i + 4),
                        last(i + 2),
                        286_000 + i
                    ),
                    role: free_text(i + 30, 80 + i * 10),
                })
                .collect(),
        },
        family_story: FamilyStory {
            key_events_now: free_text(2, LONG),
            past_events: free_text(3, LONG),
        },
        child_stories: Vec::new(),
        aspects: Default::default(),
        practitioner_summary: free_text(4, LONG),
        family_plan: (0..40)
            .map(|i| PlanLine {
                focus_area: config.focus_areas[i % config.focus_areas.len()]
                    .code
                    .clone(),
                need: format!("Need {}: {}", i + 1, free_text(i + 5, 60 + (i * 37) % 300)),
                action: if i == 17 {
                    free_text(i, 6_000)
                } else {
                    format!(
                        "Action {}: {}",
                        i + 1,
                        free_text(i + 9, 100 + (i * 53) % 500)
                    )
                },
                who: format!("{} {}", first(i + 3), last(i + 1)),
                by_when: Some(d(2027, 1 + (i % 12) as u32, 1 + (i % 28) as u32)),
                score: Some(1 + (i % 10) as u8),
            })
            .collect(),
        family_name: "Kowalczyk-Ó Súilleabháin".into(),
        next_review: NextReview {
            date: Some(d(2027, 2, 1)),
            time: NaiveTime::from_hms_opt(10, 30, 0),
            location: "Northfield Family Hub, room 2 (ground floor, step-free access)".into(),
        },
        unfinished_dates: Default::default(),
    };
    draft.child_stories = draft
        .focus_children()
        .iter()
        .enumerate()
        .map(|(i, child)| {
            let size = if i == 0 { LONG } else { 300 + i * 40 };
            ChildStory {
                child_name: child.name.clone(),
                working_well: free_text(10 + i, size),
                could_be_better: free_text(20 + i, size),
                who_i_can_talk_to: free_text(30 + i, size),
            }
        })
        .collect();
    draft.aspects = config
        .aspects_of_life
        .iter()
        .enumerate()
        .map(|(i, a)| {
            let entry = AspectEntry {
                score: Some(if i == 3 {
                    ScoreInput::NotApplicable
                } else {
                    ScoreInput::Score(1 + (i % 10) as u8)
                }),
                note: if a.code == "housing" {
                    free_text(40, LONG)
                } else {
                    free_text(40 + i, 150 + i * 90)
                },
            };
            (a.code.clone(), entry)
        })
        .collect();
    draft
}

pub fn maximal_plan(config: &Config) -> Plan {
    Plan::parse(maximal_plan_draft(config), config).expect("the maximal plan is valid")
}

/// A review of `plan` with every part filled; `next` decides whether it closes the plan.
pub fn maximal_review(plan: &Plan, config: &Config, next: NextSteps) -> Review {
    let mut r = ReviewDraft::prefilled_from(plan);
    r.held_on = Some(d(2027, 2, 1));
    r.attendees = (0..15)
        .map(|i| Attendee {
            name: format!("{} {}", first(i + 2), last(i + 3)),
            role: [
                "Mum",
                "Dad",
                "Class teacher",
                "Health visitor",
                "Housing officer",
            ][i % 5]
                .to_owned(),
        })
        .collect();
    let statuses = [
        LineProgressStatus::Achieved,
        LineProgressStatus::InProgress,
        LineProgressStatus::NotStarted,
        LineProgressStatus::NoLongerNeeded,
    ];
    for (i, p) in r.line_progress.iter_mut().enumerate() {
        p.status = Some(statuses[i % statuses.len()]);
        p.note = format!(
            "Progress {}: {}",
            i + 1,
            free_text(i + 50, 80 + (i * 41) % 400)
        );
        p.score = Some(10 - (i % 10) as u8);
    }
    for (i, entry) in r.updated_plan.aspects.values_mut().enumerate() {
        entry.score = Some(ScoreInput::Score(10 - (i % 10) as u8));
        entry.note = format!("At the review: {}", free_text(i + 60, 120 + i * 30));
    }
    r.updated_plan.family_plan.truncate(30);
    r.updated_plan.next_review = NextReview {
        date: Some(d(2027, 5, 4)),
        time: NaiveTime::from_hms_opt(14, 15, 0),
        location: "Zoë's school, Łąkowa Primary, meeting room B".into(),
    };
    r.review_summary = free_text(70, LONG);
    r.next_steps = Some(next);
    if next == NextSteps::Close {
        r.closure_reason = config.closure_reasons[0].code.clone();
    }
    Review::parse(r, config).expect("the maximal review is valid")
}

pub fn maximal_referral(config: &Config) -> Referral {
    let draft = ReferralDraft {
        referral_type: Some(ReferralType::Safeguarding),
        referrer: Referrer {
            name: "Małgorzata Nguyễn".into(),
            role: "Designated safeguarding lead".into(),
            organisation: "Łąkowa Primary School and Nursery, Northfield Federation".into(),
            phone: "01708434222".into(),
            phone_extension: "215".into(),
            email: "m.nguyen@lakowa-primary.example.sch.uk".into(),
            organisation_phone: "01708434000".into(),
        },
        children: (0..6)
            .map(|i| ReferralChild {
                first_name: first(i),
                last_name: last(i),
                date_of_birth: Some(d(2010 + i as i32, 1 + i as u32, 3 + i as u32)),
                date_of_birth_estimated: i % 2 == 1,
                ethnicity: config.ethnicities[(i * 4) % config.ethnicities.len()]
                    .code
                    .clone(),
                gender: Some(Gender::ALL[i % Gender::ALL.len()]),
                address: address(i),
                school: format!("Łąkowa Primary School, class {}", i + 1),
            })
            .collect(),
        household: (0..50)
            .map(|i| HouseholdMember {
                relationship: RELATIONSHIPS[i % RELATIONSHIPS.len()].to_owned(),
                first_name: format!("{}{}", first(i + 5), i + 1),
                last_name: last(i + 1),
                date_of_birth: Some(d(
                    1960 + (i % 40) as i32,
                    1 + (i % 12) as u32,
                    1 + (i % 28) as u32,
                )),
                parental_responsibility: i % 3 == 0,
                lives_with_child: i % 2 == 0,
                phone: format!("07700900{i:03}"),
            })
            .collect(),
        concerns: free_text(80, LONG),
        support_needed: free_text(81, LONG),
        previous_references: (0..12)
            .map(|i| format!("MARF-2025-{:06}", 4100 + i))
            .collect(),
        consent: ReferralConsent {
            given: Some(false),
            reason_not_given: free_text(82, LONG),
        },
        unfinished_dates: Default::default(),
    };
    Referral::parse(draft, config).expect("the maximal referral is valid")
}

pub fn maximal_request(config: &Config) -> Request {
    let draft = RequestDraft {
        service: config.commissioned_services[2].code.clone(),
        request_type: Some(RequestType::Lead),
        ehm_id: "EHM-0077812-ŁK".into(),
        child: RequestChild {
            first_name: "Zoë".into(),
            last_name: "Kowalczyk-Ó Súilleabháin".into(),
            date_of_birth: Some(d(2017, 4, 3)),
            gender: Some(Gender::NonBinary),
            ethnicity: config.ethnicities[16].code.clone(),
            upn: "A123456789012".into(),
            address: address(3),
        },
        parent_carer: RequestParent {
            first_name: "Siobhán".into(),
            last_name: "Ó Súilleabháin".into(),
            relationship: "Mother".into(),
            phone: "07700900456".into(),
        },
        requesting_worker: RequestingWorker {
            name: "Jürgen Þórsdóttir".into(),
            team: "Early Help Team (Northfield), Family Hub East".into(),
            phone: "02392654321".into(),
            email: "jurgen.thorsdottir@council.example.gov.uk".into(),
        },
        reason: free_text(90, LONG),
        family_consents: true,
        unfinished_dates: Default::default(),
    };
    let request = Request::create(
        RequestId(Uuid::from_u128(7)),
        CaseReference::parse("THR-2026-001234").expect("case reference"),
        draft,
        config,
    )
    .expect("the maximal request is valid");
    request
        .apply(&RequestEvent::Accept)
        .and_then(|r| {
            r.apply(&RequestEvent::AllocateWorker {
                worker: "Ayşe Brennan-Walsh".into(),
            })
        })
        .expect("accepted with a worker")
}

/// A contribution with every question answered.
pub struct MaximalContribution {
    pub task: Task,
    pub contribution: Contribution,
    pub documents: Vec<DocumentMeta>,
}

fn answer(def: &FieldDefinition, seed: usize, long: usize) -> FieldValue {
    match &def.kind {
        FieldKind::Text => {
            FieldValue::Text(format!("{} for Zoë: Łukasz Þórsson {seed}", def.label))
        }
        FieldKind::LongText => FieldValue::Text(free_text(seed, long)),
        FieldKind::Date => {
            FieldValue::Date(d(2026, 1 + (seed % 12) as u32, 1 + (seed % 28) as u32))
        }
        FieldKind::DropDown { options } => {
            FieldValue::Choice(options[seed % options.len()].clone())
        }
        FieldKind::Checkbox => FieldValue::Checked(true),
    }
}

/// The contribution for the form type `form_code`, submitted after counter-signing.
pub fn maximal_contribution(config: &Config, form_code: &str) -> MaximalContribution {
    let form = config.form_type(form_code).expect("form type");
    let partner = UserId(Uuid::from_u128(21));
    let manager = UserId(Uuid::from_u128(22));
    let group = WorkGroup {
        id: WorkGroupId(Uuid::from_u128(30)),
        name: "Community paediatrics".into(),
        members: vec![partner],
        managers: vec![manager],
    };
    let task = Task::delegate(NewTask {
        id: TaskId(Uuid::from_u128(40)),
        form_type: form.code.clone(),
        child: ChildDetails {
            name: "Zoë Kowalczyk-Ó Súilleabháin".into(),
            date_of_birth: Some(d(2017, 4, 3)),
            address: "Flat 4, Ærø Court\n12 Długa Street\nPortsmouth\nPO1 2AB".into(),
        },
        requested_on: d(2026, 10, 12),
        comments: free_text(95, 1_500),
        sent_by: SentBy {
            name: "Renée Adébáyọ̀".into(),
            department: "SEND Statutory Assessment Team".into(),
            phone: "01865815000".into(),
            address: "County Hall, New Road, Oxford OX1 1ND".into(),
        },
        assignee: partner,
        work_group: group.id,
    });
    let mut answers = Answers::default();
    for (i, f) in form.fields().filter(|f| f.prefill.is_none()).enumerate() {
        answers
            .fields
            .insert(f.id.clone(), answer(f, 100 + i, LONG));
    }
    for (g_index, g) in form.groups().enumerate() {
        let rows: Vec<GroupRow> = (0..25)
            .map(|r| {
                g.columns
                    .iter()
                    .enumerate()
                    .map(|(c, col)| {
                        let seed = 200 + g_index * 100 + r * 7 + c;
                        (col.id.clone(), answer(col, seed, 150 + (r * 61) % 450))
                    })
                    .collect()
            })
            .collect();
        answers.groups.insert(g.id.clone(), rows);
    }
    let documents: Vec<DocumentMeta> = [
        (
            "Occupational therapy report, Zoë",
            "TASK-2026-000318-261020-OtReport.pdf",
            &b"%PDF-1.7"[..],
            2_400_000,
        ),
        (
            "Photograph of the adapted chair",
            "TASK-2026-000318-261021-Chair.png",
            &[0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A][..],
            640_000,
        ),
        (
            "Łukasz's letter to the panel",
            "TASK-2026-000318-261022-Letter.pdf",
            &b"%PDF-1.4"[..],
            35_000,
        ),
    ]
    .into_iter()
    .enumerate()
    .map(|(i, (title, file_name, prefix, size))| {
        DocumentMeta::parse(
            DocumentId(Uuid::from_u128(50 + i as u128)),
            DocumentDraft {
                title: title.into(),
                file_name: file_name.into(),
                link: Some(RecordLink {
                    kind: RecordKind::Contribution,
                    record_id: Uuid::from_u128(40),
                    case_reference: Some(CONTRIBUTION_REFERENCE.into()),
                }),
            },
            FileFacts {
                size,
                prefix,
                sha256: Sha256Hex::from_bytes([i as u8; 32]),
            },
        )
        .expect("document metadata")
    })
    .collect();
    let draft = ContributionDraft {
        answers,
        documents: documents.iter().map(DocumentMeta::id).collect(),
    };
    let contribution = Contribution::parse(&task, draft, config).expect("valid contribution");
    let groups = [group];
    let task = task
        .apply(
            TaskEvent::AskCounterSignature {
                by: partner,
                manager,
            },
            &groups,
        )
        .and_then(|t| {
            t.apply(
                TaskEvent::CounterSign {
                    by: manager,
                    at: at(2026, 11, 19, 15),
                },
                &groups,
            )
        })
        .and_then(|t| t.submit(manager, at(2026, 11, 20, 9), &contribution))
        .expect("counter-signed and submitted");
    MaximalContribution {
        task,
        contribution,
        documents,
    }
}
