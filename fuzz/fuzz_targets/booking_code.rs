//! Booking codes and what the kiosk's scanner types: the M-Paspor QR (a booking code), a
//! typed booking proof, a SIMPONI billing code, a pickup receipt, a ticket number.
#![no_main]

use chrono::NaiveDate;
use libfuzzer_sys::fuzz_target;
use loket_domain::{
    BillingCode, PickupKey, ReceiptNumber, TicketNumber, kiosk_query, normalize_booking_code,
};

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let text = text.as_ref();

    // The form check-in, central's feed and the bookings file meet on: stable.
    let code = normalize_booking_code(text);
    assert_eq!(normalize_booking_code(&code), code);
    assert!(!code.chars().any(char::is_whitespace));

    if let Ok(billing) = BillingCode::parse(text) {
        assert_eq!(billing.as_str().len(), 15);
        assert!(billing.as_str().bytes().all(|b| b.is_ascii_digit()));
        let json = serde_json::to_string(&billing).expect("serializes");
        let back: BillingCode = serde_json::from_str(&json).expect("round trip");
        assert_eq!(back, billing);
    }

    if let Ok(receipt) = ReceiptNumber::parse(text) {
        assert_eq!(
            ReceiptNumber::parse(receipt.as_str()).ok(),
            Some(receipt.clone())
        );
        let json = serde_json::to_string(&receipt).expect("serializes");
        let back: ReceiptNumber = serde_json::from_str(&json).expect("round trip");
        assert_eq!(back, receipt);
    }
    let _ = PickupKey::receipt(text);
    let today = NaiveDate::from_ymd_opt(2026, 12, 1).expect("date");
    let _ = PickupKey::nik(text, today);

    if let Some(query) = kiosk_query(text) {
        assert_eq!(kiosk_query(&query), Some(query.clone()));
    }

    if let Ok(ticket) = text.parse::<TicketNumber>() {
        let shown = ticket.to_string();
        assert_eq!(shown.parse::<TicketNumber>().ok(), Some(ticket));
    }

    // Whatever arrives as JSON is checked the same way.
    let _ = serde_json::from_slice::<BillingCode>(data);
    let _ = serde_json::from_slice::<ReceiptNumber>(data);
    let _ = serde_json::from_slice::<TicketNumber>(data);
});
