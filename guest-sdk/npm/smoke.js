#!/usr/bin/env node
// Smoke test of guest-sdk/js/modules.js and guest-sdk/js/require.js outside the
// engine: evaluates both in a fresh `vm` context that has only the JavaScript
// language's globals, `globalThis`/`global` and a `process` stub (no Buffer,
// URL, TextEncoder, timers or console: what a package needs beyond that is
// listed in GUEST_GLOBALS with who provides it in the guest), requires every
// catalogue package and shim there, calls one function of each and compares the
// answer with the same call under real Node (this directory's node_modules and
// Node's own built-ins). Prints modules.js's size and each package's share.
//
//   node guest-sdk/npm/smoke.js                 (after `make npm-modules`)
//   node guest-sdk/npm/smoke.js --quickjs QJS   the same in QuickJS: QJS is a
//       `qjs` binary built from the QuickJS-ng sources the engine plugin uses;
//       cases that need `crypto` are skipped there (the guest's is host calls).
//
// Exits 1 when an answer differs from Node's or a package fails to load.

"use strict";

const fs = require("fs");
const path = require("path");
const vm = require("vm");
const { createRequire } = require("module");

const JS = path.join(__dirname, "..", "js");
const MODULES = path.join(JS, "modules.js");
const REQUIRE = path.join(JS, "require.js");

// The Node version hookbox reports; jsonwebtoken tests it with semver
// (psSupported, asymmetricKeyDetailsSupported), so it must be a full version.
const NODE_VERSION = "20.20.2";

// Globals the guest has beyond the language's that some package needs, when
// loaded or when called: name -> { who provides it in the guest, its value here
// (a function of the guest's require when it comes from the registry) }.
const GUEST_GLOBALS = {
  // jsonwebtoken's sign/verify call Buffer.from (issue 13 item 1: the prelude's, the registry's buffer).
  Buffer: { who: "prelude (issue 13 item 1)", fromRegistry: (require) => require("buffer").Buffer },
  // jwt-decode 4 decodes base64url with atob (issue 13 item 1: the prelude's).
  atob: { who: "prelude (issue 13 item 1)", value: atob },
  // whatwg-url's lib/encoding.js makes one of each when it loads (Javy's text_encoding, on in the plugin).
  TextEncoder: { who: "Javy (text_encoding)", value: TextEncoder },
  TextDecoder: { who: "Javy (text_encoding)", value: TextDecoder },
};

function context() {
  const sandbox = vm.createContext({});
  vm.runInContext(
    `"use strict";
    globalThis.global = globalThis;
    globalThis.process = {
      env: {},
      version: "v${NODE_VERSION}",
      versions: { node: "${NODE_VERSION}" },
      platform: "linux",
      nextTick(fn, ...args) { Promise.resolve().then(() => fn(...args)); },
    };`,
    sandbox,
  );
  for (const [name, g] of Object.entries(GUEST_GLOBALS)) if ("value" in g) sandbox[name] = g.value;
  return sandbox;
}

// ------------------------------------------------------------------ cases
//
// Each case is the source of `(require) => value` (or a promise of it), run
// with the guest's require in the context and with Node's. `node` overrides the
// source on Node's side where the guest reaches the same API under another name.
// A fourth element marks a known difference from Node: the guest's answer must
// then be exactly the one given (so a change is noticed either way).

const J = JSON.stringify;

