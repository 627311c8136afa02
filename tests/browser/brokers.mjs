// Browser test of the Brokers page (/brokers) and key binding on the Keys page (with the mock:
// a key created on a connection, shown with it, and edited back to Paper).
//
// Runs after smoke.mjs against the same server (it signs in as the account smoke.mjs created):
//   KEYGATE_URL=http://127.0.0.1:5000 node brokers.mjs
// With a Binance mock exchange running (scripts/browser-test.sh starts one), also:
//   BINANCE_MOCK_URL=http://127.0.0.1:PORT BINANCE_MOCK_KEY=... BINANCE_MOCK_SECRET=...
// Without it, only the paper kind and the refusals (unreachable exchange) are tested.
// Optional: CHROMIUM (default /usr/bin/chromium), SCREENSHOT_DIR (default target/browser),
// STEP_TIMEOUT_MS (15000).
//
// Each step is one counted check; the first failure stops the run. The last line is always
// "<n> passed, <m> failed"; the exit code is 0 only when nothing failed.

import { chromium } from 'playwright-core';
import { check, describe, runSteps, shot, text, tid, within } from './harness.mjs';

const BASE = (process.env.KEYGATE_URL || '').replace(/\/+$/, '');
const STEP_TIMEOUT = Number(process.env.STEP_TIMEOUT_MS || 15000);
const MOCK_URL = process.env.BINANCE_MOCK_URL || '';
const MOCK_KEY = process.env.BINANCE_MOCK_KEY || '';
const MOCK_SECRET = process.env.BINANCE_MOCK_SECRET || '';
const MOCK_WITHDRAW_KEY = process.env.BINANCE_MOCK_WITHDRAW_KEY || '';
const USERNAME = 'smoke-admin';
const PASSWORD = 'smoke-test-password-1234';
// Nothing listens on port 9 (discard): the exchange is unreachable.
const UNREACHABLE = 'http://127.0.0.1:9';
const SECRET = 'browser-test-exchange-secret-never-shown-0123456789';

const tally = { passed: 0, failed: 0 };
const problems = [];

function finish(code) {
  console.log(`${tally.passed} passed, ${tally.failed} failed`);
  process.exit(code);
}

if (!/^https?:\/\/[^/]+/.test(BASE)) {
  console.log('FAIL KEYGATE_URL must be set to the server, e.g. KEYGATE_URL=http://127.0.0.1:5000');
  tally.failed = 1;
  finish(2);
}

/** The table row of the connection labelled `label`. */
function row(page, label) {
  return page.locator(tid('broker-row')).filter({
    has: page.locator(tid('broker-label'), { hasText: new RegExp(`^${label}$`) }),
  });
}

/** Fills and sends the add form. `base` is null (production), 'testnet' or a URL. */
async function add(page, { paper = false, label, base = null, key = '', secret = '' }) {
  await page.locator('#broker-kind').selectOption(paper ? 'paper' : 'binance_spot');
  await page.locator('#broker-label').fill(label);
  if (!paper) {
    await page.locator('#broker-endpoint').selectOption(base === null ? 'production' : base === 'testnet' ? 'testnet' : 'custom');
    if (base !== null && base !== 'testnet') await page.locator('#broker-base-url').fill(base);
    await page.locator('#broker-api-key').fill(key);
    await page.locator('#broker-api-secret').fill(secret);
  }
  await page.locator(tid('add-broker-submit')).click();
}

/** Waits until the add form is idle again (the server answered). */
async function settled(page) {
  await page.waitForFunction(
    (sel) => !document.querySelector(sel)?.disabled,
    tid('add-broker-submit'),
  );
}

