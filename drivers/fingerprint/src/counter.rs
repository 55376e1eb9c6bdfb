//! What a counter's capture hands on: the best print of the capture loop as WSQ (what the
//! hub stores) and PNG (the preview), with its score and the score of every attempt. The
//! desktop app's `fingerprint_capture` command and the demo hub's simulated reader both
//! answer with this.

use loket_fingerprint_formats::{GrayImage, wsq};

use crate::quality::Quality;
use crate::{CapturePolicy, FingerImage, ScanError, Scanner, capture_best};

/// One finger captured for the counter.
#[derive(Debug, Clone, PartialEq)]
pub struct CounterCapture {
    /// Reader name.
    pub reader: String,
    /// The kept image, as the reader delivered it.
    pub image: FingerImage,
    /// Its quality.
    pub quality: Quality,
    /// Captures made.
    pub attempts: u8,
    /// Whether the kept image reached the threshold.
    pub met_threshold: bool,
    /// The score of each attempt, in order.
    pub attempt_scores: Vec<u8>,
    /// The kept image as WSQ at the standard bitrate (0.75).
    pub wsq: Vec<u8>,
    /// The kept image as an 8-bit grayscale PNG.
    pub png: Vec<u8>,
}

/// Runs the capture loop ([`capture_best`]) and encodes the kept image.
pub fn capture_for_counter(
    scanner: &mut dyn Scanner,
    policy: &CapturePolicy,
) -> Result<CounterCapture, ScanError> {
    let reader = scanner.info().name.clone();
    let mut attempt_scores = Vec::new();
    let best = capture_best(scanner, policy, |_, q| attempt_scores.push(q.score))?;
    let wsq = encode_wsq(&best.image)?;
    let png = best.image.to_png()?;
    Ok(CounterCapture {
        reader,
        quality: best.quality,
        attempts: best.attempts,
        met_threshold: best.met_threshold,
        attempt_scores,
        image: best.image,
        wsq,
        png,
    })
}

/// Encodes an image as WSQ at the standard bitrate.
pub fn encode_wsq(image: &FingerImage) -> Result<Vec<u8>, ScanError> {
    let gray = GrayImage::new(image.width(), image.height(), image.pixels().to_vec())
        .map_err(|e| ScanError::ImageFile(e.to_string()))?;
    wsq::encode(&gray, wsq::STANDARD_BITRATE, image.ppi())
        .map_err(|e| ScanError::ImageFile(e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::simulated::{Degradation, SimulatedScanner, SimulatedStep};

    #[test]
    fn counter_capture_keeps_the_best_and_its_wsq_decodes_to_the_same_size() {
        let mut reader = SimulatedScanner::new(vec![
            SimulatedStep::Generated(Degradation::Noise(140)),
            SimulatedStep::Generated(Degradation::None),
        ]);
        let capture =
            capture_for_counter(&mut reader, &CapturePolicy::default()).expect("captures");
        assert_eq!(capture.attempts, 2);
        assert_eq!(capture.attempt_scores.len(), 2);
        assert!(capture.met_threshold);
        assert_eq!(
            Some(&capture.quality.score),
            capture.attempt_scores.iter().max()
        );
        let back = wsq::decode(&capture.wsq).expect("our WSQ decodes");
        assert_eq!(
            (back.width, back.height),
            (capture.image.width(), capture.image.height())
        );
        assert_eq!(&capture.png[1..4], b"PNG");
    }

    #[test]
    fn reader_errors_come_through() {
        let mut reader = SimulatedScanner::new(vec![SimulatedStep::NoFinger]);
        let err =
            capture_for_counter(&mut reader, &CapturePolicy::default()).expect_err("times out");
        assert!(matches!(err, ScanError::Timeout(_)));
    }
}
