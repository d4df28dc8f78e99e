// Several clusters on one page: Load demo (acme-prod, EKS, and lab-kubeadm/, a
// self-managed cluster) in the built app, check the cluster filter and columns of the
// recommendations, affected resources, inventory and attack paths against `portolan
// analyze --format json` of public/demo, and find the self-managed cluster's one
// control-plane finding (apiServerAnonymousAuth) by filtering to it; the alerts page's
// cluster column and filter (the demo's audit log is acme-prod's).
//
// Usage (from the repository root, after `trunk build --release` and building the CLI):
//   node tests/browser/clusters.test.mjs
// Environment: PORTOLAN_BIN (CLI, default target/debug/portolan), PORTOLAN_DIST
// (default dist), CHROMIUM (default /usr/bin/chromium).

import { check, cliRun, downloaded, goTo, loadDemo, number, screenshot, suite } from './harness.mjs';

const analysis = cliRun(['analyze', 'public/demo', '-q', '-f', 'json']);
const LAB = 'lab-kubeadm';
const clusters = analysis.clusters.map((c) => c.name);
const { test, finish } = await suite('clusters');

/** The clusters a path passes: its entry's, then its steps'. */
function pathClusters(p) {
  const out = [];
  for (const c of [p.entry.cluster, ...p.steps.map((s) => s.cluster)]) {
    if (c && !out.includes(c)) out.push(c);
  }
  return out;
}

/**
 * The attack paths page scoped to `cluster` counts only `paths` (the CLI's listed paths
 * in it) in its tiles, chart, choke points and groups, and their links keep the cluster.
 */
async function checkPathSummary(page, cluster, paths) {
  await page.waitForFunction(
    (n) => Number(document.querySelector('[data-testid="attack-paths-total"] .tile-value')?.textContent.replace(/[^\d]/g, '')) === n,
    paths.length,
  ).catch(() => {});
  const total = await number(page, '[data-testid="attack-paths-total"] .tile-value');
  check(total === paths.length, `${cluster}: the tile counts ${total} paths, not the ${paths.length} listed in it`);
  const tiles = await page.$$eval('.summary .tile[data-target]', (ts) =>
    ts.map((t) => [t.dataset.target, Number(t.querySelector('.tile-value').textContent.replace(/[^\d]/g, ''))]));
  check(tiles.length > 0, `${cluster}: no target tile`);
  for (const [target, n] of tiles) {
    const want = paths.filter((p) => p.target === target).length;
    check(n === want, `${cluster}: ${n} paths to ${target}, want ${want}`);
  }
  if (paths.length === 0) {
    // Nothing to chart, break or group in the cluster: the whole estate's are not shown.
    await page.waitForFunction(() => !document.querySelector('[data-testid="chart-paths"]'), null, { timeout: 5000 })
      .catch(() => check(false, `${cluster}: the chart still draws every cluster's paths`));
    check(!(await page.$('[data-testid="choke-points"]')), `${cluster}: choke points of other clusters' paths`);
    check(!(await page.$('[data-testid="path-groups"]')), `${cluster}: groups of other clusters' paths`);
    return;
  }
  await page.waitForSelector('[data-testid="path-groups"]');
  const scope = await page.$eval('[data-testid="path-groups-scope"]', (s) => s.textContent.trim());
  check(scope === `of the listed paths in ${cluster}`, `${cluster}: groups scope "${scope}"`);
  const byEntry = await page.$$eval('[data-testid="path-group-link"][data-filter^="entry:"]', (as) =>
    as.map((a) => Number(a.textContent.trim().split(' ')[0].replace(/[^\d]/g, ''))));
  const entries = new Set(paths.map((p) => `${p.entry.kind} ${p.entry.namespace}/${p.entry.name}`));
  const sum = byEntry.reduce((a, b) => a + b, 0);
  // Six groups are listed: with at most six entries they add up to the cluster's paths.
  check(byEntry.length === Math.min(entries.size, 6) && (entries.size > 6 ? sum <= paths.length : sum === paths.length),
    `${cluster}: groups by entry ${byEntry} for ${entries.size} entries and ${paths.length} paths`);
  const links = await page.$$eval('[data-testid="path-group-link"], [data-testid="choke-paths-link"]', (as) => as.map((a) => a.getAttribute('href')));
  check(links.length > 0 && links.every((h) => h.includes(`cluster=${cluster}`)), `${cluster}: links lose the cluster ${links.slice(0, 3)}`);
  await page.waitForSelector('[data-testid="chart-paths"]');
}