const cases = [
  ["lodash", `(require) => require("lodash").chunk([1, 2, 3, 4, 5], 2)`],
  ["lodash@4.17.21", `(require) => require("lodash@4.17.21").VERSION`, `(require) => require("lodash").VERSION`],
  ["uuid", `(require) => /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/.test(require("uuid").v4())`],
  ["uuid v5", `(require) => require("uuid").v5("hello", require("uuid").v5.DNS)`],
  ["ipaddr.js", `(require) => require("ipaddr.js").parse("::ffff:1.2.3.4").toString()`],
  [
    "jsonwebtoken",
    `(require) => {
      const jwt = require("jsonwebtoken");
      const token = jwt.sign({ sub: "u1", iat: 1700000000 }, "s3cret", { algorithm: "HS256", expiresIn: "1h" });
      return [token, jwt.verify(token, "s3cret", { algorithms: ["HS256"], clockTimestamp: 1700000100 })];
    }`,
  ],
  [
    "jsonwebtoken (bad signature)",
    `(require) => {
      const jwt = require("jsonwebtoken");
      const token = jwt.sign({ sub: "u1", iat: 1700000000 }, "s3cret");
      try { jwt.verify(token, "other", { clockTimestamp: 1700000100 }); return "verified"; }
      catch (e) { return e.name + ": " + e.message; }
    }`,
  ],
  ["moment", `(require) => require("moment").utc("2024-01-16T03:00:00Z").add(1, "day").format("dddd YYYY-MM-DD")`],
  ["moment locale (dynamic require)", `(require) => require("moment").utc("2024-01-16").locale("fr").format("dddd D MMMM")`],
  ["moment-timezone", `(require) => require("moment-timezone").tz("2024-01-16T03:00:00Z", "America/New_York").format()`],
  [
    "@xmldom/xmldom + xpath",
    `(require) => {
      const { DOMParser } = require("@xmldom/xmldom");
      const doc = new DOMParser().parseFromString('<a><b id="1">x</b><b id="2">y</b></a>', "text/xml");
      return require("xpath").select("//b/@id", doc).map((n) => n.value);
    }`,
  ],
  [
    "xmldom (Auth0's name, no mimeType)",
    `(require) => new (require("xmldom").DOMParser)().parseFromString("<r><c>t</c></r>").documentElement.firstChild.textContent`,
    `(require) => new (require("@xmldom/xmldom").DOMParser)().parseFromString("<r><c>t</c></r>").documentElement.firstChild.textContent`,
  ],
  [
    "oauth-sign",
    `(require) => require("oauth-sign").hmacsign("GET", "https://a.example/r", { oauth_nonce: "n", oauth_timestamp: "1" }, "cs", "ts")`,
  ],
  ["validator", `(require) => [require("validator").isEmail("a@b.co"), require("validator").isEmail("a@b")]`],
  ["qs", `(require) => [require("qs").parse("a[b]=1&c=2"), require("qs").stringify({ a: { b: [1, 2] } })]`],
  [
    "jwt-decode",
    // jsonwebtoken.sign({ sub: "u1", name: "Zoë", iat: 1700000000 }, "k")
    `(require) => require("jwt-decode").jwtDecode("eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiJ1MSIsIm5hbWUiOiJab8OrIiwiaWF0IjoxNzAwMDAwMDAwfQ._ExQMEBT6YZQ22kx77ha6Whle7ackRmu407y98FFld8")`,
  ],
  ["buffer", `(require) => [require("buffer").Buffer.from("a:b").toString("base64"), require("node:buffer").Buffer.from("ff00", "hex").readUInt16BE(0)]`],
  [
    "events",
    `(require) => {
      const EventEmitter = require("events");
      const e = new EventEmitter();
      const seen = [];
      e.on("x", (v) => seen.push(v));
      e.once("x", (v) => seen.push("once " + v));
      e.emit("x", 1);
      e.emit("x", 2);
      return [seen, e.listenerCount("x"), typeof require("events").once];
    }`,
  ],
  ["util.format", `(require) => require("util").format("%s=%d %j", "a", 1, { b: 2 })`],
  ["util.inspect", `(require) => require("util").inspect({ a: [1, { b: "c" }], d: null })`],
  ["util.promisify", `(require) => require("util").promisify((x, cb) => cb(null, x * 2))(21)`],
  [
    "assert.deepStrictEqual",
    `(require) => { try { require("assert").deepStrictEqual({ a: 1 }, { a: 2 }); return "equal"; } catch (e) { return [e.name, e.code, e.message]; } }`,
    null,
    {
      // assert@2.1.0 is Node 10's assert: its diffs of multi-line values are laid out as Node 10's were.
      guest: ["AssertionError", "ERR_ASSERTION", "Expected values to be strictly deep-equal:\n+ actual - expected\n\n+ { a: 1 }\n- { a: 2 }\n       ^"],
      why: "assert@2.1.0 lays out deep-equality diffs as Node 10 did",
    },
  ],
  ["assert.strictEqual", `(require) => { try { require("assert").strictEqual(1, 2); } catch (e) { return [e.name, e.code, e.message]; } }`],
  ["path", `(require) => [require("path").join("/a/b", "../c", "d.js"), require("path").extname("x.tar.gz"), require("path/posix").basename("/a/b.js", ".js")]`],
  [
    "string_decoder",
    `(require) => {
      const d = new (require("string_decoder").StringDecoder)("utf8");
      const B = require("buffer").Buffer;
      return d.write(B.from([0xe2, 0x82])) + d.end(B.from([0xac]));
    }`,
  ],
  [
    "stream",
    `(require) => new Promise((resolve, reject) => {
      const { PassThrough, Transform } = require("stream");
      const upper = new Transform({ transform(chunk, enc, cb) { cb(null, String(chunk).toUpperCase()); } });
      const out = [];
      upper.on("data", (c) => out.push(String(c)));
      upper.on("end", () => resolve(out.join("")));
      upper.on("error", reject);
      const src = new PassThrough();
      src.pipe(upper);
      src.write("ab");
      src.end("c");
    })`,
  ],
  [
    "whatwg-url",
    `(require) => { const { URL } = require("whatwg-url"); const u = new URL("https://a.example/p?x=1&y=%C3%A9"); return [u.searchParams.get("x"), u.searchParams.get("y"), new URL("../q#h", u).href, new URL("https://ÉXAMPLE.com/").host]; }`,
    `(require) => { const { URL } = require("url"); const u = new URL("https://a.example/p?x=1&y=%C3%A9"); return [u.searchParams.get("x"), u.searchParams.get("y"), new URL("../q#h", u).href, new URL("https://ÉXAMPLE.com/").host]; }`,
  ],
  [
    "refused built-in",
    `(require) => { try { require("fs"); return "loaded"; } catch (e) { return [e.code, e.message]; } }`,
    `(require) => ["MODULE_NOT_FOUND", "Cannot find module 'fs': hookbox does not provide Node's 'fs' module to functions"]`,
  ],
  [
    "package outside the catalogue",
    `(require) => { try { require("left-pad"); return "loaded"; } catch (e) { return [e.code, e.message]; } }`,
    `(require) => ["MODULE_NOT_FOUND", "Cannot find module 'left-pad': hookbox's package catalogue has no package 'left-pad'"]`,
  ],
  [
    "other version",
    `(require) => { try { require("lodash@4.17.20"); return "loaded"; } catch (e) { return [e.code, e.message]; } }`,
    `(require) => ["MODULE_NOT_FOUND", "Cannot find module 'lodash@4.17.20': hookbox's package catalogue has lodash 4.17.21, not 4.17.20"]`,
  ],
  ["node: prefix and cache", `(require) => [require("node:util") === require("util"), require("xmldom") === require("@xmldom/xmldom")]`, `(require) => [true, true]`],
];

