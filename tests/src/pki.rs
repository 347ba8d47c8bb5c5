//! A test PKI made at test time (issue 20 point 5): a root, an intermediate and signer certificates
//! shaped like НУЦ РК's (`SERIALNUMBER=IIN…`, `OU=BIN…`), and CMS signatures made with them.

use openssl::asn1::{Asn1Integer, Asn1Time};
use openssl::bn::BigNum;
use openssl::cms::{CMSOptions, CmsContentInfo};
use openssl::ec::{EcGroup, EcKey};
use openssl::hash::MessageDigest;
use openssl::nid::Nid;
use openssl::pkey::{PKey, Private};
use openssl::rsa::Rsa;
use openssl::stack::Stack;
use openssl::x509::extension::{
    BasicConstraints, ExtendedKeyUsage, KeyUsage, SubjectAlternativeName,
};
use openssl::x509::{X509, X509Builder, X509NameBuilder};

/// The key type of a whole test PKI.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyKind {
    Rsa,
    EcP256,
}

fn key(kind: KeyKind) -> PKey<Private> {
    match kind {
        KeyKind::Rsa => PKey::from_rsa(Rsa::generate(2048).unwrap()).unwrap(),
        KeyKind::EcP256 => {
            let group = EcGroup::from_curve_name(Nid::X9_62_PRIME256V1).unwrap();
            PKey::from_ec_key(EcKey::generate(&group).unwrap()).unwrap()
        }
    }
}

/// What a signer certificate says and allows.
#[derive(Debug, Clone)]
pub struct SignerSpec {
    pub iin: String,
    pub bin: Option<String>,
    pub common_name: String,
    /// Validity, in days from now.
    pub valid_from_days: i64,
    pub valid_to_days: i64,
    /// digitalSignature + nonRepudiation (a signing certificate), or keyEncipherment only.
    pub signing_key_usage: bool,
}

impl SignerSpec {
    pub fn new(iin: &str, bin: &str) -> Self {
        Self {
            iin: iin.to_owned(),
            bin: Some(bin.to_owned()),
            common_name: "СЕЙТКАЛИ АЙГЕРИМ".to_owned(),
            valid_from_days: -1,
            valid_to_days: 365,
            signing_key_usage: true,
        }
    }
}

/// A root and an intermediate CA of one key kind.
pub struct TestPki {
    pub kind: KeyKind,
    pub root: X509,
    pub intermediate: X509,
    intermediate_key: PKey<Private>,
}

/// A signer: its certificate and key, and the chain to send with signatures.
pub struct TestSigner {
    pub cert: X509,
    pub key: PKey<Private>,
    pub chain: Vec<X509>,
}

fn time(days: i64) -> Asn1Time {
    Asn1Time::from_unix(chrono::Utc::now().timestamp() + days * 86_400).unwrap()
}

fn serial() -> Asn1Integer {
    let mut bn = BigNum::new().unwrap();
    bn.rand(64, openssl::bn::MsbOption::MAYBE_ZERO, false)
        .unwrap();
    bn.to_asn1_integer().unwrap()
}

fn ca(
    cn: &str,
    key: &PKey<Private>,
    issuer: Option<(&X509, &PKey<Private>)>,
    pathlen: Option<u32>,
) -> X509 {
    let mut name = X509NameBuilder::new().unwrap();
    name.append_entry_by_nid(Nid::COUNTRYNAME, "KZ").unwrap();
    name.append_entry_by_nid(Nid::COMMONNAME, cn).unwrap();
    let name = name.build();
    let mut b = X509Builder::new().unwrap();
    b.set_version(2).unwrap();
    b.set_serial_number(&serial()).unwrap();
    b.set_subject_name(&name).unwrap();
    b.set_issuer_name(issuer.map_or(&name, |(c, _)| c.subject_name()))
        .unwrap();
    b.set_pubkey(key).unwrap();
    b.set_not_before(&time(-30)).unwrap();
    b.set_not_after(&time(3650)).unwrap();
    let mut bc = BasicConstraints::new();
    bc.critical().ca();
    if let Some(n) = pathlen {
        bc.pathlen(n);
    }
    b.append_extension(bc.build().unwrap()).unwrap();
    b.append_extension(
        KeyUsage::new()
            .critical()
            .key_cert_sign()
            .crl_sign()
            .build()
            .unwrap(),
    )
    .unwrap();
    b.sign(issuer.map_or(key, |(_, k)| k), MessageDigest::sha256())
        .unwrap();
    b.build()
}

impl TestPki {
    pub fn new(kind: KeyKind) -> Self {
        Self::named(kind, "Test НУЦ РК Root")
    }

    /// A PKI whose root has the given name (a rogue PKI can copy the real root's name).
    pub fn named(kind: KeyKind, root_name: &str) -> Self {
        let root_key = key(kind);
        let root = ca(root_name, &root_key, None, None);
        let intermediate_key = key(kind);
        let intermediate = ca(
            "Test НУЦ РК Intermediate",
            &intermediate_key,
            Some((&root, &root_key)),
            Some(0),
        );
        Self {
            kind,
            root,
            intermediate,
            intermediate_key,
        }
    }

