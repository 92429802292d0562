// Archive pages: "select all" for the handover selection. No inline
// scripts anywhere: the CSP forbids them.
document.addEventListener("DOMContentLoaded", () => {
  document.addEventListener("change", (event) => {
    const master = event.target.closest("[data-check-all]");
    if (!master) return;
    document
      .querySelectorAll(`input[type=checkbox][name="${master.dataset.checkAll}"]`)
      .forEach((box) => { box.checked = master.checked; });
  });
  // The print button of the completeness report.
  document.addEventListener("click", (event) => {
    if (event.target.closest("[data-print]")) window.print();
  });
});
