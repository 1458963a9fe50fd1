#!/usr/bin/env node
// Builds guest-sdk/js/modules.js: one CommonJS registry of every file that
// hookbox's Node built-in shims and default npm catalogue can reach, from the
// packages installed here (pinned by package-lock.json; `npm ci` first).
//
//   node guest-sdk/npm/build.js [--out DIR]
//
// writes guest-sdk/js/modules.js, guest-sdk/js/catalogue.json, guest-sdk/npm/THIRD_PARTY.md and
// guest-sdk/npm/licenses/; with --out, DIR/modules.js, DIR/catalogue.json, DIR/THIRD_PARTY.md and
// DIR/licenses/ instead (what `make npm-modules-check` compares).
//
// The output is a script whose completion value is
//
//   ({ packages: { <require name>: { version, license, main: <file id>, dir: <its directory>,
//                                     exports?: true (it declares `exports`) }, … },
//      builtins: { <Node built-in name>: <file id> | "builtin:<name>", … },
//      files: [ { path, line, requires: { <specifier>: <file id> | "builtin:<name>" },
//                 dynamic?: [<source of each non-literal use of require>],
//                 load: function (exports, require, module, __filename, __dirname) {…} }, … ] })
//
// `line` is the line of modules.js on which the file's own first line sits, so
// a stack frame in modules.js maps back to (path, line - file.line + 1).
// guest-sdk/js/require.js turns the registry into Node's `require`.
//
// Specifiers are found by parsing each file with acorn (never by pattern
// matching) and resolved with Node's own algorithm from the requiring file
// (package.json `exports` with the `require` condition, `main`, extensions,
// index files), except Node built-in names, which map to the shims below or to
// a "builtin:<name>" marker the guest's prelude provides or refuses. Output is
// sorted, so rebuilding from the same lock file gives the same bytes. Also
// writes licenses/<name>@<version>.txt (a scope's "/" as "+") and THIRD_PARTY.md.

"use strict";

// Node 20.19+ can require ES modules and then resolves the "module-sync"
// condition (generator-function's require.mjs, for one); the guest's require
// cannot load ES modules, so resolve as a Node without require(esm) does.
if (process.features.require_module) {
  const { status } = require("child_process").spawnSync(
    process.execPath,
    ["--no-experimental-require-module", __filename, ...process.argv.slice(2)],
    { stdio: "inherit" },
  );
  process.exit(status === null ? 1 : status);
}

const fs = require("fs");
const path = require("path");
const { builtinModules, createRequire } = require("module");
const acorn = require("acorn");

const HERE = __dirname;
const NODE_MODULES = path.join(HERE, "node_modules");
const outIndex = process.argv.indexOf("--out");
const OUT_DIR = outIndex > 0 ? path.resolve(process.argv[outIndex + 1]) : null;
const OUT = OUT_DIR ? path.join(OUT_DIR, "modules.js") : path.join(HERE, "..", "js", "modules.js");
const LICENSES = path.join(OUT_DIR || HERE, "licenses");
const THIRD_PARTY = path.join(OUT_DIR || HERE, "THIRD_PARTY.md");

// Sources hookbox adapted into its own guest files (not registry packages), for
// THIRD_PARTY.md: [what, version, licence, its text in adapted/, where it went].
const ADAPTED = [
  [
    "Node.js `lib/internal/util/inspect.js`, with the `[util.inspect.custom]` methods of its `URL`, " +
      "`URLSearchParams` (`lib/internal/url.js`) and `Buffer` (`lib/buffer.js`)",
    "20.20.2",
    "MIT",
    "node@20.20.2.txt",
    "`guest-sdk/js/inspect.js`: `util.inspect`, `util.format`, `util.formatWithOptions`, `console.log`",
  ],
];

// Node built-in modules implemented by an npm package: built-in name -> package.
const SHIMS = {
  buffer: "buffer",
  events: "events",
  util: "util",
  assert: "assert",
  path: "path-browserify",
  string_decoder: "string_decoder",
  stream: "stream-browserify",
};

