#!/usr/bin/env python3
# -*- coding: utf-8 -*-
"""Generates tests/data/dedup_eval.jsonl: labelled pairs for the duplicate engine (p.2(2), p.13).

Deterministic (fixed seed, no network): `python3 tests/data/gen_dedup_eval.py` rewrites the file
byte for byte. Base texts are hand-written in gen_dedup_eval_texts_{ru,kk}.py — every sentence has
a hand-written paraphrase, a paragraph of new arguments and a set of new circumstances.

Each line: {"id", "lang", "category", "label", "a": {"text", "applicant": [ApplicantKey…]},
"b": {…}, "novel": [substrings of b expected among the novel fragments]}. `a` is the earlier
appeal, `b` the new one. `applicant` is a list (empty = anonymous, several = collective) of
objects with the fields of `appeals_domain::dedup::ApplicantKey`.

Labels follow p.2(2): duplicate = same person/group, same issue, no new arguments or circumstances
(regardless of addressee, wording, form); related = same issue with new arguments/circumstances,
or an anonymous copy (authorship cannot be established, so it cannot be "the same person");
new = different issue, or a different applicant.

Categories per base text (i = index within its language):
  exact_copy (even i) / other_subject (odd i)   -> duplicate
  reworded                                      -> duplicate
  reordered (even i) / typos_case (odd i)       -> duplicate
  plus_argument                                 -> related (novel = the new paragraph)
  new_circumstances                             -> related (novel = the new events)
  different_topic (same applicant)              -> new
  anonymous_copy (i%4==0) -> related; collective_overlap (i%4==1) -> duplicate;
  different_applicant (otherwise)               -> new
"""

import json
import os
import random
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from gen_dedup_eval_texts_kk import KK  # noqa: E402
from gen_dedup_eval_texts_ru import RU  # noqa: E402

SEED = 20260104
OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "dedup_eval.jsonl")

# ---------------------------------------------------------------- people

RU_SURNAMES = ["Иванов", "Петров", "Смирнов", "Кузнецов", "Попов", "Соколов", "Лебедев", "Козлов",
               "Новиков", "Морозов", "Волков", "Алексеев", "Фёдоров", "Семёнов", "Павлов", "Голубев",
               "Богданов", "Воробьёв", "Тарасов", "Белов", "Комаров", "Орлов", "Киселёв", "Макаров",
               "Ахметов", "Сейтов", "Исмаилов", "Ким", "Цой", "Гончаренко"]
RU_MALE = ["Иван", "Сергей", "Андрей", "Алексей", "Дмитрий", "Николай", "Владимир", "Олег", "Ерлан",
           "Марат", "Артём", "Фёдор", "Виктор", "Руслан"]
RU_FEMALE = ["Ольга", "Елена", "Татьяна", "Наталья", "Ирина", "Светлана", "Анна", "Алёна", "Гульнара",
             "Марина", "Людмила", "Динара"]
RU_PATR_M = ["Иванович", "Сергеевич", "Петрович", "Николаевич", "Болатович", "Викторович", "Фёдорович"]
RU_PATR_F = ["Ивановна", "Сергеевна", "Петровна", "Николаевна", "Болатовна", "Викторовна", "Фёдоровна"]

KK_SURNAMES = ["Ахметов", "Сейітов", "Жұмабаев", "Нұрланов", "Омаров", "Серікбаев", "Тоқтаров", "Әбенов",
               "Қасымов", "Бекболатов", "Мұқанов", "Оспанов", "Төлеуов", "Ержанов", "Сәрсенбаев",
               "Құдайбергенов", "Әлиев", "Байжанов"]
KK_MALE = ["Ерлан", "Нұрлан", "Бауыржан", "Асқар", "Мұрат", "Дәурен", "Қайрат", "Серік", "Ғалым", "Жандос"]
KK_FEMALE = ["Айгүл", "Гүлнар", "Сәуле", "Жанар", "Динара", "Әйгерім", "Мөлдір", "Ұлжан", "Гүлмира"]
KK_FATHERS = ["Болат", "Серік", "Қанат", "Ерлан", "Мұхтар", "Асқар", "Жақсылық", "Төлеген"]

