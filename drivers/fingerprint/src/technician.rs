//! What `loket fingerprint list` and `loket fingerprint capture` do, for the CLI to call.

use std::path::Path;
use std::time::Duration;

use crate::quality::{Quality, assess};
use crate::{DeviceInfo, FingerImage, ReaderSource, ScanError, SimulatedReaders, UsbReaders};

/// Which readers the technician's commands use.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ReaderChoice {
    /// Real readers on the USB bus.
    #[default]
    Usb,
    /// The simulated reader (generated prints), for demos without hardware.
    Simulated,
}

fn source(choice: ReaderChoice) -> Result<Box<dyn ReaderSource>, ScanError> {
    Ok(match choice {
        ReaderChoice::Usb => Box::new(UsbReaders::new()?),
        ReaderChoice::Simulated => Box::new(SimulatedReaders::default()),
    })
}

/// Lists the supported readers present.
pub fn list_readers(choice: ReaderChoice) -> Result<Vec<DeviceInfo>, ScanError> {
    source(choice)?.discover()
}

/// What one technician capture produced.
#[derive(Debug, Clone, PartialEq)]
pub struct TechnicianCapture {
    /// The reader used.
    pub reader: DeviceInfo,
    /// The image as the reader delivered it.
    pub image: FingerImage,
    /// Its quality.
    pub quality: Quality,
}

/// Opens the first supported reader, waits up to `timeout` for a finger and captures
/// one image exactly as delivered (no scaling, no rotation).
pub fn capture_first(
    choice: ReaderChoice,
    timeout: Duration,
) -> Result<TechnicianCapture, ScanError> {
    let mut scanner = source(choice)?.open_first()?;
    let image = scanner.capture(timeout)?;
    let quality = assess(&image);
    Ok(TechnicianCapture {
        reader: scanner.info().clone(),
        image,
        quality,
    })
}

/// [`capture_first`], then writes the image to `out` as an 8-bit grayscale PNG.
pub fn capture_first_to_png(
    choice: ReaderChoice,
    timeout: Duration,
    out: &Path,
) -> Result<TechnicianCapture, ScanError> {
    let capture = capture_first(choice, timeout)?;
    capture.image.write_png(out)?;
    Ok(capture)
}

/// One line describing a reader, for `list`.
pub fn describe_reader(info: &DeviceInfo) -> String {
    format!(
        "{}  {:04x}:{:04x}  {}  {}x{} px, {} ppi",
        info.location,
        info.vendor_id,
        info.product_id,
        info.name,
        info.width,
        info.height,
        info.ppi
    )
}
