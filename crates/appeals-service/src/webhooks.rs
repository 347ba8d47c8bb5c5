//! Webhook subscriptions and their delivery (issue 22; docs/integrations.md). A subject's admin
//! registers endpoints; a subscription sees the events of its own subject (one of the authorized
//! body, every subject's). Delivery is the worker's: it leases one subscription at a time, sends
//! its next events in order, signed the Standard Webhooks way, advances the cursor after each
//! answered 2xx, backs off exponentially with jitter on failure and, after the retry window,
//! parks the event as failed (replayable) and goes on.

use appeals_db::repo::webhooks::SubscriptionChanges;
use appeals_db::rows::{DeliveryRow, NewSubscriptionRow, OutboxEventRow, SubscriptionRow};
use appeals_db::{DbConn, repo, write_tx};
use appeals_domain::webhooks;
use chrono::{Duration, NaiveDateTime};
use serde_json::json;
use std::sync::OnceLock;

use crate::ctx::Ctx;
use crate::deployment_key::DeploymentKey;
use crate::error::{AppError, AppResult, FieldIssue};

pub const ACTIVE: &str = "active";
pub const PAUSED: &str = "paused";
pub const DELETED: &str = "deleted";

/// A subscription as a caller asks for it.
#[derive(Debug, Clone)]
pub struct NewSubscription {
    pub url: String,
    /// Empty: every event type.
    pub event_types: Vec<String>,
}

/// A subscription and, once (at creation or rotation), its secret.
#[derive(Debug, Clone)]
pub struct SubscriptionView {
    pub row: SubscriptionRow,
    pub secret_shown_once: Option<String>,
}

fn check(url: &str, types: &[String], issues: &mut Vec<FieldIssue>) {
    if !(url.starts_with("http://") || url.starts_with("https://")) || url.len() > 2000 {
        issues.push(FieldIssue::new("#/url", "an http:// or https:// URL"));
    }
    let known = webhooks::event_types();
    for (i, t) in types.iter().enumerate() {
        if !known.contains(t) {
            issues.push(FieldIssue::new(
                format!("#/event_types/{i}"),
                format!("unknown event type `{t}`"),
            ));
        }
    }
}

fn new_secret() -> String {
    webhooks::secret_from(&rand::random::<[u8; 24]>())
}

/// The deployment's sealing key (`APPEALS_SEALING_KEY`).
static SEALING_KEY: DeploymentKey =
    DeploymentKey::new(b"appeals development sealing key - not for production");

/// Installs the sealing key for this process (at start).
pub fn install_sealing_key(key: Vec<u8>) {
    SEALING_KEY.install(key);
}

fn sealing_key() -> &'static [u8] {
    SEALING_KEY.get()
}

/// The key the secrets were sealed under before the current one (`APPEALS_PREVIOUS_SEALING_KEY`,
/// set while a deployment changes its key): secrets open under it too, and are sealed again under
/// the current key when a process starts.
static PREVIOUS_SEALING_KEY: OnceLock<Vec<u8>> = OnceLock::new();

/// Installs the previous sealing key for this process (at start, during a change of key).
pub fn install_previous_sealing_key(key: Vec<u8>) {
    let _ = PREVIOUS_SEALING_KEY.set(key);
}

/// The stored secret in clear: under the current key, else under the previous one.
fn opened(stored: &str) -> Option<String> {
    webhooks::open_secret(sealing_key(), stored).or_else(|| {
        PREVIOUS_SEALING_KEY
            .get()
            .and_then(|previous| webhooks::open_secret(previous, stored))
    })
}

/// A secret as it is stored: sealed, never in clear.
fn sealed(secret: &str) -> AppResult<String> {
    webhooks::seal_secret(sealing_key(), rand::random(), secret)
        .ok_or_else(|| AppError::corrupt("the sealing key cannot seal a webhook secret"))
}

