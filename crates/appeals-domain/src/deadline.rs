//! Deadlines on the working-day calendar (APPK art. 65, 73, 76; Rules p.15, p.32).
//!
//! The shared vocabulary (`DayUnit`, `Term`, `DayCountConvention`) is used by the dictionaries too.

use serde::{Deserialize, Serialize};

/// Whether a term counts working days or calendar days.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DayUnit {
    /// Days that are working days on the calendar of Kazakhstan (APPK terms).
    Working,
    /// Calendar days; the end moves to the next working day when it falls on a non-working day (R29).
    Calendar,
}

/// A term: N days of a unit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Term {
    pub days: u32,
    pub unit: DayUnit,
}

impl Term {
    pub const fn working(days: u32) -> Self {
        Self { days, unit: DayUnit::Working }
    }
    pub const fn calendar(days: u32) -> Self {
        Self { days, unit: DayUnit::Calendar }
    }
}

/// Whether the day of receipt is day 1 (`Inclusive`, eOtinish practice, the default — R28) or the
/// day after it is (`Exclusive`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DayCountConvention {
    #[default]
    Inclusive,
    Exclusive,
}
