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

  function describeError(err) {
    if (isObject(err) || typeof err === "function") {
      let name = "Error";
      let message = "";
      let stack;
      try {
        name = typeof err.name === "string" && err.name ? err.name : "Error";
        message = err.message === undefined ? "" : StringCtor(err.message);
        stack = userStack(err.stack);
      } catch (_) {
        message = "[error object could not be read]";
      }
      const out = { name, message };
      if (stack) out.stack = stack;
      if (isObject(err) && err.code !== undefined) {
        try {
          out.code = StringCtor(err.code);
        } catch (_) {}
      }
      return out;
    }
    let message;
    try {
      message = StringCtor(err);
    } catch (_) {
      message = typeof err;
    }
    return { name: "Error", message };
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

  const url = ObjectFreeze({ parse: urlParse, format: urlFormat });
  const utils = ObjectFreeze({ ipRangeCheck });
  const MODULES = { "./utils": utils, utils: utils, querystring, url };

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

  function addTimer(fn, delay, args, repeat) {
    if (typeof fn !== "function") throw new TypeError("timer callback must be a function");
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
  const fx = () => effects || (effects = { tokens: { idToken: {}, accessToken: {} }, customData: {} });

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
    if (outcome === "error") {
      const overflow = payload.name === "RangeError" && payload.message === "Maximum call stack size exceeded";
      return '{"outcome":"' + (overflow ? "stack_overflow" : "error") + '","error":' + json(payload) + "}";
    }
    let text = '{"outcome":"ok"';
    if (owns(payload, "user")) text += ',"user":' + json(payload.user) + ',"context":' + json(payload.context);
    else text += ',"result":' + json(payload.result);
    if (effects) text += ',"tokens":' + json(effects.tokens) + ',"customData":' + json(effects.customData);
    return text + "}";
  }

  function finish() {
    let text;
    try {
      text = resultText();
    } catch (e) {
      const why = describeError(e);
      text = JSONStringify({
        outcome: "invalid_output",
        error: { name: "InvalidOutputError", message: "the result cannot be serialised as JSON: " + why.message },
      });
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
    env: ObjectFreeze({}),
    configuration: ObjectFreeze({}),
  };
  const names = ObjectKeys(globals);
  for (let i = 0; i < names.length; i++) {
    ObjectDefineProperty(G, names[i], { value: globals[names[i]], writable: true, configurable: true, enumerable: false });
  }

  return { run, tick, finish };
});
