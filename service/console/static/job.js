// Follows a running job: polls its progress and moves the bar; reloads once it has finished,
// so the page shows the hits and the download links (rendered by the server).
(function () {
  "use strict";
  var box = document.getElementById("job");
  if (!box) { return; }
  var finished = ["done", "failed", "cancelled"];
  if (finished.indexOf(box.dataset.status) >= 0) { return; }
  var bar = document.getElementById("job-progress");
  function show(state) {
    var percent = state.total ? Math.round(state.done * 100 / state.total) : 100;
    bar.setAttribute("aria-valuenow", String(percent));
    bar.firstElementChild.style.width = percent + "%";
    ["status", "done", "total", "hits"].forEach(function (key) {
      document.getElementById("job-" + key).textContent = String(state[key]);
    });
    if (state.error) {
      var error = document.getElementById("job-error");
      error.textContent = state.error;
      error.hidden = false;
    }
  }
  function poll() {
    fetch(box.dataset.progressUrl, {credentials: "same-origin", headers: {"Accept": "application/json"}})
      .then(function (response) {
        if (!response.ok) { throw new Error("HTTP " + response.status); }
        return response.json();
      })
      .then(function (state) {
        show(state);
        if (finished.indexOf(state.status) >= 0) { window.location.reload(); }
        else { window.setTimeout(poll, 500); }
      })
      .catch(function () { window.setTimeout(poll, 2000); });
  }
  window.setTimeout(poll, 300);
})();
