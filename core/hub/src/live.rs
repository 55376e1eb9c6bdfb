//! Live updates pushed to every WebSocket client: queue changes, calls for the display
//! boards, counters opened and closed, the day closed, the link to central. No personal
//! data travels here.

use crate::auth::{Principal, PrincipalKind};
use crate::sync::SyncSummary;
use crate::views::CallView;
use chrono::NaiveDate;
use loket_domain::{Actor, DeviceKind, ServiceCode};
use serde::{Deserialize, Serialize};

/// One live message, serialized with a `type` tag.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum LiveEvent {
    /// Sent first on every connection.
    Hello {
        /// Today's office date.
        office_date: NaiveDate,
    },
    /// The queue of a service changed (ticket issued, called, finished...).
    QueueChanged {
        /// Office date.
        office_date: NaiveDate,
        /// The service.
        service: ServiceCode,
    },
    /// A counter called (or recalled) a ticket: the display board shows and speaks it.
    Call {
        /// The call.
        call: CallView,
    },
    /// A counter opened, closed or changed what it serves.
    CounterChanged {
        /// Counter id.
        counter_id: i64,
    },
    /// The end-of-day reset ran.
    DayClosed {
        /// Office date closed.
        office_date: NaiveDate,
    },
    /// The link to central changed (state, pending count, last successful sync).
    Sync {
        /// The summary.
        sync: SyncSummary,
    },
    /// The client fell behind and missed messages: re-read what it shows.
    Resync,
}

impl LiveEvent {
    /// Whether a screen signed in as `who` is sent this message: a display board shows and
    /// speaks calls only, so queue and counter changes are not sent to it (20 boards in an
    /// office: every ticket would be 20 messages for nothing).
    pub fn concerns(&self, who: &Principal) -> bool {
        let board = matches!(
            who.kind,
            PrincipalKind::Actor(Actor::Device(DeviceKind::Display))
        );
        !(board
            && matches!(
                self,
                LiveEvent::QueueChanged { .. } | LiveEvent::CounterChanged { .. }
            ))
    }
}

/// A live message as sent: the event with its JSON text, made once for every socket (an
/// office's screens all get the same text; 20 boards made 20 copies of each call).
#[derive(Debug)]
pub struct LiveMessage {
    /// The event.
    pub event: LiveEvent,
    /// Its JSON text, `None` if it could not be made (never for these types).
    pub text: Option<axum::extract::ws::Utf8Bytes>,
}

impl LiveMessage {
    /// The message of `event`.
    pub fn new(event: LiveEvent) -> std::sync::Arc<LiveMessage> {
        let text = serde_json::to_string(&event).ok().map(Into::into);
        std::sync::Arc::new(LiveMessage { event, text })
    }
}
