//! What the workflow state machines share: the refusal of a transition, and the single
//! editor (with an epoch bumped on every hand-over, so edits made under an old epoch
//! become conflicts instead of silent overwrites).

use serde::{Deserialize, Serialize};

use crate::ids::UserId;
use crate::kind::RecordKind;

/// A transition the state machine does not allow.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, thiserror::Error)]
#[error("a {} cannot {event} while it is {from}", .kind.as_str())]
pub struct TransitionError {
    pub kind: RecordKind,
    /// The state it was in, e.g. `accepted_closed`.
    pub from: &'static str,
    /// What was asked, e.g. `accept`.
    pub event: &'static str,
}

impl TransitionError {
    pub(crate) fn new(
        kind: RecordKind,
        from: &'static str,
        event: &'static str,
    ) -> TransitionError {
        TransitionError { kind, from, event }
    }
}

/// Who may edit a record now, and the epoch of that hand-over.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct Editor {
    pub user: UserId,
    pub epoch: u32,
}

/// An edit refused because its author is not the editor now.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum EditRefused {
    #[error("someone else is editing this now")]
    NotEditor,
    #[error("this was handed over (epoch {current}) after the edit was made (epoch {sent})")]
    StaleEpoch { current: u32, sent: u32 },
}

impl Editor {
    /// The first editor of a new record (epoch 0).
    pub fn first(user: UserId) -> Editor {
        Editor { user, epoch: 0 }
    }

    /// Hands the record over; the epoch moves on even when handed to the same person.
    pub fn hand_over(self, to: UserId) -> Editor {
        Editor {
            user: to,
            epoch: self.epoch + 1,
        }
    }

    /// May `user`, editing under `epoch`, change the record?
    pub fn check(&self, user: UserId, epoch: u32) -> Result<(), EditRefused> {
        if epoch != self.epoch {
            Err(EditRefused::StaleEpoch {
                current: self.epoch,
                sent: epoch,
            })
        } else if user != self.user {
            Err(EditRefused::NotEditor)
        } else {
            Ok(())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use uuid::Uuid;

    #[test]
    fn one_editor_at_a_time_and_old_epochs_are_refused() {
        let a = UserId(Uuid::from_u128(1));
        let b = UserId(Uuid::from_u128(2));
        let e = Editor::first(a);
        assert_eq!(e.check(a, 0), Ok(()));
        assert_eq!(e.check(b, 0), Err(EditRefused::NotEditor));
        let e = e.hand_over(b);
        assert_eq!(e.check(b, 1), Ok(()));
        assert_eq!(
            e.check(a, 0),
            Err(EditRefused::StaleEpoch {
                current: 1,
                sent: 0
            })
        );
        assert_eq!(
            e.check(b, 0),
            Err(EditRefused::StaleEpoch {
                current: 1,
                sent: 0
            })
        );
    }
}
