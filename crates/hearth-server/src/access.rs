//! Who may do what to which record. Every endpoint asks [`decide`] with the signed-in
//! [`Actor`], an [`Action`] and the [`Target`] record; the API layer audits every answer.
//!
//! The rules (DESIGN.md, "Access and audit"): a role *and* the record decide. Business
//! support administers accounts, services and work groups; a user reads their own account,
//! and a manager the accounts of the people in the work groups they manage; a plan only for
//! active members of its sharing list; a request by service membership; a task by its
//! assignee or the members of its work group; a referral by its author, and by MASH triage
//! once submitted. A review, contribution or document follows the record it belongs to.
//!
//! Sync asks the same function for every record it serves or writes: [`record_target`]
//! builds the [`Target`] from what the server holds of a record (its kind, owner, service,
//! assignee and work group, submitted flag, and the sharing list).

use std::collections::BTreeSet;

use hearth_domain::account::{manages, Role, WorkGroup};
use hearth_domain::{ServiceId, UserId, WorkGroupId};
use uuid::Uuid;

/// The signed-in user, as the access rules see them.
#[derive(Debug, Clone)]
pub struct Actor {
    pub user: UserId,
    pub device: Uuid,
    pub roles: BTreeSet<Role>,
    pub services: Vec<ServiceId>,
    pub work_groups: Vec<WorkGroup>,
}

