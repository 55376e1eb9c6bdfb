//! The ten-print session as a pure model: which fingers the office takes, the status of
//! each, and exceptions with their reason and, where the office requires it, a
//! supervisor's confirmation. Serde types: the hub stores the session with the visit.
//!
//! No I/O here: images are referred to by the blob id the caller stored them under. The
//! model lives in this pure crate so that the hub (which must not link libusb) validates
//! what counters send with the same rules the counter used; `loket-fingerprint` re-exports
//! it as `loket_fingerprint::session`.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// The office's capture rules: threshold, retry limit, finger timeout.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct CapturePolicy {
    /// A print with at least this score (0-100) is accepted at once.
    pub threshold: u8,
    /// At most this many captures per finger (at least 1).
    pub max_attempts: u8,
    /// How long each attempt waits for the finger, in milliseconds.
    pub finger_timeout_ms: u64,
}

impl Default for CapturePolicy {
    fn default() -> Self {
        CapturePolicy {
            threshold: 60,
            max_attempts: 3,
            finger_timeout_ms: 15_000,
        }
    }
}

/// A finger, with its ISO/IEC 19794-4 (and ANSI/NIST-ITL) finger position code 1-10.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Finger {
    /// Right thumb (position 1).
    RightThumb,
    /// Right index finger (position 2).
    RightIndex,
    /// Right middle finger (position 3).
    RightMiddle,
    /// Right ring finger (position 4).
    RightRing,
    /// Right little finger (position 5).
    RightLittle,
    /// Left thumb (position 6).
    LeftThumb,
    /// Left index finger (position 7).
    LeftIndex,
    /// Left middle finger (position 8).
    LeftMiddle,
    /// Left ring finger (position 9).
    LeftRing,
    /// Left little finger (position 10).
    LeftLittle,
}

impl Finger {
    /// All ten, in position-code order.
    pub const ALL: [Finger; 10] = [
        Finger::RightThumb,
        Finger::RightIndex,
        Finger::RightMiddle,
        Finger::RightRing,
        Finger::RightLittle,
        Finger::LeftThumb,
        Finger::LeftIndex,
        Finger::LeftMiddle,
        Finger::LeftRing,
        Finger::LeftLittle,
    ];

    /// The ISO/IEC 19794-4 finger position code (1 = right thumb ... 10 = left little).
    pub fn position_code(self) -> u8 {
        Finger::ALL
            .iter()
            .position(|f| *f == self)
            .map_or(0, |i| i as u8 + 1)
    }

    /// The finger for a position code 1-10.
    pub fn from_position_code(code: u8) -> Option<Finger> {
        Finger::ALL.get(usize::from(code).checked_sub(1)?).copied()
    }

    /// The name shown to officers, in Bahasa Indonesia.
    pub fn label_id(self) -> &'static str {
        match self {
            Finger::RightThumb => "Ibu jari kanan",
            Finger::RightIndex => "Telunjuk kanan",
            Finger::RightMiddle => "Jari tengah kanan",
            Finger::RightRing => "Jari manis kanan",
            Finger::RightLittle => "Kelingking kanan",
            Finger::LeftThumb => "Ibu jari kiri",
            Finger::LeftIndex => "Telunjuk kiri",
            Finger::LeftMiddle => "Jari tengah kiri",
            Finger::LeftRing => "Jari manis kiri",
            Finger::LeftLittle => "Kelingking kiri",
        }
    }
}

/// Why a finger cannot be captured.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ExceptionKind {
    /// The finger is missing (amputated, congenital).
    Missing,
    /// The finger is bandaged or temporarily injured.
    Bandaged,
    /// The finger is there but gives no usable print (scars, worn ridges).
    Unusable,
}

/// The office's fingerprint configuration (the hub's `[fingerprints]` settings).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SessionPolicy {
    /// The fingers to take, in capture order (default: all ten).
    pub plan: Vec<Finger>,
    /// Threshold, retry limit and finger timeout for each finger.
    pub capture: CapturePolicy,
    /// Exception kinds that need a supervisor's confirmation before the session is complete
    /// (default: a missing finger, which stays in the person's record for good).
    pub supervisor_confirms: Vec<ExceptionKind>,
}

impl Default for SessionPolicy {
    fn default() -> Self {
        SessionPolicy {
            plan: Finger::ALL.to_vec(),
            capture: CapturePolicy::default(),
            supervisor_confirms: vec![ExceptionKind::Missing],
        }
    }
}

