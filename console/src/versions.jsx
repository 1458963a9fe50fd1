// A function's versions, newest first: a diff between any two, deploy any
// one (roll back or forward), roll back in one click, and start, promote or
// stop a gradual deployment.

import { useEffect, useRef, useState } from "preact/hooks";
import { call, enc } from "./api.js";
import { diffView } from "./editor.js";
import { Feedback, when } from "./common.jsx";

export function Versions({ fn, onChanged }) {
  const [versions, setVersions] = useState(null);
  const [pair, setPair] = useState(null);
  const [percent, setPercent] = useState(10);
  const [error, setError] = useState(null);
  const [message, setMessage] = useState(null);
  const [busy, setBusy] = useState(false);
  const diffHost = useRef(null);
  const base = `/v1/functions/${enc(fn.funcId)}`;

  const load = async () => {
    try {
      const data = await call("GET", `${base}/versions`);
      setVersions(data.list);
      if (data.list.length) {
        const newest = data.list[0].number;
        const deployed = data.deployedVersion || newest;
        setPair((p) => p || [deployed === newest && data.list[1] ? data.list[1].number : deployed, newest]);
      }
    } catch (e) {
      setError(e.message);
    }
  };
  useEffect(() => {
    load();
  }, [fn.deployedVersion, fn.latestVersion, fn.gradual && fn.gradual.version]);

  useEffect(() => {
    if (!pair || !diffHost.current) return;
    let view = null;
    let alive = true;
    Promise.all(pair.map((n) => call("GET", `${base}/versions/${n}`)))
      .then(([a, b]) => {
        if (!alive) return;
        diffHost.current.textContent = "";
        view = diffView(diffHost.current, a.sourceCode, b.sourceCode);
      })
      .catch((e) => setError(e.message));
    return () => {
      alive = false;
      view && view.destroy();
    };
  }, [pair && pair.join(":")]);

  const act = async (what, path, body) => {
    setBusy(true);
    setError(null);
    try {
      const f = await call("POST", path, body);
      onChanged(f);
      setMessage(what(f));
    } catch (e) {
      setError(e.message);
    } finally {
      setBusy(false);
    }
  };

  return (
    <section class="versions">
      <div class="toolbar">
        <button
          onClick={() =>
            act(
              (f) => (fn.gradual ? `Stopped the gradual deployment; version ${f.deployedVersion} runs.` : `Rolled back to version ${f.deployedVersion}.`),
              `${base}/rollback`,
              {},
            )
          }
          disabled={busy}
        >
          {fn.gradual ? "Stop gradual deployment" : "Roll back"}
        </button>
        {fn.gradual && (
          <button
            onClick={() => act((f) => `Promoted version ${f.deployedVersion}.`, `${base}/versions/${fn.gradual.version}/deploy`, {})}
            disabled={busy}
          >
            Promote v{fn.gradual.version}
          </button>
        )}
        <label>
          Gradual share{" "}
          <input
            type="number"
            min="1"
            max="99"
            value={percent}
            aria-label="gradual percent"
            onInput={(e) => setPercent(Number(e.currentTarget.value))}
          />
          %
        </label>
      </div>
      <Feedback message={message} error={error} />
      {versions && (
        <table class="version-list">
          <thead>
            <tr>
              <th>version</th>
              <th>status</th>
              <th>saved</th>
              <th>by</th>
              <th>compare</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {versions.map((v) => (
              <tr key={v.number} data-version={v.number} class={v.deployed ? "deployed" : ""}>
                <td>
                  v{v.number}
                  {v.deployed && <span class="badge good">deployed</span>}
                  {fn.draftVersion === v.number && <span class="badge">draft</span>}
                  {fn.gradual && fn.gradual.version === v.number && <span class="badge">{fn.gradual.percent}%</span>}
                </td>
                <td>{v.status === "failed" ? <span title={v.uploadErrMsg || ""}>does not compile</span> : v.status}</td>
                <td>{when(v.createdAt)}</td>
                <td class="muted">{v.createdBy || ""}</td>
                <td>
                  <label>
                    <input
                      type="radio"
                      name="older"
                      aria-label={`compare from v${v.number}`}
                      checked={pair && pair[0] === v.number}
                      onChange={() => setPair([v.number, pair ? pair[1] : v.number])}
                    />
                    from
                  </label>{" "}
                  <label>
                    <input
                      type="radio"
                      name="newer"
                      aria-label={`compare to v${v.number}`}
                      checked={pair && pair[1] === v.number}
                      onChange={() => setPair([pair ? pair[0] : v.number, v.number])}
                    />
                    to
                  </label>
                </td>
                <td>
                  {!v.deployed && (
                    <button
                      disabled={busy || v.status === "failed"}
                      onClick={() => act((f) => `Deployed version ${f.deployedVersion}.`, `${base}/versions/${v.number}/deploy`, {})}
                    >
                      Deploy v{v.number}
                    </button>
                  )}{" "}
                  {!v.deployed && (
                    <button
                      class="link"
                      disabled={busy || v.status === "failed" || !(percent >= 1 && percent <= 99)}
                      onClick={() =>
                        act(
                          (f) => `Version ${v.number} runs for ${percent}% of calls beside version ${f.deployedVersion}.`,
                          `${base}/versions/${v.number}/deploy`,
                          { percent },
                        )
                      }
                    >
                      gradual {percent}%
                    </button>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {pair && (
        <h3>
          v{pair[0]} → v{pair[1]}
        </h3>
      )}
      <div class="diff-view" ref={diffHost} aria-label="version diff" />
    </section>
  );
}
