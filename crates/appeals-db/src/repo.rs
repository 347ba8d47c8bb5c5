//! Repository functions, one module per aggregate.

pub mod access_requests;
pub mod appeals;
pub mod configuration;
pub mod decisions;
pub mod duplicates;
pub mod events;
pub mod forwardings;
pub mod idempotency;
pub mod kato;
pub mod notifications;
pub mod numbering;
pub mod receptions;
pub mod registry;
pub mod reports;
pub mod search;
pub mod signatures;
pub mod subjects;
pub mod users;
pub mod webhooks;
