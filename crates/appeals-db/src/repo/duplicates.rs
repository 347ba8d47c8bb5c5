//! The duplicate check's index and links (Rules p.13, R13, R14; issue 5).
//!
//! A check is a handful of indexed lookups: candidates by applicant keys
//! (`appeal_dedup_applicant_keys`) and by LSH band keys (`appeal_dedup_bands`), then the
//! candidates' signatures and, for the few worth verifying, their texts. Nothing is cached in the
//! process, so a registration committed by another process is seen by the next check.

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;

use crate::conn::DbConn;
use crate::error::DbError;
use crate::rows::{
    DedupSignatureRow, DuplicateLinkRow, NewDuplicateDecisionRow, NewDuplicateLinkRow,
};
use crate::schema::{
    appeal_dedup_applicant_keys, appeal_dedup_bands, appeal_dedup_signatures,
    appeal_duplicate_links, appeals, duplicate_decisions, settings,
};

/// Name of the `settings` row holding the LSH banding (`{bands}x{rows}`) the stored band keys were
/// computed with; every process checks and indexes with it.
pub const BANDING_SETTING: &str = "dedup_banding";

/// Appeals whose band keys [`rebuild_bands`] recomputes per round trip.
const REBUILD_BATCH: i64 = 2_000;
/// Band rows per insert statement (two bind parameters each, under both backends' limits).
const BAND_ROWS_PER_INSERT: usize = 8_000;

/// The stored banding code.
pub fn banding(conn: &mut DbConn) -> Result<String, DbError> {
    Ok(settings::table
        .find(BANDING_SETTING)
        .select(settings::value)
        .first(conn)?)
}

/// Name of the `settings` row holding how many bands a named applicant's check probes for other
/// applicants' near-copies (`DedupSettings::others_probe_bands`); absent → the built-in default.
pub const OTHERS_PROBE_SETTING: &str = "dedup_others_probe_bands";

/// Name of the `settings` row saying whether the check reads signals of new substance
/// (`DedupSettings::substance_signals`: `on` or `off`); absent → the built-in default (`on`).
pub const SUBSTANCE_SIGNALS_SETTING: &str = "dedup_substance_signals";

/// Replaces every band key with the ones `band_keys` computes from each stored signature and
/// stores `banding` as the index's banding; returns the number of appeals re-keyed. Call it inside
/// one write transaction, so checks see either the old index or the new one.
pub fn rebuild_bands(
    conn: &mut DbConn,
    banding: &str,
    band_keys: impl Fn(&[u8]) -> Result<Vec<i64>, DbError>,
) -> Result<u64, DbError> {
    match conn {
        // Transactional like the rest, and it frees the old rows at once instead of leaving
        // every one dead until a VACUUM (a DELETE of 33M rows took most of a 1M reindex).
        DbConn::Pg(c) => {
            diesel::sql_query("TRUNCATE appeal_dedup_bands").execute(c)?;
        }
        // SQLite drops a table's pages wholesale for a DELETE without WHERE.
        DbConn::Sqlite(c) => {
            diesel::delete(appeal_dedup_bands::table).execute(c)?;
        }
    }
    let mut after = i64::MIN;
    let mut rekeyed = 0u64;
    loop {
        let batch = signatures_after(conn, after, REBUILD_BATCH)?;
        let Some(last) = batch.last().map(|row| row.appeal_id) else {
            break;
        };
        let mut rows = Vec::new();
        for row in &batch {
            rows.extend(band_rows(row.appeal_id, band_keys(&row.signature)?));
        }
        insert_band_rows(conn, &rows)?;
        rekeyed += batch.len() as u64;
        after = last;
    }
    diesel::update(settings::table.find(BANDING_SETTING))
        .set(settings::value.eq(banding))
        .execute(conn)?;
    Ok(rekeyed)
}

/// Stores the index entries of a registered appeal: signature row, band keys and applicant keys.
/// Band keys are `u64` bit-cast to `i64`; duplicates in the inputs are ignored.
pub fn insert_index(
    conn: &mut DbConn,
    signature: &DedupSignatureRow,
    band_keys: &[i64],
    applicant_keys: &[(String, String)],
) -> Result<(), DbError> {
    if let DbConn::Pg(c) = conn {
        // One round trip (a statement per registration is what the check costs, not rows).
        let keys = unique_applicant_keys(applicant_keys);
        lateral::IndexInsert {
            signature,
            band_keys: &unique_band_keys(band_keys.to_vec()),
            key_kinds: keys.iter().map(|(kind, _)| kind.as_str()).collect(),
            keys: keys.iter().map(|(_, key)| key.as_str()).collect(),
        }
        .execute(c)?;
        return Ok(());
    }
    diesel::insert_into(appeal_dedup_signatures::table)
        .values(signature)
        .execute(conn)?;
    let appeal_id = signature.appeal_id;
    insert_band_rows(conn, &band_rows(appeal_id, band_keys.to_vec()))?;
    insert_applicant_keys(conn, appeal_id, applicant_keys)
}

