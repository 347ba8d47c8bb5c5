//! З-1 «Карточка заявителя» (p.23): person and legal-entity blocks, contacts, ГБД autofill
//! (R20) and the address check and reconciliation (R21).

use chrono::{NaiveDate, NaiveDateTime};
use serde::{Deserialize, Serialize};

use super::{AppealCard, is_digits};
use crate::DomainError;
use crate::regnum::AppealNumber;

// ---------------------------------------------------------------------------------------------
// З-1
// ---------------------------------------------------------------------------------------------

/// Person category (ЛП-1 req. 7; З-1 [INF: req. 3]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PersonCategory {
    /// «физическое».
    Individual,
    /// «юридическое».
    LegalEntity,
}

/// Residency (ЛП-1 req. 8).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Residency {
    /// «резидент».
    Resident,
    /// «не резидент».
    NonResident,
}

/// Sex (ЛП-1 req. 9).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Sex {
    /// «мужской».
    Male,
    /// «женский».
    Female,
}

/// З-1 person block [INF: requisites 5–11, filled from ГБД ФЛ].
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PersonBlock {
    /// [INF] Residency.
    pub residency: Option<Residency>,
    /// [INF] Surname.
    pub surname: Option<String>,
    /// [INF] First name.
    pub first_name: Option<String>,
    /// [INF] Patronymic (if in the ID document).
    pub patronymic: Option<String>,
    /// [INF] Date of birth.
    pub birth_date: Option<NaiveDate>,
    /// [INF] Sex.
    pub sex: Option<Sex>,
    /// [INF] Citizenship (reference-book code).
    pub citizenship: Option<String>,
    /// [INF] Nationality (reference-book code).
    pub nationality: Option<String>,
}

/// З-1 legal-entity block [INF: requisites 20–26, filled from ГБД ЮЛ].
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CompanyBlock {
    /// [INF] Name.
    pub name: Option<String>,
    /// [INF] Registration date.
    pub registered_on: Option<NaiveDate>,
    /// [INF] Legal address.
    pub legal_address: Option<String>,
    /// [INF] Actual address.
    pub actual_address: Option<String>,
    /// [INF] Head: surname.
    pub head_surname: Option<String>,
    /// [INF] Head: first name.
    pub head_first_name: Option<String>,
    /// [INF] Head: patronymic.
    pub head_patronymic: Option<String>,
}

/// З-1 address block, requisites 12–18 (p.23 [SEED]: the block; the split is [INF]).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AddressBlock {
    /// Requisite 12 [INF split]: oblast / city of republican significance.
    pub region: Option<String>,
    /// Requisite 13 [INF split]: district.
    pub district: Option<String>,
    /// Requisite 14 [INF split]: settlement (KATO code).
    pub settlement_kato: Option<String>,
    /// Requisite 15 [INF split]: street.
    pub street: Option<String>,
    /// Requisite 16 [INF split]: house.
    pub house: Option<String>,
    /// Requisite 17 [INF split]: flat.
    pub flat: Option<String>,
    /// Requisite 18 [INF split]: postal index.
    pub postal_code: Option<String>,
}

impl AddressBlock {
    /// The address in one line (region, district, street, house, flat), for string requisites and
    /// the duplicate check's fuzzy comparison; `None` when empty.
    pub fn one_line(&self) -> Option<String> {
        let parts: Vec<&str> = [
            &self.region,
            &self.district,
            &self.street,
            &self.house,
            &self.flat,
        ]
        .into_iter()
        .flatten()
        .map(String::as_str)
        .collect();
        (!parts.is_empty()).then(|| parts.join(", "))
    }

    fn fields(&self) -> [(u8, &Option<String>); 7] {
        [
            (12, &self.region),
            (13, &self.district),
            (14, &self.settlement_kato),
            (15, &self.street),
            (16, &self.house),
            (17, &self.flat),
            (18, &self.postal_code),
        ]
    }

