// The screening list's "tick every application on this page": shown only when this script runs (progressive).
document.addEventListener("DOMContentLoaded", () => {
  document.querySelectorAll("input.select-all[data-select]").forEach((master) => {
    const boxes = () => Array.from(document.querySelectorAll(`input[type=checkbox][name="${master.dataset.select}"]`));
    const sync = () => {
      const ticked = boxes().filter((box) => box.checked).length;
      master.checked = ticked > 0 && ticked === boxes().length;
      master.indeterminate = ticked > 0 && ticked < boxes().length;
    };
    master.hidden = false;
    master.addEventListener("change", () => {
      boxes().forEach((box) => { box.checked = master.checked; });
      sync();
    });
    boxes().forEach((box) => box.addEventListener("change", sync));
    sync();
  });
});
