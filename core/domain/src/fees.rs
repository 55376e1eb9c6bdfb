//! PNBP fees as a table with effective dates, and the validity rule.
//!
//! The default table is the one of PP 45/2024 as given in the design brief. The regulation
//! was promulgated on 18 October 2024 and takes effect 60 days later; public reports give
//! 18 December 2024, used here as [`PP_45_2024_EFFECTIVE`]. The hub receives fee tables from
//! central and each office can set them in its configuration.

use crate::error::DomainError;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use std::fmt;

/// First day of the PP 45/2024 table (as reported publicly). Configurable: replace the
/// schedule to change.
pub const PP_45_2024_EFFECTIVE: NaiveDate = match NaiveDate::from_ymd_opt(2024, 12, 18) {
    Some(d) => d,
    None => panic!("constant date"),
};

/// A fee line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FeeItem {
    /// Non-electronic passport, 5 years.
    #[serde(rename = "non_electronic_5y")]
    NonElectronic5y,
    /// Non-electronic passport, 10 years.
    #[serde(rename = "non_electronic_10y")]
    NonElectronic10y,
    /// Electronic passport (e-paspor), 5 years.
    #[serde(rename = "electronic_5y")]
    Electronic5y,
    /// Electronic passport, 10 years.
    #[serde(rename = "electronic_10y")]
    Electronic10y,
    /// Same-day fast track (percepatan), on top of the book fee.
    FastTrack,
    /// Charge for a lost passport.
    LostCharge,
    /// Charge for a damaged passport.
    DamagedCharge,
    /// Lost or damaged by force majeure (disaster): no charge.
    ForceMajeure,
}

impl FeeItem {
    /// Stable machine name.
    pub fn as_str(self) -> &'static str {
        match self {
            FeeItem::NonElectronic5y => "non_electronic_5y",
            FeeItem::NonElectronic10y => "non_electronic_10y",
            FeeItem::Electronic5y => "electronic_5y",
            FeeItem::Electronic10y => "electronic_10y",
            FeeItem::FastTrack => "fast_track",
            FeeItem::LostCharge => "lost_charge",
            FeeItem::DamagedCharge => "damaged_charge",
            FeeItem::ForceMajeure => "force_majeure",
        }
    }

    /// The book fee item for a passport kind and validity.
    pub fn passport(electronic: bool, validity: Validity) -> FeeItem {
        match (electronic, validity) {
            (false, Validity::FiveYears) => FeeItem::NonElectronic5y,
            (false, Validity::TenYears) => FeeItem::NonElectronic10y,
            (true, Validity::FiveYears) => FeeItem::Electronic5y,
            (true, Validity::TenYears) => FeeItem::Electronic10y,
        }
    }
}

impl fmt::Display for FeeItem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A passport's validity.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Validity {
    /// 5 years.
    FiveYears,
    /// 10 years.
    TenYears,
}

/// Minimum age for 10-year validity (married applicants qualify at any age).
pub const TEN_YEAR_MIN_AGE: u32 = 17;

/// 10 years for applicants aged 17 or over or married, 5 years otherwise.
pub fn validity_for(age_years: u32, married: bool) -> Validity {
    if age_years >= TEN_YEAR_MIN_AGE || married {
        Validity::TenYears
    } else {
        Validity::FiveYears
    }
}

/// One fee table in force from a date.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FeeTable {
    /// Legal basis ("PP 45/2024").
    pub basis: String,
    /// First day in force.
    pub effective_from: NaiveDate,
    /// Amount per item, whole rupiah.
    pub amounts: Vec<(FeeItem, u64)>,
}

impl FeeTable {
    /// The amount of an item, if the table lists it.
    pub fn amount(&self, item: FeeItem) -> Option<u64> {
        self.amounts
            .iter()
            .find(|(i, _)| *i == item)
            .map(|(_, a)| *a)
    }
}

/// All fee tables; the one in force on a date is the latest whose `effective_from` is not
/// after it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FeeSchedule {
    /// Tables, any order.
    pub tables: Vec<FeeTable>,
}

impl Default for FeeSchedule {
    fn default() -> Self {
        FeeSchedule {
            tables: vec![FeeTable {
                basis: "PP 45/2024".to_string(),
                effective_from: PP_45_2024_EFFECTIVE,
                amounts: vec![
                    (FeeItem::NonElectronic5y, 350_000),
                    (FeeItem::NonElectronic10y, 650_000),
                    (FeeItem::Electronic5y, 650_000),
                    (FeeItem::Electronic10y, 950_000),
                    (FeeItem::FastTrack, 1_000_000),
                    (FeeItem::LostCharge, 1_000_000),
                    (FeeItem::DamagedCharge, 500_000),
                    (FeeItem::ForceMajeure, 0),
                ],
            }],
        }
    }
}

/// A priced line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct FeeLine {
    /// Item.
    pub item: FeeItem,
    /// Amount in rupiah.
    pub amount: u64,
}

/// A quote: lines and total.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FeeQuote {
    /// Legal basis of the table used.
    pub basis: String,
    /// The table's first day.
    pub effective_from: NaiveDate,
    /// Priced lines, in the order asked.
    pub lines: Vec<FeeLine>,
    /// Sum in rupiah.
    pub total: u64,
}

impl FeeSchedule {
    /// The table in force on a date.
    pub fn table_on(&self, date: NaiveDate) -> Option<&FeeTable> {
        self.tables
            .iter()
            .filter(|t| t.effective_from <= date)
            .max_by_key(|t| t.effective_from)
    }

    /// Prices items on a date. Errors: `fee_table_not_in_force`, `fee_item_missing`.
    pub fn fee_for(&self, date: NaiveDate, items: &[FeeItem]) -> Result<FeeQuote, DomainError> {
        let table = self
            .table_on(date)
            .ok_or(DomainError::FeeTableNotInForce { date })?;
        let mut lines = Vec::with_capacity(items.len());
        let mut total: u64 = 0;
        for &item in items {
            let amount = table
                .amount(item)
                .ok_or(DomainError::FeeItemMissing { item, date })?;
            total = total.saturating_add(amount);
            lines.push(FeeLine { item, amount });
        }
        Ok(FeeQuote {
            basis: table.basis.clone(),
            effective_from: table.effective_from,
            lines,
            total,
        })
    }
}

/// [`FeeSchedule::fee_for`] on the default schedule.
pub fn fee_for(date: NaiveDate, items: &[FeeItem]) -> Result<FeeQuote, DomainError> {
    FeeSchedule::default().fee_for(date, items)
}
