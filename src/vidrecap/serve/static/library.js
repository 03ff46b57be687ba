// vidrecap index page: one search box over the recap library; each hit opens its video at the moment.
(() => {
  "use strict";
  const form = document.getElementById("library-form");
  if (!form) return;
  const input = document.getElementById("library-q");
  const list = document.getElementById("library-results");
  const clock = (s) => {
    const t = Math.max(0, Math.floor(s)), h = Math.floor(t / 3600), m = Math.floor((t % 3600) / 60), sec = t % 60;
    const mm = h ? String(m).padStart(2, "0") : String(m);
    return `${h ? h + ":" : ""}${mm}:${String(sec).padStart(2, "0")}`;
  };
  const row = (hit) => {
    const li = document.createElement("li");
    const a = document.createElement("a");
    a.href = hit.url;
    a.className = "hit";
    a.textContent = `${hit.title} · ${clock(hit.start)}–${clock(hit.end)}`;
    const bar = document.createElement("span");
    bar.className = "score";
    bar.style.width = `${Math.round(hit.score * 4)}rem`;
    bar.title = `score ${hit.score.toFixed(2)}`;
    const text = document.createElement("p");
    text.className = "muted";
    text.textContent = hit.said || hit.shown;
    li.append(a, " ", bar, text);
    return li;
  };
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const q = input.value.trim();
    if (!q) return;
    list.replaceChildren();
    const response = await fetch(`/api/library/search?q=${encodeURIComponent(q)}&top_k=10`);
    if (!response.ok) {
      const li = document.createElement("li");
      li.className = "error";
      li.textContent = `Search failed (${response.status})`;
      list.append(li);
      return;
    }
    const body = await response.json();
    if (!body.hits.length) {
      const li = document.createElement("li");
      li.className = "muted";
      li.textContent = "No matching moments.";
      list.append(li);
    }
    list.append(...body.hits.map(row));
  });
})();