    /// Requisite numbers (12–18) where the two addresses differ, comparing case-, space- and
    /// punctuation-insensitively so that «ул. Абая» and «УЛ Абая» are not reported.
    pub fn differences(&self, other: &AddressBlock) -> Vec<u8> {
        let norm = |v: &Option<String>| -> String {
            v.as_deref()
                .unwrap_or("")
                .chars()
                .filter(|c| c.is_alphanumeric())
                .flat_map(char::to_lowercase)
                .collect()
        };
        self.fields()
            .iter()
            .zip(other.fields().iter())
            .filter(|((_, a), (_, b))| norm(a) != norm(b))
            .map(|((n, _), _)| *n)
            .collect()
    }
}

/// State databases that fill З-1 (p.23, R20).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RegistrySource {
    /// ГБД ФЛ — individuals.
    GbdFl,
    /// ГБД ЮЛ — legal entities.
    GbdUl,
}

/// Provenance of automatically filled requisites (R20): which registry and when.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AutoFill {
    /// The registry.
    pub source: RegistrySource,
    /// When the data was fetched.
    pub fetched_at: NaiveDateTime,
    /// Requisite numbers filled from it.
    pub requisites: Vec<u8>,
}

/// Data returned by a ГБД lookup for requisite 4.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RegistryRecord {
    /// Requisite 3 [INF]: category of the person.
    pub category: PersonCategory,
    /// Person block (ГБД ФЛ).
    pub person: Option<PersonBlock>,
    /// Legal-entity block (ГБД ЮЛ).
    pub company: Option<CompanyBlock>,
    /// Registered address.
    pub address: Option<AddressBlock>,
}

/// State of the R21 address check.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "status", content = "requisites")]
pub enum AddressCheck {
    /// The appeal states no postal address to compare with.
    NothingToCompare,
    /// Requisites 12–18 agree with the postal address of the appeal.
    Matches,
    /// These requisites differ and must be brought into line (R21).
    Differs(Vec<u8>),
    /// A user brought the address into line.
    Reconciled,
}

/// З-1 «Карточка заявителя» (p.23), one per applicant of an appeal.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApplicantCard {
    /// Requisite 1: registration number of the appeal — copied from ОЛ-1 (R20).
    pub appeal_reg_number: AppealNumber,
    /// Requisite 2 [INF: registration date]: copied from ОЛ-1 (R20).
    pub appeal_registered_at: NaiveDateTime,
    /// [INF] Ordinal of the applicant within the appeal (1-based).
    pub ordinal: u32,
    /// Requisite 3 [INF]: person category — automatic from ГБД (R20).
    pub category: PersonCategory,
    /// Requisite 4 [INF: IIN/BIN] — the lookup key. Plain string until `ident.rs` provides
    /// `Iin`/`Bin`; optional because APPK Art. 63 requires it only «при его наличии».
    pub iin_bin: Option<String>,
    /// Requisites 5–11 [INF]: person block.
    pub person: Option<PersonBlock>,
    /// Requisites 12–18: address block (R21).
    pub address: AddressBlock,
    /// [INF] The postal address as stated in the appeal (compared with 12–18, R21).
    pub postal_address_in_appeal: Option<AddressBlock>,
    /// [INF] Set when a user brought 12–18 into line with the appeal (R21).
    pub address_reconciled: bool,
    /// Requisite 19 [INF: the only manual requisite]: contacts.
    pub contacts: Contacts,
    /// Requisites 20–26 [INF]: legal-entity block.
    pub company: Option<CompanyBlock>,
    /// [INF] Provenance of the automatically filled requisites (R20).
    pub autofill: Vec<AutoFill>,
}

/// Contacts (З-1 requisite 19 [INF]; the mobile number receives the answer SMS, R46).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Contacts {
    /// Mobile phone.
    pub mobile_phone: Option<String>,
    /// Home/work phone.
    pub work_home_phone: Option<String>,
    /// E-mail.
    pub email: Option<String>,
}

