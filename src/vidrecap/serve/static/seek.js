// vidrecap recap page: open the video at the time given as #t=SECONDS (links from library search).
(() => {
  "use strict";
  const video = document.getElementById("video");
  const seek = () => {
    const m = /(?:^#|&)t=(\d+(?:\.\d+)?)/.exec(window.location.hash);
    if (!video || !m) return;
    const t = parseFloat(m[1]);
    const go = () => { video.currentTime = t; };
    if (video.readyState >= 1) go(); else video.addEventListener("loadedmetadata", go, { once: true });
  };
  seek();
  window.addEventListener("hashchange", seek);
})();
