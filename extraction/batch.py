"""Extract many documents, in one process or a pool of worker processes.

medspaCy rule objects cannot be pickled, so ``nlp.pipe(n_process>1)`` fails; instead
each worker process builds its own pipeline once (pool initializer) and documents are
sent to it. Results come back in input order, with a bounded number in flight so memory
stays flat over thousands of charts. A failure on one document is reported for that
document and never stops the others.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
from collections import deque
from collections.abc import Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass

from threadpoolctl import threadpool_limits

from prescreen.settings import Settings

from .findings import Document, Finding
from .pipeline import DocumentTooLarge, Extractor

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class DocResult:
    document: Document
    findings: list[Finding]
    error: str | None = None


BATCH = 32  # documents per model call (and per task sent to a worker)


def _run_batch(extractor: Extractor, documents: list[Document]) -> list[DocResult]:
    """Extract a batch: each document on its own (one failure never loses the others),
    then one calibrated-model call for the whole batch."""
    done: list[tuple[Document, list[Finding]]] = []
    errors: dict[int, str] = {}
    for i, d in enumerate(documents):
        try:
            done.append((d, extractor.extract_heuristic(d)))
        except DocumentTooLarge as exc:
            errors[i] = str(exc)
        except Exception as exc:  # one bad document must not lose the others' results
            log.exception("extraction failed doc_id=%s error=%s", d.doc_id, type(exc).__name__)
            errors[i] = f"internal error while extracting ({type(exc).__name__})"
    calibrated = iter(extractor.calibrate(done))
    return [
        DocResult(d, [], errors[i]) if i in errors else DocResult(d, next(calibrated))
        for i, d in enumerate(documents)
    ]


def _batches(documents: Iterable[Document], size: int) -> Iterator[list[Document]]:
    batch: list[Document] = []
    for d in documents:
        batch.append(d)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


_WORKER: Extractor | None = None


def _init_worker(settings: Settings) -> None:
    global _WORKER  # one pipeline per worker process, built once
    # One native thread per worker: the workers already occupy the cores, and the
    # model's OpenMP/BLAS pools (sized to every core in each worker) would otherwise
    # oversubscribe them. The environment covers libraries loaded later; threadpoolctl
    # limits the ones already loaded (OpenMP reads its environment only once).
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
    _WORKER = Extractor(settings=settings)
    threadpool_limits(limits=1)


def _work(documents: list[Document]) -> list[DocResult]:
    assert _WORKER is not None, "worker not initialised"
    return _run_batch(_WORKER, documents)


class WorkerPool:
    """A pool of worker processes, each holding its own pipeline (built once)."""

    def __init__(self, workers: int, settings: Settings | None = None) -> None:
        self.workers = workers
        # "spawn", not fork: the parent may already run OpenMP threads (the confidence
        # model), and a forked child inheriting them can deadlock
        self._pool = ProcessPoolExecutor(
            max_workers=workers,
            initializer=_init_worker,
            initargs=(settings or Settings(),),
            mp_context=multiprocessing.get_context("spawn"),
        )

    def __enter__(self) -> WorkerPool:
        return self

    def __exit__(self, *exc: object) -> None:
        self._pool.shutdown(cancel_futures=True)

    def warm_up(self, documents: list[Document]) -> None:
        """Run a few documents so every worker has built its pipeline."""
        for _ in self.extract(documents):
            pass

    def extract(self, documents: Iterable[Document], batch: int = 16) -> Iterator[DocResult]:
        """Results in input order, at most ``2 × workers`` batches in flight."""
        window = self.workers * 2
        pending: deque[Future[list[DocResult]]] = deque()
        for chunk in _batches(documents, batch):
            pending.append(self._pool.submit(_work, chunk))
            if len(pending) >= window:
                yield from pending.popleft().result()
        while pending:
            yield from pending.popleft().result()


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
        for chunk in _batches(documents, BATCH):
            yield from _run_batch(ext, chunk)
        return
    with WorkerPool(workers, settings) as pool:
        yield from pool.extract(documents)
