"""The dependency audit of CI (.ci/audit_dependencies.py) against PyPI's real data."""

import importlib.util

import pytest

from tests.conftest import ROOT, skip_unless

spec = importlib.util.spec_from_file_location("audit", ROOT / ".ci" / "audit_dependencies.py")
assert spec and spec.loader
audit = importlib.util.module_from_spec(spec)
spec.loader.exec_module(audit)


def pypi_answers() -> bool:
    try:
        return bool(audit.project_page("six")["info"]["version"])
    except OSError:
        return False


@pytest.fixture(scope="module")
def pypi():
    skip_unless(pypi_answers(), "PyPI's project pages do not answer from this machine")


def run(tmp_path, capsys, lines: str) -> tuple[int, str]:
    lock = tmp_path / "requirements.lock"
    lock.write_text(lines)
    code = audit.main([lock])
    return code, capsys.readouterr().out


def test_the_newest_release_of_a_series_skips_prereleases_yanked_and_other_series():
    def files(yanked=False):
        return [{"yanked": yanked}]

    releases = {
        "5.2.1": files(),
        "5.2.3": files(),
        "5.2.4rc1": files(),
        "5.2.5": files(yanked=True),
        "6.0": files(),
        "5.1.9": files(),
        "not-a-version": files(),
    }
    assert audit.newest_of_series(releases, "5.2.1") == "5.2.3"
    assert audit.newest_of_series(releases, "5.2.3") == "5.2.3"
    assert audit.newest_of_series(releases, "6.0") == "6.0"


def test_the_lock_file_pins_are_read_with_extras_and_canonical_names(tmp_path):
    lock = tmp_path / "requirements.lock"
    lock.write_text(
        "# a comment\npsycopg[binary]==3.3.9\nDjango_Stubs==5.2.9 ; python_version>'3'\n"
    )
    assert audit.read_pins([lock]) == {"psycopg": "3.3.9", "django-stubs": "5.2.9"}


def test_a_known_vulnerable_release_fails_the_audit(pypi, tmp_path, capsys):
    code, out = run(tmp_path, capsys, "pycrypto==2.6.1\n")
    assert code == 1
    assert "VULNERABLE pycrypto 2.6.1: PYSEC-" in out


def test_an_old_release_of_a_held_back_series_fails_the_audit(pypi, tmp_path, capsys):
    code, out = run(tmp_path, capsys, "Django==5.2.1\n")
    assert code == 1
    # Here, where only the project pages answer: the newer 5.2 release; elsewhere pip-audit's
    # own finding for 5.2.1 (it has known vulnerabilities).
    assert "OUTDATED django 5.2.1" in out or "VULNERABLE django 5.2.1" in out


def test_the_newest_release_without_known_vulnerabilities_passes(pypi, tmp_path, capsys):
    newest = audit.project_page("six")["info"]["version"]
    code, out = run(tmp_path, capsys, f"six=={newest}\n")
    assert code == 0, out
    assert "1 of 1 pinned packages audited" in out


def test_a_pin_held_below_the_newest_is_said_not_audited_and_fails_when_required(
    pypi, tmp_path, capsys, monkeypatch
):
    answer = audit.audit_from_project_page("django", "5.2.1")
    newest_of_52 = answer.newer_in_series
    held = audit.audit_from_project_page("django", newest_of_52)
    assert held.vulns is None and held.newer_in_series == ""
    assert "newest of its series" in held.reason

    monkeypatch.setattr(
        audit,
        "run_pip_audit",
        lambda paths: {"dependencies": [{"name": "django", "skip_reason": "not found"}]},
    )
    assert run(tmp_path, capsys, f"Django=={newest_of_52}\n")[0] == 0
    monkeypatch.setenv("AUDIT_REQUIRED", "1")
    code, out = run(tmp_path, capsys, f"Django=={newest_of_52}\n")
    assert code == 1
    assert f"NOT AUDITED django {newest_of_52}" in out
