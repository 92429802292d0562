// Hoso front-end glue. No inline scripts anywhere: the CSP forbids them.
document.addEventListener("DOMContentLoaded", () => {
  const token = document.body.dataset.csrfToken;
  // htmx sends the CSRF token with every request.
  document.body.addEventListener("htmx:configRequest", (event) => {
    if (token) event.detail.headers["X-CSRFToken"] = token;
  });
  // Selects that submit their form when changed (language switch, filters).
  document.addEventListener("change", (event) => {
    if (event.target.classList.contains("hoso-autosubmit")) {
      event.target.form.submit();
    }
  });
  // Tree toggles: expand/collapse an already-loaded branch.
  document.addEventListener("click", (event) => {
    const toggle = event.target.closest("[data-tree-toggle]");
    if (!toggle) return;
    const branch = document.getElementById(toggle.dataset.treeToggle);
    if (branch && branch.dataset.loaded === "1") {
      event.preventDefault();
      event.stopImmediatePropagation();
      branch.hidden = !branch.hidden;
      toggle.setAttribute("aria-expanded", String(!branch.hidden));
    }
  }, true);
  document.body.addEventListener("htmx:afterSwap", (event) => {
    const branch = event.detail.target;
    if (branch && branch.classList.contains("hoso-branch")) {
      branch.dataset.loaded = "1";
      branch.hidden = false;
      const toggle = document.querySelector(`[data-tree-toggle="${branch.id}"]`);
      if (toggle) toggle.setAttribute("aria-expanded", "true");
    }
  });
});