// Further built-in names that are one of the shims' files, as in Node:
// `sys` is util, `path/posix` is path (the shim is posix), `util/types` is util.types.
const BUILTIN_FILES = {
  sys: "util/util.js",
  "path/posix": "path-browserify/index.js",
  "util/types": "util/support/types.js",
};

// Built-ins the guest's prelude implements itself (its `nodeBuiltins`): with the shims and
// BUILTIN_FILES, what `require` serves; every other built-in it refuses (MODULE_NOT_FOUND).
const PRELUDE_BUILTINS = ["crypto", "process", "querystring", "timers", "url"];

// Packages the guest's prelude composes a built-in from (url = hookbox's legacy
// parse/format + WHATWG URL from whatwg-url), so they are in the registry too.
const PRELUDE_PACKAGES = ["whatwg-url"];

// The default catalogue (issue 13, item 3): what the platforms document and real rules use.
const CATALOGUE = [
  "@xmldom/xmldom",
  "ipaddr.js",
  "jsonwebtoken",
  "jwt-decode",
  "lodash",
  "moment",
  "moment-timezone",
  "oauth-sign",
  "qs",
  "uuid",
  "validator",
  "xpath",
];

// Other names a catalogue package is required by: Auth0 rules require the
// package under its name before the scope was added.
const ALIASES = { xmldom: "@xmldom/xmldom" };

// Files reached only through a non-literal require, which the build cannot see:
// moment loads `require('./locale/' + name)` when a script selects a locale.
// Without them moment.locale('fr') would silently stay English.
const DYNAMIC_TARGETS = { "moment/moment.js": ["moment/locale/"] };

// ------------------------------------------------------------------ helpers

function fail(message) {
  process.stderr.write("build.js: " + message + "\n");
  process.exit(1);
}

// Node 20's built-in module names (require('module').builtinModules of
// v20.20.2), fixed here so that the output does not depend on the Node that
// runs the build; a newer Node's extra names are checked against it below.
const BUILTINS = new Set([
  "_http_agent", "_http_client", "_http_common", "_http_incoming", "_http_outgoing", "_http_server",
  "_stream_duplex", "_stream_passthrough", "_stream_readable", "_stream_transform", "_stream_wrap",
  "_stream_writable", "_tls_common", "_tls_wrap", "assert", "assert/strict", "async_hooks", "buffer",
  "child_process", "cluster", "console", "constants", "crypto", "dgram", "diagnostics_channel", "dns",
  "dns/promises", "domain", "events", "fs", "fs/promises", "http", "http2", "https", "inspector",
  "inspector/promises", "module", "net", "os", "path", "path/posix", "path/win32", "perf_hooks", "process",
  "punycode", "querystring", "readline", "readline/promises", "repl", "stream", "stream/consumers",
  "stream/promises", "stream/web", "string_decoder", "sys", "timers", "timers/promises", "tls",
  "trace_events", "tty", "url", "util", "util/types", "v8", "vm", "wasi", "worker_threads", "zlib",
]);
// A package naming a built-in of a newer Node would resolve differently here
// than under that Node: treat those names as built-ins too, loudly.
const NEWER_BUILTINS = builtinModules.filter((n) => !BUILTINS.has(n));

/** Node built-in name of a specifier (`node:` stripped), or null. */
function builtinName(spec) {
  if (spec.startsWith("node:")) return spec.slice(5);
  if (NEWER_BUILTINS.includes(spec)) fail("a package requires " + spec + ", a built-in of a newer Node than 20");
  return BUILTINS.has(spec) ? spec : null;
}

/** Path relative to node_modules, with '/' separators. */
function rel(abs) {
  const r = path.relative(NODE_MODULES, abs);
  if (r.startsWith("..") || path.isAbsolute(r)) fail(abs + " resolves outside node_modules");
  return r.split(path.sep).join("/");
}

/** The directory and package.json of the package a file belongs to. */
function packageOf(abs) {
  let dir = path.dirname(abs);
  for (;;) {
    const pj = path.join(dir, "package.json");
    if (fs.existsSync(pj)) {
      const json = JSON.parse(fs.readFileSync(pj, "utf8"));
      // Nested package.json files such as uuid's dist/cjs/package.json ({"type": …}) have no name.
      if (json.name && json.version) return { dir, json };
    }
    if (dir === NODE_MODULES || dir === path.dirname(dir)) fail("no package.json above " + abs);
    dir = path.dirname(dir);
  }
}