CITIES = [
    # (ru city, kk city, KATO, ru streets (genitive), kk streets)
    ("г. Алматы", "Алматы қ.", "751110000", ["Абая", "Сатпаева", "Жандосова", "Толе би"], ["Абай", "Сәтбаев", "Жандосов", "Төле би"]),
    ("г. Астана", "Астана қ.", "711110000", ["Кенесары", "Сарыарка", "Момышулы"], ["Кенесары", "Сарыарқа", "Момышұлы"]),
    ("г. Шымкент", "Шымкент қ.", "791510000", ["Байтурсынова", "Тауке хана"], ["Байтұрсынов", "Тәуке хан"]),
    ("г. Караганда", "Қарағанды қ.", "351010000", ["Бухар жырау", "Ерубаева"], ["Бұқар жырау", "Ерубаев"]),
    ("с. Бескайнар", "Бесқайнар а.", "196835100", ["Центральная", "Школьная"], ["Орталық", "Мектеп"]),
    ("г. Актобе", "Ақтөбе қ.", "151010000", ["Абилкайыр хана", "Маресьева"], ["Әбілқайыр хан", "Маресьев"]),
]


def iin_check_digit(d):
    w1 = list(range(1, 12))
    s = sum(a * b for a, b in zip(d, w1)) % 11
    if s == 10:
        w2 = [3, 4, 5, 6, 7, 8, 9, 10, 11, 1, 2]
        s = sum(a * b for a, b in zip(d, w2)) % 11
        if s == 10:
            return None
    return s


def make_iin(rng, female):
    while True:
        year = rng.randint(1945, 2004)
        month, day = rng.randint(1, 12), rng.randint(1, 28)
        century = (3 if year < 2000 else 5) + (1 if female else 0)
        head = f"{year % 100:02d}{month:02d}{day:02d}{century}{rng.randint(0, 9999):04d}"
        c = iin_check_digit([int(x) for x in head])
        if c is not None:
            return head + str(c)


def make_person(rng, lang):
    female = rng.random() < 0.5
    city = rng.choice(CITIES)
    house, flat = rng.randint(1, 120), rng.randint(1, 180)
    street_i = rng.randrange(len(city[3]))
    if lang == "ru":
        sur = rng.choice(RU_SURNAMES)
        if female:
            sur = sur + "а" if sur.endswith(("ов", "ев", "ёв", "ин")) else sur
            name, patr = rng.choice(RU_FEMALE), rng.choice(RU_PATR_F)
        else:
            name, patr = rng.choice(RU_MALE), rng.choice(RU_PATR_M)
        address = f"{city[0]}, ул. {city[3][street_i]}, д. {house}, кв. {flat}"
    else:
        sur = rng.choice(KK_SURNAMES)
        if female:
            sur = sur + "а"
            name, patr = rng.choice(KK_FEMALE), rng.choice(KK_FATHERS) + "қызы"
        else:
            name, patr = rng.choice(KK_MALE), rng.choice(KK_FATHERS) + "ұлы"
        address = f"{city[1]}, {city[4][street_i]} көшесі, {house} үй, {flat} пәтер"
    return dict(sur=sur, name=name, patr=patr, iin=make_iin(rng, female), address=address,
                kato=city[2], city=city, street_i=street_i, house=house, flat=flat, lang=lang,
                intro=rng.random() < 0.5)


def fio(p):
    return f"{p['sur']} {p['name']} {p['patr']}"


def key_full(p):
    return dict(iin_bin=p["iin"], full_name=fio(p), address=p["address"], kato_settlement=p["kato"])


def key_paper(rng, p):
    """The same person as written on a paper appeal: no IIN, another name order or initials,
    the address formatted differently (other language of the street type words)."""
    style = rng.randrange(3)
    if style == 0:
        name = f"{p['name']} {p['patr']} {p['sur'].upper()}"
    elif style == 1:
        name = f"{p['sur']} {p['name'][0]}.{p['patr'][0]}."
    else:
        name = f"{p['sur']} {p['name']}".replace("ё", "е")
    city = p["city"]
    if p["lang"] == "ru":
        address = f"{city[1]}, {city[4][p['street_i']]} көшесі, {p['house']} үй, {p['flat']} пәтер"
    else:
        address = f"{city[0]}, ул. {city[3][p['street_i']]}, д. {p['house']}, кв. {p['flat']}"
    k = dict(iin_bin=None, full_name=name, address=address, kato_settlement=None)
    if rng.random() < 0.5:
        k["kato_settlement"] = p["kato"]
    return k


