-- Reference books, calendar overrides and the admin audit log (R11, R27, R30–R33).
-- Several server processes share one database: every admin change bumps `config_versions.rules`
-- in its own transaction, and each process reloads its `Rules` when it sees a new value.

CREATE TABLE dictionary_entries (
    dictionary TEXT NOT NULL,
    code TEXT NOT NULL,
    -- Display order within the book (the order of the legal list).
    position INTEGER NOT NULL,
    label_ru TEXT NOT NULL,
    label_kk TEXT NOT NULL,
    -- JSON: the rest of appeals_domain::dictionary::DictionaryEntry (evidence, ordinal, kind,
    -- term, kind_group, symbol, auto_rule).
    attributes TEXT NOT NULL,
    active BOOLEAN NOT NULL,
    PRIMARY KEY (dictionary, code)
);

CREATE TABLE config_versions (
    name TEXT PRIMARY KEY,
    version BIGINT NOT NULL
);
INSERT INTO config_versions (name, version) VALUES ('rules', 1);

-- Per-year overrides of the built-in calendar (R32, R33): `data` is a JSON array of
-- appeals_domain::calendar::Override; `version` counts the replacements of that year.
CREATE TABLE calendar_overrides (
    year INTEGER PRIMARY KEY,
    data TEXT NOT NULL,
    version BIGINT NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    updated_by BIGINT REFERENCES users(id)
);

-- Audit of administrative changes (dictionaries, calendar, recalculations). Append-only.
CREATE TABLE admin_events (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    occurred_at TIMESTAMP NOT NULL,
    actor_user_id BIGINT REFERENCES users(id),
    action TEXT NOT NULL,
    target TEXT NOT NULL,
    before TEXT,
    after TEXT
);
CREATE INDEX admin_events_target ON admin_events (target, id);

-- Generated from appeals_domain::dictionary::default_dictionaries() by
-- appeals_db::repo::configuration::seed_sql; tests/tests/dictionaries.rs checks the
-- migrated rows against the domain defaults on both backends.
INSERT INTO dictionary_entries (dictionary, code, position, label_ru, label_kk, attributes, active) VALUES
    ('appeal_kinds', 'application', 0, 'Заявление', 'Өтініш', '{"evidence":"seed","kind_group":"group2"}', TRUE),
    ('appeal_kinds', 'complaint', 1, 'Жалоба', 'Шағым', '{"evidence":"seed","kind_group":"complaint"}', TRUE),
    ('appeal_kinds', 'request', 2, 'Запрос', 'Сұрау салу', '{"evidence":"seed","kind_group":"group1"}', TRUE),
    ('appeal_kinds', 'message', 3, 'Сообщение', 'Хабарлама', '{"evidence":"seed","kind_group":"group1"}', TRUE),
    ('appeal_kinds', 'response', 4, 'Отклик', 'Ден қою', '{"evidence":"seed","kind_group":"group1"}', TRUE),
    ('appeal_kinds', 'proposal', 5, 'Предложение', 'Ұсыныс', '{"evidence":"seed","kind_group":"group1"}', TRUE),
    ('appeal_kinds', 'personal_reception_application', 6, 'Заявление на личный прием', 'Жеке қабылдауға өтініш', '{"evidence":"seed","kind_group":"personal_reception"}', TRUE);