/// The secret a subscription's deliveries are signed with; `None` when its stored form opens
/// under neither this deployment's key nor the previous one (sealed under another, or altered).
pub fn signing_secret(subscription: &SubscriptionRow) -> Option<String> {
    opened(&subscription.secret)
}

/// Seals under the current key the secrets stored in clear (before sealing existed) and those
/// sealed under the previous key (a change of key), at start; a second run finds none. A secret
/// that opens under neither stays as it is (its deliveries fail with the reason).
pub fn seal_stored_secrets(conn: &mut DbConn) -> AppResult<usize> {
    write_tx(conn, |conn| {
        let mut sealed_now = 0;
        for row in repo::webhooks::all_subscriptions(conn)? {
            let secret = if !webhooks::is_sealed(&row.secret) {
                row.secret.clone()
            } else if webhooks::open_secret(sealing_key(), &row.secret).is_some() {
                continue;
            } else if let Some(secret) = opened(&row.secret) {
                secret
            } else {
                continue;
            };
            repo::webhooks::update_subscription(
                conn,
                row.id,
                &SubscriptionChanges {
                    secret: Some(sealed(&secret)?),
                    ..Default::default()
                },
            )?;
            sealed_now += 1;
        }
        Ok(sealed_now)
    })
}

/// Registers an endpoint for the caller's subject (an admin of the authorized body: for every
/// subject). It receives the events committed from now on.
pub fn create(conn: &mut DbConn, ctx: &Ctx, new: NewSubscription) -> AppResult<SubscriptionView> {
    let mut issues = Vec::new();
    check(&new.url, &new.event_types, &mut issues);
    if !issues.is_empty() {
        return Err(AppError::Validation(issues));
    }
    let secret = new_secret();
    let stored = sealed(&secret)?;
    write_tx(conn, |conn| {
        let all_subjects = repo::subjects::is_authorized_body(conn, ctx.actor().subject_id)?;
        let cursor = repo::webhooks::last_event_id(conn)?;
        let row = repo::webhooks::insert_subscription(
            conn,
            &NewSubscriptionRow {
                subject_id: ctx.actor().subject_id,
                all_subjects,
                url: new.url.clone(),
                event_types: new.event_types.join(","),
                secret: stored.clone(),
                status: ACTIVE.to_owned(),
                cursor,
                created_by: ctx.actor().user_id,
                created_at: ctx.stored_now(),
            },
        )?;
        audit(conn, ctx, "webhook_subscription_created", &row)?;
        Ok(SubscriptionView {
            row,
            secret_shown_once: Some(secret.clone()),
        })
    })
}

pub fn list(conn: &mut DbConn, ctx: &Ctx) -> AppResult<Vec<SubscriptionRow>> {
    Ok(repo::webhooks::subscriptions_of(
        conn,
        ctx.actor().subject_id,
    )?)
}

/// A subscription of the caller's subject; another subject's is not found.
pub fn get(conn: &mut DbConn, ctx: &Ctx, id: i64) -> AppResult<SubscriptionRow> {
    repo::webhooks::subscription(conn, id)?
        .filter(|s| s.subject_id == ctx.actor().subject_id)
        .ok_or_else(|| AppError::NotFound(format!("No webhook subscription {id}.")))
}

/// What a caller changes on a subscription.
#[derive(Debug, Clone, Default)]
pub struct SubscriptionUpdate {
    pub url: Option<String>,
    pub event_types: Option<Vec<String>>,
    /// Pause (`false`) or resume (`true`): a paused subscription keeps its cursor and gets the
    /// events it missed when resumed.
    pub active: Option<bool>,
}

