// The tenant's settings: environment variables, the outbound allow-list,
// custom database connections and access keys.

import { useEffect, useRef, useState } from "preact/hooks";
import { call, enc } from "./api.js";
import { Feedback, OutcomeView, when } from "./common.jsx";
import { codeEditor } from "./editor.js";

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

const DB_SCRIPTS = ["login", "get_user", "create", "verify", "change_password", "change_email", "delete"];
const SCRIPT_TEMPLATES = {
  login: "function login(email, password, callback) {\n  callback(new WrongUsernameOrPasswordError(email));\n}\n",
  get_user: "function getUser(email, callback) {\n  callback(null);\n}\n",
  create: "function create(user, callback) {\n  callback(null);\n}\n",
  verify: "function verify(email, callback) {\n  callback(null, true);\n}\n",
  change_password: "function changePassword(email, newPassword, callback) {\n  callback(null, true);\n}\n",
  change_email: "function changeEmail(email, newEmail, verified, callback) {\n  callback(null, true);\n}\n",
  delete: "function deleteUser(id, callback) {\n  callback(null);\n}\n",
};

function Connections() {
  const [data, error, load, setError] = useLoad("/v1/connections");
  const [message, setMessage] = useState(null);
  const [name, setName] = useState("");
  const [open, setOpen] = useState(null);
  const create = async (e) => {
    e.preventDefault();
    try {
      const c = await call("POST", "/v1/connections", { name: name.trim() });
      setMessage(`Created ${c.name}.`);
      setName("");
      setOpen(c.name);
      load();
    } catch (err) {
      setError(err.message);
    }
  };
  const remove = async (n) => {
    if (!confirm(`Delete the connection ${n} with its scripts, configuration and logs?`)) return;
    try {
      await call("DELETE", `/v1/connections/${enc(n)}`);
      setMessage(`Deleted ${n}.`);
      if (open === n) setOpen(null);
      load();
    } catch (err) {
      setError(err.message);
    }
  };
  return (
    <section aria-label="database connections">
      <h2>Database connections</h2>
      <p class="muted">Auth0-style custom database connections: their action scripts run in the sandbox like functions.</p>
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
              <tr key={c.name} data-connection={c.name}>
                <td>
                  <button class="link" onClick={() => setOpen(open === c.name ? null : c.name)}>
                    {c.name}
                  </button>
                </td>
                <td>{Object.keys(c.scripts || {}).join(", ")}</td>
                <td>{(c.configuration || []).join(", ")}</td>
                <td>{c.timeout} s</td>
                <td>
                  <button class="link" aria-label={`delete ${c.name}`} onClick={() => remove(c.name)}>
                    delete
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <form class="inline" onSubmit={create}>
        <input aria-label="connection name" placeholder="users" value={name} onInput={(e) => setName(e.currentTarget.value)} required />
        <button type="submit">New connection</button>
      </form>
      <Feedback message={message} error={error} />
      {open && <ConnectionEditor key={open} name={open} onChanged={load} />}
    </section>
  );
}

