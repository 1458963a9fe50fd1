//! Known answers computed with Node 20 (the commands are beside each vector;
//! `kb` is `Buffer.alloc(1024).map((_, i) => i % 251)`, the fixtures under
//! `tests-data/crypto/` were made with `crypto.generateKeyPairSync` and
//! `openssl req -x509`).

use super::*;

fn ask(request: Value) -> Value {
    serde_json::from_slice(&answer(request.to_string().as_bytes())).unwrap()
}

fn kb() -> Vec<u8> {
    (0..1024).map(|i| (i % 251) as u8).collect()
}

fn b64e(bytes: &[u8]) -> String {
    STANDARD.encode(bytes)
}

fn fixture(name: &str) -> String {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/tests-data/crypto/");
    std::fs::read_to_string(format!("{path}{name}")).unwrap()
}

fn error_of(v: &Value) -> &str {
    v["error"]
        .as_str()
        .unwrap_or_else(|| panic!("not an error: {v}"))
}

#[test]
fn hmac_sha256_text_form_matches_rfc_4231_case_2() {
    // The prelude's form for api.redirect.encodeToken: unchanged answer.
    let out = ask(json!({"op": "hmac", "hash": "sha256", "key": "Jefe",
        "data": "what do ya want for nothing?", "encoding": "hex"}));
    assert_eq!(
        out,
        json!({"digest": "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"})
    );
}

#[test]
fn digests_match_node() {
    // node -e 'for (const h of ["md5","sha1","sha256","sha384","sha512"])
    //   console.log(h, crypto.createHash(h).update("").digest("hex"),
    //               crypto.createHash(h).update(kb).digest("hex"))'
    let cases = [
        (
            "md5",
            "d41d8cd98f00b204e9800998ecf8427e",
            "9ee0a0e0c0bc0f1ff29d663d1fdf0743",
        ),
        (
            "sha1",
            "da39a3ee5e6b4b0d3255bfef95601890afd80709",
            "0ac28084ff74933d05123496dafd3791684d9b53",
        ),
        (
            "sha256",
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
            "2bce1ba628720664be4b9fdd77aae0678e5f0f3f02fc6ff641ec879094f6a404",
        ),
        (
            "sha384",
            "38b060a751ac96384cd9327eb1b1e36a21fdb71114be07434c0cc7bf63f6e1da274edebfe76f65fbd51ad2f14898b95b",
            "bd7443454c828292bdc435a095d5f71aa8724ec2ff6a0e08d25a11e0e417c6a903f566e9bdbb7b6cbfbfdc55c53ac766",
        ),
        (
            "sha512",
            "cf83e1357eefb8bdf1542850d66d8007d620e4050b5715dc83f4a921d36ce9ce47d0d13c5d85f2b0ff8318d2877eec2f63b931bd47417a81a538327af927da3e",
            "9af3eed7e9dd11428bb922c6830c32065154532303781f8ea4f20792d616703884d564ebfd2bfa65faed8fc8fd91d9e1d3f12897fbb1e2247632db70ce30573e",
        ),
    ];
    for (hash, empty, one_kb) in cases {
        for (data, want) in [(vec![], empty), (kb(), one_kb)] {
            let out = ask(json!({"op": "digest", "hash": hash, "data": b64e(&data)}));
            let got = STANDARD.decode(out["digest"].as_str().unwrap()).unwrap();
            assert_eq!(hex::encode(got), want, "{hash} over {} bytes", data.len());
        }
    }
}

#[test]
fn hmac_with_a_binary_key_matches_node() {
    let key = [0u8, 1, 2, 0xff, 0xfe, 0x80, 0x7f, 0];
    // crypto.createHmac("sha512", key).update("hookbox").digest("base64")
    let out = ask(json!({"op": "hmac", "hash": "sha512", "key": b64e(&key),
        "keyEncoding": "base64", "data": "hookbox"}));
    assert_eq!(
        out["digest"],
        "khzozRPni4V58ViDXnvASFcMjBZEf8NYkfP4jwVid/+PfT4T1Z6fdNTRB08dnjF8ysMF6MZqnqmSzPQeapva+A=="
    );
    // crypto.createHmac("sha1", key).update(kb).digest("hex")
    let out = ask(
        json!({"op": "hmac", "hash": "sha1", "key": b64e(&key), "keyEncoding": "base64",
        "data": b64e(&kb()), "dataEncoding": "base64", "encoding": "hex"}),
    );
    assert_eq!(out["digest"], "38b71da74ca356296b3129fd8ddfecc9fd0dde95");
}

