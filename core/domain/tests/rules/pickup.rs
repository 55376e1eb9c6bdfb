use super::{date, utc};
use loket_domain::pickup::overdue_for_cancellation;
use loket_domain::{
    Collector, CollectorKind, FamilyCardShown, FamilyRelation, IdDocument, IdKind,
    KioskPickupAnswer, PassportForPickup, PickupError, PickupKey, PickupRules, PickupStatus,
    PowerOfAttorneyShown, PresentedDocuments, ReceiptNumber, UserFacing, VisitId, check_handover,
    kiosk_answer, kiosk_query, pickup_status,
};

const NIK: &str = "3171014509900001";

fn passport() -> PassportForPickup {
    PassportForPickup {
        receipt: ReceiptNumber::parse("JKT-2026-000123").expect("receipt"),
        visit: Some(VisitId(42)),
        booking_code: Some("MP7X2K9Q".into()),
        applicant_nik: NIK.into(),
        passport_number: Some("E1234567".into()),
        // Monday 23 November 2026: ready on Friday 27 November.
        visit_date: date(2026, 11, 23),
        ready_on: None,
        collected_at: None,
        cancelled: false,
    }
}

fn ektp(number: &str) -> Option<IdDocument> {
    Some(IdDocument {
        kind: IdKind::Ektp,
        number: number.into(),
    })
}

fn receipt() -> Option<String> {
    Some("jkt-2026-000123".into())
}

fn family() -> Collector {
    Collector::Family {
        name: "Ahmad".into(),
        relation: FamilyRelation::Spouse,
    }
}

fn proxy() -> Collector {
    Collector::Proxy {
        name: "Rudi".into(),
    }
}

const TODAY: (i32, u32, u32) = (2026, 11, 30);

fn check(collector: &Collector, docs: &PresentedDocuments) -> Result<CollectorKind, PickupError> {
    let (y, m, d) = TODAY;
    check_handover(
        &passport(),
        collector,
        docs,
        date(y, m, d),
        &PickupRules::default(),
    )
    .map(|a| a.collector)
}

#[test]
fn applicant_collects_with_receipt_and_id() {
    let docs = PresentedDocuments {
        receipt: receipt(),
        id: ektp("3171 0145 0990 0001"),
        ..Default::default()
    };
    let approval = check_handover(
        &passport(),
        &Collector::Applicant,
        &docs,
        date(2026, 11, 30),
        &PickupRules::default(),
    )
    .expect("handover");
    assert_eq!(approval.collector, CollectorKind::Applicant);
    assert_eq!(approval.collector_id_number, NIK);
    assert!(!approval.overdue);
    assert_eq!(
        check(
            &Collector::Applicant,
            &PresentedDocuments {
                id: None,
                ..docs.clone()
            }
        ),
        Err(PickupError::ApplicantIdMissing)
    );
    assert_eq!(
        check(
            &Collector::Applicant,
            &PresentedDocuments {
                id: ektp("3171014509900002"),
                ..docs.clone()
            }
        ),
        Err(PickupError::ApplicantIdMismatch)
    );
    assert_eq!(
        check(
            &Collector::Applicant,
            &PresentedDocuments {
                receipt: None,
                ..docs.clone()
            }
        ),
        Err(PickupError::ReceiptMissing)
    );
    assert_eq!(
        check(
            &Collector::Applicant,
            &PresentedDocuments {
                receipt: Some("JKT-2026-000999".into()),
                ..docs
            }
        ),
        Err(PickupError::ReceiptMismatch)
    );
}

#[test]
fn family_collects_with_receipt_and_family_card_showing_the_relation() {
    let kk = |number: &str, shows_relation| {
        Some(FamilyCardShown {
            number: number.into(),
            shows_relation,
        })
    };
    let docs = PresentedDocuments {
        receipt: receipt(),
        family_card: kk("3171010101090001", true),
        ..Default::default()
    };
    assert_eq!(check(&family(), &docs), Ok(CollectorKind::Family));
    assert_eq!(
        check(
            &family(),
            &PresentedDocuments {
                family_card: None,
                ..docs.clone()
            }
        ),
        Err(PickupError::FamilyCardMissing)
    );
    assert_eq!(
        check(
            &family(),
            &PresentedDocuments {
                family_card: kk("3171010101090001", false),
                ..docs.clone()
            }
        ),
        Err(PickupError::FamilyCardNoRelation)
    );
    assert_eq!(
        check(
            &family(),
            &PresentedDocuments {
                family_card: kk("31710101", true),
                ..docs.clone()
            }
        ),
        Err(PickupError::FamilyCardNumberInvalid)
    );
    assert_eq!(
        check(
            &Collector::Family {
                name: " ".into(),
                relation: FamilyRelation::Child
            },
            &docs
        ),
        Err(PickupError::CollectorNameMissing)
    );
    assert_eq!(
        check(
            &family(),
            &PresentedDocuments {
                receipt: None,
                ..docs
            }
        ),
        Err(PickupError::ReceiptMissing)
    );
}

