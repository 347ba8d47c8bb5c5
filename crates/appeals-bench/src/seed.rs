//! `appeals-bench seed`: synthetic appeals written straight into the database.
//!
//! Each appeal is built by the same domain code the registration handler uses (ОЛ-1 card, lifecycle
//! state, talon, З-1 cards, the "registered" history event with its hash), so the API reads seeded
//! rows like registered ones. The duplicate-check index is filled as a registration fills it
//! (`appeals_service::duplicates::check::PreparedCheck`: the `appeal_dedup_signatures` row, the LSH band keys in
//! `appeal_dedup_bands`, the applicant keys in `appeal_dedup_applicant_keys`, each deduplicated per
//! appeal like `repo::duplicates::insert_index`), unless `--no-dedup-index` is given. No duplicate
//! links are computed: seeded appeals are not checked against each other.
//!
//! Rows are written in large transactions, one per batch and covering all tables: PostgreSQL
//! `COPY … FROM STDIN (FORMAT binary)`, SQLite multi-row `INSERT`s. Generator threads build the next
//! batches while the current one is written: two when the index is filled (the MinHash signatures
//! cost several times the rest of an appeal), one otherwise; the writer takes their batches in order.
//!
//! Numbers are reserved up front from the through numbering (counter and sequence, R3), so a server that
//! registers meanwhile never collides with them. Row ids are assigned here (max id + 1…): run the
//! seeder while no server writes to the database.

use std::sync::mpsc;
use std::time::Instant;

use appeals_api::dto::{ApplicantCategory, RegisterAppeal};
use appeals_api::rules::Rules;
use appeals_db::repo::events::{GENESIS_HASH, event_hash};
use appeals_db::rows::NewEventRow;
use appeals_db::schema::{
    appeal_applicants, appeal_dedup_applicant_keys, appeal_dedup_bands, appeal_dedup_signatures,
    appeal_events, appeal_markings, appeal_search_keys, appeal_tags, appeals,
};
use appeals_db::{DbConn, DbUrl, repo};
use appeals_domain::cards::{
    AppealCard, ApplicantCard, Authorship, Contacts, NewAppeal, PersonBlock, PersonCategory, Talon,
};
use appeals_domain::deadline;
use appeals_domain::dedup::DedupSettings;
use appeals_domain::dictionary::{DictionaryName, DocumentType};
use appeals_domain::lifecycle::AppealState;
use appeals_domain::regnum::AppealNumber;
use appeals_service::applicants::ApplicantEntry;
use appeals_service::cards::parts::AppealDetails;
use appeals_service::cards::search_index::SearchEntry;
use appeals_service::duplicates::check::PreparedCheck;
use chrono::{Duration, NaiveDateTime, SubsecRound, Utc};
use diesel::prelude::*;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

use crate::generator;

pub type BoxError = Box<dyn std::error::Error + Send + Sync>;

#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = appeals, treat_none_as_default_value = false)]
struct AppealInsert {
    id: i64,
    reg_number: String,
    counter: i64,
    main_appeal_id: Option<i64>,
    part_k: Option<i32>,
    subject_id: i64,
    registered_by_subject_id: i64,
    addressee_subject_id: Option<i64>,
    status: String,
    kind: String,
    document_type: String,
    received_at: NaiveDateTime,
    registered_at: NaiveDateTime,
    registration_date: chrono::NaiveDate,
    review_due: chrono::NaiveDate,
    forward_due: chrono::NaiveDate,
    transfer_due: Option<chrono::NaiveDate>,
    is_accountable: bool,
    is_anonymous: bool,
    applicant_count: i32,
    text: String,
    card: String,
    state: String,
    details: String,
    duplicate_of: Option<i64>,
    version: i64,
    created_by: i64,
    updated_at: NaiveDateTime,
    closed_at: Option<NaiveDateTime>,
}

#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = appeal_applicants, treat_none_as_default_value = false)]
struct ApplicantInsert {
    id: i64,
    appeal_id: i64,
    ordinal: i32,
    category: String,
    iin_bin: Option<String>,
    full_name: Option<String>,
    card: String,
}

