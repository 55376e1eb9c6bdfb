//! USB ticket printers: find the printer's bulk OUT endpoint and write to it.
//!
//! The rusb calls are behind [`BulkEndpoint`] so that the transfer logic (chunking,
//! partial writes, timeouts, status reads) runs against a fake in tests. Discovery only
//! picks a device that says it is a printer (interface class 7) or whose vendor and
//! product id is a known ESC/POS printer (or was named by the technician): ticket bytes
//! must never go to, say, a fingerprint reader.

use std::time::Duration;

use rusb::UsbContext;

use crate::error::PrinterError;
use crate::transport::Transport;

/// USB interface class "printer".
pub const PRINTER_CLASS: u8 = 7;

/// ESC/POS printers known to present a vendor-specific interface instead of class 7.
pub const KNOWN_PRINTERS: &[(u16, u16, &str)] = &[
    (0x0416, 0x5011, "Winbond-based POS58 / Zjiang"),
    (0x0fe6, 0x811e, "Rongta / ICS Advent"),
    (0x1fc9, 0x2016, "Xprinter (NXP)"),
    (0x28e9, 0x0289, "GD32-based 58/80 mm printers"),
    (0x04b8, 0x0202, "Epson TM series (vendor interface)"),
    (0x0519, 0x0003, "Star TSP100 series"),
];

/// The bulk transfers the printer needs: the seam between this crate and libusb.
pub trait BulkEndpoint {
    /// Writes to the bulk OUT endpoint; returns how many bytes went out.
    fn write_bulk(&mut self, data: &[u8], timeout: Duration) -> Result<usize, rusb::Error>;
    /// Reads from the bulk IN endpoint (`Err(NotFound)` when there is none).
    fn read_bulk(&mut self, buf: &mut [u8], timeout: Duration) -> Result<usize, rusb::Error>;
    /// Whether the printer has a bulk IN endpoint (to answer status requests).
    fn can_read(&self) -> bool;
    /// USB ids for logs, e.g. "usb:0416:5011".
    fn describe(&self) -> String;
}

/// A USB ticket printer over some bulk endpoint pair.
#[derive(Debug)]
pub struct UsbPrinter<E> {
    endpoint: E,
    write_timeout: Duration,
}

/// Bytes per bulk write: small enough that a timeout tells us quickly that the printer
/// stopped taking data.
const CHUNK: usize = 4096;

impl<E: BulkEndpoint> UsbPrinter<E> {
    /// Wraps an endpoint; each bulk write may take up to `write_timeout`.
    pub fn new(endpoint: E, write_timeout: Duration) -> Self {
        UsbPrinter {
            endpoint,
            write_timeout,
        }
    }

    /// The endpoint (tests look at what the fake received).
    pub fn endpoint(&self) -> &E {
        &self.endpoint
    }
}

fn usb_error(source: rusb::Error) -> PrinterError {
    match source {
        rusb::Error::Access => PrinterError::UsbAccess,
        rusb::Error::NoDevice | rusb::Error::NotFound => PrinterError::UsbNotFound,
        source => PrinterError::Usb { source },
    }
}

impl<E: BulkEndpoint> Transport for UsbPrinter<E> {
    fn send(&mut self, bytes: &[u8]) -> Result<(), PrinterError> {
        for chunk in bytes.chunks(CHUNK) {
            let mut rest = chunk;
            while !rest.is_empty() {
                match self.endpoint.write_bulk(rest, self.write_timeout) {
                    Ok(0) => {
                        return Err(PrinterError::WriteTimeout {
                            timeout: self.write_timeout,
                        });
                    }
                    Ok(n) => rest = rest.get(n..).unwrap_or_default(),
                    Err(rusb::Error::Timeout) => {
                        return Err(PrinterError::WriteTimeout {
                            timeout: self.write_timeout,
                        });
                    }
                    Err(e) => return Err(usb_error(e)),
                }
            }
        }
        Ok(())
    }

    fn request_status(
        &mut self,
        request: &[u8],
        timeout: Duration,
    ) -> Result<Option<u8>, PrinterError> {
        if !self.endpoint.can_read() {
            return Ok(None);
        }
        self.send(request)?;
        let mut buf = [0u8; 64];
        match self.endpoint.read_bulk(&mut buf, timeout) {
            // A printer may return earlier unread bytes first: the newest is the answer.
            Ok(n) if n > 0 => Ok(buf.get(n - 1).copied()),
            Ok(_) | Err(rusb::Error::Timeout) => Ok(None),
            Err(e) => Err(usb_error(e)),
        }
    }

    fn describe(&self) -> String {
        self.endpoint.describe()
    }
}

/// One endpoint of an interface, as read from the descriptors.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EndpointInfo {
    /// Endpoint address (bit 7 set for IN).
    pub address: u8,
    /// Whether it is a bulk endpoint.
    pub bulk: bool,
}

impl EndpointInfo {
    fn is_in(self) -> bool {
        self.address & 0x80 != 0
    }
}

