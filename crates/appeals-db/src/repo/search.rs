//! The search index of appeals (issue 25): the FTS table `appeal_search` — a `simple` tsvector
//! with a GIN index on PostgreSQL, an FTS5 table on SQLite, its rowid the appeal's id — and the
//! applicants' keyed IIN/BIN hashes. The terms come from `appeals_domain::search`; both backends
//! match the same terms, so they find the same cards.

use diesel::connection::SimpleConnection;
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Text};

use crate::conn::{Backend, DbConn};
use crate::error::DbError;
use crate::rows::AppealRow;
use crate::schema::{appeal_search_keys as keys, appeals};

/// Removes the terms a card is found by (before they are written again).
pub fn delete_terms(conn: &mut DbConn, appeal_id: i64) -> Result<(), DbError> {
    let sql = match conn.backend() {
        Backend::Postgres => "DELETE FROM appeal_search WHERE appeal_id = $1",
        Backend::Sqlite => "DELETE FROM appeal_search WHERE rowid = ?",
    };
    diesel::sql_query(sql)
        .bind::<BigInt, _>(appeal_id)
        .execute(conn)?;
    Ok(())
}

/// Writes the terms a card is found by (it has none: new, or deleted just before).
pub fn insert_terms(
    conn: &mut DbConn,
    appeal_id: i64,
    subject_id: i64,
    terms: &str,
) -> Result<(), DbError> {
    let sql = match conn.backend() {
        Backend::Postgres => {
            "INSERT INTO appeal_search (appeal_id, subject_id, terms)
             VALUES ($1, $2, to_tsvector('simple', $3))"
        }
        Backend::Sqlite => "INSERT INTO appeal_search (rowid, subject_id, terms) VALUES (?, ?, ?)",
    };
    diesel::sql_query(sql)
        .bind::<BigInt, _>(appeal_id)
        .bind::<BigInt, _>(subject_id)
        .bind::<Text, _>(terms)
        .execute(conn)?;
    Ok(())
}

/// Removes the keyed IIN/BIN hashes of a card's applicants.
pub fn delete_keys(conn: &mut DbConn, appeal_id: i64) -> Result<(), DbError> {
    diesel::delete(keys::table.filter(keys::appeal_id.eq(appeal_id))).execute(conn)?;
    Ok(())
}

/// Writes the keyed IIN/BIN hashes of a card's applicants.
pub fn insert_keys(conn: &mut DbConn, appeal_id: i64, hashes: &[String]) -> Result<(), DbError> {
    let rows: Vec<_> = hashes
        .iter()
        .map(|h| (keys::key_hash.eq(h), keys::appeal_id.eq(appeal_id)))
        .collect();
    if !rows.is_empty() {
        crate::per_backend!(conn, |c| diesel::insert_into(keys::table)
            .values(&rows)
            .on_conflict_do_nothing()
            .execute(c))?;
    }
    Ok(())
}

/// Empties the index (before a rebuild).
pub fn clear(conn: &mut DbConn) -> Result<(), DbError> {
    diesel::sql_query("DELETE FROM appeal_search").execute(conn)?;
    diesel::delete(keys::table).execute(conn)?;
    Ok(())
}

/// Where the matching cards may lie: `None` for every subject.
fn subject_clause(column: &str, subjects: Option<&[i64]>) -> String {
    match subjects {
        None => String::new(),
        Some(ids) => {
            // Integers only: formatting them cannot inject anything.
            let list: Vec<String> = ids.iter().map(i64::to_string).collect();
            format!(" AND {column} IN ({})", list.join(","))
        }
    }
}

/// `(a OR b) AND (c)` in a backend's query syntax: every group must match, by any of its terms,
/// each term quoted (a quote inside doubled).
fn match_expression(groups: &[Vec<String>], quote: char, or: &str, and: &str) -> String {
    let doubled = format!("{quote}{quote}");
    groups
        .iter()
        .map(|g| {
            let any: Vec<String> = g
                .iter()
                .map(|t| format!("{quote}{}{quote}", t.replace(quote, &doubled)))
                .collect();
            format!("({})", any.join(or))
        })
        .collect::<Vec<_>>()
        .join(and)
}

/// How many of the newest matching cards a search ranks: the words of appeals recur (a street, a
/// surname, «отопление»), and ranking every match read every match's terms — 2.5 s for two words
/// at 1,000,000 realistic cards (docs/performance.md, "Search at scale"). Older cards are found by
/// a narrower query or by the list's filters.
pub const RANKED: i64 = 1_000;