#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = appeal_tags, treat_none_as_default_value = false)]
struct TagInsert {
    appeal_id: i64,
    tag: String,
    subject_id: i64,
}

#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = appeal_markings, treat_none_as_default_value = false)]
struct MarkingInsert {
    appeal_id: i64,
    marking: String,
    subject_id: i64,
}

#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = appeal_events, treat_none_as_default_value = false)]
struct EventInsert {
    id: i64,
    appeal_id: i64,
    seq: i32,
    occurred_at: NaiveDateTime,
    actor_user_id: Option<i64>,
    actor_subject_id: Option<i64>,
    action: String,
    before: Option<String>,
    after: Option<String>,
    prev_hash: String,
    hash: String,
}

/// `appeal_dedup_signatures` (the fields of `DedupSignatureRow`, insertable by `COPY`).
#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = appeal_dedup_signatures, treat_none_as_default_value = false)]
struct SignatureInsert {
    appeal_id: i64,
    signature: Vec<u8>,
    applicants: String,
    applicant_identity: Option<String>,
}

#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = appeal_dedup_bands, treat_none_as_default_value = false)]
struct BandInsert {
    band_key: i64,
    appeal_id: i64,
}

#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = appeal_dedup_applicant_keys, treat_none_as_default_value = false)]
struct ApplicantKeyInsert {
    key_kind: String,
    key: String,
    appeal_id: i64,
}

// The terms of a batch on their way into `appeal_search` on PostgreSQL: copied as text into this
// session's temporary table, then turned into tsvectors by the same `to_tsvector('simple', …)`
// the write path uses (`repo::search::insert_terms`).
diesel::table! {
    seed_search_terms (appeal_id) {
        appeal_id -> BigInt,
        subject_id -> BigInt,
        terms -> Text,
    }
}

#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = seed_search_terms, treat_none_as_default_value = false)]
struct SearchTermsInsert {
    appeal_id: i64,
    subject_id: i64,
    terms: String,
}

#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = appeal_search_keys, treat_none_as_default_value = false)]
struct SearchKeyInsert {
    key_hash: String,
    appeal_id: i64,
}

#[derive(Default)]
struct Batch {
    appeals: Vec<AppealInsert>,
    applicants: Vec<ApplicantInsert>,
    tags: Vec<TagInsert>,
    markings: Vec<MarkingInsert>,
    events: Vec<EventInsert>,
    signatures: Vec<SignatureInsert>,
    bands: Vec<BandInsert>,
    applicant_keys: Vec<ApplicantKeyInsert>,
    search_terms: Vec<SearchTermsInsert>,
    search_keys: Vec<SearchKeyInsert>,
}

/// Who registers the seeded appeals and where numbering and ids start.
struct Context {
    subject_id: i64,
    subject_name: String,
    /// With `--spread-subjects`: the subjects the appeals go to in turn (id, name).
    spread: Vec<(i64, String)>,
    /// Per cent of the appeals that carry a final act (1-ОЛ sections 2–3).
    decided_percent: u32,
    /// Fill the search index (`appeal_search`, `appeal_search_keys`) as the write path does.
    search_index: bool,
    user_id: i64,
    acceptor: (String, String, Option<String>),
    first_counter: i64,
    first_appeal_id: i64,
    first_applicant_id: i64,
    first_event_id: i64,
    /// Received-at of the first seeded appeal; the rest follow at even steps up to yesterday.
    start: NaiveDateTime,
    step_micros: i64,
}

pub struct SeedArgs {
    pub database_url: String,
    pub count: u64,
    pub batch: usize,
    pub subject: Option<String>,
    pub username: Option<String>,
    pub days: i64,
    /// Fill the duplicate-check index (`appeal_dedup_*`) as registration does.
    pub dedup_index: bool,
    /// Fill the search index (`appeal_search`, `appeal_search_keys`) as the card write path does.
    pub search_index: bool,
    /// Spread the appeals over this many subjects of a three-level hierarchy (a republic root,
    /// 20 regions, districts below them), created when missing; 0: all at one subject.
    pub spread_subjects: u32,
    /// Per cent of the appeals written with a final act in their details (the report's sections
    /// 2–3 count them; their status stays as registered — a report benchmark's data only).
    pub decided_percent: u32,
}

