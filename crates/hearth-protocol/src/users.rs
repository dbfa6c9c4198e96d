//! Accounts: the signed-in user's own, and business support's user administration.

use std::collections::BTreeSet;

use hearth_domain::account::{Account, Role, WorkGroup};
use hearth_domain::{ServiceId, UserId, WorkGroupId};
use serde::{Deserialize, Serialize};

/// Business support creates a staff account; the person gets an invitation email.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[cfg_attr(feature = "utoipa", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct CreateUser {
    pub forename: String,
    pub surname: String,
    pub email: String,
    #[cfg_attr(feature = "utoipa", schema(value_type = Vec<String>))]
    pub roles: BTreeSet<Role>,
    #[serde(default)]
    #[cfg_attr(feature = "utoipa", schema(value_type = Vec<String>))]
    pub services: Vec<ServiceId>,
    #[serde(default)]
    #[cfg_attr(feature = "utoipa", schema(value_type = Vec<String>))]
    pub work_groups: Vec<WorkGroupId>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[cfg_attr(feature = "utoipa", derive(utoipa::ToSchema))]
pub struct UserCreated {
    #[cfg_attr(feature = "utoipa", schema(value_type = String, format = Uuid))]
    pub user_id: UserId,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[cfg_attr(feature = "utoipa", derive(utoipa::ToSchema))]
pub struct UserList {
    #[cfg_attr(feature = "utoipa", schema(value_type = Vec<Object>))]
    pub users: Vec<Account>,
}

/// Sets (a message) or clears (`null`) the signed-in user's out-of-office message.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[cfg_attr(feature = "utoipa", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct SetOutOfOffice {
    pub message: Option<String>,
}

/// One account, as `/me` and `/users/{id}` return it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[cfg_attr(feature = "utoipa", derive(utoipa::ToSchema))]
pub struct AccountView {
    #[cfg_attr(feature = "utoipa", schema(value_type = Object))]
    pub account: Account,
}

/// Finds a colleague to share a plan with, by their exact email address.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[cfg_attr(feature = "utoipa", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct LookupUser {
    pub email: String,
}

/// An active colleague found by [`LookupUser`]: only what sharing needs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[cfg_attr(feature = "utoipa", derive(utoipa::ToSchema))]
pub struct FoundUser {
    #[cfg_attr(feature = "utoipa", schema(value_type = String, format = Uuid))]
    pub id: UserId,
    pub name: String,
    /// Their main role (the first of practitioner, manager, business support, partner
    /// professional, MASH triage they hold).
    #[cfg_attr(feature = "utoipa", schema(value_type = String))]
    pub role: Role,
    /// Their out-of-office message, shown before a task is delegated or re-assigned to them.
    #[serde(default)]
    pub out_of_office: Option<String>,
    /// The work groups both the asker and they are in (members and managers), which decide
    /// whether a task may be re-assigned to them or counter-signed by them.
    #[serde(default)]
    #[cfg_attr(feature = "utoipa", schema(value_type = Vec<Object>))]
    pub shared_work_groups: Vec<WorkGroup>,
}

/// A team that provides a commissioned service, as a request for support chooses it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[cfg_attr(feature = "utoipa", derive(utoipa::ToSchema))]
pub struct CommissionedService {
    #[cfg_attr(feature = "utoipa", schema(value_type = String, format = Uuid))]
    pub id: ServiceId,
    pub name: String,
    /// The commissioned service code of the configuration.
    pub code: String,
}

/// `GET /api/v1/services`: every team that provides a commissioned service.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[cfg_attr(feature = "utoipa", derive(utoipa::ToSchema))]
pub struct CommissionedServices {
    pub services: Vec<CommissionedService>,
}

/// Someone a manager can allocate to a request for support sent to their service.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[cfg_attr(feature = "utoipa", derive(utoipa::ToSchema))]
pub struct ServiceWorker {
    #[cfg_attr(feature = "utoipa", schema(value_type = String, format = Uuid))]
    pub id: UserId,
    /// As it is written on the request (`worker`) and found by the exact filter.
    pub name: String,
}

/// `GET /api/v1/services/{id}/workers`: the service's active practitioners and managers,
/// by name (a manager of the service only).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[cfg_attr(feature = "utoipa", derive(utoipa::ToSchema))]
pub struct ServiceWorkers {
    #[cfg_attr(feature = "utoipa", schema(value_type = String, format = Uuid))]
    pub service_id: ServiceId,
    pub workers: Vec<ServiceWorker>,
}
