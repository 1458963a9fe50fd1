// Tests guest-sdk/js/crypto.js under Node against the real host ops: each
// request goes to `target/debug/examples/host_call` (crates/hookbox-engine/
// examples/host_call.rs), and each result is compared with Node's own crypto
// for the same inputs. Run by `make crypto-js-test`, which builds the example
// and installs npm `buffer` (and jsonwebtoken, to test what it calls) first.
//   node guest-sdk/js/crypto.test.js <host_call binary> <node_modules dir>
"use strict";

const fs = require("fs");
const path = require("path");
const vm = require("vm");
const Module = require("module");
const { spawnSync } = require("child_process");
const nodeCrypto = require("crypto");

const [bin, modules] = process.argv.slice(2);
if (!bin || !modules) {
  console.error("usage: node crypto.test.js <host_call binary> <node_modules dir>");
  process.exit(2);
}
const npmRequire = Module.createRequire(path.join(path.resolve(modules), "x.js"));
const { Buffer: NpmBuffer } = npmRequire("buffer");

// One host process per run would need a synchronous pipe; a process per
// request is simple and fast enough for these tests.
let hostRequests = 0;
function hostCall(request) {
  hostRequests++;
  const r = spawnSync(bin, [], { input: request + "\n", maxBuffer: 64 << 20 });
  if (r.status !== 0) throw new Error("host_call failed: " + r.stderr);
  return r.stdout.toString().trim();
}

const source = fs.readFileSync(path.join(__dirname, "crypto.js"), "utf8");
const context = vm.createContext({ ArrayBuffer, Promise, Symbol, BigInt, Object, Math, JSON, Number, Error, TypeError, RangeError });
const factory = vm.runInContext(source, context, { filename: "crypto.js" });
const { crypto, webcrypto } = factory(hostCall, NpmBuffer);

const fixtures = path.join(__dirname, "../../crates/hookbox-engine/tests-data/crypto");
const fixture = (name) => fs.readFileSync(path.join(fixtures, name), "utf8");

let passed = 0;
let failed = 0;
const pending = [];
function test(name, fn) {
  pending.push([name, fn]);
}
function eq(actual, expected, what) {
  const a = Buffer.isBuffer(actual) || NpmBuffer.isBuffer(actual) ? "buf:" + Buffer.from(actual).toString("hex") : JSON.stringify(actual);
  const e = Buffer.isBuffer(expected) || NpmBuffer.isBuffer(expected) ? "buf:" + Buffer.from(expected).toString("hex") : JSON.stringify(expected);
  if (a !== e) throw new Error((what || "value") + ": expected " + e + ", got " + a);
}
function throwsLike(fn, expected) {
  let ours;
  try {
    fn(crypto);
  } catch (e) {
    ours = e;
  }
  let theirs;
  try {
    fn(nodeCrypto);
  } catch (e) {
    theirs = e;
  }
  if (!ours) throw new Error("ours did not throw");
  if (expected !== undefined) theirs = expected;
  if (!theirs) throw new Error("Node did not throw");
  eq(ours.message, theirs.message, "message");
  eq(ours.code, theirs.code, "code");
  eq(ours.name, theirs.name, "name");
}

const kb = Buffer.alloc(1024).map((_, i) => i % 251);
const HASHES = ["md5", "sha1", "sha256", "sha384", "sha512"];

