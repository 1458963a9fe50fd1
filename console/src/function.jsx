// One function: its code in the editor (compile errors marked before saving,
// the convention named), a test bench, its versions with a diff and one-click
// rollback, gradual deployment, its invocation logs, its calls over the last
// hour, and its settings and secrets.

import { useEffect, useRef, useState } from "preact/hooks";
import { call, enc } from "./api.js";
import * as unsaved from "./unsaved.js";
import { codeEditor, setSource } from "./editor.js";
import { Feedback, SCENES, Status, visible } from "./common.jsx";
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
        <h1>{isNew ? "New function" : visible(fn.funcName)}</h1>
        {fn && <Status fn={fn} />}
        {fn && (
          <span class="muted">
            {fn.scene} · deployed v{fn.deployedVersion}
            {fn.draftVersion ? ` · draft v${fn.draftVersion}` : ""}
            {fn.gradual ? ` · v${fn.gradual.version} for ${fn.gradual.percent}% of calls` : ""}
          </span>
        )}
      </div>
      <Feedback error={error} />
      {!isNew && (
        <div role="tablist" class="tabs">
          {TABS.map((t) => (
            <button key={t} role="tab" aria-selected={tab === t} onClick={() => setTab(t)}>
              {t}
            </button>
          ))}
        </div>
      )}
      <div hidden={!isNew && tab !== "Code"} role="tabpanel">
        <Code fn={fn} scene={scene} onSaved={(f) => setFn(f)} />
      </div>
      {!isNew && tab === "Versions" && <Versions fn={fn} onChanged={setFn} />}
      {!isNew && tab === "Logs" && <Logs fn={fn} />}
      {!isNew && tab === "Stats" && <Stats fn={fn} />}
      {!isNew && tab === "Settings" && <FunctionSettings fn={fn} onChanged={setFn} />}
    </main>
  );
}

/** The version the editor opens: the pending draft, else the deployed one. */
function shownVersion(fn) {
  return fn.draftVersion || fn.deployedVersion || fn.latestVersion;
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
  const [newScene, setNewScene] = useState(SCENES.includes(scene) ? scene : SCENES[0]);
  const [busy, setBusy] = useState(false);
  const [message, setMessage] = useState(null);
  const [error, setError] = useState(null);
  const stashKey = fn ? fn.funcId : "new";

  useEffect(() => {
    let alive = true;
    (async () => {
      const text = fn ? await editableSource(fn) : TEMPLATE;
      if (!alive) return;
      // Work not saved when the page went away (a session that expired, a
      // reload) comes back.
      const stashed = unsaved.restore(stashKey, text);
      setSaved(text);
      setSourceText(stashed ?? text);
      if (stashed !== null) setMessage("Restored your unsaved changes.");
      view.current = codeEditor(host.current, stashed ?? text, {
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

  const dirty = source !== null && saved !== null && source !== saved;
  // Another tab of this page (Versions) deployed or rolled back: the editor
  // follows the version it shows, unless it holds unsaved work.
  const version = fn ? shownVersion(fn) : null;
  const loadedVersion = useRef(version);
  useEffect(() => {
    if (!fn || !view.current || loadedVersion.current === version) return;
    loadedVersion.current = version;
    if (dirty) return;
    editableSource(fn)
      .then((text) => {
        setSaved(text);
        if (view.current && view.current.state.doc.toString() !== text) setSource(view.current, text);
      })
      .catch((e) => setError(e.message));
  }, [version]);
  useEffect(() => {
    if (source === null || saved === null) return;
    unsaved.keep(stashKey, dirty ? source : null, saved);
  }, [source, saved]);

  const save = async (draft) => {
    setBusy(true);
    setError(null);
    setMessage(null);
    try {
      let f;
      if (!fn) {
        f = await call("POST", "/v1/functions", { funcName: name, scene: newScene, sourceCode: source });
        unsaved.keep(stashKey, null);
        location.hash = `#/functions/${enc(f.funcId)}`;
        return;
      }
      const base = `/v1/functions/${enc(fn.funcId)}`;
      if (dirty && (draft || fn.draftVersion)) {
        // Over a pending draft, the edit is a new draft built on it; a
        // deploy then deploys that draft, which ends it (a plain update
        // would deploy but leave the older draft pending).
        f = await call("PATCH", base, { sourceCode: source, draft: true });
        if (!draft) f = await call("POST", `${base}/versions/${f.draftVersion}/deploy`, {});
      } else if (dirty) {
        f = await call("PATCH", base, { sourceCode: source });
      } else if (!draft && fn.draftVersion) {
        f = await call("POST", `${base}/versions/${fn.draftVersion}/deploy`, {});
      } else {
        f = fn;
      }
      setSaved(source);
      unsaved.keep(stashKey, null);
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
        <Feedback message={message} error={error} />
      </div>
      <TestBench fn={fn} version={fn ? shownVersion(fn) : null} scene={newScene} source={source} dirty={dirty || !fn} />
    </div>
  );
}