pub fn change(
    conn: &mut DbConn,
    ctx: &Ctx,
    id: i64,
    update: SubscriptionUpdate,
) -> AppResult<SubscriptionRow> {
    let mut issues = Vec::new();
    check(
        update.url.as_deref().unwrap_or("https://unchanged"),
        update.event_types.as_deref().unwrap_or(&[]),
        &mut issues,
    );
    if !issues.is_empty() {
        return Err(AppError::Validation(issues));
    }
    write_tx(conn, |conn| {
        get(conn, ctx, id)?;
        let changes = SubscriptionChanges {
            url: update.url.clone(),
            event_types: update.event_types.as_ref().map(|t| t.join(",")),
            status: update
                .active
                .map(|a| if a { ACTIVE } else { PAUSED }.to_owned()),
            // A resumed subscription is delivered to at once.
            next_attempt_at: update.active.filter(|a| *a).map(|_| None),
            ..Default::default()
        };
        if changes.url.is_some() || changes.event_types.is_some() || changes.status.is_some() {
            repo::webhooks::update_subscription(conn, id, &changes)?;
        }
        let row = get(conn, ctx, id)?;
        audit(conn, ctx, "webhook_subscription_changed", &row)?;
        Ok(row)
    })
}

/// A new secret, shown once; the old one stops signing at once.
pub fn rotate_secret(conn: &mut DbConn, ctx: &Ctx, id: i64) -> AppResult<SubscriptionView> {
    let secret = new_secret();
    let stored = sealed(&secret)?;
    write_tx(conn, |conn| {
        get(conn, ctx, id)?;
        repo::webhooks::update_subscription(
            conn,
            id,
            &SubscriptionChanges {
                secret: Some(stored.clone()),
                ..Default::default()
            },
        )?;
        let row = get(conn, ctx, id)?;
        audit(conn, ctx, "webhook_secret_rotated", &row)?;
        Ok(SubscriptionView {
            row,
            secret_shown_once: Some(secret.clone()),
        })
    })
}

/// Deletes a subscription: nothing more is delivered; its delivery log stays for the audit.
pub fn delete(conn: &mut DbConn, ctx: &Ctx, id: i64) -> AppResult<()> {
    write_tx(conn, |conn| {
        let row = get(conn, ctx, id)?;
        repo::webhooks::update_subscription(
            conn,
            id,
            &SubscriptionChanges {
                status: Some(DELETED.to_owned()),
                ..Default::default()
            },
        )?;
        audit(conn, ctx, "webhook_subscription_deleted", &row)?;
        Ok(())
    })
}

/// The newest 100 delivery attempts of a subscription.
pub fn deliveries(conn: &mut DbConn, ctx: &Ctx, id: i64) -> AppResult<Vec<DeliveryRow>> {
    get(conn, ctx, id)?;
    Ok(repo::webhooks::deliveries(conn, id, 100)?)
}

/// Sends a parked event again now, by the caller's request, through `send` (the edge's HTTP
/// client); the attempt is logged as `replayed` or `failed`. Only a parked delivery is replayed.
pub fn replay(
    conn: &mut DbConn,
    ctx: &Ctx,
    id: i64,
    delivery_id: i64,
    send: impl FnOnce(&SubscriptionRow, &OutboxEventRow) -> Attempt,
) -> AppResult<DeliveryRow> {
    let sub = get(conn, ctx, id)?;
    let delivery = repo::webhooks::delivery(conn, delivery_id)?
        .filter(|d| d.subscription_id == id)
        .ok_or_else(|| {
            AppError::NotFound(format!("No delivery {delivery_id} of subscription {id}."))
        })?;
    if delivery.outcome != "parked" {
        return Err(AppError::Conflict(format!(
            "Delivery {delivery_id} is `{}`; only a parked one is replayed.",
            delivery.outcome
        )));
    }
    let event = repo::webhooks::event(conn, delivery.outbox_id)?;
    let attempt = send(&sub, &event);
    let outcome = if attempt.succeeded() {
        "replayed"
    } else {
        "failed"
    };
    log(conn, &sub, &event, delivery.attempt + 1, outcome, &attempt)?;
    repo::webhooks::deliveries(conn, sub.id, 1)?
        .into_iter()
        .next()
        .ok_or_else(|| AppError::corrupt("delivery log"))
}

