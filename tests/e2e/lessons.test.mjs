// Lessons in the page: lesson 1 and lesson 9 played by typing (pasting) each step's reference solution, as
// the panel shows it, in English and in Japanese; every step must turn `done` and the lesson map marks the
// lesson finished. A reload keeps a lesson in progress.
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

const NAMES = {
  en: { region: 'Lesson', input: 'Terminal input', output: 'Terminal output', solution: 'Show solution', hide: 'Hide solution',
    back: 'Back to the sandbox', number: (n) => `Lesson ${n}` },
  ja: { region: 'レッスン', input: 'ターミナル入力', output: 'ターミナル出力', solution: '解答を見る', hide: '解答を隠す',
    back: 'サンドボックスに戻る', number: (n) => `レッスン ${n}` },
};

async function setLanguage(page, tag) {
  await page.getByRole('combobox', { name: 'Language' }).selectOption(tag);
  await page.waitForFunction((tag) => document.documentElement.lang === tag, tag);
}

const paste = (page, names, text) => terminal(page, { input: names.input, output: names.output }).paste(text);

/** Plays lesson `id` (number `n`) through the panel in language `tag`; returns the step ids. */
async function play(page, tag, id, n) {
  const names = NAMES[tag];
  const panel = page.getByRole('region', { name: names.region });
  await panel.getByRole('button', { name: new RegExp(`^${names.number(n)}\\b`) }).click();
  const lesson = panel.locator(`.lesson[data-lesson="${id}"]`);
  await lesson.waitFor();
  const steps = await lesson.locator('[data-step]').evaluateAll((els) => els.map((e) => e.dataset.step));
  assert.ok(steps.length > 0, `lesson ${id} has steps`);
  // The start state satisfies no step.
  assert.equal(await lesson.locator('[data-step][data-state="done"]').count(), 0);
  for (const step of steps) {
    const item = lesson.locator(`[data-step="${step}"]`);
    if ((await item.getAttribute('data-state')) === 'done') continue;
    assert.equal(await item.getAttribute('aria-current'), 'step', `${step} is the current step`);
    await item.getByRole('button', { name: names.solution }).click();
    const solution = await item.locator('pre.solution').innerText();
    await paste(page, names, solution);
    await page.waitForFunction(
      ([id, step]) => document.querySelector(`.lesson[data-lesson="${id}"] [data-step="${step}"]`)?.dataset.state === 'done',
      [id, step], { timeout: 60000 });
  }
  await lesson.locator('.lesson-complete').waitFor();
  assert.equal(await lesson.getAttribute('data-finished'), 'true');
  return steps;
}

for (const tag of ['en', 'ja']) {
  test(`lessons 1 and 9 played by their solutions (${tag})`, async () => {
    const { page, errors } = browser;
    await page.goto(server.url);
    await page.evaluate(() => localStorage.clear());
    await page.reload();
    await ready(page);
    await setLanguage(page, tag);
    const names = NAMES[tag];
    const panel = page.getByRole('region', { name: names.region });

    const first = await play(page, tag, 'cluster', 1);
    await screenshot(page, `lesson-1-${tag}`);
    await panel.getByRole('button', { name: names.back }).click();
    // The map marks lesson 1 finished.
    await panel.locator('[data-lesson="cluster"][data-finished="true"]').waitFor();

    const ninth = await play(page, tag, 'deployments', 9);
    await screenshot(page, `lesson-9-${tag}`);
    assert.ok(first.length >= 3 && ninth.length >= 3, 'both lessons have several steps');
    assert.deepEqual(errors, []);
  });
}

test('the troubleshooting challenge counts commands against each step\'s par', async () => {
  const { page, errors } = browser;
  await page.goto(server.url);
  await page.evaluate(() => localStorage.clear());
  await page.reload();
  await ready(page);
  const panel = page.getByRole('region', { name: 'Lesson' });
  const lesson = panel.locator('.lesson[data-lesson="troubleshooting"]');
  await play(page, 'en', 'troubleshooting', 20);
  // The reference solutions score exactly their pars, step by step and in total.
  const scores = await lesson.locator('.par[data-par]').evaluateAll((els) =>
    els.map((e) => [e.dataset.commands, e.dataset.par, e.dataset.beaten]));
  assert.ok(scores.length >= 4, JSON.stringify(scores));
  for (const [commands, par, beaten] of scores) {
    assert.equal(commands, par, JSON.stringify(scores));
    assert.equal(beaten, 'false');
  }
  await screenshot(page, 'lesson-20-par');
  assert.deepEqual(errors, []);
});

test('a lesson in progress survives a reload, and the sandbox waits behind it', async () => {
  const { page, errors } = browser;
  await page.goto(server.url);
  await page.evaluate(() => localStorage.clear());
  await page.reload();
  await ready(page);
  await setLanguage(page, 'en');
  const names = NAMES.en;
  const input = page.getByRole('textbox', { name: names.input });
  const output = page.getByRole('log', { name: 'Terminal output' });
  await input.fill('kubectl create deployment sandboxed --image=nginx:1.27');
  await input.press('Enter');
  await output.getByText('deployment.apps/sandboxed created').waitFor();

  const panel = page.getByRole('region', { name: names.region });
  await panel.getByRole('button', { name: /^Lesson 1\b/ }).click();
  const lesson = panel.locator('.lesson[data-lesson="cluster"]');
  const firstStep = lesson.locator('[data-step]').first();
  await firstStep.getByRole('button', { name: names.solution }).click();
  await paste(page, names, await firstStep.locator('pre.solution').innerText());
  await page.waitForFunction(() => document.querySelector('.lesson [data-step]')?.dataset.state === 'done');

  await page.reload();
  await ready(page);
  await page.locator('.lesson[data-lesson="cluster"] [data-step]').first().waitFor();
  assert.equal(await page.locator('.lesson [data-step]').first().getAttribute('data-state'), 'done');
  // The lesson's cluster has no sandbox deployment; back in the sandbox it is there.
  await input.fill('kubectl get deployments');
  await input.press('Enter');
  await output.getByText('No resources found in default namespace.').waitFor();
  await panel.getByRole('button', { name: names.back }).click();
  await input.fill('kubectl get deployment sandboxed --no-headers');
  await input.press('Enter');
  await output.getByText(/^sandboxed\s/).waitFor();
  assert.deepEqual(errors, []);
});
