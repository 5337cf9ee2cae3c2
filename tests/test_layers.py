"""The layers of pyproject.toml's import-linter contract, counted without import-linter: no app
imports an app above it (not even in a function body), and no two apps import each other.

Run as a script (`python -m tests.test_layers`) it prints the arrows between apps."""

import ast
import tomllib
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def layers() -> list[set[str]]:
    """The apps of each layer, lowest first."""
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]
    (contract,) = [c for c in config["contracts"] if c["type"] == "layers"]
    return [{app.strip() for app in layer.split("|")} for layer in reversed(contract["layers"])]


def arrows() -> Counter[tuple[str, str]]:
    """(importing app, imported app): how many import statements, function bodies included."""
    apps = set().union(*layers())
    found: Counter[tuple[str, str]] = Counter()
    for app in apps:
        for path in (ROOT / app).rglob("*.py"):
            if "migrations" in path.parts:
                continue
            for node in ast.walk(ast.parse(path.read_text(), str(path))):
                if isinstance(node, ast.Import):
                    modules = [alias.name for alias in node.names]
                elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                    modules = [node.module]
                else:
                    continue
                for module in modules:
                    target = module.split(".")[0]
                    if target in apps and target != app:
                        found[app, target] += 1
    return found


def upward(found: Counter[tuple[str, str]]) -> list[tuple[str, str]]:
    level = {app: index for index, layer in enumerate(layers()) for app in layer}
    return sorted(pair for pair in found if level[pair[1]] >= level[pair[0]])


def test_it_has_no_arrow_up_or_sideways_between_apps():
    found = arrows()
    assert found, "no import between apps found: the walk is broken"
    assert upward(found) == []


def test_it_has_no_circle_of_apps():
    found = arrows()
    assert not [(a, b) for (a, b) in found if (b, a) in found]


if __name__ == "__main__":
    found = arrows()
    for (source, target), count in sorted(found.items()):
        print(f"{source:11} -> {target:11} {count:3}")
    print(f"{len(found)} arrows between apps, {len(upward(found))} upward or sideways")
