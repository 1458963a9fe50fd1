// The baseline hookbox is compared against: the Webtask-style model, where each
// call runs in a fresh Node `vm` context. It speaks the same HTTP shape as the
// hookbox routes the benchmark uses, so one load generator drives both.
//
//   node server.js PORT DATA_FILE   prints "listening on http://127.0.0.1:PORT"
//
// Scripts are compiled once at deploy (vm.Script); every call gets a new
// context, runs the script in it and drives the same calling conventions
// (pipe/rule callback, module.exports, exports.handler) with the same timeout.
"use strict";
const http = require("node:http");
const vm = require("node:vm");

const fs = require("node:fs");

const functions = new Map(); // funcId -> {record, script (compiled at first call)}
const scenes = new Map(); // scene -> [funcId]
let nextId = 1;
// Deployed functions persist here, so a restart is a real cold start:
// sources are read back and each is compiled again at its first call.
const dataFile = process.argv[3];

function load() {
  if (!dataFile || !fs.existsSync(dataFile)) return;
  for (const record of JSON.parse(fs.readFileSync(dataFile, "utf8"))) register(record);
}

function save() {
  if (dataFile) fs.writeFileSync(dataFile, JSON.stringify([...functions.values()].map((f) => f.record)));
}

function register(record) {
  functions.set(record.funcId, { record, script: null });
  if (!scenes.has(record.scene)) scenes.set(record.scene, []);
  scenes.get(record.scene).push(record.funcId);
  nextId = Math.max(nextId, Number(record.funcId) + 1);
}

function compile(source) {
  // A rule is a bare function expression: try it as one first (as Auth0 and
  // hookbox do), then as a script.
  try {
    return new vm.Script("(" + source + "\n)", { filename: "function.js" });
  } catch (_) {
    return new vm.Script(source, { filename: "function.js" });
  }
}

function runOnce(fn, user, context) {
  return new Promise((resolve) => {
    const started = process.hrtime.bigint();
    let done = false;
    const finish = (outcome, extra) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      resolve({ outcome, durationUs: Number((process.hrtime.bigint() - started) / 1000n), ...extra });
    };
    const timer = setTimeout(() => finish("timeout", { error: { name: "TimeoutError", message: "timeout" } }), fn.record.timeout * 1000);
    const module = { exports: {} };
    const sandbox = {
      module,
      exports: module.exports,
      console: { log() {}, info() {}, warn() {}, error() {}, debug() {} },
      env: {},
      configuration: {},
      setTimeout,
      clearTimeout,
      UnauthorizedError: class UnauthorizedError extends Error {},
    };
    const callback = (err, u, c) =>
      err ? finish("error", { error: { name: err.name || "Error", message: String(err.message || err) } })
          : finish("ok", { user: u === undefined ? user : u, context: c === undefined ? context : c });
    try {
      if (!fn.script) fn.script = compile(fn.record.sourceCode);
      const ctx = vm.createContext(sandbox);
      const value = fn.script.runInContext(ctx, { timeout: fn.record.timeout * 1000 });
      let ret;
      const exported = module.exports;
      if (exported && typeof exported.handler === "function") {
        ret = Promise.resolve(exported.handler({}, context)).then((r) => finish("ok", { result: r }));
      } else if (typeof exported === "function") {
        ret = exported(user, context, (err, r) => (err ? callback(err) : finish("ok", { result: r })));
      } else if (typeof ctx.pipe === "function") {
        ret = ctx.pipe(user, context, callback);
      } else if (typeof value === "function") {
        ret = value(user, context, callback);
      } else {
        return finish("error", { error: { name: "EntryPointError", message: "no entry point" } });
      }
      if (ret && typeof ret.then === "function") ret.then(undefined, (e) => callback(e));
    } catch (e) {
      finish(e && e.code === "ERR_SCRIPT_EXECUTION_TIMEOUT" ? "timeout" : "error", {
        error: { name: (e && e.name) || "Error", message: String((e && e.message) || e) },
      });
    }
  });
}

function deploy(body) {
  const funcId = String(nextId++).padStart(24, "0");
  const record = { funcId, funcName: body.funcName, scene: body.scene, sourceCode: body.sourceCode, timeout: body.timeout || 3, status: "success" };
  register(record);
  functions.get(funcId).script = compile(record.sourceCode);
  save();
  return record;
}

async function runScene(scene, user, context) {
  const steps = [];
  for (const id of scenes.get(scene) || []) {
    const out = await runOnce(functions.get(id), user, context);
    steps.push({ funcId: id, outcome: out.outcome, durationUs: out.durationUs });
    if (out.outcome === "ok") {
      user = out.user;
      context = out.context;
    } else if (out.outcome !== "timeout") {
      return { outcome: out.outcome, error: out.error, user, context, steps, queued: [] };
    }
  }
  return { outcome: "ok", user, context, steps, queued: [] };
}

function reply(res, status, data, started) {
  const body = JSON.stringify({ statusCode: status, message: status === 200 ? "success" : "error", requestId: "-", data });
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  res.writeHead(status, { "content-type": "application/json", "server-timing": `app;dur=${ms.toFixed(3)}` });
  res.end(body);
}

const server = http.createServer((req, res) => {
  const started = process.hrtime.bigint();
  const chunks = [];
  req.on("data", (c) => chunks.push(c));
  req.on("end", async () => {
    let body = {};
    try {
      body = chunks.length ? JSON.parse(Buffer.concat(chunks)) : {};
    } catch (_) {
      return reply(res, 400, null, started);
    }
    const url = req.url.split("?")[0];
    let m;
    if (req.method === "POST" && url === "/api/v3/get-management-token") {
      return reply(res, 200, { access_token: "baseline", expires_in: 7200 }, started);
    }
    if (req.method === "POST" && url === "/v1/functions") return reply(res, 200, deploy(body), started);
    if (req.method === "POST" && (m = url.match(/^\/v1\/functions\/([^/]+)\/invoke$/))) {
      const fn = functions.get(m[1]);
      if (!fn) return reply(res, 404, null, started);
      return reply(res, 200, await runOnce(fn, body.user || {}, body.context || {}), started);
    }
    if (req.method === "POST" && (m = url.match(/^\/v1\/scenes\/([^/]+)\/run$/))) {
      return reply(res, 200, await runScene(m[1], body.user || {}, body.context || {}), started);
    }
    reply(res, 404, null, started);
  });
});

load();
server.keepAliveTimeout = 60000;
server.listen(Number(process.argv[2] || 0), "127.0.0.1", () => {
  console.log(`listening on http://127.0.0.1:${server.address().port}`);
});
process.on("SIGTERM", () => {
  // Idle keep-alive connections would hold close() open until the client
  // hangs up; nothing is in flight when the benchmark restarts us.
  server.close(() => process.exit(0));
  server.closeAllConnections();
});
