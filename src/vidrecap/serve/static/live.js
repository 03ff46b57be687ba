// vidrecap live recap: while `vidrecap run --follow` writes this recap, poll its state; show the
// source's status in the badge and bring in new chapters/captions (a reload, held while the video
// plays or a box has focus: then the badge offers it).
(() => {
  "use strict";
  const root = document.getElementById("recap"), badge = document.getElementById("live-badge");
  if (!root || !badge) return;
  const rid = root.dataset.recapId, video = document.getElementById("video");
  const POLL_MS = 3000;
  let version = null, newer = false;
  const busy = () => (video && !video.paused && !video.ended) ||
    (document.activeElement && ["INPUT", "TEXTAREA"].includes(document.activeElement.tagName));
  const show = (s) => {
    badge.dataset.live = s.live ? "1" : "0";
    badge.dataset.status = s.status || "";
    const state = s.live ? (s.status === "recording" ? "LIVE" : `LIVE · ${s.status}`) : "recorded live";
    badge.textContent = `${state} · ${s.clip_count} clips, ${s.segment_count} chapters` + (newer ? " · new content ↻" : "");
  };
  badge.addEventListener("click", () => { if (newer) location.reload(); });
  const poll = async () => {
    let s;
    try {
      const r = await fetch(`/api/recaps/${rid}/live`, { headers: { Accept: "application/json" } });
      if (!r.ok) throw new Error(String(r.status));
      s = await r.json();
    } catch (e) {
      setTimeout(poll, POLL_MS);
      return;
    }
    if (version === null) version = s.version;
    else if (s.version !== version) newer = true;
    if (newer && !busy()) { location.reload(); return; }
    show(s);
    if (s.live || newer) setTimeout(poll, POLL_MS);
  };
  poll();
})();
