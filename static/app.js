// One WebSocket per tab: keeps the header counters live and lets pages react to new items.
// Without JavaScript every page still works by plain loads.
(function () {
  "use strict";
  if (!document.querySelector("[data-count]")) return;
  var delay = 1000, socket = null, pingTimer = null, opened = false;
  // The newest message this tab has seen: after a gap it asks for what came since.
  var lastMessage = 0;
  document.querySelectorAll("[data-message]").forEach(function (el) {
    lastMessage = Math.max(lastMessage, Number(el.dataset.message));
  });

  // Updates the header counters; blocks listen for "live:count-<name>" to refresh only when
  // their number changed (a refresh would wipe what someone is typing in a block).
  function setCounts(frame) {
    ["alerts", "tasks", "messages"].forEach(function (name) {
      if (typeof frame[name] !== "number") return;
      var changed = false;
      document.querySelectorAll('[data-count="' + name + '"]').forEach(function (el) {
        if (el.textContent !== String(frame[name])) { el.textContent = frame[name]; changed = true; }
      });
      if (changed) document.body.dispatchEvent(new CustomEvent("live:count-" + name, { detail: frame }));
    });
  }

  function connect() {
    var scheme = location.protocol === "https:" ? "wss://" : "ws://";
    socket = new WebSocket(scheme + location.host + "/ws/");
    socket.onopen = function () {
      delay = 1000;
      if (opened && lastMessage) socket.send(JSON.stringify({ type: "sync", since: lastMessage }));
      opened = true;
      document.body.dataset.live = "on";
      pingTimer = setInterval(function () { socket.send(JSON.stringify({ type: "ping" })); }, 30000);
    };
    socket.onmessage = function (event) {
      var frame = JSON.parse(event.data);
      if (frame.type === "counts") setCounts(frame);
      if (frame.type === "message.new" || frame.type === "message.sent") lastMessage = Math.max(lastMessage, frame.message.id);
      document.body.dispatchEvent(new CustomEvent("live:" + frame.type.replace(/\./g, "-"), { detail: frame }));
    };
    socket.onclose = function () {
      document.body.dataset.live = "off";
      clearInterval(pingTimer);
      setTimeout(connect, delay);
      delay = Math.min(delay * 2, 30000);
    };
  }
  // Enter sends a message; Shift+Enter makes a new line.
  document.addEventListener("keydown", function (event) {
    var box = event.target;
    if (event.key !== "Enter" || event.shiftKey || !box.matches || !box.matches("[data-enter-sends]")) return;
    event.preventDefault();
    if (box.value.trim()) box.form.requestSubmit();
  });
  // Typing indicators in an open conversation.
  var lastTyping = 0;
  document.addEventListener("input", function (event) {
    var box = event.target;
    if (!box.matches || !box.matches("[data-enter-sends]")) return;
    var thread = document.getElementById("thread");
    if (!thread || Date.now() - lastTyping < 3000) return;
    lastTyping = Date.now();
    window.liveSocket.send({ type: "typing", conversation: Number(thread.dataset.conversation) });
  });
  document.body.addEventListener("live:typing", function (event) {
    var thread = document.getElementById("thread");
    if (!thread || Number(thread.dataset.conversation) !== event.detail.conversation) return;
    var note = document.getElementById("typing");
    if (!note) {
      note = document.createElement("p");
      note.id = "typing"; note.className = "meta"; note.setAttribute("aria-live", "polite");
      thread.after(note);
    }
    note.textContent = event.detail.name + " is typing…";
    clearTimeout(note.timer);
    note.timer = setTimeout(function () { note.textContent = ""; }, 5000);
  });
  window.liveSocket = { send: function (frame) { if (socket && socket.readyState === 1) socket.send(JSON.stringify(frame)); } };
  connect();
})();

// The preferences page's filter box: hides the message types whose name, description or
// feature does not contain what is typed, and says how many are left.
(function () {
  "use strict";
  var filter = document.querySelector("[data-pref-filter]");
  if (!filter) return;
  var box = filter.querySelector("input"), count = filter.querySelector("[data-pref-count]");
  filter.hidden = false;
  box.addEventListener("input", function () {
    var words = box.value.trim().toLowerCase().split(/\s+/).filter(Boolean), shown = 0;
    document.querySelectorAll("[data-pref-group]").forEach(function (group) {
      var inGroup = 0;
      group.querySelectorAll("[data-pref-row]").forEach(function (row) {
        var text = row.dataset.prefText;
        var match = words.every(function (word) { return text.indexOf(word) !== -1; });
        row.hidden = !match;
        if (match) inGroup++;
      });
      group.hidden = inGroup === 0;
      if (words.length && inGroup) group.open = true;
      shown += inGroup;
    });
    count.textContent = shown === 1 ? count.dataset.one : count.dataset.many.replace("{count}", shown);
  });
})();
