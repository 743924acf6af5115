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
