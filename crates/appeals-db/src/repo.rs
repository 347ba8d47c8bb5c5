//! Repository functions, one module per aggregate.

pub mod appeals;
pub mod duplicates;
pub mod events;
pub mod idempotency;
pub mod subjects;
pub mod users;
