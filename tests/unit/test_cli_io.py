"""The command line as a shell runs it, in subprocesses: bytes in, bytes out, settings errors.

These run the installed ``coverage-bot`` script, so the locale, the encoding of stdin and
stdout, a closed pipe and the ``.env`` in the working directory are those of a real run.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from bot.cli import main

COVERAGE_BOT = str(Path(sys.executable).with_name("coverage-bot"))
QUESTION = b"Why does the Biden administration keep talking to Putin?"


@pytest.fixture
def workdir(seed_index_dir: Path, tmp_path: Path) -> Path:
    """A working directory holding a copy of the seeds and index, and no ``.env``."""
    shutil.copytree(seed_index_dir / "seeds", tmp_path / "seeds")
    shutil.copytree(seed_index_dir / "index", tmp_path / "index")
    return tmp_path


def _environment(workdir: Path, **extra: str) -> dict[str, str]:
    """A clean environment: no inherited COVERAGE_* or encoding overrides, the copy's folders."""
    keep = {"PATH", "HOME", "SYSTEMROOT", "TMPDIR"}
    env = {name: value for name, value in os.environ.items() if name in keep}
    env |= {
        "COVERAGE_SEEDS_DIR": str(workdir / "seeds"),
        "COVERAGE_INDEX_DIR": str(workdir / "index"),
        "COVERAGE_DATA_DIR": str(workdir / "data"),
    }
    return env | extra


def _run(workdir: Path, *args: str, stdin: bytes = b"", **env: str) -> subprocess.CompletedProcess[bytes]:  # fmt: skip
    return subprocess.run(
        [COVERAGE_BOT, *args],
        input=stdin,
        capture_output=True,
        cwd=workdir,
        env=_environment(workdir, **env),
        check=False,
    )


@pytest.mark.parametrize(
    "locale",
    [
        {"LC_ALL": "C.UTF-8"},
        {"LC_ALL": "C"},  # Python's UTF-8 mode: undecodable bytes would pass through
        {"LC_ALL": "C", "PYTHONUTF8": "0"},  # ASCII stdout: curly quotes would not encode
    ],
)
def test_ask_json_turns_undecodable_stdin_into_valid_utf8_json(
    workdir: Path, locale: dict[str, str]
) -> None:
    stdin = QUESTION + b" \xff\xfe\xe9\n" + b"Is foreign policy personal?\n"
    done = _run(workdir, "ask", "--json", "-", stdin=stdin, **locale)
    assert done.returncode == 0, done.stderr.decode(errors="replace")
    assert b"Traceback" not in done.stderr
    lines = done.stdout.decode("utf-8").splitlines()  # strict: raises on invalid UTF-8
    first, second = (json.loads(line) for line in lines)
    assert first["question"].endswith(" \ufffd\ufffd\ufffd") and first["answered"]
    assert "’" in first["answer"]  # curly quotes from the article, in UTF-8 whatever the locale
    assert second["question"] == "Is foreign policy personal?"


def test_a_closed_stdout_ends_ask_quietly(workdir: Path) -> None:
    """``coverage-bot ask --json - | head -1``: the reader goes away after the first answer."""
    process = subprocess.Popen(
        [COVERAGE_BOT, "ask", "--json", "-"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        cwd=workdir,
        env=_environment(workdir),
    )
    assert process.stdin is not None and process.stdout is not None
    process.stdin.write(QUESTION + b"\n")
    process.stdin.flush()
    assert json.loads(process.stdout.readline())["answered"]
    process.stdout.close()  # what `head -1` does once it has its line
    process.stdin.write(QUESTION + b"\n")  # the next answer meets a closed pipe
    process.stdin.close()
    assert process.stderr is not None
    stderr = process.stderr.read()
    returncode = process.wait()
    assert stderr == b"", stderr.decode(errors="replace")
    assert returncode == 1


@pytest.mark.parametrize("command", [["articles"], ["ask", QUESTION.decode()]])
def test_a_stdout_closed_from_the_start_ends_quietly(workdir: Path, command: list[str]) -> None:
    """Output still buffered when the command ends is flushed where a closed pipe is caught."""
    process = subprocess.Popen(
        [COVERAGE_BOT, *command],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        cwd=workdir,
        env=_environment(workdir),
    )
    assert process.stdout is not None and process.stderr is not None
    process.stdout.close()
    stderr = process.stderr.read()
    assert (process.wait(), stderr) == (1, b"")


def test_sync_takes_global_and_summary_does_not(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("DISCORD_TOKEN", raising=False)
    assert main(["sync", "--global"]) == 2  # parsed; then stops for want of a token
    assert "No DISCORD_TOKEN" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        main(["sync", "--global", "--guild", "1"])  # one or the other
    with pytest.raises(SystemExit):
        main(["summary", "--global"])
    assert "unrecognized arguments: --global" in capsys.readouterr().err


def test_a_settings_error_never_echoes_a_secret(workdir: Path) -> None:
    token = "MTIzNDU2Nzg5MDEyMzQ1Njc4.Gabcde.mistypedsecretvalue0123456789abc"
    (workdir / ".env").write_text(
        f"DISCORD_TOKN={token}\nCOVERAGE_API_KEY=hunter2hunter2\nCOVERAGE_SEED_DIR=typo-dir\n"
    )
    done = _run(workdir, "articles", COVERAGE_BM25_B="7")
    err = done.stderr.decode()
    assert done.returncode == 2 and "Traceback" not in err
    assert "DISCORD_TOKN" in err and "COVERAGE_API_KEY" in err and "COVERAGE_SEED_DIR" in err
    assert "COVERAGE_BM25_B" in err and "'7'" in err  # values of harmless settings help
    for secret in (token, token[:12], token[-12:], "hunter2"):
        assert secret not in err
    assert "typo-dir" not in err  # an unknown name may be a mistyped secret: no value shown


def test_a_list_setting_that_is_not_json_is_one_clear_line(workdir: Path) -> None:
    done = _run(workdir, "articles", COVERAGE_OWNER_IDS="hunter2")
    err = done.stderr.decode()
    assert done.returncode == 2 and "Traceback" not in err and "hunter2" not in err
    assert "COVERAGE_OWNER_IDS: not a JSON list" in err


def test_a_dotenv_that_is_not_utf8_is_one_clear_line(workdir: Path) -> None:
    (workdir / ".env").write_bytes(b"COVERAGE_LOG_LEVEL=INFO\nDISCORD_TOKEN=caf\xe9\n")
    done = _run(workdir, "articles")
    err = done.stderr.decode()
    assert done.returncode == 2 and "Traceback" not in err
    assert str(workdir / ".env") in err and "UTF-8" in err and "line 2" in err
    assert "caf" not in err
