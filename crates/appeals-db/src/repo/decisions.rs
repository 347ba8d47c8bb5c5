//! ОЛ-2 cards: one row per decision, transfer or transfer cancellation; rows are only appended
//! (R22: a decision never overwrites an earlier card).

use diesel::prelude::*;

use crate::conn::DbConn;
use crate::error::DbError;
use crate::rows::{DecisionCardRow, NewDecisionCardRow};
use crate::schema::decision_cards;

/// Appends a card. `(appeal_id, seq)` is unique, so two concurrent appends with the same `seq`
/// cannot both succeed.
pub fn insert(conn: &mut DbConn, new: &NewDecisionCardRow) -> Result<DecisionCardRow, DbError> {
    Ok(diesel::insert_into(decision_cards::table)
        .values(new)
        .get_result(conn)?)
}

/// The cards of one appeal in `seq` order.
pub fn list(conn: &mut DbConn, appeal_id: i64) -> Result<Vec<DecisionCardRow>, DbError> {
    Ok(decision_cards::table
        .filter(decision_cards::appeal_id.eq(appeal_id))
        .order(decision_cards::seq.asc())
        .select(DecisionCardRow::as_select())
        .load(conn)?)
}