test("createHash over strings, encodings and views, every digest encoding", () => {
  for (const h of HASHES) {
    for (const enc of ["hex", "base64", "base64url", "latin1", undefined]) {
      const ours = crypto.createHash(h).update("héllo").update("68656c6c6f", "hex").update(new Uint8Array(kb)).digest(enc);
      const node = nodeCrypto.createHash(h).update("héllo").update("68656c6c6f", "hex").update(new Uint8Array(kb)).digest(enc);
      eq(enc === undefined ? Buffer.from(ours) : ours, node, h + " " + enc);
    }
  }
  eq(crypto.createHash("RSA-SHA256").digest("hex"), nodeCrypto.createHash("sha256").digest("hex"));
  const h = crypto.createHash("sha256").update("a");
  const c = h.copy().update("b");
  eq(h.digest("hex"), nodeCrypto.createHash("sha256").update("a").digest("hex"), "original");
  eq(c.digest("hex"), nodeCrypto.createHash("sha256").update("ab").digest("hex"), "copy");
  throwsLike((c) => c.createHash("foo"));
  throwsLike((c) => {
    const x = c.createHash("sha1");
    x.digest();
    x.update("x");
  });
});

test("createHmac with binary keys and KeyObjects", () => {
  const key = Buffer.from([0, 1, 2, 0xff, 0xfe, 0x80]);
  for (const h of HASHES) {
    eq(crypto.createHmac(h, key).update(kb).digest("base64"), nodeCrypto.createHmac(h, key).update(kb).digest("base64"), h);
  }
  const ours = crypto.createHmac("sha256", crypto.createSecretKey(key)).update("x").digest("hex");
  eq(ours, nodeCrypto.createHmac("sha256", key).update("x").digest("hex"), "KeyObject");
  eq(crypto.createHmac("sha256", "text key").update("x").digest("hex"), nodeCrypto.createHmac("sha256", "text key").update("x").digest("hex"));
  throwsLike((c) => c.createHmac("foo", "k"));
});

test("random bytes, UUIDs, ints", async () => {
  eq(crypto.randomBytes(100000).length, 100000, "randomBytes length");
  const viaCallback = await new Promise((res, rej) => crypto.randomBytes(8, (e, b) => (e ? rej(e) : res(b))));
  eq(viaCallback.length, 8, "callback");
  if (!/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/.test(crypto.randomUUID())) throw new Error("uuid");
  for (let i = 0; i < 20; i++) {
    const n = crypto.randomInt(5, 10);
    if (!(n >= 5 && n < 10)) throw new Error("randomInt " + n);
  }
  throwsLike((c) => c.randomInt(0));
  throwsLike((c) => c.randomBytes(-1));
  const arr = webcrypto.getRandomValues(new Uint32Array(4));
  if (arr.every((x) => x === 0)) throw new Error("getRandomValues");
});

test("timingSafeEqual", () => {
  eq(crypto.timingSafeEqual(Buffer.from("abc"), Buffer.from("abc")), true);
  eq(crypto.timingSafeEqual(Buffer.from("abc"), Buffer.from("abd")), false);
  throwsLike((c) => c.timingSafeEqual(Buffer.alloc(1), Buffer.alloc(2)));
});

test("pbkdf2 and pbkdf2Sync", async () => {
  for (const h of HASHES) {
    eq(crypto.pbkdf2Sync("password", "salt", 1000, 70, h), nodeCrypto.pbkdf2Sync("password", "salt", 1000, 70, h), h);
  }
  const viaCallback = await new Promise((res, rej) => crypto.pbkdf2(Buffer.from([1, 2]), "s", 10, 16, "sha512", (e, k) => (e ? rej(e) : res(k))));
  eq(viaCallback, nodeCrypto.pbkdf2Sync(Buffer.from([1, 2]), "s", 10, 16, "sha512"));
  throwsLike((c) => c.pbkdf2Sync("a", "b", 1, 1));
  throwsLike((c) => c.pbkdf2Sync("a", "b", 1, 1, "foo"));
});

