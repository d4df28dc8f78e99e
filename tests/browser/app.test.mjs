// End-to-end tests of the built web app (dist/) in Chromium.
//
// Serves dist/ from a sub-path (as static hosting would), drives the page with
// playwright-core and checks that the app shows the same counts as the CLI for the
// demo snapshot, survives malformed input, and that its inventory tables filter, sort
// and keep their state in the URL. Every test also checks that no request left the
// page's origin and that the page logged no error.
//
// Usage (from the repository root, after `trunk build --release` and building the CLI):
//   node tests/browser/app.test.mjs
// Environment: PORTOLAN_BIN (CLI, default target/debug/portolan), PORTOLAN_DIST
// (default dist), PORTOLAN_DEMO_DIR (default public/demo; must be what dist/demo holds),
// CHROMIUM (default /usr/bin/chromium), ONLY (substring of test names).

import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

import {
  TestFailure,
  check,
  cli,
  cliRun as cliExec,
  demoFileCount,
  dist,
  dropFiles,
  dropGeneratedPods,
  equalCounts,
  repo,
  screenshot,
  screenshots,
  shownCounts,
  suite,
  waitForAnalysis,
} from './harness.mjs';

const demoDir = path.resolve(repo, process.env.PORTOLAN_DEMO_DIR || 'public/demo');
const malformedDir = path.join(repo, 'tests/fixtures/malformed');

