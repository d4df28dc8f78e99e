// The security map and the resource panel: the demo's map opens aggregated, expands a
// namespace, highlights an attack path and a focus set; the resource panel is reached
// from the inventory, a recommendation, an attack path, a vulnerability and an alert;
// hostile names render as text; the kind chips keep the map's order across reloads.
// (The 50,000-pod map, with a positive control of its
// long-task observer, is in explorer_map.test.mjs.)
//
// Usage (from the repository root, after `trunk build --release` and building the CLI):
//   node tests/browser/map.test.mjs
// Environment: PORTOLAN_BIN (CLI, default target/debug/portolan), PORTOLAN_DIST
// (default dist), CHROMIUM (default /usr/bin/chromium).

import { check, cliRun, dropFiles, goTo, loadDemo, screenshot, suite, waitForAnalysis } from './harness.mjs';

const analysis = cliRun(['analyze', 'public/demo', '-q', '-f', 'json']);
const { test, finish } = await suite('map');
const enc = encodeURIComponent;
// The demo holds two clusters: acme-prod's graph nodes and map regions carry its name.
const P = 'acme-prod/';

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

await test('the demo map opens aggregated, expands a namespace and highlights a path and a focus set', async ({ page }) => {
  await loadDemo(page);
  await page.click('[data-testid="nav-map"]');
  await mapReady(page);
  let ids = await nodeIds(page);
  check(ids.includes('internet'), 'the internet is on the map');
  check(!ids.some((id) => id.includes('workload:')), `workloads are drawn before any expansion: ${ids.filter((i) => i.includes('workload:'))}`);
  check(ids.includes(`group:${P}ns:payments/Workload`), `no aggregate of payments' workloads in ${ids.slice(0, 20)}`);
  // The second cluster's namespaces are regions of their own, beside acme-prod's.
  check(ids.includes('group:lab-kubeadm/ns:shop/Workload'), `no aggregate of lab-kubeadm's shop in ${ids.slice(0, 40)}`);
  const total = (await page.$$('[data-testid="map-node"]')).length;
  check(total < 400, `${total} boxes drawn aggregated`);
  await screenshot(page, 'map-aggregated');

  // Expanding payments by clicking its aggregate.
  await page.click(`[data-testid="map-node"][data-id="group:${P}ns:payments/Workload"]`);
  await page.waitForFunction(() => location.hash.includes('expand=acme-prod%2Fns%3Apayments'));
  await mapReady(page);
  await page.waitForSelector(`[data-testid="map-node"][data-id^="${P}workload:payments/"]`);
  ids = await nodeIds(page);
  const want = analysis.inventory.resources.filter((r) => r.namespace === 'payments' && ['Deployment', 'StatefulSet', 'DaemonSet', 'CronJob'].includes(r.kind));
  for (const r of want) check(ids.includes(`${P}workload:payments/${r.kind}/${r.name}`), `payments' ${r.kind} ${r.name} not drawn after expanding`);
  check(!ids.some((id) => id.startsWith(`${P}workload:ci/`)), 'another namespace expanded too');
  await screenshot(page, 'map-expanded');

  // Attack path 1 highlighted.
  await goTo(page, '#/map?path=1', '[data-testid="map-path-note"]');
  await mapReady(page);
  const hl = await highlighted(page);
  const steps = analysis.attackPaths.paths[0].steps;
  for (const s of steps) {
    for (const id of [s.from, s.to]) check(hl.includes(shownAs(id)), `path 1 node ${id} not highlighted (${hl})`);
  }
  check((await page.$$('[data-testid="map-edge"].hl')).length > 0, 'no highlighted edge on path 1');
  await screenshot(page, 'map-path-1', false);

  // A focus set.
  const focus = [`${P}sa:ci/deployer`, `${P}workload:payments/Deployment/payments-api`];
  await goTo(page, `#/map?focus=${focus.map(enc).join(',')}`, '[data-testid="map-focus-note"]');
  await mapReady(page);
  const focused = (await highlighted(page)).sort();
  check(JSON.stringify(focused) === JSON.stringify([...focus].sort()), `focus highlighted ${focused}`);

  // Search finds what is aggregated, and its hit focuses it.
  await goTo(page, '#/map', '[data-testid="map-search"]');
  await page.fill('[data-testid="map-search"]', 'deploy-bot');
  await page.waitForSelector('[data-testid="map-hit"]');
  await page.click('[data-testid="map-hit"]');
  await page.waitForFunction(() => location.hash.includes('focus='));
  await mapReady(page);
  check((await highlighted(page)).includes(`${P}workload:ci/Deployment/deploy-bot`), 'the search hit is not highlighted');

  // A single box opens its panel.
  await page.click(`[data-testid="map-node"][data-id="${P}workload:ci/Deployment/deploy-bot"]`);
  await page.waitForSelector('[data-testid="resource-title"]');
  check((await page.textContent('[data-testid="resource-title"]')) === 'Deployment ci/deploy-bot', 'the map box did not open its panel');
});

