"""Bilingual text (Spanish first, English available) carried by procedure definitions."""

from __future__ import annotations

import re
import threading
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

import snowballstemmer

#: The most characters a definition's title may have in each language (the schema's `title`).
TITLE_MAX_LENGTH = 200
#: The most characters any other human text of a definition may have in each language (the
#: schema's `text`): a summary, a purpose, a help, a label.
TEXT_MAX_LENGTH = 2000


@dataclass(frozen=True, slots=True)
class Text:
    """A human text in Spanish and English.

    Attributes:
        es: The Spanish text, the language of record.
        en: The English text.
    """

    es: str
    en: str

    def get(self, locale: str) -> str:
        """Return the text for `locale`, falling back to Spanish.

        Args:
            locale: A locale such as "en", "en_US" or "es-SV".

        Returns:
            The English text when the locale is English and the translation is not blank,
            otherwise the Spanish text.
        """
        if locale[:2].lower() == "en" and self.en.strip():
            return self.en
        return self.es

    def to_dict(self) -> dict[str, str]:
        """Return the `{es, en}` mapping this text was loaded from."""
        return {"es": self.es, "en": self.en}


def fold(text: str) -> str:
    """Fold a text for matching as people type it: no accents, no case, single spaces.

    "Construcción  de RÓTULO" and "construccion de rotulo" fold alike; ñ folds to n, as
    people who type without accents write it. The one rule for accent- and case-insensitive
    search (the catalogue, activity codes); PostgreSQL's `unaccent` + `lower` agree with it on
    Spanish text.

    Args:
        text: Any text.

    Returns:
        The text in NFKD without combining marks, case-folded, with runs of white space as one
        space and no leading or trailing space.
    """
    decomposed = unicodedata.normalize("NFKD", text)
    bare = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(bare.casefold().split())


#: Words that say nothing about what is searched: articles, prepositions, conjunctions,
#: pronouns and possessives, folded (one-letter words, "y", "a", "o", go by their length). A
#: subset of the Snowball project's Spanish stop word list (snowballstem.org/algorithms/spanish/
#: stop.txt, the list PostgreSQL's `spanish` configuration ships), plus "etc" as catalogues
#: abbreviate it. "no" stays: "bebidas no alcohólicas" is not "bebidas alcohólicas".
# fmt: off
STOP_WORDS = frozenset((
    "al", "ante", "como", "con", "contra", "cual", "cuales", "de", "del", "desde", "donde",
    "durante", "el", "ella", "ellas", "ellos", "en", "entre", "era", "es", "esa", "esas", "ese",
    "eso", "esos", "esta", "estas", "este", "esto", "estos", "etc", "fue", "ha", "hacia", "hasta",
    "la", "las", "le", "les", "lo", "los", "mas", "me", "mi", "mis", "muy", "ni", "nos", "nuestra",
    "nuestras", "nuestro", "nuestros", "otra", "otras", "otro", "otros", "para", "pero", "por",
    "que", "se", "segun", "sera", "ser", "si", "sin", "sino", "sobre", "son", "su", "sus", "tal",
    "te", "tras", "tu", "tus", "un", "una", "unas", "uno", "unos", "ya", "yo",
))
# fmt: on
_TOKEN = re.compile(r"[^\W\d_]+|\d+")
_STEMMER = snowballstemmer.stemmer("spanish")
_STEMMER_LOCK = threading.Lock()  # a Snowball stemmer keeps state while it stems a word


def terms(text: str) -> tuple[str, ...]:
    """Return the search terms of a text: its words as Spanish stems, in order.

    The one rule for word search in Spanish (activity codes, the catalogue without
    PostgreSQL): the text is folded (`fold`), split into runs of letters and runs of digits,
    stop words (`STOP_WORDS`) and one-letter words dropped, and each word cut to its stem by
    the Snowball Spanish stemmer (the algorithm of PostgreSQL's `spanish` configuration), so
    "Reparación", "reparaciones" and "REPARACION" are all "repar", and "bar" stays "bar" (not
    "barquillos", "barquill"). Digits are kept whole ("10712").

    Args:
        text: Any text, as typed or as a description is written.

    Returns:
        The stems, one per remaining word, in the order of the words (repeats kept).
    """
    return tuple(
        _stem(word)
        for word in _TOKEN.findall(fold(text))
        if word not in STOP_WORDS and (len(word) > 1 or word.isdigit())
    )


@lru_cache(maxsize=16384)
def _stem(word: str) -> str:
    with _STEMMER_LOCK:
        return _STEMMER.stemWord(word)


#: A word of a search: a run of letters and digits (punctuation, `%`, `_` and `\\` separate).
_SEARCH_WORD = re.compile(r"[^\W_]+")


def search_words(query: str) -> list[str]:
    """Return the words of a search as typed, folded (`fold`): what every match must contain.

    Args:
        query: The search as typed ("Permiso de RÓTULO, 2024").

    Returns:
        The folded words in order (["permiso", "de", "rotulo", "2024"]); LIKE and tsquery
        wildcards and operators are never words.
    """
    return _SEARCH_WORD.findall(fold(query))


def searchable(query: str) -> bool:
    """Tell whether a search says something: one of its words has at least two letters.

    A search without such a word ("ñ", "%", "7", "{{7*7}}") would match everything or nothing
    by accident, so the catalogue asks for two letters instead (numbers may still narrow a
    search that has a word: "decreto 27").
    """
    return any(sum(ch.isalpha() for ch in word) >= 2 for word in search_words(query))
