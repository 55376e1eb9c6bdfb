//! The synthetic office both monthly report benches run on (`loket-domain`'s, over records
//! in memory, and `loket-hub`'s, through the hub's database, which includes this file by
//! path): a year of a busy office, 150,000 visits with their events from a fixed seed, 14
//! counters, five services, 4 % no-shows, 2 % closed by the end-of-day reset, a BAP per
//! lost/damaged visit that is not a no-show. Not a bench target of its own (a folder
//! without `main.rs`).

use chrono::{DateTime, Datelike, Duration, NaiveDate, NaiveTime, Utc, Weekday};
use loket_domain::{
    Bap, BapId, BapOutcome, BapReason, BapStatus, BookFee, CounterId, CounterSession, DailyQuota,
    DamageState, EventKind, Lane, NewVisit, OfficeTimeZone, OfficerRef, QuotaDay, Role,
    ServiceCatalog, ServiceCode, TicketNumber, Validity, VisitEvent, VisitId, VisitRecord,
};

/// Every service's quota on every day of the synthetic office.
pub const QUOTA: DailyQuota = DailyQuota {
    walk_in: 150,
    appointment: 250,
    priority: 40,
};

/// The first and last day of `month` of 2026.
pub fn month_range(month: u32) -> (NaiveDate, NaiveDate) {
    let from = NaiveDate::from_ymd_opt(2026, month, 1).unwrap_or_default();
    let to = if month == 12 {
        NaiveDate::from_ymd_opt(2026, 12, 31).unwrap_or_default()
    } else {
        NaiveDate::from_ymd_opt(2026, month + 1, 1)
            .and_then(|d| d.pred_opt())
            .unwrap_or_default()
    };
    (from, to)
}

pub const VISITS: usize = 150_000;
pub const COUNTERS: i64 = 14;

/// splitmix64: small, deterministic, good enough for synthetic data.
pub struct Rng(pub u64);

impl Rng {
    pub fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    pub fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }
}

pub struct Year {
    pub records: Vec<VisitRecord>,
    pub baps: Vec<Bap>,
    pub sessions: Vec<CounterSession>,
    pub quotas: Vec<QuotaDay>,
    pub days: Vec<NaiveDate>,
}

pub fn working_days(year: i32) -> Vec<NaiveDate> {
    let mut out = Vec::new();
    let mut d = NaiveDate::from_ymd_opt(year, 1, 1).unwrap_or_default();
    while d.year() == year {
        if !matches!(d.weekday(), Weekday::Sat | Weekday::Sun) {
            out.push(d);
        }
        d = d.succ_opt().unwrap_or(d);
    }
    out
}

