//! Passport pickup: finding the passport, who may collect it with which documents, when it
//! is ready, the 30-day rule, and what the kiosk says.
//!
//! * **Find by** ([`PickupKey`]): the application receipt number, the visit id, or the
//!   applicant's NIK.
//! * **Who collects** ([`Collector`]): the applicant (receipt + own ID), family (receipt +
//!   the family card showing the relation), anyone else (receipt + power of attorney + own
//!   ID). [`check_handover`] refuses with one distinct error per missing or wrong document.
//! * **Ready** ([`PickupRules::ready_date`]): the passport is issued about 4 working days
//!   after the visit (Saturdays, Sundays and configured holidays skipped).
//! * **30-day rule** ([`PickupRules::status`]): not collected within 30 calendar days of
//!   readiness, it is flagged for cancellation. The flag is advice to the office; until the
//!   hub cancels it the passport can still be handed over (the approval carries the flag).
//! * **Kiosk** ([`kiosk_answer`]): a booking code or receipt number typed at the kiosk gives
//!   a short status with an Indonesian and an English sentence.

use crate::bap::{OfficerRef, SignatureRef};
use crate::error::UserFacing;
use crate::identity::check_nik;
use crate::visit::VisitId;
use chrono::{DateTime, Datelike, Duration, NaiveDate, Utc, Weekday};
use serde::{Deserialize, Serialize};
use std::fmt;
use thiserror::Error;

/// The most working days [`PickupRules::ready_date`] counts (a year), so a mistyped
/// setting cannot stall the hub.
pub const MAX_READY_WORKING_DAYS: u32 = 260;

/// Settings of pickup.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct PickupRules {
    /// Working days after the visit day until the passport is ready (default 4; values
    /// above [`MAX_READY_WORKING_DAYS`] count as that).
    pub ready_after_working_days: u32,
    /// Calendar days after readiness within which it must be collected (default 30).
    pub collect_within_days: u32,
    /// Public holidays and office closure days (weekends are skipped anyway).
    pub holidays: Vec<NaiveDate>,
}

impl Default for PickupRules {
    fn default() -> Self {
        PickupRules {
            ready_after_working_days: 4,
            collect_within_days: 30,
            holidays: Vec::new(),
        }
    }
}

impl PickupRules {
    /// Whether a date is a working day (Monday to Friday and not a configured holiday).
    pub fn is_working_day(&self, date: NaiveDate) -> bool {
        !matches!(date.weekday(), Weekday::Sat | Weekday::Sun) && !self.holidays.contains(&date)
    }

    /// The expected ready date: the N-th working day after the visit day (the visit day
    /// itself is not counted). With N = 0, the visit day.
    pub fn ready_date(&self, visit_date: NaiveDate) -> NaiveDate {
        let mut date = visit_date;
        let mut left = self.ready_after_working_days.min(MAX_READY_WORKING_DAYS);
        while left > 0 {
            match date.succ_opt() {
                Some(next) => date = next,
                None => return date,
            }
            if self.is_working_day(date) {
                left -= 1;
            }
        }
        date
    }

    /// The last day to collect a passport ready on `ready_date`.
    pub fn last_collection_day(&self, ready_date: NaiveDate) -> NaiveDate {
        ready_date
            .checked_add_signed(Duration::days(i64::from(self.collect_within_days)))
            .unwrap_or(NaiveDate::MAX)
    }

    /// Where an uncollected passport stands on `today`.
    pub fn status(&self, ready_date: NaiveDate, today: NaiveDate) -> PickupStatus {
        let last = self.last_collection_day(ready_date);
        if today < ready_date {
            PickupStatus::NotReadyYet {
                expected: ready_date,
            }
        } else if today <= last {
            PickupStatus::Ready { collect_by: last }
        } else {
            PickupStatus::OverdueForCancellation {
                since: last.succ_opt().unwrap_or(last),
            }
        }
    }
}

/// [`PickupRules::status`] with the default rules (30 days).
pub fn pickup_status(ready_date: NaiveDate, today: NaiveDate) -> PickupStatus {
    PickupRules::default().status(ready_date, today)
}