INSERT INTO dictionary_entries (dictionary, code, position, label_ru, label_kk, attributes, active) VALUES
    ('document_types', 'complaint', 0, 'Жалоба', 'Шағым', '{"evidence":"obs","kind":"complaint","term":{"days":20,"unit":"working"}}', TRUE),
    ('document_types', 'complaint_taxpayer', 1, 'Жалоба налогоплательщиков', 'Салық төлеушілердің шағымы', '{"evidence":"obs","kind":"complaint","term":{"days":30,"unit":"working"}}', TRUE),
    ('document_types', 'complaint_taxpayer_monitored', 2, 'Жалоба налогоплательщиков, подлежащих налоговому мониторингу', 'Салықтық мониторингке жататын салық төлеушілердің шағымы', '{"evidence":"obs","kind":"complaint","term":{"days":45,"unit":"working"}}', TRUE),
    ('document_types', 'complaint_public_services', 3, 'Жалоба по вопросам оказания государственных услуг', 'Мемлекеттік қызметтер көрсету мәселелері бойынша шағым', '{"evidence":"obs","kind":"complaint","term":{"days":5,"unit":"working"}}', TRUE),
    ('document_types', 'request', 4, 'Запрос', 'Сұрау салу', '{"evidence":"obs","kind":"request","term":{"days":15,"unit":"working"}}', TRUE),
    ('document_types', 'request_notary', 5, 'Запрос нотариуса', 'Нотариустың сұрау салуы', '{"evidence":"obs","kind":"request","term":{"days":10,"unit":"calendar"}}', TRUE),
    ('document_types', 'request_declassification', 6, 'Запрос о рассекречивании сведений, отнесенных к государственным секретам', 'Мемлекеттік құпияларға жатқызылған мәліметтердің құпиясыздандыру туралы сұрау салу', '{"evidence":"obs","kind":"request","term":{"days":30,"unit":"calendar"}}', TRUE),
    ('document_types', 'request_lawyer', 7, 'Запросы адвокатов', 'Адвокаттардың сұрау салулары', '{"evidence":"obs","kind":"request","term":{"days":10,"unit":"working"}}', TRUE),
    ('document_types', 'request_information', 8, 'Запросы о предоставлении информации', 'Ақпарат беру туралы сұрау салулар', '{"evidence":"obs","kind":"request","term":{"days":15,"unit":"calendar"}}', TRUE),
    ('document_types', 'request_media', 9, 'Запросы средств массовой информации', 'Бұқаралық ақпарат құралдарының сұрау салулары', '{"evidence":"obs","kind":"request","term":{"days":7,"unit":"working"}}', TRUE),
    ('document_types', 'request_bailiff', 10, 'Запросы судебных исполнителей', 'Сот орындаушыларының сұрау салулары', '{"evidence":"obs","kind":"request","term":{"days":3,"unit":"working"}}', TRUE),
    ('document_types', 'application', 11, 'Заявление', 'Өтініш', '{"evidence":"obs","kind":"application","term":{"days":15,"unit":"working"}}', TRUE),
    ('document_types', 'application_rehabilitation', 12, 'Заявление о реабилитации жертв массовых политических репрессий', 'Жаппай саяси қуғын-сүргін құрбандарын ақтау туралы өтініш', '{"evidence":"obs","kind":"application","term":{"days":90,"unit":"calendar"}}', TRUE),
    ('document_types', 'response', 13, 'Отклик', 'Ден қою', '{"evidence":"obs","kind":"response","term":{"days":15,"unit":"working"}}', TRUE),
    ('document_types', 'proposal', 14, 'Предложение', 'Ұсыныс', '{"evidence":"obs","kind":"proposal","term":{"days":15,"unit":"working"}}', TRUE),
    ('document_types', 'message', 15, 'Сообщение', 'Хабарлама', '{"evidence":"obs","kind":"message","term":{"days":15,"unit":"working"}}', TRUE);
