//! The BAP (Berita Acara Pemeriksaan): the examination report an officer makes with an
//! applicant whose passport was lost or damaged, as a typed interview with a lifecycle.
//!
//! ```text
//!  Bap::new ─► Draft ─complete (nothing missing)─► Completed ─sign─► Signed (locked)
//!                ▲           update / decide          │                 │
//!                └──────────────────────────────────────┘                │ amend(reason)
//!                        new version (version + 1), Draft ◄──────────────┘
//! ```
//!
//! * Every change is a method taking `&self` and returning the new [`Bap`] (like
//!   [`crate::Visit::apply`]); the hub stores each result, so a refused change changes nothing.
//! * [`Bap::missing`] lists what is still missing or wrong, in interview order
//!   ([`BapStep`]), each item with an Indonesian and an English message. [`Bap::complete`]
//!   refuses while anything is missing.
//! * A signed BAP is locked: [`Bap::update`] and [`Bap::decide`] refuse it
//!   (`bap_locked`). [`Bap::amend`] makes the next version (reason, who, when), unsigned;
//!   the signed version stays as it was.
//! * Outcomes ([`BapOutcome`]): approve with the charge (lost 1,000,000 / damaged 500,000)
//!   plus the book fee; waive the charge for force majeure (needs the village or disaster
//!   letter); suspend issue for 6 to 24 months (needs a supervisor's or the head's
//!   approval). [`Bap::fees`] prices them with the [`FeeSchedule`].

use crate::access::Role;
use crate::error::DomainError;
use crate::fees::{FeeItem, FeeQuote, FeeSchedule, Validity};
use crate::identity::{
    IdentityError, IdentityWarning, check_nik, check_passport_number, parse_td3,
};
use crate::visit::VisitId;
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use std::fmt;
use thiserror::Error;

/// Shortest suspension of issue, in months.
pub const SUSPENSION_MIN_MONTHS: u8 = 6;
/// Longest suspension of issue, in months.
pub const SUSPENSION_MAX_MONTHS: u8 = 24;

/// A BAP's id, assigned by the hub (unique across offices, e.g. a UUID); all versions of one
/// BAP share it.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct BapId(pub String);

impl fmt::Display for BapId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// An officer as recorded in a BAP or a handover (the hub's account name and role).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct OfficerRef {
    /// The hub's account name.
    pub username: String,
    /// The role at the time.
    pub role: Role,
}

impl OfficerRef {
    /// An officer reference.
    pub fn new(username: &str, role: Role) -> OfficerRef {
        OfficerRef {
            username: username.to_string(),
            role,
        }
    }

    /// Whether the role may approve BAP decisions (supervisor or head).
    pub fn may_approve(&self) -> bool {
        matches!(self.role, Role::Supervisor | Role::Head)
    }
}

/// How a person's signature was taken.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum SignatureRef {
    /// Signed in ink on the printed page (kept on file).
    Paper,
    /// Drawn on the screen; the image is a content-addressed blob.
    Drawn {
        /// SHA-256 of the image, lower-case hex.
        sha256: String,
    },
}

/// Why the passport is replaced.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum BapReason {
    /// Lost: the police loss report is required.
    Lost {
        /// Police report number ("nomor surat keterangan kehilangan").
        police_report_number: String,
        /// Date of the police report.
        police_report_date: Option<NaiveDate>,
        /// The police station that issued it (e.g. "Polsek Menteng").
        police_station: String,
    },
    /// Damaged: the damaged passport is presented.
    Damaged {
        /// What state it is in.
        state: Option<DamageState>,
        /// The officer's description of the damage.
        description: String,
    },
}

impl BapReason {
    /// The charge item for this reason when the charge applies.
    pub fn charge_item(&self) -> FeeItem {
        match self {
            BapReason::Lost { .. } => FeeItem::LostCharge,
            BapReason::Damaged { .. } => FeeItem::DamagedCharge,
        }
    }

    /// Stable machine name: `lost` or `damaged`.
    pub fn as_str(&self) -> &'static str {
        match self {
            BapReason::Lost { .. } => "lost",
            BapReason::Damaged { .. } => "damaged",
        }
    }
}

/// The state of a damaged passport.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DamageState {
    /// Wet, water stains, pages stuck together.
    WaterDamaged,
    /// Torn or cut pages or cover.
    Torn,
    /// Pages missing.
    PagesMissing,
    /// Burnt or scorched.
    Burnt,
    /// The data page (or its chip) unreadable or altered.
    DataPageDamaged,
    /// Something else (see the description).
    Other,
}

impl DamageState {
    /// Indonesian name (the BAP form).
    pub fn name_id(self) -> &'static str {
        match self {
            DamageState::WaterDamaged => "Basah / terkena air",
            DamageState::Torn => "Sobek",
            DamageState::PagesMissing => "Halaman hilang",
            DamageState::Burnt => "Terbakar",
            DamageState::DataPageDamaged => "Halaman data rusak / tidak terbaca",
            DamageState::Other => "Lainnya",
        }
    }
}

/// The applicant's identity.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct BapIdentity {
    /// Full name as on the e-KTP.
    pub full_name: String,
    /// NIK as typed (checked with [`check_nik`]).
    pub nik: String,
    /// Place of birth.
    pub birth_place: String,
    /// Declared date of birth (a different NIK date is a warning only).
    pub birth_date: Option<NaiveDate>,
    /// Occupation.
    pub occupation: String,
    /// Address.
    pub address: String,
    /// Phone number.
    pub phone: String,
}

