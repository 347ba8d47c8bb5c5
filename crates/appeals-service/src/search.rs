//! Full-text search of appeals (issue 25): `GET /api/v1/appeals/search?q=`. Words of the text,
//! short content, tags and applicants' names in Russian or Kazakh, ranked, with a highlighted
//! snippet; or an applicant's IIN/BIN through its keyed hash. The guard's scope applies: only the
//! subjects the caller may list are searched, so another subject's card never appears.

use appeals_db::{DbConn, repo, write_tx};
use appeals_domain::search::{self, Query, Snippet};

use crate::access;
use crate::actions::CardView;
use crate::cards::search_index;
use crate::ctx::Ctx;
use crate::error::AppResult;

/// A search: the query and the page of the ranking.
#[derive(Debug, Clone)]
pub struct SearchAppeals {
    pub q: String,
    /// How many of the best hits to skip.
    pub offset: i64,
    /// How many to return (one more is asked for by the caller to know whether a next page exists).
    pub limit: i64,
}

/// A card found, with the piece of its text that matched.
pub struct SearchHit {
    pub card: CardView,
    pub snippet: Snippet,
}

/// Runs a search within the caller's scope.
pub fn appeals(conn: &mut DbConn, ctx: &Ctx, s: SearchAppeals) -> AppResult<Vec<SearchHit>> {
    let query = Query::parse(&s.q)?;
    let visible = access::visible_subjects(conn, &ctx.grant)?;
    let ids = match &query {
        Query::Words(groups) => {
            repo::search::matching(conn, groups, visible.as_deref(), s.offset, s.limit)?
        }
        Query::IinBin(iin_bin) => repo::search::with_key(
            conn,
            &search::iin_key(search_index::key(), iin_bin),
            visible.as_deref(),
            s.offset,
            s.limit,
        )?,
    };
    let rows = repo::search::rows_in_order(conn, &ids)?;
    let stems = query.stems();
    Ok(CardView::load_page(conn, rows)?
        .into_iter()
        .map(|card| SearchHit {
            snippet: search::snippet(&card.row.text, &stems),
            card,
        })
        .collect())
}

/// Name of the `settings` row saying the index must be built from the stored cards (set by the
/// migration that introduced it when cards existed).
pub const INDEX_STATE: &str = "search_index_state";

/// How many cards a rebuild reads at a time.
const REBUILD_BATCH: i64 = 1_000;

/// Rebuilds the whole index from the stored cards in one transaction; returns how many cards.
pub fn rebuild(conn: &mut DbConn) -> AppResult<u64> {
    write_tx(conn, |conn| {
        repo::search::clear(conn)?;
        let (mut after, mut indexed) = (0i64, 0u64);
        loop {
            let rows = repo::appeals::page_after(conn, after, REBUILD_BATCH)?;
            let Some(last) = rows.last().map(|r| r.id) else {
                break;
            };
            let ids: Vec<i64> = rows.iter().map(|r| r.id).collect();
            let applicants = repo::appeals::applicants_of(conn, &ids)?;
            for row in &rows {
                let own: Vec<_> = applicants
                    .iter()
                    .filter(|a| a.appeal_id == row.id)
                    .cloned()
                    .collect();
                search_index::index(conn, row, &own, true)?;
                indexed += 1;
            }
            after = last;
        }
        repo::configuration::put_setting(conn, INDEX_STATE, "current")?;
        Ok(indexed)
    })
}

/// Builds the index when the migration that introduced it found cards already there.
pub fn rebuild_if_needed(conn: &mut DbConn) -> AppResult<Option<u64>> {
    match repo::configuration::setting(conn, INDEX_STATE)?.as_deref() {
        Some("rebuild") => rebuild(conn).map(Some),
        _ => Ok(None),
    }
}
