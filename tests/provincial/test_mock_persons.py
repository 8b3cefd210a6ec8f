"""The persons fixture: synthetic, GB 11643-valid ID numbers, consistent sex and birth date,
and fixtures given as objects or files."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pytest

from yibao_sdk.adapters.provincial.builtin_profiles import NATIONAL
from yibao_sdk.adapters.provincial.mock import Person, load_persons, start_mock
from yibao_sdk.adapters.provincial.mock.harness import MockClient
from yibao_sdk.adapters.provincial.mock.seed import PERSONS_FILE, persons_from
from yibao_sdk.codes import idcard_check_char, is_valid_id_card, parse_id_card


def test_every_bundled_id_number_passes_gb_11643() -> None:
    persons = load_persons()
    assert len(persons) >= 6
    for person in persons:
        assert is_valid_id_card(person.certno), person.psn_no
        assert idcard_check_char(person.certno[:17]) == person.certno[17]
        card = parse_id_card(person.certno)
        assert (person.gend, person.brdy) == (card.gend, card.birth)
        assert person.certno[14:16] == "99"  # synthetic sequence range
        assert person.psn_name.startswith("测试")
        assert person.insutype in {"310", "390"} and len(person.insuplc_admdvs) == 6
        assert person.balc >= 0 and person.balc == person.balc.quantize(Decimal("0.01"))
    assert len({p.psn_no for p in persons}) == len(persons)
    assert {p.gend for p in persons} == {"1", "2"}
    assert len({p.insuplc_admdvs for p in persons}) > 1  # cross-region persons too


def test_residents_have_no_account_balance() -> None:
    assert all(p.balc == 0 for p in load_persons() if p.insutype == "390")


def test_an_invalid_id_number_is_refused_without_showing_it() -> None:
    raw = json.loads(PERSONS_FILE.read_text(encoding="utf-8"))
    bad = raw["persons"][0] | {"certno": raw["persons"][0]["certno"][:17] + "0"}
    with pytest.raises(ValueError, match=r"persons\[0\] \(44010099000000000001\)") as caught:
        persons_from({"persons": [bad]})
    assert bad["certno"] not in str(caught.value)
    with pytest.raises(ValueError, match="member insutype is missing"):
        persons_from([{k: v for k, v in bad.items() if k != "insutype"}])
    assert repr(load_persons()[0]) == "Person(psn_no='44010099000000000001', insutype='310')"


def test_persons_from_objects_and_files(tmp_path: Path) -> None:
    first17 = "11010119900101991"
    person = Person(psn_no="P-ONE", psn_name="测试壹", certno=first17 + idcard_check_char(first17),
                    insutype="310", insuplc_admdvs="110100", balc=Decimal("12.34"))
    path = tmp_path / "persons.json"
    path.write_text(json.dumps({"persons": [{
        "psn_no": "P-TWO", "psn_name": "测试贰", "certno": person.certno, "insutype": "390",
        "insuplc_admdvs": "110100", "balc": "0.00"}]}), encoding="utf-8")
    for persons, psn_no in (([person], "P-ONE"), (path, "P-TWO")):
        with start_mock(NATIONAL, persons=persons) as mock, MockClient(mock) as client:
            client.sign_in()
            reply = client.call("1101", {"data": {"mdtrt_cert_type": "02",
                                                  "mdtrt_cert_no": person.certno,
                                                  "psn_cert_type": "01"}})
            assert reply.output.baseinfo.psn_no == psn_no
            assert reply.output.baseinfo.brdy.isoformat() == "1990-01-01"
    with pytest.raises(ValueError, match="cannot read"):
        load_persons(tmp_path / "missing.json")