fn json<T: serde::Serialize>(v: &T) -> Result<String, BoxError> {
    Ok(serde_json::to_string(v)?)
}

/// The duplicate-check index entries of appeal `id`, as `PreparedCheck::store` writes them.
fn index_rows(
    body: &RegisterAppeal,
    settings: &DedupSettings,
    id: i64,
    batch: &mut Batch,
) -> Result<(), BoxError> {
    let entries: Vec<ApplicantEntry> = body.applicants.iter().cloned().map(Into::into).collect();
    let check = PreparedCheck::new(&body.text, &entries, settings)?;
    let row = check.signature_row(id)?;
    batch.signatures.push(SignatureInsert {
        appeal_id: row.appeal_id,
        signature: row.signature,
        applicants: row.applicants,
        applicant_identity: row.applicant_identity,
    });
    // Deduplicated per appeal like `repo::duplicates::insert_index` (primary keys
    // (band_key, appeal_id) and (key_kind, key, appeal_id)).
    let mut bands = check.band_keys;
    bands.sort_unstable();
    bands.dedup();
    batch
        .bands
        .extend(bands.into_iter().map(|band_key| BandInsert {
            band_key,
            appeal_id: id,
        }));
    let mut keys = check.applicant_keys;
    keys.sort();
    keys.dedup();
    batch
        .applicant_keys
        .extend(keys.into_iter().map(|(key_kind, key)| ApplicantKeyInsert {
            key_kind,
            key,
            appeal_id: id,
        }));
    Ok(())
}