    /// The trust-anchor bundle: root and intermediate, PEM.
    pub fn bundle_pem(&self) -> Vec<u8> {
        let mut pem = self.root.to_pem().unwrap();
        pem.extend(self.intermediate.to_pem().unwrap());
        pem
    }

    pub fn signer(&self, spec: &SignerSpec) -> TestSigner {
        let key = key(self.kind);
        let mut name = X509NameBuilder::new().unwrap();
        name.append_entry_by_nid(Nid::SERIALNUMBER, &format!("IIN{}", spec.iin))
            .unwrap();
        if let Some(bin) = &spec.bin {
            name.append_entry_by_nid(Nid::ORGANIZATIONALUNITNAME, &format!("BIN{bin}"))
                .unwrap();
        }
        name.append_entry_by_nid(Nid::COUNTRYNAME, "KZ").unwrap();
        name.append_entry_by_nid(Nid::COMMONNAME, &spec.common_name)
            .unwrap();
        let name = name.build();
        let mut b = X509Builder::new().unwrap();
        b.set_version(2).unwrap();
        b.set_serial_number(&serial()).unwrap();
        b.set_subject_name(&name).unwrap();
        b.set_issuer_name(self.intermediate.subject_name()).unwrap();
        b.set_pubkey(&key).unwrap();
        b.set_not_before(&time(spec.valid_from_days)).unwrap();
        b.set_not_after(&time(spec.valid_to_days)).unwrap();
        let mut ku = KeyUsage::new();
        ku.critical();
        if spec.signing_key_usage {
            ku.digital_signature().non_repudiation();
        } else {
            ku.key_encipherment();
        }
        b.append_extension(ku.build().unwrap()).unwrap();
        b.append_extension(ExtendedKeyUsage::new().email_protection().build().unwrap())
            .unwrap();
        b.sign(&self.intermediate_key, MessageDigest::sha256())
            .unwrap();
        TestSigner {
            cert: b.build(),
            key,
            chain: vec![self.intermediate.clone()],
        }
    }
}

impl TestPki {
    /// A TLS certificate of this PKI: `server` for 127.0.0.1 / localhost (serverAuth), else a
    /// client certificate (clientAuth).
    pub fn tls(&self, server: bool) -> TestSigner {
        let key = key(self.kind);
        let mut name = X509NameBuilder::new().unwrap();
        name.append_entry_by_nid(
            Nid::COMMONNAME,
            if server {
                "localhost"
            } else {
                "appeals-client"
            },
        )
        .unwrap();
        let name = name.build();
        let mut b = X509Builder::new().unwrap();
        b.set_version(2).unwrap();
        b.set_serial_number(&serial()).unwrap();
        b.set_subject_name(&name).unwrap();
        b.set_issuer_name(self.intermediate.subject_name()).unwrap();
        b.set_pubkey(&key).unwrap();
        b.set_not_before(&time(-1)).unwrap();
        b.set_not_after(&time(30)).unwrap();
        b.append_extension(
            KeyUsage::new()
                .critical()
                .digital_signature()
                .key_encipherment()
                .build()
                .unwrap(),
        )
        .unwrap();
        let mut eku = ExtendedKeyUsage::new();
        if server {
            eku.server_auth();
        } else {
            eku.client_auth();
        }
        b.append_extension(eku.build().unwrap()).unwrap();
        if server {
            let san = SubjectAlternativeName::new()
                .dns("localhost")
                .ip("127.0.0.1")
                .build(&b.x509v3_context(Some(&self.intermediate), None))
                .unwrap();
            b.append_extension(san).unwrap();
        }
        b.sign(&self.intermediate_key, MessageDigest::sha256())
            .unwrap();
        TestSigner {
            cert: b.build(),
            key,
            chain: vec![self.intermediate.clone()],
        }
    }
}

impl TestSigner {
    /// The certificate and its chain, PEM.
    pub fn chain_pem(&self) -> Vec<u8> {
        let mut pem = self.cert.to_pem().unwrap();
        for c in &self.chain {
            pem.extend(c.to_pem().unwrap());
        }
        pem
    }

    pub fn key_pem(&self) -> Vec<u8> {
        self.key.private_key_to_pem_pkcs8().unwrap()
    }

    /// CMS SignedData (DER) over `content`, attached or detached, with the chain embedded.
    pub fn sign(&self, content: &[u8], detached: bool) -> Vec<u8> {
        let mut certs = Stack::new().unwrap();
        for c in &self.chain {
            certs.push(c.clone()).unwrap();
        }
        let mut flags = CMSOptions::BINARY;
        if detached {
            flags |= CMSOptions::DETACHED;
        }
        CmsContentInfo::sign(
            Some(&self.cert),
            Some(&self.key),
            Some(&certs),
            Some(content),
            flags,
        )
        .unwrap()
        .to_der()
        .unwrap()
    }

    /// The same signature as PEM (`-----BEGIN CMS-----`).
    pub fn sign_pem(&self, content: &[u8], detached: bool) -> String {
        let der = self.sign(content, detached);
        let cms = CmsContentInfo::from_der(&der).unwrap();
        String::from_utf8(cms.to_pem().unwrap()).unwrap()
    }
}
