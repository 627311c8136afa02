// Browser test of the Playground page (/playground).
//
// Runs after smoke.mjs against the same server (it signs in as the account smoke.mjs created):
//   KEYGATE_URL=http://127.0.0.1:5000 node playground.mjs
// Optional: CHROMIUM (default /usr/bin/chromium), SCREENSHOT_DIR (default target/browser),
// STEP_TIMEOUT_MS (15000).
//
// Each step is one counted check; the first failure stops the run. The last line is always
// "<n> passed, <m> failed"; the exit code is 0 only when nothing failed.

import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { check, describe, runSteps, shot, text, tid, within } from './harness.mjs';

const BASE = (process.env.KEYGATE_URL || '').replace(/\/+$/, '');
const STEP_TIMEOUT = Number(process.env.STEP_TIMEOUT_MS || 15000);
const SHOTS = process.env.SCREENSHOT_DIR || 'target/browser';
const USERNAME = 'smoke-admin';
const PASSWORD = 'smoke-test-password-1234';


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




/** Creates a key through the session API (as the Keys page does); returns {id, key}. */
async function createKey(page, body) {
  return page.evaluate(async (body) => {
    const session = await (await fetch('/api/auth/session')).json();
    const response = await fetch('/api/keys', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'X-CSRF-Token': session.csrf_token },
      body: JSON.stringify(body),
    });
    const answer = await response.json();
    if (!response.ok) throw new Error(`creating ${body.name}: ${response.status} ${JSON.stringify(answer)}`);
    return { id: answer.key.id, key: answer.api_key };
  }, body);
}

/** Opens the Playground (optionally at one operation) and picks the key with `id`. */
async function openWithKey(page, id, op) {
  await page.goto(`${BASE}/playground${op ? `?op=${op}` : ''}`);
  await page.locator(tid('playground-page')).waitFor();
  await page.locator('#pg-key').selectOption(String(id));
  await page.locator(tid('key-badges')).waitFor();
}

