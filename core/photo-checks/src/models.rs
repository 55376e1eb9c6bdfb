//! The two MediaPipe models (see `models/LICENSE.md`), run with tract: BlazeFace short-range
//! finds faces, Face Mesh places 468 landmarks on the chosen one.

use std::sync::Arc;

use tract_onnx::prelude::*;

use crate::PhotoError;
use crate::imageops::{Affine, Point, Pyramid, Rect};

const DETECTOR_ONNX: &[u8] = include_bytes!("../models/face_detection_short_range.onnx");
const LANDMARK_ONNX: &[u8] = include_bytes!("../models/face_landmark.onnx");
const DETECTOR_SIZE: usize = 128;
const LANDMARK_SIZE: usize = 192;
/// A frame wider than this (width / height) also gets the detector's centred-square view.
const LANDSCAPE_RATIO: f32 = 1.2;
/// Landmarks the face mesh model places.
pub const LANDMARK_COUNT: usize = 468;

type Plan = Arc<TypedRunnableModel>;

/// A face found by the detector, in frame pixels.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Detection {
    pub rect: Rect,
    pub score: f32,
    /// Right eye, left eye, nose tip, mouth, right ear, left ear (the person's right and left).
    pub keypoints: [Point; 6],
}

/// 468 face mesh landmarks in frame pixels, with depth (same scale as x, smaller is nearer).
#[derive(Debug, Clone)]
pub(crate) struct Mesh {
    pub points: Vec<[f32; 3]>,
    /// The model's confidence that the crop holds a face (0-1).
    pub score: f32,
}

impl Mesh {
    pub fn p(&self, i: usize) -> Point {
        self.points
            .get(i)
            .map_or(Point::default(), |q| Point::new(q[0], q[1]))
    }
    pub fn z(&self, i: usize) -> f32 {
        self.points.get(i).map_or(0.0, |q| q[2])
    }
}

/// The loaded, optimised face models. Loading takes a few hundred milliseconds: load once and
/// share (`FaceModels` is `Send + Sync`).
#[derive(Clone)]
pub struct FaceModels {
    detector: Plan,
    landmarks: Plan,
    anchors: Arc<Vec<Point>>,
}

impl std::fmt::Debug for FaceModels {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FaceModels").finish_non_exhaustive()
    }
}

fn load(bytes: &[u8], side: usize) -> Result<Plan, PhotoError> {
    let model = tract_onnx::onnx()
        .model_for_read(&mut &*bytes)
        .and_then(|m| m.with_input_fact(0, f32::fact([1, 3, side, side]).into()))
        .and_then(|m| m.into_optimized())
        .and_then(|m| m.into_runnable())
        .map_err(|e| PhotoError::Model(format!("{e:#}")))?;
    Ok(model)
}

impl FaceModels {
    /// Loads the models compiled into this crate.
    pub fn bundled() -> Result<Self, PhotoError> {
        Ok(Self {
            detector: load(DETECTOR_ONNX, DETECTOR_SIZE)?,
            landmarks: load(LANDMARK_ONNX, LANDMARK_SIZE)?,
            anchors: Arc::new(anchors()),
        })
    }

    fn run(plan: &Plan, input: Vec<f32>, side: usize) -> Result<Vec<Vec<f32>>, PhotoError> {
        let tensor = Tensor::from_shape(&[1, 3, side, side], &input)
            .map_err(|e| PhotoError::Model(format!("{e:#}")))?;
        let outputs = plan
            .run(tvec!(tensor.into()))
            .map_err(|e| PhotoError::Model(format!("{e:#}")))?;
        outputs
            .iter()
            .map(|t| {
                t.to_plain_array_view::<f32>()
                    .map(|v| v.iter().copied().collect())
                    .map_err(|e| PhotoError::Model(format!("{e:#}")))
            })
            .collect()
    }

    /// Faces in the frame, best first, after non-maximum suppression.
    ///
    /// The detector sees a 128x128 picture. The whole frame is letterboxed into it, and a
    /// landscape frame (a webcam's 16:9 or 4:3) is also looked at through its centred square,
    /// where the applicant stands: in the whole-frame view a 1280x720 frame shrinks tenfold,
    /// and BlazeFace short-range misses a head (chin to crown) under about 35 % of the frame
    /// height, the size of an applicant still a step away from the counter's camera. The
    /// centred square is 1.8 times larger, so heads down to about 20 % are found there, while
    /// the whole-frame view still finds faces beside the square (other people) and heads too
    /// large for the square. Both views' faces are merged by non-maximum suppression.
    pub(crate) fn detect(
        &self,
        pyramid: &Pyramid<'_>,
        min_score: f32,
    ) -> Result<Vec<Detection>, PhotoError> {
        let (w, h) = (
            pyramid.base().width() as f32,
            pyramid.base().height() as f32,
        );
        let side = w.max(h);
        let mut found = self.detect_in(
            pyramid,
            Point::new((w - side) / 2.0, (h - side) / 2.0),
            side,
            min_score,
        )?;
        if w > h * LANDSCAPE_RATIO {
            found.extend(self.detect_in(pyramid, Point::new((w - h) / 2.0, 0.0), h, min_score)?);
        }
        found.sort_by(|a, b| b.score.total_cmp(&a.score));
        let mut kept: Vec<Detection> = Vec::new();
        for d in found {
            if kept.iter().all(|k| k.rect.iou(&d.rect) < 0.3) {
                kept.push(d);
            }
        }
        Ok(kept)
    }

