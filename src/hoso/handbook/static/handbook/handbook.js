// The handbook: register the service worker (offline reading), show when a
// page is an offline copy. No inline scripts: the CSP forbids them.
(function () {
  const script = document.currentScript;
  const workerUrl = script && script.dataset.sw;
  if ("serviceWorker" in navigator && workerUrl) {
    navigator.serviceWorker.register(workerUrl, { scope: "/" }).catch((error) => console.warn(error));
  }
  function showState() {
    const badge = document.getElementById("hb-offline-badge");
    if (badge) badge.hidden = navigator.onLine;
  }
  document.addEventListener("DOMContentLoaded", showState);
  window.addEventListener("online", showState);
  window.addEventListener("offline", showState);
})();
