//! What each request costs in fuel, decided before the work is done.
//!
//! Host functions run outside fuel metering and epoch interruption, so the
//! engine charges a request's price from the call's fuel first: a call's
//! cryptography is bounded by the same budget as its JavaScript. Each price is
//! the work's native time on the reference 2-core machine times
//! [`FUEL_PER_NS`], which is above the rate at which interpreted JavaScript
//! burns fuel, so that handing work to the host never buys a guest more CPU
//! than the same wall time of JavaScript would.
//!
//! Calibration (`cargo run --example host_call -- --calibrate`, dev profile,
//! which builds this crate at opt-level 3): see the figures beside each
//! constant. A tight JS loop (`for (;;) i++`) burns 5–9e9 fuel a second on
//! the same machine (see `FUEL_PER_SECOND`), i.e. 5–9 fuel a nanosecond.

use super::digest::Hash;
use super::keys::Key;

/// Fuel per nanosecond of host work: above JavaScript's 5–9.
pub(crate) const FUEL_PER_NS: u64 = 10;

/// Reading a request: JSON, base64, copying (~1 ns a byte), plus a fixed part
/// for the call itself.
pub(crate) fn request(len: usize) -> u64 {
    FUEL_PER_NS * (2_000 + 2 * len as u64)
}

/// Handling `n` bytes without hashing them (random bytes, answers).
pub(crate) fn bytes(n: usize) -> u64 {
    FUEL_PER_NS * 2 * n as u64
}

/// Nanoseconds per compression block: measured 64-byte blocks of MD5 ~100,
/// SHA-1 ~120, SHA-256 ~250, 128-byte blocks of SHA-384/512 ~350 (rounded up).
fn block_ns(hash: Hash) -> u64 {
    match hash {
        Hash::Md5 => 150,
        Hash::Sha1 => 200,
        Hash::Sha256 => 400,
        Hash::Sha384 | Hash::Sha512 => 500,
    }
}

fn blocks(hash: Hash, len: usize) -> u64 {
    (len / hash.block()) as u64 + 1
}

/// Hashing `len` bytes.
pub(crate) fn hash(hash: Hash, len: usize) -> u64 {
    FUEL_PER_NS * (blocks(hash, len) * block_ns(hash) + 2 * len as u64)
}

/// PBKDF2: two compressions (HMAC's inner and outer) per iteration per output
/// block, plus the keying.
pub(crate) fn pbkdf2(hash: Hash, iterations: u64, keylen: u64, input: usize) -> u64 {
    let out_blocks = keylen.div_ceil(hash.len() as u64).max(1);
    FUEL_PER_NS
        .saturating_mul(iterations)
        .saturating_mul(out_blocks)
        .saturating_mul(2 * block_ns(hash))
        .saturating_add(self::hash(hash, input) * out_blocks)
}

/// AES (GCM or CBC) over `len` bytes: ~3 ns a byte with GHASH in software.
pub(crate) fn cipher(len: usize) -> u64 {
    FUEL_PER_NS * (1_000 + 4 * len as u64)
}

/// Nanoseconds of a private-key RSA operation with a 2048-bit modulus (with
/// blinding): measured ~1.5 ms. Grows with the cube of the size.
const RSA_2048_PRIVATE_NS: u64 = 2_500_000;
/// A public-key RSA operation (e = 65537) at 2048 bits: ~60 µs; square of the size.
const RSA_2048_PUBLIC_NS: u64 = 100_000;
/// ECDSA P-256 sign ~100 µs, verify ~200 µs; P-384 about 3 times as much.
const P256_SIGN_NS: u64 = 200_000;
const P256_VERIFY_NS: u64 = 400_000;
const P384_FACTOR: u64 = 3;

fn scale(bits: usize, power: u32) -> u64 {
    // In 1/1000ths of a 2048-bit key's cost, at least a 1024-bit key's.
    let r = (bits.max(1024) as u64 * 1000) / 2048;
    r.pow(power) / 1000u64.pow(power - 1)
}

/// Reading and checking a key: an RSA private key is validated (a few
/// multiplications), a public key or EC key only decoded.
pub(crate) fn key(key: &Key) -> u64 {
    match key {
        Key::RsaPrivate(_) => verify(key),
        _ => FUEL_PER_NS * 20_000,
    }
}

/// One signature with `key`.
pub(crate) fn sign(key: &Key) -> u64 {
    FUEL_PER_NS
        * match key {
            Key::RsaPrivate(_) | Key::RsaPublic(_) => {
                RSA_2048_PRIVATE_NS * scale(key.modulus_bits().unwrap_or(2048), 3) / 1000
            }
            Key::P256Private(_) | Key::P256Public(_) => P256_SIGN_NS,
            Key::P384Private(_) | Key::P384Public(_) => P256_SIGN_NS * P384_FACTOR,
        }
}

/// One verification with `key`.
pub(crate) fn verify(key: &Key) -> u64 {
    FUEL_PER_NS
        * match key {
            Key::RsaPrivate(_) | Key::RsaPublic(_) => {
                RSA_2048_PUBLIC_NS * scale(key.modulus_bits().unwrap_or(2048), 2) / 1000
            }
            Key::P256Private(_) | Key::P256Public(_) => P256_VERIFY_NS,
            Key::P384Private(_) | Key::P384Public(_) => P256_VERIFY_NS * P384_FACTOR,
        }
}
