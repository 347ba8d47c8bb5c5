//! Reading cards through the guard: a card's history and the check of its hash chain.

use appeals_db::repo::events::ChainCheck;
use appeals_db::rows::EventRow;
use appeals_db::{DbConn, repo};

use crate::access;
use crate::ctx::Ctx;
use crate::error::AppResult;

/// The card's history, oldest first (whoever may read the card).
pub fn history(conn: &mut DbConn, ctx: &Ctx, appeal_id: i64) -> AppResult<Vec<EventRow>> {
    access::load_card(conn, &ctx.grant, appeal_id)?;
    Ok(repo::events::list(conn, appeal_id)?)
}

/// The card's hash chain recomputed: intact, or its first broken link (for auditors).
pub fn verify_history(conn: &mut DbConn, ctx: &Ctx, appeal_id: i64) -> AppResult<ChainCheck> {
    access::load_card(conn, &ctx.grant, appeal_id)?;
    Ok(repo::events::verify_appeal(conn, appeal_id)?)
}