/** Files under `dir`, as `{ path: prefix/relative, b64 }`, sorted by path. */
function readTree(dir, prefix) {
  const out = [];
  const walk = (d, rel) => {
    for (const entry of fs.readdirSync(d, { withFileTypes: true })) {
      const abs = path.join(d, entry.name);
      const relPath = rel ? `${rel}/${entry.name}` : entry.name;
      if (entry.isDirectory()) walk(abs, relPath);
      else if (entry.isFile())
        out.push({ path: `${prefix}/${relPath}`, b64: fs.readFileSync(abs).toString('base64') });
    }
  };
  walk(dir, '');
  return out.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

/** What the CLI makes of `dirs` (`portolan analyze DIR... --format json`). */
function cliAnalysis(...dirs) {
  return cliRun(dirs);
}

/** `portolan analyze DIR... --format json EXTRA...`, parsed. */
function cliRun(dirs, extra = []) {
  const args = ['analyze', ...dirs.map((d) => path.relative(repo, d) || '.'), '--format', 'json', ...extra];
  const analysis = cliExec(args);
  check(analysis?.inventory?.counts, `${cli} ${args.join(' ')}: no inventory.counts in the output`);
  return analysis;
}

/** The CLI's input paths under `dir`, renamed as if `dir` were dropped as `prefix/`. */
function cliPaths(analysis, dir, prefix) {
  const root = `${path.relative(repo, dir)}/`;
  return analysis.inputs
    .map((i) => i.path)
    .filter((p) => p.startsWith(root))
    .map((p) => `${prefix}/${p.slice(root.length)}`)
    .sort();
}

async function shownPaths(page) {
  return page.$$eval('[data-testid="input-row"]', (rows) => rows.map((r) => r.dataset.path).sort());
}

/** The overview's secure score, overall and per namespace, is the one of `analysis`. */
async function checkScores(page, analysis, context) {
  const score = (await page.textContent('[data-testid="secure-score"]')).trim();
  const wantScore = `${analysis.secureScore.overall.toFixed(1)}%`;
  check(score === wantScore, `${context}: secure score shows ${score}, the CLI says ${wantScore}`);
  // With several clusters a namespace name repeats: rows are (cluster, namespace, score).
  const rows = await page.$$eval('[data-testid="namespace-score-row"]', (trs) =>
    trs.map((tr) => [tr.dataset.cluster || '', tr.dataset.namespace, tr.querySelector('.score-value').textContent.trim()]),
  );
  const wantRows = analysis.secureScore.namespaces.map((n) => [n.cluster || '', n.namespace, `${n.score.toFixed(1)}%`]);
  const key = (r) => `${r[1]}\u0000${r[0]}`;
  const byName = (a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0);
  check(
    JSON.stringify([...rows].sort(byName)) === JSON.stringify([...wantRows].sort(byName)),
    `${context}: namespace scores ${JSON.stringify(rows)} differ from the CLI's ${JSON.stringify(wantRows)}`,
  );
  return score;
}

async function loadDemo(page, demoFiles) {
  await page.click('[data-testid="load-demo"]');
  await waitForAnalysis(page, demoFiles);
}

// ---- Tests -------------------------------------------------------------------------

async function testDemoDrop({ page }, ctx) {
  await screenshot(page, 'empty');
  // Every file of the folder, README included: like the CLI, the app reads only the
  // snapshot files of a dropped folder, under their paths inside it.
  const files = readTree(demoDir, 'demo');
  const wanted = cliPaths(ctx.analysis, demoDir, 'demo');
  await dropFiles(page, files);
  await waitForAnalysis(page, wanted.length);
  equalCounts(await shownCounts(page), ctx.expected, 'demo drop');
  const paths = await shownPaths(page);
  check(
    JSON.stringify(paths) === JSON.stringify(wanted),
    `demo drop: the inputs table shows ${paths.join(', ')}; the CLI read ${wanted.join(', ')}`,
  );
  // Dropping a file again replaces it: same set, same counts.
  await dropFiles(page, files.filter((f) => f.path === wanted[0]));
  await waitForAnalysis(page, wanted.length);
  equalCounts(await shownCounts(page), ctx.expected, 'demo drop after re-dropping a file');
}

async function testLoadDemo({ page }, ctx) {
  await loadDemo(page, ctx.demoIndex.length);
  equalCounts(await shownCounts(page), ctx.expected, 'Load demo');
  const paths = await shownPaths(page);
  const wanted = ctx.demoIndex.map((f) => `demo/${f}`).sort();
  check(
    JSON.stringify(paths) === JSON.stringify(wanted),
    `Load demo: the inputs table shows paths ${paths.join(', ')}`,
  );
  await checkScores(page, ctx.analysis, 'Load demo');
  await screenshot(page, 'overview');
  // Clear resets everything.
  await page.click('[data-testid="clear"]');
  await page.waitForFunction(
    () => document.querySelector('[data-testid="app"]').dataset.state === 'empty',
  );
  check((await page.$$('[data-testid="input-row"]')).length === 0, 'Clear left input rows');
}

async function testPickers({ page }, ctx) {
  // The folder picker (webkitdirectory) names files by their path inside the folder.
  const wanted = cliPaths(ctx.analysis, demoDir, 'demo');
  await page.setInputFiles('[data-testid="folder-input"]', demoDir);
  await waitForAnalysis(page, wanted.length);
  equalCounts(await shownCounts(page), ctx.expected, 'folder picker');
  const paths = await shownPaths(page);
  check(
    JSON.stringify(paths) === JSON.stringify(wanted),
    `folder picker: the inputs table shows ${paths.join(', ')}; the CLI read ${wanted.join(', ')}`,
  );
  // The file picker adds single files, named as they are, to what is loaded.
  const extra = fs.readdirSync(malformedDir).slice(0, 2);
  await page.setInputFiles('[data-testid="file-input"]', extra.map((f) => path.join(malformedDir, f)));
  await waitForAnalysis(page, wanted.length + extra.length);
  const added = await shownPaths(page);
  check(extra.every((f) => added.includes(f)), `file picker: ${extra.join(', ')} not among ${added.join(', ')}`);
}

async function testFolderDrop({ page, context }, ctx) {
  // A real drag of the demo folder through the DevTools protocol: the browser hands the
  // page directory entries, which the app walks (webkitGetAsEntry) like a user's drop.
  const wanted = cliPaths(ctx.analysis, demoDir, 'demo');
  const cdp = await context.newCDPSession(page);
  const box = await (await page.$('[data-testid="drop-zone"]')).boundingBox();
  const at = { x: box.x + box.width / 2, y: box.y + box.height / 2 };
  const data = { items: [], files: [demoDir], dragOperationsMask: 1 };
  for (const type of ['dragEnter', 'dragOver', 'drop']) {
    await cdp.send('Input.dispatchDragEvent', { type, ...at, data });
  }
  await waitForAnalysis(page, wanted.length);
  equalCounts(await shownCounts(page), ctx.expected, 'folder drop');
  const paths = await shownPaths(page);
  check(
    JSON.stringify(paths) === JSON.stringify(wanted),
    `folder drop: the inputs table shows ${paths.join(', ')}; the CLI read ${wanted.join(', ')}`,
  );
}

async function testMalformed({ page }, ctx) {
  check(fs.existsSync(malformedDir), `${malformedDir} is missing`);
  const both = cliAnalysis(demoDir, malformedDir);
  const demo = readTree(demoDir, 'demo');
  const malformed = readTree(malformedDir, 'malformed');
  check(malformed.length > 0, `${malformedDir} has no files`);
  const demoInputs = cliPaths(both, demoDir, 'demo').length;
  // Two drops: the second adds to the first and re-runs the analysis over both.
  await dropFiles(page, demo);
  await waitForAnalysis(page, demoInputs);
  await dropFiles(page, malformed);
  await waitForAnalysis(page, both.inputs.length);
  // What the malformed files still hold (a truncated List keeps its complete items)
  // is loaded too: the app must agree with the CLI over the same files, and lose
  // nothing of the demo.
  const shown = await shownCounts(page);
  equalCounts(shown, both.inventory.counts, 'demo plus malformed files');
  const lost = Object.entries(ctx.expected).filter(([kind, n]) => !(shown[kind] >= n));
  check(lost.length === 0, `demo resources lost next to malformed files: ${lost.map(([k]) => k).join(', ')}`);
  const missing = [];
  for (const file of malformed) {
    const errors = await page.$$eval(
      `[data-testid="input-row"][data-path="${file.path}"] [data-testid="input-error"]`,
      (items) => items.map((i) => i.textContent),
    );
    const located = errors.some((text) => text.startsWith(`${file.path}:`) && /^:\d+/.test(text.slice(file.path.length)));
    if (!located) missing.push(`${file.path} (${errors.length ? errors.join(' / ') : 'no error shown'})`);
  }
  check(missing.length === 0, `malformed files without a located error: ${missing.join('; ')}`);
  await screenshot(page, 'malformed');
}

async function testInventory({ page, problems }, ctx) {
  const deployments = (ctx.analysis.inventory.resources || []).filter((r) => r.kind === 'Deployment');
  check(ctx.expected.Deployment > 0, 'the demo has no Deployment');
  await loadDemo(page, ctx.demoIndex.length);
  await page.click('a.count-card[data-kind="Deployment"]');
  await page.waitForSelector('[data-testid="inventory-table"]');
  check((await page.evaluate(() => location.hash)) === '#/inventory/Deployment', 'card link goes to #/inventory/Deployment');
  const total = async () => Number(await page.textContent('[data-testid="inventory-total"]'));
  const rows = () => page.$$eval('[data-testid="inventory-row"]', (r) => r.length);
  const column = (name) =>
    page.$$eval(`[data-testid="inventory-row"] td[data-col="${name}"] .cell:first-child`, (cells) => cells.map((c) => c.textContent));
  check((await total()) === ctx.expected.Deployment, `table total ${await total()} != ${ctx.expected.Deployment}`);
  check((await rows()) === Math.min(100, ctx.expected.Deployment), 'table shows the wrong number of rows');

  // Search filters rows (and lands in the URL).
  const names = await column('Name');
  const needle = names[names.length - 1];
  await page.fill('[data-testid="inventory-search"]', needle);
  await page.waitForFunction(
    (n) => [...document.querySelectorAll('[data-testid="inventory-row"] td[data-col="Name"]')].every((c) => c.textContent.toLowerCase().includes(n.toLowerCase()) || c.closest('tr').textContent.toLowerCase().includes(n.toLowerCase())),
    needle,
  );
  const matching = (r, n) =>
    [r.name, r.namespace || '', r.source.file, ...(r.details || []).map((d) => d.value)].some((v) => v.toLowerCase().includes(n.toLowerCase()));
  if (deployments.length) {
    const want = deployments.filter((r) => matching(r, needle)).length;
    check((await total()) === want, `search "${needle}": ${await total()} rows, expected ${want}`);
  }
  check((await total()) >= 1 && (await total()) <= ctx.expected.Deployment, 'search result count out of range');
  check((await page.evaluate(() => location.hash)).includes(`q=${encodeURIComponent(needle)}`), 'search is not in the URL');
  await page.fill('[data-testid="inventory-search"]', '');
  await page.waitForFunction((n) => Number(document.querySelector('[data-testid="inventory-total"]').textContent) === n, ctx.expected.Deployment);

  // Namespace filter.
  const namespaces = await page.$$eval('[data-testid="inventory-namespace"] option', (o) => o.map((x) => x.value).filter(Boolean));
  check(namespaces.length > 0, 'no namespaces in the namespace filter');
  const ns = namespaces[namespaces.length - 1];
  await page.selectOption('[data-testid="inventory-namespace"]', ns);
  await page.waitForFunction((ns) => location.hash.includes(`ns=${encodeURIComponent(ns)}`), ns);
  const shownNs = await column('Namespace');
  check(shownNs.length > 0 && shownNs.every((n) => n === ns), `namespace filter ${ns} shows ${[...new Set(shownNs)].join(', ')}`);
  if (deployments.length) {
    const want = deployments.filter((r) => r.namespace === ns).length;
    check((await total()) === want, `namespace ${ns}: ${await total()} rows, expected ${want}`);
  }
  await page.selectOption('[data-testid="inventory-namespace"]', '');
  await page.waitForFunction((n) => Number(document.querySelector('[data-testid="inventory-total"]').textContent) === n, ctx.expected.Deployment);

  // Sorting by a column, both ways.
  const byName = (a, b) => (a < b ? -1 : a > b ? 1 : 0);
  await page.click('[data-testid="sort-Name"]');
  await page.waitForFunction(() => location.hash.includes('sort=Name') && !location.hash.includes('dir=desc'));
  const ascending = await column('Name');
  check(JSON.stringify(ascending) === JSON.stringify([...ascending].sort(byName)), `not sorted by name: ${ascending.join(', ')}`);
  await page.click('[data-testid="sort-Name"]');
  await page.waitForFunction(() => location.hash.includes('dir=desc'));
  const descending = await column('Name');
  check(JSON.stringify(descending) === JSON.stringify([...descending].sort(byName).reverse()), `not sorted by name descending: ${descending.join(', ')}`);
  await screenshot(page, 'inventory');

  // The route, filters included, survives a reload. The files do not (nothing is
  // stored), so the page offers to load them again and then applies the filters.
  await page.selectOption('[data-testid="inventory-namespace"]', ns);
  await page.waitForFunction((ns) => location.hash.includes(`ns=${encodeURIComponent(ns)}`), ns);
  const before = await page.evaluate(() => location.hash);
  await page.reload();
  await page.waitForSelector('[data-testid="kind-title"]');
  check((await page.evaluate(() => location.hash)) === before, 'reload changed the URL');
  check((await page.textContent('[data-testid="kind-title"]')).trim() === 'Deployment', 'reload lost the kind');
  await loadDemo(page, ctx.demoIndex.length);
  await page.waitForSelector('[data-testid="inventory-table"]');
  check((await page.inputValue('[data-testid="inventory-namespace"]')) === ns, 'reload lost the namespace filter');
  const afterNs = await column('Namespace');
  check(afterNs.length > 0 && afterNs.every((n) => n === ns), 'namespace filter not applied after reload');
  const afterNames = await column('Name');
  check(JSON.stringify(afterNames) === JSON.stringify([...afterNames].sort(byName).reverse()), 'sort order not applied after reload');
  check(problems.requests > 0, 'no request was recorded');
}

async function testRecommendations({ page }, ctx) {
  const recs = ctx.analysis.recommendations || [];
  const findings = ctx.analysis.findings || [];
  check(recs.length > 0, 'the CLI found no recommendation for the demo');
  const severities = ['critical', 'high', 'medium', 'low', 'informational'];
  await loadDemo(page, ctx.demoIndex.length);
  // The overview's severity cards and top recommendations.
  for (const s of severities) {
    const shown = Number((await page.textContent(`[data-testid="findings-${s}"]`)).replace(/[,\s]/g, ''));
    const want = findings.filter((f) => f.severity === s).length;
    check(shown === want, `overview: ${shown} ${s} findings, the CLI has ${want}`);
  }
  const top = await page.$$eval('[data-testid="top-recommendations"] [data-testid="recommendation-row"]', (r) => r.map((x) => x.dataset.rule));
  check(
    JSON.stringify(top) === JSON.stringify(recs.slice(0, 5).map((r) => r.rule)),
    `overview top recommendations ${top.join(', ')}`,
  );
  await page.click('[data-testid="nav-recommendations"]');
  await page.waitForSelector('[data-testid="recommendations-table"]');
  check((await page.evaluate(() => location.hash)) === '#/recommendations', 'nav link goes to #/recommendations');
  const rules = () => page.$$eval('[data-testid="recommendation-row"]', (r) => r.map((x) => x.dataset.rule));
  const shownRules = await rules();
  check(
    JSON.stringify(shownRules) === JSON.stringify(recs.map((r) => r.rule)),
    `the table shows ${shownRules.length} recommendations (${shownRules.join(', ')}); the CLI has ${recs.length}`,
  );
  for (const s of severities) {
    const shown = Number((await page.textContent(`[data-testid="findings-${s}"]`)).replace(/[,\s]/g, ''));
    const want = findings.filter((f) => f.severity === s).length;
    check(shown === want, `${shown} ${s} findings shown, the CLI has ${want}`);
  }
  const affected = await page.$$eval('[data-testid="recommendation-affected"]', (c) => c.map((x) => Number(x.textContent.replace(/[,\s]/g, ''))));
  check(JSON.stringify(affected) === JSON.stringify(recs.map((r) => r.affected)), 'affected counts differ from the CLI');
  await screenshot(page, 'recommendations');

  // Severity filter.
  await page.click('[data-testid="severity-chip-high"]');
  await page.waitForFunction(() => location.hash === '#/recommendations?severity=high');
  const high = recs.filter((r) => r.severity === 'high').map((r) => r.rule);
  check(high.length > 0 && high.length < recs.length, 'the demo should have some but not only high recommendations');
  await page.waitForFunction((n) => document.querySelectorAll('[data-testid="recommendation-row"]').length === n, high.length);
  check(JSON.stringify(await rules()) === JSON.stringify(high), 'severity filter shows the wrong rows');
  // Category filter on top of it.
  const category = recs.find((r) => r.severity === 'high').category;
  await page.selectOption('[data-testid="recommendations-category"]', category);
  await page.waitForFunction((c) => location.hash.includes(`category=${c}`), category);
  const highCat = recs.filter((r) => r.severity === 'high' && r.category === category).map((r) => r.rule);
  await page.waitForFunction((n) => document.querySelectorAll('[data-testid="recommendation-row"]').length === n, highCat.length);
  check(JSON.stringify(await rules()) === JSON.stringify(highCat), `category ${category} shows the wrong rows`);
  await page.selectOption('[data-testid="recommendations-category"]', '');
  await page.click('[data-testid="severity-chip-all"]');
  await page.waitForFunction(() => location.hash === '#/recommendations');

  // Search over titles, ids and affected resource names.
  const needle = 'node-debugger';
  await page.fill('[data-testid="recommendations-search"]', needle);
  const hit = (r) =>
    [r.title, r.rule].some((t) => t.toLowerCase().includes(needle)) ||
    r.findings.some((i) => ['name', 'namespace', 'kind'].some((k) => (findings[i].resource[k] || '').toLowerCase().includes(needle)));
  const searched = recs.filter(hit).map((r) => r.rule);
  check(searched.length > 0 && searched.length < recs.length, `search ${needle} should narrow the table`);
  await page.waitForFunction((n) => Number(document.querySelector('[data-testid="recommendations-total"]').textContent) === n, searched.length);
  check(JSON.stringify(await rules()) === JSON.stringify(searched), `search ${needle} shows the wrong rows`);
  check((await page.evaluate(() => location.hash)).includes(`q=${needle}`), 'search is not in the URL');
  await page.fill('[data-testid="recommendations-search"]', '');

  // The filtered route survives a reload.
  await page.click('[data-testid="severity-chip-high"]');
  await page.waitForFunction(() => location.hash === '#/recommendations?severity=high');
  await page.reload();
  await page.waitForSelector('[data-testid="recommendations-title"]');
  check((await page.evaluate(() => location.hash)) === '#/recommendations?severity=high', 'reload changed the URL');
  await loadDemo(page, ctx.demoIndex.length);
  await page.waitForSelector('[data-testid="recommendation-row"]');
  check(JSON.stringify(await rules()) === JSON.stringify(high), 'severity filter lost on reload');
  check(await page.$eval('[data-testid="severity-chip-high"]', (c) => c.classList.contains('active')), 'high chip not active after reload');

  // One recommendation: documentation and the exact failing field with its source line.
  await page.evaluate(() => {
    location.hash = '#/recommendations/privileged';
  });
  await page.waitForSelector('[data-testid="finding-row"]');
  const rec = recs.find((r) => r.rule === 'privileged');
  check(rec, 'the CLI has no privileged recommendation for the demo');
  check((await page.textContent('[data-testid="recommendation-title"]')).trim() === rec.title, 'detail title differs');
  check((await page.textContent('[data-testid="rule-example"]')).trim().length > 0, 'no failing example');
  check((await page.$$('pre[data-testid="rule-example"]')).length === 1, 'the example is not a <pre>');
  const total = Number(await page.textContent('[data-testid="findings-total"]'));
  check(total === rec.findings.length, `detail lists ${total} findings, the CLI has ${rec.findings.length}`);
  const want = rec.findings
    .map((i) => findings[i])
    .find((f) => f.resource.kind === 'DaemonSet' && f.resource.namespace === 'default' && f.resource.name === 'node-debugger');
  check(want, 'the CLI has no privileged finding for default/node-debugger');
  const rows = await page.$$eval('[data-testid="finding-row"]', (rows) =>
    rows.map((r) => Object.fromEntries([...r.querySelectorAll('td')].map((td) => [td.dataset.col, td.textContent]))),
  );
  const row = rows.find((r) => r.kind === 'DaemonSet' && r.namespace === 'default' && r.name === 'node-debugger');
  check(row, `no default/node-debugger DaemonSet row: ${JSON.stringify(rows)}`);
  check(row.field === 'spec.template.spec.containers[0].securityContext.privileged', `node-debugger field ${row.field}`);
  check(row.field === want.field, `node-debugger field ${row.field}, the CLI says ${want.field}`);
  check(row.source === `demo/daemonsets.json:${want.source.line}`, `node-debugger source ${row.source}, the CLI says line ${want.source.line}`);
  check(row.container === want.container, `node-debugger container ${row.container}`);
  // Search within the affected resources.
  await page.fill('[data-testid="findings-search"]', 'node-debugger');
  await page.waitForFunction(() => Number(document.querySelector('[data-testid="findings-total"]').textContent) === 1);
  await page.fill('[data-testid="findings-search"]', '');
  await page.waitForFunction((n) => Number(document.querySelector('[data-testid="findings-total"]').textContent) === n, rec.findings.length);
  await screenshot(page, 'recommendation-detail');
}

async function testLargeSnapshot({ page }, ctx) {
  const pods = 50_000;
  // Generated in the page (harness.mjs): 50,000 pods in 50 namespaces, one List file
  // of ~12 MB. Long tasks show whether the main thread stays responsive while the
  // worker runs and while the page reads the (large) result.
  await page.evaluate(() => {
    // Long tasks (main thread busy for 50 ms or more) from the drop on.
    // Each long task is kept with the phase of the test it fell in (`window.phase`), so
    // the notes say which step stalled.
    window.maxStall = 0;
    window.phase = 'analysis';
    window.stalls = {};
    new PerformanceObserver((list) => {
      for (const task of list.getEntries()) {
        if (window.dropped === undefined || task.startTime < window.dropped) continue;
        window.maxStall = Math.max(window.maxStall, task.duration);
        window.stalls[window.phase] = Math.max(window.stalls[window.phase] || 0, task.duration);
      }
    }).observe({ entryTypes: ['longtask'] });
  });
  await dropGeneratedPods(page, pods, 50);
  const started = Date.now();
  const progress = await page.waitForSelector('[data-testid="progress"]', { timeout: 10_000 }).catch(() => null);
  if (progress) {
    const text = await progress.textContent();
    check(/files|inventory|Rendering/.test(text), `progress says ${text}`);
    await page.screenshot({ path: path.join(screenshots, 'progress.png') });
  }
  await waitForAnalysis(page, 1, 240_000);
  const analysed = Date.now() - started;
  const stall = await page.evaluate(() => window.maxStall);
  const counts = await shownCounts(page);
  check(counts.Pod === pods, `large snapshot: ${counts.Pod} pods shown, expected ${pods}`);
  const phase = (name) => page.evaluate((n) => {
    window.phase = n;
  }, name);
  await phase('inventory page');
  await page.evaluate(() => {
    location.hash = '#/inventory/Pod';
  });
  await page.waitForSelector('[data-testid="inventory-table"]');
  const total = async () => Number(await page.textContent('[data-testid="inventory-total"]'));
  check((await total()) === pods, `large snapshot: table total ${await total()}`);
  const rows = await page.$$eval('[data-testid="inventory-row"]', (r) => r.length);
  check(rows === 100, `large snapshot: ${rows} rows in the DOM, expected one page of 100`);
  await phase('inventory search');
  const searchStarted = Date.now();
  await page.fill('[data-testid="inventory-search"]', 'pod-4999');
  await page.waitForFunction(() => Number(document.querySelector('[data-testid="inventory-total"]').textContent) === 11);
  const searched = Date.now() - searchStarted;
  ctx.notes.push(
    `50,000 pods: analysed in ${(analysed / 1000).toFixed(1)}s, longest main-thread stall ` +
      `${Math.round(stall)}ms, search in ${searched}ms`,
  );
  // The recommendation with the most findings renders one page of them.
  await phase('recommendations page');
  await page.evaluate(() => {
    location.hash = '#/recommendations';
  });
  await page.waitForSelector('[data-testid="recommendation-row"]');
  const totalFindings = (
    await page.$$eval('[data-testid^="findings-"]', (c) => c.filter((x) => /^findings-[a-z]+$/.test(x.dataset.testid) && x.closest('[data-testid="severity-summary"]')).map((x) => Number(x.textContent.replace(/[,\s]/g, ''))))
  ).reduce((a, b) => a + b, 0);
  await phase('recommendation detail');
  const detailStarted = Date.now();
  await page.click('[data-testid="recommendation-row"] [data-testid="recommendation-link"]');
  await page.waitForSelector('[data-testid="finding-row"]');
  const detailMs = Date.now() - detailStarted;
  const affectedTotal = Number(await page.textContent('[data-testid="findings-total"]'));
  const findingRows = await page.$$eval('[data-testid="finding-row"]', (r) => r.length);
  check(findingRows === Math.min(100, affectedTotal), `large snapshot: ${findingRows} finding rows in the DOM for ${affectedTotal} findings`);
  ctx.notes.push(`50,000 pods: ${totalFindings.toLocaleString('en')} findings, top recommendation (${affectedTotal.toLocaleString('en')} findings) opened in ${detailMs}ms`);
  // Exempting a namespace re-runs only the rules on the snapshot the worker kept: the
  // files are not read or parsed again.
  await page.evaluate(() => {
    window.progressTexts = [];
    new MutationObserver(() => {
      const p = document.querySelector('[data-testid="progress"]');
      if (p) window.progressTexts.push(p.textContent);
    }).observe(document.body, { subtree: true, childList: true, characterData: true });
  });
  await page.click('[data-testid="exempt-rule"]');
  await page.waitForSelector('[data-testid="exempt-form"]');
  const firstScope = await page.$eval('[data-testid="exempt-scope"]', (s) => s.selectedOptions[0].textContent);
  check(/^Namespace ns-0:/.test(firstScope), `the rule's form offers ${firstScope} first`);
  await page.fill('[data-testid="exempt-reason-input"]', 'Load test namespace.');
  await phase('exemption re-evaluation');
  const exemptStarted = Date.now();
  await page.click('[data-testid="exempt-save"]');
  await page.waitForSelector('[data-testid="recommendation-exempt-count"]', { timeout: 240_000 });
  await waitForIdle(page);
  const exemptMs = Date.now() - exemptStarted;
  const exemptText = (await page.textContent('[data-testid="recommendation-exempt-count"]')).trim();
  check(exemptText === '1,000 exempt', `large snapshot: exempting ns-0 shows ${exemptText}`);
  const texts = await page.evaluate(() => window.progressTexts);
  check(!texts.some((t) => /Reading|Parsing|inventory/.test(t)), `large snapshot: exempting re-read the files: ${[...new Set(texts)].join(' | ')}`);
  ctx.notes.push(
    `50,000 pods: a namespace exempted and the rules re-evaluated in ${(exemptMs / 1000).toFixed(1)}s ` +
      `(${Math.round((100 * exemptMs) / analysed)}% of the first analysis)`,
  );
  const stalls = await page.evaluate(() => window.stalls);
  ctx.notes.push(
    `50,000 pods: longest main-thread task by step: ${Object.entries(stalls).map(([p, ms]) => `${p} ${Math.round(ms)}ms`).join(', ') || 'none'}`,
  );
  check(stall < 1000, `large snapshot: the page froze for ${Math.round(stall)}ms`);
  check(searched < 3000, `large snapshot: search took ${searched}ms`);
}

async function testHostileValues({ page }) {
  // Values from a snapshot are attacker-controlled; they must come out as text.
  const name = '<img src=x onerror="window.pwned=1">';
  const namespace = '"><script>window.pwned=2</script>';
  const pods = {
    apiVersion: 'v1',
    kind: 'List',
    items: [
      {
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: { name, namespace },
        spec: { containers: [{ name: '<svg onload="window.pwned=3">', image: 'javascript:window.pwned=4' }] },
      },
    ],
  };
  const files = [
    { path: 'hostile/pods.json', b64: Buffer.from(JSON.stringify(pods)).toString('base64') },
    { path: 'hostile/<b id="injected">x</b>.json', b64: Buffer.from('{"kind": <i id="injected">').toString('base64') },
  ];
  await dropFiles(page, files);
  await waitForAnalysis(page, 2);
  check((await page.$$('#injected')).length === 0, 'a file name was rendered as markup');
  const error = await page.textContent('[data-testid="input-row"][data-path^="hostile/<b"] [data-testid="input-error"]');
  check(error.startsWith('hostile/<b id="injected">x</b>.json:1'), `hostile file name shown as ${error}`);
  await page.evaluate(() => {
    location.hash = '#/inventory/Pod';
  });
  await page.waitForSelector('[data-testid="inventory-row"]');
  const cells = await page.$$eval('[data-testid="inventory-row"] td .cell', (c) => c.map((t) => t.textContent));
  check(cells.includes(name) && cells.includes(namespace), `hostile values not shown verbatim: ${cells.join(' | ')}`);
  check((await page.$$('[data-testid="inventory-table"] img, [data-testid="inventory-table"] script, [data-testid="inventory-table"] svg')).length === 0, 'hostile values became elements');
  // The same values in the findings of a recommendation.
  await page.evaluate(() => {
    location.hash = '#/recommendations?q=onerror';
  });
  await page.waitForSelector('[data-testid="recommendation-row"]');
  await page.click('[data-testid="recommendation-row"] [data-testid="recommendation-link"]');
  await page.waitForSelector('[data-testid="finding-row"]');
  const findingNames = await page.$$eval('[data-testid="finding-row"] td[data-col="name"]', (c) => c.map((t) => t.textContent));
  check(findingNames.includes(name), `hostile name not shown verbatim in the findings: ${findingNames.join(' | ')}`);
  check((await page.$$('[data-testid="findings-table"] img, [data-testid="findings-table"] script, [data-testid="findings-table"] svg')).length === 0, 'hostile values became elements in the findings');
  await page.waitForTimeout(200);
  check((await page.evaluate(() => window.pwned)) === undefined, 'a hostile value ran script');
}

async function testBrokenWorker({ page }) {
  // The worker's script cannot load (see the setup): the page must say so, not hang.
  await page.waitForSelector('[data-testid="analysis-error"]', { timeout: 30_000 });
  await page.click('[data-testid="load-demo"]');
  await page.waitForFunction(
    () => document.querySelector('[data-testid="app"]').dataset.state === 'error',
    null,
    { timeout: 60_000 },
  );
  const message = await page.textContent('[data-testid="analysis-error"]');
  check(/worker could not be started/.test(message), `broken worker reported as: ${message}`);
  check((await page.$('[data-testid="progress"]')) === null, 'the progress indicator stayed after the failure');
  check(!(await page.isDisabled('[data-testid="load-demo"]')), 'Load demo stayed disabled after the failure');
}

/** Goes to `hash` and waits for `selector`. */
async function goTo(page, hash, selector) {
  await page.evaluate((h) => {
    location.hash = h;
  }, hash);
  await page.waitForSelector(selector);
}

/** Waits until no analysis runs (an exemption re-evaluates the rules). */
async function waitForIdle(page) {
  await page.waitForFunction(() => document.querySelector('[data-testid="app"]').dataset.state === 'done');
}

/** The finding row of `resource` (kind, namespace, name) on a recommendation page. */
function findingRow(page, resource) {
  let rows = page.locator('[data-testid="finding-row"]');
  for (const col of ['kind', 'namespace', 'name']) {
    const exact = new RegExp(`^${resource[col].replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`);
    rows = rows.filter({ has: page.locator(`td[data-col="${col}"]`, { hasText: exact }) });
  }
  return rows;
}

/** The recommendation table as `{rule: [affected, exempt]}`. */
async function shownRecommendations(page) {
  await goTo(page, '#/recommendations', '[data-testid="recommendation-row"]');
  return page.$$eval('[data-testid="recommendation-row"]', (rows) =>
    Object.fromEntries(
      rows.map((r) => [
        r.dataset.rule,
        [
          Number(r.querySelector('[data-testid="recommendation-affected"]').textContent.replace(/[,\s]/g, '')),
          Number((r.querySelector('[data-testid="recommendation-exempt"]')?.textContent || '0').replace(/[^0-9]/g, '')),
        ],
      ]),
    ),
  );
}

async function testExemptions({ page }, ctx) {
  const rule = 'privileged';
  const resource = { kind: 'DaemonSet', namespace: 'default', name: 'node-debugger' };
  // Markup in the reason must stay text.
  const reason = 'Break-glass debugging; <b id="injected">owned by SRE</b>';
  const expires = '2099-12-31';
  await loadDemo(page, ctx.demoIndex.length);
  const before = await checkScores(page, ctx.analysis, 'before exempting');

  // Exempt one affected resource from its recommendation.
  await goTo(page, `#/recommendations/${rule}`, '[data-testid="finding-row"]');
  const row = findingRow(page, resource);
  await row.locator('[data-testid="exempt-resource"]').click();
  await page.waitForSelector('[data-testid="exempt-form"]');
  const scope = await page.$eval('[data-testid="exempt-scope"]', (s) => s.selectedOptions[0].textContent);
  check(scope.includes('DaemonSet default/node-debugger'), `the form offers ${scope} first`);
  // The reason is required.
  await page.click('[data-testid="exempt-save"]');
  await page.waitForSelector('[data-testid="exempt-problem"]');
  await page.fill('[data-testid="exempt-reason-input"]', reason);
  await page.fill('[data-testid="exempt-expires"]', expires);
  await screenshot(page, 'exempt-form');
  await page.click('[data-testid="exempt-save"]');
  await row.locator('[data-testid="exempt-badge"]').waitFor();
  await waitForIdle(page);
  check((await page.$$('[data-testid="exempt-form"]')).length === 0, 'the form stayed open');
  const shownReason = await row.locator('[data-testid="exempt-reason"]').textContent();
  check(shownReason === reason, `the badge shows the reason as ${shownReason}`);
  check((await row.locator('[data-testid="exempt-expiry"]').textContent()).includes(expires), 'the badge does not show the expiry');
  check((await page.$$('#injected')).length === 0, 'the reason was rendered as markup');
  const exemptCount = await page.textContent('[data-testid="recommendation-exempt-count"]');
  check(exemptCount.trim() === '1 exempt', `the recommendation says ${exemptCount}`);
  await screenshot(page, 'recommendation-exempt');

  // Export the exemptions and give them to the CLI: same score and counts.
  await page.click('[data-testid="nav-exemptions"]');
  await page.waitForSelector('[data-testid="exemption-row"]');
  const status = await page.textContent('[data-testid="exemption-status"]');
  check(status === 'Applied to 1 finding', `the exemption's status is ${status}`);
  const [download] = await Promise.all([page.waitForEvent('download'), page.click('[data-testid="exemptions-export"]')]);
  check(download.suggestedFilename() === 'portolan-exemptions.yaml', `exported as ${download.suggestedFilename()}`);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'portolan-exemptions-'));
  const file = path.join(dir, 'portolan-exemptions.yaml');
  await download.saveAs(file);
  const exported = fs.readFileSync(file, 'utf8');
  const stored = await page.evaluate(() => localStorage.getItem('portolan.exemptions'));
  check(exported === stored, 'the exported file is not the stored text');
  await screenshot(page, 'exemptions');
  const withCli = cliRun([demoDir], ['--exemptions', file]);
  fs.rmSync(dir, { recursive: true, force: true });
  const cliExempt = withCli.findings.filter((f) => f.exemption);
  check(
    cliExempt.length === 1 && cliExempt[0].rule === rule && cliExempt[0].resource.name === resource.name && cliExempt[0].exemption.reason === reason,
    `the CLI applied the exported file to ${JSON.stringify(cliExempt)}`,
  );
  await goTo(page, '#/', '[data-testid="secure-score"]');
  await checkScores(page, withCli, 'after exempting');
  // With some 150 rules in the score, one exempted resource can move it by less than
  // the shown decimal: the exemption must show in the rule's own term of the score.
  const control = (a) => a.secureScore.controls.find((c) => c.rule === rule);
  check(
    control(withCli).unhealthy === control(ctx.analysis).unhealthy - 1,
    `the ${rule} control counts ${control(withCli).unhealthy} unhealthy after exempting, ${control(ctx.analysis).unhealthy} before (score ${before})`,
  );
  const severities = ['critical', 'high', 'medium', 'low', 'informational'];
  for (const s of severities) {
    const shown = Number((await page.textContent(`[data-testid="findings-${s}"]`)).replace(/[,\s]/g, ''));
    const want = withCli.findings.filter((f) => f.severity === s && !f.exemption).length;
    check(shown === want, `${shown} open ${s} findings shown, the CLI has ${want}`);
  }
  const recs = await shownRecommendations(page);
  const wantRecs = Object.fromEntries(withCli.recommendations.map((r) => [r.rule, [r.affected, r.exempted]]));
  check(JSON.stringify(recs) === JSON.stringify(wantRecs), `recommendations ${JSON.stringify(recs)}, the CLI has ${JSON.stringify(wantRecs)}`);
  check(recs[rule][1] === 1, `the ${rule} row shows ${recs[rule][1]} exempt`);

  // An exemption file with a problem is refused with its location.
  await goTo(page, '#/exemptions', '[data-testid="exemption-row"]');
  await page.setInputFiles('[data-testid="exemptions-import"]', {
    name: 'bad.yaml',
    mimeType: 'application/yaml',
    buffer: Buffer.from('exemptions:\n- rule: privileged\n  reason: [unclosed\n'),
  });
  await page.waitForSelector('[data-testid="exemptions-import-errors"]');
  const importErrors = await page.textContent('[data-testid="exemptions-import-errors"] li');
  check(/^bad\.yaml:\d+(:\d+)?: error: /.test(importErrors), `import error shown as ${importErrors}`);
  check((await page.$$('[data-testid="exemption-row"]')).length === 1, 'a bad file changed the exemptions');
  await screenshot(page, 'exemptions-import-error');

  // The exemption is kept in the browser: after a reload it applies to the demo again.
  await page.reload();
  await page.waitForSelector('[data-testid="exemption-row"]');
  check((await page.textContent('[data-testid="exemption-status"]')) === 'Not evaluated', 'status before loading files');
  await goTo(page, '#/', '[data-testid="load-demo"]');
  await loadDemo(page, ctx.demoIndex.length);
  await goTo(page, '#/exemptions', '[data-testid="exemption-row"]');
  const reloaded = await page.textContent('[data-testid="exemption-status"]');
  check(reloaded === 'Applied to 1 finding', `after a reload the exemption's status is ${reloaded}`);
  await goTo(page, `#/recommendations/${rule}`, '[data-testid="finding-row"]');
  await row.locator('[data-testid="exempt-badge"]').waitFor();
  await goTo(page, '#/', '[data-testid="secure-score"]');
  await checkScores(page, withCli, 'after a reload');

  // Removing it counts the finding again.
  await goTo(page, '#/exemptions', '[data-testid="exemption-remove"]');
  await page.click('[data-testid="exemption-remove"]');
  await page.waitForSelector('[data-testid="no-exemptions"]');
  await waitForIdle(page);
  await goTo(page, '#/', '[data-testid="secure-score"]');
  await checkScores(page, ctx.analysis, 'after removing the exemption');
  check((await page.evaluate(() => localStorage.getItem('portolan.exemptions'))).includes('exemptions: []'), 'the removal was not stored');
}

