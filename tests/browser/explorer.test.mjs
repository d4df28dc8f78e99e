// The Explorer page against the CLI: build a query by clicking and check the text
// follows; reopen it from the URL; compare its results with `portolan query ... -f json`
// on the demo; start from clusters; run a template; the template picker shows whole
// questions at 1280×800; drop a snapshot with hostile names and check they render as
// text.
//
// Usage (from the repository root, after `trunk build --release` and building the CLI):
//   node tests/browser/explorer.test.mjs
// Environment: PORTOLAN_BIN (CLI, default target/debug/portolan), PORTOLAN_DIST
// (default dist), CHROMIUM (default /usr/bin/chromium).

import { check, cliRun, dropFiles, goTo, loadDemo, screenshot, suite, timeout, waitForAnalysis } from './harness.mjs';

const { test, finish } = await suite('explorer');

/** The query text box's value once it equals `want` (or the last value seen). */
async function textBecomes(page, want) {
  await page
    .waitForFunction(
      (w) => document.querySelector('[data-testid="explorer-text"]')?.value === w,
      want,
      { timeout: 10_000 },
    )
    .catch(() => {});
  return page.inputValue('[data-testid="explorer-text"]');
}

/** Waits until the results answer `query` (the worker has replied). */
async function resultsFor(page) {
  await page.waitForFunction(
    () => {
      const r = document.querySelector('[data-testid="explorer-results"]');
      const count = document.querySelector('[data-testid="explorer-count"]');
      return r && r.dataset.running === 'false' && count && count.textContent.trim() !== '';
    },
    null,
    { timeout },
  );
  return page.$$eval('[data-testid="explorer-row"]', (rows) =>
    rows.map((r) => [...r.querySelectorAll('[data-testid="explorer-node"]')].map((a) => a.dataset.id).join(' > ')),
  );
}

const chains = (json) => json.results.map((r) => r.nodes.map((n) => n.id).join(' > '));
const sorted = (xs) => [...xs].sort();

await test('a query built by clicking: the text follows, the URL reopens it, the CLI agrees', async ({ page }) => {
  await loadDemo(page);
  await goTo(page, '#/explorer', '[data-testid="explorer-builder"]');
  // Start from workloads, add the exposed condition, then a step: runs → containers.
  await page.selectOption('[data-testid="explorer-start"]', 'workloads');
  check((await textBecomes(page, 'workloads where exposed')) === 'workloads where exposed', 'default query');
  await page.selectOption('[data-testid="explorer-add-condition"]', 'privileged');
  let text = await textBecomes(page, 'workloads where exposed and privileged');
  check(text === 'workloads where exposed and privileged', `after the condition: ${text}`);
  await resultsFor(page);
  await page.click('[data-testid="explorer-add-step"]');
  await page.waitForSelector('[data-testid="explorer-step"]');
  const relations = await page.$$eval('[data-testid="explorer-relation"] option', (os) => os.map((o) => o.textContent));
  check(relations.includes('-[runs]->'), `relations offered from workloads: ${relations}`);
  check(!relations.includes('-[uses_image]->'), 'uses_image offered from workloads');
  await page.selectOption('[data-testid="explorer-relation"]', { label: '-[runs]->' });
  await page.selectOption('[data-testid="explorer-kind"]', 'containers');
  const want = 'workloads where exposed and privileged -[runs]-> containers';
  text = await textBecomes(page, want);
  check(text === want, `built text: ${text}`);
  check(decodeURIComponent(page.url().split('q=')[1] || '') === want, `URL: ${page.url()}`);
  const rows = await resultsFor(page);
  const cli = cliRun(['query', 'public/demo', want, '-f', 'json']);
  check(cli.query === want, `CLI query ${cli.query}`);
  check(JSON.stringify(rows) === JSON.stringify(chains(cli)), `app rows ${rows} differ from the CLI's ${chains(cli)}`);
  check(rows.length > 0, 'no results');
  // Every node links to its resource panel; the map link carries the ids.
  const hrefs = await page.$$eval('[data-testid="explorer-node"]', (as) => as.map((a) => a.getAttribute('href')));
  check(hrefs.every((h) => h.startsWith('#/resource/')), `node links ${hrefs}`);
  const map = await page.getAttribute('[data-testid="explorer-map-link"]', 'href');
  check(map.startsWith('#/map?focus=') && map.includes(encodeURIComponent(cli.results[0].nodes[0].id).replace(/%2F/g, '%2F')), `map link ${map}`);
  await screenshot(page, 'explorer');
  // Typing a mistake shows the located error; the builder keeps the last good query.
  await page.fill('[data-testid="explorer-text"]', 'workloads -[cn_exec]-> pods');
  const error = await page.textContent('[data-testid="explorer-error"]');
  check(error.includes('line 1, column 13') && error.includes('did you mean `can_exec`'), `error: ${error}`);
  // The URL alone reopens the query, in a fresh page.
  const url = `${page.url().split('#')[0]}#/explorer?q=${encodeURIComponent(want)}`;
  await page.goto('about:blank');
  await page.goto(url);
  await loadDemo(page);
  await page.waitForSelector('[data-testid="explorer-builder"]', { timeout });
  check((await textBecomes(page, want)) === want, 'the URL did not reopen the query');
  const again = await resultsFor(page);
  check(JSON.stringify(again) === JSON.stringify(rows), 'reopened results differ');
  const kinds = await page.$$eval('[data-testid="explorer-kind"]', (ss) => ss.map((s) => s.value));
  check(JSON.stringify(kinds) === '["containers"]', `builder kinds ${kinds}`);
});