test("AES-GCM and AES-CBC match Node, with Node's errors", () => {
  const key = Buffer.alloc(32).map((_, i) => i);
  const iv12 = Buffer.alloc(12, 9);
  const iv16 = Buffer.alloc(16, 3);
  for (const bits of [128, 192, 256]) {
    const k = key.subarray(0, bits / 8);
    const run = (c) => {
      const x = c.createCipheriv("aes-" + bits + "-gcm", k, iv12);
      x.setAAD(Buffer.from("header"));
      const out = x.update("secret message", "utf8", "hex") + x.final("hex");
      return [out, x.getAuthTag().toString("hex")];
    };
    const [ct, tag] = run(crypto);
    eq([ct, tag], run(nodeCrypto), "gcm " + bits);
    const d = crypto.createDecipheriv("aes-" + bits + "-gcm", k, iv12);
    d.setAAD(Buffer.from("header"));
    d.setAuthTag(Buffer.from(tag, "hex"));
    eq(d.update(ct, "hex", "utf8") + d.final("utf8"), "secret message", "gcm decrypt");
    const cbc = (c, pad) => {
      const x = c.createCipheriv("aes-" + bits + "-cbc", k, iv16);
      if (!pad) x.setAutoPadding(false);
      return Buffer.concat([x.update(pad ? kb.subarray(0, 100) : kb), x.final()]);
    };
    eq(cbc(crypto, true), cbc(nodeCrypto, true), "cbc " + bits);
    eq(cbc(crypto, false), cbc(nodeCrypto, false), "cbc nopad " + bits);
    const dec = crypto.createDecipheriv("aes-" + bits + "-cbc", k, iv16);
    eq(Buffer.concat([dec.update(cbc(nodeCrypto, true)), dec.final()]), kb.subarray(0, 100), "cbc decrypt");
  }
  throwsLike((c) => {
    const d = c.createDecipheriv("aes-256-gcm", key, iv12);
    d.setAuthTag(Buffer.alloc(16));
    d.update(Buffer.from("abc"));
    d.final();
  });
  throwsLike((c) => {
    const d = c.createDecipheriv("aes-256-cbc", key, iv16);
    d.update(Buffer.alloc(16));
    d.final();
  });
  throwsLike((c) => {
    const d = c.createCipheriv("aes-256-cbc", key, iv16);
    d.setAutoPadding(false);
    d.update(Buffer.alloc(15));
    d.final();
  });
  throwsLike((c) => c.createCipheriv("aes-256-cbc", key.subarray(0, 5), iv16));
  throwsLike((c) => c.createCipheriv("aes-256-cbc", key, iv12));
  throwsLike((c) => c.createCipheriv("aes-256-ecx", key, iv16));
  throwsLike((c) => c.createCipheriv("aes-256-gcm", key, iv12).getAuthTag());
  throwsLike((c) => c.createDecipheriv("aes-256-gcm", key, iv12).setAuthTag(Buffer.alloc(3)));
});

