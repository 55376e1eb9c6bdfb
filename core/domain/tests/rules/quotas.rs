use loket_domain::{
    DailyQuota, DayKind, DomainError, Lane, QuotaTable, ServiceCatalog, ServiceCode, UserFacing,
    check_quota,
};

#[test]
fn lanes_are_counted_apart() {
    let quota = DailyQuota {
        walk_in: 2,
        appointment: 1,
        priority: 0,
    };
    let s = ServiceCode::NewPassport;
    assert_eq!(quota.check(s, Lane::WalkIn, 0), Ok(1));
    assert_eq!(quota.check(s, Lane::WalkIn, 1), Ok(0));
    assert_eq!(
        quota.check(s, Lane::WalkIn, 2),
        Err(DomainError::QuotaExhausted {
            service: s,
            lane: Lane::WalkIn,
            limit: 2
        })
    );
    // A full walk-in lane leaves the appointment lane alone.
    assert_eq!(quota.check(s, Lane::Appointment, 0), Ok(0));
    assert_eq!(
        quota.check(s, Lane::Priority, 0).map_err(|e| e.code()),
        Err("quota_exhausted")
    );
}

#[test]
fn lost_damaged_is_not_served_on_simpatik_or_mobile_days() {
    let catalog = ServiceCatalog::default();
    let table = QuotaTable::default();
    for day in [DayKind::WeekendSimpatik, DayKind::MobileService] {
        let quota = table.quota(day, ServiceCode::LostDamaged);
        let err = check_quota(
            &catalog,
            &quota,
            day,
            ServiceCode::LostDamaged,
            Lane::WalkIn,
            0,
        )
        .expect_err("not offered");
        assert_eq!(err.code(), "service_not_offered_today");
        // Other services are.
        let q = table.quota(day, ServiceCode::NewPassport);
        assert!(check_quota(&catalog, &q, day, ServiceCode::NewPassport, Lane::WalkIn, 0).is_ok());
        // Simpatik and mobile days are walk-in days: no appointment quota by default.
        assert_eq!(q.appointment, 0);
    }
    let regular = table.quota(DayKind::Regular, ServiceCode::LostDamaged);
    assert!(
        check_quota(
            &catalog,
            &regular,
            DayKind::Regular,
            ServiceCode::LostDamaged,
            Lane::WalkIn,
            0
        )
        .is_ok()
    );
}

#[test]
fn quota_table_rows_can_be_set() {
    let mut table = QuotaTable::default();
    let q = DailyQuota {
        walk_in: 7,
        appointment: 8,
        priority: 9,
    };
    table.set(DayKind::WeekendSimpatik, ServiceCode::Pickup, q);
    assert_eq!(
        table.quota(DayKind::WeekendSimpatik, ServiceCode::Pickup),
        q
    );
    let empty = QuotaTable { entries: vec![] };
    assert_eq!(
        empty.quota(DayKind::Regular, ServiceCode::Pickup),
        DailyQuota::default()
    );
}

#[test]
fn default_catalog() {
    let catalog = ServiceCatalog::default();
    assert_eq!(catalog.validate(), Ok(()));
    let letters: String = catalog.services.iter().map(|s| s.letter).collect();
    assert_eq!(letters, "ABCDE");
    let lost = catalog.get(ServiceCode::LostDamaged).expect("in catalog");
    assert!(lost.needs_bap);
    assert_eq!(lost.stages.len(), 4);
    assert_eq!(
        catalog.by_letter('d').map(|s| s.code),
        Some(ServiceCode::Pickup)
    );

    let mut dup = catalog.clone();
    dup.services[1].letter = 'A';
    assert_eq!(dup.validate().map_err(|e| e.code()), Err("invalid_config"));
    let mut empty = catalog;
    empty.services[0].stages.clear();
    assert!(empty.validate().is_err());
}