await test('the kind filter chips keep the order of the map, left to right, across reloads', async ({ page }) => {
  const chips = () => page.$$eval('[data-testid="map-kinds"] label', (ls) => ls.map((l) => l.dataset.kind));
  await loadDemo(page);
  await goTo(page, '#/map', '[data-testid="map-kinds"] label');
  await mapReady(page);
  const first = await chips();
  // The engine's order (`kind_order` in engine/src/map/mod.rs): entry points, workloads,
  // identities, permission sets, targets and the cloud, nodes; not the alphabet.
  const at = (k) => first.indexOf(k);
  const sequence = ['Internet', 'Service', 'Workload', 'ServiceAccount', 'PermissionSet', 'ClusterAdmin', 'Node'];
  check(sequence.every((k) => at(k) >= 0), `the demo's chips lack one of ${sequence}: ${first}`);
  check(sequence.every((k, i) => i === 0 || at(sequence[i - 1]) < at(k)), `chips out of the map's order: ${first}`);
  check(first[0] === 'Internet', `the internet is not the first chip: ${first}`);
  // Hiding a kind keeps every chip where it was.
  await page.click('[data-testid="map-kinds"] label[data-kind="Workload"]');
  await page.waitForFunction(() => location.hash.includes('hide='));
  await mapReady(page);
  check(JSON.stringify(await chips()) === JSON.stringify(first), `hiding a kind moved the chips: ${await chips()}`);
  // A reload (the snapshot is only in the tab: loaded again) gives the same order.
  await page.goto(page.url().split('#')[0]);
  await page.waitForSelector('[data-testid="drop-zone"]');
  await loadDemo(page);
  await goTo(page, '#/map', '[data-testid="map-kinds"] label');
  await mapReady(page);
  check(JSON.stringify(await chips()) === JSON.stringify(first), `the chips moved after a reload: ${first} then ${await chips()}`);
  await screenshot(page, 'map-kind-chips', false);
});

