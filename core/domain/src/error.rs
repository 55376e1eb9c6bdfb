//! Errors with stable machine codes and messages in Indonesian and English.
//!
//! Every error type here implements [`UserFacing`]: `code()` is a stable snake_case code
//! the hub puts in its JSON errors; `message_id()` and `message_en()` tell the person what
//! went wrong and what to do next. `Display` (from `thiserror`) is a short technical text
//! for logs and carries no personal data.

use crate::access::Action;
use crate::counter::CounterId;
use crate::fees::FeeItem;
use crate::identity::IdentityError;
use crate::lane::Lane;
use crate::office_day::DayKind;
use crate::service::{ServiceCode, Stage};
use crate::ticket::TicketNumber;
use chrono::{NaiveDate, NaiveTime};
use serde::{Deserialize, Serialize};
use thiserror::Error;

/// An error a person sees: stable code and messages in both languages.
pub trait UserFacing {
    /// Stable machine code, e.g. `quota_exhausted`.
    fn code(&self) -> &'static str;
    /// Message in Bahasa Indonesia, saying what to do next.
    fn message_id(&self) -> String;
    /// Message in English, saying what to do next.
    fn message_en(&self) -> String;
    /// Both, Indonesian first: `"... / ..."`.
    fn message(&self) -> String {
        format!("{} / {}", self.message_id(), self.message_en())
    }
}

