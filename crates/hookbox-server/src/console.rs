//! The web console (`/console`): a single-page app built from `console/` at
//! the repository's root (`make console`) into `crates/hookbox-server/console/`,
//! committed, and embedded here, so a server serves it without node.
//!
//! The page talks to the public API only, with a token it exchanges a key
//! pair for (as the CLI does), so it can do nothing the key's role could not.
//! Every answer carries a strict Content-Security-Policy (scripts from this
//! origin only, nothing inline; styles from this origin and, on the page, the
//! editor's `<style>` by a per-page nonce; no framing). Assets are revalidated
//! on each load (`cache-control: no-cache` with a strong `etag`); the page is
//! never cached.

use axum::Router;
use axum::extract::Path;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use sha2::{Digest, Sha256};
use std::sync::OnceLock;

use crate::AppState;

/// The policy every console answer carries: scripts from this origin only
/// (nothing inline, no `eval`), nothing framed, nothing fetched elsewhere.
/// The page itself is sent with [`page_policy`], which also lets the editor's
/// own `<style>` element in by a nonce.
pub const CONTENT_SECURITY_POLICY: &str = "default-src 'none'; script-src 'self'; \
     style-src 'self'; img-src 'self' data:; font-src 'self'; connect-src 'self'; \
     base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

/// Where `index.html` holds the nonce (a `<meta name="hookbox-csp-nonce">`
/// the app hands to CodeMirror, whose themes are one `<style>` element).
const NONCE_PLACEHOLDER: &str = "__CSP_NONCE__";

/// [`CONTENT_SECURITY_POLICY`] with `nonce` allowed for `<style>` elements.
pub fn page_policy(nonce: &str) -> String {
    CONTENT_SECURITY_POLICY.replace(
        "style-src 'self';",
        &format!("style-src 'self' 'nonce-{nonce}';"),
    )
}

/// 128 random bits, base64: a fresh nonce for each page sent.
fn nonce() -> Option<String> {
    use base64::Engine as _;
    let mut bytes = [0u8; 16];
    getrandom::fill(&mut bytes).ok()?;
    Some(base64::engine::general_purpose::STANDARD.encode(bytes))
}

/// One embedded file: its name under `/console/`, content type and bytes.
struct Asset {
    name: &'static str,
    content_type: &'static str,
    bytes: &'static [u8],
}

const ASSETS: &[Asset] = &[
    Asset {
        name: "index.html",
        content_type: "text/html; charset=utf-8",
        bytes: include_bytes!("../console/index.html"),
    },
    Asset {
        name: "app.js",
        content_type: "text/javascript; charset=utf-8",
        bytes: include_bytes!("../console/app.js"),
    },
    Asset {
        name: "app.css",
        content_type: "text/css; charset=utf-8",
        bytes: include_bytes!("../console/app.css"),
    },
    Asset {
        name: "THIRD_PARTY.txt",
        content_type: "text/plain; charset=utf-8",
        bytes: include_bytes!("../console/THIRD_PARTY.txt"),
    },
];

pub fn routes() -> Router<AppState> {
    Router::new()
        .route(
            "/console",
            get(|| async { guarded(Redirect::permanent("/console/").into_response()) }),
        )
        .route("/console/", get(|headers: HeaderMap| async move { serve("index.html", &headers) }))
        .route(
            "/console/{file}",
            get(|Path(file): Path<String>, headers: HeaderMap| async move { serve(&file, &headers) }),
        )
}

/// Each asset's strong validator: the SHA-256 of its bytes, quoted.
fn etags() -> &'static [String] {
    static ETAGS: OnceLock<Vec<String>> = OnceLock::new();
    ETAGS.get_or_init(|| {
        ASSETS
            .iter()
            .map(|a| {
                let digest = Sha256::digest(a.bytes);
                let hex: String = digest[..16].iter().map(|b| format!("{b:02x}")).collect();
                format!("\"{hex}\"")
            })
            .collect()
    })
}

fn serve(file: &str, headers: &HeaderMap) -> Response {
    if file == "index.html" {
        return page();
    }
    let Some(index) = ASSETS.iter().position(|a| a.name == file) else {
        return guarded(
            (
                StatusCode::NOT_FOUND,
                [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
                "no such console file\n",
            )
                .into_response(),
        );
    };
    let asset = &ASSETS[index];
    let etag = &etags()[index];
    let fresh = headers
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.split(',').any(|t| t.trim() == etag));
    let mut response = if fresh {
        StatusCode::NOT_MODIFIED.into_response()
    } else {
        (
            [(
                header::CONTENT_TYPE,
                HeaderValue::from_static(asset.content_type),
            )],
            asset.bytes,
        )
            .into_response()
    };
    let h = response.headers_mut();
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(CONTENT_SECURITY_POLICY),
    );
    protect(h);
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    if let Ok(v) = HeaderValue::from_str(etag) {
        h.insert(header::ETAG, v);
    }
    response
}

/// The page, with a nonce of its own; never cached (the nonce must not be
/// reused).
fn page() -> Response {
    let html = std::str::from_utf8(ASSETS[0].bytes).unwrap_or_default();
    let Some(nonce) = nonce() else {
        return guarded(StatusCode::INTERNAL_SERVER_ERROR.into_response());
    };
    let mut response = (
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static(ASSETS[0].content_type),
        )],
        html.replace(NONCE_PLACEHOLDER, &nonce),
    )
        .into_response();
    let h = response.headers_mut();
    match HeaderValue::from_str(&page_policy(&nonce)) {
        Ok(v) => h.insert(header::CONTENT_SECURITY_POLICY, v),
        Err(_) => return guarded(StatusCode::INTERNAL_SERVER_ERROR.into_response()),
    };
    protect(h);
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

/// An answer other than a file (a redirect, a 404) with the same policy. A
/// plain response, not an [`crate::ApiError`]: the API's errors are rendered
/// later, by the envelope middleware, into a response of their own.
fn guarded(mut response: Response) -> Response {
    let h = response.headers_mut();
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(CONTENT_SECURITY_POLICY),
    );
    protect(h);
    response
}

/// The headers every console answer carries besides its policy.
fn protect(h: &mut HeaderMap) {
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    h.insert(
        "cross-origin-opener-policy",
        HeaderValue::from_static("same-origin"),
    );
}
