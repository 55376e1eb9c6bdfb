use super::date;
use loket_domain::{
    DailyQuota, DayKind, FeeItem, OfficeTimeZone, RulesConfig, ServiceCode, Stage, TicketNumber,
    UserFacing,
};

/// The example of docs/rules.md, plus quota, service and fee rows.
const EXAMPLE: &str = r#"
time_zone = "WITA"

[priority]
elderly_min_age = 65

[calls]
priority_first = true
starvation_bound = 8
weights = { appointment = 3, walk_in = 1, priority = 1 }

[visits]
no_show_after_calls = 3

[check_in]
before_minutes = 90
after_minutes = 30

[wait]
default_service_seconds = 480

[[quotas.entries]]
day_kind = "weekend_simpatik"
service = "new_passport"
quota = { walk_in = 120, appointment = 0, priority = 20 }

[[fees.tables]]
basis = "PP 45/2024"
effective_from = "2024-12-18"
amounts = [["electronic_10y", 950000], ["fast_track", 1000000]]
"#;

#[test]
fn documented_settings_parse() {
    let config: RulesConfig = toml::from_str(EXAMPLE).expect("the documented example parses");
    assert_eq!(config.time_zone, OfficeTimeZone::Wita);
    assert_eq!(config.priority.elderly_min_age, 65);
    assert_eq!(
        config.priority.child_max_age_exclusive, 5,
        "unset fields keep defaults"
    );
    assert_eq!(config.calls.starvation_bound, 8);
    assert_eq!(config.calls.weights.appointment, 3);
    assert_eq!(config.check_in.before_minutes, 90);
    assert_eq!(config.wait.default_service_seconds, 480);
    assert_eq!(config.wait.sample_size, 20);
    assert_eq!(
        config
            .quotas
            .quota(DayKind::WeekendSimpatik, ServiceCode::NewPassport),
        DailyQuota {
            walk_in: 120,
            appointment: 0,
            priority: 20
        }
    );
    assert_eq!(
        config
            .quotas
            .quota(DayKind::Regular, ServiceCode::NewPassport),
        DailyQuota::default()
    );
    let quote = config
        .fees
        .fee_for(
            date(2025, 1, 1),
            &[FeeItem::Electronic10y, FeeItem::FastTrack],
        )
        .expect("fees");
    assert_eq!(quote.total, 1_950_000);
    assert_eq!(
        config
            .services
            .get(ServiceCode::LostDamaged)
            .map(|s| s.stages.len()),
        Some(4)
    );
    assert_eq!(config.validate(), Ok(()));
}

#[test]
fn defaults_round_trip_and_validate() {
    let config = RulesConfig::default();
    assert_eq!(config.validate(), Ok(()));
    let text = toml::to_string(&config).expect("serialize");
    let back: RulesConfig = toml::from_str(&text).expect("parse back");
    assert_eq!(back, config);
    let empty: RulesConfig = toml::from_str("").expect("empty is all defaults");
    assert_eq!(empty, config);

    let mut bad = RulesConfig::default();
    bad.visits.no_show_after_calls = 0;
    assert_eq!(bad.validate().map_err(|e| e.code()), Err("invalid_config"));
    let mut bad = RulesConfig::default();
    bad.priority.elderly_min_age = 4;
    assert!(bad.validate().is_err());
    let mut bad = RulesConfig::default();
    bad.services.services[0].letter = '1';
    assert!(bad.validate().is_err());
    let _ = (Stage::Bap, TicketNumber::first('A'));
}
