/* The embeddable chat: <script src="https://HOST/widget.js" data-lang="zh"></script> adds a button that opens
   the chat page in a panel (an iframe). The bot's server must list this page's origin with --allow-origin. */
(function () {
  "use strict";
  var script = document.currentScript;
  if (!script) { return; }
  var base = script.src.replace(/\/widget\.js(\?.*)?$/, "");
  var lang = script.getAttribute("data-lang") === "en" ? "en" : "zh";
  var words = lang === "en"
    ? { open: "Incident reporting help", close: "Close the chat", title: "Incident-reporting assistant" }
    : { open: "网络安全事件报告助手", close: "关闭对话", title: "网络安全事件报告助手" };
  function css(el, rules) { for (var k in rules) { el.style[k] = rules[k]; } }

  var button = document.createElement("button");
  button.type = "button";
  button.id = "incident-bot-button";
  button.textContent = "💬 " + words.open;
  button.setAttribute("aria-expanded", "false");
  button.setAttribute("aria-controls", "incident-bot-panel");
  css(button, { position: "fixed", right: "16px", bottom: "16px", zIndex: "2147483000", padding: "12px 16px",
    border: "0", borderRadius: "24px", background: "#0b5cad", color: "#fff", font: "15px/1.2 system-ui, sans-serif",
    cursor: "pointer", boxShadow: "0 2px 8px rgba(0,0,0,.3)" });

  var panel = document.createElement("div");
  panel.id = "incident-bot-panel";
  panel.setAttribute("role", "dialog");
  panel.setAttribute("aria-label", words.title);
  panel.hidden = true;
  css(panel, { position: "fixed", right: "16px", bottom: "72px", zIndex: "2147483000", width: "min(400px, calc(100vw - 32px))",
    height: "min(620px, calc(100vh - 96px))", background: "#fff", border: "1px solid #999", borderRadius: "8px",
    boxShadow: "0 4px 16px rgba(0,0,0,.3)", overflow: "hidden", flexDirection: "column" });

  var bar = document.createElement("div");
  css(bar, { display: "flex", alignItems: "center", justifyContent: "space-between", background: "#0b5cad", color: "#fff",
    font: "14px/1.2 system-ui, sans-serif", padding: "0 0 0 12px", minHeight: "36px" });
  var heading = document.createElement("span");
  heading.textContent = words.title;
  bar.appendChild(heading);

  var close = document.createElement("button");
  close.type = "button";
  close.textContent = "×";
  close.setAttribute("aria-label", words.close);
  css(close, { border: "0", background: "transparent", color: "#fff", font: "22px/1 system-ui, sans-serif",
    cursor: "pointer", padding: "6px 12px" });
  bar.appendChild(close);
  panel.appendChild(bar);

  var frame = null;
  function open() {
    if (!frame) {
      frame = document.createElement("iframe");
      frame.src = base + "/?embed=1&lang=" + lang;
      frame.title = words.title;
      css(frame, { border: "0", width: "100%", flex: "1 1 auto" });
      panel.appendChild(frame);
    }
    panel.hidden = false;
    panel.style.display = "flex";
    button.setAttribute("aria-expanded", "true");
    frame.focus();
  }
  function shut() {
    panel.hidden = true;
    panel.style.display = "none";
    button.setAttribute("aria-expanded", "false");
    button.focus();
  }
  button.addEventListener("click", function () { if (panel.hidden) { open(); } else { shut(); } });
  close.addEventListener("click", shut);
  panel.addEventListener("keydown", function (e) { if (e.key === "Escape") { shut(); } });
  panel.style.display = "none";
  function attach() { document.body.appendChild(panel); document.body.appendChild(button); }
  if (document.body) { attach(); } else { document.addEventListener("DOMContentLoaded", attach); }
})();
