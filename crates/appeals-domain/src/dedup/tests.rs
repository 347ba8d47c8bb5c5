//! Behaviour of the whole check (p.2(2), p.13, R13, R14) and properties of normalisation and
//! signatures.

use proptest::prelude::*;

use super::*;

fn person() -> ApplicantKey {
    ApplicantKey {
        iin_bin: Some("921029350851".to_owned()),
        full_name: Some("Сейтов Ерлан Болатович".to_owned()),
        address: Some("г. Алматы, ул. Абая, д. 10, кв. 5".to_owned()),
        kato_settlement: Some("751110000".to_owned()),
    }
}

const ORIGINAL: &str = "Акиму Алмалинского района г. Алматы\nЗаявитель: Сейтов Ерлан Болатович\n\n\
Здравствуйте!\n\n\
Дорога по улице Жибек Жолы между домами 40 и 78 полностью разбита, на проезжей части глубокие ямы. \
По этой улице ежедневно ходит школьный автобус и проезжает скорая помощь. Весной ямы заполняются \
водой, и машины обдают грязью пешеходов, потому что тротуара нет.\n\n\
В прошлом году дорогу обещали включить в план среднего ремонта, но работы так и не начались. \
Прошу сообщить, когда будет отремонтирован этот участок дороги.\n\n\
С уважением, Сейтов Е.Б.\nТел.: +7 701 123 45 67";

/// The same appeal reworded sentence by sentence and sent to the prosecutor instead of the akim.
const REWORDED_TO_PROSECUTOR: &str = "Прокурору города Алматы\nЗаявитель: Ерлан Болатович Сейтов\n\n\
Уважаемый прокурор!\n\n\
Проезжая часть улицы Жибек Жолы на участке от дома 40 до дома 78 находится в разрушенном \
состоянии, асфальт в глубоких выбоинах. Каждый день здесь курсирует автобус, который возит детей \
в школу, и ездят машины скорой помощи. Когда тает снег, выбоины превращаются в лужи, а так как \
тротуаров нет, проезжающие автомобили обливают людей грязью.\n\n\
Ещё год назад нам говорили, что улицу внесут в программу среднего ремонта, однако ничего не \
сделано. Прошу сообщить, в какие сроки отремонтируют указанный отрезок дороги.\n\n\
Заранее спасибо за ответ.\nСейтов Ерлан";

const NEW_ARGUMENT: &str = "Согласно национальному стандарту допустимая глубина выбоины на \
покрытии не может превышать пяти сантиметров, а здесь ямы глубиной до двадцати сантиметров.";

fn doc(text: &str, applicants: Vec<ApplicantKey>) -> Document {
    Document {
        text: text.to_owned(),
        applicants,
    }
}

/// Checks `text` of [`person`] against [`ORIGINAL`] of the same person.
fn check_repeat(text: &str, settings: &DedupSettings) -> Result<CheckResult, DomainError> {
    check(
        &doc(text, vec![person()]),
        &earlier(ORIGINAL, vec![person()]),
        settings,
    )
}

fn earlier(text: &str, applicants: Vec<ApplicantKey>) -> Vec<CandidateDocument> {
    vec![CandidateDocument {
        id: "ЖТ-2026-00000042".to_owned(),
        document: doc(text, applicants),
    }]
}

#[test]
fn dedup_reworded_copy_to_another_subject_is_duplicate() -> Result<(), DomainError> {
    // p.2(2): "addressed to different subjects, worded differently" is still a duplicate. The new
    // appeal is a paper one: no IIN, name in another order, address in Kazakh.
    let paper = ApplicantKey {
        iin_bin: None,
        full_name: Some("Ерлан Болатович СЕЙТОВ".to_owned()),
        address: Some("Алматы қ., Абай көшесі, 10 үй, 5 пәтер".to_owned()),
        kato_settlement: None,
    };
    let r = check(
        &doc(REWORDED_TO_PROSECUTOR, vec![paper]),
        &earlier(ORIGINAL, vec![person()]),
        &DedupSettings::default(),
    )?;
    assert_eq!(r.verdict, Verdict::Duplicate, "{r:#?}");
    assert_eq!(r.duplicate_of.as_deref(), Some("ЖТ-2026-00000042"));
    assert!(r.candidates[0].novel_fragments.is_empty(), "{r:#?}");
    Ok(())
}

