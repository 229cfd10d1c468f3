// The browser's outbox: each report waits in IndexedDB, in the order it was made, until the silo has
// answered for it. The rules are the command line's (client/Readiness.Client/ReadinessOutbox.cs): a
// refusal (4xx) is kept as refused and the sync goes on; no network, 408, 429 and 5xx stop the sync with
// the report and every later one still queued; 401 and 403 stop it and ask for a new token. A report is
// sent under the command id it was given when it was made, so a resend (a tab closed mid-answer) is
// answered as already applied; one tab syncs at a time (a Web Lock), so two tabs never send it twice.

const DB = "readiness-report";
const STORE = "outbox";
const LOCK = "readiness-report-sync";
const channel = "BroadcastChannel" in self ? new BroadcastChannel("readiness-report") : null;
const listeners = new Set();

function open() {
  return new Promise((resolve, reject) => {
    const request = indexedDB.open(DB, 1);
    request.onupgradeneeded = () => request.result.createObjectStore(STORE, { keyPath: "seq", autoIncrement: true });
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
}

async function run(mode, work) {
  const db = await open();
  try {
    return await new Promise((resolve, reject) => {
      const tx = db.transaction(STORE, mode);
      let result;
      Promise.resolve(work(tx.objectStore(STORE))).then((r) => { result = r; });
      tx.oncomplete = () => resolve(result);
      tx.onerror = () => reject(tx.error);
      tx.onabort = () => reject(tx.error);
    });
  } finally {
    db.close();
  }
}

const request = (r) => new Promise((resolve, reject) => { r.onsuccess = () => resolve(r.result); r.onerror = () => reject(r.error); });

function changed() {
  channel?.postMessage("changed");
  for (const listener of listeners) listener();
}
if (channel) channel.onmessage = () => { for (const listener of listeners) listener(); };

/** Calls back whenever this tab or another changes the outbox. */
export const onChange = (listener) => listeners.add(listener);

/** Queues a report made now: its command id and occurredAt are fixed here, once. */
export async function enqueue(subject, description, command, label) {
  const entry = {
    subject, kind: description.name, path: description.path, actor: description.actor, label,
    commandId: command.commandId, occurredAt: command.occurredAt, queuedAt: new Date().toISOString(), command, state: "queued",
  };
  entry.seq = await run("readwrite", (store) => request(store.add(entry)));
  changed();
  return entry;
}

/** The subject's reports, oldest first. */
export const entries = (subject) => run("readonly", (store) => request(store.getAll())).then((all) => all.filter((e) => e.subject === subject));

async function update(seq, change) {
  await run("readwrite", async (store) => {
    const entry = await request(store.get(seq));
    if (entry) store.put({ ...entry, ...change });
  });
  changed();
}

/** Marks a sent report as shown in its actor's view. */
export const counted = (seq, view) => update(seq, { counted: true, countedAt: new Date().toISOString(), view });

/**
 * Sends the subject's queued reports in order. Answers what stopped it: null when every one was
 * answered, "offline", "busy" (the silo asks to wait), or "token" (sign in again).
 */
export async function sync(subject, token) {
  const work = async () => {
    for (const queued of (await entries(subject)).filter((e) => e.state === "queued")) {
      // Read again: another tab may have sent it before this one held the lock.
      const entry = await run("readonly", (store) => request(store.get(queued.seq)));
      if (entry?.state !== "queued") continue;
      let response;
      try {
        response = await fetch(entry.path, {
          method: "POST",
          headers: { "content-type": "application/json", accept: "application/json", authorization: `Bearer ${token}` },
          body: JSON.stringify(entry.command),
        });
      } catch {
        return "offline";
      }
      if (response.status === 401 || response.status === 403) return "token";
      if (response.status === 408 || response.status === 429 || response.status >= 500) return "busy";
      const body = await response.json().catch(() => ({}));
      await update(entry.seq, response.ok
        ? { state: "sent", sentAt: new Date().toISOString(), answer: body }
        : { state: "refused", sentAt: new Date().toISOString(), problem: { status: response.status, title: body.title, detail: body.detail ?? `HTTP ${response.status}` } });
    }
    return null;
  };
  if (!navigator.locks) return work();
  // A tab that finds the lock held leaves the sync to the tab holding it.
  return navigator.locks.request(LOCK, { ifAvailable: true }, (lock) => (lock ? work() : "elsewhere"));
}