/// The newest ids a search may look among first: the smallest of these holding [`RANKED`] cards of
/// the searched subjects (a district's share of the newest 10,000 ids is ≈ 50 cards at 200
/// subjects). While a window holds fewer than [`RANKED`] matches it is widened by what it held
/// ([`wider_floor`]), to all time at last. A common word's newest matches lie in the first window,
/// and only the window's matches are read (on PostgreSQL the index reads only the window's keys,
/// [`window_keys`]); a rare one is looked for everywhere, and has few matches anywhere.
pub const WINDOWS: [i64; 4] = [10_000, 100_000, 1_000_000, 4_000_000];

/// The smallest window of the PostgreSQL search index, in ids: the default windows' floors are
/// rounded down to a multiple of it, so that a window is whole buckets ([`window_keys`]).
pub const BUCKET: i64 = 10_000;

/// The largest bucket of the PostgreSQL search index's window keys (level 6), in ids.
const LARGEST_BUCKET: i64 = 1_000_000;

/// A window key of the PostgreSQL search index (migration `000300`, SQL function
/// `appeal_search_windows`): `owner × 10^10 + level × 10^9 + bucket`, the owner a subject (0: the
/// nation), the level the bucket's size as a power of ten (9: all time).
fn window_key(owner: i64, level: u32, bucket: i64) -> i64 {
    owner * 10_000_000_000 + i64::from(level) * 1_000_000_000 + bucket
}

/// The window keys a card is indexed under: what `appeal_search_windows(subject_id, appeal_id)`
/// computes in the database (a test holds them equal).
#[must_use]
pub fn row_window_keys(subject_id: i64, appeal_id: i64) -> [i64; 7] {
    let at = |owner, level| window_key(owner, level, appeal_id / 10_i64.pow(level));
    [
        at(0, 4),
        at(0, 5),
        at(0, 6),
        at(subject_id, 4),
        at(subject_id, 5),
        at(subject_id, 6),
        window_key(subject_id, 9, 0),
    ]
}

/// The keys that select the cards of `subjects` (none: every subject) with an id from `floor`
/// (none: any) up to `newest`: buckets of 10,000 ids up to a multiple of 100,000, of 100,000 up to
/// a million, then of a million — at most 9 + 9 + one a million ids per subject; a subject's
/// all-time key without a floor. `None`: no key narrows the search (every subject, no floor). More
/// subjects than `MAX_MERGED_PARTS` are looked for among the nation's keys (and filtered).
#[must_use]
pub fn window_keys(subjects: Option<&[i64]>, floor: Option<i64>, newest: i64) -> Option<Vec<i64>> {
    let owners: Vec<i64> = match subjects {
        Some(s) if s.len() <= crate::union::MAX_MERGED_PARTS => s.to_vec(),
        _ => vec![0],
    };
    match floor {
        Some(floor) => Some(
            owners
                .iter()
                .flat_map(|owner| cover(*owner, floor, newest))
                .collect(),
        ),
        None if owners != [0] => Some(owners.iter().map(|o| window_key(*o, 9, 0)).collect()),
        None => None,
    }
}

/// An owner's bucket keys from the bucket holding `floor` up to the one holding `newest`.
fn cover(owner: i64, floor: i64, newest: i64) -> Vec<i64> {
    let mut keys = Vec::new();
    let mut at = floor - floor.rem_euclid(BUCKET);
    for level in [4, 5] {
        let size = 10_i64.pow(level);
        while at % (size * 10) != 0 && at <= newest {
            keys.push(window_key(owner, level, at / size));
            at += size;
        }
    }
    while at <= newest {
        keys.push(window_key(owner, 6, at / LARGEST_BUCKET));
        at += LARGEST_BUCKET;
    }
    keys
}

/// How far a search ranks and where it looks first ([`RANKED`], [`WINDOWS`], [`BUCKET`]; tests use
/// small ones).
#[derive(Debug, Clone, Copy)]
pub struct Ranking<'a> {
    pub ranked: i64,
    pub windows: &'a [i64],
    /// Each window's lowest id is rounded down to a multiple of this.
    pub bucket: i64,
}

impl Ranking<'static> {
    pub const DEFAULT: Ranking<'static> = Ranking {
        ranked: RANKED,
        windows: &WINDOWS,
        bucket: BUCKET,
    };
}

#[derive(QueryableByName)]
struct RankedHit {
    #[diesel(sql_type = BigInt)]
    appeal_id: i64,
    /// How many matches the window holds, up to [`RANKED`].
    #[diesel(sql_type = BigInt)]
    matched: i64,
}

