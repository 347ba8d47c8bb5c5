//! Verifying Kazakh electronic digital signatures (EDS): CMS (PKCS#7) SignedData made with
//! certificates of the National Certification Centre (НУЦ РК), attached or detached, DER, PEM or
//! bare base64 (what NCALayer returns). Issue 20; the choices are tried and measured in
//! `../shared/design/EDS.md`.
//!
//! [`OpensslVerifier`] checks, in one OpenSSL call, the content digest, the signed attributes, the
//! signature and the chain to the configured trust anchors with validity and key usage (the
//! S/MIME-signing purpose: KU digitalSignature or nonRepudiation, EKU emailProtection when
//! present) at the time of verification; then the signer certificate's validity at the stated
//! signing time. RSA and ECDSA P-256 verify; GOST 34.310 / 34.10 is refused with its name, and a
//! plug-in verifier for it fills [`SignatureVerifier`] ([`VerifierChain`] asks each in turn).

use std::sync::Arc;

use base64::Engine;
use chrono::{DateTime, NaiveDateTime, Utc};
use cms::cert::x509::der::{Decode, Encode};
use cms::content_info::ContentInfo;
use cms::signed_data::SignedData;
use openssl::asn1::Asn1Time;
use openssl::cms::{CMSOptions, CmsContentInfo};
use openssl::nid::Nid;
use openssl::pkcs7::{Pkcs7, Pkcs7Flags};
use openssl::stack::Stack;
use openssl::x509::store::{X509Store, X509StoreBuilder};
use openssl::x509::{X509, X509NameRef};

/// Who signed, as the certificate subject says it (НУЦ РК: `SERIALNUMBER=IIN…`, `OU=BIN…`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Signer {
    /// The person's IIN (12 digits), from `SERIALNUMBER=IIN…`.
    pub iin: Option<String>,
    /// The organisation's BIN (12 digits), from `OU=BIN…`; individuals have none.
    pub bin: Option<String>,
    /// `CN` (the person's name).
    pub common_name: String,
}

/// A verified signature.
#[derive(Debug, Clone)]
pub struct Verified {
    /// The signed content (the attached one, or the detached one that was given).
    pub content: Vec<u8>,
    pub signer: Signer,
    /// The signingTime attribute, when the signature carries one (asserted by the signer).
    pub signed_at: Option<NaiveDateTime>,
}

/// Why a signature is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EdsError {
    /// Not CMS SignedData in any accepted encoding, or attached and detached content both/neither.
    #[error("{0}")]
    Malformed(String),
    /// The signature or digest algorithm is not one this server verifies (GOST): the name and OID.
    #[error("the signature algorithm {0} is not supported by this server's verifier")]
    UnsupportedAlgorithm(String),
    /// The signature does not verify: content, chain, validity, key usage.
    #[error("{0}")]
    Invalid(String),
    /// No trust anchors are configured: nothing can be verified.
    #[error("no EDS trust anchors are configured (APPEALS_EDS_TRUST_ANCHORS)")]
    NotConfigured,
}

/// Verifies a CMS SignedData; `detached` is the content of a detached signature.
pub trait SignatureVerifier: Send + Sync {
    fn verify(
        &self,
        signed_data: &[u8],
        detached: Option<&[u8]>,
        now: DateTime<Utc>,
    ) -> Result<Verified, EdsError>;
}

/// Several verifiers asked in turn: the first that does not answer `UnsupportedAlgorithm` decides
/// (a GOST plug-in goes after [`OpensslVerifier`]).
pub struct VerifierChain(pub Vec<Arc<dyn SignatureVerifier>>);

impl SignatureVerifier for VerifierChain {
    fn verify(
        &self,
        signed_data: &[u8],
        detached: Option<&[u8]>,
        now: DateTime<Utc>,
    ) -> Result<Verified, EdsError> {
        let mut last = EdsError::NotConfigured;
        for verifier in &self.0 {
            match verifier.verify(signed_data, detached, now) {
                Err(e @ EdsError::UnsupportedAlgorithm(_)) => last = e,
                other => return other,
            }
        }
        Err(last)
    }
}

/// The verifier of RSA and ECDSA signatures over system OpenSSL.
pub struct OpensslVerifier {
    store: X509Store,
}

