// The only way the app reaches data: the REST API under /api/v1/, with the session cookie and CSRF.
// Logs made offline wait in an IndexedDB outbox, each with its own UUID, and are replayed later: the
// API stores a replayed id once, so a replay never duplicates an entry.

const BASE = "/api/v1/";

export class ApiError extends Error {
  constructor(status, body) {
    super(typeof body?.detail === "string" ? body.detail : `HTTP ${status}`);
    this.status = status;
    this.body = body || {};
  }
}

function csrfToken() {
  const match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
  return match ? decodeURIComponent(match[1]) : "";
}

export async function api(path, { method = "GET", body } = {}) {
  const headers = { Accept: "application/json" };
  if (method !== "GET") {
    headers["X-CSRFToken"] = csrfToken(); // read at send time: a queued request may outlive a token
    headers["Content-Type"] = "application/json";
  }
  const response = await fetch(BASE + path, {
    method, headers, credentials: "same-origin", body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (response.status === 204) return null;
  const data = await response.json().catch(() => ({}));
  if (!response.ok) throw new ApiError(response.status, data);
  return data;
}

// A file sent as multipart form data (the imports' upload), with the session and CSRF.
export async function upload(path, form) {
  const response = await fetch(BASE + path, {
    method: "POST", headers: { Accept: "application/json", "X-CSRFToken": csrfToken() }, credentials: "same-origin", body: form,
  });
  const data = await response.json().catch(() => ({}));
  if (!response.ok) throw new ApiError(response.status, data);
  return data;
}

// --- The outbox ---------------------------------------------------------------------------------------

const DB_NAME = "magnesium-outbox";
const STORE = "requests";

function openDb() {
  return new Promise((resolve, reject) => {
    const request = indexedDB.open(DB_NAME, 1);
    request.onupgradeneeded = () => request.result.createObjectStore(STORE, { keyPath: "id" });
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
}

async function store(mode, work) {
  const db = await openDb();
  return new Promise((resolve, reject) => {
    const tx = db.transaction(STORE, mode);
    const result = work(tx.objectStore(STORE));
    tx.oncomplete = () => resolve(result?.result ?? result);
    tx.onerror = () => reject(tx.error);
  });
}

export async function pending() {
  const db = await openDb();
  return new Promise((resolve, reject) => {
    const request = db.transaction(STORE).objectStore(STORE).getAll();
    request.onsuccess = () => resolve(request.result.sort((a, b) => a.queuedAt - b.queuedAt));
    request.onerror = () => reject(request.error);
  });
}

const listeners = new Set();
export function onOutboxChange(listener) { listeners.add(listener); }
async function changed() { const items = await mine(); listeners.forEach((l) => l(items)); }

function isNetworkError(error) { return error instanceof TypeError || !navigator.onLine; }

// The account the outbox belongs to now: entries wait for the account that logged them.
let owner = null;
export function setOwner(username) { owner = username; changed(); }

// Log an entry (intakes/ or supplement-doses/) with a client id; offline, keep it for later.
// `label` and `mg` are what the UI shows while it waits; `counted` says whether its mg counts toward
// the day (a topical dose does not).
export async function logEntry(collection, payload, { label, mg, counted = true }) {
  const body = { id: crypto.randomUUID(), ...payload };
  if (navigator.onLine) {
    try {
      return { entry: await api(collection, { method: "POST", body }), queued: false };
    } catch (error) {
      // offline, or the server in trouble (5xx, 429): keep it and try again later; a 4xx is the user's to fix
      if (!isNetworkError(error) && !(error.status >= 500 || error.status === 429)) throw error;
    }
  }
  await store("readwrite", (s) => s.put({ id: body.id, owner, collection, body, label, mg, counted, queuedAt: Date.now() }));
  await changed();
  if ("serviceWorker" in navigator && "SyncManager" in window) {
    navigator.serviceWorker.ready.then((r) => r.sync.register("outbox")).catch(() => {});
  }
  return { entry: null, queued: true };
}

// Log several entries in one request (entries/batch/: all stored or none): a meal built in one go.
// ``items``: [{ collection, payload, label, mg }]. Offline or with the server in trouble, every entry
// waits in the outbox, as logEntry does; a 4xx is the user's to fix.
export async function logEntries(items) {
  const entries = items.map((item) => ({ ...item, body: { id: crypto.randomUUID(), ...item.payload } }));
  if (navigator.onLine) {
    try {
      const result = await api("entries/batch/", { method: "POST", body: { entries: entries.map((e) => ({ type: TYPES[e.collection], ...e.body })) } });
      return { result, queued: false };
    } catch (error) {
      if (!isNetworkError(error) && !(error.status >= 500 || error.status === 429)) throw error;
    }
  }
  for (const e of entries) {
    await store("readwrite", (s) => s.put({ id: e.body.id, owner, collection: e.collection, body: e.body, label: e.label, mg: e.mg, counted: true, queuedAt: Date.now() }));
  }
  await changed();
  if ("serviceWorker" in navigator && "SyncManager" in window) {
    navigator.serviceWorker.ready.then((r) => r.sync.register("outbox")).catch(() => {});
  }
  return { result: null, queued: true };
}

let flushing = null;
// Send what waits in one round trip: batches of up to 100 entries to entries/batch/, which stores all
// of a batch or none, and stores a replayed id once. A 2xx empties those entries from the outbox. A
// 400 or 409 names the entry that can never pass (invalid, or its id taken): that one leaves the
// outbox and the rest are sent again. Anything else (offline, signed out, a server restarting) stops
// and keeps everything for the next try.
export function flush() {
  if (!flushing) flushing = doFlush().finally(() => { flushing = null; });
  return flushing;
}

const BATCH = 100;
const TYPES = { "intakes/": "intake", "supplement-doses/": "supplement_dose" };

async function drop(items) {
  for (const item of items) await store("readwrite", (s) => s.delete(item.id));
}

// What a sync did, for the screens: entries stored, and entries the server refused (dropped from the
// outbox, with its first message). Called only when a sync sent or dropped something.
const syncListeners = new Set();
export function onSynced(listener) { syncListeners.add(listener); }

// The ids of the batch on its way: deleting one of them must wait for the answer (see discard).
const sending = new Set();

async function doFlush() {
  let sent = 0;
  const rejected = [];
  for (;;) {
    const items = (await mine()).slice(0, BATCH);
    if (!items.length) break;
    items.forEach((item) => sending.add(item.id));
    try {
      const entries = items.map((item) => ({ type: TYPES[item.collection], ...item.body }));
      await api("entries/batch/", { method: "POST", body: { entries } });
      sent += items.length;
      await drop(items);
    } catch (error) {
      if (isNetworkError(error) || ![400, 409].includes(error.status)) break;
      const named = Object.keys(error.body?.entries || {}).map(Number).filter((i) => items[i]);
      const refused = named.length ? named.map((i) => items[i]) : items;
      const first = Object.values(error.body?.entries || {})[0];
      const why = first && typeof first === "object" ? Object.values(first).flat().join(" ") : error.message;
      refused.forEach((item) => rejected.push({ label: item.label, message: why }));
      await drop(refused);
    } finally {
      items.forEach((item) => sending.delete(item.id));
    }
  }
  await changed();
  if (sent || rejected.length) syncListeners.forEach((listener) => listener({ sent, rejected }));
  return sent;
}

// The entries waiting for the signed-in account (another account's wait for it to sign in again).
export async function mine() {
  return (await pending()).filter((item) => item.owner === owner);
}

// Delete a waiting entry. Not sent yet: it leaves the outbox and never reaches the server. On its way
// in a sync: wait for the answer, and if it was stored, delete it there (its client id is its id).
export async function discard(item) {
  if (sending.has(item.id)) {
    await (flushing || Promise.resolve()).catch(() => {});
    if (!(await mine()).some((waiting) => waiting.id === item.id)) {
      await api(`${item.collection}${item.id}/`, { method: "DELETE" }).catch((error) => {
        if (error.status !== 404) throw error; // refused by the server: nothing to delete
      });
      await changed();
      return;
    }
  }
  await store("readwrite", (s) => s.delete(item.id));
  await changed();
}

// On deleting the account: its waiting entries go too.
export async function forgetMine() {
  for (const item of await mine()) await store("readwrite", (s) => s.delete(item.id));
  await changed();
}

// Signed out or deleted: no copy of this account's data may answer offline for the next person.
export async function dropCachedData() {
  if ("caches" in window) {
    for (const key of await caches.keys()) if (key.startsWith("data-")) await caches.delete(key);
  }
}
