// Behaviour of the console pages, kept out of the templates: the Content-Security-Policy
// allows no inline script.

// A checkbox with data-select-all="NAME" checks or clears every checkbox named NAME.
document.addEventListener("change", (event) => {
  const box = event.target.closest("input[data-select-all]");
  if (!box) return;
  document.querySelectorAll(`input[type=checkbox][name="${box.dataset.selectAll}"]`).forEach((c) => {
    c.checked = box.checked;
  });
});

document.addEventListener("DOMContentLoaded", () => {
  // After a refused submit, focus goes to the summary of what to correct, so a screen reader
  // reads it and the keyboard starts there.
  const summary = document.querySelector("[data-error-summary]");
  if (summary) summary.focus();
  // A table wider than the phone scrolls inside its card; the keyboard must reach it too.
  document.querySelectorAll("main table, main .table-scroll").forEach((region) => {
    if (region.scrollWidth > region.clientWidth && !region.hasAttribute("tabindex")) {
      region.setAttribute("tabindex", "0");
    }
  });
});
