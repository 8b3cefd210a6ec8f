"""SM3 and SM4 through ``cryptography`` against the published vectors, PKCS#7 handling, and the
§4.2 derived channel key recomputed independently."""

from __future__ import annotations

import pytest
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

from yibao_sdk.adapters.provincial.signing import (
    SigningConfigError,
    derive_channel_key,
    sm3,
    sm4_decrypt,
    sm4_encrypt,
)

# GB/T 32907-2016 (SM4) Appendix A, example 1: key = plaintext.
SM4_KEY = bytes.fromhex("0123456789abcdeffedcba9876543210")
SM4_ECB_BLOCK = bytes.fromhex("681edf34d206965e86b3e94f536e4246")
# draft-ribose-cfrg-sm4 (IETF) Appendix A.2.1.1 / A.2.2.1: two blocks, ECB and CBC.
TWO_BLOCKS = bytes.fromhex("aaaaaaaabbbbbbbbccccccccddddddddeeeeeeeeffffffffaaaaaaaabbbbbbbb")
ECB_TWO_BLOCKS = bytes.fromhex("5ec8143de509cff7b5179f8f474b86192f1d305a7fb17df985f81c8482192304")
CBC_IV = bytes.fromhex("000102030405060708090a0b0c0d0e0f")
CBC_TWO_BLOCKS = bytes.fromhex("78ebb11cc40b0a48312aaeb2040244cb4cb7016951909226979b0d15dc6a8f6d")


def test_sm3_matches_gbt_32905_examples() -> None:
    # GB/T 32905-2016 Appendix A, examples 1 and 2.
    assert sm3(b"abc").hex() == (
        "66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0"
    )
    assert sm3(b"abcd" * 16).hex() == (
        "debe9ff92275b8a138604889c18e5a4d6fdb70e5387e5765293dcba39c0c5732"
    )


def test_sm4_ecb_matches_gbt_32907_example_and_pads_pkcs7() -> None:
    ciphertext = sm4_encrypt(SM4_KEY, SM4_KEY)
    # A whole block of input gets a whole block of PKCS#7 padding (16 x 0x10) after it.
    assert len(ciphertext) == 32
    assert ciphertext[:16] == SM4_ECB_BLOCK
    raw = Cipher(algorithms.SM4(SM4_KEY), modes.ECB()).decryptor()
    assert raw.update(ciphertext[16:]) + raw.finalize() == bytes([16]) * 16
    assert sm4_decrypt(SM4_KEY, ciphertext) == SM4_KEY


def test_sm4_ecb_and_cbc_match_the_ietf_draft_vectors() -> None:
    assert sm4_encrypt(SM4_KEY, TWO_BLOCKS)[:32] == ECB_TWO_BLOCKS
    assert sm4_encrypt(SM4_KEY, TWO_BLOCKS, iv=CBC_IV)[:32] == CBC_TWO_BLOCKS
    assert sm4_decrypt(SM4_KEY, sm4_encrypt(SM4_KEY, TWO_BLOCKS, iv=CBC_IV), iv=CBC_IV) == (
        TWO_BLOCKS
    )


@pytest.mark.parametrize("size", [0, 1, 15, 16, 17, 100])
def test_sm4_round_trips_any_length(size: int) -> None:
    plaintext = bytes(range(size))
    ciphertext = sm4_encrypt(SM4_KEY, plaintext)
    assert len(ciphertext) == (size // 16 + 1) * 16
    assert sm4_decrypt(SM4_KEY, ciphertext) == plaintext


def test_sm4_rejects_bad_padding_truncation_and_bad_keys() -> None:
    ciphertext = sm4_encrypt(SM4_KEY, b"hello")
    tampered = ciphertext[:-1] + bytes([ciphertext[-1] ^ 1])
    with pytest.raises(ValueError):
        sm4_decrypt(SM4_KEY, tampered)
    with pytest.raises(ValueError):
        sm4_decrypt(SM4_KEY, ciphertext[:-1])
    with pytest.raises(ValueError):
        sm4_decrypt(SM4_KEY, b"")
    with pytest.raises(SigningConfigError):
        sm4_encrypt(b"short", b"x")
    with pytest.raises(SigningConfigError):
        sm4_encrypt(SM4_KEY, b"x", iv=b"short")


def _independent_derivation(app_id: str, app_secret: str) -> bytes:
    """Reference §4.2 steps 1-3, written out with ``cryptography`` and manual PKCS#7."""
    k1 = app_id[:16].encode("utf-8")
    data = app_secret.encode("utf-8")
    pad = 16 - len(data) % 16
    encryptor = Cipher(algorithms.SM4(k1), modes.ECB()).encryptor()
    t = encryptor.update(data + bytes([pad]) * pad) + encryptor.finalize()
    return t.hex().upper()[:16].encode("ascii")


@pytest.mark.parametrize(
    ("app_id", "app_secret"),
    [
        ("1G5PJ8S4N0A1B2C3D4E5F6", "9A8B7C6D5E4F3A2B1C0D"),
        ("ABCDEFGHIJKLMNOP", "s"),
        ("0000000000000000xyz", "a-secret-that-is-longer-than-one-sm4-block-of-16-bytes"),
    ],
)
def test_derived_channel_key_follows_reference_recipe(app_id: str, app_secret: str) -> None:
    key = derive_channel_key(app_id, app_secret)
    assert key == _independent_derivation(app_id, app_secret)
    assert len(key) == 16
    assert set(key.decode("ascii")) <= set("0123456789ABCDEF")


def test_derived_key_needs_16_byte_app_id_prefix_and_a_secret() -> None:
    with pytest.raises(SigningConfigError, match="first 16 characters"):
        derive_channel_key("short", "secret")
    with pytest.raises(SigningConfigError, match="appSecret"):
        derive_channel_key("ABCDEFGHIJKLMNOP", "")
