//! Who a plan is shared with, and transfers of the coordinator role.
//!
//! Access follows the Active tick: a user reads a plan only while an active member.
//! A plan always keeps at least one active coordinator.

use serde::{Deserialize, Serialize};

use crate::ids::{PlanId, TransferId, UserId};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
pub enum SharingRole {
    /// FSP coordinator: leads the plan and edits it.
    Coordinator,
    /// Team around the family: sees the plan.
    TeamAroundTheFamily,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct Member {
    pub user: UserId,
    pub role: SharingRole,
    pub active: bool,
}

/// Why a sharing change was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum SharingError {
    #[error("only an active coordinator of the plan can do that")]
    NotCoordinator,
    #[error("that user is not on the plan's sharing list")]
    NotAMember,
    #[error("you can only take yourself off the plan; ask a coordinator for anything else")]
    OnlySelf,
    #[error("the plan needs an active coordinator: transfer it before you leave it")]
    LastCoordinator,
    #[error("a plan cannot be transferred to the person who has it")]
    TransferToSelf,
}

/// The plan's sharing list. Built with [`SharingList::new`] and changed only through the
/// operations below, each returning the new list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(try_from = "Vec<Member>", into = "Vec<Member>")]
pub struct SharingList {
    members: Vec<Member>,
}

impl TryFrom<Vec<Member>> for SharingList {
    type Error = SharingError;

    fn try_from(members: Vec<Member>) -> Result<SharingList, SharingError> {
        let list = SharingList { members };
        if list.active_coordinators().is_empty() {
            Err(SharingError::LastCoordinator)
        } else {
            Ok(list)
        }
    }
}

impl From<SharingList> for Vec<Member> {
    fn from(list: SharingList) -> Vec<Member> {
        list.members
    }
}

impl SharingList {
    /// A new plan's list: its creator, as active coordinator.
    pub fn new(coordinator: UserId) -> SharingList {
        SharingList {
            members: vec![Member {
                user: coordinator,
                role: SharingRole::Coordinator,
                active: true,
            }],
        }
    }

    pub fn members(&self) -> &[Member] {
        &self.members
    }

    pub fn member(&self, user: UserId) -> Option<&Member> {
        self.members.iter().find(|m| m.user == user)
    }

    /// Access follows the Active tick.
    pub fn can_read(&self, user: UserId) -> bool {
        self.member(user).is_some_and(|m| m.active)
    }

    pub fn is_active_coordinator(&self, user: UserId) -> bool {
        self.member(user)
            .is_some_and(|m| m.active && m.role == SharingRole::Coordinator)
    }

    pub fn active_coordinators(&self) -> Vec<UserId> {
        self.members
            .iter()
            .filter(|m| m.active && m.role == SharingRole::Coordinator)
            .map(|m| m.user)
            .collect()
    }

    /// For the dashboard tile "plans with several coordinators".
    pub fn has_several_coordinators(&self) -> bool {
        self.active_coordinators().len() > 1
    }

    /// "Attach user": a coordinator adds someone (or changes their role or Active tick).
    pub fn attach(
        &self,
        by: UserId,
        user: UserId,
        role: SharingRole,
        active: bool,
    ) -> Result<SharingList, SharingError> {
        if !self.is_active_coordinator(by) {
            return Err(SharingError::NotCoordinator);
        }
        let mut next = self.clone();
        match next.members.iter_mut().find(|m| m.user == user) {
            Some(m) => {
                m.role = role;
                m.active = active;
            }
            None => next.members.push(Member { user, role, active }),
        }
        next.keeps_a_coordinator()
    }

    /// Ticks or unticks Active. Anyone may untick themselves; only a coordinator may
    /// change someone else, or put someone back.
    pub fn set_active(
        &self,
        by: UserId,
        user: UserId,
        active: bool,
    ) -> Result<SharingList, SharingError> {
        if self.member(user).is_none() {
            return Err(SharingError::NotAMember);
        }
        let allowed =
            self.is_active_coordinator(by) || (by == user && !active && self.can_read(by));
        if !allowed {
            return Err(if by == user {
                SharingError::OnlySelf
            } else {
                SharingError::NotCoordinator
            });
        }
        let mut next = self.clone();
        if let Some(m) = next.members.iter_mut().find(|m| m.user == user) {
            m.active = active;
        }
        next.keeps_a_coordinator()
    }

