//! The real webcam through nokhwa (v4l2 on Linux, Media Foundation on Windows, AVFoundation
//! on macOS). Frames are fetched raw and decoded by [`crate::decode`], so MJPEG and YUYV take
//! the same, tested path whatever nokhwa's own decoders do.

use nokhwa::Camera;
use nokhwa::utils::{
    ApiBackend, CameraFormat, CameraIndex, FrameFormat, RequestedFormat, RequestedFormatType,
    Resolution,
};

use crate::decode::decode_frame;
use crate::{
    CameraError, CameraInfo, CameraProvider, Frame, FrameRequest, FrameSource, NegotiatedFormat,
    PixelFormat,
};

/// Formats we decode, in order of preference: MJPEG gives 720p at 30 fps over USB 2.
const WANTED: [FrameFormat; 2] = [FrameFormat::MJPEG, FrameFormat::YUYV];

/// Lists and opens the system's webcams.
#[derive(Debug, Default, Clone, Copy)]
pub struct WebcamProvider;

impl CameraProvider for WebcamProvider {
    fn list(&self) -> Result<Vec<CameraInfo>, CameraError> {
        let cameras = nokhwa::query(ApiBackend::Auto)
            .map_err(|e| CameraError::from_driver_message(&e.to_string(), false))?;
        Ok(cameras
            .into_iter()
            .map(|c| CameraInfo {
                index: match c.index() {
                    CameraIndex::Index(i) => *i,
                    CameraIndex::String(_) => 0,
                },
                name: c.human_name(),
                description: c.description().to_owned(),
            })
            .collect())
    }

    fn open(&self, index: u32, request: FrameRequest) -> Result<Box<dyn FrameSource>, CameraError> {
        Ok(Box::new(WebcamSource::open(index, request)?))
    }
}

/// One open webcam streaming frames.
pub struct WebcamSource {
    camera: Camera,
    format: NegotiatedFormat,
}

impl std::fmt::Debug for WebcamSource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WebcamSource")
            .field("format", &self.format)
            .finish_non_exhaustive()
    }
}

impl WebcamSource {
    /// Opens camera `index` with the format closest to `request` among MJPEG and YUYV, and
    /// starts streaming.
    pub fn open(index: u32, request: FrameRequest) -> Result<Self, CameraError> {
        let wanted = CameraFormat::new(
            Resolution::new(request.width, request.height),
            FrameFormat::MJPEG,
            request.fps,
        );
        let requested =
            RequestedFormat::with_formats(RequestedFormatType::Closest(wanted), &WANTED);
        let mut camera = Camera::new(CameraIndex::Index(index), requested)
            .map_err(|e| CameraError::from_driver_message(&e.to_string(), false))?;
        let negotiated = camera.camera_format();
        let pixel_format = match negotiated.format() {
            FrameFormat::MJPEG => PixelFormat::Mjpeg,
            FrameFormat::YUYV => PixelFormat::Yuyv,
            other => {
                return Err(CameraError::UnsupportedFormat {
                    detail: other.to_string(),
                });
            }
        };
        camera
            .open_stream()
            .map_err(|e| CameraError::from_driver_message(&e.to_string(), false))?;
        let format = NegotiatedFormat {
            width: negotiated.resolution().width(),
            height: negotiated.resolution().height(),
            fps: negotiated.frame_rate(),
            pixel_format,
        };
        tracing::info!(?format, index, "camera opened");
        Ok(Self { camera, format })
    }
}

impl FrameSource for WebcamSource {
    fn format(&self) -> NegotiatedFormat {
        self.format
    }

    fn next_frame(&mut self) -> Result<Frame, CameraError> {
        let raw = self
            .camera
            .frame_raw()
            .map_err(|e| CameraError::from_driver_message(&e.to_string(), true))?;
        decode_frame(
            self.format.pixel_format,
            &raw,
            self.format.width,
            self.format.height,
        )
    }
}

impl Drop for WebcamSource {
    fn drop(&mut self) {
        // Releasing the stream lets another program (or our next open) take the device.
        if let Err(e) = self.camera.stop_stream() {
            tracing::warn!(error = %e, "camera stream did not stop cleanly");
        }
    }
}