/// Errors of the office's rules. Serialized as `{"error": "<variant>", "detail": {...}}`.
#[derive(Debug, Clone, PartialEq, Eq, Error, Serialize, Deserialize)]
#[serde(tag = "error", content = "detail", rename_all = "snake_case")]
pub enum DomainError {
    /// The lane's daily quota of a service is used up.
    #[error("quota exhausted: {service} {lane} (limit {limit})")]
    QuotaExhausted {
        /// Service.
        service: ServiceCode,
        /// Lane.
        lane: Lane,
        /// The day's limit.
        limit: u32,
    },
    /// The service is not offered on this kind of day.
    #[error("service {service} not offered on a {day_kind} day")]
    ServiceNotOfferedToday {
        /// Service.
        service: ServiceCode,
        /// Kind of day.
        day_kind: DayKind,
    },
    /// The office does not offer the service.
    #[error("unknown service {service}")]
    UnknownService {
        /// The code asked for.
        service: String,
    },
    /// A service's 999 numbers of the day are used up.
    #[error("ticket numbers exhausted for letter {letter}")]
    TicketNumbersExhausted {
        /// The letter.
        letter: char,
    },
    /// Not a ticket number like A001.
    #[error("invalid ticket number")]
    InvalidTicketNumber {
        /// What was given (at most 16 characters).
        input: String,
    },
    /// The event is not allowed in the visit's state.
    #[error("ticket {ticket}: {event} not allowed when {state}")]
    IllegalTransition {
        /// Ticket.
        ticket: TicketNumber,
        /// Current state.
        state: String,
        /// Event tried.
        event: String,
    },
    /// The visit has ended.
    #[error("ticket {ticket} is closed")]
    VisitClosed {
        /// Ticket.
        ticket: TicketNumber,
    },
    /// An event older than the visit's last event.
    #[error("ticket {ticket}: event out of time order")]
    EventOutOfOrder {
        /// Ticket.
        ticket: TicketNumber,
    },
    /// Started or finished a stage other than the current one.
    #[error("ticket {ticket}: stage {got} given, current stage is {expected}")]
    StageMismatch {
        /// Ticket.
        ticket: TicketNumber,
        /// Current stage.
        expected: Stage,
        /// Stage given.
        got: Stage,
    },
    /// Transfer to a stage the service does not have.
    #[error("service {service} has no stage {stage}")]
    StageNotInService {
        /// Stage.
        stage: Stage,
        /// Service.
        service: ServiceCode,
    },
    /// Recall after the last allowed call.
    #[error("ticket {ticket}: already called {calls} times")]
    RecallLimitReached {
        /// Ticket.
        ticket: TicketNumber,
        /// Calls so far.
        calls: u32,
    },
    /// No-show before N calls.
    #[error("ticket {ticket}: no-show needs {required} calls, {calls} so far")]
    NoShowTooEarly {
        /// Ticket.
        ticket: TicketNumber,
        /// Calls so far.
        calls: u32,
        /// Calls required.
        required: u32,
    },
    /// The counter is closed.
    #[error("counter {counter} is not open")]
    CounterNotOpen {
        /// Counter.
        counter: CounterId,
    },
    /// The counter does not serve the visit's service or stage.
    #[error("counter {counter} does not serve ticket {ticket}")]
    CounterCannotServe {
        /// Counter.
        counter: CounterId,
        /// Ticket.
        ticket: TicketNumber,
    },
    /// The counter already has a called or in-service visit.
    #[error("counter {counter} is busy with ticket {ticket}")]
    CounterBusy {
        /// Counter.
        counter: CounterId,
        /// The visit it holds.
        ticket: TicketNumber,
    },
    /// The visit is reserved for another counter.
    #[error("ticket {ticket} is reserved for counter {counter}")]
    ReservedForOtherCounter {
        /// Ticket.
        ticket: TicketNumber,
        /// The counter it is reserved for.
        counter: CounterId,
    },
    /// Nothing this counter serves is waiting.
    #[error("nothing waiting for counter {counter}")]
    QueueEmpty {
        /// Counter.
        counter: CounterId,
    },
    /// A given-ticket call for a visit that is not waiting or parked.
    #[error("ticket {ticket} is {state}, not waiting")]
    VisitNotWaiting {
        /// Ticket.
        ticket: TicketNumber,
        /// Its state.
        state: String,
    },
    /// The call would pass a ticket already passed by the bound.
    #[error("calling would pass ticket {waiting} beyond the bound {bound}")]
    WouldStarve {
        /// The ticket that waited longest.
        waiting: TicketNumber,
        /// The bound.
        bound: u32,
    },
    /// No such visit.
    #[error("visit not found")]
    VisitNotFound,
    /// The actor may not do this.
    #[error("forbidden: {action}")]
    Forbidden {
        /// The action.
        action: Action,
    },
    /// No fee table in force on the date.
    #[error("no fee table in force on {date}")]
    FeeTableNotInForce {
        /// The date.
        date: NaiveDate,
    },
    /// The fee table lacks an item.
    #[error("fee table of {date} has no {item}")]
    FeeItemMissing {
        /// Item.
        item: FeeItem,
        /// Date.
        date: NaiveDate,
    },
    /// Configuration that cannot work.
    #[error("invalid configuration: {reason}")]
    InvalidConfig {
        /// What is wrong.
        reason: String,
    },
    /// An identity check failed.
    #[error(transparent)]
    Identity(#[from] IdentityError),
    /// A check-in was refused.
    #[error(transparent)]
    CheckIn(#[from] CheckInError),
    /// A BAP change was refused.
    #[error(transparent)]
    Bap(#[from] crate::bap::BapError),
    /// A pickup step was refused.
    #[error(transparent)]
    Pickup(#[from] crate::pickup::PickupError),
}

/// Why a check-in was refused.
#[derive(Debug, Clone, PartialEq, Eq, Error, Serialize, Deserialize)]
#[serde(tag = "error", rename_all = "snake_case")]
pub enum CheckInError {
    /// No booking with that code (the hub's lookup).
    #[error("booking not found")]
    BookingNotFound,
    /// Zero or more than five applicants.
    #[error("booking has {applicants} applicants")]
    BookingInvalid {
        /// Number of applicants.
        applicants: usize,
    },
    /// Cancelled booking.
    #[error("booking cancelled")]
    BookingCancelled,
    /// Booking for another office.
    #[error("booking for office {booking_office}")]
    OtherOffice {
        /// The booking's office.
        booking_office: String,
    },
    /// Booking for another day.
    #[error("booking for {booking_date}, today is {today}")]
    OtherDay {
        /// The booking's date.
        booking_date: NaiveDate,
        /// The office day.
        today: NaiveDate,
    },
    /// Before the window.
    #[error("check-in opens at {opens_at}")]
    TooEarly {
        /// Local time the window opens.
        opens_at: NaiveTime,
    },
    /// After the window.
    #[error("check-in closed at {closed_at}")]
    TooLate {
        /// Local time the window closed.
        closed_at: NaiveTime,
    },
    /// Known to be unpaid.
    #[error("booking unpaid")]
    Unpaid,
    /// Billing code not 15 digits.
    #[error("billing code is not 15 digits")]
    InvalidBillingCode,
}

impl UserFacing for DomainError {
    fn code(&self) -> &'static str {
        match self {
            DomainError::QuotaExhausted { .. } => "quota_exhausted",
            DomainError::ServiceNotOfferedToday { .. } => "service_not_offered_today",
            DomainError::UnknownService { .. } => "unknown_service",
            DomainError::TicketNumbersExhausted { .. } => "ticket_numbers_exhausted",
            DomainError::InvalidTicketNumber { .. } => "invalid_ticket_number",
            DomainError::IllegalTransition { .. } => "illegal_transition",
            DomainError::VisitClosed { .. } => "visit_closed",
            DomainError::EventOutOfOrder { .. } => "event_out_of_order",
            DomainError::StageMismatch { .. } => "stage_mismatch",
            DomainError::StageNotInService { .. } => "stage_not_in_service",
            DomainError::RecallLimitReached { .. } => "recall_limit_reached",
            DomainError::NoShowTooEarly { .. } => "no_show_too_early",
            DomainError::CounterNotOpen { .. } => "counter_not_open",
            DomainError::CounterCannotServe { .. } => "counter_cannot_serve",
            DomainError::CounterBusy { .. } => "counter_busy",
            DomainError::ReservedForOtherCounter { .. } => "reserved_for_other_counter",
            DomainError::QueueEmpty { .. } => "queue_empty",
            DomainError::VisitNotWaiting { .. } => "visit_not_waiting",
            DomainError::WouldStarve { .. } => "starvation_bound",
            DomainError::VisitNotFound => "visit_not_found",
            DomainError::Forbidden { .. } => "forbidden",
            DomainError::FeeTableNotInForce { .. } => "fee_table_not_in_force",
            DomainError::FeeItemMissing { .. } => "fee_item_missing",
            DomainError::InvalidConfig { .. } => "invalid_config",
            DomainError::Identity(e) => e.code(),
            DomainError::CheckIn(e) => e.code(),
            DomainError::Bap(e) => e.code(),
            DomainError::Pickup(e) => e.code(),
        }
    }

    fn message_id(&self) -> String {
        match self {
            DomainError::QuotaExhausted { service, lane, .. } => format!(
                "Kuota {} ({}) hari ini sudah habis. Silakan datang pada hari kerja berikutnya atau pesan jadwal melalui M-Paspor.",
                service_id(*service),
                lane.name_id()
            ),
            DomainError::ServiceNotOfferedToday { service, day_kind } => format!(
                "Layanan {} tidak tersedia pada {}. Silakan datang pada hari kerja biasa.",
                service_id(*service),
                day_kind.name_id()
            ),
            DomainError::UnknownService { .. } => {
                "Layanan ini tidak tersedia di kantor ini. Pilih layanan lain atau tanyakan petugas.".to_string()
            }
            DomainError::TicketNumbersExhausted { letter } => format!(
                "Nomor antrean {letter} hari ini sudah habis (999). Silakan tanyakan petugas."
            ),
            DomainError::InvalidTicketNumber { .. } => {
                "Nomor antrean tidak valid. Masukkan huruf dan tiga angka, misalnya A001.".to_string()
            }
            DomainError::IllegalTransition { ticket, .. } => format!(
                "Tindakan ini tidak dapat dilakukan untuk nomor {ticket} pada keadaannya sekarang. Muat ulang antrean lalu coba lagi."
            ),
            DomainError::VisitClosed { ticket } => {
                format!("Nomor {ticket} sudah selesai atau ditutup. Tidak ada tindakan lagi untuk nomor ini.")
            }
            DomainError::EventOutOfOrder { ticket } => format!(
                "Urutan waktu untuk nomor {ticket} tidak sesuai. Periksa jam komputer lalu coba lagi."
            ),
            DomainError::StageMismatch { ticket, expected, .. } => format!(
                "Nomor {ticket} sedang berada pada tahap {}. Layani tahap itu atau alihkan nomor ini.",
                expected.name_id()
            ),
            DomainError::StageNotInService { stage, .. } => format!(
                "Tahap {} tidak ada pada layanan ini. Pilih tahap lain.",
                stage.name_id()
            ),
            DomainError::RecallLimitReached { ticket, calls } => format!(
                "Nomor {ticket} sudah dipanggil {calls} kali. Tandai tidak hadir atau mulai layanan."
            ),
            DomainError::NoShowTooEarly { ticket, calls, required } => format!(
                "Nomor {ticket} baru dipanggil {calls} kali; tandai tidak hadir setelah {required} panggilan. Panggil ulang dulu."
            ),
            DomainError::CounterNotOpen { .. } => "Loket belum dibuka. Buka loket terlebih dahulu.".to_string(),
            DomainError::CounterCannotServe { ticket, .. } => format!(
                "Loket ini tidak melayani nomor {ticket}. Alihkan nomor ke loket yang sesuai."
            ),
            DomainError::CounterBusy { ticket, .. } => format!(
                "Loket ini masih menangani nomor {ticket}. Selesaikan, parkir atau alihkan nomor itu dulu."
            ),
            DomainError::ReservedForOtherCounter { ticket, counter } => {
                format!("Nomor {ticket} dialihkan ke loket {counter}. Biarkan loket itu memanggilnya.")
            }
            DomainError::QueueEmpty { .. } => {
                "Tidak ada antrean untuk loket ini. Tunggu sebentar lalu panggil lagi.".to_string()
            }
            DomainError::VisitNotWaiting { ticket, .. } => {
                format!("Nomor {ticket} tidak sedang menunggu. Periksa antrean.")
            }
            DomainError::WouldStarve { waiting, .. } => format!(
                "Nomor {waiting} sudah terlalu lama dilewati. Panggil nomor {waiting} dulu, atau minta supervisor."
            ),
            DomainError::VisitNotFound => "Nomor antrean tidak ditemukan. Periksa nomornya.".to_string(),
            DomainError::Forbidden { .. } => {
                "Anda tidak berwenang melakukan tindakan ini. Minta supervisor atau admin.".to_string()
            }
            DomainError::FeeTableNotInForce { date } => format!(
                "Tidak ada tabel tarif PNBP yang berlaku pada {}. Minta admin memperbarui tabel tarif.",
                date.format("%d-%m-%Y")
            ),
            DomainError::FeeItemMissing { .. } => {
                "Tarif untuk jenis ini tidak ada di tabel tarif. Minta admin memperbarui tabel tarif.".to_string()
            }
            DomainError::InvalidConfig { .. } => {
                "Pengaturan kantor tidak valid. Minta admin memeriksa pengaturan.".to_string()
            }
            DomainError::Identity(e) => e.message_id(),
            DomainError::CheckIn(e) => e.message_id(),
            DomainError::Bap(e) => e.message_id(),
            DomainError::Pickup(e) => e.message_id(),
        }
    }

    fn message_en(&self) -> String {
        match self {
            DomainError::QuotaExhausted { service, lane, .. } => format!(
                "Today's {} quota for {} is used up. Please come on the next working day or book through M-Paspor.",
                lane.name_en(),
                service_en(*service)
            ),
            DomainError::ServiceNotOfferedToday { service, day_kind } => format!(
                "{} is not offered on a {}. Please come on a regular working day.",
                service_en(*service),
                day_kind.name_en()
            ),
            DomainError::UnknownService { .. } => {
                "This office does not offer this service. Choose another service or ask an officer."
                    .to_string()
            }
            DomainError::TicketNumbersExhausted { letter } => {
                format!("Today's {letter} ticket numbers are used up (999). Please ask an officer.")
            }
            DomainError::InvalidTicketNumber { .. } => {
                "Not a valid ticket number. Enter a letter and three digits, such as A001."
                    .to_string()
            }
            DomainError::IllegalTransition {
                ticket,
                state,
                event,
            } => format!(
                "Cannot {} ticket {ticket} while it is {}. Reload the queue and try again.",
                event.replace('_', " "),
                state.replace('_', " ")
            ),
            DomainError::VisitClosed { ticket } => {
                format!(
                    "Ticket {ticket} is already finished or closed. Nothing more can be done with it."
                )
            }
            DomainError::EventOutOfOrder { ticket } => {
                format!(
                    "Event times for ticket {ticket} are out of order. Check the computer's clock and try again."
                )
            }
            DomainError::StageMismatch {
                ticket, expected, ..
            } => format!(
                "Ticket {ticket} is at the stage {}. Serve that stage or transfer the ticket.",
                expected.name_en()
            ),
            DomainError::StageNotInService { stage, .. } => {
                format!(
                    "This service has no stage {}. Choose another stage.",
                    stage.name_en()
                )
            }
            DomainError::RecallLimitReached { ticket, calls } => {
                format!(
                    "Ticket {ticket} has been called {calls} times. Mark it no-show or start serving."
                )
            }
            DomainError::NoShowTooEarly {
                ticket,
                calls,
                required,
            } => format!(
                "Ticket {ticket} has been called {calls} times; mark no-show after {required} calls. Recall it first."
            ),
            DomainError::CounterNotOpen { .. } => {
                "The counter is not open. Open the counter first.".to_string()
            }
            DomainError::CounterCannotServe { ticket, .. } => {
                format!(
                    "This counter does not serve ticket {ticket}. Transfer it to a counter that does."
                )
            }
            DomainError::CounterBusy { ticket, .. } => {
                format!(
                    "This counter is still handling ticket {ticket}. Finish, park or transfer it first."
                )
            }
            DomainError::ReservedForOtherCounter { ticket, counter } => {
                format!(
                    "Ticket {ticket} was transferred to counter {counter}. Let that counter call it."
                )
            }
            DomainError::QueueEmpty { .. } => {
                "Nobody is waiting for this counter. Wait a moment and call again.".to_string()
            }
            DomainError::VisitNotWaiting { ticket, .. } => {
                format!("Ticket {ticket} is not waiting. Check the queue.")
            }
            DomainError::WouldStarve { waiting, .. } => format!(
                "Ticket {waiting} has been passed too often. Call {waiting} first, or ask a supervisor."
            ),
            DomainError::VisitNotFound => "Ticket not found. Check the number.".to_string(),
            DomainError::Forbidden { .. } => {
                "You are not allowed to do this. Ask a supervisor or an administrator.".to_string()
            }
            DomainError::FeeTableNotInForce { date } => format!(
                "No PNBP fee table is in force on {date}. Ask the administrator to update the fee tables."
            ),
            DomainError::FeeItemMissing { item, .. } => format!(
                "The fee table has no amount for {item}. Ask the administrator to update the fee tables."
            ),
            DomainError::InvalidConfig { reason } => {
                format!(
                    "The office settings are not valid ({reason}). Ask the administrator to check them."
                )
            }
            DomainError::Identity(e) => e.message_en(),
            DomainError::CheckIn(e) => e.message_en(),
            DomainError::Bap(e) => e.message_en(),
            DomainError::Pickup(e) => e.message_en(),
        }
    }
}

fn service_id(service: ServiceCode) -> &'static str {
    match service {
        ServiceCode::NewPassport => "paspor baru",
        ServiceCode::Replacement => "penggantian paspor",
        ServiceCode::LostDamaged => "paspor hilang / rusak",
        ServiceCode::Pickup => "pengambilan paspor",
        ServiceCode::Information => "informasi",
    }
}

fn service_en(service: ServiceCode) -> &'static str {
    match service {
        ServiceCode::NewPassport => "new passport",
        ServiceCode::Replacement => "passport replacement",
        ServiceCode::LostDamaged => "lost / damaged passport",
        ServiceCode::Pickup => "passport pickup",
        ServiceCode::Information => "information",
    }
}

impl UserFacing for CheckInError {
    fn code(&self) -> &'static str {
        match self {
            CheckInError::BookingNotFound => "booking_not_found",
            CheckInError::BookingInvalid { .. } => "booking_invalid",
            CheckInError::BookingCancelled => "booking_cancelled",
            CheckInError::OtherOffice { .. } => "booking_other_office",
            CheckInError::OtherDay { .. } => "booking_other_day",
            CheckInError::TooEarly { .. } => "checkin_too_early",
            CheckInError::TooLate { .. } => "checkin_too_late",
            CheckInError::Unpaid => "booking_unpaid",
            CheckInError::InvalidBillingCode => "invalid_billing_code",
        }
    }

