// Browser test of the load panel's "Default namespace" field and the snapshot time.
//
// Drops a chart written without metadata.namespace (and collect.sh's snapshot.json):
// the app places the objects in `default`, as `portolan analyze` does; typing another
// namespace in the field analyses the files again into that namespace, as `portolan
// analyze -n NS` does; the overview shows when the snapshot was taken. No request may
// leave the page's origin and the page may log no error.
//
// Usage (from the repository root, after `trunk build --release` and building the CLI):
//   node tests/browser/namespace.test.mjs
// Environment: PORTOLAN_BIN (CLI, default target/debug/portolan), PORTOLAN_DIST
// (default dist), CHROMIUM (default /usr/bin/chromium).

import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { chromium } from 'playwright-core';

const here = path.dirname(fileURLToPath(import.meta.url));
const repo = path.resolve(here, '../..');
const dist = path.resolve(repo, process.env.PORTOLAN_DIST || 'dist');
const cli = path.resolve(repo, process.env.PORTOLAN_BIN || 'target/debug/portolan');
const screenshots = path.join(here, 'screenshots');
const timeout = 60_000;

const CHART = `apiVersion: v1
kind: Pod
metadata: {name: web}
spec:
  hostNetwork: true
  containers: [{name: c, image: nginx:1.27}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: team-admin}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: admin}
subjects: [{kind: ServiceAccount, name: ci}]
`;
const SNAPSHOT_TIME = '2026-11-30T08:15:00Z';
const SNAPSHOT = `{"apiVersion": "portolan/v1", "kind": "SnapshotInfo", "collectedAt": "${SNAPSHOT_TIME}", "collector": "collect.sh"}\n`;

function check(condition, message) {
  if (!condition) throw new Error(message);
}

/** Namespaces of the CLI's secure score for the chart, with `extra` arguments. */
function cliNamespaces(dir, extra = []) {
  const out = execFileSync(cli, ['analyze', dir, '--format', 'json', '-q', ...extra], {
    maxBuffer: 64 * 1024 * 1024,
  });
  return JSON.parse(out.toString()).secureScore.namespaces.map((n) => n.namespace).sort();
}

async function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

async function serve() {
  check(fs.existsSync(path.join(dist, 'index.html')), `${dist}/index.html not found; run trunk build --release`);
  const port = await freePort();
  const server = spawn('python3', ['-m', 'http.server', String(port), '--bind', '127.0.0.1', '--directory', dist], {
    stdio: 'ignore',
  });
  const base = `http://127.0.0.1:${port}/`;
  for (let i = 0; i < 100; i++) {
    try {
      if ((await fetch(base)).ok) return { base, server };
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  server.kill();
  throw new Error('the static server did not start');
}

async function shownNamespaces(page) {
  return page.$$eval('[data-testid="namespace-score-row"]', (rows) => rows.map((r) => r.dataset.namespace).sort());
}

async function main() {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'portolan-ns-'));
  fs.writeFileSync(path.join(tmp, 'chart.yaml'), CHART);
  fs.writeFileSync(path.join(tmp, 'snapshot.json'), SNAPSHOT);
  const wantDefault = cliNamespaces(tmp);
  const wantPayments = cliNamespaces(tmp, ['-n', 'payments']);
  check(JSON.stringify(wantDefault) === '["default"]', `CLI: ${wantDefault}`);
  check(JSON.stringify(wantPayments) === '["payments"]', `CLI -n payments: ${wantPayments}`);

  const { base, server } = await serve();
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking'],
  });
  const problems = [];
  let page;
  try {
    const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
    const origin = new URL(base).origin;
    context.on('request', (r) => {
      const url = new URL(r.url());
      if (!['data:', 'blob:'].includes(url.protocol) && url.origin !== origin) problems.push(`request to ${r.url()}`);
    });
    page = await context.newPage();
    page.setDefaultTimeout(timeout);
    page.on('pageerror', (e) => problems.push(String(e)));
    page.on('console', (m) => m.type() === 'error' && problems.push(m.text()));
    await page.goto(base);
    await page.waitForSelector('[data-testid="default-namespace"]');
    await page.setInputFiles('[data-testid="file-input"]', [
      path.join(tmp, 'chart.yaml'),
      path.join(tmp, 'snapshot.json'),
    ]);
    await page.waitForSelector('[data-testid="namespace-score-row"]');
    const first = await shownNamespaces(page);
    check(JSON.stringify(first) === JSON.stringify(wantDefault), `app shows ${first}, the CLI ${wantDefault}`);
    const time = (await page.textContent('[data-testid="snapshot-time"]')).trim();
    check(time.includes(SNAPSHOT_TIME), `snapshot time shows "${time}"`);

    await page.fill('[data-testid="default-namespace"]', 'payments');
    await page.press('[data-testid="default-namespace"]', 'Enter');
    await page.waitForSelector('[data-testid="namespace-score-row"][data-namespace="payments"]');
    const second = await shownNamespaces(page);
    check(JSON.stringify(second) === JSON.stringify(wantPayments), `app shows ${second}, the CLI -n ${wantPayments}`);
    fs.mkdirSync(screenshots, { recursive: true });
    await page.screenshot({ path: path.join(screenshots, 'namespace-field.png') });
    check(problems.length === 0, `problems: ${problems.join(' | ')}`);
    console.log('ok   default namespace field and snapshot time');
  } catch (error) {
    if (page) {
      fs.mkdirSync(screenshots, { recursive: true });
      await page.screenshot({ path: path.join(screenshots, 'failed-namespace-field.png') }).catch(() => {});
    }
    console.log(`FAIL default namespace field and snapshot time\n     ${error.message}`);
    process.exitCode = 1;
  } finally {
    await browser.close();
    server.kill();
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

main().catch((error) => {
  console.error(`browser test could not run: ${error.stack || error}`);
  process.exit(1);
});
