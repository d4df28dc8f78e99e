// Benchmark, not a test (CI does not run it): the built app (dist/) analyses the
// generator's hard cluster exports in headless Chromium, as a user dropping the file
// would, and reports for each size:
// - the time from the drop to the rendered secure score and counts,
// - the longest main-thread task from the drop on (the page must stay responsive),
// - the peak resident memory of Chromium's renderer processes (the page and its worker
//   run there), polled every 100 ms, next to the export's size,
// - the time and longest task of an exemption's re-evaluation (a namespace exempted from
//   the top recommendation), and where that time goes: each message between the page and
//   its worker from the click on (its time, its size, how long the page's handler ran;
//   a request's answer less its sending is the worker's time, queue included) and the
//   page's long tasks, until the exempted count shows.
//
// The exports are those of `engine/examples/bench_scale.rs` (compact JSON; Deployments →
// ReplicaSets → Pods, many exposed, privileged and risky workloads): the same bytes the
// CLI benchmark measures, written with `bench_scale --write`.
//
// Usage (after `trunk build --release` and
// `cargo build --release -p portolan-engine --example bench_scale`):
//   node tests/browser/scale.mjs [PODS...]          (default 50000)
// Record the figures in BENCHMARKS.md with the machine's load (`uptime`).
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { check, dropGeneratedPods, launchBrowser, openPage, repo, serve, waitForAnalysis } from './harness.mjs';

// `standalone`: instead of an export, the app suite's generated cluster (harness.mjs's
// `dropGeneratedPods`: 50,000 bare pods in 50 namespaces, 800,050 findings, made in the
// page), whose re-evaluation has sixteen times the findings of a 50,000-pod export's.
const runs = process.argv
  .slice(2)
  .map((a) => (a === 'standalone' ? { pods: 50_000, standalone: true } : { pods: Number(a) }))
  .filter((r) => r.pods > 0);
if (runs.length === 0) runs.push({ pods: 50_000 });
const bench = path.join(repo, 'target/release/examples/bench_scale');
check(fs.existsSync(bench), `${bench} not found: cargo build --release -p portolan-engine --example bench_scale`);

/** The resident set (bytes) of Chromium's renderer processes, sampled until `stop()`. */
function watchRenderers() {
  let peak = 0;
  let first;
  const sample = () => {
    let total = 0;
    for (const pid of fs.readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
      try {
        const cmd = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8');
        if (!cmd.includes('--type=renderer')) continue;
        const rss = /VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
        if (rss) total += Number(rss[1]) * 1024;
      } catch {
        // the process ended between the listing and the read
      }
    }
    first ??= total;
    peak = Math.max(peak, total);
  };
  sample();
  const timer = setInterval(sample, 100);
  return {
    /** `{ before, peak }`: the resident set when watching began, and its peak. */
    stop() {
      clearInterval(timer);
      sample();
      return { before: first, peak };
    },
  };
}

const mib = (b) => `${(b / 1048576).toFixed(0)} MiB`;

/**
 * Runs in the page before its scripts: logs every message to and from a worker in
 * `window.messages` (`{ out, type, id, t, bytes, ms }`: `ms` is how long the page's
 * handler of a message in ran) once `window.logging` is set.
 */
function logMessages() {
  window.messages = [];
  const size = (data) => (data && data.json && data.json.byteLength) || 0;
  const post = Worker.prototype.postMessage;
  Worker.prototype.postMessage = function (data, ...rest) {
    if (window.logging) window.messages.push({ out: true, type: data?.type, id: data?.id, t: performance.now() });
    return post.call(this, data, ...rest);
  };
  const onmessage = Object.getOwnPropertyDescriptor(Worker.prototype, 'onmessage');
  Object.defineProperty(Worker.prototype, 'onmessage', {
    configurable: true,
    get() {
      return onmessage.get.call(this);
    },
    set(handler) {
      const timed = handler && function (event) {
        const t = performance.now();
        try {
          return handler.call(this, event);
        } finally {
          const d = event.data;
          if (window.logging) window.messages.push({ out: false, type: d?.type, id: d?.id, t, bytes: size(d), ms: performance.now() - t });
        }
      };
      onmessage.set.call(this, timed);
    },
  });
}

/** The messages and long tasks from `t0` to `t1` (page times), one line each. */
function timeline({ t0, t1, messages, tasks }) {
  const events = messages.map((m) => ({
    t: m.t,
    what: m.out
      ? `page → worker  ${m.type} #${m.id}`
      : `worker → page  ${m.type} #${m.id}${m.bytes ? ` (${(m.bytes / 1024).toFixed(0)} KiB)` : ''}, handled in ${Math.round(m.ms)} ms`,
  }));
  for (const task of tasks) events.push({ t: task.start, what: `long task ${Math.round(task.duration)} ms` });
  events.push({ t: t1, what: 'exempted count shown' });
  events.sort((a, b) => a.t - b.t);
  return events.map((e) => `    ${`+${Math.round(e.t - t0)} ms`.padStart(9)}  ${e.what}`).join('\n');
}