impl OpensslVerifier {
    /// Trust anchors from a PEM bundle (НУЦ РК root and intermediate certificates); none built in.
    pub fn from_pem_bundle(pem: &[u8]) -> Result<Self, String> {
        let certs = X509::stack_from_pem(pem).map_err(|e| format!("trust anchors: {e}"))?;
        if certs.is_empty() {
            return Err("trust anchors: the PEM bundle holds no certificate".to_owned());
        }
        let mut builder = X509StoreBuilder::new().map_err(|e| e.to_string())?;
        for cert in certs {
            builder.add_cert(cert).map_err(|e| e.to_string())?;
        }
        Ok(Self {
            store: builder.build(),
        })
    }
}

/// GOST arcs: Kazakh (1.2.398.3.10.…) and Russian (1.2.643.…), with the names of the common ones.
fn gost_name(oid: &str) -> Option<String> {
    let name = match oid {
        "1.2.398.3.10.1.3.1" => "GOST 34.311-95 (hash)",
        "1.2.398.3.10.1.3.2" | "1.2.398.3.10.1.3.3" => "GOST 34.11-2015 (hash)",
        "1.2.398.3.10.1.1.1.1" | "1.2.398.3.10.1.1.1.2" => "GOST 34.310-2004",
        "1.2.398.3.10.1.1.2.3.1" | "1.2.398.3.10.1.1.2.3.2" => "GOST 34.10-2015",
        o if o.starts_with("1.2.398.3.10.") => "GOST (Kazakhstan)",
        o if o.starts_with("1.2.643.") => "GOST (Russia)",
        "1.3.6.1.4.1.6801.1.2.2" => "GOST 34.310 (legacy)",
        _ => return None,
    };
    Some(format!("{name} ({oid})"))
}

/// The signer algorithms and signingTime read from DER (`None` when the input is BER, which only
/// OpenSSL reads).
struct SignerInfoFacts {
    algorithm_oids: Vec<String>,
    signed_at: Option<NaiveDateTime>,
}

const SIGNING_TIME: &str = "1.2.840.113549.1.9.5";

fn signer_info_facts(der: &[u8]) -> Option<SignerInfoFacts> {
    let info = ContentInfo::from_der(der).ok()?;
    let signed = info.content.decode_as::<SignedData>().ok()?;
    let mut algorithm_oids = Vec::new();
    let mut signed_at = None;
    for si in signed.signer_infos.0.iter() {
        algorithm_oids.push(si.digest_alg.oid.to_string());
        algorithm_oids.push(si.signature_algorithm.oid.to_string());
        for attr in si.signed_attrs.iter().flat_map(|a| a.iter()) {
            if attr.oid.to_string() == SIGNING_TIME
                && let Some(value) = attr.values.iter().next()
                && let Ok(encoded) = value.to_der()
                && let Ok(time) = cms::cert::x509::time::Time::from_der(&encoded)
            {
                let secs = i64::try_from(time.to_unix_duration().as_secs()).ok()?;
                signed_at = DateTime::from_timestamp(secs, 0).map(|t| t.naive_utc());
            }
        }
    }
    Some(SignerInfoFacts {
        algorithm_oids,
        signed_at,
    })
}