type BandRow = (
    diesel::dsl::Eq<appeal_dedup_bands::band_key, i64>,
    diesel::dsl::Eq<appeal_dedup_bands::appeal_id, i64>,
);

/// Band keys sorted, each once.
fn unique_band_keys(mut keys: Vec<i64>) -> Vec<i64> {
    keys.sort_unstable();
    keys.dedup();
    keys
}

/// Applicant keys sorted, each once.
fn unique_applicant_keys(keys: &[(String, String)]) -> Vec<&(String, String)> {
    let mut keys: Vec<&(String, String)> = keys.iter().collect();
    keys.sort();
    keys.dedup();
    keys
}

/// The `appeal_dedup_bands` rows of one appeal (duplicate keys once).
fn band_rows(appeal_id: i64, keys: Vec<i64>) -> Vec<BandRow> {
    unique_band_keys(keys)
        .into_iter()
        .map(|k| {
            (
                appeal_dedup_bands::band_key.eq(k),
                appeal_dedup_bands::appeal_id.eq(appeal_id),
            )
        })
        .collect()
}

/// Multi-row inserts of band rows, [`BAND_ROWS_PER_INSERT`] per statement (batch inserts need the
/// concrete connection).
fn insert_band_rows(conn: &mut DbConn, rows: &[BandRow]) -> Result<(), DbError> {
    for chunk in rows.chunks(BAND_ROWS_PER_INSERT) {
        crate::per_backend!(&mut *conn, |c| {
            diesel::insert_into(appeal_dedup_bands::table)
                .values(chunk)
                .execute(c)?;
        });
    }
    Ok(())
}

/// The applicant-key rows of an appeal; duplicates in the input are ignored.
fn insert_applicant_keys(
    conn: &mut DbConn,
    appeal_id: i64,
    applicant_keys: &[(String, String)],
) -> Result<(), DbError> {
    let key_rows: Vec<_> = unique_applicant_keys(applicant_keys)
        .iter()
        .map(|(kind, key)| {
            (
                appeal_dedup_applicant_keys::key_kind.eq(kind.as_str()),
                appeal_dedup_applicant_keys::key.eq(key.as_str()),
                appeal_dedup_applicant_keys::appeal_id.eq(appeal_id),
            )
        })
        .collect();
    if !key_rows.is_empty() {
        crate::per_backend!(conn, |c| {
            diesel::insert_into(appeal_dedup_applicant_keys::table)
                .values(&key_rows)
                .execute(c)?;
        });
    }
    Ok(())
}

/// Re-keys an indexed appeal whose applicants changed: its stored applicant keys (JSON) and
/// identity are updated, the rows of `stale_keys` (every key its former applicants could have been
/// stored under) are deleted by primary key and `applicant_keys` inserted.
pub fn replace_applicant_keys(
    conn: &mut DbConn,
    appeal_id: i64,
    applicants: &str,
    applicant_identity: Option<&str>,
    stale_keys: &[(String, String)],
    applicant_keys: &[(String, String)],
) -> Result<(), DbError> {
    diesel::update(appeal_dedup_signatures::table.find(appeal_id))
        .set((
            appeal_dedup_signatures::applicants.eq(applicants),
            appeal_dedup_signatures::applicant_identity.eq(applicant_identity),
        ))
        .execute(conn)?;
    if !stale_keys.is_empty() {
        // Leading-column IN lists: the primary key serves the delete (no index on appeal_id).
        let kinds: Vec<&str> = stale_keys.iter().map(|(kind, _)| kind.as_str()).collect();
        let keys: Vec<&str> = stale_keys.iter().map(|(_, key)| key.as_str()).collect();
        diesel::delete(
            appeal_dedup_applicant_keys::table
                .filter(appeal_dedup_applicant_keys::key_kind.eq_any(kinds))
                .filter(appeal_dedup_applicant_keys::key.eq_any(keys))
                .filter(appeal_dedup_applicant_keys::appeal_id.eq(appeal_id)),
        )
        .execute(conn)?;
    }
    insert_applicant_keys(conn, appeal_id, applicant_keys)
}