    fn message_id(&self) -> String {
        match self {
            CheckInError::BookingNotFound => {
                "Kode booking tidak ditemukan. Periksa kode pada bukti M-Paspor atau tanyakan petugas.".to_string()
            }
            CheckInError::BookingInvalid { .. } => {
                "Data booking tidak lengkap. Silakan ke petugas informasi.".to_string()
            }
            CheckInError::BookingCancelled => {
                "Booking ini sudah dibatalkan. Pesan jadwal baru di M-Paspor atau ambil antrean langsung.".to_string()
            }
            CheckInError::OtherOffice { .. } => {
                "Booking ini untuk kantor imigrasi lain. Silakan datang ke kantor yang dipilih saat booking.".to_string()
            }
            CheckInError::OtherDay { booking_date, .. } => format!(
                "Booking ini untuk tanggal {}. Silakan datang pada tanggal tersebut.",
                booking_date.format("%d-%m-%Y")
            ),
            CheckInError::TooEarly { opens_at } => format!(
                "Terlalu awal untuk check-in. Silakan check-in mulai pukul {}.",
                opens_at.format("%H:%M")
            ),
            CheckInError::TooLate { .. } => {
                "Waktu check-in untuk jadwal ini sudah lewat. Silakan ke petugas informasi.".to_string()
            }
            CheckInError::Unpaid => {
                "PNBP untuk booking ini belum dibayar. Bayar dengan kode billing SIMPONI lalu check-in lagi.".to_string()
            }
            CheckInError::InvalidBillingCode => {
                "Kode billing harus 15 angka. Periksa kode billing SIMPONI Anda.".to_string()
            }
        }
    }