/// One interface alternate setting, as read from the descriptors.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InterfaceInfo {
    /// bInterfaceNumber.
    pub number: u8,
    /// bAlternateSetting.
    pub alt_setting: u8,
    /// bInterfaceClass.
    pub class: u8,
    /// Its endpoints.
    pub endpoints: Vec<EndpointInfo>,
}

/// Where to write on a printer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PrinterEndpoints {
    /// Interface to claim.
    pub interface: u8,
    /// Alternate setting to select.
    pub alt_setting: u8,
    /// Bulk OUT endpoint address.
    pub out: u8,
    /// Bulk IN endpoint address, when the printer can answer.
    pub input: Option<u8>,
}

/// Chooses the printer interface of a device: a class-7 interface with a bulk OUT
/// endpoint; else, for a device named by the technician or in [`KNOWN_PRINTERS`], the
/// first interface with a bulk OUT endpoint. `None`: not a ticket printer.
pub fn choose_endpoints(
    named: bool,
    vendor_id: u16,
    product_id: u16,
    interfaces: &[InterfaceInfo],
) -> Option<PrinterEndpoints> {
    let pick = |i: &InterfaceInfo| {
        let out = i.endpoints.iter().find(|e| e.bulk && !e.is_in())?;
        let input = i
            .endpoints
            .iter()
            .find(|e| e.bulk && e.is_in())
            .map(|e| e.address);
        Some(PrinterEndpoints {
            interface: i.number,
            alt_setting: i.alt_setting,
            out: out.address,
            input,
        })
    };
    if let Some(found) = interfaces
        .iter()
        .filter(|i| i.class == PRINTER_CLASS)
        .find_map(pick)
    {
        return Some(found);
    }
    let known = KNOWN_PRINTERS
        .iter()
        .any(|&(v, p, _)| v == vendor_id && p == product_id);
    if named || known {
        interfaces.iter().find_map(pick)
    } else {
        None
    }
}

/// A USB ticket printer found on the bus.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UsbPrinterInfo {
    /// Bus number.
    pub bus: u8,
    /// Device address on the bus.
    pub address: u8,
    /// Vendor id.
    pub vendor_id: u16,
    /// Product id.
    pub product_id: u16,
    /// Where to write.
    pub endpoints: PrinterEndpoints,
}

fn interfaces_of(device: &rusb::Device<rusb::Context>) -> Vec<InterfaceInfo> {
    let Ok(config) = device
        .active_config_descriptor()
        .or_else(|_| device.config_descriptor(0))
    else {
        return Vec::new();
    };
    config
        .interfaces()
        .flat_map(|interface| interface.descriptors().collect::<Vec<_>>())
        .map(|d| InterfaceInfo {
            number: d.interface_number(),
            alt_setting: d.setting_number(),
            class: d.class_code(),
            endpoints: d
                .endpoint_descriptors()
                .map(|e| EndpointInfo {
                    address: e.address(),
                    bulk: e.transfer_type() == rusb::TransferType::Bulk,
                })
                .collect(),
        })
        .collect()
}

fn scan(
    context: &rusb::Context,
    only: Option<(u16, u16)>,
) -> Result<Vec<(rusb::Device<rusb::Context>, UsbPrinterInfo)>, PrinterError> {
    let devices = context
        .devices()
        .map_err(|source| PrinterError::UsbUnavailable { source })?;
    let mut found = Vec::new();
    for device in devices.iter() {
        let Ok(descriptor) = device.device_descriptor() else {
            continue;
        };
        let (vid, pid) = (descriptor.vendor_id(), descriptor.product_id());
        if only.is_some_and(|ids| ids != (vid, pid)) {
            continue;
        }
        if let Some(endpoints) = choose_endpoints(only.is_some(), vid, pid, &interfaces_of(&device))
        {
            let info = UsbPrinterInfo {
                bus: device.bus_number(),
                address: device.address(),
                vendor_id: vid,
                product_id: pid,
                endpoints,
            };
            found.push((device, info));
        }
    }
    Ok(found)
}

/// Lists the USB ticket printers connected. Errors only when USB cannot be used at all.
pub fn list_usb_printers() -> Result<Vec<UsbPrinterInfo>, PrinterError> {
    let context = rusb::Context::new().map_err(|source| PrinterError::UsbUnavailable { source })?;
    Ok(scan(&context, None)?
        .into_iter()
        .map(|(_, info)| info)
        .collect())
}

/// The libusb endpoint pair of an opened printer. The interface is released on drop.
pub struct RusbEndpoint {
    handle: rusb::DeviceHandle<rusb::Context>,
    info: UsbPrinterInfo,
}

impl std::fmt::Debug for RusbEndpoint {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RusbEndpoint")
            .field("info", &self.info)
            .finish_non_exhaustive()
    }
}

impl RusbEndpoint {
    /// What was opened.
    pub fn info(&self) -> &UsbPrinterInfo {
        &self.info
    }
}

