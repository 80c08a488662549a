// The service worker (served at /sw.js by webpush.views): shows each push as a notification
// and opens its page when the notification (or one of its buttons) is clicked. The payload is
// JSON from webpush.sending.payload: {title, body, url, tag, kind, actions: [{title, url}]}.
"use strict";

self.addEventListener("install", function () { self.skipWaiting(); });
self.addEventListener("activate", function (event) { event.waitUntil(self.clients.claim()); });

self.addEventListener("push", function (event) {
  var data = {};
  if (event.data) {
    try { data = event.data.json(); } catch (error) { data = { body: event.data.text() }; }
  }
  // Its buttons ("Mute …"), as many as this browser shows; a click opens the button's page.
  var buttons = (data.actions || []).slice(0, (self.Notification && Notification.maxActions) || 2);
  event.waitUntil(self.registration.showNotification(data.title || "Learning platform", {
    body: data.body || "",
    tag: data.tag || undefined,
    actions: buttons.map(function (button, i) { return { action: "open-" + i, title: button.title }; }),
    data: {
      url: data.url || "/",
      kind: data.kind || "",
      actions: buttons.map(function (button) { return button.url; })
    }
  }));
});

self.addEventListener("notificationclick", function (event) {
  event.notification.close();
  var data = event.notification.data || {};
  var button = /^open-(\d+)$/.exec(event.action || "");
  var link = button && data.actions ? data.actions[Number(button[1])] : data.url;
  var target = new URL(link || "/", self.location.origin);
  // Only pages of this site: a link to another origin (SITE_URL names another host name of
  // the site, or anything else) opens the same path here.
  if (target.origin !== self.location.origin) {
    target = new URL(target.pathname + target.search + target.hash, self.location.origin);
  }
  event.waitUntil(self.clients.matchAll({ type: "window", includeUncontrolled: true }).then(function (windows) {
    for (var i = 0; i < windows.length; i++) {
      if (windows[i].url === target.href && "focus" in windows[i]) return windows[i].focus();
    }
    return self.clients.openWindow(target.href);
  }));
});

// The browser replaced this site's subscription (it expired, or the push service rotated it):
// the site is told, with the old endpoint and its auth secret as the proof that this browser
// held it (no cookies: often nobody is logged in). Without the old one (some browsers give
// none), the next visit to the preferences page stores the new subscription.
self.renewSubscription = function (old, fresh) {
  return fetch("/api/push/subscriptions/renew/", {
    method: "POST",
    credentials: "omit",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ old: { endpoint: old.endpoint, auth: old.keys.auth }, subscription: fresh })
  }).then(function (response) { return response.status; });
};

self.addEventListener("pushsubscriptionchange", function (event) {
  var old = event.oldSubscription;
  if (!old) return;
  var fresh = event.newSubscription
    ? Promise.resolve(event.newSubscription)
    : self.registration.pushManager.subscribe(old.options);
  event.waitUntil(fresh.then(function (subscription) {
    return self.renewSubscription(old.toJSON(), subscription.toJSON());
  }));
});
