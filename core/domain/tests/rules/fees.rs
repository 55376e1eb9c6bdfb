use super::date;
use loket_domain::fees::PP_45_2024_EFFECTIVE;
use loket_domain::{
    FeeItem, FeeSchedule, FeeTable, UserFacing, Validity, age_on, fee_for, validity_for,
};

#[test]
fn pp_45_2024_amounts() {
    let day = date(2025, 6, 1);
    let cases: [(&[FeeItem], u64); 9] = [
        (&[FeeItem::NonElectronic5y], 350_000),
        (&[FeeItem::NonElectronic10y], 650_000),
        (&[FeeItem::Electronic5y], 650_000),
        (&[FeeItem::Electronic10y], 950_000),
        (&[FeeItem::Electronic10y, FeeItem::FastTrack], 1_950_000),
        (&[FeeItem::Electronic10y, FeeItem::LostCharge], 1_950_000),
        (&[FeeItem::NonElectronic5y, FeeItem::DamagedCharge], 850_000),
        (&[FeeItem::Electronic10y, FeeItem::ForceMajeure], 950_000),
        (&[], 0),
    ];
    for (items, total) in cases {
        let quote = fee_for(day, items).expect("in force");
        assert_eq!(quote.total, total, "{items:?}");
        assert_eq!(quote.lines.len(), items.len());
        assert_eq!(quote.basis, "PP 45/2024");
    }
}

#[test]
fn the_table_in_force_is_picked_by_date() {
    let mut schedule = FeeSchedule::default();
    schedule.tables.push(FeeTable {
        basis: "future".into(),
        effective_from: date(2030, 1, 1),
        amounts: vec![(FeeItem::Electronic10y, 1_100_000)],
    });
    let cases = [
        (PP_45_2024_EFFECTIVE.pred_opt().unwrap_or_default(), None),
        (PP_45_2024_EFFECTIVE, Some(950_000)),
        (date(2029, 12, 31), Some(950_000)),
        (date(2030, 1, 1), Some(1_100_000)),
    ];
    for (day, expected) in cases {
        let got = schedule
            .fee_for(day, &[FeeItem::Electronic10y])
            .map(|q| q.total);
        match expected {
            Some(total) => assert_eq!(got, Ok(total), "{day}"),
            None => assert_eq!(
                got.map_err(|e| e.code()),
                Err("fee_table_not_in_force"),
                "{day}"
            ),
        }
    }
    let err = schedule
        .fee_for(date(2030, 1, 1), &[FeeItem::FastTrack])
        .expect_err("missing item");
    assert_eq!(err.code(), "fee_item_missing");
}

#[test]
fn validity_rule() {
    assert_eq!(validity_for(16, false), Validity::FiveYears);
    assert_eq!(validity_for(16, true), Validity::TenYears);
    assert_eq!(validity_for(17, false), Validity::TenYears);
    assert_eq!(validity_for(0, false), Validity::FiveYears);
    let age = age_on(date(2009, 11, 24), date(2026, 11, 23)).expect("born before");
    assert_eq!((age, validity_for(age, false)), (16, Validity::FiveYears));
    let age = age_on(date(2009, 11, 23), date(2026, 11, 23)).expect("born before");
    assert_eq!((age, validity_for(age, false)), (17, Validity::TenYears));
    assert_eq!(
        FeeItem::passport(true, validity_for(40, false)),
        FeeItem::Electronic10y
    );
    assert_eq!(age_on(date(2027, 1, 1), date(2026, 1, 1)), None);
    assert_eq!(age_on(date(2008, 2, 29), date(2026, 2, 28)), Some(17));
    assert_eq!(age_on(date(2008, 2, 29), date(2026, 3, 1)), Some(18));
}

#[test]
fn item_names_match_their_serde_form() {
    for item in [
        FeeItem::NonElectronic5y,
        FeeItem::NonElectronic10y,
        FeeItem::Electronic5y,
        FeeItem::Electronic10y,
        FeeItem::FastTrack,
        FeeItem::LostCharge,
        FeeItem::DamagedCharge,
        FeeItem::ForceMajeure,
    ] {
        assert_eq!(
            serde_json::to_string(&item).ok(),
            Some(format!("\"{}\"", item.as_str()))
        );
    }
}
