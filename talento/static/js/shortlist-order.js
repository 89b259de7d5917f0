// Drag and drop ordering of a shortlist (an enhancement: « Monter » / « Descendre » work
// without it). Markup: ol[data-sortable] of li[data-entry="<id>"], and form[data-order-form]
// with input[data-order-input]. Dropping a face moves it, writes the new order of entry ids
// into the input and submits the form (a plain POST, the page reloads in its new order).
(function () {
  "use strict";
  var list = document.querySelector("[data-sortable]");
  var form = document.querySelector("[data-order-form]");
  if (!list || !form) { return; }
  var input = form.querySelector("[data-order-input]");
  var dragged = null;
  var items = list.querySelectorAll("li[data-entry]");
  Array.prototype.forEach.call(items, function (item) {
    item.setAttribute("draggable", "true");
    item.addEventListener("dragstart", function (event) {
      dragged = item;
      item.classList.add("is-dragging");
      event.dataTransfer.effectAllowed = "move";
      event.dataTransfer.setData("text/plain", item.getAttribute("data-entry"));
    });
    item.addEventListener("dragend", function () {
      item.classList.remove("is-dragging");
      dragged = null;
    });
    item.addEventListener("dragover", function (event) {
      if (!dragged || dragged === item) { return; }
      event.preventDefault();
      var box = item.getBoundingClientRect();
      var after = event.clientY > box.top + box.height / 2;
      list.insertBefore(dragged, after ? item.nextSibling : item);
    });
    item.addEventListener("drop", function (event) {
      event.preventDefault();
    });
  });
  list.addEventListener("drop", function (event) {
    event.preventDefault();
    var order = Array.prototype.map.call(list.querySelectorAll("li[data-entry]"), function (li) {
      return li.getAttribute("data-entry");
    });
    if (input.value === order.join(",")) { return; }
    input.value = order.join(",");
    form.hidden = false;
    form.submit();
  });
})();
