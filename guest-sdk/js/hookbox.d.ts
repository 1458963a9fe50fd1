// Types for hookbox functions: what a script sees, and what it may hand back.
//
// A script is compiled once at upload and run in a fresh sandbox per call. It
// uses exactly one of six calling conventions; hookbox detects which:
//
//   1. Authing pipeline:  async function pipe(user, context, callback) { … }
//                         (or pipe(context, callback), Authing's pre-register form)
//   2. Auth0 rule:        function (user, context, callback) { … }   (the whole script)
//   3. Auth0 hook:        module.exports = function (…args, cb) { … }
//   4. Handler:           exports.handler = async (event, context) => result
//   5. Auth0 Action:      exports.onExecutePostLogin = async (event, api) => { … }
//   6. Auth0 database script: function login(email, password, callback) { … }
//                         (run through a database connection, with its arguments)
//
// Scripts run in sloppy mode, like Node/Webtask CommonJS. async/await, promises
// and timers work; nothing survives between calls; there is no filesystem
// or host environment. The network is reachable only through the host
// (fetch, axios, request below), under the operator's allow-list. Node 20's
// globals and built-ins that a sandbox can give are there, each declared
// below with exactly the members it has in hookbox and what Node has that
// hookbox refuses (see "Node's surface"; README: "Node built-ins, npm
// packages and time zones"). The npm catalogue's packages bring their own
// types.

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
 * FunctionGraph's `context`: whatever the gateway passed as `context`, with
 * these methods. Cloud credentials (`getAccessKey`, `getSecretKey`,
 * `getSecurityAccessKey`, `getSecuritySecretKey`, `getSecurityToken`,
 * `getToken`) throw: a self-hosted runtime has none.
 */
interface FunctionGraphContext extends Record<string, unknown> {
  getRequestID(): string;
  /** The call's timeout minus the time it has run, in ms. */
  getRemainingTimeInMilliSeconds(): number;
  /** The tenant's environment variable `key`. */
  getUserData(key: string): string | undefined;
  getFunctionName(): string;
  /** The function's version number, as text. */
  getVersion(): string;
  /** The memory cap, in MB. */
  getMemorySize(): number;
  /** The timeout, in seconds. */
  getRunningTimeInSeconds(): number;
  /** 1: each call runs on one thread. */
  getCPUNumber(): number;
  /** The tenant id. */
  getProjectID(): string;
  /** The tenant id. */
  getPackage(): string;
  /** "": hookbox has no aliases. */
  getAlias(): string;
  /** Its lines go to the call's logs. */
  getLogger(): { info(...a: unknown[]): void; warn(...a: unknown[]): void; error(...a: unknown[]): void; debug(...a: unknown[]): void };
  getAccessKey(): never;
  getSecretKey(): never;
  getSecurityAccessKey(): never;
  getSecuritySecretKey(): never;
  getSecurityToken(): never;
  getToken(): never;
}

/**
 * Convention 4: `exports.handler = async (event, context) => result`. A handler
 * declared with three parameters also gets a Lambda-style callback. In the
 * `authorizer` scene the result must follow FunctionGraph's custom authorizer
 * contract: `{statusCode, body}` where `body` is a JSON string of
 * `{status: "allow" | "deny", context?: {[name: string]: string | number | boolean}}`.
 */
type Handler = (event: unknown, context: FunctionGraphContext, callback?: HookCallback) => unknown | Promise<unknown>;

// ---------------------------------------------------------------- Auth0 Actions
//
// Every `api` call comes back as data in the outcome: claims in `tokens`,
// metadata changes in `metadata`, what only the gateway can do in `commands`
// (`{method: "multifactor.enable", args: [...]}`), cache writes in `cache`.
// `api.access.deny` makes the outcome `error` (name `AccessDeniedError`). A
// method hookbox cannot honour throws an Error naming it.

interface ActionsEvent {
  user: Record<string, any> & { app_metadata: Record<string, any>; user_metadata: Record<string, any> };
  request: {
    ip?: string; hostname?: string; method?: string; language?: string; user_agent?: string;
    query?: Record<string, any>; body?: Record<string, any>;
    geoip?: { cityName?: string; continentCode?: string; countryCode?: string; countryCode3?: string; countryName?: string;
      latitude?: number; longitude?: number; subdivisionCode?: string; subdivisionName?: string; timeZone?: string };
  };
  client?: { client_id: string; name: string; metadata: Record<string, string> };
  connection?: { id: string; name: string; strategy: string; metadata?: Record<string, string> };
  transaction?: { protocol?: string; requested_scopes?: string[]; redirect_uri?: string; state?: string; metadata?: Record<string, string | number | boolean> };
  authentication?: { methods: { name: string; timestamp: string }[] };
  authorization?: { roles: string[] };
  stats?: { logins_count: number };
  organization?: { id: string; name: string; display_name?: string; metadata?: Record<string, string> };
  tenant?: { id: string };
  session?: { id: string };
  /** The function's own secrets (`PUT /v1/functions/{id}/secrets`, Auth0's hook secrets), redacted from logs. */
  secrets: Readonly<Record<string, string>>;
  [field: string]: unknown;
}

interface ActionsCache {
  /** The entry, or undefined when it is missing or expired. */
  get(key: string): { value: string; expires_at: number } | undefined;
  /** At most 20 entries, 64-byte keys, 4 KB values, 8 KB in all; 15 min by default, at most 24 h. */
  set(key: string, value: string, options?: { ttl?: number; expires_at?: number }): { type: "success" } | { type: "error"; code: string };
  delete(key: string): { type: "success" } | { type: "error"; code: string };
}

interface PostLoginApi {
  access: { deny(reason: string): PostLoginApi };
  accessToken: { setCustomClaim(name: string, value: unknown): PostLoginApi; addScope(scope: string): PostLoginApi; removeScope(scope: string): PostLoginApi };
  idToken: { setCustomClaim(name: string, value: unknown): PostLoginApi };
  user: { setAppMetadata(key: string, value: unknown): PostLoginApi; setUserMetadata(key: string, value: unknown): PostLoginApi };
  multifactor: { enable(provider: "any" | "none" | "guardian" | "google-authenticator" | "duo", options?: { allowRememberBrowser?: boolean; providerOptions?: Record<string, string> }): PostLoginApi };
  authentication: {
    challengeWith(factor: { type: string; options?: object }, options?: { additionalFactors?: { type: string }[] }): PostLoginApi;
    challengeWithAny(factors: { type: string; options?: object }[]): PostLoginApi;
    enrollWith(factor: { type: string; options?: object }, options?: object): PostLoginApi;
    enrollWithAny(factors: { type: string; options?: object }[]): PostLoginApi;
    /** Only in onContinuePostLogin. */
    recordMethod(providerUrl: string): PostLoginApi;
    setPrimaryUser(primaryUserId: string): PostLoginApi;
  };
  redirect: {
    sendUserTo(url: string, options?: { query?: Record<string, string> }): PostLoginApi;
    canRedirect(): boolean;
    /** An HS256 JWT of `payload` with `sub` (`event.user.user_id`), `iss` (`event.request.hostname`, when sent), `exp` (default 900 s) and `ip`. */
    encodeToken(options: { secret: string; payload?: Record<string, unknown>; expiresInSeconds?: number }): string;
    /** The payload of the returned token (default parameter `session_token`); throws when its signature, expiry, `state` or `sub` does not check out. */
    validateToken(options: { secret: string; tokenParameterName?: string }): Record<string, unknown>;
  };
  validation: { error(code: string, message: string): PostLoginApi };
  transaction: { setMetadata(key: string, value: string | number | boolean | null): PostLoginApi };
  samlResponse: Record<string, (...args: any[]) => PostLoginApi>;
  cache: ActionsCache;
  /** Not supported by hookbox: every method throws. */
  session: Record<string, () => never>;
  /** Not supported by hookbox: every method throws. */
  refreshToken: Record<string, () => never>;
  prompt: { render(): never };
  rules: { wasExecuted(): never };
}

interface PreUserRegistrationApi {
  /** `reason` for the logs, `userMessage` for the person signing up. */
  access: { deny(reason: string, userMessage?: string): PreUserRegistrationApi };
  validation: { error(code: string, message: string): PreUserRegistrationApi };
  user: { setAppMetadata(key: string, value: unknown): PreUserRegistrationApi; setUserMetadata(key: string, value: unknown): PreUserRegistrationApi };
  cache: ActionsCache;
}

interface CredentialsExchangeApi {
  access: { deny(code: "invalid_scope" | "invalid_request" | "server_error", reason?: string): CredentialsExchangeApi };
  accessToken: { setCustomClaim(name: string, value: unknown): CredentialsExchangeApi };
  transaction: {
    addTargetScope(scope: string): CredentialsExchangeApi; removeTargetScope(scope: string): CredentialsExchangeApi;
    setTargetScopes(scopes: string[]): CredentialsExchangeApi; clearTargetScopes(): CredentialsExchangeApi;
  };
  cache: ActionsCache;
}

/** post-user-registration, post-change-password, send-phone-message. */
interface CacheOnlyApi {
  cache: ActionsCache;
}

interface ActionsExports {
  onExecutePostLogin?: (event: ActionsEvent, api: PostLoginApi) => void | Promise<void>;
  onContinuePostLogin?: (event: ActionsEvent, api: PostLoginApi) => void | Promise<void>;
  onExecutePreUserRegistration?: (event: ActionsEvent, api: PreUserRegistrationApi) => void | Promise<void>;
  onExecutePostUserRegistration?: (event: ActionsEvent, api: CacheOnlyApi) => void | Promise<void>;
  onExecuteCredentialsExchange?: (event: ActionsEvent, api: CredentialsExchangeApi) => void | Promise<void>;
  onExecutePostChangePassword?: (event: ActionsEvent, api: CacheOnlyApi) => void | Promise<void>;
  onExecuteSendPhoneMessage?: (event: ActionsEvent & { message_options: { action: string; code: string; message_type: "sms" | "voice"; recipient: string; text: string } }, api: CacheOnlyApi) => void | Promise<void>;
}