/// Builds the rows of one appeal exactly as `POST /api/v1/appeals` would store them.
fn build_one(
    rules: &Rules,
    ctx: &Context,
    offset: i64,
    body: RegisterAppeal,
    registered_at: NaiveDateTime,
    batch: &mut Batch,
    next_applicant_id: &mut i64,
) -> Result<(), BoxError> {
    let id = ctx.first_appeal_id + offset;
    let counter = ctx.first_counter + offset;
    let (subject_id, subject_name) = match ctx.spread.len() {
        0 => (ctx.subject_id, ctx.subject_name.as_str()),
        n => {
            let (id, name) = &ctx.spread[usize::try_from(offset)? % n];
            (*id, name.as_str())
        }
    };
    let calendar = &rules.calendar;
    let book = rules.dictionary(DictionaryName::DocumentTypes)?;
    let document_type = DocumentType::lookup(book, &body.document_type)?;
    let receipt = deadline::normalise_receipt(calendar, &rules.deadlines, body.received_at)?;
    let registration_date = receipt.registration_date;
    let review = deadline::review_due(
        calendar,
        &rules.deadlines,
        registration_date,
        document_type.term,
    )?;
    let forward = deadline::forward_due(calendar, &rules.deadlines, registration_date)?;
    let number = rules.number_format.issue(
        &rules.letter_index,
        "individual",
        chrono::Datelike::year(&registration_date),
        u64::try_from(counter)?,
    )?;
    let appeal_number = AppealNumber::Main(number);
    let new_appeal = NewAppeal {
        subject_id: subject_id.to_string(),
        registered_at,
        received_at: body.received_at.naive_utc(),
        fill_modes: appeals_domain::cards::FillModes::default(),
        receipt_form: body.receipt_form.clone(),
        receipt_source: body.receipt_source.clone(),
        language: body.language.clone(),
        document_type,
        tags: body.tags.clone(),
        issue_category: body.issue_category.clone(),
        summary: body.summary.clone().unwrap_or_default(),
        applicants: body.applicants.len(),
        authorship: Authorship {
            author_identified: true,
            signed: body.signed,
            postal_address_given: true,
        },
        reports_crime_or_threat: false,
        anonymity_reading: Default::default(),
        non_accountable_category: None,
        complaint: None,
    };
    let review_due = review.date;
    let card = AppealCard::register(
        new_appeal,
        appeal_number.clone(),
        rules.dictionary(DictionaryName::Markings)?,
        |_| review_due,
    )?;
    let state = AppealState::registered(appeal_number.clone());
    let (surname, first, patronymic) = &ctx.acceptor;
    let talon = Talon::issue(
        appeal_number.clone(),
        subject_name,
        rules.local_time(registered_at.and_utc()),
        surname,
        first,
        patronymic.as_deref(),
    )?;
    let mut details = AppealDetails {
        calendar_version: review.calendar_version.to_string(),
        talon: Some(appeals_service::cards::parts::StoredTalon::of(&talon)),
        received_after_cutoff: receipt.after_cutoff,
        postal_address: None,
        forwarded_late: false,
        final_act_on: None,
        correction: None,
        ..AppealDetails::default()
    };
    // A spread of final acts: some in time, some late, three answer characters.
    let mix = u64::try_from(offset)?.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 40;
    if mix % 100 < u64::from(ctx.decided_percent) {
        let answer = ["explained", "satisfied", "refused"][usize::try_from(mix % 3)?];
        details.final_act_on = Some(registration_date + Duration::days(1 + (mix % 30) as i64));
        details.last_decision = Some(appeals_service::cards::parts::CountedDecision {
            decision_type: "provide_answer".to_owned(),
            answer_character: Some(answer.to_owned()),
        });
    }
    let row = AppealInsert {
        id,
        reg_number: appeal_number.to_string(),
        counter,
        main_appeal_id: None,
        part_k: None,
        subject_id,
        registered_by_subject_id: subject_id,
        addressee_subject_id: None,
        status: state.status().code().to_owned(),
        kind: card.kind().code().to_owned(),
        document_type: card.document_type().to_owned(),
        received_at: card.received_at,
        registered_at,
        registration_date,
        review_due: card.control_date(),
        forward_due: forward.date,
        transfer_due: None,
        is_accountable: card.is_accountable(),
        is_anonymous: card.anonymity.anonymous,
        applicant_count: i32::try_from(body.applicants.len())?,
        text: body.text.clone(),
        card: json(&card)?,
        state: json(&state)?,
        details: json(&details)?,
        duplicate_of: None,
        version: 1,
        created_by: ctx.user_id,
        updated_at: registered_at,
        closed_at: None,
    };
    for (i, a) in body.applicants.iter().enumerate() {
        let ordinal = u32::try_from(i + 1)?;
        let mut z1 = ApplicantCard::new(
            &card,
            ordinal,
            PersonCategory::Individual,
            a.iin_bin.clone(),
        )?;
        z1.person = Some(PersonBlock {
            surname: a.surname.clone(),
            first_name: a.first_name.clone(),
            patronymic: a.patronymic.clone(),
            ..PersonBlock::default()
        });
        if let Some(address) = &a.address {
            z1.address = address.clone().into();
        }
        z1.contacts = Contacts {
            mobile_phone: a.mobile_phone.clone(),
            work_home_phone: None,
            email: a.email.clone(),
        };
        batch.applicants.push(ApplicantInsert {
            id: *next_applicant_id,
            appeal_id: id,
            ordinal: i32::try_from(ordinal)?,
            category: match a.category {
                ApplicantCategory::Individual => "individual".to_owned(),
                ApplicantCategory::LegalEntity => "legal_entity".to_owned(),
            },
            iin_bin: a.iin_bin.clone(),
            full_name: ApplicantEntry::from(a.clone()).full_name(),
            card: json(&z1)?,
        });
        *next_applicant_id += 1;
    }
    if ctx.search_index {
        let names: Vec<Option<String>> = body
            .applicants
            .iter()
            .map(|a| ApplicantEntry::from(a.clone()).full_name())
            .collect();
        let entry = SearchEntry::of(
            &row.text,
            &card.summary,
            card.tags(),
            names
                .iter()
                .zip(&body.applicants)
                .map(|(name, a)| (name.as_deref(), a.iin_bin.as_deref())),
        );
        batch.search_terms.push(SearchTermsInsert {
            appeal_id: id,
            subject_id,
            terms: entry.terms,
        });
        batch.search_keys.extend(
            entry
                .key_hashes
                .into_iter()
                .map(|key_hash| SearchKeyInsert {
                    key_hash,
                    appeal_id: id,
                }),
        );
    }
    let mut seen = std::collections::BTreeSet::new();
    for tag in card.tags() {
        let tag = tag.to_lowercase();
        if seen.insert(tag.clone()) {
            batch.tags.push(TagInsert {
                appeal_id: id,
                tag,
                subject_id,
            });
        }
    }
    let markings: Vec<String> = card.markings().iter().cloned().collect();
    for marking in &markings {
        batch.markings.push(MarkingInsert {
            appeal_id: id,
            marking: marking.clone(),
            subject_id,
        });
    }
    let after = serde_json::json!({
        "registration_number": row.reg_number,
        "status": row.status,
        "document_type": row.document_type,
        "registration_date": row.registration_date,
        "review_due": row.review_due,
        "forward_due": row.forward_due,
        "transfer_due": row.transfer_due,
        "markings": markings,
        "is_accountable": row.is_accountable,
    });
    let mut event = NewEventRow {
        appeal_id: id,
        seq: 1,
        occurred_at: registered_at,
        actor_user_id: Some(ctx.user_id),
        actor_subject_id: Some(subject_id),
        action: "registered".to_owned(),
        before: None,
        after: Some(after.to_string()),
        prev_hash: GENESIS_HASH.to_owned(),
        hash: String::new(),
    };
    event.hash = event_hash(GENESIS_HASH, &event);
    batch.events.push(EventInsert {
        id: ctx.first_event_id + offset,
        appeal_id: event.appeal_id,
        seq: event.seq,
        occurred_at: event.occurred_at,
        actor_user_id: event.actor_user_id,
        actor_subject_id: event.actor_subject_id,
        action: event.action,
        before: event.before,
        after: event.after,
        prev_hash: event.prev_hash,
        hash: event.hash,
    });
    batch.appeals.push(row);
    Ok(())
}

