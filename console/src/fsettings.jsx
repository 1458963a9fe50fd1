// A function's settings (name, description, limits, async, the events it
// handles, an HTTP function's URL), its secrets (write-only: the server shows
// their names, never their values), an HTTP function's webhook secrets
// (rotated, shown once) and its deletion.

import { useEffect, useState } from "preact/hooks";
import { call, enc } from "./api.js";
import { Feedback } from "./common.jsx";

export function FunctionSettings({ fn, onChanged }) {
  const [form, setForm] = useState({
    funcName: fn.funcName,
    funcDescription: fn.funcDescription,
    timeout: fn.timeout,
    memoryLimitMb: fn.memoryLimitMb,
    terminateOnTimeout: fn.terminateOnTimeout,
    isAsynchronous: fn.isAsynchronous,
    events: (fn.events || []).join(", "),
    ...(fn.url ? { url: fn.url } : {}),
  });
  const [message, setMessage] = useState(null);
  const [error, setError] = useState(null);
  const base = `/v1/functions/${enc(fn.funcId)}`;

  const save = async (e) => {
    e.preventDefault();
    setError(null);
    const patch = {};
    for (const [k, v] of Object.entries(form)) if (k !== "events" && v !== fn[k]) patch[k] = v;
    const events = eventList(form.events);
    if (events.join(",") !== (fn.events || []).join(",")) patch.events = events;
    if (!Object.keys(patch).length) return setMessage("Nothing changed.");
    try {
      const f = await call("PATCH", base, patch);
      onChanged(f);
      setMessage("Saved.");
    } catch (err) {
      setError(err.message);
    }
  };
  const field = (k, parse = (v) => v) => ({
    value: form[k],
    onInput: (e) => setForm({ ...form, [k]: parse(e.currentTarget.value) }),
  });
  const check = (k) => ({
    checked: form[k],
    onChange: (e) => setForm({ ...form, [k]: e.currentTarget.checked }),
  });
  const remove = async () => {
    if (!confirm(`Delete ${fn.funcName} with its versions and logs?`)) return;
    try {
      await call("DELETE", base);
      location.hash = "#/";
    } catch (err) {
      setError(err.message);
    }
  };

  return (
    <section class="fsettings">
      <form onSubmit={save} class="grid">
        <label>
          Name <input name="funcName" {...field("funcName")} />
        </label>
        <label>
          Description <textarea name="funcDescription" {...field("funcDescription")} />
        </label>
        <label>
          Timeout (s, 1–60) <input name="timeout" type="number" min="1" max="60" {...field("timeout", Number)} />
        </label>
        <label>
          Memory (MB, 1–512) <input name="memoryLimitMb" type="number" min="1" max="512" {...field("memoryLimitMb", Number)} />
        </label>
        <label class="switch">
          <input type="checkbox" {...check("terminateOnTimeout")} /> a timeout stops the flow
        </label>
        <label class="switch">
          <input type="checkbox" {...check("isAsynchronous")} /> asynchronous (queued, never blocks)
        </label>
        <label>
          Events it handles (numbers or names, comma-separated)
          <input name="events" placeholder="2000, AUTH_REGISTER" {...field("events")} />
        </label>
        {fn.url && (
          <label>
            URL (an HTTP function) <input name="url" type="url" {...field("url")} />
          </label>
        )}
        <div>
          <button type="submit">Save settings</button>
        </div>
      </form>
      <Feedback message={message} error={error} />
      <Secrets base={base} onChanged={onChanged} />
      {fn.url && <WebhookSecrets base={base} />}
      <h3>Danger</h3>
      <button class="danger" onClick={remove}>
        Delete function
      </button>
    </section>
  );
}

/** `"2000, AUTH_REGISTER"` as the API takes it: numbers stay numbers. */
export function eventList(text) {
  return text
    .split(",")
    .map((e) => e.trim())
    .filter(Boolean)
    .map((e) => (/^\d+$/.test(e) ? Number(e) : e));
}

/** An HTTP function's secrets: new ones on request, shown this once. */
function WebhookSecrets({ base }) {
  const [shown, setShown] = useState(null);
  const [error, setError] = useState(null);
  const rotate = async () => {
    if (!confirm("Make new webhook secrets? The old ones stop working at once.")) return;
    try {
      setShown(await call("POST", `${base}/webhook-secrets`));
      setError(null);
    } catch (err) {
      setError(err.message);
    }
  };
  return (
    <>
      <h3>Webhook secrets</h3>
      <p>
        Each request is signed with the signing secret (Standard Webhooks); each event also carries the secret as
        <code>_secret</code>. They were shown when the function was made.
      </p>
      <button onClick={rotate}>Rotate secrets</button>
      {shown && (
        <dl class="secrets-shown" role="status">
          <dt>secret</dt>
          <dd>
            <code>{shown.secret}</code>
          </dd>
          <dt>signingSecret</dt>
          <dd>
            <code>{shown.signingSecret}</code>
          </dd>
        </dl>
      )}
      <Feedback error={error} />
    </>
  );
}

function Secrets({ base, onChanged }) {
  const [names, setNames] = useState(null);
  const [rows, setRows] = useState([{ name: "", value: "" }]);
  const [message, setMessage] = useState(null);
  const [error, setError] = useState(null);
  const load = () =>
    call("GET", `${base}/secrets`)
      .then((d) => setNames(d.names))
      .catch((e) => setError(e.message));
  useEffect(() => {
    load();
  }, [base]);
  const save = async (e) => {
    e.preventDefault();
    const body = {};
    for (const r of rows) if (r.name.trim()) body[r.name.trim()] = r.value;
    const count = Object.keys(body).length;
    const ask = count
      ? `Replace all of this function's secrets with these ${count}? Secrets not listed are removed.`
      : "Remove all of this function's secrets?";
    if (!confirm(ask)) return;
    try {
      await call("PUT", `${base}/secrets`, body);
      setRows([{ name: "", value: "" }]);
      setMessage(`Secrets replaced: ${Object.keys(body).length} set. This is a new version, deployed at once.`);
      load();
      onChanged(await call("GET", base));
    } catch (err) {
      setError(err.message);
    }
  };
  const set = (i, k, v) => setRows(rows.map((r, j) => (j === i ? { ...r, [k]: v } : r)));
  return (
    <div class="secrets">
      <h3>Secrets</h3>
      <p class="muted">
        Stored sealed; values are never shown again. Saving replaces the whole set (leave it empty to remove all).
      </p>
      <p>
        Set now:{" "}
        {names && names.length ? names.map((n) => <code key={n}>{n} </code>) : <span class="muted">none</span>}
      </p>
      <form onSubmit={save}>
        {rows.map((r, i) => (
          <div key={i} class="row">
            <input aria-label="secret name" placeholder="NAME" value={r.name} onInput={(e) => set(i, "name", e.currentTarget.value)} />
            <input
              aria-label="secret value"
              type="password"
              autocomplete="off"
              placeholder="value"
              value={r.value}
              onInput={(e) => set(i, "value", e.currentTarget.value)}
            />
          </div>
        ))}
        <button type="button" class="link" onClick={() => setRows([...rows, { name: "", value: "" }])}>
          + another
        </button>{" "}
        <button type="submit">Replace secrets</button>
      </form>
      <Feedback message={message} error={error} />
    </div>
  );
}
