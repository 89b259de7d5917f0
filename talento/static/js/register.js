// Registration and profile enhancements. The form works without this file: it only turns the
// fieldsets into steps, loads the cities of the chosen country (hiding the hints and the
// « Afficher les villes » button that only serve without JavaScript), rewrites the phone's
// hint for the chosen country and previews the photo.
(function () {
  "use strict";
  var form = document.getElementById("register-form");
  if (!form) { return; }
  Array.prototype.forEach.call(form.querySelectorAll(".without-js"), function (el) { el.hidden = true; });

  // A hint that no longer applies goes, and the control stops pointing at it.
  function dropHint(control) {
    var hint = document.getElementById(control.id + "-hint");
    if (hint) { hint.hidden = true; }
    var ids = (control.getAttribute("aria-describedby") || "").split(" ").filter(function (id) {
      return id && id !== control.id + "-hint";
    });
    if (ids.length) { control.setAttribute("aria-describedby", ids.join(" ")); }
    else { control.removeAttribute("aria-describedby"); }
  }

  // An error the server wrote no longer applies once its field is changed: it goes.
  form.addEventListener("change", function (event) {
    var box = event.target.closest && event.target.closest(".field.has-error");
    if (!box) { return; }
    Array.prototype.forEach.call(box.querySelectorAll(".field-error"), function (error) {
      if (error.id !== "photo-error-js") { error.hidden = true; }
    });
    box.classList.remove("has-error");
    Array.prototype.forEach.call(box.querySelectorAll("[aria-invalid]"), function (control) {
      control.removeAttribute("aria-invalid");
    });
  });

  // The phone's hint follows the chosen country (its example), as the server writes it.
  function phoneHint(country) {
    var phone = document.getElementById("phone");
    var hint = document.getElementById("phone-hint");
    if (!phone || !hint || !phone.hasAttribute("data-examples")) { return; }
    var examples = {};  // "MA=06 50 12 34 56|SN=70 123 45 67"
    (phone.getAttribute("data-examples") || "").split("|").forEach(function (pair) {
      var at = pair.indexOf("=");
      if (at > 0) { examples[pair.slice(0, at)] = pair.slice(at + 1); }
    });
    var option = country.options[country.selectedIndex];
    var example = examples[country.value];
    hint.textContent = example && option
      ? phone.getAttribute("data-hint-country").replace("{country}", option.textContent).replace("{example}", example)
      : phone.getAttribute("data-hint-none");
  }
  var lang = document.documentElement.lang;
  var text = lang === "en"
    ? { next: "Next", prev: "Back", step: "Step %1 of %2", choose: "— Choose —" }
    : { next: "Suivant", prev: "Précédent", step: "Étape %1 sur %2", choose: "— Choisir —" };

  // Cities of the chosen country.
  var country = document.getElementById("country");
  var city = document.getElementById("city");
  if (country && city) {
    country.addEventListener("change", function () {
      phoneHint(country);
      var url = country.getAttribute("data-cities-url") + "?country=" + encodeURIComponent(country.value);
      fetch(url, { headers: { "Accept": "application/json" } })
        .then(function (r) { return r.ok ? r.json() : []; })
        .then(function (cities) {
          city.innerHTML = "";
          var first = document.createElement("option");
          first.value = ""; first.textContent = text.choose; city.appendChild(first);
          cities.forEach(function (c) {
            var o = document.createElement("option");
            o.value = String(c.id); o.textContent = c.name; city.appendChild(o);
          });
          city.required = cities.length > 0;
          if (cities.length > 0) { dropHint(city); }
        });
    });
  }

  // Photo preview.
  var photo = document.getElementById("photo");
  var preview = document.getElementById("photo-preview");
  if (photo && preview && window.URL) {
    photo.addEventListener("change", function () {
      var file = photo.files && photo.files[0];
      if (file && /^image\//.test(file.type)) { preview.src = URL.createObjectURL(file); preview.hidden = false; }
      else { preview.hidden = true; }
    });
  }

  // Steps.
  var steps = Array.prototype.slice.call(form.querySelectorAll("fieldset.step"));
  if (steps.length < 2) { return; }
  var submit = form.querySelector(".actions button[type=submit]");
  var progress = document.createElement("p");
  progress.className = "progress"; progress.setAttribute("aria-live", "polite");
  form.insertBefore(progress, steps[0]);
  var nav = document.createElement("div"); nav.className = "step-nav";
  var prev = document.createElement("button"); prev.type = "button"; prev.className = "button secondary"; prev.textContent = text.prev;
  var next = document.createElement("button"); next.type = "button"; next.className = "button"; next.textContent = text.next;
  nav.appendChild(prev); nav.appendChild(next);
  form.querySelector(".actions").insertBefore(nav, submit);
  var current = 0;
  var firstError = form.querySelector(".has-error");
  if (firstError) {
    steps.forEach(function (s, i) { if (s.contains(firstError)) { current = i; } });
  }
  function show(i) {
    current = i;
    steps.forEach(function (s, j) { s.hidden = j !== i; });
    prev.hidden = i === 0;
    next.hidden = i === steps.length - 1;
    submit.hidden = i !== steps.length - 1;
    progress.textContent = text.step.replace("%1", i + 1).replace("%2", steps.length);
  }
  function valid(step) {
    var fields = step.querySelectorAll("input[required], select[required], textarea[required]");
    for (var k = 0; k < fields.length; k++) {
      if (!fields[k].checkValidity()) { fields[k].reportValidity(); return false; }
    }
    return true;
  }
  prev.addEventListener("click", function () { show(Math.max(0, current - 1)); steps[current].querySelector("legend").scrollIntoView(); });
  next.addEventListener("click", function () {
    if (valid(steps[current])) { show(Math.min(steps.length - 1, current + 1)); steps[current].querySelector("legend").scrollIntoView(); }
  });
  show(current);
})();
