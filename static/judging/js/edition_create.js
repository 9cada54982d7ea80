// "Create an edition": suggest the web address from the name until the organiser types one of their own.
(function () {
  "use strict";
  function slugify(text) {
    return text.normalize("NFKD").replace(/[\u0300-\u036f]/g, "").toLowerCase()
      .replace(/[^a-z0-9]+/g, "-").replace(/^-+|-+$/g, "").slice(0, 80).replace(/-+$/, "");
  }
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("input[data-slug-from]").forEach(function (slug) {
      var source = document.getElementById(slug.dataset.slugFrom);
      if (!source) { return; }
      var suggested = slug.value === "" || slug.value === slugify(source.value);
      var filling = false;
      slug.addEventListener("input", function () {
        if (!filling) { suggested = slug.value === ""; }
      });
      source.addEventListener("input", function () {
        if (!suggested) { return; }
        slug.value = slugify(source.value);
        filling = true;  // other listeners (the character counter) hear of the new value; this one ignores it
        slug.dispatchEvent(new Event("input", { bubbles: true }));
        filling = false;
      });
    });
  });
})();
