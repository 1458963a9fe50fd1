//! Versioned value encoding: `[version][JSON]`, so a later schema can migrate.

use crate::StoreError;
use serde::Serialize;
use serde::de::DeserializeOwned;

/// The encoding version written today.
pub const ENCODING_VERSION: u8 = 1;

pub(crate) fn encode<T: Serialize + ?Sized>(value: &T) -> Result<Vec<u8>, StoreError> {
    let mut out = vec![ENCODING_VERSION];
    serde_json::to_writer(&mut out, value)
        .map_err(|e| StoreError::Corrupt(format!("encoding: {e}")))?;
    Ok(out)
}

pub(crate) fn decode<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, StoreError> {
    match bytes.split_first() {
        Some((&ENCODING_VERSION, body)) => {
            serde_json::from_slice(body).map_err(|e| StoreError::Corrupt(format!("decoding: {e}")))
        }
        Some((v, _)) => Err(StoreError::Corrupt(format!("unknown encoding version {v}"))),
        None => Err(StoreError::Corrupt("empty value".into())),
    }
}
