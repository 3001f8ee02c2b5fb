"""The browser's modules pass their Node tests (tests/js/*.test.mjs, Node's own runner).

The shared case lists (tests/shared/) are run there against static/js/, and against workflows/
by tests/workflows, so `make test` fails when the two evaluators disagree.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_the_javascript_modules_pass_their_node_tests():
    node = shutil.which("node")
    assert node, "node (v20 or later) is needed to test static/js"
    files = sorted(str(path.relative_to(ROOT)) for path in (ROOT / "tests" / "js").glob("*.mjs"))
    assert files
    result = subprocess.run(
        # The modules under static/js are ES modules without a package.json to say so.
        [node, "--experimental-detect-module", "--test", *files],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
    assert "# fail 0" in result.stdout
