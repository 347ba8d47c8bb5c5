//! Shared application state, built once at start-up and cloned into every worker.

use std::sync::Arc;

use appeals_db::DbPool;

use crate::auth::JwtKeys;
use crate::registry::{LocalRegistry, PersonRegistry};
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
}

impl AppState {
    pub fn new(pool: DbPool, jwt: JwtKeys) -> Self {
        let registry: Arc<dyn PersonRegistry> = Arc::new(LocalRegistry::new(pool.clone()));
        Self {
            pool,
            jwt: Arc::new(jwt),
            rules: Arc::new(std::sync::RwLock::new(Arc::new(Rules::defaults()))),
            registry: Arc::new(std::sync::RwLock::new(registry)),
        }
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

    /// Runs blocking diesel work on the actix blocking pool with a pooled connection.
    pub async fn db<T, F>(&self, f: F) -> Result<T, crate::error::ApiError>
    where
        F: FnOnce(&mut appeals_db::DbConn) -> Result<T, crate::error::ApiError> + Send + 'static,
        T: Send + 'static,
    {
        let pool = self.pool.clone();
        actix_web::web::block(move || {
            let mut conn = pool.get().map_err(appeals_db::DbError::from)?;
            f(&mut conn)
        })
        .await?
    }
}
