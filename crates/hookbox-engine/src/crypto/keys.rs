//! Asymmetric keys as Node reads them: PEM, DER or JWK, RSA or EC (P-256,
//! P-384), public or private.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use rsa::pkcs1::{DecodeRsaPrivateKey, DecodeRsaPublicKey};
use rsa::pkcs8::der::{Decode, Encode};
use rsa::pkcs8::spki::SubjectPublicKeyInfoRef;
use rsa::pkcs8::{DecodePrivateKey, DecodePublicKey, EncodePrivateKey, EncodePublicKey};
use rsa::traits::{PrivateKeyParts, PublicKeyParts};
use rsa::{BigUint, RsaPrivateKey, RsaPublicKey};
use serde::Deserialize;
use serde_json::{Map, Value, json};

/// The largest RSA modulus accepted, in bits: the `rsa` crate's own limit for
/// public keys, applied to private keys too so that one signature's work is
/// bounded (an 8192-bit signature costs ~8 times a 4096-bit one).
pub(crate) const MAX_RSA_BITS: usize = 4096;

const RSA_OID: &str = "1.2.840.113549.1.1.1";
const RSA_PSS_OID: &str = "1.2.840.113549.1.1.10";
const EC_OID: &str = "1.2.840.10045.2.1";
const P256_OID: &str = "1.2.840.10045.3.1.7";
const P384_OID: &str = "1.3.132.0.34";

/// The `key` of a request: exactly one of `pem`, `der` (base64, with
/// `format` `spki` or `pkcs8`) or `jwk`.
#[derive(Deserialize, Debug)]
#[serde(deny_unknown_fields)]
pub(crate) struct KeySpec {
    pem: Option<String>,
    der: Option<String>,
    format: Option<String>,
    jwk: Option<Map<String, Value>>,
}

pub(crate) enum Key {
    RsaPublic(RsaPublicKey),
    RsaPrivate(Box<RsaPrivateKey>),
    P256Public(p256::PublicKey),
    P256Private(p256::SecretKey),
    P384Public(p384::PublicKey),
    P384Private(p384::SecretKey),
}

impl Key {
    pub(crate) fn read(spec: &KeySpec) -> Result<Self, String> {
        let key = match (&spec.pem, &spec.der, &spec.jwk) {
            (Some(pem), None, None) => from_pem(pem)?,
            (None, Some(der), None) => {
                let der = super::b64("key.der", der)?;
                match spec.format.as_deref() {
                    Some("spki") => from_spki(&der)?,
                    Some("pkcs8") => from_pkcs8(&der)?,
                    other => {
                        return Err(format!(
                            "crypto: unsupported DER key format {other:?} (spki, pkcs8)"
                        ));
                    }
                }
            }
            (None, None, Some(jwk)) => from_jwk(jwk)?,
            _ => {
                return Err(
                    "crypto: a key is exactly one of {\"pem\"}, {\"der\",\"format\"}, {\"jwk\"}"
                        .into(),
                );
            }
        };
        if let Some(bits) = key.modulus_bits()
            && bits > MAX_RSA_BITS
        {
            return Err(format!(
                "crypto: RSA keys over {MAX_RSA_BITS} bits are not supported (got {bits})"
            ));
        }
        Ok(key)
    }

    pub(crate) fn is_private(&self) -> bool {
        matches!(
            self,
            Self::RsaPrivate(_) | Self::P256Private(_) | Self::P384Private(_)
        )
    }

