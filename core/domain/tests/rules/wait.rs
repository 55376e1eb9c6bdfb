use loket_domain::{WaitBasis, WaitEstimate, WaitRules, estimate_wait};

#[test]
fn formula() {
    let rules = WaitRules::default();
    assert_eq!(
        estimate_wait(5, &[300, 300, 300], 0, &rules),
        WaitEstimate::NoCounterOpen
    );
    // Too few samples: default 600 s per person.
    assert_eq!(
        estimate_wait(3, &[60, 60], 1, &rules),
        WaitEstimate::Estimate {
            seconds: 1800,
            per_person_seconds: 600,
            basis: WaitBasis::Default
        }
    );
    // Median of recent times; an outlier does not move it.
    assert_eq!(
        estimate_wait(4, &[200, 3000, 240, 220, 260], 2, &rules),
        WaitEstimate::Estimate {
            seconds: 480,
            per_person_seconds: 240,
            basis: WaitBasis::Recent { samples: 5 }
        }
    );
    // Even count: mean of the two middle values, rounded up; only the most recent sample_size.
    let rules = WaitRules {
        sample_size: 4,
        min_samples: 1,
        default_service_seconds: 1,
    };
    let est = estimate_wait(1, &[9999, 100, 201, 300, 400], 1, &rules);
    assert_eq!(
        est,
        WaitEstimate::Estimate {
            seconds: 251,
            per_person_seconds: 251,
            basis: WaitBasis::Recent { samples: 4 }
        }
    );
    assert_eq!(est.minutes(), Some(5));
    assert_eq!(
        estimate_wait(0, &[], 3, &WaitRules::default()).minutes(),
        Some(0)
    );
}
