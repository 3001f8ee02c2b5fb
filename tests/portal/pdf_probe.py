"""Read rendered PDFs the way a person sees them: which page, and where on it, things land.

Text comes from poppler's `pdftotext -bbox` (each word with its box, in points from the top
left), QR codes from rasterising every page with `pdftoppm` and decoding with zxing-cpp.
"""

from __future__ import annotations

import html
import re
import shutil
import subprocess
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import pytest
import zxingcpp
from PIL import Image

_PAGE = re.compile(r'<page width="([\d.]+)" height="([\d.]+)">(.*?)</page>', re.S)
_WORD = re.compile(
    r'<word xMin="([\d.-]+)" yMin="([\d.-]+)" xMax="([\d.-]+)" yMax="([\d.-]+)">(.*?)</word>'
)
DPI = 150
_QR = zxingcpp.BarcodeFormat.QRCode


@dataclass(frozen=True)
class Word:
    page: int  # 1-based
    text: str
    x0: float
    y0: float
    x1: float
    y1: float


@dataclass(frozen=True)
class Page:
    number: int
    width: float
    height: float
    words: tuple[Word, ...]

    @property
    def flat(self) -> str:
        """The page's text with every space removed (wrapping inserts breaks anywhere)."""
        return "".join(word.text for word in self.words)


@dataclass(frozen=True)
class Barcode:
    page: int
    text: str
    x0: float  # points, like the words
    y0: float
    x1: float
    y1: float


def _tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        pytest.fail(f"{name} is missing: install the Debian package poppler-utils")
    return path


def pages(pdf: bytes, tmp_path: Path) -> list[Page]:
    source = tmp_path / "probe.pdf"
    source.write_bytes(pdf)
    out = subprocess.run(
        [_tool("pdftotext"), "-bbox", "-enc", "UTF-8", source, "-"],
        check=True,
        capture_output=True,
        text=True,
        timeout=60,
    ).stdout
    found = []
    for number, (width, height, body) in enumerate(_PAGE.findall(out), start=1):
        words = tuple(
            Word(number, html.unescape(text), float(a), float(b), float(c), float(d))
            for a, b, c, d, text in _WORD.findall(body)
        )
        found.append(Page(number, float(width), float(height), words))
    return found


def barcodes(pdf: bytes, tmp_path: Path) -> list[Barcode]:
    source = tmp_path / "probe.pdf"
    source.write_bytes(pdf)
    subprocess.run(
        [_tool("pdftoppm"), "-r", str(DPI), "-png", source, tmp_path / "page"],
        check=True,
        timeout=120,
    )
    scale = 72 / DPI
    found = []
    for image_path in sorted(tmp_path.glob("page-*.png")):
        number = int(image_path.stem.rsplit("-", 1)[1])
        with Image.open(image_path) as image:
            # QR codes only: zxing also finds "DX film edge" codes in lines of small text.
            for code in zxingcpp.read_barcodes(image.convert("L"), formats=_QR):
                corners = [code.position.top_left, code.position.bottom_right]
                xs, ys = [p.x * scale for p in corners], [p.y * scale for p in corners]
                found.append(Barcode(number, code.text, min(xs), min(ys), max(xs), max(ys)))
    return found


def page_of(found: list[Page], text: str) -> list[int]:
    """Numbers of the pages whose text (spaces removed) holds `text` (spaces removed)."""
    wanted = "".join(text.split())
    return [page.number for page in found if wanted in page.flat]


def everything(found: list[Page]) -> str:
    return "".join(page.flat for page in found)


def outside(found: list[Page]) -> list[Word]:
    """Words that are not wholly within their page."""
    return [
        word
        for page in found
        for word in page.words
        if word.x0 < 0 or word.y0 < 0 or word.x1 > page.width or word.y1 > page.height
    ]


def missing_characters(typed: list[str], found: list[Page]) -> dict[str, int]:
    """Characters of the typed texts (spaces aside) that no page prints, with how many."""
    wanted = Counter("".join("".join(text.split()) for text in typed))
    return dict(wanted - Counter(everything(found)))
