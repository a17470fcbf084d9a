/* The assessor's phone form (seed 004): one section per screen, every answer kept on the phone
 * as soon as it is tapped, and sent to the server whenever there is a connection.
 *
 * What the phone holds, in localStorage under config.storageKey:
 *   {answers, saved_at, pending, submit}
 * `saved_at` is the phone's time of the last change: the server keeps the newest save, so a
 * save that arrives late never overwrites answers typed later elsewhere. `pending` stays true
 * until the server has acknowledged exactly these answers. A submission waits in the same way
 * and the answers are removed from the phone once the server confirms it, together with the
 * copy of this page the service worker keeps for use without a connection (offline.js).
 *
 * That copy may be older than the server's: the page's answers then lose to the phone's newer
 * ones in start(), and the sync below lets the server keep the newest save as always.
 *
 * Every text shown comes from the page (config.strings), so it goes through Django's i18n.
 */
(function () {
  "use strict";

  var form = document.getElementById("assess-form");
  var configNode = document.getElementById("assess-config");
  if (!form || !configNode) return;

  var config = JSON.parse(configNode.textContent);
  var T = config.strings;
  var banner = document.getElementById("sync-banner");
  var offlineNotice = document.getElementById("offline-notice");
  var stepLabel = document.getElementById("step-label");
  var screens = Array.prototype.slice.call(form.querySelectorAll("[data-screen]"));
  var questions = Array.prototype.slice.call(form.querySelectorAll("[data-question]"));
  var submitButton = form.querySelector("[data-action=submit]");
  var takesDiagnoses = config.takes.indexOf("diagnoses") !== -1;

  var SAVE_DELAY_MS = 1200; // debounce: one request for a quick run of taps
  var TYPING_DELAY_MS = 3000; // typed codes: do not send (and refuse) half a word
  var RETRY_MS = 20000; // while something waits, try again this often
  var REQUEST_TIMEOUT_MS = 20000; // a weak signal hangs rather than fails

  var current = 0;
  var state = null;
  var confirming = false; // the first tap on Submit asks; the second submits
  var preview = config.preview; // this form's scores and grade, from the server
  var previewFor = config.serverSavedAt; // the save they were computed for
  var submitText = submitButton ? submitButton.textContent : "";
  var saveTimer = null;
  var inFlight = false;
  var readOnly = !config.isOpen;
  var leaving = false;

  // --- The copy on the phone ------------------------------------------------------------------

  function readStored() {
    try {
      var raw = window.localStorage.getItem(config.storageKey);
      return raw ? JSON.parse(raw) : null;
    } catch (e) {
      return null;
    }
  }

  function persist() {
    try {
      window.localStorage.setItem(config.storageKey, JSON.stringify(state));
    } catch (e) {
      /* private mode or a full store: the answers still go to the server when online */
    }
  }

  function forget() {
    try {
      window.localStorage.removeItem(config.storageKey);
    } catch (e) {
      /* nothing to remove */
    }
  }

  // --- Answers in the page --------------------------------------------------------------------

  function radioOf(question) {
    return question.querySelector("input[type=radio]:checked");
  }

  function parseDiagnoses(text) {
    var seen = {};
    return (text || "")
      .split(/[\s,，、;；]+/)
      .map(function (code) { return code.trim().toUpperCase(); })
      .filter(function (code) {
        if (!code || seen[code]) return false;
        seen[code] = true;
        return true;
      });
  }

  function collect() {
    var answers = { items: {} };
    questions.forEach(function (q) {
      var name = q.dataset.question;
      var kind = q.dataset.kind;
      if (kind === "diagnoses") {
        answers.diagnoses = parseDiagnoses(q.querySelector("input").value);
        return;
      }
      var checked = radioOf(q);
      if (!checked) return;
      if (kind === "item") {
        answers.items[name] = parseInt(checked.value, 10);
      } else if (kind === "coma") {
        answers.coma = checked.value === "true";
      } else if (kind === "risk") {
        answers.risk_events = answers.risk_events || {};
        answers.risk_events[name.slice("risk_events.".length)] = parseInt(checked.value, 10);
      }
    });
    if (takesDiagnoses && !answers.diagnoses) answers.diagnoses = [];
    return answers;
  }

  function valueFor(answers, q) {
    var name = q.dataset.question;
    switch (q.dataset.kind) {
      case "item":
        return answers.items && answers.items[name] !== undefined ? String(answers.items[name]) : null;
      case "coma":
        return typeof answers.coma === "boolean" ? String(answers.coma) : null;
      case "risk":
        var kind = name.slice("risk_events.".length);
        return answers.risk_events && answers.risk_events[kind] !== undefined
          ? String(answers.risk_events[kind])
          : null;
      default:
        return null;
    }
  }

  function apply(answers) {
    questions.forEach(function (q) {
      if (q.dataset.kind === "diagnoses") {
        q.querySelector("input").value = (answers.diagnoses || []).join(" ");
        return;
      }
      var value = valueFor(answers, q);
      q.querySelectorAll("input[type=radio]").forEach(function (input) {
        input.checked = value !== null && input.value === value;
      });
    });
  }

  function isRequired(q) {
    return q.dataset.kind !== "diagnoses";
  }

  function unanswered() {
    return questions.filter(function (q) { return isRequired(q) && !radioOf(q); });
  }

  function setDisabled(disabled) {
    form.querySelectorAll("input").forEach(function (input) { input.disabled = disabled; });
    if (submitButton) submitButton.disabled = disabled;
  }

  // --- Paging ---------------------------------------------------------------------------------

  function screenOf(node) {
    var screen = node.closest("[data-screen]");
    return screen ? parseInt(screen.dataset.screen, 10) : 0;
  }

  function unconfirm() {
    confirming = false;
    var box = document.getElementById("submit-confirm");
    if (box) box.hidden = true;
    if (submitButton) submitButton.textContent = submitText;
  }

  function gradeText() {
    if (!preview || previewFor !== state.saved_at) return null;
    var scores = preview.scores.map(function (s) {
      return s.label + " " + T.points.replace("%(score)s", s.score).replace("%(max)s", s.max);
    });
    return T.preview.replace("%(scores)s", scores.join("，")).replace("%(grade)s", preview.label);
  }

  function showGrade() {
    var node = document.getElementById("review-grade");
    if (!node || !state) return;
    var complete = unanswered().length === 0;
    var text = gradeText();
    node.hidden = !complete;
    node.textContent = text || T.preview_pending;
    node.dataset.state = text ? "graded" : "pending";
  }

  function show(index, focusNode, replace) {
    unconfirm();
    current = Math.max(0, Math.min(index, screens.length - 1));
    screens.forEach(function (screen, i) { screen.hidden = i !== current; });
    form.querySelectorAll("[data-goto]").forEach(function (dot) {
      var i = parseInt(dot.dataset.goto, 10);
      dot.setAttribute("aria-current", i === current ? "step" : "false");
    });
    stepLabel.textContent = T.step
      .replace("%(n)s", String(current + 1))
      .replace("%(total)s", String(screens.length));
    if (current === screens.length - 1) updateReview();
    if (focusNode) {
      focusNode.scrollIntoView({ block: "center" });
    } else {
      window.scrollTo(0, 0);
    }
    var hash = "#step-" + (current + 1);
    if (replace) {
      window.history.replaceState(null, "", hash);
    } else if (window.location.hash !== hash) {
      // One history entry per screen: the phone's own Back button goes back a section.
      window.history.pushState(null, "", hash);
    }
  }

  function stepFromHash() {
    var match = /^#step-(\d+)$/.exec(window.location.hash);
    return match ? parseInt(match[1], 10) - 1 : 0;
  }

  function jumpTo(node) {
    show(screenOf(node), node);
    var first = node.querySelector("input");
    if (first && !first.disabled) first.focus({ preventScroll: true });
  }

  function updateReview() {
    var missing = unanswered();
    var list = document.getElementById("unanswered");
    var summary = document.getElementById("review-summary");
    list.textContent = "";
    missing.forEach(function (q) {
      var li = document.createElement("li");
      var button = document.createElement("button");
      button.type = "button";
      button.className = "m-jump";
      button.textContent = q.dataset.label;
      button.addEventListener("click", function () { jumpTo(q); });
      li.appendChild(button);
      list.appendChild(li);
    });
    summary.textContent = missing.length ? T.unanswered : T.all_answered;
    showGrade();
    summary.dataset.state = missing.length ? "incomplete" : "complete";
    form.querySelectorAll("[data-progress-for]").forEach(function (row) {
      var screen = screens[parseInt(row.dataset.progressFor, 10)];
      var asked = questions.filter(function (q) { return isRequired(q) && screen.contains(q); });
      var done = asked.filter(function (q) { return radioOf(q); }).length;
      row.querySelector("b").textContent = done + " / " + asked.length;
      row.dataset.complete = done === asked.length ? "true" : "false";
    });
  }

  // --- Messages -------------------------------------------------------------------------------

  function say(kind, text) {
    banner.hidden = false;
    banner.dataset.state = kind;
    banner.textContent = text;
  }

  function clearError(q) {
    q.classList.remove("m-has-error");
    var slot = q.querySelector("[data-error-for]");
    if (slot) {
      slot.hidden = true;
      slot.textContent = "";
    }
  }

  function showErrors(fields) {
    questions.forEach(clearError);
    var first = null;
    Object.keys(fields || {}).forEach(function (name) {
      var q = questions.filter(function (node) { return node.dataset.question === name; })[0];
      if (!q) return;
      q.classList.add("m-has-error");
      var slot = q.querySelector("[data-error-for]");
      slot.textContent = fields[name];
      slot.hidden = false;
      if (!first || (first.compareDocumentPosition(q) & Node.DOCUMENT_POSITION_PRECEDING)) first = q;
    });
    if (first) jumpTo(first);
    return first;
  }

  // --- Sending --------------------------------------------------------------------------------

  function csrfToken() {
    // The cookie first: signing in again (in another tab) rotates the token after page load.
    var match = /(?:^|;\s*)csrftoken=([^;]+)/.exec(document.cookie);
    return match ? decodeURIComponent(match[1]) : form.dataset.csrf;
  }

  function scheduleSend(delay) {
    window.clearTimeout(saveTimer);
    saveTimer = window.setTimeout(send, delay);
  }

  function waitingOffline() {
    say("offline", T.offline);
  }

  function forgetPage() {
    if (!window.yiyangOffline) return;
    window.yiyangOffline.forgetPage(window.location.href).catch(function () {
      /* the worker drops it anyway when the server next serves this page as submitted */
    });
  }

  function markSubmitted() {
    readOnly = true;
    state.pending = false;
    forget();
    forgetPage();
    setDisabled(true);
    say("submitted", T.submitted);
  }

  function send() {
    window.clearTimeout(saveTimer);
    if (!state || !state.pending || state.blocked || inFlight || readOnly || leaving) return;
    if (!navigator.onLine) {
      waitingOffline();
      return;
    }
    inFlight = true;
    var sent = { answers: state.answers, submit: !!state.submit, saved_at: state.saved_at };
    var controller = "AbortController" in window ? new AbortController() : null;
    var timer = controller ? window.setTimeout(function () { controller.abort(); }, REQUEST_TIMEOUT_MS) : null;
    say("sending", T.sending);
    fetch(form.dataset.syncUrl, {
      method: "POST",
      credentials: "same-origin",
      headers: {
        "Content-Type": "application/json",
        Accept: "application/json",
        "X-CSRFToken": csrfToken(),
      },
      body: JSON.stringify(sent),
      signal: controller ? controller.signal : undefined,
    })
      .then(function (response) {
        var type = response.headers.get("Content-Type") || "";
        if (type.indexOf("application/json") === -1) {
          // The sign-in page after a redirect, or an HTML error page.
          return { status: response.redirected ? 401 : response.status, body: null };
        }
        return response.json().then(function (body) { return { status: response.status, body: body }; });
      })
      .then(function (reply) { handle(reply, sent); })
      .catch(function () { waitingOffline(); })
      .then(function () {
        if (timer) window.clearTimeout(timer);
        inFlight = false;
        if (state.pending && !state.blocked && !readOnly && !sameAsSent(sent)) scheduleSend(SAVE_DELAY_MS);
      });
  }

  function sameAsSent(sent) {
    return sent.saved_at === state.saved_at && sent.submit === !!state.submit;
  }

  function handle(reply, sent) {
    var body = reply.body;
    if (reply.status === 200 && body && body.ok) {
      if (body.submitted) {
        markSubmitted();
        return;
      }
      if (sameAsSent(sent)) state.pending = false;
      preview = body.preview || null;
      previewFor = sent.saved_at;
      showGrade();
      persist();
      say(state.pending ? "sending" : "sent", state.pending ? T.sending : T.sent);
      return;
    }
    if (reply.status === 401 || (reply.status === 403 && !body)) {
      say("error", T.signed_out);
      return;
    }
    if (!body || reply.status >= 500) {
      say("error", T.server_error);
      return;
    }
    // A refusal with a stable code: it will not change by sending the same again.
    if (body.code === "already_submitted") {
      markSubmitted();
      say("error", body.message);
      return;
    }
    state.blocked = true;
    if (sent.submit) {
      state.submit = false;
      setDisabled(false);
    }
    persist();
    if (body.code === "bad_transition") {
      readOnly = true;
      setDisabled(true);
      say("error", T.closed + " " + body.message);
      return;
    }
    say("error", body.message || T.rejected);
    showErrors(body.fields);
  }

  // --- What the assessor does ------------------------------------------------------------------

  function changed(event) {
    if (readOnly || state.submit) return;
    var answers = collect();
    if (JSON.stringify(answers) === JSON.stringify(state.answers)) return;
    unconfirm();
    state.answers = answers;
    state.saved_at = new Date().toISOString();
    state.pending = true;
    state.blocked = false;
    persist();
    var q = event.target.closest("[data-question]");
    if (q) clearError(q);
    if (!navigator.onLine) waitingOffline();
    var typing = event.type === "input" && event.target.type === "text";
    scheduleSend(typing ? TYPING_DELAY_MS : SAVE_DELAY_MS);
  }

  function submit() {
    if (readOnly || state.submit) return;
    var missing = unanswered();
    if (missing.length) {
      var fields = {};
      missing.forEach(function (q) { fields[q.dataset.question] = T.unanswered; });
      say("error", T.unanswered);
      showErrors(fields);
      return;
    }
    if (!confirming) {
      // Irreversible: say what it gives and ask for a second tap.
      confirming = true;
      var box = document.getElementById("submit-confirm");
      var text = gradeText();
      box.textContent = (text ? text + " " : "") + T.confirm;
      box.hidden = false;
      submitButton.textContent = T.confirm_button;
      box.scrollIntoView({ block: "center" });
      return;
    }
    unconfirm();
    state.answers = collect();
    state.submit = true;
    state.pending = true;
    state.blocked = false;
    if (!state.saved_at) state.saved_at = new Date().toISOString();
    persist();
    setDisabled(true);
    send();
  }

  form.addEventListener("change", changed);
  form.addEventListener("input", changed);
  form.addEventListener("submit", function (event) { event.preventDefault(); });
  form.addEventListener("click", function (event) {
    var button = event.target.closest("button");
    if (!button) return;
    if (button.dataset.action === "next") show(current + 1);
    else if (button.dataset.action === "back") show(current - 1);
    else if (button.dataset.action === "submit") submit();
    else if (button.dataset.goto !== undefined) show(parseInt(button.dataset.goto, 10));
  });
  window.addEventListener("popstate", function () { show(stepFromHash()); });
  window.addEventListener("online", function () {
    if (offlineNotice) offlineNotice.hidden = true;
    send();
  });
  window.addEventListener("offline", function () { if (state.pending) waitingOffline(); });
  // A page on its way out starts no sync: what waits stays on the phone and the next page to
  // open this form sends it. (A closed page that the service worker controls may still hear
  // "online" before it is gone.) Back from the back-forward cache, it carries on.
  window.addEventListener("pagehide", function () { leaving = true; });
  window.addEventListener("pageshow", function (event) {
    if (!event.persisted) return;
    leaving = false;
    send();
  });
  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "visible") send();
  });
  window.setInterval(function () { if (state.pending) send(); }, RETRY_MS);

  // --- Start: the newer of the server's copy and the phone's -----------------------------------

  (function start() {
    // Without a connection this page came from the phone's copy (the service worker's).
    if (offlineNotice && !navigator.onLine) offlineNotice.hidden = false;
    var stored = readStored();
    var serverAnswers = collect();
    if (config.isSubmitted) {
      forget(); // the server holds the submission; nothing personal stays on the phone
      state = { answers: serverAnswers, saved_at: config.serverSavedAt, pending: false };
    } else if (
      stored &&
      stored.answers &&
      (!config.serverSavedAt || !stored.saved_at || new Date(stored.saved_at) >= new Date(config.serverSavedAt))
    ) {
      state = stored;
      apply(state.answers);
    } else {
      state = { answers: serverAnswers, saved_at: config.serverSavedAt, pending: false };
      persist();
    }
    state.blocked = false; // a refusal may not hold any more (the case may have been reopened)
    show(stepFromHash(), null, true);
    if (readOnly) {
      setDisabled(true);
      if (state.pending) say("error", T.closed);
      return;
    }
    if (state.submit) setDisabled(true);
    if (state.pending) send();
  })();
})();
