//! Test support: an ESC/POS reader written from the command reference, independently of
//! the encoder in `src/` (it shares no code with it), and a simulated LAN printer.

#![allow(dead_code)]

pub mod lan;
pub mod reader;