fn audit(conn: &mut DbConn, ctx: &Ctx, action: &str, row: &SubscriptionRow) -> AppResult<()> {
    crate::audit::record(
        conn,
        Some(ctx.actor().user_id),
        ctx.stored_now(),
        action,
        format!("webhook_subscription:{}", row.id),
        None,
        Some(
            json!({"url": row.url, "event_types": row.event_types, "status": row.status,
                    "all_subjects": row.all_subjects}),
        ),
    )
}

// ---------------------------------------------------------------------------------------------
// Delivery (the worker)

/// How the worker retries.
#[derive(Debug, Clone, Copy)]
pub struct RetryPolicy {
    /// The first back-off; doubled per failed attempt (with up to 50 % jitter), at most `max`.
    pub first: Duration,
    pub max: Duration,
    /// How long an event is retried before it is parked as failed.
    pub window: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self {
            first: Duration::seconds(1),
            max: Duration::minutes(10),
            window: Duration::hours(24),
        }
    }
}

/// A leased subscription and the events it is to receive next, in order.
#[derive(Debug, Clone)]
pub struct Batch {
    pub subscription: SubscriptionRow,
    pub events: Vec<OutboxEventRow>,
}

/// Leases the next subscription with events waiting (for `lease` from `now`) and reads up to
/// `limit` of its events after the cursor.
pub fn next_batch(
    conn: &mut DbConn,
    owner: &str,
    now: NaiveDateTime,
    lease: Duration,
    limit: i64,
) -> AppResult<Option<Batch>> {
    let leased = write_tx(conn, |conn| {
        repo::webhooks::lease_next(conn, owner, now, now + lease)
    })?;
    let Some(subscription) = leased else {
        return Ok(None);
    };
    let subject = (!subscription.all_subjects).then_some(subscription.subject_id);
    let events = repo::webhooks::events_after(conn, subscription.cursor, subject, limit)?;
    Ok(Some(Batch {
        subscription,
        events,
    }))
}

/// Whether the subscription wants the event (its types; empty = all).
pub fn wants(subscription: &SubscriptionRow, event: &OutboxEventRow) -> bool {
    subscription.event_types.is_empty()
        || subscription
            .event_types
            .split(',')
            .any(|t| t == event.event_type)
}

/// The body sent for an event: the public payload, and the change's details for the card's own
/// subject.
pub fn body(subscription: &SubscriptionRow, event: &OutboxEventRow) -> String {
    match (
        &event.private_payload,
        subscription.subject_id == event.subject_id,
    ) {
        (Some(private), true) => {
            let mut payload: serde_json::Value =
                serde_json::from_str(&event.payload).unwrap_or_default();
            if let Some(data) = payload.get_mut("data").and_then(|d| d.as_object_mut()) {
                data.insert(
                    "change".to_owned(),
                    serde_json::from_str(private).unwrap_or_default(),
                );
            }
            payload.to_string()
        }
        _ => event.payload.clone(),
    }
}

/// The answer of one attempt.
#[derive(Debug, Clone)]
pub struct Attempt {
    pub status_code: Option<i32>,
    pub error: Option<String>,
    pub latency_ms: i32,
    pub at: NaiveDateTime,
}

impl Attempt {
    pub fn succeeded(&self) -> bool {
        self.status_code.is_some_and(|c| (200..300).contains(&c))
    }
}

fn log(
    conn: &mut DbConn,
    sub: &SubscriptionRow,
    event: &OutboxEventRow,
    attempt_no: i32,
    outcome: &str,
    attempt: &Attempt,
) -> AppResult<()> {
    repo::webhooks::append_delivery(
        conn,
        &DeliveryRow {
            id: 0,
            subscription_id: sub.id,
            outbox_id: event.id,
            event_id: event.event_id.clone(),
            attempt: attempt_no,
            outcome: outcome.to_owned(),
            status_code: attempt.status_code,
            error: attempt.error.clone(),
            latency_ms: attempt.latency_ms,
            attempted_at: attempt.at,
        },
    )?;
    Ok(())
}

