// A panic inside the engine leaves an error panel, not a dead page: a report to download (the panic, the
// command, the saved session), Reload (back to the work before that command) and Reset cluster. The page
// opened with ?crash-test makes `kubeground crash-test` panic on purpose; nothing else can.
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

test('an engine panic shows the error panel; Reload keeps the work before it, Reset starts afresh', async () => {
  const { page, errors } = browser;
  await page.goto(`${server.url}?crash-test`);
  await ready(page);
  const { output, run } = terminal(page);
  await run('kubectl create deployment kept --image=nginx');
  await output.getByText('deployment.apps/kept created').waitFor();

  await run('kubeground crash-test');
  const panel = page.getByRole('alertdialog', { name: 'The simulated cluster stopped' });
  await panel.waitFor();
  assert.match(await panel.locator('pre').textContent(), /^\$ kubeground crash-test$/);
  const link = panel.getByRole('link', { name: 'Download report' });
  const href = decodeURIComponent((await link.getAttribute('href')).replace(/^data:application\/json;charset=utf-8,/, ''));
  const report = JSON.parse(href);
  assert.match(report.panic, /a deliberate panic/);
  assert.equal(report.pending, 'kubeground crash-test');
  assert.ok(report.saved.session.entries.some((e) => e.line === 'kubectl create deployment kept --image=nginx'));
  await screenshot(page, 'crash-panel');
  // The panic reached the console (the hook logs it), and nothing else failed.
  assert.ok(errors.some((e) => e.includes('a deliberate panic')), errors.join('\n'));

  await panel.getByRole('button', { name: 'Reload' }).click();
  await page.waitForLoadState('load');
  await ready(page);
  await run('kubectl get deployments -o name');
  await output.getByText(/^deployment\.apps\/kept$/).waitFor();

  await run('kubeground crash-test');
  await panel.waitFor();
  await panel.getByRole('button', { name: 'Reset cluster' }).click();
  await page.waitForLoadState('load');
  await ready(page);
  await run('kubectl get deployments');
  await output.getByText('No resources found in default namespace.').waitFor();
});
