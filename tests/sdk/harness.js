// Shared by the node SDK tests: starts `hookbox serve` on a free port with a
// fresh data dir, counts checks, and talks to hookbox's native API (the
// ground truth every SDK call is checked against). Node built-ins only.
'use strict';

const { spawn } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const readline = require('node:readline');
const util = require('node:util');

const results = { passed: 0, failed: 0 };

function show(value) {
  return typeof value === 'string' ? value : util.inspect(value, { depth: 6, breakLength: Infinity });
}

function check(name, condition, detail = '') {
  if (condition) {
    results.passed += 1;
    console.log(`ok   ${name}`);
  } else {
    results.failed += 1;
    console.log(`FAIL ${name}: ${show(detail)}`);
  }
  return !!condition;
}

// `hookbox serve --listen 127.0.0.1:0 --data-dir <tmp>`: resolves with the
// process, its base URL and the default tenant's key pair, read from stdout.
function startServer(binary, env = {}) {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'hookbox-sdk-'));
  const proc = spawn(path.resolve(binary), ['serve', '--listen', '127.0.0.1:0', '--data-dir', dataDir], {
    env: { HOOKBOX_LOG: 'warn', PATH: '/usr/bin:/bin', ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return new Promise((resolve, reject) => {
    const found = {};
    const timer = setTimeout(() => fail('hookbox serve did not start within 60 s'), 60_000);
    const fail = (why) => {
      clearTimeout(timer);
      proc.kill();
      reject(new Error(why));
    };
    proc.on('error', (e) => fail(`cannot start ${binary}: ${e.message}`));
    proc.on('exit', (code) => fail(`hookbox serve exited early (${code})`));
    const lines = readline.createInterface({ input: proc.stdout });
    lines.on('line', (raw) => {
      const line = raw.trim();
      if (found.base) return; // keep draining stdout
      if (line.startsWith('accessKeyId:')) found.keyId = line.split(':').slice(1).join(':').trim();
      else if (line.startsWith('accessKeySecret:')) found.secret = line.split(':').slice(1).join(':').trim();
      else if (line.startsWith('hookbox listening on ')) {
        found.base = line.slice('hookbox listening on '.length);
        clearTimeout(timer);
        proc.removeAllListeners('exit');
        resolve({ proc, dataDir, ...found });
      }
    });
  });
}

function stopServer({ proc, dataDir }) {
  return new Promise((resolve) => {
    const timer = setTimeout(() => proc.kill('SIGKILL'), 30_000);
    proc.once('exit', () => {
      clearTimeout(timer);
      fs.rmSync(dataDir, { recursive: true, force: true });
      resolve();
    });
    proc.kill('SIGTERM');
  });
}

// A client of the native API with a bearer token from the key pair:
// native(method, path, body) -> {status, body}.
async function nativeClient(base, keyId, secret) {
  const res = await fetch(`${base}/api/v3/get-management-token`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ accessKeyId: keyId, accessKeySecret: secret }),
  });
  const token = (await res.json()).data.access_token;
  return async function native(method, urlPath, body) {
    const init = { method, headers: { authorization: `Bearer ${token}` } };
    if (body !== undefined) {
      init.headers['content-type'] = 'application/json';
      init.body = JSON.stringify(body);
    }
    const r = await fetch(base + urlPath, init);
    const text = await r.text();
    let parsed;
    try {
      parsed = JSON.parse(text);
    } catch {
      parsed = text;
    }
    return { status: r.status, body: parsed };
  };
}

// Runs `test({base, keyId, secret, native})` against a fresh server (with
// `options.env` added to its environment), prints the totals and sets the
// exit code.
async function main(test, options = {}) {
  const binary = process.argv[2];
  if (!binary) {
    console.error(`usage: node ${path.basename(process.argv[1])} /path/to/hookbox`);
    process.exit(2);
  }
  const server = await startServer(binary, options.env);
  try {
    const native = await nativeClient(server.base, server.keyId, server.secret);
    await test({ base: server.base, keyId: server.keyId, secret: server.secret, native });
  } catch (e) {
    check('the run finished without an unexpected exception', false, e && e.stack ? e.stack : e);
  } finally {
    await stopServer(server);
  }
  console.log(`${results.passed} passed, ${results.failed} failed`);
  process.exitCode = results.failed ? 1 : 0;
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// For the auth0 SDK, which always builds https://{domain}/...: a `fetch` that
// sends it to the local server, recording each call in `calls` when given.
function localFetch(base, calls) {
  return (url, init = {}) => {
    const u = new URL(typeof url === 'string' ? url : url.url);
    if (calls) {
      const headers = new Headers(init.headers || {});
      calls.push({
        method: init.method || 'GET', host: u.host, path: u.pathname, search: u.search,
        contentType: headers.get('content-type'), authorization: headers.get('authorization'),
        body: init.body === undefined ? undefined : String(init.body), // a string or URLSearchParams
      });
    }
    return fetch(base + u.pathname + u.search, init);
  };
}

// The error an SDK call throws; null if it did not.
async function thrown(promise) {
  try {
    await promise;
    return null;
  } catch (e) {
    return e;
  }
}

// An error, briefly, for a failed check's detail.
const brief = (e) => (e ? { class: e.constructor.name, statusCode: e.statusCode, errorCode: e.errorCode, message: e.message } : e);

module.exports = { brief, check, localFetch, main, nativeClient, sleep, show, startServer, stopServer, thrown };