/// The passport that was lost or damaged.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct OldPassport {
    /// Its number (required for a damaged passport; a lost one may be unknown).
    pub number: Option<String>,
    /// The two MRZ lines, when the passport (or a copy) can be scanned.
    pub mrz: Option<[String; 2]>,
    /// Issue date.
    pub issued_on: Option<NaiveDate>,
    /// Expiry date.
    pub expires_on: Option<NaiveDate>,
    /// Issuing office.
    pub issuing_office: String,
}

/// A document of the BAP checklist.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BapDocument {
    /// e-KTP.
    Ektp,
    /// Kartu Keluarga.
    FamilyCard,
    /// Birth certificate (akta kelahiran).
    BirthCertificate,
    /// School diploma (ijazah).
    Diploma,
    /// Marriage book (buku nikah).
    MarriageBook,
    /// Police loss report (lost passports).
    PoliceReport,
    /// The damaged passport itself (damaged passports).
    DamagedPassport,
    /// Village or disaster letter (force majeure).
    VillageLetter,
}

impl BapDocument {
    /// Every document, in checklist order.
    pub const ALL: [BapDocument; 8] = [
        BapDocument::Ektp,
        BapDocument::FamilyCard,
        BapDocument::BirthCertificate,
        BapDocument::Diploma,
        BapDocument::MarriageBook,
        BapDocument::PoliceReport,
        BapDocument::DamagedPassport,
        BapDocument::VillageLetter,
    ];

    /// Indonesian name.
    pub fn name_id(self) -> &'static str {
        match self {
            BapDocument::Ektp => "e-KTP",
            BapDocument::FamilyCard => "Kartu Keluarga",
            BapDocument::BirthCertificate => "Akta kelahiran",
            BapDocument::Diploma => "Ijazah",
            BapDocument::MarriageBook => "Buku nikah",
            BapDocument::PoliceReport => "Surat keterangan kehilangan dari kepolisian",
            BapDocument::DamagedPassport => "Paspor yang rusak",
            BapDocument::VillageLetter => "Surat keterangan bencana dari desa/kelurahan",
        }
    }

    /// English name.
    pub fn name_en(self) -> &'static str {
        match self {
            BapDocument::Ektp => "e-KTP",
            BapDocument::FamilyCard => "family card (KK)",
            BapDocument::BirthCertificate => "birth certificate",
            BapDocument::Diploma => "diploma",
            BapDocument::MarriageBook => "marriage book",
            BapDocument::PoliceReport => "police loss report",
            BapDocument::DamagedPassport => "the damaged passport",
            BapDocument::VillageLetter => "village / disaster letter",
        }
    }

    /// Whether it is one of the civil records of which one is needed (birth certificate,
    /// diploma or marriage book).
    pub fn is_civil_record(self) -> bool {
        matches!(
            self,
            BapDocument::BirthCertificate | BapDocument::Diploma | BapDocument::MarriageBook
        )
    }
}

/// The replacement passport whose book fee is due.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct BookFee {
    /// Electronic passport (e-paspor).
    pub electronic: bool,
    /// Validity.
    pub validity: Validity,
}

impl BookFee {
    /// The fee item.
    pub fn item(self) -> FeeItem {
        FeeItem::passport(self.electronic, self.validity)
    }
}

/// A supervisor's (or the head's) approval.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SupervisorApproval {
    /// Who approved.
    pub by: OfficerRef,
    /// When.
    pub at: DateTime<Utc>,
}

/// The decision recorded in the BAP.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum BapOutcome {
    /// Approved: the lost or damaged charge plus the book fee are due.
    ApproveWithCharge {
        /// The new passport.
        book: BookFee,
    },
    /// Approved without the charge (force majeure, e.g. a disaster); the book fee stays due.
    /// Needs the village or disaster letter.
    WaiveForceMajeure {
        /// The new passport.
        book: BookFee,
    },
    /// Issue suspended for 6 to 24 months (negligence without acceptable reason). Needs a
    /// supervisor's approval.
    Suspend {
        /// Months, 6..=24.
        months: u8,
        /// The supervisor's approval; a suspension without one is refused
        /// (`bap_suspension_needs_supervisor`).
        approval: Option<SupervisorApproval>,
    },
}

impl BapOutcome {
    /// The outcome's kind.
    pub fn kind(&self) -> BapOutcomeKind {
        match self {
            BapOutcome::ApproveWithCharge { .. } => BapOutcomeKind::ApproveWithCharge,
            BapOutcome::WaiveForceMajeure { .. } => BapOutcomeKind::WaiveForceMajeure,
            BapOutcome::Suspend { .. } => BapOutcomeKind::Suspend,
        }
    }
}

/// The kind of an outcome (for counting).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BapOutcomeKind {
    /// Approved with the charge.
    ApproveWithCharge,
    /// Charge waived (force majeure).
    WaiveForceMajeure,
    /// Issue suspended.
    Suspend,
}

impl BapOutcomeKind {
    /// All kinds.
    pub const ALL: [BapOutcomeKind; 3] = [
        BapOutcomeKind::ApproveWithCharge,
        BapOutcomeKind::WaiveForceMajeure,
        BapOutcomeKind::Suspend,
    ];

    /// Stable machine name.
    pub fn as_str(self) -> &'static str {
        match self {
            BapOutcomeKind::ApproveWithCharge => "approve_with_charge",
            BapOutcomeKind::WaiveForceMajeure => "waive_force_majeure",
            BapOutcomeKind::Suspend => "suspend",
        }
    }

    /// Indonesian name.
    pub fn name_id(self) -> &'static str {
        match self {
            BapOutcomeKind::ApproveWithCharge => "Disetujui dengan denda",
            BapOutcomeKind::WaiveForceMajeure => "Disetujui tanpa denda (keadaan kahar)",
            BapOutcomeKind::Suspend => "Penangguhan penerbitan",
        }
    }
}

