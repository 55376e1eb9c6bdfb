use super::date;
use loket_domain::{
    IdentityError, IdentityWarning, Sex, UserFacing, check_nik, check_passport_number,
    mrz_check_digit, parse_nik, parse_td3,
};

const SPECIMEN_1: &str = "P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<";
const SPECIMEN_2: &str = "L898902C36UTO7408122F1204159ZE184226B<<<<<10";

#[test]
fn nik_valid_cases_parse_into_parts() {
    let today = date(2026, 11, 23);
    // (nik, province, regency, district, birth date, sex, serial)
    let cases = [
        (
            "3171014509900001",
            31,
            71,
            1,
            date(1990, 9, 5),
            Sex::Female,
            1,
        ),
        (
            "3171010101000001",
            31,
            71,
            1,
            date(2000, 1, 1),
            Sex::Male,
            1,
        ),
        (
            "3273012503250002",
            32,
            73,
            1,
            date(2025, 3, 25),
            Sex::Male,
            2,
        ),
        (
            "1101011212619999",
            11,
            1,
            1,
            date(1961, 12, 12),
            Sex::Male,
            9999,
        ),
        (
            "9471027112850123",
            94,
            71,
            2,
            date(1985, 12, 31),
            Sex::Female,
            123,
        ),
        (
            "3171012902000001",
            31,
            71,
            1,
            date(2000, 2, 29),
            Sex::Male,
            1,
        ),
        // A date later this year than today belongs to the previous century.
        (
            "3171012412260001",
            31,
            71,
            1,
            date(1926, 12, 24),
            Sex::Male,
            1,
        ),
        (
            " 3171012311260001 ",
            31,
            71,
            1,
            date(2026, 11, 23),
            Sex::Male,
            1,
        ),
    ];
    for (nik, province, regency, district, birth, sex, serial) in cases {
        let info = parse_nik(nik, today).unwrap_or_else(|e| panic!("{nik}: {e}"));
        assert_eq!(
            (
                info.province,
                info.regency,
                info.district,
                info.birth_date,
                info.sex,
                info.serial
            ),
            (province, regency, district, birth, sex, serial),
            "{nik}"
        );
    }
}

#[test]
fn nik_invalid_cases_give_distinct_errors() {
    let today = date(2026, 11, 23);
    let cases = [
        ("317101450990000", IdentityError::NikFormat),
        ("31710145099000011", IdentityError::NikFormat),
        ("31710145099O0001", IdentityError::NikFormat),
        ("", IdentityError::NikFormat),
        ("3171-14509900001", IdentityError::NikFormat),
        (
            "1071014509900001",
            IdentityError::NikProvince { province: 10 },
        ),
        (
            "9571014509900001",
            IdentityError::NikProvince { province: 95 },
        ),
        (
            "0071014509900001",
            IdentityError::NikProvince { province: 0 },
        ),
        ("3100014509900001", IdentityError::NikRegency),
        ("3171004509900001", IdentityError::NikDistrict),
        ("3171013102900001", IdentityError::NikBirthDate),
        ("3171010001900001", IdentityError::NikBirthDate),
        ("3171014001900001", IdentityError::NikBirthDate),
        ("3171017201900001", IdentityError::NikBirthDate),
        ("3171010113900001", IdentityError::NikBirthDate),
        ("3171012902010001", IdentityError::NikBirthDate),
        ("3171014509900000", IdentityError::NikSerial),
    ];
    for (nik, expected) in cases {
        assert_eq!(parse_nik(nik, today), Err(expected.clone()), "{nik}");
        assert!(
            expected.code().starts_with("invalid_nik"),
            "{}",
            expected.code()
        );
    }
}

#[test]
fn nik_date_differing_from_declared_is_a_warning_not_an_error() {
    let today = date(2026, 11, 23);
    let ok = check_nik("3171014509900001", today, Some(date(1990, 9, 5))).expect("valid");
    assert!(ok.warnings.is_empty());

    let warned = check_nik("3171014509900001", today, Some(date(1990, 9, 6))).expect("still valid");
    assert_eq!(
        warned.warnings,
        vec![IdentityWarning::NikBirthDateMismatch {
            nik_date: date(1990, 9, 5),
            declared: date(1990, 9, 6)
        }]
    );
    assert_eq!(warned.warnings[0].code(), "nik_birth_date_mismatch");
    assert!(warned.warnings[0].message_id().contains("05-09-1990"));

    // The declared date settles the century when the two-digit years agree.
    let old = check_nik("3171012503250002", today, Some(date(1925, 3, 25))).expect("valid");
    assert_eq!(old.info.birth_date, date(1925, 3, 25));
    assert!(old.warnings.is_empty());
}

#[test]
fn passport_numbers() {
    let ok = check_passport_number("c 1234567").expect("valid");
    assert_eq!(ok.number, "C1234567");
    assert_eq!(ok.warning, None);

    for unusual in ["AB123456", "X12345", "123456789", "E1234567A"] {
        let checked = check_passport_number(unusual).expect(unusual);
        assert!(
            matches!(
                checked.warning,
                Some(IdentityWarning::UnusualPassportNumber { .. })
            ),
            "{unusual} should warn"
        );
    }
    for bad in ["", "A12", "A1234567890", "A12-4567", "Ä1234567"] {
        assert_eq!(
            check_passport_number(bad),
            Err(IdentityError::PassportNumberFormat),
            "{bad}"
        );
    }
}

#[test]
fn mrz_check_digits_of_the_specimen_fields() {
    assert_eq!(SPECIMEN_1.len(), 44);
    for (field, digit) in [
        ("L898902C3", 6),
        ("740812", 2),
        ("120415", 9),
        ("ZE184226B<<<<<", 1),
        ("<<<<", 0),
    ] {
        assert_eq!(mrz_check_digit(field), Some(digit), "{field}");
    }
    assert_eq!(mrz_check_digit("a"), None);
}

