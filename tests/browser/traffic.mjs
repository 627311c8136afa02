// Browser test of the Traffic Logs page (/traffic).
//
// Needs a FRESH keygate server (no account yet) serving the built SPA:
//   KEYGATE_URL=http://127.0.0.1:5000 node traffic.mjs
// Optional: CHROMIUM (default /usr/bin/chromium), SCREENSHOT_DIR (default target/browser),
// STEP_TIMEOUT_MS (15000).
//
// Proves: a call made with a key appears in the log and the key filter finds exactly that key's
// calls; the CSV export downloads exactly the rows the filtered table shows; an admin bans an IP
// and lifts the ban. Each step is one counted check; the first failure stops the run. The last
// line is always "<n> passed, <m> failed"; the exit code is 0 only when nothing failed.

import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { check, describe, tid, within } from './harness.mjs';

const BASE = (process.env.KEYGATE_URL || '').replace(/\/+$/, '');
const STEP_TIMEOUT = Number(process.env.STEP_TIMEOUT_MS || 15000);
const SHOTS = process.env.SCREENSHOT_DIR || 'target/browser';
const USERNAME = 'traffic-admin';
const PASSWORD = 'traffic-test-password-1234';
const BANNED_IP = '203.0.113.9';


let passed = 0;
let failed = 0;
const problems = [];

function finish(code) {
  console.log(`${passed} passed, ${failed} failed`);
  process.exit(code);
}

if (!/^https?:\/\/[^/]+/.test(BASE)) {
  console.log('FAIL KEYGATE_URL must be set to the server, e.g. KEYGATE_URL=http://127.0.0.1:5000');
  failed = 1;
  finish(2);
}



async function step(name, body) {
  const started = Date.now();
  try {
    await within(STEP_TIMEOUT * 2, body(), name);
    passed += 1;
    console.log(`ok   ${name} (${Date.now() - started} ms)`);
    return true;
  } catch (error) {
    failed += 1;
    console.log(`FAIL ${name}\n     ${describe(error).split('\n').join('\n     ')}`);
    return false;
  }
}


/** Calls `/api/v1/ping` with `key` in the header; returns [status, X-Request-Id]. */
async function ping(key) {
  const response = await fetch(`${BASE}/api/v1/ping`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', 'X-API-KEY': key },
    body: '{}',
  });
  await response.text();
  return [response.status, response.headers.get('x-request-id')];
}

/** The request ids of the table's rows. */
async function tableIds(page) {
  return page.locator(tid('traffic-row')).evaluateAll((rows) => rows.map((r) => r.dataset.requestId));
}

/** Clicks Reload until every id in `ids` is in the table (the log is written every 200 ms). */
// Until the table shows every row of `ids` and none of `absent` (the previous answer stays on
// screen while a new filter loads, so a filter is only in effect once excluded rows are gone).
async function reloadUntilShown(page, ids, absent = []) {
  const deadline = Date.now() + STEP_TIMEOUT;
  for (;;) {
    await page.locator(`${tid('traffic-table')}, ${tid('traffic-empty')}`).first().waitFor();
    const shown = await tableIds(page);
    if (ids.every((id) => shown.includes(id)) && !absent.some((id) => shown.includes(id))) return shown;
    if (Date.now() > deadline) throw new Error(`rows ${ids.join(', ')} not shown; table has ${shown.join(', ')}`);
    await page.waitForTimeout(300);
    await page.locator(tid('reload')).click();
  }
}

async function shot(page, name) {
  const path = join(SHOTS, name);
  await page.screenshot({ path, fullPage: true, timeout: STEP_TIMEOUT });
  console.log(`     screenshot: ${path}`);
}

