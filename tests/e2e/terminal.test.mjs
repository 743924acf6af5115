// The terminal completes with Tab, abandons a line with Ctrl-C and explains itself with `help`; a share
// link rebuilds the same cluster in a fresh browser profile; Download manifests saves the learner's objects.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { serveDist, openBrowser, screenshot, ready, terminal as sharedTerminal } from './harness.mjs';

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

function terminal(page) {
  // This file reads the output region by its class (it also checks text the log's role name would hide).
  const { input, run } = sharedTerminal(page);
  return { input, output: page.locator('.terminal-output'), run };
}

const podsOf = (page, prefix) =>
  page.locator(`[data-pod^="default/${prefix}-"]`).evaluateAll((els) => els.map((e) => e.dataset.pod).sort());

test('Tab completes kinds and lists pod names; Ctrl-C abandons the line; help explains the terminal', async () => {
  const { page, errors } = browser;
  await page.goto(server.url);
  await ready(page);
  const { input, output, run } = terminal(page);

  await input.fill('kubectl get po');
  await input.press('Tab');
  assert.equal(await input.inputValue(), 'kubectl get pods ');
  // The focus stays in the terminal while a line is being completed.
  assert.equal(await page.evaluate(() => document.activeElement.getAttribute('aria-label')), 'Terminal input');

  await run('kubectl create deployment tabby --image=nginx --replicas=2');
  await output.getByText('deployment.apps/tabby created').waitFor();
  await input.fill('kubectl describe pod ');
  await input.press('Tab');
  // Two pods: both listed below the line, and the line completed to their common prefix.
  const listed = output.getByText(/^tabby-[0-9a-f]+-[0-9a-z]{5}\s+tabby-[0-9a-f]+-[0-9a-z]{5}$/);
  await listed.waitFor();
  const names = (await listed.innerText()).split(/\s+/).sort();
  assert.deepEqual(names, await podsOf(page, 'tabby').then((p) => p.map((n) => n.slice('default/'.length))));
  assert.match(await input.inputValue(), /^kubectl describe pod tabby-[0-9a-f]+-$/);
  // One more character picks a pod; Tab finishes its name and Enter describes it.
  await input.fill(`kubectl describe pod ${names[0].slice(0, -4)}`);
  await input.press('Tab');
  assert.equal(await input.inputValue(), `kubectl describe pod ${names[0]} `);
  await input.press('Enter');
  await output.getByText(new RegExp(`^Name:\\s+${names[0]}$`)).waitFor();

  // Ctrl-C: the line is echoed with ^C and dropped, nothing runs.
  await input.fill('kubectl delete deployment tabby');
  await input.press('Control+c');
  assert.equal(await input.inputValue(), '');
  await output.getByText('$ kubectl delete deployment tabby^C').waitFor();
  assert.equal(await output.getByText('deployment.apps "tabby" deleted').count(), 0);

  await run('help');
  await output.getByText('Ctrl-C abandons the line; Ctrl-L clears the screen.').waitFor();
  await screenshot(page, 'terminal-completion');
  // The Japanese page (scripts/setup.sh installs a Japanese font, so the screenshot shows text, not boxes).
  await page.getByRole('combobox', { name: 'Language' }).selectOption('ja');
  await page.waitForFunction(() => document.documentElement.lang === 'ja');
  await page.getByRole('textbox', { name: 'ターミナル入力' }).fill('help');
  await page.getByRole('textbox', { name: 'ターミナル入力' }).press('Enter');
  await output.getByText('Ctrl-C で入力行を破棄、Ctrl-L で画面を消去。').waitFor();
  assert.equal(await page.getByRole('button', { name: '共有' }).count(), 1);
  await screenshot(page, 'terminal-help-japanese');
  await page.getByRole('combobox', { name: 'Language' }).selectOption('en');
  await page.waitForFunction(() => document.documentElement.lang === 'en');

  // On an empty line Tab leaves the terminal, so keyboard users are never trapped.
  await input.fill('');
  await input.press('Tab');
  assert.notEqual(await page.evaluate(() => document.activeElement.getAttribute('aria-label')), 'Terminal input');
  assert.deepEqual(errors, [], 'no console errors');
});

