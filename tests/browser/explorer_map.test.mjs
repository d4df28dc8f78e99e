// The Explorer and the security map as a user goes from one to the other, checked
// against the CLI: a built-in template (the demo's cloud templates included) answers as
// `portolan query --template`, and "Show on map" highlights exactly its result nodes; a
// 50,000-pod export opens aggregated and expands a namespace with no long main-thread
// task (goal 100 ms, failing past 250 ms; with a positive control of the observer); hostile names (markup, bidi
// controls and zero-width characters) render as text on the map, in the Explorer's
// results and builder and in the resource panel, the controls as visible escapes; every
// page that lists resources links to the resource panel; the compare page's attack path
// tables filter, sort, keep it in the URL and export CSV; screenshots of the explorer,
// the map (aggregated, expanded, highlighted) and a resource panel.
//
// Usage (from the repository root, after `trunk build --release` and building the CLI):
//   node tests/browser/explorer_map.test.mjs
// Environment: PORTOLAN_BIN (CLI, default target/debug/portolan), PORTOLAN_DIST
// (default dist), CHROMIUM (default /usr/bin/chromium), ONLY (substring of test names).

import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import {
  check,
  cli,
  cliRun,
  downloaded,
  dropFiles,
  dropGeneratedPods,
  goTo,
  loadDemo,
  repo,
  screenshot,
  suite,
  timeout,
  waitForAnalysis,
} from './harness.mjs';

const analysis = cliRun(['analyze', 'public/demo', '-q', '-f', 'json']);
const { test, finish } = await suite('explorer-map');
const enc = encodeURIComponent;

/** Waits until the map shows the drawing for the current URL. */
async function mapReady(page) {
  await page.waitForSelector('[data-testid="map-svg"]');
  await page.waitForFunction(() => !document.querySelector('[data-testid="map-waiting"]'));
}

const nodeIds = (page) => page.$$eval('[data-testid="map-node"]', (ns) => ns.map((n) => n.dataset.id));
const highlighted = (page) => page.$$eval('[data-testid="map-node"].hl', (ns) => ns.map((n) => n.dataset.id));

/** The map's element for a graph node id: the node itself, or a container's workload. */
function shownAs(id) {
  const m = /^(.*\/)?container:(.*)\/[^/]+$/.exec(id);
  return m ? `${m[1] ?? ''}workload:${m[2]}` : id;
}

/**
 * `portolan query ... -f json` parsed; it exits non-zero when nothing matched (as grep
 * does), which is an answer here, not a failure.
 */
function cliQuery(args) {
  try {
    return cliRun(['query', ...args, '-f', 'json']);
  } catch {
    const r = spawnSync(cli, ['query', ...args, '-f', 'json'], { cwd: repo, maxBuffer: 1 << 30 });
    check(r.status === 1 && r.stdout.length > 0, `portolan query ${args.join(' ')} failed: ${r.stderr}`);
    return JSON.parse(r.stdout);
  }
}

const chains = (json) => json.results.map((r) => r.nodes.map((n) => n.id).join(' > '));
const uniqueSorted = (xs) => [...new Set(xs)].sort();

/** The Explorer's rows once the worker answered and `n` rows are drawn. */
async function explorerRows(page, n) {
  await page.waitForFunction(
    (n) => {
      const r = document.querySelector('[data-testid="explorer-results"]');
      const count = document.querySelector('[data-testid="explorer-count"]');
      return (
        r &&
        r.dataset.running === 'false' &&
        count &&
        count.textContent.trim() !== '' &&
        document.querySelectorAll('[data-testid="explorer-row"]').length === n
      );
    },
    n,
    { timeout },
  );
  return page.$$eval('[data-testid="explorer-row"]', (rows) =>
    rows.map((r) => [...r.querySelectorAll('[data-testid="explorer-node"]')].map((a) => a.dataset.id).join(' > ')),
  );
}

/** Counts the page's dialogs other than the unload prompt (an injected alert() opens one). */
function countDialogs(page) {
  const seen = { n: 0 };
  page.on('dialog', (d) => {
    if (d.type() !== 'beforeunload') seen.n++;
  });
  return seen;
}

