//! The state person/company registry port (ГБД ФЛ / ГБД ЮЛ; З-1 auto-fill, R20) and its two
//! adapters: the local table `registry_records` (loaded with `appeals registry import`) and an
//! HTTP client of the agency's registry gateway. The contract of both is in `docs/integrations.md`.
//!
//! IIN/BIN are personal data: no error or log line of this module contains one.

use std::io::Read;
use std::time::Duration;

use appeals_domain::cards::{
    AddressBlock, CompanyBlock, PersonBlock, PersonCategory, RegistryRecord, RegistrySource,
    Residency, Sex,
};
use appeals_domain::ident::{Bin, Iin, IinOrBin, Kato};
use appeals_service::registry::{
    PersonRegistry, RegistryChannel, RegistryError, RegistryHit, source_of,
};
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::dto::{Address, ApplicantCategory};

/// How long the HTTP adapter waits for the whole exchange.
pub const HTTP_TIMEOUT: Duration = Duration::from_secs(3);

/// Largest registry answer read (a person or company record is a few hundred bytes).
const HTTP_BODY_LIMIT: u64 = 64 * 1024;

// ---------------------------------------------------------------------------------------------
// HTTP adapter
// ---------------------------------------------------------------------------------------------

/// ГБД ФЛ person data (З-1 requisites 5–11) as the registry gateway sends it and as
/// `GET /api/v1/registry/{iin_bin}` returns it.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct RegistryPerson {
    /// `resident` or `non_resident`.
    #[schema(value_type = Option<String>, example = "resident")]
    pub residency: Option<Residency>,
    #[schema(example = "Ахметов")]
    pub surname: Option<String>,
    #[schema(example = "Ерлан")]
    pub first_name: Option<String>,
    pub patronymic: Option<String>,
    pub birth_date: Option<NaiveDate>,
    /// `male` or `female`.
    #[schema(value_type = Option<String>, example = "male")]
    pub sex: Option<Sex>,
    /// Citizenship (reference-book code).
    pub citizenship: Option<String>,
    /// Nationality (reference-book code).
    pub nationality: Option<String>,
}

impl From<RegistryPerson> for PersonBlock {
    fn from(p: RegistryPerson) -> Self {
        Self {
            residency: p.residency,
            surname: p.surname,
            first_name: p.first_name,
            patronymic: p.patronymic,
            birth_date: p.birth_date,
            sex: p.sex,
            citizenship: p.citizenship,
            nationality: p.nationality,
        }
    }
}

impl From<PersonBlock> for RegistryPerson {
    fn from(p: PersonBlock) -> Self {
        Self {
            residency: p.residency,
            surname: p.surname,
            first_name: p.first_name,
            patronymic: p.patronymic,
            birth_date: p.birth_date,
            sex: p.sex,
            citizenship: p.citizenship,
            nationality: p.nationality,
        }
    }
}

/// ГБД ЮЛ company data (З-1 requisites 20–26).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct RegistryCompany {
    #[schema(example = "ТОО «Алматы Жылу»")]
    pub name: Option<String>,
    pub registered_on: Option<NaiveDate>,
    pub legal_address: Option<String>,
    pub actual_address: Option<String>,
    pub head_surname: Option<String>,
    pub head_first_name: Option<String>,
    pub head_patronymic: Option<String>,
}

impl From<RegistryCompany> for CompanyBlock {
    fn from(c: RegistryCompany) -> Self {
        Self {
            name: c.name,
            registered_on: c.registered_on,
            legal_address: c.legal_address,
            actual_address: c.actual_address,
            head_surname: c.head_surname,
            head_first_name: c.head_first_name,
            head_patronymic: c.head_patronymic,
        }
    }
}

impl From<CompanyBlock> for RegistryCompany {
    fn from(c: CompanyBlock) -> Self {
        Self {
            name: c.name,
            registered_on: c.registered_on,
            legal_address: c.legal_address,
            actual_address: c.actual_address,
            head_surname: c.head_surname,
            head_first_name: c.head_first_name,
            head_patronymic: c.head_patronymic,
        }
    }
}