    fn message_en(&self) -> String {
        match self {
            CheckInError::BookingNotFound => {
                "Booking code not found. Check the code on your M-Paspor proof or ask an officer.".to_string()
            }
            CheckInError::BookingInvalid { .. } => {
                "The booking data is incomplete. Please go to the information desk.".to_string()
            }
            CheckInError::BookingCancelled => {
                "This booking was cancelled. Book a new slot in M-Paspor or take a walk-in ticket.".to_string()
            }
            CheckInError::OtherOffice { .. } => {
                "This booking is for another immigration office. Please go to the office chosen when booking."
                    .to_string()
            }
            CheckInError::OtherDay { booking_date, .. } => {
                format!("This booking is for {booking_date}. Please come on that date.")
            }
            CheckInError::TooEarly { opens_at } => {
                format!("Too early to check in. Check-in opens at {}.", opens_at.format("%H:%M"))
            }
            CheckInError::TooLate { .. } => {
                "The check-in time for this slot has passed. Please go to the information desk.".to_string()
            }
            CheckInError::Unpaid => {
                "The PNBP fee for this booking is unpaid. Pay with the SIMPONI billing code, then check in again."
                    .to_string()
            }
            CheckInError::InvalidBillingCode => {
                "A billing code has 15 digits. Check your SIMPONI billing code.".to_string()
            }
        }
    }
}

