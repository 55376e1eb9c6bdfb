//! The capture loop: capture, score, retry until the office's threshold or the retry
//! limit, keep the best image.

use std::time::Duration;

pub use loket_fingerprint_formats::session::CapturePolicy;

use crate::quality::{Quality, assess};
use crate::{FingerImage, ScanError, Scanner};

/// The result of the loop: the best image and how it went.
#[derive(Debug, Clone, PartialEq)]
pub struct BestCapture {
    /// The best-scoring image of all attempts.
    pub image: FingerImage,
    /// Its quality.
    pub quality: Quality,
    /// How many captures were made.
    pub attempts: u8,
    /// Whether the best image reached the policy's threshold.
    pub met_threshold: bool,
}

/// Captures with `scanner` until an image scores at least `policy.threshold` or
/// `policy.max_attempts` captures were made, and returns the best one.
/// `on_attempt` sees each attempt's number (from 1) and quality, for a live display.
/// Any reader error ends the loop with that error.
pub fn capture_best(
    scanner: &mut dyn Scanner,
    policy: &CapturePolicy,
    mut on_attempt: impl FnMut(u8, &Quality),
) -> Result<BestCapture, ScanError> {
    let timeout = Duration::from_millis(policy.finger_timeout_ms);
    let mut best: Option<BestCapture> = None;
    for attempt in 1..=policy.max_attempts.max(1) {
        let image = scanner.capture(timeout)?;
        let quality = assess(&image);
        on_attempt(attempt, &quality);
        let better = best
            .as_ref()
            .is_none_or(|b| quality.score > b.quality.score);
        if better {
            best = Some(BestCapture {
                image,
                quality,
                attempts: attempt,
                met_threshold: quality.finger_present && quality.score >= policy.threshold,
            });
        }
        if let Some(b) = best.as_mut() {
            b.attempts = attempt;
            if b.met_threshold {
                break;
            }
        }
    }
    best.ok_or(ScanError::NoDevice)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::simulated::{Degradation, SimulatedScanner, SimulatedStep};

    #[test]
    fn stops_at_the_first_good_print() {
        let mut reader = SimulatedScanner::new(vec![
            SimulatedStep::Generated(Degradation::Noise(140)),
            SimulatedStep::Generated(Degradation::None),
            SimulatedStep::Generated(Degradation::Noise(140)),
        ]);
        let mut seen = Vec::new();
        let best = capture_best(&mut reader, &CapturePolicy::default(), |n, q| {
            seen.push((n, q.score))
        })
        .expect("captures");
        assert_eq!(best.attempts, 2);
        assert!(best.met_threshold);
        assert_eq!(seen.len(), 2);
        assert!(seen[1].1 > seen[0].1);
    }

    #[test]
    fn keeps_the_best_when_the_limit_is_reached() {
        let mut reader = SimulatedScanner::new(vec![
            SimulatedStep::Generated(Degradation::Noise(140)),
            SimulatedStep::Generated(Degradation::Noise(60)),
            SimulatedStep::Generated(Degradation::PartialArea),
            SimulatedStep::Generated(Degradation::None),
        ]);
        let policy = CapturePolicy {
            threshold: 100,
            ..CapturePolicy::default()
        };
        let mut scores = Vec::new();
        let best = capture_best(&mut reader, &policy, |_, q| scores.push(q.score)).expect("ok");
        assert_eq!(best.attempts, 3, "default retry limit is 3");
        assert_eq!(scores.len(), 3);
        assert_eq!(Some(&best.quality.score), scores.iter().max());
        assert!(!best.met_threshold);
    }

    #[test]
    fn reader_errors_end_the_loop() {
        let mut reader = SimulatedScanner::new(vec![SimulatedStep::Unplug]);
        let err =
            capture_best(&mut reader, &CapturePolicy::default(), |_, _| {}).expect_err("unplugged");
        assert!(matches!(err, ScanError::Unplugged));
    }
}
