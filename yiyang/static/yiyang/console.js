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

// On a phone a table with column heads reads as one card per row, each value under its head
// (console.css, table.as-cards): every cell is given its column's head as data-label. Tables loaded
// by htmx (a filtered list) are labelled when they arrive.
function labelTableCells(root) {
  root.querySelectorAll("main table").forEach((table) => {
    const headRow = table.querySelector("thead tr");
    if (!headRow || table.hasAttribute("data-keep-table")) return;
    const heads = [];
    Array.from(headRow.children).forEach((th) => {
      const span = Number(th.getAttribute("colspan")) || 1;
      for (let i = 0; i < span; i += 1) heads.push(th.textContent.trim());
    });
    table.querySelectorAll("tbody tr").forEach((tr) => {
      let column = 0;
      Array.from(tr.children).forEach((cell) => {
        if (heads[column] && !cell.hasAttribute("data-label")) cell.dataset.label = heads[column];
        column += Number(cell.getAttribute("colspan")) || 1;
      });
    });
    table.classList.add("as-cards");
  });
}

document.addEventListener("htmx:afterSwap", (event) => labelTableCells(event.target.closest("main") || document));

document.addEventListener("DOMContentLoaded", () => {
  labelTableCells(document);
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
