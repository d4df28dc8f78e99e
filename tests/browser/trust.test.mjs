// Browser tests of the numbers an analyst must be able to trust (issue #17): files
// keep their path, unreadable input has no score, compare tells a resource no longer
// present from a fixed one and shows both snapshots' coverage, and the secure score
// explains itself. Drives the built app (dist/) in Chromium with playwright-core and
// checks every number against the CLI on the same files.
//
// Usage (from the repository root, after `trunk build --release` and building the CLI):
//   node tests/browser/trust.test.mjs
// Environment: PORTOLAN_BIN (CLI, default target/debug/portolan), PORTOLAN_DIST
// (default dist), CHROMIUM (default /usr/bin/chromium), ONLY (substring of test names).

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import {
  check,
  cliRun,
  downloaded,
  equalCounts,
  goTo,
  number,
  repo,
  screenshot as shoot,
  shownCounts,
  suite,
  text,
  waitForAnalysis,
} from './harness.mjs';

const demoDir = path.join(repo, 'public/demo');

/** The regular files directly in `dir`, sorted. */
function filesIn(dir) {
  return fs
    .readdirSync(dir, { withFileTypes: true })
    .filter((e) => e.isFile() && !e.name.endsWith('.md'))
    .map((e) => path.join(dir, e.name))
    .sort();
}

/** What fits the viewport (these tests look at the page as a 1280×800 screen shows it). */
const screenshot = (page, name, fullPage = false) => shoot(page, name, fullPage);

// ---- Tests -------------------------------------------------------------------------

async function testSameNameFiles({ page }) {
  // The demo's top-level files, then its kube-system/ files: same names (pods.json,
  // deployments.json, ...), another folder. The file picker gives names only.
  const top = filesIn(demoDir);
  const kubeSystem = filesIn(path.join(demoDir, 'kube-system'));
  const both = cliRun(['analyze', ...[...top, ...kubeSystem].map((f) => path.relative(repo, f)), '--format', 'json']);
  const topOnly = cliRun(['analyze', ...top.map((f) => path.relative(repo, f)), '--format', 'json']);
  await page.setInputFiles('[data-testid="file-input"]', top);
  await waitForAnalysis(page, top.length);
  equalCounts(await shownCounts(page), topOnly.inventory.counts, 'top-level files');
  await page.setInputFiles('[data-testid="file-input"]', kubeSystem);
  // Both sets are kept: nothing of the first pick is dropped.
  await waitForAnalysis(page, top.length + kubeSystem.length);
  equalCounts(await shownCounts(page), both.inventory.counts, 'top-level and kube-system files');
  const objects = both.inputs.reduce((n, i) => n + i.objects, 0);
  const shownObjects = await number(page, '[data-testid="objects-read"]');
  check(shownObjects === objects, `objects read: app ${shownObjects}, CLI ${objects}`);
  check(
    (await text(page, '[data-testid="secure-score"]')) === `${both.secureScore.overall.toFixed(1)}%`,
    `secure score: ${await text(page, '[data-testid="secure-score"]')}, CLI ${both.secureScore.overall}`,
  );
  const notices = await text(page, '[data-testid="notices"]');
  check(/pods\.json has the same name as a file already loaded/.test(notices), `no note on the kept pods.json: ${notices}`);
  check(/pods\.json \(2\)/.test(notices), `the note does not say where the second pods.json is: ${notices}`);
  const paths = await page.$$eval('[data-testid="input-row"]', (rows) => rows.map((r) => r.dataset.path));
  check(paths.includes('pods.json') && paths.includes('pods.json (2)'), `inputs: ${paths.join(', ')}`);
  await screenshot(page, 'trust-same-name-files');

  // A true re-pick of the same file replaces it and says what changed.
  await page.click('[data-testid="notices"] .banner-close');
  const objectsOfKept = await number(page, '[data-testid="input-row"][data-path="pods.json (2)"] [data-testid="input-objects"]');
  await page.setInputFiles('[data-testid="file-input"]', [path.join(demoDir, 'kube-system/pods.json')]);
  await page.waitForSelector('[data-testid="notices"]');
  await waitForAnalysis(page, top.length + kubeSystem.length);
  const replaced = await text(page, '[data-testid="notices"]');
  check(
    replaced.includes('Replaced 1 file loaded before with the same path (pods.json (2))') &&
      replaced.includes(`${objectsOfKept} objects before, ${objectsOfKept} now`),
    `re-pick note: ${replaced}`,
  );
  equalCounts(await shownCounts(page), both.inventory.counts, 'after re-picking kube-system/pods.json');
}