await test('templates answer as the CLI in the Explorer, and Show on map highlights exactly their nodes', async ({ page }) => {
  await loadDemo(page);
  await goTo(page, '#/explorer', '[data-testid="explorer-template"]');
  // The demo's cloud account: both cloud templates, then one with containers (drawn as
  // their workloads on the map).
  for (const name of ['cloud-admin', 'cloud-data', 'container-escapes']) {
    const cli = cliQuery(['public/demo', '--template', name]);
    await page.selectOption('[data-testid="explorer-template"]', name);
    await page.waitForFunction((q) => document.querySelector('[data-testid="explorer-text"]')?.value === q, cli.query);
    const rows = await explorerRows(page, cli.results.length);
    check(JSON.stringify(rows) === JSON.stringify(chains(cli)), `${name}: app rows ${rows.length} differ from the CLI's ${cli.results.length}`);
    const count = (await page.textContent('[data-testid="explorer-count"]')).trim();
    check(count === `${cli.results.length} results.` || (cli.results.length === 1 && count === '1 result.'), `${name}: count "${count}"`);
    if (name === 'cloud-admin') {
      // The demo's account grants no workload administrator rights: nothing, and no map link.
      check(rows.length === 0, `cloud-admin found ${rows.length}`);
      check(!(await page.$('[data-testid="explorer-map-link"]')), 'a map link for no result');
      continue;
    }
    check(rows.length > 0, `${name} found nothing in the demo`);
    if (name === 'cloud-data') {
      check(cli.results.some((r) => r.nodes.some((n) => n.kind === 'CloudResource' || n.id.startsWith('aws-resource:'))), 'cloud-data reaches no cloud resource');
      await screenshot(page, 'explorer-map-explorer-cloud-data');
      // Export CSV is the CLI's CSV of the same query.
      const got = await downloaded(page, '[data-testid="explorer-export-csv"]');
      const want = cliRun(['query', 'public/demo', '--template', name, '-f', 'csv'], { json: false });
      check(got.text === want, `the Explorer's CSV differs from portolan query -f csv:\n${got.text.slice(0, 300)}\nwant\n${want.slice(0, 300)}`);
    }
    // Show on map: exactly the result nodes are highlighted, none asked for is missing.
    await page.click('[data-testid="explorer-map-link"]');
    await page.waitForSelector('[data-testid="map-focus-note"]');
    await mapReady(page);
    const want = uniqueSorted(cli.results.flatMap((r) => r.nodes.map((n) => shownAs(n.id))));
    const hl = uniqueSorted(await highlighted(page));
    const extra = hl.filter((id) => !want.includes(id));
    const lacking = want.filter((id) => !hl.includes(id));
    check(extra.length === 0 && lacking.length === 0, `${name} on the map: ${extra.length} extra (${extra.slice(0, 5)}), ${lacking.length} missing (${lacking.slice(0, 5)})`);
    check(!(await page.$('[data-testid="map-missing"]')), `${name}: the map says something asked for is not on it`);
    await screenshot(page, `explorer-map-highlighted-${name}`, false);
    await page.goBack();
    await page.waitForSelector('[data-testid="explorer-template"]');
  }
});

