/* The assessor's pages without a connection (seed 004: forms are filled in villages without
 * signal). Rendered by views_mobile.service_worker at {{ scope }}sw.js; its scope is {{ scope }}.
 *
 *  - A form page ({{ scope }}<id>/) or its photo page ({{ scope }}<id>/evidence/): network first, the stored copy when the network fails or
 *    the server answers 5xx. Only a page the server marks with the offline header (an open
 *    form) is stored; a 200 without it, a 403 or a 404 drops the stored copy (submitted,
 *    closed, not this assessor's). A redirect (an expired session sent to sign in) or another
 *    error never replaces or drops it: the form must still open in the village.
 *  - {{ static_url }}: cache first; in production the names change with the content.
 *  - Every other request, and every POST (sync, evidence, sign-out), goes to the network as it
 *    is and is never stored.
 *
 * The task list sends the open forms' URLs ("keep"): they are fetched now, while there is a
 * connection, and every other stored form page is dropped. The pages remove a submitted form's
 * copy, and everything on sign-out, themselves (assessment/offline.js knows the cache names).
 */
"use strict";

var PREFIX = "yiyang-assess-";
var VERSION = "{{ version }}";
var PAGES = PREFIX + "pages-" + VERSION;
var STATIC = PREFIX + "static-" + VERSION;
var PRECACHE = {{ precache|safe }};
var SCOPE = new URL("{{ scope }}", self.location.href);
var STATIC_ROOT = new URL("{{ static_url }}", self.location.href).href;
var OFFLINE_HEADER = "{{ offline_header }}";

function parse(url) {
  try {
    return new URL(url, self.location.href);
  } catch (e) {
    return null;
  }
}

/* The pages that may be kept: the task list itself, each form (/assess/<id>/) and each form's
 * photo page (/assess/<id>/evidence/), where photos taken offline wait (evidence-queue.js). */
function isFormPage(url) {
  var u = parse(url);
  return (
    !!u &&
    u.origin === SCOPE.origin &&
    u.pathname.indexOf(SCOPE.pathname) === 0 &&
    /^(\d+\/(evidence\/)?)?$/.test(u.pathname.slice(SCOPE.pathname.length))
  );
}

// One stored copy per form, whatever the query string or fragment.
function pageKey(url) {
  var u = parse(url);
  return u.origin + u.pathname;
}

function isKeepable(response) {
  return (
    response.status === 200 &&
    response.type === "basic" &&
    !response.redirected &&
    response.headers.get(OFFLINE_HEADER) === "keep"
  );
}

function isGone(response) {
  if (response.type !== "basic" || response.redirected) return false;
  return (
    (response.status === 200 && !isKeepable(response)) ||
    response.status === 403 ||
    response.status === 404 ||
    response.status === 410
  );
}

/* Ask the server for a form page and store or drop it as it says. "kept", "dropped" or
 * "unchanged"; rejects when the network fails. */
function refresh(cache, key) {
  return fetch(key, { credentials: "same-origin", cache: "no-store" }).then(function (response) {
    if (isKeepable(response)) return cache.put(key, response).then(function () { return "kept"; });
    if (isGone(response)) return cache.delete(key).then(function () { return "dropped"; });
    return "unchanged";
  });
}

function inSequence(items, step) {
  var results = [];
  return items
    .reduce(function (previous, item) {
      return previous.then(function () {
        return step(item).then(function (result) { results.push(result); });
      });
    }, Promise.resolve())
    .then(function () { return results; });
}

function storedPage(key) {
  return caches.open(PAGES).then(function (cache) { return cache.match(key, { ignoreVary: true }); });
}

// --- Install and activate -------------------------------------------------------------------

function precacheStatic() {
  return caches.open(STATIC).then(function (cache) {
    return cache.addAll(PRECACHE.map(function (url) { return new Request(url, { cache: "reload" }); }));
  });
}

/* The pages kept by an older version name that version's static files, which activate deletes:
 * fetch them again for this version. No connection fails the install, and the old worker stays,
 * with its pages and files intact, until the next try. */
