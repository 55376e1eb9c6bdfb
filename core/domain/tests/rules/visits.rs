use super::{date, utc};
use chrono::{DateTime, Utc};
use loket_domain::{
    CounterId, DomainError, EventKind, Lane, NewVisit, Outcome, ServiceCatalog, ServiceCode, Stage,
    TicketNumber, TransferTarget, UserFacing, Visit, VisitEvent, VisitId, VisitRules, VisitState,
    end_of_day,
};

const C1: CounterId = CounterId(1);

pub fn new_visit(id: i64, service: ServiceCode, lane: Lane) -> NewVisit {
    let catalog = ServiceCatalog::default();
    let def = catalog.get(service).expect("default service");
    NewVisit {
        id: VisitId(id),
        office_date: date(2026, 11, 23),
        service,
        lane,
        ticket: TicketNumber::new(def.letter, u16::try_from(id).unwrap_or(1)).expect("valid"),
        stages: def.stages.clone(),
        priority_group: None,
        booking_code: None,
        applicant_index: None,
    }
}

fn ev(at: DateTime<Utc>, kind: EventKind) -> VisitEvent {
    VisitEvent::new(at, kind)
}

fn run(visit: Visit, events: &[(u32, EventKind)]) -> Result<Visit, DomainError> {
    let rules = VisitRules::default();
    events.iter().try_fold(visit, |v, (minute, kind)| {
        v.apply(&ev(utc(1, *minute), *kind), &rules)
    })
}

fn walk_in() -> Visit {
    Visit::issue(
        new_visit(1, ServiceCode::NewPassport, Lane::WalkIn),
        utc(1, 0),
    )
    .expect("issue")
    .0
}

const CALL: EventKind = EventKind::Called {
    counter: C1,
    manual: false,
};

#[test]
fn a_new_passport_goes_through_both_stages() {
    let v = run(
        walk_in(),
        &[
            (1, CALL),
            (
                2,
                EventKind::Started {
                    stage: Stage::DocumentCheck,
                },
            ),
            (
                5,
                EventKind::Finished {
                    stage: Stage::DocumentCheck,
                },
            ),
        ],
    )
    .expect("legal");
    assert_eq!(v.state, VisitState::Waiting);
    assert_eq!(v.current_stage(), Stage::PhotoFingerprintInterview);
    assert_eq!(v.waiting_since, utc(1, 5));
    let v = run(
        v,
        &[
            (
                6,
                EventKind::Called {
                    counter: CounterId(2),
                    manual: false,
                },
            ),
            (
                7,
                EventKind::Started {
                    stage: Stage::PhotoFingerprintInterview,
                },
            ),
            (
                9,
                EventKind::Finished {
                    stage: Stage::PhotoFingerprintInterview,
                },
            ),
        ],
    )
    .expect("legal");
    assert_eq!(v.outcome(), Some(Outcome::Completed));
}

#[test]
fn recall_stops_at_n_calls_and_no_show_needs_n_calls() {
    let called = run(walk_in(), &[(1, CALL)]).expect("legal");
    let err = run(called.clone(), &[(2, EventKind::NoShow)]).expect_err("too early");
    assert_eq!(err.code(), "no_show_too_early");
    let thrice = run(
        called,
        &[(2, EventKind::Recalled), (3, EventKind::Recalled)],
    )
    .expect("legal");
    assert_eq!(
        thrice.state,
        VisitState::Called {
            counter: C1,
            calls: 3
        }
    );
    let err = run(thrice.clone(), &[(4, EventKind::Recalled)]).expect_err("limit");
    assert_eq!(err.code(), "recall_limit_reached");
    let gone = run(thrice, &[(4, EventKind::NoShow)]).expect("legal");
    assert_eq!(gone.outcome(), Some(Outcome::NoShow));

    // Configurable N.
    let rules = VisitRules {
        no_show_after_calls: 1,
    };
    let v = walk_in().apply(&ev(utc(1, 1), CALL), &rules).expect("call");
    assert!(v.apply(&ev(utc(1, 2), EventKind::NoShow), &rules).is_ok());
}

#[test]
fn illegal_transitions_are_typed_errors() {
    let waiting = walk_in();
    for kind in [
        EventKind::Recalled,
        EventKind::Started {
            stage: Stage::DocumentCheck,
        },
        EventKind::Finished {
            stage: Stage::DocumentCheck,
        },
        EventKind::NoShow,
        EventKind::Parked,
        EventKind::CheckedIn,
        EventKind::Issued,
    ] {
        let err = run(waiting.clone(), &[(1, kind)]).expect_err(kind.as_str());
        assert!(
            matches!(err, DomainError::IllegalTransition { .. }),
            "{kind:?}: {err:?}"
        );
        assert_eq!(err.code(), "illegal_transition");
    }
    let in_service = run(
        waiting,
        &[
            (1, CALL),
            (
                2,
                EventKind::Started {
                    stage: Stage::DocumentCheck,
                },
            ),
        ],
    )
    .expect("ok");
    for kind in [
        CALL,
        EventKind::Recalled,
        EventKind::NoShow,
        EventKind::Passed { by: VisitId(9) },
    ] {
        assert!(run(in_service.clone(), &[(3, kind)]).is_err(), "{kind:?}");
    }
    let err = run(
        in_service,
        &[(3, EventKind::Finished { stage: Stage::Bap })],
    )
    .expect_err("wrong stage");
    assert_eq!(err.code(), "stage_mismatch");
}

