"""Shared fixtures: the mini knowledge base and one lemmatizer for the whole run."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from knowledge.analysis import Analyzer
from knowledge.base import KnowledgeBase
from knowledge.morph import Lemmatizer, default_lemmatizer

MINI_KB = Path(__file__).parent / "data" / "mini_kb"


@pytest.fixture(scope="session")
def lemmatizer() -> Lemmatizer:
    return default_lemmatizer()


@pytest.fixture(scope="session")
def analyzer(lemmatizer: Lemmatizer) -> Analyzer:
    return Analyzer(lemmatizer)


@pytest.fixture(scope="session")
def mini_kb(lemmatizer: Lemmatizer) -> KnowledgeBase:
    return KnowledgeBase(MINI_KB, lemmatizer=lemmatizer)


@pytest.fixture
def kb_dir(tmp_path: Path) -> Path:
    """A writable copy of the mini knowledge base."""
    target = tmp_path / "kb"
    shutil.copytree(MINI_KB, target)
    return target