// Every update's output, and final's, beside Node's for the same calls: the
// input cut in uneven pieces (some empty), as strings and buffers, with
// output encodings whose characters and base64 groups straddle the pieces.
test("Cipheriv/Decipheriv stream every update as Node's does", () => {
  let seed = 20240611;
  const random = (n) => {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    return seed % n;
  };
  // Cut points of a length, pieces of 0 to 37 units.
  const cuts = (length) => {
    const out = [];
    for (let at = 0; at < length; ) {
      const n = Math.min(length - at, random(38));
      out.push([at, at + n]);
      at += n;
    }
    return out;
  };
  const text = "héllo wörld ✓ — streaming ciphers, 𝄞 and more, ".repeat(3);
  const key = Buffer.alloc(32).map((_, i) => 255 - i);
  const show = (v) => (typeof v === "string" ? "str:" + v : "buf:" + Buffer.from(v).toString("hex"));
  // Runs the calls on one implementation: every output, or the error.
  const run = (c, decrypt, algorithm, iv, pieces, inEnc, outEnc, setup) => {
    const out = [];
    try {
      const x = decrypt ? c.createDecipheriv(algorithm, key.subarray(0, Number(algorithm.split("-")[1]) / 8), iv) : c.createCipheriv(algorithm, key.subarray(0, Number(algorithm.split("-")[1]) / 8), iv);
      if (setup) setup(x);
      for (const p of pieces) out.push(show(x.update(p, inEnc, outEnc)));
      out.push(show(x.final(outEnc)));
      if (!decrypt && algorithm.endsWith("gcm")) out.push(show(x.getAuthTag()));
    } catch (e) {
      out.push("error:" + e.name + ":" + e.code + ":" + e.message);
    }
    return out;
  };
  let cases = 0;
  for (const algorithm of ["aes-256-cbc", "aes-128-cbc", "aes-256-gcm", "aes-192-gcm"]) {
    const gcm = algorithm.endsWith("gcm");
    for (const iv of gcm ? [Buffer.alloc(12, 5), Buffer.alloc(7, 1)] : [Buffer.alloc(16, 5)]) {
      for (const padding of gcm ? [true] : [true, false]) {
        const setup = (x) => {
          if (!padding) x.setAutoPadding(false);
          if (gcm) x.setAAD(Buffer.from("header")).setAAD(Buffer.from(" more"));
        };
        // Without padding the message must be whole blocks: 96 bytes of it.
        const plainBytes = padding ? Buffer.from(text) : Buffer.from(text).subarray(0, 96);
        const chars = Array.from(text);
        for (const [inEnc, outEnc] of [[undefined, undefined], ["utf8", "base64"], ["utf8", "hex"], ["utf8", "latin1"], [undefined, "base64url"]]) {
          // Encrypt: string pieces cut between characters, or buffer pieces between bytes.
          const pieces = inEnc && padding
            ? cuts(chars.length).map(([a, b]) => chars.slice(a, b).join(""))
            : cuts(plainBytes.length).map(([a, b]) => plainBytes.subarray(a, b));
          const ours = run(crypto, false, algorithm, iv, pieces, inEnc, outEnc, setup);
          const node = run(nodeCrypto, false, algorithm, iv, pieces, inEnc, outEnc, setup);
          eq(ours, node, algorithm + " encrypt " + inEnc + "/" + outEnc + " padding " + padding);
          cases++;
        }
        // Decrypt Node's ciphertext, cut anywhere, as hex strings and
        // buffers, into UTF-8 text whose characters straddle the cuts.
        const c = nodeCrypto.createCipheriv(algorithm, key.subarray(0, Number(algorithm.split("-")[1]) / 8), iv);
        setup(c);
        const ct = Buffer.concat([c.update(plainBytes), c.final()]);
        const withTag = (x) => {
          setup(x);
          if (gcm) x.setAuthTag(c.getAuthTag());
        };
        for (const [inEnc, outEnc] of [[undefined, undefined], ["hex", "utf8"], [undefined, "utf8"], [undefined, "base64"], ["hex", "ucs2"]]) {
          const pieces = inEnc === "hex" ? cuts(ct.length).map(([a, b]) => ct.subarray(a, b).toString("hex")) : cuts(ct.length).map(([a, b]) => ct.subarray(a, b));
          eq(run(crypto, true, algorithm, iv, pieces, inEnc, outEnc, withTag), run(nodeCrypto, true, algorithm, iv, pieces, inEnc, outEnc, withTag), algorithm + " decrypt " + inEnc + "/" + outEnc + " padding " + padding);
          cases++;
        }
        // A wrong tag or padding fails at final, after the updates gave their bytes.
        const tampered = Buffer.from(ct);
        tampered[tampered.length - 1] ^= 1;
        const pieces = cuts(tampered.length).map(([a, b]) => tampered.subarray(a, b));
        eq(run(crypto, true, algorithm, iv, pieces, undefined, undefined, withTag), run(nodeCrypto, true, algorithm, iv, pieces, undefined, undefined, withTag), algorithm + " tampered");
      }
    }
  }
  if (cases < 40) throw new Error("only " + cases + " cases ran");
  // Node's rules between the calls.
  const iv16 = Buffer.alloc(16, 3);
  const iv12 = Buffer.alloc(12, 3);
  for (const fn of [
    (c) => c.createCipheriv("aes-256-cbc", key, iv16).setAutoPadding().update(Buffer.alloc(20)) && null,
    (c) => {
      const x = c.createCipheriv("aes-256-cbc", key, iv16);
      x.setAutoPadding();
      x.update(Buffer.alloc(20));
      return x.final();
    },
    (c) => {
      const x = c.createCipheriv("aes-256-cbc", key, iv16);
      x.update("x");
      x.final();
      return x.update("y");
    },
    (c) => c.createCipheriv("aes-256-cbc", key, iv16).update("abc", "hex"),
    (c) => {
      const x = c.createCipheriv("aes-256-cbc", key, iv16);
      x.update("0123456789abcdef0123", "utf8", "hex");
      return x.update("y", "utf8", "base64");
    },
    (c) => c.createCipheriv("aes-256-cbc", key, iv16).update("y", "utf8", "bogus"),
    (c) => c.createCipheriv("aes-256-cbc", key, iv16).update(new ArrayBuffer(3)),
    (c) => c.createCipheriv("aes-256-cbc", key, iv16).setAAD(Buffer.from("x")),
    (c) => {
      const x = c.createCipheriv("aes-256-gcm", key, iv12);
      x.update("data");
      return x.setAAD(Buffer.from("late"));
    },
    (c) => {
      const x = c.createCipheriv("aes-256-gcm", key, iv12);
      x.update("");
      x.setAAD(Buffer.from("after an empty update"));
      return [x.update("data", "utf8", "hex"), x.final("hex"), x.getAuthTag().toString("hex")];
    },
    (c) => {
      const x = c.createCipheriv("aes-256-gcm", key, iv12, { authTagLength: 8 });
      return [x.update("data", "utf8", "hex"), x.final("hex"), x.getAuthTag().toString("hex")];
    },
    (c) => c.createCipheriv("aes-256-gcm", key, iv12, { authTagLength: 5 }),
    (c) => c.createCipheriv("aes-256-gcm", key, iv12, { authTagLength: "16" }),
    (c) => c.createDecipheriv("aes-256-gcm", key, iv12, { authTagLength: 8 }).setAuthTag(Buffer.alloc(16)),
    (c) => {
      const x = c.createDecipheriv("aes-256-gcm", key, iv12);
      x.setAuthTag(Buffer.alloc(8));
      return [x.update("data", "utf8", "hex"), x.final()];
    },
    (c) => {
      const x = c.createCipheriv("aes-256-gcm", key, iv12);
      x.update("data");
      return x.getAuthTag();
    },
    (c) => {
      const x = c.createDecipheriv("aes-256-gcm", key, iv12);
      x.setAuthTag(Buffer.alloc(16));
      return x.setAuthTag(Buffer.alloc(16));
    },
    (c) => {
      const x = c.createCipheriv("aes-256-gcm", key, iv12);
      x.final();
      return x.final();
    },
    (c) => typeof c.createCipheriv("aes-256-gcm", key, iv12).setAuthTag + typeof c.createDecipheriv("aes-256-gcm", key, iv12).getAuthTag,
  ]) {
    const settle = (c) => {
      try {
        const v = fn(c);
        return v && v.setAutoPadding ? "a cipher" : JSON.stringify(v === undefined ? null : v, (k, x) => (x && x.type === "Buffer" ? "buf:" + Buffer.from(x.data).toString("hex") : x));
      } catch (e) {
        return "error:" + e.name + ":" + e.code + ":" + e.message;
      }
    };
    eq(settle(crypto), settle(nodeCrypto), fn.toString());
  }
});