/// Where an uncollected passport stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum PickupStatus {
    /// Not ready yet.
    NotReadyYet {
        /// Expected ready date.
        expected: NaiveDate,
    },
    /// Ready to collect.
    Ready {
        /// The last day to collect it.
        collect_by: NaiveDate,
    },
    /// Not collected in time: flagged for cancellation.
    OverdueForCancellation {
        /// The first overdue day.
        since: NaiveDate,
    },
}

/// An application receipt number (tanda terima permohonan): upper-case letters, digits, `-`
/// and `/`, 4 to 32 characters, spaces ignored.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct ReceiptNumber(String);

impl ReceiptNumber {
    /// Normalizes and checks a receipt number.
    pub fn parse(input: &str) -> Result<ReceiptNumber, PickupError> {
        let s: String = input
            .chars()
            .filter(|c| !c.is_whitespace())
            .collect::<String>()
            .to_ascii_uppercase();
        let ok = (4..=32).contains(&s.len())
            && s.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'/');
        if ok {
            Ok(ReceiptNumber(s))
        } else {
            Err(PickupError::InvalidReceiptNumber)
        }
    }

    /// The number.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for ReceiptNumber {
    type Error = PickupError;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        ReceiptNumber::parse(&s)
    }
}

impl From<ReceiptNumber> for String {
    fn from(r: ReceiptNumber) -> String {
        r.0
    }
}

impl fmt::Display for ReceiptNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// How an officer finds a passport to hand over.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "by", content = "value", rename_all = "snake_case")]
pub enum PickupKey {
    /// The application receipt number.
    Receipt(ReceiptNumber),
    /// The visit in which the application was made.
    Visit(VisitId),
    /// The applicant's NIK (16 digits, checked).
    Nik(String),
}

impl PickupKey {
    /// A NIK key, checked with [`check_nik`] (`today` picks the century).
    pub fn nik(input: &str, today: NaiveDate) -> Result<PickupKey, PickupError> {
        let digits: String = input.chars().filter(|c| !c.is_whitespace()).collect();
        check_nik(&digits, today, None).map_err(|_| PickupError::InvalidNik)?;
        Ok(PickupKey::Nik(digits))
    }

    /// A receipt key.
    pub fn receipt(input: &str) -> Result<PickupKey, PickupError> {
        ReceiptNumber::parse(input).map(PickupKey::Receipt)
    }
}

/// An identity document shown at pickup.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum IdKind {
    /// e-KTP (its number is the NIK).
    Ektp,
    /// A passport.
    Passport,
    /// Driving licence (SIM).
    DrivingLicence,
}

/// An ID shown: its kind and number.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IdDocument {
    /// Kind.
    pub kind: IdKind,
    /// Number as printed (for an e-KTP, the NIK).
    pub number: String,
}

/// A family relation shown by the family card (KK).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FamilyRelation {
    /// Husband or wife.
    Spouse,
    /// Father or mother.
    Parent,
    /// Son or daughter.
    Child,
    /// Brother or sister.
    Sibling,
    /// Another member of the same family card.
    OtherHouseholdMember,
}

/// Who collects the passport.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Collector {
    /// The applicant.
    Applicant,
    /// A family member.
    Family {
        /// Name.
        name: String,
        /// The relation the KK shows.
        relation: FamilyRelation,
    },
    /// Anyone else, with a power of attorney.
    Proxy {
        /// Name.
        name: String,
    },
}

impl Collector {
    /// The collector's kind.
    pub fn kind(&self) -> CollectorKind {
        match self {
            Collector::Applicant => CollectorKind::Applicant,
            Collector::Family { .. } => CollectorKind::Family,
            Collector::Proxy { .. } => CollectorKind::Proxy,
        }
    }
}

/// The kinds of collector.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CollectorKind {
    /// The applicant (receipt + ID).
    Applicant,
    /// Family (receipt + KK).
    Family,
    /// Anyone else (receipt + power of attorney + ID).
    Proxy,
}

/// The family card shown by a family member.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FamilyCardShown {
    /// KK number (16 digits).
    pub number: String,
    /// The officer saw both the applicant and the collector on it, with the relation.
    pub shows_relation: bool,
}

