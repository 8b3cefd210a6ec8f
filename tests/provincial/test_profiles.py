"""Province profiles: URL styles, overrides, retry promotion, TOML loading with named keys."""

from __future__ import annotations

from pathlib import Path

import pytest

from yibao_sdk.adapters.provincial.builtin_profiles import (
    BUILTIN_PROFILES,
    GUANGDONG,
    HEBEI,
    HEBEI_PATHS,
    NATIONAL,
)
from yibao_sdk.adapters.provincial.errors import ProfileError, ProvincialError
from yibao_sdk.adapters.provincial.profiles import (
    DEFAULT_SEV_DEG,
    ProvinceProfile,
    RecerSysCodeRules,
    UrlStyle,
    load_profile,
    profile_from_dict,
    url_for,
)
from yibao_sdk.adapters.provincial.transactions import NATIONAL_TRANSACTIONS, RetryClass
from yibao_sdk.adapters.provincial.wire.base import BytesEncoding, NullPolicy
from yibao_sdk.errors import ConfigError
from yibao_sdk.rules.findings import Severity

BASE = "http://10.1.2.3:8080/fsi/api/rsfComIfsService/callService"


def test_dispatcher_posts_everything_to_one_url() -> None:
    assert url_for(NATIONAL, "2207") == "http://127.0.0.1:8097/fsi/api/rsfComIfsService/callService"
    assert url_for(NATIONAL, "1101") == url_for(NATIONAL, "9102")


def test_suffix_style_appends_the_infno() -> None:
    assert url_for(GUANGDONG, "2207") == (
        "http://127.0.0.1:8097/fsi/api/rsfComIfsService/callService/2207")
    assert GUANGDONG.url_for("4101A").endswith("/callService/4101A")


def test_path_style_uses_the_native_service_paths_as_spelled() -> None:
    base = "http://127.0.0.1:8097/ebus/rio_fsi"
    assert url_for(HEBEI, "2207") == f"{base}/fsi/api/outpatientSettleService/saveSettletmentV2"
    assert url_for(HEBEI, "2207A") == f"{base}/fsi/api/outpatientSettleService/saveSettletment"
    assert url_for(HEBEI, "2201") == (
        f"{base}/fsi/api/outpatientDocInfoService/outpatientRregistration")
    assert url_for(HEBEI, "2208").endswith("/cancleSettletment")
    assert url_for(HEBEI, "2601") == f"{base}/fsi/api/reverseService/revsMethod"
    assert url_for(HEBEI, "3101").endswith("/riskConService/beforeAnalyze")
    assert url_for(HEBEI, "4101A").endswith("/medinfoupload/setllistinfoupldA")
    assert url_for(HEBEI, "1312").endswith("/catalogqueryservice/queryHilist")
    assert url_for(HEBEI, "1307").endswith("/catalogdownservice/downCatalog1307")
    assert len(HEBEI_PATHS) >= 50


def test_path_style_without_a_path_names_the_key() -> None:
    with pytest.raises(ProfileError, match=r"paths\.3401") as caught:
        url_for(HEBEI, "3401")
    assert caught.value.infno == "3401"


@pytest.mark.parametrize("style", list(UrlStyle))
def test_file_transactions_go_to_the_file_service(style: UrlStyle) -> None:
    profile = ProvinceProfile(
        name="files", url_style=style, base_url=BASE,
        file_base_url="http://10.1.2.4:8081/fsi/api/fileupload",
        paths={"9101": "/upload", "9102": "/download", "2207": "/settle"},
    )
    upload, settle = url_for(profile, "9101"), url_for(profile, "2207")
    assert upload.startswith("http://10.1.2.4:8081/fsi/api/fileupload")
    assert settle.startswith(BASE)
    expected = {UrlStyle.DISPATCHER: "http://10.1.2.4:8081/fsi/api/fileupload",
                UrlStyle.SUFFIX: "http://10.1.2.4:8081/fsi/api/fileupload/9101",
                UrlStyle.PATH: "http://10.1.2.4:8081/fsi/api/fileupload/upload"}
    assert upload == expected[style]


