// The sandbox's web chat: play a user or a consultant against the bot.
// Talks only to the control API (/sandbox/api/...); refreshes on each change
// reported by the /sandbox/api/changes long poll. A person is a Telegram user
// or a MAX user (channel "max": their one dialog with the MAX bot, a «MAX» badge).
"use strict";

const api = {
  async get(path, params) {
    const query = params ? "?" + new URLSearchParams(params).toString() : "";
    const resp = await fetch("/sandbox/api/" + path + query);
    const data = await resp.json();
    if (!resp.ok) throw new Error(data.error || resp.statusText);
    return data;
  },
  async post(path, body) {
    const init = { method: "POST" };
    if (body instanceof FormData) {
      init.body = body;
    } else {
      init.body = JSON.stringify(body);
      init.headers = { "Content-Type": "application/json" };
    }
    const resp = await fetch("/sandbox/api/" + path, init);
    const data = await resp.json();
    if (!resp.ok) throw new Error(data.error || resp.statusText);
    return data;
  },
};

const TOPIC_COLORS = {
  7322096: "#6fb9f0", 16766590: "#ffd67e", 13338331: "#cb86db",
  9367192: "#8eee98", 16749490: "#ff93b2", 16478047: "#fb6f5f",
};

const view = {
  state: null,
  userId: null,
  channel: "telegram", // the messenger of the person played: "telegram" or "max"
  chatId: null,
  threadId: null, // null: the whole chat (or the forum's general topic)
  chats: [],
  topics: [],
  version: 0,
  file: null,
};

const $ = (id) => document.getElementById(id);

