//! Time zones for the guest's `Intl.DateTimeFormat` and `Date#toLocale*String`
//! (`guest-sdk/js/intl.js`), through the host import `hookbox.call`:
//!
//! `{"op": "tz", "zone": "America/New_York", "ms": 1705374000000}` →
//! `{"offset": -18000}`: the zone's UTC offset in seconds at that instant
//! (ms since the epoch), from the IANA time zone database bundled into
//! hookbox by `jiff`; `{"error": "…"}` for a zone it does not know.
//!
//! The guest resolves names to Node's canonical ones first (its tables come
//! from Node's ICU), so `zone` is always a name Node accepts.

use serde::Deserialize;
use serde_json::json;

/// The prefix every time-zone request starts with, byte for byte as the
/// guest writes it.
pub(crate) const REQUEST_PREFIX: &[u8] = br#"{"op":"tz""#;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Request {
    #[allow(dead_code)]
    op: String,
    zone: String,
    ms: f64,
}

/// Answers one request (see the module docs).
pub(crate) fn answer(request: &[u8]) -> Vec<u8> {
    let answer = match offset(request) {
        Ok(seconds) => json!({ "offset": seconds }),
        Err(error) => json!({ "error": error }),
    };
    serde_json::to_vec(&answer).expect("a JSON value serialises")
}

fn offset(request: &[u8]) -> Result<i32, String> {
    let request: Request =
        serde_json::from_slice(request).map_err(|e| format!("tz: unreadable request: {e}"))?;
    let zone = jiff::tz::db()
        .get(&request.zone)
        .map_err(|_| format!("Invalid time zone specified: {}", request.zone))?;
    if !request.ms.is_finite() {
        return Err("Invalid time value".into());
    }
    let instant = jiff::Timestamp::from_millisecond(request.ms.floor() as i64)
        .map_err(|_| "Invalid time value".to_string())?;
    Ok(zone.to_offset(instant).seconds())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::Value;

    fn ask(zone: &str, ms: f64) -> Value {
        let request = json!({"op": "tz", "zone": zone, "ms": ms}).to_string();
        assert!(request.as_bytes().starts_with(REQUEST_PREFIX));
        serde_json::from_slice(&answer(request.as_bytes())).unwrap()
    }

    #[test]
    fn offsets_follow_daylight_saving_time() {
        // node -e 'new Date(1705374000000).toLocaleString("en-US",{timeZone:"America/New_York"})'
        // → 1/15/2024, 10:00:00 PM: five hours behind UTC in January.
        assert_eq!(ask("America/New_York", 1705374000000.0)["offset"], -18000);
        // 2024-07-01T12:00:00Z: four hours behind in summer.
        assert_eq!(ask("America/New_York", 1719835200000.0)["offset"], -14400);
        assert_eq!(ask("Asia/Kolkata", 0.0)["offset"], 19800);
        // A link name Node's ICU calls canonical.
        assert_eq!(ask("Asia/Calcutta", 0.0)["offset"], 19800);
        assert_eq!(ask("UTC", 1e12)["offset"], 0);
    }

    #[test]
    fn an_unknown_zone_is_an_answer_naming_it() {
        assert_eq!(
            ask("Nope/Zone", 0.0)["error"],
            "Invalid time zone specified: Nope/Zone"
        );
        let bad: Value = serde_json::from_slice(&answer(br#"{"op":"tz"}"#)).unwrap();
        assert!(bad["error"].as_str().unwrap().starts_with("tz: unreadable"));
    }
}
