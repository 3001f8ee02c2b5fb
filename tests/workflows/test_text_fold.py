"""Accent- and case-insensitive folding, the one rule for search."""

import pytest

from workflows.text import fold


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