/** The report the CLI writes for the demo, with the paths the app gives its files. */
function cliDemoReport() {
  return execFileSync(cli, ['analyze', 'demo', '--quiet', '--format', 'html'], {
    cwd: path.join(repo, 'public'),
    maxBuffer: 64 * 1024 * 1024,
  });
}

async function testAttackPathsEnforcementAndReport({ page, context }, ctx) {
  await loadDemo(page, ctx.demoIndex.length);
  const ap = ctx.analysis.attackPaths;
  check(ap.total > 0 && ap.paths.length > 0, 'the demo has attack paths');
  // The list and the choke points are the engine's, as the CLI computes them.
  await goTo(page, '#/attack-paths', '[data-testid="attack-paths-table"]');
  const total = await page.textContent('[data-testid="attack-paths-total"] .tile-value');
  check(Number(total.replace(/\D/g, '')) === ap.total, `attack paths total ${total}, CLI ${ap.total}`);
  const summary = await page.textContent('[data-testid="choke-summary"]');
  check(summary === ap.chokePoints.summary, `choke points: ${summary} vs ${ap.chokePoints.summary}`);
  const rows = await page.$$('[data-testid="attack-path-row"]');
  check(rows.length === ap.paths.length, `${rows.length} path rows, CLI lists ${ap.paths.length}`);
  await screenshot(page, 'attack-paths');
  // The riskiest path, step by step.
  await page.click('[data-testid="attack-path-row"] a');
  await page.waitForSelector('[data-testid="path-chain"]');
  const title = await page.textContent('[data-testid="attack-path-title"]');
  check(title === ap.paths[0].title, `path title ${title}`);
  const steps = await page.$$('[data-testid="path-chain"] .chain-step');
  check(steps.length === ap.paths[0].steps.length, `${steps.length} steps drawn`);
  await screenshot(page, 'attack-path');
  // Enforcement: one row per namespace, as the CLI's dry run.
  await goTo(page, '#/enforcement', '[data-testid="enforcement-table"]');
  const ns = await page.$$('[data-testid="enforcement-row"]');
  check(ns.length === ctx.analysis.enforcement.length, `${ns.length} namespaces in the dry run`);
  await screenshot(page, 'enforcement');
  // The demo holds two clusters: the policy is downloaded for one of them.
  await page.selectOption('[data-testid="cluster-filter"]', ctx.analysis.clusters[0].name);
  const [policy] = await Promise.all([
    page.waitForEvent('download'),
    page.click('[data-testid="download-policy"]'),
  ]);
  const policyText = fs.readFileSync(await policy.path(), 'utf8');
  check(policyText.includes('kind: ValidatingAdmissionPolicy'), 'the policy download is a ValidatingAdmissionPolicy');
  // Export report: the same bytes as the CLI.
  await goTo(page, '#/', '[data-testid="export-report"]');
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    page.click('[data-testid="export-report"]'),
  ]);
  const exported = fs.readFileSync(await download.path());
  const expected = cliDemoReport();
  check(exported.equals(expected), `the exported report (${exported.length} bytes) differs from the CLI's (${expected.length} bytes)`);
  // Opened offline with every request blocked and recorded: it shows the app's numbers
  // and attempts nothing.
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'portolan-export-')), 'portolan.html');
  fs.writeFileSync(file, exported);
  const url = pathToFileURL(file).href;
  const offline = await page.context().browser().newContext({ offline: true });
  const attempted = [];
  await offline.route('**/*', (route) => {
    if (route.request().url() === url) return route.continue();
    attempted.push(route.request().url());
    return route.abort();
  });
  try {
    const report = await offline.newPage();
    await report.goto(url);
    const text = await report.locator('#summary').innerText();
    const score = `${ctx.analysis.secureScore.overall.toFixed(1)}%`;
    const shownScore = await page.textContent('[data-testid="secure-score"]');
    check(text.includes(score) && shownScore.includes(score), `score ${score} not in the report summary`);
    const recommendations = ctx.analysis.recommendations.filter((r) => r.affected > 0).length;
    check(text.includes(String(recommendations)), `recommendation count ${recommendations} not in the report`);
    check(text.includes(String(ap.total)), `attack path count ${ap.total} not in the report`);
    check(attempted.length === 0, `the exported report attempted requests: ${attempted.join(', ')}`);
  } finally {
    await offline.close();
    fs.rmSync(path.dirname(file), { recursive: true, force: true });
  }
}

