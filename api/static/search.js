// Teachers' page: faceted search of passages and 金点子, document view, uploads with progress, quarantine.
const panel = $("#passage"), results = $("#results"), tokenBox = $("#token");
tokenBox.value = localStorage.getItem("kbToken") || "";
tokenBox.addEventListener("change", () => { localStorage.setItem("kbToken", tokenBox.value.trim()); runSearch(); loadQuarantine(); });

function params() {
  const p = new URLSearchParams({ q: $("#q").value.trim(), size: "20" });
  if ($("#f-type").value && $("#scope").value === "search") p.append("type", $("#f-type").value);
  if ($("#f-cohort").value) p.set("cohort", $("#f-cohort").value);
  if ($("#f-year").value) p.set("year", $("#f-year").value);
  if ($("#f-topic").value) p.set("topic", $("#f-topic").value);
  if ($("#f-pishi").checked) p.set("pishi", "true");
  return p;
}
function fillSelect(select, counts, label) {
  const keep = select.value;
  select.replaceChildren(el("option", { value: "" }, label),
    Object.entries(counts).map(([k, n]) => el("option", { value: k }, `${k}（${n}）`)));
  if ([...select.options].some(o => o.value === keep)) select.value = keep;
}
function renderHit(h) {
  const title = h.kind === "idea" ? `金点子 ${h.idea_no}：${h.idea_title || ""}` : h.title;
  return el("div", { class: "hit" },
    el("h3", { onclick: () => showPassage(panel, h.doc_id, h.start, h.end), tabindex: "0" }, title),
    el("div", { class: "meta" },
      el("span", { class: "badge" }, TYPE_LABEL[h.type] || h.type),
      h.access === "internal" ? el("span", { class: "badge internal" }, "内部") : null,
      h.pishi ? el("span", { class: "badge pishi" }, "获批示") : null,
      [h.kind === "idea" ? h.title : null, h.cohort || h.author, h.date, h.section, h.page ? `第${h.page}页` : null].filter(Boolean).join(" · ")),
    el("div", {}, marked(h.snippet, h.marks)));
}
let searchSeq = 0;
async function runSearch() {
  if (!$("#q").value.trim()) return;
  const mine = ++searchSeq;  // a slower, older response must not overwrite a newer one
  $("#summary").textContent = "检索中…";
  try {
    const data = await api(`/api/${$("#scope").value}?${params()}`);
    if (mine !== searchSeq) return;
    $("#summary").textContent = `共 ${data.total} 条结果（${Object.values(data.timings).reduce((a, b) => a + b, 0).toFixed(0)} 毫秒）`;
    results.replaceChildren(...(data.hits.length ? data.hits.map(renderHit) : [el("p", { class: "meta" }, "没有找到相关内容")]));
    fillSelect($("#f-cohort"), data.facets.cohort, "全部班次");
    fillSelect($("#f-topic"), data.facets.topic, "全部专题");
  } catch (e) { if (mine === searchSeq) { $("#summary").textContent = "检索失败：" + e.message; results.replaceChildren(); } }
}
$("#search-form").addEventListener("submit", ev => { ev.preventDefault(); runSearch(); });
for (const id of ["#scope", "#f-type", "#f-cohort", "#f-topic", "#f-pishi", "#f-year"]) $(id).addEventListener("change", runSearch);

$("#upload-form").addEventListener("submit", ev => {
  ev.preventDefault();
  const form = new FormData();
  for (const f of $("#files").files) form.append("files", f);
  form.append("type", $("#u-type").value); form.append("access", $("#u-access").value);
  if ($("#u-cohort").value.trim()) form.append("cohort", $("#u-cohort").value.trim());
  const bar = $("#u-progress"), out = $("#u-result");
  bar.style.display = "block"; bar.value = 0; out.replaceChildren(el("li", {}, "上传中…"));
  const xhr = new XMLHttpRequest();
  xhr.open("POST", "/api/documents");
  for (const [k, v] of Object.entries(authHeaders())) xhr.setRequestHeader(k, v);
  xhr.upload.onprogress = e => { if (e.lengthComputable) bar.value = (e.loaded / e.total) * 100; };
  xhr.onload = () => {
    const data = JSON.parse(xhr.responseText || "{}");
    if (xhr.status >= 300) { out.replaceChildren(el("li", {}, "上传失败：" + ((data.error && data.error.message) || xhr.status))); return; }
    poll(data.job_id);
  };
  xhr.send(form);
});
const STATUS_LABEL = { queued: "排队中", ingested: "已导入，可检索", duplicate: "与已有文档内容相同，未重复导入",
  quarantined: "无法导入，已移入隔离区", failed: "导入失败" };
function describe(r) {
  const extra = r.status === "duplicate" ? `（${r.duplicate_of}）` : r.reason ? `：${r.reason}` : "";
  return `${r.file}：${STATUS_LABEL[r.status] || r.status}${extra}`;
}
async function poll(jobId) {
  const out = $("#u-result");
  let job;
  try { job = await api(`/api/jobs/${jobId}`); }
  catch (e) { out.replaceChildren(el("li", {}, "导入状态获取失败：" + e.message)); return; }
  out.replaceChildren(...job.results.map(r => el("li", { "data-status": r.status }, describe(r))));
  if (job.status === "queued" || job.status === "running") setTimeout(() => poll(jobId), 700);
  else {
    if (job.status === "failed") out.append(el("li", {}, "导入失败：" + job.error));
    loadQuarantine();
  }
}
async function loadQuarantine() {
  const list = $("#q-list");
  let data;
  try { data = await api("/api/quarantine"); }
  catch (e) { list.replaceChildren(el("li", {}, "需要教师令牌才能查看隔离区")); return; }
  if (!data.files.length) { list.replaceChildren(el("li", { class: "meta" }, "隔离区为空")); return; }
  list.replaceChildren(...data.files.map(f => el("li", { "data-name": f.name },
    el("strong", {}, f.name), ` · ${(f.size / 1024).toFixed(0)} KB · ${new Date(f.quarantined_at * 1000).toLocaleString("zh-CN")} · ${f.reason} `,
    el("button", { class: "cite", onclick: () => removeQuarantined(f.name) }, "删除"))));
}
async function removeQuarantined(name) {
  if (!confirm(`删除隔离区文件“${name}”？`)) return;
  try { await api(`/api/quarantine/${encodeURIComponent(name)}`, { method: "DELETE" }); }
  catch (e) { alert("删除失败：" + e.message); }
  loadQuarantine();
}
loadQuarantine();
