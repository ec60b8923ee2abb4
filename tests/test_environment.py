"""pyproject.toml, requirements.lock and environment.yml must agree on what the project needs."""

import re
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _name(requirement: str) -> str:
    """Normalised distribution name of a PEP 508 requirement (PEP 503 normalisation)."""
    name = re.match(r"\s*([A-Za-z0-9][A-Za-z0-9._-]*)", requirement).group(1)
    return re.sub(r"[-_.]+", "-", name).lower()


def _declared() -> set[str]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    reqs = list(project["dependencies"])
    for extra in project["optional-dependencies"].values():
        reqs += extra
    return {_name(r) for r in reqs} - {"cxlib"}


def _lock() -> tuple[dict[str, str], set[str]]:
    """(pinned versions, packages the lock says are required by cxlib itself)."""
    pins, direct, current = {}, set(), None
    for line in (ROOT / "requirements.lock").read_text().splitlines():
        if m := re.match(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==(\S+)", line):
            current = _name(m.group(1))
            pins[current] = m.group(2)
        elif current and re.search(r"#\s+(via\s+)?cxlib \(pyproject\.toml\)", line):
            direct.add(current)
    return pins, direct


def test_every_declared_dependency_is_pinned_exactly_in_the_lock():
    pins, _ = _lock()
    missing = _declared() - set(pins)
    assert not missing, f"in pyproject.toml but not in requirements.lock: {sorted(missing)}"


def test_lock_was_compiled_from_the_current_pyproject():
    # the lock's direct requirements are exactly those pyproject.toml declares
    # (run `make lock` after editing the dependencies)
    _, direct = _lock()
    assert direct == _declared()


def test_environment_yml_installs_the_lock_and_the_package_on_the_same_python():
    env = (ROOT / "environment.yml").read_text()
    assert re.search(r"^\s*-\s*-r requirements\.lock\s*$", env, re.M)
    assert re.search(r"^\s*-\s*-e \.\s*$", env, re.M)
    python = re.search(r"^\s*-\s*python=(\d+\.\d+)\s*$", env, re.M).group(1)
    lock_header = (ROOT / "Makefile").read_text()
    assert f"--python-version {python}" in lock_header
    requires = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["requires-python"]
    assert tuple(map(int, python.split("."))) >= tuple(map(int, requires.lstrip(">=").split(".")))
