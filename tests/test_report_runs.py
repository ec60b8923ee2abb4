"""cxlib report runs: atomic, locked, interrupt-safe, time-limited, clear about its folder.

Each test looks at the final state of the reports folder and its surroundings: the previous
report unchanged or replaced as a whole, no partial or work folder, no row-level file and no
kernel left behind. Runs that must be interrupted use a notebook that writes its kernel's pid
to a file and then sleeps; the test waits for that file before it sends the signal.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import nbformat
import pytest
from notebook_helpers import make_notebook

from cxlib import __main__ as cli
from cxlib.privacy import KEY_FILE, key_fingerprint
from cxlib.report import ReportError, run_reports
from cxlib.report.html import GENERATOR

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "data" / "examples"
GERMAN = ["customer_id=KundenNr,date=Datum,amount=Betrag"]
BYOD = ["--transactions", str(EXAMPLES / "umsaetze.csv"), "--column", GERMAN[0]]
BYOD += ["--date-format", "%d.%m.%Y", "--decimal", ","]


def _sleeper(folder: Path, marker: Path, seconds: int = 120) -> Path:
    """A notebook on your transactions that writes its kernel's pid to ``marker``, then sleeps."""
    return make_notebook(
        folder / "02_sleep.ipynb",
        "transactions_path = None",
        f"import os, time\nopen({str(marker)!r}, 'w').write(str(os.getpid()))",
        f"time.sleep({seconds})",
    )


def _previous_report(out: Path) -> dict[str, str]:
    """A complete earlier report in ``out``; returns its files and contents."""
    (out / "analyst").mkdir(parents=True)
    (out / "stakeholder").mkdir()
    (out / "index.html").write_text(f"<html><head>{GENERATOR}</head>earlier run</html>")
    (out / "stakeholder" / "02_sleep.html").write_text("earlier stakeholder page")
    return _contents(out)


def _contents(out: Path) -> dict[str, str]:
    return {str(p.relative_to(out)): p.read_text() for p in sorted(out.rglob("*")) if p.is_file()}


def _wait_for(path: Path, timeout: float = 90.0) -> int:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if path.is_file() and path.read_text().strip():
            return int(path.read_text())
        time.sleep(0.2)
    raise AssertionError(f"{path} was not written within {timeout} s")


def _gone(pid: int, timeout: float = 30.0) -> bool:
    """True once process ``pid`` has ended (a zombie waiting to be reaped counts as ended)."""
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return True
        stat = Path(f"/proc/{pid}/stat")
        if stat.is_file() and stat.read_text().rsplit(")", 1)[-1].split()[0] == "Z":
            return True
        time.sleep(0.2)
    return False


def _start_cli(notebook: Path, out: Path, *extra: str) -> subprocess.Popen[str]:
    env = {**os.environ, "CXLIB_PSEUDONYM_KEY": "test-key"}
    command = [sys.executable, "-m", "cxlib", "report", str(notebook), "--out", str(out)]
    return subprocess.Popen(
        [*command, *extra], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )


