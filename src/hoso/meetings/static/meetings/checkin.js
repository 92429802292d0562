// The check-in desk: scan participants' QR codes with the camera where the
// browser has a barcode detector; a handheld scanner types into the field.
document.addEventListener("DOMContentLoaded", () => {
  const form = document.getElementById("checkin-form");
  const input = document.getElementById("checkin-token");
  const button = document.getElementById("checkin-camera");
  const video = document.getElementById("checkin-video");
  if (!form || !input) return;
  // After each check-in the field is emptied and ready for the next code.
  document.body.addEventListener("htmx:afterRequest", (event) => {
    if (event.detail.elt === form) {
      input.value = "";
      input.focus();
    }
  });
  if (!("BarcodeDetector" in window) || !navigator.mediaDevices) return;
  button.hidden = false;
  let last = "";
  button.addEventListener("click", async () => {
    const detector = new window.BarcodeDetector({ formats: ["qr_code"] });
    const stream = await navigator.mediaDevices.getUserMedia({ video: { facingMode: "environment" } });
    video.srcObject = stream;
    video.hidden = false;
    await video.play();
    const scan = async () => {
      try {
        const codes = await detector.detect(video);
        if (codes.length && codes[0].rawValue !== last) {
          last = codes[0].rawValue;
          input.value = last;
          form.requestSubmit();
        }
      } catch (error) {
        console.warn(error);
      }
      if (!video.hidden) window.setTimeout(scan, 400);
    };
    scan();
  });
});
