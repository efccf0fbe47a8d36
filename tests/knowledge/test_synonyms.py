from knowledge._synonyms import expand


def test_abbreviation_gets_its_full_form() -> None:
    """`осв` is followed by its expansion so it meets the written-out name."""
    assert expand("сформировать осв") == "сформировать осв оборотно-сальдовая ведомость"


def test_words_that_only_contain_an_abbreviation_are_left_alone() -> None:
    """Expansion works on whole words: `бпх` or `упдейт` are not touched."""
    assert expand("бпх упдейт") == "бпх упдейт"
