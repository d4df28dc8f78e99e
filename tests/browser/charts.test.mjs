// The engine's charts (report::charts, plotters SVG) in the app and in the report: the
// demo's Overview, Vulnerabilities and Attack paths pages show the same SVG as the
// report `portolan analyze --format html` writes, with the CLI's numbers; a hostile
// namespace name is drawn as text. Screenshots of each chart page are saved.
//
// Usage (from the repository root, after `trunk build --release` and building the CLI):
//   node tests/browser/charts.test.mjs
// Environment: PORTOLAN_BIN, PORTOLAN_DIST, CHROMIUM (see harness.mjs).

import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { check, cli, cliRun, dropFiles, goTo, loadDemo, repo, screenshot, suite, waitForAnalysis } from './harness.mjs';

const analysis = cliRun(['analyze', 'public/demo', '-q', '-f', 'json']);
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'portolan-charts-'));
const reportPath = path.join(dir, 'report.html');
execFileSync(cli, ['analyze', 'public/demo', '-q', '-f', 'html', '-o', reportPath], { cwd: repo });
const reportHtml = fs.readFileSync(reportPath, 'utf8');
const { test, finish } = await suite('charts');

/** The SVG of `chart-<id>` in the report, as the browser's HTML parser serialises it. */
const reportSvg = (page, id) =>
  page.evaluate(
    ([html, id]) => new DOMParser().parseFromString(html, 'text/html').querySelector(`#chart-${id} svg`)?.outerHTML ?? null,
    [reportHtml, id],
  );
/** The SVG of an app chart panel, serialised the same way. */
const appSvg = (page, testid) =>
  page.evaluate(
    (testid) => new DOMParser().parseFromString(document.querySelector(`[data-testid="${testid}"]`).innerHTML, 'text/html').querySelector('svg')?.outerHTML ?? null,
    testid,
  );
/** The text elements of an app chart, in order. */
const chartTexts = (page, testid) =>
  page.$$eval(`[data-testid="${testid}"] svg text`, (ts) => ts.map((t) => t.textContent.trim()));

await test('the demo charts are the report charts, with the CLI numbers', async ({ page }) => {
  await loadDemo(page);
  const pairs = [
    ['#/', 'chart-findings', 'findings-by-severity'],
    ['#/', 'chart-namespaces', 'namespace-scores'],
    ['#/vulnerabilities', 'chart-vulnerabilities', 'vulnerabilities'],
    ['#/attack-paths', 'chart-paths', 'paths-by-target'],
  ];
  for (const [hash, testid, id] of pairs) {
    await goTo(page, hash, `[data-testid="${testid}"] svg`);
    const app = await appSvg(page, testid);
    const report = await reportSvg(page, id);
    check(report !== null, `the report has no chart ${id}`);
    check(app === report, `${testid} differs from the report's ${id}`);
    await screenshot(page, `charts-${id}`);
  }
  // Findings by severity: each severity's count is the CLI's (findings not exempted).
  await goTo(page, '#/', '[data-testid="chart-findings"] svg');
  const texts = await chartTexts(page, 'chart-findings');
  for (const s of ['critical', 'high', 'medium', 'low', 'informational']) {
    const want = analysis.findings.filter((f) => f.severity === s && !f.exemption).length;
    const at = texts.indexOf(s);
    check(at > 0 && Number(texts[at + 1]) === want, `findings ${s}: chart ${texts[at + 1]}, CLI ${want}`);
  }
  // Paths by target: the CLI's byTarget, most first.
  await goTo(page, '#/attack-paths', '[data-testid="chart-paths"] svg');
  const paths = await chartTexts(page, 'chart-paths');
  for (const [target, n] of Object.entries(analysis.attackPaths.byTarget).filter(([, n]) => n > 0)) {
    const at = paths.indexOf(target);
    check(at > 0 && Number(paths[at + 1]) === n, `paths to ${target}: chart ${paths[at + 1]}, CLI ${n}`);
  }
  // Vulnerabilities: the bars add up to the summary's distinct ids.
  await goTo(page, '#/vulnerabilities', '[data-testid="chart-vulnerabilities"] svg');
  const vulns = await chartTexts(page, 'chart-vulnerabilities');
  const total = ['critical', 'high', 'medium', 'low', 'informational']
    .map((s) => Number((vulns[vulns.indexOf(s) + 1] ?? '0').split(' ')[0]))
    .reduce((a, b) => a + b, 0);
  check(total === analysis.vulnerabilities.summary.vulnerabilities, `vulnerability bars ${total}, CLI ${analysis.vulnerabilities.summary.vulnerabilities}`);
});

await test('a hostile namespace name is drawn as text', async ({ page }) => {
  const ns = '<img src=x onerror="window.pwned=1">';
  const pod = `apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\n  namespace: '${ns}'\nspec:\n  containers:\n  - name: c\n    image: nginx:1.25\n    securityContext: {privileged: true}\n`;
  await dropFiles(page, [{ path: 'pod.yaml', text: pod }]);
  await waitForAnalysis(page, 1);
  await goTo(page, '#/', '[data-testid="chart-namespaces"] svg');
  const texts = await chartTexts(page, 'chart-namespaces');
  check(texts.includes(ns.slice(0, 29) + '…'), `namespace label not shown as text: ${texts}`);
  check((await page.$$('[data-testid="chart-namespaces"] img')).length === 0, 'the namespace became an element');
  await page.waitForTimeout(200);
  check((await page.evaluate(() => window.pwned)) === undefined, 'the namespace ran script');
});

fs.rmSync(dir, { recursive: true, force: true });
await finish();
