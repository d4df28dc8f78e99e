// Controls not applicable on a managed cluster: Load demo (an EKS cluster) in the built
// app and compare the panel under #/recommendations with `Analysis.notApplicable` of
// `portolan analyze --format json` of public/demo; a snapshot without cloud metadata
// shows no panel.
//
// Usage (from the repository root, after `trunk build --release` and building the CLI):
//   node tests/browser/breadth.test.mjs
// Environment: PORTOLAN_BIN (CLI, default target/debug/portolan), PORTOLAN_DIST
// (default dist), CHROMIUM (default /usr/bin/chromium).

import { check, cliRun, dropFiles, goTo, loadDemo, screenshot, suite, waitForAnalysis } from './harness.mjs';

const analysis = cliRun(['analyze', 'public/demo', '-q', '-f', 'json']);
const notApplicable = analysis.notApplicable ?? [];
const { test, finish } = await suite('breadth');

await test('the recommendations page lists the controls not applicable on the managed demo cluster', async ({ page }) => {
  check(notApplicable.length > 0, 'the demo analysis has no notApplicable entries');
  await loadDemo(page);
  await goTo(page, '#/recommendations', '[data-testid="not-applicable-panel"]');
  const summary = (await page.textContent('[data-testid="not-applicable-summary"]')).trim();
  check(
    summary === `${notApplicable.length} controls not applicable on a managed cluster`,
    `summary "${summary}" vs ${notApplicable.length} in the CLI`,
  );
  await page.click('[data-testid="not-applicable-summary"]');
  const ids = await page.$$eval('[data-testid="not-applicable-rule"] code', (cs) => cs.map((c) => c.textContent.trim()));
  check(
    JSON.stringify(ids) === JSON.stringify(notApplicable.map((n) => n.rule)),
    `rules shown ${ids.length} differ from the CLI's ${notApplicable.length}`,
  );
  const reasons = [...new Set(notApplicable.map((n) => `${n.resource.name}: ${n.reason}`))];
  const groups = await page.$$eval('[data-testid="not-applicable-group"] p', (ps) => ps.map((p) => p.textContent.trim()));
  check(JSON.stringify(groups) === JSON.stringify(reasons), `groups ${JSON.stringify(groups)} vs ${JSON.stringify(reasons)}`);
  const panel = await page.$('[data-testid="not-applicable-panel"]');
  await panel.scrollIntoViewIfNeeded();
  await panel.screenshot({ path: new URL('./screenshots/breadth-not-applicable.png', import.meta.url).pathname });
  // Each rule links to its documentation.
  const first = notApplicable[0].rule;
  const href = await page.getAttribute('[data-testid="not-applicable-rule"] a', 'href');
  check(href === `#/recommendations/${first}`, `first link ${href}`);
  await page.click('[data-testid="not-applicable-rule"] a');
  await page.waitForFunction((h) => location.hash === h, href);
  await screenshot(page, 'breadth-rule-doc');
});

await test('a snapshot without a managed cluster shows no such panel', async ({ page }) => {
  const pod = 'apiVersion: v1\nkind: Pod\nmetadata: {name: web, namespace: shop}\nspec:\n  containers: [{name: c, image: nginx:1.27}]\n';
  await dropFiles(page, [{ path: 'pod.yaml', text: pod }]);
  await waitForAnalysis(page, 1);
  await goTo(page, '#/recommendations', '[data-testid="recommendations-table"]');
  check((await page.$('[data-testid="not-applicable-panel"]')) === null, 'a panel shows without a managed cluster');
});

await finish();
