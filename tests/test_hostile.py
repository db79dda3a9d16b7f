"""Hostile input and hostile servers (issue 14): numbers too long for ``int()``, line shapes
that made regular expressions backtrack, a broken front matter kept alive, misleading
messages for odd files, and LLM servers that never answer, trickle or answer garbage.

No timing assertions: the slow shapes run at sizes where the old code took seconds to
minutes; the suite staying fast is the evidence, the assertions are on results."""

import gc
import os
import socket
import threading
import time
import weakref

import pytest

from agent import document
from agent.engine import CheckOptions, build_context, check_document, check_paths
from tests.conftest import make_ctx

BIG = "9" * 5000  # int() refuses more than 4,300 digits


def _check(text: str, repo_path="veps/sig-compute/1-hostile/vep.md"):
    doc = document.parse(text.encode("utf-8"), "vep.md", repo_path)
    return doc, check_document(doc, build_context(CheckOptions(), None))


# --- numbers ------------------------------------------------------------------------------

def test_numbers_too_long_are_findings_not_internal_errors(tmp_path):
    vep_dir = tmp_path / "veps/sig-compute" / f"{BIG[:200]}-foo"
    vep_dir.mkdir(parents=True)
    (vep_dir / "vep.md").write_text(
        f'---\ntitle: Foo\nvep-number: "{BIG}"\nowning-sig: sig-compute\nstatus: provisional\n'
        f'replaces: "{BIG}"\nmilestone:\n  alpha: "v1.{BIG}"\n  beta: "v{BIG}.1"\n---\n'
        f"# VEP #{BIG}: Foo\n\n## Target releases\n\nThis VEP targets alpha for version v1.{BIG}.\n")
    report = check_paths([str(vep_dir / "vep.md")])
    assert not report.errors and report.files[0].error is None
    by_rule = {}
    for f in report.findings:
        by_rule.setdefault(f.rule, []).append(f.message)
    assert "VEP000" not in by_rule
    assert any("not a valid VEP number" in m for m in by_rule["VEP101"])
    assert any("valid VEP number" in m for m in by_rule["VEP105"])
    vep206 = " ".join(by_rule["VEP206"])
    assert "`vep-number: 9999" in vep206 and "replaces" in vep206 and vep206.count("not a valid") == 4
    assert len(max(by_rule["VEP206"], key=len)) < 300  # the number is cut in the message
    assert any("not a valid release" in m for m in by_rule["VEP601"])


def test_small_int_bounds():
    assert document.small_int("0307") == 307
    assert document.small_int("1" * 9) == 111111111
    assert document.small_int("1" * 10) is None
    assert document.small_int("³") is None and document.small_int("") is None


# --- super-linear regular expressions ----------------------------------------------------

HEAD = "# VEP #1: Hostile\n\n## Overview\n\nText.\n\n"


def test_graduation_stage_line_of_spaces():
    # "Alpha" + spaces + "x": 6 s at 1 KB before (cubic), hours at 16 KB
    doc, findings = _check(HEAD + "## Graduation Requirements\n\nAlpha" + " " * 16_000 + "x\n\n- Beta" + " " * 16_000
                           + "x\n")
    assert "VEP000" not in {f.rule for f in findings}
    assert any(f.rule == "VEP404" and "no Alpha, Beta and GA stages" in f.message for f in findings)


def test_gate_mention_in_code_block_with_spaces():
    # "feature gate" + spaces + "!" in fenced code: 8.6 s at 10 KB before (quadratic)
    doc, findings = _check(HEAD + "## Design\n\n```\nfeature gate" + " " * 40_000 + "!\n"
                           + "the feature gate `FooGate`\n```\n")
    assert "VEP000" not in {f.rule for f in findings}
    from agent.rules.vep501_feature_gate_missing import gate_facts

    assert [g.name for g in gate_facts(doc, build_context(CheckOptions(), None).template).body] == ["FooGate"]


def test_title_of_spaces():
    # an H1 of 40,000 spaces between "VEP" and the rest: 9 s before
    doc = document.parse(("# VEP" + " " * 40_000 + "#12:" + " " * 40_000 + "Title" + " " * 40_000 + "x\n").encode())
    assert doc.title.number == 12 and doc.title.title.startswith("Title") and doc.title.title.endswith("x")
    assert doc.title.well_formed
    assert document.parse(b"# VEP #7:   A title   \n").title[2:] == (7, "A title", True)


# --- memory -------------------------------------------------------------------------------

def test_broken_front_matter_document_is_freed_without_the_cycle_collector():
    enabled = gc.isenabled()
    gc.disable()
    try:
        doc = document.parse(b"---\ntitle: [unclosed\nfoo: bar\n---\n# VEP #1: x\n", "a.md")
        error = doc.front_matter.error
        assert error.line == 3 and "invalid YAML" in error.reason
        assert error.__traceback__ is None and error.__context__ is None
        ref = weakref.ref(doc)
        del doc, error
        assert ref() is None
    finally:
        if enabled:
            gc.enable()


# --- messages -----------------------------------------------------------------------------

@pytest.mark.parametrize("codec,name", [("utf-16-le", "UTF-16"), ("utf-16-be", "UTF-16"),
                                        ("utf-32-le", "UTF-32"), ("utf-32-be", "UTF-32")])
