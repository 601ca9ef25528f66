"""The app layers are a contract (pyproject's import-linter "layers" contract): an import that runs
up the stack fails the build — here as well as in `make lint`."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
LINT_IMPORTS = Path(sys.executable).parent / "lint-imports"


def _lint(cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(  # noqa: S603 - our own tool, fixed arguments
        [str(LINT_IMPORTS), "--no-cache"], cwd=cwd, capture_output=True, text=True, check=False
    )


def test_the_apps_import_only_downwards():
    result = _lint(ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "1 kept, 0 broken" in result.stdout


def test_an_upward_import_breaks_the_contract():
    probe = ROOT / "openprobation" / "people" / "_layer_probe.py"
    probe.write_text("from openprobation.cases import models  # an upward import\n", encoding="utf-8")
    try:
        result = _lint(ROOT)
    finally:
        probe.unlink()
    assert result.returncode != 0
    assert "openprobation.people is not allowed to import openprobation.cases" in result.stdout
