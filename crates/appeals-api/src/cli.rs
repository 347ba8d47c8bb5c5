//! The `appeals` command line: configuration from the environment and the subcommands.

use std::io::Read;
use std::process::ExitCode;

use actix_web::{HttpServer, web};
use appeals_service::console;
use appeals_service::store::{self, DbConn, DbUrl};
use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::auth::{JwtKeys, Role};
use crate::state::AppState;

const ENV_HELP: &str = "\
Environment:
  DATABASE_URL          sqlite://PATH (default sqlite://data/appeals.db) or postgres://… / postgresql://…
  BIND                  listen address (default 127.0.0.1:8080)
  APPEALS_JWT_SECRET    token signing secret, at least 32 bytes (required when APPEALS_ENV=prod)
  APPEALS_SEALING_KEY   key sealing the webhook secrets stored in the database, at least 32 bytes,
                        the same in every process; required when APPEALS_ENV=prod
  APPEALS_PREVIOUS_SEALING_KEY  while the sealing key changes: the key before it; secrets open
                        under either and are sealed again under the new key when serve or worker
                        starts (unset it once every process runs with the new key)
  APPEALS_SEARCH_KEY    key of the search index's IIN/BIN hashes, at least 32 bytes, the same in
                        every process (required when APPEALS_ENV=prod)
  APPEALS_POOL_SIZE     database connections per process (default 16)
  APPEALS_DB_CONCURRENCY  database tasks run at once per process, the others wait in arrival
                        order (default 0: four per CPU, at most APPEALS_POOL_SIZE)
  APPEALS_DB_STATEMENT_TIMEOUT  seconds a statement of `serve` or `worker` may run on PostgreSQL
                        before it is cancelled and the request answers 503 (default 30; 0: none)
  APPEALS_LOG_FORMAT    text | json (default text); RUST_LOG sets the level (default info)
  APPEALS_ENV           prod (default) | dev (a signing secret is generated per start)
  APPEALS_CORS_ORIGINS  comma-separated browser origins allowed to call the API (default none)
  APPEALS_TOKEN_TTL     access token lifetime in seconds (default 900)
  APPEALS_PASSWORD      password for `user create` (else read from stdin; never from argv)
  APPEALS_REGISTRY      local (default: the copy loaded with `registry import`) | http (the gateway)
  APPEALS_REGISTRY_URL  http(s)://host[:port][/prefix] of the person/company registry gateway
                        (required with APPEALS_REGISTRY=http; GET …/persons/{iin}, …/companies/{bin})
  APPEALS_REGISTRY_CA_FILE  PEM bundle of the gateway's CA (required for https://)
  APPEALS_REGISTRY_CLIENT_CERT, APPEALS_REGISTRY_CLIENT_KEY  PEM client certificate and key for
                        mutual TLS with the gateway (optional)
  APPEALS_METRICS_TOKEN bearer token of the Prometheus scraper for GET /metrics (default: none,
                        then loopback clients only)
  APPEALS_WEBHOOK_WORKER  on: `serve` also delivers webhook events (else run `appeals worker`)
  APPEALS_WEBHOOK_LEASE_SECONDS, APPEALS_WEBHOOK_RETRY_HOURS  webhook worker lease (30) and
                        retry window (24 h) before an event is parked
  APPEALS_EDS_TRUST_ANCHORS  PEM bundle of the certificates trusted for EDS signatures (НУЦ РК
                        root and intermediates; none built in; docs/access.md)";

