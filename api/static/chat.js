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
function renderAnswer(node, text, citations, refused, related, curated = null) {
  node.replaceChildren();
  node.classList.toggle("refused", !!refused);
  node.classList.toggle("curated", !!curated);
  const body = el("div", { class: "answer-text" });
  let sentence = "";
  for (const part of text.split(/(\[\d+\])/)) {
    const m = part.match(/^\[(\d+)\]$/);
    if (m) { body.append(citeButton(Number(m[1]), citations, sentence)); sentence = ""; }
    else { body.append(part); sentence = part.replace(/^[。；;，,\s]*(\d+\.\s*)?/, ""); }
  }
  node.append(el("div", { class: "who" }, "学习助手",
    curated ? el("span", { class: "badge curated", title: "教师审核确认的答案" }, curated.label || "教师审定") : null), body);
  if (curated) node.append(el("p", { class: "small curated-note" }, `教师审定答案：由教师审核确认（对应问题：${curated.question}）`));
  const list = refused ? related.slice(0, 3) : citations;
  if (list.length) {
    node.append(el("div", { class: "sources" }, refused ? "最接近的段落：" : "来源：",
      el("ol", {}, list.map(c => el("li", {},
        el("button", { type: "button", class: "source",
          onclick: () => showPassage(panel, c.doc_id, c.start, c.end, c.quote_start, c.quote_end) }, sourceLabel(c, list)),
        refused ? el("span", { class: "snippet" }, snippetOf(c)) : null)))));
  }
}
// 有用 / 没用 with an optional comment, sent with what the trainee saw (question, answer, citations)
const MAX_COMMENT = 500;
let feedbackSeq = 0;
function feedbackBar(turn) {
  const id = ++feedbackSeq;
  const bar = el("div", { class: "feedback", role: "group", "aria-label": "这个回答有用吗？" });
  const label = el("span", { class: "small" }, "这个回答有用吗？");
  const buttons = ["up", "down"].map(v => el("button", { type: "button", class: "fb", "data-verdict": v, "aria-pressed": "false",
    onclick: () => openForm(v) }, v === "up" ? "有用" : "没用"));
  bar.append(label, ...buttons);
  function openForm(verdict) {
    buttons.forEach(b => b.setAttribute("aria-pressed", String(b.dataset.verdict === verdict)));
    bar.querySelector("form")?.remove();
    const box = el("textarea", { id: `fb-comment-${id}`, maxlength: String(MAX_COMMENT), rows: "2",
      placeholder: verdict === "down" ? "哪里不对？缺了什么？（可选）" : "补充说明（可选）" });
    const count = el("span", { class: "small", id: `fb-count-${id}` }, `0/${MAX_COMMENT} 字`);
    box.setAttribute("aria-describedby", count.id);
    box.addEventListener("input", () => { count.textContent = `${box.value.length}/${MAX_COMMENT} 字`; });
    const form = el("form", { class: "fb-form" },
      el("label", { for: box.id }, `补充说明（可选，最多 ${MAX_COMMENT} 字）`), box,
      el("div", { class: "row" }, count, el("button", { type: "submit", class: "secondary" }, "提交反馈"),
        el("button", { type: "button", class: "linklike", onclick: () => { form.remove(); buttons.forEach(b => b.setAttribute("aria-pressed", "false")); buttons[0].focus(); } }, "取消")));
    form.addEventListener("submit", async ev => {
      ev.preventDefault();
      const send = form.querySelector("button[type=submit]");
      send.disabled = true;
      try {
        await api("/api/feedback", { method: "POST", headers: { "Content-Type": "application/json" },
          body: JSON.stringify({ question: turn.question, answer: turn.answer, refused: !!turn.refused,
            citations: (turn.citations || []).slice(0, 20), related: (turn.related || []).slice(0, 20),
            verdict, comment: box.value.trim() }) });
        bar.replaceChildren(el("span", { class: "small fb-done", role: "status" },
          `已提交反馈（${verdict === "up" ? "有用" : "没用"}），谢谢！教师会审阅。`));
        turn.feedback = verdict;
        sessionStorage.setItem("kbHistory", JSON.stringify(history.slice(-10)));
      } catch (e) {
        send.disabled = false;
        count.textContent = "提交失败：" + e.message;
      }
    });
    bar.append(form);
    box.focus();
  }
  if (turn.feedback) bar.replaceChildren(el("span", { class: "small fb-done" }, `已反馈：${turn.feedback === "up" ? "有用" : "没用"}`));
  return bar;
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
    renderAnswer(node, text, meta.citations, meta.refused, meta.related, meta.curated);
    if (meta.notice && !meta.curated) node.append(el("p", { class: "small" }, "提示：" + meta.notice));
    status.textContent = (meta.curated ? "回答完成（教师审定答案）：" : "回答完成：") + text.replace(/\[\d+\]/g, "");
    const turn = { question, answer: text, citations: meta.citations, refused: meta.refused, related: meta.related,
      curated: meta.curated || null };
    history.push(turn);
    node.append(feedbackBar(turn));
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
  renderAnswer(node, turn.answer, turn.citations || [], turn.refused, turn.related || [], turn.curated);
  node.append(feedbackBar(turn));
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
