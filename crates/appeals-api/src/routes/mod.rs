//! One module per resource; [`crate::app`] wires them.

pub mod appeals;
pub mod auth;
pub mod decisions;
pub mod health;
