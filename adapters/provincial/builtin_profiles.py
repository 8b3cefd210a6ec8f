"""Built-in province profiles: the national default, a Guangdong and a Hebei variant.

Base URLs point at a front-end processor on ``127.0.0.1:8097`` (as in the public Java demos);
every hospital replaces them with its own gateway address (``based_on`` in its TOML profile).
Facts marked [1] come from one public implementation, [U] ones are choices, not knowledge.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from .profiles import ProvinceProfile, RecerSysCodeRules, SignerRef, SignInPolicy, UrlStyle
from .wire.base import NullPolicy

__all__ = ["BUILTIN_PROFILES", "GUANGDONG", "HEBEI", "HEBEI_PATHS", "NATIONAL"]

_FRONT_END = "http://127.0.0.1:8097"

NATIONAL = ProvinceProfile(
    name="national",
    description="National layout: one dispatcher URL, infver V1.0, no signer, nulls omitted.",
    url_style=UrlStyle.DISPATCHER,
    base_url=f"{_FRONT_END}/fsi/api/rsfComIfsService/callService",
)
"""The national default."""

_GZ_SETTLE_NODE = {"data": "mdtrtinfo"}

GUANGDONG = ProvinceProfile(
    name="guangdong",
    description=(
        "Guangzhou-style gateway [1]: {base}/{infno}, x-tif headers, infver 1.0.0, "
        "signtype SM3 with an SM3 cainfo, recer_admdvs, settlement node 'mdtrtinfo', "
        "sign-in renewed hourly."
    ),
    url_style=UrlStyle.SUFFIX,
    base_url=f"{_FRONT_END}/fsi/api/rsfComIfsService/callService",
    file_infnos=frozenset({"9101", "9102", "4201A", "4202", "4203", "4204", "4205"}),
    infver="1.0.0",
    signtype="SM3",
    node_names={infno: dict(_GZ_SETTLE_NODE) for infno in ("2206", "2207", "2208", "2304",
                                                            "2305")},
    extra_fields={"recer_admdvs": "440100"},
    signer=SignerRef(
        scheme="x-tif",
        settings={"paasid_env": "YIBAO_TIF_PAASID", "secret_env": "YIBAO_TIF_SECRET",
                  "cainfo": "sm3-input"},
    ),
    sign_in=SignInPolicy(ttl_seconds=3600),
)
"""Guangdong (Guangzhou/Foshan) x-tif gateway."""

HEBEI_PATHS: Mapping[str, str] = MappingProxyType({
    "9001": "/fsi/api/signInSignOutService/signIn",
    "9101": "/fsi/api/fileupload/upload",
    "9102": "/fsi/api/fileupload/download",
    "1101": "/fsi/api/fsiPsnInfoService/queryPsnInfo",
    "1201": "/fsi/api/fsiFixMedInsService/queryFixMedIns",
    **{code: f"/fsi/api/catalogdownservice/downCatalog{code}"
       for code in ("1301", "1302", "1303", "1304", "1305", "1306", "1307", "1308", "1309",
                    "1310", "1311", "1313", "1314", "1315")},
    "1312": "/fsi/api/catalogqueryservice/queryHilist",
    "1901": "/fsi/api/catalogqueryservice/queryDataDic",
    "2001": "/fsi/api/fsiPsnPriorityInfoService/queryPsnPriorityInfo",
    "2201": "/fsi/api/outpatientDocInfoService/outpatientRregistration",
    "2202": "/fsi/api/outpatientDocInfoService/outpatientRegistrationCancel",
    "2203": "/fsi/api/outpatientDocInfoService/outpatientMdtrtinfoUp",
    "2203A": "/fsi/api/outpatientDocInfoService/outpatientMdtrtinfoUpA",
    "2204": "/fsi/api/outpatientDocInfoService/outpatientFeeListUp",
    "2205": "/fsi/api/outpatientDocInfoService/outpatientFeeListUpCancel",
    "2206": "/fsi/api/outpatientSettleService/preSettletment",
    "2206A": "/fsi/api/outpatientSettleService/preSettletmentA",
    "2207": "/fsi/api/outpatientSettleService/saveSettletmentV2",
    "2207A": "/fsi/api/outpatientSettleService/saveSettletment",
    "2208": "/fsi/api/outpatientSettleService/cancleSettletment",
    "2301": "/fsi/api/hospFeeDtlService/feeDtlUp",
    "2302": "/fsi/api/hospFeeDtlService/feeDtlCl",
    "2303": "/fsi/api/hospSettService/preSett",
    "2304": "/fsi/api/hospSettService/settV2",
    "2305": "/fsi/api/hospSettService/settCl",
    "2401": "/fsi/api/hospitalRegisterService/hospitalRegisterSave",
    "2403": "/fsi/api/hospitalRegisterService/hospitalRegisterEdit",
    "2404": "/fsi/api/hospitalRegisterService/hospitalRegisterCancel",
    "2402": "/fsi/api/dscgService/dischargeProcess",
    "2405": "/fsi/api/dscgService/dischargeUndo",
    "2601": "/fsi/api/reverseService/revsMethod",
    "3101": "/fsi/api/riskConService/beforeAnalyze",
    "3102": "/fsi/api/riskConService/courseAnalyze",
    "3201": "/fsi/api/ybSettlementStmtService/stmtTotal",
    "3202": "/fsi/api/ybSettlementStmtService/stmtDetail",
    "3301": "/fsi/api/catalogCompService/catalogCompUp",
    "4101": "/fsi/api/medinfoupload/setllistinfoupld",
    "4101A": "/fsi/api/medinfoupload/setllistinfoupldA",
    "5203": "/fsi/api/fsiIntegratedQueryService/querySetlInfo",
    "5204": "/fsi/api/fsiIntegratedQueryService/queryFeeList",
    "5301": "/fsi/api/fsiIntegratedQueryService/queryPsnOpspReg",
    "5303": "/fsi/api/fsiIntegratedQueryService/queryInhospInfo",
})
"""Native service paths of the Hebei inner gateway (reference §2.3, [1]), spelled as in the
source (``Rregistration``, ``Settletment``, ``cancle``). ``downCatalog13xx`` is read as one
path per code, and ``.../queryDataDic`` as living beside ``queryHilist`` ([U]); 3401–3403 and
3501–3507 have no known method names and are left out."""

HEBEI = ProvinceProfile(
    name="hebei",
    description=(
        "Hebei inner gateway [1]: one native path per transaction under /ebus/rio_fsi, x-tif "
        "headers, empty values as \"0\"/\"\" (newtouch code), retired cadres (340) to LXXT; "
        "settlement cancels 2208/2305 promoted to reverse [U]; sign-in once per process."
    ),
    url_style=UrlStyle.PATH,
    base_url=f"{_FRONT_END}/ebus/rio_fsi",
    paths=dict(HEBEI_PATHS),
    null_policy=NullPolicy.ZERO_OR_EMPTY,
    recer_sys_code=RecerSysCodeRules(default="YBXT", by_insutype={"340": "LXXT"}),
    signer=SignerRef(
        scheme="x-tif",
        settings={"paasid_env": "YIBAO_TIF_PAASID", "secret_env": "YIBAO_TIF_SECRET"},
    ),
    reverse_infnos=frozenset({"2208", "2305"}),
    sign_in=SignInPolicy(ttl_seconds=None),
)
"""Hebei per-path gateway."""

BUILTIN_PROFILES: Mapping[str, ProvinceProfile] = MappingProxyType(
    {profile.name: profile for profile in (NATIONAL, GUANGDONG, HEBEI)}
)
"""Built-in profiles by name (what ``based_on`` may name)."""
