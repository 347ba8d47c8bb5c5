//! The domain configuration a process applies: calendar, deadline settings, dictionaries, the
//! registration-number format and the duplicate-check settings; the [OBS]/[INF] choices live here
//! as data, loaded from the database (R11, R27, R32, R33). How a server process keeps its snapshot
//! current is the api crate's (`rules::keep_rules_current`).

use std::collections::BTreeMap;
use std::sync::Arc;

use appeals_db::{DbConn, repo};
use appeals_domain::calendar::{Calendar, Override};
use appeals_domain::cards::AddressReconciliationPolicy;
use appeals_domain::conventions::Conventions;
use appeals_domain::deadline::DeadlineSettings;
use appeals_domain::dedup::DedupSettings;
use appeals_domain::dictionary::{Dictionary, DictionaryName, default_dictionaries};
use appeals_domain::events::{CardAction, CardEvent};
use appeals_domain::hierarchy::HierarchyPolicy;
use appeals_domain::lifecycle::ForwardedTermPolicy;
use appeals_domain::regnum::{LetterIndexTable, NumberingMode, RegNumberFormat};

use crate::error::{AppError, AppResult};

/// Everything a rule needs besides the card itself.
#[derive(Clone)]
pub struct Rules {
    pub calendar: Arc<Calendar>,
    pub deadlines: DeadlineSettings,
    pub dictionaries: BTreeMap<DictionaryName, Dictionary>,
    pub letter_index: LetterIndexTable,
    pub number_format: RegNumberFormat,
    /// R35 [INF]: where a forwarded appeal's (or part's) review term starts at the receiver.
    pub forwarded_term_policy: ForwardedTermPolicy,
    /// Issue 21: hierarchical routing, anonymity reading, call centre, signing authority.
    pub hierarchy: HierarchyPolicy,
    /// The `config_versions.rules` value these rules were loaded at; `None` for the built-in
    /// defaults (before the first load from the database).
    pub config_version: Option<i64>,
    /// Thresholds of the duplicate check (p.13, R14; defaults tuned on tests/data/dedup_eval.jsonl).
    pub dedup: DedupSettings,
    /// R3: how the through number is allocated (the database's `registration_numbering`).
    pub numbering: NumberingMode,
    /// R21 [INF]: whether an unreconciled address difference holds up the first decision.
    pub address_reconciliation: AddressReconciliationPolicy,
    /// The stored version of the deadline and numbering conventions `deadlines`, `letter_index`,
    /// `number_format` and `forwarded_term_policy` come from (0: the built-in defaults).
    pub conventions_version: i64,
}

/// Name of the `settings` row holding the R21 policy (`AddressReconciliationPolicy::code`);
/// absent → the built-in default.
pub const ADDRESS_RECONCILIATION_SETTING: &str = "address_reconciliation";

/// R21: stores the address-reconciliation policy, with its admin event and a configuration-version
/// bump (running servers pick it up when they reload).
pub fn set_address_reconciliation(
    conn: &mut DbConn,
    policy: AddressReconciliationPolicy,
) -> AppResult<()> {
    Ok(repo::configuration::change_setting(
        conn,
        ADDRESS_RECONCILIATION_SETTING,
        policy.code(),
        "address_reconciliation_set",
    )?)
}

impl Rules {
    /// The defaults DOMAIN.md gives for every configurable choice.
    pub fn defaults() -> Self {
        Self {
            calendar: Arc::new(Calendar::kazakhstan_default()),
            deadlines: DeadlineSettings::default(),
            dictionaries: default_dictionaries()
                .into_iter()
                .map(|d| (d.name, d))
                .collect(),
            letter_index: LetterIndexTable::default(),
            number_format: RegNumberFormat::default(),
            forwarded_term_policy: ForwardedTermPolicy::default(),
            hierarchy: HierarchyPolicy::default(),
            address_reconciliation: AddressReconciliationPolicy::default(),
            config_version: None,
            dedup: DedupSettings::default(),
            numbering: NumberingMode::default(),
            conventions_version: 0,
        }
    }

