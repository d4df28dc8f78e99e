// Browser benchmark of the query engine (issue #13): every built-in template on the
// generated 50,000-pod export, in the app as a user runs it. The export is the one the
// native benchmark (`engine/examples/bench_query.rs`) measures, written to a file and
// picked with the file input; then, for each template, the Explorer's template picker is
// changed and the time is taken from that change to the answer rendered (the results
// table's `data-running` back to false, then the next frame): parsing, the request to
// the worker, the evaluation in wasm, the answer's way back and its rendering. Prints
// one Markdown row per template (best of RUNS) for BENCHMARKS.md. Not part of
// scripts/test.sh: it takes minutes and its figures depend on the machine's load.
//
// Usage (from the repository root, after `trunk build --release` and building the CLI):
//   cargo run -p portolan-engine --example bench_query -- 50000 --write /tmp/portolan-50k.json
//   node tests/browser/bench_queries.mjs /tmp/portolan-50k.json
// Environment: PORTOLAN_DIST (default dist), CHROMIUM (default /usr/bin/chromium),
// RUNS (default 3), BUDGET_MS (default 1000: a slower template fails the run).

import fs from 'node:fs';
import os from 'node:os';

import { cliRun, goTo, launchBrowser, openPage, serve, waitForAnalysis } from './harness.mjs';

const file = process.argv[2];
if (!file || !fs.existsSync(file)) {
  console.error('usage: node tests/browser/bench_queries.mjs EXPORT.json (see the header)');
  process.exit(2);
}
const runs = Number(process.env.RUNS || 3);
const budget = Number(process.env.BUDGET_MS || 1000);
const templates = cliRun(['query', '--list-templates'], { json: false })
  .split('\n')
  .filter((l) => l.trim())
  .map((l) => l.split(' — ')[0].trim());

const { base, server, root } = await serve();
const browser = await launchBrowser();
let failed = false;
try {
  const { page, context } = await openPage(browser, base, { viewport: { width: 1280, height: 800 } });
  const loadStart = Date.now();
  await page.setInputFiles('[data-testid="file-input"]', file);
  await waitForAnalysis(page, 1, 600_000);
  const loaded = Date.now() - loadStart;
  // Start from a query that is no template, so that the first pick changes the text.
  await goTo(page, `#/explorer?q=${encodeURIComponent('internet')}`, '[data-testid="explorer-template"]');
  await page.waitForSelector('[data-testid="explorer-results"][data-running="false"]');
  console.log(`Export ${file} (${(fs.statSync(file).size / 1e6).toFixed(0)} MB) picked and analysed in ${(loaded / 1000).toFixed(1)} s.`);
  console.log(`load average before: ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}`);
  console.log('| template | time in the browser | results |');
  console.log('| --- | ---: | ---: |');
  let slowest = 0;
  for (const name of templates) {
    let best = Infinity;
    let count = '';
    for (let run = 0; run < runs; run++) {
      // Away and back, so that each run asks the worker again.
      if (run > 0) {
        await page.evaluate(() => {
          location.hash = `#/explorer?q=${encodeURIComponent('internet')}`;
        });
        await page.waitForFunction(() => document.querySelector('[data-testid="explorer-text"]')?.value === 'internet');
        await page.waitForSelector('[data-testid="explorer-results"][data-running="false"]');
      }
      const ms = await page.evaluate(
        (name) =>
          new Promise((resolve) => {
            const results = document.querySelector('[data-testid="explorer-results"]');
            const select = document.querySelector('[data-testid="explorer-template"]');
            // Only the run this change starts touches the attribute from here on: the
            // first time it reads false again, the answer is in the DOM.
            const observer = new MutationObserver(() => {
              if (results.dataset.running === 'false') {
                observer.disconnect();
                // The answer is in the DOM; the next frame is when it is painted.
                requestAnimationFrame(() => setTimeout(() => resolve(performance.now() - t0), 0));
              }
            });
            observer.observe(results, { attributes: true, attributeFilter: ['data-running'] });
            const t0 = performance.now();
            select.value = name;
            select.dispatchEvent(new Event('change', { bubbles: true }));
          }),
        name,
      );
      best = Math.min(best, ms);
      count = (await page.textContent('[data-testid="explorer-count"]')).trim();
    }
    slowest = Math.max(slowest, best);
    const over = best > budget ? ' **over budget**' : '';
    if (best > budget) failed = true;
    console.log(`| \`${name}\` | ${best.toFixed(0)} ms${over} | ${count} |`);
  }
  console.log(`slowest: ${slowest.toFixed(0)} ms (budget ${budget} ms)`);
  console.log(`load average after: ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}`);
  await context.close();
} finally {
  await browser.close();
  server.kill();
  if (root) fs.rmSync(root, { recursive: true, force: true });
}
process.exit(failed ? 1 : 0);