#[test]
fn anyone_else_needs_power_of_attorney_and_own_id() {
    let poa = |signed_by_applicant, names_collector| {
        Some(PowerOfAttorneyShown {
            signed_by_applicant,
            names_collector,
        })
    };
    let docs = PresentedDocuments {
        receipt: receipt(),
        id: Some(IdDocument {
            kind: IdKind::DrivingLicence,
            number: "1234-5678-000001".into(),
        }),
        power_of_attorney: poa(true, true),
        ..Default::default()
    };
    assert_eq!(check(&proxy(), &docs), Ok(CollectorKind::Proxy));
    assert_eq!(
        check(
            &proxy(),
            &PresentedDocuments {
                power_of_attorney: None,
                ..docs.clone()
            }
        ),
        Err(PickupError::PowerOfAttorneyMissing)
    );
    for (signed, names) in [(false, true), (true, false)] {
        assert_eq!(
            check(
                &proxy(),
                &PresentedDocuments {
                    power_of_attorney: poa(signed, names),
                    ..docs.clone()
                }
            ),
            Err(PickupError::PowerOfAttorneyInvalid)
        );
    }
    assert_eq!(
        check(
            &proxy(),
            &PresentedDocuments {
                id: None,
                ..docs.clone()
            }
        ),
        Err(PickupError::ProxyIdMissing)
    );
    // A family card is no power of attorney.
    assert_eq!(
        check(
            &proxy(),
            &PresentedDocuments {
                power_of_attorney: None,
                family_card: Some(FamilyCardShown {
                    number: "3171010101090001".into(),
                    shows_relation: true
                }),
                ..docs
            }
        ),
        Err(PickupError::PowerOfAttorneyMissing)
    );
}

#[test]
fn every_refusal_has_its_own_code_and_messages() {
    let all = [
        PickupError::InvalidReceiptNumber,
        PickupError::InvalidNik,
        PickupError::NotFound,
        PickupError::NotReady {
            expected: date(2026, 11, 27),
        },
        PickupError::AlreadyCollected,
        PickupError::Cancelled,
        PickupError::ReceiptMissing,
        PickupError::ReceiptMismatch,
        PickupError::ApplicantIdMissing,
        PickupError::ApplicantIdMismatch,
        PickupError::FamilyCardMissing,
        PickupError::FamilyCardNoRelation,
        PickupError::FamilyCardNumberInvalid,
        PickupError::PowerOfAttorneyMissing,
        PickupError::PowerOfAttorneyInvalid,
        PickupError::ProxyIdMissing,
        PickupError::CollectorNameMissing,
    ];
    let mut codes: Vec<&str> = all.iter().map(|e| e.code()).collect();
    codes.sort_unstable();
    codes.dedup();
    assert_eq!(codes.len(), all.len());
    for e in &all {
        assert!(!e.message_id().is_empty() && !e.message_en().is_empty());
        assert_ne!(e.message_id(), e.message_en());
    }
}

#[test]
fn passport_state_refusals_come_first() {
    let docs = PresentedDocuments {
        receipt: receipt(),
        id: ektp(NIK),
        ..Default::default()
    };
    let rules = PickupRules::default();
    let at = |p: &PassportForPickup, d| check_handover(p, &Collector::Applicant, &docs, d, &rules);
    assert_eq!(
        at(&passport(), date(2026, 11, 26)),
        Err(PickupError::NotReady {
            expected: date(2026, 11, 27)
        })
    );
    let mut collected = passport();
    collected.collected_at = Some(utc(3, 0));
    assert_eq!(
        at(&collected, date(2026, 11, 30)),
        Err(PickupError::AlreadyCollected)
    );
    let mut cancelled = passport();
    cancelled.cancelled = true;
    assert_eq!(
        at(&cancelled, date(2026, 11, 30)),
        Err(PickupError::Cancelled)
    );
    // Past the 30 days: flagged, still handed over until the office cancels it.
    let approval = at(&passport(), date(2026, 12, 28)).expect("overdue but not cancelled");
    assert!(approval.overdue);
}

