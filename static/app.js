// The page's one polite live region (#live-announcer in base.html). `announce(sentence, key)`
// says the sentence once per key; sentences written within a second are read together.
window.announce = (function () {
  "use strict";
  var said = {}, lastAt = 0;
  return function (sentence, key) {
    var region = document.getElementById("live-announcer");
    if (!region || !sentence) return;
    if (key) { if (said[key]) return; said[key] = true; }
    var now = Date.now();
    region.textContent = now - lastAt < 1000 && region.textContent ? region.textContent + " " + sentence : sentence;
    lastAt = now;
  };
})();

// When htmx swaps the part of the page that holds the focus (a block refreshed by a push, or
// after one of its buttons), the focused element is replaced and focus would fall to <body>.
// It goes back to the same control of the same item, else the same control of the item now in
// that place, else that item's first control, else the part's heading.
(function () {
  "use strict";
  var FOCUSABLE = "a[href], button, summary, input:not([type=hidden]), select, textarea";
  // root id -> where its focus was, kept a moment: a live refresh that lands right after the
  // swap of a button's answer replaces the part again, and the focus goes back again.
  var pending = {};
  var KEEP_MS = 3000;
  function itemKey(item) {
    return item && (item.dataset.alert || item.dataset.task || item.dataset.message || item.id) || null;
  }
  function sameControl(scope, f) {
    var found = null;
    scope.querySelectorAll(f.tag).forEach(function (el) {
      if (!found && el.getAttribute("name") === f.name && el.getAttribute("value") === f.value &&
          el.textContent.trim() === f.text) found = el;
    });
    return found;
  }
  document.addEventListener("htmx:beforeSwap", function (event) {
    var target = event.detail.target, active = document.activeElement;
    if (!target || !target.id || !active || active === document.body || !target.contains(active)) return;
    var item = active.closest(".item");
    var items = Array.prototype.slice.call(target.querySelectorAll(".item"));
    pending[target.id] = {
      root: target.id, id: active.id, item: itemKey(item), index: item ? items.indexOf(item) : -1,
      tag: active.tagName.toLowerCase(), name: active.getAttribute("name"),
      value: active.getAttribute("value"), text: active.textContent.trim(), at: Date.now()
    };
  });
  function restore(f) {
    var root = document.getElementById(f.root);
    if (!root) return;
    var el = f.id ? document.getElementById(f.id) : null;
    if (!el) {
      var items = Array.prototype.slice.call(root.querySelectorAll(".item"));
      var item = items.filter(function (i) { return f.item && itemKey(i) === f.item; })[0];
      if (!item && f.index >= 0 && items.length) item = items[Math.min(f.index, items.length - 1)];
      if (item) el = sameControl(item, f) || item.querySelector(FOCUSABLE);
    }
    if (!el) {
      el = root.querySelector("h1, h2, h3") || root;
      if (!el.hasAttribute("tabindex")) el.setAttribute("tabindex", "-1");
    }
    el.focus();
  }
  // On afterSwap, in the same task as the swap: nothing can see the focus on <body> between.
  document.addEventListener("htmx:afterSwap", function () {
    var now = Date.now();
    Object.keys(pending).forEach(function (root) {
      var f = pending[root];
      if (now - f.at > KEEP_MS) { delete pending[root]; return; }
      if (!document.activeElement || document.activeElement === document.body) restore(f);
    });
  });
})();

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

  // One sentence in the live region for each new alert, task or message from someone else.
  // The sentences are the page's (data-* of #live-announcer, in the user's language).
  var me = Number(document.body.dataset.user);
  function sentence(name, values) {
    var region = document.getElementById("live-announcer");
    var text = (region && region.dataset[name]) || "";
    return text.replace(/\{(\w+)\}/g, function (all, key) { return key in values ? values[key] : all; });
  }
  function say(frame) {
    if (frame.type === "alert.new" && frame.item) window.announce(sentence("newAlert", { subject: frame.item.subject }), "alert:" + frame.item.id);
    if (frame.type === "task.new" && frame.item) window.announce(sentence("newTask", { subject: frame.item.subject }), "task:" + frame.item.id);
    if (frame.type === "message.new" && frame.message && frame.message.sender !== me) {
      window.announce(sentence("newMessage", { name: frame.message.sender_name }), "message:" + frame.message.id);
    }
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
      say(frame);
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
      note.id = "typing"; note.className = "meta";
      thread.after(note);
    }
    note.textContent = sentence("typing", { name: event.detail.name });
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
    clearTimeout(count.timer);  // said once typing pauses, not at each key
    count.timer = setTimeout(function () { window.announce(count.textContent); }, 500);
  });
})();

