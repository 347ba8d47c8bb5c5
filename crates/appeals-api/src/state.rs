//! Shared application state, built once at start-up and cloned into every worker.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use appeals_service::eds::{OpensslVerifier, SignatureVerifier, VerifierChain};
use appeals_service::registry::{LocalRegistry, PersonRegistry};
use appeals_service::store::{self, DbConn, DbError, DbPool};

use crate::auth::JwtKeys;
use crate::rules::Rules;

/// What handlers receive through `web::Data<AppState>`.
#[derive(Clone)]
pub struct AppState {
    pub pool: DbPool,
    pub jwt: Arc<JwtKeys>,
    /// Current domain configuration; swapped as a whole when dictionaries or the calendar change.
    rules: Arc<std::sync::RwLock<Arc<Rules>>>,
    /// The state person/company registry adapter (R20); the local copy unless configured.
    registry: Arc<std::sync::RwLock<Arc<dyn PersonRegistry>>>,
    /// The EDS verifier over the configured trust anchors (`None`: none configured, every
    /// signature is refused with 503).
    eds_verifier: Arc<std::sync::RwLock<Option<Arc<dyn SignatureVerifier>>>>,
    /// The Prometheus metrics of this process (`GET /metrics`).
    metrics: Arc<crate::metrics::Metrics>,
    /// The bearer token a scraper must send (`None`: loopback only).
    metrics_token: Option<String>,
    /// When this process last compared its rules with the database's configuration version.
    rules_checked_at: Arc<Mutex<Option<Instant>>>,
    /// Minimum time between two such checks ([`crate::rules::RULES_CHECK_INTERVAL`]).
    rules_check_interval: Duration,
    /// Rules p.13: registrations run the duplicate check. Off only in benchmarks (dev).
    pub duplicate_check_on_registration: bool,
    /// Database tasks admitted at once; the others wait here in arrival order (a fair async
    /// semaphore) rather than as blocking threads racing for a pooled connection.
    db_gate: Arc<tokio::sync::Semaphore>,
}

impl AppState {
    pub fn new(pool: DbPool, jwt: JwtKeys) -> Self {
        let registry: Arc<dyn PersonRegistry> = Arc::new(LocalRegistry::new(pool.clone()));
        let connections = pool.max_size() as usize;
        Self {
            pool,
            jwt: Arc::new(jwt),
            rules: Arc::new(std::sync::RwLock::new(Arc::new(Rules::defaults()))),
            registry: Arc::new(std::sync::RwLock::new(registry)),
            eds_verifier: Arc::new(std::sync::RwLock::new(None)),
            metrics: Arc::new(crate::metrics::Metrics::new()),
            metrics_token: None,
            rules_checked_at: Arc::new(Mutex::new(None)),
            rules_check_interval: crate::rules::RULES_CHECK_INTERVAL,
            duplicate_check_on_registration: true,
            db_gate: Arc::new(tokio::sync::Semaphore::new(default_db_concurrency(
                connections,
            ))),
        }
    }

    /// Admits at most `limit` database tasks at once; 0 chooses [`default_db_concurrency`].
    pub fn with_db_concurrency(mut self, limit: u32) -> Self {
        let limit = match limit {
            0 => default_db_concurrency(self.pool.max_size() as usize),
            n => n as usize,
        };
        self.db_gate = Arc::new(tokio::sync::Semaphore::new(limit));
        self
    }

    /// The same state with the duplicate check of registrations on or off (benchmarks).
    pub fn with_duplicate_check_on_registration(mut self, on: bool) -> Self {
        self.duplicate_check_on_registration = on;
        self
    }

    /// The registry adapter for this request.
    pub fn registry(&self) -> Arc<dyn PersonRegistry> {
        match self.registry.read() {
            Ok(guard) => guard.clone(),
            Err(poisoned) => poisoned.into_inner().clone(),
        }
    }

    /// Replaces the registry adapter (configuration at start-up; tests).
    pub fn replace_registry(&self, registry: Arc<dyn PersonRegistry>) {
        let mut guard = match self.registry.write() {
            Ok(guard) => guard,
            Err(poisoned) => poisoned.into_inner(),
        };
        *guard = registry;
    }

    /// The same state with another interval between configuration-version checks (`ZERO` checks
    /// on every request — what a test of two processes wants).
    pub fn metrics(&self) -> &crate::metrics::Metrics {
        &self.metrics
    }

