//! Central's bookings in the office's terms: the wire [`Booking`] becomes the domain's
//! [`loket_domain::Booking`], the type check-in reads (pure; the ledger stores the result in
//! the hub's `bookings` and `applicants` tables).

use chrono::NaiveTime;
use loket_domain::{
    Applicant, BillingCode, MAX_APPLICANTS, PaymentStatus, ServiceCode, normalize_booking_code,
};
use loket_sync_protocol::{Booking, PaymentState};

/// Why a booking from central cannot be used at the office (an item error; the feed goes on).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BookingMapError {
    /// The slot label does not start with a time.
    #[error(
        "Booking {booking}: jam slot \"{slot}\" tidak terbaca (contoh 08:00-09:00). / Booking {booking}: slot \"{slot}\" has no start time (e.g. 08:00-09:00)."
    )]
    BadSlot {
        /// The booking.
        booking: String,
        /// The label.
        slot: String,
    },
    /// A service the office does not know.
    #[error(
        "Booking {booking}: layanan \"{service}\" tidak dikenal kantor. / Booking {booking}: unknown service \"{service}\"."
    )]
    UnknownService {
        /// The booking.
        booking: String,
        /// The name sent.
        service: String,
    },
    /// No applicant, or more than a booking may carry.
    #[error(
        "Booking {booking}: {count} pemohon (boleh 1 sampai 5). / Booking {booking}: {count} applicants (1 to 5 allowed)."
    )]
    Applicants {
        /// The booking.
        booking: String,
        /// How many were sent.
        count: usize,
    },
    /// No booking code.
    #[error("Booking tanpa kode. / Booking without a code.")]
    EmptyCode,
}

/// The start of a slot label: `08:00-09:00`, `08:00`, `8:00 - 9:00`.
pub fn slot_start(label: &str) -> Option<NaiveTime> {
    let start = label.split(['-', '–']).next()?.trim();
    NaiveTime::parse_from_str(start, "%H:%M")
        .or_else(|_| NaiveTime::parse_from_str(start, "%H.%M"))
        .or_else(|_| NaiveTime::parse_from_str(start, "%H:%M:%S"))
        .ok()
}

/// A service name from central (the domain's names; `renewal` means `replacement`).
pub fn service_code(name: &str) -> Option<ServiceCode> {
    let name = name.trim().to_ascii_lowercase();
    match name.as_str() {
        "renewal" => Some(ServiceCode::Replacement),
        other => ServiceCode::parse(other),
    }
}

/// Central's payment state as check-in sees it: only `paid` lets a booking in; a revoked
/// or refunded payment is no payment.
pub fn payment_status(state: PaymentState) -> PaymentStatus {
    match state {
        PaymentState::Paid => PaymentStatus::Paid,
        PaymentState::Unpaid | PaymentState::Revoked | PaymentState::Refunded => {
            PaymentStatus::Unpaid
        }
    }
}

