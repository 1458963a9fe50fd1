//! The cryptography of the `hookbox.call` host import: what the guest's
//! Node `crypto` module and WebCrypto ask the host for, so that it runs
//! natively (RustCrypto), not as interpreted JavaScript.
//!
//! The request is JSON, the answer is JSON: the fields below, or
//! `{"error": "…"}` (the guest throws the error's text). A request the host
//! cannot read is an error answer, never a trap. Binary data is standard
//! base64 (`B` below). Hashes `H` are `md5`, `sha1`, `sha256`, `sha384`,
//! `sha512`.
//!
//! - `{"op":"digest","hash":H,"data":B}` → `{"digest":B}`.
//! - `{"op":"hmac","hash":H,"key":K,"data":D,"encoding":E?,"keyEncoding":KE?,
//!   "dataEncoding":DE?}` → `{"digest":…}`: the HMAC in `encoding` `hex`,
//!   `base64` (default) or `base64url`; `key` and `data` are text whose UTF-8
//!   bytes are used (`utf8`, the default) or base64 (`base64`). The prelude's
//!   form `{"op":"hmac","hash":"sha256","key":…,"data":…,"encoding":…}` is
//!   Auth0 Actions' `api.redirect.encodeToken` and `validateToken`.
//! - `{"op":"pbkdf2","password":B,"salt":B,"iterations":N,"keylen":N,"hash":H}`
//!   → `{"bytes":B}`.
//! - `{"op":"random","size":N}` → `{"bytes":B}`: N ≤ [`MAX_RANDOM_BYTES`] bytes
//!   from the operating system's generator.
//! - AES for `createCipheriv`/`createDecipheriv`, stateless per request (the
//!   guest keeps each cipher's state between `update` calls, so that `update`
//!   streams as Node's does; see `cipher`). Keys are 16, 24 or 32 bytes.
//!   - `{"op":"aesCbc","decrypt":bool,"key":B,"iv":B,"data":B}` →
//!     `{"data":B}`: CBC over whole 16-byte blocks chained from `iv`, no
//!     padding (the guest pads, and passes the last ciphertext block as the
//!     next call's `iv`).
//!   - `{"op":"aesGcm","key":B,"iv":B,"offset":N,"data":B}` → `{"data":B}`:
//!     `data` XORed with GCM's keystream from byte `offset` of the message
//!     (encryption and decryption alike); `iv` of any length but 0.
//!   - `{"op":"aesGcmTag","key":B,"iv":B,"aad":B,"data":B,"tag":B?}` →
//!     `{"tag":B}` (16 bytes) over the AAD and the ciphertext `data`; with
//!     `tag` (4, 8 or 12–16 bytes, compared with as much of the tag) →
//!     `{"valid":true}`, or Node's error `Unsupported state or unable to
//!     authenticate data`.
//!
//!   Errors carry Node's messages: `Invalid key length`, `Invalid
//!   initialization vector`, `Invalid authentication tag length: N`.
//! - `{"op":"sign","algorithm":A,"hash":H,"key":K,"data":B,"saltLength":N?,
//!   "dsaEncoding":"der"|"ieee-p1363"?}` → `{"signature":B}`, and
//!   `{"op":"verify",…,"signature":B}` → `{"valid":bool}`; A is
//!   `RSASSA-PKCS1-v1_5`, `RSA-PSS` or `ECDSA` (P-256, P-384); `saltLength`
//!   takes Node's -1 (digest length) and -2 (largest when signing, any when
//!   verifying; the default). K is `{"pem":text}` (labels `PUBLIC KEY`,
//!   `RSA PUBLIC KEY`, `CERTIFICATE`, `PRIVATE KEY`, `RSA PRIVATE KEY`,
//!   `EC PRIVATE KEY`), `{"der":B,"format":"spki"|"pkcs8"}` or `{"jwk":{…}}`.
//! - `{"op":"keyInfo","key":K,"public":bool?}` → what Node's `KeyObject`
//!   shows: `{"type":"public"|"private","asymmetricKeyType":"rsa"|"ec",
//!   "modulusLength":N,"publicExponent":N | "namedCurve":"prime256v1"|
//!   "secp384r1","spki":B,"pkcs8":B?,"jwk":{…}}`; `public` asks for the
//!   public half of a private key (`crypto.createPublicKey`).
//!
//! Every request has a cost in fuel ([`CryptoRequest::fuel`], see `cost`),
//! which the engine takes from the call's budget before the work is done, and
//! a request whose cost is over [`MAX_CRYPTO_REQUEST_FUEL`] is refused, so a
//! host call cannot keep a worker busy longer than the guest could itself.

