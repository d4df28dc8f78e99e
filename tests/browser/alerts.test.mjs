// The Alerts page against the CLI: Load demo (the snapshot plus its audit log) in the
// built app and compare #/alerts with `portolan analyze --format json` of public/demo;
// then drop an audit log with hostile values and check they render as text.
//
// Usage (from the repository root, after `trunk build --release` and building the CLI):
//   node tests/browser/alerts.test.mjs
// Environment: PORTOLAN_BIN (CLI, default target/debug/portolan), PORTOLAN_DIST
// (default dist), CHROMIUM (default /usr/bin/chromium).

import { check, cliRun, demoFileCount, dropFiles, goTo, screenshot, suite, waitForAnalysis } from './harness.mjs';

const shot = (page, name) => screenshot(page, name);
const analysis = cliRun(['analyze', 'public/demo', '-q', '-f', 'json']);
const demoFiles = demoFileCount();
const { test, finish } = await suite('alerts');

await test('the Alerts page shows the CLI alerts of the demo', async ({ page }) => {
  await page.click('[data-testid="load-demo"]');
  await waitForAnalysis(page, demoFiles);
  // The overview card.
  const total = (await page.textContent('[data-testid="alerts-card-total"]')).trim();
  check(Number(total) === analysis.alerts.length, `overview card says ${total}, the CLI ${analysis.alerts.length}`);
  // Audit events are not objects of the snapshot: the tile counts them apart.
  const isLog = (i) => i.format === 'audit-log';
  const objects = analysis.inputs.filter((i) => !isLog(i)).reduce((n, i) => n + i.objects, 0);
  const events = analysis.inputs.filter(isLog).reduce((n, i) => n + i.objects, 0);
  const shown = Number((await page.textContent('[data-testid="objects-read"]')).replace(/\D/g, ''));
  check(events > 0 && shown === objects, `objects read: app ${shown}, CLI ${objects} (+${events} audit events)`);
  const note = await page.textContent('[data-testid="objects-note"]');
  check(note.includes(`${events} audit events`), `objects note: ${note}`);
  await goTo(page, '#/alerts', '[data-testid="alert-list"]');
  const rows = await page.$$eval('[data-testid="alert-row"]', (trs) => trs.map((tr) => tr.dataset.type));
  check(
    JSON.stringify(rows) === JSON.stringify(analysis.alerts.map((a) => a.type)),
    `alert rows ${rows.join(',')} differ from the CLI's ${analysis.alerts.map((a) => a.type).join(',')}`,
  );
  check((await page.$$('[data-testid="alert-timeline"] svg rect')).length > 5, 'the timeline has no bars');
  const tactics = await page.$$eval('[data-testid="alert-mitre"] tbody tr', (trs) => trs.map((t) => t.dataset.tactic).sort());
  const want = [...new Set(analysis.alerts.map((a) => a.tactic))].sort();
  check(JSON.stringify(tactics) === JSON.stringify(want), `tactics ${tactics} vs ${want}`);
  await shot(page, 'alerts');
  // Filters: severity high only.
  await page.selectOption('[data-testid="alert-severity"]', 'high');
  const high = await page.$$eval('[data-testid="alert-row"]', (trs) => trs.length);
  check(high === analysis.alerts.filter((a) => a.severity === 'high').length, `${high} high rows`);
  await page.selectOption('[data-testid="alert-severity"]', '');
  await page.selectOption('[data-testid="alert-user"]', 'system:serviceaccount:ci:deployer');
  const mine = await page.$$eval('[data-testid="alert-row"]', (trs) => trs.length);
  check(mine === analysis.alerts.filter((a) => a.user === 'system:serviceaccount:ci:deployer').length, `${mine} deployer rows`);
  // One alert: the token theft from the ingress controller, on attack paths.
  const index = analysis.alerts.findIndex((a) => a.type === 'K8S_ServiceAccountTokenRead') + 1;
  await goTo(page, `#/alerts/${index}`, '[data-testid="alert-detail"]');
  const alert = analysis.alerts[index - 1];
  check((await page.textContent('[data-testid="alert-detail-type"]')).trim() === alert.type, 'detail type');
  check((await page.textContent('[data-testid="alert-detail-detail"]')).trim() === alert.detail, 'detail text');
  const evidence = await page.$$('[data-testid="evidence-row"]');
  check(evidence.length === alert.evidence.length, `${evidence.length} evidence rows`);
  const links = await page.$$eval('[data-testid="alert-detail-paths"] a', (as) => as.map((a) => a.getAttribute('href')));
  check(links.length > 0 && links.every((h) => h.startsWith('#/attack-paths/')), `path links ${links}`);
  await shot(page, 'alert-detail');
});

await test('hostile values in an audit log render as text', async ({ page }) => {
  const user = '<img src=x onerror="window.pwned=1">';
  const event = {
    kind: 'Event',
    apiVersion: 'audit.k8s.io/v1',
    auditID: '"><script>window.pwned=2</script>',
    stage: 'ResponseStarted',
    requestURI: '/api/v1/namespaces/x/pods/p/exec?command=%3Csvg%20onload%3D%22window.pwned%3D3%22%3E',
    verb: 'create',
    user: { username: user },
    userAgent: '<b id="injected">ua</b>',
    sourceIPs: ['<i id="injected">ip</i>'],
    objectRef: { resource: 'pods', subresource: 'exec', namespace: '<u id="injected">ns</u>', name: 'p' },
    responseStatus: { code: 101 },
    requestReceivedTimestamp: '2026-11-29T10:00:00Z',
  };
  await dropFiles(page, [{ path: 'audit.jsonl', text: JSON.stringify(event) + '\n' }]);
  await waitForAnalysis(page, 1);
  await goTo(page, '#/alerts', '[data-testid="alert-row"]');
  const users = await page.$$eval('[data-testid="alert-row"] td:nth-child(4)', (tds) => tds.map((t) => t.textContent));
  check(users.includes(user), `hostile user not shown verbatim: ${users}`);
  await goTo(page, '#/alerts/1', '[data-testid="evidence-row"]');
  const text = await page.textContent('[data-testid="alert-evidence"]');
  check(text.includes('<b id="injected">ua</b>'), 'hostile user agent not shown as text');
  check((await page.$$('#injected')).length === 0, 'a hostile value became an element');
  check((await page.$$('[data-testid="alert-evidence"] img, [data-testid="alert-evidence"] script')).length === 0, 'markup in the evidence');
  await page.waitForTimeout(200);
  check((await page.evaluate(() => window.pwned)) === undefined, 'a hostile value ran script');
});

await finish();
