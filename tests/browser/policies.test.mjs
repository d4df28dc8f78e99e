// The Policies page against the CLI: drop the demo snapshot together with a policy set
// (Gatekeeper Rego v0 and v1, a ValidatingAdmissionPolicy with parameters, a template
// that does not compile) and compare #/policies with `portolan analyze public/demo
// --policies tests/fixtures/policies-app --format json`: each policy's counts, its
// violations (object and message), the broken one's located problem; a hostile message
// from a constraint's parameters renders as text; the policy findings are in the
// recommendation table (category policy); filters and sort live in the URL.
//
// Usage (from the repository root, after `trunk build --release` and building the CLI):
//   node tests/browser/policies.test.mjs
// Environment: PORTOLAN_BIN (CLI, default target/debug/portolan), PORTOLAN_DIST
// (default dist), CHROMIUM (default /usr/bin/chromium).

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { check, cliRun, dropFiles, goTo, repo, screenshot, suite, text, waitForAnalysis } from './harness.mjs';

const policyDir = 'tests/fixtures/policies-app';
const analysis = cliRun(['analyze', 'public/demo', '--policies', policyDir, '-q', '-f', 'json']);
const report = analysis.policies;
check(report && report.policies.length === 4, `the CLI found ${report?.policies.length} policies, 4 expected`);

// The demo's files as Load demo reads them, and the policy files beside them.
const demoPaths = JSON.parse(fs.readFileSync(path.join(repo, 'public/demo-files.json'), 'utf8')).files;
const files = [
  ...demoPaths.map((p) => ({ path: p, b64: fs.readFileSync(path.join(repo, 'public', p)).toString('base64') })),
  ...fs
    .readdirSync(path.join(repo, policyDir))
    .sort()
    .map((f) => ({ path: `policies/${f}`, text: fs.readFileSync(path.join(repo, policyDir, f), 'utf8') })),
];

/** `Kind/ns/name` of a finding's resource, as the page prints it. */
const objectOf = (r) => (r.namespace ? `${r.kind}/${r.namespace}/${r.name}` : `${r.kind}/${r.name}`);
const sorted = (list) => [...list].sort();

const { test, finish } = await suite('policies');

