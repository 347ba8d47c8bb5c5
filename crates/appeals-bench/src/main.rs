//! `appeals-bench`: the registration load benchmark (issue 4, point 10).
//!
//! `seed` fills a database with synthetic appeals and their duplicate-check index (straight SQL,
//! fast); `load` registers appeals over HTTP with concurrent clients and reports registrations/s and
//! latency percentiles. See docs/performance.md, "Registration load (issue 4)".

mod generator;
mod load;
mod seed;

use clap::{Parser, Subcommand};

#[derive(Parser)]
#[command(
    name = "appeals-bench",
    about = "Load benchmark of appeal registration"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Write N synthetic appeals straight into the database (run while no server writes to it).
    Seed {
        /// sqlite://PATH or postgres://… (migrated, with a registrar user).
        #[arg(long, env = "DATABASE_URL")]
        database_url: String,
        /// Number of appeals.
        #[arg(long)]
        count: u64,
        /// Appeals per transaction.
        #[arg(long, default_value_t = 5_000)]
        batch: usize,
        /// Subject code that holds the appeals (default: the registering user's subject).
        #[arg(long)]
        subject: Option<String>,
        /// Registering user (default: the first user with the registrar role).
        #[arg(long)]
        username: Option<String>,
        /// Receipt dates are spread over this many days up to yesterday.
        #[arg(long, default_value_t = 730)]
        days: i64,
        /// Do not fill the duplicate-check index (`appeal_dedup_*` tables): the seeder's behaviour
        /// before issue 5, for comparison. By default every seeded appeal is indexed as a
        /// registration indexes it.
        #[arg(long)]
        no_dedup_index: bool,
        /// Do not fill the search index (`appeal_search`, `appeal_search_keys`). By default every
        /// seeded appeal is found by search as a registered one is.
        #[arg(long)]
        no_search_index: bool,
        /// Spread the appeals over this many subjects of a hierarchy (report 1-ОЛ benchmarks).
        #[arg(long, default_value_t = 0)]
        spread_subjects: u32,
        /// Per cent of the appeals seeded with a final act (report 1-ОЛ benchmarks).
        #[arg(long, default_value_t = 0)]
        decided_percent: u32,
    },
    /// Register appeals over HTTP (loopback targets only) and report throughput and latency.
    Load {
        /// Base URL of the server, e.g. http://127.0.0.1:8080.
        #[arg(long)]
        url: String,
        /// Bearer token (else --username/--password).
        #[arg(long, env = "APPEALS_BENCH_TOKEN", conflicts_with = "username")]
        token: Option<String>,
        #[arg(long, requires = "password")]
        username: Option<String>,
        #[arg(long, env = "APPEALS_BENCH_PASSWORD")]
        password: Option<String>,
        /// Concurrent clients (each keeps one request in flight).
        #[arg(long, default_value_t = 8)]
        clients: usize,
        /// Stop after this many requests.
        #[arg(long)]
        requests: Option<u64>,
        /// Stop after this many seconds (at most 600).
        #[arg(long)]
        duration: Option<u64>,
        /// Random seed of the generated bodies. Default: a new one per run (printed), so a second
        /// run on the same database sends new appeals, not repeats of the first run's (which the
        /// duplicate check would verify as duplicates).
        #[arg(long)]
        seed: Option<u64>,
        /// Read instead of register: each client GETs this path again and again (e.g.
        /// `/api/v1/appeals?limit=50`, `/api/v1/worklists/overdue`, `/api/v1/appeals/search?q=…`)
        /// and the 200 answers are counted and timed. Repeat it for a mix: each request takes one
        /// of the paths at random.
        #[arg(long)]
        read: Vec<String>,
    },
}

fn main() -> std::process::ExitCode {
    let outcome = match Cli::parse().command {
        Command::Seed {
            database_url,
            count,
            batch,
            subject,
            username,
            days,
            no_dedup_index,
            no_search_index,
            spread_subjects,
            decided_percent,
        } => seed::run(seed::SeedArgs {
            database_url,
            count,
            batch,
            subject,
            username,
            days: days.max(2),
            dedup_index: !no_dedup_index,
            search_index: !no_search_index,
            spread_subjects,
            decided_percent,
        }),
        Command::Load {
            url,
            token,
            username,
            password,
            clients,
            requests,
            duration,
            seed,
            read,
        } => {
            let credentials = match (token, username, password) {
                (Some(token), _, _) => Ok(load::Credentials::Token(token)),
                (None, Some(username), Some(password)) => {
                    Ok(load::Credentials::Password { username, password })
                }
                _ => Err("give --token or --username with --password".into()),
            };
            credentials.and_then(|credentials| {
                load::run(load::LoadArgs {
                    url,
                    credentials,
                    clients,
                    requests,
                    duration,
                    seed,
                    read,
                })
            })
        }
    };
    match outcome {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("appeals-bench: {e}");
            std::process::ExitCode::FAILURE
        }
    }
}