INSERT INTO dictionary_entries (dictionary, code, position, label_ru, label_kk, attributes, active) VALUES
    ('termination_reasons', 'essence_not_stated', 0, 'в сообщении, предложении, отклике, запросе не изложена суть вопроса', 'хабарламада, ұсыныста, ден қоюда, сұрау салуда мәселенің мәні баяндалмаған', '{"evidence":"obs","kind_group":"group1","ordinal":1}', TRUE),
    ('termination_reasons', 'repeated_without_new_arguments', 1, 'в повторных сообщениях, предложениях, откликах, запросах не приводятся новые доводы или вновь открывшиеся обстоятельства, а в материалах предыдущих … имеются необходимые материалы проверок и заявителю в установленном порядке давались ответы', 'қайталанған хабарламаларда, ұсыныстарда, ден қоюларда, сұрау салуларда жаңа дәлелдер немесе жаңадан ашылған мән-жайлар келтірілмейді, ал алдыңғы … материалдарында қажетті тексеру материалдары бар және өтініш берушіге белгіленген тәртіппен жауаптар берілген', '{"evidence":"obs","kind_group":"group1","ordinal":2}', TRUE),
    ('termination_reasons', 'anonymous', 2, '… невозможно установить авторство, отсутствуют подпись, в том числе ЭЦП, почтовый адрес заявителя, за исключением случаев, когда в них содержатся сведения о готовящихся или совершенных уголовных правонарушениях либо об угрозе государственной или общественной безопасности, которые подлежат немедленному перенаправлению…', '… авторлығын анықтау мүмкін емес, қолы, оның ішінде ЭЦҚ, өтініш берушінің пошталық мекенжайы жоқ, оларда дайындалып жатқан немесе жасалған қылмыстық құқық бұзушылықтар туралы не мемлекеттік немесе қоғамдық қауіпсіздікке төнген қатер туралы мәліметтер болған жағдайларды қоспағанда, олар дереу жолданады…', '{"evidence":"obs","kind_group":"group1","ordinal":3}', TRUE),
    ('termination_reasons', 'message_withdrawal_accepted', 3, 'административным органом, должностным лицом принят отзыв сообщения, предложения, отклика, запроса от заявителя', 'әкімшілік орган, лауазымды адам өтініш берушіден хабарламаны, ұсынысты, ден қоюды, сұрау салуды кері қайтарып алуды қабылдады', '{"evidence":"obs","kind_group":"group1","ordinal":4}', TRUE),
    ('termination_reasons', 'appeal_returned', 4, '… возвращено обращение', '… жолданым қайтарылды', '{"evidence":"obs","kind_group":"group2","ordinal":5}', TRUE),
    ('termination_reasons', 'appeal_withdrawal_accepted', 5, '… принят отзыв обращения от заявителя', '… өтініш берушіден жолданымды кері қайтарып алу қабылданды', '{"evidence":"obs","kind_group":"group2","ordinal":6}', TRUE),
    ('termination_reasons', 'court_act_in_force', 6, 'имеется вступивший в законную силу судебный акт, вынесенный в отношении того же лица, о том же предмете и по тем же основаниям', 'сол адамға қатысты, сол нысана туралы және сол негіздер бойынша шығарылған заңды күшіне енген сот актісі бар', '{"evidence":"obs","kind_group":"group2","ordinal":7}', TRUE),
    ('termination_reasons', 'administrative_decision_exists', 7, 'имеется решение административного органа … по административному делу в отношении участника … о том же предмете и по тем же основаниям', 'әкімшілік органның … қатысушыға қатысты … сол нысана туралы және сол негіздер бойынша әкімшілік іс бойынша шешімі бар', '{"evidence":"obs","kind_group":"group2","ordinal":8}', TRUE),
    ('termination_reasons', 'other_legal_grounds', 8, 'имеются иные основания, предусмотренные законами РК', 'ҚР заңдарында көзделген өзге де негіздер бар', '{"evidence":"obs","kind_group":"group2","ordinal":9}', TRUE),
    ('termination_reasons', 'complaint_court_act_in_force', 9, 'имеется вступивший в законную силу судебный акт …', 'заңды күшіне енген сот актісі бар …', '{"evidence":"obs","kind_group":"complaint"}', TRUE),
    ('termination_reasons', 'complaint_returned', 10, 'органом, рассматривающим жалобу, возвращена жалоба', 'шағымды қарайтын орган шағымды қайтарды', '{"evidence":"obs","kind_group":"complaint"}', TRUE),
    ('termination_reasons', 'complaint_withdrawal_accepted', 11, '… принят отзыв жалобы от заявителя', '… өтініш берушіден шағымды кері қайтарып алу қабылданды', '{"evidence":"obs","kind_group":"complaint"}', TRUE),
    ('termination_reasons', 'complaint_decision_exists', 12, 'имеется решение органа, рассматривающего жалобу, … о том же предмете и по тем же основаниям', 'шағымды қарайтын органның … сол нысана туралы және сол негіздер бойынша шешімі бар', '{"evidence":"obs","kind_group":"complaint"}', TRUE);
