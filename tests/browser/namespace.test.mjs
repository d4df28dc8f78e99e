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

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { check, cliRun, screenshot, suite } from './harness.mjs';

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

/** Namespaces of the CLI's secure score for the chart, with `extra` arguments. */
function cliNamespaces(dir, extra = []) {
  return cliRun(['analyze', dir, '--format', 'json', '-q', ...extra]).secureScore.namespaces.map((n) => n.namespace).sort();
}

async function shownNamespaces(page) {
  return page.$$eval('[data-testid="namespace-score-row"]', (rows) => rows.map((r) => r.dataset.namespace).sort());
}

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'portolan-ns-'));
fs.writeFileSync(path.join(tmp, 'chart.yaml'), CHART);
fs.writeFileSync(path.join(tmp, 'snapshot.json'), SNAPSHOT);
const { test, finish } = await suite('namespace');

await test('default namespace field and snapshot time', async ({ page }) => {
  const wantDefault = cliNamespaces(tmp);
  const wantPayments = cliNamespaces(tmp, ['-n', 'payments']);
  check(JSON.stringify(wantDefault) === '["default"]', `CLI: ${wantDefault}`);
  check(JSON.stringify(wantPayments) === '["payments"]', `CLI -n payments: ${wantPayments}`);
  await page.waitForSelector('[data-testid="default-namespace"]');
  await page.setInputFiles('[data-testid="file-input"]', [path.join(tmp, 'chart.yaml'), path.join(tmp, 'snapshot.json')]);
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
  await screenshot(page, 'namespace-field', false);
});

fs.rmSync(tmp, { recursive: true, force: true });
await finish();