/// appeals — registration and accounting of appeals to state bodies (IAS «Электронные обращения»).
#[derive(Debug, Parser)]
#[command(name = "appeals", version, after_help = ENV_HELP)]
pub struct Cli {
    #[command(flatten)]
    pub config: Config,
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Environment {
    Prod,
    Dev,
}

/// Which adapter answers state registry lookups (R20).
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum RegistryKind {
    /// The local copy in `registry_records` (`appeals registry import`).
    Local,
    /// The registry gateway at `APPEALS_REGISTRY_URL`.
    Http,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum LogFormat {
    Text,
    Json,
}

/// Settings read from the environment (flags override them).
#[derive(Debug, Clone, Args)]
pub struct Config {
    #[arg(
        long,
        env = "DATABASE_URL",
        default_value = "sqlite://data/appeals.db",
        global = true
    )]
    pub database_url: String,
    #[arg(long, env = "BIND", default_value = "127.0.0.1:8080", global = true)]
    pub bind: String,
    #[arg(
        long,
        env = "APPEALS_JWT_SECRET",
        hide_env_values = true,
        global = true
    )]
    pub jwt_secret: Option<String>,
    #[arg(
        long,
        env = "APPEALS_SEARCH_KEY",
        hide_env_values = true,
        global = true
    )]
    pub search_key: Option<String>,
    #[arg(
        long,
        env = "APPEALS_SEALING_KEY",
        hide_env_values = true,
        global = true
    )]
    pub sealing_key: Option<String>,
    #[arg(
        long,
        env = "APPEALS_PREVIOUS_SEALING_KEY",
        hide_env_values = true,
        global = true
    )]
    pub previous_sealing_key: Option<String>,
    #[arg(long, env = "APPEALS_POOL_SIZE", default_value_t = 16, global = true)]
    pub pool_size: u32,
    #[arg(
        long,
        env = "APPEALS_DB_CONCURRENCY",
        default_value_t = 0,
        global = true
    )]
    pub db_concurrency: u32,
    #[arg(
        long,
        env = "APPEALS_DB_STATEMENT_TIMEOUT",
        default_value_t = 30,
        global = true
    )]
    pub db_statement_timeout: u64,
    #[arg(
        long,
        env = "APPEALS_LOG_FORMAT",
        value_enum,
        default_value = "text",
        global = true
    )]
    pub log_format: LogFormat,
    #[arg(
        long = "env",
        env = "APPEALS_ENV",
        value_enum,
        default_value = "prod",
        global = true
    )]
    pub environment: Environment,
    #[arg(long, env = "APPEALS_CORS_ORIGINS", default_value = "", global = true)]
    pub cors_origins: String,
    #[arg(long, env = "APPEALS_TOKEN_TTL", default_value_t = 900, global = true)]
    pub token_ttl: i64,
    #[arg(
        long,
        env = "APPEALS_REGISTRY",
        value_enum,
        default_value = "local",
        global = true
    )]
    pub registry: RegistryKind,
    #[arg(long, env = "APPEALS_REGISTRY_URL", global = true)]
    pub registry_url: Option<String>,
    /// PEM bundle of the CA that signs an https:// registry gateway's certificate.
    #[arg(long, env = "APPEALS_REGISTRY_CA_FILE", global = true)]
    pub registry_ca_file: Option<std::path::PathBuf>,
    /// Client certificate (PEM, with its chain) for mutual TLS with the registry gateway.
    #[arg(long, env = "APPEALS_REGISTRY_CLIENT_CERT", global = true)]
    pub registry_client_cert: Option<std::path::PathBuf>,
    /// The client certificate's private key (PEM).
    #[arg(long, env = "APPEALS_REGISTRY_CLIENT_KEY", global = true)]
    pub registry_client_key: Option<std::path::PathBuf>,
    /// PEM bundle of the certificates trusted for EDS signatures (НУЦ РК root and intermediates);
    /// none built in: without it every signed access application is refused (docs/access.md).
    #[arg(long, env = "APPEALS_EDS_TRUST_ANCHORS", global = true)]
    pub eds_trust_anchors: Option<std::path::PathBuf>,
    /// The bearer token a Prometheus scraper sends to `GET /metrics` (else loopback only).
    #[arg(
        long,
        env = "APPEALS_METRICS_TOKEN",
        global = true,
        hide_env_values = true
    )]
    pub metrics_token: Option<String>,
    /// Seconds a webhook worker leases a subscription; a killed worker is replaced after it.
    #[arg(
        long,
        env = "APPEALS_WEBHOOK_LEASE_SECONDS",
        default_value_t = 30,
        global = true
    )]
    pub webhook_lease_seconds: i64,
    /// Hours an undeliverable event is retried (exponential back-off with jitter, from 1 s to
    /// 10 min) before it is parked as failed and replayable.
    #[arg(
        long,
        env = "APPEALS_WEBHOOK_RETRY_HOURS",
        default_value_t = 24,
        global = true
    )]
    pub webhook_retry_hours: i64,
    /// Benchmarks only (APPEALS_ENV=dev): register without the p.13 duplicate check, to measure
    /// what the check costs. Appeals registered so are not in the duplicate index.
    #[arg(
        long,
        env = "APPEALS_BENCH_SKIP_DUPLICATE_CHECK",
        default_value_t = false,
        global = true,
        hide = true
    )]
    pub bench_skip_duplicate_check: bool,
}

/// Minimum length of the signing secret in production.
pub const MIN_SECRET_BYTES: usize = 32;

impl Config {
    pub fn db_url(&self) -> Result<DbUrl, String> {
        DbUrl::parse(&self.database_url).map_err(|e| e.to_string())
    }

    /// `APPEALS_DB_STATEMENT_TIMEOUT` as the pool takes it (0: none).
    pub fn statement_timeout(&self) -> Option<std::time::Duration> {
        (self.db_statement_timeout > 0)
            .then(|| std::time::Duration::from_secs(self.db_statement_timeout))
    }

    pub fn cors_origin_list(&self) -> Vec<String> {
        self.cors_origins
            .split(',')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
            .collect()
    }

    /// The signing secret: required (≥ 32 bytes) in prod; generated per start in dev.
    pub fn signing_secret(&self) -> Result<Vec<u8>, String> {
        match (&self.jwt_secret, self.environment) {
            (Some(s), _) if s.len() >= MIN_SECRET_BYTES => Ok(s.as_bytes().to_vec()),
            (Some(_), Environment::Prod) | (None, Environment::Prod) => Err(format!(
                "APPEALS_JWT_SECRET must be set to at least {MIN_SECRET_BYTES} bytes when APPEALS_ENV=prod"
            )),
            (_, Environment::Dev) => Ok(rand::random::<[u8; 32]>().to_vec()),
        }
    }
}

impl Config {
    /// The key of the search index's IIN/BIN hashes: required (≥ 32 bytes) in prod, where every
    /// process of a deployment must share it; a fixed development key in dev.
    pub fn search_key(&self) -> Result<Option<Vec<u8>>, String> {
        self.deployment_key(
            self.search_key.as_deref(),
            "APPEALS_SEARCH_KEY",
            "it keys the IIN/BIN hashes of the search index",
        )
    }

    /// A key every process of a deployment shares: the given one when long enough; in prod an
    /// error naming the variable when it is missing or short; in dev `None` (a fixed development
    /// key is used).
    fn deployment_key(
        &self,
        value: Option<&str>,
        variable: &str,
        purpose: &str,
    ) -> Result<Option<Vec<u8>>, String> {
        match (value, self.environment) {
            (Some(k), _) if k.len() >= MIN_SECRET_BYTES => Ok(Some(k.as_bytes().to_vec())),
            (_, Environment::Prod) => Err(format!(
                "{variable} must be set to at least {MIN_SECRET_BYTES} bytes when APPEALS_ENV=prod \
                 (the same in every process: {purpose})"
            )),
            (_, Environment::Dev) => Ok(None),
        }
    }

