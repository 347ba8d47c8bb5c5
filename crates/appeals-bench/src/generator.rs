//! Synthetic appeals: Russian and Kazakh texts from sentence templates, applicants with valid IINs.
//! The same generator feeds the database seeder and the HTTP load, so seeded rows and registered
//! ones look alike.

use appeals_api::dto::{Address, ApplicantCategory, ApplicantInput, RegisterAppeal};
use appeals_domain::ident::check_digit;
use chrono::{DateTime, Utc};
use rand::rngs::StdRng;
use rand::seq::IndexedRandom;
use rand::{Rng, SeedableRng};

/// Russian sentences. Placeholders: {city} {street} {house} {flat} {district} {org} {date}
/// {year} {n} {name}.
const RU_SENTENCES: &[&str] = &[
    "Прошу принять меры по восстановлению отопления в доме № {house} по улице {street} в городе {city}.",
    "С {date} в квартире № {flat} отсутствует горячая вода, обращения в {org} результата не дали.",
    "Жители микрорайона {district} просят отремонтировать дорогу по улице {street}, покрытие разрушено.",
    "Прошу разъяснить порядок получения земельного участка под индивидуальное жилищное строительство в {city}.",
    "На мои неоднократные обращения в {org} ответа не поступило уже {n} дней.",
    "Во дворе дома {house} по улице {street} не вывозится мусор более двух недель.",
    "Прошу провести проверку законности начисления платы за коммунальные услуги за {year} год.",
    "Уличное освещение на участке улицы {street} от дома {house} до перекрёстка не работает с {date}.",
    "Я, {name}, проживаю по адресу: {city}, улица {street}, дом {house}, квартира {flat}.",
    "Прошу рассмотреть возможность установки детской площадки во дворе домов по улице {street}.",
    "Сотрудники {org} отказали в приёме документов без объяснения причин.",
    "В результате аварии водопровода затоплен подвал дома № {house}, управляющая компания бездействует.",
    "Прошу оказать содействие в получении места в детском саду для ребёнка {year} года рождения.",
    "Маршрутный автобус № {n} ходит с интервалом более сорока минут, что создаёт неудобства жителям {district}.",
    "Прошу выдать справку о составе семьи для предоставления в {org}.",
    "Строительная компания ведёт работы в ночное время рядом с домом {house} по улице {street}.",
    "Считаю решение {org} от {date} незаконным и прошу его отменить.",
    "Прошу включить нашу семью в очередь на получение жилья из государственного жилищного фонда.",
    "В поликлинике микрорайона {district} невозможно записаться к врачу в течение {n} дней.",
    "Прошу проверить качество ремонта подъезда, выполненного в {year} году за счёт бюджета.",
    "На остановке у дома {house} отсутствует навес, пожилым людям приходится ждать под дождём.",
    "Пенсия за последние {n} месяцев начислена не в полном объёме, прошу разобраться.",
    "Прошу принять меры к владельцам собак, выгуливающим животных без поводка во дворе.",
    "В школе № {n} города {city} не хватает учебников для учащихся начальных классов.",
    "Ответ прошу направить по адресу: {city}, улица {street}, дом {house}, квартира {flat}.",
    "Незаконная парковка на тротуаре по улице {street} мешает проходу пешеходов с колясками.",
    "Прошу предоставить информацию о сроках капитального ремонта дома № {house}.",
    "После замены счётчиков в {year} году плата за электроэнергию выросла вдвое.",
    "Прошу восстановить мне выплату пособия, прекращённую {date} без уведомления.",
    "Деревья во дворе дома {house} находятся в аварийном состоянии и угрожают жителям.",
    "Прошу ускорить рассмотрение моего заявления, поданного в {org} {date}.",
    "Благодарю за оперативное решение вопроса и прошу учесть мои предложения по благоустройству {district}.",
    "Заранее благодарю за рассмотрение обращения.",
];