/** Waits until `selector` matches `n` elements and returns `n`, or the count seen. */
async function rowCount(page, selector, n) {
  try {
    await page.waitForFunction(([sel, want]) => document.querySelectorAll(sel).length === want, [selector, n], { timeout: 5000 });
  } catch {
    // Reported by the caller's check with the count seen.
  }
  return (await page.$$(selector)).length;
}

async function testVulnerabilities({ page }, ctx) {
  await loadDemo(page, ctx.demoIndex.length);
  const v = ctx.analysis.vulnerabilities;
  check(v.summary.scans > 0 && v.images.length > 0, 'the demo has image scans');
  const navCount = await page.textContent('[data-testid="nav-vulnerabilities-count"]');
  check(Number(navCount.replace(/\D/g, '')) === v.summary.vulnerabilities, `nav shows ${navCount} vulnerabilities`);
  await goTo(page, '#/vulnerabilities', '[data-testid="vuln-images"]');
  // The tiles are the engine's summary.
  const tiles = {
    'vuln-total': v.summary.vulnerabilities,
    'vuln-critical': v.summary.bySeverity.critical,
    'vuln-high': v.summary.bySeverity.high,
    'vuln-medium': v.summary.bySeverity.medium,
    'vuln-low': v.summary.bySeverity.low,
    'vuln-fixable': v.summary.fixable,
    'vuln-remote': v.summary.remotelyExploitable,
    'vuln-scanned': v.summary.scannedImages,
    'vuln-not-scanned': v.summary.notScannedImages,
  };
  for (const [testid, want] of Object.entries(tiles)) {
    const shown = await page.textContent(`[data-testid="${testid}"]`);
    check(Number(shown.replace(/\D/g, '')) === want, `${testid} shows ${shown}, the CLI says ${want}`);
  }
  // By image: one row per image, filtered as the analysis says.
  const imageRows = '[data-testid="vuln-image-row"]';
  const images = Math.min(v.images.length, 200);
  check((await rowCount(page, imageRows, images)) === images, `by image: ${images} rows expected`);
  const notScanned = await page.$$eval('[data-testid="vuln-image-row"][data-scanned="false"]', (rows) => rows.map((r) => r.textContent));
  check(notScanned.length === v.images.filter((i) => !i.scanned).length && notScanned.every((t) => t.includes('not scanned')), 'images not scanned are shown as such');
  await screenshot(page, 'vulnerabilities-images');
  const vulnsOf = (i) => i.vulnerabilities || [];
  const fixable = (x) => x.fixed !== undefined && x.fixed !== '';
  const critical = v.images.filter((i) => vulnsOf(i).some((x) => x.severity === 'critical')).length;
  await page.selectOption('[data-testid="vuln-severity"]', 'critical');
  check((await rowCount(page, imageRows, critical)) === critical, `critical filter: ${critical} images expected`);
  await page.check('[data-testid="vuln-fixable-only"]');
  const criticalFixable = v.images.filter((i) => vulnsOf(i).some((x) => x.severity === 'critical' && fixable(x))).length;
  check((await rowCount(page, imageRows, criticalFixable)) === criticalFixable, `critical and fixable: ${criticalFixable} images expected`);
  await page.selectOption('[data-testid="vuln-severity"]', '');
  const anyFixable = v.images.filter((i) => vulnsOf(i).some(fixable)).length;
  check((await rowCount(page, imageRows, anyFixable)) === anyFixable, `fixable only: ${anyFixable} images expected`);
  // By CVE, under the same fixable-only filter, then under none.
  await page.click('[data-testid="vuln-view-cves"]');
  const cveRows = '[data-testid="vuln-cve-row"]';
  const fixableCves = v.cves.filter((c) => c.packages.some((p) => p.includes('→'))).length;
  check((await rowCount(page, cveRows, fixableCves)) === fixableCves, `fixable CVEs: ${fixableCves} expected`);
  await page.uncheck('[data-testid="vuln-fixable-only"]');
  check((await rowCount(page, cveRows, v.cves.length)) === v.cves.length, `by CVE: ${v.cves.length} rows expected`);
  const ingress = await page.textContent('[data-testid="vuln-cve-row"][data-id="CVE-2025-1974"]');
  check(ingress.includes('ingress-nginx-controller'), `CVE-2025-1974 row: ${ingress}`);
  await screenshot(page, 'vulnerabilities-cves');
  // By workload, and one container's vulnerabilities.
  await page.click('[data-testid="vuln-view-workloads"]');
  const workloadRows = '[data-testid="vuln-workload-row"]';
  check((await rowCount(page, workloadRows, v.containers.length)) === v.containers.length, `by workload: ${v.containers.length} rows expected`);
  await page.click('[data-testid="vuln-workload-open"]');
  await page.waitForSelector('[data-testid="vuln-container"]');
  const listed = await page.$$eval('[data-testid="vuln-container-row"]', (rows) => rows.map((r) => r.dataset.id));
  const want = v.containers[0].vulnerabilities.map((x) => x.id);
  check(JSON.stringify(listed) === JSON.stringify(want), `container list ${listed} vs ${want}`);
  await screenshot(page, 'vulnerabilities-workloads');
}