impl SessionPolicy {
    /// A plan of both index fingers (right, then left), other settings default.
    pub fn both_index_fingers() -> Self {
        SessionPolicy {
            plan: vec![Finger::RightIndex, Finger::LeftIndex],
            ..SessionPolicy::default()
        }
    }
}

/// A captured print, as the session records it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CapturedPrint {
    /// Id of the stored image (e.g. the SHA-256 of its file in the hub's blob store).
    pub image_blob: String,
    /// Quality score 0-100 of the kept image.
    pub score: u8,
    /// Captures made for this finger.
    pub attempts: u8,
    /// Whether the score reached the office's threshold.
    pub met_threshold: bool,
    /// When the kept image was captured.
    pub captured_at: DateTime<Utc>,
}

/// A supervisor's confirmation of an exception.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SupervisorConfirmation {
    /// The supervisor's staff id.
    pub supervisor: String,
    /// When they confirmed.
    pub confirmed_at: DateTime<Utc>,
}

/// A finger recorded as not capturable.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FingerException {
    /// What is wrong with the finger.
    pub kind: ExceptionKind,
    /// The officer's reason, in words (required).
    pub reason: String,
    /// The staff id of the officer who recorded it.
    pub recorded_by: String,
    /// When it was recorded.
    pub recorded_at: DateTime<Utc>,
    /// The supervisor's confirmation, once given.
    pub confirmation: Option<SupervisorConfirmation>,
}

/// Where one finger of the plan stands.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum FingerStatus {
    /// Not yet captured.
    Pending,
    /// Captured.
    Captured(CapturedPrint),
    /// Recorded as an exception.
    Exception(FingerException),
}

/// What a session refuses to do.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SessionError {
    /// The finger is not in the office's plan.
    #[error(
        "{0:?} tidak termasuk rencana pengambilan kantor ini. Pilih jari lain. / \
         {0:?} is not in this office's finger plan. Choose another finger."
    )]
    NotInPlan(Finger),
    /// An exception needs a reason.
    #[error(
        "Alasan pengecualian wajib diisi. Tulis alasannya lalu simpan lagi. / \
         An exception needs a reason. Write the reason and save again."
    )]
    EmptyReason,
    /// Only an exception can be confirmed.
    #[error(
        "{0:?} tidak dicatat sebagai pengecualian, jadi tidak ada yang dikonfirmasi. / \
         {0:?} is not recorded as an exception, so there is nothing to confirm."
    )]
    NoException(Finger),
    /// The recording officer cannot confirm their own exception.
    #[error(
        "Pengecualian harus dikonfirmasi oleh supervisor lain, bukan petugas yang mencatatnya. / \
         The exception must be confirmed by a supervisor other than the officer who recorded it."
    )]
    SelfConfirmation,
}

/// One applicant's fingerprint session.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FingerprintSession {
    /// The policy the session was opened under (kept with the result).
    pub policy: SessionPolicy,
    /// Status per planned finger.
    pub fingers: BTreeMap<Finger, FingerStatus>,
}

impl FingerprintSession {
    /// A session with every planned finger pending. Duplicate fingers in the plan count once.
    pub fn new(policy: SessionPolicy) -> Self {
        let fingers = policy
            .plan
            .iter()
            .map(|f| (*f, FingerStatus::Pending))
            .collect();
        FingerprintSession { policy, fingers }
    }

    /// The status of a planned finger (`None` if it is not in the plan).
    pub fn status(&self, finger: Finger) -> Option<&FingerStatus> {
        self.fingers.get(&finger)
    }

    fn slot(&mut self, finger: Finger) -> Result<&mut FingerStatus, SessionError> {
        self.fingers
            .get_mut(&finger)
            .ok_or(SessionError::NotInPlan(finger))
    }

    /// Records a captured print (replacing any earlier status: a retake).
    pub fn record_capture(
        &mut self,
        finger: Finger,
        print: CapturedPrint,
    ) -> Result<(), SessionError> {
        *self.slot(finger)? = FingerStatus::Captured(print);
        Ok(())
    }

    /// Records an exception with its reason.
    pub fn record_exception(
        &mut self,
        finger: Finger,
        kind: ExceptionKind,
        reason: &str,
        officer: &str,
        at: DateTime<Utc>,
    ) -> Result<(), SessionError> {
        let reason = reason.trim();
        if reason.is_empty() {
            return Err(SessionError::EmptyReason);
        }
        *self.slot(finger)? = FingerStatus::Exception(FingerException {
            kind,
            reason: reason.to_string(),
            recorded_by: officer.to_string(),
            recorded_at: at,
            confirmation: None,
        });
        Ok(())
    }

