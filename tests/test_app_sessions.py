"""Sessions: unguessable ids, strict id check (no path escape), atomic private writes, isolation."""

from __future__ import annotations

import json
import stat

import pytest

from drafter.webapp.sessions import SessionState, SessionStore, new_session_id, valid_session_id


def test_ids_are_random_and_checked():
    a, b = new_session_id(), new_session_id()
    assert a != b and valid_session_id(a) and len(a) == 32
    for bad in (None, "", "../../etc", "A" * 32, a + "0", a[:-1] + "/", 42, {"id": a}):
        assert not valid_session_id(bad)


def test_forged_id_gets_a_new_session_and_never_touches_other_paths(tmp_path):
    store = SessionStore(tmp_path / "sessions")
    sid = store.ensure_id("../../outside")
    assert valid_session_id(sid)
    with pytest.raises(ValueError):
        store.dir("../x")
    store.save(sid, SessionState(form={"unit": "甲"}))
    assert [p.name for p in (tmp_path / "sessions").iterdir()] == [sid]


def test_state_round_trips_and_file_is_private(tmp_path):
    store = SessionStore(tmp_path)
    sid = new_session_id()
    assert store.load(sid) == SessionState()
    state = store.update(sid, form={"unit": "青山镇党委", "figures": [["党员", "1", "名"]]}, outline_text="提纲",
                         pinned=["x"], excluded=["d1"], pending={"0": "正在输入"})
    again = store.load(sid)
    assert again.form == state.form and again.outline_text == "提纲" and again.pending == {"0": "正在输入"}
    path = tmp_path / sid / "state.json"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert not list((tmp_path / sid).glob(".*.tmp"))


def test_two_sessions_never_share_state(tmp_path):
    store = SessionStore(tmp_path)
    a, b = new_session_id(), new_session_id()
    store.update(a, form={"unit": "甲单位"})
    store.update(b, form={"unit": "乙单位"})
    assert store.load(a).form["unit"] == "甲单位"
    assert store.load(b).form["unit"] == "乙单位"


def test_broken_state_file_is_kept_aside_and_session_starts_afresh(tmp_path):
    store = SessionStore(tmp_path)
    sid = new_session_id()
    (tmp_path / sid).mkdir()
    (tmp_path / sid / "state.json").write_text("{not json", encoding="utf-8")
    assert store.load(sid) == SessionState()
    assert list((tmp_path / sid).glob("state.broken-*"))


def test_unknown_keys_and_bad_types_in_a_state_file_are_tolerated(tmp_path):
    store = SessionStore(tmp_path)
    sid = new_session_id()
    (tmp_path / sid).mkdir()
    (tmp_path / sid / "state.json").write_text(json.dumps({"form": [], "future": 1, "pinned": [1]}), encoding="utf-8")
    state = store.load(sid)
    assert state.form == {} and state.pinned == ["1"]
    with pytest.raises(KeyError):
        store.update(sid, nonsense=1)
