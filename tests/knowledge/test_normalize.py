from knowledge.normalize import normalize


def test_case_yo_and_spaces_are_folded() -> None:
    """Upper case, ё and runs of odd spaces give one canonical form."""
    assert normalize("  Ещё\u00a0\u00a0РАЗ\tпроведём ") == "еще раз проведем"


def test_zero_width_characters_are_removed() -> None:
    """Invisible characters pasted from messengers do not split words."""
    assert normalize("про\u200bвод\u00adка\ufeff") == "проводка"


def test_latin_c_in_1c_becomes_cyrillic() -> None:
    """`1C` typed with a Latin C is the same product as `1С`."""
    assert normalize("Ошибка 1C:Бухгалтерия") == "ошибка 1с:бухгалтерия"
    assert normalize("1c") == normalize("1С")


def test_latin_lookalikes_inside_cyrillic_words_become_cyrillic() -> None:
    """A word mixing scripts (Latin `o`, `p`, `a` in Cyrillic text) is made Cyrillic."""
    assert normalize("пpoвoдкa") == "проводка"


def test_latin_words_stay_latin() -> None:
    """Words written wholly in Latin letters are left alone."""
    assert normalize("Excel и COM-объект") == "excel и com-объект"


def test_nfkc_folds_compatibility_characters() -> None:
    """Full-width letters and ligatures become plain ones."""
    assert normalize("ＵＰＤ ﬁle") == "upd file"