/// The domain's booking for a booking from central. The code is normalized the way the
/// hub compares codes; a billing code that is not 15 digits is dropped (it is optional).
pub fn to_domain(b: &Booking) -> Result<loket_domain::Booking, BookingMapError> {
    let code = normalize_booking_code(&b.booking_id);
    if code.is_empty() {
        return Err(BookingMapError::EmptyCode);
    }
    let slot = slot_start(&b.slot).ok_or_else(|| BookingMapError::BadSlot {
        booking: code.clone(),
        slot: b.slot.clone(),
    })?;
    let service = |name: &str| {
        service_code(name).ok_or_else(|| BookingMapError::UnknownService {
            booking: code.clone(),
            service: name.to_string(),
        })
    };
    let applicants = if b.applicants.is_empty() {
        vec![Applicant {
            name: b.applicant_name.trim().to_string(),
            nik: String::new(),
            service: service(&b.service)?,
        }]
    } else {
        b.applicants
            .iter()
            .map(|a| {
                Ok(Applicant {
                    name: a.name.trim().to_string(),
                    nik: a.nik.trim().to_string(),
                    service: service(&a.service)?,
                })
            })
            .collect::<Result<Vec<_>, BookingMapError>>()?
    };
    if applicants.len() > MAX_APPLICANTS {
        return Err(BookingMapError::Applicants {
            booking: code,
            count: applicants.len(),
        });
    }
    Ok(loket_domain::Booking {
        code,
        office_code: b.office.trim().to_string(),
        date: b.date,
        slot_start: slot,
        applicants,
        payment: payment_status(b.payment),
        billing_code: b
            .billing_code
            .as_deref()
            .and_then(|c| BillingCode::parse(c).ok()),
        cancelled: false,
        rescheduled: b.rescheduled,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;
    use loket_sync_protocol::BookingApplicant;
    use proptest::prelude::*;

    fn wire() -> Booking {
        Booking {
            booking_id: " mp-2026 0001 ".into(),
            office: "JKT-01".into(),
            date: NaiveDate::from_ymd_opt(2026, 11, 23).unwrap_or_default(),
            slot: "08:30-09:00".into(),
            service: "renewal".into(),
            applicant_name: " Siti ".into(),
            payment: PaymentState::Paid,
            version: 3,
            applicants: Vec::new(),
            billing_code: Some("820261123000001".into()),
            rescheduled: false,
        }
    }

    #[test]
    fn one_applicant_booking_maps_onto_the_domain_booking() {
        let b = to_domain(&wire()).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(b.code, "MP-20260001");
        assert_eq!(b.office_code, "JKT-01");
        assert_eq!(
            b.slot_start,
            NaiveTime::from_hms_opt(8, 30, 0).unwrap_or_default()
        );
        assert_eq!(b.applicants.len(), 1);
        assert_eq!(b.applicants[0].name, "Siti");
        assert_eq!(b.applicants[0].service, ServiceCode::Replacement);
        assert_eq!(b.payment, PaymentStatus::Paid);
        assert_eq!(
            b.billing_code.as_ref().map(|c| c.as_str()),
            Some("820261123000001")
        );
        assert!(!b.cancelled && !b.rescheduled);
    }

    #[test]
    fn several_applicants_keep_their_order_nik_and_service() {
        let mut w = wire();
        w.applicants = vec![
            BookingApplicant {
                name: "A".into(),
                nik: "3171234567890001".into(),
                service: "new_passport".into(),
            },
            BookingApplicant {
                name: "B".into(),
                nik: "3171234567890002".into(),
                service: "replacement".into(),
            },
        ];
        w.rescheduled = true;
        w.billing_code = Some("12345".into());
        let b = to_domain(&w).unwrap_or_else(|e| panic!("{e}"));
        let services: Vec<_> = b.applicants.iter().map(|a| a.service).collect();
        assert_eq!(
            services,
            [ServiceCode::NewPassport, ServiceCode::Replacement]
        );
        assert_eq!(b.applicants[1].nik, "3171234567890002");
        assert!(b.rescheduled);
        assert!(
            b.billing_code.is_none(),
            "a malformed billing code is dropped"
        );
    }

    #[test]
    fn unusable_bookings_say_why() {
        let mut w = wire();
        w.slot = "pagi".into();
        assert!(matches!(
            to_domain(&w),
            Err(BookingMapError::BadSlot { .. })
        ));
        let mut w = wire();
        w.service = "visa".into();
        let err = to_domain(&w).err();
        assert!(matches!(err, Some(BookingMapError::UnknownService { .. })));
        assert!(
            err.map(|e| e.to_string())
                .unwrap_or_default()
                .contains("visa")
        );
        let mut w = wire();
        w.applicants = (0..6)
            .map(|i| BookingApplicant {
                name: format!("P{i}"),
                nik: String::new(),
                service: "new_passport".into(),
            })
            .collect();
        assert!(matches!(
            to_domain(&w),
            Err(BookingMapError::Applicants { count: 6, .. })
        ));
        let mut w = wire();
        w.booking_id = "  ".into();
        assert_eq!(to_domain(&w).err(), Some(BookingMapError::EmptyCode));
    }

    #[test]
    fn only_paid_lets_a_booking_in() {
        assert_eq!(payment_status(PaymentState::Paid), PaymentStatus::Paid);
        for s in [
            PaymentState::Unpaid,
            PaymentState::Revoked,
            PaymentState::Refunded,
        ] {
            assert_eq!(payment_status(s), PaymentStatus::Unpaid);
        }
    }

    proptest! {
        #[test]
        fn mapping_never_panics_and_keeps_the_normalized_code(
            id in ".{0,20}", slot in ".{0,12}", service in "[a-z_]{0,14}", n in 0usize..8
        ) {
            let mut w = wire();
            w.booking_id = id.clone();
            w.slot = slot;
            w.service = service.clone();
            w.applicants = (0..n).map(|i| BookingApplicant {
                name: format!("P{i}"), nik: String::new(), service: service.clone(),
            }).collect();
            if let Ok(b) = to_domain(&w) {
                prop_assert_eq!(b.code, normalize_booking_code(&id));
                prop_assert!(!b.applicants.is_empty() && b.applicants.len() <= MAX_APPLICANTS);
            }
        }
    }
}
