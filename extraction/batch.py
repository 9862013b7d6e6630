"""Extract many documents, in one process or a pool of worker processes.

medspaCy rule objects cannot be pickled, so ``nlp.pipe(n_process>1)`` fails; instead
each worker process builds its own pipeline once (pool initializer) and documents are
sent to it. Results come back in input order, with a bounded number in flight so memory
stays flat over thousands of charts. A failure on one document is reported for that
document and never stops the others.
"""

from __future__ import annotations

import logging
from collections import deque
from collections.abc import Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass

from prescreen.settings import Settings

from .findings import Document, Finding
from .pipeline import DocumentTooLarge, Extractor

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class DocResult:
    document: Document
    findings: list[Finding]
    error: str | None = None


def _run(extractor: Extractor, document: Document) -> DocResult:
    try:
        return DocResult(document, extractor.extract(document))
    except DocumentTooLarge as exc:
        return DocResult(document, [], str(exc))
    except Exception as exc:  # one bad document must not lose the others' results
        log.exception("extraction failed doc_id=%s error=%s", document.doc_id, type(exc).__name__)
        return DocResult(document, [], f"internal error while extracting ({type(exc).__name__})")


_WORKER: Extractor | None = None


def _init_worker(settings: Settings) -> None:
    global _WORKER  # one pipeline per worker process, built once
    _WORKER = Extractor(settings=settings)


def _work(document: Document) -> DocResult:
    assert _WORKER is not None, "worker not initialised"
    return _run(_WORKER, document)


class WorkerPool:
    """A pool of worker processes, each holding its own pipeline (built once)."""

    def __init__(self, workers: int, settings: Settings | None = None) -> None:
        self.workers = workers
        self._pool = ProcessPoolExecutor(
            max_workers=workers, initializer=_init_worker, initargs=(settings or Settings(),)
        )

    def __enter__(self) -> WorkerPool:
        return self

    def __exit__(self, *exc: object) -> None:
        self._pool.shutdown(cancel_futures=True)

    def warm_up(self, documents: list[Document]) -> None:
        """Run a few documents so every worker has built its pipeline."""
        for _ in self.extract(documents):
            pass

    def extract(self, documents: Iterable[Document]) -> Iterator[DocResult]:
        """Results in input order, at most ``4 × workers`` documents in flight."""
        window = self.workers * 4
        pending: deque[Future[DocResult]] = deque()
        for d in documents:
            pending.append(self._pool.submit(_work, d))
            if len(pending) >= window:
                yield pending.popleft().result()
        while pending:
            yield pending.popleft().result()


def extract_documents(
    documents: Iterable[Document],
    *,
    workers: int = 1,
    settings: Settings | None = None,
    extractor: Extractor | None = None,
) -> Iterator[DocResult]:
    """Yield one result per document, in input order."""
    settings = settings or Settings()
    if workers <= 1:
        ext = extractor or Extractor(settings=settings)
        for d in documents:
            yield _run(ext, d)
        return
    with WorkerPool(workers, settings) as pool:
        yield from pool.extract(documents)
