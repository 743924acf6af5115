// kubeground's service worker: the page works offline after its first visit. Network first (so a new build is
// picked up at once), the cache when the network is gone. On install it stores the page and every file the
// page names (its script, WebAssembly, style, manifest and icon), so the very first visit is enough.
const CACHE = 'kubeground-v1';

self.addEventListener('install', (event) => {
  event.waitUntil((async () => {
    const cache = await caches.open(CACHE);
    const page = await fetch('./', { cache: 'no-store' });
    const html = await page.clone().text();
    await cache.put('./', page);
    const names = [...html.matchAll(/(?:href|src)="([^"#]+)"/g)].map((m) => m[1])
      .filter((u) => !u.startsWith('data:') && !/^[a-z]+:\/\//.test(u));
    await Promise.all(names.map((u) => cache.add(new Request(u, { cache: 'no-store' })).catch(() => {})));
    await self.skipWaiting();
  })());
});

self.addEventListener('activate', (event) => {
  event.waitUntil((async () => {
    for (const name of await caches.keys()) if (name !== CACHE) await caches.delete(name);
    await self.clients.claim();
  })());
});

self.addEventListener('fetch', (event) => {
  const url = new URL(event.request.url);
  if (event.request.method !== 'GET' || url.origin !== self.location.origin) return;
  event.respondWith((async () => {
    const cache = await caches.open(CACHE);
    try {
      const response = await fetch(event.request);
      if (response.ok) await cache.put(event.request, response.clone());
      return response;
    } catch (offline) {
      // The page itself is kept as './': any path with a share link or ?query opens it.
      const hit = await cache.match(event.request, { ignoreSearch: true })
        ?? (event.request.mode === 'navigate' ? await cache.match('./') : undefined);
      if (hit) return hit;
      throw offline;
    }
  })());
});