/**
 * Convention 6: a custom database script. `callback(null, value)` makes
 * `value` the outcome's `result` (a profile, `true`/`false`, or nothing);
 * `callback()` is `callback(null)`.
 */
type DatabaseCallback = (error?: Error | null, value?: unknown) => void;

declare var module: { exports: Pipe | ((...args: any[]) => void) | ({ handler?: Handler } & ActionsExports) };
declare var exports: { handler?: Handler } & ActionsExports;

/** Rules' `auth0` global: metadata updates come back as the outcome's `metadata`. */
declare const auth0: {
  users: {
    updateAppMetadata(userId: string, metadata: Record<string, unknown>, cb?: (err: Error | null) => void): Promise<void>;
    updateUserMetadata(userId: string, metadata: Record<string, unknown>, cb?: (err: Error | null) => void): Promise<void>;
  };
  /** The tenant's Auth0 domain setting, or undefined. */
  readonly domain: string | undefined;
  /** `https://{domain}/api/v2`, or undefined. */
  readonly baseUrl: string | undefined;
  /** Throws: hookbox hands out no Management API token. */
  readonly accessToken: never;
};

/** Authing's logging global: the same as `console.log`. */
declare function log(...args: unknown[]): void;
/** Authing's `axios` global (also `require("axios")`). */
declare const axios: HookboxAxios;

/** The tenant's environment variables (read-only). */
declare const env: Readonly<Record<string, string>>;
/** Auth0's name for `env`. */
declare const configuration: Readonly<Record<string, string>>;

/** An error whose name (`UnauthorizedError`) the gateway sees. */
declare class UnauthorizedError extends Error {
  constructor(message?: string);
  name: "UnauthorizedError";
}

/** Auth0 database scripts: the login failed. Its `user_id` field is the first argument. */
declare class WrongUsernameOrPasswordError extends Error {
  constructor(userNameOrEmail?: string | null, message?: string);
  name: "WrongUsernameOrPasswordError";
  user_id?: string;
}

/** Auth0 database scripts: `new ValidationError("user_exists", "…")`. */
declare class ValidationError extends Error {
  constructor(code: string, message?: string);
  name: "ValidationError";
  code: string;
}

/** Auth0 pre-user-registration hooks: `message` for the logs, `friendlyMessage` for the user. */
declare class PreUserRegistrationError extends Error {
  constructor(message: string, friendlyMessage?: string);
  name: "PreUserRegistrationError";
  friendlyMessage?: string;
}

/** Auth0 credentials-exchange hooks: OAuth2 errors; `code` is the `error` value. */
declare class InvalidRequestError extends Error { constructor(message?: string); name: "InvalidRequestError"; code: "invalid_request"; }
declare class InvalidScopeError extends Error { constructor(message?: string); name: "InvalidScopeError"; code: "invalid_scope"; }
declare class ServerError extends Error { constructor(message?: string); name: "ServerError"; code: "server_error"; }

/**
 * Captured into the outcome's `logs` (64 KB per call, then truncated). Each
 * line is what Node 20's `console.log` writes for the same arguments:
 * `util.format(...args)` (see `HookboxUtil`).
 */
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

/** hookbox's `utils` (Authing's). @surface require("utils") */
interface HookboxUtils {
  /**
   * Whether `ip` (IPv4 or IPv6) is in `range`: an address, a CIDR block
   * ("10.0.0.0/8", "2001:db8::/32"), an IPv4 span ("10.0.0.1-10.0.0.99"), a
   * two-address array, which is the span between them as Authing documents
   * (["10.1.0.0", "10.1.255.255"]), or any other list of these.
   */
  ipRangeCheck(ip: string, range: string | string[]): boolean;
}

/** `querystring` (hookbox's, with Node's semantics). */
interface HookboxQuerystring {
  parse(str: string, sep?: string, eq?: string): Record<string, string | string[]>;
  decode: HookboxQuerystring["parse"];
  stringify(obj: Record<string, unknown>, sep?: string, eq?: string): string;
  encode: HookboxQuerystring["stringify"];
  escape(s: string): string;
  unescape(s: string): string;
}

/**
 * A legacy URL object: `url.parse`'s answer (Node's `Url`).
 * @surface require("url").parse("http://a.example/")
 */
interface HookboxLegacyUrl {
  protocol: string | null;
  slashes: boolean | null;
  auth: string | null;
  host: string | null;
  port: string | null;
  hostname: string | null;
  hash: string | null;
  search: string | null;
  query: string | null | Record<string, string | string[]>;
  pathname: string | null;
  path: string | null;
  href: string;
  parse(url: string, parseQueryString?: boolean, slashesDenoteHost?: boolean): this;
  format(): string;
  resolve(to: string): string;
  resolveObject(to: string | HookboxLegacyUrl): HookboxLegacyUrl;
  parseHost(): void;
}

/**
 * `url`: Node 20's legacy `parse`, `format`, `resolve`, `resolveObject` and
 * `Url` (Node's lib/url.js, ported: it escapes what Node's escapes, punycodes
 * hostnames, throws `ERR_INVALID_URL` where Node's does), and the WHATWG
 * classes. `format(url, options)` of a WHATWG `URL` takes Node's
 * `{auth, fragment, search, unicode}`. Node's `domainToASCII`,
 * `domainToUnicode`, `fileURLToPath`, `pathToFileURL` and `urlToHttpOptions`
 * are absent.
 */
interface HookboxUrl {
  Url: new () => HookboxLegacyUrl;
  parse(url: string, parseQueryString?: boolean, slashesDenoteHost?: boolean): HookboxLegacyUrl;
  format(url: string | Partial<HookboxLegacyUrl> | Record<string, unknown>): string;
  format(url: HookboxURL, options?: { auth?: boolean; fragment?: boolean; search?: boolean; unicode?: boolean }): string;
  resolve(from: string, to: string): string;
  resolveObject(from: string, to: string | HookboxLegacyUrl): HookboxLegacyUrl;
  URL: HookboxURLConstructor;
  URLSearchParams: new (init?: string | Record<string, string> | [string, string][]) => HookboxURLSearchParams;
}

// ---------------------------------------------------------------- outbound HTTP
//
// The sandbox has no sockets: the host makes each request on the function's
// behalf, while the function waits (requests within one call run one after
// the other). Rules, all enforced by the host:
//   - the host (and port) must be in the tenant's allow-list (`PUT /v1/outbound`);
//     empty by default, which means no outbound access at all;
//   - never a loopback, private, link-local, metadata, CGNAT, multicast or
//     otherwise non-public address, checked after DNS resolution;
//   - http and https only; at most 5 redirects, each re-checked;
//   - per call: 10 requests, 256 KB request body, 1 MB response body, 10 s per
//     request, and the function's own timeout over everything.
// A refusal rejects (or calls back) with an Error whose message names the rule,
// e.g. "outbound: host evil.test is not in this tenant's allow-list", and
// `code` "EOUTBOUND" ("ETIMEDOUT", "ECONNREFUSED", … for network failures).
// Bodies are text (UTF-8); binary bodies and streaming are not supported.
// The host completes a request before fetch/axios/request hands back its
// promise or schedules its callback, so a fire-and-forget notification made just
// before calling back is still sent.

/** @surface new Headers() */
interface HookboxHeaders {
  get(name: string): string | null;
  has(name: string): boolean;
  set(name: string, value: string): void;
  append(name: string, value: string): void;
  delete(name: string): void;
  forEach(fn: (value: string, name: string, headers: HookboxHeaders) => void, thisArg?: unknown): void;
  entries(): IterableIterator<[string, string]>;
  keys(): IterableIterator<string>;
  values(): IterableIterator<string>;
  [Symbol.iterator](): IterableIterator<[string, string]>;
}
declare var Headers: {
  new (init?: Record<string, string> | [string, string][] | HookboxHeaders): HookboxHeaders;
};

interface HookboxResponse {
  readonly status: number;
  readonly ok: boolean;
  readonly statusText: string;
  readonly headers: HookboxHeaders;
  /** The URL of the last hop. */
  readonly url: string;
  readonly redirected: boolean;
  readonly bodyUsed: boolean;
  text(): Promise<string>;
  json(): Promise<any>;
}

interface HookboxRequestInit {
  method?: string;
  headers?: Record<string, string> | [string, string][] | HookboxHeaders;
  /** Sent as text; serialise objects yourself (`JSON.stringify`). */
  body?: string;
  /** "manual" hands a 3xx back; "error" rejects on one. */
  redirect?: "follow" | "manual" | "error";
}

/** WHATWG fetch, the subset above. Rejects with a TypeError when refused or failed. */
declare function fetch(resource: string | { url: string; method?: string; headers?: HookboxRequestInit["headers"]; body?: string }, init?: HookboxRequestInit): Promise<HookboxResponse>;

interface AxiosRequestConfig {
  url?: string;
  method?: "get" | "post" | "put" | "patch" | "delete" | "head" | "options" | string;
  baseURL?: string;
  headers?: Record<string, string>;
  /** Appended to the URL as a query string. */
  params?: Record<string, unknown> | string;
  /** Objects are sent as JSON (content-type application/json), strings as they are. */
  data?: unknown;
  auth?: { username: string; password: string };
  /** "text" keeps `data` a string; otherwise JSON is parsed when it parses. */
  responseType?: "json" | "text";
  /** Which statuses resolve (default 2xx); `null` resolves all. */
  validateStatus?: ((status: number) => boolean) | null;
  /** 0 hands a 3xx back; at most 5. */
  maxRedirects?: number;
}

interface AxiosResponse<T = any> {
  data: T;
  status: number;
  statusText: string;
  /** Lower-case names; repeated headers joined with ", " (set-cookie: an array). */
  headers: Record<string, string | string[]>;
  config: AxiosRequestConfig;
}

