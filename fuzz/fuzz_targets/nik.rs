//! NIK (with any reference date and declared birth date) and passport numbers, as typed
//! at the counter, read from a bookings file or sent by central.
#![no_main]

use chrono::NaiveDate;
use libfuzzer_sys::fuzz_target;
use loket_domain::{IdentityWarning, Sex, check_nik, check_passport_number, parse_nik};

/// A date from four little-endian bytes: days from 0001-01-01 (clamped to chrono's range).
fn date(bytes: &[u8]) -> NaiveDate {
    let days = i32::from_le_bytes([bytes[0], bytes[1], bytes[2], bytes[3]]);
    NaiveDate::from_num_days_from_ce_opt(days).unwrap_or(if days < 0 {
        NaiveDate::MIN
    } else {
        NaiveDate::MAX
    })
}

// Input: 4 bytes reference date (the office day, or a booking's date), 1 flag byte (odd: a
// declared birth date follows), 4 bytes declared birth date, then the text.
fuzz_target!(|data: &[u8]| {
    if data.len() < 9 {
        return;
    }
    let reference = date(&data[0..4]);
    let declared = (data[4] % 2 == 1).then(|| date(&data[5..9]));
    let text = String::from_utf8_lossy(&data[9..]);
    let text = text.as_ref();

    if let Ok(info) = parse_nik(text, reference) {
        let nik = text.trim();
        assert!((11..=94).contains(&info.province));
        assert!(info.regency >= 1 && info.district >= 1 && info.serial >= 1);
        assert!(
            info.birth_date <= reference,
            "{nik}: born after {reference}"
        );
        let female = &nik[6..8] > "40";
        assert_eq!(info.sex == Sex::Female, female, "{nik}");
    }

    match check_nik(text, reference, declared) {
        Ok(check) => {
            let mismatch = check
                .warnings
                .iter()
                .any(|w| matches!(w, IdentityWarning::NikBirthDateMismatch { .. }));
            assert_eq!(
                mismatch,
                declared.is_some_and(|d| d != check.info.birth_date)
            );
            for w in &check.warnings {
                let _ = (w.code(), w.message_id(), w.message_en());
            }
        }
        Err(e) => {
            let _ = e.to_string();
        }
    }

    if let Ok(check) = check_passport_number(text) {
        assert!((6..=9).contains(&check.number.len()));
        assert!(
            check
                .number
                .bytes()
                .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit())
        );
        assert_eq!(
            check_passport_number(&check.number).ok(),
            Some(check.clone())
        );
    }
});
