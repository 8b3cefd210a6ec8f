"""Built-in rules, each an ordinary pluggy plugin module (installed as ``yibao_sdk.plugins``)."""

DEFAULT_PLUGINS: tuple[str, ...] = (
    "yibao_sdk.plugins.implant_udi",
    "yibao_sdk.plugins.teg_preop",
    "yibao_sdk.plugins.greylist",
    "yibao_sdk.plugins.second_line",
    "yibao_sdk.plugins.mri_frequency",
    "yibao_sdk.plugins.duplicate_charge",
    "yibao_sdk.plugins.split_stay",
    "yibao_sdk.plugins.price_cap",
    "yibao_sdk.plugins.sex_age",
    "yibao_sdk.plugins.consumable_share",
)
"""Module names of the built-in rule plugins, registered before any hospital plugin."""

__all__ = ["DEFAULT_PLUGINS"]
