/**
 * The vendor-page snippet served at `GET /afflux.js` (see CONTRACT.md, "Snippet").
 *
 *   <script src="https://TRACKING_HOST/afflux.js" data-pk="afx_pub_…" defer
 *           data-cookie-days="30" data-param="afx_click"></script>
 *
 * What it does on load:
 *  - finds its own <script> (document.currentScript, else the last script whose src ends with
 *    /afflux.js) and reads data-pk, data-cookie-days (default 30), data-param (default afx_click)
 *    and the tracking origin from its src;
 *  - if the page URL carries the click parameter with a valid id (/^[A-Za-z0-9_-]{1,64}$/), stores
 *    it in the first-party cookie `afx_click` (Max-Age + expires, path=/, SameSite=Lax, Secure on
 *    https) on the highest domain that accepts it: for a.b.shop.co.uk it tries domain=co.uk,
 *    shop.co.uk, b.shop.co.uk, … and keeps the first write that can be read back from
 *    document.cookie (browsers refuse public suffixes, so no public-suffix list is needed).
 *    Single-label hosts (localhost) and IPs get a host-only cookie (no domain attribute);
 *  - defines window.afflux = { clickId(), conversion({orderId, amount, currency, event}), push() }
 *    and replays calls queued before load (window.afflux = window.afflux || [];
 *    afflux.push(["conversion", {...}])). push() keeps working after load.
 *  - conversion() fires the pixel: new Image().src = origin + "/px.gif?pk=…&order=…&event=…
 *    &amount=…&currency=…&click=…" (every value encodeURIComponent'ed, absent ones omitted,
 *    event defaults to "sale", click = the URL's id if present, else the cookie's).
 *  - Nothing ever throws into the host page: each step has its own try/catch.
 *
 * The script must stay plain ES5 (no let/const, arrows, template literals, classes) so it runs
 * on any browser a shop's customers use, and under 2 KB gzipped (the test checks both).
 *
 * Source form: the readable source below lives in a String.raw template (so regex backslashes
 * survive verbatim). At module load a tiny regex pass drops whole-line `//` comments, leading
 * indentation and blank lines. Rules that keep that pass safe: comments only on their own
 * lines (never after code on the same line), no line of code starting with `//`, no `${` and
 * no backticks in the script, and every statement ends with a semicolon (newlines are kept
 * anyway, so ASI behaves exactly as in the readable source).
 */