    /// The conventions these rules apply.
    pub fn conventions(&self) -> Conventions {
        Conventions {
            deadlines: self.deadlines.clone(),
            letter_index: self.letter_index.clone(),
            number_format: self.number_format.clone(),
            forwarded_term_policy: self.forwarded_term_policy,
            hierarchy: self.hierarchy.clone(),
        }
    }

    /// These rules with `conventions` (stored as `version`) in force.
    pub fn with_conventions(self, conventions: Conventions, version: i64) -> Self {
        Self {
            deadlines: conventions.deadlines,
            letter_index: conventions.letter_index,
            number_format: conventions.number_format,
            forwarded_term_policy: conventions.forwarded_term_policy,
            hierarchy: conventions.hierarchy,
            conventions_version: version,
            ..self
        }
    }

    /// Builds the rules from the database as of its current configuration version: dictionaries
    /// from `dictionary_entries`, the calendar = the built-in one with the stored year overrides
    /// applied in ascending year order (so every process derives the same calendar version).
    /// The version is read first: a change committed meanwhile is at worst loaded twice.
    pub fn load(conn: &mut DbConn) -> AppResult<Self> {
        let version = repo::configuration::rules_version(conn)?;
        let dictionaries = repo::configuration::load_dictionaries(conn)?;
        let stored = repo::configuration::all_calendar_overrides(conn)?
            .into_iter()
            .map(|row| {
                let overrides: Vec<Override> = crate::cards::parts::parse_json(
                    &row.data,
                    &format!("calendar overrides of {}", row.year),
                )?;
                Ok((row.year, overrides))
            })
            .collect::<AppResult<Vec<_>>>()?;
        let calendar = calendar_with_overrides(stored).map_err(|(year, e)| {
            AppError::corrupt(format!(
                "stored calendar overrides of {year} are invalid: {e}"
            ))
        })?;
        let defaults = Self::defaults();
        let conventions = repo::configuration::latest_conventions(conn)?
            .map(|row| {
                let stored: Conventions = crate::cards::parts::parse_json(
                    &row.data,
                    &format!("conventions version {}", row.version),
                )?;
                Ok::<_, AppError>((stored, row.version))
            })
            .transpose()?;
        let rules = Self {
            calendar: Arc::new(calendar),
            dictionaries: dictionaries.into_iter().map(|d| (d.name, d)).collect(),
            config_version: Some(version),
            numbering: repo::numbering::mode(conn)?,
            dedup: dedup_settings_of(conn, defaults.dedup)?,
            address_reconciliation: match repo::configuration::setting(
                conn,
                ADDRESS_RECONCILIATION_SETTING,
            )? {
                Some(code) => AddressReconciliationPolicy::parse(&code)?,
                None => defaults.address_reconciliation,
            },
            ..defaults
        };
        Ok(match conventions {
            Some((stored, version)) => rules.with_conventions(stored, version),
            None => rules,
        })
    }

    /// The local date of an instant (the calendar's time zone, UTC+5 by default).
    pub fn local_date(&self, t: chrono::DateTime<chrono::Utc>) -> chrono::NaiveDate {
        self.local_time(t).date()
    }

    /// A UTC instant as local time of the configured zone.
    pub fn local_time(&self, t: chrono::DateTime<chrono::Utc>) -> chrono::NaiveDateTime {
        (t + chrono::Duration::minutes(i64::from(self.deadlines.utc_offset_minutes))).naive_utc()
    }

    pub fn dictionary(&self, name: DictionaryName) -> AppResult<&Dictionary> {
        self.dictionaries
            .get(&name)
            .ok_or_else(|| AppError::corrupt(format!("dictionary {name} is not loaded")))
    }

    /// Checks that `code` is an active entry of `name`; the error points at `pointer`.
    pub fn require_code(&self, name: DictionaryName, code: &str, pointer: &str) -> AppResult<()> {
        self.dictionary(name)?
            .require_active(code)
            .map(|_| ())
            .map_err(|_| {
                AppError::field(
                    pointer,
                    format!("`{code}` is not an active code of the `{name}` dictionary"),
                )
            })
    }
}