    /// The detector's faces in one square view of the frame: `side` frame pixels from
    /// `origin` fill the 128 px input; what lies outside the frame is black, as MediaPipe pads.
    fn detect_in(
        &self,
        pyramid: &Pyramid<'_>,
        origin: Point,
        side: f32,
        min_score: f32,
    ) -> Result<Vec<Detection>, PhotoError> {
        let (w, h) = (
            pyramid.base().width() as f32,
            pyramid.base().height() as f32,
        );
        let step = side / DETECTOR_SIZE as f32;
        let map = Affine {
            origin,
            ax: Point::new(step, 0.0),
            ay: Point::new(0.0, step),
        };
        let mut input = pyramid.warp_planar(&map, DETECTOR_SIZE, DETECTOR_SIZE, 2.0 / 255.0, -1.0);
        let plane = DETECTOR_SIZE * DETECTOR_SIZE;
        for v in 0..DETECTOR_SIZE {
            for u in 0..DETECTOR_SIZE {
                let p = map.apply(u as f32 + 0.5, v as f32 + 0.5);
                if p.x < 0.0 || p.y < 0.0 || p.x >= w || p.y >= h {
                    let i = v * DETECTOR_SIZE + u;
                    input[i] = -1.0;
                    input[plane + i] = -1.0;
                    input[2 * plane + i] = -1.0;
                }
            }
        }
        let out = Self::run(&self.detector, input, DETECTOR_SIZE)?;
        let (Some(boxes), Some(scores)) = (out.first(), out.get(1)) else {
            return Err(PhotoError::Model("detector gave too few outputs".into()));
        };
        let to_frame = |x: f32, y: f32| Point::new(origin.x + x * side, origin.y + y * side);
        let mut found = Vec::new();
        for (i, anchor) in self.anchors.iter().enumerate() {
            let (Some(&logit), Some(r)) = (scores.get(i), boxes.get(i * 16..i * 16 + 16)) else {
                break;
            };
            let score = 1.0 / (1.0 + (-logit.clamp(-100.0, 100.0)).exp());
            if score < min_score {
                continue;
            }
            let n = DETECTOR_SIZE as f32;
            let cx = anchor.x + r[0] / n;
            let cy = anchor.y + r[1] / n;
            let (bw, bh) = (r[2] / n, r[3] / n);
            let top_left = to_frame(cx - bw / 2.0, cy - bh / 2.0);
            let mut keypoints = [Point::default(); 6];
            for (k, kp) in keypoints.iter_mut().enumerate() {
                *kp = to_frame(anchor.x + r[4 + 2 * k] / n, anchor.y + r[5 + 2 * k] / n);
            }
            found.push(Detection {
                rect: Rect {
                    x: top_left.x,
                    y: top_left.y,
                    width: bw * side,
                    height: bh * side,
                },
                score,
                keypoints,
            });
        }
        Ok(found)
    }

    /// Places the face mesh on a detected face: a square crop 1.5 times the face box, turned
    /// so that the eyes are level, as MediaPipe does.
    pub(crate) fn mesh(&self, pyramid: &Pyramid<'_>, face: &Detection) -> Result<Mesh, PhotoError> {
        let [right_eye, left_eye, ..] = face.keypoints;
        let angle = (left_eye.y - right_eye.y).atan2(left_eye.x - right_eye.x);
        let side = face.rect.width.max(face.rect.height) * 1.5;
        let center = face.rect.center();
        let step = side / LANDMARK_SIZE as f32;
        let (s, c) = angle.sin_cos();
        let ax = Point::new(c * step, s * step);
        let ay = Point::new(-s * step, c * step);
        let half = LANDMARK_SIZE as f32 / 2.0;
        let origin = Point::new(
            center.x - half * ax.x - half * ay.x,
            center.y - half * ax.y - half * ay.y,
        );
        let map = Affine { origin, ax, ay };
        let input = pyramid.warp_planar(&map, LANDMARK_SIZE, LANDMARK_SIZE, 1.0 / 255.0, 0.0);
        let out = Self::run(&self.landmarks, input, LANDMARK_SIZE)?;
        let (Some(raw), Some(flag)) = (out.first(), out.get(1).and_then(|f| f.first())) else {
            return Err(PhotoError::Model(
                "landmark model gave too few outputs".into(),
            ));
        };
        if raw.len() < LANDMARK_COUNT * 3 {
            return Err(PhotoError::Model(
                "landmark model gave too few points".into(),
            ));
        }
        let points = raw
            .chunks_exact(3)
            .take(LANDMARK_COUNT)
            .map(|q| {
                let p = map.apply(q[0], q[1]);
                [p.x, p.y, q[2] * step]
            })
            .collect();
        Ok(Mesh {
            points,
            score: 1.0 / (1.0 + (-flag.clamp(-100.0, 100.0)).exp()),
        })
    }
}

/// BlazeFace short-range anchors: a 16x16 grid with 2 anchors per cell, then an 8x8 grid with
/// 6, centres in 0-1 input coordinates.
fn anchors() -> Vec<Point> {
    let mut out = Vec::with_capacity(896);
    for (grid, per_cell) in [(16usize, 2usize), (8, 6)] {
        for y in 0..grid {
            for x in 0..grid {
                for _ in 0..per_cell {
                    out.push(Point::new(
                        (x as f32 + 0.5) / grid as f32,
                        (y as f32 + 0.5) / grid as f32,
                    ));
                }
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn anchor_count_matches_the_model() {
        assert_eq!(super::anchors().len(), 896);
    }
}
