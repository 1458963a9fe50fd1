//! AES for Node's `createCipheriv`/`createDecipheriv`, as stateless pieces:
//! the guest keeps a cipher's state between `update` calls (CBC's chaining
//! block and unfinished block, GCM's position in the message, the AAD and
//! ciphertext for the tag) and asks the host for the AES work of each call,
//! so that `update` returns what Node's returns, byte for byte.
//!
//! - CBC over whole blocks ([`cbc_blocks`]): the guest passes the chaining
//!   block as the IV and does PKCS#7 padding itself.
//! - GCM's CTR keystream from any byte of the message ([`gcm_keystream`]), and
//!   its tag over the whole AAD and ciphertext at `final` ([`gcm_tag`]).
//!   IVs of any length, as in Node (a 12-byte IV is the common case; other
//!   lengths go through GHASH, NIST SP 800-38D §7.1).

use aes::cipher::consts::U16;
use aes::cipher::{BlockCipher, BlockEncrypt, BlockSizeUser, KeyInit};
use aes::{Aes128, Aes192, Aes256};
use cbc::cipher::block_padding::NoPadding;
use cbc::cipher::{BlockDecryptMut, BlockEncryptMut, KeyIvInit};
use ctr::cipher::{StreamCipher, StreamCipherSeek};
use ghash::GHash;
use ghash::universal_hash::UniversalHash;

/// Node's message when a GCM tag does not authenticate the data.
pub(crate) const GCM_AUTH_FAILED: &str = "Unsupported state or unable to authenticate data";

/// The AES block, and the CBC IV, in bytes.
pub(crate) const BLOCK: usize = 16;

/// Longest GCM message, in bytes: 2^32 - 2 blocks (the counter is 32 bits
/// and block 1 is the tag's), NIST SP 800-38D §5.2.1.1.
pub(crate) const GCM_MAX_MESSAGE: u64 = ((1 << 32) - 2) * BLOCK as u64;

/// The tag lengths GCM allows (NIST SP 800-38D §5.2.1.2), as Node does.
pub(crate) const GCM_TAG_LENGTHS: [usize; 7] = [4, 8, 12, 13, 14, 15, 16];

/// Node's `RangeError` for a key of the wrong length.
pub(crate) const INVALID_KEY_LENGTH: &str = "Invalid key length";

/// CBC over `data`, a whole number of blocks, chained from `iv`; no padding.
pub(crate) fn cbc_blocks(
    decrypt: bool,
    key: &[u8],
    iv: &[u8],
    data: &[u8],
) -> Result<Vec<u8>, String> {
    fn go<C>(decrypt: bool, key: &[u8], iv: &[u8], data: &[u8]) -> Result<Vec<u8>, String>
    where
        C: BlockCipher
            + BlockEncrypt
            + aes::cipher::BlockDecrypt
            + KeyInit
            + BlockSizeUser<BlockSize = U16>,
    {
        let bad_key = |_| INVALID_KEY_LENGTH.to_string();
        let out = if decrypt {
            cbc::Decryptor::<C>::new_from_slices(key, iv)
                .map_err(bad_key)?
                .decrypt_padded_vec_mut::<NoPadding>(data)
                .map_err(|_| "crypto: aesCbc data must be whole 16-byte blocks".to_string())?
        } else {
            cbc::Encryptor::<C>::new_from_slices(key, iv)
                .map_err(bad_key)?
                .encrypt_padded_vec_mut::<NoPadding>(data)
        };
        Ok(out)
    }
    if iv.len() != BLOCK {
        return Err("Invalid initialization vector".into());
    }
    if !data.len().is_multiple_of(BLOCK) {
        return Err("crypto: aesCbc data must be whole 16-byte blocks".into());
    }
    match key.len() {
        16 => go::<Aes128>(decrypt, key, iv, data),
        24 => go::<Aes192>(decrypt, key, iv, data),
        32 => go::<Aes256>(decrypt, key, iv, data),
        _ => Err(INVALID_KEY_LENGTH.into()),
    }
}

/// H = E(K, 0^128) and the pre-counter block J0 of a GCM message.
fn gcm_setup<C>(cipher: &C, iv: &[u8]) -> Result<([u8; BLOCK], [u8; BLOCK]), String>
where
    C: BlockEncrypt + BlockSizeUser<BlockSize = U16>,
{
    if iv.is_empty() {
        return Err("Invalid initialization vector".into());
    }
    let mut h = aes::Block::default();
    cipher.encrypt_block(&mut h);
    let mut j0 = [0u8; BLOCK];
    if iv.len() == 12 {
        j0[..12].copy_from_slice(iv);
        j0[15] = 1;
    } else {
        let mut ghash = GHash::new(&h);
        ghash.update_padded(iv);
        let mut lengths = [0u8; BLOCK];
        lengths[8..].copy_from_slice(&(iv.len() as u64 * 8).to_be_bytes());
        ghash.update(&[lengths.into()]);
        j0 = ghash.finalize().into();
    }
    Ok((h.into(), j0))
}

