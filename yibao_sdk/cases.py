"""Case files: one visit with what it is checked against (catalogue, practitioners, history)."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from datetime import datetime
from pathlib import Path
from typing import Any

from yibao_sdk.errors import ConfigError, InputError
from yibao_sdk.models.base import YibaoModel
from yibao_sdk.models.catalog import CatalogItem
from yibao_sdk.models.patient import Hospital
from yibao_sdk.models.practitioner import Practitioner, Violation
from yibao_sdk.models.visit import Visit
from yibao_sdk.rules.config import EngineConfig
from yibao_sdk.rules.engine import AuditSink, Engine
from yibao_sdk.rules.stores import Catalog, InMemoryHistory, Practitioners

__all__ = ["Case", "engine_for_case", "load_case"]


class Case(YibaoModel):
    """病例: what ``yibao check FILE`` reads — a visit and the knowledge to check it with.

    Example (JSON)::

        {"description": "夜间CT", "hospital": {"code": "H44010600001", "name": "示例医院",
         "level": "3"}, "visit": {...}, "catalog": [], "practitioners": [], "history": []}
    """

    visit: Visit
    """The visit to replay (就诊)."""
    hospital: Hospital | None = None
    """The hospital; when absent the configuration's ``[hospital]`` is used."""
    catalog: tuple[CatalogItem, ...] = ()
    """Catalogue items (医保目录) the rules may look up."""
    practitioners: tuple[Practitioner, ...] = ()
    """Practitioners (医师) with their titles and grey-list tiers."""
    violations: tuple[Violation, ...] = ()
    """Confirmed practitioner violations (记分)."""
    history: tuple[Visit, ...] = ()
    """The patient's earlier visits."""
    description: str = ""
    """What the case illustrates, for people."""


def load_case(path: Path | str) -> Case:
    """Read a case file: a :class:`Case` JSON object, or a bare :class:`Visit` JSON object.

    A top-level ``"visit"`` key marks a case; anything else is read as a visit.

    :raises InputError: the file cannot be read or is not JSON (with line and column).
    :raises ModelInputError: the JSON does not validate (naming the field path).
    """
    path = Path(path)
    raw = _read_json(path)
    if isinstance(raw, dict) and "visit" in raw:
        return Case.parse(raw, where=str(path))
    return Case(visit=Visit.parse(raw, where=str(path)))


def _read_json(path: Path) -> Any:
    try:
        text = path.read_text(encoding="utf-8-sig")
    except OSError as exc:
        raise InputError(f"cannot read: {exc.strerror or exc}", where=str(path)) from exc
    except UnicodeDecodeError as exc:
        raise InputError(f"not UTF-8 text (byte {exc.start})", where=str(path)) from exc
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        where = f"{path}:{exc.lineno}:{exc.colno}"
        raise InputError(f"not valid JSON: {exc.msg}", where=where) from exc


def engine_for_case(
    case: Case,
    *,
    config: EngineConfig | None = None,
    plugins: Iterable[object | str] | None = None,
    entry_points: bool | None = None,
    audit_log: AuditSink | None = None,
    clock: Callable[[], datetime] | None = None,
) -> Engine:
    """An :class:`Engine` whose catalogue, practitioners and history come from ``case``.

    :param config: hospital configuration; its ``[hospital]`` is used when the case has none.
    :param plugins: plugin objects or module names; ``None`` = the built-ins.
    :param entry_points: also load the ``yibao`` entry-point group; ``None`` = the config's
        ``[engine] entry_points`` (true unless the hospital turns it off).
    :param audit_log: where verdicts are appended, if anywhere.
    :param clock: "now" for the rules; the wall clock by default.
    :raises ConfigError: neither the case nor the configuration names a hospital.
    """
    config = config or EngineConfig()
    hospital = case.hospital or config.hospital
    if hospital is None:
        raise ConfigError(
            f"{config.source}: no hospital: give \"hospital\" in the case file "
            "or a [hospital] table in the configuration (--config)"
        )
    return Engine(
        hospital=hospital,
        config=config,
        catalog=Catalog(case.catalog),
        practitioners=Practitioners(case.practitioners, case.violations),
        history=InMemoryHistory(case.history),
        plugins=plugins,
        entry_points=entry_points,
        audit_log=audit_log,
        clock=clock or datetime.now,
    )