    /// A supervisor confirms the exception recorded for `finger`.
    pub fn confirm_exception(
        &mut self,
        finger: Finger,
        supervisor: &str,
        at: DateTime<Utc>,
    ) -> Result<(), SessionError> {
        match self.slot(finger)? {
            FingerStatus::Exception(exception) => {
                if exception.recorded_by == supervisor {
                    return Err(SessionError::SelfConfirmation);
                }
                exception.confirmation = Some(SupervisorConfirmation {
                    supervisor: supervisor.to_string(),
                    confirmed_at: at,
                });
                Ok(())
            }
            _ => Err(SessionError::NoException(finger)),
        }
    }

    /// Puts a finger back to pending (to retake it, or to undo an exception).
    pub fn reset(&mut self, finger: Finger) -> Result<(), SessionError> {
        *self.slot(finger)? = FingerStatus::Pending;
        Ok(())
    }

    /// Whether this exception still waits for a supervisor under the session's policy.
    fn needs_confirmation(&self, exception: &FingerException) -> bool {
        exception.confirmation.is_none()
            && self.policy.supervisor_confirms.contains(&exception.kind)
    }

    /// The next finger to capture, in plan order.
    pub fn next_pending(&self) -> Option<Finger> {
        self.policy
            .plan
            .iter()
            .copied()
            .find(|f| matches!(self.fingers.get(f), Some(FingerStatus::Pending)))
    }

    /// Fingers whose exception waits for a supervisor's confirmation.
    pub fn awaiting_confirmation(&self) -> Vec<Finger> {
        self.fingers
            .iter()
            .filter_map(|(finger, status)| match status {
                FingerStatus::Exception(e) if self.needs_confirmation(e) => Some(*finger),
                _ => None,
            })
            .collect()
    }