#[test]
fn pbkdf2_matches_node() {
    // crypto.pbkdf2Sync("password", "salt", 1000, 40, "sha256").toString("base64")
    let out = ask(
        json!({"op": "pbkdf2", "password": b64e(b"password"), "salt": b64e(b"salt"),
        "iterations": 1000, "keylen": 40, "hash": "sha256"}),
    );
    assert_eq!(
        out["bytes"],
        "YywoEuRtRgQQK6dhjp1tfS+BKPYma0oDJk0qBGC33LOIs7ETH3Qbyw=="
    );
    // crypto.pbkdf2Sync(Buffer.from([0xff, 0]), "NaCl", 3, 100, "sha512").toString("base64")
    let out = ask(
        json!({"op": "pbkdf2", "password": b64e(&[0xff, 0]), "salt": b64e(b"NaCl"),
        "iterations": 3, "keylen": 100, "hash": "sha512"}),
    );
    assert_eq!(
        out["bytes"],
        "iQd98pyjyxkzzngguuFLqu3xpbbatPt6vfOjR0lZSk8YVP/gr95kuTinSnDPb1ealVLetepTiJg5V4OgTz6gcIVtLyq4hFq63/c40KWkFqO+k1QiL3vpv27DtMJzLKJKQEYTcQ=="
    );
}

#[test]
fn random_bytes_are_fresh_and_bounded() {
    let a = ask(json!({"op": "random", "size": 32}));
    let b = ask(json!({"op": "random", "size": 32}));
    assert_eq!(
        STANDARD.decode(a["bytes"].as_str().unwrap()).unwrap().len(),
        32
    );
    assert_ne!(a, b);
    let out = ask(json!({"op": "random", "size": MAX_RANDOM_BYTES + 1}));
    assert!(error_of(&out).contains("size"), "{out}");
}

fn key32() -> Vec<u8> {
    (0..32).collect()
}
fn iv12() -> Vec<u8> {
    (100..112).collect()
}
fn iv16() -> Vec<u8> {
    (200..216).collect()
}

/// `{"op":"aesGcm"}` over `data` in pieces split at `cuts`, each piece at
/// its offset in the message; the pieces joined.
fn gcm_pieces(key: &[u8], iv: &[u8], data: &[u8], cuts: &[usize]) -> Vec<u8> {
    let mut out = Vec::new();
    let mut at = 0;
    for &end in cuts.iter().chain([data.len()].iter()) {
        let piece = ask(json!({"op": "aesGcm", "key": b64e(key), "iv": b64e(iv),
            "offset": at, "data": b64e(&data[at..end])}));
        out.extend(STANDARD.decode(piece["data"].as_str().unwrap()).unwrap());
        at = end;
    }
    out
}

