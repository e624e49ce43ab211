// 金点子库: each idea of a report beside similar earlier ideas of other cohorts; the filtered list with export;
// ideas and 批示 rate by topic, cohort and year (a table and a bar chart).
const BY_LABEL = { topic: "专题", cohort: "班次", year: "年份" };
const pct = x => `${Math.round(100 * x)}%`;
let library = null;      // the last /api/ideas/library answer
let threshold = null;
let seq = 0;

function params() {
  const p = new URLSearchParams();
  const q = $("#f-q").value.trim();
  if (q) p.set("q", q);
  for (const [id, key] of [["#f-cohort", "cohort"], ["#f-year", "year"], ["#f-topic", "topic"], ["#f-pishi", "pishi"]])
    if ($(id).value) p.set(key, $(id).value);
  return p;
}
// the list's and the export's query: the filters, and whether each idea carries its closest earlier idea
function listParams() {
  const p = params();
  if ($("#f-novelty").checked) p.set("novelty", "true");
  return p;
}
function fill(select, values, all) {
  const keep = select.value;
  select.replaceChildren(el("option", { value: "" }, all), ...values.map(v => el("option", { value: String(v) }, String(v))));
  if (values.map(String).includes(keep)) select.value = keep;
}
const pishiBadge = (has, note) => has
  ? el("span", { class: "badge pishi", title: note || "" }, "获批示")
  : el("span", { class: "badge" }, "未获批示");
const ideaName = i => `金点子 ${i.idea_no}${i.idea_title ? "：" + plainTitle(i.idea_title) : ""}`;

function thresholdNote(t) {
  const f = t.figures || {};
  if (!t.calibrated && f.source) return `“已有相近建议”阈值：相似度 ≥ ${t.value.toFixed(4)}（由 KB_IDEA_SIMILAR_THRESHOLD 设定）。`;
  const base = `“已有相近建议”阈值：相似度 ≥ ${t.value.toFixed(4)}，用 ${f.positives ? f.positives.n : "?"} 对手写改写的金点子与 ` +
    `${f.negatives ? f.negatives.n : "?"} 对无关金点子校准（平衡准确率 ${f.balanced_accuracy}，交叉验证 ${f.cv_balanced_accuracy}）。`;
  return t.calibrated ? base : base + ` 注意：该阈值针对嵌入模型 ${t.fitted_for} 校准，当前模型不同。`;
}

function similarItem(s) {
  return el("li", { class: "similar-item" + (s.close ? " close" : ""), "data-close": String(s.close) },
    el("div", {},
      el("span", { class: "num" }, `相似度 ${s.similarity.toFixed(3)}`), " ",
      s.close ? el("span", { class: "badge close" }, "已有相近建议") : null,
      el("a", { href: s.url }, `${ideaName(s)}`)),
    el("div", { class: "meta" }, `${s.report} · ${s.cohort || "班次未注明"} · ${s.year || "年份未注明"}${s.date && s.date.length > 4 ? "（" + s.date + "）" : ""} · `,
      pishiBadge(s.pishi, s.pishi_note), s.access === "internal" ? el("span", { class: "badge internal" }, "内部") : null),
    el("p", { class: "small snippet" }, s.text.length > 110 ? s.text.slice(0, 110) + "…" : s.text));
}
// the idea's body: its title is the card's heading already
const ownText = i => i.idea_title && i.text.startsWith(i.idea_title) ? i.text.slice(i.idea_title.length).replace(/^[：:]\s*/, "") : i.text;
function ideaCard(i) {
  return el("article", { class: "idea-card", "data-idea": String(i.idea_no), "aria-labelledby": `idea-${i.idea_no}` },
    el("div", { class: "idea-own" },
      el("h3", { id: `idea-${i.idea_no}` }, ideaName(i), " ",
        i.has_close ? el("span", { class: "badge close" }, "已有相近建议") : el("span", { class: "badge" }, "未见相近建议")),
      el("p", {}, ownText(i))),
    el("div", { class: "idea-similar" },
      el("h4", {}, "往期其他班次的相近建议"),
      i.similar.length ? el("ol", {}, i.similar.map(similarItem))
        : el("p", { class: "meta" }, "没有更早的其他班次金点子可比。")));
}
async function showSimilar() {
  const docId = $("#report").value;
  const mine = ++seq;
  if (!docId) { $("#similar").replaceChildren(); $("#sim-status").textContent = "没有可查看的调研报告。"; return; }
  $("#sim-status").textContent = "查找相近建议…";
  try {
    const data = await api(`/api/ideas/similar/${encodeURIComponent(docId)}`);
    if (mine !== seq) return;
    const r = data.report;
    const close = data.ideas.filter(i => i.has_close).length;
    $("#similar").replaceChildren(
      el("p", { class: "meta" }, `${r.title} · ${r.cohort || "班次未注明"} · ${r.date || "日期未注明"} · `, pishiBadge(r.pishi, r.pishi_note)),
      ...data.ideas.map(ideaCard));
    $("#sim-status").textContent = data.ideas.length
      ? `${data.ideas.length} 条金点子，其中 ${close} 条已有相近建议` : "这篇报告没有金点子。";
    history.replaceState(null, "", `?doc=${encodeURIComponent(docId)}`);
  } catch (e) {
    if (mine !== seq) return;
    $("#similar").replaceChildren();
    $("#sim-status").textContent = "无法查找相近建议：" + e.message;
  }
}