/// Serialises registrations of the same applicant on PostgreSQL until the end of the transaction
/// (`pg_advisory_xact_lock`, one lock per identity hash, taken in ascending order so two
/// registrations never wait for each other crosswise; all in one statement). Without it two concurrent registrations of
/// one person could each check before the other commits and miss each other. SQLite needs nothing:
/// its writers already run one at a time.
pub fn lock_identities(conn: &mut DbConn, identity_hashes: &[i64]) -> Result<(), DbError> {
    let DbConn::Pg(c) = conn else {
        return Ok(());
    };
    let mut hashes = identity_hashes.to_vec();
    hashes.sort_unstable();
    hashes.dedup();
    if !hashes.is_empty() {
        lateral::IdentityLocks { hashes: &hashes }.load::<i64>(c)?;
    }
    Ok(())
}

/// The newest appeal in the index (0 when empty): a check that remembers it can later look only
/// at what was indexed after it (`after`).
pub fn last_indexed_appeal_id(conn: &mut DbConn) -> Result<i64, DbError> {
    Ok(appeal_dedup_signatures::table
        .select(diesel::dsl::max(appeal_dedup_signatures::appeal_id))
        .first::<Option<i64>>(conn)?
        .unwrap_or(0))
}

/// Appeals (newest first) sharing any of the applicant keys `(key_kind, key)`, at most `limit`
/// per key (the union is not cut: one common name must not crowd out an IIN/BIN match). No "since"
/// variant: ids are not committed in order, so a catch-up reads the keys whole.
pub fn candidates_by_applicant(
    conn: &mut DbConn,
    keys: &[(String, String)],
    limit: i64,
) -> Result<Vec<i64>, DbError> {
    if keys.is_empty() {
        return Ok(Vec::new());
    }
    let mut ids: Vec<i64> = match conn {
        // One round trip: a LATERAL index scan per key (a key is a prefix of the primary key).
        DbConn::Pg(c) => {
            let (kinds, values): (Vec<&str>, Vec<&str>) = keys
                .iter()
                .map(|(kind, key)| (kind.as_str(), key.as_str()))
                .unzip();
            lateral::ApplicantKeyLookup {
                kinds,
                values,
                per_key: limit,
            }
            .load::<i64>(c)?
        }
        // In-process: a query per key costs no round trip.
        DbConn::Sqlite(c) => {
            let mut ids = Vec::new();
            for (kind, key) in keys {
                ids.extend(
                    appeal_dedup_applicant_keys::table
                        .filter(appeal_dedup_applicant_keys::key_kind.eq(kind))
                        .filter(appeal_dedup_applicant_keys::key.eq(key))
                        .select(appeal_dedup_applicant_keys::appeal_id)
                        .order(appeal_dedup_applicant_keys::appeal_id.desc())
                        .limit(limit)
                        .load::<i64>(c)?,
                );
            }
            ids
        }
    };
    ids.sort_unstable_by(|a, b| b.cmp(a));
    ids.dedup();
    Ok(ids)
}

/// At most this many appeals (the newest) are taken per band key. A band key shared by more
/// appeals is near-boilerplate (a campaign, a form letter): its newest holders are enough, and
/// the same applicant's earlier appeals come through the applicant keys anyway. Without the cap
/// one hot key (49,030 appeals at 1M synthetic ones) turned a check into a 100 ms scan; at 64 the
/// synthetic texts' 32 keys still returned ~1,300 rows (1.9 ms), at 16 ~400 (0.6–0.9 ms).
pub const APPEALS_PER_BAND_KEY: i64 = 16;

