//! Benchmark of the duplicate check (issue 5, point 7) on PostgreSQL.
//!
//! Creates a fresh database, seeds `--n` synthetic appeals (about 3 per applicant, texts of
//! 300–5,000 characters) with their dedup keys straight through `COPY`, then measures:
//! the signature and the engine-only check; the whole check in process (indexed lookups +
//! verification); `POST /api/v1/duplicate-checks` and `POST /api/v1/appeals` through HTTP against a
//! release server; and, on the same texts, PostgreSQL `pg_trgm` (`similarity()` / `%` with a GIN
//! trigram index). Drops the database at the end unless `--keep`.
//!
//! ```text
//! cargo build --release -p appeals-api --bin appeals && cargo build --release -p appeals-bench --example dedup_bench
//! target/release/examples/dedup_bench --n 1000000
//! ```

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use appeals_api::auth::{JwtKeys, Role};
use appeals_db::{DbConn, DbUrl, repo};
use appeals_domain::dedup::{
    ApplicantKey, CandidateDocument, DedupSettings, Document, Fingerprint, MinHasher, check,
};
use appeals_service::duplicates::check::{PreparedCheck, index_keys, run_check};
use clap::Parser;
use diesel::connection::SimpleConnection;
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Double, Text};

#[derive(Parser, Debug)]
struct Args {
    /// Appeals to seed.
    #[arg(long, default_value_t = 100_000)]
    n: u64,
    /// Checks to time per measurement.
    #[arg(long, default_value_t = 1000)]
    queries: usize,
    /// Registrations to time through HTTP.
    #[arg(long, default_value_t = 500)]
    registrations: usize,
    /// Rows of the pg_trgm comparison table (the first rows of the same data; 0 = all).
    #[arg(long, default_value_t = 0)]
    trgm_rows: u64,
    /// pg_trgm queries to time.
    #[arg(long, default_value_t = 20)]
    trgm_queries: usize,
    /// A pg_trgm query still running after this many seconds is cancelled (`statement_timeout`)
    /// and reported as taking at least that long, so the comparison can run over all the data.
    #[arg(long, default_value_t = 600)]
    trgm_timeout_s: u64,
    /// Admin URL of the PostgreSQL server.
    #[arg(long, default_value = "postgres://postgres@127.0.0.1:5432/postgres")]
    pg: String,
    #[arg(long, default_value = "appeals_dedup_bench")]
    db: String,
    /// The release server binary.
    #[arg(long, default_value = "target/release/appeals")]
    server: String,
    #[arg(long, default_value = "127.0.0.1:18090")]
    bind: String,
    /// Keep the database afterwards.
    #[arg(long)]
    keep: bool,
    /// Use the existing database (seeded by an earlier `--keep` run).
    #[arg(long)]
    reuse: bool,
}

type Res<T> = Result<T, Box<dyn std::error::Error + Send + Sync>>;

/// splitmix64: a small deterministic generator (texts are regenerated from their seed).
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

const SYLLABLES: [&str; 40] = [
    "ка", "ро", "ми", "та", "не", "ло", "ва", "ре", "ди", "со", "пу", "жа", "ны", "ле", "зо", "ки",
    "ба", "ти", "мо", "ра", "го", "се", "ду", "ни", "ха", "пе", "ви", "до", "шу", "ля", "ст", "пр",
    "об", "ен", "ал", "ий", "ов", "ть", "ом", "ых",
];
const VOCABULARY: usize = 40_000;

struct Corpus {
    words: Vec<String>,
}

impl Corpus {
    fn new() -> Self {
        let mut rng = Rng(7);
        let words = (0..VOCABULARY)
            .map(|_| {
                let n = 2 + rng.below(3);
                (0..n)
                    .map(|_| SYLLABLES[rng.below(SYLLABLES.len())])
                    .collect()
            })
            .collect();
        Self { words }
    }