mod cipher;
mod cost;
mod digest;
mod keys;
mod sign;
#[cfg(test)]
mod tests;

use crate::limits::{MAX_CRYPTO_REQUEST_BYTES, MAX_CRYPTO_REQUEST_FUEL};
use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use digest::Hash;
use keys::{Key, KeySpec};
use serde::Deserialize;
use serde_json::{Value, json};

/// Most random bytes one request returns (the guest loops for more).
pub const MAX_RANDOM_BYTES: u64 = 65_536;
/// Longest key PBKDF2 derives in one request, in bytes: far beyond any key
/// (Node allows 2^31 - 1), small enough that the answer stays small.
pub const MAX_PBKDF2_KEYLEN: u64 = 65_536;

#[derive(Deserialize)]
#[serde(tag = "op", rename_all = "camelCase", deny_unknown_fields)]
enum Request {
    Digest {
        hash: String,
        data: String,
    },
    #[serde(rename_all = "camelCase")]
    Hmac {
        hash: String,
        key: String,
        data: String,
        encoding: Option<String>,
        key_encoding: Option<String>,
        data_encoding: Option<String>,
    },
    Pbkdf2 {
        password: String,
        salt: String,
        iterations: u64,
        keylen: u64,
        hash: String,
    },
    Random {
        size: u64,
    },
    AesCbc {
        decrypt: bool,
        key: String,
        iv: String,
        data: String,
    },
    AesGcm {
        key: String,
        iv: String,
        offset: u64,
        data: String,
    },
    AesGcmTag {
        key: String,
        iv: String,
        aad: String,
        data: String,
        tag: Option<String>,
    },
    #[serde(rename_all = "camelCase")]
    Sign {
        algorithm: String,
        hash: String,
        key: KeySpec,
        data: String,
        salt_length: Option<i64>,
        dsa_encoding: Option<String>,
    },
    #[serde(rename_all = "camelCase")]
    Verify {
        algorithm: String,
        hash: String,
        key: KeySpec,
        data: String,
        signature: String,
        salt_length: Option<i64>,
        dsa_encoding: Option<String>,
    },
    KeyInfo {
        key: KeySpec,
        public: Option<bool>,
    },
}

/// One request, read and priced but not yet done. The engine charges
/// [`CryptoRequest::fuel`] and then asks for [`CryptoRequest::answer`].
pub struct CryptoRequest {
    work: Result<Work, String>,
    fuel: u64,
}

enum Work {
    Digest(Hash, Vec<u8>),
    Hmac {
        hash: Hash,
        key: Vec<u8>,
        data: Vec<u8>,
        encoding: String,
    },
    Pbkdf2 {
        hash: Hash,
        password: Vec<u8>,
        salt: Vec<u8>,
        iterations: u32,
        keylen: usize,
    },
    Random(usize),
    AesCbc {
        decrypt: bool,
        key: Vec<u8>,
        iv: Vec<u8>,
        data: Vec<u8>,
    },
    AesGcm {
        key: Vec<u8>,
        iv: Vec<u8>,
        offset: u64,
        data: Vec<u8>,
    },
    AesGcmTag {
        key: Vec<u8>,
        iv: Vec<u8>,
        aad: Vec<u8>,
        data: Vec<u8>,
        tag: Option<Vec<u8>>,
    },
    Sign(sign::Params, Key, Vec<u8>),
    Verify(sign::Params, Key, Vec<u8>, Vec<u8>),
    KeyInfo(Key),
}

impl CryptoRequest {
    /// Reads a request (JSON bytes, see the module docs) and prices it. A
    /// request that cannot be read, or whose work is over the limit, is
    /// priced for its reading and answers an error.
    pub fn parse(request: &[u8]) -> Self {
        let base = cost::request(request.len());
        match read(request) {
            Ok((work, fuel)) => {
                let fuel = base.saturating_add(fuel);
                if fuel > MAX_CRYPTO_REQUEST_FUEL {
                    return Self {
                        work: Err(format!(
                            "crypto: the request's work ({fuel} fuel) is over the limit of \
                             {MAX_CRYPTO_REQUEST_FUEL} for one request"
                        )),
                        fuel: base,
                    };
                }
                Self {
                    work: Ok(work),
                    fuel,
                }
            }
            Err(e) => Self {
                work: Err(e),
                fuel: base,
            },
        }
    }

    /// The request's price in fuel: reading it plus its work (`cost`).
    pub fn fuel(&self) -> u64 {
        self.fuel
    }

    /// Does the work; the answer's JSON bytes.
    pub fn answer(self) -> Vec<u8> {
        let answer = match self.work.and_then(run) {
            Ok(v) => v,
            Err(error) => json!({ "error": error }),
        };
        serde_json::to_vec(&answer).expect("a JSON value serialises")
    }
}

