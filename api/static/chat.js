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
let history = JSON.parse(sessionStorage.getItem("kbHistory") || "[]");

function citeButton(n, citations) {
  const c = citations.find(x => x.n === n);
  if (!c) return `[${n}]`;
  return el("button", { class: "cite", type: "button", title: `${c.title} · ${c.section || ""}`,
    onclick: () => showPassage(panel, c.doc_id, c.start, c.end, c.quote_start, c.quote_end) }, String(n));
}
function renderAnswer(node, text, citations, refused, related) {
  node.replaceChildren();
  node.classList.toggle("refused", !!refused);
  const body = el("div", { class: "answer-text" });
  for (const part of text.split(/(\[\d+\])/)) {
    const m = part.match(/^\[(\d+)\]$/);
    body.append(m ? citeButton(Number(m[1]), citations) : part);
  }
  node.append(el("div", { class: "who" }, "学习助手"), body);
  const list = refused ? related.slice(0, 3) : citations;
  if (list.length) {
    node.append(el("div", { class: "sources" }, refused ? "最接近的段落：" : "来源：",
      el("ol", {}, list.map(c => el("li", { onclick: () => showPassage(panel, c.doc_id, c.start, c.end, c.quote_start, c.quote_end) },
        `${c.title}${c.section ? " · " + c.section : ""}${c.page ? " · 第" + c.page + "页" : ""}`)))));
  }
}
function addQuestion(q) { chat.append(el("div", { class: "msg q" }, el("div", { class: "who" }, "我"), q)); }

async function ask(question) {
  addQuestion(question);
  const node = el("div", { class: "msg a" }, el("div", { class: "who" }, "学习助手"), "思考中…");
  chat.append(node); node.scrollIntoView({ block: "end" });
  btn.disabled = true;
  let text = "", done = null;
  try {
    const res = await fetch("/api/ask/stream", { method: "POST",
      headers: { "Content-Type": "application/json", ...authHeaders() },
      body: JSON.stringify({ question, conversation: history.slice(-4).map(t => ({ question: t.question, answer: t.answer })) }) });
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
        if (ev === "stage") { if (!text) node.replaceChildren(el("div", { class: "who" }, "学习助手"), el("span", { class: "stage small" }, data.message)); }
        else if (ev === "token") { text += data.text; node.replaceChildren(el("div", { class: "who" }, "学习助手"), text); }
        else if (ev === "reset") { text = data.text; }
        else if (ev === "citations") { meta = data; text = data.answer; }
        else if (ev === "error") throw new Error(data.message);
        else if (ev === "done") done = data;
      }
    }
    renderAnswer(node, text, meta.citations, meta.refused, meta.related);
    if (meta.notice) node.append(el("p", { class: "small" }, "提示：" + meta.notice));
    history.push({ question, answer: text, citations: meta.citations, refused: meta.refused, related: meta.related });
    sessionStorage.setItem("kbHistory", JSON.stringify(history.slice(-10)));
  } catch (e) {
    node.replaceChildren(el("div", { class: "who" }, "学习助手"), "出错了：" + e.message);
  } finally { btn.disabled = false; }
}
form.addEventListener("submit", ev => { ev.preventDefault(); const q = box.value.trim(); if (q) { box.value = ""; ask(q); } });
box.addEventListener("keydown", ev => { if (ev.key === "Enter" && !ev.shiftKey) { ev.preventDefault(); form.requestSubmit(); } });
$("#clear").addEventListener("click", ev => { ev.preventDefault(); history = []; sessionStorage.removeItem("kbHistory"); chat.replaceChildren(); });
$("#examples").append(el("span", { class: "small" }, "试试："), ...EXAMPLES.map(q => el("button", { type: "button", onclick: () => ask(q) }, q)));
for (const turn of history) {
  addQuestion(turn.question);
  const node = el("div", { class: "msg a" });
  chat.append(node);
  renderAnswer(node, turn.answer, turn.citations || [], turn.refused, turn.related || []);
}