/// Builds appeals `from..to` (offsets into the seeded range). Applicant ids are dense per batch:
/// every appeal has one or two applicants, so each batch reserves two ids per appeal.
fn build_batch(
    rules: &Rules,
    ctx: &Context,
    from: u64,
    to: u64,
    dedup_index: bool,
) -> Result<Batch, BoxError> {
    let mut batch = Batch::default();
    let mut rng = StdRng::seed_from_u64(from ^ 0x5EED);
    let mut next_applicant_id = ctx.first_applicant_id + i64::try_from(from)? * 2;
    for n in from..to {
        let offset = i64::try_from(n)?;
        let received =
            ctx.start + Duration::microseconds(ctx.step_micros * offset + rng.random_range(0..60));
        let registered_at = received + Duration::seconds(rng.random_range(5..600));
        // About three appeals per applicant.
        let body = generator::appeal(&mut rng, n / 3, received.and_utc());
        if dedup_index {
            index_rows(
                &body,
                &rules.dedup,
                ctx.first_appeal_id + offset,
                &mut batch,
            )?;
        }
        build_one(
            rules,
            ctx,
            offset,
            body,
            registered_at,
            &mut batch,
            &mut next_applicant_id,
        )?;
    }
    // Key order: the writes walk the band index in order rather than at random.
    batch
        .bands
        .sort_unstable_by_key(|b| (b.band_key, b.appeal_id));
    Ok(batch)
}

/// `n` subjects in a hierarchy: `BENCH-KZ` → 20 regions `BENCH-R01…` → districts
/// `BENCH-R01-D001…` (created when missing); the districts, or the regions when `n` ≤ 20, are
/// returned to receive the appeals.
fn spread_subjects(conn: &mut DbConn, n: u32) -> Result<Vec<(i64, String)>, BoxError> {
    if n == 0 {
        return Ok(Vec::new());
    }
    let mut ensure = |code: String, parent: Option<i64>| -> Result<(i64, String), BoxError> {
        if let Some(s) = repo::subjects::find_by_code(conn, &code)? {
            return Ok((s.id, s.name_ru));
        }
        let s = repo::subjects::insert(
            conn,
            &appeals_db::rows::NewSubjectRow {
                name_ru: format!("Субъект {code}"),
                name_kk: Some(format!("{code} субъектісі")),
                report_row_code: Some(code.trim_start_matches("BENCH-").to_owned()),
                code,
                parent_id: parent,
                kato_code: None,
                is_authorized_body: false,
                created_at: Utc::now().naive_utc().trunc_subsecs(6),
            },
        )?;
        Ok((s.id, s.name_ru))
    };
    let (root, _) = ensure("BENCH-KZ".to_owned(), None)?;
    let regions = n.min(20);
    let mut region_ids = Vec::new();
    for r in 1..=regions {
        region_ids.push(ensure(format!("BENCH-R{r:02}"), Some(root))?);
    }
    if n <= 20 {
        return Ok(region_ids);
    }
    let mut leaves = Vec::new();
    for d in 0..n {
        let (region, _) = region_ids[(d % regions) as usize];
        leaves.push(ensure(
            format!("BENCH-R{:02}-D{:03}", d % regions + 1, d / regions + 1),
            Some(region),
        )?);
    }
    Ok(leaves)
}

