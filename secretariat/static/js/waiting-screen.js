// Public waiting-room screen: polls its state (ETag → 304 when nothing changed), shows new calls
// large with an animation and a chime (a tone made with WebAudio: no sound file), and reconnects
// by itself after a network loss (retry with backoff, a discreet banner; never a reload).
// Everything is built with textContent: the JSON is data, never markup.
(function () {
  "use strict";
  var body = document.body;
  var stateUrl = body.dataset.stateUrl;
  var pollMs = parseInt(body.dataset.pollMs || "2000", 10);
  var text = body.dataset;
  var etag = null;
  var failures = 0;
  var known = {};
  var flashQueue = [];
  var flashing = false;
  var audio = null;
  var chime = body.dataset.chime === "1";

  Array.prototype.forEach.call(document.querySelectorAll("[data-id]"), function (item) { known[item.dataset.id] = true; });

  // Clock
  function two(n) { return (n < 10 ? "0" : "") + n; }
  function tick() {
    var now = new Date();
    document.getElementById("ws-clock").textContent = two(now.getHours()) + ":" + two(now.getMinutes());
  }
  tick();
  setInterval(tick, 1000);

  // Sound: browsers keep it off until one interaction with the page.
  var soundButton = document.getElementById("ws-sound");
  function enableSound() {
    try {
      var Context = window.AudioContext || window.webkitAudioContext;
      if (!Context) return;
      audio = audio || new Context();
      if (audio.state === "suspended") audio.resume();
      soundButton.hidden = true;
    } catch (error) { soundButton.hidden = true; }
  }
  if (chime) {
    soundButton.hidden = false;
    ["click", "touchstart", "keydown"].forEach(function (name) {
      document.addEventListener(name, enableSound, { once: true, passive: true });
    });
  }
  function tone(frequency, start, length) {
    var oscillator = audio.createOscillator();
    var gain = audio.createGain();
    oscillator.type = "sine";
    oscillator.frequency.value = frequency;
    gain.gain.setValueAtTime(0.0001, start);
    gain.gain.exponentialRampToValueAtTime(0.5, start + 0.02);
    gain.gain.exponentialRampToValueAtTime(0.0001, start + length);
    oscillator.connect(gain).connect(audio.destination);
    oscillator.start(start);
    oscillator.stop(start + length + 0.05);
  }
  function playChime() {
    if (!chime || !audio || audio.state !== "running") return;
    var now = audio.currentTime;
    tone(880, now, 0.6);        // "ding"
    tone(659.25, now + 0.45, 0.9);  // "dong"
  }

  // Keep a tablet's screen on, where the browser allows it.
  function keepAwake() {
    if (navigator.wakeLock && document.visibilityState === "visible") {
      navigator.wakeLock.request("screen").catch(function () {});
    }
  }
  keepAwake();
  document.addEventListener("visibilitychange", keepAwake);

  // Rendering
  function element(tag, className, content) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (content !== undefined) node.textContent = content;
    return node;
  }
  function ticketNode(call) {
    var node = element("span", "ws-ticket", call.ticket);
    if (call.initials) { node.appendChild(document.createTextNode(" ")); node.appendChild(element("small", "", call.initials)); }
    return node;
  }
  function where(call) { return call.room || call.practitioner || ""; }
  function render(state) {
    var calls = document.getElementById("ws-calls");
    calls.textContent = "";
    if (!state.calls.length) calls.appendChild(element("li", "ws-none", text.textNobody));
    state.calls.forEach(function (call, index) {
      var item = element("li", "ws-call" + (index === 0 ? " is-latest" : ""));
      item.dataset.id = call.id;
      item.appendChild(ticketNode(call));
      item.appendChild(element("span", "ws-arrow", "→")).setAttribute("aria-hidden", "true");
      item.appendChild(element("span", "ws-room", where(call)));
      calls.appendChild(item);
    });
    var recent = document.getElementById("ws-recent");
    recent.textContent = "";
    state.recent.forEach(function (call) {
      var item = element("li");
      item.dataset.id = call.id;
      item.appendChild(ticketNode(call));
      item.appendChild(element("span", "", where(call)));
      item.appendChild(element("span", "ws-at", call.at));
      recent.appendChild(item);
    });
    var delays = document.getElementById("ws-delays");
    delays.textContent = "";
    document.getElementById("ws-delays-section").hidden = !state.delays.length;  // nobody waiting: no heading alone
    state.delays.forEach(function (delay) {
      var item = element("li");
      item.appendChild(element("span", "", delay.practitioner));
      item.appendChild(element("strong", delay.delay ? "is-late" : "is-on-time",
        delay.delay ? delay.delay + " " + text.textLate : text.textOnTime));
      delays.appendChild(item);
    });
    document.querySelector(".ws-site").textContent = state.site;
    chime = state.chime;
    var fresh = state.calls.filter(function (call) { return !known[call.id]; }).reverse();
    state.calls.concat(state.recent).forEach(function (call) { known[call.id] = true; });
    fresh.forEach(function (call) { flashQueue.push(call); });
    nextFlash();
  }
  function nextFlash() {
    if (flashing || !flashQueue.length) return;
    var call = flashQueue.shift();
    var flash = document.getElementById("ws-flash");
    document.getElementById("ws-flash-ticket").textContent = call.ticket + (call.initials ? " " + call.initials : "");
    document.getElementById("ws-flash-room").textContent = where(call) ? text.textRoom + " : " + where(call) : "";
    flashing = true;
    flash.hidden = false;
    flash.classList.remove("is-on");
    void flash.offsetWidth; // restart the animation
    flash.classList.add("is-on");
    playChime();
    setTimeout(function () {
      flash.hidden = true;
      flash.classList.remove("is-on");
      flashing = false;
      nextFlash();
    }, 7000);
  }

  // Polling with reconnection
  var banner = document.getElementById("ws-banner");
  function schedule(ms) { setTimeout(poll, ms); }
  function poll() {
    var headers = {};
    if (etag) headers["If-None-Match"] = etag;
    fetch(stateUrl, { headers: headers, cache: "no-store", credentials: "omit", redirect: "error" })
      .then(function (response) {
        if (response.status === 404) {
          banner.textContent = text.textGone;
          banner.hidden = false;
          failures = 0;
          schedule(60000);
          return null;
        }
        if (response.status === 304) { ok(); return null; }
        if (!response.ok) throw new Error("HTTP " + response.status);
        // The ETag is kept only once the state is on the screen: a failed render asks again in full.
        var received = response.headers.get("ETag");
        return response.json().then(function (state) { render(state); etag = received; ok(); });
      })
      .catch(function () {
        failures += 1;
        banner.textContent = banner.dataset.reconnect || banner.textContent;
        banner.hidden = false;
        schedule(Math.min(30000, pollMs * Math.pow(2, Math.min(failures, 4))));
      });
  }
  function ok() {
    failures = 0;
    banner.hidden = true;
    schedule(pollMs);
  }
  banner.dataset.reconnect = banner.textContent;
  schedule(pollMs);
})();
