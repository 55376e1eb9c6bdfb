use super::date;
use loket_domain::{PriorityGroup, PriorityRules};

#[test]
fn priority_by_age_with_configurable_elderly_threshold() {
    let on = date(2026, 11, 23);
    let default = PriorityRules::default();
    let strict = PriorityRules {
        elderly_min_age: 65,
        ..PriorityRules::default()
    };
    // (birth date, default 60+, 65+)
    let cases = [
        (date(1966, 11, 23), Some(PriorityGroup::Elderly), None),
        (date(1966, 11, 24), None, None),
        (
            date(1961, 11, 23),
            Some(PriorityGroup::Elderly),
            Some(PriorityGroup::Elderly),
        ),
        (date(1990, 1, 1), None, None),
        (
            date(2021, 11, 24),
            Some(PriorityGroup::ChildUnderFive),
            Some(PriorityGroup::ChildUnderFive),
        ),
        (date(2021, 11, 23), None, None),
        (
            date(2026, 11, 23),
            Some(PriorityGroup::ChildUnderFive),
            Some(PriorityGroup::ChildUnderFive),
        ),
        (date(2026, 11, 24), None, None),
    ];
    for (birth, by_default, by_strict) in cases {
        assert_eq!(
            default.group_by_age(birth, on),
            by_default,
            "{birth} default"
        );
        assert_eq!(strict.group_by_age(birth, on), by_strict, "{birth} 65+");
    }
}
