//! All rule settings of one office in one serde structure (the hub reads it from its TOML
//! configuration; every field has a default).

use crate::checkin::CheckInWindow;
use crate::error::DomainError;
use crate::fees::FeeSchedule;
use crate::lane::PriorityRules;
use crate::office_day::OfficeTimeZone;
use crate::pickup::PickupRules;
use crate::policy::CallPolicy;
use crate::quota::QuotaTable;
use crate::service::ServiceCatalog;
use crate::visit::VisitRules;
use crate::wait::WaitRules;
use serde::{Deserialize, Serialize};

/// The rule settings of an office.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(default)]
pub struct RulesConfig {
    /// Time zone of the office day (WIB by default).
    pub time_zone: OfficeTimeZone,
    /// Services.
    pub services: ServiceCatalog,
    /// Standing quotas per kind of day.
    pub quotas: QuotaTable,
    /// Priority lane settings.
    pub priority: PriorityRules,
    /// Visit settings (no-show after N calls).
    pub visits: VisitRules,
    /// Call-next policy.
    pub calls: CallPolicy,
    /// Check-in window.
    pub check_in: CheckInWindow,
    /// Wait estimate.
    pub wait: WaitRules,
    /// Fee tables.
    pub fees: FeeSchedule,
    /// Passport pickup: working days until ready, the collection period, holidays.
    pub pickup: PickupRules,
}

impl RulesConfig {
    /// Checks settings that cannot work: the catalog, at least one call before no-show.
    pub fn validate(&self) -> Result<(), DomainError> {
        self.services.validate()?;
        if self.visits.no_show_after_calls == 0 {
            return Err(DomainError::InvalidConfig {
                reason: "no_show_after_calls must be at least 1".to_string(),
            });
        }
        if self.priority.elderly_min_age <= self.priority.child_max_age_exclusive {
            return Err(DomainError::InvalidConfig {
                reason: "elderly_min_age must be above the child age".to_string(),
            });
        }
        Ok(())
    }
}