/** What axios rejects with: a non-2xx (with `response`), or a refusal/failure. */
interface AxiosError extends Error {
  name: "AxiosError";
  isAxiosError: true;
  code?: string;
  status?: number;
  config: AxiosRequestConfig;
  response?: AxiosResponse;
}

/** @surface require("axios") */
interface HookboxAxios {
  <T = any>(config: AxiosRequestConfig): Promise<AxiosResponse<T>>;
  <T = any>(url: string, config?: AxiosRequestConfig): Promise<AxiosResponse<T>>;
  request<T = any>(config: AxiosRequestConfig): Promise<AxiosResponse<T>>;
  get<T = any>(url: string, config?: AxiosRequestConfig): Promise<AxiosResponse<T>>;
  delete<T = any>(url: string, config?: AxiosRequestConfig): Promise<AxiosResponse<T>>;
  head<T = any>(url: string, config?: AxiosRequestConfig): Promise<AxiosResponse<T>>;
  options<T = any>(url: string, config?: AxiosRequestConfig): Promise<AxiosResponse<T>>;
  post<T = any>(url: string, data?: unknown, config?: AxiosRequestConfig): Promise<AxiosResponse<T>>;
  put<T = any>(url: string, data?: unknown, config?: AxiosRequestConfig): Promise<AxiosResponse<T>>;
  patch<T = any>(url: string, data?: unknown, config?: AxiosRequestConfig): Promise<AxiosResponse<T>>;
  /** An instance with defaults (`baseURL`, `headers`, …). */
  create(defaults?: AxiosRequestConfig): HookboxAxios;
  defaults: AxiosRequestConfig & { headers: Record<string, any> & { common: Record<string, string> } };
  isAxiosError(e: unknown): e is AxiosError;
  all<T>(values: (T | Promise<T>)[]): Promise<T[]>;
  spread<T, R>(fn: (...args: T[]) => R): (args: T[]) => R;
  default: HookboxAxios;
}

interface RequestOptions {
  url?: string;
  uri?: string;
  method?: string;
  headers?: Record<string, string>;
  /** Appended to the URL as a query string. */
  qs?: Record<string, unknown>;
  /** `true`: send an object `body` as JSON and parse the response as JSON; an object: send it as JSON. */
  json?: boolean | object;
  /** Sent as application/x-www-form-urlencoded. */
  form?: Record<string, unknown> | string;
  body?: string | object;
  auth?: { user?: string; username?: string; pass?: string; password?: string; bearer?: string };
  followRedirect?: boolean;
  maxRedirects?: number;
}

interface RequestResponse {
  statusCode: number;
  statusMessage: string;
  headers: Record<string, string | string[]>;
  body: any;
  url: string;
}

/** `cb(err, response, body)`, called once, asynchronously. A non-2xx is not an error. */
type RequestCallback = (error: Error | null, response?: RequestResponse, body?: any) => void;

/** @surface require("request") */
interface HookboxRequest {
  (options: RequestOptions, callback?: RequestCallback): void;
  (url: string, callback?: RequestCallback): void;
  (url: string, options: RequestOptions, callback?: RequestCallback): void;
  get: HookboxRequest;
  post: HookboxRequest;
  put: HookboxRequest;
  patch: HookboxRequest;
  del: HookboxRequest;
  delete: HookboxRequest;
  head: HookboxRequest;
  /** A request function with these options as defaults. */
  defaults(options: RequestOptions): HookboxRequest;
}

// ---------------------------------------------------------------- Node's surface
//
// Exactly what a function finds, per module and per global. Kept true by
// tests/all/engine/dts.rs, which reads this file with these conventions:
//   - an interface runs from `interface Name … {` at the start of a line to
//     the first line that is `}`; each member is on its own line, indented by
//     exactly two spaces, as `name(`, `name<`, `name:`, `name?:`,
//     `readonly name:` or `"name"(` (call and construct signatures, `(…)` and
//     `new (…)`, are not members); an interface's members include those of the
//     interfaces of this file it `extends`;
//   - `declare function require(name: "x" | "node:x"): Type;` says that
//     `require("x")` serves a value whose members are exactly Type's;
//   - ` * @surface EXPR` in an interface's doc comment says that the value of
//     the JavaScript expression EXPR, evaluated in a function, has exactly
//     that interface's members;
//   - members are the own string-keyed property names of the value and of its
//     prototypes up to (not including) Object.prototype, Function.prototype,
//     Error.prototype, Error, Uint8Array, Uint8Array.prototype and their
//     TypedArray parents (ECMAScript's); less `constructor`, array
//     indices and, on functions, `length`, `name`, `prototype`, `arguments`,
//     `caller`. Symbol-keyed members are not compared;
//   - `declare const|var|function|class Name` at the start of a line are the
//     globals: with ECMAScript's own, they must be exactly globalThis's names
//     (`module` and `exports` are a function's parameters, not globals).
// Check that it parses (TypeScript 5.7 or later): `npx -p typescript@5 tsc --noEmit --strict --lib es2022 hookbox.d.ts`.
//
// Every other Node 20 built-in is refused: `require` throws
// `Cannot find module '<name>': hookbox does not provide Node's '<name>' module
// to functions` with `code === "MODULE_NOT_FOUND"`, with or without `node:`.
// They are: `_http_agent`, `_http_client`, `_http_common`, `_http_incoming`,
// `_http_outgoing`, `_http_server`, `_stream_duplex`, `_stream_passthrough`,
// `_stream_readable`, `_stream_transform`, `_stream_wrap`, `_stream_writable`,
// `_tls_common`, `_tls_wrap`, `assert/strict` (use `assert.strict`),
// `async_hooks`, `child_process`, `cluster`, `console` (the global `console`
// is there), `constants`, `dgram`, `diagnostics_channel`, `dns`,
// `dns/promises`, `domain`, `fs`, `fs/promises`, `http`, `http2`, `https`,
// `inspector`, `inspector/promises`, `module`, `net`, `os`, `path/win32`,
// `perf_hooks`, `punycode`, `readline`, `readline/promises`, `repl`,
// `stream/consumers`, `stream/promises`, `stream/web`, `timers/promises`,
// `tls`, `trace_events`, `tty`, `v8`, `vm`, `wasi`, `worker_threads`, `zlib`.
//
// ECMAScript's globals are QuickJS's (ES2023 and later: Iterator helpers,
// Float16Array, DisposableStack, …); there is no `WeakRef`,
// `FinalizationRegistry`, `Atomics` or `WebAssembly`.

/**
 * `assert` (npm `assert` 2.1.0): the module is `assert.ok`. Failure messages
 * are Node 10's wording.
 */
interface HookboxAssert {
  (value: unknown, message?: string | Error): asserts value;
  AssertionError: new (options: { message?: string; actual?: unknown; expected?: unknown; operator?: string }) => HookboxAssertionError;
  ok(value: unknown, message?: string | Error): asserts value;
  equal(actual: unknown, expected: unknown, message?: string | Error): void;
  notEqual(actual: unknown, expected: unknown, message?: string | Error): void;
  strictEqual<T>(actual: unknown, expected: T, message?: string | Error): asserts actual is T;
  notStrictEqual(actual: unknown, expected: unknown, message?: string | Error): void;
  deepEqual(actual: unknown, expected: unknown, message?: string | Error): void;
  notDeepEqual(actual: unknown, expected: unknown, message?: string | Error): void;
  deepStrictEqual<T>(actual: unknown, expected: T, message?: string | Error): asserts actual is T;
  notDeepStrictEqual(actual: unknown, expected: unknown, message?: string | Error): void;
  throws(fn: () => unknown, expected?: RegExp | Function | object | Error | string, message?: string | Error): void;
  doesNotThrow(fn: () => unknown, expected?: RegExp | Function | string, message?: string | Error): void;
  rejects(promiseOrFn: Promise<unknown> | (() => Promise<unknown>), expected?: RegExp | Function | object | Error | string, message?: string | Error): Promise<void>;
  doesNotReject(promiseOrFn: Promise<unknown> | (() => Promise<unknown>), expected?: RegExp | Function | string, message?: string | Error): Promise<void>;
  match(value: string, regExp: RegExp, message?: string | Error): void;
  doesNotMatch(value: string, regExp: RegExp, message?: string | Error): void;
  fail(message?: string | Error): never;
  ifError(value: unknown): void;
  /** The same functions with strict comparisons (`assert/strict` itself is refused). */
  strict: HookboxAssert;
}

/**
 * @surface new (require("assert").AssertionError)({ message: "m" })
 */
interface HookboxAssertionError {
  name: string;
  message: string;
  stack: string;
  code: "ERR_ASSERTION";
  actual: unknown;
  expected: unknown;
  operator: string;
  generatedMessage: boolean;
  toString(): string;
}

type BufferEncoding = "utf8" | "utf-8" | "hex" | "base64" | "base64url" | "latin1" | "binary" | "ascii" | "ucs2" | "ucs-2" | "utf16le" | "utf-16le";

/** `buffer` (npm `buffer` 6.0.3, with `base64url` and native codecs added). */
interface HookboxBufferModule {
  Buffer: HookboxBufferConstructor;
  /** `Buffer.allocUnsafeSlow`'s old name. */
  SlowBuffer(size: number): HookboxBuffer;
  INSPECT_MAX_BYTES: number;
  kMaxLength: number;
}

/**
 * The global `Buffer`, and `require("buffer").Buffer`.
 * @surface Buffer
 */
