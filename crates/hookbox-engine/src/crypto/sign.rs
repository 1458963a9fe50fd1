//! Signatures: RSASSA-PKCS1-v1_5, RSA-PSS and ECDSA (Node's `sign`/`verify`,
//! `createSign`/`createVerify`, WebCrypto's `subtle.sign`/`verify`).

use super::digest::Hash;
use super::keys::Key;
use ecdsa::signature::hazmat::{PrehashVerifier, RandomizedPrehashSigner};
use rand_core::OsRng;
use rsa::{Pkcs1v15Sign, Pss, RsaPublicKey};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Algorithm {
    Pkcs1v15,
    Pss,
    Ecdsa,
}

impl Algorithm {
    pub(crate) fn parse(name: &str) -> Result<Self, String> {
        match name {
            "RSASSA-PKCS1-v1_5" => Ok(Self::Pkcs1v15),
            "RSA-PSS" => Ok(Self::Pss),
            "ECDSA" => Ok(Self::Ecdsa),
            other => Err(format!(
                "crypto: unsupported signature algorithm {other:?} (RSASSA-PKCS1-v1_5, RSA-PSS, ECDSA)"
            )),
        }
    }
}

/// How an ECDSA signature is laid out: Node's `dsaEncoding`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum DsaEncoding {
    Der,
    P1363,
}

/// A PSS salt length: Node's `saltLength`, with its special values
/// (`RSA_PSS_SALTLEN_DIGEST` = -1, `RSA_PSS_SALTLEN_MAX_SIGN`/`AUTO` = -2).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum SaltLength {
    Digest,
    /// The largest for signing; for verifying, whatever the signature has.
    MaxOrAuto,
    Exact(usize),
}

impl SaltLength {
    pub(crate) fn parse(n: Option<i64>) -> Result<Self, String> {
        match n {
            None | Some(-2) => Ok(Self::MaxOrAuto),
            Some(-1) => Ok(Self::Digest),
            Some(n) if n >= 0 => Ok(Self::Exact(n as usize)),
            Some(n) => Err(format!("crypto: invalid saltLength {n}")),
        }
    }
}

pub(crate) struct Params {
    pub algorithm: Algorithm,
    pub hash: Hash,
    pub salt: SaltLength,
    pub dsa: DsaEncoding,
}

/// DigestInfo prefixes of RFC 8017 §9.2, note 1.
fn pkcs1v15(hash: Hash) -> Result<Pkcs1v15Sign, String> {
    let prefix: &[u8] = match hash {
        Hash::Sha1 => &[
            0x30, 0x21, 0x30, 0x09, 0x06, 0x05, 0x2b, 0x0e, 0x03, 0x02, 0x1a, 0x05, 0x00, 0x04,
            0x14,
        ],
        Hash::Sha256 => &[
            0x30, 0x31, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02,
            0x01, 0x05, 0x00, 0x04, 0x20,
        ],
        Hash::Sha384 => &[
            0x30, 0x41, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02,
            0x02, 0x05, 0x00, 0x04, 0x30,
        ],
        Hash::Sha512 => &[
            0x30, 0x51, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02,
            0x03, 0x05, 0x00, 0x04, 0x40,
        ],
        Hash::Md5 => return Err("crypto: unsupported signature hash \"md5\"".into()),
    };
    Ok(Pkcs1v15Sign {
        hash_len: Some(hash.len()),
        prefix: prefix.into(),
    })
}

fn pss(hash: Hash, salt: usize) -> Result<Pss, String> {
    Ok(match hash {
        Hash::Sha1 => Pss::new_with_salt::<sha1::Sha1>(salt),
        Hash::Sha256 => Pss::new_with_salt::<sha2::Sha256>(salt),
        Hash::Sha384 => Pss::new_with_salt::<sha2::Sha384>(salt),
        Hash::Sha512 => Pss::new_with_salt::<sha2::Sha512>(salt),
        Hash::Md5 => return Err("crypto: unsupported signature hash \"md5\"".into()),
    })
}

/// The largest PSS salt for a modulus of `bits` bits (RFC 8017 §9.1.1).
fn max_salt(bits: usize, hash: Hash) -> usize {
    ((bits - 1).div_ceil(8)).saturating_sub(hash.len() + 2)
}

fn mismatch(p: &Params, key: &Key) -> String {
    format!(
        "crypto: a {} key cannot make {:?} signatures",
        key.kind(),
        p.algorithm
    )
}

