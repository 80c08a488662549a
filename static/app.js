// One WebSocket per tab: keeps the header counters live and lets pages react to new items.
// Without JavaScript every page still works by plain loads.
(function () {
  "use strict";
  if (!document.querySelector("[data-count]")) return;
  var delay = 1000, socket = null, pingTimer = null;

  function setCounts(frame) {
    ["alerts", "tasks", "messages"].forEach(function (name) {
      if (typeof frame[name] !== "number") return;
      document.querySelectorAll('[data-count="' + name + '"]').forEach(function (el) {
        if (el.textContent !== String(frame[name])) el.textContent = frame[name];
      });
    });
  }

  function connect() {
    var scheme = location.protocol === "https:" ? "wss://" : "ws://";
    socket = new WebSocket(scheme + location.host + "/ws/");
    socket.onopen = function () {
      delay = 1000;
      document.body.dataset.live = "on";
      pingTimer = setInterval(function () { socket.send(JSON.stringify({ type: "ping" })); }, 30000);
    };
    socket.onmessage = function (event) {
      var frame = JSON.parse(event.data);
      if (frame.type === "counts") setCounts(frame);
      document.body.dispatchEvent(new CustomEvent("live:" + frame.type.replace(/\./g, "-"), { detail: frame }));
    };
    socket.onclose = function () {
      document.body.dataset.live = "off";
      clearInterval(pingTimer);
      setTimeout(connect, delay);
      delay = Math.min(delay * 2, 30000);
    };
  }
  window.liveSocket = { send: function (frame) { if (socket && socket.readyState === 1) socket.send(JSON.stringify(frame)); } };
  connect();
})();