/// GCM's keystream XORed into `data`, which sits at byte `offset` of the
/// message: encryption and decryption alike.
pub(crate) fn gcm_keystream(
    key: &[u8],
    iv: &[u8],
    offset: u64,
    data: &[u8],
) -> Result<Vec<u8>, String> {
    fn go<C>(key: &[u8], iv: &[u8], offset: u64, data: &[u8]) -> Result<Vec<u8>, String>
    where
        C: BlockEncrypt + KeyInit + BlockSizeUser<BlockSize = U16> + BlockCipher,
    {
        let cipher = C::new_from_slice(key).map_err(|_| INVALID_KEY_LENGTH.to_string())?;
        let (_, j0) = gcm_setup(&cipher, iv)?;
        // The message's first counter block is inc32(J0).
        let mut counter = j0;
        let low = u32::from_be_bytes(counter[12..].try_into().expect("4 bytes"));
        counter[12..].copy_from_slice(&low.wrapping_add(1).to_be_bytes());
        let mut ctr = ctr::Ctr32BE::<C>::new_from_slices(key, &counter)
            .map_err(|_| INVALID_KEY_LENGTH.to_string())?;
        ctr.try_seek(offset)
            .map_err(|_| "crypto: the GCM message is too long".to_string())?;
        let mut out = data.to_vec();
        ctr.try_apply_keystream(&mut out)
            .map_err(|_| "crypto: the GCM message is too long".to_string())?;
        Ok(out)
    }
    if offset.saturating_add(data.len() as u64) > GCM_MAX_MESSAGE {
        return Err("crypto: the GCM message is too long".into());
    }
    match key.len() {
        16 => go::<Aes128>(key, iv, offset, data),
        24 => go::<Aes192>(key, iv, offset, data),
        32 => go::<Aes256>(key, iv, offset, data),
        _ => Err(INVALID_KEY_LENGTH.into()),
    }
}

/// GCM's 16-byte tag of `aad` and `ciphertext`; with `expected` (a tag of
/// one of [`GCM_TAG_LENGTHS`], compared in constant time with as many bytes
/// of the tag), `Ok(None)` when it authenticates the data, else Node's
/// [`GCM_AUTH_FAILED`].
pub(crate) fn gcm_tag(
    key: &[u8],
    iv: &[u8],
    aad: &[u8],
    ciphertext: &[u8],
    expected: Option<&[u8]>,
) -> Result<Option<Vec<u8>>, String> {
    fn go<C>(key: &[u8], iv: &[u8], aad: &[u8], ciphertext: &[u8]) -> Result<Vec<u8>, String>
    where
        C: BlockEncrypt + KeyInit + BlockSizeUser<BlockSize = U16>,
    {
        let cipher = C::new_from_slice(key).map_err(|_| INVALID_KEY_LENGTH.to_string())?;
        let (h, j0) = gcm_setup(&cipher, iv)?;
        let mut ghash = GHash::new(&h.into());
        ghash.update_padded(aad);
        ghash.update_padded(ciphertext);
        let mut lengths = [0u8; BLOCK];
        lengths[..8].copy_from_slice(&(aad.len() as u64 * 8).to_be_bytes());
        lengths[8..].copy_from_slice(&(ciphertext.len() as u64 * 8).to_be_bytes());
        ghash.update(&[lengths.into()]);
        let mut tag = ghash.finalize();
        let mut mask = j0.into();
        cipher.encrypt_block(&mut mask);
        for (t, m) in tag.iter_mut().zip(mask.iter()) {
            *t ^= m;
        }
        Ok(tag.to_vec())
    }
    if ciphertext.len() as u64 > GCM_MAX_MESSAGE {
        return Err("crypto: the GCM message is too long".into());
    }
    if let Some(expected) = expected
        && !GCM_TAG_LENGTHS.contains(&expected.len())
    {
        return Err(format!(
            "Invalid authentication tag length: {}",
            expected.len()
        ));
    }
    let tag = match key.len() {
        16 => go::<Aes128>(key, iv, aad, ciphertext),
        24 => go::<Aes192>(key, iv, aad, ciphertext),
        32 => go::<Aes256>(key, iv, aad, ciphertext),
        _ => Err(INVALID_KEY_LENGTH.into()),
    }?;
    match expected {
        None => Ok(Some(tag)),
        Some(expected) => {
            let diff = tag
                .iter()
                .zip(expected)
                .fold(0u8, |acc, (a, b)| acc | (a ^ b));
            if diff == 0 {
                Ok(None)
            } else {
                Err(GCM_AUTH_FAILED.into())
            }
        }
    }
}
