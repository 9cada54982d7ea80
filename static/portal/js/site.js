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
