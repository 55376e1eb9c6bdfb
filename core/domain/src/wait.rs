//! Estimated waiting time per service.
//!
//! Formula: `wait = ceil(ahead × per_person / open_counters)` seconds, where `ahead` is the
//! number of visits waiting for the same service and stage ahead of the applicant, and
//! `per_person` is the median of the most recent service times (at most `sample_size`) of
//! that service; with fewer than `min_samples` recent times the configured default is used.
//! The median keeps one very long BAP from swinging every estimate. With no open counter
//! serving the service there is no estimate.

use serde::{Deserialize, Serialize};

/// Settings of the estimate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct WaitRules {
    /// How many of the most recent service times to use.
    pub sample_size: usize,
    /// Fewer recent times than this: use `default_service_seconds`.
    pub min_samples: usize,
    /// Service time assumed without enough history (seconds).
    pub default_service_seconds: u32,
}

impl Default for WaitRules {
    fn default() -> Self {
        WaitRules {
            sample_size: 20,
            min_samples: 3,
            default_service_seconds: 600,
        }
    }
}

/// Where the per-person time came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum WaitBasis {
    /// Median of this many recent service times.
    Recent {
        /// Number of samples used.
        samples: usize,
    },
    /// The configured default.
    Default,
}

/// The estimate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum WaitEstimate {
    /// No counter serving the service is open.
    NoCounterOpen,
    /// Expected wait.
    Estimate {
        /// Expected wait in seconds.
        seconds: u64,
        /// Time per applicant used (seconds).
        per_person_seconds: u32,
        /// Where it came from.
        basis: WaitBasis,
    },
}

impl WaitEstimate {
    /// Whole minutes, rounded up (for the kiosk and display); `None` without an estimate.
    pub fn minutes(&self) -> Option<u64> {
        match self {
            WaitEstimate::NoCounterOpen => None,
            WaitEstimate::Estimate { seconds, .. } => Some(seconds.div_ceil(60)),
        }
    }
}

/// Estimates the wait. `recent_service_seconds` is ordered oldest to newest.
pub fn estimate_wait(
    ahead: u32,
    recent_service_seconds: &[u32],
    open_counters: u32,
    rules: &WaitRules,
) -> WaitEstimate {
    if open_counters == 0 {
        return WaitEstimate::NoCounterOpen;
    }
    let take = rules.sample_size.min(recent_service_seconds.len());
    let recent = &recent_service_seconds[recent_service_seconds.len() - take..];
    let (per_person, basis) = if recent.len() >= rules.min_samples.max(1) {
        let mut sorted = recent.to_vec();
        sorted.sort_unstable();
        let mid = sorted.len() / 2;
        let median = if sorted.len() % 2 == 1 {
            sorted[mid]
        } else {
            // Mean of the two middle values without overflow.
            let (a, b) = (u64::from(sorted[mid - 1]), u64::from(sorted[mid]));
            u32::try_from((a + b).div_ceil(2)).unwrap_or(u32::MAX)
        };
        (
            median,
            WaitBasis::Recent {
                samples: recent.len(),
            },
        )
    } else {
        (rules.default_service_seconds, WaitBasis::Default)
    };
    let seconds = (u64::from(ahead) * u64::from(per_person)).div_ceil(u64::from(open_counters));
    WaitEstimate::Estimate {
        seconds,
        per_person_seconds: per_person,
        basis,
    }
}
