// Browser smoke test of the keygate single-page app.
//
// Needs a FRESH keygate server (no account yet) serving the built SPA:
//   KEYGATE_URL=http://127.0.0.1:5000 node smoke.mjs
// Optional: CHROMIUM (default /usr/bin/chromium), SCREENSHOT (PNG path), STEP_TIMEOUT_MS (15000).
//
// Each step is one counted check; the first failure stops the run (later steps depend on it).
// The last line is always "<n> passed, <m> failed"; the exit code is 0 only when nothing failed.

import { chromium } from 'playwright-core';
import { check, describe, text, tid, within } from './harness.mjs';

const BASE = (process.env.KEYGATE_URL || '').replace(/\/+$/, '');
const STEP_TIMEOUT = Number(process.env.STEP_TIMEOUT_MS || 15000);
const USERNAME = 'smoke-admin';
const PASSWORD = 'smoke-test-password-1234';
const KEY_NAME = 'smoke-test-key';


let passed = 0;
let failed = 0;
const problems = []; // browser console errors, page errors and failed HTTP answers, for diagnosis

function finish(code) {
  console.log(`${passed} passed, ${failed} failed`);
  process.exit(code);
}

if (!/^https?:\/\/[^/]+/.test(BASE)) {
  console.log('FAIL KEYGATE_URL must be set to the server, e.g. KEYGATE_URL=http://127.0.0.1:5000');
  failed = 1;
  finish(2);
}

/** Rejects if `promise` does not settle within `ms`: no step can hang the run. */

/** Runs one counted check; returns false (after reporting) when it failed. */
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



/** Waits for whichever of `ids` appears first and returns its test id. */
async function firstVisible(page, ids) {
  const any = page.locator(ids.map(tid).join(', ')).first();
  await any.waitFor({ state: 'visible' });
  for (const id of ids) {
    if (await page.locator(tid(id)).first().isVisible()) return id;
  }
  throw new Error(`none of ${ids.join(', ')} is visible`);
}

/** Sends a TradingView alert for SBIN with `key` (header, never the URL); returns the answer. */
async function alert(key, quantity) {
  const response = await fetch(`${BASE}/api/webhook/tradingview`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', 'X-API-KEY': key },
    body: JSON.stringify({ strategy: 'smoke', symbol: 'SBIN', action: 'BUY', exchange: 'NSE', quantity }),
  });
  return response.json();
}

async function signIn(page, password) {
  await page.locator('#login-username').fill(USERNAME);
  await page.locator('#login-password').fill(password);
  await page.locator(tid('login-submit')).click();
}