async function testAllBroken({ page }) {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'portolan-broken-'));
  try {
    const files = [
      ['pods.json', '{"apiVersion": "v1", "kind": "List", "items": ['],
      ['deployments.yaml', 'apiVersion: apps/v1\nkind: Deployment\nmetadata: [\n'],
    ].map(([name, body]) => {
      const file = path.join(tmp, name);
      fs.writeFileSync(file, body);
      return file;
    });
    const cliOut = cliRun(['analyze', ...files, '--format', 'json']);
    check(cliOut.secureScore.overall === null, `CLI score of broken input: ${cliOut.secureScore.overall}`);
    await page.setInputFiles('[data-testid="file-input"]', files);
    await waitForAnalysis(page, files.length);
    check((await text(page, '[data-testid="secure-score"]')) === 'No score', 'a score is shown for unreadable input');
    check(
      (await text(page, '[data-testid="unscored"]')) === cliOut.secureScore.unscored,
      `the reason differs from the CLI's: ${await text(page, '[data-testid="unscored"]')}`,
    );
    const banner = await text(page, '[data-testid="input-banner"]');
    check(banner.startsWith('Nothing was read from the input.'), `banner: ${banner}`);
    // The banner is at the top of the page, above the drop zone.
    const [bannerBox, zoneBox] = await Promise.all([
      page.locator('[data-testid="input-banner"]').boundingBox(),
      page.locator('[data-testid="drop-zone"]').boundingBox(),
    ]);
    check(bannerBox.y < zoneBox.y, 'the input banner is not above the page');
    // Empty results would read as a clean cluster: they are not shown.
    check((await page.locator('[data-testid="top-recommendations"], [data-testid="severity-summary"]').count()) === 0, 'result sections shown for unreadable input');
    const exportClass = await page.getAttribute('[data-testid="export-report"]', 'class');
    check(!exportClass.includes('btn-primary'), `Export report is the main action: ${exportClass}`);
    await screenshot(page, 'trust-all-broken');
    for (const [hash, selector] of [
      ['#/recommendations', '[data-testid="recommendations-title"]'],
      ['#/attack-paths', '.page-head'],
      ['#/inventory', '.page-head'],
      ['#/vulnerabilities', '.page-head'],
    ]) {
      await goTo(page, hash, selector);
      const here = await text(page, '[data-testid="input-banner"]');
      check(here.startsWith('Nothing was read'), `${hash}: no input banner (${here})`);
    }
    // Negative control: a readable file next to the broken ones gives a score and a
    // warning (not an error) banner.
    await goTo(page, '#/', '[data-testid="drop-zone"]');
    await page.setInputFiles('[data-testid="file-input"]', [path.join(demoDir, 'namespaces.json')]);
    await waitForAnalysis(page, files.length + 1);
    check(/%$/.test(await text(page, '[data-testid="secure-score"]')), 'no score with a readable file');
    const partial = await text(page, '[data-testid="input-banner"]');
    check(partial.startsWith('2 files of 3 had errors.'), `partial banner: ${partial}`);
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

async function testCompareCoverage({ page }) {
  // Baseline: the whole demo. Shown: only its kube-system/ folder, so the baseline has
  // many more namespaces. Findings on their resources are not fixed.
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'portolan-coverage-'));
  try {
    const baseline = path.join(tmp, 'baseline.json');
    cliRun(['analyze', 'public/demo', '--format', 'json', '--quiet', '-o', baseline], { json: false });
    const current = path.join(demoDir, 'kube-system');
    const d = cliRun(['diff', baseline, path.relative(repo, current), '--format', 'json', '--quiet']);
    check(d.coverage.shrank && d.coverage.missingNamespaces.length > 0, 'the CLI sees no loss of coverage');
    check(d.findings.resourceGone.length > 0, 'the CLI finds no finding on a resource no longer present');
    await page.setInputFiles('[data-testid="folder-input"]', current);
    await waitForAnalysis(page, filesIn(current).length);
    await goTo(page, '#/compare', '[data-testid="compare-title"]');
    await page.setInputFiles('[data-testid="baseline-input"]', baseline);
    await page.waitForSelector('[data-testid="coverage"]');
    const shown = {
      fixed: await number(page, '[data-testid="compare-fixed"]'),
      gone: await number(page, '[data-testid="compare-gone"]'),
      new: await number(page, '[data-testid="compare-new"]'),
      unchanged: await number(page, '[data-testid="compare-unchanged"]'),
      pathsGone: await number(page, '[data-testid="compare-paths-entry-gone"]'),
    };
    const want = {
      fixed: d.findings.fixed.length,
      gone: d.findings.resourceGone.length,
      new: d.findings.new.length,
      unchanged: d.findings.unchanged.length,
      pathsGone: d.attackPaths.resourceGone.length,
    };
    check(JSON.stringify(shown) === JSON.stringify(want), `compare shows ${JSON.stringify(shown)}, portolan diff ${JSON.stringify(want)}`);
    const warning = await text(page, '[data-testid="coverage-warning"]');
    for (const ns of d.coverage.missingNamespaces) check(warning.includes(ns), `the warning does not name ${ns}: ${warning}`);
    const row = async (id) =>
      page.$eval(`[data-testid="${id}"]`, (tr) => [...tr.querySelectorAll('td')].map((td) => Number(td.textContent.replace(/\D/g, ''))));
    const namespaces = await row('coverage-namespaces');
    check(
      namespaces[0] === d.coverage.old.namespaces.length && namespaces[1] === d.coverage.new.namespaces.length,
      `namespaces side by side: ${namespaces}, CLI ${d.coverage.old.namespaces.length} → ${d.coverage.new.namespaces.length}`,
    );
    const files = await row('coverage-files');
    check(files[0] === d.coverage.old.files && files[1] === d.coverage.new.files, `files side by side: ${files}`);
    const goneRows = await page.locator('[data-testid="gone-findings-row"]').count();
    check(goneRows === Math.min(200, want.gone), `gone rows: ${goneRows}`);
    await page.evaluate(() => window.scrollTo(0, 0));
    await screenshot(page, 'trust-compare-coverage');

    // Negative control: the same snapshot as its own baseline has no warning.
    const self = path.join(tmp, 'self.json');
    cliRun(['analyze', path.relative(repo, current), '--format', 'json', '--quiet', '-o', self], { json: false });
    await page.setInputFiles('[data-testid="baseline-input"]', self);
    await page.waitForFunction(() => !document.querySelector('[data-testid="coverage-warning"]'));
    check((await number(page, '[data-testid="compare-gone"]')) === 0, 'resources gone against itself');
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

async function testScoreExplained({ page }) {
  const a = cliRun(['analyze', 'public/demo', '--format', 'json']);
  await page.click('[data-testid="load-demo"]');
  await waitForAnalysis(page, a.inputs.length);
  await page.click('[data-testid="score-explained"]');
  await page.waitForSelector('[data-testid="score-explained-panel"][open]');
  const controls = await page.$$eval('[data-testid="score-control"]', (rows) =>
    rows.map((r) => ({
      rule: r.dataset.rule,
      failing: r.querySelector('[data-testid="score-control-failing"]').textContent.trim(),
      points: Number(r.querySelector('[data-testid="score-control-points"]').textContent),
      increase: r.querySelector('[data-testid="score-control-increase"]').textContent.trim(),
    })),
  );
  check(controls.length === a.secureScore.controls.length, `${controls.length} controls shown, CLI ${a.secureScore.controls.length}`);
  for (const c of a.secureScore.controls) {
    const shown = controls.find((x) => x.rule === c.rule);
    check(shown, `control ${c.rule} not shown`);
    check(shown.failing === `${c.unhealthy} of ${c.applicable}`, `${c.rule}: ${shown.failing}`);
    const want = c.potentialIncrease > 0 ? `+${c.potentialIncrease.toFixed(2)}` : '0';
    check(shown.increase === want, `${c.rule}: increase ${shown.increase}, CLI ${want}`);
  }
  // The points add up to the score shown.
  const sum = controls.reduce((n, c) => n + c.points, 0);
  check(Math.abs(sum - a.secureScore.overall) < 0.1 * controls.length, `points add to ${sum}, score ${a.secureScore.overall}`);
  await screenshot(page, 'trust-score-explained');
  // Every recommendation shows its potential score increase.
  await goTo(page, '#/recommendations', '[data-testid="recommendation-row"]');
  const rows = await page.$$eval('[data-testid="recommendation-row"]', (rows) =>
    rows.map((r) => [r.dataset.rule, r.querySelector('[data-testid="recommendation-increase"]').textContent.trim()]),
  );
  for (const [rule, increase] of rows) {
    const c = a.secureScore.controls.find((x) => x.rule === rule);
    const want = c ? (c.potentialIncrease > 0 ? `+${c.potentialIncrease.toFixed(2)}` : '0') : '—';
    check(increase === want, `recommendation ${rule}: ${increase}, want ${want}`);
  }
}

async function loadDemo(page) {
  const demo = cliRun(['analyze', 'public/demo', '--format', 'json']);
  await page.click('[data-testid="load-demo"]');
  await waitForAnalysis(page, demo.inputs.length);
  return demo;
}

/** The focused element's test id (or tag name). */
async function focused(page) {
  return page.evaluate(() => {
    const el = document.activeElement;
    return el ? el.dataset.testid || el.tagName.toLowerCase() : null;
  });
}

async function testKeyboardExempt({ page }) {
  // On a fresh page the first Tab stop is the skip link; it takes focus past the nav.
  await page.keyboard.press('Tab');
  check((await focused(page)) === 'skip-link', `first Tab stop: ${await focused(page)}`);
  await page.keyboard.press('Enter');
  check((await focused(page)) === 'main', `after the skip link: ${await focused(page)}`);
  await page.keyboard.press('Tab');
  const next = await page.evaluate(() => !document.activeElement.closest('nav'));
  check(next, 'Tab after the skip link went back into the navigation');
  await loadDemo(page);
  // aria-current marks the active page, and only it.
  await goTo(page, '#/recommendations/privileged', '[data-testid="exempt-resource"]');
  const current = await page.$$eval('[aria-current="page"]', (els) => els.map((e) => e.dataset.testid));
  check(JSON.stringify(current) === '["nav-recommendations"]', `aria-current on ${current}`);
  // Keyboard only: focus the first Exempt button, open the dialog with Enter.
  await page.focus('[data-testid="exempt-resource"]');
  const opener = await page.evaluate(() => {
    const el = document.activeElement;
    el.dataset.opener = 'yes';
    return el.dataset.testid;
  });
  check(opener === 'exempt-resource', `opener: ${opener}`);
  await page.keyboard.press('Enter');
  await page.waitForSelector('[data-testid="exempt-form"]');
  check((await focused(page)) === 'exempt-reason-input', `focus starts in ${await focused(page)}`);
  // Tab cycles inside the dialog, both ways.
  const seen = new Set();
  for (let i = 0; i < 12; i++) {
    await page.keyboard.press('Tab');
    const inside = await page.evaluate(() => !!document.activeElement.closest('[data-testid="exempt-form"]'));
    check(inside, `Tab ${i + 1} left the dialog for ${await focused(page)}`);
    seen.add(await focused(page));
  }
  check(seen.has('exempt-save') && seen.has('exempt-scope'), `Tab visited ${[...seen]}`);
  for (let i = 0; i < 8; i++) {
    await page.keyboard.press('Shift+Tab');
    const inside = await page.evaluate(() => !!document.activeElement.closest('[data-testid="exempt-form"]'));
    check(inside, `Shift+Tab ${i + 1} left the dialog`);
  }
  // Saving without a reason: the error is tied to the reason field, which gets focus.
  await page.focus('[data-testid="exempt-save"]');
  await page.keyboard.press('Enter');
  await page.waitForSelector('[data-testid="exempt-problem"]');
  const reason = await page.$eval('[data-testid="exempt-reason-input"]', (t) => ({
    invalid: t.getAttribute('aria-invalid'),
    describedBy: t.getAttribute('aria-describedby'),
    focused: document.activeElement === t,
  }));
  const errorId = await page.getAttribute('[data-testid="exempt-problem"]', 'id');
  check(reason.invalid === 'true' && reason.describedBy === errorId && reason.focused, `reason field: ${JSON.stringify(reason)}, error ${errorId}`);
  await screenshot(page, 'trust-exempt-keyboard');
  // Escape closes and focus returns to the opener.
  await page.keyboard.press('Escape');
  await page.waitForSelector('[data-testid="exempt-form"]', { state: 'detached' });
  const back = await page.evaluate(() => document.activeElement?.dataset.opener);
  check(back === 'yes', 'focus did not return to the Exempt button that opened the dialog');
  // Type a reason with the keyboard and save: the exemption applies.
  await page.keyboard.press('Enter');
  await page.waitForSelector('[data-testid="exempt-form"]');
  await page.keyboard.type('Accepted for the test, keyboard only.');
  // Back from the reason to the scope (the first control), then around to the Exempt
  // button (the last).
  await page.keyboard.press('Shift+Tab');
  check((await focused(page)) === 'exempt-scope', `Shift+Tab from the reason: ${await focused(page)}`);
  await page.keyboard.press('Shift+Tab');
  check((await focused(page)) === 'exempt-save', `before saving, focus is on ${await focused(page)}`);
  await page.keyboard.press('Enter');
  await page.waitForSelector('[data-testid="exempt-form"]', { state: 'detached' });
  await page.waitForSelector('[data-testid="exempt-badge"]');
  // The exemption records its category (risk accepted by default) and the day.
  await goTo(page, '#/exemptions', '[data-testid="exemption-record"]');
  const record = await text(page, '[data-testid="exemption-record"]');
  check(/^Risk accepted · since \d{4}-\d{2}-\d{2}$/.test(record), `exemption record: ${record}`);
  const stored = await page.evaluate(() => localStorage.getItem('portolan.exemptions'));
  check(stored.includes('category: "riskAccepted"') && /created: "\d{4}-/.test(stored), `stored: ${stored}`);
}

/** WCAG contrast of two CSS colours `rgb(r, g, b)`. */
function contrast(a, b) {
  const lum = (c) => {
    const [r, g, b] = c.match(/\d+(\.\d+)?/g).slice(0, 3).map(Number).map((v) => {
      const x = v / 255;
      return x <= 0.03928 ? x / 12.92 : ((x + 0.055) / 1.055) ** 2.4;
    });
    return 0.2126 * r + 0.7152 * g + 0.0722 * b;
  };
  const [hi, lo] = [lum(a), lum(b)].sort((x, y) => y - x);
  return (hi + 0.05) / (lo + 0.05);
}

/** Text colour against the nearest opaque background, for the elements of `selector`. */
async function contrasts(page, selector) {
  return page.$$eval(selector, (els) =>
    els.slice(0, 30).map((el) => {
      let bg = 'rgba(0, 0, 0, 0)';
      for (let n = el; n && bg.startsWith('rgba') && /, 0\)$/.test(bg); n = n.parentElement) bg = getComputedStyle(n).backgroundColor;
      if (bg.startsWith('rgba') && /, 0\)$/.test(bg)) bg = getComputedStyle(document.body).backgroundColor;
      return { text: el.textContent.trim().slice(0, 30), fg: getComputedStyle(el).color, bg };
    }),
  );
}

async function checkContrast(page, mode) {
  const low = [];
  for (const selector of ['h1', 'h2', '.page-sub', '.tile-label', '.tile-value', '.muted', 'td', 'th', '.nav-link', '.sev', 'a.section-link', '.btn']) {
    for (const c of await contrasts(page, selector)) {
      if (!c.text) continue;
      const ratio = contrast(c.fg, c.bg);
      if (ratio < 4.5) low.push(`${selector} "${c.text}" ${c.fg} on ${c.bg}: ${ratio.toFixed(2)}`);
    }
  }
  check(low.length === 0, `${mode}: text below 4.5:1 contrast: ${low.slice(0, 8).join('; ')}`);
}

