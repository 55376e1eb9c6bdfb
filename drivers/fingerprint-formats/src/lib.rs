//! Fingerprint image formats for Loket, in pure Rust with no I/O.
//!
//! * [`wsq`]: the FBI Wavelet Scalar Quantization codec (IAFIS-IC-0110 v3) for 8-bit
//!   grayscale fingerprint images, interoperable with NIST NBIS.
//! * [`iso19794_4`]: ISO/IEC 19794-4:2005 finger image records (a person's set of
//!   finger images in one record), writer and parser.
//! * [`session`]: the ten-print session model (finger plan, status per finger,
//!   exceptions with reason and supervisor confirmation), which counters and the hub share.
//!
//! Both decoders are total: any byte string gives a value or a typed error, never a
//! panic, and what they allocate is bounded (see [`wsq::DecodeLimits`]).
//!
//! ```
//! use loket_fingerprint_formats::{GrayImage, wsq};
//!
//! let pixels = (0..128 * 128).map(|i| ((i * 7) % 256) as u8).collect();
//! let image = GrayImage::new(128, 128, pixels).unwrap();
//! let bytes = wsq::encode(&image, 0.75, 500).unwrap();
//! let back = wsq::decode(&bytes).unwrap();
//! assert_eq!((back.width, back.height), (128, 128));
//! ```

mod gray;
pub mod iso19794_4;
pub mod session;
pub mod wsq;

pub use gray::{GrayImage, ImageError};
