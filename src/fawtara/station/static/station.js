/* The status bar, kept fresh without a reload: GET /status every few seconds.
   The page needs no script; without it the bar is as of the page's load. */
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
})();
