// Type-to-filter for long choice lists (spoken languages, skills). The lists work without this
// file: every choice is shown, or (the directory's GET form) the server marks the choices that
// do not match the submitted filter box `hidden`; here the same rule runs as the person types.
// Markup: [data-filter-list] holding a [data-filter-box] (shown here if hidden), an
// input[data-filter-input], items [data-filter-item="name"] (or an empty attribute: the item's
// label is its name) and optional [data-filter-group]s.
(function () {
  "use strict";
  function fold(text) {
    return (text || "").normalize("NFD").replace(/[\u0300-\u036f]/g, "").toLowerCase().trim();
  }
  // The spoken-language rows carry no attribute (90-odd of them on the registration page).
  var ITEM = "[data-filter-item], ul.language-levels > li";
  Array.prototype.forEach.call(document.querySelectorAll("[data-filter-list]"), function (list) {
    if (list.getAttribute("data-filter-ready")) { return; }
    list.setAttribute("data-filter-ready", "1");
    var box = list.querySelector("[data-filter-box]");
    var input = list.querySelector("[data-filter-input]");
    if (!input) { return; }
    if (box) { box.hidden = false; }
    var items = Array.prototype.slice.call(list.querySelectorAll(ITEM));
    var groups = Array.prototype.slice.call(list.querySelectorAll("[data-filter-group]"));
    var names = items.map(function (item) {
      var label = item.querySelector("label");
      return fold(item.getAttribute("data-filter-item") || (label && label.textContent));
    });
    function apply() {
      var query = fold(input.value);
      items.forEach(function (item, i) {
        var keep = !query || names[i].indexOf(query) !== -1 || item.hasAttribute("data-filter-keep");
        var checked = item.querySelector("input:checked, option[value]:not([value='']):checked");
        item.hidden = !(keep || checked);
      });
      groups.forEach(function (group) {
        group.hidden = !Array.prototype.some.call(group.querySelectorAll(ITEM), function (item) { return !item.hidden; });
      });
    }
    input.addEventListener("input", apply);
    // Filtering is live: Enter does not submit the form, and the no-JS button goes away.
    input.addEventListener("keydown", function (event) {
      if (event.key === "Enter") { event.preventDefault(); }
    });
    Array.prototype.forEach.call(list.querySelectorAll("[data-filter-submit]"), function (el) {
      el.hidden = true;
    });
    apply();
  });
})();
