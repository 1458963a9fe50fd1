// Event delivery, measured: a real `hookbox serve` (the build given), a node
// HTTP receiver on 127.0.0.1, and HTTP functions subscribed to AUTH_LOGIN.
//
//   - accept: the time of `POST /v1/events` (durable before it answers);
//   - latency: from sending the event to the receiver getting it, one event
//     at a time (so nothing queues ahead of it);
//   - throughput: events sent as fast as the API takes them, to one function
//     (one lane: in order, one delivery at a time) and to 8 (8 lanes side by
//     side), counted until the receiver has every one.
//
//     node bench/events/bench.js target/release/hookbox [events]     (make bench-events)
'use strict';

const http = require('node:http');
const { nativeClient, startServer, stopServer } = require('../../tests/sdk/harness');

const N = Number(process.argv[3] || 2000);

const pct = (xs, p) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))];
};
const ms = (x) => `${x.toFixed(2)} ms`;

async function main() {
  const binary = process.argv[2];
  const waiting = new Map(); // event n -> resolve
  let received = 0;
  const rx = http.createServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      const n = JSON.parse(Buffer.concat(chunks)).data.n;
      received += 1;
      const done = waiting.get(n);
      if (done) done(performance.now());
      res.end('{}');
    });
  });
  await new Promise((r) => rx.listen(0, '127.0.0.1', r));
  const port = rx.address().port;
  const server = await startServer(binary, { HOOKBOX_OUTBOUND_ALLOW_PRIVATE: 'loopback', HOOKBOX_LOG: 'error' });
  const report = { events: N, machine: `${require('node:os').cpus().length} cores, ${require('node:os').cpus()[0].model}` };
  try {
    const native = await nativeClient(server.base, server.keyId, server.secret);
    await native('PUT', '/v1/outbound', { allow: [`127.0.0.1:${port}`] });
    const make = async (name) => native('POST', '/v1/functions', {
      funcName: name, scene: 'events', url: `http://127.0.0.1:${port}/e`, events: [2000],
    });
    const send = (n) => native('POST', '/v1/events', { event: 2000, data: { user_id: `u${n}`, email: 'a@example.com', n } });
    const one = (await make('one')).body.data.funcId;

    // Latency, one at a time.
    const accept = [];
    const latency = [];
    for (let n = 0; n < Math.min(N, 500); n += 1) {
      const got = new Promise((r) => waiting.set(n, r));
      const t0 = performance.now();
      await send(n);
      accept.push(performance.now() - t0);
      latency.push((await got) - t0);
      waiting.delete(n);
    }
    report.acceptP50 = ms(pct(accept, 50));
    report.acceptP99 = ms(pct(accept, 99));
    report.latencyP50 = ms(pct(latency, 50));
    report.latencyP99 = ms(pct(latency, 99));

    // Throughput to one function, then to eight.
    const burst = async (functions) => {
      const expected = N * functions;
      received = 0;
      const t0 = performance.now();
      const inFlight = [];
      for (let n = 0; n < N; n += 1) {
        inFlight.push(send(1_000_000 + n));
        if (inFlight.length >= 16) await Promise.all(inFlight.splice(0));
      }
      await Promise.all(inFlight);
      const accepted = performance.now() - t0;
      while (received < expected) await new Promise((r) => setTimeout(r, 5));
      const all = performance.now() - t0;
      return { acceptedPerSecond: Math.round((N / accepted) * 1000), deliveredPerSecond: Math.round((expected / all) * 1000) };
    };
    report.oneFunction = await burst(1);
    await native('DELETE', `/v1/functions/${one}`);
    for (let i = 0; i < 8; i += 1) await make(`f${i}`);
    report.eightFunctions = await burst(8);
  } finally {
    await stopServer(server);
    rx.close();
  }
  console.log(JSON.stringify(report, null, 2));
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
