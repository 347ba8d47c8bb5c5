//! Criterion benchmarks of the duplicate engine (p.13): the signature of a 1,500-character appeal
//! (target ≤ 100 µs) and a full check against 10 candidates.
//!
//! `CARGO_TARGET_DIR=target/helper-dedup cargo bench -p appeals-domain --bench dedup`

use std::hint::black_box;

use appeals_domain::dedup::{
    ApplicantKey, CandidateDocument, DedupSettings, Document, Fingerprint, MinHasher,
    SignatureParams, check,
};
use criterion::{Criterion, criterion_group, criterion_main};

const PARAGRAPHS: [&str; 7] = [
    "Крыша нашего пятиэтажного дома протекает уже третий год, и после каждого дождя вода заливает \
     квартиры верхнего этажа. В моей квартире на потолке образовались тёмные пятна плесени, а в \
     спальне отслоилась штукатурка.",
    "Мы неоднократно обращались в управляющую компанию, однако нам отвечают, что средств на ремонт \
     нет. Взносы на капитальный ремонт мы платим исправно с 2019 года.",
    "Согласно статье 42 Закона «О жилищных отношениях» текущий ремонт общего имущества обязан \
     организовать орган управления объектом кондоминиума за счёт взносов собственников.",
    "Кроме того, 5 апреля этого года инженер акимата составил акт обследования, где прямо указано \
     аварийное состояние кровли, но этот акт так и не был исполнен.",
    "Четырнадцатого сентября во время сильного ливня в подъезде обрушился участок потолка на пятом \
     этаже, чудом никто не пострадал. Вода попала в электрощит, и весь подъезд двое суток оставался \
     без электричества.",
    "Вода попала в электрощит, и весь подъезд двое суток оставался без электричества; соседи \
     снизу тоже пострадали, у них испорчены обои и натяжной потолок. Ущерб оценён в сто двадцать тысяч тенге.",
    "Аварийная служба приезжала, составила акт о замыкании проводки, но ремонт так и не начался. \
     Прошу обязать управляющую компанию провести ремонт кровли до наступления осенних дождей, а \
     также сделать перерасчёт платы за содержание общего имущества за весь период протечек.",
];

/// A realistic appeal of about 1,500 characters.
fn text_1500() -> String {
    let mut t = String::from(
        "Акиму Алмалинского района г. Алматы\nЗаявитель: Сейтов Ерлан Болатович\n\nЗдравствуйте!\n\n",
    );
    for p in PARAGRAPHS {
        t.push_str(p);
        t.push_str("\n\n");
    }
    t.push_str("С уважением, Сейтов Е.Б.\nТел.: +7 701 123 45 67");
    t
}

fn applicant() -> ApplicantKey {
    ApplicantKey {
        iin_bin: Some("921029350851".to_owned()),
        full_name: Some("Сейтов Ерлан Болатович".to_owned()),
        address: Some("г. Алматы, ул. Абая, д. 10, кв. 5".to_owned()),
        kato_settlement: Some("751110000".to_owned()),
    }
}

fn bench(c: &mut Criterion) {
    let text = text_1500();
    let chars = text.chars().count();
    let Ok(hasher) = MinHasher::new(SignatureParams::default()) else {
        return;
    };
    let normalized = appeals_domain::dedup::normalize::analyze(&text);
    let features = appeals_domain::dedup::features::extract(&normalized);
    c.bench_function("dedup/parts/normalize", |b| {
        b.iter(|| appeals_domain::dedup::normalize::analyze(black_box(&text)));
    });
    c.bench_function("dedup/parts/features", |b| {
        b.iter(|| appeals_domain::dedup::features::extract(black_box(&normalized)));
    });
    c.bench_function("dedup/parts/minhash", |b| {
        b.iter(|| hasher.sign(black_box(&features.shingles)));
    });
    c.bench_function(&format!("dedup/signature_{chars}_chars"), |b| {
        b.iter(|| {
            Fingerprint::new(black_box(&text), &hasher)
                .signature
                .to_bytes()
        });
    });

    // Ten candidates: the same appeal, partial copies and unrelated texts.
    let candidates: Vec<CandidateDocument> = (0..10)
        .map(|i| {
            let body: String = PARAGRAPHS
                .iter()
                .cycle()
                .skip(i)
                .take(3 + i % 4)
                .copied()
                .collect::<Vec<_>>()
                .join("\n\n");
            CandidateDocument {
                id: format!("ЖТ-2026-{i:08}"),
                document: Document {
                    text: body,
                    applicants: vec![applicant()],
                },
            }
        })
        .collect();
    let new = Document {
        text,
        applicants: vec![applicant()],
    };
    let settings = DedupSettings::default();
    c.bench_function("dedup/check_against_10_candidates", |b| {
        b.iter(|| check(black_box(&new), black_box(&candidates), &settings));
    });
    // The same without the signals of new substance (issue 24): what reading them costs.
    let words_only = DedupSettings {
        substance_signals: false,
        ..DedupSettings::default()
    };
    c.bench_function("dedup/check_against_10_candidates_words_only", |b| {
        b.iter(|| check(black_box(&new), black_box(&candidates), &words_only));
    });
}

criterion_group!(benches, bench);
criterion_main!(benches);
