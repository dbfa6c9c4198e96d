//! What a record is found by in search: the names, postcodes, dates of birth and other
//! references in it. One place for the app's saves and for records pulled from the server,
//! so a plan shared by a colleague is found by its family's surname like one typed here.

use chrono::NaiveDate;
use serde::de::DeserializeOwned;
use serde_json::{Map, Value};

use crate::plan::PlanDraft;
use crate::referral::ReferralDraft;
use crate::request::RequestDraft;
use crate::RecordKind;

/// What search should find a record by. The store adds the record's own references.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SearchTerms {
    pub surnames: Vec<String>,
    pub forenames: Vec<String>,
    pub postcodes: Vec<String>,
    pub dates_of_birth: Vec<NaiveDate>,
    /// Other references (e.g. an NHS or case-management number, a linked plan).
    pub references: Vec<String>,
}

/// Adds `s`, trimmed, unless it is empty or already there.
pub fn push_term(list: &mut Vec<String>, s: &str) {
    let s = s.trim();
    if !s.is_empty() && !list.iter().any(|x| x == s) {
        list.push(s.to_owned());
    }
}

fn push_date(list: &mut Vec<NaiveDate>, d: Option<NaiveDate>) {
    if let Some(d) = d {
        if !list.contains(&d) {
            list.push(d);
        }
    }
}

/// The stored fields (the wizard steps merged, one key per draft field) as the draft type.
///
/// Every draft field has a default, so missing keys are fine. A key whose value does not
/// fit its field (a cleared field stored as `null`, or a value from an older version of a
/// step) is left out (it prints blank and is not searched), rather than stopping the whole
/// record printing or being found.
/// Returns the draft and how many keys were left out.
pub fn lenient_draft<T: DeserializeOwned + Default>(fields: &Map<String, Value>) -> (T, usize) {
    let whole = Value::Object(fields.clone());
    if let Ok(draft) = serde_json::from_value(whole) {
        return (draft, 0);
    }
    let mut readable = Map::new();
    let mut skipped = 0;
    for (key, value) in fields {
        let one = Value::Object(Map::from_iter([(key.clone(), value.clone())]));
        if serde_json::from_value::<T>(one).is_ok() {
            readable.insert(key.clone(), value.clone());
        } else {
            skipped += 1;
        }
    }
    // Each key is readable on its own; together they are too (fields are independent).
    let draft = serde_json::from_value(Value::Object(readable)).unwrap_or_default();
    (draft, skipped)
}

/// A Family Support Plan: every name, postcode and date of birth in it.
pub fn plan_terms(draft: &PlanDraft) -> SearchTerms {
    let mut t = SearchTerms::default();
    push_term(&mut t.surnames, &draft.family_name);
    push_term(&mut t.surnames, &draft.focus_child.last_name);
    push_term(&mut t.forenames, &draft.focus_child.first_name);
    let parents = std::iter::once(&draft.main_parent).chain(draft.second_parent.as_ref());
    for p in parents {
        push_term(&mut t.surnames, &p.last_name);
        push_term(&mut t.forenames, &p.first_name);
        push_term(&mut t.postcodes, &p.address.postcode);
    }
    for m in &draft.family_members {
        push_term(&mut t.surnames, &m.last_name);
        push_term(&mut t.forenames, &m.first_name);
    }
    push_date(&mut t.dates_of_birth, draft.focus_child.date_of_birth);
    for m in &draft.family_members {
        push_date(&mut t.dates_of_birth, m.date_of_birth);
    }
    t
}

/// A referral: its children (names, postcodes, dates of birth), its household's names and
/// the earlier references it gives.
pub fn referral_terms(draft: &ReferralDraft) -> SearchTerms {
    let mut t = SearchTerms::default();
    for c in &draft.children {
        push_term(&mut t.surnames, &c.last_name);
        push_term(&mut t.forenames, &c.first_name);
        push_term(&mut t.postcodes, &c.address.postcode);
        push_date(&mut t.dates_of_birth, c.date_of_birth);
    }
    for m in &draft.household {
        push_term(&mut t.surnames, &m.last_name);
        push_term(&mut t.forenames, &m.first_name);
    }
    for r in &draft.previous_references {
        push_term(&mut t.references, r);
    }
    t
}

/// A request for support: its child and the case-management (EHM) number.
pub fn request_terms(draft: &RequestDraft) -> SearchTerms {
    let mut t = SearchTerms::default();
    let c = &draft.child;
    push_term(&mut t.surnames, &c.last_name);
    push_term(&mut t.forenames, &c.first_name);
    push_term(&mut t.postcodes, &c.address.postcode);
    push_term(&mut t.references, &draft.ehm_id);
    push_date(&mut t.dates_of_birth, c.date_of_birth);
    t
}

/// The terms of a record of `kind` from its stored fields (read leniently); none for the
/// kinds search does not list (reviews, tasks, documents).
pub fn terms_of(kind: RecordKind, fields: &Map<String, Value>) -> SearchTerms {
    match kind {
        RecordKind::Plan => plan_terms(&lenient_draft::<PlanDraft>(fields).0),
        RecordKind::Referral => referral_terms(&lenient_draft::<ReferralDraft>(fields).0),
        RecordKind::Request => request_terms(&lenient_draft::<RequestDraft>(fields).0),
        _ => SearchTerms::default(),
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn a_plan_is_found_by_its_family_child_and_parent() {
        let fields = json!({
            "family_name": " Testfamily ",
            "focus_child": {"first_name": "Zoë", "last_name": "Testchild", "date_of_birth": "2019-04-02"},
            "main_parent": {"first_name": "Ada", "last_name": "Testfamily", "address": {"postcode": "AB1 2CD"}},
            "family_members": [{"first_name": "Bo", "last_name": "Otherfamily", "date_of_birth": "2019-04-02"}],
        });
        let t = terms_of(RecordKind::Plan, fields.as_object().unwrap());
        assert_eq!(t.surnames, ["Testfamily", "Testchild", "Otherfamily"]);
        assert_eq!(t.forenames, ["Zoë", "Ada", "Bo"]);
        assert_eq!(t.postcodes, ["AB1 2CD"]);
        assert_eq!(
            t.dates_of_birth,
            [NaiveDate::from_ymd_opt(2019, 4, 2).unwrap()]
        );
    }

    #[test]
    fn terms_are_trimmed_and_kept_once() {
        let mut list = vec![];
        for s in ["Zoë", " Zoë ", "", "Owen"] {
            push_term(&mut list, s);
        }
        assert_eq!(list, ["Zoë", "Owen"]);
    }

    #[test]
    fn a_field_that_does_not_read_loses_only_itself() {
        let fields = json!({
            "family_name": "Testfamily",
            "focus_child": {"first_name": "Zoë", "last_name": "Testchild", "date_of_birth": "not a date"},
        });
        let t = terms_of(RecordKind::Plan, fields.as_object().unwrap());
        assert_eq!(t.surnames, ["Testfamily"]);
        assert!(t.dates_of_birth.is_empty());
        assert_eq!(
            terms_of(RecordKind::Task, fields.as_object().unwrap()),
            SearchTerms::default()
        );
    }
}
