// Helpers every browser test file shares.

import { mkdirSync } from 'node:fs';
import { join } from 'node:path';

const STEP_TIMEOUT = Number(process.env.STEP_TIMEOUT_MS || 15000);
const SHOTS = process.env.SCREENSHOT_DIR || 'target/browser';

/** A `data-testid` selector. */
export const tid = (id) => `[data-testid="${id}"]`;

/** `promise`, or a rejection naming `what` after `ms` milliseconds. */
export function within(ms, promise, what) {
  let timer;
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: no result within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** An error as plain text (Playwright messages carry terminal colour codes). */
export function describe(error) {
  // eslint-disable-next-line no-control-regex
  return String(error && error.message ? error.message : error).replace(/\x1b\[[0-9;]*m/g, '').trim();
}

/** Throws `message` unless `condition` holds. */
export function check(condition, message) {
  if (!condition) throw new Error(message);
}

/** The trimmed text of the first element with test id `id`. */
export async function text(page, id) {
  return ((await page.locator(tid(id)).first().textContent()) || '').trim();
}

/** Saves a full-page screenshot `<name>.png` under SCREENSHOT_DIR. */
export async function shot(page, name) {
  mkdirSync(SHOTS, { recursive: true });
  const path = join(SHOTS, `${name}.png`);
  await page.screenshot({ path, fullPage: true, timeout: STEP_TIMEOUT });
  console.log(`     screenshot: ${path}`);
}

/**
 * Runs `steps` (`[name, () => promise]` pairs) in order, each within three step timeouts, and
 * counts them into `tally` (`{ passed, failed }`). The first failure is reported with what the
 * browser showed (`problems`) and a `<prefix>-failure` screenshot; the later steps are skipped.
 */
export async function runSteps(page, steps, prefix, problems, tally) {
  for (const [name, body] of steps) {
    const started = Date.now();
    try {
      await within(STEP_TIMEOUT * 3, body(), name);
      tally.passed += 1;
      console.log(`ok   ${name} (${Date.now() - started} ms)`);
    } catch (error) {
      tally.failed += 1;
      console.log(`FAIL ${name}\n     ${describe(error).split('\n').join('\n     ')}`);
      const skipped = steps.length - tally.passed - tally.failed;
      if (skipped > 0) console.log(`     (${skipped} later step(s) not run)`);
      if (problems.length) console.log(`     seen in the browser:\n       ${problems.slice(-15).join('\n       ')}`);
      await shot(page, `${prefix}-failure`).catch(() => {});
      break;
    }
  }
}