/// Base64 of stored signature bytes (for JSON answers).
pub fn encode_base64(bytes: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

/// Bare base64 (whitespace ignored), as NCALayer returns signatures and documents.
pub fn decode_base64(text: &str) -> Option<Vec<u8>> {
    let compact: String = text.chars().filter(|c| !c.is_whitespace()).collect();
    base64::engine::general_purpose::STANDARD
        .decode(compact)
        .ok()
}

/// DER from what a client sends: DER as is, PEM (`CMS` or `PKCS7` label), or bare base64.
pub fn to_der(raw: &[u8]) -> Result<Vec<u8>, EdsError> {
    let malformed = || EdsError::Malformed("not a CMS SignedData in DER, PEM or base64".to_owned());
    match raw.first() {
        None => Err(EdsError::Malformed("the signature is empty".to_owned())),
        Some(0x30) => Ok(raw.to_vec()),
        Some(_) => {
            let text = std::str::from_utf8(raw).map_err(|_| malformed())?.trim();
            if text.starts_with("-----BEGIN") {
                let cms = CmsContentInfo::from_pem(text.as_bytes())
                    .or_else(|_| {
                        Pkcs7::from_pem(text.as_bytes())
                            .and_then(|p| p.to_der())
                            .and_then(|d| CmsContentInfo::from_der(&d))
                    })
                    .map_err(|_| malformed())?;
                cms.to_der().map_err(|_| malformed())
            } else {
                decode_base64(text).ok_or_else(malformed)
            }
        }
    }
}

fn entry(name: &X509NameRef, nid: Nid) -> Vec<String> {
    name.entries_by_nid(nid)
        .filter_map(|e| e.data().to_string().ok())
        .collect()
}

/// The 12 digits after `prefix` (`IIN`/`BIN`) in the only value of an attribute.
fn prefixed_number(values: &[String], prefix: &str) -> Result<Option<String>, EdsError> {
    let matching: Vec<&String> = values.iter().filter(|v| v.starts_with(prefix)).collect();
    match matching.as_slice() {
        [] => Ok(None),
        [one] => {
            let digits = &one[prefix.len()..];
            if digits.len() == 12 && digits.bytes().all(|b| b.is_ascii_digit()) {
                Ok(Some(digits.to_owned()))
            } else {
                Err(EdsError::Invalid(format!(
                    "the signer certificate's {prefix} is not 12 digits"
                )))
            }
        }
        _ => Err(EdsError::Invalid(format!(
            "the signer certificate names more than one {prefix}"
        ))),
    }
}

fn at(time: NaiveDateTime) -> Result<Asn1Time, EdsError> {
    Asn1Time::from_unix(time.and_utc().timestamp()).map_err(|e| EdsError::Invalid(e.to_string()))
}

impl SignatureVerifier for OpensslVerifier {
    fn verify(
        &self,
        signed_data: &[u8],
        detached: Option<&[u8]>,
        now: DateTime<Utc>,
    ) -> Result<Verified, EdsError> {
        let der = to_der(signed_data)?;
        let facts = signer_info_facts(&der);
        if let Some(name) = facts
            .iter()
            .flat_map(|f| f.algorithm_oids.iter())
            .find_map(|oid| gost_name(oid))
        {
            return Err(EdsError::UnsupportedAlgorithm(name));
        }
        let mut cms = CmsContentInfo::from_der(&der).map_err(|_| {
            EdsError::Malformed("not a CMS SignedData in DER, PEM or base64".to_owned())
        })?;
        let mut content = Vec::new();
        // BINARY: detached content is verified as the bytes given (no CRLF canonicalisation).
        // Never NOVERIFY / NO_SIGNER_CERT_VERIFY: the chain is the point.
        cms.verify(
            None,
            Some(&self.store),
            detached,
            Some(&mut content),
            CMSOptions::BINARY,
        )
        .map_err(|e| classify(&e))?;
        if detached.is_some() {
            content = detached.map(<[u8]>::to_vec).unwrap_or_default();
        }
        let none = Stack::<X509>::new().map_err(|e| EdsError::Invalid(e.to_string()))?;
        let pkcs7 = Pkcs7::from_der(&der).map_err(|e| EdsError::Malformed(e.to_string()))?;
        let signers = pkcs7
            .signers(&none, Pkcs7Flags::empty())
            .map_err(|e| EdsError::Invalid(format!("signer certificate: {e}")))?;
        let [cert] = signers.iter().collect::<Vec<_>>()[..] else {
            return Err(EdsError::Invalid(
                "exactly one signer is expected".to_owned(),
            ));
        };
        let signed_at = facts.and_then(|f| f.signed_at);
        if let Some(signed_at) = signed_at {
            if signed_at > now.naive_utc() + chrono::Duration::minutes(5) {
                return Err(EdsError::Invalid(
                    "the signing time lies in the future".to_owned(),
                ));
            }
            let when = at(signed_at)?;
            if cert.not_before() > when || cert.not_after() < when {
                return Err(EdsError::Invalid(
                    "the signer certificate was not valid at the signing time".to_owned(),
                ));
            }
        }
        let subject = cert.subject_name();
        Ok(Verified {
            content,
            signer: Signer {
                iin: prefixed_number(&entry(subject, Nid::SERIALNUMBER), "IIN")?,
                bin: prefixed_number(&entry(subject, Nid::ORGANIZATIONALUNITNAME), "BIN")?,
                common_name: entry(subject, Nid::COMMONNAME)
                    .into_iter()
                    .next()
                    .unwrap_or_default(),
            },
            signed_at,
        })
    }
}

/// A clear reason from OpenSSL's error stack (its reason strings, not the display text).
fn classify(e: &openssl::error::ErrorStack) -> EdsError {
    let reasons: Vec<String> = e
        .errors()
        .iter()
        .map(|err| {
            let mut s = err.reason().unwrap_or("unknown").to_owned();
            if let Some(data) = err.data() {
                s.push_str(": ");
                s.push_str(data);
            }
            s
        })
        .collect();
    let all = reasons.join("; ");
    if all.contains("unknown digest algorithm") || all.contains("unsupported algorithm") {
        return EdsError::UnsupportedAlgorithm(all);
    }
    EdsError::Invalid(format!("the signature does not verify: {all}"))
}