interface HookboxBufferConstructor {
  new (value: string | ArrayLike<number> | ArrayBuffer, encodingOrOffset?: BufferEncoding | number, length?: number): HookboxBuffer;
  from(value: string, encoding?: BufferEncoding): HookboxBuffer;
  from(value: ArrayLike<number> | ArrayBuffer | Uint8Array | { type: "Buffer"; data: number[] }, byteOffset?: number, length?: number): HookboxBuffer;
  alloc(size: number, fill?: string | number | Uint8Array, encoding?: BufferEncoding): HookboxBuffer;
  allocUnsafe(size: number): HookboxBuffer;
  allocUnsafeSlow(size: number): HookboxBuffer;
  byteLength(value: string | ArrayBuffer | ArrayBufferView, encoding?: BufferEncoding): number;
  compare(a: Uint8Array, b: Uint8Array): -1 | 0 | 1;
  concat(list: readonly Uint8Array[], totalLength?: number): HookboxBuffer;
  isBuffer(value: unknown): value is HookboxBuffer;
  isEncoding(encoding: string): encoding is BufferEncoding;
  poolSize: number;
  /** Always true. */
  TYPED_ARRAY_SUPPORT: boolean;
}

/**
 * A Buffer: a Uint8Array with Node's methods.
 * @surface Buffer.alloc(2)
 */
interface HookboxBuffer extends Uint8Array<ArrayBuffer> {
  /** Always true. */
  readonly _isBuffer: true;
  /** `buffer`, Node's deprecated alias. */
  readonly parent: ArrayBufferLike;
  /** `byteOffset`, Node's deprecated alias. */
  readonly offset: number;
  toString(encoding?: BufferEncoding, start?: number, end?: number): string;
  toLocaleString(): string;
  toJSON(): { type: "Buffer"; data: number[] };
  inspect(): string;
  write(string: string, offset?: number, length?: number, encoding?: BufferEncoding): number;
  equals(other: Uint8Array): boolean;
  compare(target: Uint8Array, targetStart?: number, targetEnd?: number, sourceStart?: number, sourceEnd?: number): -1 | 0 | 1;
  copy(target: Uint8Array, targetStart?: number, sourceStart?: number, sourceEnd?: number): number;
  slice(start?: number, end?: number): HookboxBuffer;
  fill(value: string | number | Uint8Array, offset?: number, end?: number, encoding?: BufferEncoding): this;
  indexOf(value: string | number | Uint8Array, byteOffset?: number, encoding?: BufferEncoding): number;
  lastIndexOf(value: string | number | Uint8Array, byteOffset?: number, encoding?: BufferEncoding): number;
  includes(value: string | number | Uint8Array, byteOffset?: number, encoding?: BufferEncoding): boolean;
  swap16(): this;
  swap32(): this;
  swap64(): this;
  readBigInt64BE(offset?: number): bigint;
  readBigInt64LE(offset?: number): bigint;
  readBigUInt64BE(offset?: number): bigint;
  readBigUInt64LE(offset?: number): bigint;
  readDoubleBE(offset?: number): number;
  readDoubleLE(offset?: number): number;
  readFloatBE(offset?: number): number;
  readFloatLE(offset?: number): number;
  readInt16BE(offset?: number): number;
  readInt16LE(offset?: number): number;
  readInt32BE(offset?: number): number;
  readInt32LE(offset?: number): number;
  readInt8(offset?: number): number;
  readIntBE(offset: number, byteLength: number): number;
  readIntLE(offset: number, byteLength: number): number;
  readUInt16BE(offset?: number): number;
  readUInt16LE(offset?: number): number;
  readUInt32BE(offset?: number): number;
  readUInt32LE(offset?: number): number;
  readUInt8(offset?: number): number;
  readUIntBE(offset: number, byteLength: number): number;
  readUIntLE(offset: number, byteLength: number): number;
  readUint16BE(offset?: number): number;
  readUint16LE(offset?: number): number;
  readUint32BE(offset?: number): number;
  readUint32LE(offset?: number): number;
  readUint8(offset?: number): number;
  readUintBE(offset?: number): number;
  readUintLE(offset?: number): number;
  writeBigInt64BE(value: bigint, offset?: number): number;
  writeBigInt64LE(value: bigint, offset?: number): number;
  writeBigUInt64BE(value: bigint, offset?: number): number;
  writeBigUInt64LE(value: bigint, offset?: number): number;
  writeDoubleBE(value: number, offset?: number): number;
  writeDoubleLE(value: number, offset?: number): number;
  writeFloatBE(value: number, offset?: number): number;
  writeFloatLE(value: number, offset?: number): number;
  writeInt16BE(value: number, offset?: number): number;
  writeInt16LE(value: number, offset?: number): number;
  writeInt32BE(value: number, offset?: number): number;
  writeInt32LE(value: number, offset?: number): number;
  writeInt8(value: number, offset?: number): number;
  writeIntBE(value: number, offset: number, byteLength: number): number;
  writeIntLE(value: number, offset: number, byteLength: number): number;
  writeUInt16BE(value: number, offset?: number): number;
  writeUInt16LE(value: number, offset?: number): number;
  writeUInt32BE(value: number, offset?: number): number;
  writeUInt32LE(value: number, offset?: number): number;
  writeUInt8(value: number, offset?: number): number;
  writeUIntBE(value: number, offset: number, byteLength: number): number;
  writeUIntLE(value: number, offset: number, byteLength: number): number;
  writeUint16BE(value: number, offset?: number): number;
  writeUint16LE(value: number, offset?: number): number;
  writeUint32BE(value: number, offset?: number): number;
  writeUint32LE(value: number, offset?: number): number;
  writeUint8(value: number, offset?: number): number;
  writeUintBE(value: number, offset?: number): number;
  writeUintLE(value: number, offset?: number): number;
}

/**
 * `crypto` (hookbox's, over the host's RustCrypto; guest-sdk/js/crypto.js).
 * Hashes: md5, sha1, sha256, sha384, sha512 (and the `RSA-`/`ecdsa-with-`
 * names). Ciphers: aes-128/192/256-cbc and -gcm (GCM IVs of any length, tags
 * of 4, 8 or 12–16 bytes), streaming as Node's. Keys:
 * RSA (up to 4096 bits), EC P-256 and P-384, secret; PEM, DER (spki, pkcs8)
 * and JWK.
 *
 * What Node has that hookbox refuses: the members below typed `never` throw
 * `crypto.<name> is not supported in hookbox` — key generation
 * (`generateKeyPair(Sync)`, `generateKey(Sync)`), RSA encryption
 * (`publicEncrypt`, `privateDecrypt`, `privateEncrypt`, `publicDecrypt`),
 * DH/ECDH (`createDiffieHellman`, `createECDH`), `scrypt(Sync)`,
 * `hkdf(Sync)`, the deprecated `createCipher`/`createDecipher`. Also refused,
 * with an Error naming what: encrypted PEM keys (`passphrase`) and exporting
 * them, keys over 4096 bits, RSA signature paddings other than PKCS#1 v1.5
 * and PSS, createHash's `outputLength`, other ciphers and hashes. Node's
 * `createDiffieHellmanGroup`, `getDiffieHellman`, `diffieHellman`, `hash`,
 * `X509Certificate`, `Certificate`, `Cipher`, `Decipher`, `ECDH`, `DiffieHellman`,
 * `checkPrime(Sync)`, `generatePrime(Sync)`, `getCipherInfo`, `getFips`,
 * `setFips`, `secureHeapUsed`, `setEngine`, `constants` beyond the RSA and
 * point-conversion ones, are absent.
 */
interface HookboxCrypto {
  createHash(algorithm: string, options?: object): HookboxHash;
  createHmac(algorithm: string, key: string | Uint8Array | HookboxKeyObject, options?: object): HookboxHmac;
  randomBytes(size: number): HookboxBuffer;
  randomBytes(size: number, callback: (err: Error | null, buf: HookboxBuffer) => void): void;
  /** `randomBytes`. */
  pseudoRandomBytes(size: number, callback?: (err: Error | null, buf: HookboxBuffer) => void): HookboxBuffer | void;
  randomFill<T extends ArrayBufferView | ArrayBuffer>(buf: T, offsetOrCallback: number | ((err: Error | null, buf: T) => void), sizeOrCallback?: number | ((err: Error | null, buf: T) => void), callback?: (err: Error | null, buf: T) => void): void;
  randomFillSync<T extends ArrayBufferView | ArrayBuffer>(buf: T, offset?: number, size?: number): T;
  randomUUID(options?: { disableEntropyCache?: boolean }): string;
  randomInt(max: number, callback?: (err: Error | null, n: number) => void): number;
  randomInt(min: number, max: number, callback?: (err: Error | null, n: number) => void): number;
  timingSafeEqual(a: ArrayBufferView | ArrayBuffer, b: ArrayBufferView | ArrayBuffer): boolean;
  pbkdf2(password: string | Uint8Array, salt: string | Uint8Array, iterations: number, keylen: number, digest: string, callback: (err: Error | null, key: HookboxBuffer) => void): void;
  pbkdf2Sync(password: string | Uint8Array, salt: string | Uint8Array, iterations: number, keylen: number, digest: string): HookboxBuffer;
  createCipheriv(algorithm: string, key: string | Uint8Array | HookboxKeyObject, iv: string | Uint8Array, options?: { authTagLength?: 4 | 8 | 12 | 13 | 14 | 15 | 16 }): HookboxCipheriv;
  createDecipheriv(algorithm: string, key: string | Uint8Array | HookboxKeyObject, iv: string | Uint8Array, options?: { authTagLength?: 4 | 8 | 12 | 13 | 14 | 15 | 16 }): HookboxDecipheriv;
  createSign(algorithm: string): HookboxSign;
  createVerify(algorithm: string): HookboxVerify;
  sign(algorithm: string | null | undefined, data: Uint8Array, key: HookboxKeyLike): HookboxBuffer;
  sign(algorithm: string | null | undefined, data: Uint8Array, key: HookboxKeyLike, callback: (err: Error | null, sig: HookboxBuffer) => void): void;
  verify(algorithm: string | null | undefined, data: Uint8Array, key: HookboxKeyLike, signature: Uint8Array): boolean;
  verify(algorithm: string | null | undefined, data: Uint8Array, key: HookboxKeyLike, signature: Uint8Array, callback: (err: Error | null, ok: boolean) => void): void;
  createPublicKey(key: HookboxKeyLike): HookboxKeyObject;
  createPrivateKey(key: HookboxKeyLike): HookboxKeyObject;
  createSecretKey(key: string | Uint8Array, encoding?: BufferEncoding): HookboxKeyObject;
  KeyObject: Function;
  Hash: Function;
  Hmac: Function;
  Sign: Function;
  Verify: Function;
  getHashes(): string[];
  getCiphers(): string[];
  /** ["prime256v1", "secp384r1"]. */
  getCurves(): string[];
  constants: HookboxCryptoConstants;
  /** The global `crypto`. */
  webcrypto: HookboxWebCrypto;
  subtle: HookboxSubtleCrypto;
  getRandomValues<T extends ArrayBufferView>(array: T): T;
  createCipher(...args: unknown[]): never;
  createDecipher(...args: unknown[]): never;
  createDiffieHellman(...args: unknown[]): never;
  createECDH(...args: unknown[]): never;
  generateKeyPair(...args: unknown[]): never;
  generateKeyPairSync(...args: unknown[]): never;
  generateKey(...args: unknown[]): never;
  generateKeySync(...args: unknown[]): never;
  publicEncrypt(...args: unknown[]): never;
  privateDecrypt(...args: unknown[]): never;
  privateEncrypt(...args: unknown[]): never;
  publicDecrypt(...args: unknown[]): never;
  scrypt(...args: unknown[]): never;
  scryptSync(...args: unknown[]): never;
  hkdf(...args: unknown[]): never;
  hkdfSync(...args: unknown[]): never;
}

