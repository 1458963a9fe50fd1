// The real Authing node SDK (`authing-node-sdk` 4.0.1, which signs every
// request with HMAC-SHA1 instead of exchanging a token) drives hookbox's
// Authing V3 pipeline front through a whole lifecycle. After every SDK call
// the state is checked through hookbox's native API: an SDK call that merely
// did not throw is not a pass.
//
//     node tests/sdk/authing_node.js /path/to/hookbox     (make sdk-test runs it)
'use strict';

const { ManagementClient } = require('authing-node-sdk');
const { check, main, sleep } = require('./harness');

const SCENE = 'PRE_REGISTER';
const WHITELIST = `async function pipe(user, context, callback) {
  const domain = (user.email || "").split("@")[1];
  if (domain !== "example.com") return callback(new Error("Access denied."));
  callback(null, user, context);
}`;
const BROKEN = 'async function pipe(user, context, callback) {\n  const = 1;\n}';
const FIXED = 'async function pipe(user, context, callback) { user.fixed = true; callback(null, user, context); }';
const DTO_FIELDS = ['funcId', 'funcName', 'funcDescription', 'scene', 'sourceCode', 'isAsynchronous', 'timeout',
  'terminateOnTimeout', 'enabled', 'status', 'createdAt', 'updatedAt'];

