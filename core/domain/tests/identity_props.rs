//! Property tests of the identity checks: NIKs built from valid parts parse back to those
//! parts; MRZs built with correct check digits validate, and any change of one digit of a
//! date field is caught by that field's check digit.

use chrono::{Datelike, NaiveDate};
use loket_domain::{IdentityError, Sex, mrz_check_digit, parse_nik, parse_td3};
use proptest::prelude::*;

fn reference() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 23).unwrap_or_default()
}

fn birth_date() -> impl Strategy<Value = NaiveDate> {
    // Born within the last 99 years, so the two-digit year has one reading.
    let end = reference();
    let start =
        NaiveDate::from_ymd_opt(end.year() - 99, end.month(), end.day()).unwrap_or_default();
    let span = (end - start).num_days();
    (1..=span).prop_map(move |d| start + chrono::Duration::days(d))
}

proptest! {
    #[test]
    fn nik_from_valid_parts_round_trips(
        province in 11u8..=94,
        regency in 1u8..=99,
        district in 1u8..=99,
        birth in birth_date(),
        female in any::<bool>(),
        serial in 1u16..=9999,
    ) {
        let day = birth.day() + if female { 40 } else { 0 };
        let nik = format!(
            "{province:02}{regency:02}{district:02}{day:02}{:02}{:02}{serial:04}",
            birth.month(),
            birth.year() % 100
        );
        let info = parse_nik(&nik, reference()).map_err(|e| TestCaseError::fail(format!("{nik}: {e}")))?;
        prop_assert_eq!(info.province, province);
        prop_assert_eq!(info.regency, regency);
        prop_assert_eq!(info.district, district);
        prop_assert_eq!(info.birth_date, birth);
        prop_assert_eq!(info.sex, if female { Sex::Female } else { Sex::Male });
        prop_assert_eq!(info.serial, serial);
    }

    #[test]
    fn nik_parser_never_panics(s in "\\PC{0,20}", digits in "[0-9]{16}") {
        let _ = parse_nik(&s, reference());
        let _ = parse_nik(&digits, reference());
    }

    #[test]
    fn built_mrz_validates_and_date_digit_changes_are_caught(
        doc in "[A-Z][0-9]{7}",
        birth in birth_date(),
        expiry_years in 1i32..=10,
        personal in "[A-Z0-9]{0,14}",
        position in 0usize..12,
        delta in 1u8..=9,
    ) {
        let yymmdd = |d: NaiveDate| format!("{:02}{:02}{:02}", d.year() % 100, d.month(), d.day());
        let expiry = NaiveDate::from_ymd_opt(2026 + expiry_years, 1, 15).unwrap_or_default();
        let digit = |s: &str| char::from(b'0' + mrz_check_digit(s).unwrap_or(0));
        let doc9 = format!("{doc:<<9}");
        let personal14 = format!("{personal:<<14}");
        let (b, e) = (yymmdd(birth), yymmdd(expiry));
        let body = format!(
            "{doc9}{}IDN{b}{}F{e}{}{personal14}{}",
            digit(&doc9), digit(&b), digit(&e), digit(&personal14)
        );
        let composite = format!("{}{}{}", &body[0..10], &body[13..20], &body[21..43]);
        let line2 = format!("{body}{}", digit(&composite));
        let line1 = format!("{:<<44}", "P<IDNWIJAYA<<SITI<AMINAH");
        let td3 = parse_td3(&line1, &line2).map_err(|err| TestCaseError::fail(format!("{line2}: {err}")))?;
        prop_assert_eq!(td3.birth_date.as_birth_date(reference()), Some(birth));

        // Change one digit of the birth date (positions 13..19) or expiry (21..27).
        let (index, expected) = if position < 6 {
            (13 + position, IdentityError::MrzBirthDateCheck)
        } else {
            (21 + position - 6, IdentityError::MrzExpiryDateCheck)
        };
        let mut bytes = line2.clone().into_bytes();
        bytes[index] = b'0' + (bytes[index] - b'0' + delta) % 10;
        let changed = String::from_utf8(bytes).unwrap_or_default();
        prop_assert_eq!(parse_td3(&line1, &changed), Err(expected));
    }
}

proptest! {
    /// Arbitrary text never panics any parser, and errors carry no input in their log text.
    #[test]
    fn parsers_never_panic_on_arbitrary_text(
        a in "\\PC{0,50}",
        b in "[A-Z0-9<]{40,46}",
        nik in "[0-9]{16}",
    ) {
        let _ = parse_td3(&a, &b);
        let _ = parse_td3(&b, &b);
        let _ = loket_domain::check_passport_number(&a);
        let _ = a.parse::<loket_domain::TicketNumber>();
        let _ = loket_domain::BillingCode::parse(&a);
        if let Err(e) = loket_domain::check_nik(&nik, reference(), None) {
            prop_assert!(!e.to_string().contains(&nik), "logs must not carry the NIK");
        }
    }
}
