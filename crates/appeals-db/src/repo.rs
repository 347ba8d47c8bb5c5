//! Repository functions, one module per aggregate.

pub mod subjects;
pub mod users;
