"""Search terms: the one rule for word search in Spanish (fold, split, stop words, stems)."""

import threading

import pytest

from workflows.text import STOP_WORDS, terms


@pytest.mark.parametrize(
    ("typed", "stems"),
    [
        ("Reparación", ("repar",)),
        ("REPARACIONES", ("repar",)),
        ("reparacion", ("repar",)),
        ("mecánico", ("mecan",)),
        ("Reparación mecánica", ("repar", "mecan")),
        ("cafetería", ("cafeteri",)),
        ("CAFETERIAS", ("cafeteri",)),
        ("bar", ("bar",)),
        ("bares", ("bar",)),
        ("barquillos", ("barquill",)),  # not "bar": a whole stem, not a prefix
        ("restaurante con venta de cerveza", ("restaur", "vent", "cervez")),
        ("salón de belleza", ("salon", "bellez")),
        ("Taller de motos", ("tall", "mot")),
        ("n.c.p.", ()),  # one-letter words
        ("de y la", ()),  # stop words only
        ("", ()),
        ("10712 pan", ("10712", "pan")),
        ("pan10712", ("pan", "10712")),  # letters and digits are separate words
        ("Venta, al-por/menor", ("vent", "menor")),
        ("bebidas no alcohólicas", ("beb", "no", "alcohol")),  # "no" says something
        ("Peña", ("pen",)),
        ("Ελληνικά", ("ελληνικα",)),  # other scripts pass through, folded
    ],
)
def test_terms_are_the_stems_of_the_words_that_say_something(typed, stems):
    assert terms(typed) == stems


def test_terms_keep_the_order_and_repeats_of_the_words():
    assert terms("pan y más pan, panes") == ("pan", "pan", "pan")


def test_stop_words_are_folded_so_typed_accents_do_not_matter():
    assert all(word == word.casefold() and word.isascii() for word in STOP_WORDS)
    assert terms("según él sí") == ()


def test_terms_are_the_same_from_many_threads_at_once():
    words = [f"reparaciones{n}x" for n in range(200)]
    expected = {word: terms(word) for word in ("reparaciones", "tiendas", "mecánicos")}
    seen = []

    def stem_many():
        for word in words:
            terms(word)
        seen.append({word: terms(word) for word in expected})

    threads = [threading.Thread(target=stem_many) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert seen == [expected] * 4
