//! Hashes, HMAC and PBKDF2 (Node's `createHash`, `createHmac`, `pbkdf2`).

use hmac::{Hmac, Mac};
use sha2::Digest;

/// A hash Node names `md5`, `sha1`, `sha256`, `sha384` or `sha512`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Hash {
    Md5,
    Sha1,
    Sha256,
    Sha384,
    Sha512,
}

impl Hash {
    /// The hash Node calls `name` (lower case, as the guest sends it).
    pub(crate) fn parse(name: &str) -> Result<Self, String> {
        Ok(match name {
            "md5" => Self::Md5,
            "sha1" => Self::Sha1,
            "sha256" => Self::Sha256,
            "sha384" => Self::Sha384,
            "sha512" => Self::Sha512,
            other => {
                return Err(format!(
                    "crypto: unsupported hash {other:?} (md5, sha1, sha256, sha384, sha512)"
                ));
            }
        })
    }

    /// Output length in bytes.
    pub(crate) fn len(self) -> usize {
        match self {
            Self::Md5 => 16,
            Self::Sha1 => 20,
            Self::Sha256 => 32,
            Self::Sha384 => 48,
            Self::Sha512 => 64,
        }
    }

    pub(crate) fn digest(self, data: &[u8]) -> Vec<u8> {
        match self {
            Self::Md5 => md5::Md5::digest(data).to_vec(),
            Self::Sha1 => sha1::Sha1::digest(data).to_vec(),
            Self::Sha256 => sha2::Sha256::digest(data).to_vec(),
            Self::Sha384 => sha2::Sha384::digest(data).to_vec(),
            Self::Sha512 => sha2::Sha512::digest(data).to_vec(),
        }
    }

    pub(crate) fn hmac(self, key: &[u8], data: &[u8]) -> Vec<u8> {
        fn mac<M: Mac + hmac::digest::KeyInit>(key: &[u8], data: &[u8]) -> Vec<u8> {
            let mut mac = <M as hmac::digest::KeyInit>::new_from_slice(key)
                .expect("HMAC takes a key of any length");
            mac.update(data);
            mac.finalize().into_bytes().to_vec()
        }
        match self {
            Self::Md5 => mac::<Hmac<md5::Md5>>(key, data),
            Self::Sha1 => mac::<Hmac<sha1::Sha1>>(key, data),
            Self::Sha256 => mac::<Hmac<sha2::Sha256>>(key, data),
            Self::Sha384 => mac::<Hmac<sha2::Sha384>>(key, data),
            Self::Sha512 => mac::<Hmac<sha2::Sha512>>(key, data),
        }
    }

    pub(crate) fn pbkdf2(self, password: &[u8], salt: &[u8], iterations: u32, out: &mut [u8]) {
        use pbkdf2::pbkdf2_hmac;
        match self {
            Self::Md5 => pbkdf2_hmac::<md5::Md5>(password, salt, iterations, out),
            Self::Sha1 => pbkdf2_hmac::<sha1::Sha1>(password, salt, iterations, out),
            Self::Sha256 => pbkdf2_hmac::<sha2::Sha256>(password, salt, iterations, out),
            Self::Sha384 => pbkdf2_hmac::<sha2::Sha384>(password, salt, iterations, out),
            Self::Sha512 => pbkdf2_hmac::<sha2::Sha512>(password, salt, iterations, out),
        }
    }

    /// Bytes per compression block (the unit of work).
    pub(crate) fn block(self) -> usize {
        match self {
            Self::Sha384 | Self::Sha512 => 128,
            _ => 64,
        }
    }
}