function el(tag, attrs, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs || {})) {
    if (value === undefined || value === null || value === false) continue;
    if (key === "class") node.className = value;
    else if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
    else if (key === "dataset") Object.assign(node.dataset, value);
    else node.setAttribute(key, value);
  }
  for (const child of children) {
    if (child === null || child === undefined) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

function toast(text, alert) {
  const box = $("toast");
  box.textContent = text;
  box.className = alert ? "toast alert" : "toast";
  box.hidden = false;
  clearTimeout(toast.timer);
  toast.timer = setTimeout(() => { box.hidden = true; }, alert ? 6000 : 3000);
}

function personName(user) {
  if (!user) return "";
  return [user.first_name, user.last_name].filter(Boolean).join(" ");
}

const isMax = () => view.channel === "max";

function withChannel(params) {
  if (isMax()) params.channel = "max";
  return params;
}

function saveLocation() {
  const params = new URLSearchParams();
  if (view.userId) params.set("user", view.userId);
  if (isMax()) params.set("channel", "max");
  if (view.chatId) params.set("chat", view.chatId);
  if (view.threadId) params.set("thread", view.threadId);
  history.replaceState(null, "", "?" + params.toString());
}

// ---- formatting: text + entities (UTF-16 offsets, as JS strings count) ----

const ENTITY_TAGS = {
  bold: "b", italic: "i", underline: "u", strikethrough: "s", code: "code", pre: "pre",
  spoiler: "span", text_link: "a", url: "a", blockquote: "blockquote",
  expandable_blockquote: "blockquote",
};

function renderText(text, entities) {
  const root = el("div", { class: "text" });
  const marks = (entities || []).filter((e) => ENTITY_TAGS[e.type]);
  if (!marks.length) {
    root.textContent = text;
    return root;
  }
  const cuts = new Set([0, text.length]);
  for (const e of marks) { cuts.add(e.offset); cuts.add(e.offset + e.length); }
  const points = [...cuts].sort((a, b) => a - b);
  for (let i = 0; i + 1 < points.length; i++) {
    const [start, end] = [points[i], points[i + 1]];
    let node = document.createTextNode(text.slice(start, end));
    for (const e of marks) {
      if (e.offset <= start && end <= e.offset + e.length) {
        const wrap = el(ENTITY_TAGS[e.type], {
          class: e.type === "spoiler" ? "spoiler" : null,
          href: e.type === "text_link" ? e.url : e.type === "url" ? text.slice(e.offset, e.offset + e.length) : null,
          target: e.type === "text_link" || e.type === "url" ? "_blank" : null,
          rel: "noopener",
        });
        wrap.append(node);
        node = wrap;
      }
    }
    root.append(node);
  }
  return root;
}

// ---- rendering ----

function serviceText(m) {
  if (m.forum_topic_created) return `Создана тема «${m.forum_topic_created.name}»`;
  if (m.forum_topic_edited) return m.forum_topic_edited.name ? `Тема переименована в «${m.forum_topic_edited.name}»` : "Тема изменена";
  if (m.forum_topic_closed) return "Тема закрыта";
  if (m.forum_topic_reopened) return "Тема снова открыта";
  return null;
}

function renderKeyboard(m) {
  const rows = (m.reply_markup && m.reply_markup.inline_keyboard) || [];
  if (!rows.length) return null;
  const box = el("div", { class: "keyboard" });
  for (const row of rows) {
    const line = el("div", { class: "kb-row" });
    for (const button of row) {
      if (button.url) {
        line.append(el("a", { class: "kb-button", href: button.url, target: "_blank", rel: "noopener" }, button.text + " ↗"));
      } else if (button.callback_data !== undefined) {
        line.append(el("button", {
          class: "kb-button", type: "button",
          dataset: { data: button.callback_data },
          onclick: () => pressButton(m, button.callback_data),
        }, button.text));
      } else {
        line.append(el("span", { class: "kb-button" }, button.text));
      }
    }
    box.append(line);
  }
  return box;
}

function renderOther(m) {
  if (m.location) return `📍 Геопозиция: ${m.location.latitude}, ${m.location.longitude}`;
  if (m.contact) return `👤 Контакт: ${personName(m.contact)} ${m.contact.phone_number || ""}`;
  if (m.sticker) return `Стикер ${m.sticker.emoji || ""}`;
  if (m.voice) return "🎤 Голосовое сообщение";
  if (m.video) return "🎬 Видео";
  return "Сообщение такого вида веб-чат не показывает";
}

function renderMedia(m) {
  if (m.photo) return el("img", { class: "photo", src: m.file_url, alt: "Фото" });
  if (m.document) {
    const size = m.document.file_size ? ` (${Math.ceil(m.document.file_size / 1024)} КБ)` : "";
    return el("a", { class: "doc", href: m.file_url, target: "_blank" }, "📄 " + (m.document.file_name || "Файл") + size);
  }
  return null;
}

function quoteText(m) {
  const text = m.text || m.caption || (m.photo ? "Фото" : m.document ? "Документ" : "Сообщение");
  return `${personName(m.from)}: ${text.slice(0, 120)}`;
}

function renderMessage(m) {
  const service = serviceText(m);
  if (service) return el("div", { class: "service", dataset: { messageId: m.message_id } }, service);
  const own = m.from && m.from.id === view.userId;
  const time = new Date(m.date * 1000).toLocaleTimeString("ru-RU", { hour: "2-digit", minute: "2-digit" });
  // Telegram clients do not quote a topic's first message that topic messages "reply" to.
  const replied = m.reply_to_message && !m.reply_to_message.forum_topic_created ? m.reply_to_message : null;
  return el("div", { class: own ? "msg own" : "msg", dataset: { messageId: m.message_id } },
    own ? null : el("div", { class: "sender" }, m.from.is_bot ? `🤖 ${m.from.first_name}` : personName(m.from)),
    m.forward_origin ? el("div", { class: "forwarded" }, "Переслано от " + personName(m.forward_origin.sender_user)) : null,
    replied ? el("div", { class: "reply" }, quoteText(replied)) : null,
    renderMedia(m),
    m.text !== undefined ? renderText(m.text, m.entities) : null,
    m.caption ? renderText(m.caption, m.caption_entities) : null,
    m.text === undefined && !m.caption && !m.photo && !m.document ? el("div", { class: "text muted" }, renderOther(m)) : null,
    renderKeyboard(m),
    el("div", { class: "meta" }, (m.edited ? "изменено · " : "") + time),
  );
}

// ---- MAX messages (the control API's channel=max entries) ----

const MAX_MARKUP = {
  strong: "bold", emphasized: "italic", underline: "underline", strikethrough: "strikethrough",
  monospaced: "code", link: "text_link", quote: "blockquote", heading: "bold",
  highlighted: "bold", user_mention: "bold",
};

function maxEntities(markup) {
  return (markup || []).map((m) => ({ type: MAX_MARKUP[m.type], offset: m.from, length: m.length, url: m.url }));
}

function renderMaxKeyboard(m) {
  if (!m.keyboard) return null;
  const box = el("div", { class: "keyboard" });
  for (const row of m.keyboard) {
    const line = el("div", { class: "kb-row" });
    for (const button of row) {
      if (button.type === "link") {
        line.append(el("a", { class: "kb-button", href: button.url, target: "_blank", rel: "noopener" }, button.text + " ↗"));
      } else if (button.type === "callback") {
        line.append(el("button", {
          class: "kb-button", type: "button", dataset: { data: button.payload },
          onclick: () => pressMaxButton(m, button.payload),
        }, button.text));
      } else {
        line.append(el("span", { class: "kb-button" }, button.text));
      }
    }
    box.append(line);
  }
  return box;
}

function renderMaxMedia(item) {
  if (item.kind === "image" && item.file_url) return el("img", { class: "photo", src: item.file_url, alt: "Фото" });
  const size = item.size ? ` (${Math.ceil(item.size / 1024)} КБ)` : "";
  const name = "📄 " + (item.filename || "Файл") + size;
  return item.file_url ? el("a", { class: "doc", href: item.file_url, target: "_blank" }, name) : el("div", { class: "text muted" }, name);
}

function renderMaxMessage(m) {
  const own = !m.from_bot && m.sender_id === view.userId;
  const sender = m.message.sender || {};
  const time = new Date(m.timestamp).toLocaleTimeString("ru-RU", { hour: "2-digit", minute: "2-digit" });
  const link = m.message.link;
  const replied = link && link.type === "reply" ? link.message : null;
  const other = (m.message.body.attachments || []).filter((a) => a.type !== "inline_keyboard" && !["image", "file", "video", "audio"].includes(a.type));
  return el("div", { class: own ? "msg own" : "msg", dataset: { messageId: m.mid } },
    own ? null : el("div", { class: "sender" }, m.from_bot ? `🤖 ${sender.first_name}` : personName(sender)),
    link && link.type === "forward" ? el("div", { class: "forwarded" }, "Переслано от " + personName(link.sender)) : null,
    replied ? el("div", { class: "reply" }, `${personName(link.sender)}: ${(replied.text || "Вложение").slice(0, 120)}`) : null,
    ...m.media.map(renderMaxMedia),
    m.text ? renderText(m.text, maxEntities(m.markup)) : null,
    other.length ? el("div", { class: "text muted" }, other.map((a) => `Вложение: ${a.type}`).join(", ")) : null,
    renderMaxKeyboard(m),
    el("div", { class: "meta" }, (m.edited ? "изменено · " : "") + time),
  );
}

function currentChat() {
  return view.chats.find((c) => c.id === view.chatId) || null;
}

function currentTopic() {
  return view.topics.find((t) => t.message_thread_id === view.threadId) || null;
}

function renderChatList() {
  const list = $("chat-list");
  list.replaceChildren();
  $("no-chats").hidden = view.chats.length > 0;
  for (const chat of view.chats) {
    const active = chat.id === view.chatId;
    const icon = chat.type === "private" || chat.type === "dialog" ? "🤖" : chat.is_forum ? "🗂" : "👥";
    const badge = chat.channel === "max" ? el("span", { class: "max-badge" }, "MAX") : null;
    const item = el("li", { class: active && !view.threadId ? "chat-item active" : "chat-item", dataset: { chatId: chat.id } },
      el("div", { class: "row", onclick: () => openChat(chat.id, null) }, icon, " ", chat.title, badge));
    if (chat.is_forum && active) {
      const topics = el("ul", { class: "topic-list" });
      for (const topic of view.topics) {
        topics.append(el("li", {
          class: topic.message_thread_id === view.threadId ? "topic-item active" : "topic-item",
          dataset: { threadId: topic.message_thread_id },
          onclick: () => openChat(chat.id, topic.message_thread_id),
        },
        el("span", { class: "topic-dot", style: `background:${TOPIC_COLORS[topic.icon_color] || "#6fb9f0"}` }),
        topic.name, topic.closed ? el("span", { class: "badge" }, " 🔒") : null));
      }
      item.append(topics);
    }
    list.append(item);
  }
}

async function renderMessages() {
  const box = $("messages");
  const chat = currentChat();
  const topic = currentTopic();
  $("composer").hidden = !chat;
  if (!chat) {
    $("chat-title").textContent = "Выберите чат слева";
    box.replaceChildren();
    return;
  }
  $("chat-title").textContent = topic ? `${chat.title} › ${topic.name}` : chat.is_forum ? `${chat.title} › Общая тема` : chat.title;
  const recent = chat.bot_action_at && Date.now() / 1000 - chat.bot_action_at < 5;
  $("chat-status").textContent = recent ? "бот печатает…" : chat.type === "dialog" ? "бот в MAX" : chat.type === "private" ? "бот" : "группа";
  if (chat.channel === "max") {
    const entries = await api.get("messages", { chat_id: chat.id, channel: "max" });
    const keep = box.scrollHeight - box.scrollTop - box.clientHeight < 40;
    box.replaceChildren(...entries.map(renderMaxMessage));
    if (keep || renderMessages.lastChat !== `max:${chat.id}`) box.scrollTop = box.scrollHeight;
    renderMessages.lastChat = `max:${chat.id}`;
    $("closed-note").hidden = true;
    return;
  }
  const params = { chat_id: chat.id };
  if (view.threadId) params.message_thread_id = view.threadId;
  let messages = await api.get("messages", params);
  if (chat.is_forum && !view.threadId) messages = messages.filter((m) => !m.message_thread_id);
  const atBottom = box.scrollHeight - box.scrollTop - box.clientHeight < 40;
  box.replaceChildren(...messages.map(renderMessage));
  if (atBottom || renderMessages.lastChat !== `${chat.id}:${view.threadId}`) box.scrollTop = box.scrollHeight;
  renderMessages.lastChat = `${chat.id}:${view.threadId}`;
  const closed = topic && topic.closed;
  $("closed-note").hidden = !closed;
}

async function refreshOnce() {
  const userId = view.userId;
  if (!userId) return;
  const channel = view.channel;
  const chats = await api.get("chats", withChannel({ user_id: userId }));
  // the person changed meanwhile: a newer refresh follows
  if (userId !== view.userId || channel !== view.channel) return;
  view.chats = chats;
  if (view.chatId && !currentChat()) { view.chatId = null; view.threadId = null; }
  const chat = currentChat();
  view.topics = chat && chat.is_forum ? await api.get("topics", { chat_id: chat.id }) : [];
  renderChatList();
  await renderMessages();
}

// One refresh at a time; a request during one runs once more after it.
const refreshing = { running: null, again: false };

async function refresh() {
  if (refreshing.running) {
    refreshing.again = true;
    return refreshing.running;
  }
  refreshing.running = (async () => {
    do {
      refreshing.again = false;
      await refreshOnce();
    } while (refreshing.again);
  })();
  try {
    await refreshing.running;
  } finally {
    refreshing.running = null;
  }
}

async function openChat(chatId, threadId) {
  view.chatId = chatId;
  view.threadId = threadId;
  saveLocation();
  await refresh();
}

async function pressButton(message, data) {
  try {
    const result = await api.post("click", {
      user_id: view.userId, chat_id: message.chat.id, message_id: message.message_id, data, wait: 10,
    });
    if (result.answer) toast(result.answer, result.show_alert);
  } catch (error) {
    toast("Не получилось нажать кнопку: " + error.message, true);
  }
}

async function pressMaxButton(m, payload) {
  try {
    const result = await api.post("click", {
      channel: "max", user_id: view.userId, chat_id: view.userId, message_id: m.mid, data: payload, wait: 10,
    });
    if (result.answer) toast(result.answer, false);
  } catch (error) {
    toast("Не получилось нажать кнопку: " + error.message, true);
  }
}

async function send(event) {
  event.preventDefault();
  const input = $("composer-text");
  const text = input.value.trim();
  if (!text && !view.file) return;
  const form = new FormData();
  form.set("user_id", view.userId);
  form.set("chat_id", view.chatId);
  if (isMax()) form.set("channel", "max");
  if (view.threadId) form.set("message_thread_id", view.threadId);
  form.set("text", text);
  if (view.file) form.set("file", view.file, view.file.name);
  try {
    await api.post("send", form);
    input.value = "";
    view.file = null;
    $("composer-file").value = "";
    $("attached").hidden = true;
  } catch (error) {
    toast("Сообщение не отправлено: " + error.message, true);
  }
}

async function watchChanges() {
  for (;;) {
    try {
      const result = await api.get("changes", { since: view.version, wait: 25 });
      if (result.version !== view.version) {
        view.version = result.version;
        await refresh();
      }
    } catch (error) {
      await new Promise((resolve) => setTimeout(resolve, 2000)); // the sandbox restarts
    }
  }
}

function fillPeople() {
  const who = $("who");
  const maxUsers = (view.state.max && view.state.max.users) || [];
  who.replaceChildren(
    ...view.state.users.map((user) => el("option", { value: `telegram:${user.id}` }, `${personName(user)} (${user.id})`)),
    ...maxUsers.map((user) => el("option", { value: `max:${user.id}` }, `«MAX» ${personName(user)} (${user.id})`)),
  );
  if (view.userId) who.value = `${view.channel}:${view.userId}`;
}

async function addUser(channel) {
  const where = channel === "max" ? "MAX" : "Telegram";
  const name = (prompt(`Имя нового пользователя ${where}:`) || "").trim();
  if (!name) return;
  try {
    const body = { first_name: name };
    if (channel === "max") body.channel = "max";
    const user = await api.post("users", body);
    view.state = await api.get("state");
    view.userId = user.id;
    view.channel = channel;
    fillPeople();
    toast(`Добавлен ${name} (${user.id}, ${where}). Чтобы подключиться к клиенту, напишите боту /start и код приглашения.`);
    await openChat(user.id, null);
  } catch (error) {
    toast("Не получилось добавить пользователя: " + error.message, true);
  }
}

async function start() {
  view.state = await api.get("state");
  view.version = view.state.version;
  const who = $("who");
  const params = new URLSearchParams(location.search);
  const maxUsers = (view.state.max && view.state.max.users) || [];
  view.channel = params.get("channel") === "max" ? "max" : "telegram";
  const first = view.state.users[0] || null;
  if (!first && maxUsers.length && !params.get("user")) view.channel = "max";
  const fallback = isMax() ? maxUsers[0] : first;
  const wanted = Number(params.get("user")) || (fallback && fallback.id);
  view.userId = wanted || null;
  fillPeople();
  $("new-user").addEventListener("click", () => addUser("telegram"));
  $("new-max-user").addEventListener("click", () => addUser("max"));
  view.chatId = Number(params.get("chat")) || view.userId;
  view.threadId = Number(params.get("thread")) || null;
  who.addEventListener("change", () => {
    const [channel, id] = who.value.split(":");
    view.channel = channel;
    view.userId = Number(id);
    openChat(view.userId, null);
  });
  $("composer").addEventListener("submit", send);
  $("composer-text").addEventListener("keydown", (event) => {
    if (event.key === "Enter" && !event.shiftKey) send(event);
  });
  $("composer-file").addEventListener("change", (event) => {
    view.file = event.target.files[0] || null;
    $("attached").hidden = !view.file;
    $("attached").textContent = view.file ? "Вложение: " + view.file.name : "";
  });
  saveLocation();
  await refresh();
  watchChanges();
}

start().catch((error) => toast("Песочница не отвечает: " + error.message, true));