#[test]
fn mrz_specimen_validates_and_parses() {
    let td3 = parse_td3(SPECIMEN_1, SPECIMEN_2).expect("specimen must validate");
    assert_eq!(td3.document_code, "P");
    assert_eq!(td3.issuing_state, "UTO");
    assert_eq!(td3.surname, "ERIKSSON");
    assert_eq!(td3.given_names, "ANNA MARIA");
    assert_eq!(td3.document_number, "L898902C3");
    assert_eq!(td3.nationality, "UTO");
    assert_eq!(td3.sex, Some(Sex::Female));
    assert_eq!(td3.personal_number, "ZE184226B");
    assert_eq!(
        td3.birth_date.as_birth_date(date(2026, 1, 1)),
        Some(date(1974, 8, 12))
    );
    assert_eq!(td3.expiry_date.as_expiry_date(), Some(date(2012, 4, 15)));
}

fn with_char(line: &str, index: usize, c: char) -> String {
    line.chars()
        .enumerate()
        .map(|(i, old)| if i == index { c } else { old })
        .collect()
}

#[test]
fn each_failing_mrz_check_digit_is_its_own_error() {
    let cases = [
        (
            9,
            '7',
            IdentityError::MrzDocumentNumberCheck,
            "mrz_check_document_number",
        ),
        (
            19,
            '3',
            IdentityError::MrzBirthDateCheck,
            "mrz_check_birth_date",
        ),
        (
            27,
            '8',
            IdentityError::MrzExpiryDateCheck,
            "mrz_check_expiry_date",
        ),
        (
            42,
            '2',
            IdentityError::MrzPersonalNumberCheck,
            "mrz_check_personal_number",
        ),
        (
            43,
            '1',
            IdentityError::MrzCompositeCheck,
            "mrz_check_composite",
        ),
        // A changed data character breaks its field's digit first.
        (
            0,
            'M',
            IdentityError::MrzDocumentNumberCheck,
            "mrz_check_document_number",
        ),
        (
            14,
            '5',
            IdentityError::MrzBirthDateCheck,
            "mrz_check_birth_date",
        ),
        (
            30,
            '7',
            IdentityError::MrzPersonalNumberCheck,
            "mrz_check_personal_number",
        ),
    ];
    for (index, c, expected, code) in cases {
        let line2 = with_char(SPECIMEN_2, index, c);
        let err = parse_td3(SPECIMEN_1, &line2).expect_err(&line2);
        assert_eq!(err, expected, "{line2}");
        assert_eq!(err.code(), code);
    }
    // ICAO 9303 leaves sex and nationality outside every check digit.
    assert!(parse_td3(SPECIMEN_1, &with_char(SPECIMEN_2, 20, 'M')).is_ok());
}

/// Builds a TD3 second line with correct check digits.
fn build_line2(
    doc: &str,
    nat: &str,
    birth: &str,
    sex: char,
    expiry: &str,
    personal: &str,
) -> String {
    let digit = |s: &str| char::from(b'0' + mrz_check_digit(s).unwrap_or(0));
    let doc = format!("{doc:<<9}");
    let personal = format!("{personal:<<14}");
    let personal_check = if personal.chars().all(|c| c == '<') {
        '<'
    } else {
        digit(&personal)
    };
    let body = format!(
        "{doc}{}{nat}{birth}{}{sex}{expiry}{}{personal}{personal_check}",
        digit(&doc),
        digit(birth),
        digit(expiry)
    );
    let composite = format!("{}{}{}", &body[0..10], &body[13..20], &body[21..43]);
    format!("{body}{}", digit(&composite))
}

#[test]
fn indonesian_passport_with_empty_personal_number() {
    let line1 = format!("{:<<44}", "P<IDNSANTOSO<<BUDI");
    let line2 = build_line2("C1234567", "IDN", "900905", 'M', "350101", "");
    assert_eq!(line2.len(), 44);
    let td3 = parse_td3(&line1, &line2).expect("valid");
    assert_eq!(td3.surname, "SANTOSO");
    assert_eq!(td3.given_names, "BUDI");
    assert_eq!(td3.document_number, "C1234567");
    assert_eq!(td3.personal_number, "");
    // '0' is also accepted as the check digit of an empty personal number ('<' and '0'
    // weigh the same in the composite).
    let zero = with_char(&line2, 42, '0');
    assert!(parse_td3(&line1, &zero).is_ok());
}

#[test]
fn malformed_mrz_lines() {
    assert!(matches!(
        parse_td3("P<UTO", SPECIMEN_2),
        Err(IdentityError::MrzFormat { line: 1, .. })
    ));
    assert!(matches!(
        parse_td3(SPECIMEN_1, &SPECIMEN_2[..43]),
        Err(IdentityError::MrzFormat { line: 2, .. })
    ));
    let bad_char = with_char(SPECIMEN_2, 30, '#');
    assert!(matches!(
        parse_td3(SPECIMEN_1, &bad_char),
        Err(IdentityError::MrzFormat { line: 2, .. })
    ));
    let not_passport = with_char(SPECIMEN_1, 0, 'I');
    assert_eq!(
        parse_td3(&not_passport, SPECIMEN_2),
        Err(IdentityError::MrzNotPassport)
    );
    // Lower case and surrounding spaces are tolerated (OCR / typing).
    assert!(parse_td3(&format!(" {} ", SPECIMEN_1.to_lowercase()), SPECIMEN_2).is_ok());
}