const data = Buffer.from("payload to sign");
const PEMS = {
  rsa: ["rsa2048.pkcs8.pem", "rsa2048.spki.pem"],
  p256: ["p256.pkcs8.pem", "p256.spki.pem"],
  p384: ["p384.sec1.pem", "p384.spki.pem"],
};

test("sign/verify both ways with Node, every key form", () => {
  const cases = [
    ["RSA-SHA256", "rsa", {}],
    ["sha512", "rsa", {}],
    ["RSA-SHA256", "rsa", { padding: nodeCrypto.constants.RSA_PKCS1_PSS_PADDING, saltLength: nodeCrypto.constants.RSA_PSS_SALTLEN_DIGEST }],
    ["sha384", "rsa", { padding: nodeCrypto.constants.RSA_PKCS1_PSS_PADDING }],
    ["RSA-SHA256", "p256", {}],
    ["sha256", "p256", { dsaEncoding: "ieee-p1363" }],
    ["sha384", "p384", {}],
  ];
  for (const [alg, kind, opts] of cases) {
    const [priv, pub] = PEMS[kind].map(fixture);
    const what = alg + " " + kind + " " + JSON.stringify(opts);
    const ours = crypto.createSign(alg).update(data).sign(Object.assign({ key: priv }, opts), "base64");
    eq(nodeCrypto.createVerify(alg).update(data).verify(Object.assign({ key: pub }, opts), ours, "base64"), true, "Node verifies ours: " + what);
    const theirs = nodeCrypto.sign(alg, data, Object.assign({ key: priv }, opts));
    eq(crypto.verify(alg, data, Object.assign({ key: pub }, opts), theirs), true, "we verify Node's: " + what);
    eq(crypto.createVerify(alg).update(data).verify(Object.assign({ key: crypto.createPublicKey(priv) }, opts), theirs), true, "KeyObject: " + what);
    eq(crypto.verify(alg, Buffer.from("other"), Object.assign({ key: pub }, opts), theirs), false, "tampered: " + what);
  }
  // RSASSA-PKCS1-v1_5 is deterministic: byte for byte Node's.
  const rsa = fixture("rsa2048.pkcs1.pem");
  eq(crypto.sign("sha256", data, rsa), nodeCrypto.sign("sha256", data, rsa), "pkcs1 v1.5 bytes");
  eq(crypto.verify("sha256", data, { key: JSON.parse(fixture("p256.jwk.json")), format: "jwk" }, nodeCrypto.sign("sha256", data, fixture("p256.pkcs8.pem"))), true, "jwk");
  const der = nodeCrypto.createPublicKey(fixture("rsa2048.spki.pem")).export({ format: "der", type: "spki" });
  eq(crypto.verify("sha256", data, { key: der, format: "der", type: "spki" }, nodeCrypto.sign("sha256", data, rsa)), true, "der");
  eq(crypto.verify("sha256", data, fixture("rsa2048.cert.pem"), nodeCrypto.sign("sha256", data, rsa)), true, "certificate");
});

