#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // tests: a failed unwrap is a failed test
//! Code rules of the layout (`api → service → db → domain`), kept by grep like Lemmy's
//! `test_errors_used.rs`.
//!
//! The rules that hold fully are asserted as they are. The move of the use-cases out of the route
//! handlers is under way: until it ends, each route file may hold at most the storage calls,
//! transactions and hand-built JSON it holds now (a ratchet: the counts may only go down; lower
//! the baseline when a file improves).

use std::fs;
use std::path::{Path, PathBuf};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn rust_files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for entry in fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            out.extend(rust_files(&path));
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
    out.sort();
    out
}

/// Code lines of a file (comments and `#[…]` attribute lines, where OpenAPI examples live, left
/// out).
fn code_lines(path: &Path) -> Vec<String> {
    let text = fs::read_to_string(path).unwrap();
    let mut in_attribute = false;
    let mut lines = Vec::new();
    for line in text.lines() {
        let trimmed = line.trim_start();
        if trimmed.starts_with("#[") {
            in_attribute = !trimmed.ends_with(")]") && !trimmed.ends_with(']');
            continue;
        }
        if in_attribute {
            if trimmed.ends_with(")]") {
                in_attribute = false;
            }
            continue;
        }
        if trimmed.starts_with("//") {
            continue;
        }
        lines.push(line.to_owned());
    }
    lines
}

#[test]
fn the_service_layer_knows_no_http_and_reads_no_clock() {
    let manifest = fs::read_to_string(root().join("crates/appeals-service/Cargo.toml")).unwrap();
    for forbidden in ["actix", "utoipa", "validator", "appeals-api"] {
        assert!(
            !manifest.contains(forbidden),
            "appeals-service depends on {forbidden}"
        );
    }
    for file in rust_files(&root().join("crates/appeals-service/src")) {
        for line in code_lines(&file) {
            for forbidden in ["Utc::now", "now_utc(", "actix_web", "utoipa"] {
                assert!(
                    !line.contains(forbidden),
                    "{}: `{forbidden}` in the service layer: {line}",
                    file.display()
                );
            }
        }
    }
}

#[test]
fn the_domain_is_pure() {
    let manifest = fs::read_to_string(root().join("crates/appeals-domain/Cargo.toml")).unwrap();
    let deps = manifest
        .split("[dependencies]")
        .nth(1)
        .unwrap()
        .split("\n[")
        .next()
        .unwrap();
    for forbidden in ["appeals-", "diesel", "actix", "utoipa"] {
        assert!(
            !deps.contains(forbidden),
            "appeals-domain depends on {forbidden}"
        );
    }
}

#[test]
fn only_app_rs_wires_routes_and_only_the_guard_decides_access() {
    let api = root().join("crates/appeals-api/src");
    for file in rust_files(&api) {
        let name = file
            .strip_prefix(&api)
            .unwrap()
            .to_string_lossy()
            .replace('\\', "/");
        let lines = code_lines(&file);
        if !name.starts_with("routes/") && name != "app.rs" {
            assert!(
                !lines.iter().any(|l| l.contains("crate::routes")),
                "{name} imports routes; only app.rs wires them"
            );
        }
        // Access decisions belong to the guard: no handler compares the caller's roles itself.
        // (routes/auth.rs issues tokens: which accounts may use client credentials is
        // authentication, not access.)
        if name == "routes/auth.rs" {
            continue;
        }
        for line in &lines {
            assert!(
                !line.contains("roles.contains(") && !line.contains("has_any("),
                "{name} decides access by itself: {line}"
            );
        }
    }
}

/// Storage calls, transactions, hand-built JSON and blocking calls in one route file.
fn edge_violations(path: &Path) -> usize {
    code_lines(path)
        .iter()
        .filter(|l| {
            l.contains("repo::")
                || l.contains("write_tx")
                || l.contains("json!")
                || l.contains("web::block")
                || l.contains("crate::routes")
        })
        .count()
}

#[test]
fn route_handlers_hold_no_more_storage_logic_than_before() {
    // file → lines with `repo::`, `write_tx`, `json!`, `web::block` or `crate::routes` (2026-12-06).
    const BASELINE: &[(&str, usize)] = &[
        ("analytics.rs", 0),
        ("appeals.rs", 32),
        ("applicants.rs", 15),
        ("auth.rs", 0),
        ("calendar.rs", 0),
        ("closure.rs", 0),
        ("corrections.rs", 0),
        ("deadlines.rs", 0),
        ("decisions.rs", 0),
        ("dictionaries.rs", 0),
        ("duplicates.rs", 1),
        ("forwardings.rs", 0),
        ("health.rs", 0),
        ("mod.rs", 0),
        ("notifications.rs", 0),
        ("registry.rs", 1),
    ];
    let dir = root().join("crates/appeals-api/src/routes");
    let mut report = Vec::new();
    for file in rust_files(&dir) {
        let name = file.file_name().unwrap().to_string_lossy().to_string();
        let count = edge_violations(&file);
        let allowed = BASELINE
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, c)| *c)
            .unwrap_or(0);
        if count != allowed {
            // More: storage logic came into a handler. Fewer: lower the baseline to keep the gain.
            report.push(format!("{name}: {count} (baseline {allowed})"));
        }
    }
    assert!(
        report.is_empty(),
        "route files differ from the baseline (more: move the logic into appeals-service; fewer: \
         lower the baseline): {report:?}"
    );
}