    /// A Zipf-like draw: common words often, rare words rarely.
    fn word(&self, rng: &mut Rng) -> &str {
        let u = rng.unit();
        &self.words[((u * u * u) * VOCABULARY as f64) as usize % VOCABULARY]
    }

    fn sentence(&self, rng: &mut Rng, topic: &[usize]) -> String {
        let n = 6 + rng.below(12);
        let mut s = String::new();
        for i in 0..n {
            let w = if i % 4 == 1 {
                &self.words[topic[rng.below(topic.len())]]
            } else {
                self.word(rng)
            };
            if i == 0 {
                let mut c = w.chars();
                if let Some(f) = c.next() {
                    s.extend(f.to_uppercase());
                    s.push_str(c.as_str());
                }
            } else {
                s.push(' ');
                s.push_str(w);
            }
        }
        s.push('.');
        s
    }

    /// Sentences of a text of 300–5,000 characters (mean ≈ 1,500).
    fn sentences(&self, rng: &mut Rng, topic: &[usize]) -> Vec<String> {
        let target = 300 + (4700.0 * rng.unit() * rng.unit()) as usize;
        let mut out = Vec::new();
        let mut len = 0;
        while len < target {
            let s = self.sentence(rng, topic);
            len += s.chars().count() + 1;
            out.push(s);
        }
        out
    }
}

fn join(sentences: &[String]) -> String {
    let mut t = String::new();
    for (i, s) in sentences.iter().enumerate() {
        if i > 0 {
            t.push(if i % 4 == 0 { '\n' } else { ' ' });
        }
        t.push_str(s);
    }
    t
}

const SURNAMES: [&str; 12] = [
    "Ахметов",
    "Сейтов",
    "Иванов",
    "Ким",
    "Нурланов",
    "Петров",
    "Абенов",
    "Жумабаев",
    "Омаров",
    "Смагулов",
    "Ли",
    "Касымов",
];
const NAMES: [&str; 10] = [
    "Ерлан",
    "Айгуль",
    "Динара",
    "Серик",
    "Алия",
    "Марат",
    "Асель",
    "Бауыржан",
    "Ольга",
    "Нурлан",
];

/// Applicant `a`: IIN for most, name + KATO for the rest.
fn applicant(a: u64) -> ApplicantKey {
    let mut rng = Rng(a.wrapping_mul(31).wrapping_add(5));
    let with_iin = !a.is_multiple_of(5);
    ApplicantKey {
        iin_bin: with_iin.then(|| format!("{:012}", 100_000_000_000 + a)),
        // A unique patronymic-like word keeps synthetic names distinct (R14 compares names).
        full_name: Some(format!(
            "{} {} N{a}",
            SURNAMES[rng.below(SURNAMES.len())],
            NAMES[rng.below(NAMES.len())],
        )),
        address: Some(format!("г. Алматы, ул. Абая, {}", 1 + a % 200)),
        kato_settlement: Some(format!("{:09}", 751_110_000 + a % 50)),
    }
}

/// The text of appeal `k` (0, 1, 2) of applicant `a`: the first is fresh; the second is a
/// shuffled copy of the first (30 %), the first plus a new paragraph (20 %) or fresh on the same
/// topic; the third is fresh on the same topic.
fn appeal_text(corpus: &Corpus, a: u64, k: u64) -> String {
    let mut trng = Rng(a ^ 0xA5A5_0000);
    let topic: Vec<usize> = (0..30).map(|_| trng.below(VOCABULARY)).collect();
    let mut first_rng = Rng(a.wrapping_mul(1_000_003));
    let first = corpus.sentences(&mut first_rng, &topic);
    if k == 0 {
        return join(&first);
    }
    let mut rng = Rng(a.wrapping_mul(1_000_003).wrapping_add(k));
    let roll = rng.unit();
    if k == 1 && roll < 0.3 {
        let mut copy = first.clone();
        for i in (1..copy.len()).rev() {
            copy.swap(i, rng.below(i + 1));
        }
        return join(&copy);
    }
    if k == 1 && roll < 0.5 {
        let mut copy = first.clone();
        copy.extend(corpus.sentences(&mut rng, &topic).into_iter().take(3));
        return join(&copy);
    }
    join(&corpus.sentences(&mut rng, &topic))
}

