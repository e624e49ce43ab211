// Teachers' page: faceted search of passages and 金点子, document view, uploads with progress, quarantine, the documents list.
const panel = $("#passage"), results = $("#results"), tokenBox = $("#token"), tokenStatus = $("#token-status");
const ROLE_LABEL = { teacher: "已验证：教师", trainee: "已验证：学员" };
let role = "trainee";

// A typed token is kept only once the server accepted it; a refused one is neither stored nor used.
async function applyToken() {
  const token = tokenBox.value.trim();
  if (!token) {
    localStorage.removeItem(TOKEN_KEY); role = "trainee"; tokenStatus.textContent = "未使用令牌（学员）";
  } else {
    tokenStatus.textContent = "验证中…";
    let accepted;
    try { accepted = await checkToken(token); }
    catch (e) { tokenStatus.textContent = "无法验证令牌：" + e.message; return; }
    if (accepted === null) { tokenStatus.textContent = "令牌无效，未保存"; return; }
    localStorage.setItem(TOKEN_KEY, token); role = accepted; tokenStatus.textContent = ROLE_LABEL[accepted] || accepted;
  }
  loadDocs(); loadQuarantine();
  if ($("#q").value.trim()) runSearch();
}
$("#token-form").addEventListener("submit", ev => { ev.preventDefault(); applyToken(); });
tokenBox.addEventListener("change", applyToken);

function params() {
  const p = new URLSearchParams({ q: $("#q").value.trim(), size: "20" });
  if ($("#f-type").value && $("#scope").value === "search") p.append("type", $("#f-type").value);
  if ($("#f-cohort").value) p.set("cohort", $("#f-cohort").value);
  if ($("#f-year").value) p.set("year", $("#f-year").value);
  if ($("#f-topic").value) p.set("topic", $("#f-topic").value);
  if ($("#f-pishi").checked) p.set("pishi", "true");
  return p;
}
// The options of a filter: every value of the current results with its count; a chosen value stays
function fillSelect(select, counts, label) {
  const keep = select.value;
  const entries = Object.entries(counts);
  if (keep && !(keep in counts)) entries.unshift([keep, 0]);
  select.replaceChildren(el("option", { value: "" }, label), ...entries.map(([k, n]) => el("option", { value: k }, `${k}（${n}）`)));
  select.value = keep;
}
// Facet counts of the results as buttons: a click filters by that value (documents per value, from the API)
function renderFacets(facets) {
  const groups = [
    ["类型", "#f-type", Object.entries(facets.type || {}).map(([k, n]) => [k, TYPE_LABEL[k] || k, n])],
    ["班次", "#f-cohort", Object.entries(facets.cohort || {}).map(([k, n]) => [k, k, n])],
    ["年份", "#f-year", Object.entries(facets.year || {}).map(([k, n]) => [k, k, n])],
    ["专题", "#f-topic", Object.entries(facets.topic || {}).map(([k, n]) => [k, k, n])],
  ];
  if ($("#scope").value !== "search") groups.shift();  // 金点子 are all in reports
  $("#facets").replaceChildren(...groups.filter(([, , items]) => items.length).map(([name, sel, items]) =>
    el("div", { class: "facet-group", role: "group", "aria-label": name }, el("span", { class: "small" }, name + "："),
      ...items.map(([value, label, n]) => {
        const on = $(sel).value === value;
        return el("button", { type: "button", class: "facet", "aria-pressed": on ? "true" : "false",
          onclick: () => { $(sel).value = on ? "" : value; runSearch(); } }, `${label}（${n}）`);
      }))));
}
function renderHit(h) {
  const title = h.kind === "idea" ? `金点子 ${h.idea_no}：${plainTitle(h.idea_title)}` : h.title;
  return el("div", { class: "hit" },
    el("h3", {}, el("button", { type: "button", class: "linklike", onclick: () => showPassage(panel, h.doc_id, h.start, h.end) }, title)),
    el("div", { class: "meta" },
      el("span", { class: "badge" }, TYPE_LABEL[h.type] || h.type),
      h.access === "internal" ? el("span", { class: "badge internal" }, "内部") : null,
      h.pishi ? el("span", { class: "badge pishi" }, "获批示") : null,
      [h.kind === "idea" ? h.title : null, h.cohort || h.author, h.date, h.section, h.page ? `第${h.page}页` : null].filter(Boolean).join(" · ")),
    el("div", {}, marked(h.snippet, h.marks)));
}
function emptyState(q) {
  return el("div", { class: "empty" },
    el("p", {}, el("strong", {}, "没有找到相关资料")),
    el("p", { class: "small" }, "资料中没有与“", q, "”相符的内容。可以换个关键词、减少筛选条件，或到 ",
      el("a", { href: "/?q=" + encodeURIComponent(q) }, "问答页"), " 直接提问。"));
}
let searchSeq = 0;
async function runSearch() {
  const q = $("#q").value.trim();
  if (!q) return;
  const mine = ++searchSeq;  // a slower, older response must not overwrite a newer one
  $("#summary").textContent = "检索中…";
  try {
    const data = await api(`/api/${$("#scope").value}?${params()}`);
    if (mine !== searchSeq) return;
    $("#summary").textContent = `共 ${data.total} 条结果（${Object.values(data.timings).reduce((a, b) => a + b, 0).toFixed(0)} 毫秒）`;
    results.replaceChildren(...(data.hits.length ? data.hits.map(renderHit) : [emptyState(q)]));
    fillSelect($("#f-cohort"), data.facets.cohort, "全部班次");
    fillSelect($("#f-topic"), data.facets.topic, "全部专题");
    renderFacets(data.facets);
  } catch (e) { if (mine === searchSeq) { $("#summary").textContent = "检索失败：" + e.message; results.replaceChildren(); $("#facets").replaceChildren(); } }
}
$("#search-form").addEventListener("submit", ev => { ev.preventDefault(); runSearch(); });
for (const id of ["#scope", "#f-type", "#f-cohort", "#f-topic", "#f-pishi", "#f-year"]) $(id).addEventListener("change", runSearch);