/// `defaults` with the LSH banding the database's duplicate index was built with (setting
/// `dedup_banding`): band keys computed with another banding would never meet the stored ones;
/// and with the stored `dedup_others_probe_bands`, when set.
/// The database's current configuration version (one primary-key read): a process whose loaded
/// [`Rules`] carry another reloads them.
pub fn stored_version(conn: &mut DbConn) -> AppResult<i64> {
    Ok(repo::configuration::rules_version(conn)?)
}

pub fn dedup_settings_of(conn: &mut DbConn, defaults: DedupSettings) -> AppResult<DedupSettings> {
    let banding = repo::duplicates::banding(conn)?;
    let signature = defaults.signature.with_banding(&banding).map_err(|e| {
        AppError::corrupt(format!(
            "the stored duplicate-index banding `{banding}` is invalid: {e}"
        ))
    })?;
    let others_probe_bands =
        match repo::configuration::setting(conn, repo::duplicates::OTHERS_PROBE_SETTING)? {
            Some(stored) => stored.parse().map_err(|_| {
                AppError::corrupt(format!(
                    "the stored `{}` `{stored}` is not a number of bands",
                    repo::duplicates::OTHERS_PROBE_SETTING
                ))
            })?,
            None => defaults.others_probe_bands,
        };
    let substance_signals =
        match repo::configuration::setting(conn, repo::duplicates::SUBSTANCE_SIGNALS_SETTING)? {
            Some(stored) => match stored.as_str() {
                "on" => true,
                "off" => false,
                _ => {
                    return Err(AppError::corrupt(format!(
                        "the stored `{}` `{stored}` is neither `on` nor `off`",
                        repo::duplicates::SUBSTANCE_SIGNALS_SETTING
                    )));
                }
            },
            None => defaults.substance_signals,
        };
    Ok(DedupSettings {
        signature,
        others_probe_bands,
        substance_signals,
        ..defaults
    })
}

/// The built-in calendar with per-year overrides applied in the given order (R32, R33). On invalid
/// data, the year whose overrides were rejected and the domain error.
pub fn calendar_with_overrides(
    years: Vec<(i32, Vec<Override>)>,
) -> Result<Calendar, (i32, appeals_domain::DomainError)> {
    let mut calendar = Calendar::kazakhstan_default();
    for (year, overrides) in years {
        calendar = calendar
            .replace_year_overrides(year, overrides)
            .map_err(|e| (year, e))?;
    }
    Ok(calendar)
}

/// Records an administrative change of the national configuration in the caller's transaction:
/// its admin event (before/after), a new configuration version, and the rules it leads to (the
/// caller's process installs them after the commit; other processes reload on their next
/// request).
pub fn record_change(
    conn: &mut DbConn,
    ctx: &crate::ctx::Ctx,
    action: &str,
    target: String,
    before: Option<serde_json::Value>,
    after: Option<serde_json::Value>,
) -> AppResult<Rules> {
    repo::configuration::bump_rules_version(conn)?;
    repo::configuration::append_admin_event(
        conn,
        &appeals_db::rows::NewAdminEventRow {
            occurred_at: ctx.stored_now(),
            actor_user_id: Some(ctx.actor().user_id),
            action: action.to_owned(),
            target,
            before: before.map(|v| v.to_string()),
            after: after.map(|v| v.to_string()),
        },
    )?;
    Rules::load(conn)
}

/// The overrides in force for one year of a calendar.
pub fn overrides_of(calendar: &Calendar, year: i32) -> Vec<Override> {
    calendar
        .data()
        .years
        .iter()
        .find(|y| y.year == year)
        .map(|y| y.overrides.clone())
        .unwrap_or_default()
}

/// The rules after a change and the new version of the year's overrides.
pub struct CalendarChanged {
    pub rules: Rules,
    pub overrides_version: i64,
}