async function main() {
  const browser = await within(
    STEP_TIMEOUT * 2,
    chromium.launch({
      executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    }),
    'launching chromium',
  );
  try {
    const context = await browser.newContext({ viewport: { width: 1400, height: 1000 } });
    const page = await context.newPage();
    page.setDefaultTimeout(STEP_TIMEOUT);
    page.setDefaultNavigationTimeout(STEP_TIMEOUT);
    page.on('console', (msg) => {
      if (msg.type() === 'error') problems.push(`console: ${msg.text()}`);
    });
    page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
    page.on('response', (response) => {
      if (response.status() >= 400) {
        problems.push(`HTTP ${response.status()} ${response.request().method()} ${response.url()}`);
      }
    });

    let apiKey = '';
    const steps = [
      ['the app loads and asks for setup on a fresh server', async () => {
        await page.goto(`${BASE}/`);
        const shown = await firstVisible(page, ['setup-form', 'login-form', 'boot-error']);
        if (shown === 'boot-error') throw new Error(`the app could not reach the server: ${await text(page, 'boot-error')}`);
        check(shown === 'setup-form', 'the sign-in page is shown instead of setup: the server is not fresh (an account exists)');
        check(new URL(page.url()).pathname === '/setup', `expected /setup, got ${page.url()}`);
      }],
      ['setup creates the admin account and signs it in', async () => {
        await page.locator('#setup-username').fill(USERNAME);
        await page.locator('#setup-password').fill(PASSWORD);
        await page.locator('#setup-confirm').fill(PASSWORD);
        await page.locator(tid('setup-submit')).click();
        const shown = await firstVisible(page, ['keys-page', 'setup-error']);
        if (shown === 'setup-error') throw new Error(`setup failed: ${await text(page, 'setup-error')}`);
        check((await text(page, 'current-user')) === USERNAME, 'the sidebar does not show the new user');
        check(new URL(page.url()).pathname === '/keys', `expected /keys, got ${page.url()}`);
      }],
      ['signing out returns to the sign-in page', async () => {
        await page.locator(tid('logout')).click();
        await page.locator(tid('login-form')).waitFor();
        check(new URL(page.url()).pathname === '/login', `expected /login, got ${page.url()}`);
      }],
      ['a wrong password shows the server\'s message', async () => {
        await signIn(page, `${PASSWORD}-wrong`);
        await page.locator(tid('login-error')).waitFor();
        check((await text(page, 'login-error')).length > 0, 'the error alert is empty');
        await page.waitForSelector(`${tid('login-submit')}:not([disabled])`);
      }],
      ['signing in again opens the API keys page', async () => {
        await signIn(page, PASSWORD);
        const shown = await firstVisible(page, ['keys-page', 'login-error']);
        if (shown === 'login-error') throw new Error(`sign-in failed: ${await text(page, 'login-error')}`);
        await firstVisible(page, ['keys-empty', 'keys-table']);
      }],
      ['creating a key shows it once: 64 hex characters and a warning', async () => {
        await page.locator('#key-name').fill(KEY_NAME);
        await page.locator('#key-scope-trade').check();
        await page.locator(tid('create-key-submit')).click();
        const shown = await firstVisible(page, ['new-key-dialog', 'create-key-error']);
        if (shown === 'create-key-error') throw new Error(`create failed: ${await text(page, 'create-key-error')}`);
        apiKey = await page.locator(tid('new-key-value')).inputValue();
        check(/^[0-9a-f]{64}$/i.test(apiKey), `the dialog shows "${apiKey}", not 64 hex characters`);
        check(/not be shown again/i.test(await text(page, 'new-key-warning')), 'the one-time warning is missing');
      }],
      ['the key list shows the masked key, not the key', async () => {
        await page.locator(tid('new-key-close')).click();
        await page.locator(tid('new-key-dialog')).waitFor({ state: 'detached' });
        const row = page.locator(`${tid('key-row')}[data-key-name="${KEY_NAME}"]`);
        await row.waitFor();
        const masked = ((await row.locator(tid('key-masked')).textContent()) || '').trim();
        check(
          masked.startsWith(apiKey.slice(0, 4)) && masked.endsWith(apiKey.slice(-4)) && masked.length < 20,
          `masked key "${masked}" does not match the first and last 4 characters of the key`,
        );
        const visible = await page.evaluate(() => document.body.innerText
          + [...document.querySelectorAll('input, textarea')].map((e) => e.value).join(' '));
        check(!visible.includes(apiKey), 'the full key is still shown on the page');
      }],
      ['Reveal shows the same key, and Hide hides it', async () => {
        const row = page.locator(`${tid('key-row')}[data-key-name="${KEY_NAME}"]`);
        await row.locator(tid('key-reveal')).click();
        const value = page.locator(tid('revealed-key-value'));
        await value.waitFor();
        check((await value.inputValue()) === apiKey, 'the revealed key differs from the created one');
        await page.locator(tid('reveal-hide')).click();
        await page.locator(tid('reveal-dialog')).waitFor({ state: 'detached' });
        await page.locator(tid('events-table')).waitFor();
      }],
      ['a semi-auto key\'s TradingView alert waits in the Action Center', async () => {
        const row = page.locator(`${tid('key-row')}[data-key-name="${KEY_NAME}"]`);
        if (!/semi/i.test((await row.locator(tid('key-mode')).textContent()) || '')) {
          await row.locator(tid('key-mode-toggle')).click();
          await page.waitForFunction(
            ([sel]) => /semi/i.test(document.querySelector(sel)?.textContent || ''),
            [`${tid('key-row')}[data-key-name="${KEY_NAME}"] ${tid('key-mode')}`],
          );
        }
        const answer = await alert(apiKey, '2');
        check(Number.isInteger(answer.pending_order_id), `the alert was not queued: ${JSON.stringify(answer)}`);
        await page.locator(tid('nav-action-center')).click();
        await page.locator(tid('action-center-page')).waitFor();
        const pending = page.locator(`${tid('pending-row')}[data-id="${answer.pending_order_id}"]`);
        await pending.waitFor();
        check(/SBIN/.test((await pending.textContent()) || ''), 'the pending row does not name the symbol');
      }],
      ['Approve executes the order and moves it to the history', async () => {
        await page.locator(`${tid('pending-row')} ${tid('approve')}`).first().click();
        const shown = await firstVisible(page, ['action-center-notice', 'confirm-move-dialog']);
        if (shown === 'confirm-move-dialog') {
          await page.locator(tid('confirm-approve')).click();
          await page.locator(tid('action-center-notice')).waitFor();
        }
        check(/executed/i.test(await text(page, 'action-center-notice')), `notice: ${await text(page, 'action-center-notice')}`);
        await page.locator(tid('pending-empty')).waitFor();
        check((await text(page, 'history-state')) === 'Approved', 'the history does not show the approval');
      }],
      ['Reject asks for a reason and records it', async () => {
        const answer = await alert(apiKey, '3');
        check(Number.isInteger(answer.pending_order_id), `the alert was not queued: ${JSON.stringify(answer)}`);
        await page.locator(tid('refresh')).click();
        await page.locator(`${tid('pending-row')}[data-id="${answer.pending_order_id}"] ${tid('reject')}`).click();
        await page.locator('#reject-reason').fill('outside my plan');
        await page.locator(tid('reject-confirm')).click();
        await page.locator(tid('reject-dialog')).waitFor({ state: 'detached' });
        const row = page.locator(`${tid('history-row')}[data-id="${answer.pending_order_id}"]`);
        await row.waitFor();
        check(/outside my plan/.test((await row.textContent()) || ''), 'the reason is not in the history');
      }],
      ['a ChartInk webhook URL is shown once and its alerts queue one order per stock', async () => {
        await page.locator('#chartink-key').selectOption({ label: KEY_NAME });
        await page.locator(tid('chartink-submit')).click();
        await page.locator(tid('chartink-created')).waitFor();
        const url = await page.locator(tid('chartink-url')).inputValue();
        check(/\/api\/webhook\/chartink\/ck_[0-9a-f]{48}$/.test(url), `unexpected webhook URL ${url}`);
        check(!url.includes(apiKey), 'the webhook URL contains the API key');
        const response = await fetch(url, {
          method: 'POST',
          headers: { 'Content-Type': 'application/json' },
          body: JSON.stringify({ stocks: 'SBIN,RELIANCE', trigger_prices: '800,2500', scan_name: 'smoke' }),
        });
        const answer = await response.json();
        check(answer.results?.length === 2, `unexpected answer ${JSON.stringify(answer)}`);
        await page.locator(tid('refresh')).click();
        await page.waitForFunction((sel) => document.querySelectorAll(sel).length === 2, tid('pending-row'));
      }],
    ];

    for (const [name, body] of steps) {
      if (!(await step(name, body))) {
        const skipped = steps.length - passed - failed;
        if (skipped > 0) console.log(`     (${skipped} later step(s) not run)`);
        if (problems.length) console.log(`     seen in the browser:\n       ${problems.slice(-15).join('\n       ')}`);
        break;
      }
    }

    if (process.env.SCREENSHOT) {
      try {
        await page.screenshot({ path: process.env.SCREENSHOT, fullPage: true, timeout: STEP_TIMEOUT });
        console.log(`screenshot: ${process.env.SCREENSHOT}`);
      } catch (error) {
        console.log(`(screenshot failed: ${error.message})`);
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