/// Records a delivered (or skipped: `attempt` = `None`) event and moves the cursor past it; false
/// when this worker lost the lease (another worker goes on from the cursor).
pub fn delivered(
    conn: &mut DbConn,
    owner: &str,
    sub: &SubscriptionRow,
    event: &OutboxEventRow,
    attempt: Option<&Attempt>,
) -> AppResult<bool> {
    write_tx(conn, |conn| {
        if !repo::webhooks::advance(conn, sub.id, owner, event.id)? {
            return Ok(false);
        }
        if let Some(attempt) = attempt {
            log(conn, sub, event, sub.attempts + 1, "delivered", attempt)?;
        }
        Ok(true)
    })
}

/// Records a failed attempt: the subscription backs off (exponentially, with jitter) and stays on
/// this event; once the retry window is over the event is parked and the cursor moves past it.
pub fn failed(
    conn: &mut DbConn,
    owner: &str,
    sub: &SubscriptionRow,
    event: &OutboxEventRow,
    attempt: &Attempt,
    policy: RetryPolicy,
) -> AppResult<()> {
    write_tx(conn, |conn| {
        let attempts = sub.attempts + 1;
        let failing_since = sub.failing_since.unwrap_or(attempt.at);
        if attempt.at - failing_since >= policy.window {
            if repo::webhooks::advance(conn, sub.id, owner, event.id)? {
                log(conn, sub, event, attempts, "parked", attempt)?;
            }
            return Ok(());
        }
        log(conn, sub, event, attempts, "failed", attempt)?;
        let exponent = u32::try_from(attempts.clamp(1, 30) - 1).unwrap_or(0);
        let base = policy
            .first
            .checked_mul(2_i32.saturating_pow(exponent))
            .unwrap_or(policy.max)
            .min(policy.max);
        let jitter_ms = rand::random_range(0..=base.num_milliseconds() / 2);
        repo::webhooks::update_subscription(
            conn,
            sub.id,
            &SubscriptionChanges {
                attempts: Some(attempts),
                failing_since: Some(Some(failing_since)),
                next_attempt_at: Some(Some(attempt.at + base + Duration::milliseconds(jitter_ms))),
                lease_owner: Some(None),
                lease_until: Some(None),
                ..Default::default()
            },
        )?;
        Ok(())
    })
}

/// Gives the lease back (the batch is done) if this worker still holds it: one conditional
/// statement, so a lease another worker took after this one's ran out is left alone.
pub fn release(conn: &mut DbConn, owner: &str, sub: &SubscriptionRow) -> AppResult<()> {
    repo::webhooks::release(conn, sub.id, owner)?;
    Ok(())
}

/// What operations watch, read from the database (the same from every process).
#[derive(Debug, Clone, Default)]
pub struct OperationsGauges {
    pub outbox_lag_events: i64,
    pub outbox_lag_seconds: i64,
    pub failing_subscriptions: i64,
    pub parked_deliveries: i64,
    pub overdue_open_cards: i64,
}

/// The gauges of `GET /metrics`: how far the slowest active subscription is behind the outbox
/// (events and age of its oldest undelivered one), failing subscriptions, parked deliveries, and
/// the open cards past their review deadline.
pub fn operations_gauges(conn: &mut DbConn, now: NaiveDateTime) -> AppResult<OperationsGauges> {
    let (outbox_lag_events, outbox_lag_seconds) = match repo::webhooks::slowest_cursor(conn)? {
        Some(cursor) => match repo::webhooks::first_after(conn, cursor)? {
            Some((_, at)) => (
                repo::webhooks::last_event_id(conn)? - cursor,
                (now - at).num_seconds().max(0),
            ),
            None => (0, 0),
        },
        None => (0, 0),
    };
    Ok(OperationsGauges {
        outbox_lag_events,
        outbox_lag_seconds,
        failing_subscriptions: repo::webhooks::failing_subscriptions(conn)?,
        parked_deliveries: repo::webhooks::parked_deliveries(conn)?,
        overdue_open_cards: repo::appeals::count_overdue(conn, now.date())?,
    })
}
