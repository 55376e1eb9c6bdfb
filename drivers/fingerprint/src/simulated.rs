//! A simulated reader for demos and UI tests: generated ridge patterns or images from
//! PNG files, behind the same [`Scanner`] trait as the USB readers.

use std::path::PathBuf;
use std::time::Duration;

use crate::{CancelHandle, DeviceInfo, FingerImage, ReaderModel, ReaderSource, ScanError, Scanner};

/// Width of generated images.
pub const SIMULATED_WIDTH: u32 = 256;
/// Height of generated images.
pub const SIMULATED_HEIGHT: u32 = 288;
/// Resolution of generated images.
pub const SIMULATED_PPI: u16 = 500;

/// How a generated print is spoiled, to exercise quality scores and retries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Degradation {
    /// A clean print.
    None,
    /// Uniform noise of this amplitude (gray levels, ±) over the whole image.
    Noise(u8),
    /// Only a corner of the sensor is touched.
    PartialArea,
    /// The middle of the print is smeared (wet or moving finger).
    Smudge,
}

/// Generates a synthetic loop-like print: dark ridges with `period` pixels spacing
/// around a core, inside an oval finger outline on a light background.
/// Deterministic: the same arguments give the same image.
pub fn ridge_pattern(
    width: u32,
    height: u32,
    ppi: u16,
    period: u32,
    degradation: Degradation,
) -> FingerImage {
    let (w, h) = (f64::from(width), f64::from(height));
    let period = f64::from(period.max(2));
    let (core_x, core_y) = (w * 0.5, h * 0.45);
    let (half_w, half_h) = (w * 0.42, h * 0.46);
    let mut noise = XorShift(0x9e37_79b9);
    let mut pixels = Vec::with_capacity((width * height) as usize);
    for y in 0..height {
        for x in 0..width {
            let (fx, fy) = (f64::from(x), f64::from(y));
            let inside =
                ((fx - w * 0.5) / half_w).powi(2) + ((fy - h * 0.5) / half_h).powi(2) <= 1.0;
            let touched = match degradation {
                Degradation::PartialArea => fx < w * 0.4 && fy < h * 0.4,
                _ => true,
            };
            let mut value = if inside && touched {
                // Elliptical distance makes a loop-like flow rather than perfect circles.
                let dx = (fx - core_x) * 1.0;
                let dy = (fy - core_y) * 1.3;
                let r = (dx * dx + dy * dy).sqrt();
                let ridge = (2.0 * std::f64::consts::PI * r / period).cos();
                let smeared = matches!(degradation, Degradation::Smudge)
                    && ((fx - w * 0.5).abs() < w * 0.3 && (fy - h * 0.5).abs() < h * 0.3);
                if smeared {
                    128.0 + f64::from(noise.next_in(30))
                } else {
                    128.0 + 100.0 * ridge
                }
            } else {
                225.0
            };
            if let Degradation::Noise(amplitude) = degradation {
                value += f64::from(noise.next_in(i32::from(amplitude)));
            }
            pixels.push(value.round().clamp(0.0, 255.0) as u8);
        }
    }
    // Sizes come from the caller's u32s and the loop above fills exactly width*height.
    FingerImage::new(width.max(1), height.max(1), ppi, pixels).unwrap_or_else(|| blank(1, 1, ppi))
}

fn blank(width: u32, height: u32, ppi: u16) -> FingerImage {
    FingerImage::new(width, height, ppi, vec![225; (width * height) as usize])
        .unwrap_or_else(|| blank(1, 1, ppi))
}

/// Tiny deterministic generator; the simulator must not depend on a random source.
struct XorShift(u32);

impl XorShift {
    /// A value in `-amplitude..=amplitude`.
    fn next_in(&mut self, amplitude: i32) -> i32 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 17;
        self.0 ^= self.0 << 5;
        if amplitude <= 0 {
            return 0;
        }
        (self.0 % (2 * amplitude as u32 + 1)) as i32 - amplitude
    }
}

/// What the simulated reader does on one capture; a script of these repeats.
#[derive(Debug, Clone, PartialEq)]
pub enum SimulatedStep {
    /// A generated print with this degradation.
    Generated(Degradation),
    /// The image in this PNG file (read at capture time), at the given resolution.
    File(PathBuf, u16),
    /// Nobody puts a finger on: the wait times out.
    NoFinger,
    /// The reader is unplugged in the middle of the capture.
    Unplug,
}