/// Applicant and appeal ordinal of seeded appeal `i` (ids 1..=n, 3 per applicant).
fn of(i: u64) -> (u64, u64) {
    ((i - 1) / 3, (i - 1) % 3)
}

fn copy_escape(s: &str, out: &mut String) {
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\t' => out.push_str("\\t"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            _ => out.push(c),
        }
    }
}

struct Chunk {
    appeals: String,
    signatures: String,
    bands: String,
    keys: String,
    chars: u64,
}

fn seed_chunk(corpus: &Corpus, settings: &DedupSettings, from: u64, to: u64) -> Res<Chunk> {
    let hasher = MinHasher::new(settings.signature)?;
    let mut c = Chunk {
        appeals: String::new(),
        signatures: String::new(),
        bands: String::new(),
        keys: String::new(),
        chars: 0,
    };
    let start = chrono::NaiveDate::from_ymd_opt(2025, 1, 1).ok_or("date")?;
    for i in from..to {
        let (a, k) = of(i);
        let text = appeal_text(corpus, a, k);
        c.chars += text.chars().count() as u64;
        let fp = Fingerprint::new(&text, &hasher);
        let applicants = vec![applicant(a)];
        let normalized: Vec<_> = applicants.iter().map(ApplicantKey::normalized).collect();
        // Registration dates spread over 2025–2026 in id order.
        let day = start + chrono::Duration::days(i64::try_from(i % 450)?);
        let subject = 1 + (a % 20);
        let ts = format!("{day} 05:00:00");
        c.appeals.push_str(&format!(
            "{i}\tЖТ-2026-{i:08}\t{i}\t{subject}\t{subject}\tregistered\tapplication\tapplication\t{ts}\t{ts}\t{day}\t{day}\t{day}\tt\tf\t1\t"
        ));
        copy_escape(&text, &mut c.appeals);
        c.appeals.push_str("\t{}\t{}\t{}\t1\t1\t");
        c.appeals.push_str(&ts);
        c.appeals.push('\n');
        c.signatures.push_str(&format!(
            "{i}\t\\\\x{}\t",
            hex::encode(fp.signature.to_bytes())
        ));
        copy_escape(&serde_json::to_string(&applicants)?, &mut c.signatures);
        c.signatures.push('\t');
        match appeals_service::duplicates::check::identity(&normalized) {
            Some(id) => copy_escape(&id, &mut c.signatures),
            None => c.signatures.push_str("\\N"),
        }
        c.signatures.push('\n');
        let mut bands = fp.band_keys(&settings.signature);
        bands.sort_unstable();
        bands.dedup();
        for b in bands {
            c.bands
                .push_str(&format!("{}\t{i}\n", i64::from_ne_bytes(b.to_ne_bytes())));
        }
        for (kind, key) in index_keys(&normalized) {
            c.keys.push_str(&kind);
            c.keys.push('\t');
            copy_escape(&key, &mut c.keys);
            c.keys.push_str(&format!("\t{i}\n"));
        }
    }
    Ok(c)
}

fn psql_copy(url: &str, copy: &str) -> Res<Child> {
    Ok(Command::new("psql")
        .arg(url)
        .args(["-q", "-v", "ON_ERROR_STOP=1", "-c", copy])
        .env("PGOPTIONS", "-c session_replication_role=replica")
        .stdin(Stdio::piped())
        .spawn()?)
}

