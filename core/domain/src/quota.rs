//! Daily quotas per service, per lane and per kind of day.

use crate::error::DomainError;
use crate::lane::Lane;
use crate::office_day::DayKind;
use crate::service::ServiceCode;
use serde::{Deserialize, Serialize};

/// How many tickets a service may issue in one day, per lane. The three lanes are counted
/// apart: a full walk-in quota does not touch the appointment or priority quota.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct DailyQuota {
    /// Walk-in tickets.
    pub walk_in: u32,
    /// Checked-in M-Paspor appointments.
    pub appointment: u32,
    /// Priority-lane tickets.
    pub priority: u32,
}

impl DailyQuota {
    /// The quota of one lane.
    pub fn for_lane(&self, lane: Lane) -> u32 {
        match lane {
            Lane::WalkIn => self.walk_in,
            Lane::Appointment => self.appointment,
            Lane::Priority => self.priority,
        }
    }

    /// Checks whether one more ticket may be issued in a lane when `used` are already
    /// issued today; returns how many remain after it.
    pub fn check(&self, service: ServiceCode, lane: Lane, used: u32) -> Result<u32, DomainError> {
        let limit = self.for_lane(lane);
        if used < limit {
            Ok(limit - used - 1)
        } else {
            Err(DomainError::QuotaExhausted {
                service,
                lane,
                limit,
            })
        }
    }
}

/// One row of the quota table.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct QuotaEntry {
    /// Kind of day the row applies to.
    pub day_kind: DayKind,
    /// Service.
    pub service: ServiceCode,
    /// The quotas.
    pub quota: DailyQuota,
}

/// The standing quota table: a quota per service per kind of day. The hub may keep
/// overrides for single dates; a missing row means a quota of zero (nothing issued).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct QuotaTable {
    /// Rows; at most one per (day kind, service).
    pub entries: Vec<QuotaEntry>,
}

impl Default for QuotaTable {
    /// Example defaults for a mid-sized office; every office sets its own.
    fn default() -> Self {
        let mut entries = Vec::new();
        for service in ServiceCode::ALL {
            let regular = match service {
                ServiceCode::NewPassport | ServiceCode::Replacement => DailyQuota {
                    walk_in: 50,
                    appointment: 150,
                    priority: 30,
                },
                ServiceCode::LostDamaged => DailyQuota {
                    walk_in: 20,
                    appointment: 20,
                    priority: 10,
                },
                ServiceCode::Pickup => DailyQuota {
                    walk_in: 300,
                    appointment: 0,
                    priority: 50,
                },
                ServiceCode::Information => DailyQuota {
                    walk_in: 200,
                    appointment: 0,
                    priority: 50,
                },
            };
            entries.push(QuotaEntry {
                day_kind: DayKind::Regular,
                service,
                quota: regular,
            });
            // Simpatik and mobile days are walk-in days; lost/damaged is not served there.
            let special = match service {
                ServiceCode::LostDamaged => DailyQuota::default(),
                ServiceCode::NewPassport | ServiceCode::Replacement => DailyQuota {
                    walk_in: 100,
                    appointment: 0,
                    priority: 20,
                },
                ServiceCode::Pickup | ServiceCode::Information => DailyQuota {
                    walk_in: 100,
                    appointment: 0,
                    priority: 20,
                },
            };
            for day_kind in [DayKind::WeekendSimpatik, DayKind::MobileService] {
                entries.push(QuotaEntry {
                    day_kind,
                    service,
                    quota: special,
                });
            }
        }
        QuotaTable { entries }
    }
}

impl QuotaTable {
    /// The quota of a service on a kind of day (zero when there is no row).
    pub fn quota(&self, day_kind: DayKind, service: ServiceCode) -> DailyQuota {
        self.entries
            .iter()
            .find(|e| e.day_kind == day_kind && e.service == service)
            .map(|e| e.quota)
            .unwrap_or_default()
    }

    /// Sets (or adds) the row of a service on a kind of day.
    pub fn set(&mut self, day_kind: DayKind, service: ServiceCode, quota: DailyQuota) {
        match self
            .entries
            .iter_mut()
            .find(|e| e.day_kind == day_kind && e.service == service)
        {
            Some(e) => e.quota = quota,
            None => self.entries.push(QuotaEntry {
                day_kind,
                service,
                quota,
            }),
        }
    }
}

/// The quota check the kiosk and check-in go through: the service must be offered on this
/// kind of day and the lane's quota not used up. Returns the number left after this ticket.
pub fn check_quota(
    catalog: &crate::service::ServiceCatalog,
    quota: &DailyQuota,
    day_kind: DayKind,
    service: ServiceCode,
    lane: Lane,
    used: u32,
) -> Result<u32, DomainError> {
    catalog.ensure_offered(service, day_kind)?;
    quota.check(service, lane, used)
}
