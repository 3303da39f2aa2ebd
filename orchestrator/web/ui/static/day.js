// "Der Tag": fetch the day's sections every few seconds and swap them in. Without this script
// the page is complete as well (reload it to update).
(function () {
  "use strict";
  var box = document.getElementById("day-sections");
  var stamp = document.getElementById("day-updated");
  if (!box || !window.fetch) { return; }
  var seconds = Math.max(2, parseInt(box.dataset.poll || "5", 10));
  var busy = false;

  function focusedInside() {
    var active = document.activeElement;
    return active && active !== document.body && box.contains(active) &&
      (active.tagName === "BUTTON" || active.tagName === "SUMMARY" || active.tagName === "INPUT");
  }

  function refresh() {
    // Keep the page still while someone works in it (a focused button, an open list of names).
    if (busy || document.hidden || focusedInside() || box.querySelector("details[open]")) { return; }
    busy = true;
    fetch(box.dataset.src, { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (response) {
        if (!response.ok || response.redirected) { throw new Error("status " + response.status); }
        return response.json();
      })
      .then(function (data) {
        box.innerHTML = data.html;
        if (stamp && data.stamp) { stamp.textContent = data.stamp; }
      })
      .catch(function () { /* keep the last state; the next poll tries again */ })
      .then(function () { busy = false; });
  }

  window.setInterval(refresh, seconds * 1000);
})();
