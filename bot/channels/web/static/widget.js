/* policybot chat widget: <script src="https://BOT/widget.js" async></script> on any page.
 *
 * Everything is built with createElement and textContent: no text from the knowledge, the user
 * or the server ever reaches innerHTML, so nothing in an answer can become markup or script.
 * The widget lives in a shadow root, so the portal's styles and ours do not mix; its only
 * stylesheet and every API call go to the server the script came from.
 * The conversation is kept in sessionStorage: it survives page changes within the tab and is
 * gone when the tab closes.
 */
(function () {
  "use strict";
  var script = document.currentScript;
  if (!script || window.__policybotWidget) return;
  window.__policybotWidget = true;
  var BASE = new URL(".", script.src).href;
  // v2: messages carry `text`; a tab's conversation saved before that starts afresh.
  var STORE = "policybot:v2:" + BASE;
  var KEPT = 60; // messages remembered for the tab
  // Longest question sent. Not the box's maxlength, which cuts pasted text without a word
  // (and with it the question people write last): a longer one stays in the box, and is said.
  var LONGEST = 500;
  var TEXT = {
    open: "政策问答",
    openLabel: "打开营商环境政策问答",
    close: "关闭问答窗口",
    title: "营商环境政策问答",
    placeholder: "请输入您的问题",
    inputLabel: "您的问题",
    send: "发送",
    log: "对话记录",
    you: "您",
    bot: "问答机器人",
    related: "相关问题：",
    more: "您也可以看看：",
    none: "都不是",
    yes: "是的",
    no: "不是",
    topics: "浏览主题",
    back: "返回主题",
    nextPage: "更多问题",
    helpful: "👍 有帮助",
    unhelpful: "👎 没帮助",
    voteLabel: "这个回答对您有帮助吗？",
    thanks: "谢谢您的反馈！",
    thinking: "正在查找答案…",
    offline: "网络连接出错了，请稍后再试。",
    failed: "抱歉，服务暂时出了问题，请稍后再试。",
    tooLong: function (length) {
      return "您的问题有 " + length + " 个字，请精简到 " + LONGEST + " 字以内再发送（原文还在输入框里）。";
    },
    source: "来源："
  };

  var state = load();
  var ui = null;
  tabOfItsOwn();

  function load() {
    try {
      var saved = JSON.parse(sessionStorage.getItem(STORE) || "null");
      if (saved && Array.isArray(saved.items)) {
        // An answer still awaited when the page went away will not come: drop its place.
        saved.items = saved.items.filter(function (item) { return item.kind !== "pending"; });
        return saved;
      }
    } catch (e) { /* storage blocked or corrupt: start afresh */ }
    return { session: newSession(), open: false, items: [] };
  }

  function save() {
    state.items = state.items.slice(-KEPT);
    try { sessionStorage.setItem(STORE, JSON.stringify(state)); } catch (e) { /* full or blocked */ }
  }

  // A duplicated tab copies sessionStorage, and with it the session: a "2" typed in one then
  // picked from the list the other had shown last. So each page asks the pages of this bot
  // open in the browser whether its session is theirs, and if one says so, takes a new one
  // (the copy keeps the conversation shown; its buttons still name their own answers).
  function tabOfItsOwn() {
    if (!window.BroadcastChannel) return;
    var me = newSession();
    var tabs = new BroadcastChannel(STORE);
    tabs.onmessage = function (event) {
      var said = event.data || {};
      if (said.session !== state.session) return;
      if (said.kind === "whose") {
        tabs.postMessage({ kind: "mine", session: state.session, to: said.from });
      } else if (said.kind === "mine" && said.to === me) {
        state.session = newSession();
        save();
      }
    };
    tabs.postMessage({ kind: "whose", session: state.session, from: me });
  }

  function newSession() {
    var bytes = new Uint8Array(12);
    crypto.getRandomValues(bytes);
    return "w-" + Array.prototype.map.call(bytes, function (b) {
      return (b + 256).toString(16).slice(1);
    }).join("");
  }

  // el("p", {class: "x", "aria-label": "y"}, "text", child) — text always as text nodes.
  function el(tag, attrs) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (name) {
      if (attrs[name] !== null && attrs[name] !== undefined) node.setAttribute(name, attrs[name]);
    });
    for (var i = 2; i < arguments.length; i++) {
      var child = arguments[i];
      if (child === null || child === undefined) continue;
      node.appendChild(typeof child === "string" ? document.createTextNode(child) : child);
    }
    return node;
  }

  function button(label, onClick, cls, aria) {
    var b = el("button", { type: "button", "class": cls || "choice", "aria-label": aria || null }, label);
    b.addEventListener("click", onClick);
    return b;
  }

  function build() {
    var host = el("div", { id: "policybot-widget" });
    var root = host.attachShadow({ mode: "open" });
    root.appendChild(el("link", { rel: "stylesheet", href: BASE + "widget.css" }));
    var launcher = el("button", {
      type: "button", "class": "launcher", "aria-expanded": "false",
      "aria-controls": "pb-panel", "aria-label": TEXT.openLabel
    }, el("span", { "aria-hidden": "true", "class": "icon" }, "💬"), TEXT.open);
    var title = el("h2", { id: "pb-title" }, TEXT.title);
    var close = button("×", function () { setOpen(false); }, "close", TEXT.close);
    var log = el("div", {
      "class": "log", role: "log", "aria-live": "polite", "aria-label": TEXT.log, tabindex: "0"
    });
    var input = el("input", {
      id: "pb-question", type: "text", autocomplete: "off", enterkeyhint: "send",
      placeholder: TEXT.placeholder
    });
    var form = el("form", { "class": "ask", role: "search", "aria-label": TEXT.inputLabel },
      el("label", { "for": "pb-question", "class": "sr-only" }, TEXT.inputLabel),
      input, el("button", { type: "submit", "class": "send" }, TEXT.send));
    var panel = el("section", {
      id: "pb-panel", "class": "panel", role: "dialog", "aria-labelledby": "pb-title",
      "aria-modal": "false"
    }, el("header", null, title, close), log, form);
    panel.hidden = true;
    root.appendChild(launcher);
    root.appendChild(panel);
    launcher.addEventListener("click", function () { setOpen(panel.hidden); });
    panel.addEventListener("keydown", function (event) {
      // Escape while an input method is composing (pinyin not yet chosen) cancels the
      // composition, not the conversation: the panel stays open.
      if (event.key === "Escape" && !event.isComposing) { event.preventDefault(); setOpen(false); }
    });
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var question = input.value.trim();
      if (!question) { input.focus(); return; }
      // Characters as the server counts them (code points): `.length` counts UTF-16 units,
      // two for an emoji, and refused questions the server would take.
      var length = Array.from(question).length;
      if (length > LONGEST) {
        add({ kind: "error", text: TEXT.tooLong(length) });
        input.focus();
        return;
      }
      input.value = "";
      ask(question);
    });
    document.body.appendChild(host);
    ui = { launcher: launcher, panel: panel, log: log, input: input, title: title };
    state.items.forEach(render);
    if (state.open) setOpen(true, true);
  }

  function setOpen(open, restoring) {
    ui.panel.hidden = !open;
    ui.launcher.setAttribute("aria-expanded", String(open));
    ui.launcher.hidden = open && window.matchMedia("(max-width: 480px)").matches;
    state.open = open;
    save();
    if (open) {
      // Until the welcome and the topics have come: a first opening whose request the network
      // lost shows the error, and the next one asks again (it asked only while empty).
      if (!state.items.some(function (item) { return item.kind === "topics"; })) welcome();
      scrollDown();
      if (!restoring) ui.input.focus();
    } else {
      ui.launcher.hidden = false;
      ui.launcher.focus();
    }
  }

  // Conversation ------------------------------------------------------------------------

  function add(item) {
    state.items.push(item);
    save();
    return render(item);
  }

  function update(item, changes) {
    Object.keys(changes).forEach(function (key) { item[key] = changes[key]; });
    save();
  }

  function scrollDown() { ui.log.scrollTop = ui.log.scrollHeight; }

  function render(item) {
    var node = view(item);
    ui.log.appendChild(node);
    scrollDown();
    return node;
  }

  function view(item) {
    if (item.kind === "user") {
      return el("div", { "class": "msg user" }, el("span", { "class": "sr-only" }, TEXT.you + "："), item.text);
    } else if (item.kind === "topics") {
      return topicsMessage(item);
    } else if (item.kind === "error") {
      return el("div", { "class": "msg bot error", role: "alert" }, item.text);
    } else if (item.kind === "pending") {
      return el("div", { "class": "msg bot waiting", role: "status" }, TEXT.thinking);
    }
    return answerMessage(item);
  }

  function answerMessage(item) {
    var data = item.data;
    var node = el("div", { "class": "msg bot " + (data.status || "") });
    node.appendChild(el("span", { "class": "sr-only" }, TEXT.bot + "："));
    var choices = Array.isArray(data.choices) ? data.choices : [];
    // The text without the lists it would have as lines (choices, near topics): they become
    // buttons below, the near topics under their heading.
    var text = String(data.text || "");
    var nearLabel = data.near_heading || null;
    node.appendChild(el("p", { "class": "text" }, text));
    cited(data).forEach(function (source) {
      var line = TEXT.source + "《" + (source.title || source.document || "") + "》" +
        (source.date ? "，" + source.date : "");
      node.appendChild(el("p", { "class": "source" }, line));
    });
    if (choices.length) {
      // A confirm (one likely entry) asks yes or no; a list offers each choice, then 都不是.
      var options = data.confirm && choices.length === 1
        ? [{ id: choices[0].id, question: TEXT.yes, asked: choices[0].question }, { id: null, question: TEXT.no }]
        : choices.concat([{ id: null, question: TEXT.none }]);
      node.appendChild(choiceList(null, options, item.picked !== undefined, function (choice, group) {
        update(item, { picked: choice.id });
        disable(group);
        pick(data.exchange, choice);
      }));
    }
    if (data.status === "answered") node.appendChild(voteRow(item));
    // Other lists of questions the server adds (related, near topics, …): the same buttons.
    Object.keys(data).forEach(function (key) {
      var list = data[key];
      if (key === "choices" || key === "candidates" || !Array.isArray(list) || !list.length) return;
      if (!list.every(function (x) { return x && typeof x.id === "string" && typeof x.question === "string"; })) return;
      var label = key === "related" ? TEXT.related : (key === "near" && nearLabel) || TEXT.more;
      node.appendChild(choiceList(label, list, false, function (choice) { openEntry(choice); }));
    });
    // Browsing last, below any near topics: the way on when none of them helps.
    if (data.status === "fallback") {
      node.appendChild(choiceList(null, [{ id: "", question: TEXT.topics }], false, function () {
        showTopics();
      }, "topics-link"));
    }
    return node;
  }

  // The sources of all the text says: the answer's, then each further answer's (`also`: a
  // message asking two things), each document once, as the server's own channels cite them.
  function cited(data) {
    var seen = {};
    var all = (data.sources || []).slice();
    (Array.isArray(data.also) ? data.also : []).forEach(function (more) {
      all = all.concat(more && Array.isArray(more.sources) ? more.sources : []);
    });
    return all.filter(function (source) {
      var key = String(source.document || source.title || "");
      if (seen[key]) return false;
      seen[key] = true;
      return true;
    });
  }

  function choiceList(label, options, done, onChoose, cls) {
    var group = el("ul", { "class": "choices " + (cls || ""), role: "list", "aria-label": label || null });
    options.forEach(function (choice) {
      var b = button(choice.question, function () { onChoose(choice, group); });
      if (done) b.disabled = true;
      group.appendChild(el("li", null, b));
    });
    if (!label) return group;
    return el("div", { "class": "group" }, el("p", { "class": "label", "aria-hidden": "true" }, label), group);
  }

  function disable(group) {
    Array.prototype.forEach.call(group.querySelectorAll("button"), function (b) { b.disabled = true; });
  }

  function voteRow(item) {
    if (item.voted) return el("p", { "class": "thanks" }, TEXT.thanks);
    var row = el("div", { "class": "vote", role: "group", "aria-label": TEXT.voteLabel });
    function vote(kind) {
      update(item, { voted: kind });
      var thanks = el("p", { "class": "thanks", role: "status" }, TEXT.thanks);
      row.replaceWith(thanks);
      ui.input.focus();
      post("feedback", { exchange: item.data.exchange || null, vote: kind, entry_id: item.data.entry_id || null })
        .catch(function () { /* a lost vote is not worth interrupting the conversation */ });
    }
    row.appendChild(button(TEXT.helpful, function () { vote("helpful"); }, "vote-up"));
    row.appendChild(button(TEXT.unhelpful, function () { vote("unhelpful"); }, "vote-down"));
    return row;
  }

  function topicsMessage(item) {
    var node = el("div", { "class": "msg bot topics" });
    node.appendChild(el("span", { "class": "sr-only" }, TEXT.bot + "："));
    if (item.text) node.appendChild(el("p", { "class": "text" }, item.text));
    // The menu is kept once for the tab (`state.topics`), not in each of its messages: every
    // step of browsing saved all the questions again, and with a large knowledge (thousands of
    // entries, 100 KB and more) sessionStorage filled up, each save failed and the page after
    // showed an older conversation (probe23). Messages saved before still carry their own.
    var topics = item.topics || state.topics || [];
    if (item.category) {
      var topic = topics.filter(function (t) { return t.category === item.category; })[0];
      // A category gives its first page of questions with the topics, its `count` of them, and
      // each later page on request (`page`): all of them at once were megabytes (probe24).
      var page = item.page || 0;
      var questions = item.questions || (topic ? topic.questions : []);
      node.appendChild(choiceList(item.category, questions, false, function (choice) {
        openEntry(choice);
      }));
      var shown = topic ? page * topic.questions.length + questions.length : 0;
      if (topic && shown < (item.count || topic.count || 0)) {
        node.appendChild(choiceList(null, [{ id: "", question: TEXT.nextPage }], false, function () {
          topicPage(item.category, page + 1);
        }, "topics-link"));
      }
      node.appendChild(choiceList(null, [{ id: "", question: TEXT.back }], false, function () {
        add({ kind: "topics" });
        focusLast();
      }, "topics-link"));
    } else {
      var names = topics.map(function (t) { return { id: t.category, question: t.category }; });
      node.appendChild(choiceList(TEXT.topics, names, false, function (choice) {
        add({ kind: "topics", category: choice.id });
        focusLast();
      }));
    }
    return node;
  }

  // After a menu step, keyboard users land on the new menu's first button.
  function focusLast() {
    var buttons = ui.log.lastChild.querySelectorAll("button:not([disabled])");
    if (buttons.length) buttons[0].focus();
  }

  // Server ------------------------------------------------------------------------------

  var welcoming = false; // a welcome on its way: opening again asks for no second one

  function welcome() {
    if (welcoming) return;
    welcoming = true;
    get("topics").then(function (data) {
      if (data.name) ui.title.textContent = data.name;
      state.topics = data.topics;
      add({ kind: "topics", text: data.welcome });
    }).catch(showError).then(function () { welcoming = false; });
  }

  function showTopics() {
    get("topics").then(function (data) {
      state.topics = data.topics;
      add({ kind: "topics" });
      focusLast();
    }).catch(showError);
  }

  function topicPage(category, page) {
    get("topics?category=" + encodeURIComponent(category) + "&page=" + page).then(function (data) {
      add({ kind: "topics", category: category, page: data.page, count: data.count, questions: data.questions });
      focusLast();
    }).catch(showError);
  }

  function ask(question) {
    add({ kind: "user", text: question });
    answer(post("ask", { question: question }));
  }

  function pick(exchange, choice) {
    add({ kind: "user", text: choice.asked || choice.question });
    answer(post("pick", { exchange: exchange || null, entry_id: choice.id }));
    ui.input.focus();
  }

  function openEntry(choice) {
    add({ kind: "user", text: choice.question });
    // (with the session: a follow-up typed next is read against this entry, not the one before)
    answer(get("entries/" + encodeURIComponent(choice.id)
      + "?session=" + encodeURIComponent(state.session)));
    ui.input.focus();
  }

  // The answer takes the place kept for it under its question, however late it comes: a slow
  // answer shown last would read as the answer to the question asked after it.
  function answer(request) {
    var item = { kind: "pending" };
    var waiting = add(item);
    request.then(function (data) {
      update(item, { kind: "answer", data: data });
    }).catch(function (error) {
      update(item, { kind: "error", text: errorText(error) });
    }).then(function () {
      var atEnd = ui.log.lastChild === waiting;
      waiting.replaceWith(view(item));
      if (atEnd) scrollDown();
    });
  }

  function errorText(error) { return (error && error.userMessage) || TEXT.offline; }

  function showError(error) {
    add({ kind: "error", text: errorText(error) });
  }

  function get(path) { return call(path, { method: "GET" }); }

  function post(path, body) {
    body.session = state.session;
    return call(path, {
      method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body)
    });
  }

  function call(path, options) {
    options.credentials = "omit";
    return fetch(BASE + "api/v1/" + path, options).then(function (response) {
      return response.json().catch(function () { return {}; }).then(function (data) {
        if (response.ok) return data;
        var error = new Error("HTTP " + response.status);
        error.userMessage = (data && data.error && data.error.message) || TEXT.failed;
        throw error;
      });
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", build);
  } else {
    build();
  }
})();
