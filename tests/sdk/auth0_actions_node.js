// The real Auth0 node SDK (`auth0` 4.37.0, `ManagementClient().actions`)
// drives hookbox's Auth0 Management API v2 Actions front: create an Action,
// deploy it, bind it to post-login, update and deploy a broken version,
// roll back, all through the SDK, and after every step check through
// hookbox's native API which version the post-login scene runs. While the
// broken version is deployed and rolled back, the scene runs without pause:
// every call must have run the good or the broken version, never failed on
// hookbox's own account.
//
//     node tests/sdk/auth0_actions_node.js /path/to/hookbox     (make sdk-test runs it)
'use strict';

const { ManagementClient, ManagementApiError } = require('auth0');
const { isDeepStrictEqual } = require('node:util');
const { brief, check, localFetch, main, sleep, thrown } = require('./harness');

const DOMAIN = 'hookbox.test';
const TRIGGER = 'post-login';
const GOOD = `exports.onExecutePostLogin = async (event, api) => {
  api.idToken.setCustomClaim('https://example.com/plan', 'v1:' + event.secrets.API_KEY);
};`;
const BROKEN = `exports.onExecutePostLogin = async (event, api) => {
  throw new Error('version two is broken');
};`;
const SYNTAX = 'exports.onExecutePostLogin = async (event, api) => {\n  const = 1;\n};';
const same = isDeepStrictEqual;

const apiError = (e, status) => e instanceof ManagementApiError && e.statusCode === status;

