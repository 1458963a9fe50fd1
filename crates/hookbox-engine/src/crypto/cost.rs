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
//! Calibration, on the reference machine while other builds ran (so the
//! times are if anything high): the host side with
//! `target/debug/examples/host_call --calibrate` (dev profile, this crate at
//! opt-level 3), which prints each request's fuel per nanosecond of host
//! work; the figures are beside each constant. The JavaScript side with
//! `hookbox run` of `for (let i = 0; i < 2e7; i++) h = (h * 31 + i) | 0`:
//! 27.95e9 fuel in 3.08–3.40 s of CPU, i.e. 8.2–9.1 fuel a nanosecond
//! (`FUEL_PER_SECOND` cites 5–9).

use super::digest::Hash;
use super::keys::Key;

/// Fuel per nanosecond of host work: above JavaScript's 8.2–9.1.
pub(crate) const FUEL_PER_NS: u64 = 10;

/// Reading a request: JSON, base64, copying (~1 ns a byte), plus a fixed part
/// for the call itself.
pub(crate) fn request(len: usize) -> u64 {
    FUEL_PER_NS * (2_000 + 2 * len as u64)
}

/// `n` random bytes: the system's generator and the encoding, ~6 ns a byte.
pub(crate) fn random(n: usize) -> u64 {
    FUEL_PER_NS * 10 * n as u64
}

/// Nanoseconds per compression block, measured in PBKDF2 (two per iteration):
/// MD5 ~210, SHA-1 ~140, SHA-256 ~110 (SHA extensions), SHA-512 ~520; rounded up.
fn block_ns(hash: Hash) -> u64 {
    match hash {
        Hash::Md5 => 300,
        Hash::Sha1 => 250,
        Hash::Sha256 => 250,
        Hash::Sha384 | Hash::Sha512 => 800,
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

/// AES (GCM or CBC) over `len` bytes: measured ~7.5 ns a byte with the
/// request's base64 (GCM), ~6 (CBC).
pub(crate) fn cipher(len: usize) -> u64 {
    FUEL_PER_NS * (1_000 + 10 * len as u64)
}

/// Nanoseconds of a private-key RSA operation with a 2048-bit modulus (with
/// blinding, and reading the key): measured 2.6–2.9 ms. Grows with the cube
/// of the size.
const RSA_2048_PRIVATE_NS: u64 = 4_000_000;
/// A public-key RSA operation (e = 65537) at 2048 bits, with reading the key:
/// measured ~320 µs; square of the size.
const RSA_2048_PUBLIC_NS: u64 = 500_000;
/// ECDSA P-256 sign, measured ~870 µs, verify ~530 µs (with reading the key);
/// P-384 about 4.3 times as much.
const P256_SIGN_NS: u64 = 1_200_000;
const P256_VERIFY_NS: u64 = 800_000;
const P384_FACTOR: u64 = 5;

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