/// The power of attorney (surat kuasa) shown by someone else.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PowerOfAttorneyShown {
    /// Signed by the applicant.
    pub signed_by_applicant: bool,
    /// Names the person collecting.
    pub names_collector: bool,
}

/// What the collector presents at the counter.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct PresentedDocuments {
    /// The application receipt number as typed or scanned.
    pub receipt: Option<String>,
    /// The collector's own ID.
    pub id: Option<IdDocument>,
    /// Family card (family members).
    pub family_card: Option<FamilyCardShown>,
    /// Power of attorney (anyone else).
    pub power_of_attorney: Option<PowerOfAttorneyShown>,
}

/// A passport waiting for collection, as the hub knows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PassportForPickup {
    /// Receipt number.
    pub receipt: ReceiptNumber,
    /// The application visit.
    pub visit: Option<VisitId>,
    /// M-Paspor booking code of the application, if any.
    pub booking_code: Option<String>,
    /// The applicant's NIK.
    pub applicant_nik: String,
    /// The new passport's number, once printed.
    pub passport_number: Option<String>,
    /// The day of the application visit.
    pub visit_date: NaiveDate,
    /// The actual ready date when known (the book was printed); otherwise the expected
    /// date from [`PickupRules::ready_date`] is used.
    pub ready_on: Option<NaiveDate>,
    /// Handed over already.
    pub collected_at: Option<DateTime<Utc>>,
    /// Cancelled by the office (after the 30 days) or by central.
    pub cancelled: bool,
}

impl PassportForPickup {
    /// The ready date: actual, or expected.
    pub fn ready_date(&self, rules: &PickupRules) -> NaiveDate {
        self.ready_on
            .unwrap_or_else(|| rules.ready_date(self.visit_date))
    }

    /// Whether a key finds this passport.
    pub fn matches(&self, key: &PickupKey) -> bool {
        match key {
            PickupKey::Receipt(r) => *r == self.receipt,
            PickupKey::Visit(v) => self.visit == Some(*v),
            PickupKey::Nik(n) => *n == self.applicant_nik,
        }
    }
}

/// A handover the officer may go ahead with: what goes in the register (the hub adds the
/// officer, time and signature as a [`Handover`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HandoverApproval {
    /// Receipt.
    pub receipt: ReceiptNumber,
    /// Who collects.
    pub collector: CollectorKind,
    /// The collector's name (the applicant's when the applicant collects: the hub fills it).
    pub collector_name: Option<String>,
    /// Number of the ID shown (family members: the KK number).
    pub collector_id_number: String,
    /// Past the 30 days and flagged for cancellation, not yet cancelled.
    pub overdue: bool,
}

/// A registered handover (one row of the register).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Handover {
    /// The approval it went ahead on.
    pub approval: HandoverApproval,
    /// The officer.
    pub officer: OfficerRef,
    /// When.
    pub at: DateTime<Utc>,
    /// The collector's signature (drawn, or on the printed register page).
    pub signature: SignatureRef,
}

/// Why a pickup step was refused.
#[derive(Debug, Clone, PartialEq, Eq, Error, Serialize, Deserialize)]
#[serde(tag = "error", rename_all = "snake_case")]
pub enum PickupError {
    /// Not a receipt number.
    #[error("invalid receipt number")]
    InvalidReceiptNumber,
    /// Not a NIK.
    #[error("invalid NIK")]
    InvalidNik,
    /// Nothing found (the hub's lookup).
    #[error("passport not found")]
    NotFound,
    /// Not ready yet.
    #[error("passport not ready, expected {expected}")]
    NotReady {
        /// Expected ready date.
        expected: NaiveDate,
    },
    /// Already handed over.
    #[error("passport already collected")]
    AlreadyCollected,
    /// Cancelled.
    #[error("passport cancelled")]
    Cancelled,
    /// No receipt shown.
    #[error("receipt missing")]
    ReceiptMissing,
    /// The receipt is for another application.
    #[error("receipt does not match")]
    ReceiptMismatch,
    /// The applicant shows no ID.
    #[error("applicant ID missing")]
    ApplicantIdMissing,
    /// The applicant's e-KTP shows another NIK.
    #[error("applicant ID does not match")]
    ApplicantIdMismatch,
    /// A family member shows no KK.
    #[error("family card missing")]
    FamilyCardMissing,
    /// The KK does not show the relation.
    #[error("family card does not show the relation")]
    FamilyCardNoRelation,
    /// The KK number is not 16 digits.
    #[error("family card number invalid")]
    FamilyCardNumberInvalid,
    /// Someone else shows no power of attorney.
    #[error("power of attorney missing")]
    PowerOfAttorneyMissing,
    /// The power of attorney is not signed by the applicant or does not name the collector.
    #[error("power of attorney not valid")]
    PowerOfAttorneyInvalid,
    /// Someone else shows no ID of their own.
    #[error("proxy ID missing")]
    ProxyIdMissing,
    /// Family or proxy without a name.
    #[error("collector name missing")]
    CollectorNameMissing,
}