#[test]
fn dedup_same_text_plus_new_argument_is_related_and_shows_it() -> Result<(), DomainError> {
    let with_argument = ORIGINAL.replace(
        "Прошу сообщить,",
        &format!("{NEW_ARGUMENT}\n\nПрошу сообщить,"),
    );
    let r = check(
        &doc(&with_argument, vec![person()]),
        &earlier(ORIGINAL, vec![person()]),
        &DedupSettings::default(),
    )?;
    assert_eq!(r.verdict, Verdict::Related, "{r:#?}");
    assert_eq!(r.duplicate_of, None);
    let novel = &r.candidates[0].novel_fragments;
    assert_eq!(novel.len(), 1, "{novel:#?}");
    // Verbatim, with its position in the new text.
    assert_eq!(novel[0].text, NEW_ARGUMENT);
    assert_eq!(&with_argument[novel[0].start..novel[0].end], NEW_ARGUMENT);
    Ok(())
}

/// p.2(2): a new legal ground written inside a sentence that otherwise repeats the original.
#[test]
fn dedup_new_legal_ground_inside_a_repeated_sentence_is_related_and_shown()
-> Result<(), DomainError> {
    const GROUND: &str = "хотя по статье 19 Закона «Об автомобильных дорогах» содержание улиц \
        возложено на местный исполнительный орган";
    let repeat = ORIGINAL.replace(
        "В прошлом году дорогу обещали включить в план среднего ремонта, но работы так и не начались.",
        &format!(
            "В прошлом году дорогу обещали включить в план среднего ремонта, {GROUND}, но работы \
             так и не начались."
        ),
    );
    let r = check_repeat(&repeat, &DedupSettings::default())?;
    assert_eq!(r.verdict, Verdict::Related, "{r:#?}");
    let novel = &r.candidates[0].novel_fragments;
    let shown = novel
        .iter()
        .find(|f| {
            f.text
                .contains("статье 19 Закона «Об автомобильных дорогах»")
        })
        .unwrap_or_else(|| panic!("the cited norm is not shown: {novel:#?}"));
    // The new part, not the repeated half of the sentence, verbatim with its offsets.
    assert!(!shown.text.contains("В прошлом году"), "{shown:#?}");
    assert_eq!(&repeat[shown.start..shown.end], shown.text);
    assert_eq!(shown.signals, vec![Signal::LegalNorm]);
    // Without the signals the same words are a duplicate: the norm is what p.2(2) is about.
    let words_only = DedupSettings {
        substance_signals: false,
        ..DedupSettings::default()
    };
    let r = check_repeat(&repeat, &words_only)?;
    assert_eq!(r.verdict, Verdict::Duplicate, "{r:#?}");
    Ok(())
}

/// A new fact (a date and a sum) added to a sentence that shares most words with the original.
#[test]
fn dedup_new_fact_in_a_covered_sentence_is_shown() -> Result<(), DomainError> {
    let repeat = ORIGINAL.replace(
        "По этой улице ежедневно ходит школьный автобус и проезжает скорая помощь.",
        "По этой улице ежедневно ходит школьный автобус и проезжает скорая помощь, а 14 марта \
         2026 года автобус повредил колесо в яме, ремонт обошёлся в 185 000 тенге.",
    );
    let r = check_repeat(&repeat, &DedupSettings::default())?;
    assert_eq!(r.verdict, Verdict::Related, "{r:#?}");
    let novel = &r.candidates[0].novel_fragments;
    assert!(
        novel.iter().any(|f| f
            .text
            .contains("14 марта 2026 года автобус повредил колесо")
            && f.text.contains("185 000 тенге")
            && f.signals == vec![Signal::Date, Signal::Number]),
        "{novel:#?}"
    );
    Ok(())
}

/// Insisting is not a new argument: a copy with apologies, thanks and «no answer yet» is still a
/// duplicate, also when the apology names the month of the first appeal.
#[test]
fn dedup_copy_with_courtesy_and_reminder_is_duplicate() -> Result<(), DomainError> {
    let repeat = ORIGINAL.replace(
        "Здравствуйте!",
        "Здравствуйте!\n\nИзвините за беспокойство, я уже обращался к вам в марте, но ответа так \
         и не получил, поэтому вынужден написать повторно.",
    );
    let r = check_repeat(&repeat, &DedupSettings::default())?;
    assert_eq!(r.verdict, Verdict::Duplicate, "{r:#?}");
    Ok(())
}