def test_wide_unicode_with_bom_is_decoded_and_named(codec, name):
    text = "---\ntitle: Ünïcode\n---\n# VEP #1: Title\n"
    data = "\ufeff".encode(codec) + text.encode(codec)
    doc = document.parse(data, "vep.md", "veps/sig-compute/1-x/vep.md")
    assert doc.front_matter.data["title"] == "Ünïcode" and doc.title.number == 1
    findings = check_document(doc, make_ctx())
    vep001 = [f for f in findings if f.rule == "VEP001"]
    assert vep001 and vep001[0].fix.startswith(f"{name}: convert it to UTF-8")


def test_symlink_loop_fifo_and_device_are_named(tmp_path):
    loop = tmp_path / "loop.md"
    loop.symlink_to(loop)
    fifo = tmp_path / "fifo.md"
    os.mkfifo(fifo)
    report = check_paths([str(loop), str(fifo), "/dev/null"])
    errors = "\n".join(report.errors)
    assert "loop.md: symbolic link loop" in errors
    assert "fifo.md: not a regular file (a FIFO" in errors
    assert "/dev/null: not a regular file (a device)" in errors
    assert report.exit_code == 2


# --- LLM servers that misbehave -------------------------------------------------------------

class _Server:
    """A tiny HTTP server on 127.0.0.1 that answers every connection with ``handler(conn)``."""

    def __init__(self, handler):
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.url = f"http://127.0.0.1:{self.sock.getsockname()[1]}"
        self.handler, self.connections, self.conns = handler, 0, []
        self.thread = threading.Thread(target=self._serve, daemon=True)

    def _serve(self):
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            self.connections += 1
            self.conns.append(conn)
            threading.Thread(target=self._one, args=(conn,), daemon=True).start()

    def _one(self, conn):
        try:
            conn.settimeout(10)
            data = b""
            while b"\r\n\r\n" not in data:
                data += conn.recv(65536)
            head, _, body = data.partition(b"\r\n\r\n")
            length = next((int(line.split(b":")[1]) for line in head.split(b"\r\n")
                           if line.lower().startswith(b"content-length")), 0)
            while len(body) < length:
                body += conn.recv(65536)
            self.handler(conn)
        except OSError:
            pass
        finally:
            try:
                conn.close()
            except OSError:
                pass

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.sock.close()
        for c in self.conns:
            try:
                c.close()
            except OSError:
                pass


def _never(conn):
    time.sleep(5)


def _trickle(conn):
    conn.sendall(b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 1000\r\n\r\n")
    for _ in range(50):
        conn.sendall(b" ")
        time.sleep(0.1)


def _not_json(conn):
    body = b"<html>proxy error</html>"
    # "connection: close" as the server closes it: a client reusing it would race the close
    conn.sendall(b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\nconnection: close\r\n"
                 b"content-length: %d\r\n\r\n%s" % (len(body), body))


def _truncated(conn):
    conn.sendall(b'HTTP/1.1 200 OK\r\ncontent-type: application/json\r\nconnection: close\r\ncontent-length: 500\r\n\r\n'
                 b'{"id": "msg_1", "ty')


@pytest.fixture(autouse=True)
def _no_ambient_llm_settings(monkeypatch):
    for var in ("ANTHROPIC_API_KEY", "ANTHROPIC_BASE_URL", "VEP_REVIEW_MODEL", "HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY"):
        monkeypatch.delenv(var, raising=False)


def _review(url, **options):
    from agent.review import LlmOptions, review_documents
    from tests.llm.conftest import Sleeps, fixture_doc

    doc = fixture_doc("synthetic-vep.md")
    return review_documents([(doc, make_ctx())], LlmOptions(base_url=url, sleep=Sleeps(), reviewers=("design_gaps",),
                                                            **options))


@pytest.mark.parametrize("handler", [_never, _trickle])
def test_a_server_that_does_not_answer_is_cut_off_by_the_attempt_limit(handler):
    with _Server(handler) as server:
        start = time.monotonic()
        report = _review(server.url, timeout=0.5, max_retries=1)
        elapsed = time.monotonic() - start
    assert elapsed < 4  # the server would hold each attempt 5 s
    assert "request timed out (limit 0.5 s) after 2 attempts" in report.llm_status
    assert report.usage["attempts"] == 2 and server.connections == 2
    assert report.findings  # the deterministic findings are kept


def test_the_review_time_limit_bounds_all_attempts():
    with _Server(_never) as server:
        start = time.monotonic()
        report = _review(server.url, timeout=30, max_retries=5, total_timeout=0.8)
        elapsed = time.monotonic() - start
    assert elapsed < 4
    assert "time limit of 0.8 s" in report.llm_status


@pytest.mark.parametrize("handler", [_not_json, _truncated])
def test_invalid_answers_are_retried_then_reported(handler):
    with _Server(handler) as server:
        report = _review(server.url, timeout=3, max_retries=2)
    assert "invalid response from the API" in report.llm_status and "after 3 attempts" in report.llm_status
    assert "internal error" not in report.llm_status
    assert report.usage["attempts"] == 3 and server.connections == 3
