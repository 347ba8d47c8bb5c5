-- The reference books of ЛП-1 (requisites 14, 15, 17, 18, 23): the Order names them, DOMAIN.md
-- infers their values; admins of the authorized body edit them like the others.
-- Generated from appeals_domain::dictionary::default_dictionaries() by
-- appeals_db::repo::configuration::seed_sql; tests/tests/dictionaries.rs checks the
-- migrated rows against the domain defaults on both backends.
INSERT INTO dictionary_entries (dictionary, code, position, label_ru, label_kk, attributes, active) VALUES
    ('social_statuses', 'employed', 0, 'Работающий', 'Жұмыс істейтін', '{"evidence":"inf"}', TRUE),
    ('social_statuses', 'civil_servant', 1, 'Государственный служащий', 'Мемлекеттік қызметші', '{"evidence":"inf"}', TRUE),
    ('social_statuses', 'entrepreneur', 2, 'Предприниматель', 'Кәсіпкер', '{"evidence":"inf"}', TRUE),
    ('social_statuses', 'unemployed', 3, 'Безработный', 'Жұмыссыз', '{"evidence":"inf"}', TRUE),
    ('social_statuses', 'pensioner', 4, 'Пенсионер', 'Зейнеткер', '{"evidence":"inf"}', TRUE),
    ('social_statuses', 'student', 5, 'Учащийся, студент', 'Оқушы, студент', '{"evidence":"inf"}', TRUE),
    ('social_statuses', 'disabled', 6, 'Лицо с инвалидностью', 'Мүгедектігі бар адам', '{"evidence":"inf"}', TRUE),
    ('social_statuses', 'military', 7, 'Военнослужащий', 'Әскери қызметші', '{"evidence":"inf"}', TRUE),
    ('social_statuses', 'other', 8, 'Иной', 'Басқа', '{"evidence":"inf"}', TRUE);
INSERT INTO dictionary_entries (dictionary, code, position, label_ru, label_kk, attributes, active) VALUES
    ('reception_issue_natures', 'housing_utilities', 0, 'Жилищно-коммунальное хозяйство', 'Тұрғын үй-коммуналдық шаруашылық', '{"evidence":"inf"}', TRUE),
    ('reception_issue_natures', 'improvement', 1, 'Благоустройство', 'Абаттандыру', '{"evidence":"inf"}', TRUE),
    ('reception_issue_natures', 'land', 2, 'Земельные отношения', 'Жер қатынастары', '{"evidence":"inf"}', TRUE),
    ('reception_issue_natures', 'social_protection', 3, 'Социальная защита', 'Әлеуметтік қорғау', '{"evidence":"inf"}', TRUE),
    ('reception_issue_natures', 'employment', 4, 'Трудоустройство', 'Жұмысқа орналасу', '{"evidence":"inf"}', TRUE),
    ('reception_issue_natures', 'healthcare', 5, 'Здравоохранение', 'Денсаулық сақтау', '{"evidence":"inf"}', TRUE),
    ('reception_issue_natures', 'education', 6, 'Образование', 'Білім беру', '{"evidence":"inf"}', TRUE),
    ('reception_issue_natures', 'transport', 7, 'Транспорт и дороги', 'Көлік және жолдар', '{"evidence":"inf"}', TRUE),
    ('reception_issue_natures', 'law_enforcement', 8, 'Правоохранительная деятельность', 'Құқық қорғау қызметі', '{"evidence":"inf"}', TRUE),
    ('reception_issue_natures', 'other', 9, 'Иной вопрос', 'Басқа мәселе', '{"evidence":"inf"}', TRUE);
INSERT INTO dictionary_entries (dictionary, code, position, label_ru, label_kk, attributes, active) VALUES
    ('age_bands', 'under_18', 0, 'До 18 лет', '18 жасқа дейін', '{"evidence":"inf"}', TRUE),
    ('age_bands', 'age_18_29', 1, '18–29 лет', '18–29 жас', '{"evidence":"inf"}', TRUE),
    ('age_bands', 'age_30_44', 2, '30–44 года', '30–44 жас', '{"evidence":"inf"}', TRUE),
    ('age_bands', 'age_45_59', 3, '45–59 лет', '45–59 жас', '{"evidence":"inf"}', TRUE),
    ('age_bands', 'age_60_plus', 4, '60 лет и старше', '60 жас және одан жоғары', '{"evidence":"inf"}', TRUE);
INSERT INTO dictionary_entries (dictionary, code, position, label_ru, label_kk, attributes, active) VALUES
    ('nationalities', 'kazakh', 0, 'Казах', 'Қазақ', '{"evidence":"inf"}', TRUE),
    ('nationalities', 'russian', 1, 'Русский', 'Орыс', '{"evidence":"inf"}', TRUE),
    ('nationalities', 'uzbek', 2, 'Узбек', 'Өзбек', '{"evidence":"inf"}', TRUE),
    ('nationalities', 'ukrainian', 3, 'Украинец', 'Украин', '{"evidence":"inf"}', TRUE),
    ('nationalities', 'uighur', 4, 'Уйгур', 'Ұйғыр', '{"evidence":"inf"}', TRUE),
    ('nationalities', 'tatar', 5, 'Татарин', 'Татар', '{"evidence":"inf"}', TRUE),
    ('nationalities', 'german', 6, 'Немец', 'Неміс', '{"evidence":"inf"}', TRUE),
    ('nationalities', 'korean', 7, 'Кореец', 'Корей', '{"evidence":"inf"}', TRUE),
    ('nationalities', 'other', 8, 'Иная', 'Басқа', '{"evidence":"inf"}', TRUE);
INSERT INTO dictionary_entries (dictionary, code, position, label_ru, label_kk, attributes, active) VALUES
    ('citizenships', 'kz', 0, 'Республика Казахстан', 'Қазақстан Республикасы', '{"evidence":"inf"}', TRUE),
    ('citizenships', 'foreign', 1, 'Иностранное государство', 'Шет мемлекет', '{"evidence":"inf"}', TRUE),
    ('citizenships', 'stateless', 2, 'Лицо без гражданства', 'Азаматтығы жоқ адам', '{"evidence":"inf"}', TRUE);