#[test]
fn closed_visits_accept_nothing_and_time_runs_forward() {
    let closed = run(walk_in(), &[(1, EventKind::Reset)]).expect("reset");
    assert_eq!(closed.outcome(), Some(Outcome::ClosedUnserved));
    for kind in [CALL, EventKind::Reset, EventKind::Passed { by: VisitId(2) }] {
        assert_eq!(
            run(closed.clone(), &[(2, kind)]).map_err(|e| e.code()),
            Err("visit_closed")
        );
    }
    let called = run(walk_in(), &[(5, CALL)]).expect("call");
    assert_eq!(
        run(called, &[(4, EventKind::Recalled)]).map_err(|e| e.code()),
        Err("event_out_of_order")
    );
}

#[test]
fn reset_gives_each_state_its_outcome() {
    let start = EventKind::Started {
        stage: Stage::DocumentCheck,
    };
    let cases: Vec<(Vec<(u32, EventKind)>, Outcome)> = vec![
        (vec![], Outcome::ClosedUnserved),
        (vec![(1, CALL)], Outcome::ClosedNoShow),
        (vec![(1, CALL), (2, start)], Outcome::ClosedInService),
        (
            vec![(1, CALL), (2, start), (3, EventKind::Parked)],
            Outcome::ClosedParked,
        ),
    ];
    for (events, outcome) in cases {
        let v = run(walk_in(), &events).expect("legal");
        let items = end_of_day([&v], utc(10, 0));
        assert_eq!(items.len(), 1);
        assert_eq!(items[0].outcome, outcome);
        let closed = v
            .apply(&items[0].event, &VisitRules::default())
            .expect("reset applies");
        assert_eq!(closed.outcome(), Some(outcome));
        // A second reset finds nothing to close.
        assert!(end_of_day([&closed], utc(10, 1)).is_empty());
    }
    // An appointment never checked in closes unserved.
    let booked = Visit::issue(
        new_visit(2, ServiceCode::NewPassport, Lane::Appointment),
        utc(1, 0),
    )
    .expect("issue")
    .0;
    assert_eq!(booked.state, VisitState::AwaitingCheckIn);
    assert_eq!(
        end_of_day([&booked], utc(10, 0))[0].outcome,
        Outcome::ClosedUnserved
    );
}

#[test]
fn appointments_wait_only_after_check_in() {
    let booked = Visit::issue(
        new_visit(2, ServiceCode::Replacement, Lane::Appointment),
        utc(1, 0),
    )
    .expect("issue")
    .0;
    assert!(run(booked.clone(), &[(1, CALL)]).is_err());
    let checked = run(booked, &[(3, EventKind::CheckedIn)]).expect("check in");
    assert_eq!(checked.state, VisitState::Waiting);
    assert_eq!(checked.checked_in_at, Some(utc(1, 3)));
    assert_eq!(checked.waiting_since, utc(1, 3));
}

#[test]
fn transfer_park_and_reservation() {
    let lost = Visit::issue(
        new_visit(3, ServiceCode::LostDamaged, Lane::WalkIn),
        utc(1, 0),
    )
    .expect("issue")
    .0;
    let to_bap = TransferTarget {
        stage: Some(Stage::Bap),
        counter: Some(CounterId(7)),
    };
    let v = run(
        lost.clone(),
        &[(1, CALL), (2, EventKind::Transferred { to: to_bap })],
    )
    .expect("transfer");
    assert_eq!(v.state, VisitState::Waiting);
    assert_eq!(v.current_stage(), Stage::Bap);
    assert_eq!(v.reserved_counter, Some(CounterId(7)));
    let err = run(v.clone(), &[(3, CALL)]).expect_err("reserved");
    assert_eq!(err.code(), "reserved_for_other_counter");
    assert!(
        run(
            v,
            &[(
                3,
                EventKind::Called {
                    counter: CounterId(7),
                    manual: false
                }
            )]
        )
        .is_ok()
    );

    let to_pickup = TransferTarget {
        stage: Some(Stage::IdentityReceiptCheck),
        counter: None,
    };
    let err = run(
        lost.clone(),
        &[(1, CALL), (2, EventKind::Transferred { to: to_pickup })],
    )
    .expect_err("not a stage");
    assert_eq!(err.code(), "stage_not_in_service");

    let parked = run(lost, &[(1, CALL), (2, EventKind::Parked)]).expect("park");
    assert_eq!(parked.state, VisitState::Parked { counter: C1 });
    let again = run(
        parked,
        &[(
            8,
            EventKind::Called {
                counter: CounterId(2),
                manual: true,
            },
        )],
    )
    .expect("call back");
    assert_eq!(
        again.state,
        VisitState::Called {
            counter: CounterId(2),
            calls: 1
        }
    );
}

#[test]
fn replay_rebuilds_the_visit_and_events_serialize() {
    let events = [
        ev(utc(1, 1), EventKind::Passed { by: VisitId(5) }),
        ev(utc(1, 2), CALL),
        ev(
            utc(1, 3),
            EventKind::Started {
                stage: Stage::DocumentCheck,
            },
        ),
        ev(
            utc(1, 4),
            EventKind::Transferred {
                to: TransferTarget {
                    stage: None,
                    counter: None,
                },
            },
        ),
    ];
    let v = Visit::replay(
        new_visit(1, ServiceCode::NewPassport, Lane::WalkIn),
        utc(1, 0),
        &events,
        &VisitRules::default(),
    )
    .expect("replay");
    assert_eq!(v.state, VisitState::Waiting);
    assert_eq!(v.passed_by, 0, "a new wait starts a new count");
    let json = serde_json::to_string(&events[1]).expect("serialize");
    assert!(json.contains("\"type\":\"called\""), "{json}");
    let back: VisitEvent = serde_json::from_str(&json).expect("deserialize");
    assert_eq!(back, events[1]);
    let vjson = serde_json::to_string(&v).expect("visit serializes");
    assert_eq!(serde_json::from_str::<Visit>(&vjson).ok(), Some(v));
}
