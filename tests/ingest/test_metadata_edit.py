"""Editing an upload's metadata: the sidecar outranks the front matter, keeps its defaults, and a failed
re-ingest puts the old sidecar back (the indexed version stays)."""
import yaml

from index.kbindex import KnowledgeBase
from ingest.uploads import Jobs, UploadService, edit_sidecar, restore_sidecar
from tests.api.conftest import fake_settings

TEXT = "---\ntitle: 原标题\ntype: case\ncohort: 第1期\naccess: public\n---\n# 原标题\n正文内容，用于测试元数据修改。\n"


def test_edit_sidecar_keeps_defaults_and_other_keys(tmp_path):
    path = tmp_path / "a.md"
    path.write_text(TEXT, encoding="utf-8")
    (tmp_path / "a.md.meta.yaml").write_text("defaults: {type: report, access: internal}\npishi_note: 好\n", encoding="utf-8")
    old = edit_sidecar(path, {"cohort": "第2期", "topics": ["甲", "乙"], "author": "ignored"})
    meta = yaml.safe_load((tmp_path / "a.md.meta.yaml").read_text(encoding="utf-8"))
    assert meta == {"defaults": {"type": "report", "access": "internal"}, "pishi_note": "好", "cohort": "第2期",
                    "topics": ["甲", "乙"]}
    restore_sidecar(path, old)
    assert (tmp_path / "a.md.meta.yaml").read_text(encoding="utf-8") == old
    restore_sidecar(path, None)
    assert not (tmp_path / "a.md.meta.yaml").exists()


def _wait(jobs, job_id):
    import time

    for _ in range(400):
        job = jobs.get(job_id)
        if job["status"] in ("done", "failed"):
            return job
        time.sleep(0.05)
    raise AssertionError(job)


def test_edit_job_reindexes_and_a_failed_one_restores(tmp_path, fake_embedder):
    settings = fake_settings(tmp_path)
    kbase = KnowledgeBase.open(settings, embedder=fake_embedder)
    settings.uploads_dir.mkdir(parents=True)
    path = settings.uploads_dir / "a.md"
    path.write_text(TEXT, encoding="utf-8")
    kbase.ingest(settings.uploads_dir, conventions=False)
    doc_id = kbase.docstore.all_documents()[0].doc_id
    jobs = Jobs(UploadService.from_settings(settings))

    done = _wait(jobs, jobs.edit(kbase, doc_id, path, {"title": "新标题", "cohort": "第2期"})["job_id"])
    assert done["status"] == "done", done
    doc = kbase.docstore.load(doc_id)
    assert (doc.meta.title, doc.meta.cohort, doc.meta.type) == ("新标题", "第2期", "case")  # the front matter's type stays
    assert {r.meta["title"] for r in kbase.keyword_index().records} == {"新标题"}

    sidecar = (settings.uploads_dir / "a.md.meta.yaml").read_text(encoding="utf-8")
    failed = _wait(jobs, jobs.edit(kbase, doc_id, path, {"type": "memo"})["job_id"])  # past the API's validation
    assert failed["status"] == "failed" and "type" in failed["error"]
    assert (settings.uploads_dir / "a.md.meta.yaml").read_text(encoding="utf-8") == sidecar
    assert kbase.docstore.load(doc_id).meta.title == "新标题"  # the indexed version stays