/// Kazakh sentences (same placeholders).
const KK_SENTENCES: &[&str] = &[
    "{city} қаласы, {street} көшесі, {house} үйдегі жылуды қалпына келтіруге шара қолдануыңызды сұраймын.",
    "{date} бастап {flat} пәтерде ыстық су жоқ, {org} мекемесіне жүгіну нәтиже бермеді.",
    "{district} шағын ауданының тұрғындары {street} көшесіндегі жолды жөндеуді сұрайды.",
    "{city} қаласында жеке тұрғын үй құрылысы үшін жер учаскесін алу тәртібін түсіндіруіңізді сұраймын.",
    "{org} мекемесіне бірнеше рет жүгінсем де, {n} күн бойы жауап болмады.",
    "{street} көшесі, {house} үйдің ауласынан екі аптадан бері қоқыс шығарылмайды.",
    "{year} жылғы коммуналдық қызметтер төлемінің заңдылығын тексеруіңізді сұраймын.",
    "{street} көшесіндегі көше жарығы {date} бастап жұмыс істемейді.",
    "Мен, {name}, мекенжайым: {city}, {street} көшесі, {house} үй, {flat} пәтер.",
    "{street} көшесіндегі үйлердің ауласына балалар алаңын орнату мүмкіндігін қарастыруыңызды сұраймын.",
    "{org} қызметкерлері құжаттарды себепсіз қабылдаудан бас тартты.",
    "Су құбырындағы апаттың салдарынан {house} үйдің жертөлесін су басты, басқарушы компания әрекет етпейді.",
    "{year} жылы туған балама балабақшадан орын алуға көмек көрсетуіңізді сұраймын.",
    "{n} бағыттағы автобус қырық минуттан астам аралықпен жүреді, бұл {district} тұрғындарына қолайсыз.",
    "{org} мекемесіне ұсыну үшін отбасы құрамы туралы анықтама беруіңізді сұраймын.",
    "Құрылыс компаниясы {street} көшесі, {house} үйдің жанында түнгі уақытта жұмыс жүргізеді.",
    "{org} мекемесінің {date} шешімін заңсыз деп санаймын және оның күшін жоюды сұраймын.",
    "Отбасымызды мемлекеттік тұрғын үй қорынан баспана алу кезегіне қоюыңызды сұраймын.",
    "{district} шағын ауданындағы емханада {n} күн бойы дәрігерге жазылу мүмкін емес.",
    "{year} жылы бюджет қаражатына жасалған кіреберіс жөндеуінің сапасын тексеруіңізді сұраймын.",
    "{house} үйдің жанындағы аялдамада шатыр жоқ, қарт адамдар жаңбыр астында күтуге мәжбүр.",
    "Соңғы {n} айдағы зейнетақы толық көлемде есептелмеген, анықтауыңызды сұраймын.",
    "Аулада иттерді бақылаусыз серуендететін иелерге шара қолдануыңызды сұраймын.",
    "{city} қаласындағы № {n} мектепте бастауыш сынып оқушыларына оқулықтар жетіспейді.",
    "Жауапты мына мекенжайға жіберуіңізді сұраймын: {city}, {street} көшесі, {house} үй, {flat} пәтер.",
    "{street} көшесіндегі тротуарға заңсыз қойылған көліктер жаяу жүргіншілерге кедергі келтіреді.",
    "{house} үйді күрделі жөндеу мерзімдері туралы ақпарат беруіңізді сұраймын.",
    "{year} жылы есептегіштер ауыстырылғаннан кейін электр қуатының ақысы екі есе өсті.",
    "{date} ескертусіз тоқтатылған жәрдемақы төлемін қалпына келтіруіңізді сұраймын.",
    "{house} үйдің ауласындағы ағаштар апатты жағдайда, тұрғындарға қауіп төндіреді.",
    "{date} {org} мекемесіне берген өтінішімді қарауды жеделдетуіңізді сұраймын.",
    "Мәселені жедел шешкеніңіз үшін алғыс айтамын және {district} абаттандыру бойынша ұсыныстарымды ескеруіңізді сұраймын.",
    "Өтінішімді қарағаныңыз үшін алдын ала алғыс айтамын.",
];