INSERT INTO dictionary_entries (dictionary, code, position, label_ru, label_kk, attributes, active) VALUES
    ('appeal_decision_types', 'take_note', 0, 'Принять к сведению', 'Назарға алу', '{"evidence":"obs"}', TRUE),
    ('appeal_decision_types', 'terminate', 1, 'Прекратить рассмотрение', 'Қарауды тоқтату', '{"evidence":"obs"}', TRUE),
    ('appeal_decision_types', 'provide_answer', 2, 'Предоставить ответ', 'Жауап беру', '{"evidence":"obs"}', TRUE),
    ('appeal_decision_types', 'favourable_act', 3, 'Принять благоприятный административный акт', 'Қолайлы әкімшілік акт қабылдау', '{"evidence":"obs"}', TRUE),
    ('appeal_decision_types', 'burdensome_act', 4, 'Принять обременяющий административный акт', 'Ауыртпалық түсіретін әкімшілік акт қабылдау', '{"evidence":"obs"}', TRUE);
INSERT INTO dictionary_entries (dictionary, code, position, label_ru, label_kk, attributes, active) VALUES
    ('complaint_decision_types', 'leave_unsatisfied', 0, 'Оставить жалобу без удовлетворения', 'Шағымды қанағаттандырусыз қалдыру', '{"evidence":"obs"}', TRUE),
    ('complaint_decision_types', 'cancel_act', 1, 'Отменить административный акт', 'Әкімшілік актінің күшін жою', '{"evidence":"obs"}', TRUE),
    ('complaint_decision_types', 'cancel_act_and_adopt_new', 2, 'Отменить административный акт и принять новый административный акт', 'Әкімшілік актінің күшін жойып, жаңа әкімшілік акт қабылдау', '{"evidence":"obs"}', TRUE),
    ('complaint_decision_types', 'perform_action', 3, 'О совершении административного действия', 'Әкімшілік әрекет жасау туралы', '{"evidence":"obs"}', TRUE),
    ('complaint_decision_types', 'return_case_for_procedure', 4, 'Направить административное дело в административный орган, должностному лицу, чьи … обжалуются, для осуществления административной процедуры с указанием допущенных нарушений и предложениями по их устранению', 'Әкімшілік істі жол берілген бұзушылықтарды және оларды жою жөніндегі ұсыныстарды көрсете отырып, әкімшілік рәсімді жүзеге асыру үшін әкімшілік органға, лауазымды адамға жіберу', '{"evidence":"obs"}', TRUE),
    ('complaint_decision_types', 'leave_without_consideration', 5, 'Оставить жалобу без рассмотрения', 'Шағымды қараусыз қалдыру', '{"evidence":"obs"}', TRUE),
    ('complaint_decision_types', 'fully_satisfied_by_act_or_action', 6, 'Принять благоприятный административный акт, совершено административное действие, полностью удовлетворяющие требования, указанные в жалобе', 'Шағымда көрсетілген талаптарды толық қанағаттандыратын қолайлы әкімшілік акт қабылдау, әкімшілік әрекет жасалды', '{"evidence":"obs"}', TRUE);
INSERT INTO dictionary_entries (dictionary, code, position, label_ru, label_kk, attributes, active) VALUES
    ('complaint_decision_bases', 'circumstances_misdetermined', 0, 'неправильное определение и выяснение круга обстоятельств …', 'мән-жайлар шеңберін дұрыс анықтамау және айқындамау …', '{"evidence":"obs"}', TRUE),
    ('complaint_decision_bases', 'act_contradicts_case_file', 1, 'несоответствие содержания административного акта … материалам административного дела', 'әкімшілік акт мазмұнының … әкімшілік іс материалдарына сәйкес келмеуі', '{"evidence":"obs"}', TRUE),
    ('complaint_decision_bases', 'law_violated_or_misapplied', 2, 'нарушение или неправильное применение законодательства РК', 'ҚР заңнамасын бұзу немесе дұрыс қолданбау', '{"evidence":"obs"}', TRUE);
INSERT INTO dictionary_entries (dictionary, code, position, label_ru, label_kk, attributes, active) VALUES
    ('answer_characters', 'explained', 0, 'Разъяснено', 'Түсіндірілді', '{"evidence":"obs"}', TRUE),
    ('answer_characters', 'satisfied', 1, 'Удовлетворено', 'Қанағаттандырылды', '{"evidence":"obs"}', TRUE),
    ('answer_characters', 'refused', 2, 'Отказано', 'Бас тартылды', '{"evidence":"obs"}', TRUE);