/// The interview's answers. Every field may be empty in a draft; [`Bap::missing`] says what
/// a complete BAP needs.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct BapInterview {
    /// Identity.
    pub identity: BapIdentity,
    /// The old passport.
    pub old_passport: OldPassport,
    /// Lost or damaged, with the police report or the passport's state.
    pub reason: Option<BapReason>,
    /// The applicant says it was lost or damaged in a disaster (force majeure).
    pub force_majeure_claimed: bool,
    /// How it happened, in the applicant's words.
    pub chronology: String,
    /// Where it happened.
    pub incident_place: String,
    /// When it happened.
    pub incident_date: Option<NaiveDate>,
    /// Purpose of travel.
    pub travel_purpose: String,
    /// How the passport was used (trips, visas).
    pub past_use: String,
    /// Earlier applications and earlier losses or damage ("tidak ada" when none).
    pub past_applications: String,
    /// Originals shown to the officer.
    pub documents: Vec<BapDocument>,
    /// The examining officer's assessment.
    pub assessment: String,
    /// The decision.
    pub outcome: Option<BapOutcome>,
}

/// One question of the BAP with its answer, for the printed form.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BapAnswer {
    /// Stable id of the question.
    pub id: &'static str,
    /// The question in Bahasa Indonesia, as printed.
    pub question: &'static str,
    /// The answer as recorded.
    pub answer: String,
}

impl BapInterview {
    /// Whether a document was shown.
    pub fn has(&self, doc: BapDocument) -> bool {
        self.documents.contains(&doc)
    }

    /// The free-text answers as questions and answers, in the order of the form.
    pub fn answers(&self) -> Vec<BapAnswer> {
        let qa = |id, question, answer: &str| BapAnswer {
            id,
            question,
            answer: answer.to_string(),
        };
        vec![
            qa(
                "chronology",
                "Jelaskan kronologi kejadian hilang/rusaknya paspor Saudara.",
                &self.chronology,
            ),
            qa(
                "incident_place",
                "Di mana paspor Saudara hilang/rusak?",
                &self.incident_place,
            ),
            qa(
                "travel_purpose",
                "Apa tujuan perjalanan Saudara ke luar negeri?",
                &self.travel_purpose,
            ),
            qa(
                "past_use",
                "Untuk apa saja paspor tersebut pernah Saudara gunakan?",
                &self.past_use,
            ),
            qa(
                "past_applications",
                "Apakah Saudara pernah mengajukan paspor atau pernah kehilangan/merusakkan paspor sebelumnya?",
                &self.past_applications,
            ),
        ]
    }
}

/// The steps of the interview, in order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BapStep {
    /// Identity.
    Identity,
    /// The old passport.
    OldPassport,
    /// Lost or damaged.
    Reason,
    /// Chronology, place and date.
    Incident,
    /// Purpose of travel, past use, past applications.
    History,
    /// Documents checklist.
    Documents,
    /// The officer's assessment.
    Assessment,
    /// The outcome.
    Outcome,
}

impl BapStep {
    /// All steps in interview order.
    pub const ALL: [BapStep; 8] = [
        BapStep::Identity,
        BapStep::OldPassport,
        BapStep::Reason,
        BapStep::Incident,
        BapStep::History,
        BapStep::Documents,
        BapStep::Assessment,
        BapStep::Outcome,
    ];
}

/// Something a complete BAP still lacks, or an answer that is not valid.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "missing", rename_all = "snake_case")]
pub enum BapMissing {
    /// The applicant's full name.
    FullName,
    /// The NIK.
    Nik,
    /// The NIK is not valid.
    NikInvalid {
        /// Why.
        error: IdentityError,
    },
    /// The declared date of birth.
    BirthDate,
    /// The old passport's number (damaged passports).
    PassportNumber,
    /// The old passport's number is not valid.
    PassportNumberInvalid,
    /// The MRZ does not check.
    MrzInvalid {
        /// Why.
        error: IdentityError,
    },
    /// The MRZ's document number differs from the passport number typed.
    MrzNumberMismatch,
    /// Lost or damaged not chosen.
    Reason,
    /// The police report's number.
    PoliceReportNumber,
    /// The police report's date.
    PoliceReportDate,
    /// The police station.
    PoliceStation,
    /// The damaged passport's state.
    DamageState,
    /// The chronology.
    Chronology,
    /// Where it happened.
    IncidentPlace,
    /// When it happened.
    IncidentDate,
    /// The incident or the police report dated after the examination.
    DateInFuture,
    /// Purpose of travel.
    TravelPurpose,
    /// Past use.
    PastUse,
    /// Past applications.
    PastApplications,
    /// A required original not shown.
    Document {
        /// Which.
        document: BapDocument,
    },
    /// None of birth certificate, diploma or marriage book shown.
    CivilRecord,
    /// The officer's assessment.
    Assessment,
    /// No outcome decided.
    Outcome,
}

