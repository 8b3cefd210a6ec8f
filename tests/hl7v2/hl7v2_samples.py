"""The HL7 v2 samples every hl7v2 test reuses: the public corpus and our own Chinese messages."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
#: The shared public corpus (see its SOURCES.md); YIBAO_HL7_CORPUS points elsewhere.
CORPUS = Path(os.environ.get("YIBAO_HL7_CORPUS", ROOT.parent / "shared" / "corpus" / "hl7v2"
                             / "public"))
PYTHON_HL7 = CORPUS / "python-hl7"

#: python-hl7 samples that are files or batches (FHS/BHS envelopes, or several MSH).
BATCHES = {
    "sample_batch.hl7": 1, "sample_batch1.hl7": 2, "sample_batch2.hl7": 2,
    "sample_batch3.hl7": 1, "sample_batch4.hl7": 1, "sample_file.hl7": 1,
    "sample_file1.hl7": 3, "sample_file2.hl7": 2, "sample_file3.hl7": 1,
    "sample_file4.hl7": 1, "sample_file5.hl7": 1, "sample_file6.hl7": 1,
}
#: The "bad" python-hl7 samples, meant to fail: (segment index, name, words of the reason).
BAD_BATCHES = {
    "sample_bad_batch.hl7": (2, "EVN", "before a message header"),
    "sample_bad_batch1.hl7": (4, "BHS", "more than one BHS"),
    "sample_bad_file.hl7": (3, "EVN", "before a message header"),
    "sample_bad_file1.hl7": (5, "BHS", "more than one BHS"),
    "sample_bad_file2.hl7": (5, "FHS", "more than one FHS"),
    "sample_bad_file3.hl7": (2, "EVN", "before a message header"),
}


def need_corpus() -> Path:
    """The corpus folder, or skip the test when this checkout has none next to it."""
    if not CORPUS.is_dir():
        pytest.skip(f"public HL7 corpus not found at {CORPUS} (set YIBAO_HL7_CORPUS)")
    return CORPUS


def corpus_messages() -> list[Path]:
    """Every single-message corpus file (both folders), sorted; [] without a corpus."""
    if not CORPUS.is_dir():
        return []
    singles = sorted(CORPUS.glob("*.hl7"))
    singles += [p for p in sorted(PYTHON_HL7.glob("*.hl7"))
                if p.name not in BATCHES and p.name not in BAD_BATCHES]
    return singles


def normalised(data: bytes) -> bytes:
    """What ``encode()`` must give back: every segment ended by CR, nothing else changed."""
    text = data.replace(b"\r\n", b"\r").replace(b"\n", b"\r")
    return b"".join(line + b"\r" for line in text.split(b"\r") if line.strip())


#: A Chinese HIS charge message: DFT^P03 v2.4, two FT1 each with a Z-segment carrying the
#: implant UDI, an escaped ampersand and a hex-escaped line break.
DFT_P03 = "\r".join([
    "MSH|^~\\&|HIS|市第一人民医院|YBGW|医保网关|20250301100000||DFT^P03|DFT0001|P|2.4|||AL|NE|CHN|",
    "EVN|P03|20250301100000",
    "PID|1||0001234567^^^HIS^PI~110101199003077777^^^CHN^NNCHN||张^伟||19900307|M",
    "PV1|1|I|0301^0312^02||||D0123^李^明远||||||||||||ZY20250301001|310",
    "FT1|1|TX01||20250301093000||CG|310100001^一般诊疗费^YBXM||一般诊疗费|1|6.00|6.00",
    "ZUD|1|(01)06901234567892(17)271231(10)B2401(21)SN0001",
    "FT1|2|TX02||20250301094500||CG|C03160107200000102180000^冠脉支架\\T\\输送系统^YBXM|||1|"
    "5880.00|5880.00",
    "ZUD|1|(01)06901234567892(17)271231(10)B2402",
    "NTE|1||备注：第一行\\X0A\\第二行\\.br\\第三行",
])

#: The same charge message as the sender's bytes: GB18030 with MSH-18 declared.
DFT_P03_GB18030 = DFT_P03.replace("|CHN|", "|CHN|GB18030", 1).encode("gb18030")

#: An ORU^R01 v2.5.1 lab result with custom delimiters: ``#`` fields, ``@`` components,
#: ``!`` repetitions, ``$`` escape, ``%`` sub-components.
ORU_CUSTOM = "\r".join([
    "MSH#@!$%#LIS#检验科#HIS#医院#20250301120000##ORU@R01@ORU_R01#LIS0001#P#2.5.1",
    "PID#1##P001@@@HIS@PI!110101199003077777@@@CHN@NNCHN##王@芳",
    "OBR#1#O1#F1#58410-2@血常规@LN",
    "OBX#1#NM#6690-2@白细胞计数@LN##6.5#10*9/L#3.5-9.5##N###F",
    "OBX#2#ST#X@备注@L##A$F$B$S$C$T$D$R$E$E$F#",
])

#: A v2.8 PRT-carried implant UDI, with the v2.7+ truncation character in MSH-2.
ADT_V28 = "\r".join([
    "MSH|^~\\&#|HIS|H|YB|Y|20250301||ADT^A01^ADT_A01|A0001|P|2.8|||||CHN||zh-CN",
    "EVN|A01|20250301",
    "PID|1||P001^^^HIS^PI||赵^六",
    "PV1|1|I",
    "|".join(["PRT", "1", "AD", "", "EQUIP", *[""] * 5,
              "(01)06901234567892(17)271231(10)B2401^UDI", *[""] * 5, "06901234567892"]),
    "ZPV|截断值\\P\\结束#",
])
