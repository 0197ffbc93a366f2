// Follows a running job: polls its progress, moves the bar and fills the hits table as chunks
// finish; reloads once the job has ended, so the page shows the download links.
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
    var body = document.querySelector("#hits tbody");
    if (state.found.length > body.rows.length) {
      // Hits come in input order and only grow, so the new ones are at the end.
      state.found.slice(body.rows.length).forEach(function (hit) {
        var row = body.insertRow();
        var link = document.createElement("a");
        link.href = hit.screen_url;
        link.textContent = hit.screened;
        row.insertCell().appendChild(link);
        [hit.matched_name, hit.list + " " + hit.list_key, hit.score.toFixed(2),
         hit.review ? hit.review.replace("_", " ") : ""].forEach(function (text) {
          row.insertCell().textContent = text;
        });
      });
      document.getElementById("hits").hidden = false;
      document.getElementById("no-hits").hidden = true;
    }
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