function carryPagesOver() {
  return caches
    .keys()
    .then(function (names) {
      var old = names.filter(function (name) {
        return name.indexOf(PREFIX + "pages-") === 0 && name !== PAGES;
      });
      return Promise.all(old.map(function (name) {
        return caches.open(name).then(function (cache) { return cache.keys(); });
      }));
    })
    .then(function (lists) {
      var keys = {};
      lists.forEach(function (requests) {
        requests.forEach(function (request) { keys[pageKey(request.url)] = true; });
      });
      return caches.open(PAGES).then(function (cache) {
        return inSequence(Object.keys(keys), function (key) { return refresh(cache, key); });
      });
    });
}

self.addEventListener("install", function (event) {
  event.waitUntil(
    Promise.all([precacheStatic(), carryPagesOver()]).then(function () { return self.skipWaiting(); })
  );
});

self.addEventListener("activate", function (event) {
  event.waitUntil(
    caches
      .keys()
      .then(function (names) {
        return Promise.all(
          names
            .filter(function (name) {
              return name.indexOf(PREFIX) === 0 && name !== PAGES && name !== STATIC;
            })
            .map(function (name) { return caches.delete(name); })
        );
      })
      .then(function () { return self.clients.claim(); })
  );
});

// --- Requests -------------------------------------------------------------------------------

function networkFirst(event) {
  var key = pageKey(event.request.url);
  return fetch(event.request).then(
    function (response) {
      if (response.status >= 500) {
        return storedPage(key).then(function (copy) { return copy || response; });
      }
      if (isKeepable(response) || isGone(response)) {
        var copy = response.clone();
        event.waitUntil(
          caches.open(PAGES).then(function (cache) {
            return isKeepable(copy) ? cache.put(key, copy) : cache.delete(key);
          })
        );
      }
      return response;
    },
    function (error) {
      return storedPage(key).then(function (copy) {
        if (copy) return copy;
        throw error;
      });
    }
  );
}

function cacheFirst(event) {
  return caches.open(STATIC).then(function (cache) {
    return cache.match(event.request, { ignoreVary: true }).then(function (hit) {
      if (hit) return hit;
      return fetch(event.request).then(function (response) {
        if (response.status === 200 && response.type === "basic" && !response.redirected) {
          event.waitUntil(cache.put(event.request, response.clone()));
        }
        return response;
      });
    });
  });
}

self.addEventListener("fetch", function (event) {
  var request = event.request;
  if (request.method !== "GET") return;
  if (isFormPage(request.url)) {
    event.respondWith(networkFirst(event));
  } else if (request.url.indexOf(STATIC_ROOT) === 0) {
    event.respondWith(cacheFirst(event));
  }
});

// --- Messages from the pages ----------------------------------------------------------------

/* Keep exactly these form pages: fetch each now, drop every other stored one (a form submitted
 * elsewhere, a withdrawn case, the previous user's forms on a shared phone). */
function keep(urls) {
  var wanted = {};
  urls.forEach(function (url) {
    if (typeof url === "string" && isFormPage(url)) wanted[pageKey(url)] = true;
  });
  return caches.open(PAGES).then(function (cache) {
    return inSequence(Object.keys(wanted), function (key) {
      return refresh(cache, key).catch(function () { return "failed"; });
    }).then(function (outcomes) {
      return cache
        .keys()
        .then(function (requests) {
          return Promise.all(
            requests
              .filter(function (request) { return !wanted[pageKey(request.url)]; })
              .map(function (request) { return cache.delete(request); })
          );
        })
        .then(function () {
          var count = function (what) {
            return outcomes.filter(function (o) { return o === what; }).length;
          };
          return { asked: outcomes.length, kept: count("kept"), failed: count("failed") };
        });
    });
  });
}

self.addEventListener("message", function (event) {
  var data = event.data || {};
  var port = event.ports && event.ports[0];
  if (data.type !== "keep" || !Array.isArray(data.urls)) return;
  event.waitUntil(
    keep(data.urls).then(
      function (result) { if (port) port.postMessage(result); },
      function () { if (port) port.postMessage({ asked: data.urls.length, kept: 0, failed: data.urls.length }); }
    )
  );
});