#[test]
fn dedup_same_text_from_another_applicant_is_new() -> Result<(), DomainError> {
    let other = ApplicantKey {
        iin_bin: Some("900101300811".to_owned()),
        full_name: Some("Ахметова Динара Серікқызы".to_owned()),
        ..ApplicantKey::default()
    };
    let r = check(
        &doc(ORIGINAL, vec![other]),
        &earlier(ORIGINAL, vec![person()]),
        &DedupSettings::default(),
    )?;
    assert_eq!(r.verdict, Verdict::New);
    assert_eq!(r.candidates[0].applicant, ApplicantMatch::Different);
    // The text itself is identical: the engine says so, it is the applicant that differs.
    assert!((r.candidates[0].similarity - 1.0).abs() < 1e-9);
    Ok(())
}

#[test]
fn dedup_another_applicants_appeal_shows_no_novelty_and_can_be_scored_on_signatures()
-> Result<(), DomainError> {
    let other = ApplicantKey {
        iin_bin: Some("900101300811".to_owned()),
        ..ApplicantKey::default()
    };
    let with_argument = ORIGINAL.replace(
        "Прошу сообщить,",
        &format!("{NEW_ARGUMENT}\n\nПрошу сообщить,"),
    );
    let r = check(
        &doc(&with_argument, vec![other]),
        &earlier(ORIGINAL, vec![person()]),
        &DedupSettings::default(),
    )?;
    let text = &r.candidates[0];
    assert_eq!(
        (text.verdict, text.scored_on),
        (Verdict::New, ScoredOn::Text)
    );
    // Novelty is against the same person's earlier appeal; another's is `New` regardless.
    assert!(text.novel_fragments.is_empty(), "{text:#?}");
    // The same pair on the signatures alone: estimates close to the exact scores.
    let hasher = MinHasher::new(SignatureParams::default())?;
    let (new, old) = (
        Fingerprint::new(&with_argument, &hasher),
        Fingerprint::new(ORIGINAL, &hasher),
    );
    let by_signature = score_other_applicant("42", &new.signature, &old.signature)
        .ok_or_else(|| DomainError::invalid("/signature", "no set size"))?;
    assert_eq!(by_signature.verdict, Verdict::New);
    assert_eq!(by_signature.scored_on, ScoredOn::Signature);
    assert_eq!(by_signature.topic_overlap, None);
    assert!(by_signature.novel_fragments.is_empty());
    assert!(
        (by_signature.similarity - text.similarity).abs() < 0.2,
        "{by_signature:#?} {text:#?}"
    );
    assert!(by_signature.containment > 0.8, "{by_signature:#?}");
    assert!(by_signature.reverse_containment < by_signature.containment);
    Ok(())
}

#[test]
fn dedup_anonymous_copy_is_at_most_related() -> Result<(), DomainError> {
    let r = check(
        &doc(ORIGINAL, vec![]),
        &earlier(ORIGINAL, vec![person()]),
        &DedupSettings::default(),
    )?;
    assert_eq!(r.verdict, Verdict::Related);
    assert_eq!(r.candidates[0].applicant, ApplicantMatch::Anonymous);
    Ok(())
}

#[test]
fn dedup_strongest_candidate_first_and_no_candidates_is_new() -> Result<(), DomainError> {
    let s = DedupSettings::default();
    assert_eq!(
        check(&doc(ORIGINAL, vec![person()]), &[], &s)?.verdict,
        Verdict::New
    );
    let mut candidates = earlier(
        "Прошу починить лифт в доме, он стоит уже месяц, жильцы верхних \
        этажей не могут выйти из квартир.",
        vec![person()],
    );
    candidates.extend(earlier(ORIGINAL, vec![person()]));
    candidates[1].id = "second".to_owned();
    let r = check(&doc(ORIGINAL, vec![person()]), &candidates, &s)?;
    assert_eq!(r.verdict, Verdict::Duplicate);
    assert_eq!(r.duplicate_of.as_deref(), Some("second"));
    assert_eq!(r.candidates[1].verdict, Verdict::New);
    Ok(())
}