# ---------------------------------------------------------------- letters

RU_SUBJECTS = ["Акиму Алмалинского района г. Алматы", "Прокурору города Астаны",
               "Руководителю управления жилищно-коммунального хозяйства",
               "Акиму города Шымкента", "Начальнику департамента полиции",
               "Министру труда и социальной защиты населения",
               "Руководителю управления здравоохранения", "Акиму сельского округа",
               "Уполномоченному по правам человека в Республике Казахстан", "В акимат района"]
KK_SUBJECTS = ["Алматы қаласы Алмалы ауданының әкіміне", "Астана қаласының прокурорына",
               "Тұрғын үй-коммуналдық шаруашылық басқармасының басшысына", "Шымкент қаласының әкіміне",
               "Полиция департаментінің бастығына", "Еңбек және халықты әлеуметтік қорғау министріне",
               "Денсаулық сақтау басқармасының басшысына", "Ауылдық округ әкіміне",
               "Адам құқықтары жөніндегі уәкілге"]
RU_GREETINGS = ["Здравствуйте!", "Уважаемый аким!", "Уважаемый Ерлан Болатович!", "Добрый день.", "",
                "Уважаемые сотрудники прокуратуры!", "Здравствуйте, уважаемый руководитель!"]
KK_GREETINGS = ["Сәлеметсіз бе!", "Құрметті әкім!", "Құрметті Ерлан Болатұлы!", "Қайырлы күн!", "",
                "Сәлеметсіз бе, құрметті басшы!"]
RU_TITLES = ["ЗАЯВЛЕНИЕ", "Жалоба", "Обращение", "", ""]
KK_TITLES = ["ӨТІНІШ", "Шағым", "Арыз", "", ""]


def phone(rng):
    return f"+7 7{rng.randint(0, 9)}{rng.randint(0, 9)} {rng.randint(100, 999)} {rng.randint(10, 99)} {rng.randint(10, 99)}"


def date(rng):
    return f"{rng.randint(1, 28):02d}.{rng.randint(1, 12):02d}.{rng.choice([2023, 2024, 2025])}"


def intro(p):
    if p["lang"] == "ru":
        return f"Я, {fio(p)}, проживаю по адресу: {p['address']}."
    return f"Мен, {fio(p)}, {p['address']} мекенжайында тұрамын."


def letter(rng, lang, paragraphs, persons, subject=None, greeting=None, anonymous=False):
    """Assembles a letter: header, greeting, body paragraphs, closing."""
    ru = lang == "ru"
    subject = subject if subject is not None else rng.choice(RU_SUBJECTS if ru else KK_SUBJECTS)
    greeting = greeting if greeting is not None else rng.choice(RU_GREETINGS if ru else KK_GREETINGS)
    lines = [subject]
    p = persons[0] if persons else None
    if not anonymous and p is not None:
        if len(persons) > 1:
            names = ", ".join(fio(x) for x in persons)
            lines.append(("Заявители: " if ru else "Өтініш берушілер: ") + names)
        else:
            lines.append(("Заявитель: " if ru else "Өтініш беруші: ") + fio(p))
        lines.append(("Адрес: " if ru else "Мекенжайы: ") + p["address"])
        if rng.random() < 0.5:
            lines.append(("ИИН " if ru else "ЖСН ") + p["iin"])
    title = rng.choice(RU_TITLES if ru else KK_TITLES)
    out = "\n".join(lines) + "\n\n"
    if title:
        out += title + "\n\n"
    if greeting:
        out += greeting + "\n\n"
    body = [list(par) for par in paragraphs]
    if not anonymous and p is not None and p["intro"] and len(persons) == 1:
        body[0].insert(0, intro(p))
    out += "\n\n".join(" ".join(par) for par in body)
    if anonymous:
        out += "\n\n" + ("Житель района." if ru else "Аудан тұрғыны.")
        return out
    closing_kind = rng.randrange(3)
    if ru:
        closing = [f"С уважением, {fio(p)}.", f"Заранее спасибо за ответ.\n{fio(p)}", f"С уважением,\n{p['sur']} {p['name'][0]}.{p['patr'][0]}."][closing_kind]
    else:
        closing = [f"Құрметпен, {fio(p)}.", f"Алдын ала рахмет.\n{fio(p)}", f"Құрметпен,\n{p['sur']} {p['name'][0]}."][closing_kind]
    out += "\n\n" + closing
    if rng.random() < 0.6:
        out += "\n" + ("Тел.: " if ru else "Тел.: ") + phone(rng)
    if rng.random() < 0.5:
        out += "\n" + date(rng)
    return out