impl BapMissing {
    /// The interview step where it is fixed.
    pub fn step(&self) -> BapStep {
        match self {
            BapMissing::FullName
            | BapMissing::Nik
            | BapMissing::NikInvalid { .. }
            | BapMissing::BirthDate => BapStep::Identity,
            BapMissing::PassportNumber
            | BapMissing::PassportNumberInvalid
            | BapMissing::MrzInvalid { .. }
            | BapMissing::MrzNumberMismatch => BapStep::OldPassport,
            BapMissing::Reason
            | BapMissing::PoliceReportNumber
            | BapMissing::PoliceReportDate
            | BapMissing::PoliceStation
            | BapMissing::DamageState => BapStep::Reason,
            BapMissing::Chronology
            | BapMissing::IncidentPlace
            | BapMissing::IncidentDate
            | BapMissing::DateInFuture => BapStep::Incident,
            BapMissing::TravelPurpose | BapMissing::PastUse | BapMissing::PastApplications => {
                BapStep::History
            }
            BapMissing::Document { .. } | BapMissing::CivilRecord => BapStep::Documents,
            BapMissing::Assessment => BapStep::Assessment,
            BapMissing::Outcome => BapStep::Outcome,
        }
    }

    /// Stable machine code.
    pub fn code(&self) -> &'static str {
        match self {
            BapMissing::FullName => "full_name",
            BapMissing::Nik => "nik",
            BapMissing::NikInvalid { .. } => "nik_invalid",
            BapMissing::BirthDate => "birth_date",
            BapMissing::PassportNumber => "passport_number",
            BapMissing::PassportNumberInvalid => "passport_number_invalid",
            BapMissing::MrzInvalid { .. } => "mrz_invalid",
            BapMissing::MrzNumberMismatch => "mrz_number_mismatch",
            BapMissing::Reason => "reason",
            BapMissing::PoliceReportNumber => "police_report_number",
            BapMissing::PoliceReportDate => "police_report_date",
            BapMissing::PoliceStation => "police_station",
            BapMissing::DamageState => "damage_state",
            BapMissing::Chronology => "chronology",
            BapMissing::IncidentPlace => "incident_place",
            BapMissing::IncidentDate => "incident_date",
            BapMissing::DateInFuture => "date_in_future",
            BapMissing::TravelPurpose => "travel_purpose",
            BapMissing::PastUse => "past_use",
            BapMissing::PastApplications => "past_applications",
            BapMissing::Document { .. } => "document",
            BapMissing::CivilRecord => "civil_record",
            BapMissing::Assessment => "assessment",
            BapMissing::Outcome => "outcome",
        }
    }

    /// What to do, in Bahasa Indonesia.
    pub fn message_id(&self) -> String {
        use crate::error::UserFacing;
        match self {
            BapMissing::FullName => "Isi nama lengkap pemohon sesuai e-KTP.".into(),
            BapMissing::Nik => "Isi NIK pemohon (16 angka) dari e-KTP.".into(),
            BapMissing::NikInvalid { error } => error.message_id(),
            BapMissing::BirthDate => "Isi tanggal lahir pemohon.".into(),
            BapMissing::PassportNumber => "Isi nomor paspor lama yang rusak.".into(),
            BapMissing::PassportNumberInvalid => {
                "Nomor paspor lama tidak valid. Ketik seperti tercetak pada paspor.".into()
            }
            BapMissing::MrzInvalid { error } => error.message_id(),
            BapMissing::MrzNumberMismatch => {
                "Nomor paspor pada MRZ berbeda dengan nomor yang diketik. Periksa keduanya.".into()
            }
            BapMissing::Reason => "Pilih alasan: paspor hilang atau rusak.".into(),
            BapMissing::PoliceReportNumber => {
                "Isi nomor surat keterangan kehilangan dari kepolisian.".into()
            }
            BapMissing::PoliceReportDate => "Isi tanggal surat keterangan kehilangan.".into(),
            BapMissing::PoliceStation => {
                "Isi kantor polisi yang menerbitkan surat keterangan kehilangan.".into()
            }
            BapMissing::DamageState => "Pilih keadaan paspor yang rusak.".into(),
            BapMissing::Chronology => "Tulis kronologi kejadian menurut pemohon.".into(),
            BapMissing::IncidentPlace => "Isi tempat paspor hilang atau rusak.".into(),
            BapMissing::IncidentDate => "Isi tanggal paspor hilang atau rusak.".into(),
            BapMissing::DateInFuture => {
                "Tanggal kejadian atau surat kepolisian tidak boleh setelah tanggal pemeriksaan. Periksa tanggalnya.".into()
            }
            BapMissing::TravelPurpose => "Isi tujuan perjalanan pemohon.".into(),
            BapMissing::PastUse => "Isi penggunaan paspor sebelumnya.".into(),
            BapMissing::PastApplications => {
                "Isi riwayat permohonan paspor sebelumnya (tulis \"tidak ada\" bila belum pernah).".into()
            }
            BapMissing::Document { document } => {
                format!("Periksa dan centang dokumen asli: {}.", document.name_id())
            }
            BapMissing::CivilRecord => {
                "Periksa salah satu dokumen asli: akta kelahiran, ijazah atau buku nikah.".into()
            }
            BapMissing::Assessment => "Tulis penilaian petugas pemeriksa.".into(),
            BapMissing::Outcome => "Pilih keputusan BAP.".into(),
        }
    }

    /// What to do, in English.
    pub fn message_en(&self) -> String {
        use crate::error::UserFacing;
        match self {
            BapMissing::FullName => "Enter the applicant's full name as on the e-KTP.".into(),
            BapMissing::Nik => "Enter the applicant's NIK (16 digits) from the e-KTP.".into(),
            BapMissing::NikInvalid { error } => error.message_en(),
            BapMissing::BirthDate => "Enter the applicant's date of birth.".into(),
            BapMissing::PassportNumber => "Enter the damaged passport's number.".into(),
            BapMissing::PassportNumberInvalid => {
                "The old passport number is not valid. Type it as printed in the passport.".into()
            }
            BapMissing::MrzInvalid { error } => error.message_en(),
            BapMissing::MrzNumberMismatch => {
                "The passport number in the MRZ differs from the number typed. Check both.".into()
            }
            BapMissing::Reason => "Choose the reason: lost or damaged.".into(),
            BapMissing::PoliceReportNumber => "Enter the police loss report's number.".into(),
            BapMissing::PoliceReportDate => "Enter the police loss report's date.".into(),
            BapMissing::PoliceStation => {
                "Enter the police station that issued the loss report.".into()
            }
            BapMissing::DamageState => "Choose the damaged passport's state.".into(),
            BapMissing::Chronology => "Write what happened, in the applicant's words.".into(),
            BapMissing::IncidentPlace => "Enter where the passport was lost or damaged.".into(),
            BapMissing::IncidentDate => "Enter when the passport was lost or damaged.".into(),
            BapMissing::DateInFuture => {
                "The incident or police report date cannot be after the examination. Check the date.".into()
            }
            BapMissing::TravelPurpose => "Enter the purpose of travel.".into(),
            BapMissing::PastUse => "Enter how the passport was used.".into(),
            BapMissing::PastApplications => {
                "Enter earlier passport applications (write \"none\" if there were none).".into()
            }
            BapMissing::Document { document } => {
                format!("Check and tick the original: {}.", document.name_en())
            }
            BapMissing::CivilRecord => {
                "Check one original: birth certificate, diploma or marriage book.".into()
            }
            BapMissing::Assessment => "Write the examining officer's assessment.".into(),
            BapMissing::Outcome => "Choose the BAP's outcome.".into(),
        }
    }
}