    pub fn metrics_token(&self) -> Option<&str> {
        self.metrics_token.as_deref()
    }

    /// Requires this bearer token of a metrics scraper (`APPEALS_METRICS_TOKEN`).
    pub fn with_metrics_token(mut self, token: Option<String>) -> Self {
        self.metrics_token = token.filter(|t| !t.is_empty());
        self
    }

    /// The EDS verifier in force.
    pub fn eds(&self) -> Option<Arc<dyn SignatureVerifier>> {
        match self.eds_verifier.read() {
            Ok(guard) => guard.clone(),
            Err(poisoned) => poisoned.into_inner().clone(),
        }
    }

    /// Trusts the certificates of a PEM bundle (НУЦ РК root and intermediates) for EDS signatures;
    /// a GOST plug-in would be chained after the OpenSSL verifier here.
    pub fn trust_eds_anchors(&self, pem: &[u8]) -> Result<(), String> {
        let verifier: Arc<dyn SignatureVerifier> = Arc::new(VerifierChain(vec![Arc::new(
            OpensslVerifier::from_pem_bundle(pem)?,
        )]));
        let mut guard = match self.eds_verifier.write() {
            Ok(guard) => guard,
            Err(poisoned) => poisoned.into_inner(),
        };
        *guard = Some(verifier);
        Ok(())
    }

    pub fn with_rules_check_interval(mut self, interval: Duration) -> Self {
        self.rules_check_interval = interval;
        self
    }

    /// The domain configuration to apply to this request (a snapshot: a concurrent swap does not
    /// change it midway).
    pub fn rules(&self) -> Arc<Rules> {
        match self.rules.read() {
            Ok(guard) => guard.clone(),
            Err(poisoned) => poisoned.into_inner().clone(),
        }
    }

    /// Replaces the domain configuration (after dictionaries or calendar data changed).
    pub fn replace_rules(&self, rules: Rules) {
        let mut guard = match self.rules.write() {
            Ok(guard) => guard,
            Err(poisoned) => poisoned.into_inner(),
        };
        *guard = Arc::new(rules);
    }

    /// Installs rules loaded from the database unless the loaded ones are already as new (two
    /// concurrent reloads must not put an older configuration back).
    pub fn install_rules(&self, rules: Rules) {
        let mut guard = match self.rules.write() {
            Ok(guard) => guard,
            Err(poisoned) => poisoned.into_inner(),
        };
        let newer = match (guard.config_version, rules.config_version) {
            (Some(current), Some(loaded)) => loaded > current,
            (None, _) => true,
            (Some(_), None) => false,
        };
        if newer {
            *guard = Arc::new(rules);
        }
    }

    /// Loads the rules from the database now (start-up).
    pub fn load_rules(&self, conn: &mut DbConn) -> Result<(), crate::error::ApiError> {
        self.install_rules(Rules::load(conn)?);
        Ok(())
    }

    /// The rules as of the database's current configuration version, checked now whatever the
    /// interval (for handlers that publish the configuration itself, e.g. the calendar).
    pub async fn current_rules(&self) -> Result<Arc<Rules>, crate::error::ApiError> {
        self.refresh_rules(true).await?;
        Ok(self.rules())
    }

    /// Reloads the rules when the stored configuration version differs from the loaded one; the
    /// version is read at most once per check interval (always while nothing was loaded yet).
    pub async fn refresh_rules_if_due(&self) -> Result<(), crate::error::ApiError> {
        self.refresh_rules(false).await
    }

    async fn refresh_rules(&self, force: bool) -> Result<(), crate::error::ApiError> {
        let loaded = self.rules().config_version;
        {
            let mut checked_at = match self.rules_checked_at.lock() {
                Ok(guard) => guard,
                Err(poisoned) => poisoned.into_inner(),
            };
            let now = Instant::now();
            let due = force
                || loaded.is_none()
                || checked_at.is_none_or(|t| now.duration_since(t) >= self.rules_check_interval);
            if !due {
                return Ok(());
            }
            *checked_at = Some(now);
        }
        // Not the request's revocation check: a failed refresh is tolerated below, a failed check
        // must not be.
        let reloaded = self
            .db_task(false, move |conn| {
                let stored = appeals_service::config::stored_version(conn)?;
                if Some(stored) == loaded {
                    return Ok(None);
                }
                Ok(Rules::load(conn).map(Some)?)
            })
            .await?;
        if let Some(rules) = reloaded {
            tracing::info!(config_version = rules.config_version, "rules reloaded");
            self.install_rules(rules);
        }
        Ok(())
    }

