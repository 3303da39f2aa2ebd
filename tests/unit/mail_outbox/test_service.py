"""The mail service built through its constructor: preview, host instructions, typed JSON results."""

from __future__ import annotations

import email
import email.policy
from concurrent.futures import BrokenExecutor
from dataclasses import dataclass, fields, replace
from pathlib import Path

import pytest

from orchestrator.mail.dispatch import DispatchConfig
from orchestrator.mail.preview import PreviewRequest
from orchestrator.mail.results import HostMailResult, PlanResult, SendDueResult
from orchestrator.mail.service import MailOptions, MailService
from orchestrator.mail.transports import EmlDirectoryTransport
from orchestrator.mail.transports.base import TemporaryFailure
from orchestrator.results import to_jsonable
from tests.unit.mail_outbox.support import event_with_people

SENDER = "Forum Seniorenarbeit NRW <info@forum-seniorenarbeit.de>"


@dataclass(frozen=True)
class Texts:
    de: str
    en: str


@dataclass(frozen=True)
class Applied:
    round: int
    payload_hash: str
    instructions: Texts


def _service(sqlite_url: str, tmp_path: Path, out: Path) -> MailService:
    rt = event_with_people(sqlite_url, tmp_path)
    options = MailOptions(DispatchConfig(sender=SENDER, message_id_domain="fachtag.example.org"))
    return MailService(rt.store, rt.clock, lambda: EmlDirectoryTransport(out), options)


def test_preview_eml_comes_from_the_one_builder(sqlite_url: str, tmp_path: Path) -> None:
    service = _service(sqlite_url, tmp_path, tmp_path / "mails")
    result = service.preview(None, PreviewRequest("confirmation", "de", None, tmp_path / "preview"))
    assert [p.name for p in result.files] == [
        "confirmation-de.subject.txt",
        "confirmation-de.txt",
        "confirmation-de.html",
        "confirmation-de.eml",
        "confirmation-de.ics",
    ]
    data = (tmp_path / "preview" / "confirmation-de.eml").read_bytes()
    assert data.count(b"\n") == data.count(b"\r\n")  # wire format: CRLF only
    parsed = email.message_from_bytes(data, policy=email.policy.default)
    assert parsed.get_content_type() == "multipart/mixed"
    assert parsed["Message-ID"] == "<preview-confirmation-de@forum-seniorenarbeit.de>"
    # The Date comes from the service's clock, not the wall clock.
    assert parsed["Date"].datetime == service.clock.now().replace(microsecond=0)
    assert to_jsonable(result)["files"][3] == str(tmp_path / "preview" / "confirmation-de.eml")


def test_host_instructions_are_mailed_per_applied_round(sqlite_url: str, tmp_path: Path) -> None:
    out = tmp_path / "mails"
    service = _service(sqlite_url, tmp_path, out)
    rounds = [
        Applied(1, "hash-1", Texts("Bitte Räume öffnen.", "Please open the rooms.")),
        Applied(2, "hash-2", Texts("", "")),  # nothing to tell: no mail
    ]
    assert service.send_host_instructions(None, rounds) == (HostMailResult(1, True),)
    (path,) = out.iterdir()
    parsed = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
    assert parsed["Message-ID"].startswith("<host-") and parsed["Message-ID"].endswith(
        "@fachtag.example.org>"
    )
    body = parsed.get_content()
    assert "Bitte Räume öffnen." in body and "Please open the rooms." in body
    # Same round and payload again: the same Message-ID, so the .eml transport writes no second file.
    service.send_host_instructions(None, rounds[:1])
    assert len(list(out.iterdir())) == 1
    assert to_jsonable(HostMailResult(1, True)) == {"round": 1, "sent": True}


def test_host_instructions_report_a_transport_that_does_not_open(sqlite_url: str, tmp_path: Path) -> None:
    service = _service(sqlite_url, tmp_path, tmp_path / "mails")

    class Down(EmlDirectoryTransport):
        def open(self) -> None:
            raise TemporaryFailure(None, "connection refused")

    down = MailService(service.store, service.clock, lambda: Down(tmp_path / "x"), service.options)
    rounds = [Applied(1, "hash-1", Texts("a", "b"))]
    result = down.send_host_instructions(None, rounds)
    assert result == (HostMailResult(None, False, "connection refused"),)
    assert to_jsonable(result) == [{"round": None, "sent": False, "reason": "connection refused"}]


def test_send_due_result_serialises_with_the_keys_of_the_json_answer() -> None:
    """``mail send-due --json`` keys and their order (the golden file holds the values)."""
    assert [f.name for f in fields(SendDueResult)] == [
        "planned",
        "event",
        "resent_after_crash",
        "skipped_overdue",
        "sent",
        "deferred",
        "failed",
        "cancelled",
        "lease_ran_short",
        "released",
        "sent_by_occasion",
        "failures",
        "seconds",
    ]
    assert [f.name for f in fields(PlanResult)] == [
        "event",
        "created",
        "rescheduled",
        "requeued",
        "cancelled",
        "skipped",
        "cancelled_reasons",
    ]


def test_a_render_pool_builds_the_bytes_the_send_threads_build(sqlite_url: str, tmp_path: Path) -> None:
    """Rendering in worker processes changes where the CPU works, not one byte of a mail."""
    from orchestrator.mail.render import EventInfo, MailRenderer, Occasion, Recipient
    from orchestrator.mail.render_pool import BuildFailed, MailOrder, RendererSpec, RenderPool, build_message

    pool = RenderPool(RendererSpec(), processes=1)
    try:
        service = replace(_service(sqlite_url, tmp_path, tmp_path / "pooled"), render_pool=pool)
        report = service.send_due(None)
        assert report.sent > 200 and report.failed == 0
        start = service.clock.now()
        event = EventInfo("k", "Fachtag", "Forum", "info@forum.example", None, "Europe/Berlin", start, start)
        orders = [
            MailOrder(
                kind,
                event,
                Recipient("a@example.org", "Ann", "Ö", lang, "https://zoom.example/w/1?tk=x"),
                Occasion(),
                message_id=f"<{kind}.{lang}@fachtag.example.org>",
                sender=SENDER,
                reply_to=None,
                date=start,
            )
            for kind in ("confirmation", "thank_you")
            for lang in ("de", "en")
        ]
        local = MailRenderer()
        # A render process that dies (killed, out of memory) is replaced for the next chunk.
        for process in list(pool._pool._processes.values()):
            process.kill()
        for _attempt in range(3):
            try:
                pool.build_many(orders[:1]).result()
                break
            except BrokenExecutor:
                continue
        else:
            pytest.fail("the render pool did not recover from a dead process")
        # A mail that cannot be built is named, and does not take the rest of its chunk with it.
        broken = replace(orders[0], kind="reminder")
        failed, fine = pool.build_many([broken, orders[0]]).result()
        assert isinstance(failed, BuildFailed) and failed.expected and fine == build_message(local, orders[0])
        built = pool.build_many(orders).result()
        assert [m.data for m in built] == [build_message(local, o).data for o in orders]  # type: ignore[union-attr]
    finally:
        pool.close()
    mails = list((tmp_path / "pooled").glob("*.eml"))
    assert len(mails) == report.sent
    parsed = email.message_from_bytes(mails[0].read_bytes(), policy=email.policy.default)
    assert parsed.get_content_type() == "multipart/mixed"
