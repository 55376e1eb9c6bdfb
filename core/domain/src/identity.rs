//! Identity numbers: NIK (Nomor Induk Kependudukan), passport numbers and the machine
//! readable zone (MRZ, ICAO 9303 TD3) of a passport.
//!
//! Checks that find something odd but not wrong return a [`IdentityWarning`] beside the
//! result instead of an error: a NIK never changes, even when its date is wrong.

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};
use thiserror::Error;

/// Sex as encoded in a NIK or an MRZ.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Sex {
    /// Male.
    Male,
    /// Female.
    Female,
}

/// A NIK's parts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct NikInfo {
    /// Province code, 11-94.
    pub province: u8,
    /// Regency / city code within the province, 01-99.
    pub regency: u8,
    /// District code within the regency, 01-99.
    pub district: u8,
    /// Birth date (century chosen so it is not after the reference date, or taken from the
    /// declared birth date when the two-digit years agree).
    pub birth_date: NaiveDate,
    /// Sex (day + 40 for women).
    pub sex: Sex,
    /// Serial, 0001-9999.
    pub serial: u16,
}

/// Something worth the officer's attention that does not stop the process.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "code", rename_all = "snake_case")]
pub enum IdentityWarning {
    /// The NIK's birth date differs from the declared one.
    NikBirthDateMismatch {
        /// Date encoded in the NIK.
        nik_date: NaiveDate,
        /// Date declared (e-KTP, birth certificate).
        declared: NaiveDate,
    },
    /// The passport number is not the usual one letter + 7 digits.
    UnusualPassportNumber {
        /// The number as accepted (upper case, no spaces).
        number: String,
    },
}

impl IdentityWarning {
    /// Stable machine code.
    pub fn code(&self) -> &'static str {
        match self {
            IdentityWarning::NikBirthDateMismatch { .. } => "nik_birth_date_mismatch",
            IdentityWarning::UnusualPassportNumber { .. } => "unusual_passport_number",
        }
    }

    /// Indonesian message for the officer.
    pub fn message_id(&self) -> String {
        match self {
            IdentityWarning::NikBirthDateMismatch { nik_date, declared } => format!(
                "Tanggal lahir pada NIK ({}) berbeda dengan tanggal lahir yang dinyatakan ({}). NIK tetap berlaku; periksa akta kelahiran dan catat perbedaannya.",
                nik_date.format("%d-%m-%Y"),
                declared.format("%d-%m-%Y")
            ),
            IdentityWarning::UnusualPassportNumber { number } => format!(
                "Nomor paspor {number} tidak berformat satu huruf dan tujuh angka. Periksa kembali dengan paspor fisik."
            ),
        }
    }

    /// English message for the officer.
    pub fn message_en(&self) -> String {
        match self {
            IdentityWarning::NikBirthDateMismatch { nik_date, declared } => format!(
                "The NIK's birth date ({}) differs from the declared birth date ({}). The NIK stays valid; check the birth certificate and record the difference.",
                nik_date.format("%d-%m-%Y"),
                declared.format("%d-%m-%Y")
            ),
            IdentityWarning::UnusualPassportNumber { number } => format!(
                "Passport number {number} is not one letter and seven digits. Check it against the passport itself."
            ),
        }
    }
}