/** One connection: its scripts in the editor, its configuration (write-only), its timeout, a test run. */
function ConnectionEditor({ name, onChanged }) {
  const base = `/v1/connections/${enc(name)}`;
  const [conn, setConn] = useState(null);
  const [script, setScript] = useState("login");
  const [source, setSourceText] = useState(null);
  const [check, setCheck] = useState(null);
  const [configKey, setConfigKey] = useState("");
  const [configValue, setConfigValue] = useState("");
  const [args, setArgs] = useState('["ada@example.com", "correct horse"]');
  const [outcome, setOutcome] = useState(null);
  const [message, setMessage] = useState(null);
  const [error, setError] = useState(null);
  const host = useRef(null);
  const view = useRef(null);

  const load = async () => {
    try {
      setConn(await call("GET", base));
    } catch (e) {
      setError(e.message);
    }
  };
  useEffect(() => {
    load();
  }, [name]);
  useEffect(() => {
    if (!conn || !host.current) return;
    const text = (conn.scripts && conn.scripts[script]) || SCRIPT_TEMPLATES[script];
    setSourceText(text);
    view.current = codeEditor(host.current, text, { onChange: setSourceText, onCheck: setCheck });
    return () => view.current && view.current.destroy();
  }, [conn && conn.name, script]);

  const patch = async (body, what) => {
    try {
      setConn(await call("PATCH", base, body));
      setMessage(what);
      setError(null);
      onChanged();
    } catch (e) {
      setMessage(null);
      setError(e.message);
    }
  };
  const run = async () => {
    try {
      let parsed;
      try {
        parsed = JSON.parse(args);
      } catch (e) {
        throw new Error(`args: not JSON (${e.message})`);
      }
      setOutcome(null);
      setMessage(null);
      setOutcome(await call("POST", `${base}/scripts/${script}/run`, { args: parsed }));
      setError(null);
    } catch (e) {
      setOutcome(null);
      setError(e.message);
    }
  };
  if (!conn) return null;
  const has = Boolean(conn.scripts && conn.scripts[script]);
  return (
    <div class="connection" aria-label={`connection ${name}`}>
      <h3>{name}</h3>
      <div class="toolbar">
        <label>
          Script{" "}
          <select aria-label="script" value={script} onChange={(e) => setScript(e.currentTarget.value)}>
            {DB_SCRIPTS.map((s) => (
              <option key={s} value={s}>
                {s}
                {conn.scripts && conn.scripts[s] ? "" : " (none)"}
              </option>
            ))}
          </select>
        </label>
        <span class="check" aria-label="script compile status" data-status={check ? check.status : "pending"}>
          {check && check.status === "failed" ? `line ${check.line}, column ${check.column}: ${check.message}` : check ? "compiles" : ""}
        </span>
      </div>
      <div class="editor" ref={host} />
      <div class="actions">
        <button onClick={() => patch({ scripts: { [script]: source } }, `Saved the ${script} script.`)}>Save script</button>
        {has && (
          <button class="link" onClick={() => patch({ scripts: { [script]: null } }, `Removed the ${script} script.`)}>
            Remove script
          </button>
        )}
        <label>
          Timeout (s){" "}
          <input
            type="number"
            min="1"
            max="60"
            aria-label="connection timeout"
            value={conn.timeout}
            onChange={(e) => patch({ timeout: Number(e.currentTarget.value) }, "Saved the timeout.")}
          />
        </label>
      </div>
      <h4>configuration (write-only)</h4>
      <p>
        {(conn.configuration || []).length ? (
          conn.configuration.map((k) => (
            <span key={k} class="config-name">
              <code>{k}</code>{" "}
              <button class="link" aria-label={`unset ${k}`} onClick={() => patch({ configuration: { [k]: null } }, `Removed ${k}.`)}>
                ×
              </button>
            </span>
          ))
        ) : (
          <span class="muted">none</span>
        )}
      </p>
      <form
        class="inline"
        onSubmit={(e) => {
          e.preventDefault();
          patch({ configuration: { [configKey.trim()]: configValue } }, `Set ${configKey.trim()}.`).then(() => {
            setConfigKey("");
            setConfigValue("");
          });
        }}
      >
        <input aria-label="configuration name" placeholder="NAME" value={configKey} onInput={(e) => setConfigKey(e.currentTarget.value)} required />
        <input
          aria-label="configuration value"
          type="password"
          autocomplete="off"
          placeholder="value"
          value={configValue}
          onInput={(e) => setConfigValue(e.currentTarget.value)}
        />
        <button type="submit">Set</button>
      </form>
      <h4>run the saved {script} script</h4>
      <div class="inline">
        <input class="args" aria-label="script arguments" value={args} onInput={(e) => setArgs(e.currentTarget.value)} />
        <button onClick={run} disabled={!has}>
          Run
        </button>
      </div>
      <OutcomeView outcome={outcome} input={{}} diffs={false} />
      <Feedback message={message} error={error} />
    </div>
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
  const revoke = async (id, current) => {
    const ask = current
      ? `Revoke ${id}, the key this session signed in with? This session keeps working until its token expires (within two hours); after that, sign in with another admin key.`
      : `Revoke the key ${id}? It can no longer sign in; tokens already issued for it expire within two hours.`;
    if (!confirm(ask)) return;
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
                  <button class="link" aria-label={`revoke ${k.accessKeyId}`} onClick={() => revoke(k.accessKeyId, k.current)}>
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