/// Ids of the cards whose terms match every group of `groups` (a group by any of its terms), best
/// ranked first (ties: newest first) among the [`RANKED`] newest matches, within `subjects`;
/// `offset`/`limit` page the ranking.
pub fn matching(
    conn: &mut DbConn,
    groups: &[Vec<String>],
    subjects: Option<&[i64]>,
    offset: i64,
    limit: i64,
) -> Result<Vec<i64>, DbError> {
    matching_ranked(conn, groups, subjects, offset, limit, Ranking::DEFAULT)
}

/// [`matching`] with the given bounds: the same ids whatever the windows (each step ranks the
/// `ranked` newest matches, and a window stops the search only when it holds that many).
pub fn matching_ranked(
    conn: &mut DbConn,
    groups: &[Vec<String>],
    subjects: Option<&[i64]>,
    offset: i64,
    limit: i64,
    ranking: Ranking<'_>,
) -> Result<Vec<i64>, DbError> {
    if subjects.is_some_and(<[i64]>::is_empty) {
        return Ok(Vec::new());
    }
    let newest: Option<i64> = appeals::table
        .select(diesel::dsl::max(appeals::id))
        .first(conn)?;
    let newest = newest.unwrap_or(0);
    let bucket = ranking.bucket.max(1);
    let floors = ranking
        .windows
        .iter()
        .map(|w| (newest - w + 1).div_euclid(bucket) * bucket)
        .filter(|floor| *floor > 0);
    // The first window holding enough of the scope's cards; each wider one is sized by the
    // matches of the one before. A window above the scope's `ranked`-th newest card holds fewer
    // than `ranked` of its cards, hence fewer matches: it is not read (a district's share of the
    // newest 10,000 ids is ≈ 50 cards).
    let mut floor = match subjects.filter(|s| s.len() <= crate::union::MAX_MERGED_PARTS) {
        Some(scope) => {
            let kth = kth_newest_of(conn, scope, ranking.ranked)?;
            floors
                .into_iter()
                .find(|floor| kth.is_some_and(|kth| *floor <= kth))
        }
        None => floors.into_iter().next(),
    };
    loop {
        let hits = ranked_in_window(
            conn,
            groups,
            subjects,
            (floor, newest),
            ranking.ranked,
            offset,
            limit,
        )?;
        let matched = hits.first().map_or(0, |h| h.matched);
        match floor {
            Some(f) if matched < ranking.ranked => {
                floor = wider_floor(f, newest, matched, ranking.ranked, bucket);
            }
            _ => return Ok(hits.into_iter().map(|h| h.appeal_id).collect()),
        }
    }
}

/// The floor of the window to read next when the one from `floor` to `newest` held only `matched`
/// (< `ranked`) matches: wide enough to hold `ranked` of them and a quarter more, were they spread
/// as evenly as in the window read (none: all time; at least a bucket lower). Matches are read
/// from the window's newest down, so the read is about the answer's size whatever the table's:
/// fixed steps of ten read up to ten times the answer (a region's two words at 3M: ≈ 3,000
/// matches, one heap page each, for 1,000). The floor is rounded down to the largest of the
/// index's bucket sizes that is at most a tenth of the window: a window is then a few whole
/// large buckets, and each key costs the GIN scan (a region's window of 1.46M ids from 10,000s:
/// 12 keys per subject, 32 ms; from 100,000s: 6).
#[must_use]
pub fn wider_floor(floor: i64, newest: i64, matched: i64, ranked: i64, bucket: i64) -> Option<i64> {
    if matched <= 0 {
        // Not one in the window: rare enough to be read everywhere.
        return None;
    }
    let width = (newest - floor + 1).max(1);
    let wanted = width.saturating_mul(ranked.saturating_mul(5)) / matched.saturating_mul(4);
    let mut step = bucket.max(1);
    while step < LARGEST_BUCKET && step * 10 <= wanted / 10 {
        step *= 10;
    }
    let next = (newest - wanted + 1).div_euclid(step) * step;
    Some(next.min(floor - bucket)).filter(|f| *f > 0)
}

/// The id of the `k`-th newest card of `subjects` (none: they hold fewer): each subject's `k`
/// newest by the `(subject_id, id)` index, merged.
fn kth_newest_of(conn: &mut DbConn, subjects: &[i64], k: i64) -> Result<Option<i64>, DbError> {
    Ok(crate::per_backend!(conn, |c| {
        let parts: Vec<_> = subjects
            .iter()
            .map(|s| {
                appeals::table
                    .filter(appeals::subject_id.eq(*s))
                    .select(appeals::id)
                    .order(appeals::id.desc())
            })
            .collect();
        crate::union::NthNewest::new(parts, k)
            .get_result::<i64>(c)
            .optional()
    })?)
}