    /// The key that seals the webhook subscriptions' secrets in the database: required (≥ 32
    /// bytes) in prod, where every process must open what the others sealed; a fixed development
    /// key in dev.
    pub fn sealing_key(&self) -> Result<Option<Vec<u8>>, String> {
        self.deployment_key(
            self.sealing_key.as_deref(),
            "APPEALS_SEALING_KEY",
            "it seals the webhook secrets stored in the database",
        )
    }

    /// Installs the sealing key in this process (for the processes that create or sign with
    /// webhook secrets: `serve`, `worker`).
    fn install_sealing_key(&self) -> Result<(), String> {
        if let Some(key) = self.sealing_key()? {
            appeals_service::webhooks::install_sealing_key(key);
        }
        if let Some(previous) = &self.previous_sealing_key {
            if previous.len() < MIN_SECRET_BYTES {
                return Err(format!(
                    "APPEALS_PREVIOUS_SEALING_KEY must be at least {MIN_SECRET_BYTES} bytes \
                     (the key the secrets were sealed under)"
                ));
            }
            appeals_service::webhooks::install_previous_sealing_key(previous.as_bytes().to_vec());
        }
        Ok(())
    }

    /// Installs the search key in this process (for commands that write or search cards).
    fn install_search_key(&self) -> Result<(), String> {
        if let Some(key) = self.search_key()? {
            appeals_service::cards::search_index::install_key(key);
        }
        Ok(())
    }
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// The local copy of the state person/company registry (З-1 auto-fill, R20).
    #[command(subcommand)]
    Registry(RegistryCommand),
    /// The KATO classifier (R49; docs/reception.md).
    #[command(subcommand)]
    Kato(KatoCommand),
    /// Run the HTTP server (the default). Migrations run first.
    Serve(ServeArgs),
    /// Deliver webhook events (any number of processes on one PostgreSQL database; on SQLite run
    /// one). Runs until stopped.
    Worker,
    /// Apply pending database migrations and exit.
    Migrate,
    /// Print the OpenAPI document (what `make openapi` commits).
    Openapi,
    /// Print the access matrix (role × action × scope, and each route's action) as Markdown, the
    /// generated part of docs/security.md.
    AccessMatrix,
    /// Manage subjects (state bodies).
    #[command(subcommand)]
    Subject(SubjectCommand),
    /// Manage users and integration clients.
    #[command(subcommand)]
    User(UserCommand),
    /// Check the integrity of the history.
    #[command(subcommand)]
    Audit(AuditCommand),
    /// How registration numbers are allocated (R3; docs/registration.md, "Numbering").
    #[command(subcommand)]
    Numbering(NumberingCommand),
    /// The duplicate check's index (Rules p.13; docs/performance.md, "Banding").
    #[command(subcommand)]
    Dedup(DedupCommand),
    /// The full-text search index (GET /api/v1/appeals/search).
    #[command(subcommand)]
    Search(SearchCommand),
    /// Print the built-in working-day calendar's exceptions: every working Saturday/Sunday (`W`)
    /// and non-working weekday (`O`) from FROM to TO, one `YYYY-MM-DD W|O` line each (what
    /// `scripts/calendar-peer.py` compares with an independent calendar).
    CalendarDays {
        #[arg(long, default_value_t = 2018)]
        from: i32,
        #[arg(long, default_value_t = 2030)]
        to: i32,
    },
    /// The counts of report 1-ОЛ (p.32; docs/reports.md).
    #[command(subcommand)]
    Report(ReportCommand),
    /// R21: whether an applicant address that differs from the postal address in the appeal, not
    /// reconciled, holds up the first decision (`blocks_final_act`, the default) or is only shown
    /// (`advisory`). Running servers pick it up when they reload their configuration.
    AddressReconciliation {
        #[arg(long)]
        policy: String,
    },
}

#[derive(Debug, Subcommand)]
pub enum SearchCommand {
    /// Rebuild the search index from the stored cards, in one transaction (needs the same
    /// APPEALS_SEARCH_KEY as the servers).
    Reindex,
}

#[derive(Debug, Subcommand)]
pub enum DedupCommand {
    /// Print the LSH banding the index was built with (`{bands}x{rows}`) and how many bands a
    /// named applicant's check probes for other applicants' near-copies.
    Show,
    /// How many bands (the first ones) a named applicant's check probes for other applicants'
    /// near-copies of the text (listed as `new`, never a duplicate): 0 turns that lookup off, the
    /// banding's band count probes all. Anonymous appeals always probe every band. Takes effect in
    /// running servers when they reload their configuration; nothing is re-indexed.
    ProbeOthers {
        #[arg(long)]
        bands: u16,
    },
    /// Whether the check reads signals of new substance — a cited norm, a new date, sum or
    /// document number, a named document, a changed request — that make a repeat at most
    /// `related` (p.2(2)); `off` judges by word overlap alone. Default `on`. Takes effect in
    /// running servers when they reload their configuration.
    SubstanceSignals {
        #[arg(value_parser = ["on", "off"])]
        state: String,
    },
    /// Recompute every band key from the stored signatures with another banding, in one
    /// transaction (texts are not re-read). Run it with the servers stopped: a process that has not
    /// reloaded its configuration yet would index new appeals with the old banding.
    Reindex {
        /// LSH bands `b` (default: this build's, 16).
        #[arg(long, default_value_t = appeals_domain::dedup::SignatureParams::default().bands)]
        bands: u16,
        /// MinHash values per band `r` (default: this build's, 3); `b·r` must not exceed 128.
        #[arg(long, default_value_t = appeals_domain::dedup::SignatureParams::default().rows)]
        rows: u16,
    },
}

