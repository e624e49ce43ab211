// 反馈审核: the trainees' feedback queue, the teacher's review of one item, the eval-set export, curated answers.
let role = "trainee";
const VERDICT = { up: "有用", down: "没用" };
const ROLE = { teacher: "教师", trainee: "学员" };
const when = t => new Date(t * 1000).toLocaleString("zh-CN", { hour12: false });
const clip = (s, n = 160) => { s = String(s || "").replace(/\s+/g, " ").trim(); return s.length > n ? s.slice(0, n) + "…" : s; };
const place = p => `${p.title || "（无标题）"}${p.section ? " · " + p.section : ""}`;

function needTeacher(where) {
  $(where).textContent = "反馈审核仅限教师使用：请先在页首输入教师令牌。";
}
async function loadQueue() {
  if (role !== "teacher") { needTeacher("#fb-status"); $("#queue").replaceChildren(); return; }
  const p = new URLSearchParams();
  if ($("#f-status").value) p.set("status", $("#f-status").value);
  if ($("#f-verdict").value) p.set("verdict", $("#f-verdict").value);
  $("#fb-status").textContent = "加载中…";
  try {
    const data = await api("/api/feedback?" + p);
    const c = data.counts;
    $("#fb-status").textContent = `共 ${data.total} 条 · 待审核 ${c.new} · 已审核 ${c.reviewed} · 有用 ${c.up} · 没用 ${c.down}`;
    $("#queue").replaceChildren(...(data.items.length ? data.items.map(itemView) : [el("p", { class: "meta" }, "没有符合条件的反馈。")]));
  } catch (e) { $("#fb-status").textContent = "加载失败：" + e.message; }
}
function itemView(item) {
  const box = el("article", { class: "review-item", "data-id": String(item.id), "aria-labelledby": `fb-q-${item.id}` },
    el("h3", { id: `fb-q-${item.id}` }, item.question),
    el("p", { class: "meta" }, el("span", { class: "badge " + item.verdict }, VERDICT[item.verdict]),
      el("span", { class: "badge" }, item.status === "reviewed" ? "已审核" : "待审核"),
      `${ROLE[item.role] || item.role} · ${when(item.created)}`),
    item.comment ? el("p", {}, el("strong", {}, "学员说明："), item.comment) : null,
    el("div", { class: "answer-text small" }, el("strong", {}, item.refused ? "回答（拒答）：" : "回答："), item.answer),
    item.citations.length ? el("ul", { class: "small" }, item.citations.map(c => el("li", {}, `[${c.n}] ${place(c)}：${clip(c.quote || c.snippet, 80)}`))) : null,
    item.review ? reviewSummary(item.review) : null);
  const open = el("button", { type: "button", class: "secondary", "aria-expanded": "false", onclick: () => toggleForm(box, item, open) },
    item.status === "reviewed" ? "修改审核" : "审核");
  box.append(el("div", { class: "row" }, open));
  return box;
}
function reviewSummary(r) {
  return el("div", { class: "verdict small" },
    r.unanswerable ? el("p", {}, "审核结论：资料中没有答案") :
      el("p", {}, "应答段落：", r.gold.map(g => place(g)).join("；")),
    r.expected_answer ? el("p", {}, "参考答案：" + r.expected_answer) : null,
    r.key_points.length ? el("p", {}, "要点：" + r.key_points.join("；")) : null);
}
async function toggleForm(box, item, opener) {
  const existing = box.querySelector("form.review-form");
  if (existing) { existing.remove(); opener.setAttribute("aria-expanded", "false"); return; }
  opener.setAttribute("aria-expanded", "true");
  const form = el("form", { class: "review-form", "aria-label": `审核：${item.question}` }, el("p", { class: "meta" }, "加载最接近的段落…"));
  box.append(form);
  let detail;
  try { detail = await api(`/api/feedback/${item.id}`); }
  catch (e) { form.replaceChildren(el("p", { class: "meta" }, "加载失败：" + e.message)); return; }
  const chosen = new Set((item.review && item.review.gold || []).map(g => g.chunk_id));
  const seen = new Set();
  const picks = el("div", { class: "picks" });
  const addPick = (p, from) => {
    if (!p.chunk_id || seen.has(p.chunk_id)) return;
    seen.add(p.chunk_id);
    const id = `pick-${item.id}-${seen.size}`;
    picks.append(el("label", { class: "pick", for: id },
      el("input", { type: "checkbox", id, value: p.chunk_id, checked: chosen.has(p.chunk_id) }), " ",
      el("strong", {}, place(p)), p.access === "internal" ? el("span", { class: "badge internal" }, "内部") : null,
      el("span", { class: "small" }, `（${from}）`), el("span", { class: "snippet small" }, " " + clip(p.text || p.quote || p.snippet))));
  };
  item.citations.forEach(c => addPick(c, "回答引用"));
  detail.closest.forEach(h => addPick(h, "最接近"));
  const searchBox = el("input", { type: "text", id: `find-${item.id}`, placeholder: "搜索其他段落，如：网格员" });
  const findStatus = el("span", { class: "small", role: "status" });
  const find = async () => {
    const q = searchBox.value.trim();
    if (!q) return;
    findStatus.textContent = "搜索中…";
    try {
      const data = await api("/api/search?" + new URLSearchParams({ q, size: "8" }));
      const before = seen.size;
      data.hits.forEach(h => addPick({ ...h, text: h.snippet }, "搜索"));
      findStatus.textContent = `找到 ${data.total} 段，新增 ${seen.size - before} 段可选`;
    } catch (e) { findStatus.textContent = "搜索失败：" + e.message; }
  };
  searchBox.addEventListener("keydown", ev => { if (ev.key === "Enter") { ev.preventDefault(); find(); } });
  const r = item.review || {};
  const none = el("input", { type: "checkbox", id: `none-${item.id}`, checked: !!r.unanswerable });
  const expected = el("textarea", { id: `exp-${item.id}`, maxlength: "4000" }, r.expected_answer || "");
  const points = el("textarea", { id: `kp-${item.id}`, maxlength: "4000" }, (r.key_points || []).join("\n"));
  const result = el("p", { class: "small", role: "status" });
  const gold = () => [...picks.querySelectorAll("input:checked")].map(i => i.value);
  form.replaceChildren(
    el("fieldset", {}, el("legend", {}, "应当回答该问题的段落（可多选）"), picks,
      el("div", { class: "row" }, el("label", { for: searchBox.id, class: "visually-hidden" }, "搜索段落"), searchBox,
        el("button", { type: "button", class: "secondary", onclick: find }, "搜索段落"), findStatus)),
    el("label", { class: "check" }, none, " 资料中没有答案（应当拒答）"),
    el("label", { for: expected.id }, "参考答案（可选；未选段落时须为资料原文，据此找出应答段落；设为审定答案时作为答案文字，[n] 指所选第 n 个段落）"), expected,
    el("label", { for: points.id }, "要点（可选，每行一条，回答中应出现的原文词句）"), points,
    el("div", { class: "row" },
      el("button", { type: "submit", class: "primary" }, "标记为已审核"),
      el("button", { type: "button", class: "secondary", onclick: () => pin(item, gold(), expected.value, result) }, "设为教师审定答案")),
    result);
  form.addEventListener("submit", async ev => {
    ev.preventDefault();
    result.textContent = "保存中…";
    try {
      await api(`/api/feedback/${item.id}/review`, { method: "POST", headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ gold_chunk_ids: gold(), unanswerable: none.checked, expected_answer: expected.value.trim(),
          key_points: points.value.split("\n").map(s => s.trim()).filter(Boolean) }) });
      result.textContent = "已标记为已审核。";
      await loadQueue();
      $("#fb-status").textContent += " · 已保存审核";
    } catch (e) { result.textContent = "保存失败：" + e.message; }
  });
  (picks.querySelector("input") || searchBox).focus();
}
async function pin(item, chunkIds, expected, result) {
  if (!chunkIds.length) { result.textContent = "请先选择审定答案引用的段落。"; return; }
  result.textContent = "保存中…";
  try {
    await api("/api/curated", { method: "POST", headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ question: item.question, answer: (expected.trim() || item.answer), feedback_id: item.id,
        citations: chunkIds.map(chunk_id => ({ chunk_id })) }) });
    result.textContent = "已设为教师审定答案：相近的问题将首先得到这个答案。";
    loadCurated();
  } catch (e) { result.textContent = "设定失败：" + e.message; }
}
async function loadCurated() {
  if (role !== "teacher") { needTeacher("#curated-status"); $("#curated").replaceChildren(); return; }
  try {
    const data = await api("/api/curated");
    const t = data.threshold;
    const f = t.figures;
    $("#threshold").textContent = t.threshold === null ? "相似度阈值：未校准（该嵌入模型只匹配相同的问题文字）。" :
      `匹配规则：问题与审定问题的向量相似度 ≥ ${t.threshold}` + (t.source === "setting" ? "（KB_CURATED_THRESHOLD 设定）" : "") +
      (f ? `；在训练集复述问题上拟合：复述命中 ${(f.paraphrase_hit_rate * 100).toFixed(1)}%，误匹配 ${f.false_matches}/${f.paraphrases + f.other_questions}。` : "。");
    $("#curated-status").textContent = `共 ${data.items.length} 条 · 待复核 ${data.items.filter(c => c.status === "flagged").length} 条`;
    $("#curated").replaceChildren(data.items.length ? curatedTable(data.items) : el("p", { class: "meta" }, "还没有教师审定答案。"));
  } catch (e) { $("#curated-status").textContent = "加载失败：" + e.message; }
}
function curatedTable(items) {
  return el("table", { class: "docs", id: "curated-table" }, el("caption", { class: "visually-hidden" }, "教师审定答案"),
    el("thead", {}, el("tr", {}, ["问题", "答案", "引用段落", "状态", "操作"].map(h => el("th", { scope: "col" }, h)))),
    el("tbody", {}, items.map(c => el("tr", { "data-id": String(c.id), "data-status": c.status },
      el("td", {}, c.question), el("td", { class: "answer-text" }, clip(c.answer, 200)),
      el("td", {}, el("ol", {}, c.citations.map(x => el("li", {}, place(x))))),
      el("td", {}, c.status === "active" ? el("span", { class: "badge pishi" }, "有效") :
        [el("span", { class: "badge flagged" }, "待复核"), el("div", { class: "small" }, c.flag_reason)]),
      el("td", {}, c.status === "flagged" ? el("button", { type: "button", class: "secondary", onclick: () => act(`/api/curated/${c.id}/confirm`, "POST", "已重新启用") }, "复核后重新启用") : null,
        el("button", { type: "button", class: "danger", "aria-label": `删除审定答案：${c.question}`, onclick: () => act(`/api/curated/${c.id}`, "DELETE", "已删除") }, "删除"))))));
}
async function act(path, method, done) {
  try { await api(path, { method }); $("#curated-status").textContent = done; await loadCurated(); $("#curated-status").textContent += " · " + done; }
  catch (e) { $("#curated-status").textContent = "操作失败：" + e.message; }
}
async function exportZip() {
  if (role !== "teacher") { needTeacher("#fb-status"); return; }
  try {
    const res = await fetch("/api/feedback/export", { headers: authHeaders() });
    if (!res.ok) { const e = await res.json().catch(() => ({})); throw new Error((e.error && e.error.message) || res.statusText); }
    const name = (res.headers.get("content-disposition") || "").match(/filename="([^"]+)"/)?.[1] || "feedback-eval.zip";
    const url = URL.createObjectURL(await res.blob());
    const link = el("a", { href: url, download: name, class: "hidden" });
    document.body.append(link); link.click(); link.remove();
    setTimeout(() => URL.revokeObjectURL(url), 1000);
    $("#fb-status").textContent = `已导出评测集 ${name}：解压后运行 kb eval --dataset 解压目录`;
  } catch (e) { $("#fb-status").textContent = "导出失败：" + e.message; }
}
$("#f-status").addEventListener("change", loadQueue);
$("#f-verdict").addEventListener("change", loadQueue);
$("#export").addEventListener("click", exportZip);
let shown = false;  // the same role confirmed again (the token field's change and submit) keeps an open review form
tokenForm(r => { if (shown && r === role) return; shown = true; role = r; loadQueue(); loadCurated(); });