/// Body of `GET {APPEALS_REGISTRY_URL}/persons/{iin}`.
#[derive(Debug, Deserialize)]
struct PersonAnswer {
    iin: String,
    #[serde(flatten)]
    person: RegistryPerson,
    address: Option<AddressBlock>,
}

/// Body of `GET {APPEALS_REGISTRY_URL}/companies/{bin}`.
#[derive(Debug, Deserialize)]
struct CompanyAnswer {
    bin: String,
    #[serde(flatten)]
    company: RegistryCompany,
    address: Option<AddressBlock>,
}

/// TLS material of the registry gateway (PEM): the CA bundle that signs the gateway's certificate,
/// and an optional client certificate and key for mutual TLS.
#[derive(Debug, Clone, Default)]
pub struct RegistryTls {
    pub ca_bundle: Option<Vec<u8>>,
    pub client_cert: Option<Vec<u8>>,
    pub client_key: Option<Vec<u8>>,
}

/// Consecutive failures that open the circuit.
pub const BREAKER_THRESHOLD: u32 = 5;
/// How long an open circuit answers «unavailable» without calling.
pub const BREAKER_OPEN: Duration = Duration::from_secs(30);

/// A circuit breaker: after [`BREAKER_THRESHOLD`] failures in a row the gateway is not called for
/// [`BREAKER_OPEN`]; then one call probes it (half-open) and a success closes the circuit. A
/// registry that is down then costs a registration nothing, not a 3 s timeout each.
#[derive(Debug, Default)]
struct Breaker {
    failures: u32,
    open_until: Option<std::time::Instant>,
}

/// Client of the registry gateway (`APPEALS_REGISTRY=http`): `http://` inside the agency network,
/// or `https://` with the gateway's CA bundle and optionally a client certificate (mutual TLS),
/// over rustls; 3 s timeouts and a circuit breaker.
pub struct HttpRegistry {
    base_url: String,
    agent: ureq::Agent,
    breaker: std::sync::Mutex<Breaker>,
}

fn pem_items(pem: &[u8], what: &str) -> Result<Vec<ureq::tls::PemItem<'static>>, String> {
    ureq::tls::parse_pem(pem)
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| format!("{what}: not PEM ({e})"))
}

fn tls_config(tls: &RegistryTls) -> Result<ureq::tls::TlsConfig, String> {
    use ureq::tls::{ClientCert, PemItem, RootCerts, TlsConfig};
    let Some(ca) = &tls.ca_bundle else {
        return Err(
            "APPEALS_REGISTRY_URL is https://: set APPEALS_REGISTRY_CA_FILE to the PEM bundle of the gateway's CA"
                .to_owned(),
        );
    };
    let roots: Vec<_> = pem_items(ca, "APPEALS_REGISTRY_CA_FILE")?
        .into_iter()
        .filter_map(|i| match i {
            PemItem::Certificate(c) => Some(c),
            _ => None,
        })
        .collect();
    if roots.is_empty() {
        return Err("APPEALS_REGISTRY_CA_FILE holds no certificate".to_owned());
    }
    let mut builder = TlsConfig::builder().root_certs(RootCerts::new_with_certs(&roots));
    match (&tls.client_cert, &tls.client_key) {
        (Some(cert), Some(key)) => {
            let chain: Vec<_> = pem_items(cert, "APPEALS_REGISTRY_CLIENT_CERT")?
                .into_iter()
                .filter_map(|i| match i {
                    PemItem::Certificate(c) => Some(c),
                    _ => None,
                })
                .collect();
            let key = pem_items(key, "APPEALS_REGISTRY_CLIENT_KEY")?
                .into_iter()
                .find_map(|i| match i {
                    PemItem::PrivateKey(k) => Some(k),
                    _ => None,
                })
                .ok_or("APPEALS_REGISTRY_CLIENT_KEY holds no private key")?;
            builder = builder.client_cert(Some(ClientCert::new_with_certs(&chain, key)));
        }
        (None, None) => {}
        _ => {
            return Err(
                "mutual TLS needs both APPEALS_REGISTRY_CLIENT_CERT and APPEALS_REGISTRY_CLIENT_KEY"
                    .to_owned(),
            );
        }
    }
    Ok(builder.build())
}