await test('clusters start a query: contains leads to namespaces and nodes, as the CLI answers', async ({ page }) => {
  await loadDemo(page);
  // From the default query (workloads where exposed): pick clusters, drop the condition.
  await goTo(page, '#/explorer', '[data-testid="explorer-builder"]');
  await page.selectOption('[data-testid="explorer-start"]', 'clusters');
  await textBecomes(page, 'clusters where exposed');
  await page.click('[data-testid="explorer-condition"]');
  check((await textBecomes(page, 'clusters')) === 'clusters', 'start from clusters');
  const alone = await resultsFor(page);
  // The demo holds two clusters (acme-prod and the self-managed lab-kubeadm): one node each.
  const cliClusters = chains(cliRun(['query', 'public/demo', 'clusters', '-f', 'json']));
  check(
    alone.length === 2 && alone.every((id) => id.endsWith('/cluster')) && JSON.stringify(alone) === JSON.stringify(cliClusters),
    `the demo's clusters: ${alone}, the CLI's ${cliClusters}`,
  );
  await page.click('[data-testid="explorer-add-step"]');
  await page.waitForSelector('[data-testid="explorer-step"]');
  const relations = await page.$$eval('[data-testid="explorer-relation"] option', (os) => os.map((o) => o.textContent));
  check(relations.includes('-[contains]->'), `relations offered from clusters: ${relations}`);
  await page.selectOption('[data-testid="explorer-relation"]', { label: '-[contains]->' });
  const kinds = await page.$$eval('[data-testid="explorer-kind"] option', (os) => os.map((o) => o.value));
  check(kinds.includes('namespaces') && kinds.includes('nodes') && !kinds.includes('workloads'), `kinds a cluster contains: ${kinds}`);
  await page.selectOption('[data-testid="explorer-kind"]', 'namespaces');
  const want = 'clusters -[contains]-> namespaces';
  check((await textBecomes(page, want)) === want, 'built text');
  const rows = await resultsFor(page);
  const cli = cliRun(['query', 'public/demo', want, '-f', 'json']);
  check(rows.length > 1 && JSON.stringify(rows) === JSON.stringify(chains(cli)), `app rows ${rows} differ from the CLI's ${chains(cli)}`);
});

await test('a template gives the CLI template results; sorting reorders rows', async ({ page }) => {
  await loadDemo(page);
  await goTo(page, '#/explorer', '[data-testid="explorer-template"]');
  await page.selectOption('[data-testid="explorer-template"]', 'reaches-cluster-admin');
  const cli = cliRun(['query', 'public/demo', '--template', 'reaches-cluster-admin', '-f', 'json']);
  await textBecomes(page, cli.query);
  await page.waitForFunction(
    (n) => document.querySelectorAll('[data-testid="explorer-row"]').length === n,
    cli.results.length,
    { timeout },
  );
  const rows = await resultsFor(page);
  check(JSON.stringify(rows) === JSON.stringify(chains(cli)), `template rows ${rows.length} vs CLI ${cli.results.length}`);
  await page.click('[data-testid="explorer-sort"] >> nth=0');
  await page.click('[data-testid="explorer-sort"] >> nth=0');
  const names = await page.$$eval('[data-testid="explorer-row"] td:first-child a', (as) => as.map((a) => a.textContent));
  check(JSON.stringify(names) === JSON.stringify([...sorted(names)].reverse()), 'descending sort');
  await screenshot(page, 'explorer-template');
});

await test('the template picker shows whole questions at 1280×800', async ({ page }) => {
  await loadDemo(page);
  await goTo(page, '#/explorer', '[data-testid="explorer-template"]');
  // The longest question, picked: the closed picker must show all of it.
  const longest = await page.$$eval('[data-testid="explorer-template"] option', (os) =>
    os.reduce((a, o) => (o.textContent.length > a.textContent.length ? o : a)).value,
  );
  await page.selectOption('[data-testid="explorer-template"]', longest);
  const fit = await page.$eval('[data-testid="explorer-template"]', (select) => {
    const text = select.selectedOptions[0].textContent;
    const context = document.createElement('canvas').getContext('2d');
    context.font = getComputedStyle(select).font;
    const style = getComputedStyle(select);
    const room = select.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight);
    return { text, needed: Math.ceil(context.measureText(text).width), room: Math.floor(room) };
  });
  // The arrow takes about 20 px of the box.
  check(fit.needed + 20 <= fit.room, `the picker cuts "${fit.text}": ${fit.needed} px of text in ${fit.room} px`);
  await screenshot(page, 'explorer-template-1280x800', false);
}, { viewport: { width: 1280, height: 800 } });

await test('hostile names in the explorer render as text', async ({ page }) => {
  const name = '<img src=x onerror="window.pwned=1">';
  const ns = 'x"><script>window.pwned=2</script>';
  const deployment = {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, namespace: ns },
    spec: { selector: { matchLabels: { a: 'b' } }, template: { metadata: { labels: { a: 'b' } }, spec: { containers: [{ name: '<b id="injected">c</b>', image: 'nginx' }] } } },
  };
  await dropFiles(page, [{ path: 'hostile.json', text: JSON.stringify(deployment) }]);
  await waitForAnalysis(page, 1);
  await goTo(page, `#/explorer?q=${encodeURIComponent('workloads -[runs]-> containers')}`, '[data-testid="explorer-row"]');
  const cells = await page.$$eval('[data-testid="explorer-node"]', (as) => as.map((a) => a.textContent));
  check(cells[0] === `${ns}/${name}`, `hostile workload not shown verbatim: ${cells}`);
  check(cells[1] === `${ns}/<b id="injected">c</b>`, `hostile container: ${cells}`);
  check((await page.$$('#injected')).length === 0, 'a hostile name became an element');
  await page.waitForTimeout(200);
  check((await page.evaluate(() => window.pwned)) === undefined, 'a hostile name ran script');
});

await finish();