/// R32, R33: replaces the overrides of one year (national configuration; the guard admits only
/// the authorized body's admins). Every override must lie in the year, once, with its legal
/// source; one that changes nothing is refused (422 at its index). The calendar gets a new
/// version; deadlines on cards keep theirs until an explicit recalculation.
pub fn replace_overrides(
    conn: &mut DbConn,
    ctx: &crate::ctx::Ctx,
    year: i32,
    stated: Vec<Override>,
) -> AppResult<CalendarChanged> {
    use chrono::Datelike;
    let calendar = &ctx.rules.calendar;
    if year < calendar.first_year() || year > calendar.last_year() {
        return Err(AppError::NotFound(format!(
            "The calendar has no year {year}."
        )));
    }
    let mut issues = Vec::new();
    for (i, o) in stated.iter().enumerate() {
        if o.date.year() != year {
            issues.push(crate::error::FieldIssue::new(
                format!("#/overrides/{i}/date"),
                format!("is not in {year}"),
            ));
        } else if stated[..i].iter().any(|p| p.date == o.date) {
            issues.push(crate::error::FieldIssue::new(
                format!("#/overrides/{i}/date"),
                "is listed twice",
            ));
        }
        if o.source.trim().is_empty() {
            issues.push(crate::error::FieldIssue::new(
                format!("#/overrides/{i}/source"),
                "must not be blank",
            ));
        }
    }
    crate::ctx::fail_if_any(issues)?;
    appeals_db::write_tx(conn, |conn| {
        let before = Rules::load(conn)?;
        let new: Vec<Override> = stated
            .iter()
            .map(|o| Override {
                source: o.source.trim().to_owned(),
                ..o.clone()
            })
            .collect();
        let mut years = Vec::new();
        for row in repo::configuration::all_calendar_overrides(conn)? {
            if row.year != year {
                let stored: Vec<Override> =
                    crate::cards::parts::parse_json(&row.data, "calendar overrides")?;
                years.push((row.year, stored));
            }
        }
        years.push((year, new.clone()));
        years.sort_by_key(|(y, _)| *y);
        let after_calendar =
            calendar_with_overrides(years).map_err(|(_, e)| override_issue(e, &stated))?;
        let previous = repo::configuration::find_calendar_overrides(conn, year)?;
        let version = previous.as_ref().map_or(1, |r| r.version + 1);
        repo::configuration::save_calendar_overrides(
            conn,
            &appeals_db::rows::CalendarOverridesRow {
                year,
                data: crate::cards::parts::to_json(&new)?,
                version,
                updated_at: ctx.stored_now(),
                updated_by: Some(ctx.actor().user_id),
            },
        )?;
        let rules = record_change(
            conn,
            ctx,
            "calendar_overrides_replaced",
            format!("calendar/{year}"),
            Some(serde_json::json!({
                "overrides": overrides_of(&before.calendar, year),
                "calendar_version": before.calendar.version().as_str(),
            })),
            Some(serde_json::json!({
                "overrides": stated,
                "calendar_version": after_calendar.version().as_str(),
                "overrides_version": version,
            })),
        )?;
        Ok(CalendarChanged {
            rules,
            overrides_version: version,
        })
    })
}

/// A calendar refusal of one override, pointed at its index.
fn override_issue(e: appeals_domain::DomainError, stated: &[Override]) -> AppError {
    match e {
        appeals_domain::DomainError::Invalid { field, reason } => {
            let index = field
                .rsplit('/')
                .next()
                .and_then(|d| chrono::NaiveDate::parse_from_str(d, "%Y-%m-%d").ok())
                .and_then(|d| stated.iter().position(|o| o.date == d));
            let pointer = match index {
                Some(i) => format!("#/overrides/{i}"),
                None => "#/overrides".to_owned(),
            };
            AppError::field(pointer, reason)
        }
        other => other.into(),
    }
}

/// Statuses in which the review deadline still runs at the subject.
const OPEN_STATUSES: [&str; 6] = [
    "registered",
    "in_work",
    "awaiting_correction",
    "corrected",
    "forwarded_in_part",
    "extended",
];

