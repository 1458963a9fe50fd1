// The console's only way to the server: the public API, with the token a key
// pair was exchanged for. The token lives in sessionStorage, so it lasts as
// long as the tab and no longer.

const TOKEN = "hookbox.token";

/** An answer that was not a 2xx: `status` is HTTP's, `message` the server's. */
export class ApiError extends Error {
  constructor(status, message, apiCode) {
    super(message);
    this.status = status;
    this.apiCode = apiCode;
  }
}

const listeners = new Set();

/** Calls `fn(signedIn)` whenever the token is set or dropped. */
export function onSession(fn) {
  listeners.add(fn);
  return () => listeners.delete(fn);
}

function setToken(token) {
  if (token) sessionStorage.setItem(TOKEN, token);
  else sessionStorage.removeItem(TOKEN);
  for (const fn of listeners) fn(Boolean(token));
}

export function signedIn() {
  return Boolean(sessionStorage.getItem(TOKEN));
}

/** What the token says about its holder: `{tenant, role, expiresAt}`. */
export function session() {
  return claimsOf(sessionStorage.getItem(TOKEN));
}

function claimsOf(token) {
  if (!token) return null;
  try {
    const part = token.split(".")[1].replace(/-/g, "+").replace(/_/g, "/");
    const claims = JSON.parse(atob(part));
    return {
      tenant: claims.scoped_userpool_id ?? claims.tenant ?? "",
      role: claims.role ?? "",
      expiresAt: typeof claims.exp === "number" ? new Date(claims.exp * 1000) : null,
    };
  } catch {
    return null;
  }
}

/**
 * One API call: `method` and `path` as the API documents them, `body` sent as
 * JSON when given. Answers the envelope's `data`; throws ApiError otherwise.
 * A 401 drops the token (it expired or was revoked): the page shows sign-in.
 */
export async function call(method, path, body) {
  const headers = { accept: "application/json" };
  if (body !== undefined) headers["content-type"] = "application/json";
  const token = sessionStorage.getItem(TOKEN);
  if (token) headers.authorization = "Bearer " + token;
  let response;
  try {
    response = await fetch(path, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      credentials: "omit",
      cache: "no-store",
    });
  } catch (e) {
    throw new ApiError(0, "the server cannot be reached: " + e.message);
  }
  let envelope = null;
  try {
    envelope = await response.json();
  } catch {
    // A proxy's HTML error page, say: the status still tells.
  }
  if (!response.ok) {
    if (response.status === 401 && token) setToken(null);
    throw new ApiError(
      response.status,
      (envelope && envelope.message) || response.statusText || "HTTP " + response.status,
      envelope && envelope.apiCode,
    );
  }
  return envelope ? envelope.data : null;
}

/**
 * Exchanges a key pair for a token, as `hookbox login` does. The console
 * manages functions, so a key of any role but admin is refused here, before
 * the token is kept.
 */
export async function signIn(accessKeyId, accessKeySecret) {
  const data = await call("POST", "/api/v3/get-management-token", { accessKeyId, accessKeySecret });
  const claims = claimsOf(data.access_token);
  if (!claims || claims.role !== "admin") {
    throw new ApiError(
      403,
      `This key has the ${(claims && claims.role) || "unknown"} role: it runs functions, and the console needs an admin key.`,
    );
  }
  setToken(data.access_token);
}

/** Drops the token and everything else this tab kept (recent test inputs). */
export function signOut() {
  sessionStorage.clear();
  setToken(null);
}

export const enc = encodeURIComponent;