await test('dropped policies show the CLI verdicts on the Policies page', async ({ page }) => {
  await dropFiles(page, files);
  await waitForAnalysis(page, files.length);
  const total = report.policies.reduce((n, p) => n + p.violations, 0);
  const badge = await text(page, '[data-testid="nav-policies-count"]');
  check(Number(badge.replace(/\D/g, '')) === total, `nav badge ${badge}, CLI ${total} violations`);
  await goTo(page, '#/policies', '[data-testid="policy-list"]');
  check(Number(await text(page, '[data-testid="policies-violations"]')) === total, 'total violations');
  check(
    Number(await text(page, '[data-testid="policies-problems"]')) === report.diagnostics.length,
    'problem count differs from the CLI',
  );
  const cards = await page.$$eval('[data-testid="policy-card"]', (cs) =>
    cs.map((c) => ({
      rule: c.dataset.rule,
      violations: Number(c.dataset.violations),
      reviewed: Number(c.dataset.reviewed),
      errors: Number(c.querySelector('[data-testid="policy-errors"]').textContent),
      language: c.querySelector('[data-testid="policy-language"]').textContent.trim(),
      action: c.querySelector('[data-testid="policy-action"]').textContent.trim(),
      rows: [...c.querySelectorAll('[data-testid="policy-violation"]')].map((tr) => [
        tr.querySelector('[data-testid="policy-violation-object"]').textContent.trim(),
        tr.querySelector('[data-testid="policy-violation-message"]').textContent,
        tr.querySelector('[data-testid="details-link"]').getAttribute('href'),
      ]),
    })),
  );
  check(
    JSON.stringify(cards.map((c) => c.rule)) === JSON.stringify(report.policies.map((p) => p.rule)),
    `cards ${cards.map((c) => c.rule)} vs CLI ${report.policies.map((p) => p.rule)}`,
  );
  const languages = { rego: 'Rego', cel: 'CEL', '': '—' };
  for (const p of report.policies) {
    const c = cards.find((x) => x.rule === p.rule);
    for (const key of ['violations', 'reviewed', 'errors']) {
      check(c[key] === p[key], `${p.rule}: ${key} ${c[key]} on the page, ${p[key]} in the CLI`);
    }
    check(c.language === languages[p.language], `${p.rule}: language ${c.language} vs ${p.language}`);
    check(c.action === (p.action || '—'), `${p.rule}: action ${c.action} vs ${p.action}`);
    const want = sorted(
      analysis.findings.filter((f) => f.rule === p.rule).map((f) => JSON.stringify([objectOf(f.resource), f.message])),
    );
    const got = sorted(c.rows.map(([o, m]) => JSON.stringify([o, m])));
    check(JSON.stringify(got) === JSON.stringify(want), `${p.rule}: violation rows differ from the CLI's findings`);
    // With several clusters (the demo has two) resource ids carry the cluster: each
    // finding's own, as the CLI says.
    for (const [object, message, href] of c.rows) {
      const finding = analysis.findings.find((f) => f.rule === p.rule && objectOf(f.resource) === object && f.message === message);
      const cluster = finding?.resource.cluster;
      const [kind, ...rest] = object.split('/');
      const id = `${cluster ? `${cluster}/` : ''}k8s:${kind}/${rest.length === 2 ? rest.join('/') : `/${rest[0]}`}`;
      check(decodeURIComponent(href) === `#/resource/${id}`, `${p.rule}: link ${href} for ${object}`);
    }
  }
  // Both syntaxes, and CEL with parameters, found violations.
  check(cards.find((c) => c.rule === 'K8sRequiredLabels/deployments-need-owner').violations > 0, 'Rego v0 found nothing');
  check(cards.find((c) => c.rule === 'K8sAllowedRepos/trusted-registries').violations > 0, 'Rego v1 found nothing');
  check(cards.find((c) => c.rule === 'replica-cap/replica-cap-teams').violations > 0, 'CEL with params found nothing');
  // The broken template: its constraint is an error with the located compile problem.
  const broken = page.locator('[data-testid="policy-card"][data-rule="K8sBroken/never-silent"]');
  check((await broken.getAttribute('data-status')) === 'error', 'the broken constraint is not shown as an error');
  const place = (await broken.locator('[data-testid="policy-diagnostic-place"]').first().textContent()).trim();
  const want = report.diagnostics.find((d) => d.message.includes('k8sbroken'));
  check(place === `policies/broken.yaml:${want.line}`, `broken template located at ${place}, CLI line ${want.line}`);
  const message = await broken.locator('[data-testid="policy-diagnostic-message"]').first().textContent();
  check(message.includes('Rego does not compile'), `broken template message: ${message}`);
  // The hostile message is text: nothing was injected or run.
  const hostile = cards.find((c) => c.rule === 'K8sRequiredLabels/deployments-need-owner').rows[0][1];
  check(hostile.includes('<img src=x onerror="window.pwned=1">'), `hostile message shown as ${hostile}`);
  check((await page.$('#injected')) === null, 'markup from a policy message was rendered');
  check((await page.evaluate(() => window.pwned)) === undefined, 'a policy message ran script');
  await screenshot(page, 'policies');

  // A violation's link opens the resource's panel.
  await page.click('[data-testid="policy-card"][data-rule="replica-cap/replica-cap-teams"] [data-testid="details-link"]');
  await page.waitForSelector('[data-testid="resource-title"]');
  check(!(await page.$('[data-testid="resource-missing"]')), 'the violation link leads to a missing resource');

  // The same findings among the recommendations, category policy.
  await goTo(page, '#/recommendations?category=policy', '[data-testid="recommendations-table"]');
  const recs = await page.$$eval('[data-testid="recommendation-row"]', (trs) => trs.map((tr) => tr.dataset.rule));
  const wantRecs = analysis.recommendations.filter((r) => r.category === 'policy').map((r) => r.rule);
  check(JSON.stringify(sorted(recs)) === JSON.stringify(sorted(wantRecs)), `policy recommendations ${recs} vs ${wantRecs}`);

  // Filters and sort are in the URL, and the URL restores them.
  await goTo(page, '#/policies', '[data-testid="policy-list"]');
  await page.selectOption('[data-testid="policies-language"]', 'cel');
  check((await page.evaluate(() => location.hash)) === '#/policies?lang=cel', 'language filter not in the URL');
  const cel = await page.$$eval('[data-testid="policy-card"]', (cs) => cs.map((c) => c.dataset.rule));
  check(JSON.stringify(cel) === JSON.stringify(['replica-cap/replica-cap-teams']), `CEL only: ${cel}`);
  await goTo(page, '#/policies?sort=violations&dir=desc', '[data-testid="policy-list"]');
  const order = await page.$$eval('[data-testid="policy-card"]', (cs) => cs.map((c) => c.dataset.rule));
  const wantOrder = [...report.policies]
    .map((p, i) => [p, i])
    .sort((a, b) => b[0].violations - a[0].violations || b[1] - a[1])
    .map(([p]) => p.rule);
  check(JSON.stringify(order) === JSON.stringify(wantOrder), `sorted ${order} vs ${wantOrder}`);
  await page.fill('[data-testid="policies-search"]', 'does not compile');
  await page.waitForFunction(() => document.querySelectorAll('[data-testid="policy-card"]').length === 1);
  check(
    (await page.getAttribute('[data-testid="policy-card"]', 'data-rule')) === 'K8sBroken/never-silent',
    'searching a problem finds its policy',
  );
});

