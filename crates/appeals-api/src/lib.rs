//! HTTP API of appeals: actix-web handlers, the RFC 9457 error model, bearer authentication,
//! the OpenAPI document and the `appeals` command line.

pub mod actions;
pub mod app;
pub mod applicants;
pub mod auth;
pub mod card_view;
pub mod cli;
pub mod csv_export;
pub mod dedup;
pub mod dto;
pub mod error;
pub mod extract;
pub mod forwarding_dto;
pub mod guard;
pub mod kato_import;
pub mod metrics;
pub mod openapi;
pub mod pagination;
pub mod reception_dto;
pub mod registry;
pub mod report_dto;
pub mod report_export;
pub mod routes;
pub mod rules;
pub mod state;
pub mod webhook_worker;

pub use app::{build_app, openapi};
pub use state::AppState;