// ------------------------------------------------------------------ run

const CRYPTO_CASES = /jsonwebtoken|uuid|oauth-sign/;

// name -> JSON of the answer (or "threw …"), in a vm context.
async function guestInVm() {
  const sandbox = context();
  const registry = vm.runInContext(fs.readFileSync(MODULES, "utf8"), sandbox, { filename: "hookbox:modules" });
  const factory = vm.runInContext(fs.readFileSync(REQUIRE, "utf8"), sandbox, { filename: "hookbox:require" });
  // Node's own crypto stands in for guest-sdk/js/crypto.js here.
  const makeRequire = factory(registry, { crypto: require("crypto") });
  const guestRequire = makeRequire();
  for (const [name, g] of Object.entries(GUEST_GLOBALS)) if (g.fromRegistry) sandbox[name] = g.fromRegistry(guestRequire);
  const answers = new Map();
  answers.set("(load)", loadAll(registry, guestRequire, /^$/));
  for (const [name, source] of cases) {
    try {
      answers.set(name, JSON.stringify(await vm.runInContext(source, sandbox)(guestRequire)));
    } catch (e) {
      answers.set(name, "threw " + (e && e.stack));
    }
  }
  return answers;
}

// Every catalogue package and shim loads: the failures, as text.
function loadAll(registry, guestRequire, skip) {
  const failed = [];
  for (const name of [...Object.keys(registry.packages), ...Object.keys(registry.builtins)]) {
    if (typeof registry.builtins[name] === "string" || skip.test(name)) continue;
    try {
      guestRequire(name);
    } catch (e) {
      failed.push("require(" + JSON.stringify(name) + "): " + String(e) + "\n" + (e && e.stack));
    }
  }
  return failed.join("\n");
}