/// Reads the registering subject and user, reserves `count` numbers of the through counter and the
/// id ranges.
fn prepare(conn: &mut DbConn, args: &SeedArgs) -> Result<Context, BoxError> {
    use diesel::dsl::max;
    let user = match &args.username {
        Some(name) => {
            repo::users::find_by_username(conn, name)?.ok_or_else(|| format!("no user `{name}`"))?
        }
        None => {
            let users: Vec<appeals_db::rows::UserRow> = appeals_db::schema::users::table
                .order(appeals_db::schema::users::id.asc())
                .select(appeals_db::rows::UserRow::as_select())
                .load(conn)?;
            users
                .into_iter()
                .find(|u| u.roles.contains("registrar"))
                .ok_or("no registrar user: create one with `appeals user create`")?
        }
    };
    let subject = match &args.subject {
        Some(code) => repo::subjects::find_by_code(conn, code)?
            .ok_or_else(|| format!("no subject `{code}`"))?,
        None => repo::subjects::get(conn, user.subject_id)?,
    };
    let count = i64::try_from(args.count)?;
    // Both number sources (counter row and, on PostgreSQL, the sequence) move past the block.
    let first_counter: i64 =
        appeals_db::write_tx(conn, |conn| repo::numbering::reserve(conn, count))?;
    let last_counter = first_counter + count - 1;
    let max_appeal: Option<i64> = appeals::table.select(max(appeals::id)).first(conn)?;
    let max_applicant: Option<i64> = appeal_applicants::table
        .select(max(appeal_applicants::id))
        .first(conn)?;
    let max_event: Option<i64> = appeal_events::table
        .select(max(appeal_events::id))
        .first(conn)?;
    let now = Utc::now().naive_utc().trunc_subsecs(6);
    let start = now - Duration::days(args.days);
    let span = (Duration::days(args.days) - Duration::days(1))
        .num_microseconds()
        .unwrap_or(i64::MAX);
    let spread = spread_subjects(conn, args.spread_subjects)?;
    Ok(Context {
        subject_id: subject.id,
        subject_name: subject.name_ru,
        spread,
        decided_percent: args.decided_percent.min(100),
        search_index: args.search_index,
        user_id: user.id,
        acceptor: appeals_service::accounts::acceptor_name_of(user),
        first_counter: last_counter - count + 1,
        first_appeal_id: max_appeal.unwrap_or(0) + 1,
        first_applicant_id: max_applicant.unwrap_or(0) + 1,
        first_event_id: max_event.unwrap_or(0) + 1,
        start,
        step_micros: span / count.max(1),
    })
}

