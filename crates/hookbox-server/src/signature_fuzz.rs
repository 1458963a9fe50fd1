//! Fuzz targets for the signed-request canonicaliser (proptest). Kept thin:
//! [`string_to_sign`] is the only line that knows how the canonicaliser is
//! built, so a rewrite of it changes that function and nothing else.
//!
//! `HOOKBOX_FUZZ_CASES` sets the cases per property (default 256: the short
//! run in `make test`), `HOOKBOX_FUZZ_SEED` a seed or `random` (`make fuzz`).

use super::*;
use axum::http::Method;
use proptest::prelude::*;
use proptest::test_runner::TestRunner;

/// The canonical string a signature covers, for a request as it arrives;
/// `Err` when the canonicaliser refuses it.
fn string_to_sign(
    method: &Method,
    uri: &str,
    headers: &HeaderMap,
    body: &[u8],
) -> Result<String, ApiError> {
    let mut req = Request::builder()
        .method(method)
        .uri(uri)
        .body(())
        .expect("the generators make valid URIs");
    *req.headers_mut() = headers.clone();
    let (parts, ()) = req.into_parts();
    let signed = signed_headers(&parts.headers)?;
    let params = Params::of(&parts, body)?;
    // A request with two readings is refused (after its nonce is spent).
    if let Some(why) = params.ambiguity {
        return Err(ApiError::invalid(why));
    }
    let canonical_headers: String = signed
        .iter()
        .map(|(name, value)| format!("{name}:{value}\n"))
        .collect();
    let resource = params
        .resources(parts.uri.path())
        .into_iter()
        .next()
        .expect("at least one resource");
    Ok(format!("{}\n{canonical_headers}{resource}", parts.method))
}

/// The shared runner; this target's short run: 256 cases, its own seed.
fn runner() -> TestRunner {
    hookbox_fuzz::runner(256, 0x5167)
}

/// Text from a small alphabet that holds the canonical form's separators,
/// so that different requests often render alike.
fn separator_text() -> impl Strategy<Value = String> {
    "[a&=?]{0,6}"
}

/// A request's signed parameters: a few fields.
fn fields() -> impl Strategy<Value = BTreeMap<String, String>> {
    prop::collection::btree_map("[a&=]{1,4}", separator_text(), 1..4)
}

/// How a request carries its parameters: the JSON body's fields (POST) or
/// the query string (GET).
fn request(method: &Method, fields: &BTreeMap<String, String>) -> (String, Vec<u8>) {
    if method == Method::GET {
        let query = serde_urlencoded::to_string(fields).expect("strings encode");
        (format!("/api/v3/get-pipeline-logs?{query}"), Vec::new())
    } else {
        let body = serde_json::to_vec(fields).expect("strings encode");
        ("/api/v3/update-pipeline-function".to_string(), body)
    }
}

/// The other way to read `k=v&k=v`: split at every `&`, then at the first
/// `=`. When a value holds a separator this gives other fields, which a
/// canonical form without escaping cannot tell apart.
fn naive_reading(canonical: &str) -> Option<BTreeMap<String, String>> {
    let query = canonical.split_once('?')?.1;
    let mut fields = BTreeMap::new();
    for pair in query.split('&') {
        let (k, v) = pair.split_once('=')?;
        if k.is_empty() || fields.insert(k.to_string(), v.to_string()).is_some() {
            return None;
        }
    }
    Some(fields)
}

fn headers() -> HeaderMap {
    let mut h = HeaderMap::new();
    h.insert("date", "Mon, 23 Nov 2026 10:00:00 GMT".parse().unwrap());
    h.insert("x-authing-signature-nonce", "n1".parse().unwrap());
    h
}

/// Two requests whose signed parameters differ never share a canonical
/// string (unless the canonicaliser refuses one): a signature covers
/// exactly one request. A value holding `&` or `=` once made two
/// requests sign alike (`{"funcName": "n&isAsynchronous=true"}`).
#[test]
fn fuzz_distinct_requests_never_share_a_canonical_string() {
    let methods = prop::sample::select(vec![Method::GET, Method::POST]);
    let result = runner().run(&(methods, fields(), fields()), |(method, a, b)| {
        let h = headers();
        let (uri_a, body_a) = request(&method, &a);
        let Ok(signed_a) = string_to_sign(&method, &uri_a, &h, &body_a) else {
            return Ok(());
        };
        // B: another request with the same parameters' rendering, or an
        // unrelated one from the same small alphabet.
        let mut others = vec![b];
        others.extend(naive_reading(&signed_a));
        for b in others.into_iter().filter(|b| *b != a) {
            let (uri_b, body_b) = request(&method, &b);
            if let Ok(signed_b) = string_to_sign(&method, &uri_b, &h, &body_b) {
                prop_assert_ne!(
                    &signed_a,
                    &signed_b,
                    "{} {:?} and {:?} are signed alike",
                    method,
                    a,
                    b
                );
            }
        }
        Ok(())
    });
    if let Err(e) = result {
        panic!("{e}");
    }
}

/// Whatever a request holds, the canonicaliser answers (a string or a
/// refusal) without panicking: any method, path, query, headers and body.
#[test]
fn fuzz_the_canonicaliser_never_panics() {
    let header_value = "[ -~]{0,40}";
    let strategy = (
        prop::sample::select(vec![
            Method::GET,
            Method::HEAD,
            Method::POST,
            Method::PUT,
            Method::DELETE,
        ]),
        "/[a-zA-Z0-9/_.-]{0,30}",
        prop::option::of(prop_oneof![
            // Every byte percent-encoded, or the separators as they are.
            prop::collection::vec(any::<u8>(), 0..40)
                .prop_map(|q| { q.iter().map(|b| format!("%{b:02X}")).collect::<String>() }),
            "[a-z0-9&=%+._-]{0,30}",
        ]),
        prop::collection::vec(
            (
                prop::sample::select(vec![
                    "date",
                    "x-authing-lang",
                    "x-authing-signature-nonce",
                    "x-authing-sdk-version",
                    "x-authing-",
                    "content-type",
                ]),
                header_value,
            ),
            0..5,
        ),
        prop_oneof![
            prop::collection::vec(any::<u8>(), 0..200),
            any::<String>().prop_map(String::into_bytes),
            fields().prop_map(|f| serde_json::to_vec(&f).unwrap()),
            Just(b"{\"a\":{\"b\":[1,2,{\"c\":null}]},\"d\":1e400}".to_vec()),
            Just(b"[1]".to_vec()),
            Just(b" \n".to_vec()),
        ],
    );
    let result = runner().run(&strategy, |(method, path, query, pairs, body)| {
        let mut uri = path;
        if let Some(q) = query {
            uri.push('?');
            uri.push_str(&q);
        }
        if uri.parse::<axum::http::Uri>().is_err() {
            // Not a request that can reach the server.
            return Ok(());
        }
        let mut h = HeaderMap::new();
        for (name, value) in pairs {
            h.append(name, value.parse().expect("visible ASCII"));
        }
        let _ = string_to_sign(&method, &uri, &h, &body);
        Ok(())
    });
    if let Err(e) = result {
        panic!("{e}");
    }
}