await test('a 50,000-pod export opens aggregated and expands a namespace without a long main-thread task', async ({ page }) => {
  await dropGeneratedPods(page, 50_000, 50);
  await waitForAnalysis(page, 1, 120_000);
  await goTo(page, '#/map', '[data-testid="map-svg"]');
  await mapReady(page);
  const boxes = (await page.$$('[data-testid="map-node"]')).length;
  check(boxes < 1000, `${boxes} boxes drawn aggregated`);
  const ids = await nodeIds(page);
  check(ids.includes('group:ns:ns-7/Workload') && !ids.some((id) => id.startsWith('workload:')), 'the map did not open aggregated by namespace');
  await screenshot(page, 'explorer-map-large-aggregated', false);
  await page.evaluate(() => {
    window.__tasks = [];
    new PerformanceObserver((list) => {
      for (const t of list.getEntries()) window.__tasks.push({ start: t.startTime, duration: t.duration });
    }).observe({ type: 'longtask' });
  });
  // Positive control: the observer sees a task that blocks the main thread (a task of the
  // page's event loop; a CDP evaluation is not one).
  await page.evaluate(() =>
    setTimeout(() => {
      const end = performance.now() + 150;
      while (performance.now() < end);
    }, 0),
  );
  await page.waitForFunction(() => window.__tasks.some((t) => t.duration >= 150), null, { timeout: 5000 });
  const t0 = await page.evaluate(() => performance.now());
  const started = Date.now();
  await page.click('[data-testid="map-node"][data-id="group:ns:ns-7/Workload"]');
  await page.waitForSelector('[data-testid="map-node"][data-id^="workload:ns-7/"]', { timeout: 60_000 });
  await mapReady(page);
  const took = Date.now() - started;
  const after = await nodeIds(page);
  const pods = after.filter((id) => id.startsWith('workload:ns-7/'));
  const drawn = after.length;
  check(drawn < 3000, `${drawn} boxes drawn after expanding`);
  // 50,000 pods over 50 namespaces: 1,000 in ns-7, drawn one by one or, beyond what the
  // map draws at once, with the rest still aggregated; none from another namespace.
  check(pods.length > 0 && !after.some((id) => /^workload:ns-(?!7\/)/.test(id)), `after expanding ns-7: ${pods.length} of its pods, others ${after.filter((id) => /^workload:ns-(?!7\/)/.test(id)).length}`);
  await page.waitForTimeout(300);
  const longest = await page.evaluate((t0) => window.__tasks.filter((t) => t.start >= t0).reduce((m, t) => Math.max(m, t.duration), 0), t0);
  console.log(`  50,000 pods: expanded ns-7 in ${took} ms, ${drawn} boxes (${pods.length} pods), longest main-thread task ${Math.round(longest)} ms`);
  // The goal is no task over 100 ms (BENCHMARKS.md records the figure, measured on a quiet
  // machine). A timed assertion at the goal itself flakes on a loaded 2-core machine
  // (109 ms seen beside a disk copy), so the test fails only well past it: a regression
  // (the map drawn on the main thread again, say) costs seconds, not milliseconds.
  if (longest > 100) console.log(`  note: over the 100 ms goal (${Math.round(longest)} ms); record it only when the machine is quiet`);
  check(longest <= 250, `a main-thread task took ${Math.round(longest)} ms`);
  await screenshot(page, 'explorer-map-large-expanded', false);
});

// Markup, RTL override and zero-width characters, in names and a namespace; and every
// other kind of bidi control (embeddings, overrides, isolates, marks).
const hostile = {
  img: '<img src=x onerror=alert(1)>',
  svg: '"><svg/onload=alert(2)>',
  rtl: 'evil\u202Egnp.exe\u200B\u200D',
  bidi: 'a\u2066b\u2067c\u2068d\u2069\u202Ae\u202Bf\u202Cg\u202Dh\u200Ei\u200Fj',
  ns: 'ns\u202E"><svg/onload=alert(3)>',
};

/** The characters above that reorder or hide text. */
const bidiOrHidden = /[\u200B-\u200F\u202A-\u202E\u2066-\u2069]/g;

/**
 * A name as the app shows it (`portolan_engine::text::visible`): each character that
 * reorders or hides text as a visible escape, `⟨U+202E⟩`.
 */
const shown = (text) => text.replace(bidiOrHidden, (c) => `⟨U+${c.codePointAt(0).toString(16).toUpperCase().padStart(4, '0')}⟩`);

function hostileSnapshot() {
  const deployment = (name, namespace) => ({
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, namespace },
    spec: {
      selector: { matchLabels: { app: 'x' } },
      template: {
        metadata: { labels: { app: 'x' } },
        spec: { serviceAccountName: name, containers: [{ name: 'c', image: 'nginx:1.25', securityContext: { privileged: true } }] },
      },
    },
  });
  const items = [hostile.img, hostile.svg, hostile.rtl, hostile.bidi].map((name) => deployment(name, hostile.ns));
  return [{ path: 'hostile/deployments.json', text: JSON.stringify({ apiVersion: 'v1', kind: 'List', items }) }];
}

/** No element from the names exists and no handler ran. */
async function noInjection(page, dialogs, where) {
  const injected = await page.evaluate(() => ({
    img: document.querySelectorAll('img').length,
    handlers: document.querySelectorAll('[onload], [onerror]').length,
    nestedSvg: document.querySelectorAll('svg svg').length,
  }));
  check(injected.img === 0 && injected.handlers === 0 && injected.nestedSvg === 0, `${where}: injected elements ${JSON.stringify(injected)}`);
  await page.waitForTimeout(200);
  check(dialogs.n === 0, `${where}: ${dialogs.n} dialogs opened`);
}