main(async ({ base, keyId, secret, native }) => {
  const client = new ManagementClient({ accessKeyId: keyId, accessKeySecret: secret, host: base });

  const stored = async (funcId) => (await native('GET', `/v1/functions/${funcId}`)).body.data;
  const storedIds = async (scene) =>
    (await native('GET', `/v1/functions?scene=${scene}`)).body.data.list.map((f) => f.funcId);
  const runScene = async (user) =>
    (await native('POST', `/v1/scenes/${SCENE}/run`, { user, context: {} })).body.data;

  // create: a good source and one that does not compile
  const good = await client.createPipelineFunction({
    sourceCode: WHITELIST, scene: SCENE, funcName: 'whitelist', funcDescription: 'only example.com',
    timeout: 5, enabled: true,
  });
  check('create returns the envelope', good.statusCode === 200 && good.requestId && good.data, good);
  const goodId = good.data.funcId;
  let s = await stored(goodId);
  check('create stored the function', s.funcName === 'whitelist' && s.funcDescription === 'only example.com'
    && s.timeout === 5 && s.enabled === true && s.scene === SCENE && s.sourceCode === WHITELIST
    && s.status === 'success' && s.version === 1, s);
  check('create answers a PipelineFunctionDto', DTO_FIELDS.every((k) => k in good.data)
    && !Number.isNaN(Date.parse(good.data.createdAt)), good.data);

  const bad = await client.createPipelineFunction({ sourceCode: BROKEN, scene: SCENE, funcName: 'broken' });
  const badId = bad.data && bad.data.funcId;
  check('a source that does not compile is stored as failed, naming line and column',
    bad.statusCode === 200 && bad.data.status === 'failed'
    && /line 2, column \d+/.test(bad.data.uploadErrMsg || ''), bad);
  s = await stored(badId);
  check('the failed function is stored with its error', s.status === 'failed'
    && s.uploadErrMsg === bad.data.uploadErrMsg && s.sourceCode === BROKEN, s);

  // get
  const got = await client.getPipelineFunction({ funcId: goodId });
  s = await stored(goodId);
  check('get returns what is stored', got.statusCode === 200 && got.data.funcId === goodId
    && got.data.sourceCode === s.sourceCode && got.data.funcName === s.funcName
    && got.data.updatedAt === s.updatedAt, got);

  // list, by scene and over all scenes
  const listed = await client.listPipelineFunctions({ scene: SCENE });
  const listedIds = listed.data.list.map((f) => f.funcId);
  check('list by scene returns both in the stored order', listed.statusCode === 200
    && JSON.stringify(listedIds) === JSON.stringify([goodId, badId])
    && JSON.stringify(listedIds) === JSON.stringify(await storedIds(SCENE)) && listed.data.totalCount === 2, listed);
  const other = await client.listPipelineFunctions({ scene: 'POST_REGISTER' });
  check('list of another scene is empty', other.statusCode === 200 && other.data.list.length === 0
    && other.data.totalCount === 0, other);
  // The SDK signs `path?` here: {scene: undefined} has one key.
  const all = await client.listPipelineFunctions({});
  check('list with no scene (signed with a trailing ?) returns all', all.statusCode === 200
    && all.data.totalCount === 2, all);

  // the pipeline runs the good one and skips the failed one
  let ran = await runScene({ email: 'ada@example.com' });
  check('the scene allows example.com, skipping the failed function', ran.outcome === 'ok'
    && JSON.stringify(ran.steps.map((x) => x.funcId)) === JSON.stringify([goodId]), ran);
  const denied = await runScene({ email: 'eve@evil.test' });
  check('the scene denies others', denied.outcome === 'error' && denied.error.message === 'Access denied.', denied);

  // update: a partial update changes only what it names
  const upd = await client.updatePipelineFunction({
    funcId: goodId, funcName: 'whitelist v2', timeout: 10, terminateOnTimeout: true,
  });
  s = await stored(goodId);
  check('update changed the stored fields', upd.statusCode === 200 && upd.data.funcName === 'whitelist v2'
    && s.funcName === 'whitelist v2' && s.timeout === 10 && s.terminateOnTimeout === true && s.version === 2, s);
  check('update left the rest alone', s.funcDescription === 'only example.com' && s.sourceCode === WHITELIST
    && s.enabled === true && s.status === 'success', s);

  // reupload recompiles from the stored source: still failing while it is broken
  let re = await client.reuploadPipelineFunction({ funcId: badId });
  s = await stored(badId);
  check('reupload of a broken source stays failed', re.statusCode === 200 && re.data.status === 'failed'
    && s.status === 'failed' && s.version === 2 && /line 2, column \d+/.test(s.uploadErrMsg || ''), [re, s]);
  const fixed = await client.updatePipelineFunction({ funcId: badId, sourceCode: FIXED });
  s = await stored(badId);
  check('update with a fixed source recompiles it', fixed.statusCode === 200 && fixed.data.status === 'success'
    && s.status === 'success' && !s.uploadErrMsg && s.sourceCode === FIXED && s.version === 3, s);
  re = await client.reuploadPipelineFunction({ funcId: badId });
  s = await stored(badId);
  check('reupload recompiles the stored source', re.statusCode === 200 && re.data.status === 'success'
    && s.status === 'success' && s.version === 4 && s.sourceCode === FIXED, [re, s]);

  // reorder (the SDK signs the order array as its compact JSON)
  const order = await client.updatePipelineOrder({ order: [badId, goodId], scene: SCENE });
  const nativeIds = await storedIds(SCENE);
  check('reorder changed the stored order', order.statusCode === 200
    && JSON.stringify(nativeIds) === JSON.stringify([badId, goodId]), [order, nativeIds]);
  ran = await runScene({ email: 'ada@example.com' });
  check('the pipeline runs in the new order', ran.outcome === 'ok' && ran.user.fixed === true
    && JSON.stringify(ran.steps.map((x) => x.funcId)) === JSON.stringify([badId, goodId]), ran);

  // a partial order (say, only the functions whose upload worked): those first, the rest after
  const partial = await client.updatePipelineOrder({ order: [goodId], scene: SCENE });
  check('a partial order puts the listed functions first and keeps the others', partial.statusCode === 200
    && JSON.stringify(await storedIds(SCENE)) === JSON.stringify([goodId, badId]), partial);
  const unknown = await client.updatePipelineOrder({ order: ['0'.repeat(24)], scene: SCENE });
  check('an unknown id is still refused, changing nothing', unknown.statusCode === 400
    && /not in scene/.test(unknown.message || '')
    && JSON.stringify(await storedIds(SCENE)) === JSON.stringify([goodId, badId]), unknown);
  const twice = await client.updatePipelineOrder({ order: [badId, badId], scene: SCENE });
  check('an id listed twice is refused, changing nothing', twice.statusCode === 400
    && /listed twice/.test(twice.message || '')
    && JSON.stringify(await storedIds(SCENE)) === JSON.stringify([goodId, badId]), twice);

  // a signed body with `false` and non-ASCII text; disabled functions are skipped
  const off = await client.updatePipelineFunction({ funcId: goodId, enabled: false, funcDescription: '仅限 example.com ✓' });
  s = await stored(goodId);
  ran = await runScene({ email: 'eve@evil.test' });
  check('update can disable (signed false, non-ASCII)', off.statusCode === 200 && s.enabled === false
    && s.funcDescription === '仅限 example.com ✓' && ran.outcome === 'ok'
    && JSON.stringify(ran.steps.map((x) => x.funcId)) === JSON.stringify([badId]), [off, s, ran]);
  const on = await client.updatePipelineFunction({ funcId: goodId, enabled: true });
  check('update can enable again', on.statusCode === 200 && (await stored(goodId)).enabled === true, on);
  // a signed query whose value needs URL encoding
  const odd = await client.getPipelineFunction({ funcId: 'no such/id & más' });
  check('a query value that needs encoding is signed as sent (404, not 401)', odd.statusCode === 404, odd);

  // logs: the good function ran three times (ok, error, ok), newest first
  let logs = {};
  for (let tries = 0; tries < 100; tries++) {
    logs = await client.getPipelineLogs({ funcId: goodId, page: 1, limit: 10 });
    if (logs.data && logs.data.totalCount >= 3) break;
    await sleep(100);
  }
  const nativeLogs = (await native('GET', `/v1/functions/${goodId}/logs?page=1&limit=10`)).body.data;
  check('logs list the invocations newest first', logs.statusCode === 200 && logs.data.totalCount === 3
    && logs.data.list.map((l) => l.outcome).join(',') === 'ok,error,ok', logs);
  check('logs match the native API', nativeLogs.totalCount === logs.data.totalCount
    && JSON.stringify(nativeLogs.list) === JSON.stringify(logs.data.list), [nativeLogs, logs.data]);
  const page2 = await client.getPipelineLogs({ funcId: goodId, page: 2, limit: 2 });
  check('logs page', page2.statusCode === 200 && page2.data.totalCount === 3 && page2.data.list.length === 1
    && JSON.stringify(page2.data.list[0]) === JSON.stringify(nativeLogs.list[2]), page2);

  // errors come back in Authing's shape, HTTP 200 with the status in the body
  const before = await storedIds(SCENE);
  const missing = await client.getPipelineFunction({ funcId: '000000000000000000000000' });
  check('an unknown funcId is a 404 body', missing.statusCode === 404 && missing.apiCode && missing.requestId
    && typeof missing.message === 'string', missing);
  const invalid = await client.createPipelineFunction({ sourceCode: FIXED, scene: 'NOT_A_SCENE', funcName: 'x' });
  check('an unknown scene is a 400 naming the field', invalid.statusCode === 400
    && /scene/.test(invalid.message || ''), invalid);
  check('nothing was stored by the refused create', JSON.stringify(await storedIds(SCENE)) === JSON.stringify(before)
    && (await native('GET', '/v1/functions')).body.data.totalCount === 2);

  const wrong = new ManagementClient({ accessKeyId: keyId, accessKeySecret: secret.replace(/.$/, (c) => (c === '0' ? '1' : '0')), host: base });
  const refused = await wrong.createPipelineFunction({ sourceCode: FIXED, scene: SCENE, funcName: 'intruder' });
  check('a wrong secret is a 401 body', refused.statusCode === 401 && !refused.data
    && /signature/.test(refused.message || ''), refused);
  const refusedList = await wrong.listPipelineFunctions({ scene: SCENE });
  check('a wrong secret reads nothing', refusedList.statusCode === 401 && !refusedList.data, refusedList);
  const unknownKey = new ManagementClient({ accessKeyId: '0'.repeat(24), accessKeySecret: secret, host: base });
  const refused2 = await unknownKey.deletePipelineFunction({ funcId: goodId });
  check('an unknown accessKeyId is a 401 body', refused2.statusCode === 401, refused2);
  const afterRefused = (await native('GET', '/v1/functions')).body.data;
  check('the refused clients changed nothing', afterRefused.totalCount === 2
    && !afterRefused.list.some((f) => f.funcName === 'intruder')
    && JSON.stringify(await storedIds(SCENE)) === JSON.stringify(before), afterRefused);

  // delete
  const deleted = await client.deletePipelineFunction({ funcId: goodId });
  const gone = await native('GET', `/v1/functions/${goodId}`);
  check('delete removed it', deleted.statusCode === 200 && gone.status === 404, [deleted, gone]);
  const remaining = (await client.listPipelineFunctions({ scene: SCENE })).data.list.map((f) => f.funcId);
  check('the list no longer has it', JSON.stringify(remaining) === JSON.stringify([badId])
    && JSON.stringify(await storedIds(SCENE)) === JSON.stringify([badId]), remaining);
  const again = await client.deletePipelineFunction({ funcId: goodId });
  check('deleting it again is a 404 body', again.statusCode === 404, again);
});
