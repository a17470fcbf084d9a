/* Photos taken without a connection, loaded by every phone page (mobile/base.html).
 *
 * On a form's photo page (mobile/evidence.html, form[data-evidence-queue]) a photo is not sent
 * by the form: it is put in a queue in this phone's IndexedDB with an id of its own and the
 * phone's clock, then sent from there. Sending again with the same id attaches it once
 * (assessment.evidence.evidence_add), so a photo whose answer was lost is simply sent again.
 *
 * Every phone page sends what is queued when it opens, when the browser says it is online
 * again, and every half minute while something waits. A refusal by the server (not a photo,
 * too large, the case closed) stays in the list with its reason until the assessor removes it;
 * a lost connection, a server error or an expired session leave the photo queued.
 *
 * Signing out deletes the queue with everything else (offline.js); the marker below tells it,
 * without opening the database, that photos are still waiting. Browsers without IndexedDB send
 * the form as it is.
 */
(function () {
  "use strict";

  var DB_NAME = "yiyang-assess"; // offline.js deletes it on sign-out
  var STORE = "evidence";
  var PENDING_KEY = "yiyang.assignment.photos"; // read by offline.js's hasUnsentAnswers
  var RETRY_MS = 30000;

  if (!window.indexedDB || !window.fetch || !window.FormData) return;

  var form = document.querySelector("form[data-evidence-queue]");
  var box = document.querySelector("[data-testid=evidence-queue]");
  var list = box && box.querySelector("ul");
  var stringsNode = document.getElementById("evidence-strings");
  var strings = stringsNode ? JSON.parse(stringsNode.textContent) : {};
  var pageUrl = form ? new URL(form.getAttribute("action") || location.pathname, location.href).pathname : null;
  var sending = false;
  var timer = null;

  // --- The queue ----------------------------------------------------------------------------

  function openDb() {
    return new Promise(function (resolve, reject) {
      var request = window.indexedDB.open(DB_NAME, 1);
      request.onupgradeneeded = function () {
        request.result.createObjectStore(STORE, { keyPath: "id" });
      };
      request.onsuccess = function () { resolve(request.result); };
      request.onerror = function () { reject(request.error); };
    });
  }

  /* One transaction; the database is closed after it so that sign-out can delete it. */
  function withStore(mode, work) {
    return openDb().then(function (db) {
      return new Promise(function (resolve, reject) {
        var tx = db.transaction(STORE, mode);
        var result;
        Promise.resolve(work(tx.objectStore(STORE))).then(function (value) { result = value; });
        tx.oncomplete = function () { db.close(); resolve(result); };
        tx.onerror = tx.onabort = function () { db.close(); reject(tx.error); };
      });
    });
  }

  function all() {
    return withStore("readonly", function (store) {
      return new Promise(function (resolve) {
        var request = store.getAll();
        request.onsuccess = function () { resolve(request.result || []); };
      });
    });
  }

  function put(record) {
    return withStore("readwrite", function (store) { store.put(record); });
  }

  function remove(id) {
    return withStore("readwrite", function (store) { store.delete(id); });
  }

  function newId() {
    if (window.crypto && window.crypto.randomUUID) return window.crypto.randomUUID();
    return Date.now().toString(36) + "-" + Math.random().toString(36).slice(2, 12);
  }

  function csrfToken() {
    var input = document.querySelector("input[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  }

  function format(template, values) {
    return String(template || "").replace(/%\((\w+)\)s/g, function (_, key) {
      return values[key] == null ? "" : values[key];
    });
  }

  function markPending(records) {
    try {
      var waiting = records.some(function (r) { return r.state !== "refused"; });
      if (waiting) window.localStorage.setItem(PENDING_KEY, JSON.stringify({ pending: true }));
      else window.localStorage.removeItem(PENDING_KEY);
    } catch (e) {
      /* storage unavailable: sign-out will not warn */
    }
  }

  // --- What the page shows ------------------------------------------------------------------

  function render(records) {
    markPending(records);
    if (!list) return;
    var mine = records.filter(function (r) { return r.url === pageUrl; });
    list.textContent = "";
    mine.forEach(function (r) {
      var item = document.createElement("li");
      item.dataset.state = r.state;
      item.dataset.testid = "queued-photo";
      var text = document.createElement("span");
      if (r.state === "refused") text.textContent = format(strings.refused, { name: r.name, reason: r.reason });
      else if (r.state === "sign-in") text.textContent = format(strings.signIn, { name: r.name });
      else text.textContent = format(strings.queued, { name: r.name });
      item.appendChild(text);
      var discard = document.createElement("button");
      discard.type = "button";
      discard.className = "m-button secondary small";
      discard.textContent = strings.discard;
      discard.addEventListener("click", function () {
        remove(r.id).then(refresh);
      });
      item.appendChild(discard);
      list.appendChild(item);
    });
    box.hidden = mine.length === 0;
  }

  function showAttached(name) {
    var attached = document.querySelector("[data-attached]");
    var empty = document.querySelector("[data-attached-empty]");
    if (attached) {
      var item = document.createElement("li");
      var bold = document.createElement("b");
      bold.textContent = name;
      item.appendChild(bold);
      attached.insertBefore(item, attached.firstChild);
      attached.hidden = false;
    }
    if (empty) empty.hidden = true;
    var status = document.querySelector("[data-testid=evidence-status]");
    if (status) status.textContent = format(strings.sent, { name: name });
  }

  function refresh() {
    return all().then(function (records) {
      render(records);
      return records;
    });
  }

  // --- Sending ------------------------------------------------------------------------------

  /* "sent", "refused", "sign-in" or "later" (no connection, server error, throttled). */
  function send(record) {
    var body = new FormData();
    body.append("file", record.blob, record.name);
    body.append("note", record.note || "");
    body.append("client_id", record.id);
    body.append("taken_at", record.takenAt);
    return window
      .fetch(record.url, {
        method: "POST",
        body: body,
        credentials: "same-origin",
        headers: { Accept: "application/json", "X-CSRFToken": csrfToken() },
      })
      .then(
        function (response) {
          var json = (response.headers.get("Content-Type") || "").indexOf("application/json") === 0;
          if (response.redirected || (response.status === 403 && !json)) return "sign-in";
          if (response.status >= 500 || response.status === 429 || !json) return "later";
          return response.json().then(function (data) {
            if (response.ok && data.ok) return "sent";
            var fields = data.fields || {};
            record.reason = fields.file || fields.taken_at || fields.client_id || data.message || "";
            return "refused";
          });
        },
        function () { return "later"; }
      );
  }

  function flush() {
    if (sending) return Promise.resolve();
    sending = true;
    return all()
      .then(function (records) {
        var waiting = records.filter(function (r) { return r.state !== "refused"; });
        return waiting.reduce(function (previous, record) {
          return previous.then(function (stop) {
            if (stop) return true;
            return send(record).then(function (outcome) {
              if (outcome === "sent") {
                if (record.url === pageUrl) showAttached(record.name);
                return remove(record.id).then(function () { return false; });
              }
              if (outcome === "refused" || outcome === "sign-in") {
                record.state = outcome;
                return put(record).then(function () { return outcome === "sign-in"; });
              }
              return true; // later: keep the order, try again
            });
          });
        }, Promise.resolve(false));
      })
      .catch(function () {
        /* the database could not be read: the photos stay where they are */
      })
      .then(function () {
        sending = false;
        return refresh();
      })
      .then(function (records) {
        var waiting = records.some(function (r) { return r.state === "queued"; });
        window.clearTimeout(timer);
        if (waiting) timer = window.setTimeout(flush, RETRY_MS);
      });
  }

  // --- Taking a photo -----------------------------------------------------------------------

  if (form) {
    form.addEventListener("submit", function (event) {
      var input = form.querySelector("input[type=file]");
      var file = input && input.files && input.files[0];
      if (!file) return; // the browser's own "required" message
      event.preventDefault();
      var note = form.querySelector("input[name=note]");
      var record = {
        id: newId(),
        url: pageUrl,
        name: file.name || "photo",
        blob: file,
        note: note ? note.value : "",
        takenAt: new Date().toISOString(),
        state: "queued",
      };
      put(record).then(
        function () {
          form.reset();
          return refresh().then(flush);
        },
        function () {
          form.submit(); // no room on the phone: send the form as it is
        }
      );
    });
  }

  window.addEventListener("online", function () { flush(); });
  refresh().then(flush, function () {});
})();
