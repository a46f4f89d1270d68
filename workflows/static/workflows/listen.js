// Listen-before-approve: play the preview, then tell the server it was heard to the end.
(function () {
  "use strict";

  function playedSeconds(audio) {
    var total = 0;
    for (var i = 0; i < audio.played.length; i++) {
      total += audio.played.end(i) - audio.played.start(i);
    }
    return total;
  }

  function csrfToken(item) {
    var input = item.querySelector("input[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  }

  function message(name) {
    var queue = document.querySelector("[data-listen-queue]");
    return (queue && queue.dataset[name]) || "";
  }

  function setStatus(item, text) {
    var status = item.querySelector("[data-listen-status]");
    if (status) status.textContent = text;
  }

  function loadPreview(item, audio, then) {
    var headers = { Accept: "application/json" };  // the speech app answers 202/422 in JSON then
    fetch(item.dataset.previewUrl, { credentials: "same-origin", headers: headers }).then(function (response) {
      if (response.status === 202) {
        // The speech pipeline is still rendering: it answers 202 with a message; ask again.
        response.json().then(function (body) {
          setStatus(item, body.message || message("msgRendering"));
        }).catch(function () { setStatus(item, message("msgRendering")); });
        window.setTimeout(function () { loadPreview(item, audio, then); }, 3000);
        return;
      }
      if (!response.ok) {
        response.json().then(function (body) {
          setStatus(item, body.message || message("msgLoadFailed") + " (" + response.status + ").");
        }).catch(function () {
          setStatus(item, message("msgLoadFailed") + " (" + response.status + ").");
        });
        return;
      }
      response.blob().then(function (blob) {
        audio.src = URL.createObjectURL(blob);
        audio.dataset.loaded = "1";
        then();
      });
    });
  }

  function report(item, audio) {
    if (item.dataset.reported) return;
    item.dataset.reported = "1";
    var body = new FormData();
    body.append("revision_id", item.dataset.revisionId);
    body.append("played_seconds", String(playedSeconds(audio)));
    body.append("duration_seconds", String(audio.duration || 0));
    fetch(item.dataset.listenUrl, {
      method: "POST",
      credentials: "same-origin",
      headers: { "X-CSRFToken": csrfToken(item), "X-Requested-With": "XMLHttpRequest" },
      body: body,
    }).then(function (response) {
      return response.json().then(function (payload) {
        setStatus(item, payload.message || "");
        if (response.ok && payload.ok) {
          var approve = item.querySelector("[data-listen-approve]");
          if (approve) approve.hidden = false;
        } else {
          delete item.dataset.reported;
        }
      });
    });
  }

  // The server counts a listening only after the preview's length divided by this rate has
  // passed since it served the audio; faster playback is brought back down to it.
  function maxPlaybackRate() {
    var queue = document.querySelector("[data-listen-queue]");
    var rate = queue ? parseFloat(queue.dataset.maxPlaybackRate) : NaN;
    return rate > 0 ? rate : 1;
  }

  function setUp(item) {
    var audio = item.querySelector("[data-listen-audio]");
    var button = item.querySelector("[data-listen-play]");
    if (!audio || !button) return;
    audio.addEventListener("ratechange", function () {
      var cap = maxPlaybackRate();
      if (audio.playbackRate > cap) audio.playbackRate = cap;
    });
    var play = function () { audio.play(); };
    button.addEventListener("click", function () {
      if (audio.dataset.loaded) play();
      else loadPreview(item, audio, play);
    });
    audio.addEventListener("ended", function () { report(item, audio); });
    audio.addEventListener("timeupdate", function () {
      if (audio.duration && playedSeconds(audio) >= 0.95 * audio.duration) report(item, audio);
    });
  }

  document.querySelectorAll("[data-listen-item]").forEach(setUp);
})();
