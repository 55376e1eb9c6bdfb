//! Lanes of the queue and the priority ("Ramah HAM") groups.

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};
use std::fmt;

/// The lane a visit queues in. Each lane has its own daily quota per service.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Lane {
    /// A checked-in M-Paspor appointment.
    Appointment,
    /// A walk-in ticket from the kiosk.
    WalkIn,
    /// The priority lane for the Ramah HAM groups.
    Priority,
}

impl Lane {
    /// All lanes.
    pub const ALL: [Lane; 3] = [Lane::Appointment, Lane::WalkIn, Lane::Priority];

    /// Stable machine name.
    pub fn as_str(self) -> &'static str {
        match self {
            Lane::Appointment => "appointment",
            Lane::WalkIn => "walk_in",
            Lane::Priority => "priority",
        }
    }

    /// Indonesian name.
    pub fn name_id(self) -> &'static str {
        match self {
            Lane::Appointment => "janji temu M-Paspor",
            Lane::WalkIn => "langsung datang",
            Lane::Priority => "prioritas",
        }
    }

    /// English name.
    pub fn name_en(self) -> &'static str {
        match self {
            Lane::Appointment => "M-Paspor appointment",
            Lane::WalkIn => "walk-in",
            Lane::Priority => "priority",
        }
    }
}

impl fmt::Display for Lane {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The Ramah HAM priority groups.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PriorityGroup {
    /// Elderly (age threshold in [`PriorityRules::elderly_min_age`]).
    Elderly,
    /// Children under five.
    ChildUnderFive,
    /// People with disabilities.
    Disability,
    /// Pregnant women.
    Pregnant,
    /// The sick.
    Sick,
}

impl PriorityGroup {
    /// All groups.
    pub const ALL: [PriorityGroup; 5] = [
        PriorityGroup::Elderly,
        PriorityGroup::ChildUnderFive,
        PriorityGroup::Disability,
        PriorityGroup::Pregnant,
        PriorityGroup::Sick,
    ];

    /// Stable machine name.
    pub fn as_str(self) -> &'static str {
        match self {
            PriorityGroup::Elderly => "elderly",
            PriorityGroup::ChildUnderFive => "child_under_five",
            PriorityGroup::Disability => "disability",
            PriorityGroup::Pregnant => "pregnant",
            PriorityGroup::Sick => "sick",
        }
    }

    /// Indonesian name (kiosk button).
    pub fn name_id(self) -> &'static str {
        match self {
            PriorityGroup::Elderly => "Lansia",
            PriorityGroup::ChildUnderFive => "Anak di bawah lima tahun",
            PriorityGroup::Disability => "Penyandang disabilitas",
            PriorityGroup::Pregnant => "Ibu hamil",
            PriorityGroup::Sick => "Sakit",
        }
    }

    /// English name.
    pub fn name_en(self) -> &'static str {
        match self {
            PriorityGroup::Elderly => "Elderly",
            PriorityGroup::ChildUnderFive => "Child under five",
            PriorityGroup::Disability => "Person with a disability",
            PriorityGroup::Pregnant => "Pregnant woman",
            PriorityGroup::Sick => "Sick",
        }
    }
}

/// Settings of the priority lane.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct PriorityRules {
    /// Age from which a person counts as elderly: 60 by default; some offices use 65.
    pub elderly_min_age: u32,
    /// Children below this age (in whole years) are priority: 5.
    pub child_max_age_exclusive: u32,
}

impl Default for PriorityRules {
    fn default() -> Self {
        PriorityRules {
            elderly_min_age: 60,
            child_max_age_exclusive: 5,
        }
    }
}

impl PriorityRules {
    /// The priority group a person belongs to by age alone, on a given date (the other
    /// groups are declared and checked by the officer).
    pub fn group_by_age(&self, birth_date: NaiveDate, on: NaiveDate) -> Option<PriorityGroup> {
        let age = age_on(birth_date, on)?;
        if age >= self.elderly_min_age {
            Some(PriorityGroup::Elderly)
        } else if age < self.child_max_age_exclusive {
            Some(PriorityGroup::ChildUnderFive)
        } else {
            None
        }
    }
}

/// Age in whole years on a date; `None` when the birth date is after the date. A person born
/// on 29 February turns a year older on 1 March in common years.
pub fn age_on(birth_date: NaiveDate, on: NaiveDate) -> Option<u32> {
    if birth_date > on {
        return None;
    }
    let mut years = on.year() - birth_date.year();
    if (on.month(), on.day()) < (birth_date.month(), birth_date.day()) {
        years -= 1;
    }
    u32::try_from(years).ok()
}
