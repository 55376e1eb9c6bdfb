//! Passport photo checks for the counter's photo step.
//!
//! [`PhotoChecker::check`] takes one RGB frame and returns a [`FrameReport`]: the face box,
//! key landmarks, the 35x45 guide with its target lines, and every check (exactly one face,
//! frontal pose, eyes open, mouth closed, centred, head size, eye line, background light and
//! even, exposure, sharpness, glare on the eyes), each with its value, configured threshold,
//! verdict and an Indonesian + English message saying what to change. It is fast enough for
//! a live preview (see `benches/pipeline.rs`). [`AutoCapture`] decides when to take the photo
//! by itself, and [`make_passport_photo`] produces the levelled, cropped, size-limited JPEG.
//!
//! The check code is pure: no files, no camera. Faces and landmarks come from MediaPipe's
//! BlazeFace and Face Mesh models (Apache-2.0, compiled in; see `models/LICENSE.md`), run by
//! tract.

mod autocapture;
mod checks;
mod command;
mod config;
mod imageops;
mod input;
mod models;
mod output;
mod report;

pub use autocapture::{AutoCapture, CaptureDecision};
pub use checks::guide_rect;
pub use command::{CheckCommandOutcome, check_file, load_config};
pub use config::{CaptureConfig, CheckConfig, OutputConfig, PhotoConfig};
pub use imageops::{Point, Rect};
pub use input::{MAX_INPUT_SIDE, decode_image};
pub use models::FaceModels;
pub use output::{PassportPhoto, encode_to_fit, make_passport_photo};
pub use report::{CheckName, CheckResult, FaceReport, FrameReport, Guide, Threshold};

/// Why a photo could not be checked or produced. Messages: Bahasa Indonesia, then English.
#[derive(Debug, thiserror::Error)]
pub enum PhotoError {
    /// The bundled face models could not be loaded or run.
    #[error(
        "Model wajah gagal dijalankan: {0}. Pasang ulang aplikasi. / The face model failed: {0}. Reinstall the application."
    )]
    Model(String),
    /// A photo was asked for a frame without a face.
    #[error(
        "Tidak ada wajah di gambar; foto tidak dapat dibuat. / No face in the image; no photo can be made."
    )]
    NoFace,
    /// The crop would reach too far beyond the frame.
    #[error("Wajah terlalu dekat ke tepi gambar ({:.0} % potongan di luar gambar). Atur posisi lalu ambil ulang. / The face is too close to the image edge ({:.0} % of the crop outside). Reposition and retake.", .0 * 100.0, .0 * 100.0)]
    CropOutsideFrame(f32),
    /// Even the lowest allowed JPEG quality is larger than the limit.
    #[error(
        "Foto {bytes} bita melebihi batas {max_bytes} bita bahkan pada mutu terendah. Naikkan batas ukuran. / The photo is {bytes} bytes, over the {max_bytes} byte limit even at the lowest quality. Raise the limit."
    )]
    TooLarge {
        /// Size at the lowest quality.
        bytes: usize,
        /// The configured limit.
        max_bytes: usize,
    },
    /// JPEG encoding failed.
    #[error("Foto gagal disimpan sebagai JPEG: {0}. / JPEG encoding failed: {0}.")]
    Encode(String),
    /// The configuration is not usable.
    #[error(
        "Pengaturan foto tidak sah: {0}. Perbaiki berkas pengaturan. / Invalid photo settings: {0}. Fix the settings file."
    )]
    Config(String),
    /// Image bytes (an uploaded camera frame) that are not a readable PNG or JPEG, or too
    /// large.
    #[error(
        "Gambar tidak dapat dibaca: {0}. Kirim bingkai kamera sebagai JPEG atau PNG. / The image cannot be read: {0}. Send the camera frame as JPEG or PNG."
    )]
    Image(String),
    /// An input or output file (command only).
    #[error(
        "Berkas {path}: {detail}. Periksa jalur berkasnya. / File {path}: {detail}. Check the path."
    )]
    File {
        /// The file.
        path: std::path::PathBuf,
        /// What went wrong.
        detail: String,
    },
}

/// Checks frames against a configuration. Build once (model loading takes a moment) and
/// reuse for every frame; cheap to clone.
#[derive(Debug, Clone)]
pub struct PhotoChecker {
    models: FaceModels,
    config: CheckConfig,
}

impl PhotoChecker {
    /// A checker with the bundled models.
    pub fn new(config: CheckConfig) -> Result<Self, PhotoError> {
        Ok(Self {
            models: FaceModels::bundled()?,
            config,
        })
    }

    /// A checker sharing already loaded models.
    pub fn with_models(models: FaceModels, config: CheckConfig) -> Self {
        Self { models, config }
    }

    /// The thresholds in use.
    pub fn config(&self) -> &CheckConfig {
        &self.config
    }

    /// Runs every check on one frame (any size; a webcam frame or a finished photo).
    pub fn check(&self, frame: &image::RgbImage) -> Result<FrameReport, PhotoError> {
        checks::run(&self.models, frame, &self.config)
    }
}

#[cfg(test)]
mod derived_tests;
