// The page keeps a learner's work across reloads, speaks English and Japanese, and shows the Storage and
// Events tabs from what the engine recorded.
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


test('a reload restores the same cluster, terminal and history; Reset starts afresh', async () => {
  const { page, errors } = browser;
  await page.goto(server.url);
  await ready(page);
  const { input, output, run } = terminal(page);
  await run('kubectl create deployment keep --image=nginx:1.27');
  await output.getByText('deployment.apps/keep created').waitFor();
  await run('kubectl label deployment keep tier=web');
  await output.getByText('deployment.apps/keep labeled').waitFor();

  await page.reload();
  await ready(page);
  // The terminal shows what it showed, and the replayed cluster has the deployment with its label.
  await output.getByText('deployment.apps/keep labeled').waitFor();
  await run('kubectl get deployment keep -L tier --no-headers');
  await output.getByText(/^keep\s+\d\/1\s+\d\s+\d\s+\S+\s+web$/).waitFor();
  // History survives too: ↑ walks back past the reload.
  await input.press('ArrowUp');
  assert.equal(await input.inputValue(), 'kubectl get deployment keep -L tier --no-headers');
  await input.press('ArrowUp');
  assert.equal(await input.inputValue(), 'kubectl label deployment keep tier=web');
  await input.fill('');
  await screenshot(page, 'page-restored');

  // A corrupt saved session never blanks the page: a fresh cluster and a notice.
  await page.evaluate(() => localStorage.setItem('kubeground.session', '{"version":1,"session":'));
  await page.reload();
  await ready(page);
  await output.getByText(/the saved session could not be restored \(unreadable: .*\); started a fresh cluster\./).waitFor();
  await run('kubectl get deployments');
  await output.getByText('No resources found in default namespace.').waitFor();

  // Reset asks first, then starts a fresh cluster.
  await run('kubectl create deployment gone --image=nginx');
  await output.getByText('deployment.apps/gone created').waitFor();
  page.once('dialog', (d) => d.dismiss());
  await page.getByRole('button', { name: 'Reset cluster' }).click();
  await run('kubectl get deployment gone -o name');
  await output.getByText(/^deployment\.apps\/gone$/).waitFor();
  page.once('dialog', (d) => d.accept());
  await page.getByRole('button', { name: 'Reset cluster' }).click();
  await output.getByText('kubeground: started a fresh cluster.').waitFor();
  await run('kubectl get deployment gone');
  await output.getByText('Error from server (NotFound): deployments.apps "gone" not found').waitFor();
  assert.deepEqual(errors, [], 'no console errors');
});

test('the page switches to Japanese, keeps the choice, and tabs move with the arrow keys', async () => {
  const { page, errors } = browser;
  await page.getByRole('combobox', { name: 'Language' }).selectOption('ja');
  await page.waitForFunction(() => document.documentElement.lang === 'ja');
  const tabs = await page.getByRole('tab').allInnerTexts();
  assert.deepEqual(tabs, ['トポロジー', 'ネットワーク', 'DNS', 'ストレージ', 'イベント']);
  assert.equal(await page.getByRole('button', { name: 'クラスタをリセット' }).count(), 1);
  assert.equal(await page.getByRole('button', { name: '一時停止' }).count(), 1);
  await page.reload();
  await ready(page);
  assert.equal(await page.evaluate(() => document.documentElement.lang), 'ja');
  // The terminal answers in kubectl's English under Japanese names.
  const { output, run } = terminal(page, { input: 'ターミナル入力', output: 'ターミナル出力' });
  await run('kubectl get nodes');
  await output.getByText(/NAME\s+STATUS\s+ROLES\s+AGE\s+VERSION/).waitFor();

  // WAI-ARIA tabs: ←/→ move the selection and the focus, wrapping at the ends.
  await page.getByRole('tab', { name: 'トポロジー' }).focus();
  await page.keyboard.press('ArrowRight');
  assert.equal(await page.getByRole('tab', { name: 'ネットワーク' }).getAttribute('aria-selected'), 'true');
  assert.equal(await page.evaluate(() => document.activeElement.id), 'tab-network');
  await page.keyboard.press('ArrowLeft');
  await page.keyboard.press('ArrowLeft');
  assert.equal(await page.getByRole('tab', { name: 'イベント' }).getAttribute('aria-selected'), 'true');
  await screenshot(page, 'page-japanese');
  await page.keyboard.press('Home');
  await page.getByRole('combobox', { name: 'Language' }).selectOption('en');
  await page.waitForFunction(() => document.documentElement.lang === 'en');
  assert.deepEqual(errors, [], 'no console errors');
});

