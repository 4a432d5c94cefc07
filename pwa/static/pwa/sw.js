// Service worker: the app shell works offline, GET data falls back to its last copy, and push
// messages become notifications that open the right screen.
const VERSION = "set-by-the-server"; // a hash of every shell file (pwa/views.py)
const SHELL = `shell-${VERSION}`;
// The data cache outlives releases: a new worker must not drop the copies an offline start needs (the
// session, today's entries). Signing out deletes it (api.js dropCachedData).
const DATA = "data-v1";
const SHELL_FILES = ["/"]; // the server lists every file, by its hashed URL in production

self.addEventListener("install", (event) => {
  event.waitUntil(caches.open(SHELL).then((cache) => cache.addAll(SHELL_FILES)).then(() => self.skipWaiting()));
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches.keys()
      .then((keys) => Promise.all(keys.filter((k) => ![SHELL, DATA].includes(k)).map((k) => caches.delete(k))))
      .then(() => self.clients.claim()),
  );
});

async function networkFirst(request, cacheName, fallbackUrl) {
  const cache = await caches.open(cacheName);
  try {
    const response = await fetch(request);
    if (response.ok) cache.put(fallbackUrl || request, response.clone());
    return response;
  } catch (error) {
    const cached = (await cache.match(fallbackUrl || request)) || (await caches.match(fallbackUrl || request));
    if (cached) return cached;
    throw error;
  }
}

self.addEventListener("fetch", (event) => {
  const request = event.request;
  const url = new URL(request.url);
  if (request.method !== "GET" || url.origin !== self.location.origin) return; // writes go to the network
  if (url.pathname.startsWith("/api/v1/export/") || url.pathname.startsWith("/admin/")) return; // never kept
  if (request.mode === "navigate") {
    // only the app's own page is the offline shell; other pages (admin, API docs) are not cached
    if (url.pathname === "/") event.respondWith(networkFirst(request, SHELL, "/"));
  } else if (url.pathname.startsWith("/api/v1/")) {
    event.respondWith(networkFirst(request, DATA));
  } else if (/\.[0-9a-f]{12}\.\w+$/.test(url.pathname)) {
    // named by its content (production): a cached copy is the right one, a release changes the name
    event.respondWith(caches.match(request).then((cached) => cached || networkFirst(request, SHELL)));
  } else if (url.pathname.startsWith("/static/")) {
    event.respondWith(networkFirst(request, SHELL)); // development: unhashed names, edits show at once
  } else if (url.pathname === "/manifest.webmanifest") {
    event.respondWith(networkFirst(request, SHELL));
  }
});

self.addEventListener("sync", (event) => {
  if (event.tag === "outbox") {
    event.waitUntil(self.clients.matchAll().then((all) => all.forEach((c) => c.postMessage({ type: "flush" }))));
  }
});

self.addEventListener("push", (event) => {
  let message = {};
  try { message = event.data ? event.data.json() : {}; } catch (e) { message = { body: event.data.text() }; }
  const title = message.title || "Magnesium tracker";
  event.waitUntil(
    self.registration.showNotification(title, {
      body: message.body || "",
      tag: message.tag || "reminder",
      icon: "/static/pwa/icons/icon-192.png",
      badge: "/static/pwa/icons/icon-192.png",
      data: { url: message.url || "/#/today" },
    }).then(() => self.clients.matchAll({ includeUncontrolled: true }))
      .then((all) => all.forEach((c) => c.postMessage({ type: "notification-shown", title }))),
  );
});

// A tap on a notification opens the screen it names: an open window of the app goes there (and gets
// the focus), else a new one opens.
async function openScreen(url) {
  const target = new URL(url || "/#/today", self.location.origin).href;
  const windows = await self.clients.matchAll({ type: "window", includeUncontrolled: true });
  const mine = windows.find((client) => new URL(client.url).origin === self.location.origin);
  if (!mine) return self.clients.openWindow(target);
  const shown = (await mine.navigate(target)) || mine;
  return shown.focus().catch(() => shown); // focus needs the tap's user activation
}

self.addEventListener("notificationclick", (event) => {
  event.notification.close();
  const opening = openScreen(event.notification.data?.url);
  // A click from the system is trusted; DevTools or a test may dispatch an untrusted one, which cannot
  // extend its lifetime but opens the screen all the same.
  if (event.isTrusted) event.waitUntil(opening);
});
