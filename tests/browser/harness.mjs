// Helpers every browser test file shares.

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