INSERT INTO dictionary_entries (dictionary, code, position, label_ru, label_kk, attributes, active) VALUES
    ('non_accountable_categories', 'official_correspondence', 0, 'Служебные документы, направленные одним субъектом другому', 'Бір субъект екіншісіне жіберген қызметтік құжаттар', '{"evidence":"seed","ordinal":1}', TRUE),
    ('non_accountable_categories', 'higher_body_instructions', 1, 'Поручения и указания вышестоящего органа', 'Жоғары тұрған органның тапсырмалары мен нұсқаулары', '{"evidence":"seed","ordinal":2}', TRUE),
    ('non_accountable_categories', 'advertising_proposals', 2, 'Предложения, содержащие рекламу, коммерческие предложения', 'Жарнаманы, коммерциялық ұсыныстарды қамтитын ұсыныстар', '{"evidence":"seed","ordinal":3}', TRUE),
    ('non_accountable_categories', 'public_services', 3, 'Обращения по вопросам оказания государственных услуг, за исключением предусмотренных подпунктом 3) пункта 1 статьи 4 Закона «О государственных услугах»', '«Мемлекеттік көрсетілетін қызметтер туралы» Заңның 4-бабы 1-тармағының 3) тармақшасында көзделгендерді қоспағанда, мемлекеттік қызметтер көрсету мәселелері бойынша жолданымдар', '{"evidence":"seed","ordinal":4}', TRUE),
    ('non_accountable_categories', 'special_procedure', 4, 'Обращения, порядок рассмотрения которых регулируется частью 4 статьи 3 АППК и пунктом 9 статьи 24 Конституционного закона «О прокуратуре»', 'Қарау тәртібі ӘРПК 3-бабының 4-бөлігімен және «Прокуратура туралы» Конституциялық заңның 24-бабының 9-тармағымен реттелетін жолданымдар', '{"evidence":"seed","ordinal":5}', TRUE),
    ('non_accountable_categories', 'invitations_notifications', 5, 'Приглашения и уведомления, не содержащие ходатайства', 'Өтінішхатты қамтымайтын шақырулар мен хабарламалар', '{"evidence":"seed","ordinal":6}', TRUE),
    ('non_accountable_categories', 'material_assistance', 6, 'Обращения об оказании материальной помощи', 'Материалдық көмек көрсету туралы жолданымдар', '{"evidence":"seed","ordinal":7}', TRUE);
INSERT INTO dictionary_entries (dictionary, code, position, label_ru, label_kk, attributes, active) VALUES
    ('markings', 'marking_1', 0, 'Маркировка 1) (текст п.6 Правил не найден)', '1) таңбалау (Қағидалардың 6-тармағының мәтіні табылмады)', '{"evidence":"inf","ordinal":1}', FALSE),
    ('markings', 'marking_2', 1, 'Маркировка 2) (текст п.6 Правил не найден)', '2) таңбалау (Қағидалардың 6-тармағының мәтіні табылмады)', '{"evidence":"inf","ordinal":2}', FALSE),
    ('markings', 'marking_3', 2, 'Маркировка 3) (текст п.6 Правил не найден)', '3) таңбалау (Қағидалардың 6-тармағының мәтіні табылмады)', '{"evidence":"inf","ordinal":3}', FALSE),
    ('markings', 'collective', 3, 'Коллективное обращение, сообщение, запрос, отклик, предложение', 'Ұжымдық жолданым, хабарлама, сұрау салу, ден қою, ұсыныс', '{"auto_rule":"collective","evidence":"seed","ordinal":4,"symbol":"ҰЖ"}', TRUE),
    ('markings', 'personal_reception', 4, 'Заявление на личный прием', 'Жеке қабылдауға өтініш', '{"auto_rule":"personal_reception","evidence":"seed","ordinal":5,"symbol":"ЖҚ"}', TRUE);
