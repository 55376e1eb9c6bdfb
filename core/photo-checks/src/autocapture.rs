//! When the preview takes the photo by itself: after a run of consecutive passing frames.

use serde::{Deserialize, Serialize};

/// What the preview should do after a frame.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum CaptureDecision {
    /// Keep previewing; `streak` of `needed` passing frames so far.
    Waiting {
        /// Consecutive passing frames so far.
        streak: u32,
        /// Passing frames needed.
        needed: u32,
    },
    /// Take this frame now (reported once).
    Capture,
    /// Already captured; waiting for [`AutoCapture::reset`] (new applicant or retake).
    Done,
}

/// Counts consecutive passing frames and fires once when `needed` is reached. Pure: feed it
/// each frame's [`crate::FrameReport::passed`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AutoCapture {
    needed: u32,
    streak: u32,
    done: bool,
}

impl AutoCapture {
    /// Fires after `needed` passing frames in a row (at least 1); at 15 fps, 8 is about half
    /// a second of holding still.
    pub fn new(needed: u32) -> Self {
        Self {
            needed: needed.max(1),
            streak: 0,
            done: false,
        }
    }

    /// Takes one frame's verdict.
    pub fn observe(&mut self, passed: bool) -> CaptureDecision {
        if self.done {
            return CaptureDecision::Done;
        }
        if !passed {
            self.streak = 0;
            return CaptureDecision::Waiting {
                streak: 0,
                needed: self.needed,
            };
        }
        self.streak += 1;
        if self.streak >= self.needed {
            self.done = true;
            CaptureDecision::Capture
        } else {
            CaptureDecision::Waiting {
                streak: self.streak,
                needed: self.needed,
            }
        }
    }

    /// Starts over (retake, or the next applicant).
    pub fn reset(&mut self) {
        self.streak = 0;
        self.done = false;
    }
}

impl Default for AutoCapture {
    fn default() -> Self {
        Self::new(8)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn fires_once_after_n_passes_and_a_failure_restarts_the_count() {
        let mut a = AutoCapture::new(3);
        assert_eq!(
            a.observe(true),
            CaptureDecision::Waiting {
                streak: 1,
                needed: 3
            }
        );
        assert_eq!(
            a.observe(true),
            CaptureDecision::Waiting {
                streak: 2,
                needed: 3
            }
        );
        assert_eq!(
            a.observe(false),
            CaptureDecision::Waiting {
                streak: 0,
                needed: 3
            }
        );
        assert_eq!(
            a.observe(true),
            CaptureDecision::Waiting {
                streak: 1,
                needed: 3
            }
        );
        assert_eq!(
            a.observe(true),
            CaptureDecision::Waiting {
                streak: 2,
                needed: 3
            }
        );
        assert_eq!(a.observe(true), CaptureDecision::Capture);
        assert_eq!(a.observe(true), CaptureDecision::Done);
        a.reset();
        assert_eq!(
            a.observe(true),
            CaptureDecision::Waiting {
                streak: 1,
                needed: 3
            }
        );
    }

    proptest! {
        /// Capture happens exactly when the first run of `needed` passes ends, and only once.
        #[test]
        fn captures_exactly_at_the_first_full_streak(needed in 1u32..6, frames in proptest::collection::vec(any::<bool>(), 0..60)) {
            let mut a = AutoCapture::new(needed);
            let mut run = 0u32;
            let mut expected = None;
            for (i, &p) in frames.iter().enumerate() {
                run = if p { run + 1 } else { 0 };
                if run == needed && expected.is_none() { expected = Some(i); }
            }
            let captures: Vec<usize> = frames.iter().enumerate()
                .filter_map(|(i, &p)| (a.observe(p) == CaptureDecision::Capture).then_some(i))
                .collect();
            prop_assert_eq!(captures, expected.into_iter().collect::<Vec<_>>());
        }
    }
}
