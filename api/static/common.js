// Shared helpers: safe DOM building (never innerHTML with document text), API calls, token, passage view.
const $ = (sel, root = document) => root.querySelector(sel);
function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === "class") node.className = v;
    else if (k.startsWith("on")) node.addEventListener(k.slice(2), v);
    else if (v !== null && v !== undefined && v !== false) node.setAttribute(k, v === true ? "" : v);
  }
  for (const c of children.flat()) if (c !== null && c !== undefined) node.append(c instanceof Node ? c : document.createTextNode(String(c)));
  return node;
}
const TYPE_LABEL = { lecture: "讲稿", case: "案例", report: "调研报告" };
// metadata a loader guessed from the text (a saved web article, a file without front matter); the type
// from the folder is the documented convention, so it is not marked
const INFERRED_LABEL = { title: "标题", date: "日期", author: "作者", origin: "来源" };
// Markdown emphasis an older index kept in 金点子 titles (.txt reports): shown without the ** markers
const plainTitle = t => String(t || "").replace(/\*\*|__/g, "").trim();

// The token: stored only once the server accepted it (see checkToken); dropped when the server refuses it.
const TOKEN_KEY = "kbToken";
const storedToken = () => localStorage.getItem(TOKEN_KEY) || "";
function authHeaders(token = storedToken()) {
  return token ? { Authorization: "Bearer " + token } : {};
}
class ApiFailure extends Error {
  constructor(message, status, code, body) { super(message); this.status = status; this.code = code; this.body = body; }
}
async function api(path, opts = {}) {
  const token = "token" in opts ? opts.token : storedToken();
  const res = await fetch(path, { ...opts, headers: { ...(opts.headers || {}), ...authHeaders(token) } });
  const data = await res.json().catch(() => ({}));
  if (!res.ok) {
    const err = data.error || {};
    throw new ApiFailure(err.message || res.statusText, res.status, err.code, err);
  }
  return data;
}
// The role a token gives ("teacher" | "trainee"); null when the server refuses it (401).
async function checkToken(token) {
  try { return (await api("/api/whoami", { token })).role; }
  catch (e) { if (e.status === 401) return null; throw e; }
}
// The role of the stored token; a refused one is dropped (a wrong token never breaks the other pages).
async function storedRole() {
  const token = storedToken();
  if (!token) return "trainee";
  const role = await checkToken(token);
  if (role === null) localStorage.removeItem(TOKEN_KEY);
  return role;
}
// A visible notice at the top of the page (role=status: read out once).
function notify(message) {
  let box = $("#notice");
  if (!box) { box = el("p", { id: "notice", class: "notice", role: "status" }); $("main .col").prepend(box); }
  box.textContent = message;
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
// Where a sentence of the answer sits in the document text between start and end: [a, b] or null.
function locate(text, start, end, sentence) {
  const s = String(sentence || "").trim().replace(/[。；;，,\s]+$/, "");
  if (s.length < 4) return null;
  const at = text.slice(start, end).indexOf(s);
  if (at < 0) return null;
  const stop = start + at + s.length;
  return [start + at, /[。！？!?；;]/.test(text[stop] || "") && stop < end ? stop + 1 : stop];  // with its full stop
}
// The passage panel: a side panel on a desktop, a bottom sheet with a backdrop on a phone.
let panelOpener = null;
function closePanel(panel) {
  if (panel.classList.contains("hidden")) return;
  panel.classList.add("hidden");
  const backdrop = $("#backdrop");
  if (backdrop) backdrop.classList.add("hidden");
  if (panelOpener && document.contains(panelOpener)) panelOpener.focus();
  panelOpener = null;
}
function openPanel(panel) {
  panel.classList.remove("hidden");
  if (!panel.classList.contains("sheet")) return;  // the document page shows the text in place
  let backdrop = $("#backdrop");
  if (!backdrop) {
    backdrop = el("div", { id: "backdrop", class: "backdrop hidden", onclick: () => closePanel(panel) });
    document.body.append(backdrop);
    document.addEventListener("keydown", ev => { if (ev.key === "Escape") closePanel(panel); });
  }
  backdrop.classList.remove("hidden");
}
// Open a document in the panel with the cited passage highlighted and the quoted sentence (the one the
// clicked [n] follows, else the citation's quote) marked strongly and scrolled into view.
async function showPassage(panel, docId, start, end, quoteStart = 0, quoteEnd = 0, sentence = "") {
  if (document.activeElement && document.activeElement !== document.body && !panel.contains(document.activeElement))
    panelOpener = document.activeElement;
  openPanel(panel);
  panel.replaceChildren(el("p", { class: "meta" }, "加载中…"));
  try {
    const doc = await api(`/api/documents/${encodeURIComponent(docId)}`);
    const m = doc.meta;
    const guessed = (m.inferred || []).filter(f => f in INFERRED_LABEL).map(f => INFERRED_LABEL[f]);
    const chunk = doc.chunks.find(c => c.start === start && c.end === end) || {};
    const sheet = panel.classList.contains("sheet");
    const close = !sheet ? null : el("button", { class: "close", type: "button", onclick: () => closePanel(panel), "aria-label": "关闭原文" }, "关闭 ✕");
    const own = locate(doc.text, start, end, sentence);
    if (own) [quoteStart, quoteEnd] = own;
    const ranges = quoteEnd > quoteStart && quoteStart >= start && quoteEnd <= end
      ? [[start, quoteStart, ""], [quoteStart, quoteEnd, "quote"], [quoteEnd, end, ""]] : [[start, end, ""]];
    const text = el("div", { class: "doctext", id: "passage-text" }, marked(doc.text, ranges));
    panel.replaceChildren(
      el("div", { class: "sheet-head" },
        el("div", { class: "row" }, el(sheet ? "strong" : "h2", { id: "passage-title", class: "title" }, m.title), close),
        el("p", { class: "meta" },
          el("span", { class: "badge" }, TYPE_LABEL[m.type] || m.type),
          m.access === "internal" ? el("span", { class: "badge internal" }, "内部") : null,
          [m.cohort || m.author, m.date, m.origin ? `来源：${m.origin}` : ""].filter(Boolean).join(" · "),
          chunk.section ? ` · ${chunk.section}` : "", chunk.page ? ` · 第${chunk.page}页` : "",
          guessed.length ? el("span", { class: "badge inferred", title: "文件未给出，由正文或文件名推断 (inferred)" },
            `${guessed.join("、")}为推断`) : null,
          (m.ocr_pages || []).length ? el("span", { class: "badge inferred", title: "扫描页经 OCR 识别，请与原件核对" },
            `OCR 识别 · 置信度 ${Math.round(m.ocr_confidence || 0)}%`) : null)),
      text);
    const mark = $("mark.quote", text) || $("mark", text);
    if (mark) mark.scrollIntoView({ block: "center" });
    if (close) close.focus({ preventScroll: true });
  } catch (e) {
    panel.replaceChildren(el("p", { class: "meta" }, "无法打开文档：" + e.message));
  }
}
// The teacher-token form of a teachers' page (#token-form, #token, #token-status): the stored token is checked
// on load (a refused one is dropped); a typed one is stored only once the server accepts it. onRole(role) runs
// after each check with "teacher" or "trainee".
function tokenForm(onRole) {
  const box = $("#token"), status = $("#token-status");
  const LABEL = { teacher: "已验证：教师", trainee: "已验证：学员" };
  async function apply() {
    const token = box.value.trim();
    if (!token) { localStorage.removeItem(TOKEN_KEY); status.textContent = "未使用令牌（学员）"; onRole("trainee"); return; }
    status.textContent = "验证中…";
    let role;
    try { role = await checkToken(token); }
    catch (e) { status.textContent = "无法验证令牌：" + e.message; return; }
    if (role === null) { status.textContent = "令牌无效，未保存"; return; }
    localStorage.setItem(TOKEN_KEY, token); status.textContent = LABEL[role] || role; onRole(role);
  }
  $("#token-form").addEventListener("submit", ev => { ev.preventDefault(); apply(); });
  box.addEventListener("change", apply);
  box.value = storedToken();
  storedRole().then(role => {
    status.textContent = role === null ? "保存的令牌无效，已删除" : storedToken() ? LABEL[role] : "未使用令牌（学员）";
    if (role === null) box.value = "";
    onRole(role || "trainee");
  }).catch(() => onRole("trainee"));
}
// A job of the API (upload, edit, delete) polled until it ends; its final state.
async function waitJob(jobId, every = 400) {
  for (;;) {
    const job = await api(`/api/jobs/${encodeURIComponent(jobId)}`);
    if (job.status === "done" || job.status === "failed") return job;
    await new Promise(r => setTimeout(r, every));
  }
}

// The server's first ingest (kb serve --ingest, make run): a banner with the progress until it is done.
// Teachers see the counts; others the share done (the counts include internal files).
async function watchIngest() {
  let box = null;
  for (;;) {
    let ingest;
    try { ingest = (await api("/api/health")).ingest; } catch (e) { return; }
    if (!ingest || !ingest.running) {
      if (box) { box.textContent = ingest && ingest.error ? "资料导入出错，请查看服务日志" : "资料已全部导入"; setTimeout(() => box.remove(), 4000); }
      return;
    }
    if (!box) {
      box = el("p", { id: "ingest-progress", class: "notice", role: "status" });
      const col = $("main .col") || $("main");
      if (col) col.prepend(box);
    }
    const counts = ingest.documents_total ? `${ingest.documents_done}/${ingest.documents_total}` : `${Math.round(100 * ingest.progress)}%`;
    box.textContent = `正在导入资料 ${counts}：已导入的资料可以先提问（importing the materials）`;
    await new Promise(r => setTimeout(r, 2000));
  }
}
document.addEventListener("DOMContentLoaded", watchIngest);
