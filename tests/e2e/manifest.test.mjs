// The manifest editor: a template applied with the Apply button (and Ctrl+Enter), several documents at once,
// an apiserver error marked on the line it points at, Tab indenting without trapping the keyboard.
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

test('the manifest editor applies templates and several documents, and marks the line of an error', async () => {
  const { page, errors } = browser;
  await page.goto(server.url);
  await page.evaluate(() => localStorage.clear());
  await page.reload();
  await ready(page);
  await page.getByRole('combobox', { name: 'Language' }).selectOption('en');
  const { output } = terminal(page);
  const editor = page.getByRole('textbox', { name: 'Manifest editor' });

  // A template fills the editor; Apply runs kubectl apply -f - on it.
  await page.getByRole('combobox', { name: 'Template' }).selectOption('Deployment');
  assert.match(await editor.inputValue(), /kind: Deployment/);
  await page.getByRole('button', { name: 'Apply', exact: true }).click();
  await output.getByText('deployment.apps/web created').waitFor();
  await page.locator('.manifest-result.ok').getByText('deployment.apps/web created').waitFor();

  // Two documents at once, applied with Ctrl+Enter.
  await editor.fill('apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: one\ndata:\n  a: "1"\n---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: two\n');
  await editor.press('Control+Enter');
  await output.getByText('configmap/two created').waitFor();
  await output.getByText('configmap/one created').waitFor();

  // A misspelled field: the apiserver's strict decoding error, marked on line 8.
  await editor.fill('apiVersion: v1\nkind: Pod\nmetadata:\n  name: typo\nspec:\n  containers:\n  - name: nginx\n    imagee: nginx:1.27\n');
  await page.getByRole('button', { name: 'Apply', exact: true }).click();
  const alert = page.locator('.manifest-result.error');
  await alert.getByText(/unknown field "spec\.containers\[0\]\.imagee"/).waitFor();
  assert.match(await alert.innerText(), /^Line 8: /);
  assert.equal((await page.locator('.manifest .gutter .err').innerText()).trim(), '8');
  await screenshot(page, 'manifest-error');

  // Tab indents; Esc then Tab leaves the editor.
  await editor.fill('a:');
  await editor.press('End');
  await editor.press('Enter');
  await editor.press('Tab');
  assert.equal(await editor.inputValue(), 'a:\n  ');
  await editor.press('Escape');
  await editor.press('Tab');
  assert.notEqual(await page.evaluate(() => document.activeElement?.getAttribute('aria-label')), 'Manifest editor');
  assert.deepEqual(errors, []);
});