// The same in a QuickJS binary, with stand-ins for what Javy and the prelude provide.
function guestInQuickjs(qjs) {
  const driver = `"use strict";
globalThis.global = globalThis;
globalThis.process = { env: {}, version: "v${NODE_VERSION}", versions: { node: "${NODE_VERSION}" }, platform: "linux",
  nextTick(fn, ...args) { Promise.resolve().then(() => fn(...args)); } };
// Stand-ins for Javy's TextEncoder/TextDecoder and the prelude's atob (UTF-8 and base64 only).
globalThis.TextEncoder = class TextEncoder { encode(s = "") { const b = unescape(encodeURIComponent(s));
  const u = new Uint8Array(b.length); for (let i = 0; i < b.length; i++) u[i] = b.charCodeAt(i); return u; } };
globalThis.TextDecoder = class TextDecoder { decode(u = new Uint8Array(0)) { let b = "";
  for (let i = 0; i < u.length; i++) b += String.fromCharCode(u[i]); return decodeURIComponent(escape(b)); } };
globalThis.atob = (s) => { const A = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"; let bits = 0, n = 0, out = "";
  for (const c of String(s).replace(/[=\\s]/g, "")) { const v = A.indexOf(c); if (v < 0) throw new Error("atob: " + c);
    bits = (bits << 6) | v; n += 6; if (n >= 8) { n -= 8; out += String.fromCharCode((bits >> n) & 255); } } return out; };
const registry = std.evalScript(std.loadFile(${J(MODULES)}));
const makeRequire = std.evalScript(std.loadFile(${J(REQUIRE)}))(registry, {});
const guestRequire = makeRequire();
globalThis.Buffer = guestRequire("buffer").Buffer;
const loadAll = ${loadAll.toString()};
const cases = [${cases.map(([name, source]) => "[" + J(name) + ", " + (CRYPTO_CASES.test(name) ? "null" : source) + "]").join(",\n")}];
(async () => {
  const answers = { "(load)": loadAll(registry, guestRequire, ${CRYPTO_CASES}) };
  for (const [name, fn] of cases) {
    if (!fn) { answers[name] = "skipped"; continue; }
    try { answers[name] = JSON.stringify(await fn(guestRequire)); }
    catch (e) { answers[name] = "threw " + String(e) + "\\n" + (e && e.stack); }
  }
  std.out.puts(JSON.stringify(answers));
})().catch((e) => std.out.puts(JSON.stringify({ "(driver)": String(e && e.stack) })));
`;
  const file = path.join(require("os").tmpdir(), "hookbox-smoke-" + process.pid + ".js");
  fs.writeFileSync(file, driver);
  try {
    const run = require("child_process").spawnSync(qjs, ["--std", "-C", file], { encoding: "utf8", maxBuffer: 1 << 26 });
    if (run.status !== 0) throw new Error(qjs + " exited " + run.status + ": " + run.stderr + run.stdout);
    return new Map(Object.entries(JSON.parse(run.stdout)));
  } finally {
    fs.rmSync(file, { force: true });
  }
}

// require.js's own semantics, on a registry made here, checked against what
// Node does with the same files: [name, answer, Node's answer].
function semantics() {
  const sandbox = context();
  const registry = vm.runInContext(
    `({
      packages: { a: { version: "1.0.0", license: "MIT", main: 0, dir: "a" } },
      builtins: { fs: "builtin:fs", crypto: "builtin:crypto", events: 3 },
      files: [
        { path: "a/index.js", line: 1, requires: { "./b": 1, "./c": 2 }, load: function (exports, require, module, __filename, __dirname) {
          exports.early = 1;
          const b = require("./b");
          exports.late = 2;
          let threw = 0;
          try { require("./c"); } catch (e) { threw++; }
          try { require("./c"); } catch (e) { threw++; }
          module.exports = { b, threw, self: this === exports, filename: __filename, dirname: __dirname,
            dynamic: require("./" + "b") === b, up: require("../a/b.js") === b };
        } },
        { path: "a/b.js", line: 1, requires: { "./index.js": 0 }, load: function (exports, require) {
          const a = require("./index.js");
          exports.seenEarly = a.early;
          exports.seenLate = a.late;
        } },
        { path: "a/c.js", line: 1, requires: {}, load: function () { globalThis.cRuns = (globalThis.cRuns || 0) + 1; throw new Error("c"); } },
        { path: "events/events.js", line: 1, requires: {}, load: function (exports) { exports.shim = true; } },
      ],
    })`,
    sandbox,
  );
  const factory = vm.runInContext(fs.readFileSync(REQUIRE, "utf8"), sandbox);
  const host = { crypto: { host: true } };
  const require = factory(registry, host)();
  const attempt = (f) => {
    try {
      return f();
    } catch (e) {
      return [e.name, e.code, e.message];
    }
  };
  const a = require("a");
  return [
    // A cycle sees the exports as they were when it was entered, and the final exports afterwards.
    ["cycle", [a.b.seenEarly, a.b.seenLate], [1, undefined]],
    ["this is exports", a.self, true],
    ["__filename, __dirname", [a.filename, a.dirname], ["/node_modules/a/index.js", "/node_modules/a"]],
    // A file that throws is evicted from the cache and runs again on the next require.
    ["throwing file runs again", [a.threw, sandbox.cRuns], [2, 2]],
    ["dynamic relative require", [a.dynamic, a.up], [true, true]],
    ["cached", require("a") === a && require("a@1.0.0") === a, true],
    ["node: prefix", require("node:events") === require("events"), true],
    ["host built-in", require("crypto") === host.crypto && require("node:crypto") === host.crypto, true],
    ["refused built-in", attempt(() => require("fs")), ["Error", "MODULE_NOT_FOUND", "Cannot find module 'fs': hookbox does not provide Node's 'fs' module to functions"]],
    ["unknown node: name", attempt(() => require("node:lodash")), ["Error", "MODULE_NOT_FOUND", "Cannot find module 'node:lodash': Node has no built-in module 'lodash'"]],
    ["relative from a function", attempt(() => require("./x")), ["Error", "MODULE_NOT_FOUND", "Cannot find module './x': a function has no files to require"]],
    ["non-string", attempt(() => require(1)), ["TypeError", "ERR_INVALID_ARG_TYPE", 'The "id" argument must be of type string. Received number']],
    ["resolve", [require.resolve("a"), require.resolve("node:events"), require.resolve("crypto")], ["/node_modules/a/index.js", "node:events", "crypto"]],
  ];
}

