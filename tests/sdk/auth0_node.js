// The real Auth0 node SDK (`auth0` 4.37.0, `ManagementClient().hooks`) drives
// hookbox's Auth0 Management API v2 hooks front, with its own
// client-credentials exchange (POST /oauth/token). The SDK always builds
// https://{domain}/api/v2/...: a custom `fetch` sends it to the local server.
// After every SDK call the state is checked through hookbox's native API,
// and the secrets are proven to reach the script by running the trigger.
//
//     node tests/sdk/auth0_node.js /path/to/hookbox     (make sdk-test runs it)
'use strict';

const { AuthApiError, ManagementClient, ManagementApiError } = require('auth0');
const { isDeepStrictEqual } = require('node:util');
const { brief, check, localFetch, main, show, thrown } = require('./harness');

const DOMAIN = 'hookbox.test';
const TRIGGER = 'pre-user-registration';
const SCRIPT = 'module.exports = function (user, context, cb) { cb(null, { user: { user_metadata: '
  + '{ plan: "free", key: context.webtask.secrets.API_KEY } } }); };';
const SCRIPT_V2 = 'module.exports = function (user, context, cb) { cb(null, { user: { user_metadata: '
  + '{ plan: "pro", key: context.webtask.secrets.API_KEY } } }); };';
const BROKEN = 'module.exports = function (user, context, cb) {\n  const = 1;\n};';
const NOTIFY = 'module.exports = function (user, context, cb) { cb(); };';
const HOOK_KEYS = ['dependencies', 'enabled', 'id', 'name', 'script', 'triggerId'];
const SECRET_1 = 'sk_live "first"/é=1&x';
const SECRET_2 = 'rotated-2';

// Deep equality; arrays in order, object keys in any order.
const same = isDeepStrictEqual;

const apiError = (e, status, code) => e instanceof ManagementApiError && e.statusCode === status
  && (code === undefined || e.errorCode === code);

