//! The webhook delivery worker (issue 22; docs/integrations.md): `appeals worker`, or a thread of
//! `appeals serve` with `APPEALS_WEBHOOK_WORKER=on`. Any number of processes on one database:
//! each leases one subscription at a time (`FOR UPDATE SKIP LOCKED` on PostgreSQL), delivers its
//! next events in order and moves the cursor after each 2xx, so two healthy workers never send
//! the same event, and a killed one's lease runs out and another resumes from the cursor (an
//! event may repeat: receivers dedupe by `webhook-id`). Runs on its own threads: the request path
//! never waits on a receiver.

use std::time::{Duration, Instant};

use appeals_domain::webhooks;
use appeals_service::store::DbPool;
use appeals_service::views::{OutboxEventRow, SubscriptionRow};
use appeals_service::webhooks::{self as hooks, Attempt, RetryPolicy};

/// How the worker runs.
#[derive(Debug, Clone)]
pub struct WorkerConfig {
    /// Idle wait between polls when nothing is due.
    pub poll: Duration,
    /// Per-request timeout.
    pub timeout: Duration,
    /// How long a lease holds; a worker that dies is replaced after it.
    pub lease: chrono::Duration,
    /// Events per batch.
    pub batch: i64,
    pub retry: RetryPolicy,
}

impl Default for WorkerConfig {
    fn default() -> Self {
        Self {
            poll: Duration::from_millis(100),
            timeout: Duration::from_secs(10),
            lease: chrono::Duration::seconds(30),
            batch: 200,
            retry: RetryPolicy::default(),
        }
    }
}

/// An HTTP client with the worker's timeouts (non-2xx answers are answers, not errors).
pub fn client(config: &WorkerConfig) -> ureq::Agent {
    ureq::Agent::new_with_config(
        ureq::Agent::config_builder()
            .timeout_global(Some(config.timeout))
            .http_status_as_error(false)
            .build(),
    )
}

/// Sends one event, signed; the attempt as it went.
pub fn send(agent: &ureq::Agent, sub: &SubscriptionRow, event: &OutboxEventRow) -> Attempt {
    let body = hooks::body(sub, event);
    let timestamp = chrono::Utc::now().timestamp();
    let started = Instant::now();
    let Some(signature) = hooks::signing_secret(sub).and_then(|secret| {
        webhooks::signature(&secret, &event.event_id, timestamp, body.as_bytes())
    }) else {
        // Nothing unsigned leaves: the attempt fails where operators see it (the delivery log).
        return Attempt {
            status_code: None,
            error: Some(
                "the secret does not open under this deployment's APPEALS_SEALING_KEY".to_owned(),
            ),
            latency_ms: 0,
            at: appeals_service::store::now_utc(),
        };
    };
    let result = agent
        .post(&sub.url)
        .header("content-type", "application/json")
        .header("webhook-id", &event.event_id)
        .header("webhook-timestamp", &timestamp.to_string())
        .header("webhook-signature", &signature)
        .send(body.as_bytes());
    let latency_ms = i32::try_from(started.elapsed().as_millis()).unwrap_or(i32::MAX);
    let at = appeals_service::store::now_utc();
    match result {
        Ok(response) => Attempt {
            status_code: Some(i32::from(response.status().as_u16())),
            error: None,
            latency_ms,
            at,
        },
        Err(e) => Attempt {
            status_code: None,
            error: Some(match e {
                ureq::Error::Timeout(_) => "timeout".to_owned(),
                ureq::Error::Io(io) => format!("connection failed ({:?})", io.kind()),
                ureq::Error::ConnectionFailed => "connection failed".to_owned(),
                ureq::Error::HostNotFound => "host not found".to_owned(),
                other => format!("request failed ({other})"),
            }),
            latency_ms,
            at,
        },
    }
}

/// One round: lease a subscription with events due and deliver its batch. Returns how many events
/// were handled (0: nothing was due).
pub fn run_once(
    pool: &DbPool,
    agent: &ureq::Agent,
    owner: &str,
    config: &WorkerConfig,
) -> Result<usize, String> {
    let mut conn = appeals_service::store::connection(pool).map_err(|e| e.to_string())?;
    let now = appeals_service::store::now_utc();
    let Some(batch) = hooks::next_batch(&mut conn, owner, now, config.lease, config.batch)
        .map_err(|e| e.to_string())?
    else {
        return Ok(0);
    };
    let sub = batch.subscription;
    let mut handled = 0;
    for event in &batch.events {
        if !hooks::wants(&sub, event) {
            if !hooks::delivered(&mut conn, owner, &sub, event, None).map_err(|e| e.to_string())? {
                return Ok(handled);
            }
            handled += 1;
            continue;
        }
        let attempt = send(agent, &sub, event);
        if attempt.succeeded() {
            if !hooks::delivered(&mut conn, owner, &sub, event, Some(&attempt))
                .map_err(|e| e.to_string())?
            {
                return Ok(handled);
            }
            handled += 1;
        } else {
            hooks::failed(&mut conn, owner, &sub, event, &attempt, config.retry)
                .map_err(|e| e.to_string())?;
            return Ok(handled.max(1));
        }
    }
    hooks::release(&mut conn, owner, &sub).map_err(|e| e.to_string())?;
    Ok(handled.max(1))
}

/// Runs the worker until the process ends.
pub fn run_forever(pool: DbPool, config: WorkerConfig) {
    let owner = format!("worker-{}", uuid::Uuid::new_v4().simple());
    let agent = client(&config);
    tracing::info!(worker = %owner, "webhook worker started");
    loop {
        match run_once(&pool, &agent, &owner, &config) {
            Ok(0) => std::thread::sleep(config.poll),
            Ok(_) => {}
            Err(e) => {
                tracing::warn!(error = %e, "webhook worker round failed");
                std::thread::sleep(config.poll * 10);
            }
        }
    }
}