await test('the resource panel is reached from every kind of page', async ({ page }) => {
  await loadDemo(page);
  const title = async () => {
    await page.waitForSelector('[data-testid="resource-title"]');
    return (await page.textContent('[data-testid="resource-title"]')).trim();
  };
  // Inventory.
  await goTo(page, '#/inventory/Deployment?ns=ci&q=deploy-bot', '[data-testid="inventory-row"]');
  await page.click('[data-testid="inventory-row"] [data-testid="details-link"]');
  check((await title()) === 'Deployment ci/deploy-bot', `inventory → ${await title()}`);
  const props = await page.textContent('[data-testid="resource-properties"]');
  check(props.includes('Service account') && props.includes('deployer'), `properties: ${props}`);
  check((await page.$$('[data-testid="resource-neighbour"]')).length > 0, 'no neighbours');
  await screenshot(page, 'resource-panel');
  // A neighbour is a link to its own panel: the container, then its service account.
  await page.click('[data-testid="resource-neighbour"] >> text=container bot');
  check((await title()) === 'container bot of Deployment ci/deploy-bot', `neighbour → ${await title()}`);
  await page.click('[data-testid="resource-neighbour"] >> text=service account ci/deployer');
  check((await title()) === 'service account ci/deployer', `neighbour → ${await title()}`);
  // The paths through it are the CLI's paths with a step from or to it.
  const through = analysis.attackPaths.paths.filter((p) => p.steps.some((s) => s.from === `${P}sa:ci/deployer` || s.to === `${P}sa:ci/deployer`));
  const listed = await page.$$eval('[data-testid="resource-paths"] a', (as) => as.map((a) => a.getAttribute('href')));
  check(through.length > 0 && listed.length === through.length, `${listed.length} paths listed through ci/deployer, the CLI has ${through.length}`);

  // A recommendation's affected resource.
  const rec = analysis.recommendations[0];
  const f = analysis.findings[rec.findings[0]];
  await goTo(page, `#/recommendations/${rec.rule}`, '[data-testid="finding-row"]');
  await page.click('[data-testid="finding-row"] [data-testid="details-link"]');
  const recTitle = await title();
  check(recTitle.includes(f.resource.name), `recommendation → ${recTitle}, expected ${f.resource.name}`);
  const rules = await page.$$eval('[data-testid="resource-findings"] a', (as) => as.map((a) => a.getAttribute('href')));
  check(rules.includes(`#/recommendations/${rec.rule}`), `the panel's findings ${rules} miss ${rec.rule}`);

  // An attack path step.
  await goTo(page, '#/attack-paths/1', '[data-testid="chain-node-link"]');
  const last = analysis.attackPaths.paths[0].steps.at(-1);
  await page.locator('[data-testid="chain-node-link"]').last().click();
  check((await title()) === last.toLabel, `attack path → ${await title()}, expected ${last.toLabel}`);
  check((await page.$$('[data-testid="resource-paths"] a[href="#/attack-paths/1"]')).length === 1, 'the target does not list path 1');

  // A vulnerability's workload.
  const v = analysis.vulnerabilities.containers[0];
  await goTo(page, '#/vulnerabilities', '[data-testid="vuln-workload-row"], [data-testid="vuln-view-workloads"]');
  if (!(await page.$('[data-testid="vuln-workload-row"]'))) await page.click('[data-testid="vuln-view-workloads"]');
  await page.waitForSelector('[data-testid="vuln-workload-row"] [data-testid="details-link"]');
  await page.locator('[data-testid="vuln-workload-row"] [data-testid="details-link"]').first().click();
  check((await title()) === `${v.resource.kind} ${v.resource.namespace}/${v.resource.name}`, `vulnerability → ${await title()}`);
  check((await page.$$('[data-testid="resource-vulnerabilities"] tr')).length > 1, 'the panel lists no vulnerability');

  // An alert's identity.
  const index = analysis.alerts.findIndex((a) => a.user === 'system:serviceaccount:ci:deployer') + 1;
  await goTo(page, `#/alerts/${index}`, '[data-testid="alert-detail-user"] [data-testid="details-link"]');
  await page.click('[data-testid="alert-detail-user"] [data-testid="details-link"]');
  check((await title()) === 'service account ci/deployer', `alert → ${await title()}`);
  check((await page.$$('[data-testid="resource-alerts"] li')).length > 0, 'the panel lists no alert');

  // Unknown ids.
  await goTo(page, `#/resource/${enc('workload:nowhere/Deployment/x')}`, '[data-testid="resource-missing"]');
});

await test('hostile names render as text on the map and in the panel', async ({ page }) => {
  const evil = '<img src=x onerror="window.pwned=1">';
  const deployment = {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: evil, namespace: 'evil' },
    spec: { selector: { matchLabels: { app: 'x' } }, template: { metadata: { labels: { app: 'x' } }, spec: { containers: [{ name: evil, image: 'nginx', securityContext: { privileged: true } }] } } },
  };
  await dropFiles(page, [{ path: 'evil/deploy.json', text: JSON.stringify(deployment) }]);
  await waitForAnalysis(page, 1);
  const id = `workload:evil/Deployment/${evil}`;
  await goTo(page, `#/map?expand=ns%3Aevil`, `[data-testid="map-node"][data-kind="Workload"]`);
  await mapReady(page);
  check((await page.$$('[data-testid="map-canvas"] img')).length === 0, 'an <img> element was created on the map');
  const texts = await page.$$eval('[data-testid="map-node"][data-kind="Workload"]', (ns) => ns.map((n) => [n.dataset.id, n.querySelector('title').textContent]));
  check(texts.some(([i, t]) => i === id && t.includes(evil)), `the map's tooltip is not the name as text: ${JSON.stringify(texts)}`);
  await page.fill('[data-testid="map-search"]', 'onerror');
  await page.waitForSelector('[data-testid="map-hit"]');
  check((await page.textContent('[data-testid="map-hit"]')).includes(evil), 'the search hit is not the name as text');
  await screenshot(page, 'map-hostile', false);
  await goTo(page, `#/resource/${enc(id)}`, '[data-testid="resource-title"]');
  check((await page.textContent('[data-testid="resource-title"]')) === `Deployment evil/${evil}`, 'the panel title is not the name as text');
  check((await page.$$('main img')).length === 0, 'an <img> element was created in the panel');
  check((await page.evaluate(() => window.pwned)) === undefined, 'a handler ran');
});

await finish();
