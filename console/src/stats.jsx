// A function's calls, errors and p50/p99 duration over the last hour, a
// minute per point (GET /v1/functions/{id}/stats), drawn with uPlot.

import { useEffect, useRef, useState } from "preact/hooks";
import uPlot from "uplot";
import "uplot/dist/uPlot.min.css";
import { call, enc } from "./api.js";
import { Feedback } from "./common.jsx";

export function Stats({ fn }) {
  const [stats, setStats] = useState(null);
  const [error, setError] = useState(null);
  const callsHost = useRef(null);
  const timeHost = useRef(null);

  useEffect(() => {
    let alive = true;
    const load = () =>
      call("GET", `/v1/functions/${enc(fn.funcId)}/stats`)
        .then((s) => alive && setStats(s))
        .catch((e) => alive && setError(e.message));
    load();
    const timer = setInterval(load, 10000);
    return () => {
      alive = false;
      clearInterval(timer);
    };
  }, [fn.funcId]);

  useEffect(() => {
    if (!stats) return;
    const x = stats.buckets.map((b) => b.start);
    const width = Math.max(320, Math.min(900, (callsHost.current && callsHost.current.clientWidth) || 800));
    const calls = new uPlot(
      {
        width,
        height: 200,
        title: "calls and errors per minute",
        series: [{}, { label: "calls", stroke: "#2563eb" }, { label: "errors", stroke: "#dc2626" }],
        axes: [{}, { label: "per minute" }],
      },
      [x, stats.buckets.map((b) => b.calls), stats.buckets.map((b) => b.errors)],
      callsHost.current,
    );
    const times = new uPlot(
      {
        width,
        height: 200,
        title: "duration (µs)",
        series: [{}, { label: "p50", stroke: "#059669" }, { label: "p99", stroke: "#d97706" }],
        axes: [{}, { label: "µs" }],
      },
      [x, stats.buckets.map((b) => b.p50Us), stats.buckets.map((b) => b.p99Us)],
      timeHost.current,
    );
    return () => {
      calls.destroy();
      times.destroy();
    };
  }, [stats]);

  const total = stats ? stats.buckets.reduce((n, b) => n + b.calls, 0) : 0;
  const errors = stats ? stats.buckets.reduce((n, b) => n + b.errors, 0) : 0;
  return (
    <section class="stats">
      <Feedback error={error} />
      {stats && (
        <p aria-label="summary">
          <b>{total}</b> calls, <b>{errors}</b> errors in the last hour; p50 <b>{stats.p50Us ?? "–"}</b> µs, p99{" "}
          <b>{stats.p99Us ?? "–"}</b> µs
          {stats.truncated ? ` (from the newest ${stats.sampled} records)` : ""}.
        </p>
      )}
      <div ref={callsHost} class="chart" />
      <div ref={timeHost} class="chart" />
    </section>
  );
}
