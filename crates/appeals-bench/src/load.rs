//! `appeals-bench load`: registrations over HTTP from C concurrent clients, bounded by a request
//! count and a duration, against loopback addresses only.

use std::cell::{Cell, RefCell};
use std::collections::BTreeMap;
use std::net::IpAddr;
use std::rc::Rc;
use std::time::{Duration, Instant};

use awc::http::Uri;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

use crate::generator;
use crate::seed::BoxError;

/// Longest run accepted: a token issued at the start stays valid (default TTL 900 s) and the
/// benchmark stays bounded.
pub const MAX_DURATION_SECS: u64 = 600;

pub enum Credentials {
    Token(String),
    Password { username: String, password: String },
}

pub struct LoadArgs {
    pub url: String,
    pub credentials: Credentials,
    pub clients: usize,
    pub requests: Option<u64>,
    pub duration: Option<u64>,
    /// `None`: a seed from the clock, printed with the results.
    pub seed: Option<u64>,
    /// Paths to GET again and again instead of registering (a read scenario; each request takes
    /// one at random).
    pub read: Vec<String>,
}

/// The base URL, accepted only when its host is a loopback address (this machine's network policy
/// forbids any other target).
pub fn loopback_base(url: &str) -> Result<String, BoxError> {
    let uri: Uri = url
        .parse()
        .map_err(|e| format!("invalid --url `{url}`: {e}"))?;
    if uri.scheme_str() != Some("http") {
        return Err("--url must start with http:// (plain HTTP on loopback)".into());
    }
    let host = uri.host().ok_or("--url has no host")?;
    let bare = host.trim_start_matches('[').trim_end_matches(']');
    let loopback = bare.eq_ignore_ascii_case("localhost")
        || bare.parse::<IpAddr>().is_ok_and(|ip| ip.is_loopback());
    if !loopback {
        return Err(format!(
            "refusing to load `{host}`: only loopback targets (127.0.0.0/8, ::1, localhost) are allowed"
        )
        .into());
    }
    let authority = uri.authority().map(|a| a.as_str()).unwrap_or(host);
    Ok(format!("http://{authority}"))
}

#[derive(Default)]
struct Tally {
    latencies_us: Vec<u64>,
    statuses: BTreeMap<String, u64>,
    created: u64,
}

fn percentile(sorted: &[u64], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    let index = rank.clamp(1, sorted.len()) - 1;
    sorted[index] as f64 / 1_000.0
}

async fn token(client: &awc::Client, base: &str, creds: &Credentials) -> Result<String, BoxError> {
    match creds {
        Credentials::Token(t) => Ok(t.clone()),
        Credentials::Password { username, password } => {
            let mut res = client
                .post(format!("{base}/api/v1/auth/token"))
                .send_json(&serde_json::json!({"username": username, "password": password}))
                .await
                .map_err(|e| format!("token request failed: {e}"))?;
            let status = res.status();
            let body: serde_json::Value = res
                .json()
                .await
                .map_err(|e| format!("token response unreadable: {e}"))?;
            if !status.is_success() {
                return Err(format!("token request answered {status}: {body}").into());
            }
            body.get("access_token")
                .and_then(|t| t.as_str())
                .map(str::to_owned)
                .ok_or_else(|| "token response has no access_token".into())
        }
    }
}