await test('the cluster filter narrows recommendations to the self-managed cluster and its control-plane finding', async ({ page }) => {
  check(JSON.stringify(clusters) === JSON.stringify(['acme-prod', LAB]), `demo clusters ${clusters}`);
  await loadDemo(page);
  await goTo(page, '#/recommendations', '[data-testid="cluster-filter"]');
  const options = await page.$$eval('[data-testid="cluster-filter"] option', (os) => os.map((o) => o.textContent.trim()));
  check(JSON.stringify(options) === JSON.stringify(['All clusters', ...clusters]), `options ${options}`);
  const all = await number(page, '[data-testid="recommendations-total"]');
  check(all === analysis.recommendations.length, `all clusters: ${all} rows vs ${analysis.recommendations.length}`);

  await page.selectOption('[data-testid="cluster-filter"]', LAB);
  await page.waitForFunction(() => location.hash.includes('cluster=lab-kubeadm'));
  const inLab = analysis.recommendations.filter((r) => r.findings.some((i) => analysis.findings[i].resource.cluster === LAB));
  await page.waitForFunction(
    (n) => Number(document.querySelector('[data-testid="recommendations-total"]').textContent) === n,
    inLab.length,
  );
  const rules = await page.$$eval('[data-testid="recommendation-row"]', (rs) => rs.map((r) => r.dataset.rule));
  check(JSON.stringify(rules) === JSON.stringify(inLab.map((r) => r.rule)), `rows ${rules} vs ${inLab.map((r) => r.rule)}`);
  check(rules.includes('apiServerAnonymousAuth'), `no control-plane recommendation for ${LAB}: ${rules}`);
  // acme-prod is EKS: none of its findings is a control-plane flag rule.
  check(!analysis.findings.some((f) => f.rule === 'apiServerAnonymousAuth' && f.resource.cluster !== LAB), 'anonymous auth outside the lab');
  await screenshot(page, 'clusters-recommendations');

  // The filter stays in the URL into the affected resources, with a cluster column.
  await page.click('[data-testid="recommendation-row"][data-rule="apiServerAnonymousAuth"] [data-testid="recommendation-link"]');
  await page.waitForSelector('[data-testid="finding-row"]');
  check((await page.evaluate(() => location.hash)).includes('cluster=lab-kubeadm'), 'the detail page lost the cluster');
  const rows = await page.$$eval('[data-testid="finding-row"]', (rs) =>
    rs.map((r) => [r.querySelector('[data-col="cluster"]').textContent.trim(), r.querySelector('[data-col="name"] a').textContent.trim()]));
  check(JSON.stringify(rows) === JSON.stringify([[LAB, 'kube-apiserver-lab-cp-1']]), `affected ${JSON.stringify(rows)}`);
  const header = await page.$eval('[data-testid="findings-table"] th[data-col="cluster"]', (th) => getComputedStyle(th).display);
  check(header !== 'none', 'the cluster column is hidden');
  await screenshot(page, 'clusters-affected');
});

await test('inventory and attack paths have a cluster column and filter', async ({ page }) => {
  await loadDemo(page);
  const labPods = analysis.inventory.resources.filter((r) => r.kind === 'Pod' && r.cluster === LAB);
  check(labPods.length === 4, `${labPods.length} lab pods`);
  await goTo(page, `#/inventory/Pod?cluster=${LAB}`, '[data-testid="inventory-row"]');
  await page.waitForFunction(
    (n) => Number(document.querySelector('[data-testid="inventory-total"]').textContent) === n,
    labPods.length,
  );
  const cells = await page.$$eval('[data-testid="inventory-row"] td[data-col="Cluster"]', (ts) => ts.map((t) => t.textContent.trim()));
  check(cells.length === labPods.length && cells.every((c) => c === LAB), `cluster cells ${cells}`);
  await screenshot(page, 'clusters-inventory');

  const acme = analysis.attackPaths.paths.filter((p) => pathClusters(p).includes('acme-prod'));
  check(acme.length > 0, 'acme-prod has attack paths');
  await goTo(page, '#/attack-paths?cluster=acme-prod', '[data-testid="attack-path-row"]');
  const shown = await page.$$eval('[data-testid="attack-path-row"]', (rs) => rs.length);
  check(shown === acme.length, `${shown} paths shown vs ${acme.length}`);
  const first = await page.$eval('[data-testid="path-clusters"]', (td) => td.textContent.trim());
  check(first === pathClusters(acme[0]).join(' → '), `first path's clusters "${first}"`);
  await checkPathSummary(page, 'acme-prod', acme);
  await screenshot(page, 'clusters-attack-paths-acme');
  await page.selectOption('[data-testid="cluster-filter"]', LAB);
  await page.waitForFunction(() => location.hash.includes('cluster=lab-kubeadm'));
  const lab = analysis.attackPaths.paths.filter((p) => pathClusters(p).includes(LAB));
  if (lab.length === 0) {
    await page.waitForSelector('[data-testid="no-matching-paths"]');
  } else {
    await page.waitForFunction((n) => document.querySelectorAll('[data-testid="attack-path-row"]').length === n, lab.length);
  }
  await checkPathSummary(page, LAB, lab);
  await screenshot(page, 'clusters-attack-paths');
});