main(async ({ base, keyId, secret, native }) => {
  const m = new ManagementClient({ domain: DOMAIN, clientId: keyId, clientSecret: secret, fetch: localFetch(base) });
  const stored = async (id) => (await native('GET', `/v1/functions/${id}`)).body.data;
  const login = async (userId = 'auth0|1') =>
    native('POST', `/v1/scenes/${TRIGGER}/run`, { user: { user_id: userId, email: 'ada@example.com' }, context: {} });
  // What one post-login run shows: 'v1' (the good version ran), 'broken'
  // (the broken one ran and threw), 'none' (no Action ran), or the answer.
  const ran = (answer) => {
    const data = answer.body && answer.body.data;
    if (answer.status !== 200 || !data) return answer;
    const claim = data.tokens && data.tokens.idToken && data.tokens.idToken['https://example.com/plan'];
    if (data.outcome === 'ok' && claim === 'v1:k-123456') return 'v1';
    if (data.outcome === 'ok' && data.steps.length === 0) return 'none';
    if (data.outcome === 'error' && /version two is broken/.test(JSON.stringify(data.error))) return 'broken';
    return answer;
  };

  // Create: saved, not deployed, not bound.
  const created = await m.actions.create({
    name: 'add-plan', supported_triggers: [{ id: TRIGGER, version: 'v3' }], code: GOOD,
    secrets: [{ name: 'API_KEY', value: 'k-123456' }],
  });
  const action = created.data;
  check('create answers 201 with the Action, not deployed', created.status === 201 && action.name === 'add-plan'
    && action.code === GOOD && action.deployed_version === undefined && action.all_changes_deployed === false
    && same(action.supported_triggers, [{ id: TRIGGER, version: 'v3' }]) && same(action.secrets, [{ name: 'API_KEY' }])
    && action.runtime === 'node20', created);
  let fn = await stored(action.id);
  check('natively: a function of the post-login scene, no deployed version, not enabled', fn.scene === TRIGGER
    && fn.deployedVersion === 0 && fn.latestVersion === 1 && fn.enabled === false && fn.action === true, fn);
  check('it does not run before it is deployed and bound', ran(await login()) === 'none');
  let err = await thrown(m.actions.updateTriggerBindings({ triggerId: TRIGGER },
    { bindings: [{ ref: { type: 'action_id', value: action.id }, display_name: 'add-plan' }] }));
  check('binding an Action that was never deployed is a 400', apiError(err, 400) && /deploy it before binding/.test(err.message), brief(err));
  err = await thrown(m.hooks.get({ id: action.id }));
  check('an Action is not a hook', apiError(err, 404), brief(err));

  // Deploy: version 1 deployed; still not bound.
  const deployed = await m.actions.deploy({ id: action.id });
  const v1 = deployed.data;
  check('deploy answers 202 with version 1, deployed', deployed.status === 202 && v1.number === 1 && v1.deployed === true
    && v1.action_id === action.id && v1.code === GOOD && v1.status === 'built', deployed);
  fn = await stored(action.id);
  check('natively: version 1 deployed, still not enabled', fn.deployedVersion === 1 && fn.enabled === false, fn);
  check('deployed but unbound, it does not run', ran(await login()) === 'none');

  // Bind to post-login.
  const bound = await m.actions.updateTriggerBindings({ triggerId: TRIGGER },
    { bindings: [{ ref: { type: 'action_name', value: 'add-plan' }, display_name: 'add-plan' }] });
  check('binding by name answers the bindings', bound.status === 200 && bound.data.bindings.length === 1
    && bound.data.bindings[0].action.id === action.id && bound.data.bindings[0].trigger_id === TRIGGER, bound.data);
  const listed = await m.actions.getTriggerBindings({ triggerId: TRIGGER });
  check('getTriggerBindings lists it', listed.data.bindings.map((b) => b.action.id).join() === action.id, listed.data);
  fn = await stored(action.id);
  check('natively: enabled', fn.enabled === true, fn);
  const firstRun = await login();
  check('the scene runs version 1', ran(firstRun) === 'v1', firstRun);
  // The run's request id is its execution id, once its log batch is written.
  let execution = null;
  for (let i = 0; i < 100 && !execution; i += 1) {
    execution = await m.actions.getExecution({ id: firstRun.body.requestId }).catch(() => null);
    if (!execution) await sleep(100);
  }
  check('getExecution answers the run: the Action ran without an error', execution && execution.data.id === firstRun.body.requestId
    && execution.data.trigger_id === TRIGGER && execution.data.results.length === 1
    && execution.data.results[0].action_name === 'add-plan' && execution.data.results[0].error === null,
  execution && execution.data);
  const err404 = await thrown(m.actions.getExecution({ id: 'no-such-run' }));
  check('an unknown execution is a 404', apiError(err404, 404), brief(err404));

  // Update: a draft; the scene still runs version 1.
  err = await thrown(m.actions.update({ id: action.id }, { code: SYNTAX }));
  check('a draft that does not compile is a 400 naming line and column', apiError(err, 400)
    && /line 2, column \d+/.test(err.message), brief(err));
  // Secrets travel with versions: the draft gets a new value and a new
  // secret; the deployed version keeps its own.
  const updated = await m.actions.update({ id: action.id }, { code: BROKEN,
    secrets: [{ name: 'API_KEY', value: 'k-draft' }, { name: 'EXTRA', value: 'e-1' }] });
  check('update answers the Action with the draft, not all deployed', updated.data.code === BROKEN
    && updated.data.all_changes_deployed === false && updated.data.deployed_version.number === 1
    && same(updated.data.secrets, [{ name: 'API_KEY' }, { name: 'EXTRA' }])
    && same(updated.data.deployed_version.secrets, [{ name: 'API_KEY' }]), updated.data);
  fn = await stored(action.id);
  check('natively: version 2 saved, version 1 still deployed', fn.latestVersion === 2 && fn.deployedVersion === 1, fn);
  check('the scene still runs version 1', ran(await login()) === 'v1');
  const tested = await m.actions.test({ id: action.id }, { payload: { user: { user_id: 'auth0|t' } } });
  check('test runs the draft without deploying it', /version two is broken/.test(JSON.stringify(tested.data.payload))
    && ran(await login()) === 'v1', tested.data);

  // Deploy the broken version and roll it back while logins keep coming.
  const seen = { v1: 0, broken: 0, other: [] };
  let stop = false;
  const loop = async (n) => {
    for (let i = 0; !stop; i += 1) {
      const r = ran(await login(`auth0|${n}-${i}`));
      if (r === 'v1' || r === 'broken') seen[r] += 1;
      else seen.other.push(r);
    }
  };
  const loops = [0, 1, 2, 3].map(loop);
  const broken = await m.actions.deploy({ id: action.id });
  check('the broken version deploys (it compiles)', broken.data.number === 2 && broken.data.deployed === true, broken.data);
  fn = await stored(action.id);
  check('natively: version 2 deployed', fn.deployedVersion === 2, fn);
  const beforeRollback = ran(await login());
  check('the scene runs version 2 and fails on its own error', beforeRollback === 'broken', beforeRollback);
  const versions = await m.actions.getVersions({ actionId: action.id });
  const first = versions.data.versions.find((v) => v.number === 1);
  check('getVersions lists both, newest first, version 2 deployed', same(versions.data.versions.map((v) => [v.number, v.deployed]),
    [[2, true], [1, false]]) && versions.data.total === 2, versions.data);
  const one = await m.actions.getVersion({ actionId: action.id, id: first.id });
  check('getVersion answers version 1 with its code', one.data.number === 1 && one.data.code === GOOD, one.data);
  const rolled = await m.actions.deployVersion({ actionId: action.id, id: first.id }, {});
  check('the rollback is a new version 3, a copy of version 1 with its secrets, deployed', rolled.status === 202
    && rolled.data.number === 3 && rolled.data.code === GOOD && rolled.data.deployed === true
    && same(rolled.data.secrets, [{ name: 'API_KEY' }]), rolled.data);
  fn = await stored(action.id);
  check('natively: version 3 deployed, running version 1\'s code', fn.deployedVersion === 3 && fn.sourceCode === GOOD, fn);
  const afterRollback = ran(await login());
  check('the scene runs the good code again, with version 1\'s secret value', afterRollback === 'v1', afterRollback);
  stop = true;
  await Promise.all(loops);
  check('under load, every call ran the good or the broken version, none failed on hookbox\'s account',
    seen.other.length === 0 && seen.v1 > 0 && seen.broken > 0, { v1: seen.v1, broken: seen.broken, other: seen.other.slice(0, 3) });

  // Lists, triggers, deletes.
  const all = await m.actions.getAll({ triggerId: TRIGGER, deployed: true });
  check('getAll filters by trigger and deployed', all.data.total === 1 && all.data.actions[0].id === action.id
    && all.data.actions[0].deployed_version.number === 3, all.data);
  const triggers = await m.actions.getAllTriggers();
  check('getAllTriggers lists post-login at v3', triggers.data.triggers.some((t) => t.id === TRIGGER && t.version === 'v3'),
    triggers.data);
  err = await thrown(m.actions.delete({ id: action.id }));
  check('a bound Action is not deleted without force', apiError(err, 400), brief(err));
  check('and still runs', ran(await login()) === 'v1');
  const del = await m.actions.delete({ id: action.id, force: true });
  check('delete with force answers 204', del.status === 204);
  check('natively it is gone, and the scene runs nothing', (await native('GET', `/v1/functions/${action.id}`)).status === 404
    && ran(await login()) === 'none');
  err = await thrown(m.actions.get({ id: action.id }));
  check('get of the deleted Action is a 404', apiError(err, 404), brief(err));
});
