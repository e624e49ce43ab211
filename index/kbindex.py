"""The opened knowledge base: embedder, Chroma chunk store and document store, built from settings."""
from __future__ import annotations

import fcntl
import logging
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass, field

from index.access import Role
from index.bm25 import KeywordIndex, current_version
from index.dictionary import DictionaryUse, WordList, effective
from index.docstore import DocStore
from index.embedders import Embedder, make_embedder
from index.store import ChunkStore
from index.retrieval import Retriever
from index.tokenize import use as use_words
from ingest.pipeline import IngestReport, Ingestor, Progress
from kb.settings import Settings

log = logging.getLogger("kb.index")


@dataclass
class KnowledgeBase:
    settings: Settings
    embedder: Embedder
    store: ChunkStore
    docstore: DocStore
    keyword: KeywordIndex | None = None
    _views: dict = field(default_factory=dict, repr=False)  # (version, audience) -> KeywordIndex
    # one thread loads or builds a keyword index or view while the others wait for it: without it, the
    # questions arriving after an ingest each built their own copy (32 clients: 32 builds at once, RSS near
    # 1.5 GB and answers stalled for over a minute at 10k chunks under `kb loadtest --hostile`)
    _keyword_lock: threading.Lock = field(default_factory=threading.Lock, repr=False)
    _audiences: dict = field(default_factory=dict, repr=False)  # audience -> can_see, of the views in use
    _superseded: set = field(default_factory=set, repr=False)  # versions this process replaced by its own builds

    @classmethod
    def open(cls, settings: Settings, *, embedder: Embedder | None = None) -> "KnowledgeBase":
        embedder = embedder or make_embedder(settings)
        settings.data_dir.mkdir(parents=True, exist_ok=True)
        store = ChunkStore(settings, fingerprint=embedder.fingerprint, dim=embedder.dim)
        return cls(settings, embedder, store, DocStore(settings.data_dir))

    def ingestor(self) -> Ingestor:
        return Ingestor(
            embedder=self.embedder, store=self.store, docstore=self.docstore,
            chunk_tokens=self.settings.chunk_tokens, overlap=self.settings.chunk_overlap_sentences,
            batch=self.settings.embed_batch,
        )

    @property
    def bm25_dir(self):
        return self.settings.data_dir / "bm25"

    @property
    def dirty_marker(self):
        return self.settings.data_dir / "ingest.dirty"

    @contextmanager
    def _ingest_lock(self, *, wait: bool = True):
        """One writer at a time per data dir (an flock, released even if the process is killed).
        Yields False without waiting when wait=False and another process holds it."""
        self.settings.data_dir.mkdir(parents=True, exist_ok=True)
        with open(self.settings.data_dir / "ingest.lock", "w") as lock:
            try:
                fcntl.flock(lock, fcntl.LOCK_EX if wait else fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                yield False
                return
            yield True

    def ingest(self, folder, *, progress: Progress | None = None, publish_every: float | None = None,
               on_document=None, **options) -> IngestReport:
        """Run the incremental ingest, then bring the keyword index in step with it.

        `options` go to `Ingestor.run` (`quarantine`, `conventions` for the uploads folder). With
        `publish_every` (seconds), the documents stored so far are published after the first one and then at
        most that often, so a server answers from them while the rest is embedded (the first run of
        `kb serve --ingest`); every published document is stored and manifest-listed, as at the end.
        `on_document(done, total)` reports each document stored.

        One ingest at a time per data dir; a marker file tells the next run (or a server that opens
        the data dir, `recover`) that the last one died, so orphan chunks are removed.

        The keyword index is cut with the dictionary as it is now (`dictionary`): an edited user dictionary
        applies from here on; its bad lines are the report's warnings.
        """
        with self._ingest_lock():
            dirty = self.dirty_marker
            crashed = dirty.exists()
            dirty.touch()
            if crashed:
                self.remove_orphans()
            words, problems = self.dictionary()
            report = self._ingest(folder, progress=progress, force_keyword=crashed, words=words,
                                  on_document=self._publishing(publish_every, on_document, words), **options)
            report.warnings.extend((str(self.settings.user_dict), problem) for problem in problems)
            dirty.unlink(missing_ok=True)
            return report

    def dictionary(self) -> tuple[WordList, list[str]]:
        """The words a build cuts with now: the shipped general ones and KB_DATA_DIR/user_dict.txt (read each
        time, so a teacher's edit needs no restart), with the messages of the user dictionary's bad lines."""
        words, problems = effective(self.settings.user_dict)
        for problem in problems:
            log.warning("%s: %s", self.settings.user_dict, problem)
        return words, problems

    def recover(self) -> bool:
        """After an ingest died (the dirty marker is left): delete vectors of documents the manifest does
        not list and publish a keyword index rebuilt from the manifest-listed documents, before answering.

        Skipped (False) when no ingest died, or when one is running now (it repairs and publishes itself);
        meanwhile retrieval serves only records of the published keyword index (index.retrieval).
        """
        if not self.dirty_marker.exists():
            return False
        with self._ingest_lock(wait=False) as locked:
            if not locked or not self.dirty_marker.exists():
                return False
            self.remove_orphans()
            self._publish(KeywordIndex.build(self.docstore, words=self.dictionary()[0]))  # finishes that ingest
            self.dirty_marker.unlink(missing_ok=True)
            return True

    def remove_document(self, doc_id: str) -> dict | None:
        """Take one document out of the index (its manifest entry, chunks, stored text) without re-ingesting
        anything; the keyword index is rebuilt from the stored documents with the words it was cut with (not an
        ingest: the other passages' tokens are reused, and an edited user dictionary waits for the next ingest).
        None when no entry has that id."""
        with self._ingest_lock():
            manifest = self.docstore.read_manifest()
            files = manifest.get("files", {})
            key = next((k for k, e in files.items() if e.get("doc_id") == doc_id), None)
            if key is None:
                return None
            self.dirty_marker.touch()
            entry = files.pop(key)
            self.docstore.write_manifest(manifest)  # first: once unlisted, nothing serves it
            self.store.delete(doc_id)
            self.docstore.remove(doc_id)
            self._publish(self._rebuilt())
            self.dirty_marker.unlink(missing_ok=True)
            return entry

    def remove_orphans(self) -> int:
        """Delete chunks of documents the manifest does not list (left by an interrupted ingest)."""
        listed = {e["doc_id"] for e in self.docstore.read_manifest().get("files", {}).values()}
        stored = {m.get("doc_id") for m in self.store.collection.get(include=["metadatas"])["metadatas"]}
        orphans = stored - listed
        for doc_id in orphans:
            self.store.delete(doc_id)
        return len(orphans)

    def _ingest(self, folder, *, progress: Progress | None, force_keyword: bool, words: WordList,
                **options) -> IngestReport:
        before = self.keyword or KeywordIndex.load(self.bm25_dir)  # the index this ingest replaces
        report = self.ingestor().run(folder, progress=progress, **options)
        keyword = self.keyword or before  # published meanwhile (publish_every), else the one before
        new_words = before is not None and before.tokenizer != words.fingerprint
        if (force_keyword or report.changed or keyword is None or len(keyword.records) != self.store.count()
                or keyword.tokenizer != words.fingerprint):
            self._publish(KeywordIndex.build(self.docstore, reuse=keyword, words=words))  # not read again
        elif self.keyword is None:
            self._install(keyword)
        report.dictionary = DictionaryUse(
            general=len(words.general), user=len(words.user), retokenized=new_words,
            user_changed=before is not None and before.words.user != words.user)
        return report

    def _publishing(self, every: float | None, then=None, words: WordList | None = None):
        """The per-document hook of an ingest that publishes what is stored at most every `every` seconds."""
        if every is None:
            return then
        last = [None]

        def hook(done: int, total: int) -> None:
            now = time.monotonic()
            if done < total and (last[0] is None or now - last[0] >= every):
                self._publish(self._rebuilt(words))
                last[0] = time.monotonic()
            if then is not None:
                then(done, total)
        return hook

    def _rebuilt(self, words: WordList | None = None) -> KeywordIndex:
        """The keyword index of the stored documents, reusing the tokens of unchanged chunks; cut with `words`,
        by default those of the index it replaces."""
        reuse = self.keyword or KeywordIndex.load(self.bm25_dir)
        return KeywordIndex.build(self.docstore, reuse=reuse, words=words)

    def _install(self, keyword: KeywordIndex) -> None:
        """Serve `keyword` in this process, with the role views in use built first: questions go on using the
        previous index until the new one is complete, so none waits on a rebuild (at 10k chunks, 32 clients
        asking during an upload used to stall past a minute)."""
        views = {(keyword.version, audience): keyword.view(can_see) for audience, can_see in list(self._audiences.items())}
        with self._keyword_lock:
            if self.keyword is not None:
                self._superseded.add(self.keyword.version)
            self.keyword, self._views = keyword, views
            use_words(keyword.words)  # questions are cut as its passages were

    def _publish(self, keyword: KeywordIndex) -> None:
        """Install, then save and point CURRENT at it for the other processes (installed first; until the
        save, CURRENT names the version it replaced, which keyword_index knows not to reload)."""
        self._install(keyword)
        keyword.save(self.bm25_dir)

    def keyword_index(self, role: Role = Role.TEACHER) -> KeywordIndex:
        """The published keyword index as the role may see it (reloaded when an ingest elsewhere published
        a newer one). A trainee's view holds public records only, with its own term statistics."""
        version = current_version(self.bm25_dir)
        full = self.keyword
        if full is None or self._published_elsewhere(version, full):
            with self._keyword_lock:  # another process published: one thread loads it (its tokens are saved)
                full = self.keyword
                if full is None or self._published_elsewhere(version, full):
                    full = self.keyword = (KeywordIndex.load(self.bm25_dir)
                                           or KeywordIndex.build(self.docstore, words=self.dictionary()[0]))
                    use_words(full.words)  # the words its passages were cut with, whatever the file says now
        if role is Role.TEACHER:
            return full
        self._audiences.setdefault(role.audience, role.can_see)
        key = (full.version, role.audience)
        view = self._views.get(key)
        if view is None:
            with self._keyword_lock:
                view = self._views.get(key)
                if view is None:
                    view = full.view(role.can_see)
                    self._views = {**{k: v for k, v in self._views.items() if k[0] == full.version}, key: view}
        return view

    def _published_elsewhere(self, version: str | None, served: KeywordIndex) -> bool:
        return bool(version) and version != served.version and version not in self._superseded

    def retriever(self, role: Role = Role.TEACHER) -> Retriever:
        return Retriever(embedder=self.embedder, store=self.store, keyword=self.keyword_index(role),
                         dense_weight=self.settings.dense_weight, bm25_weight=self.settings.bm25_weight)