impl Actor {
    pub fn has(&self, role: Role) -> bool {
        self.roles.contains(&role)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    Read,
    Write,
    /// Deactivate an account (and wipe its devices).
    Disable,
}

#[derive(Debug, Clone, Copy)]
pub enum Target<'a> {
    /// The list of accounts, services and work groups as a whole.
    Directory,
    /// The workers of a service, whom its managers allocate to requests.
    ServiceWorkers(ServiceId),
    Account(UserId),
    /// A plan, with the users who are *active* on its sharing list (its coordinator, the
    /// author, is always on it).
    Plan {
        active_sharers: &'a [UserId],
    },
    /// A request for support: its author, and the members of the service it is sent to.
    Request {
        author: UserId,
        service: Option<ServiceId>,
    },
    /// A delegated task: the person who delegated it, its assignee and its work group.
    Task {
        author: UserId,
        assignee: Option<UserId>,
        work_group: Option<WorkGroupId>,
    },
    /// A referral to the MASH: its author; MASH triage once it is submitted.
    Referral {
        author: UserId,
        submitted: bool,
    },
    /// A review, contribution or document: as the record it belongs to (`parent`); its
    /// author alone while that record is not on the server.
    Attached {
        author: UserId,
        parent: Option<&'a Target<'a>>,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    Allow,
    /// The reason is a fixed phrase, fit for the audit log.
    Deny(&'static str),
}

pub fn decide(actor: &Actor, action: Action, target: Target<'_>) -> Decision {
    use Decision::*;
    let admin = actor.has(Role::BusinessSupport);
    match (target, action) {
        (Target::Directory, _) if admin => Allow,
        (Target::Directory, _) => Deny("only business support administers accounts"),

        (Target::ServiceWorkers(service), Action::Read)
            if actor.has(Role::Manager) && actor.services.contains(&service) =>
        {
            Allow
        }
        (Target::ServiceWorkers(_), _) => Deny("only a manager of the service lists its workers"),

        (Target::Account(id), Action::Disable) if admin && id == actor.user => {
            Deny("business support cannot disable their own account")
        }
        (Target::Account(_), Action::Disable) if admin => Allow,
        (Target::Account(_), Action::Disable) => Deny("only business support disables accounts"),
        (Target::Account(id), _) if id == actor.user => Allow,
        (Target::Account(_), _) if admin => Allow,
        (Target::Account(id), Action::Read)
            if actor.has(Role::Manager) && manages(&actor.work_groups, actor.user, id) =>
        {
            Allow
        }
        (Target::Account(_), _) => Deny("not your account, and not someone you manage"),

        (Target::Plan { .. }, Action::Disable) => Deny("plans are not disabled"),
        (Target::Plan { active_sharers }, _) if active_sharers.contains(&actor.user) => Allow,
        (Target::Plan { .. }, _) => Deny("not an active member of the plan's sharing list"),

        (Target::Request { .. }, Action::Disable) => Deny("requests are not disabled"),
        (Target::Request { author, .. }, _) if author == actor.user => Allow,
        (
            Target::Request {
                service: Some(service),
                ..
            },
            _,
        ) if actor.services.contains(&service) => Allow,
        (Target::Request { .. }, _) => Deny("not a member of the request's service"),

        (Target::Task { .. }, Action::Disable) => Deny("tasks are not disabled"),
        (Target::Task { author, .. }, _) if author == actor.user => Allow,
        (
            Target::Task {
                assignee: Some(a), ..
            },
            _,
        ) if a == actor.user => Allow,
        (
            Target::Task {
                work_group: Some(g),
                ..
            },
            _,
        ) if actor
            .work_groups
            .iter()
            .any(|w| w.id == g && w.includes(actor.user)) =>
        {
            Allow
        }
        (Target::Task { .. }, _) => Deny("not the task's assignee or in its work group"),

        (Target::Referral { .. }, Action::Disable) => Deny("referrals are not disabled"),
        (Target::Referral { author, .. }, _) if author == actor.user => Allow,
        (
            Target::Referral {
                submitted: true, ..
            },
            _,
        ) if actor.has(Role::MashTriage) => Allow,
        (Target::Referral { .. }, _) => {
            Deny("not the referral's author, nor MASH triage for a submitted referral")
        }

        (Target::Attached { .. }, Action::Disable) => Deny("records are not disabled"),
        (
            Target::Attached {
                parent: Some(parent),
                ..
            },
            _,
        ) => match decide(actor, action, *parent) {
            Allow => Allow,
            Deny(_) => Deny("no access to the record this belongs to"),
        },
        (Target::Attached { author, .. }, _) if author == actor.user => Allow,
        (Target::Attached { .. }, _) => Deny("not the author"),
    }
}

/// What the server holds of a synced record that the access rules look at. Ids are as
/// stored (text); a value that is not a valid id counts as absent.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RecordFacts {
    pub kind: String,
    pub owner: String,
    pub service: Option<String>,
    pub assignee: Option<String>,
    pub work_group: Option<String>,
    pub submitted: bool,
    /// The asking user is an active member of the record's sharing list.
    pub shared_with_actor: bool,
}

/// Builds the target for a record and asks [`decide`]; `parent` is the record it belongs
/// to (for reviews, contributions and documents), when that is on the server.
pub fn decide_record(
    actor: &Actor,
    action: Action,
    record: &RecordFacts,
    parent: Option<&RecordFacts>,
) -> Decision {
    let parent_sharers = parent.map(|p| sharers(actor, p));
    let parent_target = match (parent, &parent_sharers) {
        (Some(p), Some(s)) => Some(record_target(p, s, None)),
        _ => None,
    };
    let own_sharers = sharers(actor, record);
    decide(
        actor,
        action,
        record_target(record, &own_sharers, parent_target.as_ref()),
    )
}

/// The part of a plan's sharing list that can change the answer for `actor`: its author,
/// and the actor when they are active on it.
fn sharers(actor: &Actor, r: &RecordFacts) -> Vec<UserId> {
    let mut v: Vec<UserId> = parse_id(Some(&r.owner)).map(UserId).into_iter().collect();
    if r.shared_with_actor {
        v.push(actor.user);
    }
    v
}

fn parse_id(s: Option<&str>) -> Option<Uuid> {
    s.and_then(|s| Uuid::parse_str(s).ok())
}

/// The [`Target`] for a record of `facts.kind`; `sharers` as [`sharers`] gives them.
pub fn record_target<'a>(
    facts: &RecordFacts,
    sharers: &'a [UserId],
    parent: Option<&'a Target<'a>>,
) -> Target<'a> {
    // An unparsable owner never matches anyone.
    let author = UserId(parse_id(Some(&facts.owner)).unwrap_or(Uuid::nil()));
    match facts.kind.as_str() {
        "plan" => Target::Plan {
            active_sharers: sharers,
        },
        "request" => Target::Request {
            author,
            service: parse_id(facts.service.as_deref()).map(ServiceId),
        },
        "task" => Target::Task {
            author,
            assignee: parse_id(facts.assignee.as_deref()).map(UserId),
            work_group: parse_id(facts.work_group.as_deref()).map(WorkGroupId),
        },
        "referral" => Target::Referral {
            author,
            submitted: facts.submitted,
        },
        // review, contribution, document (and any kind added later): with their parent.
        _ => Target::Attached { author, parent },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn u(n: u128) -> UserId {
        UserId(Uuid::from_u128(n))
    }

    fn actor(n: u128, roles: &[Role]) -> Actor {
        Actor {
            user: u(n),
            device: Uuid::from_u128(100 + n),
            roles: roles.iter().copied().collect(),
            services: vec![ServiceId(Uuid::from_u128(50))],
            work_groups: vec![WorkGroup {
                id: WorkGroupId(Uuid::from_u128(60)),
                name: "North".into(),
                members: vec![u(1), u(2)],
                managers: vec![u(3)],
            }],
        }
    }

    #[test]
    fn records_follow_sharing_service_and_work_group() {
        let p = actor(1, &[Role::Practitioner]);
        let stranger = Actor {
            services: vec![],
            work_groups: vec![],
            ..actor(9, &[Role::Practitioner])
        };
        let sharers = [u(1)];
        let plan = Target::Plan {
            active_sharers: &sharers,
        };
        assert_eq!(decide(&p, Action::Write, plan), Decision::Allow);
        assert!(matches!(
            decide(&stranger, Action::Read, plan),
            Decision::Deny(_)
        ));

        let request = Target::Request {
            author: u(7),
            service: Some(ServiceId(Uuid::from_u128(50))),
        };
        assert_eq!(decide(&p, Action::Read, request), Decision::Allow);
        assert!(matches!(
            decide(&stranger, Action::Read, request),
            Decision::Deny(_)
        ));

        let task = Target::Task {
            author: u(7),
            assignee: Some(u(2)),
            work_group: Some(WorkGroupId(Uuid::from_u128(60))),
        };
        assert_eq!(decide(&p, Action::Read, task), Decision::Allow);
        assert!(matches!(
            decide(&stranger, Action::Read, task),
            Decision::Deny(_)
        ));
    }

    #[test]
    fn only_a_manager_of_the_service_lists_its_workers() {
        let service = ServiceId(Uuid::from_u128(50));
        let manager = actor(3, &[Role::Manager]);
        let workers = Target::ServiceWorkers(service);
        assert_eq!(decide(&manager, Action::Read, workers), Decision::Allow);
        assert!(matches!(
            decide(&manager, Action::Write, workers),
            Decision::Deny(_)
        ));
        let other = Target::ServiceWorkers(ServiceId(Uuid::from_u128(51)));
        assert!(matches!(
            decide(&manager, Action::Read, other),
            Decision::Deny(_)
        ));
        for roles in [
            &[Role::Practitioner][..],
            &[Role::BusinessSupport],
            &[Role::MashTriage],
        ] {
            assert!(matches!(
                decide(&actor(1, roles), Action::Read, workers),
                Decision::Deny(_)
            ));
        }
    }

    #[test]
    fn referrals_go_to_triage_once_submitted_and_attached_records_follow_their_parent() {
        let author = actor(1, &[Role::Practitioner]);
        let triage = actor(5, &[Role::MashTriage]);
        let colleague = actor(2, &[Role::Practitioner]);
        let draft = Target::Referral {
            author: u(1),
            submitted: false,
        };
        let submitted = Target::Referral {
            author: u(1),
            submitted: true,
        };
        assert_eq!(decide(&author, Action::Write, draft), Decision::Allow);
        assert!(matches!(
            decide(&triage, Action::Read, draft),
            Decision::Deny(_)
        ));
        assert_eq!(decide(&triage, Action::Read, submitted), Decision::Allow);
        assert!(matches!(
            decide(&colleague, Action::Read, submitted),
            Decision::Deny(_)
        ));

        // A document on a plan shared with user 2 but not with user 9.
        let plan = RecordFacts {
            kind: "plan".into(),
            owner: u(1).to_string(),
            ..Default::default()
        };
        let doc = RecordFacts {
            kind: "document".into(),
            owner: u(1).to_string(),
            ..Default::default()
        };
        let shared = RecordFacts {
            shared_with_actor: true,
            ..plan.clone()
        };
        let stranger = actor(9, &[Role::Practitioner]);
        assert_eq!(
            decide_record(&colleague, Action::Read, &doc, Some(&shared)),
            Decision::Allow
        );
        assert!(matches!(
            decide_record(&stranger, Action::Read, &doc, Some(&plan)),
            Decision::Deny(_)
        ));
        assert!(matches!(
            decide_record(&stranger, Action::Read, &doc, None),
            Decision::Deny(_)
        ));
        assert_eq!(
            decide_record(&author, Action::Read, &doc, None),
            Decision::Allow
        );
    }

    #[test]
    fn managers_read_the_accounts_of_people_they_manage() {
        let m = actor(3, &[Role::Manager]);
        assert_eq!(
            decide(&m, Action::Read, Target::Account(u(1))),
            Decision::Allow
        );
        assert!(matches!(
            decide(&m, Action::Write, Target::Account(u(1))),
            Decision::Deny(_)
        ));
        assert!(matches!(
            decide(&m, Action::Read, Target::Account(u(8))),
            Decision::Deny(_)
        ));
        let bs = actor(4, &[Role::BusinessSupport]);
        assert_eq!(
            decide(&bs, Action::Disable, Target::Account(u(1))),
            Decision::Allow
        );
        assert!(matches!(
            decide(&bs, Action::Disable, Target::Account(u(4))),
            Decision::Deny(_)
        ));
    }
}
