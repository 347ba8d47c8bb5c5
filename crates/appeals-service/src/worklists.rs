//! Work lists (issue 25): due today, due within N working days, overdue, awaiting assignment,
//! awaiting approval, awaiting the signature, deemed refusals, p.15 transfers due — for the
//! current user's own cards, their subject, or their subtree as the guard allows. Each is one
//! indexed query (`repo::appeals::worklist`); the counts of all are one query each.

use appeals_db::repo::appeals::{WorkListFilter, WorkListQuery};
use appeals_db::{DbConn, repo};
use appeals_domain::worklist::{self, WorkList};
use chrono::NaiveDate;

use crate::access;
use crate::actions::CardView;
use crate::ctx::Ctx;
use crate::error::AppResult;

/// Whose cards a work list shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum WorkScope {
    /// The cards routed to the current user (an executor's own work), of their subject.
    Mine,
    /// The cards held by the current user's subject.
    #[default]
    Subject,
    /// Every subject the guard lets the user list: the subtree, or all for the authorized body.
    Subtree,
}

/// One page of a work list.
#[derive(Debug, Clone)]
pub struct WorkListPage {
    pub list: WorkList,
    pub scope: WorkScope,
    /// `due_soon`: how many working days ahead.
    pub within: u32,
    /// Continue after this (date, id).
    pub after: Option<(NaiveDate, i64)>,
    pub limit: i64,
}

/// The cards of one page, earliest date first.
pub fn page(conn: &mut DbConn, ctx: &Ctx, p: WorkListPage) -> AppResult<Vec<CardView>> {
    let f = page_filter(conn, ctx, &p)?;
    let rows = repo::appeals::worklist(conn, &f)?;
    CardView::load_page(conn, rows)
}

/// The same page in the summary view: one statement, no texts or З-1 rows.
pub fn page_summaries(
    conn: &mut DbConn,
    ctx: &Ctx,
    p: WorkListPage,
) -> AppResult<Vec<crate::cards::read::CardSummary>> {
    let f = page_filter(conn, ctx, &p)?;
    crate::cards::read::summaries_of(repo::appeals::worklist_summaries(conn, &f)?)
}

fn page_filter(conn: &mut DbConn, ctx: &Ctx, p: &WorkListPage) -> AppResult<WorkListFilter> {
    let window = window(ctx, p.within)?;
    let mut f = filter(conn, ctx, p.scope)?;
    f.list = query(p.list, &window);
    f.after = p.after;
    f.limit = p.limit;
    Ok(f)
}

/// Counts stop here: a screen shows "1,000+" (a badge needs no more), and a count reads at most
/// 1,001 index entries per list — ten lists of a subject at 10,000,000 cards read 10,001 each in
/// ≈ 50 ms, 17/s per core (docs/performance.md, "Lists at 10,000,000 cards").
pub const COUNT_CAP: i64 = 1_000;

/// How many cards a work list holds; `capped` when there are more than [`COUNT_CAP`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ListCount {
    pub list: WorkList,
    pub count: i64,
    pub capped: bool,
}

/// How many cards each work list holds for the scope.
pub fn counts(
    conn: &mut DbConn,
    ctx: &Ctx,
    scope: WorkScope,
    within: u32,
) -> AppResult<Vec<ListCount>> {
    let window = window(ctx, within)?;
    let f = filter(conn, ctx, scope)?;
    let lists: Vec<WorkListFilter> = WorkList::ALL
        .into_iter()
        .map(|list| WorkListFilter {
            list: query(list, &window),
            ..f.clone()
        })
        .collect();
    let counted = repo::appeals::worklist_counts(conn, &lists, COUNT_CAP)?;
    Ok(WorkList::ALL
        .into_iter()
        .zip(counted)
        .map(|(list, n)| ListCount {
            list,
            count: n.min(COUNT_CAP),
            capped: n > COUNT_CAP,
        })
        .collect())
}

/// The dates the lists ask about, as of the server's today (`within` checked here, before
/// anything is read).
fn window(ctx: &Ctx, within: u32) -> AppResult<worklist::Window> {
    let today = ctx.rules.local_date(ctx.now);
    Ok(worklist::window(&ctx.rules.calendar, today, within)?)
}

/// The scope part of a work list's filter (the list itself is set by the caller).
fn filter(conn: &mut DbConn, ctx: &Ctx, scope: WorkScope) -> AppResult<WorkListFilter> {
    let own = ctx.grant.subject_id;
    let (subjects, executor_user_id) = match scope {
        WorkScope::Mine => (Some(vec![own]), Some(ctx.grant.user_id)),
        WorkScope::Subject => (Some(vec![own]), None),
        WorkScope::Subtree => (access::visible_subjects(conn, &ctx.grant)?, None),
    };
    Ok(WorkListFilter {
        list: WorkListQuery::AwaitingAssignment,
        subjects,
        executor_user_id,
        after: None,
        limit: 0,
    })
}

/// The database's condition of `list` for the dates of `w`.
fn query(list: WorkList, w: &worklist::Window) -> WorkListQuery {
    match list {
        WorkList::DueToday => WorkListQuery::DueOn(w.today),
        WorkList::DueSoon => WorkListQuery::DueBetween(w.today, w.soon_until),
        WorkList::Overdue => WorkListQuery::DueBefore(w.today),
        WorkList::AwaitingAssignment => WorkListQuery::AwaitingAssignment,
        WorkList::AwaitingAcceptance => {
            WorkListQuery::Pending(&[crate::cards::parts::AWAITING_ACCEPTANCE])
        }
        WorkList::AwaitingApproval => {
            WorkListQuery::Pending(&["forwarding_requested", "extension_requested"])
        }
        WorkList::AwaitingSignature => {
            WorkListQuery::Pending(&["forwarding_approved", "extension_approved"])
        }
        WorkList::DeemedRefusal => WorkListQuery::DeemedRefusalOn(w.today),
        WorkList::TransfersDue => WorkListQuery::TransfersDue,
        WorkList::AnonymousRedirect => {
            WorkListQuery::Pending(&[crate::cards::parts::AWAITING_REDIRECT])
        }
    }
}