function licenseOf(json) {
  if (typeof json.license === "string") return json.license;
  if (json.license && json.license.type) return json.license.type;
  if (Array.isArray(json.licenses)) return json.licenses.map((l) => l.type || l).join(" OR ");
  return "UNKNOWN";
}

/** Resolve a package by name from this directory, as `require(name)` would (built-in names too). */
function resolvePackageMain(name) {
  const dir = path.join(NODE_MODULES, ...name.split("/"));
  if (!fs.existsSync(path.join(dir, "package.json"))) fail(name + " is not installed (run npm ci)");
  // A package named like a built-in (buffer, util, …) cannot be resolved by its
  // bare name, which Node maps to the built-in; its directory resolves through
  // `main`, which is the same entry as long as it declares no `exports`.
  if (builtinName(name)) {
    const json = JSON.parse(fs.readFileSync(path.join(dir, "package.json"), "utf8"));
    if (json.exports) fail(name + " declares exports: resolve it some other way");
    return require.resolve(dir);
  }
  return require.resolve(name, { paths: [HERE] });
}

// ------------------------------------------------------------------ parsing

/**
 * Every use of the free identifier `require` in a CommonJS file: literal calls
 * (`require('x')`) and anything else (dynamic), with the source of the latter.
 */
function scanRequires(source, file) {
  let ast;
  try {
    ast = acorn.parse(source, {
      ecmaVersion: "latest",
      sourceType: "script",
      allowReturnOutsideFunction: true,
      allowHashBang: true,
    });
  } catch (e) {
    fail(file + ": " + e.message);
  }
  const literal = [];
  const dynamic = [];
  const shadowed = [];
  const visit = (node, parent, key) => {
    if (!node || typeof node.type !== "string") return;
    // `module.require(…)` under another name (lodash: `freeModule.require('util')`): decided at run time.
    if (
      node.type === "CallExpression" &&
      node.callee.type === "MemberExpression" &&
      !node.callee.computed &&
      node.callee.property.name === "require" &&
      !(node.callee.object.type === "Identifier" && node.callee.object.name === "require")
    ) {
      dynamic.push(source.slice(node.start, node.end));
    }
    if (node.type === "Identifier" && node.name === "require") {
      const isCallee = parent && parent.type === "CallExpression" && key === "callee";
      const isProperty =
        parent &&
        ((parent.type === "MemberExpression" && key === "property" && !parent.computed) ||
          ((parent.type === "Property" || parent.type === "MethodDefinition" || parent.type === "PropertyDefinition") &&
            key === "key" &&
            !parent.computed));
      const isTypeof = parent && parent.type === "UnaryExpression" && parent.operator === "typeof";
      const isDeclaration =
        parent &&
        ((parent.type === "VariableDeclarator" && key === "id") ||
          (/Function/.test(parent.type) && key === "params") ||
          (parent.type === "FunctionDeclaration" && key === "id"));
      if (isDeclaration) shadowed.push(node.start);
      else if (isCallee) {
        const arg = parent.arguments[0];
        const text =
          parent.arguments.length === 1 && arg.type === "Literal" && typeof arg.value === "string"
            ? arg.value
            : parent.arguments.length === 1 && arg.type === "TemplateLiteral" && arg.expressions.length === 0
              ? arg.quasis[0].value.cooked
              : null;
        if (text === null) dynamic.push(source.slice(parent.start, parent.end));
        else literal.push(text);
      } else if (!isProperty && !isTypeof) {
        // `require` used as a value (`aliasedRequire = require`) or a member
        // (`require.resolve`): whatever it loads is decided at run time.
        const p = parent && parent.type === "MemberExpression" ? parent : node;
        const enclosing = parent && parent.type === "AssignmentExpression" ? parent : p;
        dynamic.push(source.slice(enclosing.start, enclosing.end));
      }
    }
    for (const k of Object.keys(node)) {
      if (k === "type" || k === "start" || k === "end") continue;
      const v = node[k];
      if (Array.isArray(v)) for (const c of v) visit(c, node, k);
      else if (v && typeof v.type === "string") visit(v, node, k);
    }
  };
  visit(ast, null, null);
  if (shadowed.length) fail(file + " declares its own `require`: the scan would need scope analysis");
  return { literal, dynamic };
}

