// Progressive enhancement only: every page works without this file.
document.addEventListener("DOMContentLoaded", () => {
  // The language switch submits on change; its button stays for keyboard and no-JS users.
  const select = document.getElementById("language-select");
  if (select) {
    select.addEventListener("change", () => select.form.submit());
  }
  // Character counters for fields with a maximum length ("shown as you type").
  document.querySelectorAll("textarea[maxlength], input[maxlength]").forEach((field) => {
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