fn seed(url: &str, n: u64, settings: &DedupSettings) -> Res<(f64, u64)> {
    let started = Instant::now();
    let mut copies = [
        psql_copy(
            url,
            "COPY appeals (id, reg_number, counter, subject_id, registered_by_subject_id, status, kind, document_type, received_at, registered_at, registration_date, review_due, forward_due, is_accountable, is_anonymous, applicant_count, text, card, state, details, version, created_by, updated_at) FROM STDIN",
        )?,
        psql_copy(
            url,
            "COPY appeal_dedup_signatures (appeal_id, signature, applicants, applicant_identity) FROM STDIN",
        )?,
        psql_copy(
            url,
            "COPY appeal_dedup_bands (band_key, appeal_id) FROM STDIN",
        )?,
        psql_copy(
            url,
            "COPY appeal_dedup_applicant_keys (key_kind, key, appeal_id) FROM STDIN",
        )?,
    ];
    let corpus = Corpus::new();
    let (tx, rx) = mpsc::sync_channel::<Res<Chunk>>(8);
    const CHUNK: u64 = 2000;
    let workers = 2u64;
    let mut chars = 0u64;
    std::thread::scope(|scope| -> Res<()> {
        for w in 0..workers {
            let tx = tx.clone();
            let corpus = &corpus;
            scope.spawn(move || {
                let mut from = 1 + w * CHUNK;
                while from <= n {
                    let to = (from + CHUNK).min(n + 1);
                    if tx.send(seed_chunk(corpus, settings, from, to)).is_err() {
                        return;
                    }
                    from += workers * CHUNK;
                }
            });
        }
        drop(tx);
        let mut pipes: Vec<_> = copies
            .iter_mut()
            .map(|c| c.stdin.take().ok_or("no stdin"))
            .collect::<Result<_, _>>()?;
        let mut done = 0u64;
        for chunk in rx {
            let chunk = chunk?;
            pipes[0].write_all(chunk.appeals.as_bytes())?;
            pipes[1].write_all(chunk.signatures.as_bytes())?;
            pipes[2].write_all(chunk.bands.as_bytes())?;
            pipes[3].write_all(chunk.keys.as_bytes())?;
            chars += chunk.chars;
            done += CHUNK;
            if done.is_multiple_of(100_000) {
                eprintln!("seeded {done} in {:.0} s", started.elapsed().as_secs_f64());
            }
        }
        drop(pipes);
        Ok(())
    })?;
    for c in &mut copies {
        if !c.wait()?.success() {
            return Err("COPY failed".into());
        }
    }
    Ok((started.elapsed().as_secs_f64(), chars))
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let idx = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[idx.min(sorted.len() - 1)]
}

fn report(name: &str, mut ms: Vec<f64>) {
    ms.sort_by(f64::total_cmp);
    let mean = ms.iter().sum::<f64>() / ms.len().max(1) as f64;
    println!(
        "| {name} | {} | {:.3} | {:.3} | {:.3} | {:.3} |",
        ms.len(),
        percentile(&ms, 0.5),
        percentile(&ms, 0.99),
        percentile(&ms, 1.0),
        mean
    );
}

/// A registration body: a repeat of a seeded applicant's first appeal (shuffled) or a fresh one.
fn query_body(corpus: &Corpus, n: u64, q: usize, fresh_base: u64) -> (serde_json::Value, Document) {
    let mut rng = Rng(0xBEEF + q as u64);
    let applicants = n / 3;
    let (a, text) = if q.is_multiple_of(2) && applicants > 0 {
        let a = rng.next() % applicants;
        let first = appeal_text(corpus, a, 0);
        let mut s: Vec<String> = first.split(". ").map(str::to_owned).collect();
        for i in (1..s.len()).rev() {
            s.swap(i, rng.below(i + 1));
        }
        (a, s.join(". "))
    } else {
        let a = fresh_base + q as u64;
        (a, appeal_text(corpus, a, 0))
    };
    let key = applicant(a);
    let name = key.full_name.clone().unwrap_or_default();
    let mut parts = name.split(' ');
    let body = serde_json::json!({
        "document_type": "application",
        "applicants": [{
            "category": "individual",
            "surname": parts.next(), "first_name": parts.next(), "patronymic": parts.next(),
            "address": {"region": "г. Алматы", "street": "ул. Абая", "house": (1 + a % 200).to_string(),
                        "settlement_kato": key.kato_settlement},
        }],
        "text": text,
        "receipt_form": "electronic",
        "language": "state",
        "received_at": "2026-03-05T04:15:00Z"
    });
    // IINs of the synthetic applicants have no valid check digit: the HTTP bodies identify the
    // applicant by name + KATO (R14's path without an IIN), the engine-only documents likewise.
    let doc = Document {
        text: body["text"].as_str().unwrap_or_default().to_owned(),
        applicants: vec![ApplicantKey {
            iin_bin: None,
            ..key
        }],
    };
    (body, doc)
}

