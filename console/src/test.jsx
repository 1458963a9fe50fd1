// The test bench: run the editor's code against a user, context and event the
// person types or picks from the function's recent calls (as this node saw
// them, GET /v1/functions/{id}/recent-inputs) or this tab's recent tests. Unsaved code runs
// through POST /v1/run (nothing stored); saved code through the function's
// test route, with its version's secrets and dependencies. Nothing is
// deployed, logged or counted either way.

import { useEffect, useRef, useState } from "preact/hooks";
import { call, enc } from "./api.js";
import { jsonEditor } from "./editor.js";
import { Feedback, OutcomeView, when } from "./common.jsx";

const RECENT = "hookbox.recentTests";
const DEFAULT_INPUT = {
  user: { user_id: "auth0|5f7c8ec7c33c6c004bbafe82", email: "ada@example.com", email_verified: true, name: "Ada" },
  context: { clientID: "console", connection: "Username-Password-Authentication", request: { ip: "203.0.113.7" } },
  event: {},
};

function recentTests() {
  try {
    return JSON.parse(sessionStorage.getItem(RECENT) || "[]");
  } catch {
    return [];
  }
}

function remember(input) {
  const list = [input, ...recentTests().filter((t) => JSON.stringify(t) !== JSON.stringify(input))].slice(0, 10);
  sessionStorage.setItem(RECENT, JSON.stringify(list));
}

/** How an input is named in the picker: its user's email or id. */
function label(input) {
  const u = (input && input.user) || {};
  const who = u.email || u.user_id || u.id || u.sub || "{}";
  return `${typeof who === "string" ? who : JSON.stringify(who)}${input && input.event && Object.keys(input.event).length ? " + event" : ""}`;
}

function parseField(name, text) {
  if (!text.trim()) return {};
  let v;
  try {
    v = JSON.parse(text);
  } catch (e) {
    throw new Error(`${name}: not JSON (${e.message})`);
  }
  if (v === null || typeof v !== "object" || Array.isArray(v)) throw new Error(`${name}: must be an object`);
  return v;
}

export function TestBench({ fn, version, scene, source, dirty }) {
  const fields = ["user", "context", "event"];
  const hosts = { user: useRef(null), context: useRef(null), event: useRef(null) };
  const views = useRef({});
  const texts = useRef({});
  const [outcome, setOutcome] = useState(null);
  const [input, setInput] = useState(null);
  const [error, setError] = useState(null);
  const [busy, setBusy] = useState(false);
  const [recent, setRecent] = useState(recentTests());
  const [calls, setCalls] = useState([]);
  const loadCalls = () =>
    fn &&
    call("GET", `/v1/functions/${enc(fn.funcId)}/recent-inputs`)
      .then((d) => setCalls(d.list))
      .catch(() => setCalls([]));
  useEffect(() => {
    loadCalls();
  }, [fn && fn.funcId]);

  const fill = (value) => {
    for (const f of fields) {
      const text = JSON.stringify(value[f] ?? {}, null, 2);
      texts.current[f] = text;
      const v = views.current[f];
      if (v) v.dispatch({ changes: { from: 0, to: v.state.doc.length, insert: text } });
    }
  };
  useEffect(() => {
    const first = recentTests()[0] || DEFAULT_INPUT;
    for (const f of fields) {
      texts.current[f] = JSON.stringify(first[f] ?? {}, null, 2);
      views.current[f] = jsonEditor(hosts[f].current, texts.current[f], `test ${f}`, (t) => (texts.current[f] = t));
    }
    return () => fields.forEach((f) => views.current[f] && views.current[f].destroy());
  }, []);

  const run = async () => {
    setBusy(true);
    setError(null);
    try {
      const value = {};
      for (const f of fields) value[f] = parseField(f, texts.current[f] || "");
      const body = { user: value.user, context: value.context };
      if (Object.keys(value.event).length) body.event = value.event;
      const result =
        dirty || !fn
          ? await call("POST", "/v1/run", { sourceCode: source, ...body, ...(fn ? { timeout: fn.timeout, scene: fn.scene } : scene ? { scene } : {}) })
          : await call("POST", `/v1/functions/${enc(fn.funcId)}/test?version=${version}`, body);
      remember(value);
      setRecent(recentTests());
      setInput(value);
      setOutcome(result);
    } catch (e) {
      setError(e.message);
    } finally {
      setBusy(false);
    }
  };

  return (
    <aside class="test" aria-label="test">
      <div class="toolbar">
        <h3>Test</h3>
        <button onClick={run} disabled={busy || source === null}>
          {dirty || !fn ? "Run the editor's code" : `Test v${version}`}
        </button>
        {(recent.length > 0 || calls.length > 0) && (
          <label>
            Recent{" "}
            <select
              aria-label="recent inputs"
              onFocus={loadCalls}
              onChange={(e) => {
                const [kind, i] = e.currentTarget.value.split(":");
                const picked = kind === "call" ? calls[Number(i)] && calls[Number(i)].input : recent[Number(i)];
                if (picked) fill(picked);
              }}
            >
              <option value="">pick…</option>
              {calls.length > 0 && (
                <optgroup label="recent calls">
                  {calls.map((c, i) => (
                    <option key={c.requestId + i} value={`call:${i}`}>
                      {label(c.input)} · v{c.version} · {when(c.at)}
                    </option>
                  ))}
                </optgroup>
              )}
              {recent.length > 0 && (
                <optgroup label="this tab's tests">
                  {recent.map((t, i) => (
                    <option key={i} value={`test:${i}`}>
                      {label(t)}
                    </option>
                  ))}
                </optgroup>
              )}
            </select>
          </label>
        )}
      </div>
      {fields.map((f) => (
        <details key={f} open={f !== "event"}>
          <summary>{f}</summary>
          <div class="json-editor" ref={hosts[f]} />
        </details>
      ))}
      <Feedback error={error} />
      <OutcomeView outcome={outcome} input={input || {}} />
    </aside>
  );
}