/** Clicks Send and waits for the answer's status; returns it. */
async function sendAndStatus(page) {
  await page.locator(tid('send')).click();
  const status = page.locator(tid('response-status'));
  await status.waitFor();
  return ((await status.textContent()) || '').trim();
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
      if (msg.type() === 'error') problems.push(`console: ${msg.text()}`);
    });
    page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));

    const suffix = Date.now().toString(36);
    let trade;
    let read;
    let semi;
    const steps = [
      ['sign in and create a trade, a read and a semi-auto key', async () => {
        await page.goto(`${BASE}/login`);
        await page.locator('#login-username').fill(USERNAME);
        await page.locator('#login-password').fill(PASSWORD);
        await page.locator(tid('login-submit')).click();
        await page.locator(tid('keys-page')).waitFor();
        trade = await createKey(page, { name: `pg-trade-${suffix}`, scopes: ['trade'], order_mode: 'auto' });
        read = await createKey(page, { name: `pg-read-${suffix}`, scopes: ['read'], order_mode: 'auto' });
        semi = await createKey(page, { name: `pg-semi-${suffix}`, scopes: ['trade'], order_mode: 'semi_auto' });
      }],
      ['the nav link opens the Playground with endpoints from the OpenAPI document', async () => {
        await page.goto(`${BASE}/keys`);
        await page.locator(tid('nav-playground')).click();
        await page.locator(tid('playground-page')).waitFor();
        await page.locator(tid('op-placeorder')).waitFor();
        await page.locator(tid('op-search')).fill('fund');
        await page.locator(tid('op-funds')).waitFor();
        check(await page.locator(tid('op-placeorder')).count() === 0, 'the search does not filter the list');
        await page.locator(tid('op-search')).fill('');
      }],
      ['ping with a picked key answers 200, revealing the key once and keeping it out of storage', async () => {
        await openWithKey(page, trade.id, 'ping');
        check(/revealed on the first Send/.test(await text(page, 'key-reveal-note')), 'the audit note is missing');
        const status = await sendAndStatus(page);
        check(status.startsWith('200'), `ping answered ${status}: ${await text(page, 'response-body')}`);
        check(/pong/.test(await text(page, 'response-body')), 'the answer does not say pong');
        const secret = await text(page, 'key-secret');
        check(secret !== trade.key && secret.startsWith(trade.key.slice(0, 4)), `the key is not shown masked: ${secret}`);
        const stored = await page.evaluate(() => JSON.stringify({ ...localStorage }));
        check(!stored.includes(trade.key), 'the key was written to localStorage');
        check(stored.includes('/api/v1/ping'), 'the request is not in the history');
        await page.locator(tid('response-key-headers')).waitFor();
        check(/x-request-id/.test(await text(page, 'response-key-headers')), 'X-Request-Id is not shown');
      }],
      ['funds answers 200 with the key in the X-API-KEY header', async () => {
        await page.locator(tid('place-header')).click();
        await page.locator(tid('op-funds')).click();
        check(new URL(page.url()).searchParams.get('op') === 'funds', `the URL does not name the operation: ${page.url()}`);
        check(!(await page.locator(tid('body-editor')).inputValue()).includes('apikey'), 'the body still has apikey in header mode');
        const status = await sendAndStatus(page);
        check(status.startsWith('200'), `funds answered ${status}: ${await text(page, 'response-body')}`);
        check(/availablecash/.test(await text(page, 'response-body')), 'the funds answer lacks availablecash');
        await shot(page, 'playground-rest');
      }],
      ['snippets mask the key unless asked, and the history re-opens a request without its key', async () => {
        await page.locator(tid('snippet-curl')).click();
        const curl = await text(page, 'snippet-text');
        check(curl.includes('X-API-KEY: YOUR_API_KEY') && curl.includes('/api/v1/funds'), `curl snippet: ${curl}`);
        await page.locator(tid('snippet-with-key')).check();
        check((await text(page, 'snippet-text')).includes(trade.key), 'asking for the key does not put it in the snippet');
        await page.locator(tid('snippet-with-key')).uncheck();
        await page.locator(tid('snippet-sdk')).click();
        check(/client\.funds\(\)/.test(await text(page, 'snippet-text')), `SDK snippet: ${await text(page, 'snippet-text')}`);
        await page.locator(`${tid('history')} summary`).click();
        await page.locator(tid('history-search')).fill('ping');
        const rows = page.locator(tid('history-row'));
        await rows.first().waitFor();
        check(await rows.count() === 1, `searching "ping" leaves ${await rows.count()} rows`);
        await rows.first().locator(tid('history-open')).click();
        await page.waitForFunction((sel) => document.querySelector(sel)?.textContent === '/api/v1/ping', tid('op-path'));
        check(!(await page.locator(tid('body-editor')).inputValue()).includes(trade.key), 'the re-opened body holds the key');
      }],
      ['a broken body is refused before sending', async () => {
        await page.locator(tid('body-editor')).fill('{"apikey": ');
        await page.locator(tid('send')).click();
        await page.locator(tid('body-error')).waitFor();
        await page.locator(tid('reset-body')).click();
        await page.locator(tid('body-error')).waitFor({ state: 'detached' });
      }],
      ['the API keys page shows each key\'s last 24 hours, idle time and masked snippets', async () => {
        await page.goto(`${BASE}/keys`);
        const row = page.locator(`${tid('key-row')}[data-key-id="${trade.id}"]`);
        // The traffic writer lands the Playground's calls, and the last use is written, within a
        // few seconds: reload until both show.
        const landed = async () => {
          await row.locator(tid('key-requests')).waitFor();
          return /^[1-9]\d* req$/.test(((await row.locator(tid('key-requests')).textContent()) || '').trim())
            && /used today/.test((await row.locator(tid('key-idle')).textContent()) || '');
        };
        for (let i = 0; i < 40 && !(await landed()); i += 1) {
          await new Promise((resolve) => { setTimeout(resolve, 250); });
          await page.reload();
        }
        const requests = ((await row.locator(tid('key-requests')).textContent()) || '').trim();
        check(/^[1-9]\d* req$/.test(requests), `the trade key's usage says "${requests}"`);
        check(await row.locator(`${tid('key-sparkline')} rect.spark-req[height]:not([height="0"])`).count() >= 1,
          'the sparkline has no bar for the calls just made');
        check(/errors$/.test(((await row.locator(tid('key-error-rate')).textContent()) || '').trim()), 'no error rate');
        const readRow = page.locator(`${tid('key-row')}[data-key-id="${read.id}"]`);
        check(((await readRow.locator(tid('key-idle')).textContent()) || '').trim() === 'never used',
          'an unused key does not say "never used"');
        check(/used today/.test((await row.locator(tid('key-idle')).textContent()) || ''), 'the used key is not "used today"');

        await page.locator(tid('key-snippet-key')).selectOption(String(trade.id));
        const curl = await text(page, 'key-snippet-curl');
        check(curl.includes('X-API-KEY: ') && !curl.includes(trade.key) && curl.includes(trade.key.slice(0, 4)),
          `the curl snippet is not masked: ${curl}`);
        check(/audit trail/.test(await text(page, 'key-snippets')), 'the reveal is not said to be audited');
        await page.locator(tid('key-snippet-reveal')).click();
        await page.waitForFunction(([sel, key]) => (document.querySelector(sel)?.textContent || '').includes(key),
          [tid('key-snippet-curl'), trade.key]);
        const session = await page.evaluate(async () => (await fetch('/api/auth/session')).json());
        const python = await text(page, 'key-snippet-python');
        check(python.includes(`ws_url="${session.ws_url}"`) && python.includes(trade.key), `python snippet: ${python}`);
        const alert = JSON.parse(await text(page, 'key-snippet-tradingview'));
        check(alert.apikey === trade.key, 'the TradingView alert lacks the revealed key');
        check((await text(page, 'key-snippet-env')).startsWith(`OPENALGO_API_KEY=${trade.key}`), 'the .env line lacks the key');
        const stored = await page.evaluate(() => JSON.stringify({ ...localStorage, ...sessionStorage }));
        check(!stored.includes(trade.key), 'the revealed key was written to browser storage');
        await shot(page, 'keys-usage');
        await page.locator(tid('key-snippet-reveal')).click();
        check(!(await text(page, 'key-snippet-curl')).includes(trade.key), 'masking again leaves the key in the snippet');
        await page.setViewportSize({ width: 390, height: 844 });
        const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
        check(overflow <= 1, `the keys page scrolls sideways by ${overflow}px at 390px`);
        await shot(page, 'keys-phone');
        await page.locator(tid('key-snippets')).scrollIntoViewIfNeeded();
        await page.screenshot({ path: join(SHOTS, 'keys-phone-snippets.png'), timeout: STEP_TIMEOUT });
        await page.locator(tid('keys-table')).scrollIntoViewIfNeeded();
        await page.screenshot({ path: join(SHOTS, 'keys-phone-table.png'), timeout: STEP_TIMEOUT });
        await page.setViewportSize({ width: 1280, height: 800 });
      }],
      ['a read key sees the order endpoints disabled, with the reason', async () => {
        await openWithKey(page, read.id, 'placeorder');
        const item = page.locator(tid('op-placeorder'));
        check((await item.getAttribute('data-blocked')) === 'true', 'placeorder is not marked blocked');
        check((await page.locator(tid('op-funds')).getAttribute('data-blocked')) === 'false', 'funds is blocked for a read key');
        await page.locator(tid('op-blocked')).waitFor();
        check(/read scope/.test(await text(page, 'op-blocked')), 'the reason does not name the read scope');
        check(await page.locator(tid('send')).isDisabled(), 'Send is enabled for an order endpoint with a read key');
        await shot(page, 'playground-read-key');
      }],
      ['a semi-auto placeorder is queued and its link opens the Action Center with it', async () => {
        await openWithKey(page, semi.id, 'placeorder');
        await page.locator(tid('semi-auto-note')).waitFor();
        const status = await sendAndStatus(page);
        check(status.startsWith('200'), `placeorder answered ${status}: ${await text(page, 'response-body')}`);
        const answer = JSON.parse(await text(page, 'response-body'));
        check(Number.isInteger(answer.pending_order_id), `not queued: ${JSON.stringify(answer)}`);
        await page.locator(tid('semi-auto-link')).click();
        await page.locator(tid('action-center-page')).waitFor();
        check(new URL(page.url()).searchParams.get('item') === String(answer.pending_order_id),
          `the link does not name the item: ${page.url()}`);
        const row = page.locator(`${tid('pending-row')}[data-id="${answer.pending_order_id}"]`);
        await row.waitFor();
        check(/NHPC/.test((await row.textContent()) || ''), 'the queued row does not name the example symbol');
        check(/row-highlight/.test((await row.getAttribute('class')) || ''), 'the linked item is not highlighted');
        check(await page.locator('.row-highlight').count() === 1, 'more than the linked item is highlighted');
        await page.waitForFunction((sel) => {
          const box = document.querySelector(sel)?.getBoundingClientRect();
          // Scrolled into view (allowing for sub-pixel rounding at the edges).
          return box && box.top >= -2 && box.bottom <= window.innerHeight + 2;
        }, `${tid('pending-row')}[data-id="${answer.pending_order_id}"]`);
        await shot(page, 'action-center-item');
        await page.goto(`${BASE}/action-center?item=999999`);
        await page.locator(tid('item-missing')).waitFor();
      }],
      ['an auto key\'s order asks before going to the live ledger', async () => {
        await openWithKey(page, trade.id, 'placeorder');
        await page.locator(tid('send')).click();
        await page.locator(tid('live-confirm')).waitFor();
        await page.locator(tid('live-cancel')).click();
        await page.locator(tid('live-confirm')).waitFor({ state: 'detached' });
        check(await page.locator(tid('response-status')).count() === 0, 'the order was sent without confirmation');
        check(/Live/.test(await text(page, 'ledger-mode')), `the ledger badge says ${await text(page, 'ledger-mode')}`);
      }],
      ['the WebSocket tab authenticates and receives ticks for a subscribed symbol', async () => {
        await page.locator(tid('tab-ws')).click();
        const session = await page.evaluate(async () => (await fetch('/api/auth/session')).json());
        check(session.ws_url === `${BASE.replace(/^http/, 'ws')}/ws`, `the session names the feed ${session.ws_url}`);
        check((await text(page, 'ws-url')) === session.ws_url, `the tab shows ${await text(page, 'ws-url')}`);
        await page.locator(tid('ws-connect')).click();
        await page.waitForFunction(([sel, url]) => (document.querySelector(sel)?.textContent || '').includes(`connecting to ${url}`),
          [tid('ws-log'), session.ws_url]);
        await page.waitForFunction((sel) => /Connected/.test(document.querySelector(sel)?.textContent || ''), tid('ws-status'));
        await page.locator('#ws-symbol').fill('RELIANCE');
        await page.locator('#ws-mode').selectOption('1');
        await page.locator(tid('ws-subscribe')).click();
        const row = page.locator(`${tid('tick-row')}[data-symbol="RELIANCE"]`);
        await row.waitFor({ timeout: STEP_TIMEOUT * 2 });
        const ltp = Number(await row.locator(tid('tick-ltp')).textContent());
        check(ltp > 0, `the tick has no price: ${await row.textContent()}`);
        await page.locator(tid('ws-ping')).click();
        await page.locator(tid('ws-latency')).waitFor();
        const log = await text(page, 'ws-log');
        check(!log.includes(trade.key), 'the key is shown in the message log');
        await shot(page, 'playground-websocket');
      }],
      ['revoking the key closes the socket with 4403, shown with its reason', async () => {
        await page.evaluate(async (id) => {
          const session = await (await fetch('/api/auth/session')).json();
          const response = await fetch(`/api/keys/${id}/revoke`, {
            method: 'POST', headers: { 'X-CSRF-Token': session.csrf_token },
          });
          if (!response.ok) throw new Error(`revoke: ${response.status}`);
        }, trade.id);
        await page.waitForFunction(
          (sel) => /4403/.test(document.querySelector(sel)?.textContent || ''),
          tid('ws-status'),
          { timeout: STEP_TIMEOUT * 2 },
        );
        check(/no longer valid/.test(await text(page, 'ws-status')), `status: ${await text(page, 'ws-status')}`);
      }],
      ['the collections download, with the chosen key only when asked', async () => {
        await openWithKey(page, semi.id);
        const panel = page.locator(tid('collections-panel'));
        await panel.locator('summary').click();
        const env = panel.locator(tid('download-keygate.postman_environment.json'));
        await env.waitFor();
        check(await panel.locator(tid('download-keygate-bruno.zip')).count() === 1, 'no Bruno download');
        const plain = await env.getAttribute('href');
        check(!plain.includes('key_id'), `the key is filled in unasked: ${plain}`);
        await panel.locator(tid('collections-with-key')).check();
        const withKey = await env.getAttribute('href');
        check(withKey.endsWith(`?key_id=${semi.id}`), `the link does not ask for the key: ${withKey}`);
        const got = await page.evaluate(async (url) => {
          const response = await fetch(url);
          return { status: response.status, cache: response.headers.get('cache-control'), body: await response.text() };
        }, withKey);
        check(got.status === 200, `download answered ${got.status}`);
        check(got.cache === 'no-store', `Cache-Control: ${got.cache}`);
        check(got.body.includes(semi.key), 'the downloaded environment does not hold the chosen key');
        await shot(page, 'playground-collections');
      }],
      ['the page is readable at phone width', async () => {
        await page.setViewportSize({ width: 390, height: 844 });
        await page.locator(tid('tab-rest')).click();
        await page.locator(tid('body-editor')).waitFor();
        const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
        check(overflow <= 1, `the page scrolls sideways by ${overflow}px at 390px`);
        await shot(page, 'playground-phone');
      }],
    ];

    await runSteps(page, steps, 'playground', problems, tally);
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
