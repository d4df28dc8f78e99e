// Cloud identities: Load demo (its AWS account, public/demo/aws/) in the built app and
// check that the effective permissions page (#/iam) answers as `portolan iam -f json`
// does — every principal, action, decision, resource and statement — for a user who is
// administrator through a group, a role reading one bucket (a wildcard action), and a
// user whose permission boundary caps a managed policy; that a CloudIdentity's resource
// panel and an IAM finding link to it; that the form keeps the question in the URL and
// an unknown name lists close ones; that dropped Azure and GCP exports
// (tests/fixtures/cloud/azure, gcp) give inventory rows whose resource panel leads to
// the principal's permissions; light and dark screenshots.
//
// Usage (from the repository root, after `trunk build --release` and building the CLI):
//   node tests/browser/cloud.test.mjs
// Environment: PORTOLAN_BIN (CLI, default target/debug/portolan), PORTOLAN_DIST
// (default dist), CHROMIUM (default /usr/bin/chromium).

import { readFileSync } from 'node:fs';

import { check, cliRun, dropFiles, goTo, loadDemo, screenshot, suite, waitForAnalysis } from './harness.mjs';

const { test, finish } = await suite('cloud');
const enc = encodeURIComponent;

/** What the CLI answers, as the page shows it: per principal its rows and statements. */
function fromCli(principal, action, resource = '') {
  const args = ['iam', 'public/demo', '--principal', principal, '-f', 'json'];
  if (action) args.push('--action', action);
  if (resource) args.push('--resource', resource);
  return cliRun(args).principals.map((p) => ({
    kind: p.principal.kind,
    id: p.principal.id,
    actions: p.actions.map((a) => ({
      action: a.action,
      decision: a.decision,
      where: a.resources.join(', '),
      statements: a.statements.map((s) => [s.effect, s.policy, s.statement].join(' | ')),
      conditions: a.statements.flatMap((s) => s.conditions || []),
    })),
  }));
}

/** The same read from the page. */
async function fromPage(page) {
  return page.$$eval('[data-testid="iam-principal-card"]', (cards) =>
    cards.map((c) => ({
      kind: c.dataset.kind,
      id: c.dataset.id,
      actions: [...c.querySelectorAll('[data-testid="iam-action-row"]')].map((r) => ({
        action: r.dataset.action,
        decision: r.dataset.decision,
        where: r.querySelector('.iam-where').textContent.trim(),
        statements: [...r.querySelectorAll('[data-testid="iam-statement"]')].map((s) =>
          [s.dataset.effect, s.dataset.policy, s.dataset.statement].join(' | ')),
        conditions: [...r.querySelectorAll('[data-testid="iam-condition"] code')].map((e) => e.textContent),
      })),
    })));
}

async function same(page, principal, action, resource = '') {
  let hash = `#/iam?principal=${enc(principal)}`;
  if (action) hash += `&action=${enc(action)}`;
  if (resource) hash += `&resource=${enc(resource)}`;
  await goTo(page, hash, '[data-testid="iam-action-row"]');
  const want = fromCli(principal, action, resource);
  check(want.length > 0, `the CLI knows no ${principal}`);
  const got = await fromPage(page);
  check(JSON.stringify(got) === JSON.stringify(want),
    `${principal} ${action}: the page says\n${JSON.stringify(got, null, 1).slice(0, 1500)}\nthe CLI says\n${JSON.stringify(want, null, 1).slice(0, 1500)}`);
  return want;
}

await test('the effective permissions page answers as portolan iam does', async ({ page }) => {
  await loadDemo(page);
  const dana = await same(page, 'dana', 'iam:CreateUser');
  check(dana[0].actions[0].decision === 'allowed', `dana: ${dana[0].actions[0].decision}`);
  check(dana[0].actions[0].statements[0].includes('AdministratorAccess'), `dana: ${dana[0].actions[0].statements}`);
  const via = await page.textContent('[data-testid="iam-statement"]');
  check(via.includes('via group platform-admins'), `the group is not named: ${via}`);
  await screenshot(page, 'cloud-iam-admin-through-group');

  const reader = await same(page, 'payments-s3-reader', 's3:*');
  const decisions = reader[0].actions.map((a) => `${a.action} ${a.decision}`);
  check(decisions.includes('s3:GetObject allowed') && decisions[0] === 's3:* not-allowed', `reader: ${decisions}`);
  await same(page, 'payments-s3-reader', 's3:GetObject', 'arn:aws:s3:::another-bucket/x');
  const auditor = await same(page, 'auditor', 'iam:Get*');
  check(auditor[0].actions[0].statements.some((s) => s.startsWith('boundary-allows')), `auditor: ${auditor[0].actions[0].statements}`);
  const boundary = await page.textContent('[data-testid="iam-principal-card"]');
  check(boundary.includes('Permission boundary'), 'the boundary is not shown');
  await screenshot(page, 'cloud-iam-boundary');
  // Without an action: every action the principal's policies name.
  await same(page, 'ci-deployer', '');
});