/// Answers one request without charging for it (tests, tools).
#[cfg(test)]
pub(crate) fn answer(request: &[u8]) -> Vec<u8> {
    CryptoRequest::parse(request).answer()
}

/// Standard base64 (`field` names the request's field in the error).
pub(crate) fn b64(field: &str, text: &str) -> Result<Vec<u8>, String> {
    STANDARD
        .decode(text)
        .map_err(|_| format!("crypto: {field:?} is not standard base64"))
}

fn text(field: &str, text: String, encoding: Option<&str>) -> Result<Vec<u8>, String> {
    match encoding {
        None | Some("utf8") => Ok(text.into_bytes()),
        Some("base64") => b64(field, &text),
        Some(other) => Err(format!(
            "crypto: unsupported {field}Encoding {other:?} (utf8, base64)"
        )),
    }
}

fn read(request: &[u8]) -> Result<(Work, u64), String> {
    if request.len() > MAX_CRYPTO_REQUEST_BYTES {
        return Err(format!(
            "crypto: the request is over the limit of {MAX_CRYPTO_REQUEST_BYTES} bytes"
        ));
    }
    let request: Request =
        serde_json::from_slice(request).map_err(|e| format!("crypto: unreadable request: {e}"))?;
    Ok(match request {
        Request::Digest { hash, data } => {
            let hash = Hash::parse(&hash)?;
            let data = b64("data", &data)?;
            let fuel = cost::hash(hash, data.len());
            (Work::Digest(hash, data), fuel)
        }
        Request::Hmac {
            hash,
            key,
            data,
            encoding,
            key_encoding,
            data_encoding,
        } => {
            let hash = Hash::parse(&hash)?;
            let encoding = encoding.unwrap_or_else(|| "base64".into());
            if !matches!(encoding.as_str(), "hex" | "base64" | "base64url") {
                return Err(format!(
                    "crypto: unsupported encoding {encoding:?} (hex, base64, base64url)"
                ));
            }
            let key = text("key", key, key_encoding.as_deref())?;
            let data = text("data", data, data_encoding.as_deref())?;
            let fuel = cost::hash(hash, key.len() + data.len() + 4 * hash.block());
            (
                Work::Hmac {
                    hash,
                    key,
                    data,
                    encoding,
                },
                fuel,
            )
        }
        Request::Pbkdf2 {
            password,
            salt,
            iterations,
            keylen,
            hash,
        } => {
            let hash = Hash::parse(&hash)?;
            let password = b64("password", &password)?;
            let salt = b64("salt", &salt)?;
            if iterations == 0 || iterations > u64::from(u32::MAX >> 1) {
                return Err(format!(
                    "crypto: iterations must be between 1 and 2147483647, got {iterations}"
                ));
            }
            if keylen > MAX_PBKDF2_KEYLEN {
                return Err(format!(
                    "crypto: keylen is over the limit of {MAX_PBKDF2_KEYLEN} bytes"
                ));
            }
            let fuel = cost::pbkdf2(hash, iterations, keylen, password.len() + salt.len());
            (
                Work::Pbkdf2 {
                    hash,
                    password,
                    salt,
                    iterations: iterations as u32,
                    keylen: keylen as usize,
                },
                fuel,
            )
        }
        Request::Random { size } => {
            if size > MAX_RANDOM_BYTES {
                return Err(format!(
                    "crypto: size is over the limit of {MAX_RANDOM_BYTES} bytes per request"
                ));
            }
            (Work::Random(size as usize), cost::random(size as usize))
        }
        Request::AesCbc {
            decrypt,
            key,
            iv,
            data,
        } => {
            let data = b64("data", &data)?;
            let fuel = cost::cipher(data.len());
            (
                Work::AesCbc {
                    decrypt,
                    key: b64("key", &key)?,
                    iv: b64("iv", &iv)?,
                    data,
                },
                fuel,
            )
        }
        Request::AesGcm {
            key,
            iv,
            offset,
            data,
        } => {
            let data = b64("data", &data)?;
            let fuel = cost::cipher(data.len());
            (
                Work::AesGcm {
                    key: b64("key", &key)?,
                    iv: b64("iv", &iv)?,
                    offset,
                    data,
                },
                fuel,
            )
        }
        Request::AesGcmTag {
            key,
            iv,
            aad,
            data,
            tag,
        } => {
            let aad = b64("aad", &aad)?;
            let data = b64("data", &data)?;
            let fuel = cost::cipher(aad.len() + data.len());
            (
                Work::AesGcmTag {
                    key: b64("key", &key)?,
                    iv: b64("iv", &iv)?,
                    aad,
                    data,
                    tag: tag.map(|t| b64("tag", &t)).transpose()?,
                },
                fuel,
            )
        }
        Request::Sign {
            algorithm,
            hash,
            key,
            data,
            salt_length,
            dsa_encoding,
        } => {
            let params = params(&algorithm, &hash, salt_length, dsa_encoding.as_deref())?;
            let key = Key::read(&key)?;
            let data = b64("data", &data)?;
            let fuel = cost::hash(params.hash, data.len()) + cost::key(&key) + cost::sign(&key);
            (Work::Sign(params, key, data), fuel)
        }
        Request::Verify {
            algorithm,
            hash,
            key,
            data,
            signature,
            salt_length,
            dsa_encoding,
        } => {
            let params = params(&algorithm, &hash, salt_length, dsa_encoding.as_deref())?;
            let key = Key::read(&key)?;
            let data = b64("data", &data)?;
            let signature = b64("signature", &signature)?;
            // Auto-detected PSS salt lengths may take three tries.
            let tries = if params.algorithm == sign::Algorithm::Pss
                && params.salt == sign::SaltLength::MaxOrAuto
            {
                3
            } else {
                1
            };
            let fuel =
                cost::hash(params.hash, data.len()) + cost::key(&key) + tries * cost::verify(&key);
            (Work::Verify(params, key, data, signature), fuel)
        }
        Request::KeyInfo { key, public } => {
            let key = Key::read(&key)?;
            let key = if public == Some(true) {
                key.public()
            } else {
                key
            };
            // A private RSA key's JWK takes a modular exponentiation (`qi`);
            // a public key's info is only its encodings.
            let fuel = cost::key(&key)
                + match key {
                    Key::RsaPrivate(_) => cost::sign(&key),
                    _ => 0,
                };
            (Work::KeyInfo(key), fuel)
        }
    })
}

