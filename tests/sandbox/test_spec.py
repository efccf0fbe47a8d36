"""Parameters are checked against the shared Bot API spec; without it, basic checks remain."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from sandbox._errors import BadRequest
from sandbox._params import Params
from sandbox._spec import SPEC_ENV, default_spec_path, load_spec


def test_the_shared_spec_is_found_next_to_the_repository():
    spec = load_spec()
    assert spec.loaded
    assert spec.source == default_spec_path()
    assert "sendMessage" in spec.methods


def test_required_parameters_come_from_the_spec():
    spec = load_spec()
    with pytest.raises(BadRequest, match='parameter "name" is required'):
        spec.check("createForumTopic", Params({"chat_id": "-100"}))
    with pytest.raises(BadRequest, match='parameter "user_id" must be an Integer'):
        spec.check("getChatMember", Params({"chat_id": "-100", "user_id": "anna"}))


def test_without_the_spec_the_sandbox_warns_and_checks_the_basics(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
):
    monkeypatch.setenv(SPEC_ENV, str(tmp_path / "missing.json"))
    with caplog.at_level(logging.WARNING, logger="sandbox._spec"):
        spec = load_spec()
    assert not spec.loaded
    assert "only basic parameter checks" in caplog.text
    with pytest.raises(BadRequest, match='parameter "text" is required'):
        spec.check("sendMessage", Params({"chat_id": "1"}))
    spec.check("getMe", Params({}))