/// One keep-alive HTTP/1.1 connection.
struct Http {
    stream: BufReader<TcpStream>,
    host: String,
}

impl Http {
    fn connect(bind: &str) -> Res<Self> {
        let stream = TcpStream::connect(bind)?;
        stream.set_nodelay(true)?;
        Ok(Self {
            stream: BufReader::new(stream),
            host: bind.to_owned(),
        })
    }

    fn post(&mut self, path: &str, token: &str, body: &[u8]) -> Res<(u16, Vec<u8>)> {
        let head = format!(
            "POST {path} HTTP/1.1\r\nHost: {}\r\nAuthorization: Bearer {token}\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n",
            self.host,
            body.len()
        );
        let s = self.stream.get_mut();
        s.write_all(head.as_bytes())?;
        s.write_all(body)?;
        let mut line = String::new();
        self.stream.read_line(&mut line)?;
        let status: u16 = line.split(' ').nth(1).ok_or("bad status line")?.parse()?;
        let mut length = 0usize;
        loop {
            line.clear();
            self.stream.read_line(&mut line)?;
            let l = line.trim_end();
            if l.is_empty() {
                break;
            }
            if let Some((k, v)) = l.split_once(':')
                && k.eq_ignore_ascii_case("content-length")
            {
                length = v.trim().parse()?;
            }
        }
        let mut buf = vec![0; length];
        self.stream.read_exact(&mut buf)?;
        Ok((status, buf))
    }
}

fn sizes(conn: &mut DbConn) -> Res<()> {
    #[derive(QueryableByName)]
    struct Size {
        #[diesel(sql_type = Text)]
        name: String,
        #[diesel(sql_type = BigInt)]
        bytes: i64,
    }
    let rows: Vec<Size> = diesel::sql_query(
        "SELECT c AS name, pg_total_relation_size(c)::bigint AS bytes FROM unnest(ARRAY[
            'appeal_dedup_signatures', 'appeal_dedup_bands', 'appeal_dedup_applicant_keys',
            'appeal_duplicate_links', 'appeals']) AS c",
    )
    .load(conn)?;
    for r in rows {
        println!(
            "| `{}` | {:.1} MiB |",
            r.name,
            r.bytes as f64 / 1024.0 / 1024.0
        );
    }
    Ok(())
}