/// One step of [`matching`]: the ranking among the `ranked` newest matches with an id from
/// `floor` up (none: all).
fn ranked_in_window(
    conn: &mut DbConn,
    groups: &[Vec<String>],
    subjects: Option<&[i64]>,
    (floor, newest): (Option<i64>, i64),
    ranked: i64,
    offset: i64,
    limit: i64,
) -> Result<Vec<RankedHit>, DbError> {
    // Terms are stems of letters and digits (appeals_domain::search); quoting keeps any other
    // character literal all the same. Ids, keys and the floor are integers: formatting them cannot
    // inject anything.
    Ok(match conn {
        DbConn::Pg(c) => {
            let tsquery = match_expression(groups, '\'', " | ", " & ");
            // The window and the subjects twice: as the index's window keys, so that the index
            // reads only their entries, and exactly (a floor need not be a whole bucket), written
            // `+ 0` so that the planner does not also read the primary key's range.
            let keys = window_keys(subjects, floor, newest).map_or(String::new(), |keys| {
                let list: Vec<String> = keys.iter().map(i64::to_string).collect();
                format!(
                    " AND appeal_search_windows(subject_id, appeal_id) && '{{{}}}'::bigint[]",
                    list.join(",")
                )
            });
            let window = floor.map_or(String::new(), |f| format!(" AND appeal_id + 0 >= {f}"));
            c.transaction(|c| {
                // Without `enable_indexscan` the planner reads the window by the primary key and
                // checks each row's terms (500 ms for 100,000 rows at 1M cards); the index's
                // bitmap reads only the window's matches. JIT compiles a costly-looking search
                // plan for 15–25 ms, longer than the search itself.
                c.batch_execute("SET LOCAL enable_indexscan = off; SET LOCAL jit = off")?;
                diesel::sql_query(format!(
                    "SELECT appeal_id, matched FROM (
                         SELECT appeal_id, terms, count(*) OVER () AS matched FROM (
                             SELECT appeal_id, terms FROM appeal_search
                             WHERE terms @@ to_tsquery('simple', $1){keys}{window}{}
                             ORDER BY appeal_id DESC LIMIT {ranked}) newest) counted,
                       to_tsquery('simple', $1) AS q
                     ORDER BY ts_rank(terms, q) DESC, appeal_id DESC
                     OFFSET $2 LIMIT $3",
                    subject_clause("subject_id + 0", subjects),
                ))
                .bind::<Text, _>(&tsquery)
                .bind::<BigInt, _>(offset)
                .bind::<BigInt, _>(limit)
                .load(c)
            })?
        }
        DbConn::Sqlite(c) => {
            let expr = match_expression(groups, '"', " OR ", " AND ");
            diesel::sql_query(format!(
                "SELECT appeal_id, matched FROM (
                     SELECT appeal_id, score, count(*) OVER () AS matched FROM (
                         SELECT rowid AS appeal_id, bm25(appeal_search) AS score FROM appeal_search
                         WHERE appeal_search MATCH ?{}{}
                         ORDER BY rowid DESC LIMIT {ranked}))
                 ORDER BY score, appeal_id DESC
                 LIMIT ? OFFSET ?",
                floor.map_or(String::new(), |f| format!(" AND rowid >= {f}")),
                subject_clause("subject_id", subjects)
            ))
            .bind::<Text, _>(expr)
            .bind::<BigInt, _>(limit)
            .bind::<BigInt, _>(offset)
            .load(c)?
        }
    })
}

/// Ids of the cards with an applicant whose keyed IIN/BIN hash is `hash`, newest first, within
/// `subjects`.
pub fn with_key(
    conn: &mut DbConn,
    hash: &str,
    subjects: Option<&[i64]>,
    offset: i64,
    limit: i64,
) -> Result<Vec<i64>, DbError> {
    let mut q = keys::table
        .inner_join(appeals::table.on(appeals::id.eq(keys::appeal_id)))
        .filter(keys::key_hash.eq(hash))
        .select(keys::appeal_id)
        .order(keys::appeal_id.desc())
        .offset(offset)
        .limit(limit)
        .into_boxed();
    if let Some(ids) = subjects {
        q = q.filter(appeals::subject_id.eq_any(ids.to_vec()));
    }
    Ok(q.load(conn)?)
}

