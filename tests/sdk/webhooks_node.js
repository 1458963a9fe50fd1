// Event deliveries and HTTP functions, received the way a user's service
// receives them: a node HTTP server on 127.0.0.1 that checks every request
// with the Standard Webhooks reference library (`standardwebhooks` 1.1.1,
// `new Webhook(secret).verify(body, headers)`) and every `_function_session`
// against hookbox's JWKS with node's own crypto. hookbox runs with
// `--outbound-allow-private loopback` so that it may call the receiver.
//
//     node tests/sdk/webhooks_node.js /path/to/hookbox     (make sdk-test runs it)
'use strict';

const crypto = require('node:crypto');
const http = require('node:http');
const { Webhook } = require('standardwebhooks');
const { check, main, show, sleep } = require('./harness');

// A receiver that keeps each request's raw body and headers.
function receiver() {
  const got = [];
  const server = http.createServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks).toString('utf8');
      got.push({ path: req.url, headers: req.headers, raw, body: JSON.parse(raw) });
      res.setHeader('content-type', 'application/json');
      if (req.url === '/scene') {
        const { user } = JSON.parse(raw);
        res.end(JSON.stringify({ user: { ...user, checked: true } }));
      } else {
        res.end('{"ok":true}');
      }
    });
  });
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => resolve({ server, got, port: server.address().port }));
  });
}

// Whether the library accepts the request with this secret.
function verifies(secret, request) {
  try {
    new Webhook(secret).verify(request.raw, request.headers);
    return true;
  } catch (e) {
    return false;
  }
}

// An ES256 JWT checked against a JWKS with node's crypto: the payload, or null.
function verifyJwt(token, jwks) {
  const [h, p, s] = token.split('.');
  const header = JSON.parse(Buffer.from(h, 'base64url'));
  const jwk = jwks.keys.find((k) => k.kid === header.kid);
  if (!jwk || header.alg !== 'ES256') return null;
  const key = crypto.createPublicKey({ key: jwk, format: 'jwk' });
  const ok = crypto.verify('sha256', Buffer.from(`${h}.${p}`), { key, dsaEncoding: 'ieee-p1363' },
    Buffer.from(s, 'base64url'));
  return ok ? JSON.parse(Buffer.from(p, 'base64url')) : null;
}

async function until(what, probe) {
  for (let i = 0; i < 600; i += 1) {
    const v = await probe();
    if (v) return v;
    await sleep(50);
  }
  throw new Error(`timed out waiting for ${what}`);
}

main(async ({ base, native }) => {
  const rx = await receiver();
  try {
    const allowed = await native('PUT', '/v1/outbound', { allow: [`127.0.0.1:${rx.port}`] });
    check('the receiver is on the allow-list', allowed.status === 200, allowed.body);

    const made = await native('POST', '/v1/functions', {
      funcName: 'crm', scene: 'events', url: `http://127.0.0.1:${rx.port}/events`, events: ['AUTH_REGISTER'],
    });
    const fn = made.body.data;
    const { secret, signingSecret } = fn.webhookSecrets || {};
    check('an HTTP function is created with its secrets, shown once',
      made.status === 200 && /^whsec_/.test(signingSecret) && typeof secret === 'string', made.body);
    const again = await native('GET', `/v1/functions/${fn.funcId}`);
    check('the secrets are not shown again', again.body.data.webhookSecrets === undefined
      && !JSON.stringify(again.body).includes(signingSecret), again.body);

    for (let n = 0; n < 3; n += 1) {
      const sent = await native('POST', '/v1/events', {
        event: 2001, data: { user_id: `u${n}`, email: `u${n}@example.com`, lang: 'de', n },
      });
      check(`event ${n} is accepted with one delivery`, sent.status === 200 && sent.body.data.deliveries.length === 1, sent.body);
    }
    const events = await until('three deliveries', () => rx.got.filter((r) => r.path === '/events').length >= 3
      && rx.got.filter((r) => r.path === '/events'));
    check('the Standard Webhooks library verifies every delivery',
      events.every((r) => verifies(signingSecret, r)), events.map((r) => r.headers));
    check('in the order sent', show(events.map((r) => r.body.data.n)) === show([0, 1, 2]), events.map((r) => r.body));
    check('each carries the seed\'s _secret', events.every((r) => r.body._secret === secret));
    check('and the payload the receiver expects', events.every((r) => r.body.type === 'AUTH_REGISTER'
      && r.body.event === 2001 && r.body.data.lang === 'de' && typeof r.body.timestamp === 'string'), events[0].body);
    const tampered = { ...events[0], raw: events[0].raw.replace('"lang":"de"', '"lang":"fr"') };
    check('a tampered body does not verify', !verifies(signingSecret, tampered));
    check('nor does another secret', !verifies(`whsec_${Buffer.alloc(32, 1).toString('base64')}`, events[0]));

    const jwks = await (await fetch(`${base}/.well-known/jwks.json`)).json();
    const claims = verifyJwt(events[0].body._function_session, jwks);
    check('the function session verifies against the JWKS', claims !== null, events[0].body._function_session);
    check('and stands for the event\'s user for 15 minutes', claims && claims.sub === 'u0'
      && claims.exp - claims.iat === 900 && claims.aud === 'hookbox:function-session', claims);
    const forged = events[0].body._function_session.replace(/.$/, (c) => (c === 'A' ? 'B' : 'A'));
    check('a changed session does not verify', verifyJwt(forged, jwks) === null);

    // Rotated: the next delivery verifies with the new secret only.
    const rotated = await native('POST', `/v1/functions/${fn.funcId}/webhook-secrets`);
    const fresh = rotated.body.data;
    check('the secrets rotate', rotated.status === 200 && fresh.signingSecret !== signingSecret
      && fresh.secret !== secret, rotated.body);
    await native('POST', '/v1/events', { event: 'AUTH_REGISTER', data: { user_id: 'u3', email: 'e', lang: 'en', n: 3 } });
    const late = await until('the delivery after rotating', () => rx.got.filter((r) => r.path === '/events')[3]);
    check('it verifies with the new signing secret', verifies(fresh.signingSecret, late));
    check('and not with the old one', !verifies(signingSecret, late));
    check('and carries the new _secret', late.body._secret === fresh.secret);

    // An HTTP function deciding a registration, signed the same way.
    const vet = (await native('POST', '/v1/functions', {
      funcName: 'vet', scene: 'PRE_REGISTER', url: `http://127.0.0.1:${rx.port}/scene`,
    })).body.data;
    const run = await native('POST', '/v1/scenes/PRE_REGISTER/run', { user: { email: 'ada@example.com' }, context: {} });
    check('the scene continues with the user it returned', run.status === 200 && run.body.data.outcome === 'ok'
      && run.body.data.user.checked === true, run.body);
    const call = rx.got.find((r) => r.path === '/scene');
    check('the scene call verifies with the library', call && verifies(vet.webhookSecrets.signingSecret, call), call && call.headers);
  } finally {
    rx.server.close();
  }
}, { env: { HOOKBOX_OUTBOUND_ALLOW_PRIVATE: 'loopback' } });
