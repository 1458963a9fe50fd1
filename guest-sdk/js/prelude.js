// hookbox prelude: evaluated once, when the engine plugin is pre-initialised, and
// baked into its snapshot. It defines the globals function authors see (console,
// require, env, configuration, UnauthorizedError, timers) and returns the
// driver the plugin calls for every invocation.
//
// Everything it needs from the language is captured here, at snapshot time, so
// that a script which tampers with prototypes or globals cannot change how its
// own input is read or its result is written.
(function (host) {
  "use strict";

  const G = globalThis;
  const ObjectCreate = Object.create;
  const ObjectKeys = Object.keys;
  const ObjectFreeze = Object.freeze;
  const ObjectDefineProperty = Object.defineProperty;
  const hasOwn = Object.prototype.hasOwnProperty;
  const ArrayIsArray = Array.isArray;
  const ReflectApply = Reflect.apply;
  const JSONParse = JSON.parse;
  const JSONStringify = JSON.stringify;
  const PromiseCtor = Promise;
  const PromiseThen = Promise.prototype.then;
  const ErrorCtor = Error;
  const StringCtor = String;
  const NumberCtor = Number;
  const stringSplit = String.prototype.split;
  const stringIndexOf = String.prototype.indexOf;
  const stringSlice = String.prototype.slice;
  const stringReplace = String.prototype.replace;
  const stringTrim = String.prototype.trim;
  const stringToLowerCase = String.prototype.toLowerCase;
  const arrayJoin = Array.prototype.join;
  const arrayPush = Array.prototype.push;
  const encodeURIComponentFn = encodeURIComponent;
  const decodeURIComponentFn = decodeURIComponent;
  const unescapeFn = unescape;
  const hostLog = host.log;
  const hostInput = host.input;
  const hostOutput = host.output;

  const call = (fn, self, ...args) => ReflectApply(fn, self, args);
  const owns = (obj, key) => call(hasOwn, obj, key);
  const isObject = (v) => v !== null && typeof v === "object";
  const push = (arr, v) => call(arrayPush, arr, v);

  // ---------------------------------------------------------------- console

  const LEVELS = { log: 0, info: 0, debug: 1, warn: 2, error: 3 };
  let logsOpen = true;

  function inspect(value, depth) {
    if (typeof value === "string") return value;
    if (value instanceof ErrorCtor) {
      return value.stack ? value.name + ": " + value.message + "\n" + value.stack : value.name + ": " + value.message;
    }
    if (typeof value === "function") return "[Function: " + (value.name || "anonymous") + "]";
    if (typeof value === "undefined") return "undefined";
    if (typeof value === "symbol" || typeof value === "bigint") return StringCtor(value);
    try {
      const s = JSONStringify(value);
      return s === undefined ? StringCtor(value) : s;
    } catch (_) {
      return "[unserialisable " + typeof value + "]";
    }
  }

  function format(args) {
    const parts = [];
    for (let i = 0; i < args.length; i++) push(parts, inspect(args[i]));
    return call(arrayJoin, parts, " ");
  }

  function emit(level, args) {
    if (!logsOpen) return;
    // The host enforces the per-call cap; once it says the log is full,
    // stop spending guest time on formatting.
    if (!hostLog(level, format(args))) logsOpen = false;
  }

  const console = ObjectFreeze({
    log: (...a) => emit(LEVELS.log, a),
    info: (...a) => emit(LEVELS.info, a),
    debug: (...a) => emit(LEVELS.debug, a),
    warn: (...a) => emit(LEVELS.warn, a),
    error: (...a) => emit(LEVELS.error, a),
  });

  // ---------------------------------------------------------------- errors

  class UnauthorizedError extends ErrorCtor {
    constructor(message) {
      super(message);
      this.name = "UnauthorizedError";
    }
  }

  // Columns on the user's first line include the compile wrapper's prefix
  // (guest-sdk/plugin: PREFIX_LEN).
  const PREFIX_LEN = 47;
  const FIRST_LINE = /function\.js:1:(\d+)/g;
  const unwrapColumn = (_, col) => "function.js:1:" + (NumberCtor(col) > PREFIX_LEN ? NumberCtor(col) - PREFIX_LEN : 1);

  // QuickJS stack lines look like "    at pipe (function.js:7:12)". Keep the
  // user's frames only; the prelude's own are noise to a function author.
  function userStack(stack) {
    if (typeof stack !== "string") return undefined;
    const lines = call(stringSplit, stack, "\n");
    const kept = [];
    for (let i = 0; i < lines.length; i++) {
      const line = call(stringTrim, lines[i]);
      if (line && call(stringIndexOf, line, "function.js") >= 0) push(kept, call(stringReplace, line, FIRST_LINE, unwrapColumn));
    }
    return kept.length ? call(arrayJoin, kept, "\n") : undefined;
  }

  // Mirrors the host's bounds (hookbox-engine limits.rs): the host cuts
  // longer fields anyway; cutting here too keeps a huge message from pushing
  // the whole result past its size limit, which would turn a deny into an
  // invalid_output.
  const MAX_ERROR_NAME = 256;
  const MAX_ERROR_TEXT = 8192;
  const cut = (s, max) => (s.length > max ? call(stringSlice, s, 0, max) : s);

  // Reads a property of a thrown value, which may be a Proxy or have getters
  // that throw: undefined then.
  function read(obj, key) {
    try {
      return obj[key];
    } catch (_) {
      return undefined;
    }
  }

  function text(value, fallback) {
    if (value === undefined) return fallback;
    try {
      return StringCtor(value);
    } catch (_) {
      return fallback;
    }
  }

  // What a thrown or rejected value becomes in the result: plain strings
  // only. Never throws, whatever the value's traps or getters do.
  function describeError(err) {
    if (isObject(err) || typeof err === "function") {
      const name = read(err, "name");
      const out = {
        name: typeof name === "string" && name ? cut(name, MAX_ERROR_NAME) : "Error",
        message: cut(text(read(err, "message"), ""), MAX_ERROR_TEXT),
        stack: undefined,
        code: undefined,
      };
      const stack = read(err, "stack");
      if (typeof stack === "string") out.stack = userStack(cut(stack, 4 * MAX_ERROR_TEXT));
      const code = read(err, "code");
      if (code !== undefined) out.code = cut(text(code, ""), MAX_ERROR_NAME);
      return out;
    }
    return { name: "Error", message: cut(text(err, typeof err), MAX_ERROR_TEXT), stack: undefined, code: undefined };
  }

  // ---------------------------------------------------------------- require

  function parseIPv4(ip) {
    const parts = call(stringSplit, ip, ".");
    if (parts.length !== 4) return null;
    let n = 0;
    for (let i = 0; i < 4; i++) {
      const p = parts[i];
      if (!/^\d{1,3}$/.test(p)) return null;
      const v = NumberCtor(p);
      if (v > 255) return null;
      n = n * 256 + v;
    }
    return n;
  }

  function parseIPv6(ip) {
    let s = call(stringToLowerCase, ip);
    if (call(stringIndexOf, s, "::ffff:") === 0 && parseIPv4(call(stringSlice, s, 7)) !== null) {
      const v4 = parseIPv4(call(stringSlice, s, 7));
      s = "::ffff:" + ((v4 / 65536) | 0).toString(16) + ":" + (v4 % 65536).toString(16);
    }
    const halves = call(stringSplit, s, "::");
    if (halves.length > 2) return null;
    const head = halves[0] ? call(stringSplit, halves[0], ":") : [];
    const tail = halves.length === 2 && halves[1] ? call(stringSplit, halves[1], ":") : [];
    const missing = 8 - head.length - tail.length;
    if (halves.length === 1 ? missing !== 0 : missing < 1) return null;
    const groups = [];
    for (let i = 0; i < head.length; i++) push(groups, head[i]);
    for (let i = 0; i < (halves.length === 2 ? missing : 0); i++) push(groups, "0");
    for (let i = 0; i < tail.length; i++) push(groups, tail[i]);
    const out = [];
    for (let i = 0; i < 8; i++) {
      if (!/^[0-9a-f]{1,4}$/.test(groups[i])) return null;
      push(out, parseInt(groups[i], 16));
    }
    return out;
  }

  function ipInCidr(ip, range) {
    const slash = call(stringIndexOf, range, "/");
    const base = slash < 0 ? range : call(stringSlice, range, 0, slash);
    const v4 = parseIPv4(ip);
    const b4 = parseIPv4(base);
    if (v4 !== null && b4 !== null) {
      const bits = slash < 0 ? 32 : NumberCtor(call(stringSlice, range, slash + 1));
      if (!(bits >= 0 && bits <= 32)) return false;
      const block = 2 ** (32 - bits);
      return Math.floor(v4 / block) === Math.floor(b4 / block);
    }
    const v6 = parseIPv6(ip);
    const b6 = parseIPv6(base);
    if (v6 === null || b6 === null) return false;
    let bits = slash < 0 ? 128 : NumberCtor(call(stringSlice, range, slash + 1));
    if (!(bits >= 0 && bits <= 128)) return false;
    for (let i = 0; i < 8 && bits > 0; i++, bits -= 16) {
      const take = bits >= 16 ? 16 : bits;
      const shift = 16 - take;
      if (v6[i] >> shift !== b6[i] >> shift) return false;
    }
    return true;
  }

  function ipRangeCheck(ip, range) {
    if (typeof ip !== "string") return false;
    if (ArrayIsArray(range)) {
      for (let i = 0; i < range.length; i++) if (ipRangeCheck(ip, range[i])) return true;
      return false;
    }
    if (typeof range !== "string") return false;
    const dash = call(stringIndexOf, range, "-");
    if (dash > 0) {
      const lo = parseIPv4(call(stringTrim, call(stringSlice, range, 0, dash)));
      const hi = parseIPv4(call(stringTrim, call(stringSlice, range, dash + 1)));
      const v = parseIPv4(ip);
      return lo !== null && hi !== null && v !== null && v >= lo && v <= hi;
    }
    return ipInCidr(ip, range);
  }

  function qsEscape(s) {
    return encodeURIComponentFn(s);
  }

  function qsUnescape(s) {
    try {
      return decodeURIComponentFn(s);
    } catch (_) {
      return s;
    }
  }

  function qsParse(str, sep, eq) {
    const out = ObjectCreate(null);
    if (typeof str !== "string" || str.length === 0) return out;
    const pairs = call(stringSplit, str, sep || "&");
    for (let i = 0; i < pairs.length; i++) {
      if (!pairs[i]) continue;
      const piece = call(stringReplace, pairs[i], /\+/g, " ");
      const at = call(stringIndexOf, piece, eq || "=");
      const key = qsUnescape(at < 0 ? piece : call(stringSlice, piece, 0, at));
      const value = at < 0 ? "" : qsUnescape(call(stringSlice, piece, at + 1));
      if (!owns(out, key)) out[key] = value;
      else if (ArrayIsArray(out[key])) push(out[key], value);
      else out[key] = [out[key], value];
    }
    return out;
  }

  function qsValue(v) {
    if (typeof v === "string") return v;
    if ((typeof v === "number" && isFinite(v)) || typeof v === "boolean" || typeof v === "bigint") return "" + v;
    return "";
  }

  function qsStringify(obj, sep, eq) {
    if (!isObject(obj)) return "";
    const parts = [];
    const keys = ObjectKeys(obj);
    for (let i = 0; i < keys.length; i++) {
      const k = qsEscape(keys[i]);
      const v = obj[keys[i]];
      if (ArrayIsArray(v)) {
        for (let j = 0; j < v.length; j++) push(parts, k + (eq || "=") + qsEscape(qsValue(v[j])));
      } else {
        push(parts, k + (eq || "=") + qsEscape(qsValue(v)));
      }
    }
    return call(arrayJoin, parts, sep || "&");
  }

  const querystring = ObjectFreeze({
    parse: qsParse,
    decode: qsParse,
    stringify: qsStringify,
    encode: qsStringify,
    escape: qsEscape,
    unescape: qsUnescape,
  });

  const URL_RE = /^(?:([a-zA-Z][a-zA-Z0-9+.-]*:))?(?:\/\/(?:([^@/?#]*)@)?(\[[^\]]*\]|[^:/?#]*)(?::(\d*))?)?([^?#]*)(\?[^#]*)?(#.*)?$/;

  function urlParse(str, parseQuery) {
    if (typeof str !== "string") throw new TypeError('The "url" argument must be of type string');
    const m = URL_RE.exec(call(stringTrim, str));
    const protocol = m && m[1] ? call(stringToLowerCase, m[1]) : null;
    const hasHost = m && m[3] !== undefined && call(stringIndexOf, str, "//") >= 0;
    const hostname = hasHost ? call(stringToLowerCase, m[3]) : null;
    const port = hasHost && m[4] ? m[4] : null;
    const pathname = m && m[5] ? m[5] : hasHost ? "/" : null;
    const search = m && m[6] ? m[6] : null;
    const hash = m && m[7] ? m[7] : null;
    const query = search ? call(stringSlice, search, 1) : null;
    const host = hostname === null ? null : port ? hostname + ":" + port : hostname;
    return {
      protocol,
      slashes: hasHost ? true : null,
      auth: m && m[2] !== undefined ? qsUnescape(m[2]) : null,
      host,
      port,
      hostname,
      hash,
      search,
      query: parseQuery ? qsParse(query || "") : query,
      pathname,
      path: pathname === null && search === null ? null : (pathname || "") + (search || ""),
      href: str,
    };
  }

  function urlFormat(obj) {
    if (typeof obj === "string") obj = urlParse(obj);
    if (!isObject(obj)) throw new TypeError('The "urlObject" argument must be an object');
    let protocol = obj.protocol || "";
    if (protocol && protocol[protocol.length - 1] !== ":") protocol += ":";
    let host = "";
    if (obj.host) host = obj.host;
    else if (obj.hostname) host = obj.hostname + (obj.port ? ":" + obj.port : "");
    const auth = obj.auth ? qsEscape(obj.auth) + "@" : "";
    let pathname = obj.pathname || "";
    if (host && pathname && pathname[0] !== "/") pathname = "/" + pathname;
    let search = obj.search || "";
    if (!search && isObject(obj.query)) {
      const q = qsStringify(obj.query);
      if (q) search = "?" + q;
    } else if (!search && typeof obj.query === "string" && obj.query) {
      search = "?" + obj.query;
    }
    if (search && search[0] !== "?") search = "?" + search;
    let hash = obj.hash || "";
    if (hash && hash[0] !== "#") hash = "#" + hash;
    const slashes = host || obj.slashes || protocol === "http:" || protocol === "https:" ? "//" : "";
    return protocol + (host || slashes ? slashes + auth + host : "") + pathname + search + hash;
  }

  // ---------------------------------------------------------------- outbound HTTP
  //
  // The sandbox has no sockets: `hostHttp` hands the request to the host, which
  // makes it under the operator's rules (allow-list, no private addresses,
  // size and time limits) while this guest waits. A refusal or failure comes
  // back as an Error whose message names the rule. fetch, axios and request are
  // thin shapes over that one call.

  const hostHttp = host.http;
  const TypeErrorCtor = TypeError;
  const stringToUpperCase = String.prototype.toUpperCase;
  const stringCharCodeAt = String.prototype.charCodeAt;
  const upper = (s) => call(stringToUpperCase, StringCtor(s));
  const lower = (s) => call(stringToLowerCase, StringCtor(s));

  // Runs `fn` in a microtask; what it throws ends the call as an error (as an
  // uncaught exception in a callback would in Node), instead of vanishing.
  function defer(fn) {
    call(PromiseThen, PromiseCtor.resolve(), () => {
      try {
        fn();
      } catch (e) {
        if (!done) settle("error", describeError(e));
      }
    });
  }

  // Headers given as a Headers, an array of pairs or a plain object, as
  // [name, value] pairs; undefined and null values are dropped (as axios does).
  function headerPairs(h) {
    const out = [];
    if (h === undefined || h === null) return out;
    if (h instanceof Headers) {
      h.forEach((v, k) => push(out, [k, v]));
      return out;
    }
    if (ArrayIsArray(h)) {
      for (let i = 0; i < h.length; i++) if (ArrayIsArray(h[i]) && h[i].length === 2) push(out, [StringCtor(h[i][0]), StringCtor(h[i][1])]);
      return out;
    }
    if (isObject(h)) {
      const keys = ObjectKeys(h);
      for (let i = 0; i < keys.length; i++) {
        const v = h[keys[i]];
        if (v !== undefined && v !== null) push(out, [keys[i], StringCtor(v)]);
      }
    }
    return out;
  }

  function hasHeader(pairs, name) {
    for (let i = 0; i < pairs.length; i++) if (lower(pairs[i][0]) === name) return true;
    return false;
  }

  function setHeaderDefault(pairs, name, value) {
    if (!hasHeader(pairs, name)) push(pairs, [name, value]);
  }

  // Response headers as Node clients show them: lower-case names, repeated
  // headers joined with ", " (set-cookie kept as an array).
  function headerObject(pairs) {
    const out = {};
    for (let i = 0; i < pairs.length; i++) {
      const k = pairs[i][0];
      const v = pairs[i][1];
      if (k === "set-cookie") {
        if (!owns(out, k)) out[k] = [];
        push(out[k], v);
      } else {
        out[k] = owns(out, k) ? out[k] + ", " + v : v;
      }
    }
    return out;
  }

  const B64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

  function base64(text) {
    const s = unescapeFn(encodeURIComponentFn(StringCtor(text)));
    let out = "";
    for (let i = 0; i < s.length; i += 3) {
      const a = call(stringCharCodeAt, s, i);
      const b = i + 1 < s.length ? call(stringCharCodeAt, s, i + 1) : 0;
      const c = i + 2 < s.length ? call(stringCharCodeAt, s, i + 2) : 0;
      out += B64[a >> 2] + B64[((a & 3) << 4) | (b >> 4)];
      out += i + 1 < s.length ? B64[((b & 15) << 2) | (c >> 6)] : "=";
      out += i + 2 < s.length ? B64[c & 63] : "=";
    }
    return out;
  }

  function withQuery(u, params) {
    if (params === undefined || params === null) return u;
    const q = typeof params === "string" ? params : qsStringify(params);
    if (!q) return u;
    return u + (call(stringIndexOf, u, "?") >= 0 ? "&" : "?") + q;
  }

  // The one host call. Returns {status, statusText, headers, body, url,
  // redirected}; throws an Error with `code` when refused or failed.
  function send(method, target, headers, body, maxRedirects) {
    const request = {
      method: upper(method || "GET"),
      url: StringCtor(target),
      headers,
      body: body === undefined || body === null ? null : StringCtor(body),
      maxRedirects: NumberCtor(maxRedirects) >= 0 ? NumberCtor(maxRedirects) | 0 : 5,
    };
    const answer = JSONParse(hostHttp(JSONStringify(request)));
    if (answer.error) {
      const err = new ErrorCtor(answer.error.message);
      err.code = answer.error.code;
      throw err;
    }
    return answer;
  }

  // -------- fetch (WHATWG-shaped)

  class Headers {
    #list = [];
    constructor(init) {
      const pairs = headerPairs(init);
      for (let i = 0; i < pairs.length; i++) this.append(pairs[i][0], pairs[i][1]);
    }
    append(name, value) {
      push(this.#list, [lower(name), StringCtor(value)]);
    }
    set(name, value) {
      this.delete(name);
      this.append(name, value);
    }
    delete(name) {
      const n = lower(name);
      const kept = [];
      for (let i = 0; i < this.#list.length; i++) if (this.#list[i][0] !== n) push(kept, this.#list[i]);
      this.#list = kept;
    }
    get(name) {
      const n = lower(name);
      const found = [];
      for (let i = 0; i < this.#list.length; i++) if (this.#list[i][0] === n) push(found, this.#list[i][1]);
      return found.length ? call(arrayJoin, found, ", ") : null;
    }
    has(name) {
      return this.get(name) !== null;
    }
    forEach(fn, thisArg) {
      const seen = ObjectCreate(null);
      for (let i = 0; i < this.#list.length; i++) {
        const n = this.#list[i][0];
        if (seen[n]) continue;
        seen[n] = true;
        ReflectApply(fn, thisArg, [this.get(n), n, this]);
      }
    }
    entries() {
      const out = [];
      this.forEach((v, k) => push(out, [k, v]));
      return out[Symbol.iterator]();
    }
    keys() {
      const out = [];
      this.forEach((_, k) => push(out, k));
      return out[Symbol.iterator]();
    }
    values() {
      const out = [];
      this.forEach((v) => push(out, v));
      return out[Symbol.iterator]();
    }
    [Symbol.iterator]() {
      return this.entries();
    }
  }

  class Response {
    #body;
    constructor(body, init) {
      const options = isObject(init) ? init : {};
      this.status = options.status === undefined ? 200 : NumberCtor(options.status);
      this.statusText = options.statusText === undefined ? "" : StringCtor(options.statusText);
      this.ok = this.status >= 200 && this.status < 300;
      this.headers = new Headers(options.headers);
      this.url = "";
      this.redirected = false;
      this.bodyUsed = false;
      this.#body = body === undefined || body === null ? "" : StringCtor(body);
    }
    #take() {
      if (this.bodyUsed) throw new TypeErrorCtor("Body has already been consumed.");
      this.bodyUsed = true;
      return this.#body;
    }
    text() {
      try {
        return PromiseCtor.resolve(this.#take());
      } catch (e) {
        return PromiseCtor.reject(e);
      }
    }
    json() {
      try {
        return PromiseCtor.resolve(JSONParse(this.#take()));
      } catch (e) {
        return PromiseCtor.reject(e);
      }
    }
  }

  function fetch(resource, init) {
    try {
      const options = isObject(init) ? init : {};
      const fromRequest = isObject(resource) && typeof resource.url === "string";
      const target = fromRequest ? resource.url : resource;
      const method = options.method || (fromRequest && resource.method) || "GET";
      const headers = headerPairs(options.headers !== undefined ? options.headers : fromRequest ? resource.headers : undefined);
      const body = options.body !== undefined ? options.body : fromRequest ? resource.body : undefined;
      if (typeof body === "string" && !hasHeader(headers, "content-type")) push(headers, ["content-type", "text/plain;charset=UTF-8"]);
      const redirect = options.redirect || "follow";
      const answer = send(method, target, headers, body, redirect === "follow" ? 5 : 0);
      if (redirect === "error" && answer.status >= 300 && answer.status < 400) {
        throw new TypeErrorCtor("fetch: redirect mode is \"error\" and the server redirected");
      }
      const res = new Response(answer.body, { status: answer.status, statusText: answer.statusText, headers: answer.headers });
      res.url = answer.url;
      res.redirected = answer.redirected;
      return PromiseCtor.resolve(res);
    } catch (e) {
      if (e instanceof ErrorCtor && !(e instanceof TypeErrorCtor)) {
        // Node's fetch rejects with a TypeError; keep our message and code.
        const err = new TypeErrorCtor(e.message);
        err.code = e.code;
        return PromiseCtor.reject(err);
      }
      return PromiseCtor.reject(e);
    }
  }

  const nodeFetch = function fetch(resource, init) {
    return ReflectApply(fetchFn, undefined, [resource, init]);
  };
  const fetchFn = fetch;
  nodeFetch.default = nodeFetch;
  nodeFetch.Headers = Headers;
  nodeFetch.Response = Response;
  ObjectFreeze(nodeFetch);

  // -------- axios (the commonly used subset)

  function axiosError(message, code, config, response) {
    const err = new ErrorCtor(message);
    err.name = "AxiosError";
    err.code = code;
    err.config = config;
    err.isAxiosError = true;
    if (response) {
      err.response = response;
      err.status = response.status;
    }
    return err;
  }

  function mergeHeaders(defaults, method, headers) {
    const out = {};
    const add = (h) => {
      const pairs = headerPairs(h);
      for (let i = 0; i < pairs.length; i++) {
        const n = lower(pairs[i][0]);
        if (n === "common" || n === "get" || n === "post" || n === "put" || n === "patch" || n === "delete" || n === "head") continue;
        out[n] = pairs[i][1];
      }
    };
    if (isObject(defaults)) {
      add(defaults.common);
      add(defaults[method]);
      add(defaults);
    }
    add(headers);
    return out;
  }

  function axiosCall(defaults, config) {
    const c = {};
    const dk = ObjectKeys(defaults);
    for (let i = 0; i < dk.length; i++) c[dk[i]] = defaults[dk[i]];
    const ck = ObjectKeys(config);
    for (let i = 0; i < ck.length; i++) c[ck[i]] = config[ck[i]];
    const method = lower(c.method || "get");
    c.method = method;
    let target = c.url === undefined ? "" : StringCtor(c.url);
    if (c.baseURL && !/^[a-zA-Z][a-zA-Z0-9+.-]*:\/\//.test(target)) {
      const base = StringCtor(c.baseURL);
      target = target ? call(stringReplace, base, /\/+$/, "") + "/" + call(stringReplace, target, /^\/+/, "") : base;
    }
    target = withQuery(target, c.params);
    c.headers = mergeHeaders(defaults.headers, method, config.headers);
    const headers = headerPairs(c.headers);
    let body = null;
    if (c.data !== undefined && c.data !== null) {
      if (typeof c.data === "string") {
        body = c.data;
        setHeaderDefault(headers, "content-type", "application/x-www-form-urlencoded");
      } else {
        body = JSONStringify(c.data);
        setHeaderDefault(headers, "content-type", "application/json");
      }
    }
    setHeaderDefault(headers, "accept", "application/json, text/plain, */*");
    if (isObject(c.auth)) {
      setHeaderDefault(headers, "authorization", "Basic " + base64((c.auth.username || "") + ":" + (c.auth.password || "")));
    }
    const maxRedirects = c.maxRedirects === undefined ? 5 : c.maxRedirects;
    let answer;
    try {
      answer = send(method, target, headers, body, maxRedirects);
    } catch (e) {
      throw axiosError(e.message, e.code || "ERR_NETWORK", c, undefined);
    }
    let data = answer.body;
    if (c.responseType !== "text" && data !== "") {
      try {
        data = JSONParse(data);
      } catch (_) {}
    }
    const response = {
      data,
      status: answer.status,
      statusText: answer.statusText,
      headers: headerObject(answer.headers),
      config: c,
      request: { responseURL: answer.url },
    };
    const validate = c.validateStatus === undefined ? (s) => s >= 200 && s < 300 : c.validateStatus;
    if (validate && !validate(answer.status)) {
      throw axiosError(
        "Request failed with status code " + answer.status,
        answer.status >= 500 ? "ERR_BAD_RESPONSE" : "ERR_BAD_REQUEST",
        c,
        response,
      );
    }
    return response;
  }

  function createAxios(defaults) {
    const d = isObject(defaults) ? defaults : {};
    if (!isObject(d.headers)) d.headers = {};
    if (!isObject(d.headers.common)) d.headers.common = {};
    const run = (config) => {
      try {
        return PromiseCtor.resolve(axiosCall(d, isObject(config) ? config : {}));
      } catch (e) {
        return PromiseCtor.reject(e);
      }
    };
    const with_ = (config, extra) => {
      const c = {};
      const ks = isObject(config) ? ObjectKeys(config) : [];
      for (let i = 0; i < ks.length; i++) c[ks[i]] = config[ks[i]];
      const es = ObjectKeys(extra);
      for (let i = 0; i < es.length; i++) if (extra[es[i]] !== undefined || es[i] === "url") c[es[i]] = extra[es[i]];
      return c;
    };
    const instance = function axios(urlOrConfig, config) {
      return typeof urlOrConfig === "string" ? run(with_(config, { url: urlOrConfig })) : run(urlOrConfig);
    };
    instance.defaults = d;
    instance.request = (config) => run(config);
    for (const m of ["get", "delete", "head", "options"]) {
      instance[m] = (u, config) => run(with_(config, { url: u, method: m }));
    }
    for (const m of ["post", "put", "patch"]) {
      instance[m] = (u, data, config) => run(with_(config, { url: u, method: m, data }));
    }
    instance.create = (more) => {
      const merged = {};
      const ks = ObjectKeys(d);
      for (let i = 0; i < ks.length; i++) merged[ks[i]] = d[ks[i]];
      const ms = isObject(more) ? ObjectKeys(more) : [];
      for (let i = 0; i < ms.length; i++) merged[ms[i]] = more[ms[i]];
      merged.headers = mergeHeaders(d.headers, "", isObject(more) ? more.headers : undefined);
      return createAxios(merged);
    };
    instance.isAxiosError = (e) => isObject(e) && e.isAxiosError === true;
    instance.all = (promises) => PromiseCtor.all(promises);
    instance.spread = (fn) => (arr) => ReflectApply(fn, undefined, arr);
    instance.default = instance;
    return instance;
  }

  // -------- request (callback style, as Auth0 rules use it)

  function requestCall(method, uri, options, callback) {
    let o = options;
    let cb = callback;
    if (typeof o === "function") {
      cb = o;
      o = undefined;
    }
    if (isObject(uri)) {
      if (typeof o === "function") cb = o;
      o = uri;
    } else {
      const copy = {};
      const ks = isObject(o) ? ObjectKeys(o) : [];
      for (let i = 0; i < ks.length; i++) copy[ks[i]] = o[ks[i]];
      copy.uri = uri;
      o = copy;
    }
    const done_ = typeof cb === "function" ? cb : () => {};
    let response;
    let body;
    try {
      const target = withQuery(StringCtor(o.url !== undefined ? o.url : o.uri), o.qs);
      const headers = headerPairs(o.headers);
      let payload = null;
      if (o.form !== undefined) {
        payload = typeof o.form === "string" ? o.form : qsStringify(o.form);
        setHeaderDefault(headers, "content-type", "application/x-www-form-urlencoded");
      } else if (isObject(o.json)) {
        payload = JSONStringify(o.json);
        setHeaderDefault(headers, "content-type", "application/json");
      } else if (o.body !== undefined && o.body !== null) {
        if (o.json && typeof o.body !== "string") {
          payload = JSONStringify(o.body);
          setHeaderDefault(headers, "content-type", "application/json");
        } else {
          payload = StringCtor(o.body);
        }
      }
      if (o.json) setHeaderDefault(headers, "accept", "application/json");
      if (isObject(o.auth)) {
        if (o.auth.bearer) setHeaderDefault(headers, "authorization", "Bearer " + o.auth.bearer);
        else setHeaderDefault(headers, "authorization", "Basic " + base64((o.auth.user || o.auth.username || "") + ":" + (o.auth.pass || o.auth.password || "")));
      }
      const maxRedirects = o.followRedirect === false ? 0 : o.maxRedirects === undefined ? 5 : o.maxRedirects;
      const answer = send(o.method || method || "GET", target, headers, payload, maxRedirects);
      body = answer.body;
      if (o.json && body !== "") {
        try {
          body = JSONParse(body);
        } catch (_) {}
      }
      response = {
        statusCode: answer.status,
        statusMessage: answer.statusText,
        headers: headerObject(answer.headers),
        body,
        url: answer.url,
        request: { uri: { href: answer.url }, method: upper(o.method || method || "GET") },
      };
    } catch (e) {
      defer(() => done_(e));
      return undefined;
    }
    defer(() => done_(null, response, body));
    return undefined;
  }

  function makeRequest(defaults) {
    const merge = (o) => {
      if (!isObject(defaults)) return o;
      const out = {};
      const dk = ObjectKeys(defaults);
      for (let i = 0; i < dk.length; i++) out[dk[i]] = defaults[dk[i]];
      const ok = isObject(o) ? ObjectKeys(o) : [];
      for (let i = 0; i < ok.length; i++) out[ok[i]] = o[ok[i]];
      return out;
    };
    const norm = (uri, options, cb) => {
      if (isObject(uri)) return [merge(uri), typeof options === "function" ? options : cb];
      if (typeof options === "function") return [merge({ uri }), options];
      const o = merge(options);
      o.uri = uri;
      return [o, cb];
    };
    const req = function request(uri, options, cb) {
      const [o, callback] = norm(uri, options, cb);
      return requestCall(undefined, o, undefined, callback);
    };
    const verb = (m) =>
      function (uri, options, cb) {
        const [o, callback] = norm(uri, options, cb);
        o.method = m;
        return requestCall(m, o, undefined, callback);
      };
    req.get = verb("GET");
    req.post = verb("POST");
    req.put = verb("PUT");
    req.patch = verb("PATCH");
    req.del = verb("DELETE");
    req.delete = verb("DELETE");
    req.head = verb("HEAD");
    req.defaults = (more) => makeRequest(merge(more));
    return req;
  }

  const axios = createAxios({});
  const request = makeRequest(undefined);

  const url = ObjectFreeze({ parse: urlParse, format: urlFormat });
  const utils = ObjectFreeze({ ipRangeCheck });
  const MODULES = { "./utils": utils, utils: utils, querystring, url, axios, request, "node-fetch": nodeFetch };

  function require(name) {
    if (typeof name === "string" && owns(MODULES, name)) return MODULES[name];
    const err = new ErrorCtor(
      "Cannot find module '" + StringCtor(name) + "': hookbox provides " +
        call(arrayJoin, ObjectKeys(MODULES), ", ") + " (no npm packages, no filesystem)",
    );
    err.code = "MODULE_NOT_FOUND";
    throw err;
  }

  // ---------------------------------------------------------------- timers
  //
  // There is no clock to wait on inside the sandbox: timers fire in due order
  // once the job queue is empty, without sleeping for their delay. A function
  // that only waits is bounded by the host's wall-clock and fuel limits anyway.

  let timers = [];
  let timerSeq = 0;
  let virtualNow = 0;

  // Pending timers a call may hold at once: each one is state the call keeps
  // and work the driver does, so a loop that schedules without end fails
  // loudly instead of growing until a limit classifies it as something else.
  const MAX_TIMERS = 10000;

  function addTimer(fn, delay, args, repeat) {
    if (typeof fn !== "function") throw new TypeError("timer callback must be a function");
    if (timers.length >= MAX_TIMERS) {
      throw new RangeError("hookbox: a call may have at most " + MAX_TIMERS + " pending timers");
    }
    const ms = NumberCtor(delay) > 0 ? NumberCtor(delay) : 0;
    const id = ++timerSeq;
    push(timers, { id, due: virtualNow + ms, ms, fn, args, repeat });
    return id;
  }

  function clearTimer(id) {
    for (let i = 0; i < timers.length; i++) {
      if (timers[i].id === id) {
        timers[i] = timers[timers.length - 1];
        timers.length--;
        return;
      }
    }
  }

  function fireNextTimer() {
    if (timers.length === 0) return false;
    let next = 0;
    for (let i = 1; i < timers.length; i++) {
      const a = timers[i];
      const b = timers[next];
      if (a.due < b.due || (a.due === b.due && a.id < b.id)) next = i;
    }
    const t = timers[next];
    if (t.repeat) t.due += t.ms > 0 ? t.ms : 1;
    else clearTimer(t.id);
    if (t.due > virtualNow) virtualNow = t.due;
    ReflectApply(t.fn, undefined, t.args);
    return true;
  }

  // ---------------------------------------------------------------- user helpers
  //
  // The Authing helpers live on a prototype built once, in the snapshot, and
  // slotted under the user object per call: no per-call closures, and JSON
  // never sees them. Their effects are created on first use only.

  let effects = null;
  // The bags have no prototype, so that a script's Object.prototype.toJSON
  // (or any other tampering) cannot change how they are written.
  const bag = () => ObjectCreate(null);
  const fx = () => effects || (effects = { tokens: { idToken: bag(), accessToken: bag() }, customData: bag() });

  function setClaims(bag, key, value) {
    if (isObject(key)) {
      const keys = ObjectKeys(key);
      for (let i = 0; i < keys.length; i++) bag[keys[i]] = key[keys[i]];
    } else {
      bag[StringCtor(key)] = value;
    }
  }

  const UserPrototype = ObjectCreate(Object.prototype);
  const helpers = {
    addIdToken(key, value) {
      setClaims(fx().tokens.idToken, key, value);
      return this;
    },
    removeIdToken(key) {
      fx().tokens.idToken[StringCtor(key)] = null;
      return this;
    },
    addAccessToken(key, value) {
      setClaims(fx().tokens.accessToken, key, value);
      return this;
    },
    removeAccessToken(key) {
      fx().tokens.accessToken[StringCtor(key)] = null;
      return this;
    },
    addCustomData(key, value) {
      setClaims(fx().customData, key, value);
      return this;
    },
  };
  const helperNames = ObjectKeys(helpers);
  for (let i = 0; i < helperNames.length; i++) {
    ObjectDefineProperty(UserPrototype, helperNames[i], { value: helpers[helperNames[i]], writable: true, configurable: true });
  }
  const ObjectSetPrototypeOf = Object.setPrototypeOf;

  // ---------------------------------------------------------------- the driver
  //
  // One invocation per instance, so the call's state is plain module state.

  let done = false;
  let outcome = null;
  let payload = null;
  let inputUser = null;
  let inputContext = null;

  function settle(kind, value) {
    if (done) {
      emit(LEVELS.warn, ["hookbox: callback called more than once; this call was ignored"]);
      return;
    }
    done = true;
    outcome = kind;
    payload = value;
  }

  function makeCallback(kind) {
    return function callback(err, a, b) {
      if (err !== null && err !== undefined) return settle("error", describeError(err));
      if (kind === "pipe") {
        settle("ok", { user: a === undefined ? inputUser : a, context: b === undefined ? inputContext : b });
      } else {
        settle("ok", { result: a === undefined ? null : a });
      }
    };
  }

  function watch(value, kind) {
    if (!isObject(value) && typeof value !== "function") {
      if (kind === "handler") settle("ok", { result: value === undefined ? null : value });
      return;
    }
    let then;
    try {
      then = value.then;
    } catch (e) {
      return settle("error", describeError(e));
    }
    if (typeof then !== "function") {
      if (kind === "handler") settle("ok", { result: value });
      return;
    }
    const onValue = (v) => {
      if (kind === "handler" && !done) settle("ok", { result: v === undefined ? null : v });
    };
    const onError = (e) => {
      if (!done) settle("error", describeError(e));
    };
    call(PromiseThen, PromiseCtor.resolve(value), onValue, onError);
  }

  function run(factory) {
    const input = JSONParse(hostInput());
    const user = isObject(input.user) ? input.user : {};
    const context = isObject(input.context) ? input.context : {};
    inputUser = user;
    inputContext = context;
    if (!ArrayIsArray(user)) ObjectSetPrototypeOf(user, UserPrototype);
    if (isObject(input.env)) {
      const env = ObjectFreeze(input.env);
      G.env = env;
      G.configuration = env;
    }

    const module = { exports: {} };
    try {
      const entry = factory(module, module.exports, require);
      const exported = module.exports;
      const handler =
        exported && (typeof exported === "object" || typeof exported === "function") && typeof exported.handler === "function"
          ? exported.handler
          : null;
      if (handler) {
        const event = input.event === undefined ? {} : input.event;
        if (handler.length >= 3) {
          // Lambda style: the callback or a returned promise, whichever settles first.
          const returned = ReflectApply(handler, exported, [event, context, makeCallback("handler")]);
          if (returned !== undefined) watch(returned, "handler");
        } else {
          watch(ReflectApply(handler, exported, [event, context]), "handler");
        }
      } else if (typeof exported === "function") {
        const args = ArrayIsArray(input.args) ? input.args : [user, context];
        push(args, makeCallback("hook"));
        watch(ReflectApply(exported, module, args), "hook");
      } else if (typeof entry === "function") {
        watch(ReflectApply(entry, undefined, [user, context, makeCallback("pipe")]), "pipe");
      } else {
        settle("error", {
          name: "EntryPointError",
          message:
            "no entry point: define `function pipe(user, context, callback)`, a single function expression, " +
            "`module.exports = function (..., cb)` or `exports.handler = async (event, context) => result`",
          stack: undefined,
          code: undefined,
        });
      }
    } catch (e) {
      settle("error", describeError(e));
    }
  }

  function tick() {
    if (done) return false;
    try {
      return fireNextTimer();
    } catch (e) {
      settle("error", describeError(e));
      return false;
    }
  }

  // The result is assembled as text around the user's values, so that only
  // those are walked by JSON.stringify.
  const json = (v) => {
    const s = JSONStringify(v);
    return s === undefined ? "null" : s;
  };

  function resultText() {
    if (!done) {
      return '{"outcome":"callback_not_called","error":{"name":"CallbackNotCalledError","message":"the function finished without calling back or settling its promise"}}';
    }
    // A thrown RangeError is an error like any other: only the host, which
    // sees the engine trap, classifies a stack overflow.
    if (outcome === "error") return '{"outcome":"error","error":' + errorText(payload) + "}";
    let text = '{"outcome":"ok"';
    if (owns(payload, "user")) text += ',"user":' + json(payload.user) + ',"context":' + json(payload.context);
    else text += ',"result":' + json(payload.result);
    if (effects) {
      text += ',"tokens":{"idToken":' + json(effects.tokens.idToken) + ',"accessToken":' + json(effects.tokens.accessToken);
      text += '},"customData":' + json(effects.customData);
    }
    return text + "}";
  }

  // The error, written field by field from the strings describeError made:
  // JSON.stringify of a string primitive consults no prototype.
  function errorText(e) {
    let text = '{"name":' + JSONStringify(e.name) + ',"message":' + JSONStringify(e.message);
    if (typeof e.stack === "string") text += ',"stack":' + JSONStringify(e.stack);
    if (typeof e.code === "string") text += ',"code":' + JSONStringify(e.code);
    return text + "}";
  }

  function finish() {
    let text;
    try {
      text = resultText();
    } catch (e) {
      const why = describeError(e);
      text =
        '{"outcome":"invalid_output","error":' +
        errorText({ name: "InvalidOutputError", message: "the result cannot be serialised as JSON: " + why.message }) +
        "}";
    }
    hostOutput(text);
  }

  const globals = {
    console,
    require,
    UnauthorizedError,
    setTimeout: (fn, ms, ...args) => addTimer(fn, ms, args, false),
    setInterval: (fn, ms, ...args) => addTimer(fn, ms, args, true),
    setImmediate: (fn, ...args) => addTimer(fn, 0, args, false),
    clearTimeout: clearTimer,
    clearInterval: clearTimer,
    clearImmediate: clearTimer,
    queueMicrotask: (fn) => {
      call(PromiseThen, PromiseCtor.resolve(), () => fn());
    },
    fetch: fetchFn,
    Headers,
    Response,
    env: ObjectFreeze({}),
    configuration: ObjectFreeze({}),
  };
  const names = ObjectKeys(globals);
  for (let i = 0; i < names.length; i++) {
    ObjectDefineProperty(G, names[i], { value: globals[names[i]], writable: true, configurable: true, enumerable: false });
  }

  return { run, tick, finish };
});