impl UserFacing for PickupError {
    fn code(&self) -> &'static str {
        match self {
            PickupError::InvalidReceiptNumber => "invalid_receipt_number",
            PickupError::InvalidNik => "pickup_invalid_nik",
            PickupError::NotFound => "passport_not_found",
            PickupError::NotReady { .. } => "passport_not_ready",
            PickupError::AlreadyCollected => "passport_already_collected",
            PickupError::Cancelled => "passport_cancelled",
            PickupError::ReceiptMissing => "pickup_receipt_missing",
            PickupError::ReceiptMismatch => "pickup_receipt_mismatch",
            PickupError::ApplicantIdMissing => "pickup_applicant_id_missing",
            PickupError::ApplicantIdMismatch => "pickup_applicant_id_mismatch",
            PickupError::FamilyCardMissing => "pickup_family_card_missing",
            PickupError::FamilyCardNoRelation => "pickup_family_card_no_relation",
            PickupError::FamilyCardNumberInvalid => "pickup_family_card_number_invalid",
            PickupError::PowerOfAttorneyMissing => "pickup_power_of_attorney_missing",
            PickupError::PowerOfAttorneyInvalid => "pickup_power_of_attorney_invalid",
            PickupError::ProxyIdMissing => "pickup_proxy_id_missing",
            PickupError::CollectorNameMissing => "pickup_collector_name_missing",
        }
    }

    fn message_id(&self) -> String {
        match self {
            PickupError::InvalidReceiptNumber => {
                "Nomor tanda terima tidak valid. Ketik nomor seperti tercetak pada tanda terima.".into()
            }
            PickupError::InvalidNik => "NIK harus 16 angka. Periksa e-KTP lalu ketik ulang.".into(),
            PickupError::NotFound => {
                "Paspor tidak ditemukan. Periksa nomor tanda terima atau tanyakan petugas.".into()
            }
            PickupError::NotReady { expected } => format!(
                "Paspor belum selesai. Perkiraan selesai {}. Silakan datang pada tanggal itu.",
                expected.format("%d-%m-%Y")
            ),
            PickupError::AlreadyCollected => {
                "Paspor ini sudah diambil. Periksa buku register pengambilan.".into()
            }
            PickupError::Cancelled => {
                "Paspor ini sudah dibatalkan. Minta pemohon menghubungi supervisor.".into()
            }
            PickupError::ReceiptMissing => {
                "Tanda terima permohonan wajib ditunjukkan. Minta pengambil menunjukkan tanda terima.".into()
            }
            PickupError::ReceiptMismatch => {
                "Tanda terima tidak sesuai dengan paspor ini. Periksa nomor tanda terima.".into()
            }
            PickupError::ApplicantIdMissing => {
                "Pemohon wajib menunjukkan identitas asli (e-KTP). Minta identitasnya.".into()
            }
            PickupError::ApplicantIdMismatch => {
                "NIK pada e-KTP berbeda dengan NIK pemohon. Paspor tidak dapat diserahkan.".into()
            }
            PickupError::FamilyCardMissing => {
                "Keluarga yang mengambil wajib menunjukkan Kartu Keluarga asli. Minta KK-nya.".into()
            }
            PickupError::FamilyCardNoRelation => {
                "Kartu Keluarga harus mencantumkan pemohon dan pengambil. Tanpa itu paspor tidak dapat diserahkan.".into()
            }
            PickupError::FamilyCardNumberInvalid => {
                "Nomor Kartu Keluarga harus 16 angka. Periksa lalu ketik ulang.".into()
            }
            PickupError::PowerOfAttorneyMissing => {
                "Pengambil yang bukan keluarga wajib membawa surat kuasa dari pemohon.".into()
            }
            PickupError::PowerOfAttorneyInvalid => {
                "Surat kuasa harus ditandatangani pemohon dan menyebut nama pengambil. Paspor tidak dapat diserahkan.".into()
            }
            PickupError::ProxyIdMissing => {
                "Penerima kuasa wajib menunjukkan identitas aslinya. Minta identitasnya.".into()
            }
            PickupError::CollectorNameMissing => "Isi nama pengambil.".into(),
        }
    }

    fn message_en(&self) -> String {
        match self {
            PickupError::InvalidReceiptNumber => {
                "Not a valid receipt number. Type it as printed on the receipt.".into()
            }
            PickupError::InvalidNik => "A NIK has 16 digits. Check the e-KTP and type it again.".into(),
            PickupError::NotFound => {
                "Passport not found. Check the receipt number or ask an officer.".into()
            }
            PickupError::NotReady { expected } => format!(
                "The passport is not ready yet. Expected on {expected}. Please come on that date."
            ),
            PickupError::AlreadyCollected => {
                "This passport was already collected. Check the pickup register.".into()
            }
            PickupError::Cancelled => {
                "This passport was cancelled. Ask the applicant to see a supervisor.".into()
            }
            PickupError::ReceiptMissing => {
                "The application receipt must be shown. Ask the collector for it.".into()
            }
            PickupError::ReceiptMismatch => {
                "The receipt does not belong to this passport. Check the receipt number.".into()
            }
            PickupError::ApplicantIdMissing => {
                "The applicant must show an original ID (e-KTP). Ask for it.".into()
            }
            PickupError::ApplicantIdMismatch => {
                "The e-KTP's NIK differs from the applicant's. The passport cannot be handed over.".into()
            }
            PickupError::FamilyCardMissing => {
                "A family member must show the original family card (KK). Ask for it.".into()
            }
            PickupError::FamilyCardNoRelation => {
                "The family card must list both the applicant and the collector. Without it the passport cannot be handed over.".into()
            }
            PickupError::FamilyCardNumberInvalid => {
                "A family card number has 16 digits. Check it and type it again.".into()
            }
            PickupError::PowerOfAttorneyMissing => {
                "Someone who is not family must bring a power of attorney from the applicant.".into()
            }
            PickupError::PowerOfAttorneyInvalid => {
                "The power of attorney must be signed by the applicant and name the collector. The passport cannot be handed over.".into()
            }
            PickupError::ProxyIdMissing => {
                "The person holding the power of attorney must show their own original ID. Ask for it.".into()
            }
            PickupError::CollectorNameMissing => "Enter the collector's name.".into(),
        }
    }
}

