//! Sealing: the secrets the server must read back (access key secrets, which
//! verify request signatures; hook secrets, which scripts read) are kept
//! encrypted with ChaCha20-Poly1305 under a key that lives outside the
//! database. A copy of the database alone does not reveal them.
//!
//! A sealed value is the hex of `nonce (12 bytes) ‖ ciphertext ‖ tag`, bound
//! to what it belongs to (the associated data): a value moved to another
//! record does not open.

use crate::StoreError;
use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{ChaCha20Poly1305, Nonce};

const NONCE_BYTES: usize = 12;

/// Seals and opens values under one key. Cheap to clone.
#[derive(Clone)]
pub struct Sealer {
    cipher: ChaCha20Poly1305,
}

impl std::fmt::Debug for Sealer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Sealer(..)")
    }
}

impl Sealer {
    pub fn new(key: &[u8; 32]) -> Self {
        Self {
            cipher: ChaCha20Poly1305::new(key.into()),
        }
    }

    /// Encrypts `plaintext`, bound to `aad`.
    pub fn seal(&self, aad: &[u8], plaintext: &[u8]) -> String {
        let nonce: [u8; NONCE_BYTES] = rand::random();
        let ciphertext = self
            .cipher
            .encrypt(
                Nonce::from_slice(&nonce),
                Payload {
                    msg: plaintext,
                    aad,
                },
            )
            // Only fails for inputs of about 256 GiB.
            .expect("sealing a small value");
        let mut out = Vec::with_capacity(NONCE_BYTES + ciphertext.len());
        out.extend_from_slice(&nonce);
        out.extend_from_slice(&ciphertext);
        hex::encode(out)
    }

    /// Decrypts a value sealed with the same key and `aad`. Anything else
    /// (another key, another record, a changed byte) is `Corrupt`.
    pub fn open(&self, aad: &[u8], sealed: &str) -> Result<Vec<u8>, StoreError> {
        let bytes = hex::decode(sealed)
            .map_err(|_| StoreError::Corrupt("a sealed value is not hex".into()))?;
        if bytes.len() < NONCE_BYTES {
            return Err(StoreError::Corrupt("a sealed value is too short".into()));
        }
        let (nonce, ciphertext) = bytes.split_at(NONCE_BYTES);
        self.cipher
            .decrypt(
                Nonce::from_slice(nonce),
                Payload {
                    msg: ciphertext,
                    aad,
                },
            )
            .map_err(|_| {
                StoreError::Corrupt(
                    "a sealed value does not open with this server's key (was the key file replaced?)"
                        .into(),
                )
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn opens_only_with_the_same_key_and_binding() {
        let sealer = Sealer::new(&[7; 32]);
        let sealed = sealer.seal(b"key-1", b"s3cret");
        assert!(!sealed.contains("s3cret"));
        assert_eq!(sealer.open(b"key-1", &sealed).unwrap(), b"s3cret");
        // Fresh nonce each time.
        assert_ne!(sealer.seal(b"key-1", b"s3cret"), sealed);
        assert!(matches!(
            sealer.open(b"key-2", &sealed),
            Err(StoreError::Corrupt(_))
        ));
        assert!(matches!(
            Sealer::new(&[8; 32]).open(b"key-1", &sealed),
            Err(StoreError::Corrupt(_))
        ));
        let mut tampered = sealed.into_bytes();
        let last = tampered.len() - 1;
        tampered[last] = if tampered[last] == b'0' { b'1' } else { b'0' };
        assert!(
            sealer
                .open(b"key-1", std::str::from_utf8(&tampered).unwrap())
                .is_err()
        );
        assert!(sealer.open(b"key-1", "zz").is_err());
        assert!(sealer.open(b"key-1", "00").is_err());
    }
}
