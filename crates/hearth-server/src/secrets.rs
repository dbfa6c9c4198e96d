//! Passwords (Argon2id), random tokens and codes, and their stored hashes.

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};
use base64::Engine;
use rand::Rng;
use sha2::{Digest, Sha256};

use hearth_domain::account::PASSWORD_MIN_LENGTH;
use hearth_domain::FieldError;

/// OWASP's minimum for Argon2id: 19 MiB, 2 passes, 1 lane.
pub const ARGON2_M_KIB: u32 = 19_456;
pub const ARGON2_T: u32 = 2;
pub const ARGON2_P: u32 = 1;
/// Longer than anyone types; keeps one request from hashing megabytes.
pub const PASSWORD_MAX_CHARS: usize = 1024;

static BREACHED: &str = include_str!("breached_passwords.txt");

fn argon2() -> Argon2<'static> {
    let params = Params::new(ARGON2_M_KIB, ARGON2_T, ARGON2_P, None).expect("valid parameters");
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
}

/// Blocking (tens of milliseconds): call from `spawn_blocking`.
pub fn hash_password(password: &str) -> anyhow::Result<String> {
    let salt_bytes: [u8; 16] = rand::rng().random();
    let salt = SaltString::encode_b64(&salt_bytes).map_err(|e| anyhow::anyhow!("salt: {e}"))?;
    Ok(argon2()
        .hash_password(password.as_bytes(), &salt)
        .map_err(|e| anyhow::anyhow!("hashing: {e}"))?
        .to_string())
}

/// Blocking, like [`hash_password`]. A malformed stored hash counts as a wrong password.
pub fn verify_password(password: &str, stored: &str) -> bool {
    match PasswordHash::new(stored) {
        Ok(h) => argon2().verify_password(password.as_bytes(), &h).is_ok(),
        Err(_) => false,
    }
}

/// Length and the breached list only: no composition rules.
pub fn check_new_password(password: &str) -> Result<(), FieldError> {
    let n = password.chars().count();
    let message = if n < PASSWORD_MIN_LENGTH {
        Some(format!(
            "Your password must be at least {PASSWORD_MIN_LENGTH} characters"
        ))
    } else if n > PASSWORD_MAX_CHARS {
        Some(format!(
            "Your password must be {PASSWORD_MAX_CHARS} characters or fewer"
        ))
    } else if password.trim().is_empty() {
        Some("Your password cannot be only spaces".to_owned())
    } else if is_breached(password) {
        Some("This password is too common: choose a different one".to_owned())
    } else {
        None
    };
    match message {
        Some(m) => Err(FieldError::new("password", m)),
        None => Ok(()),
    }
}

pub fn is_breached(password: &str) -> bool {
    let p = password.trim().to_lowercase();
    BREACHED
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .any(|l| l == p)
}

/// A random token for a URL or a header: 32 bytes, base64url, with a prefix that says what it is.
pub fn new_token(prefix: &str) -> String {
    let bytes: [u8; 32] = rand::rng().random();
    format!(
        "{prefix}_{}",
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
    )
}

/// A 6-digit code, leading zeros kept.
pub fn new_code() -> String {
    format!("{:06}", rand::rng().random_range(0..1_000_000u32))
}

/// How tokens and codes are stored: SHA-256 hex (they are random, so no salt is needed; a
/// code is hashed with what it is bound to).
pub fn sha256_hex(parts: &[&str]) -> String {
    let mut h = Sha256::new();
    for p in parts {
        h.update(p.as_bytes());
        h.update([0u8]);
    }
    hex::encode(h.finalize())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_by_length_and_breach_list_only() {
        assert!(check_new_password("short").is_err());
        assert!(check_new_password("password1234").is_err());
        assert!(check_new_password("  Password1234 ").is_err());
        assert!(check_new_password("tangerine kettle sofa").is_ok());
        assert!(check_new_password(&"long passphrase ".repeat(50)).is_ok());
        assert!(check_new_password(&"x".repeat(1025)).is_err());
    }

    #[test]
    fn codes_are_six_digits() {
        for _ in 0..100 {
            let c = new_code();
            assert_eq!(c.len(), 6);
            assert!(c.bytes().all(|b| b.is_ascii_digit()));
        }
    }
}
