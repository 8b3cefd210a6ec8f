"""FHIR input errors: :class:`FhirError` carries an OperationOutcome naming the bad element."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from pydantic import ValidationError

from yibao_sdk.errors import InputError, YibaoError
from yibao_sdk.privacy import scrub

__all__ = ["FhirError", "Issue", "IssueSeverity", "fhirpath", "operation_outcome"]

IssueSeverity = Literal["fatal", "error", "warning", "information"]
"""OperationOutcome.issue.severity."""

_NAME = re.compile(r"^_?[A-Za-z][A-Za-z0-9]*$")
# pydantic error types -> OperationOutcome IssueType (http://hl7.org/fhir/issue-type)
_ISSUE_CODES = {"missing": "required", "extra_forbidden": "structure", "json_invalid": "structure"}


@dataclass(frozen=True, slots=True)
class Issue:
    """One ``OperationOutcome.issue``: what is wrong, how badly, and where.

    :ivar diagnostics: what is wrong, in words (scrubbed of ID-card and phone numbers).
    :ivar expression: FHIRPath of the offending element, e.g.
        ``Bundle.entry[3].resource.quantity.value``; empty when no element can be named.
    :ivar code: the IssueType code (``invalid``, ``structure``, ``required``, ``value``,
        ``not-found``, ``not-supported``, ``business-rule``, ``exception`` …).
    :ivar severity: ``error`` unless told otherwise.
    """

    diagnostics: str
    expression: str = ""
    code: str = "invalid"
    severity: IssueSeverity = "error"

    def to_fhir(self) -> dict[str, Any]:
        """The issue as FHIR JSON."""
        issue: dict[str, Any] = {
            "severity": self.severity,
            "code": self.code,
            "diagnostics": scrub(self.diagnostics),
        }
        if self.expression:
            issue["expression"] = [self.expression]
        return issue

    def __str__(self) -> str:
        text = scrub(self.diagnostics)
        return f"{self.expression}: {text}" if self.expression else text


class FhirError(InputError):
    """FHIR input that cannot be parsed, validated or mapped to core models.

    ``where`` is the FHIRPath of the first issue; :attr:`outcome` is the OperationOutcome a
    server answers with.  Messages never carry an ID-card number or a patient's name.

    :param issues: one or more issues (at least one).
    """

    def __init__(self, issues: Sequence[Issue]) -> None:
        if not issues:
            raise ValueError("a FhirError needs at least one issue")
        self.issues = tuple(issues)
        super().__init__("; ".join(str(issue) for issue in self.issues))
        self.where = self.issues[0].expression

    @classmethod
    def at(cls, expression: str, diagnostics: str, *, code: str = "invalid") -> FhirError:
        """A one-issue error at ``expression``."""
        return cls([Issue(diagnostics, expression, code)])

    @classmethod
    def from_validation(cls, exc: ValidationError, root: str) -> FhirError:
        """Wrap a pydantic (fhir.resources) ``ValidationError``; ``root`` prefixes each path."""
        issues = [
            Issue(str(err["msg"]), fhirpath(root, err["loc"]),
                  _ISSUE_CODES.get(str(err["type"]), "value"))
            for err in exc.errors(include_url=False, include_input=False)
        ]
        return cls(issues or [Issue(str(exc), root, "structure")])

    @property
    def expression(self) -> str:
        """FHIRPath of the first issue."""
        return self.issues[0].expression

    @property
    def outcome(self) -> dict[str, Any]:
        """The ``OperationOutcome`` resource describing every issue."""
        return {"resourceType": "OperationOutcome",
                "issue": [issue.to_fhir() for issue in self.issues]}


def fhirpath(root: str, loc: Iterable[int | str]) -> str:
    """FHIRPath of a pydantic location: ``("entry", 3, "resource")`` → ``Bundle.entry[3].resource``.

    Internal pydantic steps (union tags, validator names) are skipped.
    """
    parts = [root] if root else []
    for step in loc:
        if isinstance(step, int):
            if parts:
                parts[-1] += f"[{step}]"
        elif _NAME.match(step):
            parts.append(step)
    return ".".join(parts)


def operation_outcome(error: BaseException) -> dict[str, Any]:
    """The ``OperationOutcome`` to answer ``error`` with.

    A :class:`FhirError` gives its own issues; any other :class:`~yibao_sdk.errors.InputError`
    becomes one ``invalid`` issue; other errors become an ``exception`` issue whose
    diagnostics do not leak internals.
    """
    if isinstance(error, FhirError):
        return error.outcome
    if isinstance(error, InputError):
        issue = Issue(str(error), code="invalid")
    elif isinstance(error, YibaoError):
        issue = Issue(str(error), code="processing")
    else:
        issue = Issue(f"internal error ({type(error).__name__})", code="exception",
                      severity="fatal")
    return {"resourceType": "OperationOutcome", "issue": [issue.to_fhir()]}
