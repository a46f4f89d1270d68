// Listen-before-approve: one press on the player plays the preview; when it has been heard to
// the end the server is told, and "Duyệt" appears. Also the editor's "Nghe thử" of a draft.
(function () {
  "use strict";

  var RETRY_MS = 3000;

  function playedSeconds(audio) {
    var total = 0;
    for (var i = 0; i < audio.played.length; i++) {
      total += audio.played.end(i) - audio.played.start(i);
    }
    return total;
  }

  function csrfToken(element) {
    var input = element.querySelector("input[name=csrfmiddlewaretoken]");
    var form = element.closest("form");
    if (!input && form) input = form.querySelector("input[name=csrfmiddlewaretoken]");
    if (!input) input = document.querySelector("input[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  }

  function setStatus(scope, text) {
    var status = scope.querySelector("[data-listen-status]");
    if (status) status.textContent = text;
  }

  function failureMessage(response, fallback, then) {
    response.json().then(function (body) {
      then(body.message || fallback + " (" + response.status + ").");
    }).catch(function () { then(fallback + " (" + response.status + ")."); });
  }

  function playSafely(audio) {
    var started = audio.play();
    // A refused or interrupted play() is not an error worth a console trace; the controls show it.
    if (started && started.catch) started.catch(function () {});
  }

  // Whether the preview is ready, without fetching it: the listen gate's clock starts when the
  // audio itself is served (on the first press of play), not when the page opens.
  function probePreview(item, player, ready) {
    var url = item.dataset.previewUrl;
    var headers = { Accept: "application/json" };  // the speech app answers 202/422 in JSON
    fetch(url, { method: "HEAD", credentials: "same-origin", headers: headers }).then(function (response) {
      if (response.status === 202) {
        // The speech pipeline is still rendering (the HEAD itself queued it if needed).
        setStatus(player, player.dataset.msgRendering);
        window.setTimeout(function () { probePreview(item, player, ready); }, RETRY_MS);
        return;
      }
      if (!response.ok) {
        // The reason is in the body, which a HEAD has not: ask once more with GET (a failed
        // render serves no audio, so this starts no clock).
        fetch(url, { credentials: "same-origin", headers: headers }).then(function (again) {
          failureMessage(again, player.dataset.msgLoadFailed, function (text) { setStatus(player, text); });
        });
        return;
      }
      ready();
    }).catch(function () {
      window.setTimeout(function () { probePreview(item, player, ready); }, RETRY_MS);
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
    }).catch(function () { delete item.dataset.reported; });
  }

  // The server counts a listening only after the preview's length divided by this rate has
  // passed since it served the audio; faster playback is brought back down to it.
  function capRate(audio, player) {
    var cap = parseFloat(player.dataset.maxPlaybackRate);
    if (!(cap > 0)) cap = 1;
    audio.addEventListener("ratechange", function () {
      if (audio.playbackRate > cap) audio.playbackRate = cap;
    });
  }

  function setUpListenItem(item) {
    var player = item.querySelector("[data-listen-player]");
    var audio = item.querySelector("[data-listen-audio]");
    if (!player || !audio) return;
    capRate(audio, player);
    var wantsToPlay = false;
    // Pressed before the preview was known to be ready: play as soon as it is.
    audio.addEventListener("play", function () {
      if (!audio.dataset.ready) wantsToPlay = true;
    });
    probePreview(item, player, function () {
      audio.src = item.dataset.previewUrl;  // preload="none": nothing is fetched until played
      audio.dataset.ready = "1";
      if (wantsToPlay) playSafely(audio);
    });
    audio.addEventListener("ended", function () { report(item, audio); });
    audio.addEventListener("timeupdate", function () {
      if (audio.duration && playedSeconds(audio) >= 0.95 * audio.duration) report(item, audio);
    });
  }

  // "Nghe thử": the page form as it stands (unsaved edits included) is rendered by the speech
  // pipeline, then played. The same text is never rendered twice (the audio is cached by its
  // content), so submitting it afterwards reuses this rendering.
  function setUpDraftListen(button) {
    var box = button.closest("[data-draft-listen-box]");
    var audio = box && box.querySelector("[data-draft-audio]");
    if (!audio) return;
    function request(body) {
      fetch(button.dataset.url, {
        method: "POST",
        credentials: "same-origin",
        headers: { "X-CSRFToken": csrfToken(button), "X-Requested-With": "XMLHttpRequest", Accept: "application/json" },
        body: body,
      }).then(function (response) {
        if (response.status === 202) {
          response.json().then(function (payload) { setStatus(box, payload.message || ""); });
          window.setTimeout(function () { request(body); }, RETRY_MS);
          return;
        }
        if (!response.ok) {
          button.disabled = false;
          failureMessage(response, box.dataset.msgLoadFailed, function (text) { setStatus(box, text); });
          return;
        }
        response.json().then(function (payload) {
          button.disabled = false;
          setStatus(box, payload.message || "");
          audio.hidden = false;
          if (audio.getAttribute("src") !== payload.url) audio.src = payload.url;
          playSafely(audio);
        });
      }).catch(function () {
        button.disabled = false;
        setStatus(box, box.dataset.msgLoadFailed);
      });
    }
    button.addEventListener("click", function () {
      var form = button.closest("form");
      if (!form) return;
      button.disabled = true;
      setStatus(box, box.dataset.msgRendering);
      request(new FormData(form));
    });
  }

  // In the page editor the step's comment and buttons name (form="…") a form of their own,
  // outside the page's form: Wagtail's unsaved-changes check and autosave only see the page's.
  function addActForm(item) {
    var id = item.dataset.actFormId;
    if (!id || document.getElementById(id)) return;
    var form = document.createElement("form");
    form.id = id;
    form.method = "post";
    form.action = item.dataset.actUrl;
    form.hidden = true;
    [["csrfmiddlewaretoken", csrfToken(item)], ["revision_id", item.dataset.revisionId]].forEach(function (pair) {
      var input = document.createElement("input");
      input.type = "hidden";
      input.name = pair[0];
      input.value = pair[1];
      form.appendChild(input);
    });
    document.body.appendChild(form);
  }

  document.querySelectorAll("[data-listen-item]").forEach(function (item) {
    if (item.dataset.listenSetUp) return;  // the script may be included twice on a page
    item.dataset.listenSetUp = "1";
    addActForm(item);
    setUpListenItem(item);
  });
  document.querySelectorAll("[data-draft-listen]").forEach(function (button) {
    if (button.dataset.listenSetUp) return;
    button.dataset.listenSetUp = "1";
    setUpDraftListen(button);
  });
})();