await test('hostile names render as text on the map (SVG text, titles, hits) and in the Explorer results and builder', async ({ page }) => {
  const dialogs = countDialogs(page);
  await dropFiles(page, hostileSnapshot());
  await waitForAnalysis(page, 1);
  const names = [hostile.img, hostile.svg, hostile.rtl, hostile.bidi];
  const ids = names.map((n) => `workload:${hostile.ns}/Deployment/${n}`);
  /** No text a reader sees holds a raw bidi or invisible character. */
  async function noHiddenText(where, selector) {
    const texts = await page.$$eval(selector, (es) => es.map((e) => e.textContent));
    const raw = texts.filter((t) => /[\u200B-\u200F\u202A-\u202E\u2066-\u2069]/.test(t));
    check(texts.length > 0 && raw.length === 0, `${where}: ${raw.length} of ${texts.length} texts show a raw bidi or invisible character: ${JSON.stringify(raw.slice(0, 3))}`);
  }

  // Map: the namespace expanded; each box's id, <title> and label are the names as text.
  await goTo(page, `#/map?expand=${enc(`ns:${hostile.ns}`)}`, '[data-testid="map-node"][data-kind="Workload"]');
  await mapReady(page);
  const boxes = await page.$$eval('[data-testid="map-node"][data-kind="Workload"]', (ns) =>
    ns.map((n) => ({ id: n.dataset.id, title: n.querySelector('title')?.textContent ?? '', text: [...n.querySelectorAll('text')].map((t) => t.textContent).join(' ') })),
  );
  for (const [i, id] of ids.entries()) {
    const box = boxes.find((b) => b.id === id);
    check(box, `no box for ${JSON.stringify(names[i])}: ${JSON.stringify(boxes.map((b) => b.id))}`);
    check(box.title.includes(shown(names[i])), `the box's <title> is not the name as text: ${JSON.stringify(box.title)}`);
    // The label may be shortened with an ellipsis; what is shown is the name's start.
    const label = box.text.replace(/…$/, '');
    const full = shown(`Deployment ${hostile.ns}/${names[i]}`);
    check(label.length > 0 && (full.startsWith(label) || shown(names[i]).startsWith(label) || box.text.includes(shown(names[i]))), `the box's label ${JSON.stringify(box.text)} is not the name as text`);
  }
  const regions = await page.$$eval('[data-testid="map-svg"] text', (ts) => ts.map((t) => t.textContent));
  check(regions.some((t) => t.includes('ns⟨U+202E⟩"><svg')), `the namespace's region title is not its name as text: ${JSON.stringify(regions.slice(0, 10))}`);
  await noHiddenText('map text', '[data-testid="map-svg"] text');
  await noHiddenText('map tooltips', '[data-testid="map-svg"] title');
  await noInjection(page, dialogs, 'map');
  // Search hits: the names as text.
  await page.fill('[data-testid="map-search"]', 'svg');
  await page.waitForSelector('[data-testid="map-hit"]');
  const hits = await page.$$eval('[data-testid="map-hit"]', (as) => as.map((a) => a.textContent));
  check(hits.some((h) => h.includes(hostile.svg)), `the search hits are not the names as text: ${JSON.stringify(hits)}`);
  await noHiddenText('map search hits', '[data-testid="map-hit"]');
  await screenshot(page, 'explorer-map-hostile-map', false);

  await noInjection(page, dialogs, 'map search');
  // A box's panel.
  await goTo(page, `#/resource/${enc(ids[1])}`, '[data-testid="resource-title"]');
  check((await page.textContent('[data-testid="resource-title"]')) === shown(`Deployment ${hostile.ns}/${hostile.svg}`), 'the panel title is not the name as text');
  await noInjection(page, dialogs, 'resource panel');
  // The bidi name's panel: title and properties with visible escapes, nothing raw.
  await goTo(page, `#/resource/${enc(ids[3])}`, '[data-testid="resource-title"]');
  const bidiTitle = await page.textContent('[data-testid="resource-title"]');
  check(bidiTitle === shown(`Deployment ${hostile.ns}/${hostile.bidi}`), `the panel title shows ${JSON.stringify(bidiTitle)}`);
  await noHiddenText('resource panel', 'main h1, main dd, main td, main a');
  await screenshot(page, 'explorer-map-hostile-panel', false);

  // Explorer results: every node's text is its name as text.
  await goTo(page, `#/explorer?q=${enc('workloads -[runs]-> containers')}`, '[data-testid="explorer-row"]');
  const rows = await explorerRows(page, 4);
  for (const id of ids) check(rows.some((r) => r.startsWith(`${id} > `)), `the Explorer lacks ${JSON.stringify(id)}: ${JSON.stringify(rows)}`);
  const cells = await page.$$eval('[data-testid="explorer-node"]', (as) => as.map((a) => a.textContent));
  for (const n of names) check(cells.includes(shown(`${hostile.ns}/${n}`)), `the Explorer does not show ${JSON.stringify(n)} as text: ${JSON.stringify(cells)}`);
  await noHiddenText('explorer results', '[data-testid="explorer-node"]');
  await screenshot(page, 'explorer-map-hostile-results', false);
  await noInjection(page, dialogs, 'explorer results');

  // Builder: a name pattern typed in is a condition chip showing it as text, the query
  // text quotes it, and the answer is the one workload (as the CLI answers it).
  await goTo(page, '#/explorer', '[data-testid="explorer-builder"]');
  await page.selectOption('[data-testid="explorer-start"]', 'workloads');
  await page.fill('[data-testid="explorer-name"]', hostile.svg);
  await page.press('[data-testid="explorer-name"]', 'Enter');
  await page.waitForSelector('[data-testid="explorer-condition"]');
  const chips = await page.$$eval('[data-testid="explorer-condition"]', (cs) => cs.map((c) => c.textContent));
  check(chips.some((c) => c.includes(hostile.svg)), `the condition chip is not the name as text: ${JSON.stringify(chips)}`);
  const query = await page.inputValue('[data-testid="explorer-text"]');
  check(query.includes('name') && query.includes('svg/onload'), `the query text does not hold the pattern: ${query}`);
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'portolan-hostile-'));
  try {
    const file = path.join(tmp, 'deployments.json');
    fs.writeFileSync(file, hostileSnapshot()[0].text);
    const cli = cliRun(['query', file, query, '-f', 'json']);
    const got = await explorerRows(page, cli.results.length);
    check(cli.results.length === 1 && JSON.stringify(got) === JSON.stringify(chains(cli)), `builder query ${query}: app ${JSON.stringify(got)}, CLI ${JSON.stringify(chains(cli))}`);
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
  await screenshot(page, 'explorer-map-hostile-explorer', false);
  await noInjection(page, dialogs, 'explorer builder');
  check((await page.evaluate(() => window.pwned)) === undefined, 'a handler ran');
});

