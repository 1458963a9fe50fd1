// The test bench: run the editor's code against a user, context and event the
// person types or picks from this tab's recent tests. Unsaved code runs
// through POST /v1/run (nothing stored); saved code through the function's
// test route, with its version's secrets and dependencies. Nothing is
// deployed, logged or counted either way.

import { useEffect, useRef, useState } from "preact/hooks";
import { call, enc } from "./api.js";
import { jsonEditor } from "./editor.js";
import { OutcomeView } from "./common.jsx";

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

export function TestBench({ fn, source, dirty }) {
  const fields = ["user", "context", "event"];
  const hosts = { user: useRef(null), context: useRef(null), event: useRef(null) };
  const views = useRef({});
  const texts = useRef({});
  const [outcome, setOutcome] = useState(null);
  const [input, setInput] = useState(null);
  const [error, setError] = useState(null);
  const [busy, setBusy] = useState(false);
  const [recent, setRecent] = useState(recentTests());

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
          ? await call("POST", "/v1/run", { sourceCode: source, ...body, ...(fn ? { timeout: fn.timeout } : {}) })
          : await call("POST", `/v1/functions/${enc(fn.funcId)}/test`, body);
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
          {dirty || !fn ? "Run the editor's code" : `Test v${fn.draftVersion || fn.latestVersion}`}
        </button>
        {recent.length > 0 && (
          <label>
            Recent{" "}
            <select
              aria-label="recent tests"
              onChange={(e) => {
                const i = Number(e.currentTarget.value);
                if (!isNaN(i) && recent[i]) fill(recent[i]);
              }}
            >
              <option value="">pick…</option>
              {recent.map((t, i) => (
                <option key={i} value={i}>
                  {(t.user && (t.user.email || t.user.user_id || t.user.id)) || "{}"}
                  {t.event && Object.keys(t.event).length ? " + event" : ""}
                </option>
              ))}
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
      {error && (
        <p role="alert" class="error">
          {error}
        </p>
      )}
      <OutcomeView outcome={outcome} input={input || {}} />
    </aside>
  );
}
