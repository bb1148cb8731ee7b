/* CX Culture content-package player: lessons in order, then the final quiz, scored here; progress and score
   go to the LMS through SCORM 1.2 (the API object of a parent or opener frame) or cmi5 (xAPI statements to the
   LRS the launch names). Self-contained: no library, no network besides the LMS. */
(function () {
  "use strict";

  var data = JSON.parse(document.getElementById("cx-package").textContent);
  var words = JSON.parse(document.getElementById("cx-words").textContent);
  var lessonPages = Array.prototype.slice.call(document.querySelectorAll("[data-lesson]"));
  var quizPage = document.querySelector("[data-quiz]");
  var finishedPage = document.querySelector("[data-finished]");
  var form = document.getElementById("cx-quiz-form");
  var startedAt = Date.now();
  var runtime = null;
  var finished = false;
  //: What the LMS keeps between sessions (SCORM suspend_data is 4096 characters at most: keep it small).
  var state = {lesson: 0, read: [], view: "lesson", draw: null, best: null, passed: false, completed: false,
    failedSent: false};

  function fill(text, values) {
    return text.replace(/\{(\w+)\}/g, function (all, name) { return name in values ? values[name] : all; });
  }

  function showConnectionProblem(text) {
    var box = document.getElementById("cx-connection");
    box.textContent = text;
    box.hidden = false;
  }

  function pythonRound(value) {
    // Scores are rounded as the app rounds them (half to even), so a package and the app agree.
    var floor = Math.floor(value), diff = value - floor;
    if (Math.abs(diff - 0.5) < 1e-9) { return floor % 2 === 0 ? floor : floor + 1; }
    return Math.round(value);
  }

  function randomInt(n) {
    var buffer = new Uint32Array(1);
    window.crypto.getRandomValues(buffer);
    return buffer[0] % n;
  }

  function shuffled(list) {
    var copy = list.slice();
    for (var i = copy.length - 1; i > 0; i--) {
      var j = randomInt(i + 1), swap = copy[i];
      copy[i] = copy[j];
      copy[j] = swap;
    }
    return copy;
  }

  // Pages ----------------------------------------------------------------------------------------------------

  function hideAll() {
    lessonPages.forEach(function (page) { page.hidden = true; });
    quizPage.hidden = true;
    finishedPage.hidden = true;
  }

  function allRead() {
    return state.read.length >= data.lessons.length;
  }

  function updateToc() {
    var bar = document.getElementById("cx-progress");
    bar.value = state.read.length;
    bar.textContent = state.read.length + "/" + data.lessons.length;
    document.querySelectorAll(".cx-toc [data-go]").forEach(function (button) {
      var target = button.getAttribute("data-go");
      var item = button.parentNode;
      if (target === "quiz") {
        button.disabled = !allRead();
        item.classList.toggle("is-current", state.view === "quiz");
        return;
      }
      var index = Number(target), done = state.read.indexOf(index) >= 0;
      item.classList.toggle("is-done", done);
      item.classList.toggle("is-current", state.view === "lesson" && state.lesson === index);
      button.querySelector(".cx-tick").textContent = done ? "✓" : String(index + 1);
      button.querySelector(".cx-read-mark").hidden = !done;
      if (state.view === "lesson" && state.lesson === index) {
        button.setAttribute("aria-current", "page");
      } else {
        button.removeAttribute("aria-current");
      }
    });
  }

  function focusHeading(page) {
    var heading = page.querySelector("h1");
    if (heading) { heading.focus({preventScroll: true}); }
    window.scrollTo(0, 0);
  }

  function showLesson(index) {
    hideAll();
    state.view = "lesson";
    state.lesson = index;
    lessonPages[index].hidden = false;
    focusHeading(lessonPages[index]);
    updateToc();
    save();
  }

  function markRead(index) {
    if (state.read.indexOf(index) < 0) { state.read.push(index); }
    if (allRead() && !state.completed) {
      state.completed = true;
      runtime.completed();
    }
    if (index + 1 < lessonPages.length) {
      showLesson(index + 1);
    } else {
      showQuiz();
    }
  }

  // The quiz -------------------------------------------------------------------------------------------------

  function newDraw() {
    var indices = data.questions.map(function (question, index) { return index; });
    if (data.draw && data.draw < indices.length) {
      indices = shuffled(indices).slice(0, data.draw);
    }
    return indices.map(function (index) {
      var question = data.questions[index];
      var fieldset = form.querySelector('[data-question="' + question.id + '"]');
      var choices = Array.prototype.map.call(fieldset.querySelectorAll("[data-choice]"), function (li) {
        return li.getAttribute("data-choice");
      });
      return {q: index, c: question.shuffle ? shuffled(choices) : choices};
    });
  }

  function fieldsetOf(item) {
    return form.querySelector('[data-question="' + data.questions[item.q].id + '"]');
  }

  function layOutDraw(reviewing) {
    form.querySelectorAll("[data-question]").forEach(function (fieldset) { fieldset.hidden = true; });
    var submitRow = document.getElementById("cx-submit-row");
    state.draw.forEach(function (item, position) {
      var fieldset = fieldsetOf(item);
      var list = fieldset.querySelector(".cx-choices");
      item.c.forEach(function (choiceId) { list.appendChild(list.querySelector('[data-choice="' + choiceId + '"]')); });
      fieldset.querySelector(".cx-qnum").textContent = fill(words.questionOf, {number: position + 1, total: state.draw.length});
      form.insertBefore(fieldset, submitRow);
      fieldset.hidden = false;
      fieldset.disabled = reviewing;
      fieldset.classList.remove("has-error", "is-right", "is-wrong");
      fieldset.querySelector(".cx-error").hidden = true;
      fieldset.querySelector(".cx-verdict").hidden = true;
      fieldset.querySelectorAll(".cx-explanation").forEach(function (p) { p.hidden = true; });
      if (!reviewing) {
        fieldset.querySelectorAll("input").forEach(function (input) { input.checked = false; });
      }
    });
    submitRow.hidden = reviewing;
    document.getElementById("cx-problems").hidden = true;
  }

  function showQuiz() {
    hideAll();
    state.view = "quiz";
    if (!state.draw) { state.draw = newDraw(); }
    form.hidden = false;
    document.getElementById("cx-result").hidden = true;
    layOutDraw(false);
    quizPage.hidden = false;
    focusHeading(quizPage);
    updateToc();
    save();
  }

  function chosen(fieldset) {
    return Array.prototype.filter.call(fieldset.querySelectorAll("input"), function (input) { return input.checked; })
      .map(function (input) { return input.value; });
  }

  function sameSet(a, b) {
    return a.length === b.length && a.slice().sort().join("\u0000") === b.slice().sort().join("\u0000");
  }

  function submitQuiz(event) {
    event.preventDefault();
    var missing = [];
    state.draw.forEach(function (item) {
      var fieldset = fieldsetOf(item), empty = chosen(fieldset).length === 0;
      fieldset.classList.toggle("has-error", empty);
      fieldset.querySelector(".cx-error").hidden = !empty;
      if (empty) { missing.push(fieldset); }
    });
    var problems = document.getElementById("cx-problems");
    if (missing.length) {
      problems.textContent = words.problems;
      problems.hidden = false;
      problems.focus();
      return;
    }
    problems.hidden = true;
    var right = 0;
    state.draw.forEach(function (item) {
      var fieldset = fieldsetOf(item), picks = chosen(fieldset);
      var correct = sameSet(picks, data.questions[item.q].right);
      if (correct) { right += 1; }
      fieldset.classList.add(correct ? "is-right" : "is-wrong");
      var verdict = fieldset.querySelector(".cx-verdict");
      verdict.textContent = correct ? words.right : words.wrong;
      verdict.className = "cx-verdict " + (correct ? "cx-badge-ok" : "cx-badge-bad");
      verdict.hidden = false;
      picks.forEach(function (choiceId) {
        var explanation = fieldset.querySelector('[data-choice="' + choiceId + '"] .cx-explanation');
        if (explanation) { explanation.hidden = false; }
      });
      fieldset.disabled = true;
    });
    var score = pythonRound(100 * right / state.draw.length);
    var passed = score >= data.passMark;
    state.best = state.best === null ? score : Math.max(state.best, score);
    var firstPass = passed && !state.passed;
    state.passed = state.passed || passed;
    document.getElementById("cx-submit-row").hidden = true;
    showResult(score, passed, right);
    if (!state.passed || firstPass) {
      runtime.scored(score, passed, state);
    }
    state.draw = passed ? state.draw : null;  // a retry draws again
    save();
  }

  function showResult(score, passed, right) {
    var box = document.getElementById("cx-result");
    box.classList.toggle("is-passed", passed);
    box.classList.toggle("is-failed", !passed);
    document.getElementById("cx-score-figure").textContent = score + "%";
    document.getElementById("cx-result-title").textContent = fill(passed ? words.passed : words.failed, {score: score});
    var text = right === null ? "" : fill(words.summary, {right: right, total: state.draw.length, mark: data.passMark}) + " ";
    document.getElementById("cx-result-text").textContent = text + (passed ? words.completed : words.tryAgain);
    document.getElementById("cx-retry").hidden = passed;
    box.hidden = false;
    document.getElementById("cx-result-title").focus();
  }

  function showPassedAgain() {
    // Reopened after passing: the result stays, the answers were not kept.
    hideAll();
    state.view = "quiz";
    quizPage.hidden = false;
    form.hidden = true;
    showResult(state.best, true, null);
    updateToc();
  }

  function useMasteryScore(percent) {
    // The LMS's mastery score wins over the package's pass mark; a whole-number score passes when it reaches it.
    data.passMark = Math.max(0, Math.min(100, Math.ceil(percent - 1e-9)));
    document.querySelectorAll("[data-pass-mark]").forEach(function (element) {
      element.textContent = fill(element.getAttribute("data-pass-mark"), {mark: data.passMark});
    });
  }

  // Saving and finishing -------------------------------------------------------------------------------------

  function save() {
    if (runtime && !finished) { runtime.save(JSON.stringify(state), String(state.lesson)); }
  }

  function finish() {
    if (finished || !runtime) { return; }
    save();
    finished = true;
    runtime.finish(state, (Date.now() - startedAt) / 1000);
  }

  function exit() {
    finish();
    hideAll();
    finishedPage.hidden = false;
    document.querySelector(".cx-toc").hidden = true;
    focusHeading(finishedPage);
  }

  // SCORM 1.2 ------------------------------------------------------------------------------------------------

  function findAPI(win) {
    // The standard walk: this frame, then each parent, up to a few hundred levels.
    for (var tries = 0; win && tries < 500; tries++) {
      try {
        if (win.API) { return win.API; }
      } catch (crossOrigin) { return null; }
      if (!win.parent || win.parent === win) { return null; }
      win = win.parent;
    }
    return null;
  }

  function scormTime(seconds) {
    var whole = Math.floor(seconds), hours = Math.floor(whole / 3600), minutes = Math.floor(whole / 60) % 60;
    var pad = function (n) { return (n < 10 ? "0" : "") + n; };
    return (hours < 1000 ? ("000" + hours).slice(-4) : "9999") + ":" + pad(minutes) + ":" + pad(whole % 60);
  }

  function scorm12() {
    var api = findAPI(window) || (window.opener ? findAPI(window.opener) : null);
    if (!api || String(api.LMSInitialize("")) !== "true") { return null; }
    var set = function (name, value) { return String(api.LMSSetValue(name, value)) === "true"; };
    var commit = function () {
      if (String(api.LMSCommit("")) !== "true") { showConnectionProblem(words.lost); }
    };
    return {
      load: function (done) {
        var mastery = parseFloat(api.LMSGetValue("cmi.student_data.mastery_score"));
        if (!isNaN(mastery)) { useMasteryScore(mastery); }
        var status = api.LMSGetValue("cmi.core.lesson_status");
        if (!status || status === "not attempted") { set("cmi.core.lesson_status", "incomplete"); }
        var saved = null;
        try { saved = JSON.parse(api.LMSGetValue("cmi.suspend_data") || "null"); } catch (ignored) { saved = null; }
        if (saved) {
          var location = parseInt(api.LMSGetValue("cmi.core.lesson_location"), 10);
          if (!isNaN(location)) { saved.lesson = location; }
        }
        done(saved);
      },
      save: function (text, location) {
        set("cmi.suspend_data", text);
        set("cmi.core.lesson_location", location);
        commit();
      },
      completed: function () {},
      scored: function (score, passed) {
        set("cmi.core.score.min", "0");
        set("cmi.core.score.max", "100");
        set("cmi.core.score.raw", String(score));
        set("cmi.core.lesson_status", passed ? "passed" : "failed");
        commit();
      },
      finish: function (last, seconds) {
        set("cmi.core.session_time", scormTime(seconds));
        set("cmi.core.exit", last.passed ? "" : "suspend");
        api.LMSCommit("");
        api.LMSFinish("");
      }
    };
  }

  // cmi5 -----------------------------------------------------------------------------------------------------

  var CMI5 = "https://w3id.org/xapi/cmi5/";
  var VERBS = {
    initialized: "http://adlnet.gov/expapi/verbs/initialized",
    completed: "http://adlnet.gov/expapi/verbs/completed",
    passed: "http://adlnet.gov/expapi/verbs/passed",
    failed: "http://adlnet.gov/expapi/verbs/failed",
    terminated: "http://adlnet.gov/expapi/verbs/terminated"
  };
  var PROGRESS_STATE = "cxculture.package-progress";

  function uuid() {
    var bytes = new Uint8Array(16);
    window.crypto.getRandomValues(bytes);
    bytes[6] = (bytes[6] & 0x0f) | 0x40;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    var hex = Array.prototype.map.call(bytes, function (b) { return (b + 0x100).toString(16).slice(1); }).join("");
    return hex.slice(0, 8) + "-" + hex.slice(8, 12) + "-" + hex.slice(12, 16) + "-" + hex.slice(16, 20) + "-" + hex.slice(20);
  }

  function duration(seconds) {
    return "PT" + (Math.round(seconds * 100) / 100) + "S";
  }

  function cmi5() {
    var params = new URLSearchParams(window.location.search);
    var launch = {
      endpoint: params.get("endpoint"), fetch: params.get("fetch"), actor: params.get("actor"),
      registration: params.get("registration"), activityId: params.get("activityId")
    };
    if (!launch.endpoint || !launch.fetch || !launch.actor || !launch.registration || !launch.activityId) {
      return null;
    }
    var endpoint = launch.endpoint.replace(/\/?$/, "/");
    var actor = JSON.parse(launch.actor);
    var token = null, launchData = {}, queue = Promise.resolve();
    var tokenKey = "cx-cmi5-token:" + launch.fetch;

    function headers(extra) {
      var all = {"Authorization": "Basic " + token, "X-Experience-API-Version": "1.0.3"};
      Object.keys(extra || {}).forEach(function (name) { all[name] = extra[name]; });
      return all;
    }

    function stateUrl(stateId) {
      return endpoint + "activities/state?" + new URLSearchParams({
        stateId: stateId, activityId: launch.activityId, agent: JSON.stringify(actor), registration: launch.registration
      }).toString();
    }

    function getToken() {
      try { token = window.sessionStorage.getItem(tokenKey); } catch (ignored) { token = null; }
      if (token) { return Promise.resolve(token); }
      return fetch(launch.fetch, {method: "POST"}).then(function (response) { return response.json(); })
        .then(function (body) {
          if (!body["auth-token"]) { throw new Error("no auth-token"); }
          token = body["auth-token"];
          try { window.sessionStorage.setItem(tokenKey, token); } catch (ignored) { /* private mode */ }
          return token;
        });
    }

    function readState(stateId) {
      return fetch(stateUrl(stateId), {headers: headers()}).then(function (response) {
        if (response.status === 404) { return null; }
        if (!response.ok) { throw new Error("state " + response.status); }
        return response.json();
      });
    }

    function context(moveOn, extensions) {
      var template = JSON.parse(JSON.stringify(launchData.contextTemplate || {}));
      template.registration = launch.registration;
      template.contextActivities = template.contextActivities || {};
      var categories = template.contextActivities.category || [];
      categories.push({id: CMI5 + "context/categories/cmi5", objectType: "Activity"});
      if (moveOn) { categories.push({id: CMI5 + "context/categories/moveon", objectType: "Activity"}); }
      template.contextActivities.category = categories;
      template.extensions = template.extensions || {};
      Object.keys(extensions || {}).forEach(function (name) { template.extensions[name] = extensions[name]; });
      return template;
    }

    function send(verb, options) {
      options = options || {};
      var statement = {
        id: uuid(),
        timestamp: new Date().toISOString(),
        actor: actor,
        verb: {id: VERBS[verb], display: {"en-US": verb}},
        object: {id: launch.activityId, objectType: "Activity"},
        context: context(options.moveOn, options.extensions)
      };
      if (options.result) { statement.result = options.result; }
      // One after the other: the LMS reads them in the order they happened.
      queue = queue.then(function () {
        return fetch(endpoint + "statements", {
          method: "POST", keepalive: true, body: JSON.stringify(statement),
          headers: headers({"Content-Type": "application/json"})
        }).then(function (response) {
          if (!response.ok) { showConnectionProblem(words.lost); }
        }, function () { showConnectionProblem(words.lost); });
      });
      return queue;
    }

    function normal() {
      return !launchData.launchMode || launchData.launchMode === "Normal";
    }

    var masteryKey = CMI5 + "context/extensions/masteryscore";
    return {
      load: function (done) {
        getToken().then(function () { return readState("LMS.LaunchData"); }).then(function (found) {
          if (!found) { throw new Error("no LMS.LaunchData"); }
          launchData = found;
          if (typeof launchData.masteryScore === "number") {
            useMasteryScore(launchData.masteryScore * 100);
          }
          return send("initialized").then(function () { return readState(PROGRESS_STATE).catch(function () { return null; }); });
        }).then(done, function () {
          showConnectionProblem(words.noLms);
          runtime = null;
          done(null);
        });
      },
      save: function (text) {
        fetch(stateUrl(PROGRESS_STATE), {method: "PUT", body: text, keepalive: true,
          headers: headers({"Content-Type": "application/json"})}).catch(function () { /* progress is a comfort */ });
      },
      completed: function () {
        if (normal()) { send("completed", {moveOn: true, result: {completion: true, duration: duration((Date.now() - startedAt) / 1000)}}); }
      },
      scored: function (score, passed, progress) {
        // cmi5: one "failed" and one "passed" per registration at most, and never "failed" after "passed".
        if (!normal() || (!passed && progress.failedSent)) { return; }
        if (!passed) { progress.failedSent = true; }
        var extensions = {};
        if (typeof launchData.masteryScore === "number") { extensions[masteryKey] = launchData.masteryScore; }
        send(passed ? "passed" : "failed", {
          moveOn: true, extensions: extensions,
          result: {score: {scaled: score / 100, raw: score, min: 0, max: 100}, success: passed,
            duration: duration((Date.now() - startedAt) / 1000)}
        });
      },
      finish: function (last, seconds) {
        send("terminated", {result: {duration: duration(seconds)}}).then(function () {
          if (launchData.returnURL) { window.location.href = launchData.returnURL; }
        });
      }
    };
  }

  // Start ----------------------------------------------------------------------------------------------------

  function begin(saved) {
    if (saved && typeof saved === "object") {
      Object.keys(state).forEach(function (key) { if (key in saved) { state[key] = saved[key]; } });
      state.lesson = Math.min(Math.max(Number(state.lesson) || 0, 0), lessonPages.length - 1);
    }
    if (state.passed) {
      showPassedAgain();
    } else if (state.view === "quiz" && allRead()) {
      showQuiz();
    } else {
      showLesson(state.lesson);
    }
  }

  document.addEventListener("click", function (event) {
    var target = event.target.closest("button");
    if (!target) { return; }
    if (target.hasAttribute("data-read")) {
      markRead(Number(target.getAttribute("data-read")));
    } else if (target.getAttribute("data-go") === "quiz") {
      if (state.passed) { showPassedAgain(); } else { showQuiz(); }
    } else if (target.hasAttribute("data-go")) {
      showLesson(Number(target.getAttribute("data-go")));
    } else if (target.id === "cx-retry") {
      showQuiz();
    } else if (target.id === "cx-exit") {
      exit();
    }
  });
  form.addEventListener("submit", submitQuiz);
  window.addEventListener("pagehide", finish);

  runtime = data.format === "cmi5" ? cmi5() : scorm12();
  if (!runtime) {
    showConnectionProblem(words.noLms);
    runtime = {load: function (done) { done(null); }, save: function () {}, completed: function () {},
      scored: function () {}, finish: function () {}};
  }
  runtime.load(function (saved) {
    if (!runtime) {
      runtime = {save: function () {}, completed: function () {}, scored: function () {}, finish: function () {}};
    }
    begin(saved);
  });
}());
