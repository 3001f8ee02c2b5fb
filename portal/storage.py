"""File storage behind one small interface: local folder now, S3-compatible later."""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from flask import current_app


class LocalStorage:
    """Keep files under one root; keys are generated, never taken from user input."""

    def __init__(self, root: str | Path) -> None:
        self.root = Path(root).resolve()

    def _path(self, key: str) -> Path:
        path = (self.root / key).resolve()
        if not path.is_relative_to(self.root):
            raise ValueError("storage key escapes the root")
        return path

    def put(self, data: bytes, *, prefix: str, suffix: str = "", name: str | None = None) -> str:
        """Store bytes under a new random key, or `<prefix>/<name><suffix>`, and return the key.

        A named key is replaced whole if it exists (the rerun of a job that died after storing).
        """
        key = f"{prefix}/{name or secrets.token_hex(16)}{suffix}"
        path = self._path(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(path.suffix + ".part")
        tmp.write_bytes(data)
        os.replace(tmp, path)  # readers never see half a file
        return key

    def get(self, key: str) -> bytes:
        return self._path(key).read_bytes()

    def exists(self, key: str) -> bool:
        return self._path(key).is_file()

    def delete(self, key: str) -> None:
        """Remove a stored file; a key already gone is no error."""
        self._path(key).unlink(missing_ok=True)


def storage() -> LocalStorage:
    return LocalStorage(current_app.config["FILES_DIR"])
