#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // tests: a failed unwrap is a failed test
//! Code rules of the layout (`api → service → db → domain`), kept by grep like Lemmy's
//! `test_errors_used.rs`.
//!
//! Route handlers hold no storage calls, transactions or hand-built JSON; the api crate reaches the
//! database only through `appeals-service`; the service knows no HTTP and reads no clock; the
//! domain is pure.

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

/// Storage calls, transactions, hand-built JSON, blocking calls and route imports in one route
/// file, each as `file: line`.
fn edge_violations(name: &str, path: &Path) -> Vec<String> {
    code_lines(path)
        .into_iter()
        .filter(|l| {
            l.contains("repo::")
                || l.contains("write_tx")
                || l.contains("json!")
                || l.contains("web::block")
                || l.contains("crate::routes")
        })
        .map(|l| format!("{name}: {}", l.trim()))
        .collect()
}

#[test]
fn route_handlers_hold_no_storage_logic() {
    let dir = root().join("crates/appeals-api/src/routes");
    let mut report = Vec::new();
    for file in rust_files(&dir) {
        let name = file.file_name().unwrap().to_string_lossy().to_string();
        report.extend(edge_violations(&name, &file));
    }
    assert!(
        report.is_empty(),
        "route handlers parse, call one use-case and map its result; move this into \
         appeals-service: {report:#?}"
    );
}

#[test]
fn the_api_reaches_storage_only_through_the_service() {
    let manifest = fs::read_to_string(root().join("crates/appeals-api/Cargo.toml")).unwrap();
    // Not even for tests or examples: whatever measures storage directly lives in appeals-bench.
    assert!(
        !manifest.contains("appeals-db") && !manifest.contains("diesel"),
        "appeals-api depends on storage directly"
    );
    for file in rust_files(&root().join("crates/appeals-api/src")) {
        for line in code_lines(&file) {
            assert!(
                !line.contains("appeals_db") && !line.contains("diesel"),
                "{}: storage used by the HTTP edge: {line}",
                file.display()
            );
        }
    }
}
