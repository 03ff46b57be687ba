// vidrecap recap page: outline follows the video, clip captions are virtualised, search, curve, key frames.
(() => {
  "use strict";
  const root = document.getElementById("recap");
  if (!root) return;
  const rid = root.dataset.recapId;
  const video = document.getElementById("video");
  let duration = parseFloat(root.dataset.duration) || 0;
  const api = (path) => `/api/recaps/${rid}${path}`;
  const $ = (sel) => document.querySelector(sel);
  const SVG = "http://www.w3.org/2000/svg";

  const clock = (s) => {
    s = Math.max(0, Math.floor(s));
    const h = Math.floor(s / 3600), m = Math.floor((s % 3600) / 60), sec = String(s % 60).padStart(2, "0");
    return h ? `${h}:${String(m).padStart(2, "0")}:${sec}` : `${m}:${sec}`;
  };
  const getJSON = async (url) => {
    const r = await fetch(url, { headers: { Accept: "application/json" } });
    const body = await r.json().catch(() => ({}));
    if (!r.ok) throw new Error(body.detail || `${r.status} ${r.statusText}`);
    return body;
  };
  /** Index of the last start <= t (binary search), or -1. */
  const indexAt = (starts, t) => {
    let lo = 0, hi = starts.length - 1, found = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (starts[mid] <= t + 1e-3) { found = mid; lo = mid + 1; } else { hi = mid - 1; }
    }
    return found;
  };
  const seek = (t) => {
    video.currentTime = Math.min(Math.max(0, t), duration || t);
  };
  const el = (tag, cls, text) => {
    const e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined) e.textContent = text;
    return e;
  };

  // Seek from any button carrying data-start (segments, clips, results, key frames).
  document.addEventListener("click", (e) => {
    const b = e.target.closest("button[data-start]");
    if (b) seek(parseFloat(b.dataset.start));
  });

  video.addEventListener("error", () => {
    const msg = $("#video-error");
    msg.textContent = "This browser cannot play the source video (missing file or unsupported codec). " +
      "The recap, search and key frames still work.";
    msg.hidden = false;
  });
  video.addEventListener("loadedmetadata", () => {
    if (!duration && isFinite(video.duration)) duration = video.duration;
  });

  // ---- segments: highlight the current one ----
  const segButtons = [...document.querySelectorAll("#segments button.segment[data-start]")];
  const segStarts = segButtons.map((b) => parseFloat(b.dataset.start));
  const segList = $("#segments");
  let currentSeg = -1;
  const markSegment = (t) => {
    const i = indexAt(segStarts, t);
    if (i === currentSeg) return;
    if (currentSeg >= 0) segButtons[currentSeg].removeAttribute("aria-current");
    currentSeg = i;
    if (i < 0) return;
    const b = segButtons[i];
    b.setAttribute("aria-current", "true");
    const li = b.parentElement;
    if (li.offsetTop < segList.scrollTop || li.offsetTop + li.offsetHeight > segList.scrollTop + segList.clientHeight) {
      segList.scrollTop = li.offsetTop - segList.clientHeight / 3;
    }
  };

  // ---- clip captions: a virtual list, text fetched page by page ----
  const ROW = 56, PAGE = 200, OVERSCAN = 6, FOLLOW_PAUSE_MS = 4000;
  const list = $("#clips"), spacer = list.querySelector(".vlist-spacer");
  const pages = new Map(), pending = new Set(), rows = new Map();
  let clipStarts = [], currentClip = -1, lastUserScroll = 0, autoScroll = false, drawQueued = false;

  const clipAt = (i) => (pages.get(Math.floor(i / PAGE)) || [])[i % PAGE];
  const loadPage = (p) => {
    if (pages.has(p) || pending.has(p)) return;
    pending.add(p);
    getJSON(api(`/clips?offset=${p * PAGE}&limit=${PAGE}`))
      .then((d) => { pages.set(p, d.clips); queueDraw(); })
      .catch(() => {})
      .finally(() => pending.delete(p));
  };
  const fillRow = (row, i) => {
    const clip = clipAt(i);
    const b = row.firstChild;
    b.dataset.start = clipStarts[i];
    b.setAttribute("aria-current", i === currentClip ? "true" : "false");
    if (row.dataset.filled === String(i) && clip) return;
    b.className = clip && clip.speakers && clip.speakers.length ? `node spk-${(parseInt(clip.speakers[0].slice(1), 10) - 1) % 8 + 1}` : "node";
    const who = clip && clip.names && clip.names.length ? [el("span", "who", clip.names.join(", "))] : [];
    b.replaceChildren(el("span", "time", clock(clipStarts[i])), ...who, el("span", "text", clip ? clip.text : "…"));
    if (clip) row.dataset.filled = String(i);
  };
  const drawClips = () => {
    drawQueued = false;
    const n = clipStarts.length;
    const first = Math.max(0, Math.floor(list.scrollTop / ROW) - OVERSCAN);
    const last = Math.min(n - 1, Math.ceil((list.scrollTop + list.clientHeight) / ROW) + OVERSCAN);
    for (const [i, row] of rows) if (i < first || i > last) { row.remove(); rows.delete(i); }
    for (let i = first; i <= last; i++) {
      if (!clipAt(i)) loadPage(Math.floor(i / PAGE));
      let row = rows.get(i);
      if (!row) {
        row = el("div", "row");
        row.setAttribute("role", "listitem");
        row.style.transform = `translateY(${i * ROW}px)`;
        const b = el("button", "node");
        b.type = "button";
        row.appendChild(b);
        rows.set(i, row);
        list.appendChild(row);
      }
      fillRow(row, i);
    }
  };
  const queueDraw = () => {
    if (!drawQueued) { drawQueued = true; requestAnimationFrame(drawClips); }
  };
  list.addEventListener("scroll", () => {
    if (!autoScroll) lastUserScroll = Date.now();
    autoScroll = false;
    queueDraw();
  }, { passive: true });
  const markClip = (t) => {
    const i = indexAt(clipStarts, t);
    if (i === currentClip) return;
    currentClip = i;
    if (i >= 0 && Date.now() - lastUserScroll > FOLLOW_PAUSE_MS) {
      const top = i * ROW;
      if (top < list.scrollTop || top + ROW > list.scrollTop + list.clientHeight) {
        autoScroll = true;
        list.scrollTop = Math.max(0, top - list.clientHeight / 3);
      }
    }
    queueDraw();
  };

  // ---- highlight curve ----
  const curve = $("#curve");
  let playhead = null, windowStarts = [];
  const xOf = (t) => ((t / (duration || 1)) * 1000).toFixed(1);
  const rect = (cls, start, end, label) => {
    const r = document.createElementNS(SVG, "rect");
    r.setAttribute("class", cls);
    r.setAttribute("x", xOf(start));
    const band = cls === "window";  // highlights: a band along the bottom; search hits: full height
    r.setAttribute("y", band ? "90" : "0");
    r.setAttribute("width", Math.max(1, xOf(end) - xOf(start)).toFixed(1));
    r.setAttribute("height", band ? "10" : "100");
    const title = document.createElementNS(SVG, "title");
    title.textContent = label;
    r.appendChild(title);
    return r;
  };
  const drawCurve = (data) => {
    if (!duration) duration = data.duration;
    const pts = data.points;
    const top = Math.max(1e-6, ...pts.map((p) => p[1]));
    const coords = pts.map(([t, v]) => `${xOf(t)},${(96 - (v / top) * 90).toFixed(1)}`);
    const line = document.createElementNS(SVG, "path");
    line.setAttribute("class", "line");
    line.setAttribute("d", coords.length ? `M${coords.join("L")}` : "");
    const area = document.createElementNS(SVG, "path");
    area.setAttribute("class", "area");
    if (coords.length) area.setAttribute("d", `M${xOf(pts[0][0])},100L${coords.join("L")}L${xOf(pts[pts.length - 1][0])},100Z`);
    playhead = document.createElementNS(SVG, "line");
    playhead.setAttribute("class", "playhead");
    playhead.setAttribute("y1", "0");
    playhead.setAttribute("y2", "100");
    const windows = data.windows.map((w, k) => rect("window", w.start, w.end, `Highlight ${k + 1}: ${clock(w.start)}–${clock(w.end)}`));
    windowStarts = data.windows.map((w) => w.start).sort((a, b) => a - b);
    curve.replaceChildren(...windows, area, line, playhead);
    curve.setAttribute("aria-label", `Saliency over time; ${windows.length} highlights. Arrow keys jump between them.`);
    curve.setAttribute("tabindex", "0");
    movePlayhead(video.currentTime || 0);
    root.dataset.curve = "ready";
  };
  const movePlayhead = (t) => {
    if (!playhead) return;
    playhead.setAttribute("x1", xOf(t));
    playhead.setAttribute("x2", xOf(t));
  };
  curve.addEventListener("click", (e) => {
    const box = curve.getBoundingClientRect();
    if (box.width > 0 && duration) seek(((e.clientX - box.left) / box.width) * duration);
  });
  curve.addEventListener("keydown", (e) => {
    const t = video.currentTime;
    if (e.key === "ArrowRight") {
      const next = windowStarts.find((s) => s > t + 0.5);
      if (next !== undefined) seek(next);
    } else if (e.key === "ArrowLeft") {
      const prev = windowStarts.filter((s) => s < t - 0.5).pop();
      if (prev !== undefined) seek(prev);
    } else return;
    e.preventDefault();
  });

  // ---- search ----
  const results = $("#search-results");
  const segmentTitleAt = (t) => {
    const i = indexAt(segStarts, t);
    const strong = i >= 0 ? segButtons[i].querySelector("strong") : null;
    return strong ? strong.textContent : "";
  };
  const showHits = (windows) => {
    curve.querySelectorAll(".hit").forEach((r) => r.remove());
    const anchor = curve.querySelector(".area");
    const best = Math.max(1e-6, ...windows.map((w) => w.score));
    windows.forEach((w) => {
      const hit = rect("hit", w.start, w.end, `Match ${clock(w.start)}–${clock(w.end)} (score ${w.score.toFixed(2)})`);
      hit.setAttribute("fill-opacity", (0.08 + 0.6 * (w.score / best)).toFixed(2));  // stronger = better
      curve.insertBefore(hit, anchor);
    });
  };
  $("#search-form").addEventListener("submit", async (e) => {
    e.preventDefault();
    const q = $("#q").value.trim();
    if (!q) return;
    root.dataset.search = "busy";
    results.replaceChildren(el("li", "muted", "Searching…"));
    try {
      const data = await getJSON(api(`/search?q=${encodeURIComponent(q)}&top_k=10`));
      const items = data.windows.map((w) => {
        const li = el("li");
        const b = el("button");
        b.type = "button";
        b.dataset.start = w.start;
        const title = segmentTitleAt(w.start);
        const bar = el("span", "score");
        bar.style.width = `${Math.round(Math.max(0.05, w.score) * 60)}px`;
        bar.title = `score ${w.score.toFixed(2)}`;
        b.append(el("span", "time", `${clock(w.start)}–${clock(w.end)}`), title ? title : "", bar);
        li.appendChild(b);
        return li;
      });
      results.replaceChildren(...(items.length ? items : [el("li", "muted", "No matching moments.")]));
      if (curve.querySelector(".area")) showHits(data.windows);
    } catch (err) {
      results.replaceChildren(el("li", "error", `Search failed: ${err.message}`));
    }
    root.dataset.search = "done";
  });

  // ---- key frames ----
  const strip = $("#keyframes");
  let frameButtons = [], frameStarts = [], currentFrame = -1;
  const drawFrames = (data) => {
    const items = data.frames.map((f) => {
      const li = el("li");
      const b = el("button");
      b.type = "button";
      b.dataset.start = f.start;
      if (f.url) {
        const img = el("img");
        img.src = f.url;
        img.alt = `Key frame at ${clock(f.start)}`;
        img.loading = "lazy";
        img.width = 144;
        img.height = 81;
        b.appendChild(img);
      }
      b.appendChild(el("span", "", clock(f.start)));
      li.appendChild(b);
      return li;
    });
    strip.replaceChildren(...items);
    frameButtons = [...strip.querySelectorAll("li")];
    frameStarts = data.frames.map((f) => f.start);
    root.dataset.frames = "ready";
  };
  const markFrame = (t) => {
    const i = indexAt(frameStarts, t);
    if (i === currentFrame) return;
    if (currentFrame >= 0 && frameButtons[currentFrame]) frameButtons[currentFrame].classList.remove("current");
    currentFrame = i;
    if (i >= 0 && frameButtons[i]) frameButtons[i].classList.add("current");
  };

  // ---- follow the video ----
  const onTime = () => {
    const t = video.currentTime || 0;
    markSegment(t);
    markClip(t);
    markFrame(t);
    movePlayhead(t);
  };
  video.addEventListener("timeupdate", onTime);
  video.addEventListener("seeked", onTime);

  // ---- load ----
  getJSON(api(""))
    .then((meta) => {
      clipStarts = meta.clip_starts;
      spacer.style.height = `${clipStarts.length * ROW}px`;
      drawClips();
      onTime();
      root.dataset.clips = "ready";
    })
    .catch((err) => list.replaceChildren(el("p", "error", `Could not load clip captions: ${err.message}`)));
  getJSON(api("/highlights"))
    .then(drawCurve)
    .catch((err) => curve.setAttribute("aria-label", `Highlights unavailable: ${err.message}`))
    .finally(() => getJSON(api("/keyframes")).then(drawFrames).catch(() => { root.dataset.frames = "failed"; }));
})();