/// Checks a handover: the passport can be handed over on `today` (ready, not collected, not
/// cancelled), the receipt is shown and matches, and the collector's documents are there.
/// Refusals, in this order: `passport_cancelled`, `passport_already_collected`,
/// `passport_not_ready`, `pickup_receipt_missing`, `pickup_receipt_mismatch`, then per
/// collector: applicant `pickup_applicant_id_missing` / `pickup_applicant_id_mismatch`;
/// family `pickup_collector_name_missing` / `pickup_family_card_missing` /
/// `pickup_family_card_number_invalid` / `pickup_family_card_no_relation`; anyone else
/// `pickup_collector_name_missing` / `pickup_power_of_attorney_missing` /
/// `pickup_power_of_attorney_invalid` / `pickup_proxy_id_missing`.
pub fn check_handover(
    passport: &PassportForPickup,
    collector: &Collector,
    presented: &PresentedDocuments,
    today: NaiveDate,
    rules: &PickupRules,
) -> Result<HandoverApproval, PickupError> {
    if passport.cancelled {
        return Err(PickupError::Cancelled);
    }
    if passport.collected_at.is_some() {
        return Err(PickupError::AlreadyCollected);
    }
    let status = rules.status(passport.ready_date(rules), today);
    if let PickupStatus::NotReadyYet { expected } = status {
        return Err(PickupError::NotReady { expected });
    }
    let receipt = presented
        .receipt
        .as_deref()
        .filter(|r| !r.trim().is_empty())
        .ok_or(PickupError::ReceiptMissing)?;
    match ReceiptNumber::parse(receipt) {
        Ok(r) if r == passport.receipt => {}
        _ => return Err(PickupError::ReceiptMismatch),
    }
    let named = |name: &str| -> Result<String, PickupError> {
        let name = name.trim();
        if name.is_empty() {
            Err(PickupError::CollectorNameMissing)
        } else {
            Ok(name.to_string())
        }
    };
    let (collector_name, collector_id_number) = match collector {
        Collector::Applicant => {
            let id = presented
                .id
                .as_ref()
                .filter(|id| !id.number.trim().is_empty())
                .ok_or(PickupError::ApplicantIdMissing)?;
            let number: String = id.number.chars().filter(|c| !c.is_whitespace()).collect();
            if id.kind == IdKind::Ektp && number != passport.applicant_nik {
                return Err(PickupError::ApplicantIdMismatch);
            }
            (None, number)
        }
        Collector::Family { name, .. } => {
            let name = named(name)?;
            let kk = presented
                .family_card
                .as_ref()
                .ok_or(PickupError::FamilyCardMissing)?;
            let number: String = kk.number.chars().filter(|c| !c.is_whitespace()).collect();
            if number.len() != 16 || !number.bytes().all(|b| b.is_ascii_digit()) {
                return Err(PickupError::FamilyCardNumberInvalid);
            }
            if !kk.shows_relation {
                return Err(PickupError::FamilyCardNoRelation);
            }
            (Some(name), number)
        }
        Collector::Proxy { name } => {
            let name = named(name)?;
            let poa = presented
                .power_of_attorney
                .as_ref()
                .ok_or(PickupError::PowerOfAttorneyMissing)?;
            if !(poa.signed_by_applicant && poa.names_collector) {
                return Err(PickupError::PowerOfAttorneyInvalid);
            }
            let id = presented
                .id
                .as_ref()
                .filter(|id| !id.number.trim().is_empty())
                .ok_or(PickupError::ProxyIdMissing)?;
            (Some(name), id.number.trim().to_string())
        }
    };
    Ok(HandoverApproval {
        receipt: passport.receipt.clone(),
        collector: collector.kind(),
        collector_name,
        collector_id_number,
        overdue: matches!(status, PickupStatus::OverdueForCancellation { .. }),
    })
}

