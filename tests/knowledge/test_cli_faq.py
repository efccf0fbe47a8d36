"""`supportdesk faq ...` as a person runs it."""

import json
import shutil
from pathlib import Path

import pytest

from bot.cli import main

from .conftest import MINI_KB


def test_check_reports_broken_files_and_fails(
    kb_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`faq check` lists each broken file with its reason and exits 1."""
    (kb_dir / "bad.md").write_text("---\nid: bad\ntitle: t\n---\n<b>x", encoding="utf-8")
    assert main(["faq", "check", "--kb", str(kb_dir)]) == 1
    out = capsys.readouterr().out
    assert "записей 10, с ошибками 1" in out
    assert "bad.md: ответ: тег <b> не закрыт" in out


def test_check_passes_on_a_good_base(capsys: pytest.CaptureFixture[str]) -> None:
    """A valid knowledge base checks clean."""
    assert main(["faq", "check", "--kb", str(MINI_KB)]) == 0
    assert "с ошибками 0" in capsys.readouterr().out


def test_eval_json_prints_one_object_with_the_figures(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`faq eval --json` prints exactly the documented keys (``answered`` and
    ``shown_precision`` joined them with the semantic engine, issue 16)."""
    cases = tmp_path / "cases.csv"
    cases.write_text("query,expected\nзабыл пароль,forgot-password\nкурс доллара,\n", "utf-8")
    assert main(["faq", "eval", "--kb", str(MINI_KB), "--cases", str(cases), "--json"]) == 0
    figures = json.loads(capsys.readouterr().out)
    assert set(figures) == {
        "n", "top1", "top3", "mrr", "false_suggestion_rate", "coverage", "p50_ms", "p99_ms",
        "answered", "shown_precision",
    }  # fmt: skip
    assert figures["n"] == 2
    assert figures["top1"] == 1.0
    assert figures["false_suggestion_rate"] == 0.0


def test_eval_text_report_in_russian(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Without --json the figures are printed for reading, misses on request."""
    cases = tmp_path / "cases.csv"
    cases.write_text("query,expected\nзабыл пароль,add-user\n", "utf-8")
    main(["faq", "eval", "--kb", str(MINI_KB), "--cases", str(cases), "--misses"])
    out = capsys.readouterr().out
    assert "top-1" in out
    assert "add-user → forgot-password" in out


def test_import_writes_good_rows_and_reports_bad_ones(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`faq import` keeps good rows and names bad rows; exit 1 when any row was bad."""
    table = tmp_path / "faq.csv"
    table.write_text("question;answer\nКак обновить;Так\n;без вопроса\n", "utf-8")
    assert main(["faq", "import", str(table), "--into", str(tmp_path / "kb")]) == 1
    out = capsys.readouterr().out
    assert "Записано 1 файлов" in out
    assert "строка 3: пустой вопрос" in out


def test_missing_kb_is_a_clear_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A wrong --kb path prints an error and exits 2."""
    assert main(["faq", "check", "--kb", str(tmp_path / "nope")]) == 2
    assert "нет такого файла" in capsys.readouterr().err


def test_gaps_groups_texts_from_a_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """`faq gaps --from FILE` prints groups with counts, biggest first."""
    source = tmp_path / "unanswered.csv"
    source.write_text("text\nпринтер не печатает\nне печатает принтер\nкурс доллара\n", "utf-8")
    assert main(["faq", "gaps", "--from", str(source)]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[1].split() == ["2", "принтер", "не", "печатает"]
    assert lines[3].split() == ["1", "курс", "доллара"]


def test_suggest_shows_confidence(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """`faq suggest` shows what the bot would offer (words and meaning, as the bot
    does; a copy, since the vectors are cached inside the FAQ directory)."""
    kb = tmp_path / "kb"
    shutil.copytree(MINI_KB, kb)
    assert main(["faq", "suggest", "--kb", str(kb), "ytn", "ghjdjlrb"]) == 0
    assert (kb / ".vectors").is_dir()
    assert (
        capsys.readouterr()
        .out.splitlines()[0]
        .endswith("no-postings: Документ проведён, но нет проводок")
    )
