// The console in a real browser: Debian's Chromium, headless, driven by
// playwright-core against a real `hookbox serve` (fresh data dir, port 0).
// Each step is what a person does; each result is checked in the page and,
// where it changed something, through the native API. Screenshots go to
// target/console/screenshots/ (the README shows a run's).
//
//     node console/test/browser.test.cjs /path/to/hookbox    (make console-test runs it)
'use strict';

const fs = require('node:fs');
const path = require('node:path');
const { chromium } = require('playwright-core');
const { check, main } = require('../../tests/sdk/harness');

const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
const SHOTS = path.resolve(__dirname, '..', '..', 'target', 'console', 'screenshots');
// Long enough for a compile on a loaded 2-core machine; the waits end as
// soon as the page shows the state.
const WAIT = 30_000;

const BROKEN_SYNTAX = `async function pipe(user, context, callback) {
  const domain = user.email.split('@')[1;
  callback(null, user, context);
}
`;
const GOOD = `// Adds the email domain as a claim.
async function pipe(user, context, callback) {
  const domain = user.email.split('@')[1];
  user.domain = domain;
  console.log('domain', domain);
  callback(null, user, context);
}
`;
const THROWS = `async function pipe(user, context, callback) {
  throw new Error('deploy gone wrong');
}
`;
const XSS = '<img src=x onerror="window.__xss=1">';
const HOSTILE = `async function pipe(user, context, callback) {
  console.log('${XSS}');
  callback(new Error('${XSS}'));
}
`;

async function setEditor(page, source) {
  const content = page.locator('.editor .cm-content');
  await content.click();
  await page.keyboard.press('Control+A');
  await page.keyboard.press('Delete');
  await page.keyboard.insertText(source);
}

async function shot(page, name) {
  fs.mkdirSync(SHOTS, { recursive: true });
  await page.screenshot({ path: path.join(SHOTS, `${name}.png`), fullPage: false });
}

// Polls `condition` (async) until it holds or WAIT passes.
async function until(condition) {
  const end = Date.now() + WAIT;
  while (Date.now() < end) {
    if (await condition()) return true;
    await new Promise((r) => setTimeout(r, 100));
  }
  return false;
}

async function step(name, fn) {
  try {
    await fn();
  } catch (e) {
    check(name, false, e && e.message ? e.message.split('\n').slice(0, 6).join('\n') : e);
  }
}