/** A key as createPublicKey/createPrivateKey/sign/verify take it: PEM text, `{key, format, type}`, a JWK, or a KeyObject. */
type HookboxKeyLike = string | Uint8Array | HookboxKeyObject | { key: string | Uint8Array | object; format?: "pem" | "der" | "jwk"; type?: "spki" | "pkcs8" | "pkcs1"; padding?: number; saltLength?: number; dsaEncoding?: "der" | "ieee-p1363" };

/** @surface require("crypto").constants */
interface HookboxCryptoConstants {
  readonly RSA_PKCS1_PADDING: number;
  readonly RSA_NO_PADDING: number;
  readonly RSA_PKCS1_OAEP_PADDING: number;
  readonly RSA_X931_PADDING: number;
  readonly RSA_PKCS1_PSS_PADDING: number;
  readonly RSA_PSS_SALTLEN_DIGEST: number;
  readonly RSA_PSS_SALTLEN_MAX_SIGN: number;
  readonly RSA_PSS_SALTLEN_AUTO: number;
  readonly POINT_CONVERSION_COMPRESSED: number;
  readonly POINT_CONVERSION_UNCOMPRESSED: number;
  readonly POINT_CONVERSION_HYBRID: number;
}

/** @surface require("crypto").createHash("sha256") */
interface HookboxHash {
  update(data: string | ArrayBufferView, inputEncoding?: BufferEncoding): this;
  digest(): HookboxBuffer;
  digest(encoding: "hex" | "base64" | "base64url" | "latin1" | "binary"): string;
  copy(): HookboxHash;
  readonly _chunks: unknown;
  readonly _done: boolean;
  readonly _hash: string;
}

/** @surface require("crypto").createHmac("sha256", "k") */
interface HookboxHmac {
  update(data: string | ArrayBufferView, inputEncoding?: BufferEncoding): this;
  digest(): HookboxBuffer;
  digest(encoding: "hex" | "base64" | "base64url" | "latin1" | "binary"): string;
  readonly _chunks: unknown;
  readonly _done: boolean;
  readonly _hash: string;
  readonly _key: unknown;
}

/** @surface require("crypto").createSign("sha256") */
interface HookboxSign {
  update(data: string | ArrayBufferView, inputEncoding?: BufferEncoding): this;
  sign(key: HookboxKeyLike): HookboxBuffer;
  sign(key: HookboxKeyLike, outputEncoding: "hex" | "base64" | "base64url" | "latin1"): string;
  readonly _chunks: unknown;
  readonly _hash: string;
}

/** @surface require("crypto").createVerify("sha256") */
interface HookboxVerify {
  update(data: string | ArrayBufferView, inputEncoding?: BufferEncoding): this;
  verify(key: HookboxKeyLike, signature: string | ArrayBufferView, signatureEncoding?: "hex" | "base64" | "base64url" | "latin1"): boolean;
  readonly _chunks: unknown;
  readonly _hash: string;
}

/**
 * createCipheriv's object (no stream methods). `update` returns what Node's
 * does: CBC every whole block so far, GCM as many bytes as it was given; with
 * an output encoding, a character or base64 group split between updates
 * comes out whole (Node's StringDecoder). `setAutoPadding()` without an
 * argument turns padding off, as in Node.
 * @surface require("crypto").createCipheriv("aes-128-cbc", Buffer.alloc(16), Buffer.alloc(16))
 */
interface HookboxCipheriv {
  update(data: string | ArrayBufferView, inputEncoding?: BufferEncoding): HookboxBuffer;
  update(data: string | ArrayBufferView, inputEncoding: BufferEncoding | undefined, outputEncoding: BufferEncoding): string;
  final(): HookboxBuffer;
  final(outputEncoding: BufferEncoding): string;
  setAAD(data: string | ArrayBufferView, options?: { encoding?: BufferEncoding }): this;
  /** GCM, after `final`: the tag, `authTagLength` bytes (16 by default). */
  getAuthTag(): HookboxBuffer;
  setAutoPadding(autoPadding?: boolean): this;
}

/**
 * createDecipheriv's object (no stream methods). A CBC decipher with padding
 * holds the last whole block back for `final`, as Node's does; GCM's `update`
 * returns the plaintext before `final` checks the tag.
 * @surface require("crypto").createDecipheriv("aes-128-cbc", Buffer.alloc(16), Buffer.alloc(16))
 */
interface HookboxDecipheriv {
  update(data: string | ArrayBufferView, inputEncoding?: BufferEncoding): HookboxBuffer;
  update(data: string | ArrayBufferView, inputEncoding: BufferEncoding | undefined, outputEncoding: BufferEncoding): string;
  final(): HookboxBuffer;
  final(outputEncoding: BufferEncoding): string;
  setAAD(data: string | ArrayBufferView, options?: { encoding?: BufferEncoding }): this;
  /** GCM: the expected tag, 4, 8 or 12–16 bytes (exactly `authTagLength` when given). */
  setAuthTag(tag: string | ArrayBufferView, encoding?: BufferEncoding): this;
  setAutoPadding(autoPadding?: boolean): this;
}

/**
 * `export` gives spki/pkcs8 PEM or DER, JWK, or a secret's bytes; never encrypted.
 * @surface require("crypto").createSecretKey(Buffer.alloc(16))
 */
interface HookboxKeyObject {
  readonly type: "secret" | "public" | "private";
  readonly asymmetricKeyType: "rsa" | "rsa-pss" | "ec" | undefined;
  readonly asymmetricKeyDetails: { modulusLength?: number; publicExponent?: bigint; namedCurve?: string } | undefined;
  readonly symmetricKeySize: number | undefined;
  export(options?: { format?: "pem" | "der" | "jwk"; type?: "spki" | "pkcs8" | "pkcs1" }): string | HookboxBuffer | object;
  equals(other: HookboxKeyObject): boolean;
  readonly _hostKey: unknown;
  readonly _secret: unknown;
  readonly _type: string;
}

/**
 * The global `crypto` (WebCrypto), also `require("crypto").webcrypto`.
 * @surface globalThis.crypto
 */
interface HookboxWebCrypto {
  /** Integer typed arrays of at most 65,536 bytes. */
  getRandomValues<T extends ArrayBufferView>(array: T): T;
  randomUUID(): string;
  subtle: HookboxSubtleCrypto;
  CryptoKey: Function;
}

/**
 * `crypto.subtle`. Algorithms: `digest` SHA-1/256/384/512; `importKey` raw or
 * JWK HMAC keys, spki/pkcs8/JWK RSASSA-PKCS1-v1_5, RSA-PSS and ECDSA
 * (P-256, P-384) keys; `sign`/`verify` with those. `encrypt`, `decrypt`,
 * `generateKey`, `deriveKey`, `deriveBits`, `exportKey`, `wrapKey` and
 * `unwrapKey` reject with `crypto.subtle.<name> is not supported in hookbox`.
 * @surface globalThis.crypto.subtle
 */
interface HookboxSubtleCrypto {
  digest(algorithm: string | { name: string }, data: ArrayBufferView | ArrayBuffer): Promise<ArrayBuffer>;
  importKey(format: "raw" | "jwk" | "spki" | "pkcs8", keyData: ArrayBufferView | ArrayBuffer | object, algorithm: string | { name: string; hash?: string | { name: string }; namedCurve?: string }, extractable: boolean, usages: string[]): Promise<HookboxCryptoKey>;
  sign(algorithm: string | { name: string; hash?: string | { name: string }; saltLength?: number }, key: HookboxCryptoKey, data: ArrayBufferView | ArrayBuffer): Promise<ArrayBuffer>;
  verify(algorithm: string | { name: string; hash?: string | { name: string }; saltLength?: number }, key: HookboxCryptoKey, signature: ArrayBufferView | ArrayBuffer, data: ArrayBufferView | ArrayBuffer): Promise<boolean>;
  encrypt(...args: unknown[]): Promise<never>;
  decrypt(...args: unknown[]): Promise<never>;
  generateKey(...args: unknown[]): Promise<never>;
  deriveKey(...args: unknown[]): Promise<never>;
  deriveBits(...args: unknown[]): Promise<never>;
  exportKey(...args: unknown[]): Promise<never>;
  wrapKey(...args: unknown[]): Promise<never>;
  unwrapKey(...args: unknown[]): Promise<never>;
}

