"""Hospital TOML configuration: valid files load, mistakes name the file and key."""

from __future__ import annotations

from pathlib import Path

import pytest

from yibao_sdk import ConfigError
from yibao_sdk.models import HospitalLevel
from yibao_sdk.rules import Engine, Param, RuleSpec, Severity, Stage, hookimpl, load_config

GOOD = """
[hospital]
code = "H44010600001"
name = "示例医院"
level = "2"

[engine]
disable_plugins = ["some.plugin"]

[rules."T-1"]
enabled = true
severity = "block"
limit = 7
"""


class Rule:
    @hookimpl
    def yibao_register_rules(self, register: object) -> None:
        assert callable(register)
        register(RuleSpec(rule_id="T-1", name="测试", category="测试",
                          stages=frozenset({Stage.MID}), default_severity=Severity.WARN,
                          parameters=(Param("limit", int, 5), Param("codes", tuple[str, ...], ()))))


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "yibao.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_a_valid_file_configures_hospital_and_rules(tmp_path: Path) -> None:
    config = load_config(_write(tmp_path, GOOD))
    engine = Engine(config=config, plugins=[Rule()])
    assert engine.hospital.level is HospitalLevel.LEVEL2
    rule = engine.rules["T-1"]
    assert (rule.enabled, rule.severity, rule.params["limit"]) == (True, Severity.BLOCK, 7)
    assert config.disable_plugins == ("some.plugin",)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[rules.T-1\n", "not valid TOML"),
        ("[hopsital]\ncode='x'\n", "unknown section"),
        ('[rules."T-2"]\nlimit = 1\n', r"rules\.T-2: no loaded rule has this id"),
        ('[rules."T-1"]\nlimt = 1\n',
         r"rules\.T-1\.limt: unknown parameter \(parameters: codes, limit\)"),
        ('[rules."T-1"]\nlimit = "many"\n', r"rules\.T-1\.limit: expected int"),
        ('[rules."T-1"]\nseverity = "red"\n', "severity"),
        ('[rules."T-1"]\ncodes = [1, 2]\n', r"rules\.T-1\.codes"),
        ('[hospital]\ncode = "H1"\nname = "x"\nlevel = "5"\n', "hospital.level"),
        ("[engine]\nplugins_dir = 'x'\n", "plugins_dir"),
    ],
)
def test_mistakes_name_file_and_key(tmp_path: Path, text: str, message: str) -> None:
    path = _write(tmp_path, '[hospital]\ncode="H1"\nname="x"\nlevel="3"\n' + text
                  if "hospital" not in text else text)
    with pytest.raises(ConfigError, match=message) as err:
        Engine(config=load_config(path), plugins=[Rule()])
    assert str(path) in str(err.value)


def test_missing_file_is_a_config_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="cannot read"):
        load_config(tmp_path / "absent.toml")
