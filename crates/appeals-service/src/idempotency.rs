//! Idempotent creation: a POST that carries an `Idempotency-Key` takes effect once; a retry with
//! the same key and the same request gets the first response, another request with the key is
//! refused. One module for every creating POST (registration, forwarding, ОЛ-2 decisions).
//!
//! The key is reserved by its stored row: the first response is stored in the same transaction as
//! the change, under a primary key (user, key). Of two concurrent requests with one key, the
//! second fails on that key when it commits and then replays the first one's response.

use appeals_db::rows::IdempotencyRow;
use appeals_db::{DbConn, repo, write_tx};
use chrono::NaiveDateTime;
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::error::{AppError, AppResult};

/// An `Idempotency-Key` and the hash of the request it came with (the edge computes it: one hash
/// of method, path and body for every POST).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Idem {
    pub key: String,
    pub request_hash: String,
}

/// The outcome of an idempotent call: done now, or the response of the first call, replayed.
#[derive(Debug)]
pub enum Once<T> {
    Done(T),
    Replayed(T),
}

impl<T> Once<T> {
    pub fn into_inner(self) -> T {
        match self {
            Once::Done(value) | Once::Replayed(value) => value,
        }
    }
}

/// The stored response to an earlier call with this key, if any; the key with another request is
/// refused.
pub fn replay<T: DeserializeOwned>(
    conn: &mut DbConn,
    user_id: i64,
    idem: Option<&Idem>,
) -> AppResult<Option<T>> {
    let Some(idem) = idem else {
        return Ok(None);
    };
    match repo::idempotency::find(conn, user_id, &idem.key)? {
        Some(stored) if stored.request_hash == idem.request_hash => {
            serde_json::from_str(&stored.response)
                .map(Some)
                .map_err(|e| AppError::corrupt(format!("stored response is unreadable: {e}")))
        }
        Some(_) => Err(AppError::IdempotencyKeyReused),
        None => Ok(None),
    }
}

/// Stores the first response under the key, in the caller's transaction.
pub fn store<T: Serialize>(
    conn: &mut DbConn,
    user_id: i64,
    idem: Option<Idem>,
    response: &T,
    at: NaiveDateTime,
) -> AppResult<()> {
    let Some(idem) = idem else {
        return Ok(());
    };
    let response = serde_json::to_string(response)
        .map_err(|e| AppError::corrupt(format!("response is not serializable: {e}")))?;
    repo::idempotency::insert(
        conn,
        &IdempotencyRow {
            user_id,
            idem_key: idem.key,
            request_hash: idem.request_hash,
            status: 201,
            response,
            created_at: at,
        },
    )?;
    Ok(())
}

/// Why an idempotent transaction failed: its action refused, or the storage failed around it.
enum Failed<E> {
    Action(E),
    Store(AppError),
}

impl<E> From<AppError> for Failed<E> {
    fn from(e: AppError) -> Self {
        Failed::Store(e)
    }
}

impl<E> From<appeals_db::diesel_error::Error> for Failed<E> {
    fn from(e: appeals_db::diesel_error::Error) -> Self {
        Failed::Store(e.into())
    }
}

/// Runs `action` in one write transaction, once per key: replays a stored response, stores the
/// new one with the change, and after a lost race (the other request committed the key first)
/// replays the winner's. Generic in the error, so that the caller's presentation of the result
/// (stored for a retry) can fail in its own terms.
pub fn once<T, E, F>(
    conn: &mut DbConn,
    user_id: i64,
    idem: Option<Idem>,
    at: NaiveDateTime,
    action: F,
) -> Result<Once<T>, E>
where
    T: Serialize + DeserializeOwned,
    E: From<AppError>,
    F: FnOnce(&mut DbConn) -> Result<T, E>,
{
    let outcome = write_tx(conn, |conn| -> Result<Once<T>, Failed<E>> {
        if let Some(stored) = replay(conn, user_id, idem.as_ref())? {
            return Ok(Once::Replayed(stored));
        }
        let done = action(conn).map_err(Failed::Action)?;
        store(conn, user_id, idem.clone(), &done, at)?;
        Ok(Once::Done(done))
    });
    match outcome {
        Ok(done) => Ok(done),
        Err(failed) => match replay(conn, user_id, idem.as_ref())? {
            Some(stored) => Ok(Once::Replayed(stored)),
            None => Err(match failed {
                Failed::Action(e) => e,
                Failed::Store(e) => E::from(e),
            }),
        },
    }
}