    /// Node's `asymmetricKeyType`.
    pub(crate) fn kind(&self) -> &'static str {
        match self {
            Self::RsaPublic(_) | Self::RsaPrivate(_) => "rsa",
            _ => "ec",
        }
    }

    pub(crate) fn modulus_bits(&self) -> Option<usize> {
        match self {
            Self::RsaPublic(k) => Some(k.n().bits()),
            Self::RsaPrivate(k) => Some(k.n().bits()),
            _ => None,
        }
    }

    /// The public half (a public key is its own).
    pub(crate) fn public(self) -> Self {
        match self {
            Self::RsaPrivate(k) => Self::RsaPublic(k.to_public_key()),
            Self::P256Private(k) => Self::P256Public(k.public_key()),
            Self::P384Private(k) => Self::P384Public(k.public_key()),
            public => public,
        }
    }

    /// What Node's `KeyObject` tells of the key, its DER (`spki`, and
    /// `pkcs8` for a private key) and its JWK.
    pub(crate) fn info(&self) -> Result<Value, String> {
        let fail = |e: &dyn std::fmt::Display| format!("crypto: cannot encode the key: {e}");
        let mut info = json!({
            "type": if self.is_private() { "private" } else { "public" },
            "asymmetricKeyType": self.kind(),
        });
        let (spki, pkcs8, jwk) = match self {
            Self::RsaPublic(k) => (
                k.to_public_key_der().map_err(|e| fail(&e))?,
                None,
                rsa_jwk(k),
            ),
            Self::RsaPrivate(k) => {
                let mut jwk = rsa_jwk(&k.to_public_key());
                let primes = k.primes();
                let p = &primes[0];
                let q = &primes[1];
                let one = BigUint::from(1u8);
                let qi = q.modpow(&(p - 2u8), p).to_bytes_be();
                for (name, v) in [
                    ("d", k.d().to_bytes_be()),
                    ("p", p.to_bytes_be()),
                    ("q", q.to_bytes_be()),
                    ("dp", (k.d() % (p - &one)).to_bytes_be()),
                    ("dq", (k.d() % (q - &one)).to_bytes_be()),
                    ("qi", qi),
                ] {
                    jwk[name] = URL_SAFE_NO_PAD.encode(v).into();
                }
                (
                    k.to_public_key()
                        .to_public_key_der()
                        .map_err(|e| fail(&e))?,
                    Some(k.to_pkcs8_der().map_err(|e| fail(&e))?.as_bytes().to_vec()),
                    jwk,
                )
            }
            Self::P256Public(k) => (
                k.to_public_key_der().map_err(|e| fail(&e))?,
                None,
                ec_jwk("P-256", &k.to_sec1_bytes(), None),
            ),
            Self::P384Public(k) => (
                k.to_public_key_der().map_err(|e| fail(&e))?,
                None,
                ec_jwk("P-384", &k.to_sec1_bytes(), None),
            ),
            Self::P256Private(k) => (
                k.public_key().to_public_key_der().map_err(|e| fail(&e))?,
                Some(k.to_pkcs8_der().map_err(|e| fail(&e))?.as_bytes().to_vec()),
                ec_jwk(
                    "P-256",
                    &k.public_key().to_sec1_bytes(),
                    Some(&k.to_bytes()),
                ),
            ),
            Self::P384Private(k) => (
                k.public_key().to_public_key_der().map_err(|e| fail(&e))?,
                Some(k.to_pkcs8_der().map_err(|e| fail(&e))?.as_bytes().to_vec()),
                ec_jwk(
                    "P-384",
                    &k.public_key().to_sec1_bytes(),
                    Some(&k.to_bytes()),
                ),
            ),
        };
        match self {
            Self::RsaPublic(k) => rsa_details(&mut info, k),
            Self::RsaPrivate(k) => rsa_details(&mut info, &k.to_public_key()),
            Self::P256Public(_) | Self::P256Private(_) => info["namedCurve"] = "prime256v1".into(),
            Self::P384Public(_) | Self::P384Private(_) => info["namedCurve"] = "secp384r1".into(),
        }
        let b64 = |b: &[u8]| base64::engine::general_purpose::STANDARD.encode(b);
        info["spki"] = b64(spki.as_bytes()).into();
        if let Some(pkcs8) = pkcs8 {
            info["pkcs8"] = b64(&pkcs8).into();
        }
        info["jwk"] = jwk;
        Ok(info)
    }
}

fn rsa_details(info: &mut Value, k: &RsaPublicKey) {
    info["modulusLength"] = k.n().bits().into();
    // Node gives the exponent as a bigint; it fits a JSON number for every
    // key seen in practice (65537), and the guest makes it a BigInt.
    let e = k.e().to_bytes_be();
    let e = e.iter().take(8).fold(0u64, |n, b| n << 8 | u64::from(*b));
    info["publicExponent"] = e.into();
}

fn rsa_jwk(k: &RsaPublicKey) -> Value {
    json!({
        "kty": "RSA",
        "n": URL_SAFE_NO_PAD.encode(k.n().to_bytes_be()),
        "e": URL_SAFE_NO_PAD.encode(k.e().to_bytes_be()),
    })
}

fn ec_jwk(crv: &str, sec1: &[u8], d: Option<&[u8]>) -> Value {
    // Uncompressed point: 0x04 || x || y.
    let n = (sec1.len() - 1) / 2;
    // Node's member order.
    let mut jwk = json!({
        "kty": "EC",
        "x": URL_SAFE_NO_PAD.encode(&sec1[1..1 + n]),
        "y": URL_SAFE_NO_PAD.encode(&sec1[1 + n..]),
        "crv": crv,
    });
    if let Some(d) = d {
        jwk["d"] = URL_SAFE_NO_PAD.encode(d).into();
    }
    jwk
}

