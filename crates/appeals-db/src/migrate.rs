//! Embedded per-backend migrations (`migrations/sqlite`, `migrations/postgres`).

use diesel::connection::SimpleConnection;
use diesel_migrations::{EmbeddedMigrations, MigrationHarness, embed_migrations};

use crate::conn::DbConn;
use crate::error::DbError;

const SQLITE: EmbeddedMigrations = embed_migrations!("../../migrations/sqlite");
const POSTGRES: EmbeddedMigrations = embed_migrations!("../../migrations/postgres");

/// Arbitrary constant key of the advisory lock that serialises migrations when several server
/// processes start at once on one PostgreSQL.
const MIGRATION_LOCK_KEY: i64 = 0x61_70_70_65_61_6c_73;

/// Applies pending migrations; returns how many ran.
pub fn run(conn: &mut DbConn) -> Result<usize, DbError> {
    match conn {
        DbConn::Sqlite(c) => {
            let applied = c
                .run_pending_migrations(SQLITE)
                .map_err(|e| DbError::Migration(e.to_string()))?;
            Ok(applied.len())
        }
        DbConn::Pg(c) => {
            // A migration may rewrite a national table (minutes at 10M cards): no statement
            // timeout of a pooled connection applies to it; the session's own is restored after.
            c.batch_execute(
                "SELECT set_config('appeals.saved_statement_timeout', \
                 current_setting('statement_timeout'), false); SET statement_timeout = 0",
            )?;
            c.batch_execute(&format!("SELECT pg_advisory_lock({MIGRATION_LOCK_KEY})"))?;
            let result = c
                .run_pending_migrations(POSTGRES)
                .map(|v| v.len())
                .map_err(|e| DbError::Migration(e.to_string()));
            c.batch_execute(&format!("SELECT pg_advisory_unlock({MIGRATION_LOCK_KEY})"))?;
            c.batch_execute(
                "SELECT set_config('statement_timeout', \
                 current_setting('appeals.saved_statement_timeout'), false)",
            )?;
            result
        }
    }
}

/// True when every embedded migration has been applied (`/readyz`).
pub fn is_up_to_date(conn: &mut DbConn) -> Result<bool, DbError> {
    let pending = match conn {
        DbConn::Sqlite(c) => c.has_pending_migration(SQLITE),
        DbConn::Pg(c) => c.has_pending_migration(POSTGRES),
    };
    pending
        .map(|p| !p)
        .map_err(|e| DbError::Migration(e.to_string()))
}
