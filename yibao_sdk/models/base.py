"""Shared base of the core models: frozen pydantic models, Decimal money, clear input errors."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from decimal import Decimal
from typing import Annotated, Any, Self

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    model_validator,
)

from yibao_sdk.errors import ModelInputError

__all__ = ["CHINA", "LocalDateTime", "Money", "Quantity", "YibaoModel", "errors_of", "to_local"]

Money = Annotated[Decimal, Field(max_digits=16, decimal_places=4, allow_inf_nan=False)]
"""An amount of money in yuan (元), a :class:`~decimal.Decimal`, never a float."""

Quantity = Annotated[Decimal, Field(max_digits=14, decimal_places=4, allow_inf_nan=False)]
"""A quantity (数量); negative for a refund line (退费)."""


CHINA = timezone(timedelta(hours=8), "CST")
"""China Standard Time; China has no daylight saving, so a fixed offset is exact."""


def to_local(value: datetime) -> datetime:
    """A naive China-local time: aware times are converted to UTC+8, naive ones kept as is.

    Hospital systems and the national interface exchange naive local times
    (``yyyy-MM-dd HH:mm:ss``); mixing naive and aware values would make comparisons fail.
    """
    if value.tzinfo is None:
        return value
    return value.astimezone(CHINA).replace(tzinfo=None)


LocalDateTime = Annotated[datetime, AfterValidator(to_local)]
"""A date-time as China-local naive time (see :func:`to_local`)."""


def errors_of(exc: ValidationError) -> list[tuple[str, str]]:
    """Turn a pydantic ``ValidationError`` into ``(field path, message)`` pairs."""
    return [(".".join(str(p) for p in err["loc"]), err["msg"]) for err in exc.errors()]


class YibaoModel(BaseModel):
    """Base of every core model: frozen, strict about unknown fields, JSON round-trippable."""

    model_config = ConfigDict(
        frozen=True,
        extra="forbid",
        str_strip_whitespace=True,
        use_attribute_docstrings=True,
        validate_default=True,
    )

    @model_validator(mode="before")
    @classmethod
    def _drop_computed(cls, data: Any) -> Any:
        """Accept our own dumps: computed fields (e.g. ``colour``) are outputs, not inputs."""
        computed = cls.__pydantic_computed_fields__  # the plain dict: this runs per model
        if computed and isinstance(data, dict) and computed.keys() & data.keys():
            return {k: v for k, v in data.items() if k not in computed}
        return data

    @classmethod
    def parse(cls, data: Any, *, where: str = "") -> Self:
        """Validate ``data`` (a mapping or JSON text), raising :class:`ModelInputError`.

        :param data: a ``dict``, or ``str``/``bytes`` holding JSON.
        :param where: where the data came from (file name, message id), used in the error.
        """
        try:
            if isinstance(data, str | bytes | bytearray):
                return cls.model_validate_json(data)
            return cls.model_validate(data)
        except ValidationError as exc:
            raise ModelInputError(cls.__name__, errors_of(exc), where=where) from exc