// Uploads: only the fields set here are sent; the rest come from the file's own front matter.
function uploadForm(files, replace) {
  const form = new FormData();
  for (const f of files) form.append("files", f);
  for (const [name, id] of [["type", "#u-type"], ["access", "#u-access"], ["pishi", "#u-pishi"], ["cohort", "#u-cohort"]]) {
    const value = $(id).value.trim();
    if (value) form.append(name, value);
  }
  if (replace) form.append("replace", "true");
  return form;
}
function upload(files, replace = false) {
  const bar = $("#u-progress"), out = $("#u-result");
  bar.style.display = "block"; bar.value = 0; out.replaceChildren(el("li", {}, "上传中…"));
  const xhr = new XMLHttpRequest();
  xhr.open("POST", "/api/documents");
  for (const [k, v] of Object.entries(authHeaders())) xhr.setRequestHeader(k, v);
  xhr.upload.onprogress = e => { if (e.lengthComputable) bar.value = (e.loaded / e.total) * 100; };
  xhr.onload = () => {
    let data = {};
    try { data = JSON.parse(xhr.responseText || "{}"); } catch (e) { /* not JSON: the status says enough */ }
    const err = data.error || {};
    if (xhr.status === 409 && err.code === "duplicate") {
      out.replaceChildren(...(err.duplicates || []).map(d => el("li", { "data-status": "duplicate" },
        `${d.file}：与已有文档“${d.title || d.stored_as}”内容相同（重复上传），未导入。`)),
        el("li", {}, el("button", { type: "button", class: "secondary", id: "u-replace", onclick: () => upload(files, true) }, "替换已有文档"),
          " 或换一个文件。"));
      return;
    }
    if (xhr.status >= 300) { out.replaceChildren(el("li", {}, "上传失败：" + (err.message || xhr.status))); return; }
    poll(data.job_id);
  };
  xhr.onerror = () => out.replaceChildren(el("li", {}, "上传失败：网络错误"));
  xhr.send(uploadForm(files, replace));
}
$("#upload-form").addEventListener("submit", ev => { ev.preventDefault(); upload([...$("#files").files]); });

// A failure reason from the ingest, said in Chinese with what to do; the API's own text stays available.
function failureText(file, reason) {
  if (/YAML|front matter/i.test(reason)) {
    const line = (reason.match(/line (\d+)/) || [])[1];
    return `${file}：文件开头的元数据（两行 --- 之间的部分）格式有误${line ? `（约第 ${line} 行）` : ""}。` +
      "请检查每行是否写成“键: 值”（冒号为英文半角、后有空格），列表写成 [甲, 乙]，含冒号的值加引号，改正后重新上传。";
  }
  return `${file}：导入失败：${reason}`;
}
const STATUS_LABEL = { queued: "排队中", running: "导入中", ingested: "已导入，可检索", duplicate: "与已有文档内容相同，未重复导入",
  quarantined: "无法导入，已移入隔离区", failed: "导入失败" };