/// Where a BAP is in its lifecycle.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BapStatus {
    /// Being filled in.
    Draft,
    /// Nothing missing; ready to print and sign.
    Completed,
    /// Signed by applicant, officer and supervisor: locked.
    Signed,
}

impl BapStatus {
    /// Stable machine name.
    pub fn as_str(self) -> &'static str {
        match self {
            BapStatus::Draft => "draft",
            BapStatus::Completed => "completed",
            BapStatus::Signed => "signed",
        }
    }
}

/// The three signatures of a signed BAP.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BapSignatures {
    /// The applicant's signature.
    pub applicant: SignatureRef,
    /// The examining officer.
    pub officer: OfficerRef,
    /// The officer's signature.
    pub officer_signature: SignatureRef,
    /// The supervisor (or head) who signs.
    pub supervisor: OfficerRef,
    /// The supervisor's signature.
    pub supervisor_signature: SignatureRef,
    /// When it was signed.
    pub at: DateTime<Utc>,
}

/// Why a version after the first was made.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Amendment {
    /// The signed version it amends.
    pub amends_version: u32,
    /// Why.
    pub reason: String,
    /// Who.
    pub by: OfficerRef,
    /// When.
    pub at: DateTime<Utc>,
}

/// One version of a BAP. The hub stores every version under (id, version).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Bap {
    /// Id shared by all versions.
    pub id: BapId,
    /// 1 for the original, +1 per amendment.
    pub version: u32,
    /// The visit it was made in.
    pub visit: Option<VisitId>,
    /// The examining officer.
    pub examiner: OfficerRef,
    /// When the examination began (its date is the BAP's date).
    pub examined_at: DateTime<Utc>,
    /// Lifecycle.
    pub status: BapStatus,
    /// The answers.
    pub interview: BapInterview,
    /// Last change.
    pub updated_at: DateTime<Utc>,
    /// Who made it.
    pub updated_by: OfficerRef,
    /// When it was completed (cleared when edited again).
    pub completed_at: Option<DateTime<Utc>>,
    /// The signatures, once signed.
    pub signatures: Option<BapSignatures>,
    /// Why this version exists (versions after the first).
    pub amendment: Option<Amendment>,
}

/// Why a change of a BAP was refused.
#[derive(Debug, Clone, PartialEq, Eq, Error, Serialize, Deserialize)]
#[serde(tag = "error", rename_all = "snake_case")]
pub enum BapError {
    /// The version is signed: it cannot change.
    #[error("BAP version {version} is signed and locked")]
    Locked {
        /// The version.
        version: u32,
    },
    /// Completion or signing while something is missing.
    #[error("BAP incomplete: {} item(s) missing", missing.len())]
    Incomplete {
        /// What is missing, in interview order.
        missing: Vec<BapMissing>,
    },
    /// Signing a BAP that was not completed.
    #[error("BAP is {status}, not completed")]
    NotCompleted {
        /// Its status.
        status: String,
    },
    /// Amending a BAP that is not signed.
    #[error("only a signed BAP can be amended")]
    NotSigned,
    /// An amendment without a reason.
    #[error("amendment reason missing")]
    AmendmentReasonMissing,
    /// A suspension without a supervisor's approval.
    #[error("suspension needs a supervisor's approval")]
    SuspensionNeedsSupervisor,
    /// A suspension outside 6..=24 months.
    #[error("suspension of {months} months is outside 6..=24")]
    SuspensionMonthsOutOfRange {
        /// Months asked.
        months: u8,
    },
    /// Approval or supervisor signature by someone who is not supervisor or head.
    #[error("role {role} may not approve a BAP")]
    NotASupervisor {
        /// The role given.
        role: Role,
    },
    /// The supervisor signing is the examining officer.
    #[error("the supervisor must not be the examining officer")]
    SupervisorIsExaminer,
    /// Waiving the charge without the village or disaster letter.
    #[error("waiver needs the village or disaster letter")]
    WaiverNeedsVillageLetter,
    /// A change dated before the BAP's last change.
    #[error("change out of time order")]
    OutOfOrder,
}