impl HttpRegistry {
    /// `base_url` is `http://host[:port][/prefix]` or `https://…` (then `tls.ca_bundle` is needed).
    pub fn new(base_url: &str, tls: &RegistryTls) -> Result<Self, String> {
        let trimmed = base_url.trim().trim_end_matches('/');
        let (rest, secure) = match (
            trimmed.strip_prefix("http://"),
            trimmed.strip_prefix("https://"),
        ) {
            (Some(rest), _) => (rest, false),
            (_, Some(rest)) => (rest, true),
            _ => {
                return Err(
                    "APPEALS_REGISTRY_URL must be an http:// or https:// URL of the registry gateway"
                        .to_owned(),
                );
            }
        };
        if rest.is_empty() || rest.contains(['?', '#', ' ']) {
            return Err("APPEALS_REGISTRY_URL must be http(s)://host[:port][/prefix]".to_owned());
        }
        let mut config = ureq::Agent::config_builder()
            .timeout_global(Some(HTTP_TIMEOUT))
            .http_status_as_error(false);
        if secure {
            config = config.tls_config(tls_config(tls)?);
        }
        Ok(Self {
            base_url: trimmed.to_owned(),
            agent: ureq::Agent::new_with_config(config.build()),
            breaker: std::sync::Mutex::default(),
        })
    }

    /// Refused without a call while the circuit is open.
    fn admit(&self) -> Result<(), RegistryError> {
        let breaker = self.breaker.lock().unwrap_or_else(|p| p.into_inner());
        match breaker.open_until {
            Some(until) if until > std::time::Instant::now() => {
                Err(RegistryError::Unavailable(format!(
                    "circuit open after {} failures in a row; the gateway is tried again within {} s",
                    breaker.failures,
                    BREAKER_OPEN.as_secs()
                )))
            }
            _ => Ok(()),
        }
    }

    fn record(&self, reached: bool) {
        let mut breaker = self.breaker.lock().unwrap_or_else(|p| p.into_inner());
        if reached {
            *breaker = Breaker::default();
        } else {
            breaker.failures = breaker.failures.saturating_add(1);
            if breaker.failures >= BREAKER_THRESHOLD {
                breaker.open_until = Some(std::time::Instant::now() + BREAKER_OPEN);
            }
        }
    }

    /// Describes a transport failure without the URL (which carries the IIN/BIN).
    fn describe(e: &ureq::Error) -> String {
        match e {
            ureq::Error::Timeout(_) => format!("no answer within {} s", HTTP_TIMEOUT.as_secs()),
            ureq::Error::Io(io) => format!("connection failed ({:?})", io.kind()),
            ureq::Error::HostNotFound => "host not found".to_owned(),
            ureq::Error::ConnectionFailed => "connection failed".to_owned(),
            ureq::Error::Tls(reason) => format!("TLS: {reason}"),
            ureq::Error::Rustls(e) => format!("TLS: {e}"),
            _ => "request failed".to_owned(),
        }
    }

    /// The gateway's answer (status and body), counted by the circuit breaker.
    fn fetch(&self, url: &str) -> Result<(u16, Vec<u8>), RegistryError> {
        self.admit()?;
        let result = self
            .agent
            .get(url)
            .header("Accept", "application/json")
            .call()
            .map_err(|e| RegistryError::Unavailable(Self::describe(&e)))
            .and_then(|response| {
                let status = response.status().as_u16();
                let mut body = response.into_body();
                let mut reader = body.with_config().limit(HTTP_BODY_LIMIT).reader();
                let mut bytes = Vec::new();
                reader.read_to_end(&mut bytes).map_err(|e| {
                    RegistryError::Unavailable(format!("reading the answer: {:?}", e.kind()))
                })?;
                Ok((status, bytes))
            });
        self.record(matches!(&result, Ok((status, _)) if *status < 500));
        result
    }
}

