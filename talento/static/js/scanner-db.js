/* The scanner's storage on the phone (IndexedDB), so that it works with no network:
   - rosters: the day's roster as downloaded (attendance/roster.py), by "project/day";
   - queue:   scans waiting to be sent, in the order they were made (auto-incremented seq);
   - history: scans the server answered (recorded, duplicate or refused, with its reason);
   - meta:    this phone's random device id, the conflicts the server reported.
   Nothing here talks to the network. */
(function () {
  "use strict";

  const NAME = "talento-scanner";
  const VERSION = 1;
  let opened = null;

  function promised(request) {
    return new Promise((resolve, reject) => {
      request.onsuccess = () => resolve(request.result);
      request.onerror = () => reject(request.error);
    });
  }

  function open() {
    if (opened) return opened;
    opened = new Promise((resolve, reject) => {
      const request = indexedDB.open(NAME, VERSION);
      request.onupgradeneeded = () => {
        const db = request.result;
        db.createObjectStore("rosters", { keyPath: "key" });
        const queue = db.createObjectStore("queue", { keyPath: "seq", autoIncrement: true });
        queue.createIndex("key", "key");
        queue.createIndex("id", "id", { unique: true });
        const history = db.createObjectStore("history", { keyPath: "id" });
        history.createIndex("key", "key");
        db.createObjectStore("meta", { keyPath: "name" });
      };
      request.onsuccess = () => resolve(request.result);
      request.onerror = () => reject(request.error);
    });
    return opened;
  }

  async function run(storeNames, mode, work) {
    const db = await open();
    const tx = db.transaction(storeNames, mode);
    const done = new Promise((resolve, reject) => {
      tx.oncomplete = () => resolve();
      tx.onabort = tx.onerror = () => reject(tx.error);
    });
    const result = await work(tx);
    await done;
    return result;
  }

  const ScannerDB = {
    getRoster(key) {
      return run(["rosters"], "readonly", (tx) => promised(tx.objectStore("rosters").get(key)));
    },
    putRoster(key, roster, downloadedAt) {
      return run(["rosters"], "readwrite", (tx) =>
        promised(tx.objectStore("rosters").put({ key, roster, downloaded_at: downloadedAt })));
    },
    /* Adds a scan at the end of the queue (its `id` is unique: a scan is queued once). */
    enqueue(scan) {
      return run(["queue"], "readwrite", (tx) => promised(tx.objectStore("queue").add(scan)));
    },
    /* The day's queued scans, oldest first. */
    queued(key) {
      return run(["queue"], "readonly", (tx) =>
        promised(tx.objectStore("queue").index("key").getAll(key)))
        .then((rows) => rows.sort((a, b) => a.seq - b.seq));
    },
    /* The server answered these scans: out of the queue, into the history, in one step. */
    settle(answers) {
      return run(["queue", "history"], "readwrite", async (tx) => {
        const queue = tx.objectStore("queue");
        const history = tx.objectStore("history");
        for (const answer of answers) {
          const seq = await promised(queue.index("id").getKey(answer.id));
          if (seq !== undefined) queue.delete(seq);
          history.put(answer);
        }
      });
    },
    history(key) {
      return run(["history"], "readonly", (tx) =>
        promised(tx.objectStore("history").index("key").getAll(key)));
    },
    getMeta(name) {
      return run(["meta"], "readonly", (tx) => promised(tx.objectStore("meta").get(name)))
        .then((row) => (row ? row.value : undefined));
    },
    setMeta(name, value) {
      return run(["meta"], "readwrite", (tx) =>
        promised(tx.objectStore("meta").put({ name, value })));
    },
    async deviceId() {
      let id = await ScannerDB.getMeta("device_id");
      if (!id) {
        id = crypto.randomUUID();
        await ScannerDB.setMeta("device_id", id);
      }
      return id;
    },
  };

  window.ScannerDB = ScannerDB;
})();
