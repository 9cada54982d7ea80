// The assigner's progress bar: polls the run's JSON endpoint and reloads the page when the run ends.
// Progressive enhancement only: without JavaScript the page refreshes itself (a <noscript> meta refresh).
document.addEventListener("DOMContentLoaded", () => {
  const bar = document.querySelector("progress[data-progress-url]");
  if (!bar) {
    return;
  }
  const message = document.getElementById(bar.getAttribute("aria-describedby"));
  const url = bar.dataset.progressUrl;
  let delay = 1000;

  const poll = async () => {
    try {
      const response = await fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" });
      if (!response.ok) {
        throw new Error(`HTTP ${response.status}`);
      }
      const run = await response.json();
      bar.value = run.progress;
      bar.textContent = `${run.progress}%`;
      if (message) {
        message.textContent = run.message || run.state_display;
      }
      if (run.finished) {
        window.location.reload();
        return;
      }
      delay = 1000;
    } catch (error) {
      delay = Math.min(delay * 2, 15000); // the server or the network hiccuped: back off, keep trying
    }
    window.setTimeout(poll, delay);
  };
  window.setTimeout(poll, delay);
});