#[test]
fn aes_gcm_in_pieces_matches_node_and_refuses_a_bad_tag() {
    // Node: const g = crypto.createCipheriv("aes-256-gcm", key32, iv12);
    // g.setAAD(Buffer.from("aad"));
    // Buffer.concat([g.update("hello gcm world"), g.final()]).toString("base64"),
    // g.getAuthTag().toString("base64")
    let msg = b"hello gcm world";
    for cuts in [&[][..], &[1, 5], &[3, 4, 14], &[15]] {
        let ct = gcm_pieces(&key32(), &iv12(), msg, cuts);
        assert_eq!(b64e(&ct), "IH6yChbJMf1TQiiHqAkO", "cut at {cuts:?}");
        // Decryption is the same keystream.
        assert_eq!(gcm_pieces(&key32(), &iv12(), &ct, cuts), msg);
    }
    let tag = |tag: Option<&str>| {
        let mut request = json!({"op": "aesGcmTag", "key": b64e(&key32()), "iv": b64e(&iv12()),
            "aad": b64e(b"aad"), "data": "IH6yChbJMf1TQiiHqAkO"});
        if let Some(tag) = tag {
            request["tag"] = json!(tag);
        }
        ask(request)
    };
    assert_eq!(tag(None), json!({"tag": "aSU87cyTLuxAGXvP1qNvYA=="}));
    assert_eq!(
        tag(Some("aSU87cyTLuxAGXvP1qNvYA==")),
        json!({"valid": true})
    );
    // A tag cut to 8 bytes authenticates as in Node (setAuthTag of 8 bytes).
    let full = STANDARD.decode("aSU87cyTLuxAGXvP1qNvYA==").unwrap();
    assert_eq!(tag(Some(&b64e(&full[..8]))), json!({"valid": true}));
    // Node: decipher.setAuthTag(Buffer.alloc(16)); decipher.final() throws
    // "Unsupported state or unable to authenticate data".
    assert_eq!(
        error_of(&tag(Some(&b64e(&[0; 16])))),
        "Unsupported state or unable to authenticate data"
    );
    assert_eq!(
        error_of(&tag(Some(&b64e(&[0; 5])))),
        "Invalid authentication tag length: 5"
    );
}

#[test]
fn aes_gcm_takes_ivs_of_any_length_and_an_empty_message_as_node() {
    // Node: const g = crypto.createCipheriv("aes-128-gcm", key32.subarray(0, 16), iv);
    // Buffer.concat([g.update("a message over two blocks long!!!"), g.final()]), g.getAuthTag()
    let msg = b"a message over two blocks long!!!";
    let cases: [(Vec<u8>, &str, &str); 3] = [
        (
            vec![7],
            "yLVaR2uIS+QhcOiQ9UUV8PmAEH6Wc+wDCI3w6flcA3Zi",
            "Y5ZuhHacRmTHp0gWtmVxqQ==",
        ),
        (
            iv16(),
            "fAgZEL3YfaQsQ1X3pdPrqOabiwAUG5zM2XY9VHMbn94R",
            "cxBpMAs8mjEh0GQ9m+Akfg==",
        ),
        (
            vec![5; 60],
            "GYCLHz/zUZpkX096kjMsyaW437W/EiP7dcYbTaQolRQU",
            "KmIytE6ZSM5ph9pHAccETA==",
        ),
    ];
    let key = &key32()[..16];
    for (iv, ct, tag) in cases {
        assert_eq!(b64e(&gcm_pieces(key, &iv, msg, &[16, 17])), ct, "iv {iv:?}");
        let out = ask(json!({"op": "aesGcmTag", "key": b64e(key), "iv": b64e(&iv),
            "aad": "", "data": ct}));
        assert_eq!(out, json!({"tag": tag}), "iv {iv:?}");
    }
    // aes-192-gcm, iv12, nothing encrypted: the tag of nothing.
    let out = ask(
        json!({"op": "aesGcmTag", "key": b64e(&key32()[..24]), "iv": b64e(&iv12()),
        "aad": "", "data": ""}),
    );
    assert_eq!(out, json!({"tag": "zQJZCCgUdaIVUZ4ETF772w=="}));
    let out = ask(json!({"op": "aesGcm", "key": b64e(key), "iv": "", "offset": 0, "data": ""}));
    assert_eq!(error_of(&out), "Invalid initialization vector");
    let out = ask(
        json!({"op": "aesGcm", "key": b64e(key), "iv": b64e(&iv12()),
        "offset": cipher::GCM_MAX_MESSAGE, "data": "AA=="}),
    );
    assert!(error_of(&out).contains("too long"), "{out}");
}

