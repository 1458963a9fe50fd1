// Types for hookbox functions: what a script sees, and what it may hand back.
//
// A script is compiled once at upload and run in a fresh sandbox per call. It
// uses exactly one of four calling conventions; hookbox detects which:
//
//   1. Authing pipeline:  async function pipe(user, context, callback) { … }
//   2. Auth0 rule:        function (user, context, callback) { … }   (the whole script)
//   3. Auth0 hook:        module.exports = function (…args, cb) { … }
//   4. Handler:           exports.handler = async (event, context) => result
//
// Scripts run in sloppy mode, like Node/Webtask CommonJS. async/await, promises
// and timers work; nothing survives between calls; there is no filesystem,
// network, process or host environment.

/** The user object passed to `pipe` and rules, with Authing's helpers. */
interface HookboxUser {
  [field: string]: unknown;
  /** Add a claim to the ID token (`addIdToken({a: 1, b: 2})` adds several). Result: `tokens.idToken`. */
  addIdToken(key: string | Record<string, unknown>, value?: unknown): this;
  /** Remove a claim from the ID token. Result: `tokens.idToken[key] === null`. */
  removeIdToken(key: string): this;
  /** Add a claim to the access token. Result: `tokens.accessToken`. */
  addAccessToken(key: string | Record<string, unknown>, value?: unknown): this;
  /** Remove a claim from the access token. Result: `tokens.accessToken[key] === null`. */
  removeAccessToken(key: string): this;
  /** Attach custom data to the user. Result: `customData`. */
  addCustomData(key: string | Record<string, unknown>, value?: unknown): this;
}

/** Whatever the gateway passed as `context` (IP, user agent, protocol, …). */
type HookboxContext = Record<string, unknown>;

/**
 * Authing/Auth0-rule callback. Call it exactly once: later calls are ignored
 * (and logged). `callback(err)` stops the pipeline with `err.message`; the
 * error's `name` is kept (`UnauthorizedError`, `TypeError`, …). A function that
 * returns without calling back, with nothing left pending, ends as
 * `callback_not_called`.
 */
type PipeCallback = (error: Error | string | null | undefined, user?: object, context?: object) => void;

/** Convention 1 and 2. */
type Pipe = (user: HookboxUser, context: HookboxContext, callback: PipeCallback) => void | Promise<void>;

/**
 * Convention 3: `module.exports = function (...args, cb)`. `args` are the
 * trigger's arguments (by default `user, context`); `cb(null, response)`
 * returns `response` as the outcome's `result`.
 */
type HookCallback = (error: Error | string | null | undefined, response?: unknown) => void;

/**
 * Convention 4: `exports.handler = async (event, context) => result`. A handler
 * declared with three parameters also gets a Lambda-style callback.
 */
type Handler = (event: unknown, context: HookboxContext, callback?: HookCallback) => unknown | Promise<unknown>;

declare var module: { exports: Pipe | ((...args: any[]) => void) | { handler?: Handler } };
declare var exports: { handler?: Handler };

/** The tenant's environment variables (read-only). */
declare const env: Readonly<Record<string, string>>;
/** Auth0's name for `env`. */
declare const configuration: Readonly<Record<string, string>>;

/** An error whose name (`UnauthorizedError`) the gateway sees. */
declare class UnauthorizedError extends Error {
  constructor(message?: string);
  name: "UnauthorizedError";
}

/** Captured into the outcome's `logs` (64 KB per call, then truncated). */
declare const console: {
  log(...args: unknown[]): void;
  info(...args: unknown[]): void;
  debug(...args: unknown[]): void;
  warn(...args: unknown[]): void;
  error(...args: unknown[]): void;
};

/**
 * Timers fire in due order once nothing else is pending, without waiting for
 * their delay (there is no clock to sleep on in the sandbox); the wall-clock
 * timeout still applies to the whole call.
 */
declare function setTimeout(fn: (...args: any[]) => void, ms?: number, ...args: any[]): number;
declare function setInterval(fn: (...args: any[]) => void, ms?: number, ...args: any[]): number;
declare function setImmediate(fn: (...args: any[]) => void, ...args: any[]): number;
declare function clearTimeout(id: number): void;
declare function clearInterval(id: number): void;
declare function clearImmediate(id: number): void;
declare function queueMicrotask(fn: () => void): void;

interface HookboxUtils {
  /**
   * Whether `ip` (IPv4 or IPv6) is in `range`: an address, a CIDR block
   * ("10.0.0.0/8", "2001:db8::/32"), an IPv4 span ("10.0.0.1-10.0.0.99"), or a
   * list of any of these.
   */
  ipRangeCheck(ip: string, range: string | string[]): boolean;
}

interface HookboxQuerystring {
  parse(str: string, sep?: string, eq?: string): Record<string, string | string[]>;
  decode: HookboxQuerystring["parse"];
  stringify(obj: Record<string, unknown>, sep?: string, eq?: string): string;
  encode: HookboxQuerystring["stringify"];
  escape(s: string): string;
  unescape(s: string): string;
}

/** Node's legacy `url.parse` / `url.format`. */
interface HookboxUrl {
  parse(url: string, parseQueryString?: boolean): {
    protocol: string | null; slashes: boolean | null; auth: string | null; host: string | null;
    port: string | null; hostname: string | null; hash: string | null; search: string | null;
    query: string | null | Record<string, string | string[]>; pathname: string | null; path: string | null; href: string;
  };
  format(url: string | Record<string, unknown>): string;
}

/**
 * The built-in modules. Anything else throws `Cannot find module '<name>'`
 * with `code === "MODULE_NOT_FOUND"`.
 */
declare function require(name: "./utils" | "utils"): HookboxUtils;
declare function require(name: "querystring"): HookboxQuerystring;
declare function require(name: "url"): HookboxUrl;