fn main() -> Res<()> {
    let args = Args::parse();
    let settings = DedupSettings::default();
    let base = args.pg.rsplit_once('/').map_or(args.pg.as_str(), |p| p.0);
    let url = format!("{base}/{}", args.db);
    if !args.reuse {
        let mut admin = DbUrl::parse(&args.pg)?.establish()?;
        admin.batch_execute(&format!("DROP DATABASE IF EXISTS {}", args.db))?;
        admin.batch_execute(&format!("CREATE DATABASE {}", args.db))?;
    }
    let mut conn = DbUrl::parse(&url)?.establish()?;
    let n = if args.reuse {
        #[derive(QueryableByName)]
        struct Count {
            #[diesel(sql_type = BigInt)]
            n: i64,
        }
        let c: Count =
            diesel::sql_query("SELECT count(*)::bigint AS n FROM appeal_dedup_signatures")
                .get_result(&mut conn)?;
        u64::try_from(c.n)?
    } else {
        appeals_db::migrate::run(&mut conn)?;
        for s in 1..=20 {
            repo::subjects::insert(
                &mut conn,
                &appeals_db::rows::NewSubjectRow {
                    code: format!("S{s}"),
                    name_ru: format!("Субъект {s}"),
                    name_kk: None,
                    parent_id: None,
                    kato_code: None,
                    is_authorized_body: false,
                    created_at: appeals_db::now_utc(),
                    report_row_code: None,
                },
            )?;
        }
        appeals_api::cli::create_user(
            &mut conn,
            "bench",
            "S1",
            &[Role::Registrar],
            Some("Бенчев Бенч".to_owned()),
            "password-1234",
        )?;
        // Bulk load: secondary structures are built once after the data (faster than per row).
        conn.batch_execute(
            "ALTER TABLE appeal_dedup_bands DROP CONSTRAINT appeal_dedup_bands_pkey;
             ALTER TABLE appeal_dedup_applicant_keys DROP CONSTRAINT appeal_dedup_applicant_keys_pkey;",
        )?;
        eprintln!("seeding {} appeals into {}", args.n, args.db);
        let (secs, chars) = seed(&url, args.n, &settings)?;
        println!(
            "seeded {} appeals ({:.0} chars mean) in {:.1} s: {:.0} appeals/s",
            args.n,
            chars as f64 / args.n.max(1) as f64,
            secs,
            args.n as f64 / secs
        );
        let t = Instant::now();
        conn.batch_execute(&format!(
            "SET maintenance_work_mem = '1GB';
             ALTER TABLE appeal_dedup_bands ADD PRIMARY KEY (band_key, appeal_id);
             ALTER TABLE appeal_dedup_applicant_keys ADD PRIMARY KEY (key_kind, key, appeal_id);
             SELECT setval(pg_get_serial_sequence('appeals', 'id'), {n});
             UPDATE counters SET value = {n} WHERE name = 'registration';
             SELECT setval('registration_number_seq', {n});
             ANALYZE;",
            n = args.n.max(1)
        ))?;
        println!(
            "indexes + ANALYZE after load: {:.1} s",
            t.elapsed().as_secs_f64()
        );
        args.n
    };
    println!("\n## Sizes at N = {n}\n");
    sizes(&mut conn)?;

    let corpus = Corpus::new();
    let fresh_base = n / 3 + 10_000_000;
    let queries: Vec<(serde_json::Value, Document)> = (0..args.queries)
        .map(|q| query_body(&corpus, n, q, fresh_base))
        .collect();

    // Engine and in-process check.
    println!("\n## Timings at N = {n} (ms)\n");
    println!("| What | count | p50 | p99 | max | mean |\n|---|---|---|---|---|---|");
    let hasher = MinHasher::new(settings.signature)?;
    let mut sign = Vec::new();
    let mut prepare = Vec::new();
    let mut full = Vec::new();
    let mut engine = Vec::new();
    let mut verdicts = std::collections::BTreeMap::<String, usize>::new();
    let mut candidates_seen = Vec::new();
    for (body, doc) in &queries {
        let t = Instant::now();
        let fp = Fingerprint::new(&doc.text, &hasher);
        sign.push(t.elapsed().as_secs_f64() * 1e3);
        std::hint::black_box(fp);
        let register: appeals_api::dto::RegisterAppeal = serde_json::from_value(body.clone())?;
        let t = Instant::now();
        let applicants: Vec<appeals_service::applicants::ApplicantEntry> =
            register.applicants.into_iter().map(Into::into).collect();
        let prepared = PreparedCheck::new(&register.text, &applicants, &settings)
            .map_err(|e| format!("{e:?}"))?;
        prepare.push(t.elapsed().as_secs_f64() * 1e3);
        let t = Instant::now();
        let outcome =
            run_check(&mut conn, &prepared, &settings, None).map_err(|e| format!("{e:?}"))?;
        full.push(t.elapsed().as_secs_f64() * 1e3);
        *verdicts
            .entry(format!("{:?}", outcome.verdict))
            .or_default() += 1;
        candidates_seen.push(outcome.candidates.len() as f64);
        // Engine only: `check` over the verified candidates' texts and applicants.
        let ids: Vec<i64> = outcome.candidates.iter().map(|c| c.card.id).collect();
        let stored = repo::duplicates::signatures(&mut conn, &ids)?;
        let texts = repo::duplicates::candidate_cards(&mut conn, &ids)?;
        let docs: Vec<CandidateDocument> = outcome
            .candidates
            .iter()
            .map(|c| {
                let text = texts
                    .iter()
                    .find(|t| t.id == c.card.id)
                    .map(|t| t.text.clone())
                    .unwrap_or_default();
                let applicants = stored
                    .iter()
                    .find(|s| s.appeal_id == c.card.id)
                    .and_then(|s| serde_json::from_str(&s.applicants).ok())
                    .unwrap_or_default();
                CandidateDocument {
                    id: c.card.id.to_string(),
                    document: Document { text, applicants },
                }
            })
            .collect();
        let t = Instant::now();
        std::hint::black_box(check(doc, &docs, &settings)?);
        engine.push(t.elapsed().as_secs_f64() * 1e3);
    }
    report("signature (normalise + features + MinHash), engine", sign);
    report("engine-only `check` over the verified candidates", engine);
    report("PreparedCheck::new (before the transaction)", prepare);
    report(
        "run_check in process (indexed lookups + verification)",
        full,
    );
    let mean_candidates = candidates_seen.iter().sum::<f64>() / candidates_seen.len().max(1) as f64;
    println!("\nverdicts: {verdicts:?}; verified candidates per check: mean {mean_candidates:.1}");

    // HTTP against the release server.
    let secret = "dedup-bench-secret-dedup-bench-secret!!";
    let mut server = Command::new(&args.server)
        .arg("serve")
        .env("DATABASE_URL", &url)
        .env("BIND", &args.bind)
        .env("APPEALS_JWT_SECRET", secret)
        .env("APPEALS_SEARCH_KEY", secret)
        .env("APPEALS_SEALING_KEY", secret)
        .env("APPEALS_LOG_FORMAT", "json")
        .env("RUST_LOG", "warn")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()?;
    let http_result = (|| -> Res<()> {
        let mut http = None;
        for _ in 0..100 {
            if let Ok(h) = Http::connect(&args.bind) {
                http = Some(h);
                break;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        let mut http = http.ok_or("server did not start")?;
        let user = repo::users::find_by_username(&mut conn, "bench")?.ok_or("no bench user")?;
        let token = JwtKeys::new(secret.as_bytes(), 3600)
            .issue(
                user.id,
                user.subject_id,
                &[Role::Registrar],
                user.token_generation,
                chrono::Utc::now().timestamp(),
            )
            .map_err(|e| format!("{e:?}"))?;
        let bodies: Vec<Vec<u8>> = queries
            .iter()
            .map(|(b, _)| serde_json::to_vec(b))
            .collect::<Result<_, _>>()?;
        // Warm-up.
        for b in bodies.iter().take(50) {
            http.post("/api/v1/duplicate-checks", &token, b)?;
        }
        let mut lat = Vec::new();
        for b in &bodies {
            let t = Instant::now();
            let (status, resp) = http.post("/api/v1/duplicate-checks", &token, b)?;
            lat.push(t.elapsed().as_secs_f64() * 1e3);
            if status != 200 {
                return Err(format!("{status}: {}", String::from_utf8_lossy(&resp)).into());
            }
        }
        println!("\n| What | count | p50 | p99 | max | mean |\n|---|---|---|---|---|---|");
        report("POST /api/v1/duplicate-checks (HTTP, 1 connection)", lat);
        let mut lat = Vec::new();
        let t0 = Instant::now();
        for b in bodies.iter().take(args.registrations) {
            let t = Instant::now();
            let (status, resp) = http.post("/api/v1/appeals", &token, b)?;
            lat.push(t.elapsed().as_secs_f64() * 1e3);
            if status != 201 {
                return Err(format!("{status}: {}", String::from_utf8_lossy(&resp)).into());
            }
        }
        let secs = t0.elapsed().as_secs_f64();
        let count = lat.len();
        report(
            "POST /api/v1/appeals with the check (HTTP, 1 connection)",
            lat,
        );
        println!(
            "\nregistration throughput, 1 connection: {:.0}/s",
            count as f64 / secs
        );
        Ok(())
    })();
    let _ = server.kill();
    let _ = server.wait();
    http_result?;

    // pg_trgm on the same texts.
    let trgm_rows = if args.trgm_rows == 0 {
        n
    } else {
        args.trgm_rows.min(n)
    };
    conn.batch_execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")?;
    let t = Instant::now();
    conn.batch_execute(&format!(
        "SET maintenance_work_mem = '1GB';
         DROP TABLE IF EXISTS trgm_texts;
         CREATE TABLE trgm_texts AS SELECT id, text FROM appeals WHERE id <= {trgm_rows};
         CREATE INDEX trgm_texts_gin ON trgm_texts USING gin (text gin_trgm_ops);
         ANALYZE trgm_texts;"
    ))?;
    println!(
        "\npg_trgm: table of {trgm_rows} texts + GIN trigram index built in {:.1} s",
        t.elapsed().as_secs_f64()
    );
    #[derive(QueryableByName)]
    struct Hit {
        #[diesel(sql_type = BigInt)]
        #[allow(dead_code)]
        id: i64,
        #[diesel(sql_type = Double)]
        #[allow(dead_code)]
        sim: f64,
    }
    let mut lat = Vec::new();
    let mut cancelled = 0;
    conn.batch_execute(&format!(
        "SET statement_timeout = '{}s'",
        args.trgm_timeout_s
    ))?;
    for (_, doc) in queries.iter().take(args.trgm_queries) {
        let t = Instant::now();
        let hits: Result<Vec<Hit>, _> = diesel::sql_query(
            "SELECT id, similarity(text, $1)::float8 AS sim FROM trgm_texts WHERE text % $1 ORDER BY sim DESC LIMIT 10",
        )
        .bind::<Text, _>(&doc.text)
        .load(&mut conn);
        match hits {
            Ok(hits) => {
                std::hint::black_box(hits);
            }
            // A cancelled query counts with the time it was given: a lower bound.
            Err(diesel::result::Error::DatabaseError(_, info))
                if info.message().contains("statement timeout") =>
            {
                cancelled += 1;
            }
            Err(e) => return Err(e.into()),
        }
        lat.push(t.elapsed().as_secs_f64() * 1e3);
    }
    conn.batch_execute("RESET statement_timeout")?;
    if cancelled > 0 {
        println!(
            "pg_trgm: {cancelled} of {} queries cancelled after {} s (counted as {} s)",
            lat.len(),
            args.trgm_timeout_s,
            args.trgm_timeout_s
        );
    }
    println!("\n| What | count | p50 | p99 | max | mean |\n|---|---|---|---|---|---|");
    report(
        &format!("pg_trgm `%` + similarity() over {trgm_rows} texts (GIN)"),
        lat,
    );
    #[derive(QueryableByName)]
    struct Size {
        #[diesel(sql_type = BigInt)]
        bytes: i64,
    }
    let s: Size = diesel::sql_query("SELECT pg_relation_size('trgm_texts_gin')::bigint AS bytes")
        .get_result(&mut conn)?;
    println!(
        "pg_trgm GIN index: {:.1} MiB",
        s.bytes as f64 / 1024.0 / 1024.0
    );

    drop(conn);
    if !args.keep {
        let mut admin = DbUrl::parse(&args.pg)?.establish()?;
        admin.batch_execute(&format!("DROP DATABASE IF EXISTS {} WITH (FORCE)", args.db))?;
    }
    Ok(())
}