#[derive(Debug, Subcommand)]
pub enum NumberingCommand {
    /// Print the current mode.
    Show,
    /// Switch the mode (both number sources are moved past every number issued; run it with the
    /// servers stopped, or they keep the old mode until their next configuration reload).
    Set {
        #[arg(value_enum)]
        mode: NumberingModeArg,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum NumberingModeArg {
    /// One counter row locked until commit: no holes; registrations commit one at a time.
    Gapless,
    /// A PostgreSQL sequence: parallel registrations; a failed one may leave a hole.
    Sequence,
}

impl From<NumberingModeArg> for appeals_domain::regnum::NumberingMode {
    fn from(m: NumberingModeArg) -> Self {
        match m {
            NumberingModeArg::Gapless => Self::Gapless,
            NumberingModeArg::Sequence => Self::Sequence,
        }
    }
}

#[derive(Debug, Subcommand)]
pub enum AuditCommand {
    /// Recompute every appeal's hash chain; report the first broken link and exit non-zero.
    Verify,
}

#[derive(Debug, Default, Args)]
pub struct ServeArgs {
    /// On an empty database, create a demo subject and users (APPEALS_ENV=dev only).
    #[arg(long, env = "APPEALS_SEED_DEMO")]
    pub seed_demo: bool,
    /// Seconds between background folds of the 1-ОЛ count changes (0: none in this process —
    /// then run `appeals report fold` or another server folds; reports are exact either way).
    #[arg(long, env = "APPEALS_REPORT_FOLD_SECONDS", default_value_t = 5)]
    pub report_fold_seconds: u64,
    /// Also deliver webhook events on a thread of this server (else run `appeals worker`).
    #[arg(long, env = "APPEALS_WEBHOOK_WORKER", default_value_t = false)]
    pub webhook_worker: bool,
}

#[derive(Debug, Subcommand)]
pub enum ReportCommand {
    /// Recount every card into the kept counts (recovery). Card changes wait while it runs.
    Rebuild,
    /// Fold the appended count changes now (the server does it in the background) and add the
    /// revisions of closed months they changed.
    Fold,
    /// Compare the kept counts with a recount from the cards; exit 1 on any difference.
    Verify,
}

#[derive(Debug, Subcommand)]
pub enum SubjectCommand {
    /// Create a subject.
    Create {
        #[arg(long)]
        code: String,
        #[arg(long)]
        name_ru: String,
        #[arg(long)]
        name_kk: Option<String>,
        /// The subject is the authorized body (КПСиСУ): its analysts read all subjects.
        #[arg(long)]
        authorized_body: bool,
        /// Code of the parent subject.
        #[arg(long)]
        parent: Option<String>,
        /// KATO code (9 digits).
        #[arg(long)]
        kato: Option<String>,
        /// Whether forwarding and extension approvals must be EDS-signed (default: required).
        #[arg(long)]
        signature_required: Option<bool>,
        /// Row code in report 1-ОЛ (the subject code when not given).
        #[arg(long)]
        row_code: Option<String>,
    },
}

#[derive(Debug, Subcommand)]
pub enum UserCommand {
    /// Create a user; the password is read from APPEALS_PASSWORD or else stdin.
    Create {
        #[arg(long)]
        username: String,
        /// Code of the user's subject.
        #[arg(long)]
        subject: String,
        /// Role (repeat for several): registrar, executor, head, deputy_head, controller,
        /// reception_secretary, analyst, admin, integration.
        #[arg(long = "role", required = true, value_parser = clap::builder::ValueParser::new(|s: &str| s.parse::<Role>()))]
        roles: Vec<Role>,
        #[arg(long)]
        full_name: Option<String>,
    },
}

#[derive(Debug, Subcommand)]
pub enum RegistryCommand {
    /// Load persons and companies from a CSV file (header row; columns in docs/integrations.md)
    /// into the local registry; a record with the same IIN/BIN is replaced. Any invalid row fails
    /// the whole import (nothing is written) unless --skip-invalid is given.
    Import {
        /// The CSV file.
        file: std::path::PathBuf,
        /// Label stored with each record (default: the file name).
        #[arg(long)]
        source: Option<String>,
        /// Import the valid rows and report the invalid ones instead of failing.
        #[arg(long)]
        skip_invalid: bool,
    },
}

#[derive(Debug, Subcommand)]
pub enum KatoCommand {
    /// Load the KATO classifier from its CSV file (the Bureau of National Statistics' layout:
    /// `te;ab;cd;ef;hij;k;name_kaz;name_rus;nn`); an object with the same code is replaced. An
    /// invalid row fails the whole import (nothing is written).
    Import {
        /// The CSV file.
        file: std::path::PathBuf,
    },
}

/// Entry point of the binary.
pub fn main() -> ExitCode {
    let cli = Cli::parse();
    init_logging(cli.config.log_format);
    match run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("error: {message}");
            ExitCode::FAILURE
        }
    }
}

fn init_logging(format: LogFormat) {
    let mut filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    // The HTTP client logs request URLs at debug level, and registry URLs carry IIN/BIN: keep it
    // at warn whatever RUST_LOG says.
    for directive in ["ureq=warn", "ureq_proto=warn"] {
        if let Ok(d) = directive.parse() {
            filter = filter.add_directive(d);
        }
    }
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    let _ = match format {
        LogFormat::Json => builder.json().try_init(),
        LogFormat::Text => builder.try_init(),
    };
}

