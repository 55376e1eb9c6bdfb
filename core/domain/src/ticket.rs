//! Ticket numbers: the service letter plus a three-digit number per service per office day
//! (A001 ... A999).
//!
//! The hub persists the last number issued per (office day, service) inside the same
//! transaction that stores the visit; this module holds the rule: numbers start at 1, go up
//! by one, and stop at 999 with [`DomainError::TicketNumbersExhausted`].

use crate::error::DomainError;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;
use std::str::FromStr;

/// Highest number of a day.
pub const MAX_TICKET_NUMBER: u16 = 999;

/// A ticket number such as `A001`. Serialized as that string.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct TicketNumber {
    letter: char,
    number: u16,
}

impl TicketNumber {
    /// A ticket number from its parts; `letter` must be A-Z and `number` 1..=999.
    pub fn new(letter: char, number: u16) -> Result<TicketNumber, DomainError> {
        if letter.is_ascii_uppercase() && (1..=MAX_TICKET_NUMBER).contains(&number) {
            Ok(TicketNumber { letter, number })
        } else {
            Err(DomainError::InvalidTicketNumber {
                input: format!("{letter}{number:03}"),
            })
        }
    }

    /// The first ticket of a day for a letter.
    pub fn first(letter: char) -> Result<TicketNumber, DomainError> {
        TicketNumber::new(letter, 1)
    }

    /// The service letter.
    pub fn letter(self) -> char {
        self.letter
    }

    /// The number, 1..=999.
    pub fn number(self) -> u16 {
        self.number
    }

    /// The number after this one on the same day.
    pub fn next(self) -> Result<TicketNumber, DomainError> {
        if self.number >= MAX_TICKET_NUMBER {
            Err(DomainError::TicketNumbersExhausted {
                letter: self.letter,
            })
        } else {
            Ok(TicketNumber {
                letter: self.letter,
                number: self.number + 1,
            })
        }
    }

    /// How the display board and voice read the number: "A nol nol satu" is left to the
    /// voice layer; this gives the digits spaced for clarity ("A 0 0 1").
    pub fn spoken_digits(self) -> String {
        let digits = format!("{:03}", self.number);
        let mut out = String::with_capacity(8);
        out.push(self.letter);
        for d in digits.chars() {
            out.push(' ');
            out.push(d);
        }
        out
    }
}

/// The next number to issue for a letter, given the last number issued today for that
/// service (`None` when none was issued yet today).
pub fn next_ticket_number(
    letter: char,
    last_issued: Option<u16>,
) -> Result<TicketNumber, DomainError> {
    match last_issued {
        None | Some(0) => TicketNumber::first(letter),
        Some(n) => TicketNumber::new(letter, n)?.next(),
    }
}

impl fmt::Display for TicketNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}{:03}", self.letter, self.number)
    }
}

impl FromStr for TicketNumber {
    type Err = DomainError;

    /// Parses `A001` (case-insensitive letter, exactly three digits, 001..999).
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let invalid = || DomainError::InvalidTicketNumber {
            input: s.chars().take(16).collect(),
        };
        let s_trim = s.trim();
        let mut chars = s_trim.chars();
        let letter = chars.next().ok_or_else(invalid)?.to_ascii_uppercase();
        let digits: &str = chars.as_str();
        if digits.len() != 3 || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return Err(invalid());
        }
        let number: u16 = digits.parse().map_err(|_| invalid())?;
        TicketNumber::new(letter, number).map_err(|_| invalid())
    }
}

impl Serialize for TicketNumber {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for TicketNumber {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let s = String::deserialize(deserializer)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}
