// One function: its code in the editor (compile errors marked before saving,
// the convention named), a test bench, its versions with a diff and one-click
// rollback, gradual deployment, its invocation logs, its calls over the last
// hour, and its settings and secrets.

import { useEffect, useRef, useState } from "preact/hooks";
import { call, enc } from "./api.js";
import { codeEditor, setSource } from "./editor.js";
import { SCENES, Status } from "./common.jsx";
import { TestBench } from "./test.jsx";
import { Versions } from "./versions.jsx";
import { Logs } from "./logs.jsx";
import { Stats } from "./stats.jsx";
import { FunctionSettings } from "./fsettings.jsx";

const TEMPLATE = `// Runs at this scene's stage of every login or registration.
async function pipe(user, context, callback) {
  callback(null, user, context);
}
`;

const TABS = ["Code", "Versions", "Logs", "Stats", "Settings"];

export function FunctionPage({ funcId, scene }) {
  const [fn, setFn] = useState(null);
  const [tab, setTab] = useState("Code");
  const [error, setError] = useState(null);
  const isNew = !funcId;
  const reload = async () => {
    if (isNew) return;
    try {
      setFn(await call("GET", `/v1/functions/${enc(funcId)}`));
      setError(null);
    } catch (e) {
      setError(e.message);
    }
  };
  useEffect(() => {
    reload();
  }, [funcId]);

  if (!isNew && !fn) {
    return (
      <main>
        {error ? (
          <p role="alert" class="error">
            {error}
          </p>
        ) : (
          <p>Loading…</p>
        )}
      </main>
    );
  }
  return (
    <main class="function">
      <div class="toolbar">
        <h1>{isNew ? "New function" : fn.funcName}</h1>
        {fn && <Status fn={fn} />}
        {fn && (
          <span class="muted">
            {fn.scene} · deployed v{fn.deployedVersion}
            {fn.draftVersion ? ` · draft v${fn.draftVersion}` : ""}
            {fn.gradual ? ` · v${fn.gradual.version} for ${fn.gradual.percent}% of calls` : ""}
          </span>
        )}
      </div>
      {error && (
        <p role="alert" class="error">
          {error}
        </p>
      )}
      {!isNew && (
        <div role="tablist" class="tabs">
          {TABS.map((t) => (
            <button key={t} role="tab" aria-selected={tab === t} onClick={() => setTab(t)}>
              {t}
            </button>
          ))}
        </div>
      )}
      {(isNew || tab === "Code") && <Code fn={fn} scene={scene} onSaved={(f) => setFn(f)} />}
      {!isNew && tab === "Versions" && <Versions fn={fn} onChanged={setFn} />}
      {!isNew && tab === "Logs" && <Logs fn={fn} />}
      {!isNew && tab === "Stats" && <Stats fn={fn} />}
      {!isNew && tab === "Settings" && <FunctionSettings fn={fn} onChanged={setFn} />}
    </main>
  );
}

/** The source the editor opens with: the pending draft's when there is one. */
async function editableSource(fn) {
  if (!fn.draftVersion) return fn.sourceCode;
  const v = await call("GET", `/v1/functions/${enc(fn.funcId)}/versions/${fn.draftVersion}`);
  return v.sourceCode;
}

function Code({ fn, scene, onSaved }) {
  const host = useRef(null);
  const view = useRef(null);
  const [saved, setSaved] = useState(fn ? null : TEMPLATE);
  const [source, setSourceText] = useState(fn ? null : TEMPLATE);
  const [check, setCheck] = useState(null);
  const [convention, setConvention] = useState(null);
  const [name, setName] = useState("");
  const [newScene, setNewScene] = useState(scene || SCENES[0]);
  const [busy, setBusy] = useState(false);
  const [message, setMessage] = useState(null);
  const [error, setError] = useState(null);

  useEffect(() => {
    let alive = true;
    (async () => {
      const text = fn ? await editableSource(fn) : TEMPLATE;
      if (!alive) return;
      setSaved(text);
      setSourceText(text);
      view.current = codeEditor(host.current, text, {
        onChange: setSourceText,
        onCheck: setCheck,
        onConvention: setConvention,
      });
    })().catch((e) => setError(e.message));
    return () => {
      alive = false;
      view.current && view.current.destroy();
    };
  }, [fn && fn.funcId]);

  const dirty = source !== null && source !== saved;
  const save = async (draft) => {
    setBusy(true);
    setError(null);
    setMessage(null);
    try {
      let f;
      if (!fn) {
        f = await call("POST", "/v1/functions", { funcName: name, scene: newScene, sourceCode: source });
        location.hash = `#/functions/${enc(f.funcId)}`;
        return;
      }
      if (dirty) {
        f = await call("PATCH", `/v1/functions/${enc(fn.funcId)}`, { sourceCode: source, ...(draft ? { draft: true } : {}) });
      } else if (!draft && fn.draftVersion) {
        f = await call("POST", `/v1/functions/${enc(fn.funcId)}/versions/${fn.draftVersion}/deploy`, {});
      } else {
        f = fn;
      }
      setSaved(source);
      onSaved(f);
      setMessage(
        f.status === "failed"
          ? `Saved version ${f.latestVersion}, which does not compile: ${f.uploadErrMsg}`
          : draft
            ? `Saved draft version ${f.draftVersion ?? f.latestVersion}; version ${f.deployedVersion} still runs.`
            : `Deployed version ${f.deployedVersion}.`,
      );
    } catch (e) {
      setError(e.message);
    } finally {
      setBusy(false);
    }
  };
  const discard = () => {
    if (view.current && saved !== null) setSource(view.current, saved);
  };

  return (
    <div class="code">
      <div class="editor-column">
        {!fn && (
          <div class="new-fields">
            <label>
              Name <input name="funcName" value={name} onInput={(e) => setName(e.currentTarget.value)} required />
            </label>
            <label>
              Scene{" "}
              <select name="scene" value={newScene} onChange={(e) => setNewScene(e.currentTarget.value)}>
                {SCENES.map((s) => (
                  <option key={s}>{s}</option>
                ))}
              </select>
            </label>
          </div>
        )}
        <div class="editor-status">
          <span class="convention" aria-label="convention">
            {convention ? (
              <>
                <b>{convention.name}</b> <code>{convention.detail}</code>
              </>
            ) : (
              "no entry point recognised"
            )}
          </span>
          <span class="check" aria-label="compile status" data-status={check ? check.status : "pending"}>
            {!check
              ? "checking…"
              : check.status === "success"
                ? "compiles"
                : check.status === "failed"
                  ? `line ${check.line}, column ${check.column}: ${check.message}`
                  : check.message}
          </span>
        </div>
        <div class="editor" ref={host} />
        <div class="actions">
          {fn ? (
            <>
              <button onClick={() => save(false)} disabled={busy || (!dirty && !fn.draftVersion)}>
                {dirty ? "Deploy" : fn.draftVersion ? `Deploy draft v${fn.draftVersion}` : "Deploy"}
              </button>
              <button onClick={() => save(true)} disabled={busy || !dirty}>
                Save draft
              </button>
              <button class="link" onClick={discard} disabled={!dirty}>
                Discard changes
              </button>
            </>
          ) : (
            <button onClick={() => save(false)} disabled={busy || !name.trim()}>
              Create and deploy
            </button>
          )}
          {dirty && <span class="muted">unsaved changes</span>}
        </div>
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
      </div>
      <TestBench fn={fn} source={source} dirty={dirty || !fn} />
    </div>
  );
}