/** `portolan diff OLD demo --format json`, run from `public/` so the paths are the app's. */
function cliDemoDiff(old) {
  try {
    return JSON.parse(
      execFileSync(cli, ['diff', old, 'demo', '--quiet', '--format', 'json'], {
        cwd: path.join(repo, 'public'),
        maxBuffer: 64 * 1024 * 1024,
        encoding: 'utf8',
      }),
    );
  } catch (e) {
    throw new TestFailure(`${cli} diff ${old} demo failed: ${e.stderr || e.message}`);
  }
}

/** The numbers the compare page shows, by test id. */
async function shownDrift(page) {
  const ids = ['new', 'fixed', 'gone', 'unchanged', 'exemption-changed', 'paths-new', 'paths-fixed', 'paths-entry-gone', 'paths-unchanged'];
  const out = {};
  for (const id of ids) out[id] = Number((await page.textContent(`[data-testid="compare-${id}"]`)).replace(/\D/g, ''));
  out.score = await page.textContent('[data-testid="compare-score"]');
  out.change = await page.textContent('[data-testid="compare-score-change"]');
  return out;
}

/** What the compare page should show for the CLI's diff `d`. */
function expectedDrift(d) {
  const s = d.secureScore;
  return {
    new: d.findings.new.length,
    fixed: d.findings.fixed.length,
    gone: d.findings.resourceGone.length,
    unchanged: d.findings.unchanged.length,
    'exemption-changed': (d.findings.exemptionChanged || []).length,
    'paths-new': d.attackPaths.new.length,
    'paths-fixed': d.attackPaths.fixed.length,
    'paths-entry-gone': d.attackPaths.resourceGone.length,
    'paths-unchanged': d.attackPaths.unchanged.length,
    score: `${s.old.toFixed(1)}% → ${s.new.toFixed(1)}%`,
    change: s.change === 0 ? 'No change' : `${s.change > 0 ? '+' : ''}${s.change.toFixed(1)} points`,
  };
}

