use std::path::{Path, PathBuf};

use crate::{CameraError, Frame, FrameSource, NegotiatedFormat, PixelFormat};

fn read_image(path: &Path) -> Result<Frame, CameraError> {
    image::open(path)
        .map(|img| img.to_rgb8())
        .map_err(|e| CameraError::File {
            path: path.to_owned(),
            detail: e.to_string(),
        })
}

/// Yields the same still image for ever (demo and tests).
#[derive(Debug, Clone)]
pub struct StillImageSource {
    frame: Frame,
}

impl StillImageSource {
    /// Reads an image file (PNG or JPEG).
    pub fn open(path: &Path) -> Result<Self, CameraError> {
        Ok(Self {
            frame: read_image(path)?,
        })
    }

    /// Wraps an image already in memory.
    pub fn from_frame(frame: Frame) -> Self {
        Self { frame }
    }
}

impl FrameSource for StillImageSource {
    fn format(&self) -> NegotiatedFormat {
        NegotiatedFormat {
            width: self.frame.width(),
            height: self.frame.height(),
            fps: 0,
            pixel_format: PixelFormat::Rgb,
        }
    }

    fn next_frame(&mut self) -> Result<Frame, CameraError> {
        Ok(self.frame.clone())
    }
}

/// Plays the PNG/JPEG files of a folder in name order, looping for ever.
///
/// Each file is read when its turn comes, so a folder can be refilled while it plays.
/// Frames keep their own sizes; [`FrameSource::format`] reports the first file's.
#[derive(Debug, Clone)]
pub struct FolderSource {
    files: Vec<PathBuf>,
    next: usize,
    format: NegotiatedFormat,
}

impl FolderSource {
    /// Lists the folder's images; an error if it has none.
    pub fn open(folder: &Path) -> Result<Self, CameraError> {
        let entries = std::fs::read_dir(folder).map_err(|e| CameraError::File {
            path: folder.to_owned(),
            detail: e.to_string(),
        })?;
        let mut files: Vec<PathBuf> = entries
            .filter_map(|entry| entry.ok().map(|e| e.path()))
            .filter(|p| {
                p.extension().and_then(|e| e.to_str()).is_some_and(|e| {
                    matches!(e.to_ascii_lowercase().as_str(), "png" | "jpg" | "jpeg")
                })
            })
            .collect();
        files.sort();
        let Some(first) = files.first() else {
            return Err(CameraError::File {
                path: folder.to_owned(),
                detail: "tidak ada gambar PNG/JPEG / no PNG or JPEG images".to_owned(),
            });
        };
        let (width, height) = image::image_dimensions(first).map_err(|e| CameraError::File {
            path: first.clone(),
            detail: e.to_string(),
        })?;
        Ok(Self {
            files,
            next: 0,
            format: NegotiatedFormat {
                width,
                height,
                fps: 0,
                pixel_format: PixelFormat::Rgb,
            },
        })
    }

    /// The files in the order they play.
    pub fn files(&self) -> &[PathBuf] {
        &self.files
    }
}

impl FrameSource for FolderSource {
    fn format(&self) -> NegotiatedFormat {
        self.format
    }

    fn next_frame(&mut self) -> Result<Frame, CameraError> {
        let path = &self.files[self.next % self.files.len()];
        self.next = (self.next + 1) % self.files.len();
        read_image(path)
    }
}
