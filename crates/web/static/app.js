// Small enhancements only: every page works without this file.
document.addEventListener("htmx:beforeRequest", (e) => e.target.setAttribute("aria-busy", "true"));
document.addEventListener("htmx:afterRequest", (e) => e.target.removeAttribute("aria-busy"));
// A suggested matter picked: fill the select in rather than send the form
// (without scripts the button sends `pick`, and the page comes back filled in).
document.addEventListener("click", (e) => {
  const pick = e.target.closest("[data-pick]");
  const select = document.getElementById("item_code");
  if (pick && select) {
    select.value = pick.dataset.pick;
    e.preventDefault();
  }
});
// A print button where a page is a form to print (the development record sheet).
document.addEventListener("click", (e) => {
  if (e.target.closest("[data-print]")) window.print();
});
// A lesson page beats while open: the server credits study time only for
// beats from a visible page whose reader was active since the last one.
(() => {
  const el = document.querySelector("[data-heartbeat]");
  if (!el) return;
  const tab = Math.random().toString(36).slice(2) + Date.now().toString(36);
  const interval = Math.max(1, Number(el.dataset.interval || 30)) * 1000;
  const csrf = (JSON.parse(document.body.getAttribute("hx-headers") || "{}"))["X-CSRF-Token"];
  const shown = document.getElementById("studied");
  let seq = 0;
  let active = true;
  for (const ev of ["mousemove", "keydown", "scroll", "touchstart", "click"]) {
    document.addEventListener(ev, () => { active = true; }, { passive: true });
  }
  const playing = () => [...document.querySelectorAll("video, audio")].some((m) => !m.paused);
  const beat = async () => {
    seq += 1;
    const body = { tab, seq, client_ms: Date.now(), visible: document.visibilityState === "visible", active: active || playing() };
    active = false;
    try {
      const r = await fetch(`/api/v1/lessons/${el.dataset.lesson}/heartbeat`, {
        method: "POST",
        headers: { "Content-Type": "application/json", "X-CSRF-Token": csrf },
        body: JSON.stringify(body),
      });
      if (r.ok && shown) {
        const j = await r.json();
        shown.dataset.seconds = j.lesson_seconds;
        shown.textContent = Math.floor(j.lesson_seconds / 60);
      }
    } catch (_) { /* offline: the next beat tries again */ }
  };
  beat();
  setInterval(beat, interval);
})();
// An exam's countdown: the time left until the paper must be in (the server
// decides; this only shows it).
(() => {
  const el = document.querySelector("[data-countdown]");
  if (!el) return;
  const deadline = Number(el.dataset.countdown);
  const tick = () => {
    const left = Math.max(0, Math.floor((deadline - Date.now()) / 1000));
    el.textContent = `${Math.floor(left / 60)}:${String(left % 60).padStart(2, "0")}`;
  };
  tick();
  setInterval(tick, 1000);
})();
// An organisation field's search (org_choice.html): with scripts the list
// follows what is typed, so the find button (which Enter in the search
// presses too) asks for the list instead of reloading the form, which would
// lose what was typed in it.
document.addEventListener("click", (e) => {
  const find = e.target.closest(".org-search button");
  if (find && window.htmx) {
    e.preventDefault();
    window.htmx.trigger(find.parentElement.querySelector("input"), "search");
  }
});