fn write_pg(conn: &mut diesel::PgConnection, batch: &Batch) -> QueryResult<()> {
    conn.transaction(|conn| {
        diesel::copy_from(appeals::table)
            .from_insertable(&batch.appeals)
            .execute(conn)?;
        diesel::copy_from(appeal_applicants::table)
            .from_insertable(&batch.applicants)
            .execute(conn)?;
        diesel::copy_from(appeal_tags::table)
            .from_insertable(&batch.tags)
            .execute(conn)?;
        if !batch.markings.is_empty() {
            diesel::copy_from(appeal_markings::table)
                .from_insertable(&batch.markings)
                .execute(conn)?;
        }
        diesel::copy_from(appeal_events::table)
            .from_insertable(&batch.events)
            .execute(conn)?;
        if !batch.signatures.is_empty() {
            diesel::copy_from(appeal_dedup_signatures::table)
                .from_insertable(&batch.signatures)
                .execute(conn)?;
        }
        if !batch.bands.is_empty() {
            diesel::copy_from(appeal_dedup_bands::table)
                .from_insertable(&batch.bands)
                .execute(conn)?;
        }
        if !batch.applicant_keys.is_empty() {
            diesel::copy_from(appeal_dedup_applicant_keys::table)
                .from_insertable(&batch.applicant_keys)
                .execute(conn)?;
        }
        if !batch.search_terms.is_empty() {
            // The temporary table empties itself at commit (`ON COMMIT DELETE ROWS`).
            diesel::copy_from(seed_search_terms::table)
                .from_insertable(&batch.search_terms)
                .execute(conn)?;
            diesel::sql_query(
                "INSERT INTO appeal_search (appeal_id, subject_id, terms) \
                 SELECT appeal_id, subject_id, to_tsvector('simple', terms) FROM seed_search_terms",
            )
            .execute(conn)?;
        }
        if !batch.search_keys.is_empty() {
            diesel::copy_from(appeal_search_keys::table)
                .from_insertable(&batch.search_keys)
                .execute(conn)?;
        }
        Ok(())
    })
}

fn write_sqlite(conn: &mut diesel::SqliteConnection, batch: &Batch) -> QueryResult<()> {
    // Chunks keep each statement under SQLite's 32,766 bound parameters.
    conn.immediate_transaction(|conn| {
        for chunk in batch.appeals.chunks(1_000) {
            diesel::insert_into(appeals::table)
                .values(chunk)
                .execute(conn)?;
        }
        for chunk in batch.applicants.chunks(4_000) {
            diesel::insert_into(appeal_applicants::table)
                .values(chunk)
                .execute(conn)?;
        }
        for chunk in batch.tags.chunks(10_000) {
            diesel::insert_into(appeal_tags::table)
                .values(chunk)
                .execute(conn)?;
        }
        for chunk in batch.markings.chunks(10_000) {
            diesel::insert_into(appeal_markings::table)
                .values(chunk)
                .execute(conn)?;
        }
        for chunk in batch.events.chunks(2_000) {
            diesel::insert_into(appeal_events::table)
                .values(chunk)
                .execute(conn)?;
        }
        for chunk in batch.signatures.chunks(5_000) {
            diesel::insert_into(appeal_dedup_signatures::table)
                .values(chunk)
                .execute(conn)?;
        }
        for chunk in batch.bands.chunks(10_000) {
            diesel::insert_into(appeal_dedup_bands::table)
                .values(chunk)
                .execute(conn)?;
        }
        for chunk in batch.applicant_keys.chunks(10_000) {
            diesel::insert_into(appeal_dedup_applicant_keys::table)
                .values(chunk)
                .execute(conn)?;
        }
        for t in &batch.search_terms {
            // The FTS5 table's rowid is the appeal's id (`repo::search::insert_terms`).
            diesel::sql_query(
                "INSERT INTO appeal_search (rowid, subject_id, terms) VALUES (?, ?, ?)",
            )
            .bind::<diesel::sql_types::BigInt, _>(t.appeal_id)
            .bind::<diesel::sql_types::BigInt, _>(t.subject_id)
            .bind::<diesel::sql_types::Text, _>(&t.terms)
            .execute(conn)?;
        }
        for chunk in batch.search_keys.chunks(10_000) {
            diesel::insert_into(appeal_search_keys::table)
                .values(chunk)
                .execute(conn)?;
        }
        Ok(())
    })
}

