//! The USB bus as a [`ReaderSource`]: finds readers by the VID:PID table and opens them.

use std::sync::mpsc;
use std::time::{Duration, Instant};

use rusb::UsbContext;

use crate::scanner::{SUPPORTED_READERS, supported_reader};
use crate::transport::UsbTransport;
use crate::{DeviceInfo, ReaderModel, ReaderSource, ScanError, Scanner};
use crate::{aes3500, nb1010};

/// How often the bus is listed again when libusb has no hot-plug support.
const POLL_INTERVAL: Duration = Duration::from_millis(250);

/// The USB bus. Holds its own libusb context (never the global one, whose start-up
/// failure would panic inside rusb).
pub struct UsbReaders {
    context: rusb::Context,
}

impl UsbReaders {
    /// Starts libusb. Fails with [`ScanError::Usb`] on a machine without USB support.
    pub fn new() -> Result<Self, ScanError> {
        let context = rusb::Context::new().map_err(|e| ScanError::Usb(e.to_string()))?;
        Ok(UsbReaders { context })
    }

    /// Whether libusb reports plug events on this machine; without them
    /// [`UsbReaders::wait_for_reader`] lists the bus every quarter second instead.
    pub fn has_hotplug() -> bool {
        rusb::has_hotplug()
    }

    /// Blocks until a supported reader is present (returns at once if one already is),
    /// or fails with [`ScanError::Timeout`].
    pub fn wait_for_reader(&self, timeout: Duration) -> Result<DeviceInfo, ScanError> {
        let deadline = Instant::now() + timeout;
        let (arrived, events) = mpsc::channel();
        // Keep the registrations alive while waiting; without hot-plug, poll.
        let mut registrations = Vec::new();
        if Self::has_hotplug() {
            for reader in SUPPORTED_READERS {
                let registered = rusb::HotplugBuilder::new()
                    .vendor_id(reader.vendor_id)
                    .product_id(reader.product_id)
                    .enumerate(false)
                    .register(
                        &self.context,
                        Box::new(Arrivals {
                            arrived: arrived.clone(),
                        }),
                    );
                match registered {
                    Ok(registration) => registrations.push(registration),
                    Err(e) => tracing::debug!("hot-plug registration failed: {e}"),
                }
            }
        }
        let hotplug = !registrations.is_empty();
        loop {
            if let Some(first) = self.discover()?.into_iter().next() {
                return Ok(first);
            }
            let now = Instant::now();
            if now >= deadline {
                return Err(ScanError::Timeout(timeout));
            }
            let slice = POLL_INTERVAL.min(deadline - now);
            if hotplug {
                self.context
                    .handle_events(Some(slice))
                    .map_err(|e| ScanError::Usb(e.to_string()))?;
                while events.try_recv().is_ok() {}
            } else {
                std::thread::sleep(slice);
            }
        }
    }
}

/// Hot-plug callback: only signals; the waiting loop lists the bus itself.
struct Arrivals {
    arrived: mpsc::Sender<()>,
}

impl rusb::Hotplug<rusb::Context> for Arrivals {
    fn device_arrived(&mut self, _device: rusb::Device<rusb::Context>) {
        let _ = self.arrived.send(());
    }

    fn device_left(&mut self, _device: rusb::Device<rusb::Context>) {}
}

fn describe(device: &rusb::Device<rusb::Context>) -> Option<DeviceInfo> {
    let descriptor = device.device_descriptor().ok()?;
    let reader = supported_reader(descriptor.vendor_id(), descriptor.product_id())?;
    let (width, height, ppi) = match reader.model {
        ReaderModel::Nb1010 => (nb1010::WIDTH, nb1010::HEIGHT, nb1010::PPI),
        ReaderModel::Aes3500 => (aes3500::WIDTH, aes3500::HEIGHT, aes3500::PPI),
        ReaderModel::Simulated => return None,
    };
    Some(DeviceInfo {
        model: reader.model,
        name: reader.name.to_string(),
        vendor_id: reader.vendor_id,
        product_id: reader.product_id,
        location: location(device),
        width,
        height,
        ppi,
    })
}

fn location(device: &rusb::Device<rusb::Context>) -> String {
    format!("usb:{:03}/{:03}", device.bus_number(), device.address())
}

impl ReaderSource for UsbReaders {
    fn discover(&self) -> Result<Vec<DeviceInfo>, ScanError> {
        let devices = self
            .context
            .devices()
            .map_err(|e| ScanError::Usb(e.to_string()))?;
        let mut found: Vec<DeviceInfo> = devices.iter().filter_map(|d| describe(&d)).collect();
        found.sort_by(|a, b| a.location.cmp(&b.location));
        Ok(found)
    }

    fn open(&self, wanted: &DeviceInfo) -> Result<Box<dyn Scanner>, ScanError> {
        let devices = self
            .context
            .devices()
            .map_err(|e| ScanError::Usb(e.to_string()))?;
        let device = devices
            .iter()
            .find(|d| location(d) == wanted.location && describe(d).as_ref() == Some(wanted))
            .ok_or(ScanError::NoDevice)?;
        let info = describe(&device).ok_or(ScanError::NoDevice)?;
        tracing::info!(reader = %info.name, location = %info.location, "opening fingerprint reader");
        match info.model {
            ReaderModel::Nb1010 => {
                let transport = UsbTransport::open(&device, 0, "NB-1010")?;
                Ok(Box::new(nb1010::Nb1010::new(transport, info)))
            }
            ReaderModel::Aes3500 => {
                let transport = UsbTransport::open(&device, 0, "AES3500")?;
                Ok(Box::new(aes3500::Aes3500::new(transport, info)))
            }
            ReaderModel::Simulated => Err(ScanError::NoDevice),
        }
    }
}