#[test]
fn aes_cbc_blocks_chain_as_node() {
    // Node: const e = crypto.createCipheriv("aes-256-cbc", key32, iv16);
    // e.setAutoPadding(false); Buffer.concat([e.update(Buffer.alloc(48, 7)), e.final()])
    let ct = "Ma6cTBfSJbTwB8u7ZEN1cJq7DZlxzbEQ2kMh5DwcL/v+P5LKbpZLP6Do9rb0c0LT";
    let cbc = |decrypt: bool, key: &[u8], iv: &[u8], data: &[u8]| {
        ask(
            json!({"op": "aesCbc", "decrypt": decrypt, "key": b64e(key), "iv": b64e(iv),
            "data": b64e(data)}),
        )
    };
    assert_eq!(cbc(false, &key32(), &iv16(), &[7; 48]), json!({"data": ct}));
    // The same in two calls, the second chained from the first's last block.
    let whole = STANDARD.decode(ct).unwrap();
    let first = cbc(false, &key32(), &iv16(), &[7; 16]);
    assert_eq!(first["data"], b64e(&whole[..16]));
    let rest = cbc(false, &key32(), &whole[..16], &[7; 32]);
    assert_eq!(rest["data"], b64e(&whole[16..]));
    assert_eq!(cbc(true, &key32(), &iv16(), &whole)["data"], b64e(&[7; 48]));
    // Node: aes-192-cbc, key32.subarray(0, 24), setAutoPadding(false), decipher 32 bytes of 7.
    assert_eq!(
        cbc(true, &key32()[..24], &iv16(), &[7; 32])["data"],
        "RQyIfqka1gU2E1oc+hPYH4rCRbJi0B/N4cWPyCnBCc8="
    );
    assert!(error_of(&cbc(false, &key32(), &iv16(), &[7; 15])).contains("whole 16-byte blocks"));
    assert_eq!(
        error_of(&cbc(false, &key32(), &iv12(), &[7; 16])),
        "Invalid initialization vector"
    );
    assert_eq!(
        error_of(&cbc(false, &key32()[..5], &iv16(), &[7; 16])),
        "Invalid key length"
    );
}

const DATA: &[u8] = b"signed by node";

fn verify(alg: &str, hash: &str, key: Value, sig: &str, extra: Value) -> Value {
    let mut req = json!({"op": "verify", "algorithm": alg, "hash": hash, "key": key,
        "data": b64e(DATA), "signature": sig});
    for (k, v) in extra.as_object().unwrap() {
        req[k] = v.clone();
    }
    ask(req)
}

// node -e 'const d = Buffer.from("signed by node"), k = fs.readFileSync(…);
//   crypto.sign("sha256", d, rsaPkcs8).toString("base64")'
const RS256: &str = "kVomYe/nKKeSOmAbktZ9uuL91xHnvN7hnWF9xicDJVoJe1NhOdlprdF4y87gl6/OehJhLm+rHr9aPVbXyezwSVTMtXSJRRjth9QtAtFfeiKl5CrzYgOJdd6GPjEL3hPME8SfvAZlwch+UU6NpWnnUtSttBxGxlz7w6TjekG0mVHuguWDUI9WPmiRXVW0jdK3xGDDR97HEAmI8Tx6b2L2Un/r9UMnWFSHUmPZewKV7Uly5fCswl5qiUkAYe+RsMrl76fXQWTYDoK6ooBJD2rEPaEP7v1wlMHDbdw1SbV0s4wJBuTCR/w3Uo6F+zfhELcHFcvLnbY9g6JL5OvkNeJ19w==";
// crypto.sign("sha256", d, {key: rsaPkcs8, padding: RSA_PKCS1_PSS_PADDING, saltLength: 32})
const PS256: &str = "KUSaOEVvmkmHV/lW9xQs3QYEfwwCwaPI75y+snvNV4z3rQe32TlG8rlEzchUcXodKchkeOrWp4t4yaR+0RSGAXfBhG1Hzs53c0UADd8UNOOGTk1+E0TujEk7qzSz8oPyy1zXU7wgJrNMx+QuSqBjJ75Deqv1PrNVI9Ouul5vbDvrsf7BpNroqAPBD5BZNzrGvemVX4wQdSIlfOhcUw0Vy5t6yu7YcIWpzWJmt8csyLHfiUHvk/QgSMwqQQ1hE+Q6YTtIUJo6Pb+7e2X2CJdhqyf35ROF7rfkG+PNNkoPCJgF7gw/mdp9vG1pWjx62NqPIM9iECcA1sOxBqYGANEJ+g==";
// crypto.sign("sha512", d, {key: rsaPkcs8, padding: RSA_PKCS1_PSS_PADDING}) (largest salt)
const PS512_MAX: &str = "lagUMqSv6+fMStLUtZj6gzmTxQbfQSRpazU7p9wNF0i/1SxG4wbQ2RxbXqgEYuU7fu2x+L0wagM76K65a+3d+5QkUquGONXMxyCPmUPd3z5KmNPYPz8IKrhJG9b/gYQnC2cTx/n5PkMDYG/LO/Eh/uXIbpd+r3OJRvAjKdhp6AuiOW+R7h9Rt/CqIr7NULt1iZHePGkUV/+56tyauIY9xcszIKjI5j4WZVoRqclser/G+UhzITWaCx0PPtEjvZe6J8u2bCmMFCTwB59jLtqHpD+euOXrcyREwH9IPBL2EKI4CjbQbYhSPTI6Dq+3iNSokLnukoR0Hf59E+V2dBrxQg==";
// crypto.sign("sha256", d, p256Pkcs8) / {key, dsaEncoding: "ieee-p1363"}; crypto.sign("sha384", d, p384Pkcs8)
const ES256_DER: &str = "MEUCIEDhseqqHFp756GHZD6n45Dxf7vcSUtCMcHE8G0YSBNNAiEA116qRFTYJW18FgW/iiTl8jpC0sWNAxz2dvHuB1ig+HE=";
const ES256_P1363: &str =
    "P6/+ubX9EkcmEWfXbwaBloeMxhRGA31dmxxtm7B1Nn1IMuHQIf4CnwzAb21tTO55oTYWhm1Gk6S8oe7uoL4/EA==";
