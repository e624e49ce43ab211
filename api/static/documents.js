// Documents view for teachers: the list with filters, a document's chunks, and metadata edits (a re-index job).
const detail = $("#detail");
let role = "trainee", current = null;
const seen = new Map();  // every document listed so far, by id (whether it is an upload)

function query() {
  const p = new URLSearchParams();
  for (const [name, id] of [["type", "#f-type"], ["cohort", "#f-cohort"], ["year", "#f-year"], ["access", "#f-access"], ["pishi", "#f-pishi"]])
    if ($(id).value) p.set(name, $(id).value);
  return p;
}
// the choices of a filter: the values the documents have; a chosen value stays
function fill(select, items, label) {
  const keep = select.value;
  select.replaceChildren(el("option", { value: "" }, label), ...items.map(v => el("option", { value: String(v) }, String(v))));
  select.value = items.map(String).includes(keep) ? keep : "";
}
function row(d) {
  return el("tr", { "data-doc": d.doc_id },
    el("td", {}, el("button", { type: "button", class: "linklike", "aria-label": `查看 ${d.title}`, onclick: () => openDoc(d.doc_id) }, d.title)),
    el("td", {}, TYPE_LABEL[d.type] || d.type), el("td", {}, d.cohort || d.author || ""), el("td", {}, d.date || ""),
    el("td", {}, d.access === "internal" ? "内部" : "公开"), el("td", {}, d.pishi ? "获批示" : "—"),
    el("td", { class: "num" }, d.ideas ? `${d.chunks} 段 · ${d.ideas} 条金点子` : `${d.chunks} 段`),
    el("td", {}, d.uploaded ? "上传" : "资料目录"));
}
let listSeq = 0;
async function loadDocs(message = "") {
  const mine = ++listSeq;
  try {
    const data = await api("/api/documents?" + query());
    if (mine !== listSeq) return;
    for (const d of data.documents) seen.set(d.doc_id, d);
    fill($("#f-cohort"), data.values.cohort, "全部班次");
    fill($("#f-year"), data.values.year, "全部年份");
    const head = ["标题", "类型", "班次/作者", "日期", "权限", "批示", "段落", "来源"];
    $("#docs").replaceChildren(data.documents.length ? el("table", { class: "docs" },
      el("caption", { class: "visually-hidden" }, "文档列表"),
      el("thead", {}, el("tr", {}, head.map(h => el("th", { scope: "col" }, h)))),
      el("tbody", {}, data.documents.map(row))) : el("p", { class: "meta" }, "没有符合筛选条件的文档。"));
    $("#docs-status").textContent = (message ? message + " · " : "") + `共 ${data.documents.length} 篇` +
      (role === "teacher" ? "" : "（学员只能看到公开文档；输入教师令牌后可看到全部并修改元数据）");
  } catch (e) { if (mine === listSeq) $("#docs-status").textContent = "文档列表获取失败：" + e.message; }
}
for (const id of ["#f-type", "#f-cohort", "#f-year", "#f-access", "#f-pishi"]) $(id).addEventListener("change", () => loadDocs());
$("#filters").addEventListener("submit", ev => { ev.preventDefault(); loadDocs(); });

function chunkItem(c) {
  const where = [c.kind === "idea" ? `金点子 ${c.idea_no}：${plainTitle(c.idea_title)}` : `第 ${c.ordinal + 1} 段`,
    c.section, c.page ? `第${c.page}页` : null, `${c.chars} 字`].filter(Boolean).join(" · ");
  return el("li", { "data-chunk": c.chunk_id }, el("div", { class: "meta" }, where), el("div", { class: "doctext" }, c.text));
}
// The detail of one document: its metadata in the form (uploads only are editable), then its chunks
async function openDoc(docId, { focus = true } = {}) {
  detail.classList.remove("hidden");
  $("#detail-title").textContent = "加载中…";
  let doc, chunks;
  try {
    [doc, chunks] = await Promise.all([api(`/api/documents/${encodeURIComponent(docId)}`), api(`/api/documents/${encodeURIComponent(docId)}/chunks`)]);
  } catch (e) { $("#detail-title").textContent = "无法打开文档：" + e.message; return; }
  current = { ...doc.meta, doc_id: docId, uploaded: !!(seen.get(docId) || {}).uploaded, source: doc.source };
  const m = doc.meta;
  $("#detail-title").textContent = m.title;
  $("#detail-meta").replaceChildren(el("a", { href: `/documents/${docId}` }, "查看全文"), ` · 来源文件：${doc.source}`);
  $("#e-title").value = m.title; $("#e-type").value = m.type; $("#e-cohort").value = m.cohort || "";
  $("#e-date").value = m.date || ""; $("#e-topics").value = (m.topics || []).join("，");
  $("#e-access").value = m.access; $("#e-pishi").checked = !!m.pishi;
  const editable = role === "teacher" && current.uploaded;
  $("#edit-form").classList.toggle("hidden", !editable);
  const note = $("#edit-note");
  note.classList.toggle("hidden", editable);
  note.textContent = role !== "teacher" ? "输入教师令牌后可修改元数据。"
    : "该文档来自资料目录（corpus/），页面上不能修改：请在源文件开头的元数据（或同名 .meta.yaml）中修改后重新运行 kb ingest。";
  $("#chunks-title").textContent = `切分段落（${chunks.chunks.length}）`;
  $("#chunks").replaceChildren(...chunks.chunks.map(chunkItem));
  if (focus) $("#detail-title").focus();
}

const topicsOf = text => [...new Set(text.split(/[,，、;；\s]+/).map(t => t.trim()).filter(Boolean))];
// only the fields that differ from the document's metadata are sent
function changes() {
  const out = {};
  const given = { title: $("#e-title").value.trim(), type: $("#e-type").value, cohort: $("#e-cohort").value.trim(),
    date: $("#e-date").value.trim(), access: $("#e-access").value, pishi: $("#e-pishi").checked };
  for (const [k, v] of Object.entries(given)) if (v !== (k === "pishi" ? !!current[k] : current[k] || "")) out[k] = v;
  const topics = topicsOf($("#e-topics").value);
  if (topics.join("|") !== (current.topics || []).join("|")) out.topics = topics;
  return out;
}
$("#edit-form").addEventListener("submit", async ev => {
  ev.preventDefault();
  const status = $("#edit-status"), save = $("#e-save");
  const body = changes();
  if (!Object.keys(body).length) { status.textContent = "没有修改。"; return; }
  save.disabled = true; status.textContent = "保存中，正在重新索引…";
  try {
    const job = await api(`/api/documents/${encodeURIComponent(current.doc_id)}`, { method: "PATCH",
      headers: { "Content-Type": "application/json" }, body: JSON.stringify(body) });
    const done = await waitJob(job.job_id);
    if (done.status === "failed") { status.textContent = "保存失败：" + done.error; return; }
    status.textContent = "已保存并重新索引：检索、问答和学员可见范围已按新元数据更新。";
    await loadDocs("已保存");
    await openDoc(current.doc_id, { focus: false });
  } catch (e) {
    const fields = (e.body && e.body.fields || []).map(f => f.field).join("、");
    status.textContent = "保存失败：" + (fields ? `请检查 ${fields}：` : "") + e.message;
  } finally { save.disabled = false; }
});

tokenForm(r => {
  role = r;
  loadDocs();
  if (current) openDoc(current.doc_id, { focus: false });
});
