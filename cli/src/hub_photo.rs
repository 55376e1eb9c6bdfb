//! The hub's photo processor: `loket-photo-checks` (face models, tract) behind
//! `loket-hub`'s [`PhotoProcessor`] trait, so that the hub library itself never links tract.
//! `loket hub` installs it at start; settings come from `--photo-config FILE`
//! (`LOKET_PHOTO_CONFIG`), else `<data>/photo.toml` when present, else the defaults
//! (docs/photo.md).

use anyhow::Context;
use loket_hub::photo::{CheckedFrame, PhotoProcessError, PhotoProcessor, ProcessedPhoto};
use loket_photo_checks::{
    FrameReport, PhotoChecker, PhotoConfig, PhotoError, decode_image, load_config,
    make_passport_photo,
};
use std::path::Path;
use std::sync::Arc;

/// File name of the photo settings looked for in the data folder.
pub const PHOTO_CONFIG_FILE: &str = "photo.toml";

/// The checks and the 35x45 output with one configuration.
pub struct ChecksProcessor {
    checker: PhotoChecker,
    config: PhotoConfig,
}

impl ChecksProcessor {
    /// Loads the bundled models.
    pub fn new(config: PhotoConfig) -> Result<Self, PhotoError> {
        Ok(Self {
            checker: PhotoChecker::new(config.checks.clone())?,
            config,
        })
    }
}

/// The photo error's "Indonesian / English" message, split; refusals are the frame's fault
/// (take another), failures the installation's.
fn processor_error(e: PhotoError) -> PhotoProcessError {
    let text = e.to_string();
    let (id, en) = match text.split_once(" / ") {
        Some((id, en)) => (id.to_string(), en.to_string()),
        None => (text.clone(), text),
    };
    match e {
        PhotoError::Image(_)
        | PhotoError::NoFace
        | PhotoError::CropOutsideFrame(_)
        | PhotoError::File { .. } => PhotoProcessError::Refused {
            message_id: id,
            message_en: en,
        },
        PhotoError::Model(_)
        | PhotoError::TooLarge { .. }
        | PhotoError::Encode(_)
        | PhotoError::Config(_) => PhotoProcessError::Failed {
            message_id: id,
            message_en: en,
        },
    }
}

fn checked(report: &FrameReport) -> Result<CheckedFrame, PhotoProcessError> {
    let value = serde_json::to_value(report)
        .map_err(|e| processor_error(PhotoError::Encode(e.to_string())))?;
    Ok(CheckedFrame {
        passed: report.passed,
        failed: report
            .failed()
            .into_iter()
            .map(|c| c.as_str().to_string())
            .collect(),
        report: value,
    })
}

impl PhotoProcessor for ChecksProcessor {
    fn check(&self, image: &[u8]) -> Result<CheckedFrame, PhotoProcessError> {
        let frame = decode_image(image).map_err(processor_error)?;
        let report = self.checker.check(&frame).map_err(processor_error)?;
        checked(&report)
    }

    fn passport_photo(&self, image: &[u8]) -> Result<ProcessedPhoto, PhotoProcessError> {
        let frame = decode_image(image).map_err(processor_error)?;
        let report = self.checker.check(&frame).map_err(processor_error)?;
        let photo =
            make_passport_photo(&frame, &report, &self.config.output).map_err(processor_error)?;
        Ok(ProcessedPhoto {
            width: photo.width,
            height: photo.height,
            frame: checked(&photo.report)?,
            details: serde_json::json!({
                "quality": photo.quality,
                "rotation_degrees": photo.rotation_degrees,
                "source_pixels_per_output_pixel": photo.source_pixels_per_output_pixel,
                "outside_fraction": photo.outside_fraction,
                "frame_width": frame.width(),
                "frame_height": frame.height(),
            }),
            jpeg: photo.jpeg,
        })
    }

    fn auto_capture_frames(&self) -> u32 {
        self.config.capture.auto_frames.max(1)
    }
}

/// The processor for `loket hub`: the settings must be valid (else the hub does not start);
/// if the models cannot be loaded the hub runs without photos (its routes answer 503) and
/// says so.
pub fn load(
    data: &Path,
    explicit: Option<&Path>,
) -> anyhow::Result<Option<Arc<dyn PhotoProcessor>>> {
    let path = match explicit {
        Some(p) => Some(p.to_path_buf()),
        None => Some(data.join(PHOTO_CONFIG_FILE)).filter(|p| p.exists()),
    };
    let config = match &path {
        Some(p) => {
            load_config(p).with_context(|| format!("reading the photo settings {}", p.display()))?
        }
        None => PhotoConfig::default(),
    };
    let frames = config.capture.auto_frames.max(1);
    match ChecksProcessor::new(config) {
        Ok(p) => {
            println!("Photo checks ready (automatic capture after {frames} passing frames)");
            Ok(Some(Arc::new(p)))
        }
        Err(e) => {
            tracing::error!(error = %e, "photo checks unavailable");
            println!("Photo checks unavailable: {e}");
            Ok(None)
        }
    }
}
