//! One module per resource; [`crate::app`] wires them.

pub mod appeals;
pub mod auth;
pub mod calendar;
pub mod dictionaries;
pub mod health;
