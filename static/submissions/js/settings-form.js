// The secretariat's settings page: a warning before leaving with unsaved edits, and "add another row" for
// the categories. Progressive enhancement only: without this file the page shows a few empty rows and
// keeps edits across saves on the server. No inline code (strict CSP): texts come in data-* attributes.
(() => {
  "use strict";

  const form = document.querySelector("form[data-unsaved-warning]");
  if (!form) return;

  // --- unsaved edits: a part the server sent back unsaved, or anything typed since the page loaded ---
  let dirty = form.querySelector("[data-unsaved]") !== null;
  let submitting = false;
  const markDirty = () => { dirty = true; };
  form.addEventListener("input", markDirty);
  form.addEventListener("change", markDirty);
  // Any button of the form posts every part, so nothing typed is lost: no warning then.
  form.addEventListener("submit", () => { submitting = true; });
  window.addEventListener("pageshow", () => { submitting = false; });
  window.addEventListener("beforeunload", (event) => {
    if (!dirty || submitting) return;
    event.preventDefault();
    // Older browsers show the dialog only when returnValue is set; the text itself is the browser's own.
    event.returnValue = form.dataset.unsavedWarning;
  });

  // --- a step to confirm, or a warning, takes the focus so that it is read first ---
  const step = document.querySelector("[data-focus-on-load]");
  if (step) step.focus();

  // --- "add another" for a formset: clones its empty form and counts it in TOTAL_FORMS ---
  document.querySelectorAll("[data-formset-add]").forEach((button) => {
    const prefix = button.dataset.formsetAdd;
    const template = document.getElementById(`${prefix}-empty`);
    const rows = document.getElementById(`${prefix}-rows`);
    const total = form.querySelector(`input[name="${prefix}-TOTAL_FORMS"]`);
    const status = document.getElementById(`${prefix}-status`);
    if (!template || !rows || !total) return;
    button.hidden = false;
    document.querySelectorAll("[data-no-js-hint]").forEach((hint) => { hint.hidden = true; });
    button.addEventListener("click", () => {
      const index = Number(total.value);
      const row = template.content.firstElementChild.cloneNode(true);
      row.querySelectorAll("[id], [for], [name], [aria-describedby]").forEach((element) => {
        ["id", "for", "name", "aria-describedby"].forEach((attribute) => {
          const value = element.getAttribute(attribute);
          if (value) element.setAttribute(attribute, value.replaceAll("__prefix__", String(index)));
        });
      });
      rows.appendChild(row);
      total.value = String(index + 1);
      dirty = true;
      if (status) status.textContent = status.dataset.added;
      const first = row.querySelector("input:not([type=hidden]), textarea, select");
      if (first) first.focus();
    });
  });
})();
