/* The chat page. Everything the bot or the user wrote is put in the page as text (textContent), never as markup;
   only http(s) addresses in the bot's messages become links. No inline script: the page's CSP forbids it. */
(function () {
  "use strict";
  var body = document.body;
  var root = body.getAttribute("data-root") || "";
  var lang = body.getAttribute("data-lang") === "en" ? "en" : "zh";
  var WORDS = {
    zh: { title: "网络安全事件报告助手", send: "发送", fresh: "新对话", other: "EN", otherLabel: "Switch to English",
          placeholder: "输入问题或回答（Enter 发送，Shift+Enter 换行）", label: "输入问题或回答", log: "对话记录",
          tools: "对话工具", you: "你：", bot: "助手：", download: "下载", sending: "正在发送…",
          failed: "发送失败，请检查网络后重试。", reminder: "提醒", skip: "跳到输入框", options: "可选回答" },
    en: { title: "Incident-reporting assistant", send: "Send", fresh: "New conversation", other: "中文", otherLabel: "切换到中文",
          placeholder: "Type a question or an answer (Enter sends, Shift+Enter adds a line)", label: "Your question or answer",
          log: "Conversation", tools: "Conversation tools", you: "You: ", bot: "Assistant: ", download: "Download",
          sending: "Sending…", failed: "Could not send; check the connection and try again.", reminder: "Reminder",
          skip: "Skip to the message box", options: "Choices" }
  };
  var log = document.getElementById("log");
  var form = document.getElementById("form");
  var box = document.getElementById("message");
  var status = document.getElementById("status");
  var busy = false;
  if (body.getAttribute("data-embed") === "1") { body.classList.add("embed"); }

  function words() { return WORDS[lang]; }
  function applyLang() {
    var w = words();
    document.documentElement.lang = lang === "en" ? "en" : "zh-CN";
    document.getElementById("title").textContent = w.title;
    document.getElementById("send").textContent = w.send;
    document.getElementById("new").textContent = w.fresh;
    var other = document.getElementById("lang");
    other.textContent = w.other;
    other.setAttribute("aria-label", w.otherLabel);
    box.placeholder = w.placeholder;
    document.getElementById("message-label").textContent = w.label;
    document.getElementById("hint").textContent = w.placeholder;
    log.setAttribute("aria-label", w.log);
    document.querySelector("nav.tools").setAttribute("aria-label", w.tools);
    document.querySelector("a.skip").textContent = w.skip;
  }

  var URL_RE = /https?:\/\/[^\s\u3000-\u303f\uff08\uff09\uff0c\uff1b\u3001<>"'()]+/g;
  function addText(parent, text, linkify) {
    if (!linkify) { parent.appendChild(document.createTextNode(text)); return; }
    var last = 0, match;
    URL_RE.lastIndex = 0;
    while ((match = URL_RE.exec(text)) !== null) {
      var url = match[0].replace(/[.,;:!?。，；：！？]+$/, "");
      parent.appendChild(document.createTextNode(text.slice(last, match.index)));
      var a = document.createElement("a");
      a.href = url;
      a.textContent = url;
      a.target = "_blank";
      a.rel = "noopener noreferrer";
      parent.appendChild(a);
      last = match.index + url.length;
      URL_RE.lastIndex = last;
    }
    parent.appendChild(document.createTextNode(text.slice(last)));
  }

  function disableOldButtons() {
    var old = log.querySelectorAll(".buttons button");
    for (var i = 0; i < old.length; i++) { old[i].classList.add("old"); }
  }

  function show(message) {
    var mine = message.from === "user";
    var item = document.createElement("div");
    item.className = "msg " + (mine ? "user" : "bot") + (message.reminder ? " reminder" : "");
    var who = document.createElement("span");
    who.className = "visually-hidden";
    who.textContent = mine ? words().you : (message.reminder ? words().reminder + " — " : words().bot);
    item.appendChild(who);
    var text = document.createElement("div");
    text.className = "text";
    addText(text, message.text || "", !mine);
    item.appendChild(text);
    (message.files || []).forEach(function (file) {
      var a = document.createElement("a");
      a.className = "file";
      a.href = file.url;
      a.setAttribute("download", file.name);
      a.textContent = "📄 " + words().download + " " + file.name;
      item.appendChild(a);
    });
    if (message.buttons && message.buttons.length) {
      disableOldButtons();
      var row = document.createElement("div");
      row.className = "buttons";
      row.setAttribute("role", "group");
      row.setAttribute("aria-label", words().options);
      message.buttons.forEach(function (b) {
        var button = document.createElement("button");
        button.type = "button";
        button.textContent = b.label;
        button.addEventListener("click", function () { send(b.data, b.label); });
        row.appendChild(button);
      });
      item.appendChild(row);
    }
    log.appendChild(item);
    log.scrollTop = log.scrollHeight;
  }

  function setLang(newLang) {
    if (newLang && newLang !== lang && WORDS[newLang]) { lang = newLang; applyLang(); }
  }

  function request(method, path, payload) {
    var options = { method: method, credentials: "same-origin", headers: {} };
    if (payload !== undefined) {
      options.headers["Content-Type"] = "application/json";
      options.body = JSON.stringify(payload);
    }
    return fetch(root + path, options).then(function (response) {
      return response.json().then(function (data) {
        if (!response.ok) { throw new Error(data && data.error ? data.error : String(response.status)); }
        return data;
      });
    });
  }

  function newId() {
    if (window.crypto && window.crypto.randomUUID) { return window.crypto.randomUUID(); }
    return String(Date.now()) + "-" + String(Math.random()).slice(2);
  }

  function send(text, label) {
    if (busy || !text.trim()) { return; }
    busy = true;
    status.textContent = words().sending;
    show({ from: "user", text: label || text });
    var payload = { text: text, message_id: newId() };
    if (label) { payload.label = label; }
    var attempt = 0;
    function go() {
      request("POST", "/chat/send", payload).then(function (data) {
        busy = false;
        status.textContent = "";
        if (/^\s*\/forget\b/i.test(text)) { log.textContent = ""; }
        setLang(data.lang);
        data.messages.forEach(function (m) { m.from = "bot"; show(m); });
      }, function () {
        attempt += 1;
        if (attempt < 3) { setTimeout(go, 600 * attempt); return; }  // the same message_id: never answered twice
        busy = false;
        status.textContent = words().failed;
      });
    }
    go();
  }

  function load(data) {
    log.textContent = "";
    setLang(data.lang);
    data.messages.forEach(show);
  }

  form.addEventListener("submit", function (e) {
    e.preventDefault();
    var text = box.value;
    if (!text.trim() || busy) { return; }
    box.value = "";
    send(text);
    box.focus();
  });
  box.addEventListener("keydown", function (e) {
    if (e.key === "Enter" && !e.shiftKey && !e.isComposing) {
      e.preventDefault();
      form.requestSubmit ? form.requestSubmit() : form.dispatchEvent(new Event("submit", { cancelable: true }));
    }
  });
  document.getElementById("lang").addEventListener("click", function () {
    send("/lang " + (lang === "en" ? "zh" : "en"), lang === "en" ? "中文" : "English");
  });
  document.getElementById("new").addEventListener("click", function () {
    request("POST", "/chat/new", { lang: lang }).then(function (data) { load(data); box.focus(); });
  });

  function listen() {
    if (!window.EventSource) { return; }
    var source = new EventSource(root + "/chat/events");
    source.addEventListener("reminder", function (e) {
      var m = JSON.parse(e.data);
      m.from = "bot";
      show(m);
    });
  }

  applyLang();
  request("GET", "/chat/history?lang=" + lang).then(function (data) {
    load(data);
    body.setAttribute("data-ready", "1");
    listen();
  }, function (error) {
    status.textContent = String(error.message || error);
  });
})();
