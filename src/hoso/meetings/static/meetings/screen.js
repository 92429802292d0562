// The room screen: the server pushes the live part whenever it changes
// (server-sent events); the browser reconnects by itself when a stream ends.
document.addEventListener("DOMContentLoaded", () => {
  const live = document.getElementById("screen-live");
  if (!live || !live.dataset.events || !("EventSource" in window)) return;
  const source = new EventSource(live.dataset.events);
  source.addEventListener("message", (event) => {
    live.innerHTML = event.data;
    live.dataset.connected = "1";
  });
  source.addEventListener("gone", () => source.close());
});
