// Enhancements of the wizard when JavaScript runs (every step works without it): copy buttons, focus after htmx swaps,
// and the live build progress of a download (POST /builds, then the build's Server-Sent Events: finished steps, or a
// step's own percentage where it sends one).
(function () {
  "use strict";

  function enhance(root) {
    root.querySelectorAll("button.copy[data-copy]").forEach(function (button) {
      if (!navigator.clipboard) {
        return;
      }
      button.hidden = false;
      button.onclick = function () {
        var field = document.querySelector(button.getAttribute("data-copy"));
        navigator.clipboard.writeText(field.value);
        field.select();
      };
    });
    root.querySelectorAll("button.build[data-build]").forEach(function (button) {
      button.hidden = false;
      button.onclick = function () { startBuild(button); };
    });
  }

  function startBuild(button) {
    var row = button.closest("td");
    var table = button.closest("table");
    var progress = row.querySelector("progress");
    var status = row.querySelector(".build-status");
    var badge = row.querySelector(".badge");
    button.disabled = true;
    progress.hidden = false;
    status.textContent = table.dataset.textQueued;
    fetch("/builds", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ schematic: button.dataset.schematic, version: button.dataset.version, paths: [button.dataset.build] })
    }).then(function (response) {
      if (!response.ok) {
        return response.text().then(function (text) { throw new Error(text); });
      }
      return response.json();
    }).then(function (body) {
      var build = body.builds[0];
      if (build.state === "succeeded") {
        done(true);
        return;
      }
      follow(build.id);
    }).catch(function (error) {
      failed(error.message);
    });

    function follow(id) {
      var finished = 0;
      var events = new EventSource("/builds/" + encodeURIComponent(id) + "/events");
      events.addEventListener("state", function (event) {
        var data = JSON.parse(event.data);
        if (data.state === "running") {
          status.textContent = table.dataset.textRunning;
        } else if (data.state === "succeeded") {
          events.close();
          done(true);
        } else if (data.state === "failed") {
          events.close();
          failed(data.error || "");
        }
      });
      events.addEventListener("step-started", function (event) {
        status.textContent = table.dataset.textRunning + ": " + JSON.parse(event.data).step;
      });
      events.addEventListener("step-progress", function (event) {
        // a step that knows how far it is (e.g. compressing a disk image): the bar shows its percentage
        var data = JSON.parse(event.data);
        progress.max = 100;
        progress.value = data.percent;
        status.textContent = table.dataset.textRunning + ": " + data.step + " " + data.percent + " %";
      });
      events.addEventListener("step-ended", function () {
        finished += 1;
        progress.max = finished + 1;
        progress.value = finished;
      });
      events.onerror = function () {
        // EventSource reconnects by itself with Last-Event-ID; nothing is lost
      };
    }

    function done() {
      progress.max = 1;
      progress.value = 1;
      status.textContent = "";
      badge.className = "badge cached";
      badge.dataset.state = "cached";
      badge.textContent = table.dataset.textDone;
      button.hidden = true;
    }

    function failed(reason) {
      progress.hidden = true;
      status.textContent = table.dataset.textFailed + (reason ? ": " + reason : "");
      button.disabled = false;
    }
  }

  document.addEventListener("DOMContentLoaded", function () { enhance(document); });
  document.addEventListener("htmx:afterSettle", function (event) {
    enhance(event.detail.elt);
    var heading = document.querySelector("#wizard h1");
    if (heading && event.detail.target && event.detail.target.id === "wizard") {
      heading.setAttribute("tabindex", "-1");
      heading.focus({ preventScroll: true });
    }
  });
  document.addEventListener("htmx:historyRestore", function () { enhance(document); });
})();