main(async ({ base, keyId, secret, native }) => {
  const calls = [];
  const m = new ManagementClient({ domain: DOMAIN, clientId: keyId, clientSecret: secret, fetch: localFetch(base, calls) });

  const stored = async (id) => native('GET', `/v1/functions/${id}`);
  const storedAll = async () => (await native('GET', '/v1/functions')).body.data.list;
  const runTrigger = async () =>
    (await native('POST', `/v1/scenes/${TRIGGER}/run`, { user: { email: 'a@example.com' }, context: {} })).body.data;

  // create (the first call exchanges the key pair for a token)
  const created = await m.hooks.create({ name: 'add-plan', triggerId: TRIGGER, enabled: true, script: SCRIPT });
  const hook = created.data;
  check('create answers 201 with a Hook', created.status === 201 && same(Object.keys(hook).sort(), HOOK_KEYS)
    && hook.name === 'add-plan' && hook.script === SCRIPT && hook.triggerId === TRIGGER && hook.enabled === true
    && same(hook.dependencies, {}) && typeof hook.id === 'string', created);
  const [tokenCall, createCall] = calls;
  const form = new URLSearchParams((tokenCall && tokenCall.body) || '');
  check('the SDK exchanged the key pair at /oauth/token', tokenCall && tokenCall.method === 'POST'
    && tokenCall.path === '/oauth/token' && /x-www-form-urlencoded/.test(tokenCall.contentType || '')
    && form.get('grant_type') === 'client_credentials' && form.get('client_id') === keyId
    && form.get('client_secret') === secret, tokenCall);
  check('and then called the hooks API with the issued bearer token', createCall && createCall.method === 'POST'
    && createCall.path === '/api/v2/hooks' && /^Bearer \S+/.test(createCall.authorization || ''), createCall);
  let s = (await stored(hook.id)).body.data;
  check('create stored the function', s && s.funcName === 'add-plan' && s.sourceCode === SCRIPT
    && s.scene === TRIGGER && s.enabled === true && s.status === 'success', s);
  let ran = await runTrigger();
  check('the new hook runs without secrets (key undefined)', ran.outcome === 'ok'
    && same(ran.user.user_metadata, { plan: 'free' }) && same(ran.steps.map((x) => x.funcId), [hook.id]), ran);

  // a second hook, disabled, on another trigger
  const notify = (await m.hooks.create({ name: 'notify slack', triggerId: 'post-user-registration', script: NOTIFY })).data;
  s = (await stored(notify.id)).body.data;
  check('enabled defaults to false', notify.enabled === false && s.enabled === false
    && s.scene === 'post-user-registration' && s.funcName === 'notify slack', [notify, s]);

  // get
  const got = await m.hooks.get({ id: hook.id });
  check('get returns the stored hook', got.status === 200 && same(got.data, hook), got.data);
  const some = await m.hooks.get({ id: hook.id, fields: 'id,name' });
  check('get with fields returns only those', same(some.data, { id: hook.id, name: 'add-plan' }), some.data);

  // getAll: a plain array, paged with totals, filtered by trigger and enabled
  const nativeIds = (await storedAll()).map((f) => f.funcId);
  const all = await m.hooks.getAll();
  check('getAll returns a plain array of every hook', Array.isArray(all.data)
    && same(all.data.map((h) => h.id).sort(), [hook.id, notify.id].sort())
    && same(all.data.map((h) => h.id).sort(), nativeIds.sort()), all.data);
  const order = all.data.map((h) => h.id);
  const paged = await m.hooks.getAll({ include_totals: true, per_page: 1, page: 1 });
  check('getAll with include_totals pages', !Array.isArray(paged.data) && paged.data.start === 1
    && paged.data.limit === 1 && paged.data.total === 2 && same(paged.data.hooks.map((h) => h.id), [order[1]]), paged.data);
  const first = await m.hooks.getAll({ include_totals: true, per_page: 1, page: 0 });
  check('page 0 is the first hook', same(first.data.hooks.map((h) => h.id), [order[0]]) && first.data.total === 2, first.data);
  const byTrigger = await m.hooks.getAll({ triggerId: TRIGGER });
  check('getAll filters by triggerId', same(byTrigger.data.map((h) => h.id), [hook.id]), byTrigger.data);
  const disabled = await m.hooks.getAll({ enabled: false });
  check('getAll filters by enabled', same(disabled.data.map((h) => h.id), [notify.id]), disabled.data);

  // secrets: add, masked on read, and they reach the script
  const added = await m.hooks.addSecrets({ id: hook.id }, { API_KEY: SECRET_1 });
  check('addSecrets answers 201', added.status === 201, added.status);
  const masked = await m.hooks.getSecrets({ id: hook.id });
  check('getSecrets masks the value', same(masked.data, { API_KEY: '_VALUE_NOT_SHOWN_' }), masked.data);
  ran = await runTrigger();
  check('the secret reaches the script as context.webtask.secrets', ran.outcome === 'ok'
    && ran.user.user_metadata.key === SECRET_1 && ran.user.user_metadata.plan === 'free', ran);
  check('the secret does not leak into the returned context', !JSON.stringify(ran.context).includes(SECRET_1)
    && !show(ran.result).includes('webtask'), ran.context);
  let err = await thrown(m.hooks.addSecrets({ id: hook.id }, { API_KEY: 'again' }));
  check('adding an existing secret is a 409', apiError(err, 409), brief(err));
  check('and left the value alone', (await runTrigger()).user.user_metadata.key === SECRET_1);

  // update the hook: name, script, enabled
  const updated = await m.hooks.update({ id: hook.id }, { name: 'add plan v2', script: SCRIPT_V2 });
  s = (await stored(hook.id)).body.data;
  check('update answers 200 with the Hook', updated.status === 200 && updated.data.name === 'add plan v2'
    && updated.data.script === SCRIPT_V2 && updated.data.triggerId === TRIGGER, updated.data);
  check('update stored name and script', s.funcName === 'add plan v2' && s.sourceCode === SCRIPT_V2
    && s.enabled === true && s.status === 'success', s);
  ran = await runTrigger();
  check('the new script runs, with the secret kept', ran.user.user_metadata.plan === 'pro'
    && ran.user.user_metadata.key === SECRET_1, ran);
  await m.hooks.update({ id: hook.id }, { enabled: false });
  s = (await stored(hook.id)).body.data;
  ran = await runTrigger();
  check('update disabled it', s.enabled === false && ran.steps.length === 0 && !ran.user.user_metadata, [s, ran]);
  await m.hooks.update({ id: hook.id }, { enabled: true });
  s = (await stored(hook.id)).body.data;
  check('update enabled it again', s.enabled === true && (await runTrigger()).steps.length === 1, s);
  err = await thrown(m.hooks.update({ id: hook.id }, { script: BROKEN }));
  s = (await stored(hook.id)).body.data;
  check('an update with a syntax error is a 400 naming line and column', apiError(err, 400)
    && /line 2, column \d+/.test(err.message), brief(err));
  check('and the hook is unchanged', s.sourceCode === SCRIPT_V2 && s.status === 'success', s);
  err = await thrown(m.hooks.update({ id: hook.id }, { name: 'notify slack' }));
  check('renaming onto another hook\'s name is a 409', apiError(err, 409, 'hook_conflict'), brief(err));

  // update and delete secrets
  const rotated = await m.hooks.updateSecrets({ id: hook.id }, { API_KEY: SECRET_2 });
  ran = await runTrigger();
  check('updateSecrets answers 201 and the script sees the new value', rotated.status === 201
    && ran.user.user_metadata.key === SECRET_2, [rotated.status, ran]);
  check('getSecrets still masks it', same((await m.hooks.getSecrets({ id: hook.id })).data,
    { API_KEY: '_VALUE_NOT_SHOWN_' }));
  err = await thrown(m.hooks.updateSecrets({ id: hook.id }, { NOPE: 'x' }));
  check('updating an unknown secret is a 404', apiError(err, 404), brief(err));
  const dropped = await m.hooks.deleteSecrets({ id: hook.id }, ['API_KEY']);
  const none = await m.hooks.getSecrets({ id: hook.id });
  check('deleteSecrets answers 204 and getSecrets is empty', dropped.status === 204 && same(none.data, {}),
    [dropped.status, none.data]);
  ran = await runTrigger();
  check('after deleteSecrets the script runs with key undefined', ran.outcome === 'ok'
    && same(ran.user.user_metadata, { plan: 'pro' }), ran);
  err = await thrown(m.hooks.deleteSecrets({ id: hook.id }, ['API_KEY']));
  check('deleting a secret that is gone is a 404', apiError(err, 404), brief(err));

  // errors, and nothing stored by a refused create
  const before = (await storedAll()).map((f) => f.funcId);
  err = await thrown(m.hooks.get({ id: '000000000000000000000000' }));
  check('get of an unknown id is a 404 inexistent_hook', apiError(err, 404, 'inexistent_hook'), brief(err));
  const pipe = await native('POST', '/v1/functions', {
    funcName: 'authing-only', scene: 'PRE_REGISTER',
    sourceCode: 'async function pipe(user, context, callback) { callback(null, user, context); }',
  });
  const pipeId = pipe.body.data.funcId;
  err = await thrown(m.hooks.get({ id: pipeId }));
  check('an Authing pipeline function is not a hook', apiError(err, 404, 'inexistent_hook')
    && !(await m.hooks.getAll()).data.some((h) => h.id === pipeId), brief(err));
  await native('DELETE', `/v1/functions/${pipeId}`);
  err = await thrown(m.hooks.create({ name: '-bad-', triggerId: TRIGGER, script: NOTIFY }));
  check('a bad name is a 400', apiError(err, 400) && /name/.test(err.message), brief(err));
  err = await thrown(m.hooks.create({ name: 'with-lodash', triggerId: TRIGGER, script: NOTIFY,
    dependencies: { lodash: '3.10.1' } }));
  check('an npm dependency the package catalogue lacks is a 400 naming it', apiError(err, 400)
    && /lodash@3\.10\.1 is not in this server's package catalogue/.test(err.message), brief(err));
  err = await thrown(m.hooks.create({ name: 'broken', triggerId: TRIGGER, script: BROKEN }));
  check('a syntax error is a 400 naming line and column', apiError(err, 400)
    && /line 2, column \d+/.test(err.message), brief(err));
  err = await thrown(m.hooks.create({ name: 'notify slack', triggerId: TRIGGER, script: NOTIFY }));
  check('a duplicate name is a 409', apiError(err, 409, 'hook_conflict'), brief(err));
  err = await thrown(m.hooks.create({ name: 'wrong-trigger', triggerId: 'PRE_REGISTER', script: NOTIFY }));
  check('an Authing scene is not a trigger id (400)', apiError(err, 400) && /triggerId/.test(err.message), brief(err));
  check('the refused creates stored nothing', same((await storedAll()).map((f) => f.funcId), before));

  // the wrong client secret: the token exchange is refused, the SDK throws
  const wrongCalls = [];
  const wrong = new ManagementClient({ domain: DOMAIN, clientId: keyId, clientSecret: `${secret}x`,
    fetch: localFetch(base, wrongCalls) });
  err = await thrown(wrong.hooks.create({ name: 'intruder', triggerId: TRIGGER, script: NOTIFY }));
  check('a wrong clientSecret makes the SDK throw at the token exchange', err instanceof AuthApiError
    && err.statusCode === 401 && err.error === 'access_denied' && wrongCalls.length === 1 && wrongCalls[0].path === '/oauth/token', [brief(err), wrongCalls]);
  err = await thrown(wrong.hooks.getAll());
  check('every call of that client throws', err !== null && !wrongCalls.some((c) => c.path.startsWith('/api/v2/')),
    brief(err));
  check('and it stored nothing', same((await storedAll()).map((f) => f.funcId), before));

  // delete
  const deleted = await m.hooks.delete({ id: hook.id });
  const gone = await stored(hook.id);
  check('delete answers 204 and removes the function', deleted.status === 204 && gone.status === 404,
    [deleted.status, gone]);
  check('getAll no longer has it', same((await m.hooks.getAll()).data.map((h) => h.id), [notify.id]));
  ran = await runTrigger();
  check('the trigger no longer runs it', ran.outcome === 'ok' && ran.steps.length === 0, ran);
  err = await thrown(m.hooks.get({ id: hook.id }));
  check('get of the deleted hook is a 404 inexistent_hook', apiError(err, 404, 'inexistent_hook'), brief(err));
  err = await thrown(m.hooks.getSecrets({ id: hook.id }));
  check('its secrets are gone with it (404)', apiError(err, 404), brief(err));
  await m.hooks.delete({ id: notify.id });
  check('the native list is empty at the end', (await storedAll()).length === 0);
});