    /// After an authorised transfer: the recipient becomes an active coordinator and the
    /// sender stays on as team around the family.
    pub fn apply_transfer(&self, transfer: &Transfer) -> SharingList {
        let mut next = self.clone();
        for m in next.members.iter_mut() {
            if m.user == transfer.from {
                m.role = SharingRole::TeamAroundTheFamily;
            }
        }
        match next.members.iter_mut().find(|m| m.user == transfer.to) {
            Some(m) => {
                m.role = SharingRole::Coordinator;
                m.active = true;
            }
            None => next.members.push(Member {
                user: transfer.to,
                role: SharingRole::Coordinator,
                active: true,
            }),
        }
        next
    }

    fn keeps_a_coordinator(self) -> Result<SharingList, SharingError> {
        if self.active_coordinators().is_empty() {
            Err(SharingError::LastCoordinator)
        } else {
            Ok(self)
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
pub enum TransferState {
    /// Waiting on the recipient's home screen.
    AwaitingAuthorisation,
    Authorised,
    Refused,
    /// Withdrawn by the sender before the recipient decided.
    Cancelled,
}

impl TransferState {
    fn as_str(self) -> &'static str {
        match self {
            TransferState::AwaitingAuthorisation => "awaiting_authorisation",
            TransferState::Authorised => "authorised",
            TransferState::Refused => "refused",
            TransferState::Cancelled => "cancelled",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum TransferEvent {
    /// The recipient says yes.
    Authorise { by: UserId },
    /// The recipient says no.
    Refuse { by: UserId },
    /// The sender withdraws it.
    Cancel { by: UserId },
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TransferError {
    #[error("only the person the plan is being transferred to can answer")]
    NotRecipient,
    #[error("only the person transferring the plan can withdraw the transfer")]
    NotSender,
    #[error("this transfer has already been answered ({0})")]
    AlreadyDecided(&'static str),
}

/// A coordinator's transfer of a plan to another user.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct Transfer {
    pub id: TransferId,
    pub plan: PlanId,
    pub from: UserId,
    pub to: UserId,
    pub state: TransferState,
}

impl Transfer {
    /// Starts a transfer; only an active coordinator can, and not to themselves.
    pub fn request(
        id: TransferId,
        plan: PlanId,
        from: UserId,
        to: UserId,
        sharing: &SharingList,
    ) -> Result<Transfer, SharingError> {
        if !sharing.is_active_coordinator(from) {
            return Err(SharingError::NotCoordinator);
        }
        if from == to {
            return Err(SharingError::TransferToSelf);
        }
        Ok(Transfer {
            id,
            plan,
            from,
            to,
            state: TransferState::AwaitingAuthorisation,
        })
    }

    /// Authorise, refuse or cancel: the only transitions are out of
    /// `AwaitingAuthorisation`, each by the right person.
    pub fn apply(&self, event: TransferEvent) -> Result<Transfer, TransferError> {
        if self.state != TransferState::AwaitingAuthorisation {
            return Err(TransferError::AlreadyDecided(self.state.as_str()));
        }
        let state = match event {
            TransferEvent::Authorise { by } | TransferEvent::Refuse { by } if by != self.to => {
                return Err(TransferError::NotRecipient)
            }
            TransferEvent::Cancel { by } if by != self.from => {
                return Err(TransferError::NotSender)
            }
            TransferEvent::Authorise { .. } => TransferState::Authorised,
            TransferEvent::Refuse { .. } => TransferState::Refused,
            TransferEvent::Cancel { .. } => TransferState::Cancelled,
        };
        Ok(Transfer {
            state,
            ..self.clone()
        })
    }

    /// Waiting for `user` to authorise (the home-screen list).
    pub fn awaits(&self, user: UserId) -> bool {
        self.state == TransferState::AwaitingAuthorisation && self.to == user
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use uuid::Uuid;

    fn u(n: u128) -> UserId {
        UserId(Uuid::from_u128(n))
    }

    #[test]
    fn access_follows_the_active_tick_and_users_can_leave() {
        let (coord, taf, other) = (u(1), u(2), u(3));
        let list = SharingList::new(coord)
            .attach(coord, taf, SharingRole::TeamAroundTheFamily, true)
            .unwrap();
        assert!(list.can_read(taf));
        assert!(!list.can_read(other));
        assert_eq!(
            list.attach(taf, other, SharingRole::TeamAroundTheFamily, true),
            Err(SharingError::NotCoordinator)
        );

        let left = list.set_active(taf, taf, false).unwrap();
        assert!(!left.can_read(taf));
        assert_eq!(left.set_active(taf, taf, true), Err(SharingError::OnlySelf));
        assert_eq!(
            list.set_active(taf, coord, false),
            Err(SharingError::NotCoordinator)
        );
        assert!(left.set_active(coord, taf, true).unwrap().can_read(taf));
        // The only coordinator cannot leave.
        assert_eq!(
            list.set_active(coord, coord, false),
            Err(SharingError::LastCoordinator)
        );
        assert_eq!(
            list.set_active(coord, other, false),
            Err(SharingError::NotAMember)
        );
    }

    #[test]
    fn several_coordinators_are_noticed() {
        let list = SharingList::new(u(1))
            .attach(u(1), u(2), SharingRole::Coordinator, true)
            .unwrap();
        assert!(list.has_several_coordinators());
        let list = list.set_active(u(2), u(2), false).unwrap();
        assert!(!list.has_several_coordinators());
    }

    #[test]
    fn transfer_authorise_moves_the_coordinator_role() {
        let (from, to) = (u(1), u(2));
        let list = SharingList::new(from);
        let t = Transfer::request(
            TransferId(Uuid::from_u128(9)),
            PlanId(Uuid::from_u128(7)),
            from,
            to,
            &list,
        )
        .unwrap();
        assert!(t.awaits(to));
        assert_eq!(
            t.apply(TransferEvent::Authorise { by: from }),
            Err(TransferError::NotRecipient)
        );
        let done = t.apply(TransferEvent::Authorise { by: to }).unwrap();
        assert_eq!(done.state, TransferState::Authorised);
        assert!(!done.awaits(to));
        assert_eq!(
            done.apply(TransferEvent::Refuse { by: to }),
            Err(TransferError::AlreadyDecided("authorised"))
        );
        let list = list.apply_transfer(&done);
        assert_eq!(list.active_coordinators(), vec![to]);
        assert_eq!(
            list.member(from).unwrap().role,
            SharingRole::TeamAroundTheFamily
        );
        assert!(list.can_read(from));
    }

    #[test]
    fn transfer_refuse_and_cancel() {
        let (from, to) = (u(1), u(2));
        let list = SharingList::new(from);
        let t = Transfer::request(
            TransferId(Uuid::from_u128(9)),
            PlanId(Uuid::from_u128(7)),
            from,
            to,
            &list,
        )
        .unwrap();
        assert_eq!(
            t.apply(TransferEvent::Refuse { by: to }).unwrap().state,
            TransferState::Refused
        );
        assert_eq!(
            t.apply(TransferEvent::Cancel { by: to }),
            Err(TransferError::NotSender)
        );
        assert_eq!(
            t.apply(TransferEvent::Cancel { by: from }).unwrap().state,
            TransferState::Cancelled
        );
        assert_eq!(
            Transfer::request(
                TransferId(Uuid::from_u128(9)),
                PlanId(Uuid::from_u128(7)),
                to,
                from,
                &list
            ),
            Err(SharingError::NotCoordinator)
        );
        assert_eq!(
            Transfer::request(
                TransferId(Uuid::from_u128(9)),
                PlanId(Uuid::from_u128(7)),
                from,
                from,
                &list
            ),
            Err(SharingError::TransferToSelf)
        );
    }

    #[test]
    fn a_stored_list_without_a_coordinator_is_refused() {
        let json = r#"[{"user":"00000000-0000-0000-0000-000000000001","role":"team_around_the_family","active":true}]"#;
        assert!(serde_json::from_str::<SharingList>(json).is_err());
        let ok = serde_json::to_string(&SharingList::new(u(1))).unwrap();
        assert_eq!(
            serde_json::from_str::<SharingList>(&ok).unwrap(),
            SharingList::new(u(1))
        );
    }
}