function listTable(ideas) {
  if (!ideas.length) return el("p", { class: "meta" }, "没有符合条件的金点子。");
  const head = ["序号", "金点子", "报告", "班次", "年份", "批示", "相近建议"];
  return el("table", { class: "docs", id: "ideas-table" }, el("caption", { class: "visually-hidden" }, "符合条件的金点子"),
    el("thead", {}, el("tr", {}, head.map(h => el("th", { scope: "col" }, h)))),
    el("tbody", {}, ideas.map((i, n) => el("tr", { "data-doc": i.doc_id },
      el("td", { class: "num" }, String(n + 1)),
      el("td", {}, el("a", { href: i.url }, ideaName(i)), i.access === "internal" ? el("span", { class: "badge internal" }, "内部") : null),
      el("td", {}, i.report), el("td", {}, i.cohort || "—"), el("td", { class: "num" }, String(i.year || "—")),
      el("td", {}, pishiBadge(i.pishi, i.pishi_note)),
      el("td", {}, i.closest && i.closest.close
        ? el("span", { class: "badge close", title: `${i.closest.report} · ${i.closest.cohort} · ${i.closest.year}` }, "已有相近建议") : null,
        el("button", { type: "button", class: "linklike", "aria-label": `查看《${i.report}》的相近建议`,
        onclick: () => { $("#report").value = i.doc_id; showSimilar(); $("#novelty-title").scrollIntoView(); $("#report").focus(); } }, "查看"))))));
}
function statsTable(rows, by) {
  if (!rows.length) return el("p", { class: "meta" }, "没有可统计的金点子。");
  return el("table", { class: "docs", id: "stats-table" }, el("caption", { class: "visually-hidden" }, `按${BY_LABEL[by]}统计的金点子和批示率`),
    el("thead", {}, el("tr", {}, [BY_LABEL[by], "金点子", "获批示", "批示率"].map(h => el("th", { scope: "col" }, h)))),
    el("tbody", {}, rows.map(r => el("tr", {}, el("th", { scope: "row" }, r.key), el("td", { class: "num" }, String(r.ideas)),
      el("td", { class: "num" }, String(r.with_pishi)), el("td", { class: "num" }, pct(r.rate))))));
}
// A bar per group: its length the number of ideas, the darker part those whose report drew a 批示.
function chart(rows, by) {
  if (!rows.length) return el("div");
  const max = Math.max(...rows.map(r => r.ideas));
  return el("figure", { class: "bars", id: "stats-chart" },
    el("figcaption", { class: "small" }, `各${BY_LABEL[by]}的金点子数（深色：所在报告获批示）`),
    el("ul", {}, rows.slice(0, 20).map(r => el("li", {},
      el("span", { class: "bar-label" }, r.key),
      el("span", { class: "bar", "aria-hidden": "true", style: `width:${(100 * r.ideas / max).toFixed(1)}%` },
        el("span", { class: "bar-pishi", style: `width:${(100 * r.with_pishi / r.ideas).toFixed(1)}%` })),
      el("span", { class: "bar-value num" }, `${r.ideas} 条 · 批示率 ${pct(r.rate)}`)))));
}
let stats = null;
function showStats() {
  if (!stats) return;
  const by = $("#by").value;
  $("#chart").replaceChildren(chart(stats[by], by));
  $("#stats").replaceChildren(statsTable(stats[by], by));
}

async function load() {
  const p = params();
  $("#list-status").textContent = "加载中…";
  try {
    const [data, summary] = await Promise.all([api("/api/ideas/library?" + listParams()), api("/api/ideas/stats?" + p)]);
    library = data; stats = summary; threshold = data.threshold;
    $("#threshold-note").textContent = thresholdNote(threshold);
    fill($("#f-cohort"), data.values.cohort, "全部班次");
    fill($("#f-year"), data.values.year, "全部年份");
    fill($("#f-topic"), data.values.topic, "全部专题");
    $("#ideas").replaceChildren(listTable(data.ideas));
    $("#list-status").textContent = `${data.total} 条金点子 · 所在报告获批示 ${summary.with_pishi} 条（批示率 ${pct(summary.rate)}）`;
    showStats();
    const select = $("#report"), keep = select.value || new URLSearchParams(location.search).get("doc");
    select.replaceChildren(...data.reports.map(r => el("option", { value: r.doc_id },
      `${r.title}（${r.cohort || "班次未注明"} · ${r.date || "日期未注明"} · ${r.ideas} 条）`)));
    if (keep && data.reports.some(r => r.doc_id === keep)) select.value = keep;
    showSimilar();
  } catch (e) {
    $("#list-status").textContent = "无法加载金点子：" + e.message;
  }
}
async function exportList(format) {
  const status = $("#export-status");
  status.textContent = "正在导出…";
  try {
    const res = await fetch(`/api/ideas/export?${listParams()}&format=${format}`, { headers: authHeaders() });
    if (!res.ok) { const body = await res.json().catch(() => ({})); throw new Error((body.error || {}).message || res.statusText); }
    const blob = await res.blob();
    const link = el("a", { href: URL.createObjectURL(blob), download: `金点子.${format}` });
    document.body.append(link); link.click(); link.remove();
    setTimeout(() => URL.revokeObjectURL(link.href), 10000);
    status.textContent = `已导出 ${library ? library.total : ""} 条（${format === "csv" ? "CSV" : "Word"}）`;
  } catch (e) {
    status.textContent = "导出失败：" + e.message;
  }
}
$("#list-form").addEventListener("submit", ev => { ev.preventDefault(); load(); });
for (const id of ["#f-cohort", "#f-year", "#f-topic", "#f-pishi", "#f-novelty"]) $(id).addEventListener("change", load);
$("#report").addEventListener("change", showSimilar);
$("#by").addEventListener("change", showStats);
$("#export-csv").addEventListener("click", () => exportList("csv"));
$("#export-docx").addEventListener("click", () => exportList("docx"));
tokenForm(() => load());
