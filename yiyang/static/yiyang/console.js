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
