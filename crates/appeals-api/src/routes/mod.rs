//! One module per resource; [`crate::app`] wires them.

pub mod analytics;
pub mod appeals;
pub mod auth;
pub mod duplicates;
pub mod health;
