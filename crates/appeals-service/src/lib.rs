//! Use-cases of appeals: the layer between the HTTP edge and storage.
//!
//! `api → service → db → domain`. A use-case is a synchronous function that takes a connection and
//! a [`Ctx`] (the caller, the time of the action), asks the one guard ([`access`]) before it loads
//! anything, asks the domain what the Rules say, and returns a view or an [`AppError`]. It knows no
//! HTTP: the api crate maps [`AppError`] to problem+json in one place.

pub mod access;
pub mod access_requests;
pub mod accounts;
pub mod actions;
pub mod analytics;
pub mod appeals;
pub mod applicants;
pub mod audit;
pub mod cards;
pub mod config;
pub mod console;
pub mod corrections;
pub mod ctx;
pub mod deadlines;
pub mod decisions;
pub mod deployment_key;
pub mod dictionaries;
pub mod duplicates;
pub mod eds;
pub mod error;
pub mod forwarding;
pub mod idempotency;
pub mod kato;
pub mod notifications;
pub mod open311;
pub mod receptions;
pub mod registry;
pub mod reports;
pub mod routing;
pub mod search;
pub mod signatures;
pub mod store;
pub mod subjects;
pub mod users;
pub mod views;
pub mod webhooks;
pub mod worklists;

pub use appeals_db::{DbConn, DbPool};
pub use ctx::{Actor, Ctx};
pub use error::{AppError, AppResult};
