//! Small validated values shared by several records: phone numbers (with a separate
//! extension), email addresses, UK postcodes, addresses and the gender list.

use serde::{Deserialize, Serialize};

use crate::validation::{is_blank, join, Errors};

/// Message for a phone number that is not digits only.
pub const PHONE_DIGITS_MESSAGE: &str = "Enter a phone number using digits only, like 02392123456";
/// Message for a phone number that is too short or too long.
pub const PHONE_LENGTH_MESSAGE: &str =
    "Enter a phone number with 10 to 15 digits, like 02392123456";
/// Message for an extension that is not 1 to 6 digits.
pub const EXTENSION_MESSAGE: &str = "Enter the extension using up to 6 digits only, like 4021";
/// Message for an email address that is not in the right shape.
pub const EMAIL_MESSAGE: &str =
    "Enter an email address in the correct format, like name@example.org.uk";
/// Message for a postcode that is not a UK postcode.
pub const POSTCODE_MESSAGE: &str = "Enter a real postcode, like PO1 2AB";

/// Why a phone number was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum PhoneError {
    #[error("{PHONE_DIGITS_MESSAGE}")]
    NotDigits,
    #[error("{PHONE_LENGTH_MESSAGE}")]
    Length,
}

/// A phone number: digits only (no spaces, no `+`), 10 to 15 of them.
/// The extension is a separate [`PhoneExtension`].
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(transparent)]
pub struct PhoneNumber(String);

