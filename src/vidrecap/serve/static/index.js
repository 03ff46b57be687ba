// vidrecap index page: upload a video, follow its recap job, link the result when done.
(() => {
  "use strict";
  const form = document.getElementById("upload-form");
  if (!form) return;
  const input = document.getElementById("upload-file");
  const jobs = document.getElementById("jobs");
  const POLL_MS = 1000;
  const rows = new Map();

  const jobRow = (id, name) => {
    if (rows.has(id)) return rows.get(id);
    const li = document.createElement("li");
    const label = document.createElement("span");
    const bar = document.createElement("progress");
    const status = document.createElement("span");
    bar.max = 1;
    bar.value = 0;
    label.textContent = `${name} `;
    status.className = "muted";
    bar.setAttribute("aria-label", `Progress of ${name}`);
    li.append(label, bar, " ", status);
    jobs.prepend(li);
    const row = { li, bar, status };
    rows.set(id, row);
    return row;
  };
  const show = (row, job) => {
    row.bar.value = job.progress;
    if (job.state === "done") {
      const a = document.createElement("a");
      a.href = job.recap_url;
      a.textContent = "Open the recap";
      row.status.replaceChildren("Done. ", a);
    } else if (job.state === "failed") {
      row.status.className = "error";
      row.status.textContent = `Failed: ${job.message}`;
    } else {
      row.status.textContent = job.state === "queued" ? "Waiting…" : `Recapping (${job.stage || "starting"}) ${Math.round(job.progress * 100)} %`;
    }
  };
  const poll = async (id) => {
    try {
      const r = await fetch(`/api/jobs/${encodeURIComponent(id)}`);
      const job = await r.json();
      if (!r.ok) throw new Error(job.detail || r.statusText);
      show(jobRow(job.id, job.name), job);
      if (job.state === "queued" || job.state === "running") setTimeout(() => poll(id), POLL_MS);
    } catch (err) {
      setTimeout(() => poll(id), POLL_MS * 3);
    }
  };

  form.addEventListener("submit", (e) => {
    e.preventDefault();
    const file = input.files[0];
    if (!file) return;
    const row = jobRow(`upload-${Date.now()}`, file.name);
    row.status.textContent = "Uploading…";
    const xhr = new XMLHttpRequest();
    xhr.open("POST", `/api/uploads?filename=${encodeURIComponent(file.name)}`);
    xhr.setRequestHeader("X-Vidrecap-Upload", "1");
    xhr.setRequestHeader("Content-Type", "application/octet-stream");
    xhr.upload.addEventListener("progress", (ev) => {
      if (ev.lengthComputable) {
        row.bar.value = ev.loaded / ev.total;
        row.status.textContent = `Uploading ${Math.round((100 * ev.loaded) / ev.total)} %`;
      }
    });
    xhr.addEventListener("load", () => {
      let body = {};
      try { body = JSON.parse(xhr.responseText); } catch (_) { /* not JSON */ }
      if (xhr.status === 202) {
        rows.set(body.id, row);
        row.bar.value = 0;
        show(row, body);
        poll(body.id);
      } else {
        row.status.className = "error";
        row.status.textContent = `Upload refused: ${body.detail || xhr.statusText} (${xhr.status})`;
      }
    });
    xhr.addEventListener("error", () => {
      row.status.className = "error";
      row.status.textContent = "Upload failed (connection error).";
    });
    xhr.send(file);
    form.reset();
  });

  fetch("/api/jobs").then((r) => (r.ok ? r.json() : [])).then((list) => {
    list.forEach((job) => { show(jobRow(job.id, job.name), job); if (job.state === "queued" || job.state === "running") poll(job.id); });
  }).catch(() => {});
})();