const SOURCE = String.raw`
(function (w, d) {
  var NAME = "afx_click";
  var RE = /^[A-Za-z0-9_-]{1,64}$/;
  var loc = w.location || {};
  var imgs = [];
  var s = null, pk = null, days = 30, param = NAME, origin = "", api, prior, i, v;

  // Decode one query-string component ("+" means space); may throw on bad escapes.
  function dec(x) {
    return decodeURIComponent(String(x).replace(/\+/g, " "));
  }

  // First valid click id in the page URL under the configured parameter name, else null.
  function urlId() {
    var q, j, kv, x;
    try {
      q = String(loc.search || "").replace(/^\?/, "").split("&");
      for (j = 0; j < q.length; j++) {
        kv = q[j].split("=");
        try {
          if (kv.length > 1 && dec(kv[0]) === param) {
            x = dec(kv.slice(1).join("="));
            if (RE.test(x)) return x;
          }
        } catch (e) {}
      }
    } catch (e) {}
    return null;
  }

  // First valid afx_click cookie visible to this page, else null.
  function cookieId() {
    var c, j, k, x;
    try {
      c = String(d.cookie || "").split(/;\s*/);
      for (j = 0; j < c.length; j++) {
        k = c[j].indexOf("=");
        x = c[j].slice(k + 1);
        if (k > 0 && c[j].slice(0, k) === NAME && RE.test(x)) return x;
      }
    } catch (e) {}
    return null;
  }

  // Is a cookie afx_click=<x> readable right now? (any of them, not just the first)
  function has(x) {
    return ("; " + d.cookie + ";").indexOf("; " + NAME + "=" + x + ";") >= 0;
  }

  // Store the click id on the highest domain that accepts it (host-only for IPs/single labels).
  function save(x) {
    var h = String(loc.hostname || "").toLowerCase().replace(/\.$/, "");
    var l = h.split(".");
    var j;
    var base = NAME + "=" + x + "; Max-Age=" + Math.round(days * 86400) +
      "; expires=" + new Date(new Date().getTime() + days * 864e5).toUTCString() +
      "; path=/; SameSite=Lax" + (loc.protocol === "https:" ? "; Secure" : "");
    if (h.indexOf(".") > 0 && h.indexOf(":") < 0 && !/^[0-9.]+$/.test(h)) {
      for (j = l.length - 2; j >= 0; j--) {
        d.cookie = base + "; domain=" + l.slice(j).join(".");
        if (has(x)) return;
      }
    }
    d.cookie = base;
  }

  function clickId() {
    try {
      return urlId() || cookieId();
    } catch (e) {
      return null;
    }
  }

  function conversion(o) {
    var p, q = [], j, img;
    try {
      o = o || {};
      p = ["pk", pk, "order", o.orderId, "event", o.event || "sale", "amount", o.amount,
        "currency", o.currency, "click", clickId()];
      for (j = 0; j < p.length; j += 2) {
        if (p[j + 1] != null && p[j + 1] !== "") q.push(p[j] + "=" + encodeURIComponent(p[j + 1]));
      }
      img = new w.Image(1, 1);
      // keep a reference so the request is not garbage-collected mid-flight
      imgs.push(img);
      img.src = origin + "/px.gif?" + q.join("&");
    } catch (e) {}
  }

  // Run one queued call: ["conversion", {...}] (or an arguments object).
  function run(c) {
    try {
      if (c && typeof c[0] === "string" && c[0] !== "push" &&
        api.hasOwnProperty(c[0]) && typeof api[c[0]] === "function") {
        api[c[0]].apply(api, [].slice.call(c, 1));
      }
    } catch (e) {}
  }

  // Find our own script element and read its configuration.
  try {
    s = d.currentScript;
    if (!s) {
      var all = d.getElementsByTagName("script");
      for (i = all.length - 1; i >= 0; i--) {
        if (/\/afflux\.js(?:[?#].*)?$/.test(all[i].src || "")) {
          s = all[i];
          break;
        }
      }
    }
  } catch (e) {}
  try {
    if (s && s.getAttribute) {
      pk = s.getAttribute("data-pk") || null;
      v = parseFloat(s.getAttribute("data-cookie-days"));
      if (v > 0 && v < 1e5) days = v;
      param = s.getAttribute("data-param") || NAME;
    }
  } catch (e) {}
  try {
    v = /^([a-z][a-z0-9+.-]*:)?\/\/[^\/?#]+/i.exec(s && s.src || "");
    origin = v ? (v[1] ? v[0] : (loc.protocol || "https:") + v[0]) : (loc.protocol || "") + "//" + (loc.host || "");
  } catch (e) {}

  // Copy the click id from the URL into the first-party cookie.
  try {
    v = urlId();
    if (v) save(v);
  } catch (e) {}

  // Publish the API, then replay whatever was queued before we loaded.
  try {
    api = {
      clickId: clickId,
      conversion: conversion,
      push: function () {
        for (var j = 0; j < arguments.length; j++) run(arguments[j]);
      }
    };
    prior = w.afflux;
    w.afflux = api;
    if (prior && prior !== api && typeof prior.length === "number") {
      for (i = 0; i < prior.length; i++) run(prior[i]);
    }
  } catch (e) {}
})(window, document);
`;

/** The script text served at `GET /afflux.js` (ES5, no dependencies). */
export const SNIPPET_JS: string = SOURCE.replace(/^[ \t]*\/\/.*$/gm, "")
  .replace(/^[ \t]+/gm, "")
  .replace(/\n{2,}/g, "\n")
  .trim() + "\n";