INSERT INTO dictionary_entries (dictionary, code, position, label_ru, label_kk, attributes, active) VALUES
    ('receipt_forms', 'paper_on_purpose', 0, 'Бумажная (нарочно)', 'Қағаз түрінде (қолма-қол)', '{"evidence":"obs"}', TRUE),
    ('receipt_forms', 'electronic', 1, 'Электронная', 'Электрондық', '{"evidence":"obs"}', TRUE),
    ('receipt_forms', 'postal', 2, 'Почтой', 'Пошта арқылы', '{"evidence":"inf"}', TRUE),
    ('receipt_forms', 'oral', 3, 'Устная', 'Ауызша', '{"evidence":"inf"}', TRUE),
    ('receipt_forms', 'video_message', 4, 'Видеообращение', 'Бейнежолданым', '{"evidence":"inf"}', TRUE),
    ('receipt_forms', 'videoconference', 5, 'Видеоконференцсвязь', 'Бейнеконференцбайланыс', '{"evidence":"inf"}', TRUE);
INSERT INTO dictionary_entries (dictionary, code, position, label_ru, label_kk, attributes, active) VALUES
    ('receipt_sources', 'state_body', 0, 'Государственный орган', 'Мемлекеттік орган', '{"evidence":"obs"}', TRUE),
    ('receipt_sources', 'con_natizhe', 1, 'ЦПО "Нәтиже" ЦОН', 'ХҚКО "Нәтиже" ОҚО', '{"evidence":"obs"}', TRUE);
INSERT INTO dictionary_entries (dictionary, code, position, label_ru, label_kk, attributes, active) VALUES
    ('languages', 'state', 0, 'Государственный', 'Мемлекеттік', '{"evidence":"obs"}', TRUE),
    ('languages', 'official', 1, 'Официальный', 'Ресми', '{"evidence":"obs"}', TRUE),
    ('languages', 'other', 2, 'Иной', 'Өзге', '{"evidence":"obs"}', TRUE);
INSERT INTO dictionary_entries (dictionary, code, position, label_ru, label_kk, attributes, active) VALUES
    ('appeal_characters', 'individual', 0, 'Индивидуальное', 'Жеке', '{"evidence":"obs"}', TRUE),
    ('appeal_characters', 'collective', 1, 'Коллективное', 'Ұжымдық', '{"evidence":"seed"}', TRUE);
INSERT INTO dictionary_entries (dictionary, code, position, label_ru, label_kk, attributes, active) VALUES
    ('person_categories', 'individual', 0, 'Физическое', 'Жеке тұлға', '{"evidence":"seed"}', TRUE),
    ('person_categories', 'legal_entity', 1, 'Юридическое', 'Заңды тұлға', '{"evidence":"seed"}', TRUE);
INSERT INTO dictionary_entries (dictionary, code, position, label_ru, label_kk, attributes, active) VALUES
    ('residency_statuses', 'resident', 0, 'Резидент', 'Резидент', '{"evidence":"seed"}', TRUE),
    ('residency_statuses', 'non_resident', 1, 'Не резидент', 'Резидент емес', '{"evidence":"seed"}', TRUE);
INSERT INTO dictionary_entries (dictionary, code, position, label_ru, label_kk, attributes, active) VALUES
    ('sexes', 'male', 0, 'Мужской', 'Ер', '{"evidence":"seed"}', TRUE),
    ('sexes', 'female', 1, 'Женский', 'Әйел', '{"evidence":"seed"}', TRUE);
INSERT INTO dictionary_entries (dictionary, code, position, label_ru, label_kk, attributes, active) VALUES
    ('reception_kinds', 'online', 0, 'Онлайн', 'Онлайн', '{"evidence":"seed"}', TRUE),
    ('reception_kinds', 'offline', 1, 'Оффлайн', 'Офлайн', '{"evidence":"seed"}', TRUE);
INSERT INTO dictionary_entries (dictionary, code, position, label_ru, label_kk, attributes, active) VALUES
    ('reception_decisions', 'registered_for_reception', 0, 'Записано на личный прием', 'Жеке қабылдауға жазылды', '{"evidence":"seed"}', TRUE),
    ('reception_decisions', 'reception_refused', 1, 'Отказано в личном приеме', 'Жеке қабылдаудан бас тартылды', '{"evidence":"seed"}', TRUE);

