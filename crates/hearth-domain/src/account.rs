//! Accounts and roles. Accounts are individual; one person may hold several roles.
//! Staff accounts are made by business support; partner professionals self-register.

use std::collections::BTreeSet;

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

use crate::contact::{self, Address};
use crate::ids::{ServiceId, UserId, WorkGroupId};
use crate::validation::{is_blank, Errors, FieldError, ValidationErrors};

/// A login code sent by email lasts this long.
pub const LOGIN_CODE_LIFETIME_MINUTES: i64 = 10;
/// The shortest password accepted.
pub const PASSWORD_MIN_LENGTH: usize = 12;
/// The longest out-of-office message.
pub const OUT_OF_OFFICE_MAX_CHARS: usize = 1000;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Drafts and owns plans, referrals and requests.
    Practitioner,
    /// Decides on requests, allocates workers, counter-signs, archives.
    Manager,
    /// Creates and deactivates accounts, services and work groups; re-assigns work.
    BusinessSupport,
    /// Health or other partner: self-registers, receives delegated tasks.
    PartnerProfessional,
    /// Receives submitted referrals in the MASH work tray.
    MashTriage,
}

impl Role {
    pub fn label(self) -> &'static str {
        match self {
            Role::Practitioner => "Practitioner",
            Role::Manager => "Manager",
            Role::BusinessSupport => "Business support",
            Role::PartnerProfessional => "Partner professional",
            Role::MashTriage => "MASH triage",
        }
    }
}

/// An out-of-office message, shown to whoever delegates to the user.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(transparent)]
pub struct OutOfOffice(String);

impl OutOfOffice {
    pub fn parse(message: &str) -> Result<OutOfOffice, ValidationErrors> {
        let m = message.trim();
        let error = if m.is_empty() {
            Some("Enter your out-of-office message, including who to send work to while you are away")
        } else if m.chars().count() > OUT_OF_OFFICE_MAX_CHARS {
            Some("Your out-of-office message must be 1000 characters or fewer")
        } else {
            None
        };
        match error {
            Some(msg) => Err(ValidationErrors(vec![FieldError::new(
                "out_of_office",
                msg,
            )])),
            None => Ok(OutOfOffice(m.to_owned())),
        }
    }

    pub fn message(&self) -> &str {
        &self.0
    }
}

/// A user account.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct Account {
    pub id: UserId,
    pub forename: String,
    pub surname: String,
    pub email: String,
    pub roles: BTreeSet<Role>,
    pub services: Vec<ServiceId>,
    pub work_groups: Vec<WorkGroupId>,
    pub out_of_office: Option<OutOfOffice>,
    /// Deactivated accounts cannot sign in.
    pub active: bool,
}

impl Account {
    pub fn has_role(&self, role: Role) -> bool {
        self.roles.contains(&role)
    }

    pub fn display_name(&self) -> String {
        format!("{} {}", self.forename.trim(), self.surname.trim())
    }
}

/// A service (team): requests are visible by service membership.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct Service {
    pub id: ServiceId,
    pub name: String,
    /// The commissioned service code (from the configuration) this team provides, if any.
    pub commissioned_service: Option<String>,
}

/// A work group: tasks are re-assigned between its members; its managers counter-sign.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct WorkGroup {
    pub id: WorkGroupId,
    pub name: String,
    pub members: Vec<UserId>,
    pub managers: Vec<UserId>,
}

impl WorkGroup {
    /// Members and managers.
    pub fn includes(&self, user: UserId) -> bool {
        self.members.contains(&user) || self.managers.contains(&user)
    }
}

/// Can `from` hand work to `to`? Only within one of `from`'s work groups.
pub fn share_a_work_group(groups: &[WorkGroup], from: UserId, to: UserId) -> bool {
    groups.iter().any(|g| g.includes(from) && g.includes(to))
}

/// Is `manager` a manager of a work group `user` is in?
pub fn manages(groups: &[WorkGroup], manager: UserId, user: UserId) -> bool {
    groups
        .iter()
        .any(|g| g.managers.contains(&manager) && g.includes(user))
}

/// When a login code sent at `sent_at` stops working.
pub fn login_code_expires_at(sent_at: DateTime<Utc>) -> DateTime<Utc> {
    sent_at + Duration::minutes(LOGIN_CODE_LIFETIME_MINUTES)
}

pub fn login_code_is_current(sent_at: DateTime<Utc>, now: DateTime<Utc>) -> bool {
    now >= sent_at && now < login_code_expires_at(sent_at)
}

/// A partner professional's self-registration form.
#[derive(Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(default)]
pub struct PartnerRegistrationDraft {
    pub forename: String,
    pub surname: String,
    /// "Is this account being used in a professional capacity?"
    pub professional_capacity: bool,
    pub professional_role: String,
    pub organisation: String,
    pub address: Address,
    pub email: String,
    pub password: String,
}

impl std::fmt::Debug for PartnerRegistrationDraft {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PartnerRegistrationDraft")
            .field("forename", &self.forename)
            .field("surname", &self.surname)
            .field("professional_capacity", &self.professional_capacity)
            .field("professional_role", &self.professional_role)
            .field("organisation", &self.organisation)
            .field("address", &self.address)
            .field("email", &self.email)
            .field("password", &"[redacted]")
            .finish()
    }
}

