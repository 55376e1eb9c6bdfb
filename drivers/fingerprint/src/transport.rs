//! Bulk-transfer transport: the one place that talks to libusb (through rusb).
//!
//! Drivers are written against [`Transport`] so that their protocol logic can also be
//! exercised with a scripted fake in unit tests; on a machine they run on [`UsbTransport`].

use std::time::Duration;

use crate::ScanError;

/// Bulk transfers to and from one claimed USB interface.
pub(crate) trait Transport: Send {
    /// Writes all of `data` to the OUT `endpoint`.
    fn write(&mut self, endpoint: u8, data: &[u8], timeout: Duration) -> Result<(), ScanError>;
    /// Reads exactly `len` bytes from the IN `endpoint` in one transfer.
    fn read(&mut self, endpoint: u8, len: usize, timeout: Duration) -> Result<Vec<u8>, ScanError>;
}

/// A claimed interface of an opened USB device.
pub(crate) struct UsbTransport {
    handle: rusb::DeviceHandle<rusb::Context>,
    interface: u8,
    reader: &'static str,
}

impl UsbTransport {
    /// Opens `device` and claims `interface`.
    pub(crate) fn open(
        device: &rusb::Device<rusb::Context>,
        interface: u8,
        reader: &'static str,
    ) -> Result<Self, ScanError> {
        let place = format!("{:03}/{:03}", device.bus_number(), device.address());
        let handle = device.open().map_err(|e| map_open_error(e, &place))?;
        // A kernel driver rarely binds these readers; detach it if one did. (Not libusb's
        // auto-detach: it fails the claim where the query is unsupported, as under umockdev.)
        if handle.kernel_driver_active(interface).unwrap_or(false) {
            let _ = handle.detach_kernel_driver(interface);
        }
        handle
            .claim_interface(interface)
            .map_err(|e| map_open_error(e, &place))?;
        Ok(UsbTransport {
            handle,
            interface,
            reader,
        })
    }
}

impl Drop for UsbTransport {
    fn drop(&mut self) {
        let _ = self.handle.release_interface(self.interface);
    }
}

impl Transport for UsbTransport {
    fn write(&mut self, endpoint: u8, data: &[u8], timeout: Duration) -> Result<(), ScanError> {
        let written = self
            .handle
            .write_bulk(endpoint, data, timeout)
            .map_err(|e| map_transfer_error(e, self.reader, timeout))?;
        if written != data.len() {
            return Err(ScanError::protocol(
                self.reader,
                format!("short write: {written} of {} bytes", data.len()),
            ));
        }
        Ok(())
    }

    fn read(&mut self, endpoint: u8, len: usize, timeout: Duration) -> Result<Vec<u8>, ScanError> {
        let mut buf = vec![0u8; len];
        let got = self
            .handle
            .read_bulk(endpoint, &mut buf, timeout)
            .map_err(|e| map_transfer_error(e, self.reader, timeout))?;
        if got != len {
            return Err(ScanError::protocol(
                self.reader,
                format!("short read: {got} of {len} bytes"),
            ));
        }
        Ok(buf)
    }
}

/// Maps a libusb error while opening or claiming a device.
pub(crate) fn map_open_error(error: rusb::Error, place: &str) -> ScanError {
    match error {
        rusb::Error::Access => ScanError::PermissionDenied {
            device: place.to_string(),
        },
        rusb::Error::NoDevice | rusb::Error::NotFound => ScanError::NoDevice,
        other => ScanError::Usb(other.to_string()),
    }
}

/// Maps a libusb error during a transfer. Stalls, overflows and I/O failures in the
/// middle of an exchange mean the device did not follow the protocol.
pub(crate) fn map_transfer_error(
    error: rusb::Error,
    reader: &'static str,
    timeout: Duration,
) -> ScanError {
    match error {
        rusb::Error::NoDevice => ScanError::Unplugged,
        rusb::Error::Timeout => ScanError::Timeout(timeout),
        rusb::Error::Access => ScanError::PermissionDenied {
            device: reader.to_string(),
        },
        rusb::Error::Io | rusb::Error::Pipe | rusb::Error::Overflow => {
            ScanError::protocol(reader, format!("USB transfer failed: {error}"))
        }
        other => ScanError::Usb(other.to_string()),
    }
}

#[cfg(test)]
pub(crate) mod fake {
    //! A scripted transport for unit tests of the protocol logic.

    use super::*;
    use std::collections::VecDeque;

    /// One expected exchange.
    #[derive(Debug, Clone)]
    pub(crate) enum Step {
        /// The driver must write exactly these bytes to this endpoint.
        Write(u8, Vec<u8>),
        /// The driver reads from this endpoint; it gets these bytes.
        Read(u8, Vec<u8>),
    }

    /// Plays a script; any deviation is a protocol error like a real device's I/O error.
    pub(crate) struct Scripted {
        pub(crate) steps: VecDeque<Step>,
    }

    impl Scripted {
        pub(crate) fn new(steps: Vec<Step>) -> Self {
            Scripted {
                steps: steps.into(),
            }
        }
    }

    impl Transport for Scripted {
        fn write(&mut self, endpoint: u8, data: &[u8], _: Duration) -> Result<(), ScanError> {
            match self.steps.pop_front() {
                Some(Step::Write(ep, bytes)) if ep == endpoint && bytes == data => Ok(()),
                other => Err(ScanError::protocol(
                    "fake",
                    format!("unexpected write {data:02x?}, script had {other:?}"),
                )),
            }
        }

        fn read(&mut self, endpoint: u8, len: usize, _: Duration) -> Result<Vec<u8>, ScanError> {
            match self.steps.pop_front() {
                Some(Step::Read(ep, bytes)) if ep == endpoint => {
                    if bytes.len() != len {
                        return Err(ScanError::protocol(
                            "fake",
                            format!("short read: {} of {len} bytes", bytes.len()),
                        ));
                    }
                    Ok(bytes)
                }
                other => Err(ScanError::protocol(
                    "fake",
                    format!("unexpected read, script had {other:?}"),
                )),
            }
        }
    }
}