impl crate::error::UserFacing for BapError {
    fn code(&self) -> &'static str {
        match self {
            BapError::Locked { .. } => "bap_locked",
            BapError::Incomplete { .. } => "bap_incomplete",
            BapError::NotCompleted { .. } => "bap_not_completed",
            BapError::NotSigned => "bap_not_signed",
            BapError::AmendmentReasonMissing => "bap_amendment_reason_missing",
            BapError::SuspensionNeedsSupervisor => "bap_suspension_needs_supervisor",
            BapError::SuspensionMonthsOutOfRange { .. } => "bap_suspension_months",
            BapError::NotASupervisor { .. } => "bap_not_a_supervisor",
            BapError::SupervisorIsExaminer => "bap_supervisor_is_examiner",
            BapError::WaiverNeedsVillageLetter => "bap_waiver_needs_village_letter",
            BapError::OutOfOrder => "bap_out_of_order",
        }
    }

    fn message_id(&self) -> String {
        match self {
            BapError::Locked { version } => format!(
                "BAP versi {version} sudah ditandatangani dan terkunci. Buat amandemen dengan alasannya untuk mengubah isinya."
            ),
            BapError::Incomplete { missing } => {
                let items: Vec<String> = missing.iter().map(BapMissing::message_id).collect();
                format!("BAP belum lengkap. Lengkapi dulu: {}", items.join(" "))
            }
            BapError::NotCompleted { .. } => {
                "BAP belum dinyatakan lengkap. Selesaikan dan cetak BAP sebelum ditandatangani."
                    .into()
            }
            BapError::NotSigned => {
                "BAP ini belum ditandatangani; ubah langsung tanpa amandemen.".into()
            }
            BapError::AmendmentReasonMissing => "Tulis alasan amandemen BAP.".into(),
            BapError::SuspensionNeedsSupervisor => {
                "Penangguhan penerbitan paspor memerlukan persetujuan supervisor. Minta supervisor menyetujui.".into()
            }
            BapError::SuspensionMonthsOutOfRange { months } => format!(
                "Penangguhan {months} bulan tidak diperbolehkan. Pilih antara 6 dan 24 bulan."
            ),
            BapError::NotASupervisor { .. } => {
                "Persetujuan dan tanda tangan atasan harus oleh supervisor atau kepala kantor."
                    .into()
            }
            BapError::SupervisorIsExaminer => {
                "Supervisor yang menandatangani tidak boleh petugas pemeriksa sendiri. Minta supervisor lain.".into()
            }
            BapError::WaiverNeedsVillageLetter => {
                "Pembebasan denda karena keadaan kahar memerlukan surat keterangan bencana dari desa/kelurahan. Periksa dan centang surat itu dulu.".into()
            }
            BapError::OutOfOrder => {
                "Waktu perubahan lebih awal dari perubahan terakhir. Periksa jam komputer lalu coba lagi.".into()
            }
        }
    }

    fn message_en(&self) -> String {
        match self {
            BapError::Locked { version } => format!(
                "BAP version {version} is signed and locked. Make an amendment with its reason to change it."
            ),
            BapError::Incomplete { missing } => {
                let items: Vec<String> = missing.iter().map(BapMissing::message_en).collect();
                format!("The BAP is incomplete. First: {}", items.join(" "))
            }
            BapError::NotCompleted { .. } => {
                "The BAP is not completed yet. Complete and print it before signing.".into()
            }
            BapError::NotSigned => {
                "This BAP is not signed yet; edit it directly, no amendment needed.".into()
            }
            BapError::AmendmentReasonMissing => "Write the reason for the amendment.".into(),
            BapError::SuspensionNeedsSupervisor => {
                "Suspending issue needs a supervisor's approval. Ask a supervisor to approve.".into()
            }
            BapError::SuspensionMonthsOutOfRange { months } => format!(
                "A suspension of {months} months is not allowed. Choose between 6 and 24 months."
            ),
            BapError::NotASupervisor { .. } => {
                "Approval and the superior's signature must come from a supervisor or the office head.".into()
            }
            BapError::SupervisorIsExaminer => {
                "The signing supervisor cannot be the examining officer. Ask another supervisor.".into()
            }
            BapError::WaiverNeedsVillageLetter => {
                "Waiving the charge for force majeure needs the village or disaster letter. Check and tick it first.".into()
            }
            BapError::OutOfOrder => {
                "The change is dated before the last change. Check the computer's clock and try again.".into()
            }
        }
    }
}

impl Bap {
    /// Starts a BAP (version 1, draft, empty interview).
    pub fn new(id: BapId, visit: Option<VisitId>, examiner: OfficerRef, at: DateTime<Utc>) -> Bap {
        Bap {
            id,
            version: 1,
            visit,
            updated_by: examiner.clone(),
            examiner,
            examined_at: at,
            status: BapStatus::Draft,
            interview: BapInterview::default(),
            updated_at: at,
            completed_at: None,
            signatures: None,
            amendment: None,
        }
    }

    /// Whether the version is locked (signed).
    pub fn is_locked(&self) -> bool {
        self.status == BapStatus::Signed
    }

    fn editable(&self, at: DateTime<Utc>) -> Result<Bap, BapError> {
        if self.is_locked() {
            return Err(BapError::Locked {
                version: self.version,
            });
        }
        if at < self.updated_at {
            return Err(BapError::OutOfOrder);
        }
        let mut next = self.clone();
        next.updated_at = at;
        next.status = BapStatus::Draft;
        next.completed_at = None;
        Ok(next)
    }

