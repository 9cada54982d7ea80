// The scoring pages: the review form saves itself as the judge goes, keeps a copy of unsaved
// input in this browser. (A computation's progress bar polls itself with htmx: portal/_job_progress.html.)
// Progressive enhancement only: every page works without this file. No inline code (strict CSP):
// translated messages come in data-* attributes of the page.
(() => {
  "use strict";

  const AUTOSAVE_DELAY_MS = 1500;

  // --- autosave of the review draft (the shared parts: portal/js/autosave.js) ---
  const startAutosave = (form) => {
    const { fill, localCopy, statusLine, saver } = window.portalAutosave;
    const url = form.dataset.autosaveUrl;
    const say = statusLine(document.getElementById("autosave-status"));
    const copy = localCopy(`award-portal:review-draft:${form.dataset.assignmentId}`);
    let dirty = false;

    const fields = () => Array.from(form.elements).filter((field) => field.name && !field.disabled
      && field.type !== "submit" && field.type !== "hidden");
    const values = () => {
      const result = {};
      fields().forEach((field) => {
        if (field.type === "radio") {
          if (field.checked) result[field.name] = field.value;
          else if (!(field.name in result)) result[field.name] = "";
        } else {
          result[field.name] = field.value;
        }
      });
      return result;
    };
    const setValues = (kept) => {
      fields().forEach((field) => {
        if (!(field.name in kept)) return;
        if (field.type === "radio") field.checked = field.value === kept[field.name];
        else field.value = kept[field.name];
      });
    };
    const markErrors = (errors) => {
      fields().forEach((field) => field.removeAttribute("aria-invalid"));
      Object.keys(errors || {}).forEach((name) => {
        const field = form.elements.namedItem(name);
        if (field && field.setAttribute) field.setAttribute("aria-invalid", "true");
      });
    };

    const autosave = saver(async () => {
      say(form.dataset.savingText);
      const body = new FormData(form);
      body.delete("action");
      try {
        const response = await fetch(url, {
          method: "POST",
          body,
          credentials: "same-origin",
          headers: { "X-CSRFToken": body.get("csrfmiddlewaretoken"), "X-Requested-With": "fetch" },
        });
        const answer = await response.json().catch(() => ({}));
        markErrors(answer.errors);
        if (response.ok && answer.saved_at) {
          dirty = false;
          // The next save (autosave or a button) is made over the version this one stored.
          if (form.elements.version && answer.version !== undefined) form.elements.version.value = answer.version;
          copy.forget();
          const time = new Date(answer.saved_at).toLocaleTimeString(document.documentElement.lang || undefined);
          say(fill(form.dataset.savedText, { time }));
          form.dispatchEvent(new CustomEvent("review:saved", { detail: answer }));
        } else {
          const reason = Object.values(answer.errors || {}).flat().join(" ") || response.statusText;
          say(fill(form.dataset.failedText, { reason }), { warning: true });
        }
      } catch (error) {
        say(form.dataset.offlineText, { warning: true });
      }
    }, AUTOSAVE_DELAY_MS);

    const changed = () => {
      dirty = true;
      copy.keep({ values: values() });
      autosave.schedule();
    };
    form.addEventListener("input", changed);
    form.addEventListener("change", changed);
    form.addEventListener("submit", () => {
      autosave.cancel();
      dirty = false; // the page itself sends everything now
    });
    window.addEventListener("online", () => {
      if (dirty) autosave.now();
    });
    window.addEventListener("beforeunload", (event) => {
      if (dirty || autosave.busy()) {
        event.preventDefault();
        event.returnValue = form.dataset.unsavedText || "";
      }
    });

    // Text typed earlier in this browser that never reached the server (closed tab, lost connection).
    const earlier = copy.read();
    if (earlier && earlier.values) {
      const current = values();
      const differs = Object.keys(earlier.values).some((name) => name in current
        && String(earlier.values[name]).trim() !== String(current[name]).trim());
      if (differs) {
        say(form.dataset.restoreText, {
          warning: true,
          buttons: [
            [form.dataset.restoreButton, () => { setValues(earlier.values); say(""); changed(); }],
            [form.dataset.discardButton, () => { copy.forget(); say(""); }],
          ],
        });
      } else {
        copy.forget();
      }
    }
  };

  document.addEventListener("DOMContentLoaded", () => {
    document.querySelectorAll("form[data-autosave-url]").forEach(startAutosave);
    const summary = document.getElementById("error-summary");
    if (summary) summary.focus();
  });
})();