test("KeyObject properties and exports match Node", () => {
  for (const name of ["rsa2048.pkcs1.pem", "rsa2048.pkcs8.pem", "p256.sec1.pem", "p384.pkcs8.pem"]) {
    const pem = fixture(name);
    const [ours, node] = [crypto, nodeCrypto].map((c) => c.createPrivateKey(pem));
    eq(ours.type, node.type, "type");
    eq(ours.asymmetricKeyType, node.asymmetricKeyType, "asymmetricKeyType");
    eq(String(Object.entries(ours.asymmetricKeyDetails)), String(Object.entries(node.asymmetricKeyDetails)), "details");
    eq(ours.export({ format: "pem", type: "pkcs8" }), node.export({ format: "pem", type: "pkcs8" }), "pkcs8 " + name);
    eq(ours.export({ format: "jwk" }), node.export({ format: "jwk" }), "jwk " + name);
    const [pubOurs, pubNode] = [crypto.createPublicKey(pem), nodeCrypto.createPublicKey(pem)];
    eq(pubOurs.type, "public");
    eq(pubOurs.export({ format: "pem", type: "spki" }), pubNode.export({ format: "pem", type: "spki" }), "spki " + name);
    eq(Buffer.from(pubOurs.export({ format: "der", type: "spki" })), pubNode.export({ format: "der", type: "spki" }), "spki der");
  }
  const secret = crypto.createSecretKey(Buffer.from("k"));
  eq([secret.type, secret.symmetricKeySize], ["secret", 1]);
  if (!(crypto.createPublicKey(fixture("p256.spki.pem")) instanceof crypto.KeyObject)) throw new Error("instanceof");
  throwsLike((c) => c.createPublicKey("secret"));
  throwsLike((c) => c.createPrivateKey(fixture("p256.spki.pem")));
});

