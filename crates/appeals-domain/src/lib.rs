//! The Rules of registration and accounting of appeals (Order GP No. 4 of 04.01.2023, as amended
//! 29.12.2025), the APPK terms, the working-day calendar of Kazakhstan and the identifiers the cards
//! carry — as pure functions and types. No IO: time, ids and counters are passed in.
//!
//! Rule ids (R1–R52) refer to `docs/rules.md`, which maps each rule to its code and tests.

pub mod access;
pub mod acttime;
pub mod calendar;
pub mod cards;
pub mod conventions;
pub mod credentials;
pub mod deadline;
pub mod dedup;
pub mod dictionary;
pub mod error;
pub mod events;
pub mod hierarchy;
pub mod ident;
pub mod lifecycle;
pub mod regnum;
pub mod report;
pub mod schedule;
pub mod search;
pub mod webhooks;
pub mod worklist;

pub use error::DomainError;