#[test]
fn ready_after_four_working_days_skipping_weekends_and_holidays() {
    let rules = PickupRules::default();
    // Monday -> Friday of the same week.
    assert_eq!(rules.ready_date(date(2026, 11, 23)), date(2026, 11, 27));
    // Thursday -> Fri, Mon, Tue, Wed.
    assert_eq!(rules.ready_date(date(2026, 11, 26)), date(2026, 12, 2));
    // Saturday (simpatik day) -> Mon..Thu.
    assert_eq!(rules.ready_date(date(2026, 11, 28)), date(2026, 12, 3));
    // Christmas (Friday 25 December 2026) as a holiday: Tue 22 -> Wed 23, Thu 24, Mon 28, Tue 29.
    let rules = PickupRules {
        holidays: vec![date(2026, 12, 25)],
        ..PickupRules::default()
    };
    assert_eq!(rules.ready_date(date(2026, 12, 22)), date(2026, 12, 29));
    let rules = PickupRules {
        ready_after_working_days: 1,
        ..PickupRules::default()
    };
    assert_eq!(rules.ready_date(date(2026, 11, 27)), date(2026, 11, 30));
}

#[test]
fn thirty_day_rule_flags_for_cancellation() {
    let ready = date(2026, 11, 27);
    assert_eq!(
        pickup_status(ready, date(2026, 11, 26)),
        PickupStatus::NotReadyYet { expected: ready }
    );
    // Day 0 and day 30 after readiness: ready; day 31: overdue.
    for today in [ready, date(2026, 12, 27)] {
        assert_eq!(
            pickup_status(ready, today),
            PickupStatus::Ready {
                collect_by: date(2026, 12, 27)
            }
        );
    }
    assert_eq!(
        pickup_status(ready, date(2026, 12, 28)),
        PickupStatus::OverdueForCancellation {
            since: date(2026, 12, 28)
        }
    );
    let rules = PickupRules::default();
    let mut collected = passport();
    collected.collected_at = Some(utc(3, 0));
    let list = [passport(), collected];
    let flagged: Vec<_> = overdue_for_cancellation(&list, date(2026, 12, 28), &rules).collect();
    assert_eq!(flagged.len(), 1);
    assert_eq!(flagged[0].receipt.as_str(), "JKT-2026-000123");
    assert_eq!(
        overdue_for_cancellation(&list, date(2026, 12, 27), &rules).count(),
        0
    );
}

#[test]
fn kiosk_answers_booking_code_or_receipt() {
    let rules = PickupRules::default();
    assert_eq!(
        kiosk_query(" jkt-2026-000123 "),
        Some("JKT-2026-000123".into())
    );
    assert_eq!(kiosk_query("   "), None);
    assert_eq!(kiosk_query("A'; DROP"), None);
    let p = passport();
    assert_eq!(
        kiosk_answer(None, date(2026, 11, 30), &rules),
        KioskPickupAnswer::NotFound
    );
    let early = kiosk_answer(Some(&p), date(2026, 11, 24), &rules);
    assert_eq!(
        early,
        KioskPickupAnswer::NotReadyYet {
            expected: date(2026, 11, 27)
        }
    );
    assert!(early.message_id().contains("27-11-2026"));
    let ready = kiosk_answer(Some(&p), date(2026, 11, 30), &rules);
    assert_eq!(
        ready,
        KioskPickupAnswer::Ready {
            collect_by: date(2026, 12, 27)
        }
    );
    assert!(ready.message_id().contains("sudah selesai"));
    assert!(ready.message_en().contains("ready"));
    assert_eq!(
        kiosk_answer(Some(&p), date(2027, 1, 30), &rules),
        KioskPickupAnswer::Overdue
    );
    let mut done = p.clone();
    done.collected_at = Some(utc(2, 0));
    assert_eq!(
        kiosk_answer(Some(&done), date(2026, 11, 30), &rules),
        KioskPickupAnswer::Collected
    );
    // An actual ready date overrides the expected one.
    let mut early_print = p;
    early_print.ready_on = Some(date(2026, 11, 25));
    assert!(matches!(
        kiosk_answer(Some(&early_print), date(2026, 11, 25), &rules),
        KioskPickupAnswer::Ready { .. }
    ));
}

#[test]
fn lookup_keys() {
    let p = passport();
    let today = date(2026, 11, 30);
    assert!(p.matches(&PickupKey::receipt("jkt-2026- 000123").expect("receipt")));
    assert!(p.matches(&PickupKey::Visit(VisitId(42))));
    assert!(!p.matches(&PickupKey::Visit(VisitId(43))));
    assert!(p.matches(&PickupKey::nik("3171 0145 0990 0001", today).expect("nik")));
    assert_eq!(PickupKey::nik("123", today), Err(PickupError::InvalidNik));
    assert_eq!(
        PickupKey::receipt("ab"),
        Err(PickupError::InvalidReceiptNumber)
    );
    let json = serde_json::to_string(&PickupKey::Visit(VisitId(42))).expect("json");
    assert_eq!(json, r#"{"by":"visit","value":42}"#);
    let bad: Result<ReceiptNumber, _> = serde_json::from_str("\"x\"");
    assert!(bad.is_err());
}
