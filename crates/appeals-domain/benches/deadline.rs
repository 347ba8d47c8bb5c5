//! One deadline computation on the precomputed calendar (target ≤ 1 µs).
//!
//! Run: `cargo bench -p appeals-domain --bench deadline`.

use std::hint::black_box;

use appeals_domain::calendar::Calendar;
use appeals_domain::deadline::{DeadlineSettings, Term, normalise_receipt, review_due};
use chrono::{NaiveDate, TimeZone, Utc};
use criterion::{Criterion, criterion_group, criterion_main};

fn bench_deadline(c: &mut Criterion) {
    let calendar = Calendar::kazakhstan_default();
    let settings = DeadlineSettings::default();
    let Some(registered) = NaiveDate::from_ymd_opt(2025, 12, 10) else {
        return;
    };
    let Some(received) = Utc.with_ymd_and_hms(2026, 3, 20, 13, 30, 0).single() else {
        return;
    };

    // R27: 15 working days from a registration date (one O(1) table lookup + version clone).
    c.bench_function("review_due 15 working days", |b| {
        b.iter(|| {
            review_due(
                &calendar,
                &settings,
                black_box(registered),
                black_box(Term::working(15)),
            )
        })
    });
    // R29: 15 calendar days, shifted off a non-working end.
    c.bench_function("review_due 15 calendar days", |b| {
        b.iter(|| {
            review_due(
                &calendar,
                &settings,
                black_box(registered),
                black_box(Term::calendar(15)),
            )
        })
    });
    // R7/R8 + R27: from the UTC receipt instant to the deadline.
    c.bench_function("receipt to deadline", |b| {
        b.iter(|| {
            let r = normalise_receipt(&calendar, &settings, black_box(received))?;
            review_due(&calendar, &settings, r.registration_date, Term::working(15))
        })
    });
}

criterion_group!(benches, bench_deadline);
criterion_main!(benches);
