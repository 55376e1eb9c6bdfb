//! Services the office offers, their ticket letters, names, stages and flags.

use crate::error::DomainError;
use crate::office_day::DayKind;
use serde::{Deserialize, Serialize};
use std::fmt;

/// The services of an immigration office's counter hall.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ServiceCode {
    /// A first passport.
    NewPassport,
    /// Replacement (renewal) of a passport that is full or expiring.
    Replacement,
    /// Replacement of a lost or damaged passport (needs a BAP).
    LostDamaged,
    /// Picking up a finished passport.
    Pickup,
    /// Questions and information.
    Information,
}

impl ServiceCode {
    /// All services, in catalog order.
    pub const ALL: [ServiceCode; 5] = [
        ServiceCode::NewPassport,
        ServiceCode::Replacement,
        ServiceCode::LostDamaged,
        ServiceCode::Pickup,
        ServiceCode::Information,
    ];

    /// Stable machine name (the serde form).
    pub fn as_str(self) -> &'static str {
        match self {
            ServiceCode::NewPassport => "new_passport",
            ServiceCode::Replacement => "replacement",
            ServiceCode::LostDamaged => "lost_damaged",
            ServiceCode::Pickup => "pickup",
            ServiceCode::Information => "information",
        }
    }

    /// Parses the machine name.
    pub fn parse(s: &str) -> Option<ServiceCode> {
        ServiceCode::ALL.into_iter().find(|c| c.as_str() == s)
    }
}

impl fmt::Display for ServiceCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A stage of a visit: one sitting at one kind of counter.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Stage {
    /// Originals checked against the application (e-KTP, KK, birth certificate, ...).
    DocumentCheck,
    /// Photo, fingerprints and interview.
    PhotoFingerprintInterview,
    /// The BAP (berita acara pemeriksaan) interview for a lost or damaged passport.
    Bap,
    /// The decision on a BAP (approve with charge, waive, suspend).
    Decision,
    /// Photo and fingerprints (the interview was the BAP).
    PhotoFingerprint,
    /// Pickup: identity and receipt check, handover.
    IdentityReceiptCheck,
    /// Information desk.
    Information,
}

impl Stage {
    /// All stages.
    pub const ALL: [Stage; 7] = [
        Stage::DocumentCheck,
        Stage::PhotoFingerprintInterview,
        Stage::Bap,
        Stage::Decision,
        Stage::PhotoFingerprint,
        Stage::IdentityReceiptCheck,
        Stage::Information,
    ];

    /// Stable machine name.
    pub fn as_str(self) -> &'static str {
        match self {
            Stage::DocumentCheck => "document_check",
            Stage::PhotoFingerprintInterview => "photo_fingerprint_interview",
            Stage::Bap => "bap",
            Stage::Decision => "decision",
            Stage::PhotoFingerprint => "photo_fingerprint",
            Stage::IdentityReceiptCheck => "identity_receipt_check",
            Stage::Information => "information",
        }
    }

    /// Indonesian name.
    pub fn name_id(self) -> &'static str {
        match self {
            Stage::DocumentCheck => "Pemeriksaan berkas",
            Stage::PhotoFingerprintInterview => "Foto, sidik jari dan wawancara",
            Stage::Bap => "Berita acara pemeriksaan (BAP)",
            Stage::Decision => "Keputusan",
            Stage::PhotoFingerprint => "Foto dan sidik jari",
            Stage::IdentityReceiptCheck => "Pemeriksaan identitas dan tanda terima",
            Stage::Information => "Informasi",
        }
    }

    /// English name.
    pub fn name_en(self) -> &'static str {
        match self {
            Stage::DocumentCheck => "Document check",
            Stage::PhotoFingerprintInterview => "Photo, fingerprints and interview",
            Stage::Bap => "Examination report (BAP)",
            Stage::Decision => "Decision",
            Stage::PhotoFingerprint => "Photo and fingerprints",
            Stage::IdentityReceiptCheck => "Identity and receipt check",
            Stage::Information => "Information",
        }
    }
}

impl fmt::Display for Stage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One service of the catalog with everything the rules need to know about it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ServiceDef {
    /// Which service.
    pub code: ServiceCode,
    /// The ticket letter (A-Z), unique in the catalog.
    pub letter: char,
    /// Indonesian name shown on kiosk, ticket and display.
    pub name_id: String,
    /// English name.
    pub name_en: String,
    /// The stages a visit goes through, in order (at least one).
    pub stages: Vec<Stage>,
    /// Whether a BAP must be made.
    pub needs_bap: bool,
    /// Day kinds on which this service is offered.
    pub offered_on: Vec<DayKind>,
}

