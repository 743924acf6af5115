// The page's speed figures (printed, never asserted — issue 9's targets: ready under 1 s, wasm under 1 MB
// gzip, a typical command answered and drawn within a frame at 50 pods, 50 nodes / 1,500 pods at 30 fps or
// more). Run with `npm run bench` in tests/e2e after building the page (scripts/serve.sh or trunk build).
import { readFile, readdir } from 'node:fs/promises';
import { gzipSync } from 'node:zlib';
import path from 'node:path';
import { serveDist, openBrowser, dist, ready, terminal } from './harness.mjs';

const server = await serveDist();
const browser = await openBrowser();
const { page } = browser;
const figures = [];
const say = (name, value) => { figures.push([name, value]); console.log(`${name.padEnd(52)} ${value}`); };

try {
  // Size: every file of the page, gzipped.
  let total = 0;
  for (const f of await readdir(dist)) {
    const z = gzipSync(await readFile(path.join(dist, f)), { level: 9 }).length;
    total += z;
    if (f.endsWith('.wasm')) say('wasm (gzip -9)', `${(z / 1024).toFixed(0)} KiB`);
  }
  say('whole page (gzip -9)', `${(total / 1024).toFixed(0)} KiB`);

  // Ready: navigation start to CONTRACT §5's performance mark, best of three fresh loads.
  const readies = [];
  for (let i = 0; i < 3; i++) {
    await page.goto(server.url);
    await page.evaluate(() => localStorage.clear());
    await page.goto(server.url);
    await ready(page);
    readies.push(await page.evaluate(() => performance.getEntriesByName('kubeground-ready')[0].startTime));
  }
  say('load → clusterReady (ms, best / worst of 3)', `${Math.min(...readies).toFixed(0)} / ${Math.max(...readies).toFixed(0)}`);

  const { run, paste } = terminal(page);
  // Time from Enter to the answer drawn: `kubectl get pods` at 50 pods.
  const answered = async (line, expect) => page.evaluate(async ({ line, expect }) => {
    const input = document.querySelector('input[aria-label="Terminal input"]');
    const log = document.querySelector('[role="log"]');
    const before = log.textContent.length;
    input.value = line;
    input.dispatchEvent(new Event('input', { bubbles: true }));
    const t0 = performance.now();
    input.dispatchEvent(new KeyboardEvent('keydown', { key: 'Enter', bubbles: true }));
    for (;;) {
      await new Promise((r) => requestAnimationFrame(r));
      if (log.textContent.slice(before).includes(expect)) return performance.now() - t0;
    }
  }, { line, expect });
  await run('kubectl create deployment fifty --image=nginx --replicas=50');
  await page.getByRole('button', { name: 'Run until idle' }).click();
  await page.waitForFunction(() => document.querySelectorAll('[data-pod][data-owner="Deployment/fifty"][data-phase="Running"]').length > 0);
  const gets = [];
  for (let i = 0; i < 5; i++) gets.push(await answered('kubectl get pods --no-headers', 'fifty-'));
  gets.sort((a, b) => a - b);
  say('kubectl get pods at 50 pods: Enter → drawn (ms, median)', gets[2].toFixed(1));

  // Frame rate with the clock running: 50 nodes, 1,500 pods.
  const fps = async () => page.evaluate(async () => {
    let frames = 0;
    const t0 = performance.now();
    while (performance.now() - t0 < 3000) {
      await new Promise((r) => requestAnimationFrame(r));
      frames++;
    }
    return frames / ((performance.now() - t0) / 1000);
  });
  say('frames/s at 5 nodes, 50 pods, clock at 1×', (await fps()).toFixed(1));
  await paste(Array.from({ length: 45 }, () => 'minikube node add').join('\n') + '\n');
  await page.waitForFunction(() => document.querySelectorAll('[data-node][data-role]').length === 50, null, { timeout: 120000 });
  await run('kubectl scale deployment fifty --replicas=1500');
  await page.getByRole('button', { name: 'Run until idle' }).click();
  await page.waitForFunction(() => document.querySelectorAll('[data-pod][data-owner="Deployment/fifty"]').length > 500, null, { timeout: 300000 });
  const running = await page.evaluate(() => document.querySelector('.clock').textContent);
  say('frames/s at 50 nodes, 1,500 pods, clock at 1×', `${(await fps()).toFixed(1)} (at ${running})`);
  const big = [];
  for (let i = 0; i < 3; i++) big.push(await answered('kubectl get deployment fifty --no-headers', 'fifty'));
  big.sort((a, b) => a - b);
  say('kubectl get deployment at 1,500 pods: Enter → drawn (ms, median)', big[1].toFixed(1));
} finally {
  await browser.close();
  await server.close();
}
