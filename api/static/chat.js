// Chat page: streams /api/ask/stream, renders [n] as buttons that open the cited passage.
const EXAMPLES = [
  "云溪县2023年茶产业综合产值是多少？",
  "石门县的网格化管理把全县划分为多少个网格？",
  "河东区2021—2023年改造了多少个老旧小区？",
  "湖滨镇有多少家民宿？",
  "青川省一网通办的网上可办率达到多少？",
  "党校食堂几点开饭？",
];
const chat = $("#chat"), panel = $("#passage"), form = $("#ask-form"), box = $("#question"), btn = $("#ask-btn");
const status = $("#status"), counter = $("#q-count");
let history = JSON.parse(sessionStorage.getItem("kbHistory") || "[]");
let maxChars = 500;  // the server's KB_MAX_QUESTION_CHARS, read from /api/health below
let pending = false;

// [n] buttons: the k-th [n] opens the passage with the sentence it follows marked (one passage cited twice
// marks the sentence of the [n] clicked, not always the first)
function citeButton(n, citations, sentence) {
  const c = citations.find(x => x.n === n);
  if (!c) return `[${n}]`;
  return el("button", { class: "cite", type: "button", title: `${c.title} · ${c.section || ""}`, "aria-label": `来源 ${n}：${c.title}`,
    onclick: () => showPassage(panel, c.doc_id, c.start, c.end, c.quote_start, c.quote_end, sentence) }, String(n));
}
function sourceLabel(c, list) {
  const base = `${c.title}${c.section ? " · " + c.section : ""}${c.page ? " · 第" + c.page + "页" : ""}`;
  // entries with the same title and section are told apart by their place in the document
  const twins = list.filter(x => x.title === c.title && x.section === c.section && x.page === c.page);
  return twins.length > 1 ? `${base}（第 ${twins.indexOf(c) + 1} 段）` : base;
}
function snippetOf(c) {
  const s = String(c.quote || c.snippet || "").replace(/\s+/g, " ").trim();
  return s.length > 80 ? s.slice(0, 80) + "…" : s;
}
function renderAnswer(node, text, citations, refused, related) {
  node.replaceChildren();
  node.classList.toggle("refused", !!refused);
  const body = el("div", { class: "answer-text" });
  let sentence = "";
  for (const part of text.split(/(\[\d+\])/)) {
    const m = part.match(/^\[(\d+)\]$/);
    if (m) { body.append(citeButton(Number(m[1]), citations, sentence)); sentence = ""; }
    else { body.append(part); sentence = part.replace(/^[。；;，,\s]*(\d+\.\s*)?/, ""); }
  }
  node.append(el("div", { class: "who" }, "学习助手"), body);
  const list = refused ? related.slice(0, 3) : citations;
  if (list.length) {
    node.append(el("div", { class: "sources" }, refused ? "最接近的段落：" : "来源：",
      el("ol", {}, list.map(c => el("li", {},
        el("button", { type: "button", class: "source",
          onclick: () => showPassage(panel, c.doc_id, c.start, c.end, c.quote_start, c.quote_end) }, sourceLabel(c, list)),
        refused ? el("span", { class: "snippet" }, snippetOf(c)) : null)))));
  }
}
function addQuestion(q) { chat.append(el("div", { class: "msg q" }, el("div", { class: "who" }, "我"), q)); }
function setPending(on) {
  pending = on;
  btn.disabled = on;
  box.setAttribute("aria-busy", on ? "true" : "false");
}