    /// Replaces the answers. A completed BAP goes back to draft (print it again after
    /// completing). Refused when signed (`bap_locked`). An outcome in the answers is checked
    /// as by [`Bap::decide`].
    pub fn update(
        &self,
        interview: BapInterview,
        by: &OfficerRef,
        at: DateTime<Utc>,
    ) -> Result<Bap, BapError> {
        let mut next = self.editable(at)?;
        if let Some(outcome) = &interview.outcome {
            check_outcome(outcome, &interview)?;
        }
        next.interview = interview;
        next.updated_by = by.clone();
        Ok(next)
    }

    /// Records the outcome. Refused: a suspension without a supervisor's approval, or by
    /// someone not supervisor/head, or outside 6..=24 months; a waiver without the village
    /// letter ticked; any change of a signed BAP.
    pub fn decide(
        &self,
        outcome: BapOutcome,
        by: &OfficerRef,
        at: DateTime<Utc>,
    ) -> Result<Bap, BapError> {
        let mut interview = self.interview.clone();
        interview.outcome = Some(outcome);
        self.update(interview, by, at)
    }

    /// What is missing or wrong, in interview order (empty when complete). `warnings` of the
    /// identity checks (a NIK date that differs from the declared birth date, an unusual
    /// passport number) are in [`Bap::warnings`].
    pub fn missing(&self) -> Vec<BapMissing> {
        check_interview(&self.interview, self.examined_at.date_naive()).0
    }

    /// Identity warnings for the officer (they do not block completion).
    pub fn warnings(&self) -> Vec<IdentityWarning> {
        check_interview(&self.interview, self.examined_at.date_naive()).1
    }

    /// The first step with something missing (where the guided interview continues).
    pub fn next_step(&self) -> Option<BapStep> {
        self.missing().first().map(BapMissing::step)
    }

    /// Marks the BAP complete (ready to print and sign). Refused with the list of what is
    /// missing (`bap_incomplete`).
    pub fn complete(&self, by: &OfficerRef, at: DateTime<Utc>) -> Result<Bap, BapError> {
        let mut next = self.editable(at)?;
        let missing = self.missing();
        if !missing.is_empty() {
            return Err(BapError::Incomplete { missing });
        }
        if let Some(outcome) = &self.interview.outcome {
            check_outcome(outcome, &self.interview)?;
        }
        next.status = BapStatus::Completed;
        next.completed_at = Some(at);
        next.updated_by = by.clone();
        Ok(next)
    }

    /// Records the three signatures and locks the version. The BAP must be completed; the
    /// supervisor must be a supervisor or the head and not the examining officer.
    pub fn sign(&self, signatures: BapSignatures) -> Result<Bap, BapError> {
        match self.status {
            BapStatus::Completed => {}
            BapStatus::Signed => {
                return Err(BapError::Locked {
                    version: self.version,
                });
            }
            BapStatus::Draft => {
                return Err(BapError::NotCompleted {
                    status: self.status.as_str().to_string(),
                });
            }
        }
        if signatures.at < self.updated_at {
            return Err(BapError::OutOfOrder);
        }
        if !signatures.supervisor.may_approve() {
            return Err(BapError::NotASupervisor {
                role: signatures.supervisor.role,
            });
        }
        if signatures.supervisor.username == signatures.officer.username {
            return Err(BapError::SupervisorIsExaminer);
        }
        let mut next = self.clone();
        next.status = BapStatus::Signed;
        next.updated_at = signatures.at;
        next.updated_by = signatures.officer.clone();
        next.signatures = Some(signatures);
        Ok(next)
    }

    /// Makes the next version of a signed BAP: same answers, unsigned (draft), with the
    /// amendment's reason, author and time. The signed version is not changed.
    pub fn amend(&self, reason: &str, by: &OfficerRef, at: DateTime<Utc>) -> Result<Bap, BapError> {
        if !self.is_locked() {
            return Err(BapError::NotSigned);
        }
        let reason = reason.trim();
        if reason.is_empty() {
            return Err(BapError::AmendmentReasonMissing);
        }
        if at < self.updated_at {
            return Err(BapError::OutOfOrder);
        }
        let mut next = self.clone();
        next.version = self.version.saturating_add(1);
        next.status = BapStatus::Draft;
        next.completed_at = None;
        next.signatures = None;
        next.updated_at = at;
        next.updated_by = by.clone();
        next.amendment = Some(Amendment {
            amends_version: self.version,
            reason: reason.to_string(),
            by: by.clone(),
            at,
        });
        Ok(next)
    }

    /// The fee items the outcome makes due: the lost or damaged charge (or the force
    /// majeure line of 0) and the book fee; nothing for a suspension or no outcome.
    pub fn fee_items(&self) -> Vec<FeeItem> {
        outcome_fee_items(
            self.interview.reason.as_ref(),
            self.interview.outcome.as_ref(),
        )
    }

    /// The outcome priced with the fee table in force on the examination date; `None` when
    /// no fee is due (suspension, undecided).
    pub fn fees(&self, schedule: &FeeSchedule) -> Result<Option<FeeQuote>, DomainError> {
        let items = self.fee_items();
        if items.is_empty() {
            return Ok(None);
        }
        schedule
            .fee_for(self.examined_at.date_naive(), &items)
            .map(Some)
    }
}

/// The fee items of an outcome for a reason (see [`Bap::fee_items`]).
pub fn outcome_fee_items(reason: Option<&BapReason>, outcome: Option<&BapOutcome>) -> Vec<FeeItem> {
    match (reason, outcome) {
        (Some(reason), Some(BapOutcome::ApproveWithCharge { book })) => {
            vec![reason.charge_item(), book.item()]
        }
        (_, Some(BapOutcome::WaiveForceMajeure { book })) => {
            vec![FeeItem::ForceMajeure, book.item()]
        }
        _ => Vec::new(),
    }
}

