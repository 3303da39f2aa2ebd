"""Render and build mails in worker processes: the CPU half of sending, on the other cores.

Rendering the templates and writing the MIME bytes costs most of a mail's CPU time; the send
threads share one interpreter lock, so on their own they use one core however many there are.
With ``ORCHESTRATOR_MAIL_RENDER_PROCESSES`` > 0 the dispatcher's threads hand each mail's
rendering to a :class:`RenderPool` and keep only the delivery (file or SMTP) and the store's
bookkeeping. The bytes are the same as when the thread renders (:func:`build_message`).
"""

from __future__ import annotations

import multiprocessing
import threading
from collections.abc import Sequence
from concurrent.futures import BrokenExecutor, Future, ProcessPoolExecutor
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from orchestrator.errors import OrchestratorError
from orchestrator.i18n import language
from orchestrator.mail.fastmime import build_prepared
from orchestrator.mail.prepared import PreparedMessage
from orchestrator.mail.render import EventInfo, MailRenderer, Occasion, Recipient


@dataclass(frozen=True)
class RendererSpec:
    """What a worker process needs to build its own renderer."""

    template_dir: Path | None = None
    logo_url: str | None = None


@dataclass(frozen=True)
class BuildFailed:
    """Why a worker could not build one mail (``expected``: a template or data problem we name)."""

    message: str
    expected: bool


@dataclass(frozen=True)
class MailOrder:
    """One mail to render and build (everything a worker needs, nothing it must look up)."""

    kind: str
    event: EventInfo
    recipient: Recipient
    occasion: Occasion
    message_id: str
    sender: str
    reply_to: str | None
    date: datetime
    ui_language: str = "de"  # the language of error messages (the caller's, not the recipient's)


def build_message(renderer: MailRenderer, order: MailOrder) -> PreparedMessage:
    """Render ``order`` and build its wire bytes (8-bit text parts where possible)."""
    rendered = renderer.render(order.kind, order.event, order.recipient, order.occasion, now=order.date)
    return build_prepared(
        rendered,
        sender=order.sender,
        recipient=order.recipient,
        message_id=order.message_id,
        reply_to=order.reply_to,
        date=order.date,
        eight_bit=True,
    )


class RenderPool:
    """Worker processes that build mails; thread-safe, started once and reused by every pass."""

    def __init__(self, spec: RendererSpec, processes: int) -> None:
        if processes < 1:
            raise ValueError("a render pool needs at least one process")
        self._spec, self._processes = spec, processes
        self._lock = threading.Lock()
        self._pool = self._new_pool()

    def _new_pool(self) -> ProcessPoolExecutor:
        # "spawn": a forked child would inherit the parent's threads' locks in whatever state.
        # Processes start with the first chunk, not here.
        return ProcessPoolExecutor(
            max_workers=self._processes,
            mp_context=multiprocessing.get_context("spawn"),
            initializer=_start_worker,
            initargs=(self._spec,),
        )

    def build_many(self, orders: Sequence[MailOrder]) -> Future[list[PreparedMessage | BuildFailed]]:
        """The built mails of ``orders``, in order, each one or why it could not be built.

        One task per chunk of mails: handing a process one mail at a time costs the sending
        process about as much as rendering it would.
        """
        with self._lock:
            try:
                return self._pool.submit(_build_all_in_worker, tuple(orders))
            except BrokenExecutor:  # a process died earlier: start afresh
                self._pool.shutdown(wait=False, cancel_futures=True)
                self._pool = self._new_pool()
                return self._pool.submit(_build_all_in_worker, tuple(orders))

    def close(self) -> None:
        """Stop the worker processes."""
        with self._lock:
            self._pool.shutdown(wait=True, cancel_futures=True)


_renderer: MailRenderer | None = None  # the worker process's own renderer


def _start_worker(spec: RendererSpec) -> None:
    global _renderer
    _renderer = MailRenderer(spec.template_dir, spec.logo_url)


def _build_all_in_worker(orders: tuple[MailOrder, ...]) -> list[PreparedMessage | BuildFailed]:
    assert _renderer is not None, "the worker was started without its renderer"
    built: list[PreparedMessage | BuildFailed] = []
    for order in orders:
        with language(order.ui_language):
            try:
                built.append(build_message(_renderer, order))
            except OrchestratorError as exc:
                built.append(BuildFailed(exc.message, expected=True))
            except Exception as exc:  # one broken mail must not fail the others of its chunk
                built.append(BuildFailed(type(exc).__name__, expected=False))
    return built
