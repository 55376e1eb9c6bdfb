use std::path::PathBuf;

/// Why a camera or a frame could not be had. Messages: Bahasa Indonesia, then English.
#[derive(Debug, thiserror::Error)]
pub enum CameraError {
    /// No camera is connected (or the asked index does not exist).
    #[error(
        "Kamera tidak ditemukan. Colokkan kamera lalu coba lagi. / No camera found. Plug a camera in and try again. ({detail})"
    )]
    NoCamera {
        /// What the driver said.
        detail: String,
    },
    /// The camera exists but another program holds it.
    #[error(
        "Kamera sedang dipakai program lain. Tutup program itu lalu coba lagi. / The camera is in use by another program. Close it and try again. ({detail})"
    )]
    Busy {
        /// What the driver said.
        detail: String,
    },
    /// The camera went away while frames were being read.
    #[error(
        "Kamera terlepas. Colokkan kembali lalu coba lagi. / The camera was unplugged. Plug it back in and try again. ({detail})"
    )]
    Unplugged {
        /// What the driver said.
        detail: String,
    },
    /// The camera offers no format we can decode.
    #[error(
        "Kamera tidak mendukung format gambar yang dikenali (MJPEG/YUYV). Pakai kamera lain. / The camera offers no supported format (MJPEG/YUYV). Use another camera. ({detail})"
    )]
    UnsupportedFormat {
        /// What the camera offers.
        detail: String,
    },
    /// A frame arrived but could not be decoded.
    #[error(
        "Gambar dari kamera rusak. Coba lagi; bila terus terjadi, ganti kabel atau port USB. / A camera frame could not be decoded. Try again; if it keeps happening, change the cable or USB port. ({detail})"
    )]
    BadFrame {
        /// Why decoding failed.
        detail: String,
    },
    /// An image file of a still or folder source could not be read.
    #[error(
        "Berkas gambar {path} tidak dapat dibaca: {detail}. Periksa berkasnya. / Image file {path} cannot be read: {detail}. Check the file."
    )]
    File {
        /// The file.
        path: PathBuf,
        /// Why.
        detail: String,
    },
    /// Any other driver failure.
    #[error(
        "Kamera gagal: {detail}. Cabut dan colokkan lagi kameranya. / Camera failure: {detail}. Unplug the camera and plug it back in."
    )]
    Driver {
        /// What the driver said.
        detail: String,
    },
}

impl CameraError {
    /// Sorts a driver's message into the error a person can act on.
    ///
    /// `while_streaming` tells a device that vanished mid-stream (unplugged) from one that
    /// was never there (no camera).
    pub fn from_driver_message(message: &str, while_streaming: bool) -> Self {
        let lower = message.to_ascii_lowercase();
        let detail = message.to_owned();
        if lower.contains("busy") || lower.contains("os error 16)") {
            CameraError::Busy { detail }
        } else if lower.contains("no such device")
            || lower.contains("os error 19)")
            || lower.contains("no such file")
            || lower.contains("os error 2)")
        {
            // The device node is gone: unplugged if we were streaming, else never there.
            if while_streaming {
                CameraError::Unplugged { detail }
            } else {
                CameraError::NoCamera { detail }
            }
        } else {
            CameraError::Driver { detail }
        }
    }
}
