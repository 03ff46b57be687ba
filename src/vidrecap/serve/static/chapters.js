// The chapter bar under the video: sizes each chapter to its share of the timeline, places each
// section mark at its time, and marks the chapter being played (seeking is recap.js's click handler).
// Sizes are set here because the page's Content-Security-Policy forbids inline style attributes.
(() => {
  "use strict";
  const video = document.getElementById("video");
  const items = [...document.querySelectorAll("#chapter-bar li[data-start]")];
  const buttons = [...document.querySelectorAll("#chapter-bar button.chapter[data-start]")];
  if (!video || !buttons.length) return;
  for (const li of items) {
    const a = parseFloat(li.dataset.start), b = parseFloat(li.dataset.end);
    li.style.flexGrow = String(Math.max(0.01, b - a));
    for (const m of li.querySelectorAll(".section-mark")) {
      m.style.left = `${(100 * (parseFloat(m.dataset.start) - a)) / Math.max(0.01, b - a)}%`;
    }
  }
  const starts = buttons.map((b) => parseFloat(b.dataset.start));
  let current = -1;
  const mark = () => {
    let i = -1;
    for (let k = 0; k < starts.length && starts[k] <= video.currentTime + 0.05; k++) i = k;
    if (i === current) return;
    if (current >= 0) buttons[current].removeAttribute("aria-current");
    current = i;
    if (i >= 0) buttons[i].setAttribute("aria-current", "true");
  };
  video.addEventListener("timeupdate", mark);
  video.addEventListener("seeked", mark);
  mark();
})();