/// The rows of `ids`, in the order given (ids that do not exist are left out).
pub fn rows_in_order(conn: &mut DbConn, ids: &[i64]) -> Result<Vec<AppealRow>, DbError> {
    let mut rows: Vec<AppealRow> = appeals::table
        .filter(appeals::id.eq_any(ids.to_vec()))
        .select(AppealRow::as_select())
        .load(conn)?;
    rows.sort_by_key(|r| ids.iter().position(|id| *id == r.id));
    Ok(rows)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Whether a card is selected by `keys` (None: by none, i.e. everything).
    fn selected(keys: Option<&Vec<i64>>, subject: i64, id: i64) -> bool {
        keys.is_none_or(|keys| {
            row_window_keys(subject, id)
                .iter()
                .any(|k| keys.contains(k))
        })
    }

    /// A window short of matches is widened to hold the ranked number and a quarter more at the
    /// density it showed, whole buckets, at least one bucket wider; none found, or a window beyond
    /// the first id: all time.
    #[test]
    fn a_short_window_is_widened_by_what_it_held() {
        let newest = 3_000_000;
        // 100 matches in the newest 100,000 ids: 1,250 expected in the newest 1,250,000, from a
        // whole 100,000 (a tenth of the window).
        assert_eq!(
            wider_floor(2_900_001, newest, 100, 1_000, BUCKET),
            Some(1_700_000)
        );
        // 990 of 1,000: a little wider, never the same window.
        let f = wider_floor(2_000_001, newest, 990, 1_000, BUCKET).expect("a floor");
        assert!(
            (1_700_000..2_000_001).contains(&f) && f % 100_000 == 0,
            "{f}"
        );
        // A window of ten million ids: whole millions.
        assert_eq!(
            wider_floor(29_900_001, 30_000_000, 10, 1_000, BUCKET),
            Some(17_000_000)
        );
        assert_eq!(
            wider_floor(2_990_000, newest, 999, 1_000, BUCKET),
            Some(2_980_000)
        );
        // Too few to reach 1,000 before the first id, or none at all: every card.
        assert_eq!(wider_floor(2_990_001, newest, 3, 1_000, BUCKET), None);
        assert_eq!(wider_floor(2_990_001, newest, 0, 1_000, BUCKET), None);
        // The tests' small windows: bucket 1.
        assert_eq!(wider_floor(9, 10, 1, 3, 1), Some(4));
        assert_eq!(wider_floor(9, 10, 2, 3, 1), Some(8));
        assert_eq!(wider_floor(2, 10, 1, 3, 1), None);
    }

    /// The keys of a window select exactly the cards from its floor up (of its subjects), at any
    /// floor and whatever the bucket boundaries: the exact conditions only trim a bucket's start.
    #[test]
    fn window_keys_select_the_window_and_nothing_older() {
        let newest = 12_345_678;
        let probes = |floor: i64| {
            let aligned = floor - floor.rem_euclid(BUCKET);
            [
                1,
                aligned - 1,
                aligned,
                floor,
                floor + 99_999,
                floor + 1_000_000,
                newest - 1,
                newest,
            ]
        };
        for floor in [10_000, 990_000, 1_230_000, 1_234_567, 8_345_679, 12_340_000] {
            let nation = window_keys(None, Some(floor), newest);
            let own = window_keys(Some(&[7, 9]), Some(floor), newest);
            for id in probes(floor)
                .into_iter()
                .filter(|id| (1..=newest).contains(id))
            {
                let inside = id >= floor - floor.rem_euclid(BUCKET);
                assert_eq!(selected(nation.as_ref(), 3, id), inside, "{floor} {id}");
                assert_eq!(selected(own.as_ref(), 7, id), inside, "{floor} {id}");
                assert_eq!(selected(own.as_ref(), 9, id), inside, "{floor} {id}");
                assert!(
                    !selected(own.as_ref(), 8, id),
                    "another subject: {floor} {id}"
                );
            }
            // A window of at most four million ids: ≤ 9 + 9 + 5 keys per owner.
            if newest - floor <= 4_000_000 {
                assert!(own.as_ref().is_some_and(|k| k.len() <= 2 * 23), "{floor}");
            }
        }
        // Without a floor: a subject's every card, the nation's without any key.
        let all = window_keys(Some(&[7]), None, newest);
        assert!(selected(all.as_ref(), 7, 1) && selected(all.as_ref(), 7, newest));
        assert!(!selected(all.as_ref(), 8, newest));
        assert_eq!(window_keys(None, None, newest), None);
        // Beyond 64 subjects the nation's keys serve (the subjects are a filter).
        let many: Vec<i64> = (1..=65).collect();
        assert_eq!(
            window_keys(Some(&many), Some(990_000), newest),
            window_keys(None, Some(990_000), newest)
        );
    }
}
