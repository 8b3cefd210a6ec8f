"""A built wheel carries plugins/ and adapters/ inside the yibao_sdk namespace."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _source_packages() -> list[str]:
    """Every package __init__.py in the source tree, as its path inside the wheel."""
    found = [p.relative_to(ROOT).as_posix() for p in (ROOT / "yibao_sdk").rglob("__init__.py")]
    for folder in ("plugins", "adapters"):
        for path in (ROOT / folder).rglob("__init__.py"):
            found.append(f"yibao_sdk/{path.relative_to(ROOT).as_posix()}")
    return sorted(found)


def test_wheel_installs_plugins_and_adapters_under_yibao_sdk(tmp_path: Path) -> None:
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--no-build-isolation",
         "-w", str(tmp_path / "dist"), str(ROOT)],
        check=True,
    )
    wheel = next((tmp_path / "dist").glob("yibao_sdk-*.whl"))
    names = set(zipfile.ZipFile(wheel).namelist())
    for path in ("yibao_sdk/plugins/__init__.py", "yibao_sdk/plugins/implant_udi.py",
                 "yibao_sdk/adapters/provincial/__init__.py", "yibao_sdk/py.typed"):
        assert path in names, path
    assert not any(n.startswith(("plugins/", "adapters/")) for n in names)
    for init in _source_packages():
        assert init in names, f"{init} is not in the wheel: add its package to pyproject.toml"
    target = tmp_path / "site"
    subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "--no-deps",
                    "--target", str(target), str(wheel)], check=True)
    probe = (
        "import sys; sys.path.insert(0, sys.argv[1]);"
        "import yibao_sdk.plugins, yibao_sdk.adapters.provincial;"
        "assert yibao_sdk.plugins.__file__.startswith(sys.argv[1]), yibao_sdk.plugins.__file__;"
        "print(len(yibao_sdk.plugins.DEFAULT_PLUGINS))"
    )
    out = subprocess.run([sys.executable, "-c", probe, str(target)], check=True,
                         capture_output=True, text=True, cwd=tmp_path)
    assert out.stdout.strip() == "10"
