// vidrecap ask box: a question about the video; the answer's [m:ss] citations seek the player.
(() => {
  "use strict";
  const root = document.getElementById("recap");
  const form = document.getElementById("ask-form");
  if (!root || !form) return;
  const video = document.getElementById("video");
  const box = document.getElementById("ask-answer");
  const STAMP = /\[((?:\d+:)?\d{1,2}:\d{2})\]/g;

  const seconds = (stamp) => stamp.split(":").reduce((t, part) => t * 60 + parseInt(part, 10), 0);
  const clock = (s) => {
    s = Math.max(0, Math.floor(s));
    const h = Math.floor(s / 3600), m = Math.floor((s % 3600) / 60), sec = String(s % 60).padStart(2, "0");
    return h ? `${h}:${String(m).padStart(2, "0")}:${sec}` : `${m}:${sec}`;
  };
  const seekButton = (t, label) => {
    const b = document.createElement("button");
    b.type = "button";
    b.className = "node stamp";
    b.dataset.seek = String(t);
    b.textContent = label;
    return b;
  };
  /** The answer text with each [m:ss] turned into a seek button (text nodes only: no HTML injection). */
  const linked = (text) => {
    const p = document.createElement("p");
    let last = 0;
    for (const m of text.matchAll(STAMP)) {
      p.append(text.slice(last, m.index), seekButton(seconds(m[1]), m[0]));
      last = m.index + m[0].length;
    }
    p.append(text.slice(last));
    return p;
  };
  const show = (data) => {
    const cites = document.createElement("ol");
    cites.className = "results";
    for (const [start, end, text] of data.citations) {
      const li = document.createElement("li");
      li.append(seekButton(start, `${clock(start)}–${clock(end)}`), ` ${text}`);
      cites.appendChild(li);
    }
    const meta = document.createElement("p");
    meta.className = "muted";
    meta.textContent = `confidence ${data.confidence.toFixed(2)}`;
    box.replaceChildren(linked(data.answer), cites, meta);
    box.dataset.found = String(data.found);
  };

  box.addEventListener("click", (e) => {
    const b = e.target.closest("button[data-seek]");
    if (b && video) video.currentTime = parseFloat(b.dataset.seek);
  });
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    const q = document.getElementById("ask-q").value.trim();
    if (!q) return;
    root.dataset.ask = "busy";
    box.textContent = "Thinking…";
    try {
      const r = await fetch(`/api/recaps/${root.dataset.recapId}/ask?q=${encodeURIComponent(q)}`,
                            { headers: { Accept: "application/json" } });
      const body = await r.json().catch(() => ({}));
      if (!r.ok) throw new Error(body.detail || `${r.status} ${r.statusText}`);
      show(body);
    } catch (err) {
      box.textContent = `Could not answer: ${err.message}`;
    }
    root.dataset.ask = "done";
  });
})();