/** The resource panel's title once it is shown. */
async function panelTitle(page) {
  await page.waitForSelector('[data-testid="resource-title"]');
  await page.waitForFunction(() => location.hash.startsWith('#/resource/'));
  return (await page.textContent('[data-testid="resource-title"]')).trim();
}

await test('the resource panel is reached from every page that lists resources', async ({ page }) => {
  await loadDemo(page);
  const a = analysis;
  const seen = [];
  /** Opens `hash`, clicks the first `link` in it, checks the panel's title. */
  async function from(name, hash, link, want) {
    await goTo(page, hash, link);
    await page.locator(link).first().click();
    const title = await panelTitle(page);
    check(typeof want === 'function' ? want(title) : title === want, `${name}: landed on "${title}", expected ${want}`);
    seen.push(name);
  }
  // Inventory: the first Deployment row.
  const dep = a.inventory.resources.find((r) => r.kind === 'Deployment');
  await from('inventory', `#/inventory/Deployment?ns=${enc(dep.namespace)}&q=${enc(dep.name)}`, '[data-testid="inventory-row"] [data-testid="details-link"]', `Deployment ${dep.namespace}/${dep.name}`);
  // A recommendation's first affected resource.
  const rec = a.recommendations.find((r) => r.affected > 0);
  const f = a.findings[rec.findings[0]];
  await from('recommendation', `#/recommendations/${rec.rule}`, '[data-testid="finding-row"] [data-testid="details-link"]', (t) => t.includes(f.resource.name));
  // An attack path's entry (its first step's resource).
  const first = a.attackPaths.paths[0].steps[0];
  await from('attack path', '#/attack-paths/1', '[data-testid="chain-node-link"]', first.fromLabel);
  // Vulnerabilities by workload.
  const v = a.vulnerabilities.containers[0];
  await from('vulnerabilities', '#/vulnerabilities?view=workloads', '[data-testid="vuln-workload-row"] [data-testid="details-link"]', `${v.resource.kind} ${v.resource.namespace}/${v.resource.name}`);
  // The alerts list: the first alert's identity.
  const alert = a.alerts[0];
  const sa = /^system:serviceaccount:([^:]+):(.+)$/.exec(alert.user);
  await from('alerts list', '#/alerts', '[data-testid="alert-row"] [data-col="user"] [data-testid="details-link"]', sa ? `service account ${sa[1]}/${sa[2]}` : (t) => t.includes(alert.user));
  // One alert's page.
  await from('alert', '#/alerts/1', '[data-testid="alert-detail-user"] [data-testid="details-link"]', sa ? `service account ${sa[1]}/${sa[2]}` : (t) => t.includes(alert.user));
  // The Explorer's results.
  const cli = cliRun(['query', 'public/demo', '--template', 'privileged-and-exposed', '-f', 'json']);
  const node = cli.results[0].nodes[0];
  await from('explorer', `#/explorer?q=${enc(cli.query)}`, '[data-testid="explorer-node"]', (t) => t.includes(node.name));
  // The map: a single box (the map aggregated, then ci expanded).
  await goTo(page, '#/map', '[data-testid="map-node"][data-id="group:acme-prod/ns:ci/Workload"]');
  await mapReady(page);
  await screenshot(page, 'explorer-map-map-aggregated', false);
  await goTo(page, '#/map?expand=acme-prod%2Fns%3Aci', '[data-testid="map-node"][data-id="acme-prod/workload:ci/Deployment/deploy-bot"]');
  await mapReady(page);
  await screenshot(page, 'explorer-map-map-expanded', false);
  await page.click('[data-testid="map-node"][data-id="acme-prod/workload:ci/Deployment/deploy-bot"]');
  check((await panelTitle(page)) === 'Deployment ci/deploy-bot', 'map: the box did not open its panel');
  seen.push('map');
  await screenshot(page, 'explorer-map-resource-panel');
  // Compare: a new finding's resource and a new path's entry.
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'portolan-panel-'));
  try {
    const baseline = path.join(tmp, 'baseline.json');
    cliRun(['analyze', 'public/demo/kube-system', '--format', 'json', '--quiet', '-o', baseline], { json: false });
    const d = cliRun(['diff', baseline, 'public/demo', '--format', 'json', '--quiet']);
    await goTo(page, '#/compare', '[data-testid="compare-title"]');
    await page.setInputFiles('[data-testid="baseline-input"]', baseline);
    await page.waitForSelector('[data-testid="new-findings-row"]');
    const nf = d.findings.new[0];
    await page.locator('[data-testid="new-findings-row"] [data-testid="details-link"]').first().click();
    const t1 = await panelTitle(page);
    check(t1.includes(nf.resource.name), `compare finding: landed on "${t1}", expected ${nf.resource.name}`);
    await page.goBack();
    await page.waitForSelector('[data-testid="new-paths-row"] [data-testid="details-link"]');
    const entry = analysis.attackPaths.paths.find((p) => p.id === d.attackPaths.new[0].id).entry;
    await page.locator('[data-testid="new-paths-row"] [data-testid="details-link"]').first().click();
    const t2 = await panelTitle(page);
    check(t2 === `${entry.kind} ${entry.namespace}/${entry.name}`, `compare path: landed on "${t2}", expected ${entry.kind} ${entry.namespace}/${entry.name}`);
    seen.push('compare');
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
  console.log(`  panel reached from: ${seen.join(', ')}`);
});

