// aikg front door: autocomplete from /suggest and the date slider. Values go in through the DOM, never as markup.
(function () {
  "use strict";
  function suggest(input) {
    var list = input.list, timer = null, last = null;
    if (!list) { return; }
    input.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(function () {
        var text = input.value.trim();
        if (text.length < 2 || text === last) { return; }
        last = text;
        fetch("/suggest?q=" + encodeURIComponent(text), { headers: { Accept: "application/json" } })
          .then(function (r) { return r.ok ? r.json() : []; })
          .then(function (names) {
            while (list.firstChild) { list.removeChild(list.firstChild); }
            names.forEach(function (name) {
              var option = document.createElement("option");
              option.value = name;
              list.appendChild(option);
            });
          })
          .catch(function () {});
      }, 150);
    });
  }
  Array.prototype.forEach.call(document.querySelectorAll("input[data-suggest]"), suggest);

  // Date slider: one step a day, from three years before the answer's date to today.
  var slider = document.getElementById("slider");
  if (slider) {
    var DAY = 86400000;
    var at = Date.parse(slider.getAttribute("data-at") + "T00:00:00Z");
    var now = new Date(), today = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate());
    var start = Math.min(at, today) - 3 * 365 * DAY, end = Math.max(at, today);
    var iso = function (i) { return new Date(start + i * DAY).toISOString().slice(0, 10); };
    slider.min = 0;
    slider.max = Math.round((end - start) / DAY);
    slider.value = Math.round((at - start) / DAY);
    var label = document.createElement("output");
    label.id = "slider-date";
    label.textContent = iso(Number(slider.value));
    slider.parentNode.insertBefore(label, slider.nextSibling);
    slider.hidden = false;
    slider.addEventListener("input", function () { label.textContent = iso(Number(slider.value)); });
    slider.addEventListener("change", function () {
      window.location.href = slider.getAttribute("data-href").replace("DATE", iso(Number(slider.value)));
    });
  }
})();