const CITIES: &[&str] = &[
    "Алматы",
    "Астана",
    "Шымкент",
    "Қарағанды",
    "Ақтөбе",
    "Тараз",
    "Павлодар",
    "Өскемен",
    "Семей",
    "Атырау",
    "Қостанай",
    "Қызылорда",
    "Орал",
    "Петропавл",
    "Түркістан",
];
const STREETS: &[&str] = &[
    "Абая",
    "Сатпаева",
    "Толе би",
    "Жандосова",
    "Назарбаева",
    "Желтоксан",
    "Богенбай батыра",
    "Кабанбай батыра",
    "Республики",
    "Гагарина",
    "Байтурсынова",
    "Аль-Фараби",
    "Момышулы",
    "Жибек жолы",
    "Туркебаева",
    "Ауэзова",
];
const DISTRICTS: &[&str] = &[
    "Алмалинский",
    "Бостандыкский",
    "Ауэзовский",
    "Медеуский",
    "Алатауский",
    "Есильский",
    "Сарыаркинский",
    "Байконурский",
];
const ORGS: &[&str] = &[
    "акимат района",
    "КСК «Уют»",
    "управление образования",
    "отдел ЖКХ",
    "центр обслуживания населения",
    "управление здравоохранения",
    "ТОО «Тазалық»",
    "департамент труда и социальной защиты",
];
const SURNAMES_M: &[&str] = &[
    "Ахметов",
    "Серикбаев",
    "Нурланов",
    "Жумабеков",
    "Иванов",
    "Касымов",
    "Оспанов",
    "Петров",
    "Есенов",
    "Бекмуратов",
    "Сулейменов",
    "Кузнецов",
];
const FIRST_M: &[&str] = &[
    "Ерлан",
    "Айдар",
    "Нурлан",
    "Данияр",
    "Сергей",
    "Асхат",
    "Бауыржан",
    "Алексей",
    "Тимур",
    "Марат",
];
const FIRST_F: &[&str] = &[
    "Айгуль",
    "Динара",
    "Сауле",
    "Мадина",
    "Елена",
    "Жанар",
    "Асель",
    "Ольга",
    "Гульнара",
    "Алия",
];
const PATRONYMIC_ROOTS: &[&str] = &[
    "Серик",
    "Нурлан",
    "Болат",
    "Ерлан",
    "Марат",
    "Кайрат",
    "Асхат",
    "Сагын",
];
const TOPICS: &[&str] = &[
    "отопление",
    "водоснабжение",
    "дороги",
    "вывоз мусора",
    "освещение",
    "образование",
    "здравоохранение",
    "жильё",
    "транспорт",
    "социальные выплаты",
    "земельные отношения",
    "благоустройство",
];

/// Document types with their share of the flow (percent).
const DOCUMENT_TYPES: &[(&str, u32)] = &[
    ("application", 55),
    ("complaint", 15),
    ("request", 10),
    ("proposal", 10),
    ("message", 5),
    ("response", 5),
];

/// A synthetic applicant, fully determined by its number (so ~3 appeals share one person).
#[derive(Debug, Clone)]
pub struct Person {
    pub iin: String,
    pub surname: String,
    pub first_name: String,
    pub patronymic: String,
    pub city: &'static str,
    pub street: &'static str,
    pub district: &'static str,
    pub house: u32,
    pub flat: u32,
    pub phone: String,
}

/// An IIN (R47, R48) for a birth date and sex with a valid check digit; the serial varies until
/// the check digit exists (prefixes whose both passes give 10 are never issued).
pub fn iin(rng: &mut impl Rng, female: bool) -> String {
    loop {
        let year: u32 = rng.random_range(1940..=2007);
        let month: u32 = rng.random_range(1..=12);
        let day: u32 = rng.random_range(1..=28);
        let century_sex = match (year >= 2000, female) {
            (false, false) => 3,
            (false, true) => 4,
            (true, false) => 5,
            (true, true) => 6,
        };
        let serial: u32 = rng.random_range(0..10_000);
        let prefix = format!(
            "{:02}{month:02}{day:02}{century_sex}{serial:04}",
            year % 100
        );
        let mut digits = [0u8; 11];
        for (d, b) in digits.iter_mut().zip(prefix.bytes()) {
            *d = b - b'0';
        }
        if let Some(check) = check_digit(&digits) {
            return format!("{prefix}{check}");
        }
    }
}