def test_built_in_profiles_differ_where_the_provinces_do() -> None:
    assert set(BUILTIN_PROFILES) == {"national", "guangdong", "hebei"}
    assert (NATIONAL.url_style, GUANGDONG.url_style, HEBEI.url_style) == (
        UrlStyle.DISPATCHER, UrlStyle.SUFFIX, UrlStyle.PATH)
    assert (NATIONAL.infver, GUANGDONG.infver) == ("V1.0", "1.0.0")
    assert GUANGDONG.signtype == "SM3"
    assert GUANGDONG.signer.scheme == "x-tif" and NATIONAL.signer.scheme == "none"
    assert GUANGDONG.node_names["2207"] == {"data": "mdtrtinfo"}
    assert GUANGDONG.extra_fields == {"recer_admdvs": "440100"}
    assert GUANGDONG.sign_in.ttl_seconds == 3600 and HEBEI.sign_in.ttl_seconds is None
    assert HEBEI.null_policy is NullPolicy.ZERO_OR_EMPTY
    assert NATIONAL.null_policy is NullPolicy.OMIT


def test_reverse_is_national_three_plus_what_the_profile_adds() -> None:
    for profile in BUILTIN_PROFILES.values():
        for infno in ("2207", "2304", "2102"):
            assert profile.retry_class(NATIONAL_TRANSACTIONS[infno]) is RetryClass.REVERSE
    assert NATIONAL.retry_class(NATIONAL_TRANSACTIONS["2208"]) is RetryClass.CHECK
    assert HEBEI.retry_class(NATIONAL_TRANSACTIONS["2208"]) is RetryClass.REVERSE
    assert HEBEI.retry_class(NATIONAL_TRANSACTIONS["1101"]) is RetryClass.SAFE


def test_recer_sys_code_by_insutype_only_for_the_listed_transactions() -> None:
    rules = HEBEI.recer_sys_code
    assert rules.code_for("2207", "340") == "LXXT"
    assert rules.code_for("2207", "310") == "YBXT"
    assert rules.code_for("1101", "340") == "YBXT"
    assert rules.code_for("2304", None) == "YBXT"
    custom = RecerSysCodeRules(default="HIS", by_insutype={"340": "LXXT", "410": "GSXT"})
    assert custom.code_for("2401", "410") == "GSXT"
    assert NATIONAL.recer_sys_code.code_for("2207", "340") == "YBXT"


def test_null_policy_per_transaction_and_sign_markers() -> None:
    profile = NATIONAL.model_copy(update={"null_policy_by_infno": {"2204": NullPolicy.EMPTY}})
    assert profile.null_policy_for("2204") is NullPolicy.EMPTY
    assert profile.null_policy_for("2207") is NullPolicy.OMIT
    assert NATIONAL.is_sign_error("该操作员未签到或签到已失效")
    assert not NATIONAL.is_sign_error("参保人不存在")


def test_sev_deg_default_map() -> None:
    assert NATIONAL.sev_deg == dict(DEFAULT_SEV_DEG)
    assert NATIONAL.sev_deg["1"] is Severity.BLOCK
    assert NATIONAL.sev_deg["2"] is Severity.WARN


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "profile.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_load_a_hospital_profile_based_on_a_built_in(tmp_path: Path) -> None:
    path = _write(tmp_path, f"""
name = "gz-first-hospital"
based_on = "guangdong"
base_url = "{BASE}"
file_upload_encoding = "base64"

[extra_fields]
recer_admdvs = "440110"

[signer]
scheme = "x-tif"
settings = {{ paasid_env = "GZ_PAASID", secret_env = "GZ_TIF_SECRET" }}

[recer_sys_code]
default = "HIS"
by_insutype = {{ "340" = "LXXT" }}

[node_names.2304]
data = "mdtrtinfo"
""")
    profile = load_profile(path)
    assert profile.name == "gz-first-hospital"
    assert profile.url_style is UrlStyle.SUFFIX  # from guangdong
    assert profile.infver == "1.0.0"
    assert profile.url_for("2207") == f"{BASE}/2207"
    assert profile.extra_fields == {"recer_admdvs": "440110"}
    assert profile.signer.settings["secret_env"] == "GZ_TIF_SECRET"
    assert profile.recer_sys_code.code_for("2207", "340") == "LXXT"
    assert profile.file_upload_encoding is BytesEncoding.BASE64
    assert profile.node_names == {"2304": {"data": "mdtrtinfo"}}  # top-level keys replace


