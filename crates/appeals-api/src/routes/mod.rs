//! One module per resource; [`crate::app`] wires them.

pub mod auth;
pub mod health;
