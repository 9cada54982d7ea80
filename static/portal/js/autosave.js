// What the applicant's form (submissions/js/application-form.js) and the judge's review form
// (judging/js/workbench.js) share for autosave: the status line, the copy of unsaved input kept in
// this browser, and a save that waits for a pause in typing and never runs twice at once.
// Each page loads this file before its own script (both deferred, so they run in that order).
// No inline code (strict CSP); the pages keep their own fields, requests and messages.
window.portalAutosave = (() => {
  "use strict";

  // Fills "%(name)s" placeholders, as the server's translated messages in data-* attributes write them.
  const fill = (template, values) => (template || "").replace(/%\((\w+)\)s/g, (_, key) => values[key] ?? "");

  // A copy in localStorage under `key`. Storage can be full or switched off: autosave works without it.
  const localCopy = (key) => ({
    keep(data) {
      try {
        localStorage.setItem(key, JSON.stringify({ at: Date.now(), ...data }));
      } catch (error) { /* no copy this time */ }
    },
    read() {
      try {
        return JSON.parse(localStorage.getItem(key) || "null");
      } catch (error) {
        return null;
      }
    },
    forget() {
      try {
        localStorage.removeItem(key);
      } catch (error) { /* nothing kept */ }
    },
  });

  // say(text, {warning, buttons: [[label, action], ...]}) on the status line; a missing line says nothing.
  const statusLine = (status) => (text, { warning = false, buttons = [] } = {}) => {
    if (!status) return;
    status.textContent = text;
    status.classList.toggle("is-warning", warning);
    buttons.forEach(([label, action]) => {
      const button = document.createElement("button");
      button.type = "button";
      button.className = "secondary";
      button.textContent = label;
      button.addEventListener("click", action);
      status.append(" ", button);
    });
  };

  // Runs the async `save` once typing has paused for `delayMs`. A save asked for while one is on its way
  // runs right after it, so the last input always reaches the server and two requests never race.
  const saver = (save, delayMs) => {
    let timer = null;
    let inFlight = false;
    let again = false;
    const now = async () => {
      window.clearTimeout(timer);
      if (inFlight) {
        again = true;
        return;
      }
      inFlight = true;
      try {
        await save();
      } finally {
        inFlight = false;
        if (again) {
          again = false;
          now();
        }
      }
    };
    return {
      now,
      schedule: () => {
        window.clearTimeout(timer);
        timer = window.setTimeout(now, delayMs);
      },
      cancel: () => window.clearTimeout(timer),
      busy: () => inFlight,
    };
  };

  return { fill, localCopy, statusLine, saver };
})();