#[test]
fn dedup_settings_are_validated_and_serde_defaults() -> Result<(), DomainError> {
    let bad = DedupSettings {
        topic_min_overlap: 1.5,
        ..DedupSettings::default()
    };
    assert!(check(&doc(ORIGINAL, vec![]), &[], &bad).is_err());
    let (bytes, keys) = index_keys(ORIGINAL, SignatureParams::default())?;
    assert_eq!(bytes.len(), 520);
    assert_eq!(keys.len(), 16);
    Ok(())
}

/// Text made of appeal-like pieces: words, Kazakh letters, numbers, dates, phones, greetings,
/// closings, headers, punctuation and line breaks — the inputs where normalisation rules interact.
fn appeal_like() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        Just("Здравствуйте"),
        Just("Уважаемый аким"),
        Just("С уважением"),
        Just("Құрметпен"),
        Just("Сәлеметсіз бе"),
        Just("Акиму района"),
        Just("Заявитель"),
        Just("от"),
        Just("тел"),
        Just("+7 701 123 45 67"),
        Just("87011234567"),
        Just("ivanov@mail.kz"),
        Just("12.03.2024"),
        Just("12 марта 2024 года"),
        Just("2024 жылғы 12 наурыз"),
        Just("2024"),
        Just("12"),
        Just("марта"),
        Just("г"),
        Just("007"),
        Just("5а"),
        Just("Крыша"),
        Just("течёт"),
        Just("ҮЙДІҢ"),
        Just("шатыры"),
        Just("Akимат"),
        Just("İstanbul"),
        Just("d20240312"),
        Just("."),
        Just(","),
        Just("!"),
        Just("\n"),
        Just(" "),
        Just("..."),
        Just("«"),
        Just("»"),
        Just("г."),
        Just("ул."),
        Just("И."),
        Just("-"),
    ];
    prop::collection::vec(piece, 0..40).prop_map(|v| v.join(" "))
}

proptest! {
    #[test]
    fn dedup_normalize_is_idempotent_on_appeal_like_text(text in appeal_like()) {
        let once = normalize(&text);
        prop_assert_eq!(normalize(&once), once);
    }

    #[test]
    fn dedup_normalize_is_idempotent_on_any_text(text in "\\PC{0,200}") {
        let once = normalize(&text);
        prop_assert_eq!(normalize(&once), once);
    }

    #[test]
    fn dedup_signature_is_deterministic(text in appeal_like()) {
        // Two independently built hashers (as in two processes) give byte-identical signatures and
        // band keys; bytes round-trip.
        let p = SignatureParams::default();
        let (h1, h2) = (MinHasher::new(p), MinHasher::new(p));
        let (Ok(h1), Ok(h2)) = (h1, h2) else { return Err(TestCaseError::fail("params")) };
        let (a, b) = (Fingerprint::new(&text, &h1), Fingerprint::new(&text, &h2));
        prop_assert_eq!(a.signature.to_bytes(), b.signature.to_bytes());
        prop_assert_eq!(a.band_keys(&p), b.band_keys(&p));
        prop_assert_eq!(Signature::from_bytes(&a.signature.to_bytes()).ok(), Some(a.signature.clone()));
    }
}

#[test]
fn dedup_signature_values_are_pinned() -> Result<(), DomainError> {
    // Stored signatures must stay comparable across releases: a change here means
    // SIGNATURE_FORMAT_VERSION must be bumped. Version 2: header, then the shingle-set size.
    let (bytes, keys) = index_keys("Крыша течёт третий год.", SignatureParams::default())?;
    assert_eq!(&bytes[..4], &[2, 128, 0, 0]);
    let set_size = u32::from_le_bytes([bytes[4], bytes[5], bytes[6], bytes[7]]);
    assert!((3..=20).contains(&set_size), "{set_size}");
    let again = index_keys("КРЫША  ТЕЧЕТ третий год!", SignatureParams::default())?;
    assert_eq!(again, (bytes, keys));
    Ok(())
}

#[test]
fn dedup_fast_char_classes_agree_with_std() {
    // The fast paths must not change what counts as a word character (idempotence, stability).
    for c in ('\u{0}'..='\u{2FFF}').chain(['😀', '𝔸', 'ㄱ']) {
        assert_eq!(normalize::is_word_char(c), c.is_alphanumeric(), "{c:?}");
        assert_eq!(normalize::is_letter(c), c.is_alphabetic(), "{c:?}");
    }
}