impl ApplicantCard {
    /// A new applicant of `appeal`: requisites 1–2 are copied from ОЛ-1 (R20).
    pub fn new(
        appeal: &AppealCard,
        ordinal: u32,
        category: PersonCategory,
        iin_bin: Option<String>,
    ) -> Result<Self, DomainError> {
        if let Some(id) = &iin_bin
            && !is_digits(id, 12)
        {
            return Err(DomainError::invalid(
                "iin_bin",
                "requisite 4 must be 12 digits",
            ));
        }
        if ordinal == 0 {
            return Err(DomainError::invalid(
                "ordinal",
                "applicants are numbered from 1",
            ));
        }
        Ok(Self {
            appeal_reg_number: appeal.reg_number().clone(),
            appeal_registered_at: appeal.registered_at,
            ordinal,
            category,
            iin_bin,
            person: None,
            address: AddressBlock::default(),
            postal_address_in_appeal: None,
            address_reconciled: false,
            contacts: Contacts::default(),
            company: None,
            autofill: Vec::new(),
        })
    }

    /// R20: fills requisites 3, 5–18, 20–26 from a ГБД record fetched for requisite 4 and records
    /// where and when they came from. ГБД ФЛ fills the person block, ГБД ЮЛ the legal-entity block.
    /// A changed address cancels an earlier reconciliation (R21).
    pub fn apply_registry_record(
        &mut self,
        source: RegistrySource,
        record: RegistryRecord,
        fetched_at: NaiveDateTime,
    ) -> Result<(), DomainError> {
        if self.iin_bin.is_none() {
            return Err(DomainError::invalid(
                "iin_bin",
                "requisite 4 must be filled before a ГБД lookup",
            ));
        }
        let expected = match source {
            RegistrySource::GbdFl => PersonCategory::Individual,
            RegistrySource::GbdUl => PersonCategory::LegalEntity,
        };
        if record.category != expected {
            return Err(DomainError::invalid(
                "category",
                "the registry does not match the category",
            ));
        }
        let mut filled = vec![3];
        self.category = record.category;
        if let Some(p) = record.person {
            filled.extend(5..=11);
            self.person = Some(p);
        }
        if let Some(c) = record.company {
            filled.extend(20..=26);
            self.company = Some(c);
        }
        if let Some(a) = record.address {
            filled.extend(12..=18);
            if a != self.address {
                self.address_reconciled = false;
            }
            self.address = a;
        }
        self.autofill.push(AutoFill {
            source,
            fetched_at,
            requisites: filled,
        });
        Ok(())
    }

    /// R21: compares requisites 12–18 with the postal address stated in the appeal.
    pub fn address_check(&self) -> AddressCheck {
        let Some(stated) = &self.postal_address_in_appeal else {
            return AddressCheck::NothingToCompare;
        };
        let diff = self.address.differences(stated);
        if diff.is_empty() {
            AddressCheck::Matches
        } else if self.address_reconciled {
            AddressCheck::Reconciled
        } else {
            AddressCheck::Differs(diff)
        }
    }

    /// R21: a user brings the address into line — `agreed` becomes requisites 12–18.
    pub fn reconcile_address(&mut self, agreed: AddressBlock) {
        self.address = agreed;
        self.address_reconciled = true;
    }

    /// R21 [INF: blocking]: the card may be finalized only when the address is not in conflict.
    pub fn ensure_final(&self) -> Result<(), DomainError> {
        match self.address_check() {
            AddressCheck::Differs(reqs) => Err(DomainError::invalid(
                "address",
                format!(
                    "requisites {reqs:?} differ from the postal address in the appeal and must be brought into line"
                ),
            )),
            _ => Ok(()),
        }
    }
}

/// R21 [INF]: what an address that differs from the postal address in the appeal, and is not
/// reconciled, holds up. The Rules say it must be brought into line before the card is final;
/// which step counts as "final" is not written down.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum AddressReconciliationPolicy {
    /// Default: the first ОЛ-2 decision (the final act, R44) waits for it.
    #[default]
    BlocksFinalAct,
    /// The difference is only shown (`address_check`); nothing waits for it.
    Advisory,
}