test('a share link opened in a fresh browser profile rebuilds the same pods; Download manifests saves them', async () => {
  const { page, errors } = browser;
  const { output, run } = terminal(page);
  await run('kubectl create deployment shared --image=nginx:1.27 --replicas=3');
  await output.getByText('deployment.apps/shared created').waitFor();
  await run('sleep 20');
  await page.getByRole('button', { name: 'Share', exact: true }).click();
  await output.getByText('kubeground: a link to this session was copied to the clipboard:').waitFor();
  const link = await output.getByText(/#s=2\.[A-Za-z0-9_-]+$/).innerText();
  assert.ok(link.startsWith(server.url), link);
  const pods = await podsOf(page, 'shared');
  assert.equal(pods.length, 3, pods.join(' '));

  // Download manifests: the Deployment, cleaned of what the server wrote; none of its pods.
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    page.getByRole('button', { name: 'Download manifests' }).click(),
  ]);
  assert.equal(download.suggestedFilename(), 'kubeground-manifests.yaml');
  const yaml = await readFile(await download.path(), 'utf8');
  assert.match(yaml, /kind: Deployment\nmetadata:\n {2}labels:\n {4}app: shared\n {2}name: shared\n/);
  assert.match(yaml, /name: tabby\n/);
  for (const absent of ['uid:', 'resourceVersion', 'status:', 'kind: ReplicaSet', 'kind: Pod\n', 'kube-system']) {
    assert.ok(!yaml.includes(absent), `${absent} in the export`);
  }
  await output.getByText('kubeground: downloaded 2 objects as kubeground-manifests.yaml.').waitFor();

  // Export session: the seed and the command log as a file.
  const [exported] = await Promise.all([
    page.waitForEvent('download'),
    page.getByRole('button', { name: 'Export session' }).click(),
  ]);
  assert.equal(exported.suggestedFilename(), 'kubeground-session.json');
  const sessionFile = await exported.path();
  const session = JSON.parse(await readFile(sessionFile, 'utf8'));
  assert.ok(session.entries.some((e) => e.line === 'kubectl create deployment shared --image=nginx:1.27 --replicas=3'));

  const other = await openBrowser();
  try {
    const fresh = other.page;
    await fresh.goto(link);
    await ready(fresh);
    const { output: out2, run: run2 } = terminal(fresh);
    await out2.getByText(/^kubeground: opened a shared session \(\d+ commands replayed\)\.$/).waitFor();
    // The fragment is gone from the address: a reload restores the (now saved) session, not the link.
    assert.ok(!fresh.url().includes('#s='), fresh.url());
    assert.deepEqual(await podsOf(fresh, 'shared'), pods);
    assert.deepEqual(await podsOf(fresh, 'tabby'), await podsOf(page, 'tabby'));
    await run2('kubectl get deployment shared --no-headers');
    await out2.getByText(/^shared\s+3\/3\s+3\s+3\s+\S+$/).waitFor();
    await screenshot(fresh, 'share-link-opened');
    await fresh.reload();
    await ready(fresh);
    assert.deepEqual(await podsOf(fresh, 'shared'), pods);

    // Import session: a damaged file changes nothing; the exported one rebuilds the same pods after a Reset.
    fresh.once('dialog', (d) => d.accept());
    await fresh.getByRole('button', { name: 'Reset cluster' }).click();
    await fresh.getByLabel('Import session').setInputFiles({ name: 'bad.json', mimeType: 'application/json', buffer: Buffer.from('{"seed":') });
    await out2.getByText(/^kubeground: the session file could not be read \(.+\); nothing changed\.$/).waitFor();
    fresh.once('dialog', (d) => d.accept());
    await fresh.getByLabel('Import session').setInputFiles(sessionFile);
    await out2.getByText(/^kubeground: opened a session file \(\d+ commands replayed\)\.$/).waitFor();
    assert.deepEqual(await podsOf(fresh, 'shared'), pods);
    assert.deepEqual(other.errors, [], 'no console errors in the second profile');
  } finally {
    await other.close();
  }
  assert.deepEqual(errors, [], 'no console errors');
});

test('kubectl get -w keeps printing a row per change until Ctrl-C; logs -f follows', async () => {
  const { page, errors } = browser;
  await page.goto(server.url);
  await ready(page);
  const { input, output, run } = terminal(page);
  await run('kubectl create deployment streamed --image=nginx --replicas=2');
  await output.getByText('deployment.apps/streamed created').waitFor();
  await run('kubectl get pods -l app=streamed -w');
  assert.equal(await input.getAttribute('placeholder'), 'still printing: Ctrl-C stops it (or type the next command)');
  // Rows arrive as the pods change, until both are Running.
  await page.waitForFunction(() => {
    const text = document.querySelector('[role="log"]').textContent;
    return (text.match(/streamed-\w+-\w+\s+1\/1\s+Running/g) ?? []).length >= 2;
  }, null, { timeout: 20000 });
  const text = await output.innerText();
  const watched = text.slice(text.lastIndexOf('$ kubectl get pods -l app=streamed -w'));
  assert.match(watched, /NAME\s+READY\s+STATUS\s+RESTARTS\s+AGE\n/);
  assert.match(watched, /ContainerCreating/);
  await input.press('Control+c');
  await output.getByText(/^\^C$/).waitFor();
  assert.equal(await input.getAttribute('placeholder'), 'kubectl get nodes');
  const after = (await output.innerText()).length;
  await page.waitForTimeout(500);
  await run('kubectl delete pod -l app=streamed --wait=false');
  await output.getByText(/deleted from default namespace/).first().waitFor();
  assert.ok(!(await output.innerText()).slice(after).includes('Terminating'), 'nothing printed after Ctrl-C');

  await run("kubectl run ticker --image=busybox -- sh -c 'i=0; while true; do echo tick $i; i=$((i+1)); sleep 2; done'");
  await run('sleep 3');
  await run('kubectl logs -f ticker');
  await output.getByText(/^tick 4$/).waitFor({ timeout: 20000 });
  await screenshot(page, 'terminal-following');
  await run('kubectl get pods ticker --no-headers');
  await output.getByText(/^\^C$/).nth(1).waitFor();
  assert.deepEqual(errors, [], 'no console errors');
});