    /// Runs blocking diesel work on the actix blocking pool with a pooled connection.
    /// The context of a use-case called for `grant`: the rules snapshot and one reading of the
    /// server's clock.
    /// The server's time of an action that has no caller's context (a login, a public
    /// submission): the edge's one reading of the clock, like [`AppState::ctx`]'s.
    pub fn now(&self) -> chrono::DateTime<chrono::Utc> {
        chrono::Utc::now()
    }

    pub fn ctx(&self, grant: &crate::auth::Principal) -> appeals_service::Ctx {
        appeals_service::Ctx {
            grant: grant.clone(),
            rules: self.rules(),
            now: chrono::Utc::now(),
        }
    }

    /// Runs CPU-bound service work (password hashing) on the blocking pool, without a database
    /// connection.
    pub async fn cpu<T, F>(&self, f: F) -> Result<T, crate::error::ApiError>
    where
        F: FnOnce() -> appeals_service::AppResult<T> + Send + 'static,
        T: Send + 'static,
    {
        Ok(actix_web::web::block(f).await??)
    }

    /// Runs a use-case on the blocking pool (like [`AppState::db`]); its error maps to a problem.
    pub async fn run<T, F>(&self, f: F) -> Result<T, crate::error::ApiError>
    where
        F: FnOnce(&mut DbConn) -> appeals_service::AppResult<T> + Send + 'static,
        T: Send + 'static,
    {
        self.db(move |conn| Ok(f(conn)?)).await
    }

    pub async fn db<T, F>(&self, f: F) -> Result<T, crate::error::ApiError>
    where
        F: FnOnce(&mut DbConn) -> Result<T, crate::error::ApiError> + Send + 'static,
        T: Send + 'static,
    {
        self.db_task(true, f).await
    }

    /// [`AppState::db`]; `with_session`: make the request's pending revocation check first.
    async fn db_task<T, F>(&self, with_session: bool, f: F) -> Result<T, crate::error::ApiError>
    where
        F: FnOnce(&mut DbConn) -> Result<T, crate::error::ApiError> + Send + 'static,
        T: Send + 'static,
    {
        let pool = self.pool.clone();
        let metrics = self.metrics.clone();
        let asked = Instant::now();
        // Closed only on shutdown; then the request is refused like any other database outage.
        let admitted = self.db_gate.clone().acquire_owned().await.map_err(|_| {
            crate::error::ApiError::from(DbError::Config("the database gate is closed".to_owned()))
        })?;
        metrics.db_wait("gate", asked.elapsed().as_secs_f64());
        // The request's revocation check, if no database task has made it yet (issue 20): the
        // first statement on this task's connection, so it costs no extra round trip.
        let session = if with_session {
            crate::auth::SESSION.try_with(|s| s.take()).ok().flatten()
        } else {
            None
        };
        actix_web::web::block(move || {
            let _admitted = admitted;
            let waited = Instant::now();
            let mut conn = store::connection(&pool)?;
            metrics.db_wait("pool", waited.elapsed().as_secs_f64());
            if let Some((user_id, generation)) = session {
                appeals_service::accounts::check_session(&mut conn, user_id, generation)?;
            }
            f(&mut conn)
        })
        .await?
    }
}

/// Database tasks per CPU admitted at once by default. A task is mostly CPU (the server's diesel
/// work and its PostgreSQL backend) with short waits for the WAL flush, so a few per core keep the
/// cores busy; more only lengthen the run queue, and the unlucky requests in it made the latency
/// tail (ninth measurement, git history of docs/performance.md: p90 55–59 → 41–49 ms at 32 clients on 2 cores).
const DB_TASKS_PER_CPU: usize = 4;

/// `APPEALS_DB_CONCURRENCY` when unset: four tasks per CPU, at most one per pooled connection.
pub fn default_db_concurrency(connections: usize) -> usize {
    let cpus = std::thread::available_parallelism().map_or(1, usize::from);
    cpus.saturating_mul(DB_TASKS_PER_CPU)
        .clamp(1, connections.max(1))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_db_concurrency_is_four_per_cpu_within_the_pool() {
        let cpus = std::thread::available_parallelism().map_or(1, usize::from);
        assert_eq!(default_db_concurrency(10_000), 4 * cpus);
        assert_eq!(default_db_concurrency(1), 1);
        assert_eq!(default_db_concurrency(0), 1);
    }
}
