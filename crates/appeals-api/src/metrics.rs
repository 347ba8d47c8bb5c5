//! `GET /metrics` in the Prometheus text format (issue 22 point 6; docs/operations.md), with the
//! `prometheus` crate. Counters and histograms of this process (requests by route pattern and
//! status, database waits, registrations, duplicate verdicts) plus gauges read from the database
//! on each scrape, the same in every process (pool use, outbox lag and failures, the deadline
//! backlog). Access: a bearer token when `APPEALS_METRICS_TOKEN` is set, else loopback only.

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, get, web};
use prometheus::{
    Encoder, HistogramOpts, HistogramVec, IntCounter, IntCounterVec, IntGauge, IntGaugeVec, Opts,
    Registry, TextEncoder,
};

use crate::error::ApiError;
use crate::state::AppState;

/// The process's metrics.
pub struct Metrics {
    registry: Registry,
    requests: IntCounterVec,
    request_seconds: HistogramVec,
    db_wait_seconds: HistogramVec,
    registrations: IntCounter,
    verdicts: IntCounterVec,
    pool: IntGaugeVec,
    outbox_lag_events: IntGauge,
    outbox_lag_seconds: IntGauge,
    webhook_failing: IntGauge,
    webhook_parked: IntGauge,
    overdue: IntGauge,
}

fn must<T>(r: prometheus::Result<T>) -> T {
    // The names and labels below are constants: a failure is a programming error caught by the
    // metrics test, so a panic at start-up is the right answer.
    #[allow(clippy::expect_used)]
    r.expect("metric definition")
}

impl Metrics {
    pub fn new() -> Self {
        let registry = Registry::new();
        let requests = must(IntCounterVec::new(
            Opts::new(
                "appeals_http_requests_total",
                "HTTP requests by route pattern, method and status.",
            ),
            &["route", "method", "status"],
        ));
        let request_seconds = must(HistogramVec::new(
            HistogramOpts::new(
                "appeals_http_request_duration_seconds",
                "HTTP request latency by route pattern and method.",
            )
            .buckets(vec![
                0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0,
            ]),
            &["route", "method"],
        ));
        let db_wait_seconds = must(HistogramVec::new(
            HistogramOpts::new(
                "appeals_database_wait_seconds",
                "Time a database task waited for its turn and a pooled connection.",
            )
            .buckets(vec![
                0.0001, 0.0005, 0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1.0, 5.0,
            ]),
            &["stage"],
        ));
        let registrations = must(IntCounter::new(
            "appeals_registrations_total",
            "Appeals registered by this process.",
        ));
        let verdicts = must(IntCounterVec::new(
            Opts::new(
                "appeals_duplicate_check_verdicts_total",
                "Duplicate-check verdicts at registration (p.13).",
            ),
            &["verdict"],
        ));
        let pool = must(IntGaugeVec::new(
            Opts::new(
                "appeals_database_pool_connections",
                "Database connections of this process's pool.",
            ),
            &["state"],
        ));
        let outbox_lag_events = must(IntGauge::new(
            "appeals_outbox_lag_events",
            "Outbox events not yet handled by the furthest-behind active webhook subscription.",
        ));
        let outbox_lag_seconds = must(IntGauge::new(
            "appeals_outbox_lag_seconds",
            "Age of the oldest outbox event an active webhook subscription still has to receive.",
        ));
        let webhook_failing = must(IntGauge::new(
            "appeals_webhook_failing_subscriptions",
            "Webhook subscriptions whose deliveries currently fail (retried with back-off).",
        ));
        let webhook_parked = must(IntGauge::new(
            "appeals_webhook_parked_events",
            "Webhook deliveries given up after the retry window (replayable).",
        ));
        let overdue = must(IntGauge::new(
            "appeals_overdue_open_cards",
            "Open cards past their review deadline (the deadline backlog).",
        ));
        let build = must(IntGaugeVec::new(
            Opts::new("appeals_build_info", "Build of this process (always 1)."),
            &["version"],
        ));
        build.with_label_values(&[env!("CARGO_PKG_VERSION")]).set(1);
        for c in [
            Box::new(requests.clone()) as Box<dyn prometheus::core::Collector>,
            Box::new(request_seconds.clone()),
            Box::new(db_wait_seconds.clone()),
            Box::new(registrations.clone()),
            Box::new(verdicts.clone()),
            Box::new(pool.clone()),
            Box::new(outbox_lag_events.clone()),
            Box::new(outbox_lag_seconds.clone()),
            Box::new(webhook_failing.clone()),
            Box::new(webhook_parked.clone()),
            Box::new(overdue.clone()),
            Box::new(build),
        ] {
            must(registry.register(c));
        }
        Self {
            registry,
            requests,
            request_seconds,
            db_wait_seconds,
            registrations,
            verdicts,
            pool,
            outbox_lag_events,
            outbox_lag_seconds,
            webhook_failing,
            webhook_parked,
            overdue,
        }
    }