async function streamAnswer(question) {
  return fetch("/api/ask/stream", { method: "POST",
    headers: { "Content-Type": "application/json", ...authHeaders() },
    body: JSON.stringify({ question, conversation: history.slice(-4).map(t => ({ question: t.question, answer: t.answer })) }) });
}
async function ask(question) {
  if (pending) return;  // one question at a time: Enter or a click while an answer streams does nothing
  if (question.length > maxChars) { showCount(); status.textContent = counter.textContent; return; }
  setPending(true);
  addQuestion(question);
  const node = el("div", { class: "msg a" }, el("div", { class: "who" }, "学习助手"), "思考中…");
  chat.append(node); node.scrollIntoView({ block: "end" });
  let text = "";
  try {
    let res = await streamAnswer(question);
    if (res.status === 401 && storedToken()) {
      // a stored token the server refuses: drop it and ask again as a trainee, saying so
      localStorage.removeItem(TOKEN_KEY);
      showMode("trainee");
      notify("保存的令牌无效，已退出教师模式，以学员身份回答。");
      res = await streamAnswer(question);
    }
    if (!res.ok) { const e = await res.json().catch(() => ({})); throw new Error((e.error && e.error.message) || res.statusText); }
    const reader = res.body.getReader(); const dec = new TextDecoder(); let buf = "";
    let meta = { citations: [], related: [], refused: false };
    for (;;) {
      const { value, done: end } = await reader.read();
      if (end) break;
      buf += dec.decode(value, { stream: true });
      let i;
      while ((i = buf.indexOf("\n\n")) >= 0) {
        const raw = buf.slice(0, i); buf = buf.slice(i + 2);
        const ev = (raw.match(/^event: (.*)$/m) || [])[1], data = JSON.parse((raw.match(/^data: (.*)$/m) || [])[1] || "{}");
        if (ev === "stage") {
          status.textContent = data.message;
          if (!text) node.replaceChildren(el("div", { class: "who" }, "学习助手"), el("span", { class: "stage small" }, data.message));
        }
        else if (ev === "token") { text += data.text; node.replaceChildren(el("div", { class: "who" }, "学习助手"), text); }
        else if (ev === "reset") { text = data.text; }
        else if (ev === "citations") { meta = data; text = data.answer; }
        else if (ev === "error") throw new Error(data.message);
      }
    }
    renderAnswer(node, text, meta.citations, meta.refused, meta.related);
    if (meta.notice) node.append(el("p", { class: "small" }, "提示：" + meta.notice));
    status.textContent = "回答完成：" + text.replace(/\[\d+\]/g, "");
    history.push({ question, answer: text, citations: meta.citations, refused: meta.refused, related: meta.related });
    sessionStorage.setItem("kbHistory", JSON.stringify(history.slice(-10)));
  } catch (e) {
    node.replaceChildren(el("div", { class: "who" }, "学习助手"), "出错了：" + e.message);
    status.textContent = "出错了：" + e.message;
  } finally { setPending(false); }
}
function showCount() {
  const n = box.value.trim().length;
  const over = n > maxChars;
  counter.textContent = over ? `${n}/${maxChars} 字，超出 ${n - maxChars} 字，请精简后再提问` : `${n}/${maxChars} 字`;
  counter.classList.toggle("over", over);
  box.setAttribute("aria-invalid", over ? "true" : "false");
}
// The teacher-mode badge: internal material may appear in answers, so the page says so, with a way out.
function showMode(role) {
  const mode = $("#mode");
  if (role !== "teacher") { mode.classList.add("hidden"); mode.replaceChildren(); return; }
  mode.replaceChildren(el("span", { class: "badge teacher" }, "教师模式"), el("span", { class: "small-light" }, "回答可能包含内部资料"),
    el("button", { type: "button", class: "leave", onclick: () => {
      localStorage.removeItem(TOKEN_KEY); showMode("trainee"); notify("已退出教师模式，现在以学员身份提问。"); box.focus();
    } }, "退出教师模式"));
  mode.classList.remove("hidden");
}

form.addEventListener("submit", ev => {
  ev.preventDefault();
  const q = box.value.trim();
  if (!q || pending) return;
  if (q.length > maxChars) { showCount(); status.textContent = counter.textContent; return; }
  box.value = ""; showCount(); ask(q);
});
box.addEventListener("keydown", ev => {
  if (ev.key === "Enter" && !ev.shiftKey && !ev.isComposing) { ev.preventDefault(); if (!pending) form.requestSubmit(); }
});
box.addEventListener("input", showCount);
// Export: the conversation as Markdown, built here from the answers shown (nothing is sent to the server);
// each answer is followed by its citations' title, place and quoted sentence, for reuse in a report.
const quoted = text => String(text || "").trim().split(/\n+/).map(line => "> " + line).join("\n");
function sourceLine(c, list) {
  return `${c.n || list.indexOf(c) + 1}. ${sourceLabel(c, list)}\n\n${quoted(c.quote || c.snippet)}`;
}
function conversationMarkdown(turns, when = new Date()) {
  const out = ["# 学习助手对话记录", "", `导出时间：${when.toLocaleString("zh-CN", { hour12: false })}`, ""];
  turns.forEach((t, i) => {
    out.push(`## 问题 ${i + 1}：${t.question}`, "", t.answer.trim(), "");
    const list = t.refused ? (t.related || []).slice(0, 3) : (t.citations || []);
    if (list.length) out.push(t.refused ? "**最接近的段落：**" : "**来源：**", "", ...list.map(c => sourceLine(c, list) + "\n"));
  });
  return out.join("\n").replace(/\n{3,}/g, "\n\n").trim() + "\n";
}
function exportConversation() {
  if (!history.length) { notify("还没有对话可以导出。"); return; }
  const now = new Date();
  const stamp = now.toISOString().slice(0, 16).replace(/[-:]/g, "").replace("T", "-");
  const url = URL.createObjectURL(new Blob([conversationMarkdown(history, now)], { type: "text/markdown;charset=utf-8" }));
  const link = el("a", { href: url, download: `学习助手对话-${stamp}.md`, class: "hidden" });
  document.body.append(link); link.click(); link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
  status.textContent = `已导出 ${history.length} 轮对话（Markdown 文件）。`;
}
$("#export").addEventListener("click", exportConversation);
$("#clear").addEventListener("click", ev => { ev.preventDefault(); history = []; sessionStorage.removeItem("kbHistory"); chat.replaceChildren(); });
$("#examples").append(el("span", { class: "small" }, "试试："), ...EXAMPLES.map(q => el("button", { type: "button", onclick: () => ask(q) }, q)));
for (const turn of history) {
  addQuestion(turn.question);
  const node = el("div", { class: "msg a" });
  chat.append(node);
  renderAnswer(node, turn.answer, turn.citations || [], turn.refused, turn.related || []);
}
const preset = new URLSearchParams(location.search).get("q");  // 问答页 links from the search page's empty state
if (preset) box.value = preset;
box.focus();
showCount();
api("/api/health", { token: "" }).then(h => { if (h.limits) { maxChars = h.limits.max_question_chars; showCount(); } }).catch(() => {});
storedRole().then(role => {
  showMode(role);
  if (role === null) notify("保存的令牌无效，已删除；现在以学员身份提问。");
}).catch(() => {});
