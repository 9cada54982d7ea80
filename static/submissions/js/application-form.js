// The applicant's pages: autosave of the draft, a copy of unsaved text kept in this browser,
// the deadline countdown and a submit button that sends once.
// Progressive enhancement only: every page works without this file. No inline code (strict CSP):
// the messages come translated in data-* attributes of the page.
(() => {
  "use strict";

  const AUTOSAVE_DELAY_MS = 2000;
  const COPY_FIELD_TYPES = ["text", "textarea", "select-one", "number", "email", "url", "date"];
  // Answers that are saved as chosen but not kept in the local copy (their value is the box's, not typed).
  const CHOSEN_FIELD_TYPES = ["checkbox", "radio"];
  const lang = document.documentElement.lang || undefined;
  // The server trims and uses \n; compare like it so a saved draft does not look "unsaved".
  const normalised = (value) => String(value ?? "").replace(/\r\n/g, "\n").trim();

  // --- deadline countdown: the server renders it; this keeps it current while the page is open ---
  const startCountdowns = () => {
    const elements = document.querySelectorAll("[data-countdown]");
    if (!elements.length) return;
    const unit = (value, name) =>
      new Intl.NumberFormat(lang, { style: "unit", unit: name, unitDisplay: "long" }).format(value);
    const update = () => {
      const now = Date.now();
      elements.forEach((element) => {
        const left = Date.parse(element.dataset.countdown) - now;
        if (Number.isNaN(left)) return;
        if (left <= 0) {
          element.textContent = element.dataset.closedText;
          return;
        }
        const minutes = Math.floor(left / 60000);
        const days = Math.floor(minutes / 1440);
        const hours = Math.floor((minutes % 1440) / 60);
        const parts = [];
        if (days) parts.push(unit(days, "day"));
        if (hours) parts.push(unit(hours, "hour"));
        if (!days) parts.push(unit(minutes % 60, "minute"));
        element.textContent = element.dataset.template.replace("%s", parts.join(", "));
      });
    };
    update();
    window.setInterval(update, 30000);
  };

  // --- a form that submits the application sends once, however often the button is pressed ---
  const guardSubmitOnce = () => {
    document.querySelectorAll("form").forEach((form) => {
      form.addEventListener("submit", (event) => {
        if (form.dataset.submitting === "true") {
          event.preventDefault();
          return;
        }
        if (event.submitter && event.submitter.hasAttribute("data-submit-once")) {
          form.dataset.submitting = "true";
          event.submitter.setAttribute("aria-disabled", "true");
        }
      });
    });
    // Coming back with the Back button must not leave the form locked.
    window.addEventListener("pageshow", () => {
      document.querySelectorAll("form[data-submitting]").forEach((form) => {
        delete form.dataset.submitting;
        form.querySelectorAll("[aria-disabled]").forEach((button) => button.removeAttribute("aria-disabled"));
      });
    });
  };

  // --- autosave and the local copy (the shared parts: portal/js/autosave.js) ---
  const startAutosave = (form) => {
    const { fill, localCopy, statusLine, saver } = window.portalAutosave;
    const say = statusLine(document.getElementById("autosave-status"));
    const copy = localCopy(`award-portal:application-draft:${form.dataset.applicationId}`);
    let version = form.dataset.version || "";
    let baseline = {}; // the values the server holds, as far as this page knows

    const fields = () =>
      Array.from(form.elements).filter((field) => field.name && COPY_FIELD_TYPES.includes(field.type));
    const values = () => Object.fromEntries(fields().map((field) => [field.name, field.value]));
    const differs = (kept, current) =>
      Object.keys(kept).some((name) => name in current && normalised(kept[name]) !== normalised(current[name]));
    // Only the fields changed here are kept and restored, so a colleague's later save of other fields stands.
    const unsaved = () => Object.fromEntries(
      Object.entries(values()).filter(([name, value]) => normalised(value) !== normalised(baseline[name])),
    );
    const label = (name) => {
      const element = form.querySelector(`label[for="id_${name}"]`);
      return element ? element.textContent.replace(/:$/, "").trim() : name;
    };

    const keep = () => {
      const changed = unsaved();
      if (Object.keys(changed).length) copy.keep({ base: version, values: changed });
      else copy.forget();
    };

    const autosave = saver(async () => {
      const sent = values();
      const body = new FormData(form);
      // Files are sent by the buttons only, never on every autosave.
      Array.from(form.elements).filter((field) => field.type === "file").forEach((field) => body.delete(field.name));
      say(form.dataset.msgSaving);
      let answer = null;
      try {
        // redirect: "manual": an expired session answers with a redirect to the login page, not JSON.
        const response = await fetch(form.dataset.autosaveUrl, {
          method: "POST", body, credentials: "same-origin", redirect: "manual",
          headers: { Accept: "application/json" },
        });
        if ((response.headers.get("Content-Type") || "").includes("application/json")) {
          answer = await response.json();
        }
      } catch (error) {
        answer = null;
      }
      if (!answer) {
        say(form.dataset.msgLost, { warning: true });
      } else if (!answer.saved_at) {
        const reasons = Object.values(answer.errors || {}).flat();
        say(fill(form.dataset.msgRefused, { reason: reasons.join(" ") }), { warning: true });
      } else {
        version = answer.version || version;
        // The next save (autosave or a button) is made over the version this one stored.
        if (form.elements.version) form.elements.version.value = version;
        const time = new Date(answer.saved_at).toLocaleTimeString(
          lang, { hour: "2-digit", minute: "2-digit", hourCycle: "h23" },
        );
        const failed = Object.keys(answer.errors || {});
        Object.entries(sent).forEach(([name, value]) => {
          if (!failed.includes(name)) baseline[name] = value;
        });
        keep();
        if (failed.length) {
          say(fill(form.dataset.msgSavedPartly, { time, fields: failed.map(label).join(", ") }), { warning: true });
        } else {
          say(fill(form.dataset.msgSaved, { time }));
        }
      }
    }, AUTOSAVE_DELAY_MS);

    const restore = (kept) => {
      fields().forEach((field) => {
        if (field.name in kept && normalised(field.value) !== normalised(kept[field.name])) {
          field.value = kept[field.name];
          // Lets the character counters update; our own listener keeps the copy and schedules the save.
          field.dispatchEvent(new Event("input", { bubbles: true }));
        }
      });
    };

    const onChange = (event) => {
      if (event.target.name && CHOSEN_FIELD_TYPES.includes(event.target.type)) {
        autosave.schedule();
        return;
      }
      if (!event.target.name || !COPY_FIELD_TYPES.includes(event.target.type)) return;
      keep();
      autosave.schedule();
    };

    baseline = values();
    // A copy left by an earlier visit: text typed but never saved (reload, expired session, lost connection).
    const earlier = copy.read();
    if (earlier && earlier.values && differs(earlier.values, values())) {
      if (form.dataset.closed === "true") {
        // The call takes no changes: the copy stays, untouched, in case the call reopens.
      } else if (earlier.base === version) {
        restore(earlier.values);
        keep();
        autosave.schedule();
        say(form.dataset.msgRestored);
      } else {
        // The draft was saved since the copy was made (perhaps by a colleague): the applicant decides.
        say(form.dataset.msgNewer, {
          warning: true,
          buttons: [
            [form.dataset.msgRestore, () => {
              restore(earlier.values);
              keep();
              autosave.schedule();
              say(form.dataset.msgRestored);
            }],
            [form.dataset.msgDiscard, () => { copy.forget(); say(""); }],
          ],
        });
      }
    } else if (earlier) {
      copy.forget();
    }

    if (form.dataset.closed === "true") return;
    form.addEventListener("input", onChange);
    form.addEventListener("change", onChange);
    form.addEventListener("submit", () => autosave.cancel());
  };

  // --- questions shown only when an earlier answer says so (the server applies the same rule) ---
  const answerOf = (form, key) => {
    const inputs = Array.from(form.elements).filter((field) => field.name === key);
    if (!inputs.length) return null;
    const wrapper = inputs[0].closest("[data-show-if]");
    if (wrapper && wrapper.hidden) return null;
    if (inputs[0].type === "radio") return (inputs.find((input) => input.checked) || {}).value || "";
    if (inputs[0].type === "checkbox") {
      if (inputs.length === 1 && !inputs[0].value.length) return inputs[0].checked ? "yes" : "";
      const checked = inputs.filter((input) => input.checked).map((input) => input.value);
      return inputs.length === 1 && inputs[0].value === "on" ? (checked.length ? "yes" : "") : checked;
    }
    return inputs[0].value;
  };
  const conditionMet = (value, operator, expected) => {
    const wanted = String(expected).trim().toLowerCase();
    if (value === null || value === "" || (Array.isArray(value) && !value.length)) return false;
    if (Array.isArray(value)) {
      const items = value.map((item) => String(item).trim().toLowerCase());
      return operator === "contains" ? items.includes(wanted) : items.length === 1 && items[0] === wanted;
    }
    const text = String(value).trim().toLowerCase();
    if (operator === "contains") return text.includes(wanted);
    return text === wanted || (text === "yes" && ["true", "1", "yes", "예"].includes(wanted));
  };
  const startConditions = (form) => {
    const dependants = Array.from(form.querySelectorAll("[data-show-if]"));
    if (!dependants.length) return;
    const update = () => {
      // In form order, so a question hidden above hides the ones that depend on it.
      dependants.forEach((element) => {
        const value = answerOf(form, element.dataset.showIf);
        element.hidden = !conditionMet(value, element.dataset.showOp, element.dataset.showValue);
      });
    };
    update();
    form.addEventListener("input", update);
    form.addEventListener("change", update);
  };

  document.addEventListener("DOMContentLoaded", () => {
    // After a refused save or submit, keyboard and screen-reader users start at the list of what to fix.
    const summary = document.getElementById("error-summary");
    if (summary) summary.focus();
    startCountdowns();
    guardSubmitOnce();
    const form = document.getElementById("application-form");
    if (form) startConditions(form);
    if (form && form.dataset.autosaveUrl) startAutosave(form);
  });
})();
