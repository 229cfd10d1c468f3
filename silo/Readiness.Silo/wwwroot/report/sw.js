// Keeps the reporting page's own files, so that it opens with no network. Only these files, fetched
// without a token, are ever cached: API answers (one token's data) go to the network untouched.
const CACHE = "readiness-report-1";
const SHELL = ["./", "report.js", "outbox.js", "labels.js", "report.css"];
const base = new URL("./", self.location).pathname;
const shell = new Set(SHELL.map((f) => new URL(f, self.location).pathname).concat(`${base}index.html`));

self.addEventListener("install", (event) => {
  event.waitUntil(caches.open(CACHE).then((cache) => cache.addAll(SHELL)).then(() => self.skipWaiting()));
});

self.addEventListener("activate", (event) => {
  event.waitUntil(caches.keys()
    .then((keys) => Promise.all(keys.filter((k) => k.startsWith("readiness-report-") && k !== CACHE).map((k) => caches.delete(k))))
    .then(() => self.clients.claim()));
});

self.addEventListener("fetch", (event) => {
  const request = event.request;
  const url = new URL(request.url);
  if (request.method !== "GET" || url.origin !== self.location.origin || !shell.has(url.pathname) || request.headers.has("authorization")) return;
  const key = url.pathname === `${base}index.html` ? base : url.pathname;
  // The network first, so that a new version is taken as soon as the silo can be reached; the kept copy when it cannot.
  event.respondWith(fetch(request).then((response) => {
    if (response.ok && response.type === "basic") {
      const copy = response.clone();
      caches.open(CACHE).then((cache) => cache.put(key, copy));
    }
    return response;
  }).catch(() => caches.match(key).then((kept) => kept ?? Response.error())));
});
