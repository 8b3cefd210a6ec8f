"""File flow: 13xx catalogue downloads, 9101 文件上传 and 9102 文件下载 (reference §2.1, §5).

A catalogue download is two steps: 13xx answers with a :class:`FileTicket` (``file_qury_no``,
``filename``, ``dld_endtime``), then 9102 with :class:`Input9102` fetches the ZIP before
``dld_endtime``. 3202 reconciliation uploads its detail file with 9101 first.
"""

from __future__ import annotations

from typing import Any

from pydantic import Field, model_validator

from .base import InboundModel, InDateTime, OutboundModel, WireDateTime, lifted

__all__ = [
    "CatalogVersion",
    "FileDownload",
    "FileTicket",
    "FileUpload",
    "HilistQuery",
    "Input1312",
    "Input9101",
    "Input9102",
    "InputCatalog",
]


class CatalogVersion(OutboundModel):
    """目录版本 ``data`` of 1301–1311, 1313–1315, 1320, 1321."""

    ver: str = Field(max_length=50)
    """版本名称 (the last version held; the platform sends what changed since), char 50."""


class InputCatalog(OutboundModel):
    """Input of the 13xx catalogue downloads."""

    data: CatalogVersion
    """目录版本."""


class HilistQuery(OutboundModel):
    """1312 医保目录信息查询 ``data`` [1] (paged)."""

    query_date: WireDateTime | None = None
    """查询时间点, datetime."""
    hilist_code: str | None = Field(default=None, max_length=30)
    """医保目录编码, char 30."""
    insu_admdvs: str | None = Field(default=None, max_length=6)
    """参保机构医保区划, char 6."""
    begndate: WireDateTime | None = None
    """开始日期."""
    hilist_name: str | None = Field(default=None, max_length=200)
    """医保目录名称, char 200."""
    wubi: str | None = Field(default=None, max_length=30)
    """五笔助记码, char 30."""
    pinyin: str | None = Field(default=None, max_length=30)
    """拼音助记码, char 30."""
    med_chrgitm_type: str | None = Field(default=None, max_length=30)
    """医疗收费项目类别, char 30."""
    chrgitm_lv: str | None = Field(default=None, max_length=3)
    """收费项目等级 (01 甲, 02 乙, 03 丙), char 3."""
    lmt_used_flag: str | None = Field(default=None, max_length=3)
    """限制使用标志, char 3."""
    list_type: str | None = Field(default=None, max_length=30)
    """目录类别, char 30."""
    med_use_flag: str | None = Field(default=None, max_length=3)
    """医疗使用标志, char 3."""
    matn_used_flag: str | None = Field(default=None, max_length=3)
    """生育使用标志, char 3."""
    hilist_use_type: str | None = Field(default=None, max_length=3)
    """医保目录使用类别, char 3."""
    lmt_cpnd_type: str | None = Field(default=None, max_length=3)
    """限复方使用类型, char 3."""
    vali_flag: str | None = Field(default=None, max_length=3)
    """有效标志, char 3."""
    updt_time: WireDateTime
    """更新时间 (required)."""
    page_num: int = Field(ge=1)
    """当前页数 (required)."""
    page_size: int = Field(ge=1)
    """本页数据量 (required)."""


class Input1312(OutboundModel):
    """1312 input."""

    data: HilistQuery
    """查询条件."""


class FileTicket(InboundModel):
    """What 13xx, 9101 and 3202 answer: where to fetch (or how to cite) the file.

    Accepted at the root of ``output`` or under ``output.data``.
    """

    file_qury_no: str = Field(min_length=1)
    """文件查询号, char 200: pass it to 9102 (or to 3202 after a 9101 upload)."""
    filename: str | None = None
    """文件名, char 200."""
    dld_endtime: InDateTime = None
    """下载截止时间: fetch with 9102 before it."""

    @model_validator(mode="before")
    @classmethod
    def _from_data(cls, data: Any) -> Any:
        return lifted(data, "data", unless="file_qury_no")


class FileUpload(OutboundModel):
    """文件上传 ``fsUploadIn``."""

    in_: bytes = Field(alias="in", repr=False)
    """文件数据: a JSON byte array or Base64 per the profile's ``file_upload_encoding`` [U]."""
    filename: str = Field(min_length=1, max_length=1024)
    """文件名 (with extension, e.g. ``.zip``), char 1024."""
    fixmedins_code: str = Field(min_length=1, max_length=30)
    """定点医药机构编号, char 30."""


class Input9101(OutboundModel):
    """9101 input."""

    fs_upload_in: FileUpload = Field(alias="fsUploadIn")
    """文件上传信息."""


class FileDownload(OutboundModel):
    """文件下载 ``fsDownloadIn``."""

    file_qury_no: str = Field(min_length=1, max_length=200)
    """文件查询号 (from 13xx, 3202), char 200."""
    filename: str = Field(min_length=1, max_length=1024)
    """文件名, char 1024."""
    fixmedins_code: str = Field(min_length=1, max_length=30)
    """定点医药机构编号, char 30."""


class Input9102(OutboundModel):
    """9102 input; the reply is the file itself (a ZIP), not JSON."""

    fs_download_in: FileDownload = Field(alias="fsDownloadIn")
    """文件下载信息."""
