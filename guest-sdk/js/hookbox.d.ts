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
// globals and built-ins that a sandbox can give are there (README: "Node
// built-ins, npm packages and time zones"): Buffer, crypto, URL, util,
// events, assert, path, string_decoder, stream, process (env only, no exit),
// Intl.DateTimeFormat with IANA time zones, Intl.NumberFormat (decimal,
// percent and currency styles), and the npm catalogue (lodash,
// uuid, ipaddr.js, jsonwebtoken, moment, moment-timezone, xmldom, xpath,
// oauth-sign, validator, qs, jwt-decode). Their types are @types/node's and
// the packages' own; the declarations below cover what is hookbox's.

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
   * ("10.0.0.0/8", "2001:db8::/32"), an IPv4 span ("10.0.0.1-10.0.0.99"), a
   * two-address array, which is the span between them as Authing documents
   * (["10.1.0.0", "10.1.255.255"]), or any other list of these.
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

/**
 * hookbox's own modules. Any other name is a catalogue package or a Node
 * built-in (the last overload); a name hookbox has not throws
 * `Cannot find module '<name>': …` with `code === "MODULE_NOT_FOUND"`.
 */
declare function require(name: "axios"): HookboxAxios;
declare function require(name: "request"): HookboxRequest;
/** node-fetch v2's shape: the function, with `.default`, `.Headers`, `.Response`. */
declare function require(name: "node-fetch"): typeof fetch & { default: typeof fetch };
declare function require(name: "./utils" | "utils"): HookboxUtils;
declare function require(name: "querystring"): HookboxQuerystring;
declare function require(name: "url"): HookboxUrl;

/** Node's `process`, as far as a sandbox gives it. */
declare const process: {
  /** The tenant's env, frozen (the same object as `env`). */
  readonly env: Readonly<Record<string, string>>;
  /** The Node version hookbox emulates: "v20.20.2". */
  readonly version: string;
  readonly versions: { readonly node: string };
  readonly platform: "linux";
  nextTick(fn: (...args: any[]) => void, ...args: any[]): void;
  cwd(): "/";
  /** Throws: a function cannot end its sandbox's process. */
  exit(code?: number): never;
  /** Throws. */
  kill(pid: number, signal?: string): never;
};
/** The same object as `globalThis`. */
declare const global: typeof globalThis;
/** A catalogue package (`"lodash"`, `"lodash@4.17.21"`) or a Node built-in hookbox provides. */
declare function require(name: string): any;
