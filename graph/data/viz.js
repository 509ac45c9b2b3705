(function () {
  "use strict";
  // AIKG (nodes, edges, options) is defined just before this code, in the same script.
  var nodes = new vis.DataSet(AIKG.nodes);
  var edges = new vis.DataSet(AIKG.edges);
  var container = document.getElementById("aikg-network");
  var network = new vis.Network(container, { nodes: nodes, edges: edges }, AIKG.options);
  window.aikgNetwork = network;
  window.aikgSettled = false;
  network.once("afterDrawing", function () {
    window.aikgSettled = true;
    document.body.setAttribute("data-settled", "true");
  });
  // fit() measures nodes, not their labels: leave a margin so long labels at the edges stay readable.
  network.fit({ animation: false });
  network.moveTo({ scale: network.getScale() * 0.9, animation: false });

  // Find box: options are filled through the DOM (value, never markup).
  var list = document.getElementById("aikg-find-list");
  var byName = Object.create(null);
  AIKG.nodes.forEach(function (n) {
    if (byName[n.name] !== undefined) { return; }
    byName[n.name] = n.id;
    var option = document.createElement("option");
    option.value = n.name;
    list.appendChild(option);
  });
  document.getElementById("aikg-find").addEventListener("change", function (event) {
    var id = byName[event.target.value];
    if (id === undefined) { return; }
    network.selectNodes([id]);
    network.focus(id, { scale: 1.3, animation: false });
  });
})();