// ------------------------------------------------------------------ the walk

const files = new Map(); // rel path -> { abs, requires: Map, dynamic: [] }
const unresolved = []; // [file, specifier, why]
const queue = [];

function shimMain(builtin) {
  if (SHIMS[builtin]) return rel(resolvePackageMain(SHIMS[builtin]));
  if (BUILTIN_FILES[builtin]) return BUILTIN_FILES[builtin];
  return null;
}

function enqueue(abs) {
  const r = rel(abs);
  if (!files.has(r)) {
    files.set(r, { abs, requires: new Map(), dynamic: [] });
    queue.push(r);
  }
  return r;
}

function resolveFrom(fromAbs, spec) {
  const b = builtinName(spec);
  if (b !== null) {
    const shim = shimMain(b);
    if (shim) return { path: enqueue(path.join(NODE_MODULES, shim)) };
    if (!BUILTINS.has(b)) return { error: "no Node built-in named " + b };
    return { marker: "builtin:" + b };
  }
  try {
    const abs = createRequire(fromAbs).resolve(spec);
    if (!path.isAbsolute(abs)) return { error: "resolves to " + abs };
    return { path: enqueue(abs) };
  } catch (e) {
    return { error: e.code || e.message };
  }
}

const entries = new Map(); // require name -> rel path of its main
for (const name of [...CATALOGUE, ...Object.values(SHIMS), ...PRELUDE_PACKAGES]) {
  entries.set(name, enqueue(resolvePackageMain(name)));
}
for (const [alias, target] of Object.entries(ALIASES)) entries.set(alias, entries.get(target));
for (const b of Object.keys(BUILTIN_FILES)) enqueue(path.join(NODE_MODULES, BUILTIN_FILES[b]));
for (const [from, dirs] of Object.entries(DYNAMIC_TARGETS)) {
  if (!files.has(from)) fail(from + " (DYNAMIC_TARGETS) is not reached");
  for (const d of dirs) {
    const abs = path.join(NODE_MODULES, d);
    for (const f of fs.readdirSync(abs).sort()) if (f.endsWith(".js")) enqueue(path.join(abs, f));
  }
}

while (queue.length) {
  const r = queue.shift();
  const entry = files.get(r);
  const ext = path.extname(r);
  if (ext === ".json" || ext === ".node") {
    if (ext === ".node") fail(r + " is a native addon");
    continue;
  }
  if (ext === ".mjs") fail(r + " is an ES module; require cannot load it");
  const source = fs.readFileSync(entry.abs, "utf8");
  const { literal, dynamic } = scanRequires(source, r);
  entry.dynamic = dynamic;
  for (const spec of literal) {
    if (entry.requires.has(spec)) continue;
    const to = resolveFrom(entry.abs, spec);
    if (to.error) {
      unresolved.push([r, spec, to.error]);
      continue;
    }
    entry.requires.set(spec, to.path !== undefined ? to.path : to.marker);
  }
}

// ------------------------------------------------------------------ ids

const paths = [...files.keys()].sort();
const idOf = new Map(paths.map((p, i) => [p, i]));
const ref = (target) => (idOf.has(target) ? idOf.get(target) : target);

// Packages that own at least one file, by directory.
const owners = new Map(); // package dir -> { name, version, license, dir, files: [] }
for (const p of paths) {
  const { dir, json } = packageOf(files.get(p).abs);
  if (!owners.has(dir)) {
    owners.set(dir, { name: json.name, version: json.version, license: licenseOf(json), dir, files: [], deps: json.dependencies || {} });
  }
  owners.get(dir).files.push(p);
  files.get(p).owner = owners.get(dir);
}