impl PhoneNumber {
    pub fn parse(input: &str) -> Result<PhoneNumber, PhoneError> {
        let s = input.trim();
        if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) {
            return Err(PhoneError::NotDigits);
        }
        if !(10..=15).contains(&s.len()) {
            return Err(PhoneError::Length);
        }
        Ok(PhoneNumber(s.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// What a practitioner probably meant: drops spaces, hyphens, dots and brackets, and turns
/// a leading `+44` (or `0044`) into `0`. The UI may offer this on blur; validation itself
/// stays strict so the stored number is always digits only.
pub fn normalise_phone(input: &str) -> String {
    let kept: String = input
        .trim()
        .chars()
        .filter(|c| !matches!(c, ' ' | '-' | '.' | '(' | ')' | '\u{a0}'))
        .collect();
    if let Some(rest) = kept
        .strip_prefix("+44")
        .or_else(|| kept.strip_prefix("0044"))
    {
        let rest = rest.strip_prefix('0').unwrap_or(rest);
        format!("0{rest}")
    } else {
        kept
    }
}

/// An optional telephone extension: 1 to 6 digits.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(transparent)]
pub struct PhoneExtension(String);

impl PhoneExtension {
    /// `Ok(None)` for a blank extension.
    pub fn parse(input: &str) -> Result<Option<PhoneExtension>, PhoneError> {
        let s = input.trim();
        if s.is_empty() {
            return Ok(None);
        }
        if !s.bytes().all(|b| b.is_ascii_digit()) {
            return Err(PhoneError::NotDigits);
        }
        if s.len() > 6 {
            return Err(PhoneError::Length);
        }
        Ok(Some(PhoneExtension(s.to_owned())))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// An email address, checked leniently: one `@`, something before it, a dotted domain
/// after it, no spaces.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(transparent)]
pub struct EmailAddress(String);

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("{EMAIL_MESSAGE}")]
pub struct EmailError;

impl EmailAddress {
    pub fn parse(input: &str) -> Result<EmailAddress, EmailError> {
        let s = input.trim();
        let (local, domain) = s.split_once('@').ok_or(EmailError)?;
        let ok = !local.is_empty()
            && !domain.contains('@')
            && !s.chars().any(char::is_whitespace)
            && domain.contains('.')
            && domain.split('.').all(|label| !label.is_empty());
        if ok {
            Ok(EmailAddress(s.to_owned()))
        } else {
            Err(EmailError)
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A UK postcode, stored upper case with one space before the inward code (`PO1 2AB`).
/// Lenient about spacing and case; strict about shape (`A9 9AA`, `A99 9AA`, `A9A 9AA`,
/// `AA9 9AA`, `AA99 9AA`, `AA9A 9AA`, and `GIR 0AA`).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(transparent)]
pub struct Postcode(String);

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("{POSTCODE_MESSAGE}")]
pub struct PostcodeError;

impl Postcode {
    pub fn parse(input: &str) -> Result<Postcode, PostcodeError> {
        let compact: String = input
            .chars()
            .filter(|c| !c.is_whitespace())
            .map(|c| c.to_ascii_uppercase())
            .collect();
        if !compact.is_ascii() || !(5..=7).contains(&compact.len()) {
            return Err(PostcodeError);
        }
        let (outward, inward) = compact.split_at(compact.len() - 3);
        let inward_ok = {
            let b = inward.as_bytes();
            b[0].is_ascii_digit() && b[1].is_ascii_alphabetic() && b[2].is_ascii_alphabetic()
        };
        if !inward_ok || !(outward_ok(outward) || outward == "GIR") {
            return Err(PostcodeError);
        }
        Ok(Postcode(format!("{outward} {inward}")))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

fn outward_ok(outward: &str) -> bool {
    // A = letter, 9 = digit.
    let shape: String = outward
        .bytes()
        .map(|b| {
            if b.is_ascii_alphabetic() {
                'A'
            } else if b.is_ascii_digit() {
                '9'
            } else {
                '?'
            }
        })
        .collect();
    matches!(
        shape.as_str(),
        "A9" | "A99" | "A9A" | "AA9" | "AA99" | "AA9A"
    )
}

/// A postal address as the forms ask for it. Street, town and postcode are mandatory
/// wherever an address is.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(default)]
pub struct Address {
    /// Property name or house number.
    pub property: String,
    pub street: String,
    pub area: String,
    pub town: String,
    pub county: String,
    pub postcode: String,
}

impl Address {
    /// True when nothing has been typed.
    pub fn is_blank(&self) -> bool {
        [
            &self.property,
            &self.street,
            &self.area,
            &self.town,
            &self.county,
            &self.postcode,
        ]
        .iter()
        .all(|s| is_blank(s))
    }

    /// The address on one line, blank parts left out.
    pub fn one_line(&self) -> String {
        [
            &self.property,
            &self.street,
            &self.area,
            &self.town,
            &self.county,
            &self.postcode,
        ]
        .iter()
        .map(|s| s.trim())
        .filter(|s| !s.is_empty())
        .collect::<Vec<_>>()
        .join(", ")
    }
}

/// Checks an address; `whose` finishes the messages ("the parent's", "your").
pub(crate) fn check_address(errors: &mut Errors, prefix: &str, address: &Address, whose: &str) {
    errors.required(
        join(prefix, "street"),
        &address.street,
        &format!("Enter the street of {whose} address"),
    );
    errors.required(
        join(prefix, "town"),
        &address.town,
        &format!("Enter the town or city of {whose} address"),
    );
    if is_blank(&address.postcode) {
        errors.push(
            join(prefix, "postcode"),
            format!("Enter the postcode of {whose} address"),
        );
    } else if Postcode::parse(&address.postcode).is_err() {
        errors.push(join(prefix, "postcode"), POSTCODE_MESSAGE);
    }
}

/// Checks a mandatory phone number and its optional extension.
pub(crate) fn check_phone(
    errors: &mut Errors,
    path: String,
    phone: &str,
    extension_path: Option<String>,
    extension: &str,
    missing: &str,
) {
    if is_blank(phone) {
        errors.push(path, missing);
    } else if let Err(e) = PhoneNumber::parse(phone) {
        errors.push(path, e.to_string());
    }
    if let Some(ext_path) = extension_path {
        if PhoneExtension::parse(extension).is_err() {
            errors.push(ext_path, EXTENSION_MESSAGE);
        }
    }
}

/// Checks an optional phone number: blank is fine, anything else must be a phone number.
pub(crate) fn check_optional_phone(errors: &mut Errors, path: String, phone: &str) {
    if !is_blank(phone) {
        if let Err(e) = PhoneNumber::parse(phone) {
            errors.push(path, e.to_string());
        }
    }
}

pub(crate) fn check_email(errors: &mut Errors, path: String, email: &str, missing: &str) {
    if is_blank(email) {
        errors.push(path, missing);
    } else if EmailAddress::parse(email).is_err() {
        errors.push(path, EMAIL_MESSAGE);
    }
}

/// Gender, from the list the MASH uses (seed 003), exactly.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
pub enum Gender {
    Female,
    GenderDysphoria,
    Indeterminate,
    Male,
    NonBinary,
    Transgender,
    Unborn,
}

impl Gender {
    /// Every option, in the order the form lists them.
    pub const ALL: [Gender; 7] = [
        Gender::Female,
        Gender::GenderDysphoria,
        Gender::Indeterminate,
        Gender::Male,
        Gender::NonBinary,
        Gender::Transgender,
        Gender::Unborn,
    ];

    /// What the form shows.
    pub fn label(self) -> &'static str {
        match self {
            Gender::Female => "Female",
            Gender::GenderDysphoria => "Gender Dysphoria",
            Gender::Indeterminate => "Indeterminate",
            Gender::Male => "Male",
            Gender::NonBinary => "Non-Binary",
            Gender::Transgender => "Transgender",
            Gender::Unborn => "Unborn",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn phone_is_digits_only() {
        assert_eq!(
            PhoneNumber::parse("02392123456").unwrap().as_str(),
            "02392123456"
        );
        assert_eq!(
            PhoneNumber::parse(" 02392123456 ").unwrap().as_str(),
            "02392123456"
        );
        assert_eq!(
            PhoneNumber::parse("023 9212 3456"),
            Err(PhoneError::NotDigits)
        );
        assert_eq!(
            PhoneNumber::parse("+442392123456"),
            Err(PhoneError::NotDigits)
        );
        assert_eq!(
            PhoneNumber::parse("02392123456 ext 21"),
            Err(PhoneError::NotDigits)
        );
        assert_eq!(PhoneNumber::parse("023921"), Err(PhoneError::Length));
        assert_eq!(PhoneError::NotDigits.to_string(), PHONE_DIGITS_MESSAGE);
    }

    #[test]
    fn extension_is_separate_optional_and_digits_only() {
        assert_eq!(PhoneExtension::parse(""), Ok(None));
        assert_eq!(
            PhoneExtension::parse("4021").unwrap().unwrap().as_str(),
            "4021"
        );
        assert_eq!(PhoneExtension::parse("x4021"), Err(PhoneError::NotDigits));
        assert_eq!(PhoneExtension::parse("1234567"), Err(PhoneError::Length));
    }

    #[test]
    fn normalise_phone_examples() {
        assert_eq!(normalise_phone("023 9212-3456"), "02392123456");
        assert_eq!(normalise_phone("+44 (0)23 9212 3456"), "02392123456");
        assert_eq!(normalise_phone("+44 7700 900123"), "07700900123");
    }

    proptest! {
        #[test]
        fn normalised_spaced_numbers_parse(digits in "0[1-9][0-9]{8,9}", gaps in proptest::collection::vec(0usize..12, 0..4)) {
            let mut spaced = digits.clone();
            for g in gaps.iter().rev() {
                let at = (*g).min(spaced.len());
                spaced.insert(at, ' ');
            }
            let n = normalise_phone(&spaced);
            prop_assert_eq!(&n, &digits);
            let parsed = PhoneNumber::parse(&n).unwrap();
            prop_assert_eq!(parsed.as_str(), digits.as_str());
        }

        #[test]
        fn parsed_phone_numbers_are_digits_only(s in "\\PC{0,20}") {
            if let Ok(p) = PhoneNumber::parse(&s) {
                prop_assert!(p.as_str().bytes().all(|b| b.is_ascii_digit()));
            }
        }

        #[test]
        fn postcode_parse_is_idempotent(s in "[A-Za-z]{1,2}[0-9][0-9A-Za-z]? ?[0-9][A-Za-z]{2}") {
            if let Ok(p) = Postcode::parse(&s) {
                prop_assert_eq!(Postcode::parse(p.as_str()).unwrap(), p);
            }
        }
    }

    #[test]
    fn emails() {
        assert!(EmailAddress::parse("zoe.testworker@example.org.uk").is_ok());
        for bad in [
            "",
            "zoe",
            "zoe@",
            "@example.org",
            "zoe@example",
            "zo e@example.org",
            "a@b@c.org",
            "zoe@example..org",
        ] {
            assert_eq!(EmailAddress::parse(bad), Err(EmailError), "{bad}");
        }
    }

    #[test]
    fn postcodes_lenient_but_real() {
        for (input, stored) in [
            ("po1 2ab", "PO1 2AB"),
            ("PO12AB", "PO1 2AB"),
            ("SW1A 1AA", "SW1A 1AA"),
            ("w1a0ax", "W1A 0AX"),
            ("M1 1AE", "M1 1AE"),
            ("B33 8TH", "B33 8TH"),
            ("CR2 6XH", "CR2 6XH"),
            ("DN55 1PT", "DN55 1PT"),
            ("GIR 0AA", "GIR 0AA"),
        ] {
            assert_eq!(Postcode::parse(input).unwrap().as_str(), stored, "{input}");
        }
        for bad in [
            "", "PO1", "12345", "PO1 2A", "PO1 AAB", "POO1 2AB", "P 2AB", "PO1-2AB", "PÖ1 2AB",
        ] {
            assert_eq!(Postcode::parse(bad), Err(PostcodeError), "{bad}");
        }
    }

    #[test]
    fn the_gender_list_is_exactly_the_mash_list() {
        let labels: Vec<_> = Gender::ALL.iter().map(|g| g.label()).collect();
        assert_eq!(
            labels,
            [
                "Female",
                "Gender Dysphoria",
                "Indeterminate",
                "Male",
                "Non-Binary",
                "Transgender",
                "Unborn"
            ]
        );
        assert_eq!(
            serde_json::from_str::<Gender>("\"non_binary\"").unwrap(),
            Gender::NonBinary
        );
        assert!(serde_json::from_str::<Gender>("\"other\"").is_err());
        assert!(serde_json::from_str::<Gender>("\"prefer_not_to_say\"").is_err());
    }
}
