//! The `hookbox.crypto` host call: cryptography a guest asks the host for, so
//! that it runs natively (RustCrypto), not as interpreted JavaScript.
//!
//! The request is JSON, the answer is JSON: `{"digest": "…"}` or
//! `{"error": "…"}` (the guest throws the error's text). A request the host
//! cannot read is an error answer, never a trap.
//!
//! Operations:
//! - `{"op": "hmac", "hash": "sha256", "key": text, "data": text,
//!   "encoding": "hex" | "base64" | "base64url"}`: the HMAC of `data`'s UTF-8
//!   bytes under `key`'s (Auth0 Actions' `api.redirect.encodeToken` and
//!   `validateToken`).

use crate::limits::MAX_CRYPTO_REQUEST_BYTES;
use base64::Engine as _;
use hmac::{Hmac, Mac};
use serde::Deserialize;
use serde_json::json;
use sha2::Sha256;

#[derive(Deserialize)]
#[serde(tag = "op", rename_all = "lowercase", deny_unknown_fields)]
enum Request {
    Hmac {
        hash: String,
        key: String,
        data: String,
        encoding: String,
    },
}

/// Answers one request (see the module docs).
pub(crate) fn answer(request: &[u8]) -> Vec<u8> {
    let answer = match run(request) {
        Ok(digest) => json!({ "digest": digest }),
        Err(error) => json!({ "error": error }),
    };
    serde_json::to_vec(&answer).expect("a JSON value serialises")
}

fn run(request: &[u8]) -> Result<String, String> {
    if request.len() > MAX_CRYPTO_REQUEST_BYTES {
        return Err(format!(
            "crypto: the request is over the limit of {MAX_CRYPTO_REQUEST_BYTES} bytes"
        ));
    }
    let request: Request =
        serde_json::from_slice(request).map_err(|e| format!("crypto: unreadable request: {e}"))?;
    match request {
        Request::Hmac {
            hash,
            key,
            data,
            encoding,
        } => {
            if hash != "sha256" {
                return Err(format!("crypto: unsupported HMAC hash {hash:?} (sha256)"));
            }
            let mut mac = Hmac::<Sha256>::new_from_slice(key.as_bytes())
                .expect("HMAC takes a key of any length");
            mac.update(data.as_bytes());
            encode(&mac.finalize().into_bytes(), &encoding)
        }
    }
}

fn encode(bytes: &[u8], encoding: &str) -> Result<String, String> {
    match encoding {
        "hex" => Ok(hex::encode(bytes)),
        "base64" => Ok(base64::engine::general_purpose::STANDARD.encode(bytes)),
        "base64url" => Ok(base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)),
        other => Err(format!(
            "crypto: unsupported encoding {other:?} (hex, base64, base64url)"
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn digest(request: serde_json::Value) -> serde_json::Value {
        serde_json::from_slice(&answer(request.to_string().as_bytes())).unwrap()
    }

    #[test]
    fn hmac_sha256_matches_rfc_4231_case_2() {
        let out = digest(json!({"op": "hmac", "hash": "sha256", "key": "Jefe",
            "data": "what do ya want for nothing?", "encoding": "hex"}));
        assert_eq!(
            out["digest"],
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
    }

    #[test]
    fn bad_requests_are_answers_that_name_the_problem() {
        let out =
            digest(json!({"op": "hmac", "hash": "md4", "key": "", "data": "", "encoding": "hex"}));
        assert!(out["error"].as_str().unwrap().contains("md4"), "{out}");
        let out = digest(json!({"op": "sign"}));
        assert!(
            out["error"].as_str().unwrap().contains("unreadable"),
            "{out}"
        );
        let out = serde_json::from_slice::<serde_json::Value>(&answer(b"\xff")).unwrap();
        assert!(out["error"].is_string(), "{out}");
    }
}