/// What the kiosk tells an applicant who typed a booking code or receipt number.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum KioskPickupAnswer {
    /// Nothing found for what was typed.
    NotFound,
    /// Not ready yet.
    NotReadyYet {
        /// Expected ready date.
        expected: NaiveDate,
    },
    /// Ready: take a pickup ticket.
    Ready {
        /// Last day to collect.
        collect_by: NaiveDate,
    },
    /// Past the 30 days: see an officer.
    Overdue,
    /// Collected already.
    Collected,
    /// Cancelled: see an officer.
    Cancelled,
}

impl KioskPickupAnswer {
    /// Stable machine name.
    pub fn as_str(&self) -> &'static str {
        match self {
            KioskPickupAnswer::NotFound => "not_found",
            KioskPickupAnswer::NotReadyYet { .. } => "not_ready_yet",
            KioskPickupAnswer::Ready { .. } => "ready",
            KioskPickupAnswer::Overdue => "overdue",
            KioskPickupAnswer::Collected => "collected",
            KioskPickupAnswer::Cancelled => "cancelled",
        }
    }

    /// The kiosk's sentence in Bahasa Indonesia.
    pub fn message_id(&self) -> String {
        match self {
            KioskPickupAnswer::NotFound => "Data tidak ditemukan. Periksa kode booking atau nomor tanda terima, atau tanyakan petugas informasi.".into(),
            KioskPickupAnswer::NotReadyYet { expected } => format!(
                "Paspor Anda belum selesai. Perkiraan selesai {}. Silakan datang kembali pada tanggal itu.",
                expected.format("%d-%m-%Y")
            ),
            KioskPickupAnswer::Ready { collect_by } => format!(
                "Paspor Anda sudah selesai. Ambil nomor antrean Pengambilan Paspor dan bawa tanda terima serta e-KTP. Ambil paling lambat {}.",
                collect_by.format("%d-%m-%Y")
            ),
            KioskPickupAnswer::Overdue => "Paspor Anda melewati batas 30 hari pengambilan. Silakan ke petugas informasi.".into(),
            KioskPickupAnswer::Collected => "Paspor ini sudah diambil. Bila bukan Anda yang mengambil, silakan ke petugas informasi.".into(),
            KioskPickupAnswer::Cancelled => "Paspor ini sudah dibatalkan. Silakan ke petugas informasi.".into(),
        }
    }

    /// The kiosk's sentence in English.
    pub fn message_en(&self) -> String {
        match self {
            KioskPickupAnswer::NotFound => "Nothing found. Check the booking code or receipt number, or ask at the information desk.".into(),
            KioskPickupAnswer::NotReadyYet { expected } => format!(
                "Your passport is not ready yet. Expected on {expected}. Please come back on that date."
            ),
            KioskPickupAnswer::Ready { collect_by } => format!(
                "Your passport is ready. Take a Passport Pickup ticket and bring your receipt and e-KTP. Collect it by {collect_by}."
            ),
            KioskPickupAnswer::Overdue => "Your passport is past the 30-day pickup limit. Please go to the information desk.".into(),
            KioskPickupAnswer::Collected => "This passport was already collected. If it was not you, please go to the information desk.".into(),
            KioskPickupAnswer::Cancelled => "This passport was cancelled. Please go to the information desk.".into(),
        }
    }
}