pub fn generate(seed: u64) -> Year {
    let tz = OfficeTimeZone::Wib;
    let catalog = ServiceCatalog::default();
    let mut rng = Rng(seed);
    let days = working_days(2026);
    let per_day = VISITS / days.len() + 1;
    let mut records = Vec::with_capacity(VISITS);
    let mut baps = Vec::new();
    let mut sessions = Vec::new();
    let mut quotas = Vec::new();
    let mut id: i64 = 0;
    for &date in &days {
        let open = tz.instant(date, NaiveTime::from_hms_opt(7, 30, 0).unwrap_or_default());
        let close = tz.instant(date, NaiveTime::from_hms_opt(16, 0, 0).unwrap_or_default());
        for c in 1..=COUNTERS {
            sessions.push(CounterSession {
                counter: CounterId(c),
                officer: format!("officer{:02}", (c + i64::from(date.ordinal())) % 20),
                opened_at: open,
                closed_at: close,
            });
        }
        for service in ServiceCode::ALL {
            quotas.push(QuotaDay {
                date,
                service,
                quota: QUOTA,
            });
        }
        let mut numbers = [0u16; 5];
        let today = per_day.min(VISITS - records.len());
        for _ in 0..today {
            id += 1;
            let service = match rng.below(100) {
                0..=44 => ServiceCode::NewPassport,
                45..=69 => ServiceCode::Replacement,
                70..=74 => ServiceCode::LostDamaged,
                75..=94 => ServiceCode::Pickup,
                _ => ServiceCode::Information,
            };
            let lane = match rng.below(100) {
                0..=54 => Lane::Appointment,
                55..=89 => Lane::WalkIn,
                _ => Lane::Priority,
            };
            let Some(def) = catalog.get(service) else {
                continue;
            };
            let slot = &mut numbers[service as usize];
            *slot = (*slot % 999) + 1;
            let Ok(ticket) = TicketNumber::new(def.letter, *slot) else {
                continue;
            };
            let issued_at =
                open + Duration::seconds(i64::try_from(rng.below(7 * 3600)).unwrap_or(0));
            let mut at = issued_at;
            let mut events = Vec::with_capacity(12);
            if lane == Lane::Appointment {
                events.push(VisitEvent::new(at, EventKind::CheckedIn));
            }
            let mut closed = false;
            for &stage in &def.stages {
                at += Duration::seconds(i64::try_from(60 + rng.below(5400)).unwrap_or(0));
                let counter = CounterId(1 + i64::try_from(rng.below(COUNTERS as u64)).unwrap_or(0));
                events.push(VisitEvent::new(
                    at,
                    EventKind::Called {
                        counter,
                        manual: false,
                    },
                ));
                if rng.below(100) < 4 {
                    for _ in 0..2 {
                        at += Duration::seconds(60);
                        events.push(VisitEvent::new(at, EventKind::Recalled));
                    }
                    at += Duration::seconds(60);
                    events.push(VisitEvent::new(at, EventKind::NoShow));
                    closed = true;
                    break;
                }
                at += Duration::seconds(i64::try_from(20 + rng.below(120)).unwrap_or(0));
                events.push(VisitEvent::new(at, EventKind::Started { stage }));
                at += Duration::seconds(i64::try_from(180 + rng.below(900)).unwrap_or(0));
                events.push(VisitEvent::new(at, EventKind::Finished { stage }));
            }
            // About 2 % are still in service at the end of the day: the reset closes them.
            if !closed && rng.below(100) < 2 {
                events.pop();
                let reset_at = close.max(at) + Duration::minutes(5);
                events.push(VisitEvent::new(reset_at, EventKind::Reset));
            }
            let new = NewVisit {
                id: VisitId(id),
                office_date: date,
                service,
                lane,
                ticket,
                stages: def.stages.clone(),
                priority_group: None,
                booking_code: (lane == Lane::Appointment).then(|| format!("MP{id:08}")),
                applicant_index: (lane == Lane::Appointment).then_some(0),
            };
            if service == ServiceCode::LostDamaged && !closed {
                baps.push(bap(&mut rng, id, issued_at));
            }
            records.push(VisitRecord {
                visit: new,
                issued_at,
                events,
            });
        }
    }
    Year {
        records,
        baps,
        sessions,
        quotas,
        days,
    }
}

pub fn bap(rng: &mut Rng, id: i64, at: DateTime<Utc>) -> Bap {
    let mut b = Bap::new(
        BapId(format!("bap-{id}")),
        Some(VisitId(id)),
        OfficerRef::new("officer01", Role::Officer),
        at,
    );
    let book = BookFee {
        electronic: rng.below(2) == 0,
        validity: Validity::TenYears,
    };
    b.interview.reason = Some(if rng.below(3) == 0 {
        BapReason::Damaged {
            state: Some(DamageState::WaterDamaged),
            description: String::new(),
        }
    } else {
        BapReason::Lost {
            police_report_number: "LP/1".into(),
            police_report_date: None,
            police_station: "Polsek".into(),
        }
    });
    b.interview.outcome = Some(match rng.below(20) {
        0 => BapOutcome::WaiveForceMajeure { book },
        1 => BapOutcome::Suspend {
            months: 12,
            approval: None,
        },
        _ => BapOutcome::ApproveWithCharge { book },
    });
    b.status = BapStatus::Signed;
    b
}