impl PersonRegistry for HttpRegistry {
    fn channel(&self) -> RegistryChannel {
        RegistryChannel::Http
    }

    fn lookup(&self, id: &IinOrBin) -> Result<Option<RegistryHit>, RegistryError> {
        let url = match id {
            IinOrBin::Iin(iin) => format!("{}/persons/{}", self.base_url, iin.as_str()),
            IinOrBin::Bin(bin) => format!("{}/companies/{}", self.base_url, bin.as_str()),
        };
        let (status, bytes) = self.fetch(&url)?;
        match status {
            200 => {}
            404 => return Ok(None),
            status => return Err(RegistryError::Unavailable(format!("HTTP status {status}"))),
        }
        // When the data left the registry: the moment its answer arrived.
        let fetched_at = chrono::Utc::now().naive_utc();
        // serde's messages quote unexpected values, never whole fields: no IIN reaches them except
        // through a field we do not log.
        let bad = |e: serde_json::Error| {
            RegistryError::BadResponse(format!("line {} column {}", e.line(), e.column()))
        };
        let record = match id {
            IinOrBin::Iin(iin) => {
                let answer: PersonAnswer = serde_json::from_slice(&bytes).map_err(bad)?;
                if answer.iin != iin.as_str() {
                    return Err(RegistryError::BadResponse(
                        "the record is of another IIN".to_owned(),
                    ));
                }
                RegistryRecord {
                    category: PersonCategory::Individual,
                    person: Some(answer.person.into()),
                    company: None,
                    address: answer.address,
                }
            }
            IinOrBin::Bin(bin) => {
                let answer: CompanyAnswer = serde_json::from_slice(&bytes).map_err(bad)?;
                if answer.bin != bin.as_str() {
                    return Err(RegistryError::BadResponse(
                        "the record is of another BIN".to_owned(),
                    ));
                }
                RegistryRecord {
                    category: PersonCategory::LegalEntity,
                    person: None,
                    company: Some(answer.company.into()),
                    address: answer.address,
                }
            }
        };
        Ok(Some(RegistryHit {
            record,
            source: source_of(id),
            channel: RegistryChannel::Http,
            data_as_of: fetched_at,
        }))
    }
}

// ---------------------------------------------------------------------------------------------
// API view of a record
// ---------------------------------------------------------------------------------------------

/// A registry record as `GET /api/v1/registry/{iin_bin}` returns it.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[schema(example = json!({"iin_bin": "921029350851", "category": "individual", "registry": "gbd_fl", "channel": "local",
    "data_as_of": "2026-11-20T06:00:00Z", "person": {"residency": "resident", "surname": "Ахметов", "first_name": "Ерлан",
    "patronymic": "Серикович", "birth_date": "1992-10-29", "sex": "male", "citizenship": "KZ", "nationality": null},
    "company": null, "address": {"region": "г. Алматы", "district": "Бостандыкский район", "settlement_kato": "751110000",
    "street": "пр. Абая", "house": "10", "flat": "5", "postal_code": "050000"}}))]
pub struct RegistryRecordDto {
    pub iin_bin: String,
    /// Requisite 3.
    pub category: ApplicantCategory,
    /// `gbd_fl` (individuals) or `gbd_ul` (legal entities).
    pub registry: String,
    /// The adapter that answered.
    pub channel: crate::applicants::RegistryChannelDto,
    /// When the data left the state registry (import time for `local`, fetch time for `http`).
    pub data_as_of: DateTime<Utc>,
    /// Requisites 5–11.
    pub person: Option<RegistryPerson>,
    /// Requisites 20–26.
    pub company: Option<RegistryCompany>,
    /// Requisites 12–18.
    pub address: Option<Address>,
}