test("jsonwebtoken 9 signs and verifies through it, interoperating with Node's", () => {
  // jsonwebtoken (and jwa) loaded twice: once over Node's crypto, once over ours.
  const load = (cryptoModule) => {
    const cache = {};
    const req = (from) => (id) => {
      if (id === "crypto") return cryptoModule;
      const file = Module._resolveFilename(id, { id: from, filename: from, paths: Module._nodeModulePaths(path.dirname(from)) });
      if (!file.includes("node_modules")) return require(file);
      if (cache[file]) return cache[file].exports;
      const m = { exports: {} };
      cache[file] = m;
      const src = fs.readFileSync(file, "utf8");
      if (file.endsWith(".json")) m.exports = JSON.parse(src);
      else new Function("module", "exports", "require", "__filename", "__dirname", src)(m, m.exports, req(file), file, path.dirname(file));
      return m.exports;
    };
    return req(path.join(path.resolve(modules), "x.js"))("jsonwebtoken");
  };
  const ours = load(crypto);
  const node = load(nodeCrypto);
  const payload = { sub: "auth0|123", iat: 1700000000 };
  const keys = {
    HS256: ["shhhh", "shhhh"],
    RS256: PEMS.rsa.map(fixture),
    PS256: PEMS.rsa.map(fixture),
    ES256: PEMS.p256.map(fixture),
    ES384: PEMS.p384.map(fixture),
  };
  for (const [alg, [priv, pub]] of Object.entries(keys)) {
    const token = ours.sign(payload, priv, { algorithm: alg });
    eq(node.verify(token, pub, { algorithms: [alg] }), payload, "Node verifies our " + alg);
    const theirs = node.sign(payload, priv, { algorithm: alg });
    eq(ours.verify(theirs, pub, { algorithms: [alg] }), payload, "we verify Node's " + alg);
    let rejected = false;
    try {
      ours.verify(theirs.slice(0, -4) + "AAAA", pub, { algorithms: [alg] });
    } catch (e) {
      rejected = e.message === "invalid signature";
    }
    eq(rejected, true, "bad signature rejected " + alg);
  }
  if (alg256mismatch(ours) !== alg256mismatch(node)) throw new Error("key/alg mismatch message differs");
  function alg256mismatch(jwt) {
    try {
      jwt.sign(payload, keys.ES256[0], { algorithm: "RS256" });
    } catch (e) {
      return e.message;
    }
    return "no error";
  }
});