impl ServiceDef {
    /// Whether the service is offered on a kind of day.
    pub fn offered_on(&self, day: DayKind) -> bool {
        self.offered_on.contains(&day)
    }

    /// The first stage.
    pub fn first_stage(&self) -> Option<Stage> {
        self.stages.first().copied()
    }
}

/// The services an office offers. [`ServiceCatalog::default`] is the standard catalog.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ServiceCatalog {
    /// The services, in kiosk order.
    pub services: Vec<ServiceDef>,
}

impl Default for ServiceCatalog {
    fn default() -> Self {
        let all_days = DayKind::ALL.to_vec();
        let def = |code, letter, id: &str, en: &str, stages: Vec<Stage>, needs_bap, offered_on| {
            ServiceDef {
                code,
                letter,
                name_id: id.to_string(),
                name_en: en.to_string(),
                stages,
                needs_bap,
                offered_on,
            }
        };
        ServiceCatalog {
            services: vec![
                def(
                    ServiceCode::NewPassport,
                    'A',
                    "Paspor baru",
                    "New passport",
                    vec![Stage::DocumentCheck, Stage::PhotoFingerprintInterview],
                    false,
                    all_days.clone(),
                ),
                def(
                    ServiceCode::Replacement,
                    'B',
                    "Penggantian paspor",
                    "Passport replacement",
                    vec![Stage::DocumentCheck, Stage::PhotoFingerprintInterview],
                    false,
                    all_days.clone(),
                ),
                def(
                    ServiceCode::LostDamaged,
                    'C',
                    "Paspor hilang / rusak",
                    "Lost / damaged passport",
                    vec![
                        Stage::DocumentCheck,
                        Stage::Bap,
                        Stage::Decision,
                        Stage::PhotoFingerprint,
                    ],
                    true,
                    vec![DayKind::Regular],
                ),
                def(
                    ServiceCode::Pickup,
                    'D',
                    "Pengambilan paspor",
                    "Passport pickup",
                    vec![Stage::IdentityReceiptCheck],
                    false,
                    all_days.clone(),
                ),
                def(
                    ServiceCode::Information,
                    'E',
                    "Informasi",
                    "Information",
                    vec![Stage::Information],
                    false,
                    all_days,
                ),
            ],
        }
    }
}

impl ServiceCatalog {
    /// The definition of a service, if the office offers it.
    pub fn get(&self, code: ServiceCode) -> Option<&ServiceDef> {
        self.services.iter().find(|s| s.code == code)
    }

    /// Like [`ServiceCatalog::get`], as an error the hub can return.
    pub fn require(&self, code: ServiceCode) -> Result<&ServiceDef, DomainError> {
        self.get(code).ok_or(DomainError::UnknownService {
            service: code.as_str().to_string(),
        })
    }

    /// The service whose tickets carry a letter.
    pub fn by_letter(&self, letter: char) -> Option<&ServiceDef> {
        let letter = letter.to_ascii_uppercase();
        self.services.iter().find(|s| s.letter == letter)
    }

    /// Checks that the service is offered on a kind of day.
    pub fn ensure_offered(
        &self,
        code: ServiceCode,
        day: DayKind,
    ) -> Result<&ServiceDef, DomainError> {
        let def = self.require(code)?;
        if def.offered_on(day) {
            Ok(def)
        } else {
            Err(DomainError::ServiceNotOfferedToday {
                service: code,
                day_kind: day,
            })
        }
    }

    /// Checks the catalog: letters A-Z and unique, services unique, every service with at
    /// least one stage and no stage twice.
    pub fn validate(&self) -> Result<(), DomainError> {
        let invalid = |reason: String| Err(DomainError::InvalidConfig { reason });
        for (i, s) in self.services.iter().enumerate() {
            if !s.letter.is_ascii_uppercase() {
                return invalid(format!(
                    "service {} has letter {:?}; use A-Z",
                    s.code, s.letter
                ));
            }
            if s.stages.is_empty() {
                return invalid(format!("service {} has no stages", s.code));
            }
            for (j, st) in s.stages.iter().enumerate() {
                if s.stages[..j].contains(st) {
                    return invalid(format!("service {} lists stage {} twice", s.code, st));
                }
            }
            for other in &self.services[..i] {
                if other.code == s.code {
                    return invalid(format!("service {} is listed twice", s.code));
                }
                if other.letter == s.letter {
                    return invalid(format!(
                        "services {} and {} share letter {}",
                        other.code, s.code, s.letter
                    ));
                }
            }
        }
        Ok(())
    }
}