def test_a_hebei_style_profile_from_toml(tmp_path: Path) -> None:
    path = _write(tmp_path, """
name = "hb-county"
url_style = "path"
base_url = "http://10.9.0.1/ebus/rio_fsi"
null_policy = "zero_or_empty"
reverse_infnos = ["2208", "2305"]

[paths]
2207 = "/fsi/api/outpatientSettleService/saveSettletmentV2"
""")
    profile = load_profile(path)
    assert profile.url_for("2207") == (
        "http://10.9.0.1/ebus/rio_fsi/fsi/api/outpatientSettleService/saveSettletmentV2")
    assert profile.reverse_infnos == frozenset({"2208", "2305"})


@pytest.mark.parametrize(("text", "key"), [
    ('name = "x"\nbase_url = "http://a"\nurl_style = "ftp"', "url_style"),
    ('name = "x"\nbase_url = "not a url"', "base_url"),
    ('name = "x"\nbase_url = "http://a"\ncolour = "red"', "colour"),
    ('name = "x"\nbase_url = "http://a"\n[signer]\nscheme = "x-tif"\n'
     '[signer.settings]\nsecret = "abc"', "signer.settings"),
    ('name = "x"\nbase_url = "http://a"\n[extra_fields]\nmsgid = "1"', "msgid"),
    ('name = "x"\nbase_url = "http://a"\n[paths]\n22x7 = "/a"', "paths"),
    ('name = "x"\nbase_url = "http://a"\nurl_style = "path"', "paths table"),
    ('name = "x"\nbase_url = "http://a"\nnull_policy = "maybe"', "null_policy"),
    ('based_on = "atlantis"\nname = "x"', "based_on"),
    ('name = "x"\nbase_url = "http://a"\nread_timeout = 0', "read_timeout"),
])
def test_invalid_profiles_name_the_key(tmp_path: Path, text: str, key: str) -> None:
    path = _write(tmp_path, text)
    with pytest.raises(ProfileError, match=key) as caught:
        load_profile(path)
    assert str(caught.value).startswith(str(path))
    assert isinstance(caught.value, ConfigError) and isinstance(caught.value, ProvincialError)


def test_unreadable_or_broken_toml(tmp_path: Path) -> None:
    with pytest.raises(ProfileError, match="cannot read"):
        load_profile(tmp_path / "nope.toml")
    with pytest.raises(ProfileError, match="not valid TOML"):
        load_profile(_write(tmp_path, "name = "))


def test_profile_is_frozen_and_round_trips_through_a_dict() -> None:
    with pytest.raises(ValueError, match="frozen"):
        HEBEI.name = "x"  # type: ignore[misc]
    again = profile_from_dict(HEBEI.model_dump())
    assert again == HEBEI


def test_sign_in_renewal_policy() -> None:
    from datetime import datetime, timedelta

    signed = datetime(2026, 3, 2, 8, 0)
    assert not GUANGDONG.sign_in.expired(signed, signed + timedelta(minutes=59))
    assert GUANGDONG.sign_in.expired(signed, signed + timedelta(hours=1))
    assert not HEBEI.sign_in.expired(signed, signed + timedelta(days=3))  # once per process