/** Picks `file` (a path or `{name, mimeType, buffer}`) as the baseline on #/compare. */
async function pickBaseline(page, file) {
  await page.setInputFiles('[data-testid="baseline-input"]', file);
}

async function testCompare({ page }, ctx) {
  // A baseline from an earlier state of the demo: no people's RBAC and no ingresses yet
  // (so their findings and paths are new), and a privileged, exposed pod since removed
  // (so its findings and paths are fixed). The folder is named `demo` like the app's.
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'portolan-compare-'));
  try {
    const earlier = path.join(tmp, 'demo');
    fs.cpSync(demoDir, earlier, { recursive: true });
    fs.rmSync(path.join(earlier, 'rbac-people.yaml'));
    fs.rmSync(path.join(earlier, 'ingresses.json'));
    fs.writeFileSync(
      path.join(earlier, 'legacy.yaml'),
      `apiVersion: v1
kind: Pod
metadata:
  name: legacy-debug
  namespace: default
  labels: {app: legacy-debug}
spec:
  hostPID: true
  containers:
  - name: shell
    image: busybox:1.36
    ports: [{containerPort: 8080}]
    securityContext: {privileged: true}
---
apiVersion: v1
kind: Service
metadata: {name: legacy-debug, namespace: default}
spec:
  type: LoadBalancer
  selector: {app: legacy-debug}
  ports: [{port: 80, targetPort: 8080}]
`,
    );
    const baseline = path.join(tmp, 'baseline.json');
    execFileSync(cli, ['analyze', 'demo', '--quiet', '--format', 'json', '-o', baseline], { cwd: tmp });
    const want = cliDemoDiff(baseline);
    // The removed pod's findings and paths are on a resource no longer present, not
    // fixed (#17); the two are counted apart and both must show.
    for (const [what, n] of [
      ['new findings', want.findings.new.length],
      ['findings on a resource no longer present', want.findings.resourceGone.length],
      ['new paths', want.attackPaths.new.length],
      ['paths whose entry is no longer present', want.attackPaths.resourceGone.length],
    ])
      check(n > 0, `the test baseline gives no ${what}`);

    await loadDemo(page, ctx.demoIndex.length);
    await goTo(page, '#/compare', '[data-testid="no-baseline"]');
    // Anything but an analysis is refused with a clear, located message.
    await pickBaseline(page, path.join(demoDir, 'pods.json'));
    await page.waitForSelector('[data-testid="baseline-error"]');
    let error = await page.textContent('[data-testid="baseline-error"]');
    check(error.includes('pods.json: not an analysis saved by Portolan'), `a snapshot file as baseline: ${error}`);
    await pickBaseline(page, {
      name: 'broken.json',
      mimeType: 'application/json',
      buffer: Buffer.from('{"schemaVersion": 1, "tool": {"name": "portolan", "version": "0"},\n "inputs": 7}\n'),
    });
    await page.waitForFunction(() => document.querySelector('[data-testid="baseline-error"]')?.textContent.includes('broken.json'));
    error = await page.textContent('[data-testid="baseline-error"]');
    check(/broken\.json: not a valid analysis: .* line 2 column \d+/.test(error), `a broken analysis as baseline: ${error}`);
    check((await page.$$('[data-testid="baseline-note"]')).length === 0, 'a refused file became the baseline');
    await screenshot(page, 'compare-error');

    // The CLI's baseline: the page shows the CLI's diff.
    await pickBaseline(page, baseline);
    await page.waitForSelector('[data-testid="compare-new"]');
    check((await page.$$('[data-testid="baseline-error"]')).length === 0, 'the error stayed after a good baseline');
    check((await page.textContent('[data-testid="baseline-file"]')) === 'baseline.json', 'the baseline file is not named');
    const shown = await shownDrift(page);
    const expected = expectedDrift(want);
    check(JSON.stringify(shown) === JSON.stringify(expected), `the page shows ${JSON.stringify(shown)}, the CLI ${JSON.stringify(expected)}`);
    const rows = async (id) => page.$$eval(`[data-testid="${id}-row"]`, (rs) => rs.map((r) => r.dataset.rule || r.dataset.path));
    const cap = (list) => list.slice(0, 200);
    check(JSON.stringify(await rows('new-findings')) === JSON.stringify(cap(want.findings.new.map((f) => f.rule))), 'new finding rows differ from the CLI');
    check(JSON.stringify(await rows('fixed-findings')) === JSON.stringify(cap(want.findings.fixed.map((f) => f.rule))), 'fixed finding rows differ from the CLI');
    check(JSON.stringify(await rows('gone-findings')) === JSON.stringify(cap(want.findings.resourceGone.map((f) => f.rule))), 'no-longer-present finding rows differ from the CLI');
    check(JSON.stringify(await rows('new-paths')) === JSON.stringify(cap(want.attackPaths.new.map((p) => p.id))), 'new path rows differ from the CLI');
    check(JSON.stringify(await rows('fixed-paths')) === JSON.stringify(cap(want.attackPaths.fixed.map((p) => p.id))), 'gone path rows differ from the CLI');
    const gone = await page.$$eval('[data-testid="fixed-paths-row"] .rec-title', (cells) => cells.map((c) => c.textContent));
    check(JSON.stringify(gone) === JSON.stringify(want.attackPaths.fixed.map((p) => p.title)), `gone path titles ${JSON.stringify(gone)}`);
    const first = want.findings.new[0];
    const row = page.locator('[data-testid="new-findings-row"]').first();
    check((await row.locator('.rec-title a').getAttribute('href')) === `#/recommendations/${first.rule}`, 'the rule does not link to its recommendation');
    const inventoryHref = await row.locator('[data-testid="resource-link"]').getAttribute('href');
    check(inventoryHref.startsWith(`#/inventory/${first.resource.kind}?`) && inventoryHref.includes(`q=${encodeURIComponent(first.resource.name)}`), `the resource links to ${inventoryHref}`);
    check((await row.locator('[data-col="source"]').textContent()) === `${first.source.file}:${first.source.line}`, 'the source is not file:line');
    await screenshot(page, 'compare');
    // The baseline survives a visit to another page, and goes with Clear baseline.
    await goTo(page, '#/', '[data-testid="export-analysis"]');
    await goTo(page, '#/compare', '[data-testid="compare-new"]');
    await page.click('[data-testid="clear-baseline"]');
    await page.waitForSelector('[data-testid="no-baseline"]');

    // The app's own export is a baseline: against the same demo nothing changed, and the
    // CLI reads it the same way.
    await goTo(page, '#/', '[data-testid="export-analysis"]');
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('[data-testid="export-analysis"]')]);
    check(download.suggestedFilename() === 'portolan.json', `exported as ${download.suggestedFilename()}`);
    const exported = path.join(tmp, 'portolan.json');
    await download.saveAs(exported);
    const cliJson = execFileSync(cli, ['analyze', 'demo', '--quiet', '--format', 'json'], {
      cwd: path.join(repo, 'public'),
      maxBuffer: 64 * 1024 * 1024,
    });
    check(fs.readFileSync(exported).equals(cliJson), 'the exported analysis differs from what portolan analyze writes');
    const same = cliDemoDiff(exported);
    check(same.findings.new.length === 0 && same.findings.fixed.length === 0, 'the CLI finds drift between the export and the demo');
    await goTo(page, '#/compare', '[data-testid="no-baseline"]');
    await pickBaseline(page, exported);
    await page.waitForSelector('[data-testid="compare-new"]');
    const none = await shownDrift(page);
    check(JSON.stringify(none) === JSON.stringify(expectedDrift(same)), `against its own export the page shows ${JSON.stringify(none)}`);
    check(none.new === 0 && none.fixed === 0 && none['paths-new'] === 0 && none['paths-fixed'] === 0, `drift against its own export: ${JSON.stringify(none)}`);
    await screenshot(page, 'compare-same');

    // An exemption made since the baseline: the finding is unchanged, its exemption not.
    await goTo(page, '#/recommendations/privileged', '[data-testid="finding-row"]');
    const exempted = findingRow(page, { kind: 'DaemonSet', namespace: 'default', name: 'node-debugger' });
    await exempted.locator('[data-testid="exempt-resource"]').click();
    await page.waitForSelector('[data-testid="exempt-form"]');
    await page.fill('[data-testid="exempt-reason-input"]', 'Break-glass debugging.');
    await page.click('[data-testid="exempt-save"]');
    await exempted.locator('[data-testid="exempt-badge"]').waitFor();
    await waitForIdle(page);
    await goTo(page, '#/compare', '[data-testid="exemption-changed-row"]');
    const exemptDrift = await shownDrift(page);
    check(exemptDrift.new === 0 && exemptDrift.fixed === 0 && exemptDrift['exemption-changed'] === 1, `after an exemption: ${JSON.stringify(exemptDrift)}`);
    const changed = page.locator('[data-testid="exemption-changed-row"]');
    check((await changed.getAttribute('data-rule')) === 'privileged', 'the changed exemption is not the privileged finding');
    check((await changed.locator('[data-col="exemption"]').textContent()) === 'Now exempt', 'the finding is not shown as now exempt');
    await screenshot(page, 'compare-exemption');
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