/// Appeals sharing at least one LSH band key, with the number of shared bands; most shared
/// first, then newest, at most `limit`; with `after`, only appeals with a greater id. Each key
/// contributes at most `per_key` appeals, the newest (an index range scan per key; see
/// [`APPEALS_PER_BAND_KEY`]).
pub fn candidates_by_bands(
    conn: &mut DbConn,
    band_keys: &[i64],
    per_key: i64,
    limit: i64,
    after: Option<i64>,
) -> Result<Vec<(i64, i64)>, DbError> {
    if band_keys.is_empty() {
        return Ok(Vec::new());
    }
    let after = after.unwrap_or(i64::MIN);
    let hits: Vec<i64> = match conn {
        // One round trip: a LATERAL index scan per key.
        DbConn::Pg(c) => lateral::BandKeyLookup {
            band_keys,
            after,
            per_key,
        }
        .load::<i64>(c)?,
        // In-process: a query per key costs no round trip.
        DbConn::Sqlite(c) => {
            let mut hits = Vec::new();
            for key in band_keys {
                hits.extend(
                    appeal_dedup_bands::table
                        .filter(appeal_dedup_bands::band_key.eq(key))
                        .filter(appeal_dedup_bands::appeal_id.gt(after))
                        .select(appeal_dedup_bands::appeal_id)
                        .order(appeal_dedup_bands::appeal_id.desc())
                        .limit(per_key)
                        .load::<i64>(c)?,
                );
            }
            hits
        }
    };
    let mut shared: std::collections::HashMap<i64, i64> = std::collections::HashMap::new();
    for id in hits {
        *shared.entry(id).or_default() += 1;
    }
    let mut ranked: Vec<(i64, i64)> = shared.into_iter().collect();
    ranked.sort_unstable_by(|a, b| b.1.cmp(&a.1).then(b.0.cmp(&a.0)));
    ranked.truncate(usize::try_from(limit).unwrap_or(usize::MAX));
    Ok(ranked)
}

/// Signature rows of the given appeals.
pub fn signatures(conn: &mut DbConn, ids: &[i64]) -> Result<Vec<DedupSignatureRow>, DbError> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    Ok(appeal_dedup_signatures::table
        .filter(appeal_dedup_signatures::appeal_id.eq_any(ids))
        .select(DedupSignatureRow::as_select())
        .load(conn)?)
}

/// Signature rows of the appeals indexed after `after` (by id), at most `limit`: a catch-up reads
/// the few appeals registered while its check ran in one range scan of the primary key instead
/// of probing every band key again.
pub fn signatures_after(
    conn: &mut DbConn,
    after: i64,
    limit: i64,
) -> Result<Vec<DedupSignatureRow>, DbError> {
    Ok(appeal_dedup_signatures::table
        .filter(appeal_dedup_signatures::appeal_id.gt(after))
        .order(appeal_dedup_signatures::appeal_id)
        .limit(limit)
        .select(DedupSignatureRow::as_select())
        .load(conn)?)
}

/// What a check shows of a candidate, whatever subject holds it (no other requisites leak).
#[derive(Debug, Clone, PartialEq, Queryable)]
pub struct CandidateCard {
    pub id: i64,
    pub reg_number: String,
    pub subject_id: i64,
    pub registered_at: NaiveDateTime,
    pub text: String,
}

/// Number, subject, time and text of the given appeals.
pub fn candidate_cards(conn: &mut DbConn, ids: &[i64]) -> Result<Vec<CandidateCard>, DbError> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    Ok(appeals::table
        .filter(appeals::id.eq_any(ids))
        .select((
            appeals::id,
            appeals::reg_number,
            appeals::subject_id,
            appeals::registered_at,
            appeals::text,
        ))
        .load(conn)?)
}

/// Number, subject and time (no text) of the given appeals.
pub fn card_refs(
    conn: &mut DbConn,
    ids: &[i64],
) -> Result<Vec<(i64, String, i64, NaiveDateTime)>, DbError> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    Ok(appeals::table
        .filter(appeals::id.eq_any(ids))
        .select((
            appeals::id,
            appeals::reg_number,
            appeals::subject_id,
            appeals::registered_at,
        ))
        .load(conn)?)
}

pub fn insert_link(conn: &mut DbConn, row: &NewDuplicateLinkRow) -> Result<(), DbError> {
    diesel::insert_into(appeal_duplicate_links::table)
        .values(row)
        .execute(conn)?;
    Ok(())
}

/// Links from `appeal_id` to the earlier appeals it repeats.
pub fn links_from(conn: &mut DbConn, appeal_id: i64) -> Result<Vec<DuplicateLinkRow>, DbError> {
    Ok(appeal_duplicate_links::table
        .filter(appeal_duplicate_links::appeal_id.eq(appeal_id))
        .order(appeal_duplicate_links::id.asc())
        .select(DuplicateLinkRow::as_select())
        .load(conn)?)
}

