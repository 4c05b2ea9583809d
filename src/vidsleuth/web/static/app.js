// vidsleuth web app: small enhancements over server-rendered pages that work without JavaScript.
// Drag-and-drop upload with a progress bar, live progress of a running case (polling the JSON API),
// the permalink button, and remembering the analyst's name for "Signed by" fields.
"use strict";

(function () {
  const STAGES = {
    queued: "Waiting for a free worker…",
    starting: "Starting…",
    fetch: "Fetching the video from the link…",
    hash: "Computing the file's SHA-256…",
    probe: "Reading the container…",
    signal: "Running the checks…",
    decode: "Decoding frames for the frame-based checks…",
    fuse: "Weighing the evidence…",
    done: "Done — loading the report…",
    failed: "The analysis stopped.",
  };

  function errorText(body, status) {
    if (body && body.error && body.error.message) return body.error.message;
    return "The server answered HTTP " + status + ".";
  }

  function showError(message) {
    const box = document.getElementById("submit-error");
    if (!box) return;
    box.textContent = message;
    box.hidden = false;
    box.scrollIntoView({ block: "nearest" });
  }

  function setupUpload() {
    const form = document.getElementById("upload-form");
    if (!form) return;
    const input = document.getElementById("file");
    const drop = document.getElementById("drop");
    const text = document.getElementById("drop-text");
    const button = document.getElementById("upload-button");
    const bar = document.getElementById("upload-progress");
    const status = document.getElementById("upload-status");
    const maxBytes = Number(form.dataset.maxBytes || 0);

    function chosen() {
      const f = input.files && input.files[0];
      text.textContent = f ? f.name + " (" + (f.size / 1048576).toFixed(1) + " MB)" : "Drop a video here, or choose a file";
    }
    input.addEventListener("change", chosen);
    ["dragenter", "dragover"].forEach(function (ev) {
      drop.addEventListener(ev, function (e) { e.preventDefault(); drop.classList.add("over"); });
    });
    ["dragleave", "drop"].forEach(function (ev) {
      drop.addEventListener(ev, function () { drop.classList.remove("over"); });
    });
    drop.addEventListener("drop", function (e) {
      e.preventDefault();
      if (e.dataTransfer && e.dataTransfer.files.length) {
        input.files = e.dataTransfer.files;
        chosen();
      }
    });

    form.addEventListener("submit", function (e) {
      e.preventDefault();
      const f = input.files && input.files[0];
      if (!f) { showError("Choose a video file first."); return; }
      if (maxBytes && f.size > maxBytes) {
        showError("This file is " + (f.size / 1048576).toFixed(0) + " MB; this server accepts up to " +
          form.dataset.maxMb + " MB.");
        return;
      }
      document.getElementById("submit-error").hidden = true;
      const data = new FormData();
      data.append("file", f, f.name);
      const xhr = new XMLHttpRequest();
      xhr.open("POST", "/api/cases");
      xhr.responseType = "json";
      xhr.upload.addEventListener("progress", function (p) {
        if (p.lengthComputable) { bar.hidden = false; bar.value = p.loaded / p.total; }
      });
      xhr.addEventListener("load", function () {
        const body = xhr.response;
        if (xhr.status === 202 && body && body.links) { window.location.assign(body.links.page); return; }
        button.disabled = false; status.textContent = ""; bar.hidden = true;
        showError(errorText(body, xhr.status));
      });
      xhr.addEventListener("error", function () {
        button.disabled = false; status.textContent = ""; bar.hidden = true;
        showError("The upload did not reach the server. Check the connection and try again.");
      });
      button.disabled = true;
      status.textContent = "Uploading…";
      xhr.send(data);
    });
  }

  function setupUrl() {
    const form = document.getElementById("url-form");
    if (!form) return;
    form.addEventListener("submit", function (e) {
      e.preventDefault();
      const url = document.getElementById("url").value.trim();
      fetch("/api/cases", {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ url: url }),
      }).then(function (r) {
        return r.json().then(function (body) { return { status: r.status, body: body }; });
      }).then(function (res) {
        if (res.status === 202) { window.location.assign(res.body.links.page); return; }
        showError(errorText(res.body, res.status));
      }).catch(function () { showError("The server could not be reached."); });
    });
  }

  function renderProgress(data) {
    const stage = document.getElementById("stage-text");
    const chip = document.getElementById("status-chip");
    const bar = document.getElementById("decode-bar");
    const list = document.getElementById("signal-list");
    const p = data.progress || {};
    let text = STAGES[p.stage] || "Working…";
    if (p.stage === "decode" && typeof p.decode === "number") text += " " + Math.round(p.decode * 100) + "%";
    stage.textContent = text;
    chip.textContent = data.status;
    chip.className = "chip status-" + data.status;
    if (typeof p.decode === "number") { bar.hidden = false; bar.value = p.decode; }
    list.replaceChildren();
    Object.keys(p.signals || {}).forEach(function (name) {
      const state = p.signals[name];
      const li = document.createElement("li");
      const span = document.createElement("span");
      span.className = "chip state-" + state;
      span.textContent = state.replace("_", " ");
      li.append(span, " " + name);
      list.append(li);
    });
  }

  function setupLive() {
    const box = document.getElementById("case");
    if (!box || !box.dataset.live) return;
    const id = box.dataset.caseId;
    let delay = 500;
    function poll() {
      fetch("/api/cases/" + encodeURIComponent(id), { headers: { Accept: "application/json" } })
        .then(function (r) { return r.ok ? r.json() : null; })
        .then(function (data) {
          if (!data || !data.status) { setTimeout(poll, 3000); return; }
          if (data.status === "done" || data.status === "failed") { window.location.reload(); return; }
          renderProgress(data);
          delay = Math.min(delay + 100, 1500);
          setTimeout(poll, delay);
        })
        .catch(function (err) { console.warn("vidsleuth: progress poll failed:", err); setTimeout(poll, 3000); });
    }
    poll();
  }

  function setupPermalink() {
    const button = document.getElementById("copy-permalink");
    if (!button) return;
    const field = document.getElementById("permalink");
    const url = window.location.origin + button.dataset.path;
    field.value = url;
    button.addEventListener("click", function () {
      const done = function () { document.getElementById("copy-status").textContent = "Copied."; };
      if (navigator.clipboard && window.isSecureContext) {
        navigator.clipboard.writeText(url).then(done, function () { field.select(); });
      } else {
        field.select();
        try { document.execCommand("copy"); done(); } catch (err) { /* the field stays selected */ }
      }
    });
  }

  function setupSigner() {
    const KEY = "vidsleuth.signer";
    const fields = document.querySelectorAll("input.signer");
    let saved = "";
    try { saved = window.localStorage.getItem(KEY) || ""; } catch (err) { saved = ""; }
    fields.forEach(function (f) {
      if (!f.value) f.value = saved;
      f.form.addEventListener("submit", function () {
        try { window.localStorage.setItem(KEY, f.value.trim()); } catch (err) { /* private mode */ }
      });
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    setupUpload();
    setupUrl();
    setupLive();
    setupPermalink();
    setupSigner();
  });
})();