await test('a snapshot without policies says how to add them', async ({ page }) => {
  await page.click('[data-testid="load-demo"]');
  await waitForAnalysis(page, demoPaths.length);
  check((await text(page, '[data-testid="nav-policies-count"]')) === '', 'badge without policies');
  await goTo(page, '#/policies', '[data-testid="policies-empty"]');
});

// Policy files kept in the browser: added on the Policies page to the loaded demo, edited
// in the page's editor and re-run on the worker's kept snapshot, compared each time with
// `portolan analyze public/demo --policies FILE`; a reload keeps them; an edit that
// breaks the Rego is a located problem with no stale violation; removing the file
// removes its policies.
const keptName = 'allowed-repos.yaml';
const keptRule = 'K8sAllowedRepos/trusted-registries';
const original = fs.readFileSync(path.join(repo, policyDir, keptName), 'utf8');
const edited = original
  .replace('"quay.io/"', '"docker.io/library/"')
  .replace('has an invalid image repo', 'comes from an unapproved registry');
const broken = edited.replace('violation contains', 'violation contains contains');
check(edited !== original && broken !== edited, 'the edits should change the fixture');
const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'portolan-policies-'));

/** The CLI's analysis of the demo with `text` as the one policy file. */
function cliWith(text) {
  const file = path.join(scratch, keptName);
  fs.writeFileSync(file, text);
  return cliRun(['analyze', 'public/demo', '--policies', file, '-q', '-f', 'json']);
}

/** `[object, message]` rows of the kept rule's violations, sorted, from the CLI. */
const cliRows = (a) =>
  sorted(a.findings.filter((f) => f.rule === keptRule).map((f) => JSON.stringify([objectOf(f.resource), f.message])));

/** The same rows on the page's card of the kept rule. */
async function pageRows(page) {
  const rows = await page.$$eval(
    `[data-testid="policy-card"][data-rule="${keptRule}"] [data-testid="policy-violation"]`,
    (trs) =>
      trs.map((tr) => [
        tr.querySelector('[data-testid="policy-violation-object"]').textContent.trim(),
        tr.querySelector('[data-testid="policy-violation-message"]').textContent,
      ]),
  );
  return sorted(rows.map((r) => JSON.stringify(r)));
}

/** Waits until the kept rule's card shows `want` rows (the analysis was updated). */
async function waitForRows(page, want, what) {
  const deadline = Date.now() + 60_000;
  let got = [];
  while (Date.now() < deadline) {
    got = await pageRows(page);
    if (JSON.stringify(got) === JSON.stringify(want)) return;
    await page.waitForTimeout(200);
  }
  check(false, `${what}: the page shows ${got.length} violations ${JSON.stringify(got.slice(0, 2))}, the CLI ${want.length} ${JSON.stringify(want.slice(0, 2))}`);
}