impl Drop for RusbEndpoint {
    fn drop(&mut self) {
        let _ = self.handle.release_interface(self.info.endpoints.interface);
    }
}

impl BulkEndpoint for RusbEndpoint {
    fn write_bulk(&mut self, data: &[u8], timeout: Duration) -> Result<usize, rusb::Error> {
        self.handle
            .write_bulk(self.info.endpoints.out, data, timeout)
    }

    fn read_bulk(&mut self, buf: &mut [u8], timeout: Duration) -> Result<usize, rusb::Error> {
        match self.info.endpoints.input {
            Some(address) => self.handle.read_bulk(address, buf, timeout),
            None => Err(rusb::Error::NotFound),
        }
    }

    fn can_read(&self) -> bool {
        self.info.endpoints.input.is_some()
    }

    fn describe(&self) -> String {
        format!(
            "usb:{:04x}:{:04x}",
            self.info.vendor_id, self.info.product_id
        )
    }
}

/// Opens the first USB ticket printer (or the one with these ids), detaching the kernel's
/// `usblp` driver if it holds the interface.
pub fn open_usb_printer(
    only: Option<(u16, u16)>,
    write_timeout: Duration,
) -> Result<UsbPrinter<RusbEndpoint>, PrinterError> {
    let context = rusb::Context::new().map_err(|source| PrinterError::UsbUnavailable { source })?;
    let (device, info) = scan(&context, only)?
        .into_iter()
        .next()
        .ok_or(PrinterError::UsbNotFound)?;
    let handle = device.open().map_err(usb_error)?;
    // Not supported on every platform; claiming then reports the real problem.
    let _ = handle.set_auto_detach_kernel_driver(true);
    handle
        .claim_interface(info.endpoints.interface)
        .map_err(usb_error)?;
    if info.endpoints.alt_setting != 0 {
        handle
            .set_alternate_setting(info.endpoints.interface, info.endpoints.alt_setting)
            .map_err(usb_error)?;
    }
    tracing::debug!(
        vendor = info.vendor_id,
        product = info.product_id,
        "opened USB ticket printer"
    );
    Ok(UsbPrinter::new(
        RusbEndpoint { handle, info },
        write_timeout,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bulk(address: u8) -> EndpointInfo {
        EndpointInfo {
            address,
            bulk: true,
        }
    }

    #[test]
    fn class_7_interface_is_chosen() {
        let interfaces = vec![
            InterfaceInfo {
                number: 0,
                alt_setting: 0,
                class: 0xFF,
                endpoints: vec![bulk(0x02)],
            },
            InterfaceInfo {
                number: 1,
                alt_setting: 0,
                class: 7,
                endpoints: vec![bulk(0x81), bulk(0x03)],
            },
        ];
        let chosen = choose_endpoints(false, 0x1234, 0x5678, &interfaces).expect("printer");
        assert_eq!(
            chosen,
            PrinterEndpoints {
                interface: 1,
                alt_setting: 0,
                out: 0x03,
                input: Some(0x81)
            }
        );
    }

    #[test]
    fn vendor_interface_only_for_known_or_named_devices() {
        let interfaces = vec![InterfaceInfo {
            number: 0,
            alt_setting: 0,
            class: 0xFF,
            endpoints: vec![bulk(0x01), bulk(0x82)],
        }];
        // A fingerprint reader with a vendor interface is never taken for a printer.
        assert_eq!(choose_endpoints(false, 0x298d, 0x1010, &interfaces), None);
        assert!(choose_endpoints(false, 0x0416, 0x5011, &interfaces).is_some());
        assert!(choose_endpoints(true, 0x298d, 0x1010, &interfaces).is_some());
    }

    #[test]
    fn interrupt_only_interfaces_are_not_printers() {
        let interfaces = vec![InterfaceInfo {
            number: 0,
            alt_setting: 0,
            class: 7,
            endpoints: vec![EndpointInfo {
                address: 0x01,
                bulk: false,
            }],
        }];
        assert_eq!(choose_endpoints(true, 1, 2, &interfaces), None);
    }

    #[test]
    fn udev_rules_cover_the_printer_class_and_every_known_printer() {
        let rules = include_str!("../../../../installer/udev/61-loket-ticket-printer.rules");
        let active: Vec<&str> = rules.lines().filter(|l| !l.starts_with('#')).collect();
        assert!(
            active
                .iter()
                .any(|l| l.contains("ENV{ID_USB_INTERFACES}==\"*:07????:*\"")),
            "no rule for printer-class interfaces"
        );
        for (vendor, product, name) in KNOWN_PRINTERS {
            let vendor = format!("ATTRS{{idVendor}}==\"{vendor:04x}\"");
            let product = format!("ATTRS{{idProduct}}==\"{product:04x}\"");
            assert!(
                active
                    .iter()
                    .any(|l| l.contains(&vendor) && l.contains(&product)),
                "no udev rule for {name}"
            );
        }
    }
}
