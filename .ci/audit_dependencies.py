"""Known vulnerabilities in the pinned dependencies (both lock files).

pip-audit asks PyPI for each pinned release (https://pypi.org/pypi/<name>/<version>/json).
Where that address does not answer, as on the build machines, which reach PyPI's project
pages only, the same data (PyPI's vulnerability records, from OSV) is read from the project
page (https://pypi.org/pypi/<name>/json): it lists the vulnerabilities of the newest release,
so a pin at the newest release is audited exactly. A pin held below the newest cannot be
audited there (Django 5.2 LTS, for Python 3.11, with the stubs and mypy that go with it;
packaging and python-dateutil, which Celery and kombu pin exactly): it is printed as NOT
AUDITED, and it fails when a newer release of its own series (5.2.x for 5.2.19) is out, since
that is where the security fixes for a held-back series come.

Exit 1 on any known vulnerability or such a newer release. A pin not audited fails only with
AUDIT_REQUIRED=1.
"""

import json
import os
import subprocess
import sys
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from packaging.requirements import InvalidRequirement, Requirement
from packaging.utils import canonicalize_name
from packaging.version import InvalidVersion, Version

ROOT = Path(__file__).resolve().parent.parent
PIP_AUDIT = Path(sys.executable).parent / "pip-audit"
LOCK_FILES = ("requirements.lock", "requirements-dev.lock")
PROJECT_PAGE = "https://pypi.org/pypi/{name}/json"


@dataclass
class Audit:
    vulnerable: list[str] = field(default_factory=list)
    outdated: list[str] = field(default_factory=list)
    not_audited: list[str] = field(default_factory=list)
    by_pip_audit: int = 0
    by_project_page: int = 0


def read_pins(paths: list[Path]) -> dict[str, str]:
    """`name==version` lines of the lock files, by canonical name."""
    pins: dict[str, str] = {}
    for path in paths:
        for line in path.read_text().splitlines():
            try:
                requirement = Requirement(line.split("#", 1)[0])
            except InvalidRequirement:
                continue  # blank
            specifiers = list(requirement.specifier)
            if len(specifiers) == 1 and specifiers[0].operator == "==":
                pins[canonicalize_name(requirement.name)] = specifiers[0].version
    return pins


def run_pip_audit(paths: list[Path]) -> dict:
    command = [str(PIP_AUDIT), "--format", "json", "--no-deps", "--disable-pip"]
    command += ["--progress-spinner", "off"]
    for path in paths:
        command += ["-r", str(path)]
    # A fixed command of our own: no input from outside reaches it.
    result = subprocess.run(  # noqa: S603
        command, cwd=ROOT, capture_output=True, text=True, check=False
    )
    try:
        return json.loads(result.stdout)
    except json.JSONDecodeError:
        raise SystemExit(f"pip-audit gave no report:\n{result.stdout}\n{result.stderr}") from None


def newest_of_series(releases: dict[str, list[dict]], version: str) -> str:
    """The newest final, not yanked release with the same first two numbers as `version`."""
    pinned = Version(version)
    newest = pinned
    for candidate, files in releases.items():
        try:
            release = Version(candidate)
        except InvalidVersion:
            continue
        yanked = bool(files) and all(f.get("yanked") for f in files)
        if release.is_prerelease or yanked or release.release[:2] != pinned.release[:2]:
            continue
        newest = max(newest, release)
    return str(newest)


@dataclass
class Answer:
    """What PyPI's project page says of one pin: its vulnerabilities, or None and why not."""

    vulns: list[dict] | None
    reason: str = ""
    newer_in_series: str = ""


def project_page(name: str) -> dict:
    # A fixed https address of PyPI's; only the package name, from our lock file, varies.
    with urllib.request.urlopen(PROJECT_PAGE.format(name=name), timeout=30) as response:  # noqa: S310
        return json.load(response)


def audit_from_project_page(name: str, version: str) -> Answer:
    try:
        page = project_page(name)
    except (urllib.error.URLError, TimeoutError, json.JSONDecodeError) as error:
        return Answer(None, f"PyPI's project page did not answer ({error})")
    newest = page["info"]["version"]
    if newest != version:
        series = newest_of_series(page.get("releases", {}), version)
        if series != version:
            return Answer(None, f"pinned below the newest release {newest}", series)
        reason = (
            f"pinned below the newest release {newest} (and the newest of its series); "
            "PyPI's project page lists vulnerabilities for the newest release only"
        )
        return Answer(None, reason)
    return Answer([v for v in page.get("vulnerabilities", []) if not v.get("withdrawn")])


def describe(name: str, version: str, vuln_id: str, fixed: list[str]) -> str:
    fixed_in = ", ".join(fixed) or "no fixed release"
    return f"VULNERABLE {name} {version}: {vuln_id} (fixed in: {fixed_in})"


def audit(paths: list[Path]) -> Audit:
    pins = read_pins(paths)
    report = run_pip_audit(paths)
    result = Audit()
    skipped = []
    for dependency in report["dependencies"]:
        name = canonicalize_name(dependency["name"])
        if "skip_reason" in dependency:
            skipped.append(name)
            continue
        result.by_pip_audit += 1
        for vuln in dependency.get("vulns", []):
            result.vulnerable.append(
                describe(name, dependency["version"], vuln["id"], vuln.get("fix_versions", []))
            )
    with ThreadPoolExecutor(max_workers=8) as pool:
        answers = pool.map(lambda name: audit_from_project_page(name, pins[name]), skipped)
        for name, answer in zip(skipped, answers, strict=True):
            if answer.newer_in_series:
                result.outdated.append(
                    f"OUTDATED {name} {pins[name]}: {answer.newer_in_series} is out, a newer "
                    "release of the pinned series"
                )
            if answer.vulns is None:
                result.not_audited.append(f"NOT AUDITED {name} {pins[name]}: {answer.reason}")
                continue
            result.by_project_page += 1
            for vuln in answer.vulns:
                result.vulnerable.append(
                    describe(name, pins[name], vuln["id"], vuln.get("fixed_in", []))
                )
    return result


def main(paths: list[Path]) -> int:
    result = audit(paths)
    for line in result.vulnerable + result.outdated + result.not_audited:
        print(line)
    audited = result.by_pip_audit + result.by_project_page
    total = audited + len(result.not_audited)
    print(
        f"audit: {audited} of {total} pinned packages audited "
        f"({result.by_pip_audit} by pip-audit, {result.by_project_page} from PyPI's project "
        f"pages), {len(result.vulnerable)} known vulnerabilities, "
        f"{len(result.not_audited)} not audited"
    )
    if result.vulnerable or result.outdated:
        return 1
    if result.not_audited and os.environ.get("AUDIT_REQUIRED") == "1":
        print("AUDIT_REQUIRED=1: every pin must be audited")
        return 1
    return 0


if __name__ == "__main__":
    arguments = [Path(argument) for argument in sys.argv[1:]]
    sys.exit(main(arguments or [ROOT / name for name in LOCK_FILES]))