/** RFC 4180 as the engine writes it (CRLF, quotes when needed, formula guard). */
function csvText(rows) {
  const cell = (v) => {
    let s = String(v);
    if (/^[=+\-@\t\r]/.test(s)) s = `'${s}`;
    return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
  };
  return rows.map((r) => r.map(cell).join(',') + '\r\n').join('');
}

await test('compare attack path tables filter, sort, keep it in the URL and export CSV', async ({ page, context }) => {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'portolan-compare-paths-'));
  try {
    const baseline = path.join(tmp, 'baseline.json');
    cliRun(['analyze', 'public/demo/kube-system', '--format', 'json', '--quiet', '-o', baseline], { json: false });
    const d = cliRun(['diff', baseline, 'public/demo', '--format', 'json', '--quiet']);
    const byId = new Map(analysis.attackPaths.paths.map((p) => [p.id, p]));
    const rowIds = () => page.$$eval('[data-testid="new-paths-row"]', (rs) => rs.map((r) => r.dataset.path));
    await loadDemo(page);
    await goTo(page, '#/compare', '[data-testid="compare-title"]');
    await page.setInputFiles('[data-testid="baseline-input"]', baseline);
    await page.waitForSelector('[data-testid="new-paths-row"]');
    check(JSON.stringify(await rowIds()) === JSON.stringify(d.attackPaths.new.map((p) => p.id)), 'unfiltered new paths are not the CLI diff in its order');

    // The attack paths page's filter words: one target.
    await page.fill('[data-testid="compare-search"]', 'target:cloud-data');
    await page.waitForFunction(() => new URL(location.href).hash.includes('q=target%3Acloud-data'));
    const cloud = d.attackPaths.new.filter((p) => byId.get(p.id).target === 'cloud-data');
    check(cloud.length > 0 && cloud.length < d.attackPaths.new.length, `the demo has ${cloud.length} new cloud-data paths`);
    await page.waitForFunction((n) => document.querySelectorAll('[data-testid="new-paths-row"]').length === n, cloud.length);
    check(JSON.stringify(await rowIds()) === JSON.stringify(cloud.map((p) => p.id)), 'target:cloud-data rows');
    const note = await page.textContent('[data-testid="new-paths-filtered"]');
    check(note.includes(`${cloud.length} of ${d.attackPaths.new.length}`), `filtered note: ${note}`);

    // Sort by risk: riskiest first, then reversed; ties keep the diff's order.
    await page.click('[data-testid="compare-sort-risk"]');
    await page.waitForFunction(() => location.hash.includes('sort=risk') && !location.hash.includes('dir=desc'));
    const byRisk = [...cloud].sort((x, y) => Math.round(y.risk * 10) - Math.round(x.risk * 10));
    check(JSON.stringify(await rowIds()) === JSON.stringify(byRisk.map((p) => p.id)), 'risk order');
    await page.click('[data-testid="compare-sort-risk"]');
    await page.waitForFunction(() => location.hash.includes('dir=desc'));
    const reversed = await rowIds();
    const risks = reversed.map((id) => byId.get(id).risk);
    check(risks.every((r, i) => i === 0 || risks[i - 1] <= r), `reversed risk order: ${risks}`);
    check(uniqueSorted(reversed).join() === uniqueSorted(cloud.map((p) => p.id)).join(), 'reversing changed the rows');

    // Export: the kept rows in the shown order, each with its status (`portolan diff
    // -f paths-csv --status new`).
    const got = await downloaded(page, '[data-testid="new-paths-export-csv"]');
    check(got.name === 'portolan-compare-new-paths.csv', `file name ${got.name}`);
    const header = ['status', 'id', 'risk', 'risk_level', 'title', 'target', 'entry_kind', 'entry_namespace', 'entry_name', 'steps', 'assumed'];
    const level = (r) => (r >= 20 ? 'high' : r >= 10 ? 'medium' : 'low');
    const want = csvText([
      header,
      ...reversed.map((id) => {
        const p = byId.get(id);
        return ['new', p.id, p.risk.toFixed(1), level(p.risk), p.title, p.target, p.entry.kind, p.entry.namespace || '', p.entry.name, p.length, p.assumed ? 'yes' : 'no'];
      }),
    ]);
    check(got.text === want, `paths CSV differs from the CLI's paths:\n${got.text.slice(0, 400)}\nwant\n${want.slice(0, 400)}`);

    // The URL reopens the same table in a fresh page (the baseline is picked again).
    const hash = new URL(page.url()).hash;
    const again = await context.newPage();
    await again.goto(page.url().split('#')[0]);
    await loadDemo(again);
    await goTo(again, hash, '[data-testid="compare-title"]');
    await again.setInputFiles('[data-testid="baseline-input"]', baseline);
    await again.waitForSelector('[data-testid="new-paths-row"]');
    check((await again.inputValue('[data-testid="compare-search"]')) === 'target:cloud-data', 'the search did not reopen');
    const reopened = await again.$$eval('[data-testid="new-paths-row"]', (rs) => rs.map((r) => r.dataset.path));
    check(JSON.stringify(reopened) === JSON.stringify(reversed), 'the reopened rows differ');
    check((await again.getAttribute('[data-testid="compare-sort-risk"] >> xpath=..', 'aria-sort')) === 'descending', 'the sort did not reopen');
    await again.close();

    // A severity no path has: "nothing matches" with Clear filters (risk bands are high,
    // medium, low; the demo's new paths are all high).
    check(d.attackPaths.new.every((p) => level(p.risk) === 'high'), 'the demo has a new path below high risk');
    await goTo(page, '#/compare?severity=medium', '[data-testid="new-paths"] [data-testid="compare-no-match"]');
    await goTo(page, '#/compare?severity=high', '[data-testid="new-paths-row"]');
    check((await rowIds()).length === d.attackPaths.new.length, 'severity high does not keep every high-risk path');
    await screenshot(page, 'explorer-map-compare-paths');

    // The attack paths page exports its filtered paths with the same columns, less the
    // status.
    await goTo(page, '#/attack-paths?q=target%3Acloud-data', '[data-testid="attack-paths-export-csv"]');
    const listed = analysis.attackPaths.paths.filter((p) => p.target === 'cloud-data');
    await page.waitForFunction((n) => document.querySelectorAll('[data-testid="attack-path-row"]').length === n, listed.length);
    const pathsCsv = await downloaded(page, '[data-testid="attack-paths-export-csv"]');
    const wantPaths = csvText([header.slice(1), ...listed.map((p) => [p.id, p.risk.toFixed(1), level(p.risk), p.title, p.target, p.entry.kind, p.entry.namespace || '', p.entry.name, p.length, p.assumed ? 'yes' : 'no'])]);
    check(pathsCsv.text === wantPaths, `the attack paths CSV differs from the CLI's paths:\n${pathsCsv.text.slice(0, 300)}`);
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
});

