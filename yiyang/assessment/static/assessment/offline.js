/* The assessor's pages without a connection, loaded by every phone page (mobile/base.html).
 *
 * Registers the service worker (mobile/sw.js), which keeps the open forms' pages on the phone;
 * on the task list, asks it to fetch them now, while there is a connection; on sign-out, clears
 * everything this app keeps on the phone (pages, answers, queued photos) before the sign-out
 * form is sent. Browsers without
 * service workers (a phone on plain http, an old browser) keep working online as before.
 */
(function () {
  "use strict";

  var CACHE_PREFIX = "yiyang-assess-"; // the worker's cache names (mobile/sw.js)
  var PAGES_PREFIX = CACHE_PREFIX + "pages-";
  var STORAGE_PREFIX = "yiyang.assignment."; // mobile-form.js's storageKey, evidence-queue.js's marker
  var QUEUE_DB = "yiyang-assess"; // evidence-queue.js's photos waiting to be sent
  var SIGN_OUT_WAIT_MS = 3000; // a stuck storage call must not keep the assessor signed in

  var script = document.currentScript;
  var hasCaches = "caches" in window;

  // --- What this app keeps on the phone ---------------------------------------------------------

  function storageKeys() {
    var keys = [];
    try {
      for (var i = 0; i < window.localStorage.length; i++) {
        var key = window.localStorage.key(i);
        if (key && key.indexOf(STORAGE_PREFIX) === 0) keys.push(key);
      }
    } catch (e) {
      /* storage unavailable: nothing kept */
    }
    return keys;
  }

  function hasUnsentAnswers() {
    return storageKeys().some(function (key) {
      try {
        var stored = JSON.parse(window.localStorage.getItem(key));
        return !!(stored && stored.pending);
      } catch (e) {
        return false;
      }
    });
  }

  function ourCaches(prefix) {
    if (!hasCaches) return Promise.resolve([]);
    return window.caches.keys().then(function (names) {
      return names.filter(function (name) { return name.indexOf(prefix) === 0; });
    });
  }

  /* Drop the stored copy of one form page (a submission the server has confirmed). */
  function forgetPage(url) {
    var u = new URL(url, window.location.href);
    var key = u.origin + u.pathname;
    return ourCaches(PAGES_PREFIX).then(function (names) {
      return Promise.all(names.map(function (name) {
        return window.caches.open(name).then(function (cache) { return cache.delete(key); });
      }));
    });
  }

  function forgetQueue() {
    if (!window.indexedDB) return Promise.resolve();
    return new Promise(function (resolve) {
      var request = window.indexedDB.deleteDatabase(QUEUE_DB);
      request.onsuccess = request.onerror = request.onblocked = function () { resolve(); };
    });
  }

  function forgetEverything() {
    storageKeys().forEach(function (key) {
      try {
        window.localStorage.removeItem(key);
      } catch (e) {
        /* already gone */
      }
    });
    return Promise.all([
      forgetQueue(),
      ourCaches(CACHE_PREFIX).then(function (names) {
        return Promise.all(names.map(function (name) { return window.caches.delete(name); }));
      }),
    ]);
  }

  window.yiyangOffline = { forgetPage: forgetPage };

  // --- Signing out: nothing personal stays on the phone -------------------------------------------

  var signOut = document.querySelector("form[data-sign-out]");
  if (signOut) {
    signOut.addEventListener("submit", function (event) {
      if (signOut.dataset.cleared) return;
      event.preventDefault();
      if (hasUnsentAnswers() && !window.confirm(signOut.dataset.confirmUnsent)) return;
      var go = function () {
        signOut.dataset.cleared = "true";
        signOut.submit();
      };
      var timeout = new Promise(function (resolve) { window.setTimeout(resolve, SIGN_OUT_WAIT_MS); });
      Promise.race([forgetEverything(), timeout]).then(go, go);
    });
  }

  // --- The worker ---------------------------------------------------------------------------------

  if (!("serviceWorker" in navigator) || !script) return;

  navigator.serviceWorker.register(script.dataset.worker, { scope: script.dataset.scope }).catch(
    function () {
      /* e.g. the session ended before the update check: the pages stay online-only */
    }
  );

  function ask(worker, message) {
    return new Promise(function (resolve) {
      var channel = new MessageChannel();
      channel.port1.onmessage = function (event) { resolve(event.data); };
      worker.postMessage(message, [channel.port2]);
    });
  }

  // The task list: keep it and the open forms on the phone, and only those.
  var note = document.getElementById("offline-note");
  if (!note) return;
  var forms = Array.prototype.map.call(document.querySelectorAll("[data-offline-url]"), function (node) {
    return node.dataset.offlineUrl;
  });
  var urls = [location.pathname].concat(forms);
  navigator.serviceWorker.ready
    .then(function (registration) { return ask(registration.active, { type: "keep", urls: urls }); })
    .then(function (result) {
      if (forms.length && result && result.kept === urls.length) note.hidden = false;
    })
    .catch(function () {
      /* nothing kept: the note stays hidden */
    });
})();
