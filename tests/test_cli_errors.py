"""The CLI ends a known failure with one Chinese fix-it line (no traceback) and a closed pipe quietly."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from drafter import commands
from drafter.cli import fix_it, main
from drafter.llm.errors import EndpointUnreachableError
from drafter.prompts import PromptError, render


def one_line(capsys) -> str:
    err = capsys.readouterr().err
    assert err.startswith("错误：") and "Traceback" not in err and len(err.strip().splitlines()) == 1, err
    return err.strip()


def test_missing_run_dir_is_one_line(tmp_path, capsys):
    assert main(["resume", str(tmp_path / "nope")]) == 1
    assert one_line(capsys) == f"错误：{tmp_path / 'nope'} 不是草稿目录（缺少 facts.json）。请检查路径是否正确。"
    assert main(["regenerate", str(tmp_path / "nope"), "--section", "1"]) == 1
    assert "不是草稿目录" in one_line(capsys)


def test_a_damaged_run_dir_is_one_line(tmp_path, capsys):
    run = tmp_path / "run"
    (run / "sections").mkdir(parents=True)
    (run / "facts.json").write_text("{", encoding="utf-8")
    assert main(["resume", str(run)]) == 1
    assert "JSON 文件已损坏（第 1 行第 2 列" in one_line(capsys)
    (run / "facts.json").write_text('{"genre": "工作总结"}', encoding="utf-8")
    assert main(["resume", str(run)]) == 1
    assert one_line(capsys).startswith("错误：事实文件有误：unit：必填")


def test_bad_or_missing_facts_file_is_one_line(tmp_path, capsys):
    bad = tmp_path / "facts.json"
    bad.write_text('{"genre": "工作总结", "achievements": 5}', encoding="utf-8")
    assert main(["draft", str(bad), "--out", str(tmp_path / "runs")]) == 1
    line = one_line(capsys)
    assert line.startswith("错误：事实文件有误：unit：必填") and "；" in line  # every problem, on one line
    assert main(["draft", str(tmp_path / "absent.json")]) == 1
    assert one_line(capsys) == f"错误：找不到事实文件：{tmp_path / 'absent.json'}"
    assert not (tmp_path / "runs").exists()


def test_prompt_llm_and_file_errors_have_a_fix_it_line(tmp_path):
    with pytest.raises(PromptError) as prompt:
        render("write_section", genre="工作总结")
    assert "缺少变量" in fix_it(prompt.value) and "重新安装" in fix_it(prompt.value)
    assert fix_it(EndpointUnreachableError("http://127.0.0.1:9/v1")).startswith("无法连接模型服务 http://127.0.0.1:9/v1")
    with pytest.raises(OSError) as not_dir:
        (tmp_path / "file").write_text("x", encoding="utf-8")
        (tmp_path / "file" / "out").mkdir()
    assert fix_it(not_dir.value).startswith("路径中有一段不是目录")
    assert fix_it(RuntimeError("a bug")) is None  # a bug keeps its traceback


def test_interrupt_ends_with_one_line(tmp_path, capsys, monkeypatch):
    def interrupted(args):
        raise KeyboardInterrupt

    monkeypatch.setattr(commands, "cmd_resume", interrupted)
    assert main(["resume", str(tmp_path)]) == 130
    assert capsys.readouterr().err.strip() == "已中断。"


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