impl PartnerRegistrationDraft {
    pub fn validate(&self) -> Vec<FieldError> {
        let mut e = Errors::new();
        e.required("forename", &self.forename, "Enter your forename");
        e.required("surname", &self.surname, "Enter your surname");
        if !self.professional_capacity {
            e.push(
                "professional_capacity",
                "Confirm this account is for your work as a professional",
            );
        }
        e.required(
            "professional_role",
            &self.professional_role,
            "Enter your professional role",
        );
        e.required(
            "organisation",
            &self.organisation,
            "Enter your organisation",
        );
        contact::check_address(&mut e, "address", &self.address, "your");
        contact::check_email(
            &mut e,
            "email".into(),
            &self.email,
            "Enter your email address",
        );
        if self.password.chars().count() < PASSWORD_MIN_LENGTH {
            e.push("password", "Your password must be at least 12 characters");
        } else if is_blank(&self.password) {
            e.push("password", "Your password cannot be only spaces");
        }
        e.into_vec()
    }
}

/// A complete registration. The password is only readable through
/// [`PartnerRegistration::password`] and is never printed by `Debug`.
#[derive(Clone, PartialEq, Eq)]
pub struct PartnerRegistration {
    content: PartnerRegistrationDraft,
}

impl std::fmt::Debug for PartnerRegistration {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PartnerRegistration")
            .field("content", &self.content)
            .finish()
    }
}

impl PartnerRegistration {
    pub fn parse(draft: PartnerRegistrationDraft) -> Result<PartnerRegistration, ValidationErrors> {
        ValidationErrors::check(draft.validate())?;
        Ok(PartnerRegistration { content: draft })
    }

    pub fn forename(&self) -> &str {
        self.content.forename.trim()
    }

    pub fn surname(&self) -> &str {
        self.content.surname.trim()
    }

    pub fn professional_role(&self) -> &str {
        self.content.professional_role.trim()
    }

    pub fn organisation(&self) -> &str {
        self.content.organisation.trim()
    }

    pub fn address(&self) -> &Address {
        &self.content.address
    }

    pub fn email(&self) -> &str {
        self.content.email.trim()
    }

    /// To be hashed at once.
    pub fn password(&self) -> &str {
        &self.content.password
    }

    /// The roles a self-registered account gets.
    pub fn roles(&self) -> BTreeSet<Role> {
        BTreeSet::from([Role::PartnerProfessional])
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;
    use uuid::Uuid;

    fn u(n: u128) -> UserId {
        UserId(Uuid::from_u128(n))
    }

    fn registration() -> PartnerRegistrationDraft {
        PartnerRegistrationDraft {
            forename: "Robin".into(),
            surname: "Testnurse".into(),
            professional_capacity: true,
            professional_role: "School nurse".into(),
            organisation: "Testshire Community Health".into(),
            address: Address {
                street: "Speedwell Street".into(),
                town: "Testertown".into(),
                postcode: "TS1 1ST".into(),
                ..Address::default()
            },
            email: "robin.testnurse@example.nhs.uk".into(),
            password: "correct horse battery".into(),
        }
    }

    #[test]
    fn partner_registration_needs_street_town_and_postcode() {
        let ok = PartnerRegistration::parse(registration()).unwrap();
        assert_eq!(ok.roles(), BTreeSet::from([Role::PartnerProfessional]));
        assert!(!format!("{ok:?}").contains("battery"));

        let mut d = registration();
        d.address = Address {
            property: "Flat 2".into(),
            postcode: "TS1".into(),
            ..Address::default()
        };
        d.password = "short".into();
        assert_eq!(
            PartnerRegistration::parse(d).unwrap_err().into_vec(),
            vec![
                FieldError::new("address.street", "Enter the street of your address"),
                FieldError::new("address.town", "Enter the town or city of your address"),
                FieldError::new("address.postcode", "Enter a real postcode, like PO1 2AB"),
                FieldError::new("password", "Your password must be at least 12 characters"),
            ]
        );
        let blank: Vec<_> = PartnerRegistrationDraft::default()
            .validate()
            .into_iter()
            .map(|e| e.path)
            .collect();
        assert_eq!(
            blank,
            [
                "forename",
                "surname",
                "professional_capacity",
                "professional_role",
                "organisation",
                "address.street",
                "address.town",
                "address.postcode",
                "email",
                "password"
            ]
        );
    }

    #[test]
    fn one_person_several_roles_and_work_groups() {
        let a = Account {
            id: u(1),
            forename: "Sam".into(),
            surname: "Testworker".into(),
            email: "sam@example.org.uk".into(),
            roles: BTreeSet::from([Role::Practitioner, Role::Manager]),
            services: vec![],
            work_groups: vec![],
            out_of_office: Some(
                OutOfOffice::parse("Away until Monday; send work to Pat Testworker").unwrap(),
            ),
            active: true,
        };
        assert!(
            a.has_role(Role::Manager)
                && a.has_role(Role::Practitioner)
                && !a.has_role(Role::MashTriage)
        );
        assert_eq!(
            OutOfOffice::parse("  ").unwrap_err().paths(),
            ["out_of_office"]
        );
        assert!(OutOfOffice::parse(&"x".repeat(1001)).is_err());

        let g = WorkGroup {
            id: WorkGroupId(Uuid::from_u128(9)),
            name: "SLT North".into(),
            members: vec![u(1), u(2)],
            managers: vec![u(3)],
        };
        let groups = [g];
        assert!(share_a_work_group(&groups, u(1), u(2)));
        assert!(share_a_work_group(&groups, u(1), u(3)));
        assert!(!share_a_work_group(&groups, u(1), u(4)));
        assert!(manages(&groups, u(3), u(1)));
        assert!(!manages(&groups, u(2), u(1)));
    }

    #[test]
    fn login_codes_last_ten_minutes() {
        let sent = Utc.with_ymd_and_hms(2026, 11, 21, 9, 0, 0).unwrap();
        assert!(login_code_is_current(sent, sent + Duration::minutes(9)));
        assert!(!login_code_is_current(sent, sent + Duration::minutes(10)));
    }
}
