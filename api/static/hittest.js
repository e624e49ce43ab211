// 命中测试: what a question retrieves (dense, BM25, fused scores) and why it is or isn't answered.
let role = "trainee";
const MODE_LABEL = { hybrid: "混合（向量 + BM25）", dense: "仅向量", bm25: "仅 BM25 关键词" };
const REASON = {
  answered: (v) => `可答性 ${v.answerability.toFixed(3)} ≥ 阈值 ${v.threshold.toFixed(3)}，从证据句中摘录作答。`,
  below_threshold: (v) => `可答性 ${v.answerability.toFixed(3)} 低于阈值 ${v.threshold.toFixed(3)}，拒答：资料中没有足够的证据。`,
  nothing_to_quote: (v) => `可答性 ${v.answerability.toFixed(3)} 达到阈值，但没有可摘录的句子，拒答。`,
  no_passages: () => "没有检索到可用的段落，拒答。",
  collection: () => "按文档元数据（类型、班次、年份、批示）列出文档，不经可答性判断。",
};
const num = (x, d = 3) => (x === null || x === undefined ? "—" : Number(x).toFixed(d));
const ranked = (score, rank, d) => (score === null || score === undefined ? "—" : `${num(score, d)}（第 ${rank} 名）`);

function verdict(data) {
  const v = data.verdict;
  const box = el("div", { class: "verdict" + (v.answered ? "" : " refused"), id: "verdict", "data-answered": String(v.answered) },
    el("p", {}, el("strong", {}, v.answered ? "已作答" : "拒答"), " · ", (REASON[v.reason] || (() => v.reason))(v)),
    el("p", { class: "small" }, `检索方式：${MODE_LABEL[data.mode] || data.mode} · 融合：得分 = Σ 权重 ÷ (${data.fusion.rrf_k} + 名次)，` +
      `向量权重 ${data.fusion.dense_weight}，BM25 权重 ${data.fusion.bm25_weight} · 回答模型：${data.model}`),
    v.llm_threshold !== null ? el("p", { class: "small" }, `已配置大模型：可答性不低于 ${num(v.llm_threshold)} 时，问答会交给大模型作答（此处不调用）。`) : null,
    data.curated ? el("p", { class: "curated-note", id: "ht-curated" }, el("span", { class: "badge curated" }, "教师审定"),
      ` 问答中此问题将首先得到教师审定答案（对应问题：${data.curated.question}，相似度 ${num(data.curated.similarity)}）；以下为检索与作答的结果。`) : null,
    el("div", { class: "answer-text", id: "ht-answer" }, data.answer));
  if (data.citations.length)
    box.append(el("ul", { class: "small" }, data.citations.map(c => el("li", {}, `[${c.n}] ${c.title}${c.section ? " · " + c.section : ""}：${c.quote || ""}`))));
  if (v.answered && data.citations.length) {
    const said = el("span", { class: "small", role: "status" });
    box.append(el("p", { class: "row" }, el("button", { type: "button", class: "secondary", id: "pin", onclick: () => pin(data, said) }, "设为教师审定答案"), said));
  }
  return box;
}
function hitsTable(hits) {
  if (!hits.length) return el("p", { class: "meta" }, "没有检索到段落。");
  const head = ["名次", "段落", "融合得分", "向量相似度", "BM25", "引用"];
  return el("table", { class: "docs", id: "hits-table" }, el("caption", { class: "visually-hidden" }, "检索到的段落及得分"),
    el("thead", {}, el("tr", {}, head.map(h => el("th", { scope: "col" }, h)))),
    el("tbody", {}, hits.map(h => el("tr", { "data-chunk": h.chunk_id },
      el("td", { class: "num" }, String(h.rank)),
      el("td", {}, el("a", { href: h.url }, `${h.title}${h.section ? " · " + h.section : ""}${h.page ? " · 第" + h.page + "页" : ""}`),
        h.access === "internal" ? el("span", { class: "badge internal" }, "内部") : null,
        el("div", { class: "small" }, h.text.length > 120 ? h.text.slice(0, 120) + "…" : h.text)),
      el("td", { class: "num" }, num(h.score, 5)), el("td", { class: "num" }, ranked(h.dense, h.dense_rank, 3)),
      el("td", { class: "num" }, ranked(h.bm25, h.bm25_rank, 2)), el("td", {}, h.cited ? `[${h.cited}]` : "—")))));
}
const UNIT_KIND = { sentence: "句子", heading: "标题", item: "列表项", idea: "金点子" };
function unitsTable(units) {
  if (!units.length) return el("p", { class: "meta" }, "没有证据句。");
  const head = ["段落名次", "类型", "概率", "采用", "句子"];
  return el("table", { class: "docs", id: "units-table" }, el("caption", { class: "visually-hidden" }, "证据句及其概率"),
    el("thead", {}, el("tr", {}, head.map(h => el("th", { scope: "col" }, h)))),
    el("tbody", {}, units.map(u => el("tr", { "data-chosen": String(u.chosen) },
      el("td", { class: "num" }, String(u.hit)), el("td", {}, UNIT_KIND[u.kind] || u.kind), el("td", { class: "num" }, num(u.probability)),
      el("td", {}, u.chosen ? "✓ 采用" : "—"), el("td", {}, u.text)))));
}
// 教师审定答案: this question's answer and citations pinned; close paraphrases get it first (managed on /review)
async function pin(data, said) {
  said.textContent = "保存中…";
  try {
    const cited = [...data.citations].sort((a, b) => a.n - b.n);
    await api("/api/curated", { method: "POST", headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ question: data.question, answer: data.answer, citations: cited.map(c => ({ chunk_id: c.chunk_id, quote: c.quote || "" })) }) });
    said.textContent = "已设为教师审定答案（可在“反馈审核”页管理）。";
  } catch (e) { said.textContent = "设定失败：" + e.message; }
}
let seq = 0;
async function run() {
  const q = $("#ht-q").value.trim();
  if (!q) return;
  if (role !== "teacher") { $("#ht-status").textContent = "命中测试仅限教师使用：请先在页首输入教师令牌。"; return; }
  const mine = ++seq;
  const p = new URLSearchParams({ q });
  if ($("#ht-mode").value) p.set("mode", $("#ht-mode").value);
  if ($("#ht-k").value) p.set("top_k", $("#ht-k").value);
  $("#ht-status").textContent = "测试中…";
  try {
    const data = await api("/api/hit-test?" + p);
    if (mine !== seq) return;
    $("#ht-verdict").replaceChildren(verdict(data));
    $("#ht-hits").replaceChildren(hitsTable(data.hits));
    $("#ht-units").replaceChildren(unitsTable(data.units));
    $("#ht-status").textContent = `${data.verdict.answered ? "已作答" : "拒答"} · 检索到 ${data.hits.length} 段`;
  } catch (e) {
    if (mine !== seq) return;
    $("#ht-status").textContent = "测试失败：" + e.message;
    for (const id of ["#ht-verdict", "#ht-hits", "#ht-units"]) $(id).replaceChildren();
  }
}
$("#ht-form").addEventListener("submit", ev => { ev.preventDefault(); run(); });
const preset = new URLSearchParams(location.search).get("q");
if (preset) $("#ht-q").value = preset;
tokenForm(r => {
  role = r;
  if (r !== "teacher") $("#ht-status").textContent = "命中测试仅限教师使用：请先在页首输入教师令牌。";
  else if ($("#ht-q").value.trim()) run();
  else $("#ht-status").textContent = "";
});
$("#ht-q").focus();