/** @surface crypto.subtle.importKey("raw", new Uint8Array(16), { name: "HMAC", hash: "SHA-256" }, false, ["sign"]) */
interface HookboxCryptoKey {
  readonly type: "secret" | "public" | "private";
  readonly extractable: boolean;
  readonly algorithm: { name: string; hash?: { name: string }; namedCurve?: string };
  readonly usages: string[];
  readonly _handle: unknown;
}

/**
 * `events` (npm `events` 3.3.0): the module is EventEmitter. Node's
 * `EventEmitter.on` (async iterator), `getEventListeners`, `setMaxListeners`
 * (static), `errorMonitor`, `captureRejections` and `EventEmitterAsyncResource`
 * are absent.
 */
interface HookboxEvents {
  new (): HookboxEventEmitter;
  EventEmitter: HookboxEvents;
  defaultMaxListeners: number;
  init(): void;
  /** Deprecated: `emitter.listenerCount(event)`. */
  listenerCount(emitter: HookboxEventEmitter, event: string | symbol): number;
  once(emitter: HookboxEventEmitter, event: string | symbol): Promise<unknown[]>;
}

/** @surface new (require("events"))() */
interface HookboxEventEmitter {
  addListener(event: string | symbol, listener: (...args: any[]) => void): this;
  on(event: string | symbol, listener: (...args: any[]) => void): this;
  once(event: string | symbol, listener: (...args: any[]) => void): this;
  prependListener(event: string | symbol, listener: (...args: any[]) => void): this;
  prependOnceListener(event: string | symbol, listener: (...args: any[]) => void): this;
  removeListener(event: string | symbol, listener: (...args: any[]) => void): this;
  off(event: string | symbol, listener: (...args: any[]) => void): this;
  removeAllListeners(event?: string | symbol): this;
  emit(event: string | symbol, ...args: any[]): boolean;
  eventNames(): (string | symbol)[];
  listeners(event: string | symbol): Function[];
  rawListeners(event: string | symbol): Function[];
  listenerCount(event: string | symbol): number;
  setMaxListeners(n: number): this;
  getMaxListeners(): number;
  readonly _events: unknown;
  readonly _eventsCount: number;
  readonly _maxListeners: number | undefined;
}

/**
 * `path` and `path/posix` (npm `path-browserify` 1.0.1): POSIX paths, the
 * working directory is "/". `path.win32` is null and `path/win32` refused.
 */
interface HookboxPath {
  basename(path: string, ext?: string): string;
  dirname(path: string): string;
  extname(path: string): string;
  format(parts: { root?: string; dir?: string; base?: string; name?: string; ext?: string }): string;
  isAbsolute(path: string): boolean;
  join(...paths: string[]): string;
  normalize(path: string): string;
  parse(path: string): { root: string; dir: string; base: string; name: string; ext: string };
  relative(from: string, to: string): string;
  resolve(...paths: string[]): string;
  _makeLong(path: string): string;
  readonly sep: "/";
  readonly delimiter: ":";
  posix: HookboxPath;
  win32: null;
}

/**
 * The global `process` and `require("process")`: hookbox's. Node's `stdout`,
 * `stderr`, `stdin`, `hrtime`, `memoryUsage`, `uptime`, `on`, `arch`,
 * `execPath`, `exitCode`, `umask`, `getuid`, … are absent.
 * @surface process
 */
interface HookboxProcess {
  /** The tenant's env of the call under way, frozen (the same object as `env`). */
  readonly env: Readonly<Record<string, string>>;
  /** "hookbox". */
  readonly title: string;
  /** The Node version hookbox emulates: "v20.20.2". */
  readonly version: string;
  readonly versions: { readonly node: string };
  readonly platform: "linux";
  /** Empty. */
  readonly argv: readonly string[];
  /** Empty. */
  readonly execArgv: readonly string[];
  /** 1. */
  readonly pid: number;
  cwd(): "/";
  nextTick(fn: (...args: any[]) => void, ...args: any[]): void;
  /** Does nothing. */
  emitWarning(warning: string | Error, ...rest: unknown[]): void;
  /** Throws: a function cannot end its sandbox's process. */
  exit(code?: number): never;
  /** Throws. */
  kill(pid: number, signal?: string): never;
  /** Throws. */
  abort(): never;
  /** Throws. */
  binding(name: string): never;
  /** Throws. */
  dlopen(...args: unknown[]): never;
  /** Throws. */
  chdir(directory: string): never;
}

/**
 * `stream` (npm `stream-browserify` 3.0.0, readable-stream 3): the module is
 * the legacy Stream class. Node's `addAbortSignal`, `compose`, `duplexPair`,
 * `isReadable`, `Readable.fromWeb`, `promises` and `stream/promises` are absent.
 */
interface HookboxStreamModule {
  new (): HookboxStream;
  Stream: HookboxStreamModule;
  Readable: HookboxReadableConstructor;
  Writable: HookboxWritableConstructor;
  Duplex: HookboxDuplexConstructor;
  Transform: HookboxTransformConstructor;
  PassThrough: HookboxPassThroughConstructor;
  finished(stream: HookboxStream, options: object | ((err?: Error | null) => void), callback?: (err?: Error | null) => void): () => void;
  pipeline(...streamsAndCallback: any[]): HookboxStream;
  /** EventEmitter (util.inherits' link). */
  super_: HookboxEvents;
}

/** @surface new (require("stream"))() */
interface HookboxStream extends HookboxEventEmitter {
  pipe<T>(destination: T, options?: { end?: boolean }): T;
}

/** @surface require("stream").Readable */
interface HookboxReadableConstructor {
  new (options?: { read?(this: HookboxReadable, size: number): void; highWaterMark?: number; encoding?: BufferEncoding; objectMode?: boolean; destroy?: Function }): HookboxReadable;
  from(iterable: Iterable<unknown> | AsyncIterable<unknown>, options?: object): HookboxReadable;
  ReadableState: Function;
  _fromList(n: number, state: unknown): unknown;
  super_: HookboxStreamModule;
}

/** @surface new (require("stream").Readable)({ read() {} }) */
interface HookboxReadable extends HookboxStream {
  read(size?: number): any;
  push(chunk: any, encoding?: BufferEncoding): boolean;
  unshift(chunk: any, encoding?: BufferEncoding): void;
  setEncoding(encoding: BufferEncoding): this;
  pause(): this;
  resume(): this;
  isPaused(): boolean;
  unpipe(destination?: unknown): this;
  wrap(stream: unknown): this;
  destroy(error?: Error): this;
  readonly destroyed: boolean;
  readable: boolean;
  readonly readableBuffer: unknown;
  readonly readableFlowing: boolean | null;
  readonly readableHighWaterMark: number;
  readonly readableLength: number;
  _read(size: number): void;
  _destroy(error: Error | null, callback: (error?: Error | null) => void): void;
  _undestroy(): void;
  readonly _readableState: any;
}

/** @surface require("stream").Writable */
interface HookboxWritableConstructor {
  new (options?: { write?(this: HookboxWritable, chunk: any, encoding: BufferEncoding, callback: (error?: Error | null) => void): void; highWaterMark?: number; objectMode?: boolean; decodeStrings?: boolean; final?: Function; destroy?: Function }): HookboxWritable;
  WritableState: Function;
  super_: HookboxStreamModule;
}

/** @surface new (require("stream").Writable)({ write(c, e, cb) { cb(); } }) */
interface HookboxWritable extends HookboxStream {
  write(chunk: any, encoding?: BufferEncoding | ((error?: Error | null) => void), callback?: (error?: Error | null) => void): boolean;
  end(chunk?: any, encoding?: BufferEncoding | (() => void), callback?: () => void): this;
  cork(): void;
  uncork(): void;
  setDefaultEncoding(encoding: BufferEncoding): this;
  destroy(error?: Error): this;
  readonly destroyed: boolean;
  writable: boolean;
  readonly writableBuffer: unknown[];
  readonly writableHighWaterMark: number;
  readonly writableLength: number;
  _write(chunk: any, encoding: BufferEncoding, callback: (error?: Error | null) => void): void;
  _writev(chunks: { chunk: any; encoding: BufferEncoding }[], callback: (error?: Error | null) => void): void;
  _destroy(error: Error | null, callback: (error?: Error | null) => void): void;
  _undestroy(): void;
  readonly _writableState: any;
}

/** @surface require("stream").Duplex */
interface HookboxDuplexConstructor {
  new (options?: object): HookboxDuplex;
  super_: HookboxReadableConstructor;
}

/** @surface new (require("stream").Duplex)({ read() {}, write(c, e, cb) { cb(); } }) */
interface HookboxDuplex extends HookboxReadable {
  write(chunk: any, encoding?: BufferEncoding | ((error?: Error | null) => void), callback?: (error?: Error | null) => void): boolean;
  end(chunk?: any, encoding?: BufferEncoding | (() => void), callback?: () => void): this;
  cork(): void;
  uncork(): void;
  setDefaultEncoding(encoding: BufferEncoding): this;
  writable: boolean;
  readonly writableBuffer: unknown[];
  readonly writableHighWaterMark: number;
  readonly writableLength: number;
  allowHalfOpen: boolean;
  _write(chunk: any, encoding: BufferEncoding, callback: (error?: Error | null) => void): void;
  _writev(chunks: { chunk: any; encoding: BufferEncoding }[], callback: (error?: Error | null) => void): void;
  readonly _writableState: any;
}

/** @surface require("stream").Transform */
interface HookboxTransformConstructor {
  new (options?: object): HookboxTransform;
  super_: HookboxDuplexConstructor;
}

/** @surface new (require("stream").Transform)() */
interface HookboxTransform extends HookboxDuplex {
  _transform(chunk: any, encoding: BufferEncoding, callback: (error?: Error | null, data?: any) => void): void;
  readonly _transformState: any;
}

/** @surface require("stream").PassThrough */
interface HookboxPassThroughConstructor {
  new (options?: object): HookboxTransform;
  super_: HookboxTransformConstructor;
}

/** `string_decoder` (npm `string_decoder` 1.3.0). */
interface HookboxStringDecoderModule {
  StringDecoder: new (encoding?: BufferEncoding) => HookboxStringDecoder;
}