fn from_pem(pem: &str) -> Result<Key, String> {
    let (label, der) = rsa::pkcs8::der::pem::decode_vec(pem.trim().as_bytes())
        .map_err(|e| format!("crypto: the key is not a PEM document: {e}"))?;
    match label {
        "PUBLIC KEY" => from_spki(&der),
        "RSA PUBLIC KEY" => RsaPublicKey::from_pkcs1_der(&der)
            .map(Key::RsaPublic)
            .map_err(|e| format!("crypto: bad PKCS#1 RSA public key: {e}")),
        "CERTIFICATE" => {
            let cert = x509_cert::Certificate::from_der(&der)
                .map_err(|e| format!("crypto: bad X.509 certificate: {e}"))?;
            let spki = cert
                .tbs_certificate
                .subject_public_key_info
                .to_der()
                .map_err(|e| format!("crypto: bad X.509 certificate: {e}"))?;
            from_spki(&spki)
        }
        "PRIVATE KEY" => from_pkcs8(&der),
        "RSA PRIVATE KEY" => {
            check_private_der_len(&der)?;
            RsaPrivateKey::from_pkcs1_der(&der)
                .map(|k| Key::RsaPrivate(Box::new(k)))
                .map_err(|e| format!("crypto: bad PKCS#1 RSA private key: {e}"))
        }
        "EC PRIVATE KEY" => p256::SecretKey::from_sec1_der(&der)
            .map(Key::P256Private)
            .or_else(|_| p384::SecretKey::from_sec1_der(&der).map(Key::P384Private))
            .map_err(|_| {
                "crypto: bad or unsupported SEC1 EC private key (curves P-256, P-384)".to_string()
            }),
        "ENCRYPTED PRIVATE KEY" => {
            Err("crypto: encrypted private keys (passphrase) are not supported".into())
        }
        other => Err(format!(
            "crypto: unsupported PEM label {other:?} (PUBLIC KEY, RSA PUBLIC KEY, CERTIFICATE, \
             PRIVATE KEY, RSA PRIVATE KEY, EC PRIVATE KEY)"
        )),
    }
}

/// Refuses an RSA private key much larger than [`MAX_RSA_BITS`] before the
/// `rsa` crate validates it (its work grows with the size).
fn check_private_der_len(der: &[u8]) -> Result<(), String> {
    // A 4096-bit private key is ~2.4 KB of DER.
    if der.len() > MAX_RSA_BITS / 8 * 6 {
        return Err(format!(
            "crypto: RSA keys over {MAX_RSA_BITS} bits are not supported"
        ));
    }
    Ok(())
}

fn curve_of(params: Option<rsa::pkcs8::der::asn1::AnyRef<'_>>) -> Option<String> {
    params
        .and_then(|p| p.decode_as::<rsa::pkcs8::ObjectIdentifier>().ok())
        .map(|oid| oid.to_string())
}

fn from_spki(der: &[u8]) -> Result<Key, String> {
    let spki = SubjectPublicKeyInfoRef::from_der(der)
        .map_err(|e| format!("crypto: bad SPKI public key: {e}"))?;
    let oid = spki.algorithm.oid.to_string();
    match oid.as_str() {
        RSA_OID => RsaPublicKey::from_public_key_der(der)
            .map(Key::RsaPublic)
            .map_err(|e| format!("crypto: bad RSA public key: {e}")),
        EC_OID => match curve_of(spki.algorithm.parameters).as_deref() {
            Some(P256_OID) => p256::PublicKey::from_public_key_der(der)
                .map(Key::P256Public)
                .map_err(|e| format!("crypto: bad P-256 public key: {e}")),
            Some(P384_OID) => p384::PublicKey::from_public_key_der(der)
                .map(Key::P384Public)
                .map_err(|e| format!("crypto: bad P-384 public key: {e}")),
            other => Err(format!(
                "crypto: unsupported EC curve {other:?} (P-256, P-384)"
            )),
        },
        other => Err(unsupported_algorithm(other)),
    }
}