    /// Complete: every planned finger is captured or an exception that needs no more
    /// confirmation.
    pub fn is_complete(&self) -> bool {
        self.fingers.values().all(|status| match status {
            FingerStatus::Pending => false,
            FingerStatus::Captured(_) => true,
            FingerStatus::Exception(e) => !self.needs_confirmation(e),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at() -> DateTime<Utc> {
        DateTime::from_timestamp(1_790_000_000, 0).unwrap_or_default()
    }

    fn print(score: u8) -> CapturedPrint {
        CapturedPrint {
            image_blob: "ab".repeat(32),
            score,
            attempts: 1,
            met_threshold: true,
            captured_at: at(),
        }
    }

    #[test]
    fn default_plan_is_all_ten_in_position_order() {
        let session = FingerprintSession::new(SessionPolicy::default());
        assert_eq!(session.fingers.len(), 10);
        assert_eq!(session.next_pending(), Some(Finger::RightThumb));
        let codes: Vec<u8> = Finger::ALL.iter().map(|f| f.position_code()).collect();
        assert_eq!(codes, (1..=10).collect::<Vec<u8>>());
        for code in 1..=10 {
            assert_eq!(
                Finger::from_position_code(code).map(Finger::position_code),
                Some(code)
            );
        }
        assert_eq!(Finger::from_position_code(0), None);
        assert_eq!(Finger::from_position_code(11), None);
    }

    #[test]
    fn index_finger_plan_completes_with_two_prints_and_refuses_others() {
        let mut session = FingerprintSession::new(SessionPolicy::both_index_fingers());
        assert_eq!(
            session.record_capture(Finger::RightThumb, print(80)),
            Err(SessionError::NotInPlan(Finger::RightThumb))
        );
        session
            .record_capture(Finger::RightIndex, print(80))
            .expect("in plan");
        assert!(!session.is_complete());
        assert_eq!(session.next_pending(), Some(Finger::LeftIndex));
        session
            .record_capture(Finger::LeftIndex, print(70))
            .expect("in plan");
        assert!(session.is_complete());
        assert_eq!(session.next_pending(), None);
    }

    #[test]
    fn exception_needs_reason_and_configured_confirmation_by_someone_else() {
        let policy = SessionPolicy {
            supervisor_confirms: vec![ExceptionKind::Missing],
            ..SessionPolicy::both_index_fingers()
        };
        let mut session = FingerprintSession::new(policy);
        session
            .record_capture(Finger::RightIndex, print(90))
            .expect("ok");
        assert_eq!(
            session.record_exception(
                Finger::LeftIndex,
                ExceptionKind::Missing,
                "  ",
                "officer-1",
                at()
            ),
            Err(SessionError::EmptyReason)
        );
        session
            .record_exception(
                Finger::LeftIndex,
                ExceptionKind::Missing,
                "amputasi",
                "officer-1",
                at(),
            )
            .expect("ok");
        assert!(!session.is_complete());
        assert_eq!(session.awaiting_confirmation(), vec![Finger::LeftIndex]);
        assert_eq!(
            session.confirm_exception(Finger::LeftIndex, "officer-1", at()),
            Err(SessionError::SelfConfirmation)
        );
        assert_eq!(
            session.confirm_exception(Finger::RightIndex, "supervisor-1", at()),
            Err(SessionError::NoException(Finger::RightIndex))
        );
        session
            .confirm_exception(Finger::LeftIndex, "supervisor-1", at())
            .expect("ok");
        assert!(session.is_complete());
    }

    #[test]
    fn unconfigured_exception_kinds_need_no_supervisor() {
        let policy = SessionPolicy {
            supervisor_confirms: vec![ExceptionKind::Missing],
            ..SessionPolicy::both_index_fingers()
        };
        let mut session = FingerprintSession::new(policy);
        session
            .record_capture(Finger::RightIndex, print(90))
            .expect("ok");
        session
            .record_exception(
                Finger::LeftIndex,
                ExceptionKind::Bandaged,
                "diperban",
                "officer-1",
                at(),
            )
            .expect("ok");
        assert!(session.is_complete());
        session.reset(Finger::LeftIndex).expect("ok");
        assert!(!session.is_complete());
    }

    #[test]
    fn session_round_trips_through_json() {
        let mut session = FingerprintSession::new(SessionPolicy::default());
        session
            .record_capture(Finger::RightThumb, print(77))
            .expect("ok");
        session
            .record_exception(
                Finger::LeftLittle,
                ExceptionKind::Unusable,
                "bekas luka",
                "o-1",
                at(),
            )
            .expect("ok");
        let json = serde_json::to_string(&session).expect("serializes");
        assert!(json.contains("\"status\":\"exception\""), "{json}");
        let back: FingerprintSession = serde_json::from_str(&json).expect("parses");
        assert_eq!(back, session);
    }

    #[derive(Debug, Clone)]
    enum Op {
        Capture(u8),
        Except(u8, u8),
        Confirm(u8, bool),
        Reset(u8),
    }

    fn op() -> impl proptest::strategy::Strategy<Value = Op> {
        use proptest::prelude::*;
        prop_oneof![
            (1u8..=10).prop_map(Op::Capture),
            ((1u8..=10), (0u8..3)).prop_map(|(f, k)| Op::Except(f, k)),
            ((1u8..=10), any::<bool>()).prop_map(|(f, s)| Op::Confirm(f, s)),
            (1u8..=10).prop_map(Op::Reset),
        ]
    }

    proptest::proptest! {
        /// Whatever officers do, "complete" means exactly: nothing pending and nothing
        /// waiting for a supervisor; fingers outside the plan never appear.
        #[test]
        fn completeness_matches_its_definition(
            plan_mask in 1u16..1024,
            confirms in proptest::collection::vec(0u8..3, 0..3),
            ops in proptest::collection::vec(op(), 0..40),
        ) {
            let kinds = [ExceptionKind::Missing, ExceptionKind::Bandaged, ExceptionKind::Unusable];
            let plan: Vec<Finger> = Finger::ALL
                .iter()
                .copied()
                .filter(|f| plan_mask & (1 << (f.position_code() - 1)) != 0)
                .collect();
            let policy = SessionPolicy {
                plan: plan.clone(),
                supervisor_confirms: confirms.iter().map(|&k| kinds[usize::from(k)]).collect(),
                ..SessionPolicy::default()
            };
            let mut session = FingerprintSession::new(policy);
            for op in ops {
                let finger = |code| Finger::from_position_code(code).unwrap_or(Finger::RightThumb);
                let result = match op {
                    Op::Capture(f) => session.record_capture(finger(f), print(60)),
                    Op::Except(f, k) => session.record_exception(finger(f), kinds[usize::from(k)], "alasan", "officer", at()),
                    Op::Confirm(f, by_self) => session.confirm_exception(finger(f), if by_self { "officer" } else { "supervisor" }, at()),
                    Op::Reset(f) => session.reset(finger(f)),
                };
                if let Err(SessionError::NotInPlan(f)) = result {
                    proptest::prop_assert!(!plan.contains(&f));
                }
            }
            proptest::prop_assert!(session.fingers.keys().all(|f| plan.contains(f)));
            let pending = session.next_pending().is_some();
            let waiting = !session.awaiting_confirmation().is_empty();
            proptest::prop_assert_eq!(session.is_complete(), !pending && !waiting);
        }
    }
}