// "Notifications on this device" on the preferences page: registers the service worker
// (/sw.js), and subscribes or unsubscribes this browser to push notifications through the
// Push API, storing the subscription with POST /api/push/subscriptions/ (DELETE to remove).
(function () {
  "use strict";
  var section = document.querySelector("[data-push]");
  if (!section) return;
  var status = section.querySelector("[data-push-status]");
  var subscribeButton = section.querySelector("[data-push-subscribe]");
  var unsubscribeButton = section.querySelector("[data-push-unsubscribe]");
  var registration = null, publicKey = null;
  // The sentences come from the section's data attributes, in the page's language.
  function say(name, error) {
    status.textContent = (section.dataset[name] || name).replace("{error}", error || "");
  }
  if (!("serviceWorker" in navigator) || !("PushManager" in window) || !("Notification" in window)) {
    say("sayCannot");
    return;
  }
  function csrfToken() {
    try { return JSON.parse(document.body.getAttribute("hx-headers"))["X-CSRFToken"]; } catch (error) { return ""; }
  }
  function send(method, body) {
    return fetch(section.dataset.subscriptionsUrl, {
      method: method,
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrfToken() },
      body: JSON.stringify(body)
    }).then(function (response) {
      if (!response.ok && response.status !== 404) throw new Error("the site answered " + response.status);
      return response;
    });
  }
  // The VAPID public key (base64url) as the bytes pushManager.subscribe() takes.
  function keyBytes(text) {
    var base64 = (text + "===".slice((text.length + 3) % 4)).replace(/-/g, "+").replace(/_/g, "/");
    var raw = atob(base64), bytes = new Uint8Array(raw.length);
    for (var i = 0; i < raw.length; i++) bytes[i] = raw.charCodeAt(i);
    return bytes;
  }
  function show(subscription) {
    subscribeButton.hidden = !!subscription;
    unsubscribeButton.hidden = !subscription;
    if (subscription) say("sayOn");
    else if (Notification.permission === "denied") say("sayBlocked");
    else say("sayOff");
  }
  Promise.all([
    navigator.serviceWorker.register(section.dataset.workerUrl, { scope: "/" }).then(function () {
      return navigator.serviceWorker.ready;
    }),
    fetch(section.dataset.keyUrl, { credentials: "same-origin" }).then(function (response) { return response.json(); })
  ]).then(function (results) {
    registration = results[0];
    if (!results[1].available) { say("sayUnset"); return null; }
    publicKey = results[1].public_key;
    return registration.pushManager.getSubscription().then(function (subscription) {
      // Stored again (the same row, 200): the site may have lost it, or another person
      // subscribed on this browser before; it belongs to whoever is here now.
      if (subscription) send("POST", subscription.toJSON()).catch(function () {});
      show(subscription);
    });
  }).catch(function (error) { say("sayUnusable", error.message); });

  subscribeButton.addEventListener("click", function () {
    subscribeButton.disabled = true;
    Notification.requestPermission().then(function (permission) {
      if (permission !== "granted") throw new Error("notifications are not allowed for this site");
      return registration.pushManager.subscribe({ userVisibleOnly: true, applicationServerKey: keyBytes(publicKey) });
    }).then(function (subscription) {
      return send("POST", subscription.toJSON()).then(function () { show(subscription); });
    }).catch(function (error) {
      say("sayNotSubscribed", error.message);
    }).then(function () { subscribeButton.disabled = false; });
  });

  unsubscribeButton.addEventListener("click", function () {
    unsubscribeButton.disabled = true;
    registration.pushManager.getSubscription().then(function (subscription) {
      if (!subscription) return null;
      return send("DELETE", { endpoint: subscription.endpoint }).then(function () { return subscription.unsubscribe(); });
    }).then(function () { show(null); }).catch(function (error) {
      say("sayNotUnsubscribed", error.message);
    }).then(function () { unsubscribeButton.disabled = false; });
  });
})();