pub fn person(number: u64) -> Person {
    let mut rng = StdRng::seed_from_u64(number.wrapping_mul(0x9E37_79B9_7F4A_7C15));
    let female = rng.random_bool(0.5);
    let pick = |rng: &mut StdRng, list: &[&'static str]| -> &'static str {
        list.choose(rng).copied().unwrap_or("—")
    };
    let surname_root = pick(&mut rng, SURNAMES_M);
    let (surname, first_name, patronymic) = if female {
        (
            format!("{surname_root}а"),
            pick(&mut rng, FIRST_F).to_owned(),
            format!("{}овна", pick(&mut rng, PATRONYMIC_ROOTS)),
        )
    } else {
        (
            surname_root.to_owned(),
            pick(&mut rng, FIRST_M).to_owned(),
            format!("{}ович", pick(&mut rng, PATRONYMIC_ROOTS)),
        )
    };
    Person {
        iin: iin(&mut rng, female),
        surname,
        first_name,
        patronymic,
        city: pick(&mut rng, CITIES),
        street: pick(&mut rng, STREETS),
        district: pick(&mut rng, DISTRICTS),
        house: rng.random_range(1..=250),
        flat: rng.random_range(1..=300),
        phone: format!("+7701{:07}", rng.random_range(0..10_000_000u32)),
    }
}

/// A text of 300–5,000 characters: sentences drawn at random and filled with the applicant's data.
/// Lengths are skewed towards short texts (most appeals are a paragraph or two).
pub fn text(rng: &mut impl Rng, kazakh: bool, p: &Person) -> String {
    let sentences = if kazakh { KK_SENTENCES } else { RU_SENTENCES };
    let target: usize = if rng.random_bool(0.7) {
        rng.random_range(300..1_500)
    } else {
        rng.random_range(1_500..5_000)
    };
    let name = format!("{} {} {}", p.surname, p.first_name, p.patronymic);
    let mut out = String::with_capacity(target * 2 + 256);
    let mut chars = 0usize;
    while chars < target {
        let template = sentences.choose(rng).copied().unwrap_or("");
        let date = format!(
            "{:02}.{:02}.{}",
            rng.random_range(1..=28),
            rng.random_range(1..=12),
            rng.random_range(2023..=2026)
        );
        let sentence = template
            .replace("{city}", p.city)
            .replace("{street}", p.street)
            .replace("{house}", &p.house.to_string())
            .replace("{flat}", &p.flat.to_string())
            .replace("{district}", p.district)
            .replace("{org}", ORGS.choose(rng).copied().unwrap_or(""))
            .replace("{date}", &date)
            .replace("{year}", &rng.random_range(2015..=2025).to_string())
            .replace("{n}", &rng.random_range(2..=90).to_string())
            .replace("{name}", &name);
        let len = sentence.chars().count();
        if chars + len + 1 > 5_000 {
            break;
        }
        if chars > 0 {
            out.push(' ');
            chars += 1;
        }
        out.push_str(&sentence);
        chars += len;
    }
    out
}

fn document_type(rng: &mut impl Rng) -> &'static str {
    let roll = rng.random_range(0..100);
    let mut acc = 0;
    for (code, share) in DOCUMENT_TYPES {
        acc += share;
        if roll < acc {
            return code;
        }
    }
    "application"
}

fn applicant(p: &Person) -> ApplicantInput {
    ApplicantInput {
        category: ApplicantCategory::Individual,
        iin_bin: Some(p.iin.clone()),
        surname: Some(p.surname.clone()),
        first_name: Some(p.first_name.clone()),
        patronymic: Some(p.patronymic.clone()),
        company_name: None,
        address: Some(Address {
            region: Some(format!("г. {}", p.city)),
            district: Some(p.district.to_owned()),
            settlement_kato: None,
            street: Some(format!("ул. {}", p.street)),
            house: Some(p.house.to_string()),
            flat: Some(p.flat.to_string()),
            postal_code: None,
        }),
        mobile_phone: Some(p.phone.clone()),
        email: None,
    }
}

/// A registration body as a client would send it: one applicant `person_number` (5% collective
/// with a second applicant), received at `received_at`.
pub fn appeal(
    rng: &mut impl Rng,
    person_number: u64,
    received_at: DateTime<Utc>,
) -> RegisterAppeal {
    let first = person(person_number);
    let mut applicants = vec![applicant(&first)];
    if rng.random_bool(0.05) {
        applicants.push(applicant(&person(
            person_number.wrapping_add(1_000_000_007),
        )));
    }
    let kazakh = rng.random_bool(0.4);
    let text = text(rng, kazakh, &first);
    let summary: String = text.chars().take(200).collect();
    let topic = TOPICS.choose(rng).copied().unwrap_or("прочее");
    RegisterAppeal {
        document_type: document_type(rng).to_owned(),
        tags: vec![topic.to_owned()],
        applicants,
        text,
        summary: Some(summary),
        receipt_form: ["electronic", "electronic", "electronic", "postal", "oral"]
            .choose(rng)
            .copied()
            .unwrap_or("electronic")
            .to_owned(),
        receipt_source: None,
        language: if kazakh { "state" } else { "official" }.to_owned(),
        received_at,
        issue_category: None,
        addressee_subject_id: None,
        non_accountable_category: None,
        signed: true,
        postal_address: None,
        reports_crime_or_threat: false,
        complaint: None,
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)] // tests: a failed unwrap is a failed test
    use super::*;
    use appeals_domain::ident::Iin;

    #[test]
    fn generated_iins_are_valid_and_texts_fit_the_bounds() {
        let mut rng = StdRng::seed_from_u64(7);
        for n in 0..2_000 {
            let p = person(n);
            Iin::parse(&p.iin).unwrap();
            let body = appeal(&mut rng, n, Utc::now());
            let len = body.text.chars().count();
            assert!((300..=5_000).contains(&len), "length {len}");
        }
        assert!(RU_SENTENCES.len() >= 30 && KK_SENTENCES.len() >= 30);
    }
}
