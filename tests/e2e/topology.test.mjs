// The topology explains the cluster: control-plane components with their leaders and the etcd quorum, the
// scheduler's queue with its reason, Services with lines to their endpoints, pods by owner. Clicking opens the
// inspector (describe, YAML, Events, the scheduler's table), whose buttons act through the terminal; "Run until
// idle" lets time pass until the cluster settles.
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

test('components, quorum, queue, Services and owners; the inspector describes and acts', async () => {
  const { page, errors } = browser;
  await page.goto(server.url);
  await ready(page);
  const { output, run, paste } = terminal(page);
  const topology = page.getByRole('img', { name: 'Cluster topology' });

  // Every control-plane node runs the four components; one scheduler and one controller-manager lead.
  for (const c of ['etcd', 'kube-apiserver', 'kube-scheduler', 'kube-controller-manager', 'kubelet', 'kube-proxy']) {
    assert.equal(await topology.locator(`[data-role="control-plane"] [data-component="${c}"][data-health="up"]`).count(), 3, c);
  }
  assert.equal(await topology.locator('[data-component="kube-scheduler"][data-leader="true"]').count(), 1);
  assert.equal(await topology.locator('[data-component="kube-controller-manager"][data-leader="true"]').count(), 1);
  assert.equal(await topology.locator('[data-etcd="healthy"]').textContent(), 'etcd quorum: 3/3 members up');
  // The kubernetes Service's lines end at the three API servers; kube-dns's at the two CoreDNS pods.
  assert.equal(await topology.locator('.endpoint-line[data-service="default/kubernetes"]').count(), 3);
  assert.equal(await topology.locator('.endpoint-line[data-service="kube-system/kube-dns"]').count(), 2);

  // A Deployment behind a Service, and a pod no node can take.
  await run('kubectl create deployment web --image=nginx --replicas=3');
  await output.getByText('deployment.apps/web created').waitFor();
  await run('kubectl expose deployment web --port=80');
  await output.getByText('service/web exposed').waitFor();
  await paste('kubectl apply -f - <<EOF\napiVersion: v1\nkind: Pod\nmetadata:\n  name: picky\nspec:\n  nodeSelector:\n    disk: ssd\n  containers:\n  - name: app\n    image: nginx\nEOF\n');
  await output.getByText('pod/picky created').waitFor();
  await page.getByRole('button', { name: 'Run until idle' }).click();
  await page.waitForFunction(() => document.querySelectorAll('.endpoint-line[data-service="default/web"]').length === 3);
  assert.equal(await topology.locator('[data-owner="Deployment/web"][data-phase="Running"]').count(), 3);
  await page.getByRole('list', { name: 'Workloads' }).getByText(/^Deployment\/web → ReplicaSet\/web-\w+ → 3 pods$/).waitFor();
  const queued = topology.locator('[data-queued="default/picky"]');
  await queued.waitFor();
  assert.equal(await topology.locator('.scheduler-queue').getAttribute('data-pending'), '1');
  assert.match(await queued.getAttribute('aria-label'), /default\/picky: 0\/5 nodes are available: .*didn't match Pod's node affinity\/selector/);
  await screenshot(page, 'topology-components-queue-services');

  // The queued pod in the inspector: the scheduler's table shows every node turned down and by which filter.
  await queued.click();
  const inspector = page.getByRole('complementary', { name: 'Inspector' });
  await inspector.getByRole('heading', { name: 'pod/picky' }).waitFor();
  assert.match(await inspector.locator('[data-view="describe"]').textContent(), /^Name:\s+picky\n/);
  await inspector.getByRole('button', { name: 'Scheduler' }).click();
  assert.equal(await inspector.locator('.scheduler-table tr.rejected').count(), 5);
  assert.match(await inspector.locator('.scheduler-table [data-node="worker-1"]').textContent(), /NodeAffinity: node\(s\) didn't match Pod's node affinity\/selector/);
  await inspector.getByRole('button', { name: 'YAML' }).click();
  assert.match(await inspector.locator('[data-view="yaml"]').textContent(), /^apiVersion: v1\nkind: Pod\n/);

  // A web pod: its controller is one click away, and Delete runs kubectl in the terminal.
  const webPod = topology.locator('[data-owner="Deployment/web"]').first();
  const podName = (await webPod.getAttribute('data-pod')).split('/')[1];
  await webPod.click();
  await inspector.getByRole('heading', { name: `pod/${podName}` }).waitFor();
  await inspector.getByRole('button', { name: 'Events' }).click();
  await inspector.locator('[data-view="events"]').getByText('Scheduled').waitFor();
  await inspector.getByRole('button', { name: 'Delete' }).click();
  await output.getByText(`pod "${podName}" deleted from default namespace`).waitFor();
  await output.getByText(`$ kubectl delete pod ${podName}`).waitFor();
  await inspector.getByText('This object no longer exists.').waitFor();

  // The Deployment from the Workloads list: scale it from the inspector.
  await page.getByRole('list', { name: 'Workloads' }).getByRole('button').first().click();
  await inspector.getByRole('heading', { name: 'deployment.apps/web' }).waitFor();
  await inspector.getByRole('spinbutton', { name: 'Replicas' }).fill('4');
  await inspector.getByRole('button', { name: 'Scale' }).click();
  await output.getByText('deployment.apps/web scaled').waitFor();
  await page.getByRole('button', { name: 'Run until idle' }).click();
  await page.waitForFunction(() => document.querySelectorAll('[data-owner="Deployment/web"][data-phase="Running"]').length === 4);

  // Stopping two control-plane nodes from the inspector loses etcd's quorum; the picture says so.
  for (const node of ['control-plane-2', 'control-plane-3']) {
    await page.keyboard.press('Escape');
    await inspector.waitFor({ state: 'detached' });
    await topology.locator(`[data-node="${node}"] .node-name`).click();
    await inspector.getByRole('heading', { name: `node/${node}` }).waitFor();
    await inspector.getByRole('button', { name: 'Stop node' }).click();
    await output.getByText(`$ minikube node stop ${node}`).waitFor();
    await inspector.getByRole('button', { name: 'Start node' }).waitFor();
  }
  assert.equal(await topology.locator('[data-etcd="lost"]').textContent(),
    'etcd quorum lost: 1/3 members up — the API server can neither read nor write');
  assert.equal(await topology.locator('[data-node="control-plane-2"][data-running="false"] [data-component="etcd"][data-health="down"]').count(), 1);
  await screenshot(page, 'topology-quorum-lost-inspector');
  assert.deepEqual(errors, [], 'no console errors');
});

