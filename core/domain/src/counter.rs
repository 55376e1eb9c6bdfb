//! Counters (loket) and what they serve.

use crate::error::DomainError;
use crate::service::{ServiceCode, Stage};
use serde::{Deserialize, Serialize};
use std::fmt;

/// A counter's id, assigned by the hub.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct CounterId(pub i64);

impl fmt::Display for CounterId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

/// A counter: which services and stages it serves, and whether it is open.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Counter {
    /// Id.
    pub id: CounterId,
    /// Name shown on the display board ("Loket 3").
    pub name: String,
    /// Services served; empty means every service.
    pub services: Vec<ServiceCode>,
    /// Stages served; empty means every stage.
    pub stages: Vec<Stage>,
    /// Whether an officer has opened it.
    pub open: bool,
}

impl Counter {
    /// Whether this counter serves a service at a stage (regardless of being open).
    pub fn serves(&self, service: ServiceCode, stage: Stage) -> bool {
        (self.services.is_empty() || self.services.contains(&service))
            && (self.stages.is_empty() || self.stages.contains(&stage))
    }

    /// Errors with `counter_not_open` unless the counter is open.
    pub fn ensure_open(&self) -> Result<(), DomainError> {
        if self.open {
            Ok(())
        } else {
            Err(DomainError::CounterNotOpen { counter: self.id })
        }
    }
}
