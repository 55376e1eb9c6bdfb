//! What a check run produces: serialisable, for the preview overlay, the command and the hub.

use serde::{Deserialize, Serialize};

use crate::imageops::{Point, Rect};

/// The checks, in the order they are reported.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CheckName {
    /// Exactly one face in the frame.
    OneFace,
    /// Head upright and facing the camera (roll, yaw, pitch).
    FrontalPose,
    /// Both eyes open.
    EyesOpen,
    /// Mouth closed.
    MouthClosed,
    /// Eye midpoint near the vertical centre line.
    Centred,
    /// Chin to crown as a share of the height.
    HeadSize,
    /// Height of the eyes measured from the bottom.
    EyeLine,
    /// Background at least as light as the face.
    BackgroundLight,
    /// Background plain and evenly lit.
    BackgroundEven,
    /// Face neither too dark nor too bright.
    Exposure,
    /// Face in focus, not blurred by motion.
    Sharpness,
    /// No reflections (glasses, lamps) over the eyes.
    EyeGlare,
}

impl CheckName {
    /// Every check, in report order.
    pub const ALL: [CheckName; 12] = [
        CheckName::OneFace,
        CheckName::FrontalPose,
        CheckName::EyesOpen,
        CheckName::MouthClosed,
        CheckName::Centred,
        CheckName::HeadSize,
        CheckName::EyeLine,
        CheckName::BackgroundLight,
        CheckName::BackgroundEven,
        CheckName::Exposure,
        CheckName::Sharpness,
        CheckName::EyeGlare,
    ];

    /// The name as it appears in JSON (`head_size`).
    pub fn as_str(self) -> &'static str {
        match self {
            CheckName::OneFace => "one_face",
            CheckName::FrontalPose => "frontal_pose",
            CheckName::EyesOpen => "eyes_open",
            CheckName::MouthClosed => "mouth_closed",
            CheckName::Centred => "centred",
            CheckName::HeadSize => "head_size",
            CheckName::EyeLine => "eye_line",
            CheckName::BackgroundLight => "background_light",
            CheckName::BackgroundEven => "background_even",
            CheckName::Exposure => "exposure",
            CheckName::Sharpness => "sharpness",
            CheckName::EyeGlare => "eye_glare",
        }
    }
}

/// The allowed range of a check's value (either bound may be absent).
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize)]
pub struct Threshold {
    /// Lowest passing value.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub min: Option<f32>,
    /// Highest passing value.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max: Option<f32>,
}

impl Threshold {
    /// Whether `value` lies within the bounds.
    pub fn admits(&self, value: f32) -> bool {
        self.min.is_none_or(|m| value >= m) && self.max.is_none_or(|m| value <= m)
    }
}

/// One check's outcome.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CheckResult {
    /// Which check.
    pub name: CheckName,
    /// The measured number; `None` when it could not be measured (no face).
    pub value: Option<f32>,
    /// The configured bounds.
    pub threshold: Threshold,
    /// Whether the photo passes this check.
    pub pass: bool,
    /// What the person should do, in Bahasa Indonesia ("Sudah baik." when passing).
    pub message: String,
    /// The same in English.
    pub message_en: String,
}

/// The face the checks measured, in frame pixels: what the preview draws.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FaceReport {
    /// The detector's box.
    pub rect: Rect,
    /// Detector score (0-1).
    pub score: f32,
    /// Centre of the person's right eye (image left).
    pub right_eye: Point,
    /// Centre of the person's left eye (image right).
    pub left_eye: Point,
    /// Tip of the nose.
    pub nose_tip: Point,
    /// Centre of the mouth.
    pub mouth: Point,
    /// Bottom of the chin.
    pub chin: Point,
    /// Top of the head (estimated from the hairline and the background; see docs/photo.md).
    pub crown: Point,
    /// Tilt towards a shoulder, degrees (positive: the person's left eye lower in the image).
    pub roll_degrees: f32,
    /// Turn, degrees (sign: positive when the face turns towards the image's right).
    pub yaw_degrees: f32,
    /// Nod, degrees from neutral (positive: chin down).
    pub pitch_degrees: f32,
}

/// The 35x45 guide the person is measured against, with its target lines (frame pixels).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Guide {
    /// The guide rectangle: the largest centred 35:45 rectangle of the frame.
    pub rect: Rect,
    /// Target vertical centre line (x).
    pub centre_x: f32,
    /// Allowed band of the eye line: `[top y, bottom y]`.
    pub eye_band: [f32; 2],
    /// Where the crown should be for the head size limits (chin on the eye-band bottom is not
    /// implied): `[y at the largest head, y at the smallest head]` when the chin sits at
    /// `chin_y`.
    pub crown_band: [f32; 2],
    /// Chin target when the head is of ideal size (75 %) and the eyes are in the band centre.
    pub chin_y: f32,
}

/// Everything one frame's check run found.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FrameReport {
    /// Frame width in pixels.
    pub width: u32,
    /// Frame height in pixels.
    pub height: u32,
    /// True when every check passed.
    pub passed: bool,
    /// How many faces the detector found (after size filtering).
    pub faces_found: usize,
    /// The measured face (the largest), if any.
    pub face: Option<FaceReport>,
    /// Boxes of any other faces.
    pub other_faces: Vec<Rect>,
    /// The guide and its target lines.
    pub guide: Guide,
    /// Every check, in [`CheckName::ALL`] order.
    pub checks: Vec<CheckResult>,
}

impl FrameReport {
    /// The result of one check.
    pub fn check(&self, name: CheckName) -> Option<&CheckResult> {
        self.checks.iter().find(|c| c.name == name)
    }

    /// Names of the failing checks.
    pub fn failed(&self) -> Vec<CheckName> {
        self.checks
            .iter()
            .filter(|c| !c.pass)
            .map(|c| c.name)
            .collect()
    }

    /// Pretty JSON (what `loket photo check` prints and the hub stores).
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).unwrap_or_else(|e| format!("{{\"error\":\"{e}\"}}"))
    }
}