fn run(cli: Cli) -> Result<(), String> {
    let config = cli.config;
    match cli.command.unwrap_or(Command::Serve(ServeArgs::default())) {
        Command::AccessMatrix => {
            print!("{}", crate::guard::security_markdown());
            Ok(())
        }
        Command::Openapi => {
            let json =
                crate::openapi::to_pretty_json(&crate::openapi()).map_err(|e| e.to_string())?;
            print!("{json}");
            Ok(())
        }
        Command::Migrate => {
            let mut conn = open(&config)?;
            let applied = store::migrate(&mut conn).map_err(|e| e.to_string())?;
            println!("applied {applied} migration(s)");
            Ok(())
        }
        Command::Subject(SubjectCommand::Create {
            code,
            name_ru,
            name_kk,
            authorized_body,
            parent,
            kato,
            row_code,
            signature_required,
        }) => {
            let mut conn = open_migrated(&config)?;
            let subject = console::NewSubject {
                code,
                name_ru,
                name_kk,
                parent_code: parent,
                kato_code: kato,
                authorized_body,
                report_row_code: row_code,
                signature_required,
            };
            let row = console::create_subject(&mut conn, subject, console_now())
                .map_err(|e| e.to_string())?;
            println!("created subject {} (id {})", row.code, row.id);
            Ok(())
        }
        Command::User(UserCommand::Create {
            username,
            subject,
            roles,
            full_name,
        }) => {
            let password = read_password()?;
            // The same policy as over HTTP (docs/access.md).
            if let Some(problem) =
                appeals_domain::credentials::password_problem(&username, &password)
            {
                return Err(problem);
            }
            let mut conn = open_migrated(&config)?;
            let row = create_user(&mut conn, &username, &subject, &roles, full_name, &password)?;
            println!(
                "created user {} (id {}) with roles {}",
                row.username, row.id, row.roles
            );
            Ok(())
        }
        Command::Numbering(NumberingCommand::Show) => {
            let mut conn = open_migrated(&config)?;
            let mode = console::numbering_mode(&mut conn).map_err(|e| e.to_string())?;
            println!("registration numbering: {}", mode.code());
            Ok(())
        }
        Command::Numbering(NumberingCommand::Set { mode }) => {
            let mut conn = open_migrated(&config)?;
            let mode = appeals_domain::regnum::NumberingMode::from(mode);
            console::set_numbering_mode(&mut conn, mode).map_err(|e| e.to_string())?;
            println!("registration numbering: {}", mode.code());
            Ok(())
        }
        Command::Dedup(DedupCommand::Show) => {
            let mut conn = open_migrated(&config)?;
            let banding = console::dedup_banding(&mut conn).map_err(|e| e.to_string())?;
            let settings = crate::rules::dedup_settings_of(
                &mut conn,
                appeals_domain::dedup::DedupSettings::default(),
            )
            .map_err(|e| e.to_string())?;
            println!("duplicate index banding: {banding}");
            println!(
                "bands probed for other applicants' near-copies: {}",
                settings.others_probe_bands
            );
            println!(
                "signals of new substance: {}",
                if settings.substance_signals {
                    "on"
                } else {
                    "off"
                }
            );
            Ok(())
        }
        Command::AddressReconciliation { policy } => {
            let parsed = appeals_domain::cards::AddressReconciliationPolicy::parse(&policy)
                .map_err(|e| format!("--policy: {e}"))?;
            let mut conn = open_migrated(&config)?;
            crate::rules::set_address_reconciliation(&mut conn, parsed)
                .map_err(|e| e.to_string())?;
            println!("address reconciliation: {}", parsed.code());
            Ok(())
        }
        Command::Dedup(DedupCommand::ProbeOthers { bands }) => {
            let mut conn = open_migrated(&config)?;
            appeals_service::duplicates::check::set_others_probe_bands(&mut conn, bands)
                .map_err(|e| e.to_string())?;
            println!("bands probed for other applicants' near-copies: {bands}");
            Ok(())
        }
        Command::CalendarDays { from, to } => {
            let calendar = appeals_domain::calendar::Calendar::kazakhstan_default();
            for year in from..=to {
                let published = calendar.year(year).map_err(|e| e.to_string())?;
                for day in published.special_days {
                    let weekend = matches!(
                        chrono::Datelike::weekday(&day.date),
                        chrono::Weekday::Sat | chrono::Weekday::Sun
                    );
                    let off = day.kind.is_day_off();
                    if weekend != off {
                        println!("{} {}", day.date, if off { "O" } else { "W" });
                    }
                }
            }
            Ok(())
        }
        Command::Search(SearchCommand::Reindex) => {
            config.install_search_key()?;
            let mut conn = open_migrated(&config)?;
            let n = appeals_service::search::rebuild(&mut conn).map_err(|e| e.to_string())?;
            println!("search index rebuilt: {n} card(s)");
            Ok(())
        }
        Command::Dedup(DedupCommand::SubstanceSignals { state }) => {
            let mut conn = open_migrated(&config)?;
            appeals_service::duplicates::check::set_substance_signals(&mut conn, state == "on")
                .map_err(|e| e.to_string())?;
            println!("signals of new substance: {state}");
            Ok(())
        }
        Command::Dedup(DedupCommand::Reindex { bands, rows }) => {
            let params = appeals_domain::dedup::SignatureParams::default()
                .with_banding(&format!("{bands}x{rows}"))
                .map_err(|e| format!("--bands {bands} --rows {rows}: {e}"))?;
            let mut conn = open_migrated(&config)?;
            let rekeyed = appeals_service::duplicates::check::rebuild_band_index(&mut conn, params)
                .map_err(|e| e.to_string())?;
            println!("duplicate index banding: {bands}x{rows} ({rekeyed} appeal(s) re-keyed)");
            Ok(())
        }
        Command::Audit(AuditCommand::Verify) => {
            let mut conn = open_migrated(&config)?;
            let (checked, broken) =
                console::verify_all_histories(&mut conn).map_err(|e| e.to_string())?;
            match broken {
                None => {
                    println!("history intact: {checked} event(s) verified");
                    Ok(())
                }
                Some(console::BrokenChain::Appeal(b)) => Err(format!(
                    "history broken at appeal {} event seq {} (event id {}): {}; {checked} event(s) read",
                    b.appeal_id, b.seq, b.event_id, b.reason
                )),
                Some(console::BrokenChain::Reception {
                    reception_id,
                    seq,
                    event_id,
                }) => Err(format!(
                    "history broken at reception {reception_id} event seq {seq} (event id {event_id}); {checked} event(s) read"
                )),
            }
        }
        Command::Registry(RegistryCommand::Import {
            file,
            source,
            skip_invalid,
        }) => {
            let mut conn = open_migrated(&config)?;
            import_registry(&mut conn, &file, source, skip_invalid)
        }
        Command::Kato(KatoCommand::Import { file }) => {
            let mut conn = open_migrated(&config)?;
            let reader = std::fs::File::open(&file)
                .map_err(|e| format!("cannot open {}: {e}", file.display()))?;
            let objects = crate::kato_import::parse(std::io::BufReader::new(reader))
                .map_err(|e| format!("{}: {e}", file.display()))?;
            let count = appeals_service::kato::import(&mut conn, objects, console_now())
                .map_err(|e| format!("{}: {}", file.display(), kato_problem(e)))?;
            println!("imported {count} KATO object(s) from {}", file.display());
            Ok(())
        }
        Command::Report(cmd) => report(&config, cmd),
        Command::Serve(args) => serve(config, args),
        Command::Worker => {
            let url = config.db_url()?;
            config.install_sealing_key()?;
            let pool = store::build_pool(&url, 2, config.statement_timeout())
                .map_err(|e| e.to_string())?;
            {
                let mut conn = store::connection(&pool).map_err(|e| e.to_string())?;
                store::migrate(&mut conn).map_err(|e| e.to_string())?;
                seal_stored_secrets(&mut conn)?;
            }
            crate::webhook_worker::run_forever(pool, config.worker());
            Ok(())
        }
    }
}