def _leftovers(out: Path) -> list[str]:
    hidden = [p.name for p in out.parent.iterdir() if p.name.startswith(f".{out.name}.")]
    rows = [str(p) for p in out.parent.rglob("*.parquet")]
    return hidden + rows


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_a_signal_stops_the_run_and_leaves_the_previous_report(tmp_path, sig):
    out = tmp_path / "reports"
    before = _previous_report(out)
    marker = tmp_path / "kernel.pid"
    run = _start_cli(_sleeper(tmp_path, marker), out, *BYOD)
    kernel = _wait_for(marker)
    # row-level data exists while the run lasts, in the private work folder only
    assert any(p.suffix == ".parquet" for p in tmp_path.rglob("*")), "inputs not prepared"
    if sig == signal.SIGTERM:  # a second run into the same folder is refused meanwhile
        second = subprocess.run(
            [sys.executable, "-m", "cxlib", "report", "02", "--out", str(out)],
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert second.returncode == 2
        assert "another cxlib report is writing to" in second.stderr
        assert f"pid {run.pid}" in second.stderr
    run.send_signal(sig)
    _, err = run.communicate(timeout=60)
    assert run.returncode == 128 + sig
    assert f"interrupted ({signal.Signals(sig).name})" in err and "Traceback" not in err
    assert _contents(out) == before  # the previous complete report, untouched
    assert _leftovers(out) == []  # no partial folder, work folder, lock or row-level file
    assert _gone(kernel), "the notebook's kernel is still running"


def test_a_complete_run_replaces_the_old_report_as_a_whole(tmp_path, monkeypatch):
    monkeypatch.setenv("CXLIB_PSEUDONYM_KEY", "test-key")
    out = tmp_path / "reports"
    _previous_report(out)
    (out / "analyst" / "05_old.html").write_text("a page of an earlier run")
    (out / "index.html").chmod(0o444)  # a read-only index is replaced, not written into
    # leftovers of a run killed outright (SIGKILL) are removed by the next run
    stale = tmp_path / ".reports.work-99999999"
    stale.mkdir()
    (stale / "transactions.parquet").write_bytes(b"row-level data of a killed run")
    (tmp_path / ".reports.partial-99999999").mkdir()
    notebook = make_notebook(tmp_path / "02_quick.ipynb", "transactions_path = None", "print('ok')")
    (run,) = run_reports(
        [notebook],
        out,
        transactions=EXAMPLES / "umsaetze.csv",
        columns=GERMAN,
        date_format="%d.%m.%Y",
        decimal=",",
        progress=False,
    )
    assert run.status == "ok", run.error
    assert sorted(_contents(out)) == [
        "analyst/02_quick.html",
        "index.html",
        "stakeholder/02_quick.html",
    ]
    index = (out / "index.html").read_text()
    assert key_fingerprint("test-key") in index and "test-key" not in index
    assert "time limit: 30 min per notebook" in index and "decimal mark: ," in index
    assert _leftovers(out) == []


def test_a_notebook_over_the_time_limit_is_stopped_with_its_kernel(tmp_path):
    marker = tmp_path / "kernel.pid"
    sleeper = make_notebook(
        tmp_path / "01_sleep.ipynb",
        "seed = 0",
        f"import os, time\nopen({str(marker)!r}, 'w').write(str(os.getpid()))",
        "time.sleep(120)",
    )
    quick = make_notebook(tmp_path / "02_quick.ipynb", "seed = 0", "print('ok')")
    out = tmp_path / "reports"
    runs = run_reports([sleeper, quick], out, time_limit=20, progress=False, jobs=2)
    assert [r.status for r in runs] == ["failed", "ok"], [r.error for r in runs]
    assert re.search(r"time limit of 20 s, in cell \d+ of \d+", runs[0].error), runs[0].error
    assert _gone(int(marker.read_text())), "the stopped notebook's kernel is still running"
    assert not (out / "analyst" / "01_sleep.html").exists()
    assert (out / "stakeholder" / "02_quick.html").exists()


def _read_only(monkeypatch, folder: Path) -> None:
    """Make ``folder`` read-only; as root (who may write anyway) the check is told so."""
    folder.chmod(0o555)
    if os.geteuid() == 0:
        real = os.access
        monkeypatch.setattr(
            os, "access", lambda p, mode: False if Path(p) == folder else real(p, mode)
        )


def test_a_read_only_folder_is_refused_before_any_notebook_runs(tmp_path, monkeypatch, capsys):
    out = tmp_path / "reports"
    before = _previous_report(out)
    _read_only(monkeypatch, out)
    try:
        assert cli.main(["report", "02", "--out", str(out)]) == 2
    finally:
        out.chmod(0o755)
    err = capsys.readouterr().err
    assert f"{out} is read-only, so the old report cannot be replaced" in err
    assert "Traceback" not in err and err.count("\n") == 1
    assert _contents(out) == before and _leftovers(out) == []


def test_a_folder_with_other_files_is_never_replaced(tmp_path):
    out = tmp_path / "documents"
    out.mkdir()
    (out / "thesis.docx").write_text("not a report")
    with pytest.raises(ReportError, match=r"holds files that are not part of a cxlib report"):
        run_reports(["02"], out, progress=False)
    assert (out / "thesis.docx").read_text() == "not a report"


def test_key_file_problems_are_one_sentence(tmp_path, monkeypatch, capsys):
    monkeypatch.delenv("CXLIB_PSEUDONYM_KEY", raising=False)
    notebook = make_notebook(tmp_path / "02_quick.ipynb", "transactions_path = None", "print('ok')")
    out = tmp_path / "reports"
    (tmp_path / KEY_FILE).mkdir()  # a folder where the key file goes
    assert cli.main(["report", str(notebook), "--out", str(out), *BYOD]) == 2
    err = capsys.readouterr().err
    assert f"The pseudonym key path {tmp_path / KEY_FILE} is not a file" in err
    assert "Traceback" not in err and not out.exists() and _leftovers(out) == []

    (tmp_path / KEY_FILE).rmdir()
    (tmp_path / KEY_FILE).write_text("a-shared-key\n")
    (tmp_path / KEY_FILE).chmod(0o644)  # readable by every user of the machine
    assert cli.main(["report", str(notebook), "--out", str(out), *BYOD]) == 0
    err = capsys.readouterr().err
    assert "warning: The pseudonym key file" in err and "can be read by other users" in err
    assert f"chmod 600 {tmp_path / KEY_FILE}" in err
    assert key_fingerprint("a-shared-key") in (out / "index.html").read_text()


def test_an_unexpected_error_is_one_sentence_and_a_log(tmp_path, monkeypatch, capsys):
    def broken(*args, **kwargs):
        raise KeyError("boom")

    monkeypatch.setattr("cxlib.report.run_reports", broken)
    out = tmp_path / "reports"
    assert cli.main(["report", "--out", str(out)]) == 2
    err = capsys.readouterr().err
    log = tmp_path / "cxlib-report.log"
    assert "unexpected error (KeyError: 'boom')" in err and str(log) in err
    assert "Traceback" not in err
    assert "Traceback" in log.read_text() and "boom" in log.read_text()


def _numbers_shown(page: Path) -> str:
    """The text of a report page: tags, images and pseudonyms removed."""
    text = re.sub(r"data:image/[a-z]+;base64,[A-Za-z0-9+/=]+", "", page.read_text())
    text = re.sub(r"P-[0-9a-f]{12}", "P-…", re.sub(r"<[^>]+>", " ", text))
    return " ".join(text.split())


def test_results_do_not_depend_on_the_pseudonym_key(tmp_path, monkeypatch):
    """The RFM and customer-value templates (segments, CLV fits) on the German example export,
    under two keys: the pseudonyms differ, every number and sentence must not."""
    pages = {}
    for key in ("first-key", "second-key"):
        monkeypatch.setenv("CXLIB_PSEUDONYM_KEY", key)
        out = tmp_path / key
        runs = run_reports(
            ["03_rfm_segments", "04_customer_value"],
            out,
            transactions=EXAMPLES / "umsaetze.csv",
            columns=GERMAN,
            date_format="%d.%m.%Y",
            decimal=",",
            progress=False,
        )
        assert [r.status for r in runs] == ["ok", "ok"], [r.error for r in runs]
        # stakeholder pages: every number and sentence, without the run's paths and kernel ids
        pages[key] = {r.name: _numbers_shown(out / r.stakeholder) for r in runs}
        assert "bought again most often" in pages[key]["03_rfm_segments"]
    assert pages["first-key"] == pages["second-key"]


def test_an_unexpected_error_in_a_check_names_the_file_and_logs_the_traceback(
    tmp_path, monkeypatch, capsys
):
    def broken(*args, **kwargs):
        raise ZeroDivisionError("a bug in a check")

    monkeypatch.setattr("cxlib.byod.prepare.check_file", broken)
    out = tmp_path / "reports"
    assert cli.main(["report", "02", "--out", str(out), *BYOD]) == 2
    err = capsys.readouterr().err
    assert f"{EXAMPLES / 'umsaetze.csv'}: unexpected error while checking this file" in err
    assert "ZeroDivisionError: a bug in a check" in err and "Traceback" not in err
    log = (tmp_path / "cxlib-report.log").read_text()
    assert "Traceback" in log and "a bug in a check" in log
    assert not out.exists() and _leftovers(out) == []


def test_a_kernel_that_dies_at_start_is_started_again(tmp_path, monkeypatch):
    """Two kernels started at one moment can clash on a port; the notebook is run again."""
    from cxlib.report import execute

    calls = []

    def flaky(papermill, task, executed, on_cell, *, engine):
        calls.append(engine)
        if len(calls) == 1:
            return execute._KERNEL_START_FAILED
        nbformat.write(nbformat.v4.new_notebook(), executed)
        return ""

    monkeypatch.setattr(execute, "_execute", flaky)
    monkeypatch.setattr(execute.time, "sleep", lambda seconds: None)
    for sub in ("analyst", "stakeholder"):
        (tmp_path / sub).mkdir()
    notebook = make_notebook(tmp_path / "01_x.ipynb", "seed = 0", "print(1)")
    run = execute.run_notebook(execute.Task(notebook, tmp_path, {}, "python3", tmp_path))
    assert run.status == "ok" and len(calls) == 2
