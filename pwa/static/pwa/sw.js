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
  const actions = Array.isArray(message.actions) ? message.actions : [];
  event.waitUntil(
    flushAnswers().catch(() => {}) // a push means the network is back: answers waiting go first
      .then(() => self.registration.showNotification(title, {
        body: message.body || "",
        tag: message.tag || "reminder",
        icon: "/static/pwa/icons/icon-192.png",
        badge: "/static/pwa/icons/icon-192.png",
        // the browser shows as many buttons as it can (Notification.maxActions); a tap opens a screen
        // with every choice, for those that show none
        actions: actions.map((a) => ({ action: a.action, title: a.title })),
        data: { url: message.url || "/#/today", delivery: message.delivery, actions, dose: message.dose },
      }))
      .then(() => self.clients.matchAll({ includeUncontrolled: true }))
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

// --- Answers from the notification ------------------------------------------------------------------
// Taken, Snooze and Skip are signed links to one answer of one delivery (no session needed, so they
// work with the app closed). The server records an answer once: two taps, a retry or a replay after
// being offline store one dose. Offline, the answer waits in IndexedDB and is sent on the next chance
// (Background Sync, the next push, or the app opening).

const ANSWERS_DB = "magnesium-answers";

function answersDb() {
  return new Promise((resolve, reject) => {
    const request = indexedDB.open(ANSWERS_DB, 1);
    request.onupgradeneeded = () => request.result.createObjectStore("answers", { keyPath: "link" });
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
}

async function answersStore(mode, work) {
  const db = await answersDb();
  return new Promise((resolve, reject) => {
    const tx = db.transaction("answers", mode);
    const request = work(tx.objectStore("answers"));
    tx.oncomplete = () => resolve(request?.result);
    tx.onerror = () => reject(tx.error);
  });
}

// ``at``: when the user tapped (a dose tapped offline is logged at that time, not when it is sent)
async function postAnswer(link, at) {
  const response = await fetch(`${link}?via=push&at=${at}`, {
    method: "POST", headers: { Accept: "application/json" }, credentials: "omit", signal: AbortSignal.timeout(10000),
  });
  if (response.status >= 500 || response.status === 429) throw new TypeError(`server ${response.status}`); // try again later
  return { ok: response.ok, body: await response.json().catch(() => ({})) };
}

let flushingAnswers = null;
function flushAnswers() {
  if (!flushingAnswers) {
    flushingAnswers = (async () => {
      const waiting = (await answersStore("readonly", (store) => store.getAll())) || [];
      for (const item of waiting.sort((a, b) => a.at - b.at)) {
        const result = await postAnswer(item.link, item.at); // offline: throws, the rest waits too
        await answersStore("readwrite", (store) => store.delete(item.link)); // answered, or refused for good
        // said either way: the user was told it would be sent
        await self.registration.showNotification(item.title || "Magnesium tracker", {
          body: result.ok ? `Sent: ${result.body.message}` : `Not recorded: ${result.body.detail || "the link no longer works"}`,
          tag: item.tag || "answer", icon: "/static/pwa/icons/icon-192.png", data: { url: "/#/today" },
        });
      }
    })().finally(() => { flushingAnswers = null; });
  }
  return flushingAnswers;
}

async function confirm(notification, body) {
  // the reminder's notification is replaced by a short confirmation (same tag)
  await self.registration.showNotification(notification.title, {
    body, tag: notification.tag, icon: "/static/pwa/icons/icon-192.png", data: { url: "/#/today" },
  });
}

async function answerFromNotification(chosen, notification) {
  const at = Date.now();
  try {
    const result = await postAnswer(chosen.link, at);
    await confirm(notification, result.ok ? result.body.message : result.body.detail || "Not recorded.");
  } catch (error) {
    await answersStore("readwrite", (store) => store.put({ link: chosen.link, at, title: notification.title, tag: notification.tag }));
    if (self.registration.sync) self.registration.sync.register("answers").catch(() => {});
    await confirm(notification, `${chosen.title}: saved, it will be sent when you are online.`);
  }
  const all = await self.clients.matchAll({ includeUncontrolled: true });
  all.forEach((c) => c.postMessage({ type: "answered" }));
}

self.addEventListener("sync", (event) => {
  if (event.tag === "answers") event.waitUntil(flushAnswers());
});

self.addEventListener("message", (event) => {
  if (event.data?.type === "flush-answers") event.waitUntil(flushAnswers().catch(() => {}));
});

self.addEventListener("notificationclick", (event) => {
  event.notification.close();
  const data = event.notification.data || {};
  const actions = data.actions || [];
  const chosen = actions.find((a) => a.action === event.action);
  let work;
  if (chosen?.link) work = answerFromNotification(chosen, event.notification);
  else if (chosen?.open) work = openScreen(chosen.open);
  // a reminder that takes answers, tapped: the screen with all its choices (where buttons are not shown)
  else if (actions.some((a) => a.link || a.action === "taken")) work = openScreen(`/#/answer/${data.delivery}`);
  else work = openScreen(data.url);
  // A click from the system is trusted; DevTools or a test may dispatch an untrusted one, which cannot
  // extend its lifetime but runs all the same.
  if (event.isTrusted) event.waitUntil(work);
});