const ES384_DER: &str = "MGQCMD9eqwY7xiFA1gliurWzoYTNDi40AoAHfjiB5+4cLbZkX+gkZQSXTATI740I7+8UvwIwA7qjtgfRASzNjhH7embBFIvFJrZFv5G+yyF4gLHlmqALui+ToyNBD196Cp3v9FII";

fn pem(name: &str) -> Value {
    json!({"pem": fixture(name)})
}

#[test]
fn node_made_signatures_verify_with_every_key_form() {
    let rsa_keys = [
        pem("rsa2048.spki.pem"),
        pem("rsa2048.pkcs1pub.pem"),
        pem("rsa2048.cert.pem"),
        pem("rsa2048.pkcs8.pem"),
        pem("rsa2048.pkcs1.pem"),
        json!({"jwk": serde_json::from_str::<Value>(&fixture("rsa2048.jwk.json")).unwrap()}),
    ];
    for key in rsa_keys {
        let ok =
            |alg, hash, sig, extra| verify(alg, hash, key.clone(), sig, extra)["valid"] == true;
        assert!(ok("RSASSA-PKCS1-v1_5", "sha256", RS256, json!({})), "{key}");
        assert!(
            ok("RSA-PSS", "sha256", PS256, json!({"saltLength": 32})),
            "{key}"
        );
        assert!(ok("RSA-PSS", "sha256", PS256, json!({})), "auto salt {key}");
        assert!(
            ok("RSA-PSS", "sha512", PS512_MAX, json!({})),
            "auto salt {key}"
        );
        assert!(
            !ok("RSASSA-PKCS1-v1_5", "sha384", RS256, json!({})),
            "{key}"
        );
        assert!(
            !ok("RSA-PSS", "sha256", PS256, json!({"saltLength": 20})),
            "{key}"
        );
    }
    for key in [
        pem("p256.spki.pem"),
        pem("p256.pkcs8.pem"),
        pem("p256.sec1.pem"),
        json!({"jwk": serde_json::from_str::<Value>(&fixture("p256.jwk.json")).unwrap()}),
    ] {
        assert_eq!(
            verify("ECDSA", "sha256", key.clone(), ES256_DER, json!({})),
            json!({"valid": true})
        );
        assert_eq!(
            verify(
                "ECDSA",
                "sha256",
                key.clone(),
                ES256_P1363,
                json!({"dsaEncoding": "ieee-p1363"})
            ),
            json!({"valid": true})
        );
        // The wrong encoding is a malformed signature: false, as in Node.
        assert_eq!(
            verify("ECDSA", "sha256", key, ES256_P1363, json!({})),
            json!({"valid": false})
        );
    }
    for key in [
        pem("p384.spki.pem"),
        pem("p384.sec1.pem"),
        pem("p384.pkcs8.pem"),
    ] {
        assert_eq!(
            verify("ECDSA", "sha384", key, ES384_DER, json!({})),
            json!({"valid": true})
        );
    }
}

