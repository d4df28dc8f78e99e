// The one harness of the browser tests: where the built app and the CLI are, a static
// server for dist/, pages that record what went wrong, and a small runner that prints
// `ok - name` / `FAILED - name: why` and exits non-zero when a test failed.
//
// Environment: PORTOLAN_BIN (CLI, default target/debug/portolan), PORTOLAN_DIST
// (default dist), CHROMIUM (default /usr/bin/chromium).

import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { chromium } from 'playwright-core';

export const here = path.dirname(fileURLToPath(import.meta.url));
export const repo = path.resolve(here, '../..');
export const dist = path.resolve(repo, process.env.PORTOLAN_DIST || 'dist');
export const cli = path.resolve(repo, process.env.PORTOLAN_BIN || 'target/debug/portolan');
export const screenshots = path.join(here, 'screenshots');
export const timeout = 90_000;

/** A failed expectation; the runner prints its message. */
export class TestFailure extends Error {}

export function check(condition, message) {
  if (!condition) throw new TestFailure(message);
}

/** Runs the CLI with `args` and returns its standard output, parsed as JSON when `json`. */
export function cliRun(args, { json = true, cwd = repo } = {}) {
  let out;
  try {
    // stderr is kept: the CLI's summary there would drown the test output.
    out = execFileSync(cli, args, { cwd, maxBuffer: 1 << 30, stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (e) {
    throw new TestFailure(`${cli} ${args.join(' ')} failed: ${e.stderr || e.message}`);
  }
  return json ? JSON.parse(out) : out.toString();
}

/** The number of files `Load demo` reads (the demo's manifest). */
export function demoFileCount() {
  return JSON.parse(fs.readFileSync(path.join(repo, 'public/demo-files.json'), 'utf8')).files.length;
}

export async function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/**
 * Serves dist/ over HTTP. With `subPath` (such as `/some/sub/path/`) dist/ is copied
 * under that path of a temporary root, as a static host serving the app below its root
 * would. Returns `{ base, server, root }` (`root` the temporary copy, or null); kill
 * `server` when done.
 */
export async function serve({ subPath = '/' } = {}) {
  check(fs.existsSync(path.join(dist, 'index.html')), `${dist}/index.html not found; run trunk build --release`);
  let root = dist;
  if (subPath !== '/') {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'portolan-browser-'));
    const target = path.join(root, subPath);
    fs.mkdirSync(target, { recursive: true });
    fs.cpSync(dist, target, { recursive: true });
  }
  const port = await freePort();
  const server = spawn('python3', ['-m', 'http.server', String(port), '--bind', '127.0.0.1', '--directory', root], {
    stdio: 'ignore',
  });
  const base = `http://127.0.0.1:${port}${subPath}`;
  for (let i = 0; i < 100; i++) {
    try {
      if ((await fetch(base)).ok) return { base, server, root: root === dist ? null : root };
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  server.kill();
  throw new TestFailure(`the static server on port ${port} did not start`);
}

/**
 * A fresh page at `base` that records requests leaving the origin, page errors and
 * console errors (the worker's included). Returns `{ context, page, problems }`.
 */
export async function openPage(browser, base, { viewport = { width: 1440, height: 900 }, setup, contextOptions = {} } = {}) {
  const context = await browser.newContext({ viewport, ...contextOptions });
  if (setup) await setup(context);
  const page = await context.newPage();
  page.setDefaultTimeout(timeout);
  const origin = new URL(base).origin;
  // `unloadPrompts`: how often the page asked before a reload or navigation (the app
  // does while a snapshot is loaded); the prompt is accepted so the tests can go on.
  const problems = { foreign: [], pageErrors: [], consoleErrors: [], requests: 0, unloadPrompts: 0 };
  page.on('dialog', (dialog) => {
    if (dialog.type() === 'beforeunload') {
      problems.unloadPrompts++;
      dialog.accept().catch(() => {});
    } else {
      dialog.dismiss().catch(() => {});
    }
  });
  // Context-level, so that requests made by the worker are seen too.
  context.on('request', (request) => {
    problems.requests++;
    const url = new URL(request.url());
    // A `file:` page (the CLI's report opened from disk) is the page, not a request out.
    if (url.protocol === 'data:' || url.protocol === 'blob:' || url.protocol === 'file:') return;
    if (url.origin !== origin) problems.foreign.push(request.url());
  });
  page.on('pageerror', (error) => problems.pageErrors.push(String(error)));
  page.on('console', (message) => {
    if (message.type() === 'error') problems.consoleErrors.push(message.text());
  });
  page.on('worker', (worker) => {
    worker.on('console', (message) => {
      if (message.type() === 'error') problems.consoleErrors.push(`worker: ${message.text()}`);
    });
  });
  await page.goto(base);
  await page.waitForSelector('[data-testid="drop-zone"]');
  return { context, page, problems };
}

/** No request left the origin and nothing was logged as an error. */
export function checkClean(problems, name, { consoleErrorsExpected = false } = {}) {
  check(problems.foreign.length === 0, `${name}: requests left the origin: ${problems.foreign.join(', ')}`);
  check(problems.pageErrors.length === 0, `${name}: page errors: ${problems.pageErrors.join(' | ')}`);
  check(
    consoleErrorsExpected || problems.consoleErrors.length === 0,
    `${name}: console errors: ${problems.consoleErrors.join(' | ')}`,
  );
}

/** Waits until the analysis of exactly `files` input files is shown. */
export async function waitForAnalysis(page, files, wait = timeout) {
  await page.waitForFunction(
    (n) => {
      const app = document.querySelector('[data-testid="app"]');
      if (!app) return false;
      if (app.dataset.state === 'error') return true;
      return app.dataset.state === 'done' && Number(app.dataset.inputs) === n;
    },
    files,
    { timeout: wait },
  );
  const state = await page.getAttribute('[data-testid="app"]', 'data-state');
  if (state === 'error') {
    const message = await page.textContent('[data-testid="analysis-error"]').catch(() => '');
    throw new TestFailure(`the app reported an error: ${message}`);
  }
}

/** Clicks `Load demo` and waits for its analysis. */
export async function loadDemo(page) {
  await page.click('[data-testid="load-demo"]');
  await waitForAnalysis(page, demoFileCount());
}

/**
 * Dispatches a synthetic drop of `files` on the drop zone; each is `{ path, text }` or
 * `{ path, b64 }`. The path is what a folder picker records (`webkitRelativePath`).
 */
export async function dropFiles(page, files) {
  const encoded = files.map((f) => ({ path: f.path, b64: f.b64 ?? Buffer.from(f.text).toString('base64') }));
  await page.evaluate((files) => {
    const transfer = new DataTransfer();
    for (const f of files) {
      const binary = atob(f.b64);
      const bytes = new Uint8Array(binary.length);
      for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
      const file = new File([bytes], f.path.split('/').pop());
      Object.defineProperty(file, 'webkitRelativePath', { value: f.path });
      transfer.items.add(file);
    }
    const zone = document.querySelector('[data-testid="drop-zone"]');
    for (const type of ['dragenter', 'dragover', 'drop']) {
      zone.dispatchEvent(new DragEvent(type, { bubbles: true, cancelable: true, dataTransfer: transfer }));
    }
  }, encoded);
}

/** Sets the URL fragment and waits for `selector`. */
export async function goTo(page, hash, selector) {
  await page.evaluate((h) => {
    location.hash = h;
  }, hash);
  await page.waitForSelector(selector, { timeout });
}

/** The text of `selector`, whitespace collapsed and trimmed ('' when it has none). */
export async function text(page, selector) {
  return ((await page.textContent(selector)) || '').replace(/\s+/g, ' ').trim();
}

/** The digits of `selector`'s text as a number (thousands separators dropped). */
export async function number(page, selector) {
  return Number((await text(page, selector)).replace(/[^\d]/g, ''));
}

/** The overview's count cards (`data-testid="count-<Kind>"`) as `{ Kind: n }`. */
export async function shownCounts(page) {
  return page.$$eval('[data-testid^="count-"]', (cards) =>
    Object.fromEntries(
      cards.map((c) => [c.dataset.testid.slice('count-'.length), Number(c.textContent.replace(/[,\s]/g, ''))]),
    ),
  );
}

/** Fails unless the per-kind counts `actual` (app) equal `expected` (CLI). */
export function equalCounts(actual, expected, context) {
  const kinds = [...new Set([...Object.keys(actual), ...Object.keys(expected)])].sort();
  const wrong = kinds.filter((k) => actual[k] !== expected[k]);
  check(
    wrong.length === 0,
    `${context}: counts differ from the CLI for ${wrong
      .map((k) => `${k} (app ${actual[k] ?? 'missing'}, CLI ${expected[k] ?? 'missing'})`)
      .join(', ')}`,
  );
}

/** The text and suggested name of the download a click on `selector` starts. */
export async function downloaded(page, selector) {
  const [download] = await Promise.all([page.waitForEvent('download'), page.click(selector)]);
  return { name: download.suggestedFilename(), text: fs.readFileSync(await download.path(), 'utf8') };
}

export async function screenshot(page, name, fullPage = true) {
  fs.mkdirSync(screenshots, { recursive: true });
  await page.screenshot({ path: path.join(screenshots, `${name}.png`), fullPage });
}

/** Launches the Chromium the tests use (CHROMIUM, default /usr/bin/chromium). */
export async function launchBrowser() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    args: ['--no-sandbox'],
  });
}

