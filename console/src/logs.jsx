// A function's invocation logs, newest first, filtered by outcome and
// version, and followed live (polled each second while "Follow" is on).

import { useEffect, useState } from "preact/hooks";
import { call, enc } from "./api.js";
import { ConsoleLines, when } from "./common.jsx";

const OUTCOMES = ["ok", "error", "timeout", "out_of_fuel", "memory_limit", "stack_overflow", "callback_not_called", "invalid_output"];
const PAGE = 100;

export function Logs({ fn }) {
  const [list, setList] = useState(null);
  const [outcome, setOutcome] = useState("");
  const [version, setVersion] = useState("");
  const [follow, setFollow] = useState(false);
  const [open, setOpen] = useState(null);
  const [error, setError] = useState(null);

  const query = () => {
    const q = new URLSearchParams({ page: "1", limit: String(PAGE) });
    if (outcome) q.set("outcome", outcome);
    if (version) q.set("version", version);
    return q.toString();
  };
  const load = async () => {
    try {
      const data = await call("GET", `/v1/functions/${enc(fn.funcId)}/logs?${query()}`);
      setList(data.list);
      setError(null);
    } catch (e) {
      setError(e.message);
    }
  };
  useEffect(() => {
    load();
  }, [fn.funcId, outcome, version]);
  useEffect(() => {
    if (!follow) return;
    const timer = setInterval(load, 1000);
    return () => clearInterval(timer);
  }, [follow, fn.funcId, outcome, version]);

  const versions = [];
  for (let n = fn.latestVersion; n >= 1 && versions.length < 50; n--) versions.push(n);

  return (
    <section class="logs">
      <div class="toolbar">
        <label>
          Outcome{" "}
          <select aria-label="filter by outcome" value={outcome} onChange={(e) => setOutcome(e.currentTarget.value)}>
            <option value="">all</option>
            {OUTCOMES.map((o) => (
              <option key={o}>{o}</option>
            ))}
          </select>
        </label>
        <label>
          Version{" "}
          <select aria-label="filter by version" value={version} onChange={(e) => setVersion(e.currentTarget.value)}>
            <option value="">all</option>
            {versions.map((n) => (
              <option key={n} value={n}>
                v{n}
              </option>
            ))}
          </select>
        </label>
        <label class="switch">
          <input type="checkbox" checked={follow} onChange={(e) => setFollow(e.currentTarget.checked)} aria-label="follow" />
          Follow
        </label>
        <button class="link" onClick={load}>
          Refresh
        </button>
        {follow && <span class="live">● live</span>}
      </div>
      {error && (
        <p role="alert" class="error">
          {error}
        </p>
      )}
      {list && list.length === 0 && <p class="muted">No invocations match.</p>}
      {list && list.length > 0 && (
        <table class="log-list">
          <thead>
            <tr>
              <th>at</th>
              <th>outcome</th>
              <th>version</th>
              <th>duration</th>
              <th>attempt</th>
              <th>error</th>
              <th>request id</th>
            </tr>
          </thead>
          <tbody>
            {list.map((r) => [
              <tr key={r.id} class={`log ${r.outcome}`} data-outcome={r.outcome} onClick={() => setOpen(open === r.id ? null : r.id)}>
                <td>{when(r.at)}</td>
                <td>
                  <span class={`badge ${r.outcome === "ok" ? "good" : "bad"}`}>{r.outcome}</span>
                </td>
                <td>{r.version ? `v${r.version}` : ""}</td>
                <td>{r.durationUs} µs</td>
                <td>{r.attempt}</td>
                <td class="error-text">{r.error ? `${r.error.name || ""}: ${r.error.message || ""}` : ""}</td>
                <td class="muted">{r.requestId}</td>
              </tr>,
              open === r.id && (
                <tr key={r.id + ":lines"} class="lines">
                  <td colSpan={7}>
                    <ConsoleLines lines={r.logs} />
                  </td>
                </tr>
              ),
            ])}
          </tbody>
        </table>
      )}
    </section>
  );
}
