//! The invented demo organisation (`hearth-server demo-seed`): two services, a work group,
//! and one account per role, all with the same demo password. Run it again and it leaves
//! what exists alone.

use std::collections::BTreeSet;

use chrono::{DateTime, Utc};
use hearth_domain::account::{Role, Service};
use hearth_domain::{ServiceId, UserId, WorkGroupId};
use uuid::Uuid;

use crate::store::{DynStore, NewUser, StoreError};

/// Long, not on the breached list, obviously a demo.
pub const DEMO_PASSWORD: &str = "hearth demo only 2026";

pub struct DemoAccount {
    pub email: &'static str,
    pub role: Role,
}

const NORTH: u128 = 0x0192_0000_0000_7000_8000_0000_0000_0001;
const SLT: u128 = 0x0192_0000_0000_7000_8000_0000_0000_0002;
const NORTH_GROUP: u128 = 0x0192_0000_0000_7000_8000_0000_0000_0003;

struct Person {
    id: u128,
    forename: &'static str,
    surname: &'static str,
    email: &'static str,
    role: Role,
    service: Option<u128>,
    /// In the North work group; `true` as its manager.
    group: Option<bool>,
}

const PEOPLE: &[Person] = &[
    Person {
        id: 0x0192_0000_0000_7000_8000_0000_0000_0101,
        forename: "Alex",
        surname: "Demoworker",
        email: "alex.demoworker@example.org.uk",
        role: Role::Practitioner,
        service: Some(NORTH),
        group: Some(false),
    },
    Person {
        id: 0x0192_0000_0000_7000_8000_0000_0000_0102,
        forename: "Jo",
        surname: "Demoworker",
        email: "jo.demoworker@example.org.uk",
        role: Role::Practitioner,
        service: Some(SLT),
        group: None,
    },
    Person {
        id: 0x0192_0000_0000_7000_8000_0000_0000_0103,
        forename: "Sam",
        surname: "Demomanager",
        email: "sam.demomanager@example.org.uk",
        role: Role::Manager,
        service: Some(NORTH),
        group: Some(true),
    },
    Person {
        id: 0x0192_0000_0000_7000_8000_0000_0000_0104,
        forename: "Pat",
        surname: "Demosupport",
        email: "pat.demosupport@example.org.uk",
        role: Role::BusinessSupport,
        service: None,
        group: None,
    },
    Person {
        id: 0x0192_0000_0000_7000_8000_0000_0000_0105,
        forename: "Robin",
        surname: "Demonurse",
        email: "robin.demonurse@example.nhs.uk",
        role: Role::PartnerProfessional,
        service: None,
        group: Some(false),
    },
    Person {
        id: 0x0192_0000_0000_7000_8000_0000_0000_0107,
        forename: "Lee",
        surname: "Demolead",
        email: "lee.demolead@example.org.uk",
        role: Role::Manager,
        service: Some(SLT),
        group: None,
    },
    Person {
        id: 0x0192_0000_0000_7000_8000_0000_0000_0106,
        forename: "Morgan",
        surname: "Demotriage",
        email: "morgan.demotriage@example.org.uk",
        role: Role::MashTriage,
        service: None,
        group: None,
    },
];

fn ignore_existing(r: Result<(), StoreError>) -> Result<(), StoreError> {
    match r {
        Err(StoreError::Conflict) => Ok(()),
        other => other,
    }
}

/// Seeds the demo organisation; returns who can sign in.
pub async fn demo_seed(store: &DynStore, now: DateTime<Utc>) -> anyhow::Result<Vec<DemoAccount>> {
    for (id, name, code) in [
        (NORTH, "Early Help North", None),
        (SLT, "Speech and Language Therapy", Some("SLT")),
    ] {
        ignore_existing(
            store
                .insert_service(&Service {
                    id: ServiceId(Uuid::from_u128(id)),
                    name: name.into(),
                    commissioned_service: code.map(str::to_owned),
                })
                .await,
        )?;
    }
    let group = WorkGroupId(Uuid::from_u128(NORTH_GROUP));
    ignore_existing(store.insert_work_group(group, "North locality").await)?;
    let hash =
        tokio::task::spawn_blocking(|| crate::secrets::hash_password(DEMO_PASSWORD)).await??;
    let mut out = Vec::new();
    for p in PEOPLE {
        let id = UserId(Uuid::from_u128(p.id));
        let partner_details = (p.role == Role::PartnerProfessional).then(|| {
            serde_json::json!({
                "professional_role": "School nurse",
                "organisation": "Demoshire Community Health",
                "address": {"street": "Speedwell Street", "town": "Demotown", "postcode": "TS1 1ST"},
            })
        });
        ignore_existing(
            store
                .insert_user(NewUser {
                    id,
                    forename: p.forename,
                    surname: p.surname,
                    email: p.email,
                    password_hash: Some(&hash),
                    roles: &BTreeSet::from([p.role]),
                    email_confirmed: true,
                    partner_details,
                    now,
                })
                .await,
        )?;
        if let Some(s) = p.service {
            store
                .add_service_member(ServiceId(Uuid::from_u128(s)), id)
                .await?;
        }
        if let Some(is_manager) = p.group {
            store.add_work_group_member(group, id, is_manager).await?;
        }
        out.push(DemoAccount {
            email: p.email,
            role: p.role,
        });
    }
    Ok(out)
}
