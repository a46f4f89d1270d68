/* The quiz timer: shows the time the server allows and hands the form in when it runs out.
   The server keeps its own deadline; this script only displays it (no inline script: CSP). */
(function () {
    "use strict";
    var timer = document.querySelector(".quiz-timer[data-remaining]");
    var form = document.getElementById("quiz-form");
    if (!timer || !form) { return; }
    var value = timer.querySelector(".quiz-timer__value");
    // Counted from this page's load, not the phone's clock, which may be wrong.
    var endsAt = Date.now() + parseInt(timer.getAttribute("data-remaining"), 10) * 1000;
    var sent = false;
    form.addEventListener("submit", function () { sent = true; });

    function pad(n) { return (n < 10 ? "0" : "") + n; }

    function tick() {
        var left = Math.max(0, Math.round((endsAt - Date.now()) / 1000));
        value.textContent = pad(Math.floor(left / 60)) + ":" + pad(left % 60);
        timer.classList.toggle("quiz-timer--low", left <= 60);
        if (left === 60) { timer.setAttribute("aria-live", "polite"); }
        if (left <= 0) {
            if (!sent) {
                sent = true;
                form.elements.auto.value = "1";
                timer.textContent = "Hết giờ: bài đang được nộp…";
                form.submit();  // bypasses "required": an unanswered guess is accepted now
            }
            return;
        }
        window.setTimeout(tick, 1000 - (Date.now() % 1000) + 5);
    }
    timer.classList.add("quiz-timer--live");
    tick();
}());