impl UserFacing for IdentityError {
    fn code(&self) -> &'static str {
        match self {
            IdentityError::NikFormat => "invalid_nik",
            IdentityError::NikProvince { .. } => "invalid_nik_province",
            IdentityError::NikRegency => "invalid_nik_regency",
            IdentityError::NikDistrict => "invalid_nik_district",
            IdentityError::NikBirthDate => "invalid_nik_birth_date",
            IdentityError::NikSerial => "invalid_nik_serial",
            IdentityError::PassportNumberFormat => "invalid_passport_number",
            IdentityError::MrzFormat { .. } => "invalid_mrz",
            IdentityError::MrzNotPassport => "mrz_not_passport",
            IdentityError::MrzDocumentNumberCheck => "mrz_check_document_number",
            IdentityError::MrzBirthDateCheck => "mrz_check_birth_date",
            IdentityError::MrzExpiryDateCheck => "mrz_check_expiry_date",
            IdentityError::MrzPersonalNumberCheck => "mrz_check_personal_number",
            IdentityError::MrzCompositeCheck => "mrz_check_composite",
        }
    }

    fn message_id(&self) -> String {
        let nik = "Periksa kembali NIK pada e-KTP atau KK lalu ketik ulang.";
        let mrz = "Pindai ulang halaman data paspor, atau ketik MRZ dengan teliti.";
        match self {
            IdentityError::NikFormat => format!("NIK harus 16 angka. {nik}"),
            IdentityError::NikProvince { .. } => {
                format!("Kode provinsi pada NIK tidak valid. {nik}")
            }
            IdentityError::NikRegency => format!("Kode kabupaten/kota pada NIK tidak valid. {nik}"),
            IdentityError::NikDistrict => format!("Kode kecamatan pada NIK tidak valid. {nik}"),
            IdentityError::NikBirthDate => format!("Tanggal lahir pada NIK tidak valid. {nik}"),
            IdentityError::NikSerial => format!("Nomor urut pada NIK tidak valid. {nik}"),
            IdentityError::PassportNumberFormat => {
                "Nomor paspor tidak valid. Ketik satu huruf dan tujuh angka seperti pada paspor."
                    .to_string()
            }
            IdentityError::MrzFormat { line, .. } => {
                format!("Baris {line} MRZ harus 44 karakter A-Z, 0-9 atau <. {mrz}")
            }
            IdentityError::MrzNotPassport => format!("MRZ ini bukan MRZ paspor. {mrz}"),
            IdentityError::MrzDocumentNumberCheck => {
                format!("Angka pemeriksa nomor paspor pada MRZ salah. {mrz}")
            }
            IdentityError::MrzBirthDateCheck => {
                format!("Angka pemeriksa tanggal lahir pada MRZ salah. {mrz}")
            }
            IdentityError::MrzExpiryDateCheck => {
                format!("Angka pemeriksa tanggal habis berlaku pada MRZ salah. {mrz}")
            }
            IdentityError::MrzPersonalNumberCheck => {
                format!("Angka pemeriksa nomor pribadi pada MRZ salah. {mrz}")
            }
            IdentityError::MrzCompositeCheck => {
                format!("Angka pemeriksa gabungan pada MRZ salah. {mrz}")
            }
        }
    }

    fn message_en(&self) -> String {
        let nik = "Check the NIK on the e-KTP or family card (KK) and type it again.";
        let mrz = "Scan the passport data page again, or type the MRZ carefully.";
        match self {
            IdentityError::NikFormat => format!("A NIK has 16 digits. {nik}"),
            IdentityError::NikProvince { .. } => format!("The NIK's province code is not valid. {nik}"),
            IdentityError::NikRegency => format!("The NIK's regency/city code is not valid. {nik}"),
            IdentityError::NikDistrict => format!("The NIK's district code is not valid. {nik}"),
            IdentityError::NikBirthDate => format!("The NIK's birth date is not a valid date. {nik}"),
            IdentityError::NikSerial => format!("The NIK's serial number is not valid. {nik}"),
            IdentityError::PassportNumberFormat => {
                "Not a valid passport number. Type one letter and seven digits as printed in the passport.".to_string()
            }
            IdentityError::MrzFormat { line, .. } => {
                format!("MRZ line {line} must be 44 characters of A-Z, 0-9 or <. {mrz}")
            }
            IdentityError::MrzNotPassport => format!("This is not a passport MRZ. {mrz}"),
            IdentityError::MrzDocumentNumberCheck => format!("The MRZ document number check digit is wrong. {mrz}"),
            IdentityError::MrzBirthDateCheck => format!("The MRZ birth date check digit is wrong. {mrz}"),
            IdentityError::MrzExpiryDateCheck => format!("The MRZ expiry date check digit is wrong. {mrz}"),
            IdentityError::MrzPersonalNumberCheck => format!("The MRZ personal number check digit is wrong. {mrz}"),
            IdentityError::MrzCompositeCheck => format!("The MRZ composite check digit is wrong. {mrz}"),
        }
    }
}
