// After one visit the page works with the network gone: its service worker kept every file, and the saved
// session replays as usual. The web app manifest names the page for installing.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { serveDist, openBrowser, screenshot, ready, terminal } from './harness.mjs';

let server;
let browser;

before(async () => {
  server = await serveDist();
  browser = await openBrowser();
});

after(async () => {
  await browser?.close();
  await server?.close();
});

test('a restrictive Content-Security-Policy: only our own files and the loader by hash, and nothing breaks it', async () => {
  const { page, errors } = browser;
  await page.goto(server.url);
  await ready(page);
  const policy = await page.evaluate(() => document.querySelector('meta[http-equiv="Content-Security-Policy"]')?.content);
  assert.match(policy, /^default-src 'self'; script-src 'self' 'wasm-unsafe-eval' 'sha256-[A-Za-z0-9+/]+=*';/);
  assert.match(policy, /object-src 'none'; base-uri 'none'/);
  // A script of any other origin or inline is refused (the page's own run without a violation: `errors`).
  const blocked = await page.evaluate(() => new Promise((resolve) => {
    document.addEventListener('securitypolicyviolation', (e) => resolve(e.violatedDirective), { once: true });
    const s = document.createElement('script');
    s.textContent = 'window.injected = true';
    document.body.append(s);
    setTimeout(() => resolve(window.injected ? 'ran' : 'no event'), 1000);
  }));
  assert.equal(blocked, 'script-src-elem');
  assert.deepEqual(errors.filter((e) => !e.includes('Content Security Policy')), [], 'no other console errors');
  errors.length = 0;
});

test('the page loads and runs offline after its first visit', async () => {
  const { page, context, errors } = browser;
  await page.goto(server.url);
  await ready(page);
  await page.evaluate(() => navigator.serviceWorker.ready);
  await page.waitForFunction(() => navigator.serviceWorker.controller !== null);
  const manifest = await page.evaluate(async () => (await fetch(document.querySelector('link[rel="manifest"]').href)).json());
  assert.equal(manifest.short_name, 'kubeground');
  const { output, run } = terminal(page);
  await run('kubectl create deployment offline --image=nginx');
  await output.getByText('deployment.apps/offline created').waitFor();

  await context.setOffline(true);
  try {
    await page.reload();
    await ready(page);
    await run('kubectl get deployment offline -o name');
    await output.getByText(/^deployment\.apps\/offline$/).waitFor();
    await screenshot(page, 'offline');
  } finally {
    await context.setOffline(false);
  }
  assert.deepEqual(errors, [], 'no console errors');
});