#[test]
fn our_signatures_verify_and_pkcs1_v1_5_equals_node_byte_for_byte() {
    let sign = |alg: &str, hash: &str, key: &str, extra: Value| {
        let mut req = json!({"op": "sign", "algorithm": alg, "hash": hash, "key": pem(key),
            "data": b64e(DATA)});
        for (k, v) in extra.as_object().unwrap() {
            req[k] = v.clone();
        }
        ask(req)["signature"].as_str().unwrap().to_string()
    };
    // PKCS#1 v1.5 is deterministic: the same bytes as Node's.
    assert_eq!(
        sign(
            "RSASSA-PKCS1-v1_5",
            "sha256",
            "rsa2048.pkcs1.pem",
            json!({})
        ),
        RS256
    );
    let pss = sign(
        "RSA-PSS",
        "sha256",
        "rsa2048.pkcs8.pem",
        json!({"saltLength": -1}),
    );
    assert_eq!(
        verify(
            "RSA-PSS",
            "sha256",
            pem("rsa2048.spki.pem"),
            &pss,
            json!({"saltLength": 32})
        ),
        json!({"valid": true})
    );
    let es = sign(
        "ECDSA",
        "sha256",
        "p256.sec1.pem",
        json!({"dsaEncoding": "ieee-p1363"}),
    );
    assert_eq!(STANDARD.decode(&es).unwrap().len(), 64);
    assert_eq!(
        verify(
            "ECDSA",
            "sha256",
            pem("p256.spki.pem"),
            &es,
            json!({"dsaEncoding": "ieee-p1363"})
        ),
        json!({"valid": true})
    );
    let es = sign("ECDSA", "sha384", "p384.pkcs8.pem", json!({}));
    assert_eq!(
        verify("ECDSA", "sha384", pem("p384.spki.pem"), &es, json!({})),
        json!({"valid": true})
    );
}

#[test]
fn key_info_tells_what_node_keyobject_does() {
    let info = ask(json!({"op": "keyInfo", "key": pem("rsa2048.pkcs1.pem")}));
    assert_eq!(info["type"], "private");
    assert_eq!(info["asymmetricKeyType"], "rsa");
    assert_eq!(info["modulusLength"], 2048);
    assert_eq!(info["publicExponent"], 65537);
    // The JWK is Node's `privateKey.export({format: "jwk"})`.
    let jwk: Value = serde_json::from_str(&fixture("rsa2048.jwk.json")).unwrap();
    for member in ["kty", "n", "e", "d", "p", "q", "dp", "dq", "qi"] {
        assert_eq!(info["jwk"][member], jwk[member], "{member}");
    }
    let public = ask(json!({"op": "keyInfo", "key": pem("rsa2048.pkcs8.pem"), "public": true}));
    assert_eq!(public["type"], "public");
    assert!(public.get("pkcs8").is_none());
    let spki_der: String = fixture("rsa2048.spki.pem")
        .lines()
        .filter(|l| !l.starts_with("-----"))
        .collect();
    assert_eq!(public["spki"], spki_der);
    let ec = ask(json!({"op": "keyInfo", "key": pem("p384.sec1.pem")}));
    assert_eq!(ec["namedCurve"], "secp384r1");
    let jwk: Value = serde_json::from_str(&fixture("p384.jwk.json")).unwrap();
    assert_eq!(ec["jwk"], jwk);
}

