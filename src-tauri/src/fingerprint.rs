//! The counter's fingerprint reader: USB readers are plugged into the counter PC, so the
//! app drives them here with `loket-fingerprint` and hands the page the kept print as WSQ
//! (base64, what the hub stores) with a PNG preview and the scores. Commands (granted to
//! the counter role only, see `roles::permissions`):
//!
//! - `fingerprint_readers` -> the readers present (USB, or the simulated one when
//!   `/etc/loket/desktop.toml` says `fingerprint_reader = "simulated"`);
//! - `fingerprint_capture { finger, policy? }` -> the capture loop's best print
//!   (`loket_fingerprint::capture_for_counter`) under the office's policy (the page passes
//!   the one the hub gave it; default threshold 60, 3 attempts, 15 s per finger).
//!
//! Errors reach the page as `{code, message_id, message_en}` (the driver's own bilingual
//! messages: no reader, unplugged, timeout, permission denied naming the udev rule...).
//! Logs carry no images and no personal data.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use loket_fingerprint::session::Finger;
use loket_fingerprint::{
    CapturePolicy, DeviceInfo, ReaderSource, ScanError, SimulatedReaders, UsbReaders,
    capture_for_counter,
};
use serde::Serialize;

use crate::config::FingerprintReader;

/// What the page gets when a command fails.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CommandError {
    /// `no_device`, `unplugged`, `timeout`, `protocol`, `permission_denied`, `cancelled`,
    /// `usb`, `image_file`, or `internal`.
    pub code: String,
    /// Bahasa Indonesia, saying what to do.
    pub message_id: String,
    /// English, saying what to do.
    pub message_en: String,
}

impl From<ScanError> for CommandError {
    fn from(e: ScanError) -> Self {
        CommandError {
            code: e.code().to_string(),
            message_id: e.message_id(),
            message_en: e.message_en(),
        }
    }
}

/// A reader as the page lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ReaderView {
    /// Human name.
    pub name: String,
    /// `usb:BUS/ADDRESS` or `simulated:0`.
    pub location: String,
    /// Whether it is the simulated reader.
    pub simulated: bool,
    /// Image size and resolution.
    pub width: u32,
    /// Image height.
    pub height: u32,
    /// Resolution in ppi.
    pub ppi: u16,
}

/// The kept print: the same shape as the hub's simulated reader answers.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CaptureView {
    /// Reader name.
    pub reader: String,
    /// Which finger.
    pub finger: Finger,
    /// WSQ, base64.
    pub wsq: String,
    /// PNG data URL for the preview.
    pub preview: String,
    /// Width in pixels.
    pub width: u32,
    /// Height in pixels.
    pub height: u32,
    /// Resolution.
    pub ppi: u16,
    /// Quality score 0-100 of the kept print.
    pub score: u8,
    /// Captures made.
    pub attempts: u8,
    /// Whether the kept print reached the threshold.
    pub met_threshold: bool,
    /// The score of each attempt.
    pub attempt_scores: Vec<u8>,
}

fn source(kind: FingerprintReader) -> Result<Box<dyn ReaderSource>, CommandError> {
    Ok(match kind {
        FingerprintReader::Usb => Box::new(UsbReaders::new()?),
        FingerprintReader::Simulated => Box::new(SimulatedReaders::default()),
    })
}

fn reader_view(d: DeviceInfo) -> ReaderView {
    ReaderView {
        simulated: d.model == loket_fingerprint::ReaderModel::Simulated,
        name: d.name,
        location: d.location,
        width: d.width,
        height: d.height,
        ppi: d.ppi,
    }
}

/// The readers present on `source`.
pub fn list(source: &dyn ReaderSource) -> Result<Vec<ReaderView>, CommandError> {
    Ok(source.discover()?.into_iter().map(reader_view).collect())
}

