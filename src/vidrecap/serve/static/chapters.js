// Marks the chapter being played in the chapter bar under the video (seeking is recap.js's click handler).
(() => {
  "use strict";
  const video = document.getElementById("video");
  const buttons = [...document.querySelectorAll("#chapter-bar button[data-start]")];
  if (!video || !buttons.length) return;
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