/** The page's chunks (split off by scripts/page.sh), as listed by its chunk loader. */
function pageChunks() {
  const loader = fs.readFileSync(path.join(dist, '__wasm_split.js'), 'utf8');
  return [...new Set([...loader.matchAll(/"\.\/((?:split|chunk)_[\w.]+\.wasm)"/g)].map((m) => m[1]))].sort();
}

/** The `.wasm` files the page fetched, by name, in `chunkRequests` (set up below). */
const chunkRequests = [];

async function testChunks({ page, problems }) {
  const chunks = pageChunks();
  // app/src/pages.rs puts Compare in the `tools` chunk.
  check(chunks.includes('split_tools.wasm'), `no chunk for the Compare page: ${chunks.join(', ')}`);
  const fetched = () => chunkRequests.filter((name) => chunks.includes(name));
  // The drop zone works with the first load alone.
  check(fetched().length === 0, `chunks fetched before any page needed them: ${fetched().join(', ')}`);
  await goTo(page, '#/compare', '[data-testid="compare-title"]');
  check(
    fetched().includes('split_tools.wasm'),
    `opening Compare fetched no Compare chunk: ${fetched().join(', ') || 'none'}`,
  );
  // After the first analysis every chunk is fetched in the background, each once.
  await goTo(page, '#/', '[data-testid="drop-zone"]');
  await page.click('[data-testid="load-demo"]');
  await waitForAnalysis(page, demoFileCount());
  const deadline = Date.now() + 30_000;
  while (new Set(fetched()).size < chunks.length && Date.now() < deadline) await page.waitForTimeout(100);
  const missing = chunks.filter((c) => !fetched().includes(c));
  check(missing.length === 0, `not prefetched after the analysis: ${missing.join(', ')}`);
  await goTo(page, '#/policies', '[data-testid="policies-title"]');
  await goTo(page, '#/inventory', '[data-testid="kind-title"]');
  const twice = chunks.filter((c) => fetched().filter((f) => f === c).length > 1);
  check(twice.length === 0, `fetched more than once: ${twice.join(', ')}`);
  check(problems.requests > 0, 'no request was recorded');
}

