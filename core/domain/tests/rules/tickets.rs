use loket_domain::{DomainError, MAX_TICKET_NUMBER, TicketNumber, UserFacing, next_ticket_number};

#[test]
fn formatting_and_parsing() {
    for (text, letter, number) in [
        ("A001", 'A', 1),
        ("B010", 'B', 10),
        ("E999", 'E', 999),
        ("c123", 'C', 123),
    ] {
        let t: TicketNumber = text.parse().unwrap_or_else(|e| panic!("{text}: {e}"));
        assert_eq!((t.letter(), t.number()), (letter, number));
        assert_eq!(t.to_string(), text.to_uppercase());
    }
    for bad in [
        "", "A", "A01", "A0001", "A000", "1001", "AA01", "A-01", "Ä001", "A1000", "A 01",
    ] {
        let err = bad.parse::<TicketNumber>().expect_err(bad);
        assert_eq!(err.code(), "invalid_ticket_number", "{bad}");
    }
    assert!(TicketNumber::new('a', 1).is_err());
    assert!(TicketNumber::new('A', 0).is_err());
    assert!(TicketNumber::new('A', 1000).is_err());
}

#[test]
fn next_number_counts_up_from_one() {
    assert_eq!(
        next_ticket_number('A', None).map(|t| t.to_string()),
        Ok("A001".to_string())
    );
    assert_eq!(
        next_ticket_number('A', Some(1)).map(|t| t.to_string()),
        Ok("A002".to_string())
    );
    assert_eq!(
        next_ticket_number('D', Some(998)).map(|t| t.to_string()),
        Ok("D999".to_string())
    );
    let mut last = None;
    for expected in 1..=MAX_TICKET_NUMBER {
        let t = next_ticket_number('A', last).expect("within 999");
        assert_eq!(t.number(), expected);
        last = Some(t.number());
    }
}

#[test]
fn number_space_ends_at_999() {
    let err = next_ticket_number('A', Some(999)).expect_err("999 is the last");
    assert_eq!(err, DomainError::TicketNumbersExhausted { letter: 'A' });
    assert_eq!(err.code(), "ticket_numbers_exhausted");
    assert!(err.message_id().contains("999"));
}

#[test]
fn serde_as_string() {
    let t: TicketNumber = "A007".parse().expect("valid");
    assert_eq!(serde_json::to_string(&t).ok(), Some("\"A007\"".to_string()));
    assert_eq!(
        serde_json::from_str::<TicketNumber>("\"A007\"").ok(),
        Some(t)
    );
    assert!(serde_json::from_str::<TicketNumber>("\"A000\"").is_err());
    assert_eq!(t.spoken_digits(), "A 0 0 7");
}