/// Seals under the current key the webhook secrets a database still holds in clear (stored before
/// sealing existed) or sealed under `APPEALS_PREVIOUS_SEALING_KEY` (a change of key).
fn seal_stored_secrets(conn: &mut DbConn) -> Result<(), String> {
    let n = appeals_service::webhooks::seal_stored_secrets(conn).map_err(|e| e.to_string())?;
    if n > 0 {
        tracing::info!(
            subscriptions = n,
            "webhook secrets sealed at rest under the current key"
        );
    }
    Ok(())
}

/// Folds the 1-ОЛ count changes every `seconds` on a thread of its own (off the request path).
fn spawn_report_folder(state: web::Data<AppState>, seconds: u64) {
    std::thread::spawn(move || {
        loop {
            std::thread::sleep(std::time::Duration::from_secs(seconds));
            let outcome = store::connection(&state.pool)
                .map_err(appeals_service::AppError::from)
                .and_then(|mut conn| {
                    appeals_service::reports::fold(&mut conn, &state.rules(), console_now())
                });
            match outcome {
                Ok(s) if s.revisions > 0 => {
                    tracing::info!(revisions = s.revisions, "closed 1-ОЛ months revised");
                }
                Ok(_) => {}
                Err(e) => tracing::warn!(error = %e, "1-ОЛ fold failed; retried next time"),
            }
        }
    });
}

/// `appeals report …`.
fn report(config: &Config, cmd: ReportCommand) -> Result<(), String> {
    let mut conn = open_migrated(config)?;
    match cmd {
        ReportCommand::Rebuild => {
            let s = appeals_service::reports::rebuild(&mut conn).map_err(|e| e.to_string())?;
            println!(
                "recounted {} appeal(s) and {} reception card(s) into {} count(s)",
                s.appeals, s.receptions, s.counts
            );
        }
        ReportCommand::Fold => {
            let rules =
                appeals_service::config::Rules::load(&mut conn).map_err(|e| e.to_string())?;
            let s = appeals_service::reports::fold(&mut conn, &rules, console_now())
                .map_err(|e| e.to_string())?;
            println!(
                "folded into {} count(s); {} new revision(s) of closed months",
                s.folded, s.revisions
            );
        }
        ReportCommand::Verify => {
            let mismatches =
                appeals_service::reports::verify(&mut conn).map_err(|e| e.to_string())?;
            if !mismatches.is_empty() {
                for m in mismatches.iter().take(50) {
                    eprintln!(
                        "subject {} month {} {} [{}]: kept {}, recounted {}",
                        m.subject_id, m.month, m.measure, m.dimensions, m.kept, m.recounted
                    );
                }
                return Err(format!(
                    "{} count(s) differ from the cards; run `appeals report rebuild`",
                    mismatches.len()
                ));
            }
            println!("the kept counts equal a recount from the cards");
        }
    }
    Ok(())
}

/// `appeals registry import`: parses the whole file first, then writes every valid row in one
/// transaction. Problems are reported by line number, never with the IIN/BIN.
fn import_registry(
    conn: &mut DbConn,
    file: &std::path::Path,
    source: Option<String>,
    skip_invalid: bool,
) -> Result<(), String> {
    let reader =
        std::fs::File::open(file).map_err(|e| format!("cannot open {}: {e}", file.display()))?;
    let parsed = crate::registry::parse_import(std::io::BufReader::new(reader))
        .map_err(|e| format!("{}: {e}", file.display()))?;
    for problem in &parsed.problems {
        eprintln!("{}:{}: {}", file.display(), problem.line, problem.detail);
    }
    if !parsed.problems.is_empty() && !skip_invalid {
        return Err(format!(
            "{} invalid row(s); nothing imported (fix them, or pass --skip-invalid to import the valid rows)",
            parsed.problems.len()
        ));
    }
    let source = source.unwrap_or_else(|| {
        file.file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| "csv".to_owned())
    });
    let records = parsed
        .rows
        .into_iter()
        .map(
            |(line, iin_bin, record)| appeals_service::registry::ImportedRecord {
                line,
                iin_bin,
                record,
            },
        )
        .collect();
    let count = appeals_service::registry::import(conn, records, &source, console_now())
        .map_err(|e| format!("import failed, nothing imported: {e}"))?;
    println!(
        "imported {count} registry record(s) from {}{}",
        file.display(),
        if parsed.problems.is_empty() {
            String::new()
        } else {
            format!("; skipped {} invalid row(s)", parsed.problems.len())
        }
    );
    Ok(())
}

