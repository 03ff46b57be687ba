// vidrecap recap page: save speaker names (S1 -> "Maria"); the page reloads to show them everywhere.
(() => {
  "use strict";
  const form = document.getElementById("speakers-form");
  if (!form) return;
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    const status = document.getElementById("speakers-status");
    const names = {};
    for (const input of form.querySelectorAll("input[name]")) names[input.name] = input.value.trim();
    status.textContent = "Saving…";
    try {
      const r = await fetch(`/api/recaps/${form.dataset.recapId}/speakers`, {
        method: "POST", headers: { "Content-Type": "application/json", Accept: "application/json" },
        body: JSON.stringify(names),
      });
      const body = await r.json().catch(() => ({}));
      if (!r.ok) throw new Error(body.detail || `${r.status} ${r.statusText}`);
      status.textContent = "Saved.";
      window.location.reload();
    } catch (err) {
      status.textContent = `Not saved: ${err.message}`;
    }
  });
})();
