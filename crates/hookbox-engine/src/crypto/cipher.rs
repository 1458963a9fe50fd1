//! AES in GCM and CBC over whole messages (Node's `createCipheriv` and
//! `createDecipheriv`, which the guest buffers until `final`).

use aes::{Aes128, Aes192, Aes256};
use aes_gcm::AesGcm;
use aes_gcm::aead::consts::{U12, U16};
use aes_gcm::aead::{Aead, KeyInit, Payload};
use cbc::cipher::block_padding::{NoPadding, Pkcs7};
use cbc::cipher::{BlockDecryptMut, BlockEncryptMut, KeyIvInit};

/// Node's message when a GCM tag does not authenticate the data.
pub(crate) const GCM_AUTH_FAILED: &str = "Unsupported state or unable to authenticate data";
/// Node's messages (OpenSSL's) for a CBC message that does not fill whole
/// blocks without padding, and for bad padding on decryption.
pub(crate) const WRONG_FINAL_BLOCK_LENGTH: &str =
    "error:1C80006B:Provider routines::wrong final block length";
pub(crate) const BAD_DECRYPT: &str = "error:1C800064:Provider routines::bad decrypt";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Mode {
    Gcm,
    Cbc,
}

/// `aes-<bits>-<mode>` as Node names it: the key length in bytes and the mode.
pub(crate) fn parse(algorithm: &str) -> Result<(usize, Mode), String> {
    let (key, mode) = match algorithm {
        "aes-128-gcm" => (16, Mode::Gcm),
        "aes-192-gcm" => (24, Mode::Gcm),
        "aes-256-gcm" => (32, Mode::Gcm),
        "aes-128-cbc" => (16, Mode::Cbc),
        "aes-192-cbc" => (24, Mode::Cbc),
        "aes-256-cbc" => (32, Mode::Cbc),
        other => {
            return Err(format!(
                "crypto: unsupported cipher {other:?} (aes-128/192/256 in gcm or cbc)"
            ));
        }
    };
    Ok((key, mode))
}

pub(crate) struct CipherRequest<'a> {
    pub mode: Mode,
    pub decrypt: bool,
    pub key: &'a [u8],
    pub iv: &'a [u8],
    pub data: &'a [u8],
    pub aad: &'a [u8],
    pub tag: Option<&'a [u8]>,
    pub auto_padding: bool,
}

/// Encrypts or decrypts; returns the data and, for GCM encryption, the tag.
pub(crate) fn run(r: &CipherRequest<'_>) -> Result<(Vec<u8>, Option<Vec<u8>>), String> {
    match r.mode {
        Mode::Gcm => gcm(r),
        Mode::Cbc => cbc(r).map(|data| (data, None)),
    }
}

fn gcm(r: &CipherRequest<'_>) -> Result<(Vec<u8>, Option<Vec<u8>>), String> {
    fn go<C: KeyInit + Aead>(
        r: &CipherRequest<'_>,
        nonce: &[u8],
    ) -> Result<(Vec<u8>, Option<Vec<u8>>), String> {
        let cipher = C::new_from_slice(r.key).map_err(|_| "Invalid key length".to_string())?;
        let nonce = aes_gcm::aead::Nonce::<C>::from_slice(nonce);
        if r.decrypt {
            let tag = r.tag.ok_or_else(|| GCM_AUTH_FAILED.to_string())?;
            let mut msg = Vec::with_capacity(r.data.len() + tag.len());
            msg.extend_from_slice(r.data);
            msg.extend_from_slice(tag);
            let plain = cipher
                .decrypt(
                    nonce,
                    Payload {
                        msg: &msg,
                        aad: r.aad,
                    },
                )
                .map_err(|_| GCM_AUTH_FAILED.to_string())?;
            Ok((plain, None))
        } else {
            let mut out = cipher
                .encrypt(
                    nonce,
                    Payload {
                        msg: r.data,
                        aad: r.aad,
                    },
                )
                .map_err(|_| "crypto: the message is too long for GCM".to_string())?;
            let tag = out.split_off(out.len() - 16);
            Ok((out, Some(tag)))
        }
    }
    if let Some(tag) = r.tag
        && tag.len() != 16
    {
        return Err(format!(
            "crypto: unsupported GCM tag length {} (16 bytes)",
            tag.len()
        ));
    }
    match (r.key.len(), r.iv.len()) {
        (16, 12) => go::<AesGcm<Aes128, U12>>(r, r.iv),
        (24, 12) => go::<AesGcm<Aes192, U12>>(r, r.iv),
        (32, 12) => go::<AesGcm<Aes256, U12>>(r, r.iv),
        (16, 16) => go::<AesGcm<Aes128, U16>>(r, r.iv),
        (24, 16) => go::<AesGcm<Aes192, U16>>(r, r.iv),
        (32, 16) => go::<AesGcm<Aes256, U16>>(r, r.iv),
        (16 | 24 | 32, n) => Err(format!(
            "crypto: unsupported GCM IV length {n} (12 or 16 bytes)"
        )),
        _ => Err("Invalid key length".into()),
    }
}

fn cbc(r: &CipherRequest<'_>) -> Result<Vec<u8>, String> {
    fn go<C>(r: &CipherRequest<'_>) -> Result<Vec<u8>, String>
    where
        C: aes::cipher::BlockCipher
            + aes::cipher::BlockEncrypt
            + aes::cipher::BlockDecrypt
            + aes::cipher::KeyInit
            + aes::cipher::BlockSizeUser<BlockSize = U16>,
    {
        if r.iv.len() != 16 {
            return Err("Invalid initialization vector".into());
        }
        if r.decrypt {
            let d = cbc::Decryptor::<C>::new_from_slices(r.key, r.iv)
                .map_err(|_| "Invalid key length".to_string())?;
            if !r.data.len().is_multiple_of(16) {
                return Err(WRONG_FINAL_BLOCK_LENGTH.into());
            }
            let out = if r.auto_padding {
                d.decrypt_padded_vec_mut::<Pkcs7>(r.data)
            } else {
                d.decrypt_padded_vec_mut::<NoPadding>(r.data)
            };
            out.map_err(|_| BAD_DECRYPT.to_string())
        } else {
            let e = cbc::Encryptor::<C>::new_from_slices(r.key, r.iv)
                .map_err(|_| "Invalid key length".to_string())?;
            if r.auto_padding {
                Ok(e.encrypt_padded_vec_mut::<Pkcs7>(r.data))
            } else if !r.data.len().is_multiple_of(16) {
                Err(WRONG_FINAL_BLOCK_LENGTH.into())
            } else {
                Ok(e.encrypt_padded_vec_mut::<NoPadding>(r.data))
            }
        }
    }
    match r.key.len() {
        16 => go::<Aes128>(r),
        24 => go::<Aes192>(r),
        32 => go::<Aes256>(r),
        _ => Err("Invalid key length".into()),
    }
}