/// Links from later appeals that repeat `appeal_id`.
pub fn links_to(conn: &mut DbConn, appeal_id: i64) -> Result<Vec<DuplicateLinkRow>, DbError> {
    Ok(appeal_duplicate_links::table
        .filter(appeal_duplicate_links::other_appeal_id.eq(appeal_id))
        .order(appeal_duplicate_links::id.asc())
        .select(DuplicateLinkRow::as_select())
        .load(conn)?)
}

pub fn delete_links_from(conn: &mut DbConn, appeal_id: i64) -> Result<(), DbError> {
    diesel::delete(
        appeal_duplicate_links::table.filter(appeal_duplicate_links::appeal_id.eq(appeal_id)),
    )
    .execute(conn)?;
    Ok(())
}

pub fn insert_decision(conn: &mut DbConn, row: &NewDuplicateDecisionRow) -> Result<(), DbError> {
    diesel::insert_into(duplicate_decisions::table)
        .values(row)
        .execute(conn)?;
    Ok(())
}

/// One appeal of the campaign window: id, subject, signature and applicant identity.
pub type WindowEntry = (i64, i64, Vec<u8>, Option<String>);

/// Signatures of the appeals registered in `[from, to]` (newest first, at most `limit`).
pub fn window_signatures(
    conn: &mut DbConn,
    subjects: Option<&[i64]>,
    from: NaiveDate,
    to: NaiveDate,
    limit: i64,
) -> Result<Vec<WindowEntry>, DbError> {
    let mut q = appeals::table
        .inner_join(appeal_dedup_signatures::table)
        .into_boxed();
    if let Some(subjects) = subjects {
        q = q.filter(appeals::subject_id.eq_any(subjects.to_vec()));
    }
    Ok(q.filter(appeals::registration_date.ge(from))
        .filter(appeals::registration_date.le(to))
        .order(appeals::id.desc())
        .limit(limit)
        .select((
            appeals::id,
            appeals::subject_id,
            appeal_dedup_signatures::signature,
            appeal_dedup_signatures::applicant_identity,
        ))
        .load(conn)?)
}

/// The PostgreSQL statements of the check and the index as query types with a static query id:
/// diesel prepares them once per connection. (`diesel::sql_query` opts out of the statement cache,
/// so its text was parsed and planned on every call: 0.5 ms of PostgreSQL time per registration,
/// docs/performance.md.)
mod lateral {
    use diesel::pg::{Pg, PgConnection};
    use diesel::query_builder::{AstPass, Query, QueryFragment, QueryId};
    use diesel::sql_types::{Array, BigInt, Binary, Nullable, Text};
    use diesel::{QueryResult, RunQueryDsl};

    /// A static query id (prepared once per connection), one `BIGINT` column, `load` on
    /// PostgreSQL.
    macro_rules! bigint_query {
        ($lookup:ident) => {
            impl QueryId for $lookup<'_> {
                type QueryId = $lookup<'static>;
                const HAS_STATIC_QUERY_ID: bool = true;
            }

            impl Query for $lookup<'_> {
                type SqlType = BigInt;
            }