main(async ({ base, keyId, secret, native }) => {
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    // CI runs as root, where Chromium's own sandbox cannot start.
    args: process.getuid && process.getuid() === 0 ? ['--no-sandbox'] : [],
  });
  const context = await browser.newContext({ viewport: { width: 1360, height: 860 } });
  const page = await context.newPage();
  const pageErrors = [];
  page.on('pageerror', (e) => pageErrors.push(e.message));
  page.on('console', (m) => m.type() === 'error' && pageErrors.push(m.text()));
  await page.addInitScript(() => {
    window.__violations = [];
    document.addEventListener('securitypolicyviolation', (e) =>
      window.__violations.push(`${e.violatedDirective} ${e.blockedURI}`),
    );
  });
  const api = async (method, p, body) => (await native(method, p, body)).body.data;

  try {
    await step('the console answers with its security headers', async () => {
      const r = await fetch(`${base}/console/`);
      const csp = r.headers.get('content-security-policy') || '';
      check('GET /console/ is the page, with a strict CSP and no framing', r.status === 200
        && /script-src 'self'/.test(csp) && !/unsafe-inline|unsafe-eval/.test(csp) && /frame-ancestors 'none'/.test(csp)
        && r.headers.get('x-frame-options') === 'DENY' && r.headers.get('x-content-type-options') === 'nosniff',
      [r.status, csp, r.headers.get('x-frame-options')]);
      const again = await fetch(`${base}/console/app.js`, { headers: { 'if-none-match': r.headers.get('etag') } });
      check('an unchanged asset is revalidated, not resent', (await fetch(`${base}/console/app.js`)).headers.get('etag') !== null
        && again.status !== 500);
    });

    await step('sign in', async () => {
      await page.goto(`${base}/console`);
      await page.getByLabel('Access key id').fill(keyId);
      await page.getByLabel('Access key secret').fill('wrong-secret');
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.getByRole('alert').waitFor({ timeout: WAIT });
      check('a wrong secret is refused in the page', /invalid|unknown|wrong|denied|secret/i.test(await page.getByRole('alert').innerText()),
        await page.getByRole('alert').innerText());
      await shot(page, '01-sign-in');
      const invoke = await api('POST', '/v1/keys', { role: 'invoke' });
      await page.getByLabel('Access key id').fill(invoke.accessKeyId);
      await page.getByLabel('Access key secret').fill(invoke.accessKeySecret);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.getByText('the console needs an admin key').waitFor({ timeout: WAIT });
      check('an invoke key is refused with the reason', (await page.evaluate(() => sessionStorage.length)) === 0);
      await page.getByLabel('Access key id').fill(keyId);
      await page.getByLabel('Access key secret').fill(secret);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.getByRole('heading', { name: 'Functions' }).waitFor({ timeout: WAIT });
      const stored = await page.evaluate(() => ({ session: sessionStorage.length, local: localStorage.length, cookies: document.cookie }));
      check('signed in; the token is in this tab\'s sessionStorage only', stored.session >= 1 && stored.local === 0 && stored.cookies === '', stored);
    });

    let funcId;
    await step('create a function with a syntax error, see the marker, fix and deploy it', async () => {
      await page.getByRole('button', { name: 'New function' }).click();
      await page.locator('input[name=funcName]').fill('add domain');
      await setEditor(page, BROKEN_SYNTAX);
      const status = page.getByLabel('compile status');
      await page.locator('.editor .cm-lintRange-error').first().waitFor({ timeout: WAIT });
      await page.waitForFunction(() => /line 2/.test(document.querySelector('[aria-label="compile status"]').textContent), null, { timeout: WAIT });
      const marked = await page.locator('.editor .cm-lintRange-error').first().evaluate((el) => {
        const line = el.closest('.cm-line');
        return line ? line.textContent : '';
      });
      check('the compile error is marked on its line before saving', /split\('@'\)\[1;/.test(marked), marked);
      check('and named with its line and column', /line 2, column \d+/.test(await status.innerText()), await status.innerText());
      await shot(page, '02-syntax-error');
      const before = await api('GET', '/v1/functions');
      check('nothing was saved while editing', before.totalCount === 0, before);
      await setEditor(page, GOOD);
      await page.waitForFunction(() => document.querySelector('[aria-label="compile status"]').dataset.status === 'success', null, { timeout: WAIT });
      const convention = await page.getByLabel('convention').innerText();
      check('the convention is detected and named', /Authing pipe function/.test(convention) && /pipe\(user, context, callback\)/.test(convention), convention);
      await page.getByRole('button', { name: 'Create and deploy' }).click();
      await page.waitForURL(/#\/functions\//, { timeout: WAIT });
      funcId = decodeURIComponent(page.url().split('#/functions/')[1]);
      const f = await api('GET', `/v1/functions/${funcId}`);
      check('the function is stored, compiled and deployed', f && f.funcName === 'add domain' && f.status === 'success'
        && f.deployedVersion === 1 && f.sourceCode === GOOD && f.scene === 'PRE_REGISTER', f);
    });

    await step('test it against a user', async () => {
      await page.locator('.test .json-editor').first().waitFor({ timeout: WAIT });
      await page.getByRole('button', { name: /^Test v1$/ }).click();
      const badge = page.locator('.outcome [data-outcome]');
      await badge.waitFor({ timeout: WAIT });
      const outcome = await badge.getAttribute('data-outcome');
      const diff = await page.getByLabel('user changes').innerText();
      const lines = await page.locator('.outcome .console-lines').innerText();
      check('the test shows the outcome, the user diff and the console lines', outcome === 'ok'
        && /domain/.test(diff) && /added/.test(diff) && /example\.com/.test(diff) && /domain example\.com/.test(lines), { outcome, diff, lines });
      await shot(page, '03-test');
      const logs = await api('GET', `/v1/functions/${funcId}/logs`);
      check('a test is not logged', logs.totalCount === 0, logs);
    });

    await step('reorder a scene by keyboard and by drag and drop', async () => {
      const second = await api('POST', '/v1/functions', {
        funcName: 'second', scene: 'PRE_REGISTER', sourceCode: 'function pipe(u, c, cb) { cb(null, u, c) }',
      });
      const third = await api('POST', '/v1/functions', {
        funcName: 'third', scene: 'PRE_REGISTER', sourceCode: 'function pipe(u, c, cb) { cb(null, u, c) }',
      });
      await page.goto(`${base}/console/#/`);
      const rows = page.locator('ol.functions[data-scene="PRE_REGISTER"] li');
      await rows.nth(2).waitFor({ timeout: WAIT });
      const order = async () => (await api('GET', '/v1/functions?scene=PRE_REGISTER')).list.map((f) => f.funcId);
      check('the scene lists its functions in run order', (await rows.allInnerTexts()).map((t) => /add domain|second|third/.exec(t)[0]).join() === 'add domain,second,third');
      await rows.nth(0).focus();
      await page.keyboard.press('Alt+ArrowDown');
      await page.getByText('Saved the order of PRE_REGISTER.').waitFor({ timeout: WAIT });
      check('Alt+↓ moves a function down and saves the order', (await order()).join() === [second.funcId, funcId, third.funcId].join(), await order());
      const focused = await page.evaluate(() => document.activeElement && document.activeElement.dataset.funcId);
      check('the keyboard stays on the moved function', focused === funcId, focused);
      await rows.nth(2).dragTo(rows.nth(0));
      const dragged = [third.funcId, second.funcId, funcId].join();
      await until(async () => (await order()).join() === dragged);
      check('dragging the last function to the top saves that order', (await order()).join() === dragged, await order());
      check('and the page shows it', (await rows.nth(0).innerText()).includes('third'), await rows.allInnerTexts());
      await page.getByLabel('enable second').uncheck();
      await page.getByText('second is disabled.').waitFor({ timeout: WAIT });
      check('a function is disabled from the list', (await api('GET', `/v1/functions/${second.funcId}`)).enabled === false);
      await shot(page, '04-scenes');
    });

    await step('deploy a broken version and roll it back', async () => {
      await page.goto(`${base}/console/#/functions/${encodeURIComponent(funcId)}`);
      await page.locator('.editor .cm-content').waitFor({ timeout: WAIT });
      await setEditor(page, THROWS);
      await page.waitForFunction(() => document.querySelector('[aria-label="compile status"]').dataset.status === 'success', null, { timeout: WAIT });
      await page.getByRole('button', { name: 'Deploy', exact: true }).click();
      await page.getByText('Deployed version 2.').waitFor({ timeout: WAIT });
      const run = await api('POST', '/v1/scenes/PRE_REGISTER/run', { user: { email: 'ada@example.com' } });
      check('the broken version runs and stops the flow', run.outcome !== 'ok' && /deploy gone wrong/.test(JSON.stringify(run.error)), run);
      await page.getByRole('tab', { name: 'Versions' }).click();
      await page.locator('.diff-view .cm-mergeView').waitFor({ timeout: WAIT });
      const diff = await page.locator('.diff-view').innerText();
      check('the versions show a diff of v1 and v2', /deploy gone wrong/.test(diff) && /user\.domain = domain/.test(diff), diff.slice(0, 400));
      await shot(page, '05-versions');
      await page.getByRole('button', { name: 'Roll back' }).click();
      await page.getByText('Rolled back to version 1.').waitFor({ timeout: WAIT });
      const f = await api('GET', `/v1/functions/${funcId}`);
      const again = await api('POST', '/v1/scenes/PRE_REGISTER/run', { user: { email: 'ada@example.com' } });
      check('one click rolled back to version 1', f.deployedVersion === 1 && again.outcome === 'ok' && again.user.domain === 'example.com', [f.deployedVersion, again]);
      await page.getByLabel('gradual percent').fill('50');
      await page.locator('tr[data-version="2"]').getByRole('button', { name: 'gradual 50%' }).click();
      await page.getByText('Version 2 runs for 50% of calls beside version 1.').waitFor({ timeout: WAIT });
      const trial = await api('GET', `/v1/functions/${funcId}`);
      check('a gradual deployment starts from the versions', trial.gradual && trial.gradual.version === 2
        && trial.gradual.percent === 50 && trial.deployedVersion === 1, trial.gradual);
      await page.getByRole('button', { name: 'Stop gradual deployment' }).click();
      await page.getByText('Stopped the gradual deployment; version 1 runs.').waitFor({ timeout: WAIT });
      const stopped = await api('GET', `/v1/functions/${funcId}`);
      check('and stops there', !stopped.gradual && stopped.deployedVersion === 1, stopped.gradual);
    });

    await step('follow the logs while the scene runs, and filter them', async () => {
      await page.getByRole('tab', { name: 'Logs' }).click();
      await page.getByLabel('follow').check();
      const rows = page.locator('.log-list tr.log');
      const seen = await rows.count();
      for (let i = 0; i < 3; i++) {
        await api('POST', '/v1/scenes/PRE_REGISTER/run', { user: { email: `u${i}@example.org` } });
      }
      await page.waitForFunction((n) => document.querySelectorAll('.log-list tr.log').length >= n, seen + 3, { timeout: WAIT });
      check('new calls appear while following, newest first', (await rows.count()) >= seen + 3
        && (await rows.first().getAttribute('data-outcome')) === 'ok');
      await page.getByLabel('filter by outcome').selectOption('error');
      await page.waitForFunction(() => [...document.querySelectorAll('.log-list tr.log')].every((r) => r.dataset.outcome === 'error'), null, { timeout: WAIT });
      const errors = await rows.count();
      const stored = await api('GET', `/v1/functions/${funcId}/logs?outcome=error&limit=100`);
      check('filtering by outcome shows the error calls only', errors === stored.totalCount && errors >= 1, [errors, stored.totalCount]);
      await page.getByLabel('filter by outcome').selectOption('');
      await page.getByLabel('filter by version').selectOption('2');
      await page.waitForFunction(() => [...document.querySelectorAll('.log-list tr.log')].every((r) => /v2/.test(r.textContent)), null, { timeout: WAIT });
      await page.getByLabel('filter by version').selectOption('');
      await page.getByLabel('follow').uncheck();
      await page.getByRole('tab', { name: 'Code' }).click();
      const picker = page.getByLabel('recent inputs');
      await picker.waitFor({ timeout: WAIT });
      // The picker asks for the function's recent calls when it gets focus.
      await until(async () => {
        await picker.focus();
        return (await picker.locator('optgroup[label="recent calls"] option').count()) > 0;
      });
      const firstCall = await picker.locator('optgroup[label="recent calls"] option').first().getAttribute('value');
      await picker.selectOption(firstCall);
      const userText = await page.getByLabel('test user').innerText();
      const calls = await api('GET', `/v1/functions/${funcId}/recent-inputs`);
      check('a recent call fills the test bench with the user it was called with', calls.list.length >= 1
        && userText.includes(calls.list[0].input.user.email), [userText, calls.list[0]]);
      await page.getByRole('tab', { name: 'Logs' }).click();
      await shot(page, '06-logs');
    });

    await step('the stats show the calls of the last hour', async () => {
      await page.getByRole('tab', { name: 'Stats' }).click();
      await page.getByLabel('summary').waitFor({ timeout: WAIT });
      const stats = await api('GET', `/v1/functions/${funcId}/stats`);
      const summary = await page.getByLabel('summary').innerText();
      check('calls and errors over the hour, as the API counts them', new RegExp(`^${stats.calls} calls, ${stats.errors} errors`).test(summary)
        && stats.calls >= 5 && stats.errors >= 1 && (await page.locator('.chart canvas').count()) >= 2, [summary, stats.calls]);
      await shot(page, '07-stats');
    });

    await step('what a function prints is text, never markup', async () => {
      const hostile = await api('POST', '/v1/functions', { funcName: XSS, scene: 'PRE_REGISTER', sourceCode: HOSTILE });
      await api('POST', '/v1/scenes/PRE_REGISTER/run', { user: { email: 'x@example.com' } });
      await page.goto(`${base}/console/#/`);
      await page.getByText(XSS).first().waitFor({ timeout: WAIT });
      await page.goto(`${base}/console/#/functions/${encodeURIComponent(hostile.funcId)}`);
      await page.getByRole('tab', { name: 'Logs' }).click();
      const row = page.locator('.log-list tr.log').first();
      await row.waitFor({ timeout: WAIT });
      await row.click();
      await page.locator('.log-list .console-lines').waitFor({ timeout: WAIT });
      await page.getByRole('tab', { name: 'Code' }).click();
      await page.getByRole('button', { name: /^Test v1$/ }).click();
      await page.locator('.outcome [data-outcome]').waitFor({ timeout: WAIT });
      const result = await page.evaluate(() => ({
        xss: window.__xss,
        images: document.querySelectorAll('img').length,
        text: document.body.innerText.includes('<img src=x onerror="window.__xss=1">'),
      }));
      check('the name, console line and error render as text and run nothing', result.xss === undefined && result.images === 0 && result.text, result);
      await shot(page, '08-xss');
    });

    await step('a function handles events; an HTTP function\'s secrets rotate', async () => {
      await page.goto(`${base}/console/#/functions/${encodeURIComponent(funcId)}`);
      await page.getByRole('tab', { name: 'Settings' }).click();
      await page.locator('input[name="events"]').fill('2000, AUTH_REGISTER');
      await page.getByRole('button', { name: 'Save settings' }).click();
      await page.getByText('Saved.').waitFor({ timeout: WAIT });
      const saved = await api('GET', `/v1/functions/${funcId}`);
      check('the events it handles are saved by number', JSON.stringify(saved.events) === '[2000,2001]', saved.events);
      const hook = await api('POST', '/v1/functions', { funcName: 'crm', scene: 'events', url: 'https://crm.example/hooks', events: [2000] });
      await page.goto(`${base}/console/#/functions/${encodeURIComponent(hook.funcId)}`);
      await page.getByRole('tab', { name: 'Settings' }).click();
      page.once('dialog', (d) => d.accept());
      await page.getByRole('button', { name: 'Rotate secrets' }).click();
      const shown = page.locator('.secrets-shown');
      await shown.waitFor({ timeout: WAIT });
      const text = await shown.innerText();
      check('rotated secrets are shown once, and differ from the first', /whsec_/.test(text)
        && !text.includes(hook.webhookSecrets.signingSecret), text);
      await shot(page, '10-http-function');
    });

    await step('settings: env vars, the allow-list, keys', async () => {
      await page.goto(`${base}/console/#/settings`);
      await page.getByLabel('variable name').fill('ALLOWED_DOMAINS');
      await page.getByLabel('variable value').fill('example.com');
      await page.getByRole('button', { name: 'Set', exact: true }).click();
      await page.getByText('Set ALLOWED_DOMAINS.').waitFor({ timeout: WAIT });
      const env = await api('GET', '/v1/env');
      check('an env var is set', JSON.stringify(env).includes('"ALLOWED_DOMAINS"') && JSON.stringify(env).includes('example.com'), env);
      await page.getByLabel('allow rules').fill('api.example.com\n*.example.org');
      await page.getByRole('button', { name: 'Save allow-list' }).click();
      await page.getByText('Saved 2 rule(s)').waitFor({ timeout: WAIT });
      const allow = await api('GET', '/v1/outbound');
      check('the allow-list is saved', JSON.stringify(allow.allow) === JSON.stringify(['api.example.com', '*.example.org']), allow);
      await page.getByLabel('connection name').fill('users');
      await page.getByRole('button', { name: 'New connection' }).click();
      await page.getByText('Created users.').waitFor({ timeout: WAIT });
      const conn = page.getByLabel('connection users');
      await conn.locator('.cm-content').waitFor({ timeout: WAIT });
      await conn.locator('.cm-content').click();
      await page.keyboard.press('Control+A');
      await page.keyboard.press('Delete');
      await page.keyboard.insertText(
        'function login(email, password, callback) {\n'
        + '  if (password !== configuration.PASSWORD) return callback(new WrongUsernameOrPasswordError(email));\n'
        + '  callback(null, { user_id: email, email });\n}\n');
      await page.waitForFunction(() => document.querySelector('[aria-label="script compile status"]').dataset.status === 'success', null, { timeout: WAIT });
      await conn.getByRole('button', { name: 'Save script' }).click();
      await page.getByText('Saved the login script.').waitFor({ timeout: WAIT });
      await conn.getByLabel('configuration name').fill('PASSWORD');
      await conn.getByLabel('configuration value').fill('correct horse');
      await conn.getByRole('button', { name: 'Set' }).click();
      await page.getByText('Set PASSWORD.').waitFor({ timeout: WAIT });
      await conn.getByRole('button', { name: 'Run' }).click();
      await conn.locator('.outcome [data-outcome]').waitFor({ timeout: WAIT });
      const loggedIn = await conn.locator('.outcome').innerText();
      const stored = await api('GET', '/v1/connections/users');
      check('a database connection is made, its login script saved, configured and run there',
        /\bok\b/.test(loggedIn) && /ada@example\.com/.test(loggedIn) && /configuration\.PASSWORD/.test(stored.scripts.login)
        && JSON.stringify(stored.configuration) === '["PASSWORD"]' && !JSON.stringify(stored).includes('correct horse'),
        [loggedIn.slice(0, 200), stored]);
      await page.getByRole('button', { name: 'Create key' }).click();
      await page.locator('.created-key code').nth(1).waitFor({ timeout: WAIT });
      const newKey = await page.locator('.created-key code').nth(0).innerText();
      const newSecret = await page.locator('.created-key code').nth(1).innerText();
      const exchanged = await fetch(`${base}/api/v3/get-management-token`, {
        method: 'POST', headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ accessKeyId: newKey, accessKeySecret: newSecret }),
      });
      check('a key made in the console works', exchanged.status === 200, exchanged.status);
      await page.locator(`tr[data-key="${newKey}"]`).waitFor({ timeout: WAIT });
      page.once('dialog', (d) => d.accept());
      await page.getByLabel(`revoke ${newKey}`).click();
      await page.getByText(`Revoked ${newKey}.`).waitFor({ timeout: WAIT });
      const refused = await fetch(`${base}/api/v3/get-management-token`, {
        method: 'POST', headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ accessKeyId: newKey, accessKeySecret: newSecret }),
      });
      const keys = await api('GET', '/v1/keys');
      check('and once revoked there, it no longer signs in', refused.status === 401
        && !keys.list.some((k) => k.accessKeyId === newKey), [refused.status, keys]);
      await shot(page, '09-settings');
    });

    await step('the page broke no rule', async () => {
      const violations = await page.evaluate(() => window.__violations);
      check('no Content-Security-Policy violation', violations.length === 0, violations);
      check('no uncaught error in the page', pageErrors.filter((e) => !/status of 40[01]/.test(e)).length === 0, pageErrors);
    });

    await step('signing out forgets the token', async () => {
      await page.getByRole('button', { name: 'Sign out' }).click();
      await page.getByLabel('Access key id').waitFor({ timeout: WAIT });
      check('the token is gone', (await page.evaluate(() => sessionStorage.length)) === 0);
    });
  } finally {
    await browser.close();
  }
});