/// A failed identity check.
#[derive(Debug, Clone, PartialEq, Eq, Error, Serialize, Deserialize)]
#[serde(tag = "code", rename_all = "snake_case")]
pub enum IdentityError {
    /// Not 16 digits.
    #[error("NIK must be 16 digits")]
    NikFormat,
    /// Province code outside 11-94.
    #[error("NIK province code {province} is outside 11-94")]
    NikProvince {
        /// The code found.
        province: u8,
    },
    /// Regency code 00.
    #[error("NIK regency code is 00")]
    NikRegency,
    /// District code 00.
    #[error("NIK district code is 00")]
    NikDistrict,
    /// The DDMMYY part is not a date.
    #[error("NIK birth date part is not a date")]
    NikBirthDate,
    /// Serial 0000.
    #[error("NIK serial is 0000")]
    NikSerial,
    /// Not a passport number at all.
    #[error("not a passport number")]
    PassportNumberFormat,
    /// MRZ lines of the wrong length or with characters outside A-Z, 0-9 and '<'.
    #[error("MRZ line {line} is malformed: {reason}")]
    MrzFormat {
        /// Which line (1 or 2).
        line: u8,
        /// What is wrong.
        reason: String,
    },
    /// The first line does not start with 'P'.
    #[error("MRZ is not a passport (TD3) MRZ")]
    MrzNotPassport,
    /// Document number check digit wrong.
    #[error("MRZ document number check digit is wrong")]
    MrzDocumentNumberCheck,
    /// Birth date check digit wrong.
    #[error("MRZ birth date check digit is wrong")]
    MrzBirthDateCheck,
    /// Expiry date check digit wrong.
    #[error("MRZ expiry date check digit is wrong")]
    MrzExpiryDateCheck,
    /// Personal number check digit wrong.
    #[error("MRZ personal number check digit is wrong")]
    MrzPersonalNumberCheck,
    /// Composite check digit wrong.
    #[error("MRZ composite check digit is wrong")]
    MrzCompositeCheck,
}

fn digits2(s: &str) -> u8 {
    // Callers pass two ASCII digits.
    s.bytes().fold(0u8, |acc, b| {
        acc.wrapping_mul(10).wrapping_add(b.wrapping_sub(b'0'))
    })
}

/// Parses and checks a NIK. `reference` (usually the office date) picks the century of the
/// two-digit birth year: the latest year not after the reference.
pub fn parse_nik(input: &str, reference: NaiveDate) -> Result<NikInfo, IdentityError> {
    parse_nik_with(input, reference, None)
}

fn parse_nik_with(
    input: &str,
    reference: NaiveDate,
    declared: Option<NaiveDate>,
) -> Result<NikInfo, IdentityError> {
    let nik = input.trim();
    if nik.len() != 16 || !nik.bytes().all(|b| b.is_ascii_digit()) {
        return Err(IdentityError::NikFormat);
    }
    let province = digits2(&nik[0..2]);
    if !(11..=94).contains(&province) {
        return Err(IdentityError::NikProvince { province });
    }
    let regency = digits2(&nik[2..4]);
    if regency == 0 {
        return Err(IdentityError::NikRegency);
    }
    let district = digits2(&nik[4..6]);
    if district == 0 {
        return Err(IdentityError::NikDistrict);
    }
    let raw_day = digits2(&nik[6..8]);
    let month = digits2(&nik[8..10]);
    let yy = i32::from(digits2(&nik[10..12]));
    let (day, sex) = if raw_day > 40 {
        (raw_day - 40, Sex::Female)
    } else {
        (raw_day, Sex::Male)
    };
    let serial: u16 = nik[12..16].parse().map_err(|_| IdentityError::NikFormat)?;
    if serial == 0 {
        return Err(IdentityError::NikSerial);
    }
    let year = match declared {
        Some(d) if d.year().rem_euclid(100) == yy => d.year(),
        _ => {
            let this_century = reference.year() - reference.year().rem_euclid(100);
            let candidate = this_century + yy;
            let date = NaiveDate::from_ymd_opt(candidate, u32::from(month), u32::from(day));
            if date.is_some_and(|d| d <= reference)
                || (date.is_none() && candidate <= reference.year())
            {
                candidate
            } else {
                candidate - 100
            }
        }
    };
    let birth_date = NaiveDate::from_ymd_opt(year, u32::from(month), u32::from(day))
        .ok_or(IdentityError::NikBirthDate)?;
    Ok(NikInfo {
        province,
        regency,
        district,
        birth_date,
        sex,
        serial,
    })
}

/// A NIK check with its warnings.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NikCheck {
    /// The parts.
    pub info: NikInfo,
    /// Warnings (birth date mismatch).
    pub warnings: Vec<IdentityWarning>,
}