const packages = {};
for (const name of [...entries.keys()].sort()) {
  const main = entries.get(name);
  const o = files.get(main).owner;
  const json = JSON.parse(fs.readFileSync(path.join(o.dir, "package.json"), "utf8"));
  packages[name] = { version: o.version, license: o.license, main: idOf.get(main), dir: rel(o.dir) };
  // Node refuses a subpath its `exports` does not list; require.js refuses all of them then.
  if (json.exports) packages[name].exports = true;
}

const builtins = {};
for (const b of [...BUILTINS].sort()) {
  const shim = shimMain(b);
  builtins[b] = shim ? idOf.get(shim) : "builtin:" + b;
}

// ------------------------------------------------------------------ emit

const J = JSON.stringify;
const WRAPPER = "function (exports, require, module, __filename, __dirname) {";

function sourceOf(p) {
  let text = fs.readFileSync(files.get(p).abs, "utf8");
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1); // Node strips a BOM
  if (p.endsWith(".json")) {
    const value = JSON.parse(text);
    // An object literal's "__proto__" key sets the prototype; JSON.parse's makes a property.
    const protoKey = (v) =>
      v && typeof v === "object" && (Object.prototype.hasOwnProperty.call(v, "__proto__") || Object.values(v).some(protoKey));
    if (protoKey(value)) fail(p + " has a __proto__ key: emit it through JSON.parse instead");
    return "module.exports = " + text.replace(/\s+$/, "") + ";";
  }
  if (text.startsWith("#!")) text = "//" + text.slice(2); // Node ignores a hashbang line
  return text;
}

const out = [];
let line = 1;
const push = (s) => {
  out.push(s);
  for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) === 10) line++;
};
push("// GENERATED by guest-sdk/npm/build.js from guest-sdk/npm/package-lock.json. Do not edit.\n");
push("// The packages' licences: guest-sdk/npm/THIRD_PARTY.md and guest-sdk/npm/licenses/.\n");
push("({\n");
push("packages: " + J(packages, null, 1).replace(/\n\s*/g, " ").replace(/ \}/g, " }") + ",\n");
push("builtins: " + J(builtins) + ",\n");
push("files: [\n");
for (const p of paths) {
  const f = files.get(p);
  const requires = {};
  for (const spec of [...f.requires.keys()].sort()) requires[spec] = ref(f.requires.get(spec));
  const dynamic = f.dynamic.length ? ", dynamic: " + J(f.dynamic) : "";
  // The source starts on the line after its header.
  push("/* " + idOf.get(p) + " */ { path: " + J(p) + ", line: " + (line + 1) + ", requires: " + J(requires) + dynamic + ", load: " + WRAPPER + "\n");
  const src = sourceOf(p);
  push(src);
  push((src.endsWith("\n") ? "" : "\n") + "} },\n");
}
push("],\n})\n");

const text = out.join("");
if (OUT_DIR) fs.mkdirSync(OUT_DIR, { recursive: true });
fs.writeFileSync(OUT, text);

// What the server checks functions' `dependencies` against (hookbox-engine's
// DEFAULT_CATALOGUE): every package name with its version and licence, the
// Node built-in names the registry answers, and those of them hookbox provides
// (the others `require` refuses).
const provided = Object.keys(builtins).filter(
  (b) => typeof builtins[b] === "number" || PRELUDE_BUILTINS.includes(b),
);
const catalogue = { packages: {}, builtins: Object.keys(builtins), provided };
for (const name of Object.keys(packages)) catalogue.packages[name] = { version: packages[name].version, license: packages[name].license };
fs.writeFileSync(path.join(path.dirname(OUT), "catalogue.json"), J(catalogue, null, 1) + "\n");

// ------------------------------------------------------------------ licences