await test(
  'dark mode: explorer, map and resource panel',
  async ({ page }) => {
    await loadDemo(page);
    check(await page.evaluate(() => matchMedia('(prefers-color-scheme: dark)').matches), 'the page is not in dark mode');
    const cli = cliRun(['query', 'public/demo', '--template', 'reaches-cluster-admin', '-f', 'json']);
    await goTo(page, `#/explorer?q=${enc(cli.query)}`, '[data-testid="explorer-row"]');
    await explorerRows(page, cli.results.length);
    // Dark means dark: the page's background is darker than its text.
    const luminance = await page.evaluate(() => {
      const rgb = (c) => c.match(/\d+(\.\d+)?/g).slice(0, 3).map(Number);
      const l = ([r, g, b]) => 0.2126 * r + 0.7152 * g + 0.0722 * b;
      const body = getComputedStyle(document.body);
      return { bg: l(rgb(body.backgroundColor)), fg: l(rgb(body.color)) };
    });
    check(luminance.bg < luminance.fg, `dark mode: background ${luminance.bg} not darker than text ${luminance.fg}`);
    await screenshot(page, 'explorer-map-dark-explorer');
    await page.click('[data-testid="explorer-map-link"]');
    await page.waitForSelector('[data-testid="map-focus-note"]');
    await mapReady(page);
    await screenshot(page, 'explorer-map-dark-map-highlighted', false);
    // Every box's label is lighter than its box (dark mode: light text on dark fills).
    const unreadable = await page.$$eval('[data-testid="map-node"]', (ns) => {
      const l = (c) => {
        const [r, g, b] = c.match(/\d+(\.\d+)?/g).slice(0, 3).map(Number);
        return 0.2126 * r + 0.7152 * g + 0.0722 * b;
      };
      return ns
        .filter((n) => n.querySelector('rect') && n.querySelector('text'))
        .filter((n) => l(getComputedStyle(n.querySelector('text')).fill) - l(getComputedStyle(n.querySelector('rect')).fill) < 80)
        .map((n) => n.dataset.id);
    });
    check(unreadable.length === 0, `dark map: ${unreadable.length} boxes with text not lighter than their fill: ${unreadable.slice(0, 5)}`);
    await goTo(page, '#/map?expand=acme-prod%2Fns%3Aci', '[data-testid="map-node"][data-id="acme-prod/workload:ci/Deployment/deploy-bot"]');
    await mapReady(page);
    await screenshot(page, 'explorer-map-dark-map-expanded', false);
    // The map's kind filters read as words, not type names.
    const kinds = await page.$$eval('[data-testid="map-kinds"] label', (ls) => ls.map((l) => l.textContent.replace(/\s*\d[\d,]*\s*$/, '').trim()));
    const coded = kinds.filter((k) => /[a-z][A-Z]/.test(k) || /sss$/.test(k));
    check(kinds.length > 0 && coded.length === 0, `map kinds as type names: ${coded}`);
    await goTo(page, `#/resource/${enc('acme-prod/workload:ci/Deployment/deploy-bot')}`, '[data-testid="resource-title"]');
    // Insights and rules in words, not camelCase ids.
    const words = await page.$$eval('.chip.insight, [data-testid="resource-findings"] td:nth-child(2) a', (es) => es.map((e) => e.textContent));
    const camel = words.filter((w) => /[a-z][A-Z]/.test(w));
    check(words.length > 0 && camel.length === 0, `camelCase ids shown on the panel: ${camel}`);
    await screenshot(page, 'explorer-map-dark-resource-panel');
  },
  { contextOptions: { colorScheme: 'dark' } },
);

await finish();
