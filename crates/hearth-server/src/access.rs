//! Who may do what to which record. Every endpoint asks [`decide`] with the signed-in
//! [`Actor`], an [`Action`] and the [`Target`] record; the API layer audits every answer.
//!
//! The rules (DESIGN.md, "Access and audit"): a role *and* the record decide. Business
//! support administers accounts, services and work groups; a user reads their own account,
//! and a manager the accounts of the people in the work groups they manage; a plan only for
//! active members of its sharing list; a request by service membership; a task by its
//! assignee or the members of its work group.

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
    Account(UserId),
    /// A plan, with the users who are *active* on its sharing list.
    Plan {
        active_sharers: &'a [UserId],
    },
    Request {
        service: ServiceId,
    },
    Task {
        assignee: UserId,
        work_group: Option<WorkGroupId>,
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
        (Target::Request { service }, _) if actor.services.contains(&service) => Allow,
        (Target::Request { .. }, _) => Deny("not a member of the request's service"),

        (Target::Task { .. }, Action::Disable) => Deny("tasks are not disabled"),
        (Target::Task { assignee, .. }, _) if assignee == actor.user => Allow,
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
            service: ServiceId(Uuid::from_u128(50)),
        };
        assert_eq!(decide(&p, Action::Read, request), Decision::Allow);
        assert!(matches!(
            decide(&stranger, Action::Read, request),
            Decision::Deny(_)
        ));

        let task = Target::Task {
            assignee: u(2),
            work_group: Some(WorkGroupId(Uuid::from_u128(60))),
        };
        assert_eq!(decide(&p, Action::Read, task), Decision::Allow);
        assert!(matches!(
            decide(&stranger, Action::Read, task),
            Decision::Deny(_)
        ));
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