const why = new Map();
const addWhy = (name, reason) => {
  if (!why.has(name)) why.set(name, new Set());
  why.get(name).add(reason);
};
for (const [b, pkg] of Object.entries(SHIMS)) addWhy(pkg, "Node's `" + b + "` module");
for (const name of PRELUDE_PACKAGES) addWhy(name, "WHATWG `URL`/`URLSearchParams` for Node's `url` module and the globals");
for (const name of CATALOGUE) addWhy(name, "default catalogue" + (Object.keys(ALIASES).some((a) => ALIASES[a] === name) ? " (also as `" + Object.keys(ALIASES).filter((a) => ALIASES[a] === name).join("`, `") + "`)" : ""));
const ownerList = [...owners.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
for (const o of ownerList) {
  for (const dep of Object.keys(o.deps)) if (ownerList.some((x) => x.name === dep)) addWhy(dep, "required by " + o.name);
}

{
  fs.rmSync(LICENSES, { recursive: true, force: true });
  fs.mkdirSync(LICENSES);
  const rows = [];
  for (const o of ownerList) {
    const candidates = fs.readdirSync(o.dir).filter((f) => /^(licen[cs]e|copying)(\.|-|$)/i.test(f)).sort();
    if (!candidates.length) fail(o.name + " ships no licence file");
    const licenceText = candidates.map((f) => fs.readFileSync(path.join(o.dir, f), "utf8")).join("\n");
    const file = o.name.replace("/", "+") + "@" + o.version + ".txt";
    fs.writeFileSync(path.join(LICENSES, file), licenceText);
    const reasons = [...(why.get(o.name) || ["(reached by a require)"])].sort();
    const own = reasons.filter((r) => !r.startsWith("required by "));
    const by = reasons.filter((r) => r.startsWith("required by ")).map((r) => r.slice("required by ".length));
    if (by.length) own.push("required by " + by.join(", "));
    rows.push("| " + o.name + " | " + o.version + " | " + o.license + " | [" + file + "](licenses/" + file + ") | " + own.join("; ") + " |");
  }
  const adaptedRows = [];
  for (const [what, version, license, file, where] of ADAPTED) {
    fs.copyFileSync(path.join(HERE, "adapted", file), path.join(LICENSES, file));
    adaptedRows.push("| " + what + " | " + version + " | " + license + " | [" + file + "](licenses/" + file + ") | " + where + " |");
  }
  fs.writeFileSync(
    THIRD_PARTY,
    "# Third-party packages in `guest-sdk/js/modules.js`\n\n" +
      "GENERATED by `guest-sdk/npm/build.js` (`make npm-modules`); every package with a file in the\n" +
      "registry, pinned by `package-lock.json`. Licence texts are copied from each package into `licenses/`.\n\n" +
      "| Package | Version | Licence | Text | Why it is here |\n|---|---|---|---|---|\n" +
      rows.join("\n") +
      "\n\n## Sources adapted into hookbox's own guest files\n\n" +
      "Not packages of the registry: source files hookbox took in and changed, listed in `build.js`'s\n" +
      "`ADAPTED`; their licence texts are kept in `adapted/` and copied into `licenses/`.\n\n" +
      "| Source | Version | Licence | Text | Where |\n|---|---|---|---|---|\n" +
      adaptedRows.join("\n") +
      "\n",
  );
}

// ------------------------------------------------------------------ report

const log = (s) => process.stdout.write(s + "\n");
log("modules.js: " + paths.length + " files, " + ownerList.length + " packages, " + Buffer.byteLength(text) + " bytes -> " + path.relative(process.cwd(), OUT));
const dynamicFiles = paths.filter((p) => files.get(p).dynamic.length);
log("dynamic requires (resolved at run time against the same tables):");
for (const p of dynamicFiles) for (const d of files.get(p).dynamic) log("  " + p + ": " + d.replace(/\s+/g, " "));
if (!dynamicFiles.length) log("  (none)");
log("built-ins reached (builtin: markers the prelude provides or refuses):");
const markers = new Map();
for (const p of paths) {
  for (const t of files.get(p).requires.values()) {
    if (typeof t === "string" && t.startsWith("builtin:")) {
      if (!markers.has(t)) markers.set(t, new Set());
      markers.get(t).add(files.get(p).owner.name);
    }
  }
}
for (const m of [...markers.keys()].sort()) log("  " + m + ": " + [...markers.get(m)].sort().join(", "));
if (unresolved.length) {
  log("unresolved literal requires (MODULE_NOT_FOUND if run):");
  for (const [f, s, e] of unresolved) log("  " + f + ": " + J(s) + " (" + e + ")");
}