/// Normalizes what an applicant typed at the kiosk (spaces dropped, upper case); the hub
/// looks the result up as a receipt number and as a booking code. `None` when it cannot be
/// either (empty, or characters other than letters, digits, `-`, `/`).
pub fn kiosk_query(input: &str) -> Option<String> {
    let s: String = input
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect::<String>()
        .to_ascii_uppercase();
    let ok = (1..=32).contains(&s.len())
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'/');
    ok.then_some(s)
}

/// The kiosk's answer for what the hub found (`None`: nothing).
pub fn kiosk_answer(
    found: Option<&PassportForPickup>,
    today: NaiveDate,
    rules: &PickupRules,
) -> KioskPickupAnswer {
    let Some(p) = found else {
        return KioskPickupAnswer::NotFound;
    };
    if p.cancelled {
        return KioskPickupAnswer::Cancelled;
    }
    if p.collected_at.is_some() {
        return KioskPickupAnswer::Collected;
    }
    match rules.status(p.ready_date(rules), today) {
        PickupStatus::NotReadyYet { expected } => KioskPickupAnswer::NotReadyYet { expected },
        PickupStatus::Ready { collect_by } => KioskPickupAnswer::Ready { collect_by },
        PickupStatus::OverdueForCancellation { .. } => KioskPickupAnswer::Overdue,
    }
}

/// Passports flagged for cancellation on `today`: not collected, not cancelled, past the
/// collection period. The hub lists these for the supervisor.
pub fn overdue_for_cancellation<'a>(
    passports: impl IntoIterator<Item = &'a PassportForPickup>,
    today: NaiveDate,
    rules: &'a PickupRules,
) -> impl Iterator<Item = &'a PassportForPickup> {
    passports.into_iter().filter(move |p| {
        !p.cancelled
            && p.collected_at.is_none()
            && matches!(
                rules.status(p.ready_date(rules), today),
                PickupStatus::OverdueForCancellation { .. }
            )
    })
}
