// A function's invocation logs, newest first, a page of 100 at a time,
// filtered by outcome and version, and followed live (polled each second
// while "Follow" is on). A row opens with a click, Enter or Space.

import { useEffect, useRef, useState } from "preact/hooks";
import { call, enc } from "./api.js";
import { ConsoleLines, Feedback, visible, when } from "./common.jsx";

const OUTCOMES = ["ok", "error", "timeout", "out_of_fuel", "memory_limit", "stack_overflow", "callback_not_called", "invalid_output"];
const PAGE = 100;

/** A long error cut for the table; the row's console lines have the rest. */
function short(text, max = 300) {
  return text.length > max ? text.slice(0, max) + "…" : text;
}

export function Logs({ fn }) {
  const [list, setList] = useState(null);
  const [outcome, setOutcome] = useState("");
  const [version, setVersion] = useState("");
  const [follow, setFollow] = useState(false);
  const [open, setOpen] = useState(null);
  const [error, setError] = useState(null);
  const [total, setTotal] = useState(0);
  const [page, setPage] = useState(1);

  const query = () => {
    const q = new URLSearchParams({ page: String(page), limit: String(PAGE) });
    if (outcome) q.set("outcome", outcome);
    if (version) q.set("version", version);
    return q.toString();
  };
  // Only the newest request's answer is shown (a slow answer for an old
  // filter must not overwrite a newer one), and Follow never stacks requests.
  const latest = useRef(0);
  const inFlight = useRef(false);
  const load = async () => {
    const ticket = ++latest.current;
    inFlight.current = true;
    try {
      const data = await call("GET", `/v1/functions/${enc(fn.funcId)}/logs?${query()}`);
      if (ticket !== latest.current) return;
      setList(data.list);
      setTotal(data.totalCount);
      setError(null);
    } catch (e) {
      if (ticket === latest.current) setError(e.message);
    } finally {
      if (ticket === latest.current) inFlight.current = false;
    }
  };
  useEffect(() => {
    load();
  }, [fn.funcId, outcome, version, page]);
  useEffect(() => setPage(1), [outcome, version, follow]);
  useEffect(() => {
    if (!follow) return;
    const timer = setInterval(() => inFlight.current || load(), 1000);
    return () => clearInterval(timer);
  }, [follow, fn.funcId, outcome, version, page]);
  const pages = Math.max(1, Math.ceil(total / PAGE));

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
        <span class="muted" aria-label="log count">
          {total} {total === 1 ? "record" : "records"}
        </span>
        {pages > 1 && (
          <span class="pager">
            <button class="link" disabled={page <= 1} onClick={() => setPage(page - 1)}>
              ← newer
            </button>
            page {page} of {pages}
            <button class="link" disabled={page >= pages} onClick={() => setPage(page + 1)}>
              older →
            </button>
          </span>
        )}
      </div>
      <Feedback error={error} />
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
              <tr
                key={r.id}
                class={`log ${r.outcome}`}
                data-outcome={r.outcome}
                tabIndex={0}
                aria-expanded={open === r.id}
                onClick={() => setOpen(open === r.id ? null : r.id)}
                onKeyDown={(e) => {
                  if (e.key === "Enter" || e.key === " ") {
                    e.preventDefault();
                    setOpen(open === r.id ? null : r.id);
                  }
                }}
              >
                <td>{when(r.at)}</td>
                <td>
                  <span class={`badge ${r.outcome === "ok" ? "good" : "bad"}`}>{r.outcome}</span>
                </td>
                <td>{r.version ? `v${r.version}` : ""}</td>
                <td>{r.durationUs} µs</td>
                <td>{r.attempt}</td>
                <td class="error-text">{r.error ? short(visible(`${r.error.name || ""}: ${r.error.message || ""}`)) : ""}</td>
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