const { base, server, root } = await serve({ subPath: '/scale/' });
const browser = await launchBrowser();
let failed = false;
try {
  for (const { pods, standalone } of runs) {
    // The export sits beside the app (served from root/scale/), so the page can fetch it.
    const served = path.join(root, 'scale');
    const file = path.join(served, `hard-${pods}.json`);
    if (!standalone) {
      const written = execFileSync(bench, ['--write', served, String(pods)], { encoding: 'utf8' });
      check(fs.existsSync(file), `bench_scale did not write ${file}: ${written}`);
    }
    const bytes = standalone ? 0 : fs.statSync(file).size;
    const { context, page, problems } = await openPage(browser, base, {
      setup: (context) => context.addInitScript(logMessages),
    });
    page.setDefaultTimeout(900_000);
    page.on('crash', () => console.log(`the page crashed at ${pods} pods`));
    try {
      await page.evaluate(() => {
        window.stalls = {};
        window.phase = 'analysis';
        window.tasks = [];
        new PerformanceObserver((list) => {
          for (const task of list.getEntries()) {
            if (window.logging) window.tasks.push({ start: task.startTime, duration: task.duration });
            if (window.dropped === undefined || task.startTime < window.dropped) continue;
            window.stalls[window.phase] = Math.max(window.stalls[window.phase] || 0, task.duration);
          }
        }).observe({ entryTypes: ['longtask'] });
      });
      if (!standalone) await page.evaluate(async (name) => {
        const response = await fetch(name);
        if (!response.ok) throw new Error(`${name}: ${response.status}`);
        const blob = await response.blob();
        window.scaleFile = new File([blob], name);
        Object.defineProperty(window.scaleFile, 'webkitRelativePath', { value: `scale/${name}` });
      }, path.basename(file));
      const memory = watchRenderers();
      if (standalone) await dropGeneratedPods(page, pods, 50);
      const started = Date.now();
      if (!standalone) await page.evaluate(() => {
        const transfer = new DataTransfer();
        transfer.items.add(window.scaleFile);
        window.dropped = performance.now();
        document
          .querySelector('[data-testid="drop-zone"]')
          .dispatchEvent(new DragEvent('drop', { bubbles: true, cancelable: true, dataTransfer: transfer }));
      });
      await waitForAnalysis(page, 1, 900_000);
      const analysed = Date.now() - started;
      const { before, peak } = memory.stop();
      await page.screenshot({ path: path.join(repo, `tests/browser/screenshots/scale-${pods}.png`) });
      // Re-evaluation: exempt the first namespace the top recommendation offers.
      await page.evaluate(() => {
        window.phase = 'recommendations';
        location.hash = '#/recommendations';
      });
      await page.click('[data-testid="recommendation-row"] [data-testid="recommendation-link"]');
      await page.click('[data-testid="exempt-rule"]');
      await page.waitForSelector('[data-testid="exempt-form"]');
      await page.fill('[data-testid="exempt-reason-input"]', 'Scale benchmark.');
      await page.evaluate(() => {
        window.phase = 'exemption';
        window.logging = true;
        window.messages = [];
        window.tasks = [];
        document.querySelector('[data-testid="exempt-save"]').addEventListener('click', () => {
          window.clicked = performance.now();
        });
        const shown = () => {
          if (window.shown === undefined && document.querySelector('[data-testid="recommendation-exempt-count"]')) {
            window.shown = performance.now();
          }
        };
        new MutationObserver(shown).observe(document.body, { childList: true, subtree: true });
      });
      const exemptStarted = Date.now();
      await page.click('[data-testid="exempt-save"]');
      await page.waitForSelector('[data-testid="recommendation-exempt-count"]', { timeout: 900_000 });
      const exempted = Date.now() - exemptStarted;
      // What follows the count (rows asked for after it) shows too.
      await page.waitForTimeout(2_000);
      const log = await page.evaluate(() => {
        window.logging = false;
        return { t0: window.clicked, t1: window.shown, messages: window.messages, tasks: window.tasks };
      });
      const stalls = await page.evaluate(() => window.stalls);
      check(problems.pageErrors.length === 0, `page errors: ${problems.pageErrors.join(' | ')}`);
      console.log(
        `${pods} pods (${standalone ? 'generated, bare pods' : mib(bytes)}): analysed in ${(analysed / 1000).toFixed(1)} s, renderer peak ${mib(peak)}, ${mib(peak - before)} above the ` +
          `page before the drop${standalone ? '' : ` (${((peak - before) / bytes).toFixed(1)}x the export)`}, exemption re-evaluated in ${(exempted / 1000).toFixed(1)} s ` +
          `(${Math.round((100 * exempted) / analysed)}%), longest main-thread task by step: ` +
          Object.entries(stalls)
            .map(([p, ms]) => `${p} ${Math.round(ms)} ms`)
            .join(', '),
      );
      console.log(`  re-evaluation, from the click (${Math.round(log.t1 - log.t0)} ms to the count):\n${timeline(log)}`);
    } catch (e) {
      failed = true;
      console.log(`FAILED - ${pods} pods: ${e.message || e}`);
    } finally {
      await context.close();
      fs.rmSync(file, { force: true });
    }
  }
} finally {
  await browser.close();
  server.kill();
  if (root) fs.rmSync(root, { recursive: true, force: true });
}
console.log(`load average ${os.loadavg().map((l) => l.toFixed(1)).join(' ')}`);
process.exit(failed ? 1 : 0);