await test('policy files kept in the browser are edited and re-run on the kept snapshot', async ({ page }) => {
  await page.click('[data-testid="load-demo"]');
  await waitForAnalysis(page, demoPaths.length);
  await goTo(page, '#/policies', '[data-testid="policy-files-none"]');
  await page.setInputFiles('[data-testid="policy-files-pick"]', {
    name: keptName,
    mimeType: 'application/yaml',
    buffer: Buffer.from(original),
  });
  const first = cliRows(cliWith(original));
  check(first.length > 0, 'the CLI found no violation of the kept policy');
  await page.waitForSelector(`[data-testid="policy-card"][data-rule="${keptRule}"]`);
  await waitForRows(page, first, 'after adding the file');
  const listed = await page.$$eval('[data-testid="policy-file-name"]', (es) => es.map((e) => e.textContent));
  check(JSON.stringify(listed) === JSON.stringify([keptName]), `kept files ${listed}`);
  const defined = await page.$$eval('[data-testid="policy-file-rule"]', (es) => es.map((e) => e.dataset.rule));
  check(JSON.stringify(defined) === JSON.stringify([keptRule]), `the file defines ${defined}`);

  // Edit the parameters and the message, re-run: only the policies run again, and the
  // page agrees with the CLI on the edited file.
  await page.click('[data-testid="policy-file-edit"]');
  await page.fill('[data-testid="policy-file-editor"]', edited);
  await page.click('[data-testid="policy-file-rerun"]');
  const second = cliRows(cliWith(edited));
  check(JSON.stringify(second) !== JSON.stringify(first), 'the edit should change the CLI verdicts');
  await waitForRows(page, second, 'after editing the file');
  // The recommendation table follows (category policy).
  await goTo(page, '#/recommendations?category=policy', '[data-testid="recommendations-table"]');
  const recs = await page.$$eval('[data-testid="recommendation-row"]', (trs) => trs.map((tr) => tr.dataset.rule));
  check(recs.includes(keptRule), `policy recommendations after the edit: ${recs}`);
  await goTo(page, '#/policies', '[data-testid="policy-list"]');
  await screenshot(page, 'policies-kept-files');

  // A reload keeps the policy file (the snapshot is reloaded: files live in the tab).
  await page.reload();
  await page.waitForSelector('[data-testid="policy-file-list"]');
  const kept = await page.$$eval('[data-testid="policy-file-name"]', (es) => es.map((e) => e.textContent));
  check(JSON.stringify(kept) === JSON.stringify([keptName]), `after a reload the kept files are ${kept}`);
  await goTo(page, '#/', '[data-testid="load-demo"]');
  await page.click('[data-testid="load-demo"]');
  await waitForAnalysis(page, demoPaths.length);
  await goTo(page, '#/policies', `[data-testid="policy-card"][data-rule="${keptRule}"]`);
  await waitForRows(page, second, 'after a reload');

  // An edit that breaks the Rego: a located problem in the file's row and on the card,
  // and no violation left from before.
  await page.click('[data-testid="policy-file-edit"]');
  await page.fill('[data-testid="policy-file-editor"]', broken);
  await page.click('[data-testid="policy-file-rerun"]');
  const brokenAnalysis = cliWith(broken);
  const want = brokenAnalysis.policies.diagnostics.find((d) => d.message.includes('Rego does not compile'));
  check(want, 'the CLI should report the broken Rego');
  await page.waitForSelector(`[data-testid="policy-card"][data-rule="${keptRule}"][data-status="error"]`);
  const place = (await text(page, '[data-testid="policy-file-problems"] [data-testid="policy-diagnostic-place"]')).trim();
  check(place === `${keptName}:${want.line}`, `the broken Rego is located at ${place}, the CLI says line ${want.line}`);
  check((await pageRows(page)).length === 0, 'violations from before the broken edit are still shown');
  const card = `[data-testid="policy-card"][data-rule="${keptRule}"]`;
  check(Number(await page.getAttribute(card, 'data-violations')) === 0, 'the broken policy still counts violations');
  await screenshot(page, 'policies-kept-broken');

  // Removing the file removes its policies.
  await page.click('[data-testid="policy-file-remove"]');
  await page.waitForSelector('[data-testid="policies-empty"]');
  await page.waitForSelector('[data-testid="policy-files-none"]');
});

fs.rmSync(scratch, { recursive: true, force: true });
await finish();