async function main() {
  const qjsIndex = process.argv.indexOf("--quickjs");
  const answers = qjsIndex > 0 ? guestInQuickjs(path.resolve(process.argv[qjsIndex + 1])) : await guestInVm();
  const registry = vm.runInNewContext(fs.readFileSync(MODULES, "utf8"));
  const nodeRequire = createRequire(path.join(__dirname, "package.json"));

  let failures = 0;
  const say = (s) => process.stdout.write(s + "\n");
  if (answers.has("(driver)")) throw new Error(answers.get("(driver)"));
  if (answers.get("(load)")) {
    failures++;
    say("FAIL loading\n" + answers.get("(load)"));
  }

  for (const [name, answer, expected] of semantics()) {
    if (J(answer) === J(expected)) say("ok   require.js: " + name);
    else {
      failures++;
      say("FAIL require.js: " + name + "\n     got:      " + J(answer) + "\n     expected: " + J(expected));
    }
  }

  const known = [];
  for (const [name, guestSource, nodeSource, difference] of cases) {
    const guest = answers.get(name);
    if (guest === "skipped") {
      say("skip " + name + " (needs crypto)");
      continue;
    }
    let node;
    try {
      node = JSON.stringify(await vm.runInThisContext(nodeSource || guestSource)(nodeRequire));
    } catch (e) {
      node = "threw " + (e && e.stack);
    }
    if (difference) {
      if (guest === JSON.stringify(difference.guest) && guest !== node) {
        known.push(name + ": " + difference.why);
        say("diff " + name + " (known: " + difference.why + ")\n     guest: " + guest + "\n     node:  " + node);
      } else {
        failures++;
        say("FAIL " + name + " (expected the known difference)\n     guest: " + guest + "\n     node:  " + node);
      }
    } else if (guest === node) say("ok   " + name + ": " + guest);
    else {
      failures++;
      say("FAIL " + name + "\n     guest: " + guest + "\n     node:  " + node);
    }
  }

  // Sizes: modules.js, and each package's files (source plus wrapper).
  const text = fs.readFileSync(MODULES, "utf8");
  const starts = registry.files.map((f) => f.line);
  const lines = text.split("\n");
  const sizes = new Map();
  registry.files.forEach((f, i) => {
    const end = i + 1 < starts.length ? starts[i + 1] - 1 : lines.length;
    let bytes = 0;
    for (let l = f.line - 2; l < end - 1; l++) bytes += Buffer.byteLength(lines[l]) + 1;
    const parts = f.path.split("/");
    const at = parts.lastIndexOf("node_modules") + 1;
    const pkg = parts[at].startsWith("@") ? parts[at] + "/" + parts[at + 1] : parts[at];
    sizes.set(pkg, (sizes.get(pkg) || 0) + bytes);
  });
  say("\nmodules.js: " + Buffer.byteLength(text) + " bytes, " + registry.files.length + " files");
  for (const [pkg, bytes] of [...sizes].sort((a, b) => b[1] - a[1])) say("  " + String(bytes).padStart(9) + "  " + pkg);
  say("\nguest globals used beyond the language's: " + Object.entries(GUEST_GLOBALS).map(([n, g]) => n + " (" + g.who + ")").join(", "));

  if (known.length) say("known differences from Node:\n  " + known.join("\n  "));
  if (failures) {
    say("\n" + failures + " failure(s)");
    process.exit(1);
  }
}

main().catch((e) => {
  process.stderr.write(String(e && e.stack) + "\n");
  process.exit(1);
});