fn check_outcome(outcome: &BapOutcome, interview: &BapInterview) -> Result<(), BapError> {
    match outcome {
        BapOutcome::ApproveWithCharge { .. } => Ok(()),
        BapOutcome::WaiveForceMajeure { .. } => {
            if interview.has(BapDocument::VillageLetter) {
                Ok(())
            } else {
                Err(BapError::WaiverNeedsVillageLetter)
            }
        }
        BapOutcome::Suspend { months, approval } => {
            if !(SUSPENSION_MIN_MONTHS..=SUSPENSION_MAX_MONTHS).contains(months) {
                return Err(BapError::SuspensionMonthsOutOfRange { months: *months });
            }
            let approval = approval
                .as_ref()
                .ok_or(BapError::SuspensionNeedsSupervisor)?;
            if !approval.by.may_approve() {
                return Err(BapError::NotASupervisor {
                    role: approval.by.role,
                });
            }
            Ok(())
        }
    }
}

fn blank(s: &str) -> bool {
    s.trim().is_empty()
}

fn check_interview(
    i: &BapInterview,
    exam_date: NaiveDate,
) -> (Vec<BapMissing>, Vec<IdentityWarning>) {
    let mut missing = Vec::new();
    let mut warnings = Vec::new();
    let id = &i.identity;
    if blank(&id.full_name) {
        missing.push(BapMissing::FullName);
    }
    if blank(&id.nik) {
        missing.push(BapMissing::Nik);
    } else {
        match check_nik(&id.nik, exam_date, id.birth_date) {
            Ok(check) => warnings.extend(check.warnings),
            Err(error) => missing.push(BapMissing::NikInvalid { error }),
        }
    }
    if id.birth_date.is_none() {
        missing.push(BapMissing::BirthDate);
    }

    let damaged = matches!(i.reason, Some(BapReason::Damaged { .. }));
    let old = &i.old_passport;
    let number = old.number.as_deref().filter(|n| !blank(n));
    let mut typed_number = None;
    match number {
        None if damaged => missing.push(BapMissing::PassportNumber),
        None => {}
        Some(n) => match check_passport_number(n) {
            Ok(check) => {
                typed_number = Some(check.number);
                warnings.extend(check.warning);
            }
            Err(_) => missing.push(BapMissing::PassportNumberInvalid),
        },
    }
    if let Some([l1, l2]) = &old.mrz
        && !(blank(l1) && blank(l2))
    {
        match parse_td3(l1, l2) {
            Ok(td3) => {
                if let Some(n) = &typed_number
                    && td3.document_number.trim_end_matches('<') != n
                {
                    missing.push(BapMissing::MrzNumberMismatch);
                }
            }
            Err(error) => missing.push(BapMissing::MrzInvalid { error }),
        }
    }

    let mut future = false;
    match &i.reason {
        None => missing.push(BapMissing::Reason),
        Some(BapReason::Lost {
            police_report_number,
            police_report_date,
            police_station,
        }) => {
            if blank(police_report_number) {
                missing.push(BapMissing::PoliceReportNumber);
            }
            match police_report_date {
                None => missing.push(BapMissing::PoliceReportDate),
                Some(d) if *d > exam_date => future = true,
                Some(_) => {}
            }
            if blank(police_station) {
                missing.push(BapMissing::PoliceStation);
            }
        }
        Some(BapReason::Damaged { state, .. }) => {
            if state.is_none() {
                missing.push(BapMissing::DamageState);
            }
        }
    }

    if blank(&i.chronology) {
        missing.push(BapMissing::Chronology);
    }
    if blank(&i.incident_place) {
        missing.push(BapMissing::IncidentPlace);
    }
    match i.incident_date {
        None => missing.push(BapMissing::IncidentDate),
        Some(d) if d > exam_date => future = true,
        Some(_) => {}
    }
    if future {
        missing.push(BapMissing::DateInFuture);
    }
    if blank(&i.travel_purpose) {
        missing.push(BapMissing::TravelPurpose);
    }
    if blank(&i.past_use) {
        missing.push(BapMissing::PastUse);
    }
    if blank(&i.past_applications) {
        missing.push(BapMissing::PastApplications);
    }

    for document in required_documents(i) {
        if !i.has(document) {
            missing.push(BapMissing::Document { document });
        }
    }
    if !i.documents.iter().any(|d| d.is_civil_record()) {
        missing.push(BapMissing::CivilRecord);
    }

    if blank(&i.assessment) {
        missing.push(BapMissing::Assessment);
    }
    if i.outcome.is_none() {
        missing.push(BapMissing::Outcome);
    }
    (missing, warnings)
}

/// The originals a BAP needs besides one civil record: e-KTP and KK always; the police
/// report (lost) or the damaged passport (damaged); the village letter when force majeure
/// is claimed or the charge is waived.
pub fn required_documents(i: &BapInterview) -> Vec<BapDocument> {
    let mut docs = vec![BapDocument::Ektp, BapDocument::FamilyCard];
    match i.reason {
        Some(BapReason::Lost { .. }) => docs.push(BapDocument::PoliceReport),
        Some(BapReason::Damaged { .. }) => docs.push(BapDocument::DamagedPassport),
        None => {}
    }
    if i.force_majeure_claimed || matches!(i.outcome, Some(BapOutcome::WaiveForceMajeure { .. })) {
        docs.push(BapDocument::VillageLetter);
    }
    docs
}
