"""Bilingual text (Spanish first, English available) carried by procedure definitions."""

from __future__ import annotations

from dataclasses import dataclass


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