pub fn registry_code(source: RegistrySource) -> &'static str {
    match source {
        RegistrySource::GbdFl => "gbd_fl",
        RegistrySource::GbdUl => "gbd_ul",
    }
}

pub fn address_dto(a: AddressBlock) -> Address {
    Address {
        region: a.region,
        district: a.district,
        settlement_kato: a.settlement_kato,
        street: a.street,
        house: a.house,
        flat: a.flat,
        postal_code: a.postal_code,
    }
}

impl RegistryRecordDto {
    pub fn new(id: &IinOrBin, hit: RegistryHit) -> Self {
        Self {
            iin_bin: id.as_str().to_owned(),
            category: match hit.record.category {
                PersonCategory::Individual => ApplicantCategory::Individual,
                PersonCategory::LegalEntity => ApplicantCategory::LegalEntity,
            },
            registry: registry_code(hit.source).to_owned(),
            channel: hit.channel.into(),
            data_as_of: hit.data_as_of.and_utc(),
            person: hit.record.person.map(Into::into),
            company: hit.record.company.map(Into::into),
            address: hit.record.address.map(address_dto),
        }
    }
}

// ---------------------------------------------------------------------------------------------
// CSV import (`appeals registry import FILE.csv`)
// ---------------------------------------------------------------------------------------------

/// Columns of the import file (header row; any order; only `iin_bin` and `category` required).
pub const CSV_COLUMNS: &[&str] = &[
    "iin_bin",
    "category",
    "residency",
    "surname",
    "first_name",
    "patronymic",
    "birth_date",
    "sex",
    "citizenship",
    "nationality",
    "company_name",
    "registered_on",
    "legal_address",
    "actual_address",
    "head_surname",
    "head_first_name",
    "head_patronymic",
    "region",
    "district",
    "settlement_kato",
    "street",
    "house",
    "flat",
    "postal_code",
];

const PERSON_COLUMNS: &[&str] = &[
    "residency",
    "surname",
    "first_name",
    "patronymic",
    "birth_date",
    "sex",
    "citizenship",
    "nationality",
];
const COMPANY_COLUMNS: &[&str] = &[
    "company_name",
    "registered_on",
    "legal_address",
    "actual_address",
    "head_surname",
    "head_first_name",
    "head_patronymic",
];

/// An invalid line of the import file (the message never repeats the IIN/BIN).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportProblem {
    /// 1-based line of the file (the header is line 1).
    pub line: u64,
    pub detail: String,
}

/// The valid rows of an import file and the invalid ones.
#[derive(Debug, Default)]
pub struct ParsedImport {
    pub rows: Vec<(u64, String, RegistryRecord)>,
    pub problems: Vec<ImportProblem>,
}

/// Reads the import CSV. A header that names an unknown column, or lacks `iin_bin`/`category`,
/// fails the whole file (`Err`); invalid data rows are returned as problems with their line.
pub fn parse_import(input: impl Read) -> Result<ParsedImport, String> {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(true)
        .trim(csv::Trim::All)
        .from_reader(input);
    let headers: Vec<String> = reader
        .headers()
        .map_err(|e| format!("cannot read the header row: {e}"))?
        .iter()
        .map(|h| h.trim_start_matches('\u{feff}').to_lowercase())
        .collect();
    for h in &headers {
        if !CSV_COLUMNS.contains(&h.as_str()) {
            return Err(format!(
                "unknown column `{h}` in the header; the columns are: {}",
                CSV_COLUMNS.join(", ")
            ));
        }
    }
    for required in ["iin_bin", "category"] {
        if !headers.iter().any(|h| h == required) {
            return Err(format!("the header row lacks the `{required}` column"));
        }
    }
    let mut parsed = ParsedImport::default();
    for result in reader.records() {
        let record = match result {
            Ok(r) => r,
            Err(e) => {
                let line = e.position().map(|p| p.line()).unwrap_or(0);
                parsed.problems.push(ImportProblem {
                    line,
                    detail: "the row cannot be read as CSV (quotes or column count)".to_owned(),
                });
                continue;
            }
        };
        let line = record.position().map(|p| p.line()).unwrap_or(0);
        let cell = |name: &str| -> Option<String> {
            headers
                .iter()
                .position(|h| h == name)
                .and_then(|i| record.get(i))
                .filter(|v| !v.is_empty())
                .map(str::to_owned)
        };
        match parse_row(&cell) {
            Ok((id, rec)) => parsed.rows.push((line, id, rec)),
            Err(detail) => parsed.problems.push(ImportProblem { line, detail }),
        }
    }
    Ok(parsed)
}