def paragraphs_of(sentences):
    """Five sentences -> paragraphs [0,1], [2,3], [4]."""
    return [sentences[0:2], sentences[2:4], sentences[4:]]


def pick(base, choice):
    """choice: 'o' original, 'p' paraphrase, per sentence."""
    return [s[0] if c == "o" else s[1] for s, c in zip(base["s"], choice)]


# ---------------------------------------------------------------- transformations

def typos(rng, text):
    """Typos (swapped, dropped, doubled letters), case changes, ё→е, lost spaces."""
    words = text.split(" ")
    out = []
    for w in words:
        letters = [i for i, c in enumerate(w) if c.isalpha()]
        if len(letters) >= 5 and rng.random() < 0.10:
            i = rng.choice(letters[1:-1])
            op = rng.randrange(3)
            if op == 0 and i + 1 < len(w) and w[i + 1].isalpha():
                w = w[:i] + w[i + 1] + w[i] + w[i + 2:]
            elif op == 1:
                w = w[:i] + w[i + 1:]
            else:
                w = w[:i] + w[i] + w[i:]
        out.append(w)
    text = " ".join(out).replace("ё", "е")
    mode = rng.randrange(3)
    if mode == 0:
        text = text.lower()
    elif mode == 1:
        # One paragraph shouted in capitals.
        pars = text.split("\n\n")
        k = rng.randrange(len(pars))
        pars[k] = pars[k].upper()
        text = "\n\n".join(pars)
    else:
        text = text.replace(". ", ".", 2).replace(", ", ",", 3)
    return text


# ---------------------------------------------------------------- pairs

def pair(pid, lang, category, label, a_text, a_app, b_text, b_app, novel=()):
    for t in (a_text, b_text):
        assert 300 <= len(t) <= 3000, (pid, len(t))
    for n in novel:
        assert n in b_text, (pid, n)
    return dict(id=pid, lang=lang, category=category, label=label,
                a=dict(text=a_text, applicant=a_app), b=dict(text=b_text, applicant=b_app),
                novel=list(novel))


