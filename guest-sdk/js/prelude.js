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
  const ObjectAssign = Object.assign;
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
  const hostCall = host.call;
  const textEncoder = new TextEncoder();
  const textEncode = TextEncoder.prototype.encode;
  const textDecoder = new TextDecoder("utf-8", { fatal: true });
  const textDecode = TextDecoder.prototype.decode;
  const Uint8ArrayCtor = Uint8Array;
  const arrayIndexOf = Array.prototype.indexOf;

  const call = (fn, self, ...args) => ReflectApply(fn, self, args);
  const owns = (obj, key) => call(hasOwn, obj, key);
  const isObject = (v) => v !== null && typeof v === "object";
  const push = (arr, v) => call(arrayPush, arr, v);

  // ---------------------------------------------------------------- console

  const LEVELS = { log: 0, info: 0, debug: 1, warn: 2, error: 3 };
  let logsOpen = true;

  // console.log formats its arguments as Node 20's does: util.format, from
  // Node's own inspector (guest-sdk/js/inspect.js), the same one `util`
  // gives functions. The classes it prints as Node's (URL, Buffer) are
  // handed to it once they exist (see "util" below).
  const inspectOptions = {};
  const inspectApi = host.inspect(inspectOptions);
  const format = inspectApi.formatArgs;

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

  // Auth0 custom database scripts' errors (README: "Custom database
  // scripts"). Their own fields come back beside name and message.
  class WrongUsernameOrPasswordError extends ErrorCtor {
    constructor(userNameOrEmail, message) {
      super(message === undefined ? "Wrong username or password." : message);
      this.name = "WrongUsernameOrPasswordError";
      if (userNameOrEmail !== undefined && userNameOrEmail !== null) this.user_id = StringCtor(userNameOrEmail);
    }
  }

  class ValidationError extends ErrorCtor {
    constructor(code, message) {
      super(message === undefined ? StringCtor(code) : message);
      this.name = "ValidationError";
      if (code !== undefined) this.code = StringCtor(code);
    }
  }

  // Auth0 Hooks' errors, as Webtask defines them: the first argument goes to
  // the tenant's logs, PreUserRegistrationError's second to the user; the
  // OAuth2 ones carry their `error` code.
  class PreUserRegistrationError extends ErrorCtor {
    constructor(message, friendlyMessage) {
      super(message);
      this.name = "PreUserRegistrationError";
      if (friendlyMessage !== undefined) this.friendlyMessage = StringCtor(friendlyMessage);
    }
  }

  function oauthError(name, code) {
    return class extends ErrorCtor {
      constructor(message) {
        super(message);
        this.name = name;
        this.code = code;
      }
    };
  }
  const InvalidRequestError = oauthError("InvalidRequestError", "invalid_request");
  const InvalidScopeError = oauthError("InvalidScopeError", "invalid_scope");
  const ServerError = oauthError("ServerError", "server_error");

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
      out.fields = errorFields(err);
      return out;
    }
    return { name: "Error", message: cut(text(err, typeof err), MAX_ERROR_TEXT), stack: undefined, code: undefined };
  }

  // An error's own other fields (friendlyMessage, user_id, statusCode, …) as
  // [key, JSON text] pairs: at most MAX_ERROR_FIELDS, each at most
  // MAX_ERROR_TEXT bytes of JSON; the rest are left out.
  const MAX_ERROR_FIELDS = 16;
  const RESERVED_ERROR_KEYS = { name: 1, message: 1, stack: 1, code: 1 };

  function errorFields(err) {
    let keys;
    try {
      keys = ObjectKeys(err);
    } catch (_) {
      return undefined;
    }
    const fields = [];
    for (let i = 0; i < keys.length && fields.length < MAX_ERROR_FIELDS; i++) {
      const key = keys[i];
      if (typeof key !== "string" || owns(RESERVED_ERROR_KEYS, key) || key.length > MAX_ERROR_NAME) continue;
      const value = read(err, key);
      if (typeof value === "function" || typeof value === "symbol" || value === undefined) continue;
      let textValue;
      try {
        textValue = JSONStringify(value);
      } catch (_) {
        continue;
      }
      if (typeof textValue !== "string" || textValue.length > MAX_ERROR_TEXT) continue;
      push(fields, [key, textValue]);
    }
    return fields.length ? fields : undefined;
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

  // An address as a comparable key: IPv4 as [n], IPv6 as its eight groups.
  function addressKey(ip) {
    if (typeof ip !== "string" || call(stringIndexOf, ip, "/") >= 0 || call(stringIndexOf, ip, "-") >= 0) return null;
    const v4 = parseIPv4(call(stringTrim, ip));
    if (v4 !== null) return [v4];
    return parseIPv6(call(stringTrim, ip));
  }

  function keyCompare(a, b) {
    for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return a[i] < b[i] ? -1 : 1;
    return 0;
  }

  // Authing's documented form: an array of exactly two plain addresses of one
  // family is the span from the first to the last, inclusive (the vendor's
  // IP-range template passes ['10.1.0.0', '10.1.255.255']). Any other array
  // is a list of ranges, any of which may match.
  function inSpan(ip, range) {
    if (range.length !== 2) return null;
    const lo = addressKey(range[0]);
    const hi = addressKey(range[1]);
    if (lo === null || hi === null || lo.length !== hi.length) return null;
    const v = addressKey(ip);
    if (v === null || v.length !== lo.length) return false;
    return keyCompare(lo, v) <= 0 && keyCompare(v, hi) <= 0;
  }

  function ipRangeCheck(ip, range) {
    if (typeof ip !== "string") return false;
    if (ArrayIsArray(range)) {
      const span = inSpan(ip, range);
      if (span !== null) return span;
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

  // ---------------------------------------------------------------- url (legacy)
  //
  // Node 20's `url.parse`, `url.format`, `url.resolve`, `url.resolveObject`
  // and `Url`: lib/url.js of Node v20.20.2, ported (its internal bindings
  // replaced: IDNA by tr46, the WHATWG formatter by the URL class). It is
  // Node's code, under Node's licence:
  //
  // Copyright Joyent, Inc. and other Node contributors.
  //
  // Permission is hereby granted, free of charge, to any person obtaining a
  // copy of this software and associated documentation files (the
  // "Software"), to deal in the Software without restriction, including
  // without limitation the rights to use, copy, modify, merge, publish,
  // distribute, sublicense, and/or sell copies of the Software, and to permit
  // persons to whom the Software is furnished to do so, subject to the
  // following conditions:
  //
  // The above copyright notice and this permission notice shall be included
  // in all copies or substantial portions of the Software.
  //
  // THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND, EXPRESS
  // OR IMPLIED, INCLUDING BUT NOT LIMITED TO THE WARRANTIES OF
  // MERCHANTABILITY, FITNESS FOR A PARTICULAR PURPOSE AND NONINFRINGEMENT. IN
  // NO EVENT SHALL THE AUTHORS OR COPYRIGHT HOLDERS BE LIABLE FOR ANY CLAIM,
  // DAMAGES OR OTHER LIABILITY, WHETHER IN AN ACTION OF CONTRACT, TORT OR
  // OTHERWISE, ARISING FROM, OUT OF OR IN CONNECTION WITH THE SOFTWARE OR THE
  // USE OR OTHER DEALINGS IN THE SOFTWARE.

  // Node's ERR_INVALID_ARG_TYPE "Received …" part.
  function receivedText(value) {
    if (value == null) return " Received " + value;
    if (typeof value === "function") return " Received function " + (value.name || "<anonymous>");
    if (typeof value === "object") {
      const ctor = value.constructor;
      return ctor && ctor.name ? " Received an instance of " + ctor.name : " Received " + StringCtor(value);
    }
    let shown = typeof value === "string" ? value : StringCtor(value);
    if (shown.length > 28) shown = call(stringSlice, shown, 0, 25) + "...";
    if (typeof value === "string") shown = "'" + shown + "'";
    return " Received type " + typeof value + " (" + shown + ")";
  }
  function invalidArgType(name, expected, value) {
    const err = new TypeError('The "' + name + '" argument must be ' + expected + "." + receivedText(value));
    err.code = "ERR_INVALID_ARG_TYPE";
    return err;
  }
  function invalidUrl(input) {
    const err = new TypeError("Invalid URL");
    err.code = "ERR_INVALID_URL";
    err.input = input;
    return err;
  }

  // Protocols that can allow "unsafe" and "unwise" chars; that never have a
  // hostname; that always contain a // bit.
  const unsafeProtocol = new Set(["javascript", "javascript:"]);
  const hostlessProtocol = new Set(["javascript", "javascript:"]);
  const slashedProtocol = new Set(["http", "http:", "https", "https:", "ftp", "ftp:", "gopher", "gopher:", "file", "file:", "ws", "ws:", "wss", "wss:"]);

  function Url() {
    this.protocol = null;
    this.slashes = null;
    this.auth = null;
    this.host = null;
    this.port = null;
    this.hostname = null;
    this.hash = null;
    this.search = null;
    this.query = null;
    this.pathname = null;
    this.path = null;
    this.href = null;
  }

  const protocolPattern = /^[a-z0-9.+-]+:/i;
  const portPattern = /:[0-9]*$/;
  const hostPattern = /^\/\/[^@/]+@[^@/]+/;
  // Special case for a simple path URL
  const simplePathPattern = /^(\/\/?(?!\/)[^?\s]*)(\?[^\s]*)?$/;
  const hostnameMaxLen = 255;

  function urlParse(url, parseQueryString, slashesDenoteHost) {
    if (url instanceof Url) return url;
    const urlObject = new Url();
    urlObject.parse(url, parseQueryString, slashesDenoteHost);
    return urlObject;
  }

  function isIpv6Hostname(hostname) {
    return hostname.charCodeAt(0) === 91 /* [ */ && hostname.charCodeAt(hostname.length - 1) === 93 /* ] */;
  }

  // Characters toASCII must not have let into a hostname (spoofing).
  const forbiddenHostChars = /[\0\t\n\r #%/:<>?@[\\\]^|]/;
  // For IPv6, permit '[', ']', and ':'.
  const forbiddenHostCharsIpv6 = /[\0\t\n\r #%/<>?@\\^|]/;

  // IDNA: the punycoded form of a hostname, or "" where Node's (ada's) would
  // fail; tr46 with the WHATWG URL Standard's non-strict options.
  function hostToASCII(hostname) {
    if (!/[^\x00-\x7f]/.test(hostname) && !/(^|\.)xn--/i.test(hostname)) return hostname;
    const ascii = tr46.toASCII(hostname, {
      checkHyphens: false,
      checkBidi: true,
      checkJoiners: true,
      useSTD3ASCIIRules: false,
      transitionalProcessing: false,
      verifyDNSLength: false,
    });
    return ascii === null ? "" : ascii;
  }

  Url.prototype.parse = function parse(url, parseQueryString, slashesDenoteHost) {
    if (typeof url !== "string") throw invalidArgType("url", "of type string", url);

    // Back slashes before the query string get converted to forward slashes.
    let hasHash = false;
    let hasAt = false;
    let start = -1;
    let end = -1;
    let rest = "";
    let lastPos = 0;
    for (let i = 0, inWs = false, split = false; i < url.length; ++i) {
      const code = url.charCodeAt(i);

      // Find first and last non-whitespace characters for trimming
      const isWs = code < 33 || code === 0xa0 || code === 0xfeff;
      if (start === -1) {
        if (isWs) continue;
        lastPos = start = i;
      } else if (inWs) {
        if (!isWs) {
          end = -1;
          inWs = false;
        }
      } else if (isWs) {
        end = i;
        inWs = true;
      }

      // Only convert backslashes while we haven't seen a split character
      if (!split) {
        switch (code) {
          case 64: // @
            hasAt = true;
            break;
          case 35: // #
            hasHash = true;
          // Fall through
          case 63: // ?
            split = true;
            break;
          case 92: // \
            if (i - lastPos > 0) rest += url.slice(lastPos, i);
            rest += "/";
            lastPos = i + 1;
            break;
        }
      } else if (!hasHash && code === 35) {
        hasHash = true;
      }
    }

    // Check if string was non-empty (including strings with only whitespace)
    if (start !== -1) {
      if (lastPos === start) {
        // We didn't convert any backslashes
        if (end === -1) {
          if (start === 0) rest = url;
          else rest = url.slice(start);
        } else {
          rest = url.slice(start, end);
        }
      } else if (end === -1 && lastPos < url.length) {
        // We converted some backslashes and have only part of the entire string
        rest += url.slice(lastPos);
      } else if (end !== -1 && lastPos < end) {
        // We converted some backslashes and have only part of the entire string
        rest += url.slice(lastPos, end);
      }
    }

    if (!slashesDenoteHost && !hasHash && !hasAt) {
      // Try fast path regexp
      const simplePath = simplePathPattern.exec(rest);
      if (simplePath) {
        this.path = rest;
        this.href = rest;
        this.pathname = simplePath[1];
        if (simplePath[2]) {
          this.search = simplePath[2];
          if (parseQueryString) {
            this.query = qsParse(this.search.slice(1));
          } else {
            this.query = this.search.slice(1);
          }
        } else if (parseQueryString) {
          this.search = null;
          this.query = ObjectCreate(null);
        }
        return this;
      }
    }

    let proto = protocolPattern.exec(rest);
    let lowerProto;
    if (proto) {
      proto = proto[0];
      lowerProto = proto.toLowerCase();
      this.protocol = lowerProto;
      rest = rest.slice(proto.length);
    }

    // Figure out if it's got a host: user@server is *always* interpreted as a
    // hostname, and url resolution will treat //foo/bar as host=foo,path=bar.
    let slashes;
    if (slashesDenoteHost || proto || hostPattern.test(rest)) {
      slashes = rest.charCodeAt(0) === 47 && rest.charCodeAt(1) === 47;
      if (slashes && !(proto && hostlessProtocol.has(lowerProto))) {
        rest = rest.slice(2);
        this.slashes = true;
      }
    }

    if (!hostlessProtocol.has(lowerProto) && (slashes || (proto && !slashedProtocol.has(proto)))) {
      // There's a hostname: the first instance of /, ?, ;, or # ends the
      // host. If there is an @ in the hostname, then non-host chars *are*
      // allowed to the left of the last @ sign, unless some host-ending
      // character comes *before* the @-sign.
      let hostEnd = -1;
      let atSign = -1;
      let nonHost = -1;
      for (let i = 0; i < rest.length; ++i) {
        switch (rest.charCodeAt(i)) {
          case 9: // \t
          case 10: // \n
          case 13: // \r
            // WHATWG URL removes tabs, newlines, and carriage returns. Let's do that too.
            rest = rest.slice(0, i) + rest.slice(i + 1);
            i -= 1;
            break;
          case 32: // space
          case 34: // "
          case 37: // %
          case 39: // '
          case 59: // ;
          case 60: // <
          case 62: // >
          case 92: // \
          case 94: // ^
          case 96: // `
          case 123: // {
          case 124: // |
          case 125: // }
            // Characters that are never ever allowed in a hostname from RFC 2396
            if (nonHost === -1) nonHost = i;
            break;
          case 35: // #
          case 47: // /
          case 63: // ?
            // Find the first instance of any host-ending characters
            if (nonHost === -1) nonHost = i;
            hostEnd = i;
            break;
          case 64: // @
            // At this point, either we have an explicit point where the
            // auth portion cannot go past, or the last @ char is the decider.
            atSign = i;
            nonHost = -1;
            break;
        }
        if (hostEnd !== -1) break;
      }
      start = 0;
      if (atSign !== -1) {
        this.auth = decodeURIComponentFn(rest.slice(0, atSign));
        start = atSign + 1;
      }
      if (nonHost === -1) {
        this.host = rest.slice(start);
        rest = "";
      } else {
        this.host = rest.slice(start, nonHost);
        rest = rest.slice(nonHost);
      }

      // pull out port.
      this.parseHost();

      // We've indicated that there is a hostname, so even if it's empty, it
      // has to be present.
      if (typeof this.hostname !== "string") this.hostname = "";

      const hostname = this.hostname;

      // If hostname begins with [ and ends with ] assume that it's an IPv6 address.
      const ipv6Hostname = isIpv6Hostname(hostname);

      // validate a little.
      if (!ipv6Hostname) {
        rest = getHostname(this, rest, hostname);
      }

      if (this.hostname.length > hostnameMaxLen) {
        this.hostname = "";
      } else {
        // Hostnames are always lower case.
        this.hostname = this.hostname.toLowerCase();
      }

      if (this.hostname !== "") {
        if (ipv6Hostname) {
          if (forbiddenHostCharsIpv6.test(this.hostname)) throw invalidUrl(url);
        } else {
          // IDNA Support: Returns a punycoded representation of "domain".
          this.hostname = hostToASCII(this.hostname);
          // Prevent two potential routes of hostname spoofing (see Node).
          if (this.hostname === "" || forbiddenHostChars.test(this.hostname)) throw invalidUrl(url);
        }
      }

      const p = this.port ? ":" + this.port : "";
      const h = this.hostname || "";
      this.host = h + p;

      // strip [ and ] from the hostname; the host field still retains them, though
      if (ipv6Hostname) {
        this.hostname = this.hostname.slice(1, -1);
        if (rest[0] !== "/") rest = "/" + rest;
      }
    }

    // Now rest is set to the post-host stuff. Chop off any delim chars.
    if (!unsafeProtocol.has(lowerProto)) {
      // First, make 100% sure that any "autoEscape" chars get escaped, even if
      // encodeURIComponent doesn't think they need to be.
      rest = autoEscapeStr(rest);
    }

    let questionIdx = -1;
    let hashIdx = -1;
    for (let i = 0; i < rest.length; ++i) {
      const code = rest.charCodeAt(i);
      if (code === 35) {
        this.hash = rest.slice(i);
        hashIdx = i;
        break;
      } else if (code === 63 && questionIdx === -1) {
        questionIdx = i;
      }
    }

    if (questionIdx !== -1) {
      if (hashIdx === -1) {
        this.search = rest.slice(questionIdx);
        this.query = rest.slice(questionIdx + 1);
      } else {
        this.search = rest.slice(questionIdx, hashIdx);
        this.query = rest.slice(questionIdx + 1, hashIdx);
      }
      if (parseQueryString) {
        this.query = qsParse(this.query);
      }
    } else if (parseQueryString) {
      // No query string, but parseQueryString still requested
      this.search = null;
      this.query = ObjectCreate(null);
    }

    const useQuestionIdx = questionIdx !== -1 && (hashIdx === -1 || questionIdx < hashIdx);
    const firstIdx = useQuestionIdx ? questionIdx : hashIdx;
    if (firstIdx === -1) {
      if (rest.length > 0) this.pathname = rest;
    } else if (firstIdx > 0) {
      this.pathname = rest.slice(0, firstIdx);
    }
    if (slashedProtocol.has(lowerProto) && this.hostname && !this.pathname) {
      this.pathname = "/";
    }

    // To support http.request
    if (this.pathname || this.search) {
      const p = this.pathname || "";
      const s = this.search || "";
      this.path = p + s;
    }

    // Finally, reconstruct the href based on what has been validated.
    this.href = this.format();
    return this;
  };

  // Node warns (DEP0170) where a hostname holds a ':' that is not a port; the
  // rest of the hostname moves into the path, as there.
  function getHostname(self, rest, hostname) {
    for (let i = 0; i < hostname.length; ++i) {
      const code = hostname.charCodeAt(i);
      const isValid = code !== 47 && code !== 92 && code !== 35 && code !== 63 && code !== 58;
      if (!isValid) {
        self.hostname = hostname.slice(0, i);
        return "/" + hostname.slice(i) + rest;
      }
    }
    return rest;
  }

  // Escaped characters, by code.
  const escapedCodes = { 9: "%09", 10: "%0A", 13: "%0D", 32: "%20", 34: "%22", 39: "%27", 60: "%3C", 62: "%3E", 92: "%5C", 94: "%5E", 96: "%60", 123: "%7B", 124: "%7C", 125: "%7D" };

  // Automatically escape all delimiters and unwise characters from RFC 2396.
  // Also escape single quotes in case of an XSS attack.
  function autoEscapeStr(rest) {
    let escaped = "";
    let lastEscapedPos = 0;
    for (let i = 0; i < rest.length; ++i) {
      // `escaped` contains substring up to the last escaped character.
      const escapedChar = escapedCodes[rest.charCodeAt(i)];
      if (escapedChar) {
        // Concat if there are ordinary characters in the middle.
        if (i > lastEscapedPos) escaped += rest.slice(lastEscapedPos, i);
        escaped += escapedChar;
        lastEscapedPos = i + 1;
      }
    }
    if (lastEscapedPos === 0) return rest; // Nothing has been escaped.
    // There are ordinary characters at the end.
    if (lastEscapedPos < rest.length) escaped += rest.slice(lastEscapedPos);
    return escaped;
  }

  // Format a parsed object into a url string; a WHATWG URL with Node's
  // options {auth, fragment, search, unicode} (each true by default, unicode false).
  function urlFormat(urlObject, options) {
    if (typeof urlObject === "string") {
      urlObject = urlParse(urlObject);
    } else if (typeof urlObject !== "object" || urlObject === null) {
      throw invalidArgType("urlObject", "one of type object or string", urlObject);
    } else if (urlObject instanceof whatwgUrl.URL) {
      let fragment = true;
      let unicode = false;
      let search = true;
      let auth = true;
      if (options) {
        if (typeof options !== "object" || ArrayIsArray(options)) throw invalidArgType("options", "of type object", options);
        if (options.fragment != null) fragment = !!options.fragment;
        if (options.unicode != null) unicode = !!options.unicode;
        if (options.search != null) search = !!options.search;
        if (options.auth != null) auth = !!options.auth;
      }
      return formatWhatwg(urlObject, fragment, unicode, search, auth);
    }
    return Url.prototype.format.call(urlObject);
  }

  // What Node's url binding's format does: the href without what is turned
  // off, the host in Unicode when asked.
  function formatWhatwg(url, fragment, unicode, search, auth) {
    const u = new whatwgUrl.URL(url.href);
    if (!fragment) u.hash = "";
    if (!search) u.search = "";
    if (!auth) {
      u.username = "";
      u.password = "";
    }
    if (!unicode || u.hostname === "" || !/(^|\.)xn--/.test(u.hostname)) return u.href;
    const host = tr46.toUnicode(u.hostname, {
      checkHyphens: false,
      checkBidi: true,
      checkJoiners: true,
      useSTD3ASCIIRules: false,
      transitionalProcessing: false,
    }).domain;
    const userinfo = u.username || u.password ? u.username + (u.password ? ":" + u.password : "") + "@" : "";
    return u.protocol + "//" + userinfo + host + (u.port ? ":" + u.port : "") + u.pathname + u.search + u.hash;
  }

  // Bytes that auth keeps as they are: ! ' ( ) * - . _ ~ : digits and letters.
  function noEscapeAuth(c) {
    return (
      (c >= 48 && c <= 58) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) ||
      c === 33 || c === 39 || c === 40 || c === 41 || c === 42 || c === 45 || c === 46 || c === 95 || c === 126
    );
  }

  const hexTable = [];
  for (let i = 0; i < 256; ++i) push(hexTable, "%" + (i < 16 ? "0" : "") + i.toString(16).toUpperCase());

  // Node's internal/querystring encodeStr: UTF-8 percent-encoding of all but `noEscape`.
  function encodeStr(str, noEscape) {
    const len = str.length;
    if (len === 0) return "";
    let out = "";
    let lastPos = 0;
    for (let i = 0; i < len; i++) {
      let c = str.charCodeAt(i);
      if (c < 0x80) {
        if (noEscape(c)) continue;
        if (lastPos < i) out += str.slice(lastPos, i);
        lastPos = i + 1;
        out += hexTable[c];
        continue;
      }
      if (lastPos < i) out += str.slice(lastPos, i);
      if (c < 0x800) {
        lastPos = i + 1;
        out += hexTable[0xc0 | (c >> 6)] + hexTable[0x80 | (c & 0x3f)];
        continue;
      }
      if (c < 0xd800 || c >= 0xe000) {
        lastPos = i + 1;
        out += hexTable[0xe0 | (c >> 12)] + hexTable[0x80 | ((c >> 6) & 0x3f)] + hexTable[0x80 | (c & 0x3f)];
        continue;
      }
      // Surrogate pair
      ++i;
      if (i >= len) throw new URIError("URI malformed");
      const c2 = str.charCodeAt(i) & 0x3ff;
      lastPos = i + 1;
      c = 0x10000 + (((c & 0x3ff) << 10) | c2);
      out += hexTable[0xf0 | (c >> 18)] + hexTable[0x80 | ((c >> 12) & 0x3f)] + hexTable[0x80 | ((c >> 6) & 0x3f)] + hexTable[0x80 | (c & 0x3f)];
    }
    if (lastPos === 0) return str;
    if (lastPos < len) return out + str.slice(lastPos);
    return out;
  }

  Url.prototype.format = function format() {
    let auth = this.auth || "";
    if (auth) {
      auth = encodeStr(auth, noEscapeAuth);
      auth += "@";
    }

    let protocol = this.protocol || "";
    let pathname = this.pathname || "";
    let hash = this.hash || "";
    let host = "";
    let query = "";

    if (this.host) {
      host = auth + this.host;
    } else if (this.hostname) {
      host = auth + (this.hostname.includes(":") && !isIpv6Hostname(this.hostname) ? "[" + this.hostname + "]" : this.hostname);
      if (this.port) host += ":" + this.port;
    }

    if (this.query !== null && typeof this.query === "object") {
      query = qsStringify(this.query);
    }

    let search = this.search || (query && "?" + query) || "";

    if (protocol && protocol.charCodeAt(protocol.length - 1) !== 58 /* : */) protocol += ":";

    let newPathname = "";
    let lastPos = 0;
    for (let i = 0; i < pathname.length; ++i) {
      switch (pathname.charCodeAt(i)) {
        case 35: // #
          if (i - lastPos > 0) newPathname += pathname.slice(lastPos, i);
          newPathname += "%23";
          lastPos = i + 1;
          break;
        case 63: // ?
          if (i - lastPos > 0) newPathname += pathname.slice(lastPos, i);
          newPathname += "%3F";
          lastPos = i + 1;
          break;
      }
    }
    if (lastPos > 0) {
      if (lastPos !== pathname.length) pathname = newPathname + pathname.slice(lastPos);
      else pathname = newPathname;
    }

    // Only the slashedProtocols get the //.  Not mailto:, xmpp:, etc.
    // unless they had them to begin with.
    if (this.slashes || slashedProtocol.has(protocol)) {
      if (this.slashes || host) {
        if (pathname && pathname.charCodeAt(0) !== 47) pathname = "/" + pathname;
        host = "//" + host;
      } else if (protocol.length >= 4 && protocol.slice(0, 4) === "file") {
        host = "//";
      }
    }

    search = search.replace(/#/g, "%23");

    if (hash && hash.charCodeAt(0) !== 35) hash = "#" + hash;
    if (search && search.charCodeAt(0) !== 63) search = "?" + search;

    return protocol + host + pathname + search + hash;
  };

  function urlResolve(source, relative) {
    return urlParse(source, false, true).resolve(relative);
  }

  Url.prototype.resolve = function resolve(relative) {
    return this.resolveObject(urlParse(relative, false, true)).format();
  };

  function urlResolveObject(source, relative) {
    if (!source) return relative;
    return urlParse(source, false, true).resolveObject(relative);
  }

  function spliceOne(list, index) {
    for (; index + 1 < list.length; index++) list[index] = list[index + 1];
    list.pop();
  }

  Url.prototype.resolveObject = function resolveObject(relative) {
    if (typeof relative === "string") {
      const rel = new Url();
      rel.parse(relative, false, true);
      relative = rel;
    }

    const result = new Url();
    ObjectAssign(result, this);

    // Hash is always overridden, no matter what. even href="" will remove it.
    result.hash = relative.hash;

    // If the relative url is empty, then there's nothing left to do here.
    if (relative.href === "") {
      result.href = result.format();
      return result;
    }

    // Hrefs like //foo/bar always cut to the protocol.
    if (relative.slashes && !relative.protocol) {
      // Take everything except the protocol from relative
      const relativeWithoutProtocol = ObjectKeys(relative).reduce((acc, key) => {
        if (key !== "protocol") acc[key] = relative[key];
        return acc;
      }, {});
      ObjectAssign(result, relativeWithoutProtocol);

      // urlParse appends trailing / to urls like http://www.example.com
      if (slashedProtocol.has(result.protocol) && result.hostname && !result.pathname) {
        result.path = result.pathname = "/";
      }

      result.href = result.format();
      return result;
    }

    if (relative.protocol && relative.protocol !== result.protocol) {
      // If it's a known url protocol, then changing the protocol does weird
      // things: first, if it's not file:, then we MUST have a host, and if
      // there was a path to begin with, then we MUST have a path. if it is
      // file:, then the host is dropped, because that's known to be hostless.
      // anything else is assumed to be absolute.
      if (!slashedProtocol.has(relative.protocol)) {
        ObjectAssign(result, relative);
        result.href = result.format();
        return result;
      }

      result.protocol = relative.protocol;
      if (!relative.host && !/^file:?$/.test(relative.protocol) && !hostlessProtocol.has(relative.protocol)) {
        const relPath = (relative.pathname || "").split("/");
        while (relPath.length && !(relative.host = relPath.shift()));
        if (!relative.host) relative.host = "";
        if (!relative.hostname) relative.hostname = "";
        if (relPath[0] !== "") relPath.unshift("");
        if (relPath.length < 2) relPath.unshift("");
        result.pathname = relPath.join("/");
      } else {
        result.pathname = relative.pathname;
      }
      result.search = relative.search;
      result.query = relative.query;
      result.host = relative.host || "";
      result.auth = relative.auth;
      result.hostname = relative.hostname || relative.host;
      result.port = relative.port;
      // To support http.request
      if (result.pathname || result.search) {
        const p = result.pathname || "";
        const s = result.search || "";
        result.path = p + s;
      }
      result.slashes = result.slashes || relative.slashes;
      result.href = result.format();
      return result;
    }

    const isSourceAbs = result.pathname && result.pathname.charAt(0) === "/";
    const isRelAbs = relative.host || (relative.pathname && relative.pathname.charAt(0) === "/");
    let mustEndAbs = isRelAbs || isSourceAbs || (result.host && relative.pathname);
    const removeAllDots = mustEndAbs;
    let srcPath = (result.pathname && result.pathname.split("/")) || [];
    const relPath = (relative.pathname && relative.pathname.split("/")) || [];
    const noLeadingSlashes = result.protocol && !slashedProtocol.has(result.protocol);

    // If the url is a non-slashed url, then relative links like ../.. should
    // be able to crawl up to the hostname, as well.  This is strange.
    // result.protocol has already been set by now. Later on, put the first
    // path part into the host field.
    if (noLeadingSlashes) {
      result.hostname = "";
      result.port = null;
      if (result.host) {
        if (srcPath[0] === "") srcPath[0] = result.host;
        else srcPath.unshift(result.host);
      }
      result.host = "";
      if (relative.protocol) {
        relative.hostname = null;
        relative.port = null;
        result.auth = null;
        if (relative.host) {
          if (relPath[0] === "") relPath[0] = relative.host;
          else relPath.unshift(relative.host);
        }
        relative.host = null;
      }
      mustEndAbs = mustEndAbs && (relPath[0] === "" || srcPath[0] === "");
    }

    if (isRelAbs) {
      // it's absolute.
      if (relative.host || relative.host === "") {
        if (result.host !== relative.host) result.auth = null;
        result.host = relative.host;
        result.port = relative.port;
      }
      if (relative.hostname || relative.hostname === "") {
        if (result.hostname !== relative.hostname) result.auth = null;
        result.hostname = relative.hostname;
      }
      result.search = relative.search;
      result.query = relative.query;
      srcPath = relPath;
      // Fall through to the dot-handling below.
    } else if (relPath.length) {
      // it's relative: throw away the existing file, and take the new path instead.
      if (!srcPath) srcPath = [];
      srcPath.pop();
      srcPath = srcPath.concat(relPath);
      result.search = relative.search;
      result.query = relative.query;
    } else if (relative.search !== null && relative.search !== undefined) {
      // Just pull out the search. like href='?foo'.
      if (noLeadingSlashes) {
        result.hostname = result.host = srcPath.shift();
        // Occasionally the auth can get stuck only in host.
        const authInHost = result.host && result.host.indexOf("@") > 0 && result.host.split("@");
        if (authInHost) {
          result.auth = authInHost.shift();
          result.host = result.hostname = authInHost.shift();
        }
      }
      result.search = relative.search;
      result.query = relative.query;
      // To support http.request
      if (result.pathname !== null || result.search !== null) {
        result.path = (result.pathname ? result.pathname : "") + (result.search ? result.search : "");
      }
      result.href = result.format();
      return result;
    }

    if (!srcPath.length) {
      // No path at all. All other things were already handled above.
      result.pathname = null;
      // To support http.request
      if (result.search) {
        result.path = "/" + result.search;
      } else {
        result.path = null;
      }
      result.href = result.format();
      return result;
    }

    // If a url ENDs in . or .., then it must get a trailing slash. however,
    // if it ends in anything else non-slashy, then it must NOT get a trailing slash.
    let last = srcPath.slice(-1)[0];
    const hasTrailingSlash = ((result.host || relative.host || srcPath.length > 1) && (last === "." || last === "..")) || last === "";

    // Strip single dots, resolve double dots to parent dir; if the path tries
    // to go above the root, `up` ends up > 0
    let up = 0;
    for (let i = srcPath.length - 1; i >= 0; i--) {
      last = srcPath[i];
      if (last === ".") {
        spliceOne(srcPath, i);
      } else if (last === "..") {
        spliceOne(srcPath, i);
        up++;
      } else if (up) {
        spliceOne(srcPath, i);
        up--;
      }
    }

    // If the path is allowed to go above the root, restore leading ..s
    if (!mustEndAbs && !removeAllDots) {
      while (up--) srcPath.unshift("..");
    }

    if (mustEndAbs && srcPath[0] !== "" && (!srcPath[0] || srcPath[0].charAt(0) !== "/")) {
      srcPath.unshift("");
    }

    if (hasTrailingSlash && srcPath.join("/").slice(-1) !== "/") {
      srcPath.push("");
    }

    const isAbsolute = srcPath[0] === "" || (srcPath[0] && srcPath[0].charAt(0) === "/");

    // put the host back
    if (noLeadingSlashes) {
      result.hostname = result.host = isAbsolute ? "" : srcPath.length ? srcPath.shift() : "";
      // Occasionally the auth can get stuck only in host.
      const authInHost = result.host && result.host.indexOf("@") > 0 ? result.host.split("@") : false;
      if (authInHost) {
        result.auth = authInHost.shift();
        result.host = result.hostname = authInHost.shift();
      }
    }

    mustEndAbs = mustEndAbs || (result.host && srcPath.length);

    if (mustEndAbs && !isAbsolute) srcPath.unshift("");

    if (!srcPath.length) {
      result.pathname = null;
      result.path = null;
    } else {
      result.pathname = srcPath.join("/");
    }

    // To support request.http
    if (result.pathname !== null || result.search !== null) {
      result.path = (result.pathname ? result.pathname : "") + (result.search ? result.search : "");
    }
    result.auth = relative.auth || result.auth;
    result.slashes = result.slashes || relative.slashes;
    result.href = result.format();
    return result;
  };

  Url.prototype.parseHost = function parseHost() {
    let host = this.host;
    let port = portPattern.exec(host);
    if (port) {
      port = port[0];
      if (port !== ":") this.port = port.slice(1);
      host = host.slice(0, host.length - port.length);
    }
    if (host) this.hostname = host;
  };

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

  const utils = ObjectFreeze({ ipRangeCheck });
  // The prelude's own modules; every other name is Node's require over the
  // module registry (Node's built-ins, the npm shims and the catalogue).
  const OWN_MODULES = { "./utils": utils, utils: utils, axios, request, "node-fetch": nodeFetch };

  // What a function's require answers without resolving, filled at snapshot
  // time with every package and built-in: a lookup instead of a resolution.
  const REQUIRED = ObjectCreate(null);

  function require(name) {
    if (typeof name === "string") {
      const hit = REQUIRED[name];
      if (hit !== undefined) return hit;
      if (owns(OWN_MODULES, name)) return OWN_MODULES[name];
      // Auth0 rules name a version (`require('request@2.56.0')`); hookbox's
      // own HTTP clients serve every version's API.
      const at = call(stringIndexOf, name, "@", 1);
      if (at > 0 && call(stringIndexOf, name, "/", at) < 0) {
        const bare = call(stringSlice, name, 0, at);
        if (bare !== "./utils" && owns(OWN_MODULES, bare)) return OWN_MODULES[bare];
      }
    }
    return registryRequire(name);
  }

  // A function's operator packages (the plugin hands over their header, JSON
  // `{packages, files: [path…]}`; each file's bytecode is read by
  // host.loadPackageFile(i) when it is first required): added to the
  // registry for this call, and no longer answered from the snapshot's
  // catalogue under their names.
  const loadPackageFile = host.loadPackageFile;
  function addPackages(header) {
    const extra = JSONParse(header);
    const files = [];
    for (let i = 0; i < extra.files.length; i++) {
      files[i] = { path: extra.files[i], load: lazyFile(i) };
    }
    const names = makeRegistryRequire.extend({ packages: extra.packages, files });
    for (let i = 0; i < names.length; i++) {
      delete REQUIRED[names[i]];
    }
  }
  function lazyFile(index) {
    return function load(exports, require, module, filename, dirname) {
      return ReflectApply(loadPackageFile(index), this, [exports, require, module, filename, dirname]);
    };
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

  // ---------------------------------------------------------------- Auth0 Actions
  //
  // An Action's `api` calls come back as data (README: "Auth0 Actions"):
  // claims in `tokens`, metadata changes in `metadata`, what only the gateway
  // can carry out in `commands`, cache writes in `cache`. hookbox performs
  // none of them itself; a method it cannot honour throws, naming itself.

  const ACTION_HANDLERS = {
    "post-login": "onExecutePostLogin",
    "pre-user-registration": "onExecutePreUserRegistration",
    "post-user-registration": "onExecutePostUserRegistration",
    "credentials-exchange": "onExecuteCredentialsExchange",
    "post-change-password": "onExecutePostChangePassword",
    "send-phone-message": "onExecuteSendPhoneMessage",
  };
  const ACTION_EXPORTS = ["onExecutePostLogin", "onContinuePostLogin", "onExecutePreUserRegistration",
    "onExecutePostUserRegistration", "onExecuteCredentialsExchange", "onExecutePostChangePassword",
    "onExecuteSendPhoneMessage"];

  const DateNow = Date.now;
  const MathFloor = Math.floor;
  const MathMin = Math.min;

  // Set once any of commands, metadata or cache writes exist, so that a call
  // without them pays one check at the end.
  let sideEffects = false;
  let commands = null;
  let metadata = null;
  let cacheLive = null;
  let cacheWrites = null;
  let denied = null;
  let meta = null;

  // A copy of JSON-able arguments as they are now, so that a later change to
  // an object the script passed does not change what was asked.
  function snapshot(value) {
    const t = JSONStringify(value);
    return t === undefined ? null : JSONParse(t);
  }

  function addCommand(method, args) {
    sideEffects = true;
    if (!commands) commands = [];
    push(commands, { method, args: snapshot(args) });
  }

  function setMetadata(which, key, value) {
    sideEffects = true;
    if (!metadata) metadata = { app_metadata: bag(), user_metadata: bag() };
    metadata[which][StringCtor(key)] = value === undefined ? null : snapshot(value);
  }

  // Actions' limits on its cache (auth0.com/docs/customize/actions/limitations).
  const CACHE_MAX_ENTRIES = 20;
  const CACHE_MAX_KEY_BYTES = 64;
  const CACHE_MAX_VALUE_BYTES = 4096;
  const CACHE_MAX_TOTAL_BYTES = 8192;
  const CACHE_DEFAULT_TTL_MS = 15 * 60 * 1000;
  const CACHE_MAX_TTL_MS = 24 * 60 * 60 * 1000;

  function utf8Length(s) {
    let n = 0;
    for (let i = 0; i < s.length; i++) {
      const c = s.charCodeAt(i);
      if (c < 0x80) n += 1;
      else if (c < 0x800) n += 2;
      else if (c >= 0xd800 && c <= 0xdbff) {
        n += 4;
        i++;
      } else n += 3;
    }
    return n;
  }

  function liveCache() {
    if (!cacheLive) cacheLive = bag();
    return cacheLive;
  }

  const cacheError = (code) => ({ type: "error", code });
  const cacheApi = ObjectFreeze({
    get(key) {
      const entry = liveCache()[StringCtor(key)];
      if (!entry || !(entry.expires_at > DateNow())) return undefined;
      return { value: entry.value, expires_at: entry.expires_at };
    },
    set(key, value, options) {
      key = StringCtor(key);
      if (typeof value !== "string") return cacheError("invalid_value: a cache value is a string");
      if (utf8Length(key) > CACHE_MAX_KEY_BYTES) return cacheError("key_too_long: at most 64 bytes");
      if (utf8Length(value) > CACHE_MAX_VALUE_BYTES) return cacheError("value_too_long: at most 4 KB");
      const live = liveCache();
      const keys = ObjectKeys(live);
      let total = utf8Length(key) + utf8Length(value);
      let count = 1;
      for (let i = 0; i < keys.length; i++) {
        if (keys[i] === key) continue;
        count++;
        total += utf8Length(keys[i]) + utf8Length(live[keys[i]].value);
      }
      if (count > CACHE_MAX_ENTRIES) return cacheError("too_many_entries: at most 20");
      if (total > CACHE_MAX_TOTAL_BYTES) return cacheError("cache_full: keys and values total at most 8 KB");
      const now = DateNow();
      let expires = now + CACHE_DEFAULT_TTL_MS;
      if (isObject(options)) {
        if (typeof options.ttl === "number" && options.ttl > 0) expires = now + options.ttl;
        if (typeof options.expires_at === "number") expires = MathMin(expires, options.expires_at);
      }
      expires = MathFloor(MathMin(expires, now + CACHE_MAX_TTL_MS));
      const entry = { value, expires_at: expires };
      live[key] = entry;
      sideEffects = true;
      if (!cacheWrites) cacheWrites = bag();
      cacheWrites[key] = entry;
      return { type: "success" };
    },
    delete(key) {
      key = StringCtor(key);
      delete liveCache()[key];
      sideEffects = true;
      if (!cacheWrites) cacheWrites = bag();
      cacheWrites[key] = null;
      return { type: "success" };
    },
  });

  function deny(error) {
    if (!denied) denied = error;
  }

  const unsupported = (path) =>
    function () {
      throw new ErrorCtor("api." + path + " is not supported by hookbox (README: Auth0 Actions)");
    };

  // base64url of a string's UTF-8 bytes, and back.
  const B64URL = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  function base64url(str) {
    const bytes = call(textEncode, textEncoder, str);
    let out = "";
    for (let i = 0; i < bytes.length; i += 3) {
      const n = (bytes[i] << 16) | ((bytes[i + 1] || 0) << 8) | (bytes[i + 2] || 0);
      out += B64URL[(n >> 18) & 63] + B64URL[(n >> 12) & 63];
      if (i + 1 < bytes.length) out += B64URL[(n >> 6) & 63];
      if (i + 2 < bytes.length) out += B64URL[n & 63];
    }
    return out;
  }
  function unbase64url(text) {
    const bytes = [];
    let n = 0;
    let bits = 0;
    for (let i = 0; i < text.length; i++) {
      const v = call(stringIndexOf, B64URL, text[i]);
      if (v < 0) throw new TypeError("not base64url");
      n = (n << 6) | v;
      bits += 6;
      if (bits >= 8) {
        bits -= 8;
        push(bytes, (n >> bits) & 255);
      }
    }
    return call(textDecode, textDecoder, new Uint8ArrayCtor(bytes));
  }

  // HMAC-SHA256 of `data` under `key` (both UTF-8 text), base64url: on the host.
  function hmacSha256(key, data) {
    const answer = JSONParse(hostCall(JSONStringify({ op: "hmac", hash: "sha256", key, data, encoding: "base64url" })));
    if (typeof answer.error === "string") throw new ErrorCtor(answer.error);
    return answer.digest;
  }

  const JWT_HEADER = base64url('{"alg":"HS256","typ":"JWT"}');

  function redirectApi(event) {
    const request = isObject(event.request) ? event.request : {};
    const param = (name) => {
      const q = isObject(request.query) ? request.query : {};
      const b = isObject(request.body) ? request.body : {};
      return owns(b, name) ? b[name] : owns(q, name) ? q[name] : undefined;
    };
    return {
      // A token the redirect target can trust: an HS256 JWT of `payload`
      // with `sub`, `iss`, `exp` and `ip` (Auth0's redirect-with-actions).
      encodeToken(options) {
        if (!isObject(options) || typeof options.secret !== "string" || !options.secret) {
          throw new TypeError("api.redirect.encodeToken: `secret` must be a non-empty string");
        }
        const payload = isObject(options.payload) ? snapshot(options.payload) : {};
        const lifetime = typeof options.expiresInSeconds === "number" ? options.expiresInSeconds : 900;
        const user = isObject(event.user) ? event.user : {};
        payload.sub = user.user_id;
        payload.iss = request.hostname;
        payload.exp = MathFloor(DateNow() / 1000) + lifetime;
        payload.ip = request.ip;
        const body = JWT_HEADER + "." + base64url(JSONStringify(payload));
        return body + "." + hmacSha256(options.secret, body);
      },
      // The payload of the token the redirect target sent back, once its
      // signature, expiry and `state` check out; otherwise it throws.
      validateToken(options) {
        if (!isObject(options) || typeof options.secret !== "string" || !options.secret) {
          throw new TypeError("api.redirect.validateToken: `secret` must be a non-empty string");
        }
        const name = typeof options.tokenParameterName === "string" ? options.tokenParameterName : "session_token";
        const token = param(name);
        if (typeof token !== "string") throw new ErrorCtor("api.redirect.validateToken: no `" + name + "` parameter in the request");
        const parts = call(stringSplit, token, ".");
        if (parts.length !== 3) throw new ErrorCtor("api.redirect.validateToken: the token is not a JWT");
        let header;
        let payload;
        try {
          header = JSONParse(unbase64url(parts[0]));
          payload = JSONParse(unbase64url(parts[1]));
        } catch (_) {
          throw new ErrorCtor("api.redirect.validateToken: the token is not a JWT");
        }
        if (!isObject(header) || header.alg !== "HS256") throw new ErrorCtor("api.redirect.validateToken: the token is not signed with HS256");
        if (hmacSha256(options.secret, parts[0] + "." + parts[1]) !== parts[2]) {
          throw new ErrorCtor("api.redirect.validateToken: the token's signature is invalid");
        }
        if (!isObject(payload)) throw new ErrorCtor("api.redirect.validateToken: the token's payload is not an object");
        if (!(typeof payload.exp === "number" && payload.exp * 1000 > DateNow())) {
          throw new ErrorCtor("api.redirect.validateToken: the token has expired");
        }
        const state = param("state");
        if (state !== undefined && payload.state !== state) {
          throw new ErrorCtor("api.redirect.validateToken: the token's state does not match the redirect's");
        }
        const user = isObject(event.user) ? event.user : {};
        if (user.user_id !== undefined && payload.sub !== user.user_id) {
          throw new ErrorCtor("api.redirect.validateToken: the token's sub is not the user logging in");
        }
        return payload;
      },
    };
  }

  const SAML_SETTERS = ["setAttribute", "setAudience", "setRecipient", "setCreateUpnClaim",
    "setPassthroughClaimsWithNoMapping", "setMapUnknownClaimsAsIs", "setMapIdentities", "setSignatureAlgorithm",
    "setDigestAlgorithm", "setDestination", "setLifetimeInSeconds", "setSignResponse", "setNameIdentifierFormat",
    "setNameIdentifierProbes", "setAuthnContextClassRef", "setSigningCert", "setIncludeAttributeNameFormat",
    "setTypedAttributes", "setEncryptionCert", "setEncryptionPublicKey", "setCert", "setKey", "setRelayState",
    "setIssuer", "setEncryptionAlgorithm"];

  // The `api` object of one trigger, per Auth0's reference for it.
  function makeApi(trigger, event, resume) {
    const api = { cache: cacheApi };
    const chain = (method) =>
      function (...args) {
        addCommand(method, args);
        return api;
      };
    const claim = (bagName) =>
      function (key, value) {
        fx().tokens[bagName][StringCtor(key)] = value === undefined ? null : snapshot(value);
        return api;
      };
    const userApi = {
      setAppMetadata(key, value) {
        setMetadata("app_metadata", key, value);
        return api;
      },
      setUserMetadata(key, value) {
        setMetadata("user_metadata", key, value);
        return api;
      },
    };
    if (trigger === "post-login") {
      const transaction = isObject(event.transaction) ? event.transaction : {};
      const prompts = ArrayIsArray(transaction.prompt) ? transaction.prompt : [];
      const redirect = redirectApi(event);
      api.access = {
        deny(reason) {
          deny({ name: "AccessDeniedError", message: text(reason, ""), code: "access_denied" });
          return api;
        },
      };
      api.accessToken = { setCustomClaim: claim("accessToken"), addScope: chain("accessToken.addScope"), removeScope: chain("accessToken.removeScope") };
      api.idToken = { setCustomClaim: claim("idToken") };
      api.user = userApi;
      api.multifactor = { enable: chain("multifactor.enable") };
      api.authentication = {
        challengeWith: chain("authentication.challengeWith"),
        challengeWithAny: chain("authentication.challengeWithAny"),
        enrollWith: chain("authentication.enrollWith"),
        enrollWithAny: chain("authentication.enrollWithAny"),
        setPrimaryUser: chain("authentication.setPrimaryUser"),
        recordMethod(url) {
          if (!resume) throw new ErrorCtor("api.authentication.recordMethod is only available in onContinuePostLogin");
          addCommand("authentication.recordMethod", [url]);
          return api;
        },
      };
      api.redirect = {
        sendUserTo: chain("redirect.sendUserTo"),
        canRedirect() {
          const p = transaction.protocol;
          return !(p === "oauth2-resource-owner" || p === "oauth2-password" || p === "oauth2-refresh-token" ||
            call(arrayIndexOf, prompts, "none") >= 0);
        },
        encodeToken: redirect.encodeToken,
        validateToken: redirect.validateToken,
      };
      api.validation = {
        error(code, message) {
          deny({ name: "ValidationError", message: text(message, ""), code: text(code, "") });
          return api;
        },
      };
      api.transaction = {
        setMetadata(key, value) {
          if (!isObject(transaction.metadata)) transaction.metadata = {};
          if (value === null || value === undefined) delete transaction.metadata[key];
          else transaction.metadata[key] = value;
          addCommand("transaction.setMetadata", [key, value === undefined ? null : value]);
          return api;
        },
      };
      api.samlResponse = {};
      for (let i = 0; i < SAML_SETTERS.length; i++) api.samlResponse[SAML_SETTERS[i]] = chain("samlResponse." + SAML_SETTERS[i]);
      api.session = { revoke: unsupported("session.revoke"), setExpiresAt: unsupported("session.setExpiresAt"),
        setIdleExpiresAt: unsupported("session.setIdleExpiresAt"), setCookieMode: unsupported("session.setCookieMode"),
        setMetadata: unsupported("session.setMetadata"), deleteMetadata: unsupported("session.deleteMetadata"),
        evictMetadata: unsupported("session.evictMetadata") };
      api.refreshToken = { revoke: unsupported("refreshToken.revoke"), setExpiresAt: unsupported("refreshToken.setExpiresAt"),
        setIdleExpiresAt: unsupported("refreshToken.setIdleExpiresAt"), setMetadata: unsupported("refreshToken.setMetadata"),
        deleteMetadata: unsupported("refreshToken.deleteMetadata"), evictMetadata: unsupported("refreshToken.evictMetadata") };
      api.prompt = { render: unsupported("prompt.render") };
      api.rules = { wasExecuted: unsupported("rules.wasExecuted") };
      api.groups = { getUserGroups: unsupported("groups.getUserGroups"), hasGroupMembership: unsupported("groups.hasGroupMembership") };
      api.roles = { getUserEffectiveRoles: unsupported("roles.getUserEffectiveRoles"),
        getUserEffectiveRolesByIds: unsupported("roles.getUserEffectiveRolesByIds"),
        getUserEffectiveRolesByNames: unsupported("roles.getUserEffectiveRolesByNames") };
    } else if (trigger === "pre-user-registration") {
      api.access = {
        deny(reason, userMessage) {
          const e = { name: "AccessDeniedError", message: text(reason, ""), code: "extensibility_error" };
          if (userMessage !== undefined) e.fields = [["userMessage", JSONStringify(text(userMessage, ""))]];
          deny(e);
          return api;
        },
      };
      api.validation = {
        error(code, message) {
          deny({ name: "ValidationError", message: text(message, ""), code: text(code, "") });
          return api;
        },
      };
      api.user = userApi;
    } else if (trigger === "credentials-exchange") {
      api.access = {
        deny(code, reason) {
          const c = text(code, "");
          if (c !== "invalid_scope" && c !== "invalid_request" && c !== "server_error") {
            throw new TypeError("api.access.deny: the code must be invalid_scope, invalid_request or server_error");
          }
          deny({ name: "AccessDeniedError", message: text(reason, ""), code: c });
          return api;
        },
      };
      api.accessToken = { setCustomClaim: claim("accessToken") };
      api.transaction = {
        addTargetScope: chain("transaction.addTargetScope"),
        removeTargetScope: chain("transaction.removeTargetScope"),
        setTargetScopes: chain("transaction.setTargetScopes"),
        clearTargetScopes: chain("transaction.clearTargetScopes"),
      };
    }
    return api;
  }

  // Actions' geoip keys, from the rules' snake_case ones.
  const GEO_KEYS = { country_code: "countryCode", country_code3: "countryCode3", country_name: "countryName",
    city_name: "cityName", latitude: "latitude", longitude: "longitude", time_zone: "timeZone",
    continent_code: "continentCode", subdivision_code: "subdivisionCode", subdivision_name: "subdivisionName" };

  const objectOr = (v, fallback) => (isObject(v) && !ArrayIsArray(v) ? v : fallback);

  // The Actions event from the rules' (user, context), when the gateway sent
  // no `event` (README: "Auth0 Actions", the mapping table).
  function eventFromRules(user, context) {
    const c = context;
    const req = objectOr(c.request, {});
    // A copy: the Action's defaults (empty metadata objects) must not leak
    // into the user the next function and the gateway see.
    const event = { user: ObjectAssign({}, user), request: {}, secrets: {} };
    const r = event.request;
    const copy = (to, toKey, value) => {
      if (value !== undefined) to[toKey] = value;
    };
    copy(r, "ip", req.ip);
    copy(r, "hostname", req.hostname);
    copy(r, "method", req.method);
    copy(r, "language", req.language);
    copy(r, "user_agent", req.userAgent !== undefined ? req.userAgent : req.user_agent);
    // Auth0 always gives query and body, as objects.
    r.query = isObject(req.query) ? req.query : {};
    r.body = isObject(req.body) ? req.body : {};
    if (isObject(req.geoip)) {
      r.geoip = {};
      const keys = ObjectKeys(req.geoip);
      for (let i = 0; i < keys.length; i++) r.geoip[owns(GEO_KEYS, keys[i]) ? GEO_KEYS[keys[i]] : keys[i]] = req.geoip[keys[i]];
    }
    if (c.clientID !== undefined || c.clientName !== undefined) {
      event.client = { client_id: c.clientID, name: c.clientName, metadata: objectOr(c.clientMetadata, {}) };
    }
    if (c.connection !== undefined || c.connectionID !== undefined) {
      event.connection = { id: c.connectionID, name: c.connection, strategy: c.connectionStrategy, metadata: objectOr(c.connectionMetadata, {}) };
    }
    const transaction = {};
    copy(transaction, "protocol", c.protocol);
    if (isObject(req.query)) {
      if (typeof req.query.scope === "string") transaction.requested_scopes = call(stringSplit, req.query.scope, " ");
      copy(transaction, "redirect_uri", req.query.redirect_uri);
      copy(transaction, "state", req.query.state);
    }
    event.transaction = transaction;
    if (isObject(c.authentication) && ArrayIsArray(c.authentication.methods)) {
      const methods = [];
      for (let i = 0; i < c.authentication.methods.length; i++) {
        const m = objectOr(c.authentication.methods[i], {});
        const at = typeof m.timestamp === "number" ? new Date(m.timestamp).toISOString() : m.timestamp;
        push(methods, { name: m.name, timestamp: at });
      }
      event.authentication = { methods };
    }
    if (isObject(c.authorization)) event.authorization = { roles: ArrayIsArray(c.authorization.roles) ? c.authorization.roles : [] };
    if (isObject(c.stats)) event.stats = { logins_count: c.stats.loginsCount };
    copy(event, "organization", c.organization);
    if (c.tenant !== undefined) event.tenant = { id: c.tenant };
    if (c.sessionID !== undefined) event.session = { id: c.sessionID };
    return event;
  }

  // Picks the Action's handler: the trigger's, or the script's only one.
  function actionHandler(exported, trigger, resume) {
    if (resume) return ["onContinuePostLogin", "post-login"];
    if (typeof trigger === "string" && owns(ACTION_HANDLERS, trigger)) return [ACTION_HANDLERS[trigger], trigger];
    const found = [];
    const triggers = ObjectKeys(ACTION_HANDLERS);
    for (let i = 0; i < triggers.length; i++) {
      if (typeof read(exported, ACTION_HANDLERS[triggers[i]]) === "function") push(found, triggers[i]);
    }
    if (found.length === 1) return [ACTION_HANDLERS[found[0]], found[0]];
    return [null, null];
  }

  function isAction(exported) {
    if (!exported || (typeof exported !== "object" && typeof exported !== "function")) return false;
    for (let i = 0; i < ACTION_EXPORTS.length; i++) if (typeof read(exported, ACTION_EXPORTS[i]) === "function") return true;
    return false;
  }

  function runAction(exported, input, user, context) {
    const [name, trigger] = actionHandler(exported, input.trigger, input.resume === true);
    const handler = name ? read(exported, name) : undefined;
    if (typeof handler !== "function") {
      const wanted = name || "one exports.onExecute<Trigger> (several are defined; the scene names the trigger)";
      return settle("error", {
        name: "EntryPointError",
        message: "this Action has no " + wanted + (typeof input.trigger === "string" ? " for the trigger " + input.trigger : ""),
        stack: undefined,
        code: undefined,
      });
    }
    const event = isObject(input.event) && !ArrayIsArray(input.event) ? input.event : eventFromRules(user, context);
    const eventUser = objectOr(event.user, null);
    if (eventUser) {
      if (!isObject(eventUser.app_metadata)) eventUser.app_metadata = {};
      if (!isObject(eventUser.user_metadata)) eventUser.user_metadata = {};
    }
    event.secrets = isObject(input.secrets) ? ObjectFreeze(input.secrets) : ObjectFreeze({});
    if (isObject(input.cache)) cacheLive = input.cache;
    const api = makeApi(trigger, event, input.resume === true);
    watch(ReflectApply(handler, exported, [event, api]), "action");
  }

  // ---------------------------------------------------------------- rules' auth0

  // Rules' `auth0` global: the metadata updates come back as data, merged
  // top-level keys as the Management API merges them.
  // Only the user logging in can be updated: the changes come back as data
  // for the gateway to write to that user, so another id or a value that is
  // not an object is refused rather than written to the wrong place.
  function updateMetadata(which) {
    const name = which === "app_metadata" ? "updateAppMetadata" : "updateUserMetadata";
    return function (userId, value, cb) {
      let refused = null;
      const current = inputUser && inputUser.user_id;
      if (current !== undefined && userId !== current) {
        refused = new ErrorCtor("auth0.users." + name + ": hookbox can only update the user logging in (" + StringCtor(current) + ")");
      } else if (!isObject(value) || ArrayIsArray(value)) {
        refused = new TypeError("auth0.users." + name + ": the metadata must be an object");
      } else {
        const keys = ObjectKeys(value);
        for (let i = 0; i < keys.length; i++) setMetadata(which, keys[i], value[keys[i]]);
      }
      const done_ = refused ? PromiseCtor.reject(refused) : PromiseCtor.resolve();
      if (typeof cb === "function") call(PromiseThen, done_, () => cb(null), (e) => cb(e));
      return done_;
    };
  }
  const auth0 = ObjectFreeze({
    users: ObjectFreeze({
      updateAppMetadata: updateMetadata("app_metadata"),
      updateUserMetadata: updateMetadata("user_metadata"),
    }),
    get domain() {
      const domain = callMeta().domain;
      return typeof domain === "string" ? domain : undefined;
    },
    get baseUrl() {
      const domain = callMeta().domain;
      return typeof domain === "string" ? "https://" + domain + "/api/v2" : undefined;
    },
    get accessToken() {
      throw new ErrorCtor("auth0.accessToken is not available in hookbox: use auth0.users.updateAppMetadata/updateUserMetadata");
    },
  });

  // ---------------------------------------------------------------- FunctionGraph's context

  // The methods of FunctionGraph's `context`, on a prototype slotted under
  // the context object a handler gets (README: "Handlers").
  const noCredentials = (name) =>
    function () {
      throw new ErrorCtor("context." + name + "() is not available in hookbox: there are no cloud agency credentials");
    };
  const levelLogger = ObjectFreeze({
    info: (...a) => emit(LEVELS.info, a),
    warn: (...a) => emit(LEVELS.warn, a),
    error: (...a) => emit(LEVELS.error, a),
    debug: (...a) => emit(LEVELS.debug, a),
  });
  // Facts about the call come from the host on first use, so that calls
  // that never ask pay nothing for them.
  function callMeta() {
    if (!meta) meta = JSONParse(hostCall('{"op":"meta"}'));
    return meta;
  }
  const metaValue = (key, fallback) => {
    const m = callMeta();
    return m[key] !== undefined && m[key] !== null ? m[key] : fallback;
  };
  const ContextPrototype = ObjectCreate(Object.prototype);
  const contextMethods = {
    getRequestID: () => metaValue("requestId", ""),
    getRemainingTimeInMilliSeconds: () => {
      const left = metaValue("deadlineMs", 0) - DateNow();
      return left > 0 ? left : 0;
    },
    getUserData: (key) => {
      const env = G.env;
      return env && owns(env, key) ? env[key] : undefined;
    },
    getFunctionName: () => metaValue("functionName", ""),
    getVersion: () => metaValue("functionVersion", ""),
    getMemorySize: () => metaValue("memoryMb", 0),
    getRunningTimeInSeconds: () => metaValue("timeoutMs", 0) / 1000,
    getProjectID: () => metaValue("tenantId", ""),
    getPackage: () => metaValue("tenantId", ""),
    getAlias: () => "",
    getLogger: () => levelLogger,
    // Each call runs on one thread.
    getCPUNumber: () => 1,
    getAccessKey: noCredentials("getAccessKey"),
    getSecretKey: noCredentials("getSecretKey"),
    getSecurityAccessKey: noCredentials("getSecurityAccessKey"),
    getSecuritySecretKey: noCredentials("getSecuritySecretKey"),
    getSecurityToken: noCredentials("getSecurityToken"),
    getToken: noCredentials("getToken"),
  };
  const contextNames = ObjectKeys(contextMethods);
  for (let i = 0; i < contextNames.length; i++) {
    ObjectDefineProperty(ContextPrototype, contextNames[i], { value: contextMethods[contextNames[i]], writable: true, configurable: true });
  }

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
      } else if (kind === "pipe-context") {
        // Authing's two-parameter form, pipe(context, callback).
        settle("ok", { user: inputUser, context: a === undefined ? inputContext : a });
      } else if (kind === "hook") {
        // Webtask answers `cb()` with an empty response, not null.
        settle("ok", { result: a === undefined ? {} : a });
      } else {
        settle("ok", { result: a === undefined ? null : a });
      }
    };
  }

  function watch(value, kind) {
    if (!isObject(value) && typeof value !== "function") {
      if (kind === "handler") settle("ok", { result: value === undefined ? null : value });
      else if (kind === "action") settle(denied ? "error" : "ok", denied || { user: inputUser, context: inputContext });
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
      else if (kind === "action") settle(denied ? "error" : "ok", denied || { user: inputUser, context: inputContext });
      return;
    }
    const onValue = (v) => {
      if (done) return;
      if (kind === "handler") settle("ok", { result: v === undefined ? null : v });
      else if (kind === "action") settle(denied ? "error" : "ok", denied || { user: inputUser, context: inputContext });
    };
    const onError = (e) => {
      if (!done) settle("error", describeError(e));
    };
    call(PromiseThen, PromiseCtor.resolve(value), onValue, onError);
  }

  // Auth0's custom database scripts: the script names of its Management API
  // and the function names its templates declare.
  const SCRIPT_FUNCTIONS = {
    login: ["login"],
    get_user: ["getUser", "getByEmail"],
    create: ["create"],
    verify: ["verify"],
    change_password: ["changePassword"],
    change_email: ["changeEmail"],
    delete: ["deleteUser", "remove"],
  };

  // A single-function script is that function; otherwise the compile
  // wrapper hands over the template names the script declares.
  function scriptFunction(entry, script) {
    if (typeof entry === "function") return entry;
    if (!isObject(entry)) return undefined;
    const names = owns(SCRIPT_FUNCTIONS, script) ? SCRIPT_FUNCTIONS[script] : [];
    for (let i = 0; i < names.length; i++) if (typeof entry[names[i]] === "function") return entry[names[i]];
    return undefined;
  }

  function run(factory, packages) {
    if (packages !== undefined) addPackages(packages);
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

    const initialExports = {};
    const module = { exports: initialExports };
    try {
      const entry = factory(module, module.exports, require);
      const exported = module.exports;
      // The commonest call first and at no extra cost: a script that
      // declares `pipe` or is one function (the compile wrapper never hands
      // over a function for a script that mentions `exports`).
      if (typeof entry === "function" && exported === initialExports && input.script === undefined) {
        if (entry.length === 2) watch(ReflectApply(entry, undefined, [context, makeCallback("pipe-context")]), "pipe");
        else watch(ReflectApply(entry, undefined, [user, context, makeCallback("pipe")]), "pipe");
        return;
      }
      const handler =
        exported && (typeof exported === "object" || typeof exported === "function") && typeof exported.handler === "function"
          ? exported.handler
          : null;
      if (typeof input.script === "string" && (handler || isAction(exported))) {
        // A database slot holding another convention would answer `null`,
        // which a `create` or `delete` script's caller reads as success.
        const name = owns(SCRIPT_FUNCTIONS, input.script) ? SCRIPT_FUNCTIONS[input.script][0] : input.script;
        return settle("error", {
          name: "EntryPointError",
          message: "a database script is `function " + name + "(…, callback)`, not " +
            (handler ? "a handler (exports.handler)" : "an Auth0 Action (exports.onExecute…)"),
          stack: undefined,
          code: undefined,
        });
      }
      if (isAction(exported)) {
        runAction(exported, input, user, context);
      } else if (handler) {
        const event = input.event === undefined ? {} : input.event;
        if (!ArrayIsArray(context)) ObjectSetPrototypeOf(context, ContextPrototype);
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
      } else if (typeof input.script === "string") {
        const script = scriptFunction(entry, input.script);
        if (typeof script !== "function") {
          return settle("error", {
            name: "EntryPointError",
            message: "no database script function: the script must be one function, or declare " +
              (owns(SCRIPT_FUNCTIONS, input.script) ? "`function " + SCRIPT_FUNCTIONS[input.script][0] + "(…, callback)`" : "one"),
            stack: undefined,
            code: undefined,
          });
        }
        if (isObject(input.configuration)) G.configuration = ObjectFreeze(input.configuration);
        const args = ArrayIsArray(input.args) ? input.args : [];
        // Too few arguments: the callback still takes its declared place.
        while (args.length < script.length - 1) push(args, undefined);
        push(args, makeCallback("script"));
        watch(ReflectApply(script, undefined, args), "script");
      } else if (typeof entry === "function") {
        if (entry.length === 2) watch(ReflectApply(entry, undefined, [context, makeCallback("pipe-context")]), "pipe");
        else watch(ReflectApply(entry, undefined, [user, context, makeCallback("pipe")]), "pipe");
      } else {
        settle("error", {
          name: "EntryPointError",
          message:
            "no entry point: define `function pipe(user, context, callback)`, a single function expression, " +
            "`module.exports = function (..., cb)`, `exports.handler = async (event, context) => result` " +
            "or `exports.onExecute<Trigger> = async (event, api) => {}`",
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
    if (outcome === "error") return '{"outcome":"error","error":' + errorText(payload) + (sideEffects ? sideEffectsText() : "") + "}";
    let text = '{"outcome":"ok"';
    if (owns(payload, "user")) text += ',"user":' + json(payload.user) + ',"context":' + json(payload.context);
    else text += ',"result":' + json(payload.result);
    if (effects) {
      text += ',"tokens":{"idToken":' + json(effects.tokens.idToken) + ',"accessToken":' + json(effects.tokens.accessToken);
      text += '},"customData":' + json(effects.customData);
    }
    return (sideEffects ? text + sideEffectsText() : text) + "}";
  }

  // What an Action or a rule asked of the gateway, kept whatever the outcome
  // (Auth0 does not roll metadata back on a deny).
  function sideEffectsText() {
    let text = "";
    if (metadata) text += ',"metadata":{"app_metadata":' + json(metadata.app_metadata) + ',"user_metadata":' + json(metadata.user_metadata) + "}";
    if (commands) text += ',"commands":' + json(commands);
    if (cacheWrites) text += ',"cache":' + json(cacheWrites);
    return text;
  }

  // The error, written field by field from the strings describeError made:
  // JSON.stringify of a string primitive consults no prototype.
  function errorText(e) {
    let text = '{"name":' + JSONStringify(e.name) + ',"message":' + JSONStringify(e.message);
    if (typeof e.stack === "string") text += ',"stack":' + JSONStringify(e.stack);
    if (typeof e.code === "string") text += ',"code":' + JSONStringify(e.code);
    const fields = e.fields;
    if (fields) for (let i = 0; i < fields.length; i++) text += "," + JSONStringify(fields[i][0]) + ":" + fields[i][1];
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
    WrongUsernameOrPasswordError,
    ValidationError,
    PreUserRegistrationError,
    InvalidRequestError,
    InvalidScopeError,
    ServerError,
    auth0,
    axios,
    // Authing's documented logging global.
    log: (...a) => emit(LEVELS.log, a),
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

  // ---------------------------------------------------------------- Node's surface
  //
  // Node 20's globals and built-in modules, from the real npm shims in the
  // module registry (guest-sdk/npm), with hookbox's own process, url and
  // Intl. Every catalogue package is evaluated here, into the snapshot, so a
  // function's require is a lookup.

  // The Node version hookbox emulates (process.version; jsonwebtoken reads it).
  const NODE_VERSION = "20.20.2";
  const unavailable = (what) =>
    function () {
      throw new ErrorCtor("hookbox: " + what + " is not available to functions");
    };
  const processObject = {
    title: "hookbox",
    version: "v" + NODE_VERSION,
    versions: ObjectFreeze({ node: NODE_VERSION }),
    platform: "linux",
    argv: ObjectFreeze([]),
    execArgv: ObjectFreeze([]),
    pid: 1,
    cwd: () => "/",
    nextTick: (fn, ...args) => {
      if (typeof fn !== "function") throw new TypeError('The "callback" argument must be of type function');
      call(PromiseThen, PromiseCtor.resolve(), () => ReflectApply(fn, undefined, args));
    },
    emitWarning: () => {},
    exit: unavailable("process.exit"),
    kill: unavailable("process.kill"),
    abort: unavailable("process.abort"),
    binding: unavailable("process.binding"),
    dlopen: unavailable("process.dlopen"),
    chdir: unavailable("process.chdir"),
  };
  // process.env is the tenant's env of the call under way, frozen.
  ObjectDefineProperty(processObject, "env", { get: () => G.env, enumerable: true, configurable: false });

  const intlApi = host.intl(host.intlData, zoneOffset);
  function zoneOffset(zone, ms) {
    const answer = JSONParse(hostCall(JSONStringify({ op: "tz", zone, ms })));
    if (answer.error !== undefined) throw new RangeError(answer.error);
    return answer.offset;
  }

  const timersModule = ObjectFreeze({
    setTimeout: globals.setTimeout,
    setInterval: globals.setInterval,
    setImmediate: globals.setImmediate,
    clearTimeout: clearTimer,
    clearInterval: clearTimer,
    clearImmediate: clearTimer,
  });
  const nodeBuiltins = { querystring, process: processObject, timers: timersModule };
  const makeRegistryRequire = host.makeRequire(host.modules, nodeBuiltins);
  const registryRequire = makeRegistryRequire();
  const whatwgUrl = registryRequire("whatwg-url");
  const URLCtor = nodeUrl(whatwgUrl.URL);
  // UTS #46 (IDNA) for url.parse's hostnames and url.format's `unicode`: the
  // copy whatwg-url loaded.
  const tr46 = registryRequire("/node_modules/tr46/index.js");
  nodeBuiltins.url = ObjectFreeze({
    Url,
    parse: urlParse,
    resolve: urlResolve,
    resolveObject: urlResolveObject,
    format: urlFormat,
    URL: URLCtor,
    URLSearchParams: whatwgUrl.URLSearchParams,
  });
  const BufferCtor = registryRequire("buffer").Buffer;
  patchBuffer(BufferCtor);
  // Node's crypto and WebCrypto over the host's cryptography.
  const cryptoApi = host.crypto(hostCall, BufferCtor);
  nodeBuiltins.crypto = cryptoApi.crypto;

  // Buffer's encodings natively (the plugin's codecs, TextEncoder/TextDecoder
  // for UTF-8), where the buffer shim would loop byte by byte in interpreted
  // JavaScript; and Node 15.7+'s "base64url", which the shim predates. Other
  // encodings, and calls with ranges, stay the shim's.
  function patchBuffer(Buffer) {
    const proto = Buffer.prototype;
    const toStringFn = proto.toString;
    const writeFn = proto.write;
    const fromFn = Buffer.from;
    const byteLengthFn = Buffer.byteLength;
    const isEncodingFn = Buffer.isEncoding;
    const encodeBytes = host.encodeBytes;
    const decodeText = host.decodeText;
    const utf8Decoder = new TextDecoder("utf-8", { ignoreBOM: true });
    const NATIVE = { utf8: 1, base64: 1, base64url: 1, hex: 1, latin1: 1, binary: 1, ascii: 1 };
    const encodingOf = (e) => {
      if (e === undefined) return "utf8";
      if (typeof e !== "string") return null;
      const lower = call(stringToLowerCase, e);
      const name = lower === "utf-8" ? "utf8" : lower;
      return owns(NATIVE, name) ? name : null;
    };
    const isUrl = (e) => typeof e === "string" && call(stringToLowerCase, e) === "base64url";
    const toBase64 = (s) => call(stringReplace, call(stringReplace, StringCtor(s), /-/g, "+"), /_/g, "/");
    const bytesOf = (text, encoding) =>
      encoding === "utf8" ? call(textEncode, textEncoder, text) : decodeText(text, encoding);
    ObjectDefineProperty(proto, "toString", {
      value: function toString(encoding, start, end) {
        const e = encodingOf(encoding);
        if (e !== null && start === undefined && end === undefined && this instanceof Uint8ArrayCtor) {
          const text = e === "utf8" ? call(textDecode, utf8Decoder, this) : encodeBytes(this, e);
          if (text !== undefined) return text;
        }
        if (!isUrl(encoding)) return ReflectApply(toStringFn, this, arguments);
        const b64 = call(toStringFn, this, "base64", start, end);
        return call(stringReplace, call(stringReplace, call(stringReplace, b64, /\+/g, "-"), /\//g, "_"), /=+$/, "");
      },
      writable: true,
      configurable: true,
    });
    ObjectDefineProperty(proto, "write", {
      value: function write(string, offset, length, encoding) {
        const args = [];
        for (let i = 0; i < arguments.length; i++) push(args, isUrl(arguments[i]) && i > 0 ? "base64" : arguments[i]);
        for (let i = 1; i < arguments.length; i++) if (isUrl(arguments[i])) args[0] = toBase64(string);
        return ReflectApply(writeFn, this, args);
      },
      writable: true,
      configurable: true,
    });
    Buffer.from = function from(value, encodingOrOffset, length) {
      if (typeof value === "string") {
        const e = encodingOf(encodingOrOffset);
        const bytes = e === null ? undefined : bytesOf(value, e);
        if (bytes !== undefined) return call(fromFn, Buffer, bytes.buffer, bytes.byteOffset, bytes.length);
      }
      return ReflectApply(fromFn, Buffer, arguments);
    };
    Buffer.byteLength = function byteLength(string, encoding) {
      if (typeof string === "string") {
        const e = encodingOf(encoding);
        const bytes = e === null ? undefined : bytesOf(string, e);
        if (bytes !== undefined) return bytes.length;
      }
      return ReflectApply(byteLengthFn, Buffer, arguments);
    };
    Buffer.isEncoding = function isEncoding(encoding) {
      return isUrl(encoding) || call(isEncodingFn, Buffer, encoding);
    };
  }

  // Node's URL: the WHATWG URL of the whatwg-url package, with Node's error
  // for an invalid one (TypeError "Invalid URL", code ERR_INVALID_URL).
  function nodeUrl(WhatwgURL) {
    return class URL extends WhatwgURL {
      constructor(url, base) {
        try {
          if (base === undefined) super(url);
          else super(url, base);
        } catch (e) {
          if (!(e instanceof TypeError)) throw e;
          const err = new TypeError("Invalid URL");
          err.code = "ERR_INVALID_URL";
          err.input = StringCtor(url);
          if (base !== undefined) err.base = StringCtor(base);
          throw err;
        }
      }
    };
  }

  // DOMException as Node 20's (lib/internal/per_context/domexception.js,
  // after WebIDL): `name`, `message` and `code` are getters of the prototype
  // over state only the constructor writes (an instance owns just `stack`,
  // and `cause` when given), `code` is the legacy code of the name (0 for a
  // name without one), and the legacy constants are on the class and its
  // prototype.
  const domExceptionState = new WeakMap();
  const weakMapGet = WeakMap.prototype.get;
  const weakMapSet = WeakMap.prototype.set;
  const domExceptionCodes = {
    IndexSizeError: 1, DOMStringSizeError: 2, HierarchyRequestError: 3, WrongDocumentError: 4,
    InvalidCharacterError: 5, NoDataAllowedError: 6, NoModificationAllowedError: 7, NotFoundError: 8,
    NotSupportedError: 9, InUseAttributeError: 10, InvalidStateError: 11, SyntaxError: 12,
    InvalidModificationError: 13, NamespaceError: 14, InvalidAccessError: 15, ValidationError: 16,
    TypeMismatchError: 17, SecurityError: 18, NetworkError: 19, AbortError: 20, URLMismatchError: 21,
    QuotaExceededError: 22, TimeoutError: 23, InvalidNodeTypeError: 24, DataCloneError: 25,
  };
  const domExceptionConstants = [
    "INDEX_SIZE_ERR", "DOMSTRING_SIZE_ERR", "HIERARCHY_REQUEST_ERR", "WRONG_DOCUMENT_ERR", "INVALID_CHARACTER_ERR",
    "NO_DATA_ALLOWED_ERR", "NO_MODIFICATION_ALLOWED_ERR", "NOT_FOUND_ERR", "NOT_SUPPORTED_ERR", "INUSE_ATTRIBUTE_ERR",
    "INVALID_STATE_ERR", "SYNTAX_ERR", "INVALID_MODIFICATION_ERR", "NAMESPACE_ERR", "INVALID_ACCESS_ERR",
    "VALIDATION_ERR", "TYPE_MISMATCH_ERR", "SECURITY_ERR", "NETWORK_ERR", "ABORT_ERR", "URL_MISMATCH_ERR",
    "QUOTA_EXCEEDED_ERR", "TIMEOUT_ERR", "INVALID_NODE_TYPE_ERR", "DATA_CLONE_ERR",
  ];
  const domExceptionOf = (self) => {
    const state = call(weakMapGet, domExceptionState, self);
    if (state === undefined) {
      const e = new TypeError('Value of "this" must be of DOMException');
      e.code = "ERR_INVALID_THIS";
      throw e;
    }
    return state;
  };
  class DOMException extends ErrorCtor {
    constructor(message = "", options = "Error") {
      super();
      if (options && typeof options === "object") {
        call(weakMapSet, domExceptionState, this, { message: `${message}`, name: `${options.name}` });
        if ("cause" in options) {
          ObjectDefineProperty(this, "cause", { value: options.cause, writable: true, enumerable: false, configurable: true });
        }
      } else {
        call(weakMapSet, domExceptionState, this, { message: `${message}`, name: `${options}` });
      }
    }
    get name() {
      return domExceptionOf(this).name;
    }
    get message() {
      return domExceptionOf(this).message;
    }
    get code() {
      const name = domExceptionOf(this).name;
      return owns(domExceptionCodes, name) ? domExceptionCodes[name] : 0;
    }
  }
  for (const key of ["name", "message", "code"]) {
    const d = Object.getOwnPropertyDescriptor(DOMException.prototype, key);
    d.enumerable = true;
    ObjectDefineProperty(DOMException.prototype, key, d);
  }
  ObjectDefineProperty(DOMException.prototype, Symbol.toStringTag, { value: "DOMException", configurable: true });
  for (let i = 0; i < domExceptionConstants.length; i++) {
    const constant = { value: i + 1, enumerable: true };
    ObjectDefineProperty(DOMException, domExceptionConstants[i], constant);
    ObjectDefineProperty(DOMException.prototype, domExceptionConstants[i], constant);
  }

  // WHATWG forgiving-base64, as Node's atob/btoa.
  function btoa(data) {
    if (arguments.length === 0) throw new TypeError('The "data" argument must be specified');
    const text = StringCtor(data);
    for (let i = 0; i < text.length; i++) {
      if (text.charCodeAt(i) > 255) throw new DOMException("Invalid character", "InvalidCharacterError");
    }
    return call(BufferCtor.prototype.toString, BufferCtor.from(text, "latin1"), "base64");
  }
  // WHATWG forgiving-base64 decoding, with Node 20's errors: a character
  // outside the alphabet and ASCII whitespace, or `=` other than one or two at
  // the end of a whole number of quads, is "Invalid character"; a length that
  // leaves one character over is "not correctly encoded".
  function atob(data) {
    if (arguments.length === 0) throw new TypeError('The "data" argument must be specified');
    const input = `${data}`;
    const invalid = () => new DOMException("Invalid character", "InvalidCharacterError");
    let significant = 0;
    let equals = 0;
    for (let i = 0; i < input.length; i++) {
      const c = call(stringCharCodeAt, input, i);
      if (c === 9 || c === 10 || c === 12 || c === 13 || c === 32) continue;
      significant++;
      if (c === 61) {
        if (++equals > 2) throw invalid();
      } else if ((c >= 65 && c <= 90) || (c >= 97 && c <= 122) || (c >= 48 && c <= 57) || c === 43 || c === 47) {
        if (equals) throw invalid();
      } else {
        throw invalid();
      }
    }
    let rest = significant % 4;
    if (rest === 0) rest = (significant - equals) % 4;
    else if (equals) throw invalid();
    if (rest === 1) throw new DOMException("The string to be decoded is not correctly encoded.", "InvalidCharacterError");
    return call(BufferCtor.prototype.toString, BufferCtor.from(input, "base64"), "latin1");
  }

  // The structured clone algorithm (HTML), for the types a JSON-minded
  // function meets: plain objects, arrays, Date, RegExp, Map, Set, ArrayBuffer
  // and views, Error, boxed primitives; cycles kept; anything else is a
  // DataCloneError, as in Node.
  function structuredClone(value) {
    if (arguments.length === 0) throw new TypeError("The \"value\" argument must be specified");
    const seen = new Map();
    const clone = (v) => {
      if (v === null || (typeof v !== "object" && typeof v !== "function")) {
        if (typeof v === "symbol") throw new DOMException(StringCtor(v) + " could not be cloned.", "DataCloneError");
        return v;
      }
      if (seen.has(v)) return seen.get(v);
      if (typeof v === "function") throw new DOMException(StringCtor(v) + " could not be cloned.", "DataCloneError");
      let out;
      if (ArrayIsArray(v)) {
        out = [];
        seen.set(v, out);
        for (let i = 0; i < v.length; i++) if (i in v) out[i] = clone(v[i]);
        return out;
      }
      if (v instanceof Date) out = new Date(v.getTime());
      else if (v instanceof RegExp) out = new RegExp(v.source, v.flags);
      else if (v instanceof ArrayBuffer) out = v.slice(0);
      else if (ArrayBuffer.isView(v)) {
        const buffer = clone(v.buffer);
        const Ctor = v instanceof DataView ? DataView : BufferCtor.isBuffer(v) ? Uint8ArrayCtor : v.constructor;
        out = Ctor === DataView ? new DataView(buffer, v.byteOffset, v.byteLength) : new Ctor(buffer, v.byteOffset, v.length);
      } else if (v instanceof Map) {
        out = new Map();
        seen.set(v, out);
        v.forEach((val, key) => out.set(clone(key), clone(val)));
        return out;
      } else if (v instanceof Set) {
        out = new Set();
        seen.set(v, out);
        v.forEach((val) => out.add(clone(val)));
        return out;
      } else if (v instanceof ErrorCtor) {
        const Ctors = { EvalError, RangeError, ReferenceError, SyntaxError, TypeError, URIError };
        const Ctor = owns(Ctors, v.name) ? Ctors[v.name] : ErrorCtor;
        out = new Ctor(v.message);
        if (typeof v.stack === "string") out.stack = v.stack;
        if ("cause" in v) out.cause = clone(v.cause);
      } else if (v instanceof NumberCtor || v instanceof StringCtor || v instanceof Boolean) {
        out = Object(v.valueOf());
      } else if (v instanceof PromiseCtor || v instanceof WeakMap || v instanceof WeakSet) {
        throw new DOMException("#<" + v.constructor.name + "> could not be cloned.", "DataCloneError");
      } else {
        out = {};
        seen.set(v, out);
        const keys = ObjectKeys(v);
        for (let i = 0; i < keys.length; i++) out[keys[i]] = clone(v[keys[i]]);
        return out;
      }
      seen.set(v, out);
      return out;
    };
    return clone(value);
  }

  // AbortController/AbortSignal (DOM), enough for fetch-style code and
  // libraries that check `signal.aborted`.
  class AbortSignal {
    constructor() {
      this.aborted = false;
      this.reason = undefined;
      this.onabort = null;
      ObjectDefineProperty(this, "_listeners", { value: [] });
    }
    addEventListener(type, listener) {
      if (type === "abort" && typeof listener === "function") push(this._listeners, listener);
    }
    removeEventListener(type, listener) {
      const i = call(arrayIndexOf, this._listeners, listener);
      if (type === "abort" && i >= 0) this._listeners.splice(i, 1);
    }
    throwIfAborted() {
      if (this.aborted) throw this.reason;
    }
    static abort(reason) {
      const c = new AbortController();
      c.abort(reason);
      return c.signal;
    }
    static timeout(ms) {
      const c = new AbortController();
      globals.setTimeout(() => c.abort(new DOMException("The operation was aborted due to timeout", "TimeoutError")), ms);
      return c.signal;
    }
  }
  class AbortController {
    constructor() {
      ObjectDefineProperty(this, "signal", { value: new AbortSignal(), enumerable: true });
    }
    abort(reason) {
      const signal = this.signal;
      if (signal.aborted) return;
      signal.aborted = true;
      signal.reason = reason === undefined ? new DOMException("This operation was aborted", "AbortError") : reason;
      const event = { type: "abort", target: signal };
      if (typeof signal.onabort === "function") signal.onabort(event);
      const listeners = signal._listeners;
      for (let i = 0; i < listeners.length; i++) listeners[i](event);
    }
  }

  const nodeGlobals = {
    global: G,
    process: processObject,
    Buffer: BufferCtor,
    URL: URLCtor,
    URLSearchParams: whatwgUrl.URLSearchParams,
    atob,
    btoa,
    structuredClone,
    AbortController,
    AbortSignal,
    DOMException,
    Intl: intlApi.Intl,
    crypto: cryptoApi.webcrypto,
  };
  const nodeNames = ObjectKeys(nodeGlobals);
  for (let i = 0; i < nodeNames.length; i++) {
    ObjectDefineProperty(G, nodeNames[i], { value: nodeGlobals[nodeNames[i]], writable: true, configurable: true, enumerable: false });
  }
  ObjectDefineProperty(Number.prototype, "toLocaleString", {
    value: intlApi.numberToLocaleString,
    writable: true,
    configurable: true,
    enumerable: false,
  });
  ObjectDefineProperty(BigInt.prototype, "toLocaleString", {
    value: intlApi.bigintToLocaleString,
    writable: true,
    configurable: true,
    enumerable: false,
  });
  // [name, implementation, length as Node's]
  const stringMethods = [["localeCompare", "localeCompare", 1], ["toLocaleLowerCase", "localeLowerCase", 0], ["toLocaleUpperCase", "localeUpperCase", 0]];
  for (const [method, implementation, length] of stringMethods) {
    ObjectDefineProperty(intlApi[implementation], "name", { value: method, configurable: true });
    ObjectDefineProperty(intlApi[implementation], "length", { value: length, configurable: true });
    ObjectDefineProperty(String.prototype, method, {
      value: intlApi[implementation],
      writable: true,
      configurable: true,
      enumerable: false,
    });
  }
  // Date#toString and #toTimeString end with the zone's name, as Node's do
  // (V8 takes it from ICU). The sandbox's clock is always UTC.
  for (const method of ["toString", "toTimeString"]) {
    const quickjs = Date.prototype[method];
    const named = {
      [method]() {
        const text = call(quickjs, this);
        return text === "Invalid Date" ? text : text + " (Coordinated Universal Time)";
      },
    }[method];
    ObjectDefineProperty(Date.prototype, method, { value: named, writable: true, configurable: true, enumerable: false });
  }
  const localeMethods = ["toLocaleString", "toLocaleDateString", "toLocaleTimeString"];
  for (let i = 0; i < localeMethods.length; i++) {
    ObjectDefineProperty(Date.prototype, localeMethods[i], {
      value: intlApi[localeMethods[i]],
      writable: true,
      configurable: true,
      enumerable: false,
    });
  }

  // util: npm `util` 0.12's, with Node 20's inspect, format and
  // formatWithOptions (guest-sdk/js/inspect.js, also console's), set before
  // any other package loads util and keeps its inspect (assert does). A
  // Buffer prints as Node's does, and an error's frames are the user's as in
  // an outcome's stack.
  inspectOptions.URL = URLCtor;
  inspectOptions.URLSearchParams = whatwgUrl.URLSearchParams;
  inspectOptions.bufferModule = registryRequire("buffer");
  inspectOptions.stackFrames = (stack) => {
    const frames = userStack(stack);
    return frames === undefined ? "" : "    " + call(stringReplace, frames, /\n/g, "\n    ");
  };
  const utilModule = registryRequire("util");
  utilModule.inspect = inspectApi.inspect;
  utilModule.format = inspectApi.format;
  utilModule.formatWithOptions = inspectApi.formatWithOptions;
  utilModule.stripVTControlCharacters = inspectApi.stripVTControlCharacters;
  BufferCtor.prototype[inspectApi.inspect.custom] = inspectApi.bufferInspect;
  BufferCtor.prototype.inspect = inspectApi.bufferInspect;
  // Node 9+'s util.isDeepStrictEqual, which the util shim predates.
  const assertModule = registryRequire("assert");
  utilModule.isDeepStrictEqual = function isDeepStrictEqual(a, b) {
    try {
      assertModule.deepStrictEqual(a, b);
      return true;
    } catch (_) {
      return false;
    }
  };

  // Into the snapshot: every package of the catalogue, evaluated once.
  const catalogue = ObjectKeys(host.modules.packages);
  for (let i = 0; i < catalogue.length; i++) registryRequire(catalogue[i]);
  const provided = ObjectKeys(host.modules.builtins);
  for (let i = 0; i < catalogue.length + provided.length; i++) {
    const name = i < catalogue.length ? catalogue[i] : provided[i - catalogue.length];
    try {
      REQUIRED[name] = registryRequire(name);
      if (i >= catalogue.length) REQUIRED["node:" + name] = REQUIRED[name];
    } catch (_) {
      // Refused built-ins keep refusing, through the registry's require.
    }
  }
  // What the first use would otherwise build in every call that uses it.
  call(intlApi.toLocaleString, new Date(0), "en-US", { timeZone: "UTC" });
  // moment-timezone unpacks a zone on its first use (about 40 M fuel): all
  // of them now, once.
  const momentTz = registryRequire("moment-timezone");
  const zoneNames = momentTz.tz.names();
  for (let i = 0; i < zoneNames.length; i++) momentTz.tz.zone(zoneNames[i]);

  return { run, tick, finish };
});