/** Session API call from the page (with the CSRF token); returns [status, body]. */
async function api(page, method, path, body) {
  return page.evaluate(async ({ method, path, body }) => {
    const session = await (await fetch('/api/auth/session')).json();
    const response = await fetch(path, {
      method,
      headers: { 'Content-Type': 'application/json', 'X-CSRF-Token': session.csrf_token },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const answer = await response.text();
    return [response.status, answer ? JSON.parse(answer) : null];
  }, { method, path, body });
}

async function main() {
  const browser = await within(
    STEP_TIMEOUT * 2,
    chromium.launch({
      executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
      args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
        '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    }),
    'launching chromium',
  );
  try {
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    const page = await context.newPage();
    page.setDefaultTimeout(STEP_TIMEOUT);
    page.setDefaultNavigationTimeout(STEP_TIMEOUT);
    page.on('console', (msg) => {
      if (msg.type() === 'error' && !/Failed to load resource/.test(msg.text())) {
        problems.push(`console: ${msg.text()}`);
      }
    });
    page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
    const sent = [];
    page.on('request', (request) => sent.push(request.url()));
    const suffix = Date.now().toString(36);
    const paper = `paper-${suffix}`;
    const steps = [
      ['sign in; the nav link opens the Brokers page', async () => {
        await page.goto(`${BASE}/login`);
        await page.locator('#login-username').fill(USERNAME);
        await page.locator('#login-password').fill(PASSWORD);
        await page.locator(tid('login-submit')).click();
        await page.locator(tid('keys-page')).waitFor();
        await page.locator(tid('nav-brokers')).click();
        await page.locator(tid('brokers-page')).waitFor();
        check(new URL(page.url()).pathname === '/brokers', `the URL is ${page.url()}`);
        await page.locator(`${tid('brokers-empty')}, ${tid('brokers-table')}`).first().waitFor();
      }],
      ['a paper connection is added without credentials and shows as unchecked', async () => {
        await add(page, { paper: true, label: paper });
        await row(page, paper).waitFor();
        check(await page.locator('#broker-api-key').count() === 0, 'the paper kind still asks for an API key');
        check(/unchecked/.test(await row(page, paper).locator(tid('broker-status')).textContent()), 'status is not unchecked');
      }],
      ['an unreachable exchange is refused in the server\'s words, nothing is stored and the secret is gone from the form', async () => {
        const before = await page.locator(tid('broker-row')).count();
        await add(page, { label: `down-${suffix}`, base: UNREACHABLE, key: 'abcdEFGHijklMNOPqrst', secret: SECRET });
        await page.locator(tid('add-broker-error')).waitFor();
        await settled(page);
        const [, list] = await api(page, 'GET', '/api/brokers');
        const message = await text(page, 'add-broker-error');
        check(message.length > 10 && !/Something went wrong/.test(message), `the error is: ${message}`);
        check(await page.locator(tid('broker-row')).count() === before, 'a row was added');
        check(!list.some((c) => c.label === `down-${suffix}`), 'the server stored the connection');
        check(await page.locator('#broker-api-secret').inputValue() === '', 'the secret stays in the form');
        check(await page.locator('#broker-api-key').inputValue() === '', 'the API key stays in the form');
        const html = await page.content();
        const stored = await page.evaluate(() => JSON.stringify({ ...localStorage, ...sessionStorage }));
        check(!html.includes(SECRET) && !stored.includes(SECRET), 'the secret is still in the page or storage');
        check(!sent.some((url) => url.includes(SECRET) || url.includes('abcdEFGH')), 'a credential went into a URL');
        await shot(page, 'brokers-refused');
      }],
      ...(MOCK_URL ? [
        ['credentials the exchange rejects are refused with its reason', async () => {
          await add(page, { label: `bad-${suffix}`, base: MOCK_URL, key: 'not-a-key-the-exchange-knows', secret: SECRET });
          await page.locator(tid('add-broker-error')).waitFor();
          await settled(page);
          check(await row(page, `bad-${suffix}`).count() === 0, 'a refused connection is listed');
        }],
        ['a key that may withdraw is refused, saying so', async () => {
          await add(page, { label: `withdraw-${suffix}`, base: MOCK_URL, key: MOCK_WITHDRAW_KEY, secret: MOCK_SECRET });
          await page.locator(tid('add-broker-error')).waitFor();
          await settled(page);
          check(/withdraw/i.test(await text(page, 'add-broker-error')), `the refusal is: ${await text(page, 'add-broker-error')}`);
          check(await row(page, `withdraw-${suffix}`).count() === 0, 'the refused connection is listed');
        }],
        ['valid spot-only credentials on the mock exchange are stored masked and valid', async () => {
          await add(page, { label: `mock-${suffix}`, base: MOCK_URL, key: MOCK_KEY, secret: MOCK_SECRET });
          await row(page, `mock-${suffix}`).waitFor();
          const r = row(page, `mock-${suffix}`);
          const masked = ((await r.locator(tid('broker-masked-key')).textContent()) || '').trim();
          check(masked.startsWith(MOCK_KEY.slice(0, 4)) && masked.endsWith(MOCK_KEY.slice(-4)) && masked !== MOCK_KEY, `the key shows as ${masked}`);
          check(/valid/.test(await r.locator(tid('broker-status')).textContent()), 'status is not valid');
          check(/spot/.test(await r.textContent()), 'the spot permission is not shown');
          check(!(await page.content()).includes(MOCK_SECRET), 'the secret is in the page');
        }],
        ['re-check asks the exchange again', async () => {
          const r = row(page, `mock-${suffix}`);
          await r.locator(tid('broker-check')).click();
          await page.waitForFunction((sel) => !document.querySelector(sel)?.disabled, tid('broker-check'));
          const refused = await page.locator(tid('broker-action-error')).count();
          check(refused === 0, refused ? await text(page, 'broker-action-error') : '');
          check(/valid/.test(await r.locator(tid('broker-status')).textContent()), 'status is not valid after the check');
        }],
        ['a key created on the Keys page with the mock connection shows it; edited back to Paper it shows Paper', async () => {
          const name = `bound-ui-${suffix}`;
          const keyRow = () => page.locator(`${tid('key-row')}[data-key-name="${name}"]`);
          await page.locator(tid('nav-keys')).click();
          await page.locator(tid('keys-page')).waitFor();
          const option = `mock-${suffix} (Binance spot)`;
          await page.locator(`#key-broker option`, { hasText: option }).waitFor({ state: 'attached' });
          check(await page.locator('#key-broker').inputValue() === '', 'the create form does not default to Paper');
          await page.locator('#key-name').fill(name);
          await page.locator('#key-broker').selectOption({ label: option });
          await page.locator(tid('create-key-submit')).click();
          await page.locator(tid('new-key-dialog')).waitFor();
          await page.locator(tid('new-key-close')).click();
          await keyRow().waitFor();
          check((await keyRow().locator(tid('key-broker')).textContent()).trim() === option,
            `the row shows ${await keyRow().locator(tid('key-broker')).textContent()}`);
          const [, keys] = await api(page, 'GET', '/api/keys');
          const made = keys.find((k) => k.name === name);
          check(made?.broker_connection?.label === `mock-${suffix}`, `the server has ${JSON.stringify(made?.broker_connection)}`);
          await shot(page, 'keys-bound');
          await keyRow().locator(tid('key-edit')).click();
          await page.locator(tid('edit-dialog')).waitFor();
          check(await page.locator('#edit-broker').inputValue() === String(made.broker_connection.id), 'the edit dialog does not show the binding');
          await shot(page, 'keys-edit-broker');
          await page.locator('#edit-broker').selectOption('');
          await page.locator(tid('edit-save')).click();
          await page.locator(tid('edit-dialog')).waitFor({ state: 'detached' });
          await page.waitForFunction((sel) => document.querySelector(sel)?.textContent.trim() === 'Paper',
            `${tid('key-row')}[data-key-name="${name}"] ${tid('key-broker')}`);
          await page.locator(tid('nav-brokers')).click();
          await page.locator(tid('brokers-page')).waitFor();
          await row(page, paper).waitFor();
        }],
      ] : []),
      ['relabel renames the connection', async () => {
        await row(page, paper).locator(tid('broker-relabel')).click();
        await page.locator('#broker-relabel').fill(`${paper}-renamed`);
        await page.locator(tid('relabel-form')).locator('button[type=submit]').click();
        await row(page, `${paper}-renamed`).waitFor();
      }],
      ['deleting a connection a key is bound to is refused with the key named; once unbound it goes', async () => {
        const [, list] = await api(page, 'GET', '/api/brokers');
        const connection = list.find((c) => c.label === `${paper}-renamed`);
        const [status, created] = await api(page, 'POST', '/api/keys', {
          name: `bound-${suffix}`, scopes: ['trade'], broker_connection_id: connection.id,
        });
        const binding = status !== 400 || !/broker_connection_id/.test(created.message);
        if (binding) {
          check(status === 201, `creating a bound key answered ${status}: ${JSON.stringify(created)}`);
          await page.reload();
          await row(page, `${paper}-renamed`).locator(tid('broker-delete')).click();
          await page.locator(tid('broker-action-error')).waitFor();
          check((await text(page, 'broker-action-error')).includes(`bound-${suffix}`), `the refusal does not name the key: ${await text(page, 'broker-action-error')}`);
          await shot(page, 'brokers-bound');
          const [unbound] = await api(page, 'PATCH', `/api/keys/${created.key.id}`, { broker_connection_id: null });
          check(unbound < 300, `unbinding answered ${unbound}`);
        } else {
          console.log('     (this server cannot bind keys yet: only the plain delete is tested)');
        }
        await shot(page, 'brokers');
        await row(page, `${paper}-renamed`).locator(tid('broker-delete')).click();
        await page.waitForFunction((label) => ![...document.querySelectorAll('[data-testid="broker-label"]')]
          .some((el) => el.textContent.trim() === label), `${paper}-renamed`);
      }],
      ['the page reads at 390 px wide', async () => {
        await page.setViewportSize({ width: 390, height: 844 });
        await page.reload();
        await page.locator(tid('brokers-page')).waitFor();
        await page.locator(`${tid('brokers-empty')}, ${tid('brokers-table')}`).first().waitFor();
        await shot(page, 'brokers-narrow');
        await page.setViewportSize({ width: 1280, height: 800 });
        check(problems.length === 0, problems.join('\n'));
      }],
    ];
    await runSteps(page, steps, 'brokers', problems, tally);
  } finally {
    await within(STEP_TIMEOUT, browser.close(), 'closing chromium').catch(() => {});
  }
}

main().then(
  () => finish(tally.failed === 0 ? 0 : 1),
  (error) => {
    tally.failed += 1;
    console.log(`FAIL ${describe(error)}`);
    finish(1);
  },
);