await test('alerts have a cluster column and filter', async ({ page }) => {
  await loadDemo(page);
  await goTo(page, '#/alerts', '[data-testid="alert-row"]');
  const byCluster = (c) => analysis.alerts.filter((a) => a.cluster === c).length;
  check(byCluster('acme-prod') === analysis.alerts.length && analysis.alerts.length > 0,
    `the CLI's alerts by cluster: ${analysis.alerts.map((a) => a.cluster)}`);
  const cells = await page.$$eval('[data-testid="alert-cluster"]', (cs) => cs.map((c) => c.textContent.trim()));
  check(cells.length > 0 && cells.every((c) => c === 'acme-prod'), `cluster cells ${cells}`);
  await page.selectOption('[data-testid="cluster-filter"]', LAB);
  await page.waitForFunction(() => location.hash.includes('cluster=lab-kubeadm'));
  await page.waitForSelector('[data-testid="alert-none"]');
  check((await page.$$('[data-testid="alert-row"]')).length === 0, 'lab-kubeadm has no alert');
  await screenshot(page, 'clusters-alerts-lab');
  await page.selectOption('[data-testid="cluster-filter"]', 'acme-prod');
  await page.waitForFunction(() => location.hash.includes('cluster=acme-prod'));
  await page.waitForSelector('[data-testid="alert-row"]');
  const count = await page.textContent('[data-testid="alert-count"]');
  check(count.startsWith(`${analysis.alerts.length} of`), `acme-prod: ${count}`);
  await screenshot(page, 'clusters-alerts-acme');
});

await test('enforcement, vulnerabilities and recommendation counts follow the cluster filter', async ({ page }) => {
  await loadDemo(page);
  // Enforcement: one cluster at a time; without one the downloads wait for a choice.
  await goTo(page, '#/enforcement', '[data-testid="enforcement-row"]');
  const all = await page.$$eval('[data-testid="enforcement-row"]', (rs) => rs.length);
  check(all === analysis.enforcement.length, `${all} enforcement rows vs ${analysis.enforcement.length}`);
  check(await page.isVisible('[data-testid="enforce-pick-cluster"]'), 'no note asking for a cluster');
  check(await page.isDisabled('[data-testid="download-labels"]'), 'labels download enabled across two clusters');
  await page.selectOption('[data-testid="cluster-filter"]', LAB);
  await page.waitForFunction(() => location.hash.includes('cluster=lab-kubeadm'));
  const lab = analysis.enforcement.filter((n) => n.cluster === LAB);
  await page.waitForFunction((n) => document.querySelectorAll('[data-testid="enforcement-row"]').length === n, lab.length);
  const rowClusters = await page.$$eval('[data-testid="enforcement-row"]', (rs) => rs.map((r) => r.dataset.cluster));
  check(rowClusters.every((c) => c === LAB), `enforcement rows of ${rowClusters}`);
  const labels = await downloaded(page, '[data-testid="download-labels"]');
  const names = [...labels.text.matchAll(/^  name: (.+)$/gm)].map((m) => (m[1].startsWith('"') ? JSON.parse(m[1]) : m[1]));
  const want = lab.map((n) => n.namespace).filter((n) => n !== 'kube-system');
  check(JSON.stringify(names) === JSON.stringify(want), `labels for ${names} vs ${want}`);
  check(new Set(names).size === names.length, `a namespace twice in the labels: ${names}`);
  await screenshot(page, 'clusters-enforcement');

  // Vulnerabilities: the workloads of one cluster, as `portolan vulns --cluster`.
  const vulns = cliRun(['vulns', 'public/demo', '--view', 'workloads', '--cluster', 'acme-prod', '-f', 'json']);
  check(vulns.length > 0, 'no vulnerable workload in acme-prod');
  await goTo(page, '#/vulnerabilities?view=workloads&cluster=acme-prod', '[data-testid="vuln-workload-row"]');
  const shown = await page.$$eval('[data-testid="vuln-workload-row"]', (rs) => rs.length);
  check(shown === Math.min(vulns.length, 200), `${shown} workload rows vs ${vulns.length}`);
  const inLab = cliRun(['vulns', 'public/demo', '--view', 'workloads', '--cluster', LAB, '-f', 'json']);
  await page.selectOption('[data-testid="cluster-filter"]', LAB);
  await page.waitForFunction(() => location.hash.includes('cluster=lab-kubeadm'));
  if (inLab.length === 0) {
    await page.waitForSelector('[data-testid="vuln-no-match"]');
  } else {
    await page.waitForFunction((n) => document.querySelectorAll('[data-testid="vuln-workload-row"]').length === n, inLab.length);
  }

  // Recommendations: a row's affected count is the filtered cluster's.
  await goTo(page, `#/recommendations?cluster=${LAB}`, '[data-testid="recommendation-row"]');
  const counts = await page.$$eval('[data-testid="recommendation-row"]', (rs) =>
    rs.map((r) => [r.dataset.rule, Number(r.querySelector('[data-testid="recommendation-affected"]').textContent.replace(/,/g, ''))]));
  for (const [rule, n] of counts) {
    const r = analysis.recommendations.find((x) => x.rule === rule);
    const keys = new Set(r.findings.map((i) => analysis.findings[i])
      .filter((f) => f.resource.cluster === LAB && !f.exemption)
      .map((f) => JSON.stringify(f.resource)));
    check(n === keys.size, `${rule}: ${n} affected in ${LAB} vs ${keys.size}`);
  }
  check(counts.some(([rule, n]) => n < analysis.recommendations.find((x) => x.rule === rule).affected),
    'no count differs from the all-cluster total');
});