impl AddressReconciliationPolicy {
    pub const ALL: [Self; 2] = [Self::BlocksFinalAct, Self::Advisory];

    /// The stored code.
    pub fn code(self) -> &'static str {
        match self {
            Self::BlocksFinalAct => "blocks_final_act",
            Self::Advisory => "advisory",
        }
    }

    pub fn parse(code: &str) -> Result<Self, DomainError> {
        Self::ALL
            .into_iter()
            .find(|p| p.code() == code)
            .ok_or_else(|| {
                DomainError::invalid(
                    "address_reconciliation",
                    format!("`{code}` is not `blocks_final_act` or `advisory`"),
                )
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cards::test_support::{at, register};

    #[test]
    fn applicant_card_copies_number_and_records_registry_provenance() {
        // R20.
        let appeal = register("application", 1);
        let mut z1 = ApplicantCard::new(&appeal, 1, PersonCategory::Individual, None).unwrap();
        assert_eq!(&z1.appeal_reg_number, appeal.reg_number());
        assert_eq!(z1.appeal_registered_at, appeal.registered_at);
        let record = RegistryRecord {
            category: PersonCategory::Individual,
            person: Some(PersonBlock {
                surname: Some("Иванов".into()),
                ..PersonBlock::default()
            }),
            company: None,
            address: Some(AddressBlock {
                street: Some("ул. Абая".into()),
                ..AddressBlock::default()
            }),
        };
        assert!(
            z1.apply_registry_record(RegistrySource::GbdFl, record.clone(), at("2026-03-05"))
                .is_err()
        );
        z1.iin_bin = Some("921029350851".into());
        assert!(
            z1.apply_registry_record(RegistrySource::GbdUl, record.clone(), at("2026-03-05"))
                .is_err()
        );
        z1.apply_registry_record(RegistrySource::GbdFl, record, at("2026-03-05"))
            .unwrap();
        let fill = &z1.autofill[0];
        assert_eq!(fill.source, RegistrySource::GbdFl);
        assert_eq!(fill.fetched_at, at("2026-03-05"));
        assert_eq!(
            fill.requisites,
            [3, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18]
        );
        assert!(
            ApplicantCard::new(&appeal, 1, PersonCategory::Individual, Some("12345".into()))
                .is_err()
        );
    }

    #[test]
    fn differing_address_blocks_the_card_until_reconciled() {
        // R21.
        let appeal = register("application", 1);
        let mut z1 = ApplicantCard::new(&appeal, 1, PersonCategory::Individual, None).unwrap();
        assert_eq!(z1.address_check(), AddressCheck::NothingToCompare);
        z1.address = AddressBlock {
            street: Some("ул. Абая".into()),
            house: Some("10".into()),
            ..AddressBlock::default()
        };
        z1.postal_address_in_appeal = Some(AddressBlock {
            street: Some("УЛ АБАЯ".into()),
            house: Some("12".into()),
            ..AddressBlock::default()
        });
        assert_eq!(z1.address_check(), AddressCheck::Differs(vec![16]));
        assert!(z1.ensure_final().is_err());
        let agreed = z1.postal_address_in_appeal.clone().unwrap();
        z1.reconcile_address(agreed);
        assert_eq!(z1.address_check(), AddressCheck::Matches);
        assert!(z1.ensure_final().is_ok());
    }

    #[test]
    fn address_reconciliation_policy_codes_round_trip() {
        // R21 [INF]: the default blocks the final act; codes are the stored setting.
        assert_eq!(
            AddressReconciliationPolicy::default(),
            AddressReconciliationPolicy::BlocksFinalAct
        );
        for p in AddressReconciliationPolicy::ALL {
            assert_eq!(AddressReconciliationPolicy::parse(p.code()).unwrap(), p);
        }
        assert!(AddressReconciliationPolicy::parse("sometimes").is_err());
    }
}