await test('a cloud identity and an IAM finding link to its permissions; the form keeps the URL', async ({ page }) => {
  await loadDemo(page);
  await goTo(page, `#/resource/${enc('aws-role:arn:aws:iam::111122223333:role/payments-s3-reader')}`, '[data-testid="resource-iam-link"]');
  await page.click('[data-testid="resource-iam-link"]');
  await page.waitForSelector('[data-testid="iam-principal-card"][data-kind="AWS::IAM::Role"]');
  const name = await page.textContent('[data-testid="iam-principal-name"]');
  check(name.trim() === 'payments-s3-reader', `panel link opened ${name}`);

  await goTo(page, '#/recommendations/awsIamPrivilegeEscalation', '[data-testid="finding-iam-link"]');
  await page.click('[data-testid="finding-iam-link"]');
  await page.waitForSelector('[data-testid="iam-principal-card"]');
  check((await page.evaluate(() => location.hash)).startsWith('#/iam?principal=ci-deployer'), 'the finding link lost its principal');

  await page.fill('[data-testid="iam-action"]', 'iam:PassRole');
  await page.click('[data-testid="iam-submit"]');
  await page.waitForFunction(() => location.hash.includes('action=iam%3APassRole'));
  await page.waitForSelector('[data-testid="iam-action-row"][data-action="iam:PassRole"]');

  await page.fill('[data-testid="iam-principal"]', 'dan');
  await page.click('[data-testid="iam-submit"]');
  await page.waitForSelector('[data-testid="iam-suggestion"]');
  const suggested = await page.$$eval('[data-testid="iam-suggestion"] a', (as) => as.map((a) => a.textContent));
  check(suggested.includes('dana'), `suggestions ${suggested}`);
});

await test('Azure and GCP inventory rows lead to their effective permissions', async ({ page }) => {
  const files = [
    'azure/identities.json',
    'azure/role-assignments.json',
    'gcp/shop-prod.iam-policy.json',
    'gcp/service-accounts.json',
  ].map((f) => ({ path: `cloud/${f}`, text: readFileSync(`tests/fixtures/cloud/${f}`, 'utf8') }));
  await dropFiles(page, files);
  await waitForAnalysis(page, files.length);
  for (const [kind, name, principalKind, shot] of [
    ['Azure::ManagedIdentity::UserAssignedIdentity', 'api-identity', 'Azure::ManagedIdentity::UserAssignedIdentity', 'cloud-azure-iam'],
    ['GCP::IAM::ServiceAccount', 'app@shop-prod.iam.gserviceaccount.com', 'GCP::IAM::ServiceAccount', 'cloud-gcp-iam'],
  ]) {
    await goTo(page, `#/inventory/${enc(kind)}`, '[data-testid="inventory-row"]');
    const rows = await page.$$eval('[data-testid="inventory-row"]', (rs) => rs.map((r) => r.textContent));
    const at = rows.findIndex((r) => r.includes(name));
    check(at >= 0, `${kind}: no row for ${name} in ${JSON.stringify(rows)}`);
    if (kind.startsWith('Azure')) await screenshot(page, 'cloud-azure-inventory');
    const row = (await page.$$('[data-testid="inventory-row"]'))[at];
    await (await row.$('[data-testid="details-link"]')).click();
    await page.waitForSelector('[data-testid="resource-iam-link"]');
    await page.click('[data-testid="resource-iam-link"]');
    await page.waitForSelector(`[data-testid="iam-principal-card"][data-kind="${principalKind}"]`);
    const shown = await page.textContent('[data-testid="iam-principal-name"]');
    check(shown.trim() === name, `${kind}: the link opened ${shown}`);
    const decisions = await page.$$eval('[data-testid="iam-action-row"]', (rs) => rs.map((r) => r.dataset.decision));
    check(decisions.length > 0 && decisions.some((d) => d === 'allowed'), `${name}: ${decisions}`);
    await screenshot(page, shot);
  }
});

await test(
  'dark mode: the effective permissions page',
  async ({ page }) => {
    await loadDemo(page);
    await same(page, 'payments-s3-reader', 's3:Get*');
    await screenshot(page, 'cloud-iam-dark');
  },
  { contextOptions: { colorScheme: 'dark' } },
);

await finish();
