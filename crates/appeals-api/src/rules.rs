//! The domain configuration a process applies: calendar, deadline settings, dictionaries and the
//! registration-number format; the [OBS]/[INF] choices live here as data.
//!
//! Dictionaries and calendar overrides are stored in the database (R11, R27, R32, R33) and every
//! administrative change bumps the `rules` row of `config_versions` in the same transaction. Each
//! process keeps one [`Rules`] snapshot in [`AppState`]: it is loaded at start-up, replaced at once
//! by the process that made a change, and reloaded by [`keep_rules_current`] (a middleware on the
//! `/api/v1` scope) when the stored version differs from the loaded one. That check reads one
//! primary-key row, at most once per [`RULES_CHECK_INTERVAL`] per process, so a handler may see a
//! snapshot up to that long after another process committed a change. Deadlines already stored on
//! cards never change by a reload (R33); only the explicit recalculation moves them.

use std::time::Duration;

use actix_web::body::{EitherBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::middleware::Next;
use actix_web::web;
pub use appeals_service::config::{
    ADDRESS_RECONCILIATION_SETTING, Rules, calendar_with_overrides, dedup_settings_of,
    set_address_reconciliation,
};

use crate::state::AppState;

/// Today's local date by the server's clock, for the edge (use-cases take `Ctx::now`).
pub trait Today {
    fn today(&self) -> chrono::NaiveDate;
}

impl Today for Rules {
    fn today(&self) -> chrono::NaiveDate {
        self.local_date(chrono::Utc::now())
    }
}

/// How often a process compares its loaded configuration version with the database.
pub const RULES_CHECK_INTERVAL: Duration = Duration::from_secs(1);

/// Middleware of the `/api/v1` scope: before the handler runs, reloads the process's [`Rules`]
/// when the configuration version in the database changed (checked at most once per
/// [`RULES_CHECK_INTERVAL`]; always while nothing was loaded yet). A failed check keeps the current
/// snapshot, unless no snapshot was ever loaded from the database — then the request fails (503
/// when the database is unreachable) rather than run on rules the database may have overridden.
pub async fn keep_rules_current<B: MessageBody>(
    req: ServiceRequest,
    next: Next<B>,
) -> Result<ServiceResponse<EitherBody<B>>, actix_web::Error> {
    if let Some(state) = req.app_data::<web::Data<AppState>>().cloned()
        && let Err(e) = state.refresh_rules_if_due().await
    {
        if state.rules().config_version.is_none() {
            return Ok(req.error_response(e).map_into_right_body());
        }
        tracing::warn!(error = %e, "configuration version check failed; serving the loaded rules");
    }
    next.call(req)
        .await
        .map(ServiceResponse::map_into_left_body)
}