/// The registry adapter chosen by `APPEALS_REGISTRY` (a start-up error when misconfigured).
pub fn registry_adapter(
    config: &Config,
    pool: &store::DbPool,
) -> Result<std::sync::Arc<dyn appeals_service::registry::PersonRegistry>, String> {
    Ok(match config.registry {
        RegistryKind::Local => {
            std::sync::Arc::new(appeals_service::registry::LocalRegistry::new(pool.clone()))
        }
        RegistryKind::Http => {
            let url = config
                .registry_url
                .as_deref()
                .filter(|u| !u.trim().is_empty())
                .ok_or("APPEALS_REGISTRY=http needs APPEALS_REGISTRY_URL")?;
            let read = |path: &Option<std::path::PathBuf>, what: &str| {
                path.as_ref()
                    .map(|p| std::fs::read(p).map_err(|e| format!("{what} {}: {e}", p.display())))
                    .transpose()
            };
            let tls = crate::registry::RegistryTls {
                ca_bundle: read(&config.registry_ca_file, "APPEALS_REGISTRY_CA_FILE")?,
                client_cert: read(&config.registry_client_cert, "APPEALS_REGISTRY_CLIENT_CERT")?,
                client_key: read(&config.registry_client_key, "APPEALS_REGISTRY_CLIENT_KEY")?,
            };
            std::sync::Arc::new(crate::registry::HttpRegistry::new(url, &tls)?)
        }
    })
}

fn open(config: &Config) -> Result<DbConn, String> {
    let url = config.db_url()?;
    url.prepare().map_err(|e| e.to_string())?;
    url.establish().map_err(|e| e.to_string())
}

impl Config {
    /// The webhook worker's settings.
    fn worker(&self) -> crate::webhook_worker::WorkerConfig {
        let mut worker = crate::webhook_worker::WorkerConfig {
            lease: chrono::Duration::seconds(self.webhook_lease_seconds.max(1)),
            ..Default::default()
        };
        worker.retry.window = chrono::Duration::hours(self.webhook_retry_hours.max(0));
        worker
    }
}

fn open_migrated(config: &Config) -> Result<DbConn, String> {
    let mut conn = open(config)?;
    store::migrate(&mut conn).map_err(|e| e.to_string())?;
    Ok(conn)
}

/// The password comes from `APPEALS_PASSWORD` or stdin, never argv (argv is visible to every user
/// of the machine through `ps`).
fn read_password() -> Result<String, String> {
    if let Ok(p) = std::env::var("APPEALS_PASSWORD")
        && !p.is_empty()
    {
        return Ok(p);
    }
    let mut input = String::new();
    std::io::stdin()
        .read_to_string(&mut input)
        .map_err(|e| format!("cannot read the password from stdin: {e}"))?;
    Ok(input.trim_end_matches(['\r', '\n']).to_owned())
}

/// An import problem as the console says it (the line and what is wrong with it).
fn kato_problem(e: appeals_service::AppError) -> String {
    match e {
        appeals_service::AppError::Validation(issues) => issues
            .into_iter()
            .map(|i| format!("{}: {}", i.pointer.trim_start_matches("#/"), i.detail))
            .collect::<Vec<_>>()
            .join("; "),
        other => other.to_string(),
    }
}

/// The console's time of an action.
fn console_now() -> chrono::NaiveDateTime {
    chrono::Utc::now().naive_utc()
}

/// Creates a user bound to the subject with the given code.
pub fn create_user(
    conn: &mut DbConn,
    username: &str,
    subject_code: &str,
    roles: &[Role],
    full_name: Option<String>,
    password: &str,
) -> Result<appeals_service::views::UserRow, String> {
    console::create_user(
        conn,
        username,
        subject_code,
        roles,
        full_name,
        password,
        console_now(),
    )
    .map_err(|e| e.to_string())
}

/// Demo data for `make run`: one subject, one authorized body and a user per role.
pub const DEMO_PASSWORD: &str = "demo-password";

fn seed_demo(conn: &mut DbConn) -> Result<bool, String> {
    if !console::is_empty(conn).map_err(|e| e.to_string())? {
        return Ok(false);
    }
    for (code, name_ru, name_kk, authorized) in [
        (
            "AKIMAT-ALA",
            "Аппарат акима города Алматы",
            "Алматы қаласы әкімінің аппараты",
            false,
        ),
        (
            "KPSISU",
            "Комитет по правовой статистике и специальным учетам ГП РК",
            "ҚР БП Құқықтық статистика және арнайы есепке алу жөніндегі комитеті",
            true,
        ),
        (
            "MINEDU",
            "Министерство просвещения РК",
            "ҚР Оқу-ағарту министрлігі",
            false,
        ),
    ] {
        let subject = console::NewSubject {
            code: code.to_owned(),
            name_ru: name_ru.to_owned(),
            name_kk: Some(name_kk.to_owned()),
            parent_code: None,
            kato_code: None,
            authorized_body: authorized,
            report_row_code: None,
            // The demo works without EDS signatures (docs/access.md).
            signature_required: Some(false),
        };
        console::create_subject(conn, subject, console_now()).map_err(|e| e.to_string())?;
    }
    for (username, subject, roles) in [
        ("registrar", "AKIMAT-ALA", vec![Role::Registrar]),
        ("executor", "AKIMAT-ALA", vec![Role::Executor]),
        ("head", "AKIMAT-ALA", vec![Role::Head]),
        ("admin", "AKIMAT-ALA", vec![Role::Admin]),
        ("integration", "AKIMAT-ALA", vec![Role::Integration]),
        ("secretary", "AKIMAT-ALA", vec![Role::ReceptionSecretary]),
        ("minedu", "MINEDU", vec![Role::Registrar, Role::Executor]),
        ("analyst", "KPSISU", vec![Role::Analyst]),
    ] {
        create_user(conn, username, subject, &roles, None, DEMO_PASSWORD)?;
    }
    let sample = crate::kato_import::parse(crate::kato_import::SAMPLE.as_bytes())?;
    appeals_service::kato::import(conn, sample, console_now())
        .map_err(|e| format!("demo KATO sample: {e}"))?;
    let user = |conn: &mut DbConn, name: &str| {
        console::user_by_name(conn, name).map_err(|e| e.to_string())
    };
    let (admin, head, secretary) = (
        user(conn, "admin")?,
        user(conn, "head")?,
        user(conn, "secretary")?,
    );
    console::seed_reception_demo(conn, &admin, &head, &secretary, chrono::Utc::now())
        .map_err(|e| format!("demo receptions: {e}"))?;
    Ok(true)
}