test('the picture works by keyboard: Tab reaches a pod, Enter inspects it', async () => {
  const { page, errors } = browser;
  await page.goto(server.url);
  await ready(page);
  const coredns = page.locator('[data-pod^="kube-system/coredns-"]').first();
  await coredns.focus();
  await page.keyboard.press('Enter');
  const inspector = page.getByRole('complementary', { name: 'Inspector' });
  await inspector.getByRole('heading', { name: /^pod\/coredns-/ }).waitFor();
  await inspector.getByRole('button', { name: /^Controlled by replicaset\.apps\/coredns-/ }).click();
  await inspector.getByRole('heading', { name: /^replicaset\.apps\/coredns-\w+ -n kube-system$/ }).waitFor();
  assert.deepEqual(errors, [], 'no console errors');
});

test('the timeline rewinds to an earlier moment, comes back, and can continue from there', async () => {
  const { page, errors } = browser;
  await page.goto(server.url);
  await ready(page);
  await page.evaluate(() => localStorage.clear());
  page.once('dialog', (d) => d.accept());
  await page.getByRole('button', { name: 'Reset cluster' }).click();
  const { output, run } = terminal(page);
  const webPods = () => page.locator('[data-pod][data-owner="Deployment/app"]').count();
  const timeline = page.getByRole('slider', { name: 'Timeline' });
  const rewindTo = (ms) => timeline.evaluate((el, ms) => {
    el.value = String(ms);
    el.dispatchEvent(new Event('change', { bubbles: true }));
  }, ms);

  await run('kubectl create deployment app --image=nginx');
  await output.getByText('deployment.apps/app created').waitFor();
  await page.getByRole('button', { name: 'Run until idle' }).click();
  const before = Number(await timeline.getAttribute('max'));
  await run('kubectl scale deployment app --replicas=3');
  await output.getByText('deployment.apps/app scaled').waitFor();
  await page.getByRole('button', { name: 'Run until idle' }).click();
  await page.waitForFunction(() => document.querySelectorAll('[data-owner="Deployment/app"][data-phase="Running"]').length === 3);

  // Back before the scale: one pod, time stopped, the moment named.
  await rewindTo(before - 1000);
  await page.getByRole('status').getByText(/^Showing t = /).waitFor();
  assert.equal(await webPods(), 1);
  await page.getByRole('button', { name: 'Back to now' }).click();
  await page.waitForFunction(() => document.querySelectorAll('[data-pod][data-owner="Deployment/app"]').length === 3);

  // Rewind and type: the session branches there, and says so.
  await rewindTo(before - 1000);
  assert.equal(await webPods(), 1);
  await run('kubectl get deployment app --no-headers');
  await output.getByText(/continued from t = \d+:\d\d:\d\d; the \d+ later entries of the session were dropped\./).waitFor();
  await output.getByText(/^app\s+1\/1\s+1\s+1\s+\S+$/).waitFor();
  assert.equal(await page.getByRole('button', { name: 'Back to now' }).count(), 0);
  await screenshot(page, 'timeline-continued');
  assert.deepEqual(errors, [], 'no console errors');
});