async function main() {
  mkdirSync(SHOTS, { recursive: true });
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
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, acceptDownloads: true });
    const page = await context.newPage();
    page.setDefaultTimeout(STEP_TIMEOUT);
    page.setDefaultNavigationTimeout(STEP_TIMEOUT);
    page.on('console', (msg) => {
      if (msg.type() === 'error') problems.push(`console: ${msg.text()}`);
    });
    page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));

    const keys = {};
    const calls = { alpha: [], beta: [] };
    let shownForAlpha = [];
    const steps = [
      ['setup creates the admin, who makes two keys', async () => {
        await page.goto(`${BASE}/`);
        await page.locator(tid('setup-form')).waitFor();
        await page.locator('#setup-username').fill(USERNAME);
        await page.locator('#setup-password').fill(PASSWORD);
        await page.locator('#setup-confirm').fill(PASSWORD);
        await page.locator(tid('setup-submit')).click();
        await page.locator(tid('keys-page')).waitFor();
        for (const name of ['alpha', 'beta']) {
          const created = await page.evaluate(async (keyName) => {
            const session = await (await fetch('/api/auth/session')).json();
            const response = await fetch('/api/keys', {
              method: 'POST',
              headers: { 'Content-Type': 'application/json', 'X-CSRF-Token': session.csrf_token },
              body: JSON.stringify({ name: keyName, scopes: ['read'], order_mode: 'auto' }),
            });
            return { status: response.status, body: await response.json() };
          }, `traffic-${name}`);
          check(created.status === 201, `creating key ${name}: ${JSON.stringify(created)}`);
          keys[name] = { key: created.body.api_key, id: created.body.key.id };
        }
      }],
      ['calls made with a key appear in Traffic Logs', async () => {
        for (const [name, times] of [['alpha', 2], ['beta', 1]]) {
          for (let i = 0; i < times; i += 1) {
            const [status, id] = await ping(keys[name].key);
            check(status === 200, `ping with ${name}: ${status}`);
            calls[name].push(id);
          }
        }
        await page.locator(tid('nav-traffic')).click();
        await page.locator(tid('traffic-page')).waitFor();
        await reloadUntilShown(page, [...calls.alpha, ...calls.beta]);
        const row = page.locator(`${tid('traffic-row')}[data-request-id="${calls.alpha[0]}"]`);
        check((await row.locator(tid('cell-key')).textContent()).trim() === 'traffic-alpha', 'the row does not name its key');
        check((await row.locator(tid('cell-path')).textContent()).trim() === '/api/v1/ping', 'the row does not show its path');
        await page.locator(tid('chart-per-minute')).waitFor();
        await shot(page, 'traffic-all.png');
      }],
      ['the key filter shows exactly that key\'s calls, and stays in the URL', async () => {
        await page.locator('#filter-key').selectOption(String(keys.alpha.id));
        await page.waitForURL((url) => url.searchParams.get('key') === String(keys.alpha.id));
        shownForAlpha = await reloadUntilShown(page, calls.alpha, calls.beta);
        const names = await page.locator(`${tid('traffic-row')} ${tid('cell-key')}`).allTextContents();
        check(names.length > 0 && names.every((n) => n.trim() === 'traffic-alpha'), `key cells: ${names.join(', ')}`);
        await page.reload();
        await page.locator(tid('traffic-table')).waitFor();
        check((await page.locator('#filter-key').inputValue()) === String(keys.alpha.id), 'the filter is lost on reload');
        shownForAlpha = await tableIds(page);
        check(calls.alpha.every((id) => shownForAlpha.includes(id)), 'after reload the alpha rows are missing');
        await shot(page, 'traffic-by-key.png');
      }],
      ['auto-refresh counts new rows instead of moving the table, and shows them on request', async () => {
        await page.locator(tid('auto-refresh')).selectOption('5');
        await page.waitForURL((url) => url.searchParams.get('refresh') === '5');
        await page.locator(tid('traffic-table')).waitFor();
        const before = await tableIds(page);
        const [status, id] = await ping(keys.alpha.key);
        check(status === 200, `ping: ${status}`);
        await page.locator(tid('new-rows')).waitFor({ timeout: STEP_TIMEOUT });
        check(/\b1 new row\b/.test(await page.locator(tid('new-rows')).textContent()), 'the counter does not say 1 new row');
        check(JSON.stringify(await tableIds(page)) === JSON.stringify(before), 'the table changed before asking');
        await page.locator(tid('new-rows')).click();
        await reloadUntilShown(page, [id]);
        calls.alpha.push(id);
        await page.locator(tid('auto-refresh')).selectOption('0');
        await page.waitForURL((url) => !url.searchParams.has('refresh'));
        await page.locator(tid('traffic-table')).waitFor();
      }],
      ['a row\'s detail shows every field and links to the Playground', async () => {
        await page.locator(`${tid('traffic-row')}[data-request-id="${calls.alpha[0]}"] ${tid('open-row')}`).click();
        await page.locator(tid('row-detail')).waitFor();
        check((await page.locator(tid('detail-request-id')).textContent()).trim() === calls.alpha[0], 'the detail shows another request');
        const link = page.locator(tid('detail-playground'));
        await link.waitFor();
        check((await link.getAttribute('href')) === '/playground?op=ping', `playground link ${await link.getAttribute('href')}`);
        await shot(page, 'traffic-detail.png');
        await page.locator(`${tid('row-detail')} .dialog-close`).click();
        await page.locator(tid('row-detail')).waitFor({ state: 'detached' });
      }],
      ['CSV export downloads exactly the filtered rows', async () => {
        const [download] = await Promise.all([
          page.waitForEvent('download'),
          page.locator(tid('export-csv')).click(),
        ]);
        const csv = readFileSync(await download.path(), 'utf8');
        const [header, ...lines] = csv.trim().split('\n');
        check(header === 'id,time,method,path,status,duration_us,client_ip,user_id,key_id,request_id,error_class', `header: ${header}`);
        const rows = lines.map((line) => line.split(','));
        check(rows.every((r) => r[8] === String(keys.alpha.id)), `rows of other keys in the CSV:\n${csv}`);
        const exported = rows.map((r) => r[9]);
        const shown = await tableIds(page);
        check(JSON.stringify(exported) === JSON.stringify(shown),
          `the CSV has ${exported.join(' ')}\nthe table shows ${shown.join(' ')}`);
      }],
      ['an admin bans an IP from the security panel and lifts the ban', async () => {
        await page.locator(tid('security-panel')).waitFor();
        await page.locator('#ban-ip').fill(BANNED_IP);
        await page.locator('#ban-seconds').fill('600');
        await page.locator('#ban-reason').fill('browser test');
        await page.locator(tid('ban-submit')).click();
        const row = page.locator(`${tid('ban-row')}[data-ip="${BANNED_IP}"]`);
        await row.waitFor();
        check(/browser test/.test(await row.textContent()), 'the ban row does not show its reason');
        check(/in (9|10) min/.test(await row.textContent()), `no countdown: ${await row.textContent()}`);
        const banned = await page.evaluate(async () => (await fetch('/api/security/bans')).json());
        check(banned.some((b) => b.ip === BANNED_IP), `the server has no ban: ${JSON.stringify(banned)}`);
        await row.scrollIntoViewIfNeeded();
        await shot(page, 'traffic-banned.png');
        await row.locator(tid('lift-ban')).click();
        await row.waitFor({ state: 'detached' });
        const after = await page.evaluate(async () => (await fetch('/api/security/bans')).json());
        check(!after.some((b) => b.ip === BANNED_IP), `the ban is still there: ${JSON.stringify(after)}`);
      }],
      ['the page reads at phone width', async () => {
        await page.setViewportSize({ width: 390, height: 844 });
        await page.locator(tid('traffic-table')).waitFor();
        await shot(page, 'traffic-phone.png');
      }],
    ];

    for (const [name, body] of steps) {
      if (!(await step(name, body))) {
        const skipped = steps.length - passed - failed;
        if (skipped > 0) console.log(`     (${skipped} later step(s) not run)`);
        if (problems.length) console.log(`     seen in the browser:\n       ${problems.slice(-15).join('\n       ')}`);
        await shot(page, 'traffic-failure.png').catch(() => {});
        break;
      }
    }
  } finally {
    await within(STEP_TIMEOUT, browser.close(), 'closing chromium').catch(() => {});
  }
}

main().then(
  () => finish(failed === 0 ? 0 : 1),
  (error) => {
    failed += 1;
    console.log(`FAIL ${describe(error)}`);
    finish(1);
  },
);
