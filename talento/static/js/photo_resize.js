// Photo downscaling in the browser, before upload. Without this file (or when the browser
// cannot decode the picture) the full file is sent and the server re-encodes it; with it, a
// 20 MB phone photo leaves the phone as a ~1600 px JPEG of a few hundred KB.
//
// The file input (#photo) carries, from the server (profiles/forms.py):
//   data-max-bytes  the PHOTO_MAX_MB limit in bytes
//   data-max-side   the longest side, in px, of the image sent
//   data-too-large  the message shown when a file cannot be reduced and is over the limit
// The picture is decoded upright (EXIF orientation applied), drawn on a canvas and encoded
// again as JPEG: its metadata (GPS position…) never leaves the phone. The chosen file is then
// replaced in the input (DataTransfer), so the form is sent as usual, by the browser.
(function () {
  "use strict";
  var input = document.getElementById("photo");
  if (!input || !input.form || !window.DataTransfer || !window.HTMLCanvasElement) { return; }
  var form = input.form;
  var maxBytes = parseInt(input.getAttribute("data-max-bytes"), 10) || 0;
  var maxSide = parseInt(input.getAttribute("data-max-side"), 10) || 1600;
  var tooLarge = input.getAttribute("data-too-large") || "";
  var QUALITY = 0.85;
  // Smaller files whose sides fit are sent as they are.
  var SMALL_ENOUGH = 1024 * 1024;
  var pending = null;

  function showError(message) {
    var box = document.getElementById("field-photo");
    var error = document.getElementById("photo-error-js");
    if (!message) {
      if (error) { error.remove(); }
      if (!box || !box.querySelector(".field-error")) { input.removeAttribute("aria-invalid"); }
      return;
    }
    if (!error) {
      error = document.createElement("p");
      error.className = "field-error";
      error.id = "photo-error-js";
      (box || input.parentNode).appendChild(error);
    }
    error.textContent = message;
    input.setAttribute("aria-invalid", "true");
    var described = (input.getAttribute("aria-describedby") || "").split(" ").filter(Boolean);
    if (described.indexOf(error.id) < 0) { described.push(error.id); }
    input.setAttribute("aria-describedby", described.join(" "));
  }

  function decode(file) {
    if (window.createImageBitmap) {
      return createImageBitmap(file, { imageOrientation: "from-image" });
    }
    return new Promise(function (resolve, reject) {  // <img> applies EXIF orientation too
      var url = URL.createObjectURL(file);
      var img = new Image();
      img.onload = function () { resolve(img); };
      img.onerror = function () { URL.revokeObjectURL(url); reject(new Error("decode")); };
      img.src = url;
    });
  }

  function encode(image) {
    var width = image.width, height = image.height;
    var scale = Math.min(1, maxSide / Math.max(width, height));
    var canvas = document.createElement("canvas");
    canvas.width = Math.max(1, Math.round(width * scale));
    canvas.height = Math.max(1, Math.round(height * scale));
    var context = canvas.getContext("2d");
    context.fillStyle = "#fff";  // a transparent PNG gets the white background JPEG needs
    context.fillRect(0, 0, canvas.width, canvas.height);
    context.imageSmoothingQuality = "high";
    context.drawImage(image, 0, 0, canvas.width, canvas.height);
    if (image.close) { image.close(); }
    return new Promise(function (resolve, reject) {
      canvas.toBlob(function (blob) { return blob ? resolve(blob) : reject(new Error("encode")); },
        "image/jpeg", QUALITY);
    });
  }

  function replaceFile(blob, original) {
    var name = (original.name || "photo").replace(/\.[^.]*$/, "") + ".jpg";
    var transfer = new DataTransfer();
    transfer.items.add(new File([blob], name, { type: "image/jpeg", lastModified: Date.now() }));
    input.files = transfer.files;
    input.setAttribute("data-resized", String(blob.size));
  }

  function refuse() {
    input.value = "";
    input.removeAttribute("data-resized");
    showError(tooLarge);
  }

  input.addEventListener("change", function () {
    var file = input.files && input.files[0];
    showError("");
    input.removeAttribute("data-resized");
    if (!file) { return; }
    if (!/^image\//.test(file.type)) {  // not decodable here: the server decides
      if (maxBytes && file.size > maxBytes) { refuse(); }
      return;
    }
    var job = decode(file).then(function (image) {
      var fits = Math.max(image.width, image.height) <= maxSide;
      if (fits && file.size <= SMALL_ENOUGH) {
        if (image.close) { image.close(); }
        return;
      }
      return encode(image).then(function (blob) {
        if (blob.size < file.size || !fits) { replaceFile(blob, file); }
        else if (maxBytes && file.size > maxBytes) { refuse(); }
      });
    }).catch(function () {
      // HEIC on a desktop browser, a huge picture a phone cannot decode: sent as it is if it
      // is within the limit (the server converts or refuses it), refused here otherwise.
      if (maxBytes && file.size > maxBytes) { refuse(); }
    }).then(function () {
      if (pending === job) { pending = null; }
      input.dispatchEvent(new CustomEvent("photo-ready"));
    });
    pending = job;
  });

  // Sending while the photo is being reduced: wait for it, then send.
  form.addEventListener("submit", function (event) {
    if (!pending) { return; }
    event.preventDefault();
    var submitter = event.submitter;
    pending.then(function () {
      if (form.requestSubmit) { form.requestSubmit(submitter || undefined); } else { form.submit(); }
    });
  });
})();