/// One card whose review deadline the current calendar moves.
#[derive(Debug, Clone)]
pub struct MovedDeadline {
    pub appeal_id: i64,
    pub registration_number: String,
    pub review_due_before: chrono::NaiveDate,
    pub review_due_after: chrono::NaiveDate,
    pub calendar_version_before: String,
    /// The card's version after the move (before it on a dry run).
    pub version: i64,
}

/// What a recalculation found (and, unless a dry run, did).
#[derive(Debug, Clone)]
pub struct Recalculation {
    pub calendar_version: String,
    pub conventions_version: i64,
    pub dry_run: bool,
    pub checked: u32,
    pub moved_count: u32,
    pub skipped_extended: u32,
    pub moved: Vec<MovedDeadline>,
}

/// An open card whose stored review deadline differs from the one `rules` give, with its parts.
struct Differing {
    row: appeals_db::rows::AppealRow,
    parts: crate::cards::parts::CardParts,
    due: chrono::NaiveDate,
}

/// What a scan of open cards found.
#[derive(Default)]
struct Scan {
    /// Cards computed with other versions than `rules`' (all of them when `stale_only` is off).
    checked: u32,
    skipped_extended: u32,
}

/// R33: walks the open cards of `subject_id` (every subject: `None`) with a review deadline on or
/// after `from`, and hands `found` each one whose review term counted on `rules` ends on another
/// day. With `stale_only`, cards already computed with `rules`' calendar and conventions are
/// passed over. A card with a signed extension keeps its date (R37).
fn scan_open_cards(
    conn: &mut DbConn,
    rules: &Rules,
    subject_id: Option<i64>,
    from: Option<chrono::NaiveDate>,
    stale_only: bool,
    mut found: impl FnMut(&mut DbConn, Differing) -> AppResult<()>,
) -> AppResult<Scan> {
    let version = rules.calendar.version().to_string();
    let mut scan = Scan::default();
    let mut after_id = 0;
    loop {
        let page = repo::configuration::open_appeals_page(
            conn,
            subject_id,
            &OPEN_STATUSES,
            from,
            after_id,
            500,
        )?;
        let Some(last) = page.last() else { break };
        after_id = last.id;
        for row in page {
            let parts = crate::cards::parts::CardParts::of(&row)?;
            if stale_only
                && parts.details.calendar_version == version
                && parts.details.conventions_version == rules.conventions_version
            {
                continue;
            }
            scan.checked += 1;
            if parts.state.prolong_count() > 0 {
                scan.skipped_extended += 1;
                continue;
            }
            let Ok(due) = appeals_domain::deadline::review_due(
                &rules.calendar,
                &rules.deadlines,
                row.registration_date,
                parts.card.term(),
            ) else {
                // The term ends beyond the calendar's range: nothing to compare with.
                continue;
            };
            if due.date != row.review_due {
                found(
                    conn,
                    Differing {
                        row,
                        parts,
                        due: due.date,
                    },
                )?;
            }
        }
    }
    Ok(scan)
}

