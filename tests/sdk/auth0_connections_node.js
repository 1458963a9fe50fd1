// The real Auth0 node SDK (`auth0` 4.37.0, `ManagementClient().connections`)
// drives hookbox's Auth0 Management API v2 connections front with a custom
// database connection: create it with scripts and configuration, update its
// scripts (a broken one refused), read its configuration back sealed, and
// delete it, all through the SDK; after every step, hookbox's native API
// runs the connection's scripts to check what runs.
//
//     node tests/sdk/auth0_connections_node.js /path/to/hookbox     (make sdk-test runs it)
'use strict';

const { ManagementClient, ManagementApiError } = require('auth0');
const { isDeepStrictEqual } = require('node:util');
const { brief, check, localFetch, main, thrown } = require('./harness');

const DOMAIN = 'hookbox.test';
const SEALED = '[sealed by hookbox]';
const PASSWORD = 'db-pass-0123456789';
// The script holds the value reversed, so that the value itself appears in
// no answer unless hookbox leaks it.
const LOGIN_V1 = `function login(email, password, callback) {
  if (password !== 'correct horse') return callback(new WrongUsernameOrPasswordError(email));
  callback(null, { user_id: 'legacy|' + email, email: email, v: 1, configured: configuration.DB_PASS === '${[...PASSWORD].reverse().join('')}'.split('').reverse().join('') });
}`;
const LOGIN_V2 = LOGIN_V1.replace('v: 1', 'v: 2');
const GET_USER = `function getByEmail(email, callback) {
  callback(null, { user_id: 'legacy|' + email, email: email });
}`;
const BROKEN = 'function login(email, password, callback) {\n  const = 1;\n}';
const same = isDeepStrictEqual;

const apiError = (e, status) => e instanceof ManagementApiError && e.statusCode === status;

