// The tenant's settings: environment variables, the outbound allow-list,
// custom database connections and access keys.

import { useEffect, useState } from "preact/hooks";
import { call, enc } from "./api.js";
import { when } from "./common.jsx";

function useLoad(path) {
  const [data, setData] = useState(null);
  const [error, setError] = useState(null);
  const load = () =>
    call("GET", path)
      .then((d) => {
        setData(d);
        setError(null);
      })
      .catch((e) => setError(e.message));
  useEffect(() => {
    load();
  }, [path]);
  return [data, error, load, setError];
}

function Feedback({ message, error }) {
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

export function Settings() {
  return (
    <main class="settings">
      <h1>Settings</h1>
      <Env />
      <Outbound />
      <Connections />
      <Keys />
    </main>
  );
}

function Env() {
  const [env, error, load, setError] = useLoad("/v1/env");
  const [key, setKey] = useState("");
  const [value, setValue] = useState("");
  const [message, setMessage] = useState(null);
  const put = async (e) => {
    e.preventDefault();
    try {
      await call("PUT", `/v1/env/${enc(key.trim())}`, { value });
      setMessage(`Set ${key.trim()}.`);
      setKey("");
      setValue("");
      load();
    } catch (err) {
      setError(err.message);
    }
  };
  const remove = async (k) => {
    try {
      await call("DELETE", `/v1/env/${enc(k)}`);
      setMessage(`Removed ${k}.`);
      load();
    } catch (err) {
      setError(err.message);
    }
  };
  const entries = env ? Object.entries(env) : [];
  return (
    <section aria-label="environment variables">
      <h2>Environment variables</h2>
      <p class="muted">Functions read them as <code>env.NAME</code> (frozen) and <code>process.env.NAME</code>.</p>
      <table>
        <tbody>
          {entries.map(([k, v]) => (
            <tr key={k}>
              <td>
                <code>{k}</code>
              </td>
              <td class="value">{typeof v === "string" ? v : JSON.stringify(v)}</td>
              <td>
                <button class="link" aria-label={`remove ${k}`} onClick={() => remove(k)}>
                  remove
                </button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <form class="inline" onSubmit={put}>
        <input aria-label="variable name" placeholder="NAME" value={key} onInput={(e) => setKey(e.currentTarget.value)} required />
        <input aria-label="variable value" placeholder="value" value={value} onInput={(e) => setValue(e.currentTarget.value)} />
        <button type="submit">Set</button>
      </form>
      <Feedback message={message} error={error} />
    </section>
  );
}

function Outbound() {
  const [data, error, load, setError] = useLoad("/v1/outbound");
  const [text, setText] = useState(null);
  const [message, setMessage] = useState(null);
  const shown = text ?? (data ? data.allow.join("\n") : "");
  const save = async (e) => {
    e.preventDefault();
    const allow = shown
      .split("\n")
      .map((s) => s.trim())
      .filter(Boolean);
    try {
      await call("PUT", "/v1/outbound", { allow });
      setText(null);
      setMessage(`Saved ${allow.length} rule(s); they apply from the next call.`);
      load();
    } catch (err) {
      setError(err.message);
    }
  };
  return (
    <section aria-label="outbound allow-list">
      <h2>Outbound allow-list</h2>
      <p class="muted">
        The hosts functions may reach over HTTP, one rule per line (<code>api.example.com</code>, <code>*.example.com</code>,{" "}
        <code>https://api.example.com:8443</code>). Empty: no outbound access.
      </p>
      <form onSubmit={save}>
        <textarea aria-label="allow rules" rows={5} value={shown} onInput={(e) => setText(e.currentTarget.value)} />
        <div>
          <button type="submit">Save allow-list</button>
        </div>
      </form>
      <Feedback message={message} error={error} />
    </section>
  );
}

function Connections() {
  const [data, error, load, setError] = useLoad("/v1/connections");
  const [message, setMessage] = useState(null);
  const remove = async (name) => {
    if (!confirm(`Delete the connection ${name} with its scripts, configuration and logs?`)) return;
    try {
      await call("DELETE", `/v1/connections/${enc(name)}`);
      setMessage(`Deleted ${name}.`);
      load();
    } catch (err) {
      setError(err.message);
    }
  };
  return (
    <section aria-label="database connections">
      <h2>Database connections</h2>
      {data && data.list.length === 0 && <p class="muted">None. Create them with the API or `hookbox connections`.</p>}
      {data && data.list.length > 0 && (
        <table>
          <thead>
            <tr>
              <th>name</th>
              <th>scripts</th>
              <th>configuration</th>
              <th>timeout</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {data.list.map((c) => (
              <tr key={c.name}>
                <td>{c.name}</td>
                <td>{Object.keys(c.scripts || {}).join(", ")}</td>
                <td>{(c.configuration || []).join(", ")}</td>
                <td>{c.timeout} s</td>
                <td>
                  <button class="link" onClick={() => remove(c.name)}>
                    delete
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <Feedback message={message} error={error} />
    </section>
  );
}

function Keys() {
  const [data, error, load, setError] = useLoad("/v1/keys");
  const [role, setRole] = useState("invoke");
  const [created, setCreated] = useState(null);
  const [message, setMessage] = useState(null);
  const create = async (e) => {
    e.preventDefault();
    try {
      setCreated(await call("POST", "/v1/keys", { role }));
      setError(null);
      load();
    } catch (err) {
      setError(err.message);
    }
  };
  const revoke = async (id) => {
    if (!confirm(`Revoke the key ${id}? It can no longer sign in; tokens already issued for it expire within two hours.`)) return;
    try {
      await call("DELETE", `/v1/keys/${enc(id)}`);
      setMessage(`Revoked ${id}.`);
      setError(null);
      load();
    } catch (err) {
      setError(err.message);
    }
  };
  return (
    <section aria-label="access keys">
      <h2>Access keys</h2>
      <p class="muted">
        An invoke key runs functions and scenes (the auth gateway's); an admin key manages them. A revoked key can no
        longer be exchanged for a token; tokens already issued for it expire within two hours.
      </p>
      {data && (
        <table class="key-list">
          <thead>
            <tr>
              <th>access key id</th>
              <th>role</th>
              <th>created</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {data.list.map((k) => (
              <tr key={k.accessKeyId} data-key={k.accessKeyId}>
                <td>
                  <code>{k.accessKeyId}</code> {k.current && <span class="badge">this session</span>}
                </td>
                <td>{k.role}</td>
                <td>{when(k.createdAt)}</td>
                <td>
                  <button class="link" aria-label={`revoke ${k.accessKeyId}`} onClick={() => revoke(k.accessKeyId)}>
                    revoke
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <form class="inline" onSubmit={create}>
        <select aria-label="role" value={role} onChange={(e) => setRole(e.currentTarget.value)}>
          <option value="invoke">invoke</option>
          <option value="admin">admin</option>
        </select>
        <button type="submit">Create key</button>
      </form>
      {created && (
        <div class="created-key" role="status">
          <p>The secret is shown once; store it now.</p>
          <dl>
            <dt>accessKeyId</dt>
            <dd>
              <code>{created.accessKeyId}</code>
            </dd>
            <dt>accessKeySecret</dt>
            <dd>
              <code>{created.accessKeySecret}</code>
            </dd>
          </dl>
        </div>
      )}
      <Feedback message={message} error={error} />
    </section>
  );
}