            impl RunQueryDsl<PgConnection> for $lookup<'_> {}
        };
    }

    impl QueryId for IndexInsert<'_> {
        type QueryId = IndexInsert<'static>;
        const HAS_STATIC_QUERY_ID: bool = true;
    }

    impl RunQueryDsl<PgConnection> for IndexInsert<'_> {}

    /// A registered appeal's index entries — signature row, band keys, applicant keys — in one
    /// statement (data-modifying CTEs). Inputs are deduplicated by the caller.
    pub struct IndexInsert<'a> {
        pub signature: &'a crate::rows::DedupSignatureRow,
        pub band_keys: &'a [i64],
        pub key_kinds: Vec<&'a str>,
        pub keys: Vec<&'a str>,
    }

    impl QueryFragment<Pg> for IndexInsert<'_> {
        fn walk_ast<'b>(&'b self, mut out: AstPass<'_, 'b, Pg>) -> QueryResult<()> {
            out.push_sql(
                "WITH s AS (INSERT INTO appeal_dedup_signatures \
                 (appeal_id, signature, applicants, applicant_identity) VALUES (",
            );
            out.push_bind_param::<BigInt, _>(&self.signature.appeal_id)?;
            out.push_sql(", ");
            out.push_bind_param::<Binary, _>(&self.signature.signature)?;
            out.push_sql(", ");
            out.push_bind_param::<Text, _>(&self.signature.applicants)?;
            out.push_sql(", ");
            out.push_bind_param::<Nullable<Text>, _>(&self.signature.applicant_identity)?;
            out.push_sql(
                ")), b AS (INSERT INTO appeal_dedup_bands (band_key, appeal_id) \
                 SELECT k, ",
            );
            out.push_bind_param::<BigInt, _>(&self.signature.appeal_id)?;
            out.push_sql(" FROM unnest(");
            out.push_bind_param::<Array<BigInt>, _>(self.band_keys)?;
            out.push_sql(
                "::bigint[]) AS t(k)) INSERT INTO appeal_dedup_applicant_keys \
                 (key_kind, key, appeal_id) SELECT kind, key, ",
            );
            out.push_bind_param::<BigInt, _>(&self.signature.appeal_id)?;
            out.push_sql(" FROM unnest(");
            out.push_bind_param::<Array<Text>, _>(&self.key_kinds)?;
            out.push_sql("::text[], ");
            out.push_bind_param::<Array<Text>, _>(&self.keys)?;
            out.push_sql("::text[]) AS t(kind, key)");
            Ok(())
        }
    }

    bigint_query!(ApplicantKeyLookup);
    bigint_query!(BandKeyLookup);
    bigint_query!(IdentityLocks);

    /// `pg_advisory_xact_lock` on each of `hashes` in the array's order (the function scan feeds
    /// the nested loop row by row), one round trip; yields the ordinals.
    pub struct IdentityLocks<'a> {
        pub hashes: &'a [i64],
    }

    impl QueryFragment<Pg> for IdentityLocks<'_> {
        fn walk_ast<'b>(&'b self, mut out: AstPass<'_, 'b, Pg>) -> QueryResult<()> {
            out.push_sql("SELECT t.n FROM unnest(");
            out.push_bind_param::<Array<BigInt>, _>(self.hashes)?;
            out.push_sql(
                "::bigint[]) WITH ORDINALITY AS t(h, n) \
                 CROSS JOIN LATERAL (SELECT pg_advisory_xact_lock(t.h)) AS l",
            );
            Ok(())
        }
    }

    /// The newest `per_key` appeals of each applicant key `(kinds[i], values[i])`: an index range
    /// scan per key (a key is a prefix of the primary key), one round trip.
    pub struct ApplicantKeyLookup<'a> {
        pub kinds: Vec<&'a str>,
        pub values: Vec<&'a str>,
        pub per_key: i64,
    }

    impl QueryFragment<Pg> for ApplicantKeyLookup<'_> {
        fn walk_ast<'b>(&'b self, mut out: AstPass<'_, 'b, Pg>) -> QueryResult<()> {
            out.push_sql("SELECT b.appeal_id FROM unnest(");
            out.push_bind_param::<Array<Text>, _>(&self.kinds)?;
            out.push_sql("::text[], ");
            out.push_bind_param::<Array<Text>, _>(&self.values)?;
            out.push_sql(
                "::text[]) AS k(key_kind, key) CROSS JOIN LATERAL (SELECT appeal_id \
                 FROM appeal_dedup_applicant_keys WHERE key_kind = k.key_kind AND key = k.key \
                 ORDER BY appeal_id DESC LIMIT ",
            );
            out.push_bind_param::<BigInt, _>(&self.per_key)?;
            out.push_sql(") AS b");
            Ok(())
        }
    }

    /// The newest `per_key` appeals with an id above `after` of each band key: an index range
    /// scan per key, one round trip.
    pub struct BandKeyLookup<'a> {
        pub band_keys: &'a [i64],
        pub after: i64,
        pub per_key: i64,
    }

    impl QueryFragment<Pg> for BandKeyLookup<'_> {
        fn walk_ast<'b>(&'b self, mut out: AstPass<'_, 'b, Pg>) -> QueryResult<()> {
            out.push_sql("SELECT b.appeal_id FROM unnest(");
            out.push_bind_param::<Array<BigInt>, _>(self.band_keys)?;
            out.push_sql(
                "::bigint[]) AS k(band_key) CROSS JOIN LATERAL (SELECT appeal_id \
                 FROM appeal_dedup_bands WHERE band_key = k.band_key AND appeal_id > ",
            );
            out.push_bind_param::<BigInt, _>(&self.after)?;
            out.push_sql(" ORDER BY appeal_id DESC LIMIT ");
            out.push_bind_param::<BigInt, _>(&self.per_key)?;
            out.push_sql(") AS b");
            Ok(())
        }
    }
}