/// R33: counts the review term of the caller's subject's open cards (registered from `from`)
/// again on the current calendar and deadline conventions; a card with a signed extension keeps
/// its date. Each move is a `deadline_recalculated` event of the card; the whole run is an admin
/// event. A dry run changes nothing.
pub fn recalculate_deadlines(
    conn: &mut DbConn,
    ctx: &crate::ctx::Ctx,
    from: Option<chrono::NaiveDate>,
    dry_run: bool,
) -> AppResult<Recalculation> {
    let subject_id = ctx.actor().subject_id;
    appeals_db::write_tx(conn, |conn| {
        let rules = Rules::load(conn)?;
        let version = rules.calendar.version().to_string();
        let mut moved = Vec::new();
        let scan = scan_open_cards(conn, &rules, Some(subject_id), from, true, |conn, d| {
            let Differing {
                row,
                mut parts,
                due,
            } = d;
            let old_version = parts.details.calendar_version.clone();
            let old_conventions = parts.details.conventions_version;
            let mut m = MovedDeadline {
                appeal_id: row.id,
                registration_number: row.reg_number.clone(),
                review_due_before: row.review_due,
                review_due_after: due,
                calendar_version_before: old_version.clone(),
                version: row.version,
            };
            if !dry_run {
                parts.card.recalculate_control_date(|_| due);
                parts.details.calendar_version = version.clone();
                parts.details.conventions_version = rules.conventions_version;
                let next = parts.apply_to(&row)?;
                let saved = crate::cards::write::commit(
                    conn,
                    ctx.actor(),
                    ctx.stored_now(),
                    crate::cards::write::CardChange {
                        before: &row,
                        after: next,
                        event: CardEvent {
                            action: CardAction::DeadlineRecalculated,
                            before: Some(serde_json::json!({
                                "review_due": row.review_due,
                                "calendar_version": old_version,
                                "conventions_version": old_conventions,
                            })),
                            after: Some(serde_json::json!({
                                "review_due": due,
                                "calendar_version": version,
                                "conventions_version": rules.conventions_version,
                            })),
                        },
                    },
                )?;
                m.version = saved.version;
            }
            moved.push(m);
            Ok(())
        })?;
        let out = Recalculation {
            calendar_version: version.clone(),
            conventions_version: rules.conventions_version,
            dry_run,
            checked: scan.checked,
            moved_count: u32::try_from(moved.len()).unwrap_or(u32::MAX),
            skipped_extended: scan.skipped_extended,
            moved,
        };
        if !dry_run {
            repo::configuration::append_admin_event(
                conn,
                &appeals_db::rows::NewAdminEventRow {
                    occurred_at: ctx.stored_now(),
                    actor_user_id: Some(ctx.actor().user_id),
                    action: "deadlines_recalculated".to_owned(),
                    target: "calendar/recalculations".to_owned(),
                    before: None,
                    after: Some(
                        serde_json::json!({
                            "subject_id": subject_id,
                            "from": from,
                            "calendar_version": version,
                            "conventions_version": rules.conventions_version,
                            "checked": out.checked,
                            "moved": out.moved.iter().map(|m| m.appeal_id).collect::<Vec<_>>(),
                        })
                        .to_string(),
                    ),
                },
            )?;
        }
        Ok(out)
    })
}

// ---------------------------------------------------------------------------------------------
// Deadline and numbering conventions (issue 23 point 1)
// ---------------------------------------------------------------------------------------------

/// The conventions in force and their stored version (0: the built-in defaults).
pub struct ConventionsView {
    pub conventions: Conventions,
    pub version: i64,
    pub row: Option<repo::configuration::ConventionsRow>,
}

/// The conventions as `rules` (the process's current snapshot) apply them, with the stored row of
/// their version.
pub fn conventions(conn: &mut DbConn, rules: &Rules) -> AppResult<ConventionsView> {
    Ok(ConventionsView {
        conventions: rules.conventions(),
        version: rules.conventions_version,
        row: repo::configuration::latest_conventions(conn)?,
    })
}

/// Every stored version, newest first.
pub fn conventions_versions(
    conn: &mut DbConn,
) -> AppResult<Vec<repo::configuration::ConventionsRow>> {
    Ok(repo::configuration::conventions_versions(conn)?)
}

/// Most moved cards a preview lists (the count covers all).
const PREVIEW_LIMIT: usize = 100;

/// What storing new conventions would do to stored review deadlines: every open card of every
/// subject whose review term, counted with the new conventions, ends on another day.
#[derive(Debug, Clone)]
pub struct ConventionsPreview {
    pub checked: u32,
    pub moved_count: u32,
    pub skipped_extended: u32,
    /// The first moved cards, by id.
    pub moved: Vec<MovedDeadline>,
}

/// The outcome of a change (or of its dry run).
pub struct ConventionsChange {
    pub dry_run: bool,
    /// `false`: the stated conventions are those in force (nothing stored).
    pub changed: bool,
    pub view: ConventionsView,
    pub preview: ConventionsPreview,
    /// The rules after the change, for the caller's process to install.
    pub rules: Option<Rules>,
}