/// Signs `data` (hashing it with `p.hash`) with a private key.
pub(crate) fn sign(p: &Params, key: &Key, data: &[u8]) -> Result<Vec<u8>, String> {
    if !key.is_private() {
        return Err("crypto: signing needs a private key".into());
    }
    let hashed = p.hash.digest(data);
    let fail = |e: rsa::Error| format!("crypto: signing failed: {e}");
    match (p.algorithm, key) {
        (Algorithm::Pkcs1v15, Key::RsaPrivate(k)) => k
            .sign_with_rng(&mut OsRng, pkcs1v15(p.hash)?, &hashed)
            .map_err(fail),
        (Algorithm::Pss, Key::RsaPrivate(k)) => {
            use rsa::traits::PublicKeyParts;
            let salt = match p.salt {
                SaltLength::Digest => p.hash.len(),
                SaltLength::MaxOrAuto => max_salt(k.n().bits(), p.hash),
                SaltLength::Exact(n) => n,
            };
            k.sign_with_rng(&mut OsRng, pss(p.hash, salt)?, &hashed)
                .map_err(fail)
        }
        (Algorithm::Ecdsa, Key::P256Private(k)) => {
            let k = p256::ecdsa::SigningKey::from(k);
            let sig: p256::ecdsa::Signature = k
                .sign_prehash_with_rng(&mut OsRng, &hashed)
                .map_err(|e| format!("crypto: signing failed: {e}"))?;
            Ok(match p.dsa {
                DsaEncoding::Der => sig.to_der().as_bytes().to_vec(),
                DsaEncoding::P1363 => sig.to_bytes().to_vec(),
            })
        }
        (Algorithm::Ecdsa, Key::P384Private(k)) => {
            let k = p384::ecdsa::SigningKey::from(k);
            let sig: p384::ecdsa::Signature = k
                .sign_prehash_with_rng(&mut OsRng, &hashed)
                .map_err(|e| format!("crypto: signing failed: {e}"))?;
            Ok(match p.dsa {
                DsaEncoding::Der => sig.to_der().as_bytes().to_vec(),
                DsaEncoding::P1363 => sig.to_bytes().to_vec(),
            })
        }
        _ => Err(mismatch(p, key)),
    }
}

/// Whether `signature` is `data`'s under `key` (public, or the public half of
/// a private key, as Node allows). A malformed signature is `false`.
pub(crate) fn verify(p: &Params, key: &Key, data: &[u8], signature: &[u8]) -> Result<bool, String> {
    let hashed = p.hash.digest(data);
    match (p.algorithm, key) {
        (Algorithm::Pkcs1v15 | Algorithm::Pss, Key::RsaPrivate(k)) => {
            rsa_verify(p, &k.to_public_key(), &hashed, signature)
        }
        (Algorithm::Pkcs1v15 | Algorithm::Pss, Key::RsaPublic(k)) => {
            rsa_verify(p, k, &hashed, signature)
        }
        (Algorithm::Ecdsa, Key::P256Public(_) | Key::P256Private(_)) => {
            let k = match key {
                Key::P256Public(k) => p256::ecdsa::VerifyingKey::from(k),
                Key::P256Private(k) => p256::ecdsa::VerifyingKey::from(k.public_key()),
                _ => unreachable!(),
            };
            let sig = match p.dsa {
                DsaEncoding::Der => p256::ecdsa::Signature::from_der(signature),
                DsaEncoding::P1363 => p256::ecdsa::Signature::from_slice(signature),
            };
            Ok(sig.is_ok_and(|sig| k.verify_prehash(&hashed, &sig).is_ok()))
        }
        (Algorithm::Ecdsa, Key::P384Public(_) | Key::P384Private(_)) => {
            let k = match key {
                Key::P384Public(k) => p384::ecdsa::VerifyingKey::from(k),
                Key::P384Private(k) => p384::ecdsa::VerifyingKey::from(k.public_key()),
                _ => unreachable!(),
            };
            let sig = match p.dsa {
                DsaEncoding::Der => p384::ecdsa::Signature::from_der(signature),
                DsaEncoding::P1363 => p384::ecdsa::Signature::from_slice(signature),
            };
            Ok(sig.is_ok_and(|sig| k.verify_prehash(&hashed, &sig).is_ok()))
        }
        _ => Err(mismatch(p, key)),
    }
}

fn rsa_verify(
    p: &Params,
    k: &RsaPublicKey,
    hashed: &[u8],
    signature: &[u8],
) -> Result<bool, String> {
    use rsa::traits::PublicKeyParts;
    if p.algorithm == Algorithm::Pkcs1v15 {
        return Ok(k.verify(pkcs1v15(p.hash)?, hashed, signature).is_ok());
    }
    let salts = match p.salt {
        SaltLength::Digest => vec![p.hash.len()],
        SaltLength::Exact(n) => vec![n],
        // Node recovers the salt length from the signature; the `rsa` crate
        // checks one length, so try the two that signers use (the digest's,
        // as JWS's PS256 does, and the largest, Node's default) and none.
        SaltLength::MaxOrAuto => vec![p.hash.len(), max_salt(k.n().bits(), p.hash), 0],
    };
    for salt in salts {
        if k.verify(pss(p.hash, salt)?, hashed, signature).is_ok() {
            return Ok(true);
        }
    }
    Ok(false)
}