/**
 * The tally of a test file: `wanted(name)` says whether ONLY (a substring of test names)
 * selects the test, `pass`/`fail` print `ok - name` / `FAILED - name: why`, `exit()`
 * prints the tally and exits non-zero on a failure.
 */
export function tally() {
  let passed = 0;
  let failed = 0;
  return {
    wanted: (name) => !process.env.ONLY || name.includes(process.env.ONLY),
    pass(name) {
      passed++;
      console.log(`ok - ${name}`);
    },
    fail(name, e) {
      failed++;
      console.log(`FAILED - ${name}: ${e instanceof TestFailure ? e.message : e.stack || e}`);
    },
    exit() {
      console.log(`${passed} passed, ${failed} failed`);
      process.exit(failed === 0 ? 0 : 1);
    },
  };
}

/**
 * A suite: serves dist/ and launches Chromium once; `test(name, body)` runs `body({ page,
 * context, problems, base })` on a fresh page and checks it stayed clean; `finish()`
 * closes everything, prints the tally and exits non-zero on a failure. ONLY (a substring
 * of test names) runs only the tests it names.
 */
export async function suite(prefix, { subPath = '/', viewport } = {}) {
  const { base, server, root } = await serve({ subPath });
  const browser = await launchBrowser();
  const results = tally();
  async function test(name, body, options = {}) {
    if (!results.wanted(name)) return;
    const opened = await openPage(browser, base, { viewport, ...options });
    try {
      await body({ ...opened, base, browser });
      checkClean(opened.problems, name, options);
      results.pass(name);
    } catch (e) {
      results.fail(name, e);
      await screenshot(opened.page, `${prefix}-failed-${name.replace(/\W+/g, '-')}`).catch(() => {});
    } finally {
      await opened.context.close();
    }
  }
  async function finish() {
    await browser.close();
    server.kill();
    if (root) fs.rmSync(root, { recursive: true, force: true });
    results.exit();
  }
  return { base, browser, test, finish };
}

