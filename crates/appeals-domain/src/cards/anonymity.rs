//! Anonymity (p.2(1), APPK; R15) and the content requirements of APPK Art. 63 (R39).

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

// ---------------------------------------------------------------------------------------------
// Anonymity (p.2(1), APPK; R15)
// ---------------------------------------------------------------------------------------------

/// What is known about the authorship of an item (p.2(1)).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Authorship {
    /// The author can be established.
    pub author_identified: bool,
    /// The item is signed (including by EDS/ЭЦП; for an oral appeal: the signed protocol).
    pub signed: bool,
    /// The applicant's postal address is stated.
    pub postal_address_given: bool,
}

/// How an item is handled with respect to anonymity (R15).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AnonymityHandling {
    /// Not anonymous: considered in the ordinary way.
    Consider,
    /// Anonymous: registered (R1) but not considered on the merits.
    NotConsidered,
    /// Anonymous but reports a prepared/committed criminal offence or a threat to state or public
    /// security: must be redirected to the competent body immediately.
    RedirectImmediately,
}

/// The result of [`assess_anonymity`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct AnonymityAssessment {
    /// p.2(1): authorship cannot be established and/or no signature (incl. EDS) or postal address.
    pub anonymous: bool,
    /// What must happen to the item.
    pub handling: AnonymityHandling,
}

/// R15 (p.2(1); APPK: anonymous appeals are not considered except crime/threat reports, which are
/// redirected immediately). Any one missing element makes the item anonymous («и (или)»).
pub fn assess_anonymity(a: &Authorship, reports_crime_or_threat: bool) -> AnonymityAssessment {
    assess_anonymity_as(
        crate::hierarchy::AnonymityReading::AnyElementMissing,
        a,
        reports_crime_or_threat,
    )
}

/// R15 under a stated reading of p.2(1) «и (или)» (a setting of the authorized body).
pub fn assess_anonymity_as(
    reading: crate::hierarchy::AnonymityReading,
    a: &Authorship,
    reports_crime_or_threat: bool,
) -> AnonymityAssessment {
    let anonymous = reading.is_anonymous(a);
    let handling = match (anonymous, reports_crime_or_threat) {
        (false, _) => AnonymityHandling::Consider,
        (true, true) => AnonymityHandling::RedirectImmediately,
        (true, false) => AnonymityHandling::NotConsidered,
    };
    AnonymityAssessment {
        anonymous,
        handling,
    }
}

// ---------------------------------------------------------------------------------------------
// Content requirements (APPK Art. 63; R39)
// ---------------------------------------------------------------------------------------------

/// Form of an appeal for the purposes of APPK Art. 63.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AppealMedium {
    /// Paper or electronic.
    Written,
    /// Oral: recorded in a protocol by the official who accepted it.
    Oral,
}

/// What an appeal states, as far as APPK Art. 63 requires it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Article63Content {
    /// Surname, name (patronymic) of the individual, or the legal entity's name.
    pub applicant_name: Option<String>,
    /// Postal address of the applicant.
    pub postal_address: Option<String>,
    /// Addressed body or official.
    pub addressee: Option<String>,
    /// The essence of the appeal.
    pub essence: Option<String>,
    /// Date of submission.
    pub submitted_on: Option<NaiveDate>,
    /// Signed by the applicant or representative (incl. EDS).
    pub signed: bool,
    /// Oral appeals: a protocol was drawn up.
    pub protocol_drawn_up: bool,
}

/// A requirement of APPK Art. 63 that an appeal does not meet (R39).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Article63Defect {
    /// No applicant name / legal-entity name.
    ApplicantName,
    /// No postal address.
    PostalAddress,
    /// No addressee.
    Addressee,
    /// No essence.
    Essence,
    /// No date.
    Date,
    /// Not signed.
    Signature,
    /// Oral appeal without a protocol.
    Protocol,
}

impl Article63Defect {
    /// The element of authorship (p.2(1)) that curing this defect supplies: a name establishes
    /// the author, an address is an address, a signature or an oral appeal's protocol signs it.
    pub fn complete(self, a: &mut Authorship) {
        match self {
            Article63Defect::ApplicantName => a.author_identified = true,
            Article63Defect::PostalAddress => a.postal_address_given = true,
            Article63Defect::Signature | Article63Defect::Protocol => a.signed = true,
            Article63Defect::Addressee | Article63Defect::Essence | Article63Defect::Date => {}
        }
    }
}

/// R39 (APPK Art. 63): the defects of an appeal; empty when it complies. IIN/BIN is required only
/// «при его наличии», so its absence is not a defect. An oral appeal is recorded in a protocol, whose
/// existence replaces the applicant's signature.
pub fn article_63_defects(medium: AppealMedium, c: &Article63Content) -> Vec<Article63Defect> {
    let blank = |v: &Option<String>| v.as_deref().is_none_or(|s| s.trim().is_empty());
    let mut d = Vec::new();
    if blank(&c.applicant_name) {
        d.push(Article63Defect::ApplicantName);
    }
    if blank(&c.postal_address) {
        d.push(Article63Defect::PostalAddress);
    }
    if blank(&c.addressee) {
        d.push(Article63Defect::Addressee);
    }
    if blank(&c.essence) {
        d.push(Article63Defect::Essence);
    }
    if c.submitted_on.is_none() {
        d.push(Article63Defect::Date);
    }
    match medium {
        AppealMedium::Written if !c.signed => d.push(Article63Defect::Signature),
        AppealMedium::Oral if !c.protocol_drawn_up => d.push(Article63Defect::Protocol),
        _ => {}
    }
    d
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cards::test_support::signed;

    #[test]
    fn anonymous_items_are_not_considered_unless_they_report_a_crime_or_threat() {
        // R15.
        let no_address = Authorship {
            postal_address_given: false,
            ..signed()
        };
        let unsigned = Authorship {
            signed: false,
            ..signed()
        };
        let a = assess_anonymity(&no_address, false);
        assert!(a.anonymous);
        assert_eq!(a.handling, AnonymityHandling::NotConsidered);
        assert_eq!(
            assess_anonymity(&unsigned, true).handling,
            AnonymityHandling::RedirectImmediately
        );
        let ok = assess_anonymity(&signed(), true);
        assert!(!ok.anonymous);
        assert_eq!(ok.handling, AnonymityHandling::Consider);
    }

    #[test]
    fn article_63_lists_every_missing_requisite() {
        // R39.
        let empty = Article63Content::default();
        assert_eq!(
            article_63_defects(AppealMedium::Written, &empty),
            [
                Article63Defect::ApplicantName,
                Article63Defect::PostalAddress,
                Article63Defect::Addressee,
                Article63Defect::Essence,
                Article63Defect::Date,
                Article63Defect::Signature
            ]
        );
        let oral = Article63Content {
            applicant_name: Some("Иванов И.".into()),
            postal_address: Some("Астана".into()),
            addressee: Some("Акимат".into()),
            essence: Some("Дорога".into()),
            submitted_on: NaiveDate::from_ymd_opt(2026, 3, 5),
            signed: false,
            protocol_drawn_up: false,
        };
        assert_eq!(
            article_63_defects(AppealMedium::Oral, &oral),
            [Article63Defect::Protocol]
        );
        let with_protocol = Article63Content {
            protocol_drawn_up: true,
            ..oral
        };
        assert!(article_63_defects(AppealMedium::Oral, &with_protocol).is_empty());
    }
}