def gen_lang(rng, lang, bases):
    rows = []
    n = len(bases)
    ru = lang == "ru"
    subjects = RU_SUBJECTS if ru else KK_SUBJECTS
    for i, base in enumerate(bases):
        orig = pick(base, "ooooo")
        para = pick(base, "ppppp")
        pid = f"{lang}-{i:02d}"

        def person():
            return make_person(rng, lang)

        def same_key(p):
            return key_paper(rng, p) if rng.random() < 0.3 else key_full(p)

        # 1. exact copy / the same text to another subject.
        p = person()
        s1, s2 = rng.sample(subjects, 2)
        if i % 2 == 0:
            a = letter(rng, lang, paragraphs_of(orig), [p], subject=s1)
            b = letter(rng, lang, paragraphs_of(orig), [p], subject=s1)
            rows.append(pair(f"{pid}-exact", lang, "exact_copy", "duplicate", a, [key_full(p)], b, [key_full(p)]))
        else:
            a = letter(rng, lang, paragraphs_of(orig), [p], subject=s1)
            b = letter(rng, lang, paragraphs_of(orig), [p], subject=s2)
            rows.append(pair(f"{pid}-subject", lang, "other_subject", "duplicate", a, [key_full(p)], b, [same_key(p)]))

        # 2. reworded (hand-written paraphrase of every sentence), often to another subject.
        p = person()
        a = letter(rng, lang, paragraphs_of(orig), [p])
        b = letter(rng, lang, paragraphs_of(para), [p])
        rows.append(pair(f"{pid}-reworded", lang, "reworded", "duplicate", a, [key_full(p)], b, [same_key(p)]))

        # 3. reordered paragraphs with mixed wording / typos and case changes.
        p = person()
        if i % 2 == 0:
            mix = pick(base, "".join(rng.choice("op") for _ in range(5)))
            pars = paragraphs_of(mix)
            pars = [pars[1], pars[0], pars[2]] if rng.random() < 0.5 else [pars[2], pars[0], pars[1]]
            pars[0] = list(reversed(pars[0]))
            a = letter(rng, lang, paragraphs_of(orig), [p])
            b = letter(rng, lang, pars, [p])
            rows.append(pair(f"{pid}-reordered", lang, "reordered", "duplicate", a, [key_full(p)], b, [same_key(p)]))
        else:
            a = letter(rng, lang, paragraphs_of(orig), [p])
            b = typos(rng, letter(rng, lang, paragraphs_of(orig), [p]))
            rows.append(pair(f"{pid}-typos", lang, "typos_case", "duplicate", a, [key_full(p)], b, [same_key(p)]))

        # 4. the same text plus a paragraph of new arguments / legal grounds.
        p = person()
        body = pick(base, "".join(rng.choice("oop") for _ in range(5)))
        pars = paragraphs_of(body)
        new_par = list(base["extra"])
        pars.insert(2 if rng.random() < 0.5 else 3, new_par)
        a = letter(rng, lang, paragraphs_of(orig), [p])
        b = letter(rng, lang, pars, [p])
        rows.append(pair(f"{pid}-argument", lang, "plus_argument", "related", a, [key_full(p)], b, [same_key(p)], new_par))

        # 5. the same issue with new circumstances that happened after the first appeal.
        p = person()
        restated = [base["s"][0][1], base["s"][1][rng.randrange(2)]]
        upd = list(base["update"])
        request = base["s"][4][rng.randrange(2)]
        a = letter(rng, lang, paragraphs_of(orig), [p])
        b = letter(rng, lang, [restated, upd, [request]], [p])
        rows.append(pair(f"{pid}-circumstances", lang, "new_circumstances", "related", a, [key_full(p)], b, [same_key(p)], upd))

        # 6. the same applicant, a different issue.
        p = person()
        other = bases[(i + 7) % n]
        a = letter(rng, lang, paragraphs_of(orig), [p])
        b = letter(rng, lang, paragraphs_of(pick(other, "".join(rng.choice("op") for _ in range(5)))), [p])
        rows.append(pair(f"{pid}-othertopic", lang, "different_topic", "new", a, [key_full(p)], b, [same_key(p)]))

        # 7. anonymous copy / collective appeal repeated by one of its signatories / another applicant.
        p = person()
        if i % 4 == 0:
            a = letter(rng, lang, paragraphs_of(orig), [p])
            b = letter(rng, lang, paragraphs_of(pick(base, "".join(rng.choice("op") for _ in range(5)))), [], anonymous=True)
            rows.append(pair(f"{pid}-anonymous", lang, "anonymous_copy", "related", a, [key_full(p)], b, []))
        elif i % 4 == 1:
            group = [p, person(), person()]
            a = letter(rng, lang, paragraphs_of(orig), group)
            signer = group[rng.randrange(1, 3)]
            b = letter(rng, lang, paragraphs_of(para), [signer])
            rows.append(pair(f"{pid}-collective", lang, "collective_overlap", "duplicate", a, [key_full(x) for x in group], b, [same_key(signer)]))
        else:
            q = person()
            body = orig if rng.random() < 0.5 else para
            a = letter(rng, lang, paragraphs_of(orig), [p])
            b = letter(rng, lang, paragraphs_of(body), [q])
            rows.append(pair(f"{pid}-otherapplicant", lang, "different_applicant", "new", a, [key_full(p)], b, [key_full(q)]))
    return rows


def main():
    rng = random.Random(SEED)
    rows = gen_lang(rng, "ru", RU) + gen_lang(rng, "kk", KK)
    with open(OUT, "w", encoding="utf-8", newline="\n") as f:
        for r in rows:
            f.write(json.dumps(r, ensure_ascii=False, sort_keys=False) + "\n")
    by = {}
    for r in rows:
        by[(r["lang"], r["label"])] = by.get((r["lang"], r["label"]), 0) + 1
    print(f"{len(rows)} pairs -> {OUT}", file=sys.stderr)
    for k in sorted(by):
        print(f"  {k[0]} {k[1]}: {by[k]}", file=sys.stderr)


if __name__ == "__main__":
    main()
