//! A LAN ticket printer simulated on an ephemeral loopback port: it records every byte,
//! and answers `DLE EOT n` requests with the status bytes it was given (or not at all).

use std::io::{Read, Write};
use std::net::TcpListener;
use std::thread::JoinHandle;

/// Status bytes for DLE EOT 1, 2, 4; `None` = the printer never answers.
pub type Replies = Option<[u8; 3]>;

pub const READY: [u8; 3] = [0x16, 0x12, 0x12];
pub const PAPER_OUT: [u8; 3] = [0x1E, 0x12 | 0x20, 0x12 | 0x60];
pub const COVER_OPEN: [u8; 3] = [0x1E, 0x12 | 0x04, 0x12];

pub struct FakeLanPrinter {
    pub address: String,
    handle: JoinHandle<Vec<u8>>,
}

impl FakeLanPrinter {
    pub fn start(replies: Replies) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind loopback");
        let address = listener.local_addr().expect("local addr").to_string();
        let handle = std::thread::spawn(move || {
            let Ok((mut stream, _)) = listener.accept() else {
                return Vec::new();
            };
            let mut received = Vec::new();
            let mut buf = [0u8; 4096];
            let mut scanned = 0;
            loop {
                match stream.read(&mut buf) {
                    Ok(0) | Err(_) => break,
                    Ok(n) => received.extend_from_slice(&buf[..n]),
                }
                // Answer every complete DLE EOT n that arrived.
                while scanned + 3 <= received.len() {
                    if received[scanned] == 0x10 && received[scanned + 1] == 0x04 {
                        if let Some(bytes) = replies {
                            let answer = match received[scanned + 2] {
                                1 => bytes[0],
                                2 => bytes[1],
                                4 => bytes[2],
                                _ => 0x12,
                            };
                            let _ = stream.write_all(&[answer]);
                        }
                        scanned += 3;
                    } else {
                        scanned += 1;
                    }
                }
            }
            received
        });
        FakeLanPrinter { address, handle }
    }

    /// Waits until the client has closed the connection; returns what was received.
    pub fn received(self) -> Vec<u8> {
        self.handle.join().expect("fake printer thread")
    }
}

/// The bytes without the status requests (DLE EOT n).
pub fn without_status_requests(bytes: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == 0x10 && bytes.get(i + 1) == Some(&0x04) && i + 2 < bytes.len() {
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    out
}
