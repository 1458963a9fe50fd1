// Pieces the pages share: the scene names, a function's status, an outcome
// with its user and context diff, and times.

/** The scenes, as `GET /v1/functions` and the README name them. */
export const SCENES = [
  "PRE_REGISTER",
  "POST_REGISTER",
  "PRE_AUTHENTICATION",
  "POST_AUTHENTICATION",
  "PRE_OIDC_ID_TOKEN_ISSUED",
  "PRE_OIDC_ACCESS_TOKEN_ISSUED",
  "PRE_COMPLETE_USER_INFO",
  "post-login",
  "credentials-exchange",
  "pre-user-registration",
  "post-user-registration",
  "post-change-password",
  "send-phone-message",
  "authorizer",
  "events",
];

/** A notice of what was done and the error of what failed, for screen readers too. */
export function Feedback({ message, error }) {
  return (
    <>
      {message && (
        <p class="notice" role="status">
          {message}
        </p>
      )}
      {error && (
        <p role="alert" class="error">
          {error}
        </p>
      )}
    </>
  );
}

export function Status({ fn }) {
  if (fn.status === "failed") return <span class="badge bad" title={fn.uploadErrMsg || ""}>does not compile</span>;
  if (fn.deployedVersion === 0) return <span class="badge">not deployed</span>;
  return <span class="badge good">compiled</span>;
}

/**
 * `text` with the characters that change how text around them reads shown
 * as `⟨U+XXXX⟩`: bidirectional controls (a console line `\u202Egnp.exe` would
 * otherwise read "exe.png"), zero-width and other format characters.
 */
export function visible(text) {
  return String(text).replace(/[\u061C\u200B-\u200F\u202A-\u202E\u2060-\u2069\uFEFF\u00AD]/g, (c) =>
    `⟨U+${c.codePointAt(0).toString(16).toUpperCase().padStart(4, "0")}⟩`,
  );
}

export function when(iso) {
  if (!iso) return "";
  const d = new Date(iso);
  return isNaN(d) ? String(iso) : d.toLocaleString();
}

function isObject(v) {
  return v !== null && typeof v === "object" && !Array.isArray(v);
}

/**
 * The changes from `a` to `b` as `[{path, kind: "added"|"removed"|"changed",
 * before?, after?}]`, objects walked key by key, anything else compared whole.
 */
export function jsonDiff(a, b, path = "") {
  if (isObject(a) && isObject(b)) {
    const out = [];
    for (const k of Object.keys(a)) {
      const p = path ? `${path}.${k}` : k;
      if (!(k in b)) out.push({ path: p, kind: "removed", before: a[k] });
      else out.push(...jsonDiff(a[k], b[k], p));
    }
    for (const k of Object.keys(b)) if (!(k in a)) out.push({ path: path ? `${path}.${k}` : k, kind: "added", after: b[k] });
    return out;
  }
  return JSON.stringify(a) === JSON.stringify(b) ? [] : [{ path: path || "(whole)", kind: "changed", before: a, after: b }];
}

function show(v) {
  return v === undefined ? "" : JSON.stringify(v);
}

export function Diff({ label, before, after }) {
  const changes = jsonDiff(before ?? {}, after ?? {});
  return (
    <div class="diff" aria-label={`${label} changes`}>
      <h4>{label}</h4>
      {changes.length === 0 ? (
        <p class="muted">unchanged</p>
      ) : (
        <table>
          <tbody>
            {changes.map((c) => (
              <tr key={c.path} class={c.kind}>
                <td class="path">{c.path}</td>
                <td class="kind">{c.kind}</td>
                <td class="before">{show(c.before)}</td>
                <td class="after">{show(c.after)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </div>
  );
}

export function ConsoleLines({ lines }) {
  if (!lines || lines.length === 0) return <p class="muted">no console output</p>;
  return (
    <pre class="console-lines">
      {lines.map((l, i) => (
        <div key={i} class={`line ${(l && l.level) || ""}`}>
          <span class="level">{l && l.level}</span>{" "}
          {visible(typeof l === "string" ? l : l && typeof l.message === "string" ? l.message : JSON.stringify(l))}
        </div>
      ))}
    </pre>
  );
}

/** One outcome (test, dry run): its kind, error, diffs, claims, metadata and console. */
export function OutcomeView({ outcome, input, diffs = true }) {
  if (!outcome) return null;
  const ok = outcome.outcome === "ok";
  const tokens = outcome.tokens || {};
  const claims = Object.entries(tokens).filter(([, v]) => v && Object.keys(v).length);
  return (
    <div class="outcome" aria-label="outcome">
      <p>
        <span class={`badge ${ok ? "good" : "bad"}`} data-outcome={outcome.outcome}>
          {outcome.outcome}
        </span>{" "}
        {outcome.durationUs !== undefined && <span class="muted">{outcome.durationUs} µs</span>}{" "}
        {outcome.fuelUsed !== undefined && <span class="muted">· {outcome.fuelUsed.toLocaleString()} fuel</span>}
        {outcome.version !== undefined && <span class="muted"> · version {outcome.version}</span>}
      </p>
      {outcome.error && (
        <p class="error" role="alert">
          {visible(`${outcome.error.name}: ${outcome.error.message}`)}
        </p>
      )}
      {ok && diffs && <Diff label="user" before={input.user} after={outcome.user} />}
      {ok && diffs && <Diff label="context" before={input.context} after={outcome.context} />}
      {claims.length > 0 && (
        <div>
          <h4>token claims</h4>
          <pre>{JSON.stringify(Object.fromEntries(claims), null, 2)}</pre>
        </div>
      )}
      {outcome.customData && Object.keys(outcome.customData).length > 0 && (
        <div>
          <h4>custom data</h4>
          <pre>{JSON.stringify(outcome.customData, null, 2)}</pre>
        </div>
      )}
      {outcome.metadata && Object.keys(outcome.metadata).length > 0 && (
        <div>
          <h4>metadata updates</h4>
          <pre>{JSON.stringify(outcome.metadata, null, 2)}</pre>
        </div>
      )}
      {outcome.commands && outcome.commands.length > 0 && (
        <div>
          <h4>commands</h4>
          <pre>{JSON.stringify(outcome.commands, null, 2)}</pre>
        </div>
      )}
      {outcome.result !== undefined && outcome.result !== null && (
        <div>
          <h4>result</h4>
          <pre>{JSON.stringify(outcome.result, null, 2)}</pre>
        </div>
      )}
      <h4>console</h4>
      <ConsoleLines lines={outcome.logs} />
    </div>
  );
}
