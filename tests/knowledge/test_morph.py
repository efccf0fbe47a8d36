from knowledge.analysis import Analyzer
from knowledge.morph import Lemmatizer


def test_word_forms_share_a_lemma(lemmatizer: Lemmatizer) -> None:
    """Different forms of the same words give the same terms."""
    assert set(lemmatizer.terms("ошибки документов")) == set(lemmatizer.terms("ошибка документ"))


def test_negation_is_kept_as_its_own_term(lemmatizer: Lemmatizer) -> None:
    """`не проводит` keeps the negation glued to the verb, and the bare verb too."""
    assert lemmatizer.terms("не проводит") == ["не_проводить", "проводить"]


def test_reflexive_verb_folds_onto_its_base(lemmatizer: Lemmatizer) -> None:
    """`не проводится` and `не проводит` meet on the same terms."""
    assert lemmatizer.terms("не проводится") == lemmatizer.terms("не проводит")


def test_function_words_and_politeness_are_dropped(lemmatizer: Lemmatizer) -> None:
    """Greetings, pronouns and prepositions carry no topic."""
    assert lemmatizer.terms("здравствуйте, подскажите пожалуйста как мне в отчет") == ["отчет"]


def test_analyzer_fixes_layout_and_expands_abbreviations(analyzer: Analyzer) -> None:
    """The pipeline expands abbreviations and fixes the keyboard layout."""
    result = analyzer.analyze("ОСВ по 41 счету")
    assert "оборотный" in result.terms
    assert "ведомость" in result.terms
    assert "нет проводки" in analyzer.analyze("ytn ghjdjlrb").surface


def test_answer_terms_are_distinct_content_lemmas_in_order(lemmatizer: Lemmatizer) -> None:
    """An answer's terms: each content lemma once, first-seen order, the same on a warm cache."""
    text = "не проводит документ, документы не проводятся, а в отчете пусто"
    first = lemmatizer.distinct_terms(text)
    assert first == ["проводить", "документ", "отчет", "пусто"]
    assert lemmatizer.distinct_terms(text) == first