fn serve(config: Config, args: ServeArgs) -> Result<(), String> {
    let url = config.db_url()?;
    let secret = config.signing_secret()?;
    config.install_search_key()?;
    config.install_sealing_key()?;
    let pool = store::build_pool(&url, config.pool_size, config.statement_timeout())
        .map_err(|e| e.to_string())?;
    let registry = registry_adapter(&config, &pool)?;
    {
        let mut conn = pool
            .get()
            .map_err(|e| format!("cannot connect to the database: {e}"))?;
        let applied = store::migrate(&mut conn).map_err(|e| e.to_string())?;
        tracing::info!(backend = url.backend.name(), applied, "database ready");
        if let Some(s) =
            appeals_service::reports::rebuild_if_needed(&mut conn).map_err(|e| e.to_string())?
        {
            tracing::info!(
                appeals = s.appeals,
                receptions = s.receptions,
                "1-ОЛ counts recounted from the stored cards"
            );
        }
        if let Some(n) =
            appeals_service::search::rebuild_if_needed(&mut conn).map_err(|e| e.to_string())?
        {
            tracing::info!(appeals = n, "search index built from the stored cards");
        }
        seal_stored_secrets(&mut conn)?;
        if args.seed_demo {
            if config.environment != Environment::Dev {
                return Err("--seed-demo is only allowed with APPEALS_ENV=dev".to_owned());
            }
            if seed_demo(&mut conn)? {
                println!(
                    "Seeded demo subjects and users (password `{DEMO_PASSWORD}`): registrar, executor, head, admin, integration, secretary, minedu, analyst.\n\
                     Get a token:\n  curl -s -X POST http://{bind}/api/v1/auth/token -H 'Content-Type: application/json' \\\n       -d '{{\"username\":\"registrar\",\"password\":\"{DEMO_PASSWORD}\"}}'\n\
                     Swagger UI: http://{bind}/swagger-ui/",
                    bind = config.bind
                );
            }
        }
    }
    if config.bench_skip_duplicate_check {
        // Rules p.13 requires the check before every registration.
        if config.environment != Environment::Dev {
            return Err(
                "APPEALS_BENCH_SKIP_DUPLICATE_CHECK is only allowed with APPEALS_ENV=dev"
                    .to_owned(),
            );
        }
        tracing::warn!("benchmark mode: registrations skip the duplicate check (Rules p.13)");
    }
    let state = web::Data::new(
        AppState::new(pool, JwtKeys::new(&secret, config.token_ttl))
            .with_duplicate_check_on_registration(!config.bench_skip_duplicate_check)
            .with_db_concurrency(config.db_concurrency)
            .with_metrics_token(config.metrics_token.clone()),
    );
    state.replace_registry(registry);
    tracing::info!(registry = ?config.registry, "registry adapter");
    if let Some(path) = &config.eds_trust_anchors {
        let pem = std::fs::read(path)
            .map_err(|e| format!("APPEALS_EDS_TRUST_ANCHORS {}: {e}", path.display()))?;
        state.trust_eds_anchors(&pem)?;
        tracing::info!(path = %path.display(), "EDS trust anchors loaded");
    } else {
        tracing::warn!(
            "no EDS trust anchors (APPEALS_EDS_TRUST_ANCHORS): signed access applications are refused"
        );
    }
    {
        // Dictionaries and calendar overrides come from the database; a process that cannot read
        // them does not start (requests would otherwise run on rules the database overrides).
        let mut conn = state
            .pool
            .get()
            .map_err(|e| format!("cannot connect to the database: {e}"))?;
        state
            .load_rules(&mut conn)
            .map_err(|e| format!("cannot load dictionaries and calendar: {e}"))?;
    }
    if args.report_fold_seconds > 0 {
        spawn_report_folder(state.clone(), args.report_fold_seconds);
    }
    if args.webhook_worker {
        let pool = state.pool.clone();
        let worker = config.worker();
        std::thread::spawn(move || crate::webhook_worker::run_forever(pool, worker));
    }
    let api = crate::openapi();
    let origins = config.cors_origin_list();
    let bind = config.bind.clone();
    let backend = url.backend.name();
    let system = actix_web::rt::System::new();
    system
        .block_on(async move {
            let server = HttpServer::new(move || {
                crate::build_app(state.clone(), api.clone(), origins.clone())
            })
            // SIGTERM/SIGINT: stop accepting, finish in-flight requests (up to 30 s).
            .shutdown_timeout(30)
            .bind(&bind)?;
            // The bound address on stdout: with `BIND=…:0` the system picks a free port, and a
            // supervisor (or a test) learns it here without racing for a port.
            for addr in server.addrs() {
                println!("listening on {addr}");
                tracing::info!(%addr, backend, "listening");
            }
            server.run().await
        })
        .map_err(|e| format!("server error: {e}"))
}