    /// One answered request (`route` is the pattern, never the path: paths carry ids and IINs;
    /// `{id}` is written `:id`, which every text-format parser reads).
    pub fn request(&self, route: &str, method: &str, status: u16, seconds: f64) {
        let route = route.replace('{', ":").replace('}', "");
        let route = route.as_str();
        self.requests
            .with_label_values(&[route, method, &status.to_string()])
            .inc();
        self.request_seconds
            .with_label_values(&[route, method])
            .observe(seconds);
    }

    /// A database task's wait: for the process's turn (`gate`) or for a connection (`pool`).
    pub fn db_wait(&self, stage: &str, seconds: f64) {
        self.db_wait_seconds
            .with_label_values(&[stage])
            .observe(seconds);
    }

    /// A registration and its duplicate verdict (`None`: the check did not run).
    pub fn registered(&self, verdict: Option<&str>) {
        self.registrations.inc();
        if let Some(v) = verdict {
            self.verdicts.with_label_values(&[v]).inc();
        }
    }
}

impl Default for Metrics {
    fn default() -> Self {
        Self::new()
    }
}

fn allowed(state: &AppState, req: &HttpRequest) -> bool {
    match state.metrics_token() {
        Some(token) => req
            .headers()
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .is_some_and(|given| {
                given.len() == token.len()
                    && given
                        .bytes()
                        .zip(token.bytes())
                        .fold(0u8, |acc, (a, b)| acc | (a ^ b))
                        == 0
            }),
        None => req.peer_addr().is_some_and(|a| a.ip().is_loopback()),
    }
}

/// The metrics in the Prometheus text format (version 0.0.4); docs/operations.md lists them.
///
/// Served to the scraper only: with `APPEALS_METRICS_TOKEN` set, a request must carry
/// `Authorization: Bearer <that token>`; without it, only loopback clients are answered (403
/// otherwise).
#[utoipa::path(tag = "operations", responses(
    (status = 200, content_type = "text/plain; version=0.0.4", body = String,
     example = "# HELP appeals_registrations_total Appeals registered by this process.\n# TYPE appeals_registrations_total counter\nappeals_registrations_total 42\n"),
    (status = 403, body = crate::error::Problem, content_type = "application/problem+json"),
))]
#[get("/metrics")]
pub async fn metrics(
    state: web::Data<AppState>,
    req: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    if !allowed(&state, &req) {
        return Err(ApiError::forbidden(
            "The metrics are served to the configured scraper only (APPEALS_METRICS_TOKEN, or loopback).",
        ));
    }
    let pool = state.pool.state();
    let m = state.metrics();
    m.pool
        .with_label_values(&["idle"])
        .set(i64::from(pool.idle_connections));
    m.pool.with_label_values(&["in_use"]).set(i64::from(
        pool.connections.saturating_sub(pool.idle_connections),
    ));
    m.pool
        .with_label_values(&["max"])
        .set(i64::from(state.pool.max_size()));
    let now = state.now().naive_utc();
    let gauges = state
        .run(move |conn| appeals_service::webhooks::operations_gauges(conn, now))
        .await?;
    m.outbox_lag_events.set(gauges.outbox_lag_events);
    m.outbox_lag_seconds.set(gauges.outbox_lag_seconds);
    m.webhook_failing.set(gauges.failing_subscriptions);
    m.webhook_parked.set(gauges.parked_deliveries);
    m.overdue.set(gauges.overdue_open_cards);
    let mut body = Vec::new();
    TextEncoder::new()
        .encode(&m.registry.gather(), &mut body)
        .map_err(ApiError::internal)?;
    Ok(HttpResponse::Ok()
        .content_type("text/plain; version=0.0.4; charset=utf-8")
        .body(body))
}