test('keyboard only: Tab to the terminal, run a command, reach the pod, inspect and delete it, Esc closes', async () => {
  const { page, errors } = browser;
  await page.goto(server.url);
  await ready(page);
  const focused = () => page.evaluate(() => {
    const el = document.activeElement;
    return { label: el?.getAttribute('aria-label') ?? '', pod: el?.dataset?.pod ?? '', tag: el?.tagName ?? '', text: el?.textContent ?? '' };
  });
  // Forward through the page until the terminal's input has the focus.
  let steps = 0;
  while ((await focused()).label !== 'Terminal input') {
    const f = await focused();
    if (f.tag === 'TEXTAREA') await page.keyboard.press('Escape'); // the manifest editor lets Tab leave after Esc
    await page.keyboard.press('Tab');
    assert.ok(++steps < 400, 'the terminal is reachable by Tab');
  }
  await page.keyboard.type('kubectl run kb --image=nginx');
  await page.keyboard.press('Enter');
  const output = page.getByRole('log', { name: 'Terminal output' });
  await output.getByText('pod/kb created').waitFor();
  await page.keyboard.type('sleep 10');
  await page.keyboard.press('Enter');
  await page.waitForSelector('[data-pod="default/kb"][data-phase="Running"]');
  // Back to the pod in the picture.
  steps = 0;
  while ((await focused()).pod !== 'default/kb') {
    const f = await focused();
    if (f.tag === 'TEXTAREA') await page.keyboard.press('Escape');
    await page.keyboard.press('Shift+Tab');
    assert.ok(++steps < 400, 'the pod is reachable by Shift+Tab');
  }
  await page.keyboard.press('Enter');
  const inspector = page.getByRole('complementary', { name: 'Inspector' });
  await inspector.getByRole('heading', { name: 'pod/kb' }).waitFor();
  steps = 0;
  while ((await focused()).text !== 'Delete') {
    await page.keyboard.press('Tab');
    assert.ok(++steps < 20, 'the Delete button follows in the inspector');
  }
  await page.keyboard.press('Enter');
  await output.getByText('pod "kb" deleted from default namespace').waitFor();
  await page.keyboard.press('Escape');
  await inspector.waitFor({ state: 'detached' });
  await screenshot(page, 'keyboard-walk');
  assert.deepEqual(errors, [], 'no console errors');
});