pub fn run(args: LoadArgs) -> Result<(), BoxError> {
    let base = loopback_base(&args.url)?;
    if args.clients == 0 {
        return Err("--clients must be at least 1".into());
    }
    if args.requests.is_none() && args.duration.is_none() {
        return Err("give --requests N, --duration S or both".into());
    }
    let duration_secs = args.duration.unwrap_or(MAX_DURATION_SECS);
    if duration_secs > MAX_DURATION_SECS {
        return Err(format!("--duration is at most {MAX_DURATION_SECS} s").into());
    }
    let limit = args.requests.unwrap_or(u64::MAX);
    let run_seed = args.seed.unwrap_or_else(|| {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(1, |d| (d.as_secs() << 30) ^ u64::from(d.subsec_nanos()))
    });
    println!("seed {run_seed} (repeat this run's bodies with --seed {run_seed})");
    let clients = args.clients;
    actix_rt::System::new().block_on(async move {
        let client = awc::Client::builder()
            .connector(awc::Connector::new().limit(clients))
            .timeout(Duration::from_secs(30))
            .finish();
        let bearer = format!("Bearer {}", token(&client, &base, &args.credentials).await?);
        if args.read.iter().any(|p| !p.starts_with('/')) {
            return Err("--read takes a path starting with /".into());
        }
        let reads: Rc<Vec<String>> =
            Rc::new(args.read.iter().map(|p| format!("{base}{p}")).collect());
        let url = format!("{base}/api/v1/appeals");
        let ok = if reads.is_empty() { "201" } else { "200" };
        let issued = Rc::new(Cell::new(0u64));
        let tally = Rc::new(RefCell::new(Tally::default()));
        let started = Instant::now();
        let deadline = started + Duration::from_secs(duration_secs);
        let mut tasks = Vec::new();
        for worker in 0..clients {
            let (client, url, bearer) = (client.clone(), url.clone(), bearer.clone());
            let reads = reads.clone();
            let (issued, tally) = (issued.clone(), tally.clone());
            let seed = run_seed ^ (worker as u64).wrapping_mul(0x2545_F491_4F6C_DD1D);
            tasks.push(actix_rt::spawn(async move {
                let mut rng = StdRng::seed_from_u64(seed);
                loop {
                    if issued.get() >= limit || Instant::now() >= deadline {
                        break;
                    }
                    issued.set(issued.get() + 1);
                    let sent;
                    let outcome = if !reads.is_empty() {
                        let path = &reads[rng.random_range(0..reads.len())];
                        sent = Instant::now();
                        client
                            .get(path.as_str())
                            .insert_header(("Authorization", bearer.as_str()))
                            .send()
                            .await
                    } else {
                        let received = chrono::Utc::now()
                            - chrono::Duration::seconds(rng.random_range(60..3_600));
                        let person = rng.random_range(0..10_000_000u64);
                        let body = generator::appeal(&mut rng, person, received);
                        let Ok(bytes) = serde_json::to_vec(&body) else {
                            continue;
                        };
                        sent = Instant::now();
                        client
                            .post(url.as_str())
                            .insert_header(("Authorization", bearer.as_str()))
                            .insert_header(("Content-Type", "application/json"))
                            .send_body(bytes)
                            .await
                    };
                    let key = match outcome {
                        Ok(mut res) => {
                            // Read the whole body so the connection is reused.
                            let _ = res.body().limit(16 * 1024 * 1024).await;
                            res.status().as_u16().to_string()
                        }
                        Err(e) => format!("transport: {e}"),
                    };
                    let elapsed = u64::try_from(sent.elapsed().as_micros()).unwrap_or(u64::MAX);
                    let mut t = tally.borrow_mut();
                    if key == ok {
                        t.created += 1;
                        t.latencies_us.push(elapsed);
                    }
                    *t.statuses.entry(key).or_default() += 1;
                }
            }));
        }
        for task in tasks {
            task.await.map_err(|e| format!("client task failed: {e}"))?;
        }
        let secs = started.elapsed().as_secs_f64();
        let mut t = tally.take();
        t.latencies_us.sort_unstable();
        let total: u64 = t.statuses.values().sum();
        let rate = t.created as f64 / secs;
        let p = |q| percentile(&t.latencies_us, q);
        let max = t.latencies_us.last().map_or(0.0, |v| *v as f64 / 1_000.0);
        let what = if !reads.is_empty() {
            "answered 200"
        } else {
            "registered"
        };
        println!(
            "clients {clients}: {total} requests in {secs:.1} s; {} {what} = {rate:.0}/s",
            t.created
        );
        println!(
            "latency of {ok} responses (ms): p50 {:.1}  p90 {:.1}  p99 {:.1}  max {max:.1}",
            p(50.0),
            p(90.0),
            p(99.0)
        );
        println!("responses by status: {:?}", t.statuses);
        println!(
            "{}",
            serde_json::json!({
                "clients": clients, "requests": total, "registered": t.created,
                "seconds": secs, "registrations_per_s": rate,
                "p50_ms": p(50.0), "p90_ms": p(90.0), "p99_ms": p(99.0), "max_ms": max,
                "statuses": t.statuses,
            })
        );
        Ok(())
    })
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)] // tests: a failed unwrap is a failed test
    use super::*;

    #[test]
    fn only_loopback_targets_are_accepted() {
        assert_eq!(
            loopback_base("http://127.0.0.1:8080").unwrap(),
            "http://127.0.0.1:8080"
        );
        assert!(loopback_base("http://localhost:1/").is_ok());
        assert!(loopback_base("http://[::1]:8080").is_ok());
        assert!(loopback_base("http://127.8.9.10:80").is_ok());
        assert!(loopback_base("http://10.0.0.1:8080").is_err());
        assert!(loopback_base("http://example.com").is_err());
        assert!(loopback_base("https://127.0.0.1").is_err());
        assert!(loopback_base("http://127.0.0.1.example.com").is_err());
    }

    #[test]
    fn percentiles_use_the_nearest_rank() {
        let v: Vec<u64> = (1..=100).map(|ms| ms * 1_000).collect();
        assert_eq!(percentile(&v, 50.0), 50.0);
        assert_eq!(percentile(&v, 99.0), 99.0);
        assert_eq!(percentile(&[], 99.0), 0.0);
    }
}
