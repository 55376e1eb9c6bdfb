//! Who asks: officers with argon2id passwords and expiring bearer sessions, devices (kiosk,
//! display) with their own long-lived tokens. Only SHA-256 hashes of tokens are stored. What
//! each may do is the domain's permission table ([`loket_domain::may`]).

use crate::error::{HubError, Result};
use argon2::Argon2;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use loket_domain::{Action, Actor, DeviceKind, Role, authorize};
use rand::RngCore;
use serde::Serialize;
use sha2::{Digest, Sha256};

/// Prefix of officer session tokens.
pub const SESSION_PREFIX: &str = "lks_";
/// Prefix of device tokens.
pub const DEVICE_PREFIX: &str = "lkd_";

/// Whoever a request comes from, as the audit log records it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Principal {
    /// Officer (with role), device (with kind) or the local command line.
    pub kind: PrincipalKind,
    /// User name, device name, or `cli`.
    pub name: String,
    /// The workstation an officer says they work from (`X-Loket-Device` header).
    pub device: Option<String>,
}

/// The kinds of [`Principal`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", content = "value", rename_all = "snake_case")]
pub enum PrincipalKind {
    /// A domain actor: an officer with a role, or a device.
    Actor(Actor),
    /// The `loket` command run on the hub's machine by whoever can read the data
    /// directory: may do everything.
    Local,
}

impl Principal {
    /// The local command line.
    pub fn local(what: &str) -> Principal {
        Principal {
            kind: PrincipalKind::Local,
            name: what.to_string(),
            device: None,
        }
    }

    /// An officer.
    pub fn officer(username: &str, role: Role, device: Option<String>) -> Principal {
        Principal {
            kind: PrincipalKind::Actor(Actor::Officer(role)),
            name: username.to_string(),
            device,
        }
    }

    /// A device.
    pub fn device(name: &str, kind: DeviceKind) -> Principal {
        Principal {
            kind: PrincipalKind::Actor(Actor::Device(kind)),
            name: name.to_string(),
            device: Some(name.to_string()),
        }
    }

    /// Refuses with `forbidden` unless the domain's table allows the action.
    pub fn authorize(&self, action: Action) -> Result<()> {
        match self.kind {
            PrincipalKind::Local => Ok(()),
            PrincipalKind::Actor(actor) => Ok(authorize(actor, action)?),
        }
    }

    /// The officer's role, if an officer.
    pub fn role(&self) -> Option<Role> {
        match self.kind {
            PrincipalKind::Actor(Actor::Officer(role)) => Some(role),
            _ => None,
        }
    }

    /// `officer`, `device` or `local`, for the audit log.
    pub fn kind_str(&self) -> &'static str {
        match self.kind {
            PrincipalKind::Actor(Actor::Officer(_)) => "officer",
            PrincipalKind::Actor(Actor::Device(_)) => "device",
            PrincipalKind::Local => "local",
        }
    }
}

/// Hashes a password with argon2id (default parameters, random salt).
pub fn hash_password(password: &str) -> Result<String> {
    let mut bytes = [0u8; 16];
    rand::rng().fill_bytes(&mut bytes);
    let salt =
        SaltString::encode_b64(&bytes).map_err(|e| HubError::Corrupt(format!("salt: {e}")))?;
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| HubError::Corrupt(format!("password hash: {e}")))
}

/// Whether a password matches a stored argon2 hash.
pub fn verify_password(password: &str, stored: &str) -> bool {
    PasswordHash::new(stored)
        .map(|h| {
            Argon2::default()
                .verify_password(password.as_bytes(), &h)
                .is_ok()
        })
        .unwrap_or(false)
}

/// A fresh random token with a prefix.
pub fn new_token(prefix: &str) -> String {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    format!("{prefix}{}", hex::encode(bytes))
}

/// The stored form of a token.
pub fn token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_round_trip() {
        let h = hash_password("rahasia-123").unwrap_or_default();
        assert!(h.starts_with("$argon2id$"));
        assert!(verify_password("rahasia-123", &h));
        assert!(!verify_password("rahasia-124", &h));
        assert!(!verify_password("x", "not a hash"));
    }

    #[test]
    fn tokens_are_unique_and_hashed() {
        let a = new_token(SESSION_PREFIX);
        let b = new_token(SESSION_PREFIX);
        assert_ne!(a, b);
        assert_eq!(token_hash(&a).len(), 64);
        assert_ne!(token_hash(&a), token_hash(&b));
    }

    #[test]
    fn kiosk_may_only_issue_and_check_in() {
        let kiosk = Principal::device("kiosk-1", DeviceKind::Kiosk);
        assert!(kiosk.authorize(Action::IssueTicket).is_ok());
        assert!(kiosk.authorize(Action::CheckIn).is_ok());
        assert!(kiosk.authorize(Action::CallNext).is_err());
        assert!(Principal::local("cli").authorize(Action::CloseDay).is_ok());
    }
}
