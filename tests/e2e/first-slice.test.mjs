// The first end-to-end slice: the real page, built by trunk, answers `kubectl get nodes` in its terminal
// and draws the same five nodes in its topology.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { serveDist, openBrowser, screenshot } from './harness.mjs';

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

test('the page gets ready, answers kubectl get nodes and draws five nodes', async () => {
  const { page, errors } = browser;
  await page.goto(server.url);
  await page.waitForFunction(() => document.body.dataset.clusterReady === 'true', null, { timeout: 15000 });
  const marks = await page.evaluate(() => performance.getEntriesByName('kubeground-ready').length);
  assert.equal(marks, 1, 'performance.mark("kubeground-ready") is set once');

  const input = page.getByRole('textbox', { name: 'Terminal input' });
  await input.fill('kubectl get nodes');
  await input.press('Enter');
  const output = page.getByRole('log', { name: 'Terminal output' });
  await output.getByText('worker-2', { exact: false }).waitFor();
  const text = await output.innerText();
  const rows = text.split('\n').filter((l) => /^(control-plane-\d|worker-\d)\s+Ready\s/.test(l));
  assert.equal(rows.length, 5, `five node rows in:\n${text}`);
  assert.match(text, /NAME\s+STATUS\s+ROLES\s+AGE\s+VERSION/);

  const topology = page.getByRole('img', { name: 'Cluster topology' });
  assert.equal(await topology.locator('[data-node][data-role]').count(), 5);
  // The static control-plane pods run inside their nodes from the start (one etcd member per control-plane node).
  assert.equal(await topology.locator('[data-pod^="kube-system/etcd-"][data-phase="Running"]').count(), 3);
  assert.equal(await topology.locator('[data-role="control-plane"]').count(), 3);
  assert.equal(await topology.locator('[data-role="worker"][data-status="Ready"]').count(), 2);

  await screenshot(page, 'first-slice-get-nodes');
  assert.deepEqual(errors, [], 'no console errors');
});

test('history recalls the previous command with the up arrow', async () => {
  const { page } = browser;
  const input = page.getByRole('textbox', { name: 'Terminal input' });
  await input.fill('kubectl version');
  await input.press('Enter');
  await input.press('ArrowUp');
  assert.equal(await input.inputValue(), 'kubectl version');
  await input.press('ArrowUp');
  assert.equal(await input.inputValue(), 'kubectl get nodes');
  await input.press('ArrowDown');
  await input.press('ArrowDown');
  assert.equal(await input.inputValue(), '');
});

test('simulated time runs, pauses and steps', async () => {
  const { page } = browser;
  await page.getByRole('button', { name: 'Pause' }).click();
  const clock = page.locator('.clock');
  const paused = await clock.innerText();
  await page.waitForTimeout(400);
  assert.equal(await clock.innerText(), paused, 'the clock stands still while paused');
  await page.getByRole('button', { name: 'Step' }).click();
  assert.notEqual(await clock.innerText(), paused, 'Step advances simulated time');
  await page.getByRole('combobox', { name: 'Speed' }).selectOption('60');
  await page.getByRole('button', { name: 'Play' }).click();
  const input = page.getByRole('textbox', { name: 'Terminal input' });
  await page.waitForTimeout(1500);
  await input.fill('kubectl get node worker-1 --no-headers');
  await input.press('Enter');
  const output = page.getByRole('log', { name: 'Terminal output' });
  const last = (await output.innerText()).trim().split('\n').pop();
  assert.match(last, /^worker-1\s+Ready\s+<none>\s+(\d+s|\dm\d*s?)\s+v1\.34\.0$/, last);
  assert.doesNotMatch(last, /\s0s\s/, 'AGE moved with simulated time');
  await screenshot(page, 'first-slice-time');
});

test('a pod started from the terminal appears in its node and comes up Running', async () => {
  const { page, errors } = browser;
  const input = page.getByRole('textbox', { name: 'Terminal input' });
  await input.fill('kubectl run web --image=nginx:1.27');
  await input.press('Enter');
  const output = page.getByRole('log', { name: 'Terminal output' });
  await output.getByText('pod/web created', { exact: false }).waitFor();
  const topology = page.getByRole('img', { name: 'Cluster topology' });
  const pod = topology.locator('[data-pod="default/web"]');
  await pod.waitFor();
  // Simulated time runs in real time: the image pull takes a couple of simulated seconds.
  await page.waitForSelector('[data-pod="default/web"][data-phase="Running"]', { timeout: 20000 });
  const node = await pod.getAttribute('data-node');
  assert.match(node, /^worker-[12]$/, 'scheduled onto a worker');
  await input.fill('kubectl get pod web -o wide');
  await input.press('Enter');
  await output.getByText(/web\s+1\/1\s+Running/).waitFor();
  await screenshot(page, 'pod-running');
  assert.deepEqual(errors, [], 'no console errors');
});

