/* The attendance scanner (templates/attendance/scanner.html; issue 15 points 2 and 3).

   The camera (rear, getUserMedia) is read a few times a second onto a canvas and decoded with
   jsQR (vendored from npm). Each badge, or a code typed by hand, is checked ON THE PHONE: the
   token's Ed25519 signature, project and dates (scanner-verify.js), then the person in the
   day's roster kept in IndexedDB (scanner-db.js). A good scan is queued with its own id
   (crypto.randomUUID) and the phone's time, shown at once with what it means here (the first
   scan of the day is the arrival, the next the departure, a repeat within two minutes is the
   same scan), then sent in order, in batches, to the day's sync endpoint whenever the network
   is there. The server's answer is the truth: a refused scan stays listed with its reason,
   and conflicts (two phones, one person) are shown to the assistant. */
(function () {
  "use strict";

  const BATCH = 100;
  const RETRY_MS = 15000;
  const DECODE_EVERY_MS = 180;
  const DUPLICATE_WINDOW_MS = 2 * 60 * 1000; // attendance/rules.py DUPLICATE_WINDOW
  const SAME_BADGE_QUIET_MS = 5000; // a badge held before the camera is read once
  const MAX_SIDE = 720;

  const root = document.getElementById("scanner");
  if (!root) return;
  const texts = JSON.parse(document.getElementById("scanner-texts").textContent);
  const projectId = Number(root.dataset.project);
  const day = root.dataset.day;
  const key = projectId + "/" + day;
  const csrf = () => document.querySelector('meta[name="csrf-token"]').content;
  const $ = (id) => document.getElementById(id);

  let roster = null;
  let people = new Map(); // booking code → person
  let deviceId = null;
  let syncing = false;
  let shownScanId = null;
  const lastSeen = new Map(); // token → ms

  function say(template, values) {
    return template.replace(/%\((\w+)\)s/g, (whole, name) =>
      values && name in values ? String(values[name]) : whole);
  }

  /* HH:MM in the site's time zone, from the roster's offsets (attendance/roster.py: the
     phone's own zone data may be out of date); the browser's zone data only without them. */
  function timeOf(iso) {
    const at = Date.parse(iso);
    const offsets = (roster && roster.offsets) || [];
    if (offsets.length) {
      let minutes = offsets[0].minutes;
      for (const entry of offsets) if (Date.parse(entry.from) <= at) minutes = entry.minutes;
      const local = new Date(at + minutes * 60000);
      const pad = (n) => String(n).padStart(2, "0");
      return pad(local.getUTCHours()) + ":" + pad(local.getUTCMinutes());
    }
    const zone = (roster && roster.timezone) || root.dataset.timezone;
    return new Intl.DateTimeFormat("fr-FR", {
      hour: "2-digit", minute: "2-digit", timeZone: zone,
    }).format(new Date(iso));
  }

  /* -- feedback: the panel, a beep, a vibration --------------------------------------------- */

  let audio = null;
  function unlockAudio() {
    const Context = window.AudioContext || window.webkitAudioContext;
    if (!audio && Context) audio = new Context();
    if (audio && audio.state === "suspended") audio.resume();
  }

  function beep(ok) {
    try {
      if (!audio) return;
      const notes = ok ? [[1046, 0, 0.12]] : [[220, 0, 0.25], [196, 0.32, 0.45]];
      for (const [frequency, start, end] of notes) {
        const oscillator = audio.createOscillator();
        const gain = audio.createGain();
        oscillator.type = ok ? "sine" : "square";
        oscillator.frequency.value = frequency;
        gain.gain.value = 0.25;
        oscillator.connect(gain).connect(audio.destination);
        oscillator.start(audio.currentTime + start);
        oscillator.stop(audio.currentTime + end);
      }
    } catch (error) { /* no sound: the panel and the vibration remain */ }
    if (navigator.vibrate) navigator.vibrate(ok ? 80 : [300, 100, 300, 100, 300]);
  }

  function show(state, { person = null, message = "", queued = false, scanId = null } = {}) {
    const panel = $("feedback");
    panel.className = "feedback feedback--" + state;
    const photo = $("feedback-photo");
    if (person && person.photo) {
      photo.src = person.photo;
      photo.hidden = false;
    } else {
      photo.hidden = true;
      photo.removeAttribute("src");
    }
    const role = $("feedback-role");
    if (person) {
      role.textContent = person.role;
      role.style.backgroundColor = person.colour;
      role.style.color = person.ink;
      role.hidden = false;
    } else {
      role.hidden = true;
    }
    $("feedback-name").textContent = person ? person.name : "";
    $("feedback-message").textContent = message;
    $("feedback-queue").hidden = !queued;
    shownScanId = scanId;
  }

  /* -- the roster ------------------------------------------------------------------------- */

  function useRoster(stored) {
    roster = stored ? stored.roster : null;
    people = new Map();
    if (roster) for (const person of roster.people) people.set(person.code, person);
    $("roster-state").textContent = roster
      ? say(roster.people.length > 1 ? texts.roster_state : texts.roster_state_one,
        { count: roster.people.length, time: timeOf(stored.downloaded_at) })
      : $("roster-state").textContent;
    $("roster-download").hidden = false;
  }

  async function downloadRoster() {
    unlockAudio();
    $("roster-state").textContent = texts.roster_downloading;
    try {
      const response = await fetch(root.dataset.rosterUrl, {
        credentials: "same-origin", headers: { Accept: "application/json" },
      });
      const type = response.headers.get("Content-Type") || "";
      if (!response.ok || !type.includes("json")) throw new Error("status " + response.status);
      const document_ = await response.json();
      if (document_.version !== 1 || document_.project_id !== projectId || document_.day !== day) {
        throw new Error("not this day's roster");
      }
      const now = new Date().toISOString();
      await ScannerDB.putRoster(key, document_, now);
      useRoster({ roster: document_, downloaded_at: now });
      root.dataset.rosterReady = "1";
    } catch (error) {
      $("roster-state").textContent = texts.roster_failed;
    }
  }

  /* -- what a scan means here (the server decides for good) -------------------------------- */

  async function eventsOf(code) {
    const seen = new Map();
    const person = people.get(code);
    for (const scan of (person && person.scans) || []) seen.set(scan.id, scan);
    for (const row of await ScannerDB.history(key)) {
      if (row.code === code && row.status !== "refused" && !seen.has(row.id)) {
        seen.set(row.id, { id: row.id, kind: row.kind, at: row.at });
      }
    }
    for (const row of await ScannerDB.queued(key)) {
      if (row.code === code && !seen.has(row.id)) seen.set(row.id, { id: row.id, kind: row.kind, at: row.at });
    }
    return [...seen.values()].sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : 0));
  }

  /* The day so far (attendance/rules.py, simplified to scans): on set or not, the last scan
     that counted and what it meant. */
  function dayState(events) {
    let onSet = false, left = false, last = null, lastMeaning = null;
    for (const event of events) {
      if (!["scan", "arrival", "departure"].includes(event.kind)) continue;
      if (last && Date.parse(event.at) - Date.parse(last.at) < DUPLICATE_WINDOW_MS) continue;
      let meaning;
      if (event.kind === "scan") meaning = onSet ? "departure" : left ? "reentry" : "arrival";
      else if (event.kind === "arrival") meaning = onSet ? null : left ? "reentry" : "arrival";
      else meaning = onSet ? "departure" : null;
      if (!meaning) continue;
      onSet = meaning !== "departure";
      left = left || meaning === "departure";
      last = event;
      lastMeaning = meaning;
    }
    return { onSet, left, last, lastMeaning };
  }

  /* -- a scan -------------------------------------------------------------------------------- */

  function refuse(reason, person) {
    show("refused", { person, message: texts[reason] || reason });
    beep(false);
  }

  async function handle(raw, source) {
    const text = (raw || "").trim();
    if (!text) return;
    if (!roster) return refuse("no_roster");
    let token = null, code;
    if (text.includes(".")) {
      const checked = await ScannerVerify.verify(text, roster);
      if (checked.reason) return refuse(checked.reason);
      token = text;
      code = checked.claims.code;
    } else {
      code = text.toUpperCase().replace(/\s+/g, "");
    }
    const person = people.get(code);
    if (!person) return refuse(token ? "not_on_roster" : "unknown_code");
    const now = new Date();
    const kind = currentMode();
    if (kind !== "scan") {
      /* A meal break: recorded as it is; whether it counts (on set, not already at the
         meal) is the server's call, shown after the sync. */
      const scan = { id: crypto.randomUUID(), key, code, token, kind, at: now.toISOString(), source };
      await ScannerDB.enqueue(scan);
      show("meal", {
        person, message: say(texts[kind], { time: timeOf(scan.at) }), queued: true, scanId: scan.id,
      });
      beep(true);
      await refreshCounters();
      sync();
      return;
    }
    const state = dayState(await eventsOf(code));
    if (state.last && now - Date.parse(state.last.at) < DUPLICATE_WINDOW_MS) {
      const message = state.lastMeaning === "departure" ? texts.already_out : texts.already_in;
      show("duplicate", { person, message: say(message, { time: timeOf(state.last.at) }) });
      beep(true);
      return;
    }
    const scan = {
      id: crypto.randomUUID(), key, code, token, kind: "scan",
      at: now.toISOString(), source,
    };
    await ScannerDB.enqueue(scan);
    const meaning = state.onSet ? "departure" : state.left ? "reentry" : "arrival";
    show(meaning === "departure" ? "departure" : "arrival", {
      person, message: say(texts[meaning], { time: timeOf(scan.at) }), queued: true, scanId: scan.id,
    });
    beep(true);
    await refreshCounters();
    sync();
  }

  function currentMode() {
    const checked = document.querySelector('#mode input[name="mode"]:checked');
    return checked && ["scan", "meal_start", "meal_end"].includes(checked.value) ? checked.value : "scan";
  }

  function stateOf(meaning) {
    if (meaning === "departure") return "departure";
    if (meaning === "meal_start" || meaning === "meal_end") return "meal";
    return "arrival";
  }

  /* -- the queue and the sync ---------------------------------------------------------------- */

  async function refreshCounters() {
    const waiting = (await ScannerDB.queued(key)).length;
    const pill = $("pending");
    pill.textContent = waiting ? say(texts.pending, { count: waiting }) : texts.all_sent;
    pill.dataset.count = String(waiting);
    pill.classList.toggle("pill--waiting", waiting > 0);
    if (!waiting && shownScanId) $("feedback-queue").hidden = true;
    const refused = (await ScannerDB.history(key)).filter((row) => row.status === "refused");
    const list = $("refused-list");
    list.replaceChildren(...refused.map((row) => {
      const item = document.createElement("li");
      const who = people.get(row.code);
      item.textContent = (who ? who.name : row.code) + " · " + timeOf(row.at) + " — " +
        say(texts.server_refused, { reason: row.reason || "" });
      return item;
    }));
    $("refused-box").hidden = refused.length === 0;
    const conflicts = (await ScannerDB.getMeta("conflicts:" + key)) || [];
    $("conflicts-list").replaceChildren(...conflicts.map((sentence) => {
      const item = document.createElement("li");
      item.textContent = sentence;
      return item;
    }));
    $("conflicts-box").hidden = conflicts.length === 0;
  }

  function showNetwork() {
    const pill = $("network");
    pill.textContent = navigator.onLine ? texts.online : texts.offline;
    pill.classList.toggle("pill--offline", !navigator.onLine);
  }

  async function sync() {
    if (syncing || !navigator.onLine) return;
    syncing = true;
    try {
      for (;;) {
        const batch = (await ScannerDB.queued(key)).slice(0, BATCH);
        if (!batch.length) break;
        let response;
        try {
          response = await fetch(root.dataset.syncUrl, {
            method: "POST",
            credentials: "same-origin",
            headers: {
              "Content-Type": "application/json",
              Accept: "application/json",
              "X-CSRFToken": csrf(),
            },
            body: JSON.stringify({
              device_id: deviceId,
              scans: batch.map(({ id, token, code, at, kind }) => ({
                id, token, code: token ? null : code, at, kind,
              })),
            }),
          });
        } catch (error) {
          $("pending").dataset.problem = texts.sync_failed;
          break; // offline again: the 'online' event or the timer retries
        }
        const type = response.headers.get("Content-Type") || "";
        if (!response.ok || !type.includes("json") || response.redirected) {
          const signedOut = [400, 401, 403].includes(response.status) || response.redirected;
          showSyncProblem(signedOut ? texts.sign_in_again : texts.sync_failed, signedOut);
          break;
        }
        const answer = await response.json();
        await settle(batch, answer);
        showSyncProblem(null);
        if (!(answer.results || []).length) break; // nothing answered: do not loop forever
      }
    } finally {
      syncing = false;
      await refreshCounters();
    }
  }

  /* A problem with the sending, on a line under the counters; signed out (the session ended
     while the phone was offline), with a link to sign in again and come back here. */
  function showSyncProblem(message, signIn) {
    let line = $("sync-problem");
    if (!message) {
      if (line) line.remove();
      return;
    }
    if (!line) {
      line = document.createElement("p");
      line.id = "sync-problem";
      line.className = "scanner__problem";
      line.setAttribute("role", "alert");
      $("pending").parentElement.after(line);
    }
    line.textContent = message + " ";
    if (signIn) {
      const link = document.createElement("a");
      link.href = "/auth/login?next=" + encodeURIComponent(location.pathname);
      link.textContent = texts.sign_in;
      line.append(link);
    }
  }

  async function settle(batch, answer) {
    const sent = new Map(batch.map((scan) => [scan.id, scan]));
    const answers = [];
    for (const result of answer.results || []) {
      const scan = sent.get(result.id);
      if (!scan || !["recorded", "duplicate", "refused"].includes(result.status)) continue;
      answers.push({
        id: scan.id, key, code: scan.code, kind: scan.kind, at: scan.at,
        status: result.status, meaning: result.meaning || null, reason: result.reason || null,
        time: result.time || null,
      });
      if (result.id === shownScanId) {
        const person = people.get(scan.code);
        if (result.status === "refused") {
          show("refused", { person, message: say(texts.server_refused, { reason: result.reason || "" }) });
          beep(false);
        } else if (result.meaning === "duplicate") {
          show("duplicate", { person, message: texts.duplicate, scanId: result.id });
        } else if (result.meaning && texts[result.meaning] && result.time) {
          show(stateOf(result.meaning), {
            person, message: say(texts[result.meaning], { time: result.time }), scanId: result.id,
          });
        }
      }
    }
    if (answers.length) await ScannerDB.settle(answers);
    if ((answer.conflicts || []).length) {
      const stored = (await ScannerDB.getMeta("conflicts:" + key)) || [];
      for (const sentence of answer.conflicts) if (!stored.includes(sentence)) stored.push(sentence);
      await ScannerDB.setMeta("conflicts:" + key, stored);
    }
  }

  /* -- the camera ---------------------------------------------------------------------------- */

  let stream = null;
  let timer = null;

  async function startCamera() {
    unlockAudio();
    if (stream) return;
    try {
      stream = await navigator.mediaDevices.getUserMedia({
        audio: false,
        video: { facingMode: { ideal: "environment" }, width: { ideal: 1280 }, height: { ideal: 720 } },
      });
    } catch (error) {
      stream = null;
      show("refused", { message: texts.camera_failed });
      return;
    }
    const video = $("camera-video");
    video.srcObject = stream;
    video.hidden = false;
    await video.play().catch(() => {});
    $("camera-start").hidden = true;
    $("camera-stop").hidden = false;
    root.dataset.camera = "on";
    keepScreenOn();
    timer = setTimeout(decode, DECODE_EVERY_MS);
  }

  /* The screen stays on while the camera scans (a queue of extras at dawn). */
  let wakeLock = null;
  async function keepScreenOn() {
    try {
      if ("wakeLock" in navigator && !wakeLock) {
        wakeLock = await navigator.wakeLock.request("screen");
        wakeLock.addEventListener("release", () => { wakeLock = null; });
      }
    } catch (error) { /* not allowed (battery saver): the phone's own setting decides */ }
  }
  document.addEventListener("visibilitychange", () => {
    if (document.visibilityState === "visible" && stream) keepScreenOn();
  });

  function stopCamera() {
    if (timer) clearTimeout(timer);
    timer = null;
    if (stream) for (const track of stream.getTracks()) track.stop();
    if (wakeLock) wakeLock.release().catch(() => {});
    stream = null;
    $("camera-video").hidden = true;
    $("camera-start").hidden = false;
    $("camera-stop").hidden = true;
    root.dataset.camera = "off";
  }

  let busy = false;
  async function decode() {
    timer = null;
    const video = $("camera-video");
    if (!stream) return;
    if (!busy && video.readyState >= 2 && video.videoWidth && typeof jsQR === "function") {
      busy = true;
      try {
        const scale = Math.min(1, MAX_SIDE / Math.max(video.videoWidth, video.videoHeight));
        const width = Math.round(video.videoWidth * scale);
        const height = Math.round(video.videoHeight * scale);
        const canvas = $("camera-canvas");
        canvas.width = width;
        canvas.height = height;
        const context = canvas.getContext("2d", { willReadFrequently: true });
        context.drawImage(video, 0, 0, width, height);
        const found = jsQR(context.getImageData(0, 0, width, height).data, width, height, {
          inversionAttempts: "dontInvert",
        });
        if (found && found.data) {
          const now = Date.now();
          const before = lastSeen.get(found.data);
          lastSeen.set(found.data, now);
          if (before === undefined || now - before > SAME_BADGE_QUIET_MS) {
            await handle(found.data, "camera");
          }
        }
      } finally {
        busy = false;
      }
    }
    if (stream) timer = setTimeout(decode, DECODE_EVERY_MS);
  }

  /* -- start --------------------------------------------------------------------------------- */

  async function start() {
    showNetwork();
    deviceId = await ScannerDB.deviceId();
    useRoster(await ScannerDB.getRoster(key));
    $("camera-start").hidden = false;
    $("mode").hidden = false;
    $("roster-download").addEventListener("click", downloadRoster);
    $("camera-start").addEventListener("click", startCamera);
    $("camera-stop").addEventListener("click", stopCamera);
    $("manual").addEventListener("submit", (event) => {
      event.preventDefault();
      unlockAudio();
      const input = $("manual-code");
      const value = input.value;
      input.value = "";
      handle(value, "typed");
    });
    window.addEventListener("online", () => { showNetwork(); sync(); });
    window.addEventListener("offline", showNetwork);
    setInterval(sync, RETRY_MS);
    await refreshCounters();
    root.dataset.ready = "1";
    sync();
    if ("serviceWorker" in navigator) {
      navigator.serviceWorker.register(root.dataset.workerUrl, { scope: "/attendance/" })
        .then(() => navigator.serviceWorker.ready)
        .then((registration) => {
          registration.active.postMessage({ keep: location.pathname });
        })
        .catch(() => { /* no offline copy of the page: scanning still works while it is open */ });
    }
  }

  start();
})();