pub fn run(args: SeedArgs) -> Result<(), BoxError> {
    if args.count == 0 {
        return Err("--count must be at least 1".into());
    }
    let url = DbUrl::parse(&args.database_url)?;
    let mut conn = url.establish()?;
    let ctx = prepare(&mut conn, &args)?;
    match &mut conn {
        DbConn::Pg(c) => {
            // Seeding only: losing the last commits on a crash is harmless here.
            diesel::sql_query("SET synchronous_commit = off").execute(c)?;
            // Every seeded row references rows of its own batch or existing ones by construction;
            // skipping the foreign-key triggers (16 band rows per appeal) makes the load ~5× faster.
            // Needs a superuser; without one the checks simply run.
            if args.search_index {
                diesel::sql_query(
                    "CREATE TEMPORARY TABLE seed_search_terms (appeal_id BIGINT PRIMARY KEY, \
                     subject_id BIGINT NOT NULL, terms TEXT NOT NULL) ON COMMIT DELETE ROWS",
                )
                .execute(c)?;
            }
            if diesel::sql_query("SET session_replication_role = replica")
                .execute(c)
                .is_err()
            {
                eprintln!("foreign-key checks stay on (not a superuser)");
            }
        }
        DbConn::Sqlite(c) => {
            diesel::sql_query("PRAGMA synchronous = OFF").execute(c)?;
        }
    }
    let dedup_index = args.dedup_index;
    eprintln!(
        "seeding {} appeals into {} (subject {}, numbers from counter {}, ids from {}; duplicate \
         index {}, search index {})",
        args.count,
        url.backend.name(),
        ctx.subject_id,
        ctx.first_counter,
        ctx.first_appeal_id,
        if dedup_index { "filled" } else { "not filled" },
        if args.search_index {
            "filled"
        } else {
            "not filled"
        }
    );
    let started = Instant::now();
    let batch_size = u64::try_from(args.batch.max(1))?;
    let count = args.count;
    let batches = count.div_ceil(batch_size);
    // Builder `t` builds batches t, t + builders, …; the writer takes them round-robin, in order.
    let builders: u64 = if dedup_index { 2 } else { 1 };
    // The database's own rules: band keys follow its `dedup_banding`.
    let rules = Rules::load(&mut conn)?;
    let written = std::thread::scope(|scope| -> Result<u64, BoxError> {
        let ctx = &ctx;
        let rules = &rules;
        let mut receivers = Vec::new();
        for t in 0..builders {
            let (sender, receiver) = mpsc::sync_channel::<Result<Batch, String>>(2);
            receivers.push(receiver);
            scope.spawn(move || {
                let mut k = t;
                while k < batches {
                    let from = k * batch_size;
                    let to = (from + batch_size).min(count);
                    let batch =
                        build_batch(rules, ctx, from, to, dedup_index).map_err(|e| e.to_string());
                    let failed = batch.is_err();
                    if sender.send(batch).is_err() || failed {
                        return;
                    }
                    k += builders;
                }
            });
        }
        let mut written = 0u64;
        let mut last_report = Instant::now();
        for k in 0..batches {
            let receiver = &receivers[usize::try_from(k % builders)?];
            let batch = receiver.recv().map_err(|_| "a batch builder stopped")??;
            match &mut conn {
                DbConn::Pg(c) => write_pg(c, &batch)?,
                DbConn::Sqlite(c) => write_sqlite(c, &batch)?,
            }
            written += batch.appeals.len() as u64;
            if last_report.elapsed().as_secs() >= 10 || written == count {
                let secs = started.elapsed().as_secs_f64();
                eprintln!(
                    "  {written}/{count} appeals, {secs:.0} s, {:.0} appeals/s",
                    written as f64 / secs
                );
                last_report = Instant::now();
            }
        }
        Ok(written)
    })?;
    if let DbConn::Pg(c) = &mut conn {
        // Explicit ids bypassed the identity sequences: move them past the seeded rows.
        for table in ["appeals", "appeal_applicants", "appeal_events"] {
            diesel::sql_query(format!(
                "SELECT setval(pg_get_serial_sequence('{table}', 'id'), \
                 (SELECT COALESCE(MAX(id), 1) FROM {table}))"
            ))
            .execute(c)?;
        }
        // VACUUM sets the visibility map, so the duplicate check's index-only scans skip the heap.
        diesel::sql_query("VACUUM ANALYZE").execute(c)?;
    }
    let secs = started.elapsed().as_secs_f64();
    println!(
        "seeded {written} appeals in {secs:.1} s ({:.0} appeals/s); registration counter now {}",
        written as f64 / secs,
        ctx.first_counter + i64::try_from(written)? - 1
    );
    Ok(())
}
