"""The CLI ends a known failure with one Chinese fix-it line (no traceback) and a closed pipe quietly."""

from __future__ import annotations

import os
import subprocess
import sys

from drafter.cli import main


def test_missing_run_dir_is_one_line(tmp_path, capsys):
    assert main(["resume", str(tmp_path / "nope")]) == 1
    err = capsys.readouterr().err
    assert err.startswith("错误：") and "Traceback" not in err and len(err.strip().splitlines()) == 1


def test_bad_facts_file_is_one_line(tmp_path, capsys):
    bad = tmp_path / "facts.json"
    bad.write_text('{"genre": "工作总结"}', encoding="utf-8")
    assert main(["draft", str(bad), "--out", str(tmp_path / "runs")]) != 0
    assert "Traceback" not in capsys.readouterr().err


def test_closed_pipe_ends_quietly(tmp_path):
    env = {**os.environ, "DRAFTER_HOME": str(tmp_path)}
    ingest = subprocess.run([sys.executable, "-m", "drafter.cli", "ingest", "--quiet"], capture_output=True, env=env,
                            timeout=120)
    assert ingest.returncode == 0, ingest.stderr
    read_end, write_end = os.pipe()
    os.close(read_end)  # the reader is gone before anything is written: every write gets EPIPE
    proc = subprocess.run([sys.executable, "-m", "drafter.cli", "search", "党员志愿服务活动", "-k", "5"],
                          stdout=write_end, stderr=subprocess.PIPE, text=True, env=env, timeout=120)
    os.close(write_end)
    assert "BrokenPipeError" not in proc.stderr and "Traceback" not in proc.stderr, proc.stderr
    assert proc.returncode == 0