main(async ({ base, keyId, secret, native }) => {
  const m = new ManagementClient({ domain: DOMAIN, clientId: keyId, clientSecret: secret, fetch: localFetch(base) });
  const stored = async () => native('GET', '/v1/connections/legacy-db');
  const login = async (password = 'correct horse') =>
    (await native('POST', '/v1/connections/legacy-db/scripts/login/run', { args: ['ada@example.com', password] })).body.data;

  const created = await m.connections.create({
    name: 'legacy-db', strategy: 'auth0',
    options: { enabledDatabaseCustomization: true, customScripts: { login: LOGIN_V1, get_user: GET_USER },
      configuration: { DB_PASS: PASSWORD } },
  });
  const conn = created.data;
  check('create answers 201 with the connection, its configuration sealed', created.status === 201
    && /^con_[0-9a-f]{16}$/.test(conn.id) && conn.name === 'legacy-db' && conn.strategy === 'auth0'
    && same(conn.options.customScripts, { login: LOGIN_V1, get_user: GET_USER })
    && same(conn.options.configuration, { DB_PASS: SEALED }) && conn.options.enabledDatabaseCustomization === true
    && !JSON.stringify(conn).includes(PASSWORD), conn);
  let nat = await stored();
  check('natively: the same scripts and configuration names', nat.status === 200
    && same(nat.body.data.scripts, { login: LOGIN_V1, get_user: GET_USER })
    && same(nat.body.data.configuration, ['DB_PASS']), nat.body);
  let ran = await login();
  check('its login script runs version 1 with the configuration', ran.outcome === 'ok'
    && same(ran.result, { user_id: 'legacy|ada@example.com', email: 'ada@example.com', v: 1, configured: true }), ran);
  ran = await login('wrong');
  check('a wrong password is the script\'s own error', ran.outcome === 'error' && /WrongUsernameOrPasswordError/.test(JSON.stringify(ran.error)), ran);

  const got = await m.connections.get({ id: conn.id });
  check('get reads it back, configuration sealed', same(got.data, conn), got.data);
  const all = await m.connections.getAll({ strategy: ['auth0'], include_totals: true });
  check('getAll with totals lists it', all.data.total === 1 && all.data.connections[0].id === conn.id, all.data);
  const byName = await m.connections.getAll({ name: 'legacy-db' });
  check('getAll by name finds it', byName.data.length === 1 && byName.data[0].id === conn.id, byName.data);

  let err = await thrown(m.connections.update({ id: conn.id },
    { options: { enabledDatabaseCustomization: true, customScripts: { login: BROKEN, get_user: GET_USER } } }));
  check('a script that does not compile is a 400 naming the script, line and column', apiError(err, 400)
    && /options\.customScripts\.login/.test(err.message) && /line 2, column \d+/.test(err.message), brief(err));
  ran = await login();
  check('and version 1 still runs', ran.outcome === 'ok' && ran.result.v === 1, ran);

  // The options read back, with login changed, sent whole: the sealed
  // marker keeps the configuration value.
  const options = { ...got.data.options, customScripts: { ...got.data.options.customScripts, login: LOGIN_V2 } };
  const updated = await m.connections.update({ id: conn.id }, { options });
  check('update answers the connection with the new script', updated.status === 200
    && updated.data.options.customScripts.login === LOGIN_V2, updated.data);
  ran = await login();
  check('the next login runs version 2, the sealed value kept', ran.outcome === 'ok' && ran.result.v === 2
    && ran.result.configured === true, ran);

  // A bad deploy and its rollback: a login script that compiles but throws
  // runs at once; sending the previous options back restores version 2.
  const throwing = { ...options, customScripts: { ...options.customScripts,
    login: 'function login(email, password, callback) { throw new Error("login v3 is broken"); }' } };
  await m.connections.update({ id: conn.id }, { options: throwing });
  ran = await login();
  check('the broken script runs and fails on its own error', ran.outcome === 'error'
    && /login v3 is broken/.test(JSON.stringify(ran.error)), ran);
  await m.connections.update({ id: conn.id }, { options });
  ran = await login();
  check('rolled back through the SDK, version 2 runs again with its configuration', ran.outcome === 'ok'
    && ran.result.v === 2 && ran.result.configured === true, ran);

  // options replace the options whole: get_user and the configuration go.
  const replaced = await m.connections.update({ id: conn.id },
    { options: { enabledDatabaseCustomization: true, customScripts: { login: LOGIN_V2 } } });
  nat = await stored();
  check('options replace the scripts and configuration whole', same(Object.keys(replaced.data.options.customScripts), ['login'])
    && replaced.data.options.configuration === undefined && same(nat.body.data.scripts, { login: LOGIN_V2 })
    && same(nat.body.data.configuration, []), [replaced.data, nat.body]);
  ran = await login();
  check('without its configuration the script sees none', ran.outcome === 'ok' && ran.result.configured === false, ran);

  err = await thrown(m.connections.create({ name: 'legacy-db', strategy: 'auth0',
    options: { enabledDatabaseCustomization: true, customScripts: { login: LOGIN_V1 } } }));
  check('a taken name is a 409', apiError(err, 409), brief(err));
  err = await thrown(m.connections.create({ name: 'google', strategy: 'google-oauth2' }));
  check('another strategy is a 400 naming strategy', apiError(err, 400) && /^strategy: /.test(err.message), brief(err));
  err = await thrown(m.connections.create({ name: 'other-db', strategy: 'auth0',
    options: { enabledDatabaseCustomization: true, passwordPolicy: 'good' } }));
  check('an option hookbox does not keep is a 400 naming it', apiError(err, 400) && /options\.passwordPolicy/.test(err.message), brief(err));
  err = await thrown(m.connections.update({ id: conn.id }, { options: { configuration: { NEW: SEALED } } }));
  check('a sealed marker for a value never stored is a 400', apiError(err, 400), brief(err));

  const del = await m.connections.delete({ id: conn.id });
  nat = await stored();
  check('delete answers 202 and the connection is gone', del.status === 202 && nat.status === 404, [del.status, nat]);
  err = await thrown(m.connections.get({ id: conn.id }));
  check('get of the deleted connection is a 404', apiError(err, 404), brief(err));
});
