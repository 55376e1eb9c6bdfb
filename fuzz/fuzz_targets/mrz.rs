//! The passport's machine readable zone (TD3) as an MRZ reader or a person types it: two
//! lines, split at the first newline.
#![no_main]

use chrono::NaiveDate;
use libfuzzer_sys::fuzz_target;
use loket_domain::{mrz_check_digit, parse_td3};

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let (line1, line2) = text.split_once('\n').unwrap_or((&text, ""));
    let _ = mrz_check_digit(line1);

    let Ok(td3) = parse_td3(line1, line2) else {
        return;
    };
    assert!(td3.document_code.starts_with('P'));
    let reference = NaiveDate::from_ymd_opt(2026, 12, 1).expect("date");
    if let Some(born) = td3.birth_date.as_birth_date(reference) {
        assert!(born <= reference);
    }
    let _ = td3.expiry_date.as_expiry_date();
    // A parsed MRZ has every check digit right: the same lines parse again the same way.
    assert_eq!(parse_td3(line1, line2).ok(), Some(td3.clone()));
    let json = serde_json::to_string(&td3).expect("serializes");
    let back: loket_domain::Td3 = serde_json::from_str(&json).expect("round trip");
    assert_eq!(back, td3);
});