/** @surface new (require("string_decoder").StringDecoder)("utf8") */
interface HookboxStringDecoder {
  write(buf: Uint8Array): string;
  end(buf?: Uint8Array): string;
  readonly encoding: string;
  text(buf: Uint8Array, i: number): string;
  fillLast(buf: Uint8Array): string | undefined;
  readonly lastChar: HookboxBuffer;
  readonly lastNeed: number;
  readonly lastTotal: number;
}

/**
 * `timers`: the globals' timers. `timers/promises` is refused; Node's
 * `setTimeout(...).unref()`/`ref()`/`refresh()` are absent (ids are numbers).
 */
interface HookboxTimers {
  setTimeout: typeof setTimeout;
  setInterval: typeof setInterval;
  setImmediate: typeof setImmediate;
  clearTimeout: typeof clearTimeout;
  clearInterval: typeof clearInterval;
  clearImmediate: typeof clearImmediate;
}

/**
 * `util` and `sys` (npm `util` 0.12.5, with `isDeepStrictEqual` added). Its
 * `inspect`, `format`, `formatWithOptions` and `stripVTControlCharacters`
 * are Node 20's own (lib/internal/util/inspect.js), printing what Node
 * prints; `console.log` uses them. Where QuickJS does not let JavaScript see
 * what V8 shows Node, the text says unknown: a promise's state (`Promise {
 * <unknown> }`), the entries of a WeakMap or WeakSet (also with
 * `showHidden`) and of a Map or Set iterator (`<items unknown>`); a Proxy
 * is inspected through its traps. Node's `TextEncoder`/`TextDecoder` (use
 * the globals), `parseArgs`, `styleText`, `MIMEType`, `toUSVString`,
 * `getSystemErrorName`, `aborted`, `transferableAbortSignal` are absent.
 */
interface HookboxUtil {
  /** Node's `%s %d %i %f %j %o %O %c %%`; other arguments are appended, inspected. */
  format(format?: unknown, ...args: unknown[]): string;
  formatWithOptions(inspectOptions: HookboxInspectOptions, format?: unknown, ...args: unknown[]): string;
  inspect: HookboxInspect;
  stripVTControlCharacters(str: string): string;
  inherits(ctor: Function, superCtor: Function): void;
  promisify<T extends (...args: any[]) => void>(fn: T): (...args: any[]) => Promise<any>;
  callbackify(fn: (...args: any[]) => Promise<unknown>): (...args: any[]) => void;
  deprecate<T extends Function>(fn: T, message: string, code?: string): T;
  debuglog(section: string): (...args: unknown[]) => void;
  isDeepStrictEqual(a: unknown, b: unknown): boolean;
  types: HookboxUtilTypes;
  /** Logs with a timestamp through `console.log`. */
  log(...args: unknown[]): void;
  _extend<T extends object>(target: T, source: object): T;
  isArray(value: unknown): value is unknown[];
  isBoolean(value: unknown): value is boolean;
  isBuffer(value: unknown): value is HookboxBuffer;
  isDate(value: unknown): value is Date;
  isError(value: unknown): value is Error;
  isFunction(value: unknown): value is Function;
  isNull(value: unknown): value is null;
  isNullOrUndefined(value: unknown): value is null | undefined;
  isNumber(value: unknown): value is number;
  isObject(value: unknown): boolean;
  isPrimitive(value: unknown): boolean;
  isRegExp(value: unknown): value is RegExp;
  isString(value: unknown): value is string;
  isSymbol(value: unknown): value is symbol;
  isUndefined(value: unknown): value is undefined;
}

/** `util.inspect`'s options, as Node 20 takes them. */
interface HookboxInspectOptions {
  showHidden?: boolean;
  depth?: number | null;
  colors?: boolean;
  customInspect?: boolean;
  showProxy?: boolean;
  maxArrayLength?: number | null;
  maxStringLength?: number | null;
  breakLength?: number;
  compact?: boolean | number;
  sorted?: boolean | ((a: string, b: string) => number);
  getters?: boolean | "get" | "set";
  numericSeparator?: boolean;
}

/**
 * `util.inspect(value, options)`, or the legacy `(value, showHidden, depth,
 * colors)`. An object's `[util.inspect.custom](depth, options, inspect)`
 * method answers for it, as in Node.
 * @surface require("util").inspect
 */
interface HookboxInspect {
  (value: unknown, options?: HookboxInspectOptions): string;
  (value: unknown, showHidden?: boolean, depth?: number | null, colors?: boolean): string;
  /** `Symbol.for('nodejs.util.inspect.custom')`. */
  readonly custom: symbol;
  /** The options every call starts from (console.log's too); assignable. */
  defaultOptions: Required<HookboxInspectOptions>;
  colors: Record<string, [number, number]>;
  styles: Record<string, string>;
}

/** `util.types` and `util/types`. */
interface HookboxUtilTypes {
  isAnyArrayBuffer(value: unknown): boolean;
  isArgumentsObject(value: unknown): boolean;
  isArrayBuffer(value: unknown): boolean;
  isArrayBufferView(value: unknown): boolean;
  isAsyncFunction(value: unknown): boolean;
  isBigInt64Array(value: unknown): boolean;
  isBigIntObject(value: unknown): boolean;
  isBigUint64Array(value: unknown): boolean;
  isBooleanObject(value: unknown): boolean;
  isBoxedPrimitive(value: unknown): boolean;
  isDataView(value: unknown): boolean;
  isDate(value: unknown): boolean;
  /** Throws: the `util` shim cannot tell (not enumerable). */
  isExternal(value: unknown): boolean;
  isFloat32Array(value: unknown): boolean;
  isFloat64Array(value: unknown): boolean;
  isGeneratorFunction(value: unknown): boolean;
  isGeneratorObject(value: unknown): boolean;
  isInt16Array(value: unknown): boolean;
  isInt32Array(value: unknown): boolean;
  isInt8Array(value: unknown): boolean;
  isMap(value: unknown): boolean;
  isMapIterator(value: unknown): boolean;
  /** Throws: the `util` shim cannot tell (not enumerable). */
  isModuleNamespaceObject(value: unknown): boolean;
  isNativeError(value: unknown): boolean;
  isNumberObject(value: unknown): boolean;
  isPromise(value: unknown): boolean;
  /** Throws: the `util` shim cannot tell (not enumerable). */
  isProxy(value: unknown): boolean;
  isRegExp(value: unknown): boolean;
  isSet(value: unknown): boolean;
  isSetIterator(value: unknown): boolean;
  isSharedArrayBuffer(value: unknown): boolean;
  isStringObject(value: unknown): boolean;
  isSymbolObject(value: unknown): boolean;
  isTypedArray(value: unknown): boolean;
  isUint16Array(value: unknown): boolean;
  isUint32Array(value: unknown): boolean;
  isUint8Array(value: unknown): boolean;
  isUint8ClampedArray(value: unknown): boolean;
  isWeakMap(value: unknown): boolean;
  isWeakSet(value: unknown): boolean;
  isWebAssemblyCompiledModule(value: unknown): boolean;
}

/**
 * The global `URL`, also `require("url").URL` (npm `whatwg-url` 15.1.0). An
 * invalid URL throws Node's `TypeError: Invalid URL` (code `ERR_INVALID_URL`).
 * Node's `URL.createObjectURL`/`revokeObjectURL` are absent.
 * @surface URL
 */
interface HookboxURLConstructor {
  new (url: string, base?: string | HookboxURL): HookboxURL;
  canParse(url: string, base?: string): boolean;
  parse(url: string, base?: string): HookboxURL | null;
}

/** @surface new URL("https://a.test/x?y=1") */
interface HookboxURL {
  href: string;
  readonly origin: string;
  protocol: string;
  username: string;
  password: string;
  host: string;
  hostname: string;
  port: string;
  pathname: string;
  search: string;
  readonly searchParams: HookboxURLSearchParams;
  hash: string;
  toString(): string;
  toJSON(): string;
}

/**
 * The global `URLSearchParams`, also `require("url").URLSearchParams`.
 * @surface new URLSearchParams("a=1")
 */
interface HookboxURLSearchParams {
  append(name: string, value: string): void;
  delete(name: string, value?: string): void;
  get(name: string): string | null;
  getAll(name: string): string[];
  has(name: string, value?: string): boolean;
  set(name: string, value: string): void;
  sort(): void;
  forEach(fn: (value: string, name: string, params: HookboxURLSearchParams) => void, thisArg?: unknown): void;
  entries(): IterableIterator<[string, string]>;
  keys(): IterableIterator<string>;
  values(): IterableIterator<string>;
  readonly size: number;
  toString(): string;
}

/** @surface new AbortController() */
interface HookboxAbortController {
  readonly signal: HookboxAbortSignal;
  abort(reason?: unknown): void;
}

/**
 * Events through `addEventListener` or `onabort`; not an EventTarget
 * (no `dispatchEvent`).
 * @surface new AbortController().signal
 */
interface HookboxAbortSignal {
  readonly aborted: boolean;
  readonly reason: unknown;
  onabort: ((event: { type: "abort" }) => void) | null;
  addEventListener(type: "abort", listener: (event: { type: "abort" }) => void, options?: { once?: boolean }): void;
  removeEventListener(type: "abort", listener: (event: { type: "abort" }) => void): void;
  throwIfAborted(): void;
  readonly _listeners: unknown;
}

/**
 * `AbortSignal.timeout(ms)` aborts when the timers run (see setTimeout).
 * `AbortSignal.any` is absent.
 * @surface AbortSignal
 */
interface HookboxAbortSignalConstructor {
  abort(reason?: unknown): HookboxAbortSignal;
  timeout(ms: number): HookboxAbortSignal;
}

/** UTF-8 only. @surface new TextEncoder() */
interface HookboxTextEncoder {
  readonly encoding: "utf-8";
  encode(input?: string): Uint8Array;
  encodeInto(input: string, destination: Uint8Array): { read: number; written: number };
}