/// A simulated reader: plays its script of steps in a loop.
pub struct SimulatedScanner {
    info: DeviceInfo,
    steps: Vec<SimulatedStep>,
    next: usize,
    cancel: CancelHandle,
}

impl SimulatedScanner {
    /// A reader that plays `steps` in a loop (a single clean print when empty).
    pub fn new(steps: Vec<SimulatedStep>) -> Self {
        let steps = if steps.is_empty() {
            vec![SimulatedStep::Generated(Degradation::None)]
        } else {
            steps
        };
        SimulatedScanner {
            info: simulated_info(0),
            steps,
            next: 0,
            cancel: CancelHandle::new(),
        }
    }

    fn current(&self) -> &SimulatedStep {
        &self.steps[self.next % self.steps.len()]
    }
}

fn simulated_info(index: usize) -> DeviceInfo {
    DeviceInfo {
        model: ReaderModel::Simulated,
        name: "Simulated reader".to_string(),
        vendor_id: 0,
        product_id: 0,
        location: format!("simulated:{index}"),
        width: SIMULATED_WIDTH,
        height: SIMULATED_HEIGHT,
        ppi: SIMULATED_PPI,
    }
}

impl Scanner for SimulatedScanner {
    fn info(&self) -> &DeviceInfo {
        &self.info
    }

    fn wait_for_finger(&mut self, timeout: Duration) -> Result<(), ScanError> {
        self.cancel.check()?;
        match self.current() {
            SimulatedStep::NoFinger => {
                self.next += 1;
                Err(ScanError::Timeout(timeout))
            }
            _ => Ok(()),
        }
    }

    fn capture(&mut self, timeout: Duration) -> Result<FingerImage, ScanError> {
        self.wait_for_finger(timeout)?;
        let step = self.current().clone();
        self.next += 1;
        match step {
            SimulatedStep::Generated(degradation) => Ok(ridge_pattern(
                SIMULATED_WIDTH,
                SIMULATED_HEIGHT,
                SIMULATED_PPI,
                9,
                degradation,
            )),
            SimulatedStep::File(path, ppi) => FingerImage::read_png(&path, ppi),
            SimulatedStep::NoFinger => Err(ScanError::Timeout(timeout)),
            SimulatedStep::Unplug => Err(ScanError::Unplugged),
        }
    }

    fn cancel_handle(&self) -> CancelHandle {
        self.cancel.clone()
    }
}

/// The simulator as a [`ReaderSource`] with one reader, playing `steps`.
#[derive(Debug, Clone, Default)]
pub struct SimulatedReaders {
    /// The script every opened simulated reader plays.
    pub steps: Vec<SimulatedStep>,
}

impl ReaderSource for SimulatedReaders {
    fn discover(&self) -> Result<Vec<DeviceInfo>, ScanError> {
        Ok(vec![simulated_info(0)])
    }

    fn open(&self, device: &DeviceInfo) -> Result<Box<dyn Scanner>, ScanError> {
        if device.model != ReaderModel::Simulated {
            return Err(ScanError::NoDevice);
        }
        Ok(Box::new(SimulatedScanner::new(self.steps.clone())))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn script_plays_in_order_and_loops() {
        let mut reader = SimulatedScanner::new(vec![
            SimulatedStep::NoFinger,
            SimulatedStep::Generated(Degradation::None),
            SimulatedStep::Unplug,
        ]);
        let t = Duration::from_millis(10);
        assert!(matches!(reader.capture(t), Err(ScanError::Timeout(_))));
        let image = reader.capture(t).expect("print");
        assert_eq!(
            (image.width(), image.height()),
            (SIMULATED_WIDTH, SIMULATED_HEIGHT)
        );
        assert!(matches!(reader.capture(t), Err(ScanError::Unplugged)));
        assert!(matches!(reader.capture(t), Err(ScanError::Timeout(_))));
    }

    #[test]
    fn images_from_files_come_back_unchanged() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("print.png");
        let original = ridge_pattern(64, 48, 500, 8, Degradation::None);
        original.write_png(&path).expect("writes");
        let mut reader = SimulatedScanner::new(vec![SimulatedStep::File(path, 500)]);
        assert_eq!(
            reader.capture(Duration::from_millis(10)).expect("reads"),
            original
        );
    }

    #[test]
    fn source_opens_its_one_reader() {
        let source = SimulatedReaders::default();
        let mut reader = source.open_first().expect("opens");
        assert_eq!(reader.info().model, ReaderModel::Simulated);
        assert!(reader.capture(Duration::from_millis(10)).is_ok());
    }
}
