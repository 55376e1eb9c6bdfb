//! Camera frame sources for the counter's photo step.
//!
//! Everything that produces frames implements [`FrameSource`]: the webcam (through nokhwa,
//! behind the `webcam` cargo feature), a still image ([`StillImageSource`]) and a folder of
//! images played in a loop ([`FolderSource`]) for tests, demos and machines without a camera.
//! Frames always come out as 8-bit RGB ([`image::RgbImage`]), whatever the camera sends:
//! [`decode`] turns MJPEG and YUYV into RGB.
//!
//! Errors ([`CameraError`]) say in Bahasa Indonesia first, then English, what the officer
//! should do next.

mod decode_impl;
mod error;
mod still;
#[cfg(feature = "webcam")]
mod webcam;

pub use error::CameraError;
pub use still::{FolderSource, StillImageSource};
#[cfg(feature = "webcam")]
pub use webcam::{WebcamProvider, WebcamSource};

/// Decoders from camera wire formats to RGB (pure, usable without a camera).
pub mod decode {
    pub use crate::decode_impl::{decode_frame, mjpeg_to_rgb, yuyv_to_rgb};
}

/// An RGB frame, row-major, 3 bytes per pixel.
pub type Frame = image::RgbImage;

/// The wire format a camera delivers frames in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PixelFormat {
    /// Motion JPEG: every frame is a JPEG image.
    Mjpeg,
    /// Packed YUV 4:2:2 (Y0 U Y1 V), two pixels in four bytes.
    Yuyv,
    /// Already RGB (still images and folders).
    Rgb,
}

/// One camera the system can see.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CameraInfo {
    /// Index used to open it.
    pub index: u32,
    /// Name the driver reports (for example "HD Webcam C270").
    pub name: String,
    /// Driver-specific description (device path, bus).
    pub description: String,
}

/// What the caller would like; the source picks the closest format it supports.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FrameRequest {
    /// Wanted width in pixels.
    pub width: u32,
    /// Wanted height in pixels.
    pub height: u32,
    /// Wanted frames per second.
    pub fps: u32,
}

impl Default for FrameRequest {
    /// 1280x720 at 30 fps: enough pixels for a 413x531 crop with the head filling the guide.
    fn default() -> Self {
        Self {
            width: 1280,
            height: 720,
            fps: 30,
        }
    }
}

/// The format a source actually delivers after negotiation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NegotiatedFormat {
    /// Frame width in pixels.
    pub width: u32,
    /// Frame height in pixels.
    pub height: u32,
    /// Frames per second the device promised (0 for still sources: as fast as asked).
    pub fps: u32,
    /// The wire format decoded into RGB.
    pub pixel_format: PixelFormat,
}

/// Something that yields RGB frames one after the other.
///
/// Not `Send`: nokhwa's camera handle must stay on the thread that opened it, so open the
/// source on the capture thread and send the frames (which are `Send`) out of it.
pub trait FrameSource {
    /// The negotiated format of the frames this source yields.
    fn format(&self) -> NegotiatedFormat;
    /// Blocks until the next frame is ready and returns it as RGB.
    fn next_frame(&mut self) -> Result<Frame, CameraError>;
}

/// Finds and opens cameras of one kind.
pub trait CameraProvider {
    /// The cameras present now (empty when there are none).
    fn list(&self) -> Result<Vec<CameraInfo>, CameraError>;
    /// Opens camera `index`, negotiating the format closest to `request`.
    fn open(&self, index: u32, request: FrameRequest) -> Result<Box<dyn FrameSource>, CameraError>;
}