fn params(
    algorithm: &str,
    hash: &str,
    salt_length: Option<i64>,
    dsa_encoding: Option<&str>,
) -> Result<sign::Params, String> {
    Ok(sign::Params {
        algorithm: sign::Algorithm::parse(algorithm)?,
        hash: Hash::parse(hash)?,
        salt: sign::SaltLength::parse(salt_length)?,
        dsa: match dsa_encoding {
            None | Some("der") => sign::DsaEncoding::Der,
            Some("ieee-p1363") => sign::DsaEncoding::P1363,
            Some(other) => {
                return Err(format!(
                    "crypto: unsupported dsaEncoding {other:?} (der, ieee-p1363)"
                ));
            }
        },
    })
}

fn run(work: Work) -> Result<Value, String> {
    let b = |bytes: &[u8]| Value::from(STANDARD.encode(bytes));
    Ok(match work {
        Work::Digest(hash, data) => json!({ "digest": b(&hash.digest(&data)) }),
        Work::Hmac {
            hash,
            key,
            data,
            encoding,
        } => {
            let mac = hash.hmac(&key, &data);
            let text = match encoding.as_str() {
                "hex" => hex::encode(&mac),
                "base64url" => URL_SAFE_NO_PAD.encode(&mac),
                _ => STANDARD.encode(&mac),
            };
            json!({ "digest": text })
        }
        Work::Pbkdf2 {
            hash,
            password,
            salt,
            iterations,
            keylen,
        } => {
            let mut out = vec![0; keylen];
            hash.pbkdf2(&password, &salt, iterations, &mut out);
            json!({ "bytes": b(&out) })
        }
        Work::Random(size) => {
            let mut out = vec![0; size];
            getrandom::fill(&mut out)
                .map_err(|e| format!("crypto: the system's random generator failed: {e}"))?;
            json!({ "bytes": b(&out) })
        }
        Work::AesCbc {
            decrypt,
            key,
            iv,
            data,
        } => json!({ "data": b(&cipher::cbc_blocks(decrypt, &key, &iv, &data)?) }),
        Work::AesGcm {
            key,
            iv,
            offset,
            data,
        } => json!({ "data": b(&cipher::gcm_keystream(&key, &iv, offset, &data)?) }),
        Work::AesGcmTag {
            key,
            iv,
            aad,
            data,
            tag,
        } => match cipher::gcm_tag(&key, &iv, &aad, &data, tag.as_deref())? {
            Some(tag) => json!({ "tag": b(&tag) }),
            None => json!({ "valid": true }),
        },
        Work::Sign(params, key, data) => {
            json!({ "signature": b(&sign::sign(&params, &key, &data)?) })
        }
        Work::Verify(params, key, data, signature) => {
            json!({ "valid": sign::verify(&params, &key, &data, &signature)? })
        }
        Work::KeyInfo(key) => key.info()?,
    })
}