/// Checks a NIK against a declared birth date: a different date is a warning, not an error.
pub fn check_nik(
    input: &str,
    reference: NaiveDate,
    declared_birth: Option<NaiveDate>,
) -> Result<NikCheck, IdentityError> {
    let info = parse_nik_with(input, reference, declared_birth)?;
    let mut warnings = Vec::new();
    if let Some(declared) = declared_birth
        && declared != info.birth_date
    {
        warnings.push(IdentityWarning::NikBirthDateMismatch {
            nik_date: info.birth_date,
            declared,
        });
    }
    Ok(NikCheck { info, warnings })
}

/// A passport number check.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PassportNumberCheck {
    /// The number, upper case without spaces.
    pub number: String,
    /// A warning when it is not one letter + 7 digits.
    pub warning: Option<IdentityWarning>,
}

/// Checks a passport number: one letter + 7 digits is normal; other letter/digit strings of
/// 6 to 9 characters are accepted with a warning (older and foreign passports).
pub fn check_passport_number(input: &str) -> Result<PassportNumberCheck, IdentityError> {
    let number: String = input
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect::<String>()
        .to_ascii_uppercase();
    if !number.is_ascii()
        || !(6..=9).contains(&number.len())
        || !number.bytes().all(|b| b.is_ascii_alphanumeric())
    {
        return Err(IdentityError::PassportNumberFormat);
    }
    let b = number.as_bytes();
    let usual =
        b.len() == 8 && b[0].is_ascii_uppercase() && b[1..].iter().all(|c| c.is_ascii_digit());
    let warning = (!usual).then(|| IdentityWarning::UnusualPassportNumber {
        number: number.clone(),
    });
    Ok(PassportNumberCheck { number, warning })
}

/// The ICAO 9303 check digit of an MRZ field: weights 7-3-1 repeating, digits as
/// themselves, A-Z as 10-35, '<' as 0, sum mod 10. `None` for other characters.
pub fn mrz_check_digit(field: &str) -> Option<u8> {
    const WEIGHTS: [u32; 3] = [7, 3, 1];
    let mut sum = 0u32;
    for (i, b) in field.bytes().enumerate() {
        let value = match b {
            b'0'..=b'9' => u32::from(b - b'0'),
            b'A'..=b'Z' => u32::from(b - b'A') + 10,
            b'<' => 0,
            _ => return None,
        };
        sum += value * WEIGHTS[i % 3];
    }
    u8::try_from(sum % 10).ok()
}

/// A date field of an MRZ (YYMMDD, century not encoded).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct MrzDate {
    /// Two-digit year.
    pub yy: u8,
    /// Month.
    pub month: u8,
    /// Day.
    pub day: u8,
}

impl MrzDate {
    fn parse(s: &str) -> Option<MrzDate> {
        if s.len() != 6 || !s.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        Some(MrzDate {
            yy: digits2(&s[0..2]),
            month: digits2(&s[2..4]),
            day: digits2(&s[4..6]),
        })
    }

    /// As a birth date: the latest century that is not after `reference`.
    pub fn as_birth_date(self, reference: NaiveDate) -> Option<NaiveDate> {
        let base = reference.year() - reference.year().rem_euclid(100);
        let date = |y| NaiveDate::from_ymd_opt(y, u32::from(self.month), u32::from(self.day));
        match date(base + i32::from(self.yy)) {
            Some(d) if d <= reference => Some(d),
            _ => date(base - 100 + i32::from(self.yy)),
        }
    }

    /// As an expiry date (always 20YY).
    pub fn as_expiry_date(self) -> Option<NaiveDate> {
        NaiveDate::from_ymd_opt(
            2000 + i32::from(self.yy),
            u32::from(self.month),
            u32::from(self.day),
        )
    }
}