fn reason(e: appeals_domain::DomainError) -> String {
    match e {
        appeals_domain::DomainError::Invalid { reason, .. } => reason,
        other => other.to_string(),
    }
}

fn parse_row(cell: &dyn Fn(&str) -> Option<String>) -> Result<(String, RegistryRecord), String> {
    let id = cell("iin_bin").ok_or("iin_bin: is empty")?;
    let category = match cell("category").as_deref() {
        Some("individual") => PersonCategory::Individual,
        Some("legal_entity") => PersonCategory::LegalEntity,
        _ => return Err("category: must be `individual` or `legal_entity`".to_owned()),
    };
    match category {
        PersonCategory::Individual => Iin::parse(&id).map(|_| ()),
        PersonCategory::LegalEntity => Bin::parse(&id).map(|_| ()),
    }
    .map_err(|e| format!("iin_bin: {}", reason(e)))?;
    let date = |name: &str| -> Result<Option<NaiveDate>, String> {
        cell(name)
            .map(|v| {
                NaiveDate::parse_from_str(&v, "%Y-%m-%d")
                    .map_err(|_| format!("{name}: must be a date YYYY-MM-DD"))
            })
            .transpose()
    };
    let other_category_columns = match category {
        PersonCategory::Individual => COMPANY_COLUMNS,
        PersonCategory::LegalEntity => PERSON_COLUMNS,
    };
    if let Some(col) = other_category_columns.iter().find(|c| cell(c).is_some()) {
        return Err(format!(
            "{col}: not a requisite of the category `{}`",
            appeals_service::applicants::category_code(category)
        ));
    }
    let person = match category {
        PersonCategory::Individual => Some(PersonBlock {
            residency: match cell("residency").as_deref() {
                None => None,
                Some("resident") => Some(Residency::Resident),
                Some("non_resident") => Some(Residency::NonResident),
                Some(_) => return Err("residency: must be `resident` or `non_resident`".into()),
            },
            surname: cell("surname"),
            first_name: cell("first_name"),
            patronymic: cell("patronymic"),
            birth_date: date("birth_date")?,
            sex: match cell("sex").as_deref() {
                None => None,
                Some("male") => Some(Sex::Male),
                Some("female") => Some(Sex::Female),
                Some(_) => return Err("sex: must be `male` or `female`".into()),
            },
            citizenship: cell("citizenship"),
            nationality: cell("nationality"),
        }),
        PersonCategory::LegalEntity => None,
    };
    let company = match category {
        PersonCategory::LegalEntity => Some(CompanyBlock {
            name: cell("company_name"),
            registered_on: date("registered_on")?,
            legal_address: cell("legal_address"),
            actual_address: cell("actual_address"),
            head_surname: cell("head_surname"),
            head_first_name: cell("head_first_name"),
            head_patronymic: cell("head_patronymic"),
        }),
        PersonCategory::Individual => None,
    };
    let address = AddressBlock {
        region: cell("region"),
        district: cell("district"),
        settlement_kato: cell("settlement_kato"),
        street: cell("street"),
        house: cell("house"),
        flat: cell("flat"),
        postal_code: cell("postal_code"),
    };
    if let Some(kato) = &address.settlement_kato {
        Kato::parse(kato).map_err(|e| format!("settlement_kato: {}", reason(e)))?;
    }
    let address = (address != AddressBlock::default()).then_some(address);
    Ok((
        id,
        RegistryRecord {
            category,
            person,
            company,
            address,
        },
    ))
}