test('kubectl edit opens the editor; an invalid save comes back with the reason, a valid one is applied', async () => {
  const { page, errors } = browser;
  const input = page.getByRole('textbox', { name: 'Terminal input' });
  const output = page.getByRole('log', { name: 'Terminal output' });
  await input.fill('kubectl create deployment shop --image=nginx:1.27');
  await input.press('Enter');
  await output.getByText('deployment.apps/shop created').waitFor();
  await input.fill('kubectl edit deployment shop');
  await input.press('Enter');
  const editor = page.getByRole('dialog', { name: 'kubectl edit deployment.apps/shop' });
  const text = editor.getByRole('textbox', { name: 'Object being edited' });
  await text.waitFor();
  const buffer = await text.inputValue();
  assert.match(buffer, /^# Please edit the object below\. Lines beginning with a '#' will be ignored,\n/);
  assert.match(buffer, /\nkind: Deployment\n/);

  await text.fill(buffer.replace('replicas: 1', 'replicas: -1'));
  await editor.getByRole('button', { name: 'Save' }).click();
  await page.waitForFunction(() => document.querySelector('.editor-text')?.value.includes('was not valid'));
  assert.match(await text.inputValue(),
    /# deployments\.apps "shop" was not valid:\n# \* spec\.replicas: Invalid value: -1: must be greater than or equal to 0\n/);

  await text.fill((await text.inputValue()).replace('replicas: -1', 'replicas: 2'));
  await editor.getByRole('button', { name: 'Save' }).click();
  await output.getByText('deployment.apps/shop edited').waitFor();
  assert.equal(await page.locator('.editor').count(), 0, 'the editor closes');
  await input.fill('kubectl get deployment shop -o jsonpath={.spec.replicas}');
  await input.press('Enter');
  await output.getByText(/^2$/).waitFor();

  await input.fill('kubectl edit deployment shop');
  await input.press('Enter');
  await editor.getByRole('button', { name: 'Cancel' }).click();
  await output.getByText('Edit cancelled, no changes made.').waitFor();
  await screenshot(page, 'kubectl-edit');
  assert.deepEqual(errors, [], 'no console errors');
});

test('a request and a lookup from a pod replay hop by hop in the Network and DNS tabs', async () => {
  const { page, errors } = browser;
  const input = page.getByRole('textbox', { name: 'Terminal input' });
  const output = page.getByRole('log', { name: 'Terminal output' });
  const run = async (line) => {
    await input.fill(line);
    await input.press('Enter');
  };
  await run('kubectl create deployment shopweb --image=nginx --replicas=2');
  await run('kubectl expose deployment shopweb --port=80');
  await run('kubectl run probe --image=busybox --restart=Never -- sleep 3600');
  await output.getByText('pod/probe created').waitFor();
  // `sleep` moves simulated time on, as in a script: the pods are up 30 s later.
  await run('sleep 30');
  await run('kubectl exec probe -- wget -qO- -T 2 http://shopweb');
  await output.getByText('Welcome to nginx!').first().waitFor();

  await page.getByRole('tab', { name: 'Network' }).click();
  const requests = page.getByRole('list', { name: 'Requests' });
  await requests.waitFor();
  const trace = requests.locator('li.trace').first();
  assert.match(await trace.getAttribute('data-outcome'), /^HTTP 200 OK$/);
  const hops = await trace.locator('li.step').evaluateAll((els) => els.map((e) => e.dataset.hop));
  assert.deepEqual(hops.slice(0, 3), ['source', 'bridge', 'kube-proxy']);
  assert.equal(hops.at(-1), 'deliver');
  assert.match(await trace.locator('li.step[data-hop="kube-proxy"]').innerText(), /KUBE-SVC-\w{16} jumped to KUBE-SEP-\w{16}/);
  const row = page.locator('tr[data-service="default/shopweb"]');
  assert.match(await row.innerText(), /10\.244\.\d+\.\d+, 10\.244\.\d+\.\d+/);
  await screenshot(page, 'network-tab');

  // The picture: a pod straight to a pod on another node, across the overlay, replayed hop by hop.
  const picture = page.getByRole('img', { name: 'Network picture' });
  await picture.waitFor();
  const probeNode = await picture.locator('[data-el="pod:default/probe"]').evaluate((el) => el.closest('[data-node]').dataset.node);
  const nodes = await picture.locator('g.net-node').evaluateAll((els) => els.map((e) => e.dataset.node));
  assert.equal(nodes.length, 5, 'every node is drawn');
  const other = nodes.find((n) => n !== probeNode && n.startsWith('worker'));
  await run('kubectl get pods -o wide');
  await output.getByText('shopweb-').first().waitFor();
  // A pod of our own on the other worker, by its node name, to be sure the request crosses nodes.
  await run(`kubectl run far --image=nginx --overrides='{"spec":{"nodeName":"${other}"}}'`);
  await output.getByText('pod/far created').waitFor();
  await run('sleep 20');
  const farIp = await picture.locator('[data-el="pod:default/far"]').getAttribute('data-ip');
  assert.match(farIp, /^10\.244\.\d+\.\d+$/);
  await run(`kubectl exec probe -- wget -qO- -T 2 http://${farIp}`);
  await page.waitForFunction(() => document.querySelectorAll('li.trace').length >= 2);
  const caption = page.locator('.hop-caption');
  assert.match(await caption.innerText(), new RegExp(`connect to ${farIp.replaceAll('.', '\\.')}:80 from default/probe: 4 hops → HTTP 200 OK`));
  const lit = () => picture.locator('.el.on, .wire.on').evaluateAll((els) => els.map((e) => e.dataset.el).sort());
  assert.deepEqual(await lit(), [
    `cni0:${other}`, `cni0:${probeNode}`, `eth0:${other}`, `eth0:${probeNode}`, `flannel:${other}`, `flannel:${probeNode}`,
    'pod:default/far', 'pod:default/probe', 'veth:default/far', 'veth:default/probe', `wire:${probeNode}>${other}`,
  ].sort(), 'the whole path is lit');
  await page.getByRole('button', { name: 'Previous hop' }).click();
  await page.getByRole('button', { name: 'Previous hop' }).click();
  await page.getByRole('button', { name: 'Previous hop' }).click();
  assert.match(await caption.innerText(), /^Hop 1 of 4: leaves pod default\/probe/);
  assert.deepEqual(await lit(), ['pod:default/probe']);
  await page.getByRole('button', { name: 'Next hop' }).click();
  await page.getByRole('button', { name: 'Next hop' }).click();
  assert.match(await caption.innerText(), /^Hop 3 of 4: flannel\.1 on /);
  assert.deepEqual(await lit(), [`eth0:${other}`, `eth0:${probeNode}`, `flannel:${other}`, `flannel:${probeNode}`, `wire:${probeNode}>${other}`].sort());
  assert.equal(await picture.locator('.el.seen').count() > 0, true, 'the hops before stay marked');
  const scroller = page.locator('.netmap-scroll');
  const [left, width] = await scroller.evaluate((d) => [d.scrollLeft, d.clientWidth]);
  const onBox = await picture.locator('.el.on').first().boundingBox();
  const box = await scroller.boundingBox();
  assert.ok(onBox.x >= box.x - 1 && onBox.x <= box.x + width, `the hop shown is scrolled into view (scrollLeft ${left})`);
  await page.setViewportSize({ width: 2400, height: 1200 });
  await picture.screenshot({ path: await screenshot(page, 'network-picture-vxlan') });
  await page.setViewportSize({ width: 1280, height: 720 });
  // Replay plays the hops one by one and stops at the last.
  await page.getByRole('button', { name: 'Replay hop by hop' }).click();
  await page.waitForFunction(() => document.querySelector('.hop-caption')?.dataset.step === '4', null, { timeout: 10000 });
  assert.deepEqual(await lit(), ['cni0:' + other, 'pod:default/far', 'veth:default/far'].sort());
  // An earlier request is drawn when chosen.
  await page.locator('li.trace').nth(1).getByRole('button', { name: 'Show on the picture' }).click();
  assert.match(await caption.innerText(), /connect to shopweb:80 from default\/probe/);
  assert.equal(await picture.locator('[data-el^="iptables:"].on').count(), 1, "kube-proxy's rules chose the endpoint");

  await page.getByRole('tab', { name: 'DNS' }).click();
  const lookups = page.getByRole('list', { name: 'Lookups' });
  await lookups.waitFor();
  const walk = lookups.locator('li.trace').first();
  const steps = await walk.locator('li.step').evaluateAll((els) => els.map((e) => [e.dataset.hop, e.textContent]));
  const resolver = steps.find(([h]) => h === 'resolver');
  assert.ok(resolver, 'the resolv.conf step is shown');
  assert.match(resolver[1], /search default\.svc\.cluster\.local svc\.cluster\.local cluster\.local; 0 dot\(s\) < ndots:5/);
  const query = steps.find(([h]) => h === 'query');
  assert.match(query[1], /asks 10\.96\.0\.10 for shopweb\.default\.svc\.cluster\.local \(search domain default\.svc\.cluster\.local\)/);
  await screenshot(page, 'dns-tab');

  // Try a name without a pod: the walk a pod in namespace default would make, nothing sent.
  await page.getByRole('textbox', { name: 'Name to look up' }).fill('shopweb.default');
  await page.getByRole('button', { name: 'Look up' }).click();
  const whatIf = page.getByRole('list', { name: 'Try a name' }).locator('li.trace');
  const tried = await whatIf.locator('li.step').evaluateAll((els) => els.map((e) => [e.dataset.hop, e.textContent]));
  assert.deepEqual(tried.map(([h]) => h), ['resolver', 'kube-proxy', 'query', 'answer', 'query', 'answer']);
  assert.equal(tried[3][1], 'shopweb.default.default.svc.cluster.local: NXDOMAIN');
  assert.match(tried[5][1], /^shopweb\.default\.svc\.cluster\.local: A 10\.\d+\.\d+\.\d+$/);
  assert.match(await whatIf.getAttribute('data-outcome'), /^10\.\d+\.\d+\.\d+$/);
  await screenshot(page, 'dns-try-a-name');
  await page.getByRole('tab', { name: 'Topology' }).click();
  assert.deepEqual(errors, [], 'no console errors');
});