#[test]
fn bad_requests_are_answers_that_name_the_problem() {
    let cases = [
        (
            json!({"op": "digest", "hash": "md4", "data": ""}),
            "\"md4\"",
        ),
        (
            json!({"op": "hmac", "hash": "md4", "key": "", "data": "", "encoding": "hex"}),
            "md4",
        ),
        (
            json!({"op": "digest", "hash": "sha256", "data": "*"}),
            "\"data\"",
        ),
        (json!({"op": "sign"}), "unreadable"),
        (
            json!({"op": "pbkdf2", "password": "", "salt": "", "iterations": 0, "keylen": 1,
            "hash": "sha1"}),
            "iterations",
        ),
        (
            json!({"op": "aesCbc", "decrypt": false, "key": "", "iv": "", "data": "",
            "padding": true}),
            "unknown field `padding`",
        ),
        (
            json!({"op": "sign", "algorithm": "RSASSA-PKCS1-v1_5", "hash": "sha256",
            "key": {"pem": "-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n"},
            "data": ""}),
            "SPKI",
        ),
        (
            json!({"op": "sign", "algorithm": "RSASSA-PKCS1-v1_5", "hash": "sha256",
            "key": {"pem": "not a key"}, "data": ""}),
            "PEM",
        ),
        (
            json!({"op": "sign", "algorithm": "RSASSA-PKCS1-v1_5", "hash": "sha256",
            "key": pem("rsa2048.spki.pem"), "data": ""}),
            "private key",
        ),
        (
            json!({"op": "sign", "algorithm": "ECDSA", "hash": "sha256",
            "key": pem("rsa2048.pkcs8.pem"), "data": ""}),
            "rsa key",
        ),
        (
            json!({"op": "verify", "algorithm": "Ed25519", "hash": "sha256",
            "key": pem("rsa2048.spki.pem"), "data": "", "signature": ""}),
            "Ed25519",
        ),
        (
            json!({"op": "keyInfo", "key": {"jwk": {"kty": "OKP"}}}),
            "OKP",
        ),
    ];
    for (request, needle) in cases {
        let out = ask(request.clone());
        assert!(error_of(&out).contains(needle), "{request} -> {out}");
    }
    let big = format!(
        r#"{{"op":"digest","hash":"sha256","data":"{}"}}"#,
        "A".repeat(MAX_CRYPTO_REQUEST_BYTES)
    );
    let out: Value = serde_json::from_slice(&answer(big.as_bytes())).unwrap();
    assert!(error_of(&out).contains("over the limit"), "{out}");
    let out = serde_json::from_slice::<Value>(&answer(b"\xff")).unwrap();
    assert!(out["error"].is_string(), "{out}");
}

#[test]
fn every_request_is_priced_by_its_work() {
    let price = |v: Value| CryptoRequest::parse(v.to_string().as_bytes()).fuel();
    let pbkdf2 = |iterations: u64| {
        price(
            json!({"op": "pbkdf2", "password": "", "salt": "", "iterations": iterations,
            "keylen": 32, "hash": "sha256"}),
        )
    };
    // Linear in the iterations, and OWASP's 600,000 fits one request.
    assert!(pbkdf2(200_000) > 900_000_000 && pbkdf2(200_000) < 2 * pbkdf2(100_000));
    let owasp = CryptoRequest::parse(
        json!({"op": "pbkdf2", "password": "", "salt": "", "iterations": 600_000,
            "keylen": 32, "hash": "sha256"})
        .to_string()
        .as_bytes(),
    );
    assert!(owasp.fuel() <= MAX_CRYPTO_REQUEST_FUEL);
    assert!(serde_json::from_slice::<Value>(&owasp.answer()).unwrap()["bytes"].is_string());
    // 10,000,000 iterations is refused whatever the budget (unmetered engines).
    let big = json!({"op": "pbkdf2", "password": "", "salt": "", "iterations": 10_000_000,
        "keylen": 32, "hash": "sha256"});
    assert!(error_of(&ask(big)).contains("over the limit of"));
    // Hashing a megabyte costs more than an empty hash; an RSA signature more
    // than an ECDSA one, which costs more than a digest.
    let digest =
        |n: usize| price(json!({"op": "digest", "hash": "sha256", "data": b64e(&vec![0; n])}));
    assert!(digest(700_000) > 100 * digest(0));
    let sign = |key: &str, alg: &str| {
        price(
            json!({"op": "sign", "algorithm": alg, "hash": "sha256", "key": pem(key), "data": ""}),
        )
    };
    assert!(sign("rsa2048.pkcs8.pem", "RSASSA-PKCS1-v1_5") > sign("p256.pkcs8.pem", "ECDSA"));
    assert!(sign("p256.pkcs8.pem", "ECDSA") > 10 * digest(0));
}
