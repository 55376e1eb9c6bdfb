use super::utc;
use super::visits::new_visit;
use loket_domain::{
    CounterId, EventKind, Lane, ServiceCode, SittingEnd, Stage, TransferTarget, VisitEvent,
    VisitRules, sittings,
};

#[test]
fn sittings_give_wait_walk_and_service_times() {
    let c = |id| EventKind::Called {
        counter: CounterId(id),
        manual: false,
    };
    let events = [
        VisitEvent::new(utc(1, 0), EventKind::Issued),
        VisitEvent::new(utc(1, 10), c(1)),
        VisitEvent::new(utc(1, 11), EventKind::Recalled),
        VisitEvent::new(
            utc(1, 12),
            EventKind::Started {
                stage: Stage::DocumentCheck,
            },
        ),
        VisitEvent::new(utc(1, 20), EventKind::Parked),
        VisitEvent::new(utc(1, 30), c(1)),
        VisitEvent::new(
            utc(1, 31),
            EventKind::Started {
                stage: Stage::DocumentCheck,
            },
        ),
        VisitEvent::new(
            utc(1, 35),
            EventKind::Finished {
                stage: Stage::DocumentCheck,
            },
        ),
        VisitEvent::new(utc(1, 50), c(2)),
        VisitEvent::new(
            utc(1, 52),
            EventKind::Transferred {
                to: TransferTarget {
                    stage: None,
                    counter: Some(CounterId(3)),
                },
            },
        ),
        VisitEvent::new(utc(2, 0), c(3)),
        VisitEvent::new(utc(2, 5), EventKind::Reset),
    ];
    let list = sittings(
        new_visit(1, ServiceCode::NewPassport, Lane::WalkIn),
        utc(1, 0),
        &events,
        &VisitRules::default(),
    )
    .expect("legal events");
    let summary: Vec<_> = list
        .iter()
        .map(|s| {
            (
                s.stage,
                s.counter.0,
                s.waited_seconds(),
                s.walk_seconds(),
                s.service_seconds(),
                s.end,
            )
        })
        .collect();
    assert_eq!(
        summary,
        vec![
            (
                Stage::DocumentCheck,
                1,
                600,
                Some(120),
                Some(480),
                SittingEnd::Parked
            ),
            (
                Stage::DocumentCheck,
                1,
                600,
                Some(60),
                Some(240),
                SittingEnd::Finished
            ),
            (
                Stage::PhotoFingerprintInterview,
                2,
                900,
                None,
                None,
                SittingEnd::Transferred
            ),
            (
                Stage::PhotoFingerprintInterview,
                3,
                480,
                None,
                None,
                SittingEnd::Reset
            ),
        ]
    );
    // Illegal event lists are errors, not made-up times.
    let bad = [VisitEvent::new(utc(1, 1), EventKind::Recalled)];
    assert!(
        sittings(
            new_visit(1, ServiceCode::NewPassport, Lane::WalkIn),
            utc(1, 0),
            &bad,
            &VisitRules::default()
        )
        .is_err()
    );
}