test("webcrypto: digest, importKey, sign, verify", async () => {
  const nodeSubtle = nodeCrypto.webcrypto.subtle;
  for (const h of ["SHA-1", "SHA-256", "SHA-384", "SHA-512"]) {
    eq(Buffer.from(await webcrypto.subtle.digest(h, kb)), Buffer.from(await nodeSubtle.digest(h, kb)), h);
  }
  const hmacAlg = { name: "HMAC", hash: "SHA-256" };
  const [ok, nk] = await Promise.all([webcrypto.subtle, nodeSubtle].map((s) => s.importKey("raw", Buffer.from("key"), hmacAlg, false, ["sign", "verify"])));
  const mac = await webcrypto.subtle.sign("HMAC", ok, data);
  eq(Buffer.from(mac), Buffer.from(await nodeSubtle.sign("HMAC", nk, data)), "hmac");
  eq(await webcrypto.subtle.verify("HMAC", ok, mac, data), true, "hmac verify");
  const spki = (name) => nodeCrypto.createPublicKey(fixture(name)).export({ format: "der", type: "spki" });
  const pkcs8 = (name) => nodeCrypto.createPrivateKey(fixture(name)).export({ format: "der", type: "pkcs8" });
  const algs = [
    [{ name: "RSASSA-PKCS1-v1_5", hash: "SHA-256" }, "RSASSA-PKCS1-v1_5", "rsa2048"],
    [{ name: "RSA-PSS", hash: "SHA-384" }, { name: "RSA-PSS", saltLength: 48 }, "rsa2048"],
    [{ name: "ECDSA", namedCurve: "P-256" }, { name: "ECDSA", hash: "SHA-256" }, "p256"],
    [{ name: "ECDSA", namedCurve: "P-384" }, { name: "ECDSA", hash: "SHA-384" }, "p384"],
  ];
  for (const [importAlg, signAlg, key] of algs) {
    const what = JSON.stringify(importAlg);
    const nodePriv = await nodeSubtle.importKey("pkcs8", pkcs8(key + ".pkcs8.pem"), importAlg, false, ["sign"]);
    const nodePub = await nodeSubtle.importKey("spki", spki(key + ".spki.pem"), importAlg, false, ["verify"]);
    const ourPriv = await webcrypto.subtle.importKey("pkcs8", pkcs8(key + ".pkcs8.pem"), importAlg, false, ["sign"]);
    const ourPub = await webcrypto.subtle.importKey("spki", spki(key + ".spki.pem"), importAlg, false, ["verify"]);
    const jwk = nodeCrypto.createPublicKey(fixture(key + ".spki.pem")).export({ format: "jwk" });
    const ourJwk = await webcrypto.subtle.importKey("jwk", jwk, importAlg, false, ["verify"]);
    const theirs = await nodeSubtle.sign(signAlg, nodePriv, data);
    eq(await webcrypto.subtle.verify(signAlg, ourPub, theirs, data), true, "we verify Node's " + what);
    eq(await webcrypto.subtle.verify(signAlg, ourJwk, theirs, data), true, "jwk " + what);
    const ours = await webcrypto.subtle.sign(signAlg, ourPriv, data);
    eq(await nodeSubtle.verify(signAlg, nodePub, ours, data), true, "Node verifies ours " + what);
  }
  let rejected;
  await webcrypto.subtle.digest("SHA-3", data).catch((e) => (rejected = e));
  if (!rejected || !/SHA-3/.test(rejected.message)) throw new Error("SHA-3 must be refused by name");
});

test("unsupported features throw errors that name them", () => {
  for (const [fn, needle] of [
    [() => crypto.generateKeyPairSync("rsa"), "generateKeyPairSync"],
    [() => crypto.createHash("sha256", { outputLength: 5 }), "outputLength"],
    [() => crypto.createSign("sha256").update("x").sign({ key: fixture("rsa2048.pkcs8.pem"), padding: 3 }), "padding 3"],
  ]) {
    let message = "";
    try {
      fn();
    } catch (e) {
      message = e.message;
    }
    if (!message.includes(needle)) throw new Error("expected an error naming " + needle + ", got " + JSON.stringify(message));
  }
});

(async () => {
  for (const [name, fn] of pending) {
    try {
      await fn();
      passed++;
      console.log("ok - " + name);
    } catch (e) {
      failed++;
      console.log("not ok - " + name + "\n  " + String(e && e.stack).split("\n").slice(0, 3).join("\n  "));
    }
  }
  console.log("(" + hostRequests + " host requests)");
  console.log(passed + " passed, " + failed + " failed");
  process.exit(failed ? 1 : 0);
})();