test('the Storage tab shows a claim Bound to its volume and the pod that mounts it', async () => {
  const { page, errors } = browser;
  const { output, run, paste } = terminal(page);
  await paste(`kubectl apply -f - <<EOF
apiVersion: v1
kind: PersistentVolumeClaim
metadata:
  name: data
spec:
  accessModes: [ReadWriteOnce]
  resources:
    requests:
      storage: 1Gi
---
apiVersion: v1
kind: Pod
metadata:
  name: db
spec:
  containers:
  - name: app
    image: busybox
    command: [sleep, "3600"]
    volumeMounts:
    - {name: data, mountPath: /data}
    - {name: scratch, mountPath: /scratch}
  volumes:
  - name: data
    persistentVolumeClaim: {claimName: data}
  - name: scratch
    emptyDir: {}
EOF
`);
  await output.getByText('persistentvolumeclaim/data created').waitFor();
  await output.getByText('pod/db created').waitFor();
  await run('sleep 10');
  await page.getByRole('tab', { name: 'Storage' }).click();
  const claims = page.getByRole('list', { name: 'PersistentVolumeClaims' });
  const claim = claims.locator('[data-claim="default/data"]');
  await claim.waitFor();
  assert.equal(await claim.getAttribute('data-phase'), 'Bound');
  assert.equal(await claim.getAttribute('data-pods'), 'default/db');
  const pv = await claim.getAttribute('data-volume');
  assert.match(pv, /^pvc-[0-9a-f-]{36}$/);
  const events = await claim.locator('li.tl').evaluateAll((els) => els.map((e) => e.dataset.event));
  assert.ok(events.includes('bound') && events.includes('mounted'), events.join(' '));
  const volume = page.getByRole('list', { name: 'PersistentVolumes' }).locator(`[data-pv="${pv}"]`);
  assert.equal(await volume.getAttribute('data-phase'), 'Bound');
  assert.equal(await volume.getAttribute('data-claim'), 'default/data');
  const steps = await volume.locator('li.tl').evaluateAll((els) => els.map((e) => e.dataset.event));
  assert.ok(steps.includes('provisioned'), steps.join(' '));
  const table = page.getByRole('table', { name: 'Pod volumes' });
  assert.match(await table.locator('tr[data-pod="default/db"][data-volume-kind="persistentVolumeClaim"]').innerText(), /app:\/data/);
  assert.match(await table.locator('tr[data-pod="default/db"][data-volume-kind="emptyDir"]').innerText(), /app:\/scratch/);
  assert.match(await page.locator('tr[data-class="standard"]').innerText(), /standard \(default\)\s+k8s\.io\/minikube-hostpath/);
  // The graph: the pod mounts its claim, the claim is bound to the provisioned volume of class standard.
  const graph = page.getByRole('img', { name: 'Pods, claims, volumes and classes' });
  assert.equal(await graph.locator('[data-id="pvc:default/data"]').getAttribute('data-phase'), 'Bound');
  assert.equal(await graph.locator(`[data-id="pv:${pv}"]`).getAttribute('data-phase'), 'Bound');
  const lines = await graph.locator('path.edge').evaluateAll((els) => els.map((e) => `${e.dataset.from} ${e.classList[1]} ${e.dataset.to}`));
  assert.ok(lines.includes('pod:default/db mounts pvc:default/data'), lines.join('; '));
  assert.ok(lines.includes(`pvc:default/data bound pv:${pv}`), lines.join('; '));
  assert.ok(lines.includes(`pv:${pv} class sc:standard`), lines.join('; '));
  await screenshot(page, 'storage-tab');
  assert.deepEqual(errors, [], 'no console errors');
});

