/* The status bar, kept fresh without a reload: GET /status every few seconds; and a
   form's buttons disabled once it is sent. The page needs no script; without it the
   bar is as of the page's load. */
"use strict";
(function () {
  var EVERY_MS = 2000;
  function show(status) {
    var bar = document.getElementById("status");
    var text = document.getElementById("link-text");
    var pending = document.getElementById("pending-count");
    if (!bar || !text || !pending) return;
    var state = "status " + status.state;
    /* Only what changed is written: the bar is a live region, read aloud on change. */
    if (bar.className !== state) bar.className = state;
    if (text.textContent !== status.text) text.textContent = status.text;
    if (pending.textContent !== String(status.pending)) pending.textContent = String(status.pending);
  }
  function poll() {
    fetch("/status", { cache: "no-store" })
      .then(function (answer) { return answer.ok ? answer.json() : null; })
      .then(function (status) { if (status) show(status); })
      .catch(function () { /* the station itself is not answering: keep the last figures */ })
      .then(function () { window.setTimeout(poll, EVERY_MS); });
  }
  window.setTimeout(poll, EVERY_MS);
  /* A form sent once: its buttons wait for the answer, so a second click sends nothing.
     (The station takes a re-sent payment or shift once anyway.) */
  document.addEventListener("submit", function (event) {
    var buttons = event.target.querySelectorAll("button[type=submit]");
    window.setTimeout(function () {
      for (var i = 0; i < buttons.length; i++) buttons[i].disabled = true;
    }, 0);
  });
  /* Back to a page kept in the browser's cache: its buttons work again. */
  window.addEventListener("pageshow", function () {
    var buttons = document.querySelectorAll("button[type=submit]:disabled");
    for (var i = 0; i < buttons.length; i++) buttons[i].disabled = false;
  });
})();