/** A chunk that cannot be fetched is an error where its page would be, not a dead page. */
async function testChunkFails({ page }) {
  await goTo(page, '#/compare', '[data-testid="page-load-error"]');
  const message = await page.textContent('[data-testid="page-load-error"]');
  check(/could not be loaded/.test(message), `a failed chunk reported as: ${message}`);
  // The rest of the page still works: the overview, and an analysis.
  await goTo(page, '#/', '[data-testid="drop-zone"]');
  await page.click('[data-testid="load-demo"]');
  await waitForAnalysis(page, demoFileCount());
}

const tests = [
  ['demo drop matches the CLI', testDemoDrop],
  ['Load demo matches the CLI', testLoadDemo],
  ['folder and file pickers', testPickers],
  ['a dropped folder is walked', testFolderDrop],
  ['malformed input is located and contained', testMalformed],
  ['inventory table filters, sorts and keeps its route', testInventory],
  ['recommendations match the CLI and keep their route', testRecommendations],
  ['exemptions apply like the CLI and survive a reload', testExemptions],
  ['attack paths, enforcement and the exported report match the CLI', testAttackPathsEnforcementAndReport],
  ['compare with a baseline matches portolan diff', testCompare],
  ['vulnerabilities by image, CVE and workload match the CLI', testVulnerabilities],
  ['hostile values are rendered as text', testHostileValues],
  [
    "the page's chunks load on use, and all after the first analysis",
    testChunks,
    {
      setup: (context) =>
        context.on('request', (request) => {
          const name = new URL(request.url()).pathname.split('/').pop();
          if (name.endsWith('.wasm')) chunkRequests.push(name);
        }),
    },
  ],
  [
    'a chunk that cannot be fetched is a visible error',
    testChunkFails,
    {
      setup: (context) => context.route('**/split_*.wasm', (route) => route.abort()),
      // The aborted fetch is logged as a console error; that is the point here.
      consoleErrorsExpected: true,
    },
  ],
  ['50,000 pods stay responsive', testLargeSnapshot],
  [
    'a worker that cannot load is a visible error',
    testBrokenWorker,
    {
      setup: (context) => context.route('**/worker.js', (route) => route.abort()),
      // The aborted request is logged as a console error; that is the point here.
      consoleErrorsExpected: true,
    },
  ],
];

const analysis = cliAnalysis(demoDir);
const ctx = {
  analysis,
  expected: analysis.inventory.counts,
  // demo-files.json sits beside the demo folder and lists `demo/<file>` paths.
  demoIndex: JSON.parse(fs.readFileSync(path.join(demoDir, '..', 'demo-files.json'), 'utf8')).files.map((f) =>
    f.replace(/^demo\//, ''),
  ),
  notes: [],
};
const { test, finish } = await suite('app', { subPath: '/some/sub/path/' });
for (const [name, run, options = {}] of tests) await test(name, (session) => run(session, ctx), options);
for (const note of ctx.notes) console.log(`note: ${note}`);
await finish();