await test('an image\'s "Runs in" and a CVE\'s workloads count only the filtered cluster, as `portolan vulns --cluster`', async ({ page }) => {
  await loadDemo(page);
  const NGINX = 'docker.io/library/nginx:1.25.3';
  const runsIn = async () => page.$eval(`[data-testid="vuln-image-row"][data-image="${NGINX}"] td:nth-child(2)`, (td) => td.textContent.trim());
  // The demo's nginx build runs in both clusters: two workloads in all, one in each.
  await goTo(page, '#/vulnerabilities', `[data-testid="vuln-image-row"][data-image="${NGINX}"]`);
  check((await runsIn()) === '2 workloads', `all clusters: ${await runsIn()}`);
  for (const cluster of clusters) {
    await goTo(page, `#/vulnerabilities?cluster=${cluster}`, `[data-testid="vuln-image-row"][data-image="${NGINX}"]`);
    await page.waitForFunction((sel) => document.querySelector(sel)?.textContent.trim() === '1 workload',
      `[data-testid="vuln-image-row"][data-image="${NGINX}"] td:nth-child(2)`);
    const csv = await downloaded(page, '[data-testid="vuln-export-csv"]');
    const cli = cliRun(['vulns', 'public/demo', '--cluster', cluster, '-f', 'csv'], { json: false });
    check(csv.text === cli, `${cluster}: the page's CSV differs from portolan vulns --cluster`);
    check(csv.text.includes(`${NGINX},1,`), `${cluster}: nginx runs in ${csv.text.split('\n').find((l) => l.startsWith(NGINX))}`);

    // By CVE: the workloads column names only this cluster's workloads.
    const cves = cliRun(['vulns', 'public/demo', '--view', 'cves', '--cluster', cluster, '-f', 'json']);
    await goTo(page, `#/vulnerabilities?view=cves&cluster=${cluster}`, '[data-testid="vuln-cve-row"]');
    const cve = 'CVE-2024-45491';
    const want = [...new Set(cves.find((c) => c.id === cve).workloads.map((w) => `${w.resource.kind} ${w.resource.namespace}/${w.resource.name}`))].sort();
    check(want.length > 0 && cves.every((c) => c.workloads.every((w) => w.resource.cluster === cluster)), `${cluster}: CLI workloads ${JSON.stringify(want)}`);
    const shown = await page.$$eval(`[data-testid="vuln-cve-row"][data-id="${cve}"] .vuln-workloads div`, (ds) => ds.map((d) => d.textContent.trim()));
    check(JSON.stringify(shown) === JSON.stringify(want), `${cluster}: ${cve} workloads ${JSON.stringify(shown)} vs ${JSON.stringify(want)}`);
    const csvCves = await downloaded(page, '[data-testid="vuln-export-csv"]');
    check(csvCves.text === cliRun(['vulns', 'public/demo', '--view', 'cves', '--cluster', cluster, '-f', 'csv'], { json: false }),
      `${cluster}: the CVE CSV differs from the CLI's`);
  }
  await screenshot(page, 'clusters-vulnerabilities-cves');
});

await finish();
