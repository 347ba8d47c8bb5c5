//! Webhook events and their signature, the Standard Webhooks way (issue 22): `webhook-id`,
//! `webhook-timestamp`, `webhook-signature: v1,<base64 HMAC-SHA256(key, "{id}.{timestamp}.{body}")>`
//! where the key is the base64 after `whsec_` in the subscription's secret. The secret is stored
//! sealed ([`seal_secret`]): a copy of the database cannot sign in a subscription's name.

use aes_gcm::aead::Aead;
use aes_gcm::{Aes256Gcm, Nonce};
use base64::Engine;
use hmac::{Hmac, Mac};
use sha2::Sha256;

use crate::events::CardAction;

/// The prefix of a subscription secret.
pub const SECRET_PREFIX: &str = "whsec_";

/// A new secret from 24 random bytes.
pub fn secret_from(bytes: &[u8; 24]) -> String {
    format!(
        "{SECRET_PREFIX}{}",
        base64::engine::general_purpose::STANDARD.encode(bytes)
    )
}

/// The prefix of a secret as stored: sealed with the deployment's sealing key (AES-256-GCM under a
/// key derived for this one use; a random nonce per secret), base64 of nonce and ciphertext.
pub const SEALED_PREFIX: &str = "sealed1:";

/// Bytes of an AES-GCM nonce.
pub const NONCE_BYTES: usize = 12;

/// The cipher of stored secrets: its key is HMAC-SHA-256 of a fixed label under the deployment's
/// key material (any length), so the material can serve no other use by accident.
fn sealing_cipher(key: &[u8]) -> Option<Aes256Gcm> {
    let mut mac = Hmac::<Sha256>::new_from_slice(key).ok()?;
    mac.update(b"appeals: webhook subscription secrets at rest, v1");
    // Fully qualified: `Mac` has a `new_from_slice` of its own.
    <Aes256Gcm as aes_gcm::KeyInit>::new_from_slice(&mac.finalize().into_bytes()).ok()
}

/// The stored form of a secret, sealed under `key` with `nonce` (random, never reused with a key).
pub fn seal_secret(key: &[u8], nonce: [u8; NONCE_BYTES], secret: &str) -> Option<String> {
    let sealed = sealing_cipher(key)?
        .encrypt(&Nonce::from(nonce), secret.as_bytes())
        .ok()?;
    let mut bytes = nonce.to_vec();
    bytes.extend(sealed);
    Some(format!(
        "{SEALED_PREFIX}{}",
        base64::engine::general_purpose::STANDARD.encode(bytes)
    ))
}

/// The secret of a stored value: opened under `key` when sealed; a secret stored before sealing
/// existed (`whsec_…`) as it is. `None` when sealed under another key or altered.
pub fn open_secret(key: &[u8], stored: &str) -> Option<String> {
    let Some(encoded) = stored.strip_prefix(SEALED_PREFIX) else {
        return stored.starts_with(SECRET_PREFIX).then(|| stored.to_owned());
    };
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(encoded)
        .ok()?;
    if bytes.len() <= NONCE_BYTES {
        return None;
    }
    let (nonce, sealed) = bytes.split_at(NONCE_BYTES);
    let nonce: [u8; NONCE_BYTES] = nonce.try_into().ok()?;
    let plain = sealing_cipher(key)?
        .decrypt(&Nonce::from(nonce), sealed)
        .ok()?;
    String::from_utf8(plain).ok()
}

/// Whether a stored secret is still in clear (stored before sealing existed).
pub fn is_sealed(stored: &str) -> bool {
    stored.starts_with(SEALED_PREFIX)
}

