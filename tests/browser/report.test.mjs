// The HTML report opened offline: `portolan analyze --format html` on the demo, loaded
// from a file in Chromium with every network request blocked and recorded.
//
// Checks that the report attempts no request at all (the file itself aside), logs no
// error (a Content-Security-Policy violation would), shows the same secure score,
// recommendation count and attack path count as the CLI's JSON, that its inline script
// adds sorting and filtering, and that without JavaScript every table is still there.
// The app's "Export report" renders the same bytes from the same engine function.
//
// Usage (from the repository root, after building the CLI):
//   node tests/browser/report.test.mjs
// Environment: PORTOLAN_BIN (CLI, default target/debug/portolan), CHROMIUM (default
// /usr/bin/chromium).

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

import { check, cliRun, launchBrowser, screenshot, tally } from './harness.mjs';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'portolan-report-'));
const report = path.join(dir, 'report.html');
const analysis = cliRun(['analyze', 'public/demo', '-q', '-f', 'json']);
cliRun(['analyze', 'public/demo', '-q', '-f', 'html', '-o', report], { json: false });
const url = pathToFileURL(report).href;

const browser = await launchBrowser();
const results = tally();

async function run(name, javaScriptEnabled, body) {
  if (!results.wanted(name)) return;
  const context = await browser.newContext({ javaScriptEnabled, offline: true });
  const attempted = [];
  // Every request but the report itself is recorded and aborted.
  await context.route('**/*', (route) => {
    if (route.request().url() === url) return route.continue();
    attempted.push(route.request().url());
    return route.abort();
  });
  const page = await context.newPage();
  const errors = [];
  page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
  page.on('pageerror', (e) => errors.push(e.message));
  try {
    await page.goto(url);
    await body(page);
    check(attempted.length === 0, `requests attempted: ${attempted.join(', ')}`);
    check(errors.length === 0, `errors: ${errors.join(' | ')}`);
    results.pass(name);
  } catch (e) {
    results.fail(name, e);
  } finally {
    await context.close();
  }
}

const score = `${analysis.secureScore.overall.toFixed(1)}%`;
const recommendations = analysis.recommendations.filter((r) => r.affected > 0).length;
const paths = analysis.attackPaths.total;

await run('the offline report shows the CLI numbers and makes no request', true, async (page) => {
  const text = await page.locator('#summary').innerText();
  check(text.includes(score), `secure score ${score} not in the summary`);
  const glance = await page.locator('#summary table').first().innerText();
  check(glance.includes(`Recommendations\t${recommendations}`), `recommendations: ${glance}`);
  check(glance.includes(`Attack paths\t${paths}`), `attack paths: ${glance}`);
  const drawn = await page.locator('#attack-paths div.path').count();
  check(drawn === Math.min(50, analysis.attackPaths.paths.length), `${drawn} path diagrams`);
  // The inline script ran under the CSP: filters exist and filter.
  const table = page.locator('#recommendations table.sortable').first();
  const rows = await table.locator('tbody tr').count();
  check(rows === analysis.recommendations.length, `${rows} recommendation rows`);
  await page.locator('#recommendations input.filter').first().fill('privileged');
  const visible = await table.locator('tbody tr:visible').count();
  check(visible > 0 && visible < rows, `filter left ${visible} of ${rows} rows`);
  // Sorting by the Affected column puts the largest last, then first.
  await table.locator('th', { hasText: 'Affected' }).click();
  await table.locator('th', { hasText: 'Affected' }).click();
  await page.locator('#recommendations input.filter').first().fill('');
  const first = await table.locator('tbody tr').first().locator('td').nth(3).innerText();
  const max = Math.max(...analysis.recommendations.map((r) => r.affected));
  check(Number(first) === max, `sorted descending starts with ${first}, not ${max}`);
});

await run('at 1280×800 the score ring holds its text and overlaps nothing', true, async (page) => {
  await page.setViewportSize({ width: 1280, height: 800 });
  await page.locator('#summary details.explain summary').click();
  const { outside, overlaps } = await page.evaluate(() => {
    const svg = document.querySelector('#summary svg.score-ring');
    const ring = svg.getBoundingClientRect();
    const circle = svg.querySelector('circle');
    // The inside of the ring in page pixels: radius less half the stroke.
    const scale = ring.width / svg.viewBox.baseVal.width;
    const inner = (circle.r.baseVal.value - Number(circle.getAttribute('stroke-width')) / 2) * scale;
    const cx = ring.left + ring.width / 2;
    const cy = ring.top + ring.height / 2;
    const outside = [...svg.querySelectorAll('text')]
      .filter((t) => {
        const b = t.getBoundingClientRect();
        return [[b.left, b.top], [b.right, b.top], [b.left, b.bottom], [b.right, b.bottom]].some(([x, y]) => Math.hypot(x - cx, y - cy) > inner);
      })
      .map((t) => t.textContent);
    // No text of the summary outside the ring is drawn over it.
    const overlaps = [...document.querySelectorAll('#summary *')]
      .filter((el) => !svg.contains(el) && !el.contains(svg) && el.childElementCount === 0 && el.textContent.trim())
      .filter((el) => {
        const b = el.getBoundingClientRect();
        return b.width > 0 && b.left < ring.right && b.right > ring.left && b.top < ring.bottom && b.bottom > ring.top;
      })
      .map((el) => el.textContent.trim().slice(0, 40));
    return { outside, overlaps };
  });
  check(outside.length === 0, `text crossing the ring: ${outside.join(', ')}`);
  check(overlaps.length === 0, `text over the ring: ${overlaps.join(' | ')}`);
  await page.evaluate(() => document.querySelector('#summary').scrollIntoView());
  await screenshot(page, 'report-1280-summary', false);
});

await run('without JavaScript every table is there', false, async (page) => {
  const filters = await page.locator('input.filter').count();
  check(filters === 0, `${filters} filter boxes without JavaScript`);
  const rows = await page.locator('#recommendations table.sortable').first().locator('tbody tr').count();
  check(rows === analysis.recommendations.length, `${rows} recommendation rows`);
  const text = await page.locator('#summary').innerText();
  check(text.includes(score), `secure score ${score} not in the summary`);
});

await browser.close();
fs.rmSync(dir, { recursive: true, force: true });
results.exit();