/// A parsed passport MRZ (TD3). Names have '<' fillers replaced by spaces.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Td3 {
    /// Document code ("P" or "P" plus a type letter).
    pub document_code: String,
    /// Issuing state (3 letters; "IDN" for Indonesia).
    pub issuing_state: String,
    /// Primary identifier (surname).
    pub surname: String,
    /// Secondary identifier (given names).
    pub given_names: String,
    /// Document number without fillers.
    pub document_number: String,
    /// Nationality (3 letters).
    pub nationality: String,
    /// Birth date.
    pub birth_date: MrzDate,
    /// Sex; `None` when unspecified ('<' or 'X').
    pub sex: Option<Sex>,
    /// Expiry date.
    pub expiry_date: MrzDate,
    /// Personal number (optional data) without fillers.
    pub personal_number: String,
}

fn mrz_line(input: &str, line: u8) -> Result<String, IdentityError> {
    let s: String = input.trim().to_ascii_uppercase();
    if s.chars().count() != 44 {
        return Err(IdentityError::MrzFormat {
            line,
            reason: format!("{} characters, expected 44", s.chars().count()),
        });
    }
    if let Some(bad) = s
        .chars()
        .find(|c| !(c.is_ascii_uppercase() || c.is_ascii_digit() || *c == '<'))
    {
        return Err(IdentityError::MrzFormat {
            line,
            reason: format!("character {bad:?} is not A-Z, 0-9 or '<'"),
        });
    }
    Ok(s)
}

fn check_field(field: &str, check: u8, error: IdentityError) -> Result<(), IdentityError> {
    match (mrz_check_digit(field), (check as char).to_digit(10)) {
        (Some(expected), Some(found)) if u32::from(expected) == found => Ok(()),
        _ => Err(error),
    }
}

fn unfill(s: &str) -> String {
    s.trim_end_matches('<').replace('<', " ")
}

/// Parses a TD3 MRZ and verifies its five check digits; each failing digit is its own
/// error (document number, birth date, expiry, personal number, composite, checked in that
/// order).
pub fn parse_td3(line1: &str, line2: &str) -> Result<Td3, IdentityError> {
    let l1 = mrz_line(line1, 1)?;
    let l2 = mrz_line(line2, 2)?;
    if !l1.starts_with('P') {
        return Err(IdentityError::MrzNotPassport);
    }
    // Every byte is ASCII (checked above), so byte slicing is safe.
    let b2 = l2.as_bytes();
    check_field(&l2[0..9], b2[9], IdentityError::MrzDocumentNumberCheck)?;
    check_field(&l2[13..19], b2[19], IdentityError::MrzBirthDateCheck)?;
    check_field(&l2[21..27], b2[27], IdentityError::MrzExpiryDateCheck)?;
    let personal = &l2[28..42];
    let personal_ok = personal.bytes().all(|b| b == b'<') && b2[42] == b'<';
    if !personal_ok {
        check_field(personal, b2[42], IdentityError::MrzPersonalNumberCheck)?;
    }
    let composite = format!("{}{}{}", &l2[0..10], &l2[13..20], &l2[21..43]);
    check_field(&composite, b2[43], IdentityError::MrzCompositeCheck)?;

    let date = |s: &str, e: IdentityError| MrzDate::parse(s).ok_or(e);
    let names = &l1[5..44];
    let (surname, given) = names.split_once("<<").unwrap_or((names, ""));
    Ok(Td3 {
        document_code: l1[0..2].trim_end_matches('<').to_string(),
        issuing_state: unfill(&l1[2..5]),
        surname: unfill(surname),
        given_names: unfill(given),
        document_number: unfill(&l2[0..9]),
        nationality: unfill(&l2[10..13]),
        birth_date: date(&l2[13..19], IdentityError::MrzBirthDateCheck)?,
        sex: match b2[20] {
            b'M' => Some(Sex::Male),
            b'F' => Some(Sex::Female),
            _ => None,
        },
        expiry_date: date(&l2[21..27], IdentityError::MrzExpiryDateCheck)?,
        personal_number: unfill(personal),
    })
}
