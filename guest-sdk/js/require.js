// hookbox: Node's `require` over the generated module registry (modules.js).
//
// This script evaluates to a factory:
//
//   const makeRequire = (<this script>)(registry, builtins);
//   const require = makeRequire();      // what a function's code gets
//   const inner = makeRequire(fileId);  // what registry file `fileId` gets (made internally)
//
// - `registry` is modules.js's value: { packages, builtins, files } (see guest-sdk/npm/build.js).
// - `builtins` maps the Node built-ins the registry marks "builtin:<name>" to the
//   objects the host side provides, e.g. { crypto, url, querystring }; it is read
//   at require time, so a getter makes one lazy. A marked built-in missing from
//   it is refused with an error naming it.
//
// Semantics are Node's (lib/internal/modules/cjs/loader.js): one module object
// per file, cached by file, `module.exports` visible to a cycle while the file
// is still loading, evicted again if loading throws; each file runs as
// load.call(module.exports, exports, require, module, __filename, __dirname)
// with __filename = "/node_modules/<path>". Built-in names win over package
// names and take an optional `node:` prefix. From a function's code,
// `require('lodash@4.17.21')` is lodash only when the catalogue's lodash is that
// exact version. Everything else throws Error "Cannot find module '<name>': …"
// with code MODULE_NOT_FOUND.
(function (registry, builtins) {
  "use strict";

  const files = registry.files;
  const packages = registry.packages;
  const builtinTable = registry.builtins;
  const hasOwn = (o, k) => o != null && Object.prototype.hasOwnProperty.call(o, k);
  const ErrorCtor = Error;
  const TypeErrorCtor = TypeError;

  const byPath = Object.create(null);
  for (let i = 0; i < files.length; i++) byPath[files[i].path] = i;

  // id -> module object, while loading and after.
  const cache = [];

  function notFound(request, why) {
    const err = new ErrorCtor("Cannot find module '" + request + "': " + why);
    err.code = "MODULE_NOT_FOUND";
    return err;
  }

  // A file id, or { builtin: name } for a built-in the host provides.
  function builtinTarget(name, request) {
    const target = builtinTable[name];
    if (typeof target === "number") return target;
    if (hasOwn(builtins, name)) return { builtin: name };
    return refuse(name, request);
  }

  function refuse(name, request) {
    throw notFound(request, "hookbox does not provide Node's '" + name + "' module to functions");
  }

  function markerTarget(marker, request) {
    const name = marker.slice("builtin:".length);
    if (hasOwn(builtins, name)) return { builtin: name };
    return refuse(name, request);
  }

  // "a/./b/../c" -> "a/c"; null when it climbs above the root.
  function normalize(path) {
    const out = [];
    const parts = path.split("/");
    for (let i = 0; i < parts.length; i++) {
      const p = parts[i];
      if (p === "" || p === ".") continue;
      if (p === "..") {
        if (!out.length) return null;
        out.pop();
      } else out.push(p);
    }
    return out.join("/");
  }

  // Node's LOAD_AS_FILE then LOAD_AS_DIRECTORY (index files) over the registry's files.
  function probe(path) {
    const candidates = [path, path + ".js", path + ".json", path + "/index.js", path + "/index.json"];
    for (let i = 0; i < candidates.length; i++) {
      if (byPath[candidates[i]] !== undefined) return byPath[candidates[i]];
    }
    return undefined;
  }

  // Splits "name[@version][/subpath]" ("@scope/name" too).
  function parsePackage(request) {
    let end = 0;
    if (request[0] === "@") {
      end = request.indexOf("/") + 1;
      if (end === 0) return null;
    }
    while (end < request.length && request[end] !== "@" && request[end] !== "/") end++;
    const name = request.slice(0, end);
    let version = null;
    if (request[end] === "@") {
      const slash = request.indexOf("/", end);
      version = request.slice(end + 1, slash < 0 ? request.length : slash);
      end = slash < 0 ? request.length : slash;
    }
    const subpath = end < request.length ? request.slice(end + 1) : null;
    return { name, version, subpath };
  }

  function resolvePackage(request, allowVersion) {
    const parsed = parsePackage(request);
    if (!parsed || !parsed.name) throw notFound(request, "not a package name");
    const pkg = hasOwn(packages, parsed.name) ? packages[parsed.name] : null;
    if (!pkg) throw notFound(request, "hookbox's package catalogue has no package '" + parsed.name + "'");
    if (parsed.version !== null) {
      if (!allowVersion) throw notFound(request, "a version can only be named in a function's own require");
      if (parsed.version !== pkg.version) {
        throw notFound(
          request,
          "hookbox's package catalogue has " + parsed.name + " " + pkg.version + ", not " + parsed.version,
        );
      }
    }
    if (parsed.subpath === null || parsed.subpath === "") return pkg.main;
    const id = pkg.exports ? undefined : probe(pkg.dir + "/" + parsed.subpath);
    if (id === undefined) {
      throw notFound(request, "hookbox's package catalogue has " + parsed.name + " without '" + parsed.subpath + "'");
    }
    return id;
  }

  // A file id or { builtin: name }.
  function resolve(from, request) {
    if (typeof request !== "string") {
      const err = new TypeErrorCtor('The "id" argument must be of type string. Received ' + typeof request);
      err.code = "ERR_INVALID_ARG_TYPE";
      throw err;
    }
    if (request === "") {
      const err = new TypeErrorCtor("The argument 'id' must be a non-empty string. Received ''");
      err.code = "ERR_INVALID_ARG_VALUE";
      throw err;
    }
    if (from !== undefined) {
      const known = files[from].requires;
      if (hasOwn(known, request)) {
        const t = known[request];
        return typeof t === "number" ? t : markerTarget(t, request);
      }
    }
    if (request.slice(0, 5) === "node:") {
      const name = request.slice(5);
      if (hasOwn(builtinTable, name)) return builtinTarget(name, request);
      throw notFound(request, "Node has no built-in module '" + name + "'");
    }
    if (hasOwn(builtinTable, request)) return builtinTarget(request, request);
    const first = request[0];
    if (first === "." || first === "/") {
      // Relative to the requiring file (a require the build could not see, such as
      // moment's locales), or an absolute /node_modules/… path.
      let path = null;
      if (first === "/") {
        if (request.slice(0, 14) === "/node_modules/") path = normalize(request.slice(14));
      } else if (from !== undefined && (request === "." || request === ".." || request.slice(0, 2) === "./" || request.slice(0, 3) === "../")) {
        const own = files[from].path;
        path = normalize(own.slice(0, own.lastIndexOf("/") + 1) + request);
      }
      const id = path === null ? undefined : probe(path);
      if (id === undefined) {
        throw notFound(request, from === undefined ? "a function has no files to require" : "no such file in the package");
      }
      return id;
    }
    return resolvePackage(request, from === undefined);
  }

  function load(target) {
    if (typeof target !== "number") return builtins[target.builtin];
    const cached = cache[target];
    if (cached !== undefined) return cached.exports;
    const file = files[target];
    const filename = "/node_modules/" + file.path;
    const dirname = filename.slice(0, filename.lastIndexOf("/"));
    const module = { id: filename, filename, path: dirname, exports: {}, loaded: false, children: [] };
    const require = makeRequire(target);
    module.require = require;
    cache[target] = module;
    let threw = true;
    try {
      file.load.call(module.exports, module.exports, require, module, filename, dirname);
      threw = false;
    } finally {
      if (threw) cache[target] = undefined;
    }
    module.loaded = true;
    return module.exports;
  }

  /**
   * Node's `require` for registry file `from` (a file id), or for a function's own
   * code when `from` is undefined.
   */
  function makeRequire(from) {
    const require = function require(request) {
      return load(resolve(from, request));
    };
    // "/node_modules/<path>" for a file; a built-in (shims included) answers with the request, as in Node.
    require.resolve = function resolveName(request) {
      const target = resolve(from, request);
      const builtin = typeof target !== "number" || request.slice(0, 5) === "node:" || hasOwn(builtinTable, request);
      return builtin ? request : "/node_modules/" + files[target].path;
    };
    return require;
  }

  /**
   * Adds a function's operator packages (its compiled bundle, see the plugin's
   * PACKAGES_MARK) for this call: `extra` is `{ packages: { name: { version,
   * license, main, dir } }, files: [{ path, load }] }` with `main` indexing
   * `extra.files`. A package of the same name as a catalogue one replaces it
   * for the function's own `require`; the catalogue's files keep their own
   * dependencies. Answers the names added.
   */
  makeRequire.extend = function extend(extra) {
    const base = files.length;
    for (let i = 0; i < extra.files.length; i++) {
      const file = extra.files[i];
      files.push({ path: file.path, requires: {}, load: file.load });
      byPath[file.path] = base + i;
    }
    const names = Object.keys(extra.packages);
    for (let i = 0; i < names.length; i++) {
      const p = extra.packages[names[i]];
      packages[names[i]] = { version: p.version, license: p.license, main: base + p.main, dir: p.dir };
    }
    return names;
  };

  return makeRequire;
});
