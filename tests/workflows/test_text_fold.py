"""Accent- and case-insensitive folding, the one rule for search."""

import pytest

from workflows.text import fold, search_words, searchable


@pytest.mark.parametrize(
    ("typed", "folded"),
    [
        ("Construcción", "construccion"),
        ("RÓTULO", "rotulo"),
        ("trámite", "tramite"),
        ("Año  de\u00a0la\tniñez ", "ano de la ninez"),
        ("ÜBER", "uber"),
        ("", ""),
        ("ﬁesta", "fiesta"),  # a ligature as some PDFs paste it
    ],
)
def test_fold_drops_accents_case_and_extra_space(typed, folded):
    assert fold(typed) == folded


@pytest.mark.parametrize(
    ("typed", "words"),
    [
        ("Permiso de RÓTULO, 2024", ["permiso", "de", "rotulo", "2024"]),
        ("50%_de\\descuento!", ["50", "de", "descuento"]),
        ("{{7*7}}", ["7", "7"]),
        ("  ", []),
    ],
)
def test_search_words_are_folded_runs_of_letters_and_digits(typed, words):
    assert search_words(typed) == words


@pytest.mark.parametrize(
    "typed", ["ñ", "%", "_", "\\", "!", "7", "{{7*7}}", "a b", "0511", "c3", ""]
)
def test_a_search_without_a_two_letter_word_is_not_searchable(typed):
    assert not searchable(typed)


@pytest.mark.parametrize("typed", ["ño", "rótulo", "decreto 27", "Año", "de", "x7y"])
def test_a_search_with_a_two_letter_word_is_searchable(typed):
    assert searchable(typed)