// one file's result; a file waits in the queue until its job runs, then every file in it is being imported
function describe(r, jobStatus) {
  const shown = r.status === "queued" && jobStatus === "running" ? "running" : r.status;
  const yaml = /YAML|front matter/i.test(r.reason || "");
  if (shown === "quarantined")
    return el("li", { "data-status": shown, title: r.reason || "" }, `${r.file}：${STATUS_LABEL.quarantined}。` +
      (yaml ? failureText("", r.reason).replace(/^：/, "") : r.reason || ""));
  if (shown === "failed" && yaml) return el("li", { "data-status": shown, title: r.reason }, failureText(r.file, r.reason));
  const extra = shown === "duplicate" ? `（${r.duplicate_of}）` : r.reason ? `：${r.reason}` : "";
  return el("li", { "data-status": shown }, `${r.file}：${STATUS_LABEL[shown] || shown}${extra}`);
}
async function poll(jobId) {
  const out = $("#u-result");
  let job;
  try { job = await api(`/api/jobs/${jobId}`); }
  catch (e) { out.replaceChildren(el("li", {}, "导入状态获取失败：" + e.message)); return; }
  out.replaceChildren(...job.results.map(r => describe(r, job.status)));
  if (job.status === "queued" || job.status === "running") setTimeout(() => poll(jobId), 500);
  else {
    if (job.status === "failed") out.append(el("li", {}, "导入失败：" + job.error));
    loadDocs(); loadQuarantine();
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

// The documents the caller may see; teachers delete an upload (a background job, polled until done).
function docRow(d) {
  const cells = [d.title, TYPE_LABEL[d.type] || d.type, d.cohort || d.author || "", d.date || "",
    d.access === "internal" ? "内部" : "公开", d.pishi ? "获批示" : "—"];
  const action = role !== "teacher" ? "" : !d.uploaded ? el("span", { class: "small" }, "资料目录文件")
    : el("button", { type: "button", class: "danger", "aria-label": `删除 ${d.title}`, onclick: ev => deleteDoc(d, ev.currentTarget) }, "删除");
  return el("tr", { "data-doc": d.doc_id }, ...cells.map(c => el("td", {}, c)), el("td", {}, action));
}
async function loadDocs(message = "") {
  const box = $("#docs");
  try {
    const data = await api("/api/documents");
    const head = ["标题", "类型", "班次/作者", "日期", "权限", "批示", "操作"];
    box.replaceChildren(el("table", { class: "docs" }, el("caption", { class: "visually-hidden" }, "资料列表"),
      el("thead", {}, el("tr", {}, head.map(h => el("th", { scope: "col" }, h)))),
      el("tbody", {}, data.documents.map(docRow))));
    $("#docs-status").textContent = message || `共 ${data.documents.length} 篇`;
  } catch (e) { $("#docs-status").textContent = "资料列表获取失败：" + e.message; }
}
async function deleteDoc(d, button) {
  if (button.dataset.confirm !== "1") {  // two steps instead of a modal confirm(): the second click deletes
    button.dataset.confirm = "1"; button.textContent = "确认删除？"; return;
  }
  button.disabled = true; button.textContent = "删除中…";
  let message;
  try {
    const job = await api(`/api/documents/${encodeURIComponent(d.doc_id)}`, { method: "DELETE" });
    for (;;) {
      const state = await api(`/api/jobs/${job.job_id}`);
      if (state.status === "done") { message = `已删除：${d.title}`; break; }
      if (state.status === "failed") { message = `删除失败：${d.title}：${state.error}`; break; }
      await new Promise(r => setTimeout(r, 400));
    }
  } catch (e) { message = `删除失败：${d.title}：${e.message}`; }
  await loadDocs(message);
}
$("#docs-refresh").addEventListener("click", () => loadDocs());

// On load: the stored token is checked before it is used (a refused one is dropped), then the list.
tokenBox.value = storedToken();
storedRole().then(r => {
  role = r || "trainee";
  tokenStatus.textContent = r === null ? "保存的令牌无效，已删除" : storedToken() ? ROLE_LABEL[r] : "";
  if (r === null) tokenBox.value = "";
  loadDocs(); loadQuarantine();
}).catch(() => { loadDocs(); loadQuarantine(); });