/** @surface new TextDecoder() */
interface HookboxTextDecoder {
  readonly encoding: string;
  readonly fatal: boolean;
  readonly ignoreBOM: boolean;
  decode(input?: ArrayBufferView | ArrayBuffer, options?: { stream?: boolean }): string;
}

/** The legacy error codes (WebIDL), on `DOMException` and on its instances. */
interface HookboxDOMExceptionCodes {
  readonly INDEX_SIZE_ERR: 1;
  readonly DOMSTRING_SIZE_ERR: 2;
  readonly HIERARCHY_REQUEST_ERR: 3;
  readonly WRONG_DOCUMENT_ERR: 4;
  readonly INVALID_CHARACTER_ERR: 5;
  readonly NO_DATA_ALLOWED_ERR: 6;
  readonly NO_MODIFICATION_ALLOWED_ERR: 7;
  readonly NOT_FOUND_ERR: 8;
  readonly NOT_SUPPORTED_ERR: 9;
  readonly INUSE_ATTRIBUTE_ERR: 10;
  readonly INVALID_STATE_ERR: 11;
  readonly SYNTAX_ERR: 12;
  readonly INVALID_MODIFICATION_ERR: 13;
  readonly NAMESPACE_ERR: 14;
  readonly INVALID_ACCESS_ERR: 15;
  readonly VALIDATION_ERR: 16;
  readonly TYPE_MISMATCH_ERR: 17;
  readonly SECURITY_ERR: 18;
  readonly NETWORK_ERR: 19;
  readonly ABORT_ERR: 20;
  readonly URL_MISMATCH_ERR: 21;
  readonly QUOTA_EXCEEDED_ERR: 22;
  readonly TIMEOUT_ERR: 23;
  readonly INVALID_NODE_TYPE_ERR: 24;
  readonly DATA_CLONE_ERR: 25;
}

/**
 * As Node 20's: `name`, `message` and `code` (the legacy code of the name, 0
 * for a name without one) are getters of the prototype; `cause`, when the
 * options gave one, is the instance's own.
 * @surface new DOMException("m", "DataError")
 */
interface HookboxDOMException extends HookboxDOMExceptionCodes {
  readonly name: string;
  readonly message: string;
  readonly code: number;
  readonly stack: string;
}

/**
 * The global `Intl` (ECMAScript's names, hookbox's implementations; README:
 * "Time zones and `Intl`"). `DateTimeFormat` and `NumberFormat` work in six
 * locales, their language tags, and the regional locales Node formats as one
 * of them (`de-CH` dates, `fr-BE` numbers, …); any other locale falls back to
 * `en-US`, which `resolvedOptions().locale` shows. Options hookbox cannot
 * render exactly throw a RangeError with code
 * `ERR_HOOKBOX_INTL_UNSUPPORTED`. `Collator`, `PluralRules`,
 * `RelativeTimeFormat`, `ListFormat`, `Segmenter`, `DisplayNames` and `Locale`
 * throw `TypeError: hookbox: Intl.<name> is not supported in the sandbox`.
 * `supportedValuesOf` is absent.
 * @surface Intl
 */
interface HookboxIntl {
  DateTimeFormat: new (locales?: string | string[], options?: object) => HookboxDateTimeFormat;
  NumberFormat: new (locales?: string | string[], options?: object) => HookboxNumberFormat;
  getCanonicalLocales(locales?: string | string[]): string[];
  Collator: new (...args: unknown[]) => never;
  PluralRules: new (...args: unknown[]) => never;
  RelativeTimeFormat: new (...args: unknown[]) => never;
  ListFormat: new (...args: unknown[]) => never;
  Segmenter: new (...args: unknown[]) => never;
  DisplayNames: new (...args: unknown[]) => never;
  Locale: new (...args: unknown[]) => never;
}

/** `formatRange` and `formatRangeToParts` are absent. @surface new Intl.DateTimeFormat("en-US") */
interface HookboxDateTimeFormat {
  format(date?: Date | number): string;
  formatToParts(date?: Date | number): { type: string; value: string }[];
  resolvedOptions(): { locale: string; timeZone: string; calendar: string; numberingSystem: string; [option: string]: unknown };
  readonly _format: unknown;
}

/** `formatRange` and `formatRangeToParts` are absent. @surface new Intl.NumberFormat("en-US") */
interface HookboxNumberFormat {
  format(value: number | bigint): string;
  formatToParts(value: number | bigint): { type: string; value: string }[];
  resolvedOptions(): { locale: string; style: string; [option: string]: unknown };
  readonly _format: unknown;
}

/** node-fetch v2's shape. @surface require("node-fetch") */
interface HookboxNodeFetch {
  (resource: Parameters<typeof fetch>[0], init?: HookboxRequestInit): Promise<HookboxResponse>;
  default: HookboxNodeFetch;
  Headers: typeof Headers;
  Response: typeof Response;
}

// ---------------------------------------------------------------- require
//
// `require(name)` answers, in this order: a Node built-in below (with or
// without `node:`), hookbox's own modules (`axios`, `request`, `node-fetch`,
// `utils`; these answer to any version, `require('request@2.56.0')`), then a
// package of the catalogue. Anything else throws
// `Cannot find module '<name>': …` with `code === "MODULE_NOT_FOUND"`.
//
// The default npm catalogue (guest-sdk/js/catalogue.json, the real published
// packages pinned by guest-sdk/npm/package-lock.json). Their types are the
// packages' own (`@types/lodash`, `@types/jsonwebtoken`, …, or the types the
// package ships):
//
//   | package          | version  |
//   | ---------------- | -------- |
//   | lodash           | 4.17.21  |
//   | uuid             | 11.1.1   |
//   | ipaddr.js        | 2.5.0    |
//   | jsonwebtoken     | 9.0.3    |
//   | moment           | 2.31.0   | (with its locales)
//   | moment-timezone  | 0.6.6    |
//   | @xmldom/xmldom   | 0.8.15   |
//   | xmldom           | 0.8.15   | (the same package)
//   | xpath            | 0.0.34   |
//   | oauth-sign       | 0.9.0    |
//   | validator        | 13.15.35 |
//   | qs               | 6.17.1   |
//   | jwt-decode       | 4.0.0    |
//
// (assert, buffer, events, path-browserify, stream-browserify, string_decoder,
// util and whatwg-url are in the catalogue too, as the built-ins above.)
// `require('lodash@4.17.21')` is lodash when the version is the catalogue's,
// else MODULE_NOT_FOUND naming both versions.
//
// The operator's catalogue (README: "Adding packages"): an operator adds
// pure-JavaScript packages to a server (`hookbox packages add
// left-pad-1.3.0.tgz`, or `uuid@3.4.0` by name). A function names what it
// needs in `dependencies` (`{"uuid": "3.4.0"}` or an npm range), resolved at
// upload; then its `require('uuid')` is that version (and
// `require('uuid@3.4.0')` names it), where other functions get the default
// catalogue's.

declare function require(name: "assert" | "node:assert"): HookboxAssert;
declare function require(name: "buffer" | "node:buffer"): HookboxBufferModule;
declare function require(name: "crypto" | "node:crypto"): HookboxCrypto;
declare function require(name: "events" | "node:events"): HookboxEvents;
declare function require(name: "path" | "node:path" | "path/posix" | "node:path/posix"): HookboxPath;
declare function require(name: "process" | "node:process"): HookboxProcess;
declare function require(name: "querystring" | "node:querystring"): HookboxQuerystring;
declare function require(name: "stream" | "node:stream"): HookboxStreamModule;
declare function require(name: "string_decoder" | "node:string_decoder"): HookboxStringDecoderModule;
declare function require(name: "timers" | "node:timers"): HookboxTimers;
declare function require(name: "url" | "node:url"): HookboxUrl;
declare function require(name: "util" | "node:util" | "sys" | "node:sys"): HookboxUtil;
declare function require(name: "util/types" | "node:util/types"): HookboxUtilTypes;
declare function require(name: "axios"): HookboxAxios;
declare function require(name: "request"): HookboxRequest;
declare function require(name: "node-fetch"): HookboxNodeFetch;
declare function require(name: "./utils" | "utils"): HookboxUtils;
/** A catalogue package (`"lodash"`, `"lodash@4.17.21"`): its own types. */
declare function require(name: string): any;

// ---------------------------------------------------------------- Node's globals

declare const process: HookboxProcess;
/** The same object as `globalThis`. */
declare const global: typeof globalThis;
declare var Buffer: HookboxBufferConstructor;
declare var URL: HookboxURLConstructor;
declare var URLSearchParams: new (init?: string | Record<string, string> | [string, string][]) => HookboxURLSearchParams;
declare var crypto: HookboxWebCrypto;
/** Base64 of a Latin-1 string; throws a DOMException `InvalidCharacterError` beyond it. */
declare function btoa(data: string): string;
/**
 * WHATWG forgiving-base64, as Node 20's: a DOMException `InvalidCharacterError`
 * "Invalid character" for a character outside the alphabet or a misplaced `=`,
 * "The string to be decoded is not correctly encoded." for a bad length.
 */
declare function atob(data: string): string;
/** The structured clone algorithm (no `transfer`). */
declare function structuredClone<T>(value: T, options?: object): T;
declare var AbortController: new () => HookboxAbortController;
declare var AbortSignal: HookboxAbortSignalConstructor;
declare var TextEncoder: new () => HookboxTextEncoder;
declare var TextDecoder: new (label?: string, options?: { fatal?: boolean; ignoreBOM?: boolean }) => HookboxTextDecoder;
/** `options` may be a name or `{name, cause}`, as in Node 20. */
declare var DOMException: HookboxDOMExceptionCodes & {
  new (message?: string, options?: string | { name?: string; cause?: unknown }): HookboxDOMException;
};
/** What fetch resolves to; not constructible by a function. */
declare var Response: { prototype: HookboxResponse };