/**
 * Generates, in the page, `pods` bare pods spread over `namespaces` namespaces (one List
 * file, `large/pods.json`, ~12 MB for 50,000) and drops it on the drop zone, noting
 * when in `window.dropped` (`performance.now()`: long tasks before it are the
 * generation's). Call `waitForAnalysis(page, 1, ...)` after it.
 */
export async function dropGeneratedPods(page, pods = 50_000, namespaces = 50) {
  await page.evaluate(
    ({ pods, namespaces }) => {
      const items = [];
      for (let i = 0; i < pods; i++) {
        items.push({
          apiVersion: 'v1',
          kind: 'Pod',
          metadata: { name: `pod-${i}`, namespace: `ns-${i % namespaces}`, uid: `uid-${i}` },
          spec: { containers: [{ name: 'app', image: `registry.example/app-${i % 200}:1.${i % 7}` }] },
        });
      }
      const file = new File([JSON.stringify({ apiVersion: 'v1', kind: 'List', items })], 'pods.json');
      Object.defineProperty(file, 'webkitRelativePath', { value: 'large/pods.json' });
      const transfer = new DataTransfer();
      transfer.items.add(file);
      const zone = document.querySelector('[data-testid="drop-zone"]');
      window.dropped = performance.now();
      zone.dispatchEvent(new DragEvent('drop', { bubbles: true, cancelable: true, dataTransfer: transfer }));
    },
    { pods, namespaces },
  );
}
