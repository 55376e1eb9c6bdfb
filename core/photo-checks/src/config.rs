//! Thresholds of every check and the output settings, with defaults. Loaded from TOML or
//! JSON by the caller (`loket photo check --config`), every field optional.

use serde::{Deserialize, Serialize};

/// Thresholds for the photo checks. Percentages are of the guide (the 35x45 frame).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct CheckConfig {
    /// Lowest detector score that counts as a face (0-1).
    pub min_face_score: f32,
    /// Faces smaller than this share of the frame height are ignored (people far behind).
    pub min_face_height_fraction: f32,
    /// Largest head roll (tilt to a shoulder), degrees.
    pub max_roll_degrees: f32,
    /// Largest head yaw (turn left/right), degrees.
    pub max_yaw_degrees: f32,
    /// Largest head pitch (chin up/down), degrees, measured from `pitch_neutral_degrees`.
    pub max_pitch_degrees: f32,
    /// The forehead-to-chin depth angle of an upright face as the landmark model sees it.
    pub pitch_neutral_degrees: f32,
    /// Smallest eyelid opening as a share of the eye's width (either eye).
    pub min_eye_openness: f32,
    /// Largest gap between the lips as a share of the mouth's width.
    pub max_mouth_opening: f32,
    /// Eye midpoint: allowed range, percent of the width from the left.
    pub centre_min_percent: f32,
    /// Eye midpoint: upper limit, percent of the width from the left.
    pub centre_max_percent: f32,
    /// Chin to crown: smallest share of the height, percent.
    pub head_min_percent: f32,
    /// Chin to crown: largest share of the height, percent.
    pub head_max_percent: f32,
    /// Eye line: lowest position, percent of the height measured from the bottom.
    pub eye_line_min_percent: f32,
    /// Eye line: highest position, percent of the height measured from the bottom.
    pub eye_line_max_percent: f32,
    /// Background brightness relative to the face's (background luma / face luma).
    pub min_background_ratio: f32,
    /// Largest standard deviation of the background's luma (0-255): shadows, objects.
    pub max_background_spread: f32,
    /// Face luma (0-255): lowest mean.
    pub min_face_luma: f32,
    /// Face luma (0-255): highest mean.
    pub max_face_luma: f32,
    /// Smallest contrast-normalised Laplacian energy of the face (blur lowers it).
    pub min_sharpness: f32,
    /// Largest share of blown-out (near white) pixels around the eyes.
    pub max_eye_glare: f32,
}

impl Default for CheckConfig {
    fn default() -> Self {
        Self {
            min_face_score: 0.6,
            min_face_height_fraction: 0.06,
            max_roll_degrees: 8.0,
            max_yaw_degrees: 12.0,
            max_pitch_degrees: 15.0,
            pitch_neutral_degrees: 11.0,
            min_eye_openness: 0.15,
            max_mouth_opening: 0.2,
            centre_min_percent: 45.0,
            centre_max_percent: 55.0,
            head_min_percent: 70.0,
            head_max_percent: 80.0,
            eye_line_min_percent: 50.0,
            eye_line_max_percent: 70.0,
            min_background_ratio: 0.8,
            max_background_spread: 22.0,
            min_face_luma: 70.0,
            max_face_luma: 210.0,
            min_sharpness: 0.08,
            max_eye_glare: 0.03,
        }
    }
}

/// How the output photo is made.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct OutputConfig {
    /// Output width in pixels (35 mm); at least 413.
    pub width: u32,
    /// Output height in pixels (45 mm); at least 531.
    pub height: u32,
    /// Chin to crown as a percentage of the output height.
    pub head_percent: f32,
    /// Eye line height from the bottom, percent of the output height.
    pub eye_line_percent: f32,
    /// Largest JPEG size in bytes; the highest quality that fits is used.
    pub max_bytes: usize,
    /// Lowest JPEG quality accepted when searching for a size that fits.
    pub min_quality: u8,
    /// Share of the crop allowed to fall outside the frame (filled from the nearest edge).
    pub max_outside_fraction: f32,
}

impl Default for OutputConfig {
    fn default() -> Self {
        Self {
            width: 413,
            height: 531,
            head_percent: 75.0,
            eye_line_percent: 60.0,
            max_bytes: 200 * 1024,
            min_quality: 50,
            max_outside_fraction: 0.05,
        }
    }
}

/// When the counter's live preview takes the photo by itself.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct CaptureConfig {
    /// Consecutive frames on which every check passes before the photo is taken (at least
    /// 1; the rule of [`crate::AutoCapture`]). At 15 fps, 5 frames is a third of a second.
    pub auto_frames: u32,
}

impl Default for CaptureConfig {
    fn default() -> Self {
        Self { auto_frames: 5 }
    }
}

/// The configurations as one document (`[checks]`, `[output]` and `[capture]` tables).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct PhotoConfig {
    /// Check thresholds.
    pub checks: CheckConfig,
    /// Output photo settings.
    pub output: OutputConfig,
    /// Automatic capture in the counter's preview.
    pub capture: CaptureConfig,
}
