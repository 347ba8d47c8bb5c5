//! Webhook events and their signature, the Standard Webhooks way (issue 22): `webhook-id`,
//! `webhook-timestamp`, `webhook-signature: v1,<base64 HMAC-SHA256(key, "{id}.{timestamp}.{body}")>`
//! where the key is the base64 after `whsec_` in the subscription's secret.

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
