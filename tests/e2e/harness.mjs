// Shared end-to-end helpers: serve dist/ on a free loopback port, launch Debian's Chromium with a fresh
// profile, and save screenshots under tests/e2e/output/.
import { createServer } from 'node:http';
import { readFile, mkdir, mkdtemp, rm } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const here = path.dirname(fileURLToPath(import.meta.url));
export const root = path.resolve(here, '../..');
export const dist = path.join(root, 'dist');
export const outputDir = path.join(here, 'output');

const types = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript', '.wasm': 'application/wasm',
  '.css': 'text/css', '.json': 'application/json', '.svg': 'image/svg+xml', '.png': 'image/png',
  '.webmanifest': 'application/manifest+json',
};

/** Serves dist/ on 127.0.0.1 at a free port; resolves to { url, close }. */
export async function serveDist() {
  if (!existsSync(path.join(dist, 'index.html'))) {
    throw new Error(`${dist}/index.html is missing: build the page first (trunk build --release)`);
  }
  const server = createServer(async (req, res) => {
    const url = new URL(req.url, 'http://localhost');
    let file = path.normalize(path.join(dist, decodeURIComponent(url.pathname)));
    if (!file.startsWith(dist)) { res.writeHead(403).end(); return; }
    if (url.pathname.endsWith('/')) file = path.join(file, 'index.html');
    try {
      const body = await readFile(file);
      res.writeHead(200, { 'content-type': types[path.extname(file)] ?? 'application/octet-stream' });
      res.end(body);
    } catch {
      res.writeHead(404).end('not found');
    }
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address();
  return { url: `http://127.0.0.1:${port}/`, close: () => new Promise((r) => server.close(r)) };
}

function chromiumPath() {
  for (const name of ['chromium', 'chromium-browser']) {
    try {
      return execFileSync('sh', ['-c', `command -v ${name}`]).toString().trim();
    } catch { /* try the next name */ }
  }
  throw new Error("Debian's chromium is not installed: run scripts/setup.sh --test");
}

/** A fresh browser profile; resolves to { context, page, close }. Console errors fail the test via `errors`. */
export async function openBrowser() {
  const profile = await mkdtemp(path.join(tmpdir(), 'kubeground-e2e-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: chromiumPath(),
    headless: true,
    viewport: { width: 1280, height: 720 },
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage'],
  });
  const page = context.pages()[0] ?? await context.newPage();
  const errors = [];
  page.on('console', (msg) => { if (msg.type() === 'error') errors.push(msg.text()); });
  page.on('pageerror', (err) => errors.push(String(err)));
  return {
    context, page, errors,
    close: async () => { await context.close(); await rm(profile, { recursive: true, force: true }); },
  };
}

export async function screenshot(page, name) {
  await mkdir(outputDir, { recursive: true });
  const file = path.join(outputDir, `${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
  return file;
}

/** Resolves once the page's engine runs (CONTRACT §5's ready signal). */
export const ready = (page) =>
  page.waitForFunction(() => document.body.dataset.clusterReady === 'true', null, { timeout: 20000 });

/**
 * The terminal by its accessible names: `run` types a line and presses Enter; `paste` pastes several lines at
 * once (a heredoc with its manifest), as a learner's paste does.
 */
export function terminal(page, names = { input: 'Terminal input', output: 'Terminal output' }) {
  const input = page.getByRole('textbox', { name: names.input });
  const output = page.getByRole('log', { name: names.output });
  const run = async (line) => {
    await input.fill(line);
    await input.press('Enter');
  };
  const paste = async (text) => {
    await input.evaluate((el, text) => {
      const data = new DataTransfer();
      data.setData('text/plain', text);
      el.dispatchEvent(new ClipboardEvent('paste', { clipboardData: data, bubbles: true, cancelable: true }));
    }, text);
  };
  return { input, output, run, paste };
}
