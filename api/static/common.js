// Shared helpers: safe DOM building (never innerHTML with document text), API calls, passage view.
const $ = (sel, root = document) => root.querySelector(sel);
function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === "class") node.className = v;
    else if (k.startsWith("on")) node.addEventListener(k.slice(2), v);
    else if (v !== null && v !== undefined) node.setAttribute(k, v);
  }
  for (const c of children.flat()) if (c !== null && c !== undefined) node.append(c instanceof Node ? c : document.createTextNode(String(c)));
  return node;
}
const TYPE_LABEL = { lecture: "讲稿", case: "案例", report: "调研报告" };
function authHeaders() {
  const t = localStorage.getItem("kbToken");
  return t ? { Authorization: "Bearer " + t } : {};
}
async function api(path, opts = {}) {
  const res = await fetch(path, { ...opts, headers: { ...(opts.headers || {}), ...authHeaders() } });
  const data = await res.json().catch(() => ({}));
  if (!res.ok) throw new Error((data.error && data.error.message) || res.statusText);
  return data;
}
// Text with [start,end) ranges wrapped in <mark>, built from text nodes only.
function marked(text, ranges) {
  const out = []; let pos = 0;
  for (const [a, b, cls] of ranges) {
    if (a < pos || b <= a) continue;
    out.push(text.slice(pos, a), el("mark", cls ? { class: cls } : {}, text.slice(a, b))); pos = b;
  }
  out.push(text.slice(pos));
  return out;
}
// Open a document in the side panel with the cited passage highlighted and scrolled into view.
async function showPassage(panel, docId, start, end, quoteStart = 0, quoteEnd = 0) {
  panel.classList.remove("hidden");
  panel.replaceChildren(el("p", { class: "meta" }, "加载中…"));
  try {
    const doc = await api(`/api/documents/${encodeURIComponent(docId)}`);
    const m = doc.meta;
    const chunk = doc.chunks.find(c => c.start === start && c.end === end) || {};
    const close = el("button", { class: "cite", onclick: () => panel.classList.add("hidden"), "aria-label": "关闭" }, "关闭 ✕");
    // the cited passage is marked; the exact sentence the answer quotes is marked strongly inside it
    const ranges = quoteEnd > quoteStart && quoteStart >= start && quoteEnd <= end
      ? [[start, quoteStart, ""], [quoteStart, quoteEnd, "quote"], [quoteEnd, end, ""]] : [[start, end, ""]];
    const text = el("div", { class: "doctext", id: "passage-text" }, marked(doc.text, ranges));
    panel.replaceChildren(
      el("div", { class: "row" }, el("strong", {}, m.title), close),
      el("p", { class: "meta" },
        el("span", { class: "badge" }, TYPE_LABEL[m.type] || m.type),
        m.access === "internal" ? el("span", { class: "badge internal" }, "内部") : null,
        [m.cohort || m.author, m.date].filter(Boolean).join(" · "),
        chunk.section ? ` · ${chunk.section}` : "", chunk.page ? ` · 第${chunk.page}页` : ""),
      text);
    const mark = $("mark.quote", text) || $("mark", text);
    if (mark) mark.scrollIntoView({ block: "center" });
  } catch (e) {
    panel.replaceChildren(el("p", { class: "meta" }, "无法打开文档：" + e.message));
  }
}
