//! The `crypto` host requests of `hookbox.call`, outside the sandbox: reads one
//! JSON request per line on stdin and prints each answer on one line, so that
//! `guest-sdk/js/crypto.test.js` can test the guest's `crypto` module under
//! Node against the real host ops.
//!
//! `--calibrate` instead times typical requests and prints, for each, its
//! price in fuel per nanosecond of host work (which must stay above the 5–9
//! fuel a nanosecond interpreted JavaScript burns; see `crypto::cost`).

use hookbox_engine::CryptoRequest;
use std::io::{BufRead, Write};
use std::time::Instant;

fn main() {
    if std::env::args().any(|a| a == "--calibrate") {
        calibrate();
        return;
    }
    let stdin = std::io::stdin();
    let mut out = std::io::stdout().lock();
    for line in stdin.lock().lines() {
        let line = line.expect("stdin is readable");
        let answer = CryptoRequest::parse(line.as_bytes()).answer();
        out.write_all(&answer).unwrap();
        out.write_all(b"\n").unwrap();
        out.flush().unwrap();
    }
}

fn calibrate() {
    use base64::Engine as _;
    let b64 = |b: &[u8]| base64::engine::general_purpose::STANDARD.encode(b);
    let data = "";
    let fixture = |name: &str| {
        std::fs::read_to_string(format!(
            "{}/tests-data/crypto/{name}",
            env!("CARGO_MANIFEST_DIR")
        ))
        .unwrap()
    };
    let mb = b64(&vec![7u8; 700_000]);
    let mut cases: Vec<(String, String)> = Vec::new();
    for hash in ["md5", "sha1", "sha256", "sha512"] {
        cases.push((
            format!("digest {hash} 700 KB"),
            format!(r#"{{"op":"digest","hash":"{hash}","data":"{mb}"}}"#),
        ));
        cases.push((
            format!("digest {hash} empty"),
            format!(r#"{{"op":"digest","hash":"{hash}","data":"{data}"}}"#),
        ));
        cases.push((
            format!("pbkdf2 {hash} 100000"),
            format!(
                r#"{{"op":"pbkdf2","hash":"{hash}","password":"cGFzcw==","salt":"c2FsdA==","iterations":100000,"keylen":32}}"#
            ),
        ));
    }
    let key = b64(&[1u8; 32]);
    let iv = b64(&[2u8; 12]);
    let iv16 = b64(&[2u8; 16]);
    cases.push((
        "aes-256-gcm 700 KB".into(),
        format!(r#"{{"op":"aesGcm","key":"{key}","iv":"{iv}","offset":0,"data":"{mb}"}}"#),
    ));
    cases.push((
        "aes-256-gcm tag 700 KB".into(),
        format!(r#"{{"op":"aesGcmTag","key":"{key}","iv":"{iv}","aad":"","data":"{mb}"}}"#),
    ));
    cases.push((
        "aes-256-cbc 700 KB".into(),
        format!(r#"{{"op":"aesCbc","decrypt":false,"key":"{key}","iv":"{iv16}","data":"{mb}"}}"#),
    ));
    cases.push((
        "random 65536".into(),
        r#"{"op":"random","size":65536}"#.into(),
    ));
    for (name, alg, hash, key) in [
        (
            "RS256 sign",
            "RSASSA-PKCS1-v1_5",
            "sha256",
            "rsa2048.pkcs8.pem",
        ),
        ("PS256 sign", "RSA-PSS", "sha256", "rsa2048.pkcs1.pem"),
        ("ES256 sign", "ECDSA", "sha256", "p256.pkcs8.pem"),
        ("ES384 sign", "ECDSA", "sha384", "p384.pkcs8.pem"),
    ] {
        let pem = serde_json::to_string(&fixture(key)).unwrap();
        cases.push((
            name.into(),
            format!(
                r#"{{"op":"sign","algorithm":"{alg}","hash":"{hash}","key":{{"pem":{pem}}},"data":""}}"#
            ),
        ));
    }
    for (name, alg, hash, key, sig) in [
        (
            "RS256 verify",
            "RSASSA-PKCS1-v1_5",
            "sha256",
            "rsa2048.spki.pem",
            256,
        ),
        (
            "PS256 verify auto",
            "RSA-PSS",
            "sha256",
            "rsa2048.spki.pem",
            256,
        ),
        ("ES256 verify", "ECDSA", "sha256", "p256.spki.pem", 64),
        ("ES384 verify", "ECDSA", "sha384", "p384.spki.pem", 96),
    ] {
        let pem = serde_json::to_string(&fixture(key)).unwrap();
        let sig = b64(&vec![1u8; sig]);
        cases.push((
            name.into(),
            format!(
                r#"{{"op":"verify","algorithm":"{alg}","hash":"{hash}","key":{{"pem":{pem}}},"data":"","signature":"{sig}","dsaEncoding":"ieee-p1363"}}"#
            ),
        ));
    }
    let pem = serde_json::to_string(&fixture("rsa2048.pkcs1.pem")).unwrap();
    cases.push((
        "keyInfo rsa private".into(),
        format!(r#"{{"op":"keyInfo","key":{{"pem":{pem}}}}}"#),
    ));
    println!(
        "{:<24} {:>12} {:>14} {:>10}",
        "request", "ns", "fuel", "fuel/ns"
    );
    for (name, request) in cases {
        let mut best = f64::MAX;
        let mut fuel = 0;
        for _ in 0..5 {
            let start = Instant::now();
            let r = CryptoRequest::parse(request.as_bytes());
            fuel = r.fuel();
            let answer = r.answer();
            best = best.min(start.elapsed().as_nanos() as f64);
            assert!(
                !answer.starts_with(b"{\"error\""),
                "{name}: {}",
                String::from_utf8_lossy(&answer)
            );
        }
        println!(
            "{name:<24} {best:>12.0} {fuel:>14} {:>10.1}",
            fuel as f64 / best
        );
    }
}
