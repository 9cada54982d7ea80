// Progressive enhancement only: every page works without this file.
document.addEventListener("DOMContentLoaded", () => {
  // The language switch changes the page only with its button: choosing an option alone changes nothing
  // (WCAG 3.2.2; arrowing through the list with the keyboard must not switch at every step).
  // Character counters for fields with a maximum length ("shown as you type"); not for e-mail addresses and
  // passwords, whose limits nobody reaches.
  document.querySelectorAll("textarea[maxlength], input[maxlength]:not([type=email]):not([type=password])").forEach((field) => {
    const counter = document.createElement("p");
    counter.className = "char-counter";
    counter.setAttribute("aria-live", "polite");
    const update = () => {
      counter.textContent = `${field.value.length} / ${field.maxLength}`;
    };
    field.insertAdjacentElement("afterend", counter);
    field.addEventListener("input", update);
    update();
  });
});

// Upload size: a file over the limit its input names (data-max-bytes) is refused here, before the form is sent: the server
// would refuse the whole request unread (413), and with it the text typed beside the file. The input is
// cleared and the reason shown next to it, so the rest of the form can still be saved.
// Progressive enhancement only: without this file the server's own check (portal/request_limits.py) holds.
document.addEventListener("change", (event) => {
  const input = event.target;
  if (!(input instanceof HTMLInputElement) || input.type !== "file" || !input.dataset.maxBytes) {
    return;
  }
  const limit = Number(input.dataset.maxBytes);
  const noteId = `${input.id || input.name}-too-large`;
  let note = document.getElementById(noteId);
  const tooLarge = Array.from(input.files || []).find((file) => file.size > limit);
  if (!tooLarge) {
    if (note) {
      note.remove();
      input.removeAttribute("aria-invalid");
    }
    return;
  }
  if (!note) {
    note = document.createElement("p");
    note.id = noteId;
    note.className = "errorlist";
    note.setAttribute("role", "alert");
    input.insertAdjacentElement("afterend", note);
    const described = input.getAttribute("aria-describedby");
    input.setAttribute("aria-describedby", described ? `${described} ${noteId}` : noteId);
  }
  note.textContent = (input.dataset.tooLarge || "").replace("%(name)s", tooLarge.name);
  input.setAttribute("aria-invalid", "true");
  input.value = "";
});