test('the Events tab tells what kubectl create deployment set off, actor by actor, beside the Events list', async () => {
  const { page, errors } = browser;
  const { output, run } = terminal(page);
  await run('kubectl create deployment story --image=nginx --replicas=2');
  await output.getByText('deployment.apps/story created').waitFor();
  await page.getByRole('tab', { name: 'Events' }).click();
  const story = page.getByRole('list', { name: 'Story of the last command' });
  await story.waitFor();
  // Simulated time runs: wait until the kubelets have started the pods.
  await page.waitForSelector('.actor-group[data-actor^="kubelet"] li.act[data-kind="Pod"]', { timeout: 20000 });
  const actors = await story.locator('li.actor-group').evaluateAll((els) => els.map((e) => e.dataset.actor));
  const first = (a) => actors.findIndex((x) => x.startsWith(a));
  assert.equal(actors[0], 'kubectl');
  assert.ok(first('deployment-controller') > 0, actors.join(' '));
  assert.ok(first('deployment-controller') < first('replicaset-controller'), actors.join(' '));
  assert.ok(first('replicaset-controller') < first('default-scheduler'), actors.join(' '));
  assert.ok(first('default-scheduler') < first('kubelet'), actors.join(' '));
  const kubectl = story.locator('li.actor-group').first().locator('li.act').first();
  assert.equal(await kubectl.getAttribute('data-kind'), 'Deployment');
  assert.equal(await kubectl.getAttribute('data-object'), 'default/story');
  const rs = story.locator('li.actor-group[data-actor="deployment-controller"]').first().locator('li.act').first();
  assert.equal(await rs.getAttribute('data-kind'), 'ReplicaSet');
  assert.equal(await rs.getAttribute('data-change'), 'created');
  const pods = story.locator('li.actor-group[data-actor="replicaset-controller"]').first()
    .locator('li.act[data-kind="Pod"][data-change="created"]');
  assert.equal(await pods.count(), 2);
  assert.match(await pods.first().getAttribute('data-object'), /^default\/story-[0-9a-f]+-[0-9a-z]{5}$/);

  const list = page.getByRole('table', { name: 'Events list' });
  assert.deepEqual(await list.locator('th').allInnerTexts(), ['NAMESPACE', 'LAST SEEN', 'TYPE', 'REASON', 'OBJECT', 'MESSAGE']);
  assert.ok(await list.locator('tr[data-reason="ScalingReplicaSet"][data-object="deployment/story"]').count() >= 1);
  assert.ok(await list.locator('tr[data-reason="SuccessfulCreate"][data-object^="replicaset/story-"]').count() >= 1);

  // The filter keeps one object's steps.
  await page.getByRole('searchbox', { name: 'Filter by object' }).fill('replicaset default/story');
  const kinds = await story.locator('li.act').evaluateAll((els) => [...new Set(els.map((e) => e.dataset.kind))]);
  assert.deepEqual(kinds, ['ReplicaSet']);
  await page.getByRole('searchbox', { name: 'Filter by object' }).fill('');
  await screenshot(page, 'events-tab');
  await page.getByRole('tab', { name: 'Topology' }).click();
  assert.deepEqual(errors, [], 'no console errors');
});

test('classroom mode: large type and high contrast, remembered across a reload', async () => {
  const { page, errors } = browser;
  await page.goto(server.url);
  await ready(page);
  const toggle = page.getByRole('button', { name: 'Classroom mode' });
  assert.equal(await toggle.getAttribute('aria-pressed'), 'false');
  await toggle.click();
  assert.equal(await toggle.getAttribute('aria-pressed'), 'true');
  const rootFont = () => page.evaluate(() => getComputedStyle(document.documentElement).fontSize);
  assert.equal(await rootFont(), '20px');
  await page.reload();
  await ready(page);
  assert.equal(await page.evaluate(() => document.documentElement.classList.contains('classroom')), true);
  await screenshot(page, 'classroom-mode');
  await page.getByRole('button', { name: 'Classroom mode' }).click();
  assert.equal(await rootFont(), '16px');
  assert.deepEqual(errors, [], 'no console errors');
});

test("the Storage tab browses a pod's volume files, read-only", async () => {
  const { page, errors } = browser;
  await page.goto(server.url);
  await ready(page);
  const { output, run, paste } = terminal(page);
  await run('kubectl create configmap site --from-literal=index.html=hello');
  await output.getByText('configmap/site created').waitFor();
  await paste('kubectl apply -f - <<EOF\napiVersion: v1\nkind: Pod\nmetadata:\n  name: notes\nspec:\n  containers:\n  - name: c\n    image: busybox\n    command: ["sh", "-c", "echo note > /scratch/a.txt; sleep 3600"]\n    volumeMounts:\n    - {name: scratch, mountPath: /scratch}\n    - {name: site, mountPath: /site}\n  volumes:\n  - name: scratch\n    emptyDir: {}\n  - name: site\n    configMap:\n      name: site\nEOF\n');
  await output.getByText('pod/notes created').waitFor();
  await run('sleep 20');
  await page.getByRole('tab', { name: 'Storage' }).click();
  await page.getByRole('button', { name: 'Browse the files of volume scratch in pod default/notes' }).click();
  const files = page.getByRole('region', { name: 'Files of volume scratch in pod default/notes' });
  await files.getByRole('button', { name: '/a.txt' }).click();
  assert.equal(await files.locator('pre').textContent(), 'note\n');
  assert.match(await files.locator('[data-file="/a.txt"]').textContent(), /-rw-r--r-- 5 B/);
  await page.getByRole('button', { name: 'Browse the files of volume site in pod default/notes' }).click();
  const site = page.getByRole('region', { name: 'Files of volume site in pod default/notes' });
  await site.getByRole('button', { name: /index\.html$/ }).first().click();
  assert.equal(await site.locator('pre').textContent(), 'hello');
  await screenshot(page, 'storage-file-browser');
  await run('kubectl delete pod notes --grace-period=0 --force');
  await site.getByText('No kubelet runs this pod right now, so its volume has no files to show.').waitFor();
  assert.deepEqual(errors, [], 'no console errors');
});