/// The `webhook-signature` header value of a message.
pub fn signature(secret: &str, id: &str, timestamp: i64, body: &[u8]) -> Option<String> {
    let key = base64::engine::general_purpose::STANDARD
        .decode(secret.strip_prefix(SECRET_PREFIX)?)
        .ok()?;
    let mut mac = Hmac::<Sha256>::new_from_slice(&key).ok()?;
    mac.update(id.as_bytes());
    mac.update(b".");
    mac.update(timestamp.to_string().as_bytes());
    mac.update(b".");
    mac.update(body);
    Some(format!(
        "v1,{}",
        base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes())
    ))
}

/// Whether a `webhook-signature` header (space-separated `v1,…` values) holds the signature of
/// the message (what a receiver checks; constant-time per candidate).
pub fn verify(secret: &str, id: &str, timestamp: i64, body: &[u8], header: &str) -> bool {
    let Some(expected) = signature(secret, id, timestamp, body) else {
        return false;
    };
    header.split_whitespace().any(|candidate| {
        candidate.len() == expected.len()
            && candidate
                .bytes()
                .zip(expected.bytes())
                .fold(0u8, |acc, (a, b)| acc | (a ^ b))
                == 0
    })
}

/// The event type of a card change: `appeal.<action>`; a part registered at the receiver by a
/// forwarding is `appeal.part_received`.
pub fn appeal_event_type(action: CardAction, is_forwarded_part: bool) -> String {
    if action == CardAction::Registered && is_forwarded_part {
        "appeal.part_received".to_owned()
    } else {
        format!("appeal.{}", action.code())
    }
}

/// Every event type a subscription may name.
pub fn event_types() -> Vec<String> {
    let mut all: Vec<String> = CardAction::ALL
        .iter()
        .map(|a| format!("appeal.{}", a.code()))
        .collect();
    all.push("appeal.part_received".to_owned());
    all.extend(
        crate::events::ReceptionAction::ALL
            .iter()
            .map(|a| format!("reception.{}", a.code())),
    );
    all
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_sealed_secret_opens_only_under_its_key_and_holds_no_readable_secret() {
        let key = b"a deployment's sealing key, 32 bytes or more";
        let secret = secret_from(&[7; 24]);
        let stored = seal_secret(key, [1; NONCE_BYTES], &secret).unwrap();
        assert!(is_sealed(&stored));
        assert!(!stored.contains(secret.trim_start_matches(SECRET_PREFIX)));
        assert_eq!(open_secret(key, &stored), Some(secret.clone()));
        // Another nonce, another stored form of the same secret.
        let again = seal_secret(key, [2; NONCE_BYTES], &secret).unwrap();
        assert_ne!(again, stored);
        assert_eq!(open_secret(key, &again), Some(secret.clone()));
        assert_eq!(
            open_secret(b"another deployment's key material", &stored),
            None
        );
        // An altered byte fails the tag.
        let mut bytes = base64::engine::general_purpose::STANDARD
            .decode(&stored[SEALED_PREFIX.len()..])
            .unwrap();
        let last = bytes.len() - 1;
        bytes[last] ^= 1;
        let altered = format!(
            "{SEALED_PREFIX}{}",
            base64::engine::general_purpose::STANDARD.encode(bytes)
        );
        assert_eq!(open_secret(key, &altered), None);
        assert_eq!(open_secret(key, "sealed1:AAAA"), None);
        // A secret stored in clear before sealing existed is read as it is, and is not sealed.
        assert_eq!(open_secret(key, &secret), Some(secret.clone()));
        assert!(!is_sealed(&secret));
        assert_eq!(open_secret(key, "garbage"), None);
    }

    #[test]
    fn standard_webhooks_test_vector() {
        // The example of the Standard Webhooks specification.
        let secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
        let id = "msg_p5jXN8AQM9LWM0D4loKWxJek";
        let body = br#"{"test": 2432232314}"#;
        let sig = signature(secret, id, 1614265330, body).unwrap();
        assert_eq!(sig, "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=");
        assert!(verify(
            secret,
            id,
            1614265330,
            body,
            &format!("v1,bad {sig}")
        ));
        assert!(!verify(secret, id, 1614265331, body, &sig));
    }
}
