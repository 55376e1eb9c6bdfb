//! `loket photo check FILE [--crop OUT.jpg] [--config FILE]`: the file edges around the pure
//! checks, so the command-line program stays thin glue.

use std::path::Path;

use crate::{PhotoChecker, PhotoConfig, PhotoError, make_passport_photo};

/// What the command prints and how it should exit.
#[derive(Debug, Clone)]
pub struct CheckCommandOutcome {
    /// The report as pretty JSON (with the crop's details when one was written).
    pub json: String,
    /// Whether every check passed (exit status 0).
    pub passed: bool,
}

fn file_error(path: &Path, detail: impl ToString) -> PhotoError {
    PhotoError::File {
        path: path.to_owned(),
        detail: detail.to_string(),
    }
}

/// Loads a configuration file: TOML with `[checks]` and `[output]` tables (all optional).
pub fn load_config(path: &Path) -> Result<PhotoConfig, PhotoError> {
    let text = std::fs::read_to_string(path).map_err(|e| file_error(path, e))?;
    toml::from_str(&text).map_err(|e| PhotoError::Config(e.to_string()))
}

/// Checks `image`; writes the cropped photo to `crop` when asked and the face allows it.
pub fn check_file(
    image: &Path,
    crop: Option<&Path>,
    config: Option<&Path>,
) -> Result<CheckCommandOutcome, PhotoError> {
    let config = match config {
        Some(path) => load_config(path)?,
        None => PhotoConfig::default(),
    };
    let frame = image::open(image)
        .map_err(|e| file_error(image, e))?
        .to_rgb8();
    let checker = PhotoChecker::new(config.checks.clone())?;
    let report = checker.check(&frame)?;
    let passed = report.passed;
    let mut value = serde_json::to_value(&report).map_err(|e| PhotoError::Encode(e.to_string()))?;
    if let Some(out) = crop {
        let photo = make_passport_photo(&frame, &report, &config.output)?;
        std::fs::write(out, &photo.jpeg).map_err(|e| file_error(out, e))?;
        if let Some(map) = value.as_object_mut() {
            map.insert(
                "crop".to_owned(),
                serde_json::json!({
                    "path": out.display().to_string(),
                    "width": photo.width,
                    "height": photo.height,
                    "bytes": photo.jpeg.len(),
                    "quality": photo.quality,
                    "rotation_degrees": photo.rotation_degrees,
                    "source_pixels_per_output_pixel": photo.source_pixels_per_output_pixel,
                    "outside_fraction": photo.outside_fraction,
                }),
            );
        }
    }
    let json =
        serde_json::to_string_pretty(&value).map_err(|e| PhotoError::Encode(e.to_string()))?;
    Ok(CheckCommandOutcome { json, passed })
}
