/* The attendance scanner's service worker (scope /attendance/), rendered by
   attendance/scanner_views.py. It keeps what the scanner needs to open with no network: the
   scanner pages visited (network first, the copy when offline), their scripts, styles and the
   QR decoder (cache first, refreshed on a new version). The day's roster and the queued scans
   live in IndexedDB (static/js/scanner-db.js), never here; POSTs (the sync) always go to the
   network. Nothing is fetched from another site. */
"use strict";

const VERSION = {{ version | tojson }};
const CACHE = "talento-scanner-" + VERSION;
const ASSETS = {{ assets | tojson }};
const LAST_SCANNER = "/attendance/__last-scanner__";
const NETWORK_WAIT_MS = 4000;

self.addEventListener("install", (event) => {
  event.waitUntil(
    caches.open(CACHE).then((cache) => cache.addAll(ASSETS)).then(() => self.skipWaiting())
  );
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches.keys()
      .then((names) => Promise.all(
        names.filter((name) => name.startsWith("talento-scanner-") && name !== CACHE)
          .map((name) => caches.delete(name))))
      .then(() => self.clients.claim())
  );
});

function isScannerPage(url) {
  return /^\/attendance\/\d+\/\d{4}-\d{2}-\d{2}\/scanner$/.test(url.pathname);
}

function withTimeout(promise, ms) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error("timeout")), ms);
    promise.then((value) => { clearTimeout(timer); resolve(value); },
                 (error) => { clearTimeout(timer); reject(error); });
  });
}

async function scannerPage(request) {
  const cache = await caches.open(CACHE);
  try {
    const response = await withTimeout(fetch(request), NETWORK_WAIT_MS);
    if (response.ok && !response.redirected) {
      await cache.put(request.url, response.clone());
      await cache.put(LAST_SCANNER, response.clone());
    }
    return response;
  } catch (error) {
    const copy = await cache.match(request.url);
    if (copy) return copy;
    throw error;
  }
}

async function otherPage(request) {
  /* The attendance list and day pages need the network; offline, the installed app's start
     page (/attendance/) opens the last scanner used. */
  try {
    return await fetch(request);
  } catch (error) {
    const cache = await caches.open(CACHE);
    const copy = await cache.match(LAST_SCANNER);
    if (copy) return copy;
    throw error;
  }
}

async function asset(request) {
  const cache = await caches.open(CACHE);
  const copy = await cache.match(request.url, { ignoreSearch: false });
  if (copy) return copy;
  const response = await fetch(request);
  if (response.ok) await cache.put(request.url, response.clone());
  return response;
}

/* The page asks to keep itself (its first visit happened before this worker controlled it). */
self.addEventListener("message", (event) => {
  const path = event.data && event.data.keep;
  if (typeof path !== "string") return;
  const url = new URL(path, self.location.origin);
  if (url.origin !== self.location.origin || !isScannerPage(url)) return;
  event.waitUntil(scannerPage(new Request(url.href, { credentials: "same-origin" })).catch(() => {}));
});

self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET") return;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (request.mode === "navigate" && isScannerPage(url)) {
    event.respondWith(scannerPage(request));
  } else if (request.mode === "navigate" && url.pathname.startsWith("/attendance/")) {
    event.respondWith(otherPage(request));
  } else if (ASSETS.includes(url.pathname)) {
    event.respondWith(asset(request));
  }
});
