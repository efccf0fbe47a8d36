from knowledge._layout import fix_layout
from knowledge.morph import Lemmatizer


def test_wrong_layout_is_converted(lemmatizer: Lemmatizer) -> None:
    """Russian typed with the English layout reads as Russian."""
    assert fix_layout("ytn ghjdjlrb", lemmatizer.is_known) == "нет проводки"


def test_punctuation_keys_become_letters(lemmatizer: Lemmatizer) -> None:
    """Keys `,` `.` `;` `'` `[` give б ю ж э х in the Russian layout."""
    assert fix_layout("j,hf,jnrf", lemmatizer.is_known) == "обработка"


def test_trailing_sentence_punctuation_is_kept(lemmatizer: Lemmatizer) -> None:
    """A full stop after a word stays a full stop when the word is known without it."""
    assert fix_layout("ytn ghjdjlrb.", lemmatizer.is_known) == "нет проводки."


def test_english_words_are_not_converted(lemmatizer: Lemmatizer) -> None:
    """Real English words and product names are not turned into gibberish."""
    for text in ("ошибка в excel", "windows update", "sql server", "ok"):
        assert fix_layout(text, lemmatizer.is_known) == text


def test_only_the_latin_part_of_mixed_text_is_converted(lemmatizer: Lemmatizer) -> None:
    """Cyrillic words around a wrong-layout run are kept as they are."""
    assert fix_layout("в 1с ytn ghjdjlrb", lemmatizer.is_known) == "в 1с нет проводки"