/// Opens the first reader of `source` and captures `finger` under `policy`.
pub fn capture(
    source: &dyn ReaderSource,
    finger: Finger,
    policy: &CapturePolicy,
) -> Result<CaptureView, CommandError> {
    let mut scanner = source.open_first()?;
    let c = capture_for_counter(scanner.as_mut(), policy)?;
    tracing::info!(
        reader = %c.reader,
        position = finger.position_code(),
        score = c.quality.score,
        attempts = c.attempts,
        "fingerprint captured"
    );
    Ok(CaptureView {
        reader: c.reader,
        finger,
        wsq: BASE64.encode(&c.wsq),
        preview: format!("data:image/png;base64,{}", BASE64.encode(&c.png)),
        width: c.image.width(),
        height: c.image.height(),
        ppi: c.image.ppi(),
        score: c.quality.score,
        attempts: c.attempts,
        met_threshold: c.met_threshold,
        attempt_scores: c.attempt_scores,
    })
}

fn internal(e: impl std::fmt::Display) -> CommandError {
    CommandError {
        code: "internal".into(),
        message_id: format!("Kesalahan aplikasi: {e}. Mulai ulang aplikasi."),
        message_en: format!("Application error: {e}. Restart the app."),
    }
}

/// `fingerprint_readers`: the readers present.
#[tauri::command]
pub async fn fingerprint_readers(
    reader: tauri::State<'_, FingerprintReader>,
) -> Result<Vec<ReaderView>, CommandError> {
    let kind = *reader.inner();
    tauri::async_runtime::spawn_blocking(move || list(source(kind)?.as_ref()))
        .await
        .map_err(internal)?
}

/// `fingerprint_capture { finger, policy? }`: the capture loop's best print.
#[tauri::command]
pub async fn fingerprint_capture(
    reader: tauri::State<'_, FingerprintReader>,
    finger: Finger,
    policy: Option<CapturePolicy>,
) -> Result<CaptureView, CommandError> {
    let kind = *reader.inner();
    let policy = policy.unwrap_or_default();
    tauri::async_runtime::spawn_blocking(move || capture(source(kind)?.as_ref(), finger, &policy))
        .await
        .map_err(internal)?
}

#[cfg(test)]
mod tests {
    use super::*;
    use loket_fingerprint::simulated::{Degradation, SimulatedStep};

    #[test]
    fn the_simulated_source_lists_one_reader_and_captures_with_retries() {
        let source = SimulatedReaders {
            steps: vec![
                SimulatedStep::Generated(Degradation::Noise(140)),
                SimulatedStep::Generated(Degradation::None),
            ],
        };
        let readers = list(&source).unwrap();
        assert_eq!(readers.len(), 1);
        assert!(readers[0].simulated);
        let c = capture(&source, Finger::LeftIndex, &CapturePolicy::default()).unwrap();
        assert_eq!(c.finger, Finger::LeftIndex);
        assert_eq!(c.attempts, 2);
        assert_eq!(c.attempt_scores.len(), 2);
        assert!(c.met_threshold);
        let wsq = BASE64.decode(&c.wsq).unwrap();
        let image = loket_fingerprint_formats::wsq::decode(&wsq).unwrap();
        assert_eq!((image.width, image.height), (c.width, c.height));
        assert!(c.preview.starts_with("data:image/png;base64,"));
        let json = serde_json::to_value(&c).unwrap();
        assert_eq!(json["finger"], "left_index");
    }

    #[test]
    fn reader_errors_reach_the_page_with_a_code_and_both_languages() {
        let source = SimulatedReaders {
            steps: vec![SimulatedStep::Unplug],
        };
        let err = capture(&source, Finger::RightThumb, &CapturePolicy::default()).unwrap_err();
        assert_eq!(err.code, "unplugged");
        assert!(err.message_id.contains("terlepas"), "{}", err.message_id);
        assert!(err.message_en.contains("unplugged"), "{}", err.message_en);
        let denied = CommandError::from(ScanError::PermissionDenied {
            device: "001/004".into(),
        });
        assert_eq!(denied.code, "permission_denied");
        assert!(denied.message_en.contains("60-loket-fingerprint.rules"));
    }
}