/// Issue 23 point 1: stores `stated` as the next version of the conventions (authorized body's
/// admins; the guard decides), audited with the documents before and after; every process applies
/// it on its next request. Stored deadlines do not move by themselves (R33): the answer previews
/// which review deadlines an explicit recalculation would move, and a dry run stores nothing.
pub fn replace_conventions(
    conn: &mut DbConn,
    ctx: &crate::ctx::Ctx,
    stated: Conventions,
    reason: String,
    dry_run: bool,
) -> AppResult<ConventionsChange> {
    let mut issues: Vec<crate::error::FieldIssue> = stated
        .issues()
        .into_iter()
        .map(|i| crate::error::FieldIssue::new(i.pointer, i.reason))
        .collect();
    if reason.trim().is_empty() {
        issues.push(crate::error::FieldIssue::new(
            "#/reason",
            "say why the conventions change",
        ));
    }
    crate::ctx::fail_if_any(issues)?;
    // The preview reads page by page outside the write transaction: a national scan must not hold
    // the database's write lock (SQLite) while registrations wait. It is as of just before the
    // change; the explicit recalculation counts again anyway.
    let before = Rules::load(conn)?;
    let current = before.conventions();
    let candidate_version = before.conventions_version + 1;
    let candidate = before
        .clone()
        .with_conventions(stated.clone(), candidate_version);
    let mut preview = ConventionsPreview {
        checked: 0,
        moved_count: 0,
        skipped_extended: 0,
        moved: Vec::new(),
    };
    let scan = scan_open_cards(conn, &candidate, None, None, false, |_, d| {
        preview.moved_count += 1;
        if preview.moved.len() < PREVIEW_LIMIT {
            preview.moved.push(MovedDeadline {
                appeal_id: d.row.id,
                registration_number: d.row.reg_number.clone(),
                review_due_before: d.row.review_due,
                review_due_after: d.due,
                calendar_version_before: d.parts.details.calendar_version.clone(),
                version: d.row.version,
            });
        }
        Ok(())
    })?;
    preview.checked = scan.checked;
    preview.skipped_extended = scan.skipped_extended;
    let changed = stated != current;
    if dry_run || !changed {
        let view = ConventionsView {
            conventions: if dry_run { stated } else { current },
            version: before.conventions_version,
            row: repo::configuration::latest_conventions(conn)?,
        };
        return Ok(ConventionsChange {
            dry_run,
            changed,
            view,
            preview,
            rules: None,
        });
    }
    appeals_db::write_tx(conn, |conn| {
        // Another administrator may have stored a version meanwhile: the primary key refuses a
        // second `candidate_version` (409 below), so no change is lost unseen.
        let data = crate::cards::parts::to_json(&stated)?;
        let row = repo::configuration::ConventionsRow {
            version: candidate_version,
            content_hash: crate::cards::parts::sha256_hex(&data),
            data,
            changed_at: ctx.stored_now(),
            changed_by: Some(ctx.actor().user_id),
            reason: reason.trim().to_owned(),
        };
        repo::configuration::insert_conventions(conn, &row).map_err(|e| match e {
            appeals_db::DbError::UniqueViolation(_) => AppError::Conflict(format!(
                "Conventions version {candidate_version} was stored meanwhile; reload them and repeat the change."
            )),
            other => other.into(),
        })?;
        let rules = record_change(
            conn,
            ctx,
            "conventions_replaced",
            "conventions".to_owned(),
            Some(serde_json::json!({
                "version": before.conventions_version,
                "conventions": current,
            })),
            Some(serde_json::json!({
                "version": candidate_version,
                "conventions": stated,
                "reason": row.reason,
                "review_deadlines_to_move": preview.moved_count,
            })),
        )?;
        Ok(ConventionsChange {
            dry_run,
            changed,
            view: ConventionsView {
                conventions: stated,
                version: candidate_version,
                row: Some(row),
            },
            preview,
            rules: Some(rules),
        })
    })
}

/// How many times administrators replaced a year's overrides (`None`: the built-in data).
pub fn overrides_version(conn: &mut DbConn, year: i32) -> AppResult<Option<i64>> {
    Ok(repo::configuration::find_calendar_overrides(conn, year)?.map(|r| r.version))
}