async function testDarkMode({ page }) {
  // The system asks for dark: the page follows.
  const demo = await loadDemo(page);
  const bg = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
  check(contrast(bg, 'rgb(0, 0, 0)') < 2, `the page is not dark under a dark system setting: ${bg}`);
  check((await page.getAttribute('[data-testid="theme-toggle"]', 'aria-pressed')) === 'true', 'the toggle does not show dark mode on');
  await checkContrast(page, 'dark overview');
  await screenshot(page, 'trust-dark-overview');
  await goTo(page, '#/recommendations', '[data-testid="recommendation-row"]');
  await checkContrast(page, 'dark recommendations');
  await screenshot(page, 'trust-dark-recommendations');
  await goTo(page, '#/attack-paths', '.page-head');
  await screenshot(page, 'trust-dark-attack-paths');
  // The severity colours are the report's: one scale.
  const report = cliRun(['analyze', 'public/demo', '--format', 'html'], { json: false });
  const scale = Object.fromEntries([...report.matchAll(/--sev-(\w+):(#[0-9a-f]{6});/g)].map((m) => [m[1], m[2]]));
  check(Object.keys(scale).length === 5, `the report's scale: ${JSON.stringify(scale)}`);
  const hex = (rgb) => `#${rgb.match(/\d+/g).slice(0, 3).map((v) => Number(v).toString(16).padStart(2, '0')).join('')}`;
  for (const [severity, colour] of Object.entries(scale)) {
    const badge = await page.$(`.sev-${severity}`);
    if (!badge) continue;
    const shown = hex(await badge.evaluate((b) => getComputedStyle(b).backgroundColor));
    check(shown === colour, `${severity} badge ${shown}, report ${colour}`);
  }
  // The toggle switches to light, is kept over a reload, and light passes too.
  await page.click('[data-testid="theme-toggle"]');
  const light = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
  check(contrast(light, 'rgb(0, 0, 0)') > 10, `the toggle did not switch to light: ${light}`);
  await goTo(page, '#/', '[data-testid="drop-zone"]');
  await page.reload();
  await page.waitForSelector('[data-testid="drop-zone"]');
  check((await page.getAttribute('html', 'data-theme')) === 'light', 'the choice was not kept');
  await page.click('[data-testid="load-demo"]');
  await waitForAnalysis(page, demo.inputs.length);
  await checkContrast(page, 'light overview');
  await screenshot(page, 'trust-light-overview');
}

async function testEnforcementPreview({ page }) {
  const demo = await loadDemo(page);
  await goTo(page, '#/enforcement', '[data-testid="enforce-preview"]');
  const preview = await text(page, '[data-testid="enforce-preview"]');
  const rejecting = demo.enforcement.filter((n) => n.namespace !== 'kube-system' && n.restricted.length > 0);
  check(rejecting.length > 0, 'the demo has no namespace restricted would reject');
  const total = rejecting.reduce((n, ns) => n + ns.restricted.length, 0);
  check(preview.includes(`enforce=restricted would reject ${total} workload`), `preview: ${preview}`);
  for (const ns of rejecting) check(preview.includes(`${ns.namespace} (${ns.restricted.length})`), `preview misses ${ns.namespace}: ${preview}`);
  // The demo cluster runs v1.30: nothing is pinned newer.
  check(preview.includes("the cluster's own Kubernetes version, v1.30"), `preview: ${preview}`);
  check(await page.isChecked('[data-testid="enforce-warn"]'), 'the download does not start as warn/audit although workloads would be rejected');
  // Two clusters: the downloads are one cluster's at a time (acme-prod runs v1.30).
  check(await page.isDisabled('[data-testid="download-labels"]'), 'labels download enabled across two clusters');
  await page.selectOption('[data-testid="cluster-filter"]', 'acme-prod');
  await page.waitForFunction(() => location.hash.includes('cluster=acme-prod'));
  const [download] = await Promise.all([page.waitForEvent('download'), page.click('[data-testid="download-labels"]')]);
  const file = await download.path();
  const yaml = fs.readFileSync(file, 'utf8');
  // The demo holds two clusters (acme-prod v1.30, lab-kubeadm v1.35): each namespace is
  // pinned to its own cluster's version, never to a newer one or `latest`.
  const own = new Set(demo.clusters.map((c) => (c.version.match(/^v1\.\d+/) || [''])[0]).filter(Boolean));
  const pinned = new Set([...yaml.matchAll(/version: (v1\.\d+|latest)/g)].map((m) => m[1]));
  check([...pinned].every((v) => own.has(v)), `labels pin ${[...pinned]}; the clusters run ${[...own]}`);
  check(/enforce-version: v1\.30/.test(yaml), 'labels do not pin v1.30');
  // Warn/audit: no namespace is labelled to enforce a level that rejects its workloads.
  for (const ns of rejecting.filter((n) => n.cluster === 'acme-prod')) {
    const doc = yaml.split('---').find((d) => d.includes(`name: "${ns.namespace}"`));
    check(doc && !/enforce: restricted\n/.test(doc), `${ns.namespace} is enforced restricted: ${doc}`);
  }
  const [policy] = await Promise.all([page.waitForEvent('download'), page.click('[data-testid="download-policy"]')]);
  const policyYaml = fs.readFileSync(await policy.path(), 'utf8');
  check(/\(v1\.30\)/.test(policyYaml), 'the policy is not pinned to v1.30');
  check(/validationActions: \[Warn, Audit\]/.test(policyYaml) && !/Deny\]/.test(policyYaml), 'the policy denies although warn/audit is the default');
  await screenshot(page, 'trust-enforcement');
}

async function testUndoAndDeepLink({ page }) {
  const demo = await loadDemo(page);
  await page.click('[data-testid="clear"]');
  await page.waitForFunction(() => document.querySelector('[data-testid="app"]').dataset.state === 'empty');
  const message = await text(page, '[data-testid="undo-banner"]');
  check(message.startsWith(`Cleared ${demo.inputs.length} files.`), `undo banner: ${message}`);
  await page.click('[data-testid="undo"]');
  await waitForAnalysis(page, demo.inputs.length);
  check((await page.locator('[data-testid="undo-banner"]').count()) === 0, 'the undo banner stayed');
  // A deep link opened afresh (as after a reload) says the files must be dropped again.
  await page.goto(`${page.url().split('#')[0]}#/recommendations/privileged`);
  await page.reload();
  await page.waitForSelector('[data-testid="no-snapshot-reload"]');
  const said = await text(page, '[data-testid="no-snapshot-reload"]');
  check(/drop the snapshot's files again/.test(said), `deep link without data: ${said}`);
}

async function testReportCollapsed({ page }) {
  // The CLI's report: each recommendation's findings collapsed to their counts, and
  // the same score explanation as the app.
  const a = cliRun(['analyze', 'public/demo', '--format', 'json']);
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'portolan-report-'));
  try {
    const file = path.join(tmp, 'report.html');
    cliRun(['analyze', 'public/demo', '--format', 'html', '--quiet', '-o', file], { json: false });
    await page.goto(`file://${file}`);
    const sections = await page.$$eval('#recommendations details.findings', (ds) =>
      ds.map((d) => ({ open: d.open, summary: d.querySelector('summary').textContent.trim(), rule: d.closest('[id^="rule-"]').id.slice(5) })),
    );
    check(sections.length === a.recommendations.length, `${sections.length} collapsible sections, ${a.recommendations.length} recommendations`);
    for (const r of a.recommendations) {
      const s = sections.find((x) => x.rule === r.rule);
      check(s && !s.open, `${r.rule}: not collapsed`);
      check(s.summary.startsWith(`${r.findings.length} findings on ${r.affected} affected resources`), `${r.rule}: ${s.summary}`);
    }
    const explained = await page.textContent('#summary details.explain');
    check(explained.includes(`here ${a.secureScore.controls.length} rules`), `report score explanation: ${explained}`);
    const increase = await page.textContent('#rule-privileged');
    const c = a.secureScore.controls.find((x) => x.rule === 'privileged');
    check(increase.includes(`Potential score increase: +${c.potentialIncrease.toFixed(2)}`), 'the report does not give the potential score increase');
    // Every section collapses, open to start with; collapsing one hides its content.
    const parts = await page.$$eval('section', (ss) => ss.map((s) => ({ id: s.id, details: s.querySelector(':scope > details.section')?.open })));
    check(parts.length >= 7 && parts.every((x) => x.details === true), `sections: ${JSON.stringify(parts)}`);
    await page.click('#scope > details.section > summary');
    check(!(await page.isVisible('#scope dl.scope')), 'collapsing Scope left its content visible');
    // The snapshot time (the demo has none: it says so) and the same path explanations.
    const time = await page.textContent('[data-testid="snapshot-time"]');
    check(a.snapshotTime ? time.includes(a.snapshotTime) : /Snapshot time unknown/.test(time), `snapshot time: ${time}`);
    const top = a.attackPaths.paths[0];
    const risk = await page.textContent('#path-1 [data-testid="path-risk"]');
    check(risk.includes(top.riskFactors.formula) && risk.includes(top.riskFactors.likelihoodReason), `report path risk: ${risk}`);
    const breaks = await page.$$eval('#path-1 [data-testid="path-breaks"] li', (ls) => ls.length);
    check(breaks === top.breaks.length, `report lists ${breaks} fixes of path 1, CLI ${top.breaks.length}`);
    // Printing opens them all.
    await page.emulateMedia({ media: 'print' });
    await page.evaluate(() => window.dispatchEvent(new Event('beforeprint')));
    check((await page.$$eval('details', (ds) => ds.every((d) => d.open))), 'printing leaves sections collapsed');
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

/** CSV text split into records (RFC 4180: CRLF ends a record outside quotes), raw. */
function csvRecords(text) {
  const records = [];
  let start = 0;
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    if (text[i] === '"') quoted = !quoted;
    else if (!quoted && text[i] === '\r' && text[i + 1] === '\n') {
      records.push(text.slice(start, i + 2));
      start = i + 2;
      i++;
    }
  }
  check(start === text.length, 'CSV does not end with CRLF');
  return records;
}

async function testCsvExports({ page }) {
  // The CLI's CSV: a header, one record per finding in the JSON's order, then alerts.
  // Run from public/ so its file column names the files as the app does (demo/...).
  const a = await loadDemo(page);
  const cliCsv = csvRecords(cliRun(['analyze', 'demo', '--format', 'csv'], { json: false, cwd: path.join(repo, 'public') }));
  const header = cliCsv[0];
  const rowOf = (i) => cliCsv[1 + i];
  const expect = (indices) => header + [...indices].sort((x, y) => x - y).map(rowOf).join('');

  // A recommendation's affected resources, then the same narrowed by a search.
  const r = a.recommendations.find((x) => x.rule === 'readOnlyRootFilesystem');
  await goTo(page, '#/recommendations/readOnlyRootFilesystem', '[data-testid="findings-export-csv"]');
  let got = await downloaded(page, '[data-testid="findings-export-csv"]');
  check(got.name === 'portolan-readOnlyRootFilesystem.csv', `exported as ${got.name}`);
  // The table shows the engine's fix of each finding: the first row's is the CLI's.
  const fix = a.findings[r.findings[0]].fix;
  check(fix && fix.command, 'the first readOnlyRootFilesystem finding has no fix command');
  const shownFix = await page.$eval('[data-testid="finding-row"] [data-testid="finding-fix"] pre', (e) => e.textContent);
  check(shownFix === fix.command, `fix shown ${shownFix}, CLI ${fix.command}`);
  check(got.text === expect(r.findings), `affected resources CSV differs from the CLI's rows (${csvRecords(got.text).length - 1} rows, want ${r.findings.length})`);
  await page.fill('[data-testid="findings-search"]', 'kube-system');
  await page.waitForFunction(() => location.hash.includes('q=kube-system'));
  const searched = r.findings.filter((i) => {
    const f = a.findings[i];
    return [f.resource.name, f.resource.namespace, f.resource.kind, f.container || '', f.field || '', f.message, f.source.file]
      .some((v) => v.toLowerCase().includes('kube-system'));
  });
  check(searched.length > 0 && searched.length < r.findings.length, `the search should narrow the list (${searched.length})`);
  got = await downloaded(page, '[data-testid="findings-export-csv"]');
  check(got.text === expect(searched), `searched CSV has ${csvRecords(got.text).length - 1} rows, want ${searched.length}`);

  // All findings under the recommendations filter (severity high).
  await goTo(page, '#/recommendations?severity=high', '[data-testid="recommendations-export-csv"]');
  got = await downloaded(page, '[data-testid="recommendations-export-csv"]');
  const high = a.recommendations.filter((x) => x.severity === 'high').flatMap((x) => x.findings);
  check(high.length > 0, 'the demo has high findings');
  check(got.text === expect(high), `high findings CSV has ${csvRecords(got.text).length - 1} rows, want ${high.length}`);
  check(csvRecords(got.text).slice(1).every((row) => row.startsWith('high,')), 'a non-high row in the high export');
}

async function testPathCsvEqualsCli({ page }) {
  // The attack paths page's export under a target and an entry filter, byte for byte
  // what `portolan paths --format csv` writes for the same filters.
  const a = await loadDemo(page);
  const paths = a.attackPaths.paths;
  const ref = (r) => `${r.kind} ${r.namespace ? `${r.namespace}/${r.name}` : r.name}`;
  // The entry with the most paths, and the target of its first one: a filter that
  // keeps some paths and drops others.
  const byEntry = new Map();
  for (const p of paths) byEntry.set(ref(p.entry), (byEntry.get(ref(p.entry)) || 0) + 1);
  const entry = [...byEntry].sort((x, y) => y[1] - x[1])[0][0];
  const target = paths.find((p) => ref(p.entry) === entry).target;
  const cases = [
    { hash: `#/attack-paths?target=${encodeURIComponent(target)}`, args: ['--target', target], keep: (p) => p.target === target },
    { hash: `#/attack-paths?entry=${encodeURIComponent(entry)}`, args: ['--entry', entry], keep: (p) => ref(p.entry) === entry },
    {
      hash: `#/attack-paths?target=${encodeURIComponent(target)}&entry=${encodeURIComponent(entry)}`,
      args: ['--target', target, '--entry', entry],
      keep: (p) => p.target === target && ref(p.entry) === entry,
    },
  ];
  for (const c of cases) {
    const want = paths.filter(c.keep);
    check(want.length > 0 && want.length < paths.length || c.args.length > 2, `${c.args.join(' ')} should narrow the list (${want.length})`);
    await goTo(page, c.hash, '[data-testid="attack-paths-export-csv"]');
    await page.waitForFunction((n) => document.querySelectorAll('[data-testid="attack-path-row"]').length === n, want.length);
    const got = await downloaded(page, '[data-testid="attack-paths-export-csv"]');
    check(got.name === 'portolan-attack-paths.csv', `exported as ${got.name}`);
    const cli = cliRun(['paths', 'public/demo', ...c.args, '--format', 'csv', '-q'], { json: false });
    check(got.text === cli, `${c.args.join(' ')}: the app's CSV differs from portolan paths:\n${got.text.slice(0, 300)}\n---\n${cli.slice(0, 300)}`);
    check(csvRecords(cli).length === want.length + 1, `${c.args.join(' ')}: CLI ${csvRecords(cli).length - 1} rows, JSON ${want.length}`);
  }
  // The compare page's path tables use the same writer: its columns are the CLI's.
  const header = cliRun(['paths', 'public/demo', '--format', 'csv', '-q'], { json: false }).split('\r\n')[0];
  check(header === 'id,risk,risk_level,title,target,entry_kind,entry_namespace,entry_name,steps,assumed', `paths CSV header ${header}`);
}

async function testPathFilterControls({ page }) {
  // Target and entry are visible controls, kept in the URL; an empty result offers
  // "Clear filters".
  const a = await loadDemo(page);
  const paths = a.attackPaths.paths;
  const ref = (r) => `${r.kind} ${r.namespace ? `${r.namespace}/${r.name}` : r.name}`;
  await goTo(page, '#/attack-paths', '[data-testid="path-filters"]');
  const rows = () => page.$$eval('[data-testid="attack-path-row"] a[href^="#/attack-paths/"]', (as) => as.map((x) => x.getAttribute('href')));
  const ranks = (keep) => paths.map((p, i) => [p, i]).filter(([p]) => keep(p)).map(([, i]) => `#/attack-paths/${i + 1}`);
  // The target choices are the listed paths' targets, each with its count.
  const targets = await page.$$eval('[data-testid="path-target"] option', (os) => os.map((o) => ({ value: o.value, text: o.textContent })));
  const wantTargets = [...new Set(paths.map((p) => p.target))].sort();
  check(JSON.stringify(targets.slice(1).map((o) => o.value).sort()) === JSON.stringify(wantTargets), `target options ${targets.map((o) => o.value)}`);
  for (const o of targets.slice(1)) {
    const n = paths.filter((p) => p.target === o.value).length;
    check(o.text.endsWith(`${n} ${n === 1 ? 'path' : 'paths'}`), `option "${o.text}": ${n} paths`);
  }
  const target = wantTargets.find((t) => paths.some((p) => p.target !== t));
  await page.selectOption('[data-testid="path-target"]', target);
  await page.waitForFunction((t) => location.hash === `#/attack-paths?target=${t}`, target);
  await page.waitForFunction((n) => document.querySelectorAll('[data-testid="attack-path-row"]').length === n, ranks((p) => p.target === target).length);
  check(JSON.stringify(await rows()) === JSON.stringify(ranks((p) => p.target === target)), `target ${target}: rows differ from the CLI`);
  // The entry select offers every listed entry; pick one with a path to that target.
  const entries = await page.$$eval('[data-testid="path-entry"] option', (os) => os.slice(1).map((o) => o.value));
  check(JSON.stringify(entries) === JSON.stringify([...new Set(paths.map((p) => ref(p.entry)))].sort()), 'entry options differ from the listed entries');
  const entry = ref(paths.find((p) => p.target === target).entry);
  await page.selectOption('[data-testid="path-entry"]', entry);
  await page.waitForFunction((e) => location.hash.includes(`entry=${encodeURIComponent(e)}`), entry);
  const both = ranks((p) => p.target === target && ref(p.entry) === entry);
  await page.waitForFunction((n) => document.querySelectorAll('[data-testid="attack-path-row"]').length === n, both.length);
  check(JSON.stringify(await rows()) === JSON.stringify(both), 'target and entry: rows differ');
  await screenshot(page, 'trust-path-filters');
  // Kept in the URL: a reload of the link shows the same controls and rows.
  const hash = await page.evaluate(() => location.hash);
  await page.reload();
  await page.waitForSelector('[data-testid="no-snapshot"] [data-testid="load-demo"]');
  await loadDemo(page);
  await page.waitForSelector('[data-testid="attack-path-row"]');
  check((await page.evaluate(() => location.hash)) === hash, 'loading the demo left the link');
  check((await page.inputValue('[data-testid="path-target"]')) === target, 'the target control did not come back from the URL');
  check((await page.inputValue('[data-testid="path-entry"]')) === entry, 'the entry control did not come back from the URL');
  check(JSON.stringify(await rows()) === JSON.stringify(both), 'rows after reopening the link');
  // An entry with no path to a target: nothing matches, and "Clear filters" clears all.
  const other = wantTargets.find((t) => !paths.some((p) => p.target === t && ref(p.entry) === entry));
  if (other) {
    await page.selectOption('[data-testid="path-target"]', other);
  } else {
    await page.fill('[data-testid="path-search"]', 'no path has this in its title');
  }
  await page.waitForSelector('[data-testid="no-matching-paths"]');
  check((await page.$$('[data-testid="attack-path-row"]')).length === 0, 'rows shown with no match');
  await screenshot(page, 'trust-path-filters-empty');
  await page.click('[data-testid="path-filter-clear-empty"]');
  await page.waitForFunction((n) => document.querySelectorAll('[data-testid="attack-path-row"]').length === n, paths.length);
  check((await page.evaluate(() => location.hash)) === '#/attack-paths', 'clear filters left a filter in the URL');
  check((await page.inputValue('[data-testid="path-target"]')) === '' && (await page.inputValue('[data-testid="path-entry"]')) === '', 'controls not cleared');
}

async function testPathGroups({ page }) {
  // Paths grouped by entry, resource passed and target; each group and each choke
  // point lists exactly its paths, counted from the CLI's JSON.
  const a = await loadDemo(page);
  const paths = a.attackPaths.paths;
  check(paths.length > 1, 'the demo has attack paths');
  const ref = (r) => `${r.kind} ${r.namespace ? `${r.namespace}/${r.name}` : r.name}`;
  const throughOf = (p) => [...new Set(p.steps.slice(0, -1).map((s) => s.toLabel))];
  const member = {
    entry: (p, v) => ref(p.entry) === v,
    through: (p, v) => throughOf(p).includes(v),
    target: (p, v) => p.target === v,
    fix: (p, v) => p.fixes.includes(Number(v)),
  };
  await goTo(page, '#/attack-paths', '[data-testid="path-groups"]');
  const links = await page.$$eval('[data-testid="path-group-link"]', (ls) => ls.map((l) => ({ filter: l.dataset.filter, text: l.textContent.trim() })));
  check(links.some((l) => l.filter.startsWith('entry:')) && links.some((l) => l.filter.startsWith('target:')) && links.some((l) => l.filter.startsWith('through:')), `groups: ${links.map((l) => l.filter).join(', ')}`);
  const biggest = links.find((l) => l.filter.startsWith('through:'));
  for (const link of [links[0], biggest, links.find((l) => l.filter.startsWith('target:'))]) {
    const [kind, value] = [link.filter.slice(0, link.filter.indexOf(':')), link.filter.slice(link.filter.indexOf(':') + 1)];
    const want = paths.filter((p) => member[kind](p, value)).length;
    check(link.text.startsWith(`${want} path`), `${link.filter}: shown "${link.text}", CLI ${want}`);
    await page.click(`[data-testid="path-group-link"][data-filter="${link.filter.replace(/"/g, '\\"')}"]`);
    await page.waitForSelector('[data-testid="path-filter"]');
    const rows = await page.$$eval('[data-testid="attack-path-row"]', (rs) => rs.length);
    check(rows === want, `${link.filter}: ${rows} rows, CLI ${want}`);
    await screenshot(page, `trust-path-group-${kind}`);
    await goTo(page, '#/attack-paths', '[data-testid="path-groups"]');
  }
  // Each choke point links to the paths it breaks.
  const choke = await page.$$eval('[data-testid="choke-paths-link"]', (ls) => ls.map((l) => l.getAttribute('href')));
  check(choke.length === a.attackPaths.chokePoints.recommended, `${choke.length} choke links, ${a.attackPaths.chokePoints.recommended} choke points`);
  for (const [i, href] of choke.entries()) {
    check(href === `#/attack-paths?q=fix%3A${i}`, `choke link ${href}`);
    await goTo(page, href, '[data-testid="path-filter"]');
    const rows = await page.$$eval('[data-testid="attack-path-row"] a', (rs) => rs.map((r) => r.getAttribute('href')));
    const want = paths.map((p, k) => [p, k]).filter(([p]) => p.fixes.includes(i)).map(([, k]) => `#/attack-paths/${k + 1}`);
    check(JSON.stringify(rows) === JSON.stringify(want), `choke ${i}: rows ${rows.join(' ')}, CLI ${want.join(' ')}`);
  }
  await page.click('[data-testid="path-filter-clear"]');
  await page.waitForFunction((n) => document.querySelectorAll('[data-testid="attack-path-row"]').length === n, paths.length);
}


async function testPathExplained({ page }) {
  // The top path's risk, factor by factor, its steps reconciled and every fix that
  // breaks it, against the CLI's JSON, and the factors recomputed from its steps.
  const a = await loadDemo(page);
  const paths = a.attackPaths.paths;
  for (const [i, p] of paths.entries()) {
    const rf = p.riskFactors;
    const likelihood = p.steps.reduce((x, s) => x * s.likelihood, 1);
    check(Math.abs(rf.likelihood - likelihood) < 1e-9, `path ${i + 1}: likelihood ${rf.likelihood}, steps give ${likelihood}`);
    check(Math.round(1000 * rf.exposure * rf.likelihood * rf.impact) / 10 === p.risk, `path ${i + 1}: factors do not give risk ${p.risk}`);
    const techniques = p.steps.filter((s) => s.technique).length;
    check(rf.techniqueSteps === p.length && techniques === p.length, `path ${i + 1}: ${rf.techniqueSteps} technique steps, length ${p.length}`);
    check(rf.techniqueSteps + rf.linkingSteps === p.steps.length, `path ${i + 1}: steps do not add up`);
    // Every fix a step names is listed; an image upgrade exactly when the path enters
    // through a known vulnerability (negative control: paths without one have none).
    const upgrades = p.breaks.filter((b) => b.kind === 'image-upgrade');
    check(upgrades.length === (p.entryVulnerability ? 1 : 0), `path ${i + 1}: ${upgrades.length} image upgrades, entry CVE ${p.entryVulnerability}`);
    for (const f of p.fixes) {
      const c = a.attackPaths.chokePoints.fixes[f];
      check(p.breaks.some((b) => b.rule === c.rule && b.resource.name === c.resource.name), `path ${i + 1}: choke fix ${c.rule} not among its breaks`);
    }
  }
  const rank = paths.findIndex((p) => p.entryVulnerability) + 1;
  check(rank > 0, 'no demo path enters through a known CVE');
  const p = paths[rank - 1];
  await goTo(page, `#/attack-paths/${rank}`, '[data-testid="path-risk"]');
  check((await text(page, '[data-testid="path-risk-formula"]')) === p.riskFactors.formula, `formula: ${await text(page, '[data-testid="path-risk-formula"]')}`);
  for (const [id, want] of [
    ['exposure', p.riskFactors.exposureReason],
    ['likelihood', p.riskFactors.likelihoodReason],
    ['impact', p.riskFactors.impactReason],
  ]) {
    check((await text(page, `[data-testid="path-risk-${id}"]`)) === want, `${id}: ${await text(page, `[data-testid="path-risk-${id}"]`)}`);
  }
  check((await text(page, '[data-testid="path-steps"]')) === `${p.length} technique steps of ${p.steps.length} listed`, `steps label: ${await text(page, '[data-testid="path-steps"]')}`);
  const kinds = await page.$$eval('[data-testid="chain-step-kind"]', (ks) => ks.map((k) => k.textContent));
  check(JSON.stringify(kinds) === JSON.stringify(p.steps.map((s) => (s.technique ? 'technique' : 'link'))), `step kinds ${kinds}`);
  const breaks = await page.$$eval('[data-testid="path-break"]', (rows) =>
    rows.map((r) => ({ kind: r.dataset.kind, rule: r.dataset.rule, action: r.querySelector('[data-testid="path-break-action"]').textContent, fix: r.querySelector('[data-testid="finding-fix"] pre')?.textContent ?? null })),
  );
  check(breaks.length === p.breaks.length, `${breaks.length} fixes shown, CLI ${p.breaks.length}`);
  for (const [i, b] of p.breaks.entries()) {
    check(breaks[i].kind === b.kind && breaks[i].action === b.action, `fix ${i + 1}: ${JSON.stringify(breaks[i])}`);
    const f = b.finding !== undefined ? a.findings[b.finding].fix : null;
    const want = f ? f.command || f.patch : null;
    check(breaks[i].fix === want, `fix ${i + 1}: command ${breaks[i].fix}, CLI ${want}`);
  }
  // The upgrade names the fixed version the vulnerability join found for that CVE.
  const upgrade = p.breaks.find((b) => b.kind === 'image-upgrade').upgrade;
  const cve = a.vulnerabilities.cves.find((c) => c.id === p.entryVulnerability);
  check(upgrade.fixed && cve.packages.some((x) => x.includes(upgrade.fixed)), `upgrade ${JSON.stringify(upgrade)} vs ${cve.packages}`);
  await screenshot(page, 'trust-path-explained', true);
}

async function testListsFilterAndExport({ page }) {
  const a = await loadDemo(page);
  const records = (t) => csvRecords(t);
  // Vulnerabilities by CVE: severity filter, sort by CVSS (descending) in the URL.
  const hash = '#/vulnerabilities?view=cves&severity=critical&sort=cvss&dir=desc';
  await goTo(page, hash, '[data-testid="vuln-cve-row"]');
  const want = a.vulnerabilities.cves
    .map((c, i) => [c, i])
    .filter(([c]) => c.severity === 'critical')
    .sort(([x, i], [y, j]) => (y.cvssScore ?? -1) - (x.cvssScore ?? -1) || i - j)
    .map(([c]) => c.id);
  check(want.length > 1, 'the demo has fewer than two critical CVEs');
  const shown = await page.$$eval('[data-testid="vuln-cve-row"]', (rs) => rs.map((r) => r.dataset.id));
  check(JSON.stringify(shown) === JSON.stringify(want), `CVE rows ${shown}, want ${want}`);
  let got = await downloaded(page, '[data-testid="vuln-export-csv"]');
  check(got.name === 'portolan-vulnerabilities-cves.csv', `exported as ${got.name}`);
  const rows = records(got.text);
  check(rows[0].startsWith('Vulnerability,Severity,CVSS'), `header ${rows[0]}`);
  check(JSON.stringify(rows.slice(1).map((r) => r.split(',')[0])) === JSON.stringify(want), 'CSV rows differ from the table');
  // Reload keeps the filters (the reload warning is accepted by the harness).
  await page.reload();
  check(page.url().endsWith(hash), `after reload: ${page.url()}`);
  await loadDemo(page);
  await page.waitForSelector('[data-testid="vuln-cve-row"]');
  check((await page.$$('[data-testid="vuln-cve-row"]')).length === want.length, 'filters lost on reload');
  // A search nothing matches: say so and offer to clear the filters.
  await page.fill('[data-testid="vuln-search"]', 'no-such-package-anywhere');
  await page.waitForSelector('[data-testid="vuln-no-match"]');
  await page.click('[data-testid="vuln-no-match"] [data-testid="clear-filters"]');
  await page.waitForFunction((n) => document.querySelectorAll('[data-testid="vuln-cve-row"]').length === n, Math.min(200, a.vulnerabilities.cves.length));
  check(new URL(page.url()).hash === '#/vulnerabilities?view=cves', `clear filters kept ${page.url()}`);

  // Inventory: namespace filter, CSV of every row the filter keeps.
  const deployments = a.inventory.resources.filter((r) => r.kind === 'Deployment' && r.namespace === 'kube-system');
  await goTo(page, '#/inventory/Deployment?ns=kube-system', '[data-testid="inventory-row"]');
  got = await downloaded(page, '[data-testid="inventory-export-csv"]');
  const inv = records(got.text);
  check(inv.length - 1 === deployments.length && deployments.length > 0, `inventory CSV ${inv.length - 1} rows, CLI ${deployments.length}`);
  check(deployments.every((d) => inv.some((r) => r.includes(d.name))), 'a kube-system Deployment is missing from the CSV');
  await page.fill('[data-testid="inventory-search"]', 'no-such-deployment');
  await page.click('[data-testid="inventory-no-match"] [data-testid="clear-filters"]');
  await page.waitForFunction((n) => Number(document.querySelector('[data-testid="inventory-total"]').textContent) === n, a.inventory.counts.Deployment);

  // Affected resources and recommendations: an empty search offers Clear filters.
  await goTo(page, '#/recommendations/privileged?q=no-such-resource', '[data-testid="findings-no-match"]');
  await page.click('[data-testid="findings-no-match"] [data-testid="clear-filters"]');
  await page.waitForSelector('[data-testid="finding-row"]');
  await goTo(page, '#/recommendations?q=no-such-rule', '[data-testid="recommendations-no-match"]');
  await page.click('[data-testid="recommendations-no-match"] [data-testid="clear-filters"]');
  await page.waitForSelector('[data-testid="recommendation-row"]');

  // Severity chips follow the other filters: with category rbac they count rbac only.
  const chips = async () =>
    page.$$eval('[data-testid^="severity-chip-"]', (cs) => Object.fromEntries(cs.map((c) => [c.dataset.testid.slice(14), Number(c.querySelector('.chip-count').textContent.replace(/\D/g, ''))])));
  const count = (recs) => ({ all: recs.length, ...Object.fromEntries(['critical', 'high', 'medium', 'low', 'informational'].map((s) => [s, recs.filter((r) => r.severity === s).length])) });
  const every = await chips();
  check(JSON.stringify(every) === JSON.stringify(count(a.recommendations)), `chips ${JSON.stringify(every)}`);
  await goTo(page, '#/recommendations?category=rbac', '[data-testid="recommendation-row"]');
  await page.waitForFunction((n) => document.querySelector('[data-testid="severity-chip-all"] .chip-count').textContent.replace(/\D/g, '') === String(n), a.recommendations.filter((r) => r.category === 'rbac').length);
  const rbac = await chips();
  const wantRbac = count(a.recommendations.filter((r) => r.category === 'rbac'));
  check(JSON.stringify(rbac) === JSON.stringify(wantRbac) && JSON.stringify(rbac) !== JSON.stringify(every), `rbac chips ${JSON.stringify(rbac)}, want ${JSON.stringify(wantRbac)}`);
}

async function testCompareFiltersAndCsv({ page }) {
  // Baseline: kube-system only; shown: the demo. The new findings under a severity
  // filter, exported, are the CLI's CSV rows of those findings.
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'portolan-compare-csv-'));
  try {
    const baseline = path.join(tmp, 'baseline.json');
    cliRun(['analyze', 'public/demo/kube-system', '--format', 'json', '--quiet', '-o', baseline], { json: false });
    const a = await loadDemo(page);
    const d = cliRun(['diff', baseline, 'public/demo', '--format', 'json', '--quiet']);
    const high = d.findings.new.filter((f) => f.severity === 'high');
    check(high.length > 0 && high.length < d.findings.new.length, `new high findings: ${high.length} of ${d.findings.new.length}`);
    const cliCsv = cliRun(['diff', baseline, 'demo', '-f', 'csv', '--status', 'new', '--severity', 'high', '-q'], { json: false, cwd: path.join(repo, 'public') });
    check(csvRecords(cliCsv).length === high.length + 1, `portolan diff -f csv --status new --severity high: ${csvRecords(cliCsv).length - 1} rows, JSON ${high.length}`);
    await goTo(page, '#/compare?severity=high', '[data-testid="compare-title"]');
    await page.setInputFiles('[data-testid="baseline-input"]', baseline);
    await page.waitForSelector('[data-testid="new-findings-export-csv"]');
    check((await number(page, '[data-testid="compare-new"]')) === d.findings.new.length, 'the new tile is not the total');
    const got = await downloaded(page, '[data-testid="new-findings-export-csv"]');
    check(got.text === cliCsv, `compare CSV has ${csvRecords(got.text).length - 1} rows, want ${high.length}`);
    check(csvRecords(got.text).slice(1).every((r) => r.startsWith('new,high,')), 'a row of the new high export is not new and high');
    // Nothing matches: Clear filters.
    await page.fill('[data-testid="compare-search"]', 'no-such-finding-anywhere');
    await page.waitForSelector('[data-testid="compare-no-match"]');
    await page.click('[data-testid="compare-no-match"] [data-testid="clear-filters"]');
    await page.waitForFunction(() => !document.querySelector('[data-testid="compare-no-match"]'));
    check(new URL(page.url()).hash === '#/compare', `after clearing: ${page.url()}`);
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

/** Sets `hash`, waits for `ready`, applies `act` (the page's own controls), downloads
 * `button`'s CSV and checks it byte for byte against `portolan ARGS -f csv` run from
 * public/ (so file columns name demo/... as the app does). The filter must narrow the
 * list: fewer rows than `all` (the same command unfiltered), at least one. */
async function sameCsv(page, { name, hash, ready, act, button, args, all }) {
  await goTo(page, hash, ready);
  if (act) await act();
  const got = await downloaded(page, `[data-testid="${button}"]`);
  const cli = cliRun([...args, '-q'], { json: false, cwd: path.join(repo, 'public') });
  const rows = csvRecords(cli).length - 1;
  const unfiltered = csvRecords(cliRun([...all, '-q'], { json: false, cwd: path.join(repo, 'public') })).length - 1;
  check(rows > 0 && rows < unfiltered, `${name}: the filter keeps ${rows} of ${unfiltered} rows`);
  check(got.text === cli, `${name}: the app's CSV differs from portolan ${args.join(' ')}:\n${got.text.slice(0, 400)}\n---\n${cli.slice(0, 400)}`);
  return rows;
}

async function testListCsvEqualsCli({ page }) {
  // Inventory, the three vulnerability views and compare: each page's Export CSV under
  // a filter set with the page's controls equals the CLI's CSV for the same filter.
  await loadDemo(page);
  const select = (id, value) => () => page.selectOption(`[data-testid="${id}"]`, value);
  await sameCsv(page, {
    name: 'inventory by namespace',
    hash: '#/inventory/Deployment',
    ready: '[data-testid="inventory-row"]',
    act: async () => {
      await select('inventory-namespace', 'kube-system')();
      await page.waitForFunction(() => location.hash.includes('ns=kube-system'));
    },
    button: 'inventory-export-csv',
    args: ['inventory', 'demo', '--kind', 'Deployment', '--in-namespace', 'kube-system', '-f', 'csv'],
    all: ['inventory', 'demo', '--kind', 'Deployment', '-f', 'csv'],
  });
  await sameCsv(page, {
    name: 'inventory searched and sorted',
    hash: '#/inventory/Pod',
    ready: '[data-testid="inventory-row"]',
    act: async () => {
      await page.fill('[data-testid="inventory-search"]', 'kube-system');
      await page.click('[data-testid="sort-Name"]');
      await page.click('[data-testid="sort-Name"]');
      await page.waitForFunction(() => location.hash.includes('sort=Name') && location.hash.includes('dir=desc'));
    },
    button: 'inventory-export-csv',
    args: ['inventory', 'demo', '--kind', 'Pod', '--search', 'kube-system', '--sort', 'Name', '--descending', '-f', 'csv'],
    all: ['inventory', 'demo', '--kind', 'Pod', '-f', 'csv'],
  });
  await sameCsv(page, {
    name: 'vulnerable images, critical and fixable',
    hash: '#/vulnerabilities',
    ready: '[data-testid="vuln-export-csv"]',
    act: async () => {
      await select('vuln-severity', 'critical')();
      await page.check('[data-testid="vuln-fixable-only"]');
      await page.waitForFunction(() => location.hash.includes('severity=critical') && location.hash.includes('fixable=1'));
    },
    button: 'vuln-export-csv',
    args: ['vulns', 'demo', '--severity', 'critical', '--fixable', '-f', 'csv'],
    all: ['vulns', 'demo', '-f', 'csv'],
  });
  await sameCsv(page, {
    name: 'CVEs, high, by CVSS',
    hash: '#/vulnerabilities',
    ready: '[data-testid="vuln-view-cves"]',
    act: async () => {
      await page.click('[data-testid="vuln-view-cves"]');
      await select('vuln-severity', 'high')();
      await page.click('[data-testid="vuln-sort-cvss"]');
      await page.waitForFunction(() => location.hash.includes('view=cves') && location.hash.includes('sort=cvss'));
    },
    button: 'vuln-export-csv',
    args: ['vulns', 'demo', '--view', 'cves', '--severity', 'high', '--sort', 'cvss', '--descending', '-f', 'csv'],
    all: ['vulns', 'demo', '--view', 'cves', '-f', 'csv'],
  });
  await sameCsv(page, {
    name: 'workloads searched, by priority',
    hash: '#/vulnerabilities',
    ready: '[data-testid="vuln-view-workloads"]',
    act: async () => {
      await page.click('[data-testid="vuln-view-workloads"]');
      await page.fill('[data-testid="vuln-search"]', 'argocd');
      await page.click('[data-testid="vuln-sort-priority"]');
      await page.waitForFunction(() => location.hash.includes('view=workloads') && location.hash.includes('q=argocd') && location.hash.includes('dir=desc'));
    },
    button: 'vuln-export-csv',
    args: ['vulns', 'demo', '--view', 'workloads', '--search', 'argocd', '--sort', 'priority', '--descending', '-f', 'csv'],
    all: ['vulns', 'demo', '--view', 'workloads', '-f', 'csv'],
  });

  // Compare against a baseline of kube-system alone: the rest of the demo is new.
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'portolan-compare-lists-'));
  try {
    const baseline = path.join(tmp, 'baseline.json');
    cliRun(['analyze', 'public/demo/kube-system', '--format', 'json', '--quiet', '-o', baseline], { json: false });
    const diff = ['diff', baseline, 'demo'];
    const onCompare = async () => {
      await page.setInputFiles('[data-testid="baseline-input"]', baseline);
      await page.waitForSelector('[data-testid="compare-export-findings"]');
    };
    await sameCsv(page, {
      name: 'compare, all findings, high',
      hash: '#/compare',
      ready: '[data-testid="compare-title"]',
      act: async () => {
        await onCompare();
        await select('compare-severity', 'high')();
        await page.waitForFunction(() => location.hash.includes('severity=high'));
      },
      button: 'compare-export-findings',
      args: [...diff, '--severity', 'high', '-f', 'csv'],
      all: [...diff, '-f', 'csv'],
    });
    await sameCsv(page, {
      name: 'compare, new findings searched and sorted',
      hash: '#/compare',
      ready: '[data-testid="compare-filters"]',
      act: async () => {
        await page.fill('[data-testid="compare-search"]', 'default');
        await page.click('[data-testid="compare-sort-rule"]');
        await page.waitForFunction(() => location.hash.includes('q=default') && location.hash.includes('sort=rule'));
      },
      button: 'new-findings-export-csv',
      args: [...diff, '--status', 'new', '--search', 'default', '--sort', 'rule', '-f', 'csv'],
      all: [...diff, '--status', 'new', '-f', 'csv'],
    });
    await sameCsv(page, {
      name: 'compare, attack paths to cluster-admin by risk',
      hash: '#/compare',
      ready: '[data-testid="compare-filters"]',
      act: async () => {
        await page.fill('[data-testid="compare-search"]', 'target:cluster-admin');
        await page.click('[data-testid="compare-sort-risk"]');
        await page.waitForFunction(() => location.hash.includes('sort=risk'));
      },
      button: 'compare-export-paths',
      args: [...diff, '--search', 'target:cluster-admin', '--sort', 'risk', '-f', 'paths-csv'],
      all: [...diff, '-f', 'paths-csv'],
    });
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

async function testOpenRecommendations({ page }) {
  // A recommendation whose findings are all exempted is no longer open: the navigation's
  // badge, the CLI and the report count the same recommendations.
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'portolan-open-'));
  try {
    const plain = cliRun(['analyze', 'public/demo', '--format', 'json']);
    const open = (a) => a.recommendations.filter((r) => r.affected > 0).length;
    const rule = plain.recommendations.filter((r) => r.affected > 0).at(-1).rule;
    const exemptions = `exemptions:\n- rule: "${rule}"\n  reason: "Accepted for the test."\n`;
    const file = path.join(tmp, 'exemptions.yaml');
    fs.writeFileSync(file, exemptions);
    const exempted = cliRun(['analyze', 'public/demo', '--exemptions', file, '--format', 'json']);
    check(open(exempted) === open(plain) - 1, `exempting ${rule}: ${open(exempted)} open, before ${open(plain)}`);
    check(exempted.recommendations.length === plain.recommendations.length, 'the fully exempted recommendation left the list');
    await page.evaluate((t) => localStorage.setItem('portolan.exemptions', t), exemptions);
    await page.reload();
    await loadDemo(page);
    await page.waitForFunction((n) => document.querySelector('[data-testid="nav-recommendations-count"]')?.textContent.replace(/\D/g, '') === String(n), open(exempted));
    const title = await page.getAttribute('[data-testid="nav-recommendations-count"]', 'title');
    check(/not exempted/.test(title), `the badge does not say what it counts: ${title}`);
    const report = await downloaded(page, '[data-testid="export-report"]');
    const row = report.text.match(/<th title="Recommendations with at least one finding not exempted">Recommendations<\/th><td class="num">(\d+)<\/td>/);
    check(row && Number(row[1]) === open(exempted), `the report counts ${row && row[1]} recommendations, the badge ${open(exempted)}`);
    // The list keeps the fully exempted recommendation and says so, so its total and
    // the badge reconcile on the page.
    await goTo(page, '#/recommendations', '[data-testid="recommendations-count"]');
    const all = exempted.recommendations.length;
    const count = await text(page, '[data-testid="recommendations-count"]');
    check(count.includes(`of ${all} recommendations (${all - open(exempted)} fully exempted)`), `recommendations count: ${count}`);
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

async function testTablesFit({ page }) {
  // Every page at 1280×800: no horizontal page scroll, a scroll cue on each table wider
  // than its panel, long values cut with the full text on hover and focus, empty
  // columns hidden. Screenshots to look at.
  const a = await loadDemo(page);
  const rbacOnly = a.recommendations.find((r) => r.affected > 0 && r.findings.every((i) => !a.findings[i].container));
  check(rbacOnly, 'no recommendation without containers');
  const pages = [
    ['#/', 'overview'],
    ['#/recommendations', 'recommendations'],
    ['#/recommendations/privileged', 'recommendation-privileged'],
    [`#/recommendations/${rbacOnly.rule}`, 'recommendation-rbac'],
    ['#/attack-paths', 'attack-paths'],
    ['#/attack-paths/1', 'attack-path'],
    ['#/vulnerabilities', 'vulnerabilities-images'],
    ['#/vulnerabilities?view=cves', 'vulnerabilities-cves'],
    ['#/vulnerabilities?view=workloads', 'vulnerabilities-workloads'],
    ['#/inventory/Pod', 'inventory-pods'],
    ['#/inventory/ClusterRole', 'inventory-clusterroles'],
    ['#/enforcement', 'enforcement'],
    ['#/alerts', 'alerts'],
    ['#/compare', 'compare'],
    ['#/exemptions', 'exemptions'],
  ];
  for (const [hash, name] of pages) {
    await goTo(page, hash, 'main h1');
    await page.waitForTimeout(150);
    const fit = await page.evaluate(() => ({
      page: document.documentElement.scrollWidth,
      wide: [...document.querySelectorAll('.table-scroll')]
        .filter((t) => t.scrollWidth > t.clientWidth + 1)
        .map((t) => getComputedStyle(t).backgroundImage),
    }));
    check(fit.page <= 1280, `${hash}: the page scrolls sideways (${fit.page}px)`);
    check(fit.wide.every((b) => b.includes('gradient')), `${hash}: a wide table has no scroll cue`);
    await screenshot(page, `trust-fit-${name}`);
  }
  // Empty columns hidden; a negative control where the column is filled.
  await goTo(page, `#/recommendations/${rbacOnly.rule}`, '[data-testid="finding-row"]');
  check(!(await page.isVisible('[data-testid="findings-table"] th[data-col="container"]')), `${rbacOnly.rule}: the empty Container column is shown`);
  await goTo(page, '#/recommendations/privileged', '[data-testid="finding-row"]');
  check(await page.isVisible('[data-testid="findings-table"] th[data-col="container"]'), 'privileged: the Container column is hidden');
  // A cut image name: title holds it all, it takes focus and then shows all of it.
  await goTo(page, '#/vulnerabilities', '[data-testid="vuln-image-row"]');
  const clipped = await page.evaluateHandle(() => [...document.querySelectorAll('.cell-clip')].find((c) => c.scrollWidth > c.clientWidth));
  const cut = await clipped.evaluate((c) => (c ? { title: c.title, text: c.textContent, tab: c.tabIndex } : null));
  check(cut, 'no image name is cut at 1280px (test needs a long one)');
  check(cut.title === cut.text && cut.tab === 0, `cut cell: ${JSON.stringify(cut)}`);
  await clipped.evaluate((c) => c.focus());
  check(await clipped.evaluate((c) => c.scrollWidth <= c.clientWidth + 1), 'a focused cut cell still hides text');
  await screenshot(page, 'trust-fit-focused-cell');
}

async function testReloadWarning({ page, problems }) {
  // No snapshot: a reload is not held up.
  await page.reload();
  await page.waitForSelector('[data-testid="drop-zone"]');
  check(problems.unloadPrompts === 0, 'a reload without a snapshot asked');
  // With the demo loaded, the browser asks first (the harness accepts).
  await loadDemo(page);
  await page.reload();
  await page.waitForSelector('[data-testid="drop-zone"]');
  check(problems.unloadPrompts === 1, `reload with a snapshot: ${problems.unloadPrompts} prompts`);
  // After clearing the files, no prompt again.
  await loadDemo(page);
  await page.click('[data-testid="clear"]');
  await page.waitForFunction(() => document.querySelector('[data-testid="app"]').dataset.state === 'empty');
  await page.reload();
  await page.waitForSelector('[data-testid="drop-zone"]');
  check(problems.unloadPrompts === 1, `reload after clearing asked (${problems.unloadPrompts} prompts)`);
}

// ---- The reviewer's walk ---------------------------------------------------------

/**
 * Elements that show a number as a card, a badge or a count. Each must say what it
 * counts where it appears: its own `title`, or `aria-describedby` naming an element
 * with text. (Table cells are explained by their column's header, checked apart.)
 */
const NUMBER_SELECTORS = ['.tile', '.count-card', '.severity-card', '.nav-badge', '.section-count', '.risk', '.chip-count', '.tile-value', '.kind-count', '[data-number]'];

/** The visible number-bearing elements of the page and those without an explanation. */
async function numbersOnPage(page) {
  return page.evaluate((selectors) => {
    const visible = (el) => el.getClientRects().length > 0 && getComputedStyle(el).visibility !== 'hidden';
    const explanation = (el) => {
      const own = (el.getAttribute('title') || '').trim();
      if (own) return own;
      const ids = (el.getAttribute('aria-describedby') || '').split(/\s+/).filter(Boolean);
      return ids.map((id) => (document.getElementById(id)?.textContent || '').trim()).join(' ').trim();
    };
    const numbers = [];
    const missing = [];
    for (const el of document.querySelectorAll(selectors.join(','))) {
      if (!visible(el) || !/\d/.test(el.textContent)) continue;
      // A card's value is explained by its card, a chip's count by its chip.
      const card = el.classList.contains('tile-value') ? el.closest('.tile') || el : el.classList.contains('chip-count') ? el.closest('.chip') || el : el;
      const why = explanation(card);
      numbers.push({ what: el.className, text: el.textContent.trim().replace(/\s+/g, ' ').slice(0, 50), why });
      if (!why) missing.push(`${el.className}: "${el.textContent.trim().replace(/\s+/g, ' ').slice(0, 50)}"`);
    }
    // Numeric columns name what they hold.
    for (const th of document.querySelectorAll('th.num')) {
      if (visible(th) && !th.textContent.trim() && !(th.getAttribute('title') || '').trim()) missing.push('a numeric column without a header');
    }
    // Charts say what they draw.
    for (const chart of document.querySelectorAll('.engine-chart')) {
      if (!(chart.getAttribute('aria-label') || '').trim()) missing.push(`chart ${chart.dataset.testid} without a label`);
    }
    return { numbers, missing };
  }, NUMBER_SELECTORS);
}

/**
 * Walks a page: screenshots it as a 1280×800 screen shows it (walk-1280-NAME.png), then
 * checks that every number on it is explained and that the `required` numbers (test ids
 * of a card or badge, or selectors) are there and explained — so a card that loses its
 * explanation, or the marking that lets this test find it, fails.
 */
/** The screenshots' prefix: the dark walk saves its own. */
let walkPrefix = 'walk-1280';

async function walk(page, name, required) {
  await page.evaluate(() => window.scrollTo(0, 0));
  await screenshot(page, `${walkPrefix}-${name}`);
  const { numbers, missing } = await numbersOnPage(page);
  check(missing.length === 0, `${name}: numbers without an explanation: ${missing.join('; ')}`);
  for (const selector of required) {
    const found = await page.$$eval(selector, (els) =>
      els.map((el) => {
        const card = el.closest('.tile, .count-card, .severity-card, .nav-badge, .section-count, .risk, .chip, [data-number]') || el;
        return (card.getAttribute('title') || '').trim() || (card.getAttribute('aria-describedby') ? 'described' : '');
      }),
    );
    check(found.length > 0, `${name}: ${selector} is not on the page`);
    check(found.every(Boolean), `${name}: ${selector} is not explained`);
  }
  return numbers;
}

async function testReviewerWalk({ page }) {
  const a = await loadDemo(page);
  const nav = ['[data-testid="nav-recommendations-count"]', '[data-testid="nav-attack-paths-count"]', '[data-testid="nav-inventory-count"]'];
  // Overview: the score, files, objects, errors; findings by severity; inventory cards.
  const overview = await walk(page, 'overview', [
    ...nav,
    '[data-testid="secure-score"]',
    '[data-testid="objects-read"]',
    '[data-testid="error-count"]',
    '[data-testid="severity-card-high"]',
    '.count-card',
    '.risk',
  ]);
  // The same number looks the same everywhere: the score, the paths count, the
  // inventory count, each as the CLI gives it.
  const score = `${a.secureScore.overall.toFixed(1)}%`;
  check((await text(page, '[data-testid="secure-score"]')) === score, `overview score ${await text(page, '[data-testid="secure-score"]')}, CLI ${score}`);
  check((await number(page, '[data-testid="nav-attack-paths-count"]')) === a.attackPaths.total, 'nav paths count is not the paths found');
  const inventory = Object.values(a.inventory.counts).reduce((x, y) => x + y, 0);
  check((await number(page, '[data-testid="nav-inventory-count"]')) === inventory, `nav inventory ${await number(page, '[data-testid="nav-inventory-count"]')}, CLI counts ${inventory}`);
  check((await text(page, '[data-testid="objects-note"]')).includes(`${inventory.toLocaleString('en-US')} resources`), `the objects note does not reconcile with the inventory's ${inventory}`);
  check(overview.length >= 15, `overview: only ${overview.length} numbers found`);
  if (a.audit && a.audit.events !== a.inputs.filter((i) => i.format === 'audit-log').reduce((n, i) => n + i.objects, 0)) {
    const note = await text(page, '[data-testid="objects-note"]');
    check(note.includes(`(${a.audit.events.toLocaleString('en-US')} requests)`), `the overview note does not give the alerts page's requests: ${note}`);
  }

  // Recommendations: severity cards count findings, chips count recommendations.
  await goTo(page, '#/recommendations', '[data-testid="recommendations-table"]');
  await walk(page, 'recommendations', ['[data-testid="severity-card-high"]', '[data-testid="severity-chip-all"]', '[data-testid="severity-chip-high"]']);
  const chipTitle = await page.getAttribute('[data-testid="severity-chip-high"]', 'title');
  const cardTitle = await page.getAttribute('[data-testid="severity-card-high"]', 'title');
  check(/recommendations/.test(chipTitle) && /findings/.test(cardTitle), `units: chip "${chipTitle}", card "${cardTitle}"`);
  await goTo(page, '#/recommendations/readOnlyRootFilesystem', '[data-testid="finding-row"]');
  await walk(page, 'rule', []);

  // Attack paths and one path.
  await goTo(page, '#/attack-paths', '[data-testid="attack-path-row"]');
  await walk(page, 'attack-paths', ['[data-testid="attack-paths-total"]', '[data-testid="attack-path-row"] .risk', '[data-testid="path-count"]']);
  const firstRisk = await text(page, '[data-testid="attack-path-row"] .risk');
  check(firstRisk === a.attackPaths.paths[0].risk.toFixed(1), `path risk ${firstRisk}, CLI ${a.attackPaths.paths[0].risk}`);
  await goTo(page, '#/attack-paths/1', '[data-testid="path-chain"]');
  await walk(page, 'attack-path', ['.rec-meta .risk', '[data-testid="path-steps"]']);
  check((await text(page, '.rec-meta .risk')) === firstRisk, 'the path page shows its risk otherwise than the list');

  // Vulnerabilities, inventory, alerts, explorer, map, policies, enforcement.
  await goTo(page, '#/vulnerabilities', '[data-testid="vuln-summary"]');
  await walk(page, 'vulnerabilities', ['[data-testid="vuln-total"]', '[data-testid="vuln-fixable"]', '[data-testid="vuln-remote"]', '[data-testid="vuln-not-scanned"]']);
  await goTo(page, '#/vulnerabilities?view=cves', '[data-testid="vuln-cve-row"]');
  await walk(page, 'vulnerabilities-cves', []);
  await goTo(page, '#/vulnerabilities?view=workloads', '[data-testid="vuln-export-csv"]');
  await walk(page, 'vulnerabilities-workloads', []);
  await goTo(page, '#/inventory', '[data-testid="kind-cards"]');
  await walk(page, 'inventory', ['.count-card']);
  await goTo(page, '#/inventory/Deployment', '[data-testid="inventory-row"]');
  await walk(page, 'inventory-deployments', ['.kind-link.active .kind-count']);
  // A resource's panel, opened from its row.
  await page.click('[data-testid="inventory-row"] [data-testid="details-link"]');
  await page.waitForSelector('[data-testid="resource-title"]');
  await walk(page, 'resource', []);
  await goTo(page, '#/exemptions', '[data-testid="exemptions-title"]');
  await walk(page, 'exemptions', []);
  await goTo(page, '#/alerts', '[data-testid="alerts-title"]');
  await walk(page, 'alerts', ['[data-testid="alert-span"]', '[data-testid="alert-count"]']);
  // Audit requests read alike here and on the overview (events read, stages folded).
  const requests = a.audit.events.toLocaleString('en-US');
  const events = a.inputs.filter((i) => i.format === 'audit-log').reduce((n, i) => n + i.objects, 0).toLocaleString('en-US');
  const span = await text(page, '[data-testid="alert-span"]');
  check(span.startsWith(`${requests} requests`) && (requests === events || span.includes(`${events} audit events read`)), `alerts span "${span}", CLI ${requests} requests of ${events} events`);
  const cli = cliRun(['query', 'public/demo', '--template', 'reaches-cluster-admin', '-f', 'json']);
  await goTo(page, `#/explorer?q=${encodeURIComponent(cli.query)}`, '[data-testid="explorer-row"]');
  await walk(page, 'explorer', []);
  await goTo(page, '#/map', '[data-testid="map-svg"]');
  await walk(page, 'map', []);
  await goTo(page, '#/policies', '[data-testid="policies-title"]');
  await walk(page, 'policies', []);
  await goTo(page, '#/enforcement', '[data-testid="enforcement-title"]');
  await walk(page, 'enforcement', []);

  // Compare with a baseline: the kube-system folder alone.
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'portolan-walk-'));
  try {
    const baseline = path.join(tmp, 'baseline.json');
    cliRun(['analyze', 'public/demo/kube-system', '--format', 'json', '--quiet', '-o', baseline], { json: false });
    await goTo(page, '#/compare', '[data-testid="compare-title"]');
    await page.setInputFiles('[data-testid="baseline-input"]', baseline);
    await page.waitForSelector('[data-testid="coverage"]');
    await walk(page, 'compare', ['[data-testid="compare-score"]', '[data-testid="compare-new"]', '[data-testid="compare-fixed"]', '[data-testid="compare-gone"]', '[data-testid="compare-paths-total"]']);
    // The snapshot's objects in the coverage are the overview's "Objects read".
    const objects = a.inputs.filter((i) => i.format !== 'audit-log').reduce((n, i) => n + i.objects, 0);
    const coverage = await page.$eval('[data-testid="coverage-objects"]', (tr) => [...tr.querySelectorAll('td')].map((td) => Number(td.textContent.replace(/\D/g, ''))));
    check(coverage[1] === objects, `coverage says ${coverage[1]} objects, the overview ${objects}`);
    check((await page.textContent('[data-testid="compare-score"]')).includes(score), `compare shows the score otherwise than ${score}`);

    // The report, opened from disk as a reviewer would.
    await goTo(page, '#/', '[data-testid="export-report"]');
    const report = await downloaded(page, '[data-testid="export-report"]');
    const file = path.join(tmp, 'portolan.html');
    fs.writeFileSync(file, report.text);
    const reportPage = await page.context().newPage();
    await reportPage.goto(`file://${file}`);
    await screenshot(reportPage, 'walk-1280-report');
    const explained = await reportPage.evaluate(() => [...document.querySelectorAll('details.explain summary')].map((s) => s.textContent.trim()));
    check(explained.some((t) => /How it is computed/.test(t)), `the report does not explain its score: ${explained.join(', ')}`);
    check(report.text.includes(score), `the report shows the score otherwise than ${score}`);
    await reportPage.close();
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

/** The same walk with the system's dark setting: its own screenshots to look at. */
async function testReviewerWalkDark({ page }) {
  walkPrefix = 'walk-1280-dark';
  try {
    await testReviewerWalk({ page });
  } finally {
    walkPrefix = 'walk-1280';
  }
}

const tests = [
  ['same-name files from two folders are both kept', testSameNameFiles],
  ['all-broken input has no score and a banner on every page', testAllBroken],
  ['compare with a baseline of more namespaces', testCompareCoverage],
  ['the secure score explains itself', testScoreExplained],
  ['keyboard-only use of the exempt dialog', testKeyboardExempt],
  ['dark mode follows the system, toggles, and shares the report scale', testDarkMode, { colorScheme: 'dark' }],
  ['enforcement previews rejections and pins the cluster version', testEnforcementPreview],
  ['clear all files can be undone; a deep link without data says to drop again', testUndoAndDeepLink],
  ['the report collapses every section, gives the snapshot time and explains score and paths', testReportCollapsed],
  ['CSV exports equal the CLI CSV rows for the same filter', testCsvExports],
  ['the attack path CSV equals portolan paths for the same filters', testPathCsvEqualsCli],
  ['attack paths filter by target and entry, kept in the URL, with clear filters', testPathFilterControls],
  ['attack paths grouped by entry, resource and target; choke points link to their paths', testPathGroups],
  ['an attack path explains its risk and lists every fix that breaks it', testPathExplained],
  ['vulnerability, inventory and recommendation lists filter in the URL, export CSV and clear', testListsFilterAndExport],
  ['compare filters its findings and exports the CLI rows', testCompareFiltersAndCsv],
  ['inventory, vulnerability and compare exports equal the CLI CSV for the same filter', testListCsvEqualsCli],
  ['the navigation and the report count the same open recommendations', testOpenRecommendations],
  ['tables fit 1280×800', testTablesFit],
  ['reloading with a snapshot loaded warns', testReloadWarning],
  ['a reviewer walks every page at 1280×800: every number explained, alike everywhere', testReviewerWalk],
  ['the reviewer walk in dark mode', testReviewerWalkDark, { colorScheme: 'dark' }],
];

const { test, finish } = await suite('trust', { subPath: '/trust/', viewport: { width: 1280, height: 800 } });
for (const [name, run, options = {}] of tests) {
  const { colorScheme = 'light' } = options;
  await test(name, run, { contextOptions: { colorScheme, acceptDownloads: true } });
}
await finish();
