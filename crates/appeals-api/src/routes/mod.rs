//! One module per resource; [`crate::app`] wires them.

pub mod access_requests;
pub mod analytics;
pub mod appeals;
pub mod applicants;
pub mod auth;
pub mod calendar;
pub mod closure;
pub mod conventions;
pub mod corrections;
pub mod deadlines;
pub mod decisions;
pub mod dictionaries;
pub mod duplicates;
pub mod forwardings;
pub mod health;
pub mod notifications;
pub mod open311;
pub mod receptions;
pub mod registry;
pub mod reports;
pub mod routing;
pub mod signatures;
pub mod subjects;
pub mod users;
pub mod webhooks;
pub mod worklists;