fn from_pkcs8(der: &[u8]) -> Result<Key, String> {
    let info = rsa::pkcs8::PrivateKeyInfo::from_der(der)
        .map_err(|e| format!("crypto: bad PKCS#8 private key: {e}"))?;
    let oid = info.algorithm.oid.to_string();
    match oid.as_str() {
        RSA_OID => {
            check_private_der_len(der)?;
            RsaPrivateKey::from_pkcs8_der(der)
                .map(|k| Key::RsaPrivate(Box::new(k)))
                .map_err(|e| format!("crypto: bad RSA private key: {e}"))
        }
        EC_OID => match curve_of(info.algorithm.parameters).as_deref() {
            Some(P256_OID) => p256::SecretKey::from_pkcs8_der(der)
                .map(Key::P256Private)
                .map_err(|e| format!("crypto: bad P-256 private key: {e}")),
            Some(P384_OID) => p384::SecretKey::from_pkcs8_der(der)
                .map(Key::P384Private)
                .map_err(|e| format!("crypto: bad P-384 private key: {e}")),
            other => Err(format!(
                "crypto: unsupported EC curve {other:?} (P-256, P-384)"
            )),
        },
        other => Err(unsupported_algorithm(other)),
    }
}

fn unsupported_algorithm(oid: &str) -> String {
    let name = match oid {
        RSA_PSS_OID => "rsa-pss (RSASSA-PSS keys)",
        "1.3.101.112" => "ed25519",
        "1.3.101.113" => "ed448",
        "1.2.840.10040.4.1" => "dsa",
        _ => oid,
    };
    format!("crypto: unsupported key type {name} (rsa, ec)")
}

fn from_jwk(jwk: &Map<String, Value>) -> Result<Key, String> {
    let field = |name: &str| -> Result<Option<Vec<u8>>, String> {
        match jwk.get(name) {
            None => Ok(None),
            Some(Value::String(s)) => URL_SAFE_NO_PAD
                .decode(s.trim_end_matches('='))
                .map(Some)
                .map_err(|_| format!("crypto: JWK member {name:?} is not base64url")),
            Some(_) => Err(format!("crypto: JWK member {name:?} must be a string")),
        }
    };
    let need = |name: &str| -> Result<Vec<u8>, String> {
        field(name)?.ok_or_else(|| format!("crypto: the JWK has no {name:?}"))
    };
    match jwk.get("kty").and_then(Value::as_str) {
        Some("RSA") => {
            let n = BigUint::from_bytes_be(&need("n")?);
            let e = BigUint::from_bytes_be(&need("e")?);
            if n.bits() > MAX_RSA_BITS {
                return Err(format!(
                    "crypto: RSA keys over {MAX_RSA_BITS} bits are not supported (got {})",
                    n.bits()
                ));
            }
            match field("d")? {
                None => RsaPublicKey::new(n, e)
                    .map(Key::RsaPublic)
                    .map_err(|e| format!("crypto: bad RSA JWK: {e}")),
                Some(d) => {
                    let d = BigUint::from_bytes_be(&d);
                    let primes = match (field("p")?, field("q")?) {
                        (Some(p), Some(q)) => {
                            vec![BigUint::from_bytes_be(&p), BigUint::from_bytes_be(&q)]
                        }
                        _ => return Err("crypto: an RSA private JWK needs \"p\" and \"q\"".into()),
                    };
                    RsaPrivateKey::from_components(n, e, d, primes)
                        .map(|k| Key::RsaPrivate(Box::new(k)))
                        .map_err(|e| format!("crypto: bad RSA JWK: {e}"))
                }
            }
        }
        Some("EC") => {
            let crv = jwk.get("crv").and_then(Value::as_str).unwrap_or("");
            let mut point = vec![4u8];
            point.extend(need("x")?);
            point.extend(need("y")?);
            let d = field("d")?;
            let bad = |_| format!("crypto: bad {crv} JWK");
            match (crv, d) {
                ("P-256", None) => p256::PublicKey::from_sec1_bytes(&point)
                    .map(Key::P256Public)
                    .map_err(bad),
                ("P-384", None) => p384::PublicKey::from_sec1_bytes(&point)
                    .map(Key::P384Public)
                    .map_err(bad),
                ("P-256", Some(d)) => p256::SecretKey::from_slice(&d)
                    .map(Key::P256Private)
                    .map_err(bad),
                ("P-384", Some(d)) => p384::SecretKey::from_slice(&d)
                    .map(Key::P384Private)
                    .map_err(bad),
                (other, _) => Err(format!(
                    "crypto: unsupported JWK curve {other:?} (P-256, P-384)"
                )),
            }
        }
        other => Err(format!(
            "crypto: unsupported JWK kty {:?} (RSA, EC)",
            other.unwrap_or("")
        )),
    }
}
