"""Result types shared by all draft checks: a ``Finding`` (code, Chinese message, span), a ``CheckResult``
per check and the ``CheckReport`` of a whole run. All of them turn into plain JSON-serialisable dicts."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

ERROR, WARNING, INFO = "error", "warning", "info"


@dataclass(frozen=True)
class Finding:
    """One reason: a stable ``code`` (e.g. NUM_INVENTED), a Chinese message and where it is in the draft."""

    code: str
    message_zh: str
    span: tuple[int, int] | None = None
    severity: str = ERROR  # "error" fails the check; "warning" and "info" are reported only

    def to_dict(self) -> dict[str, Any]:
        return {"code": self.code, "message_zh": self.message_zh,
                "span": list(self.span) if self.span else None, "severity": self.severity}


@dataclass
class CheckResult:
    name: str
    passed: bool
    score: float  # 0..1
    findings: list[Finding] = field(default_factory=list)
    details: dict[str, Any] = field(default_factory=dict)  # check-specific figures (JSON-serialisable)

    @classmethod
    def from_findings(cls, name: str, findings: list[Finding], score: float,
                      details: dict[str, Any] | None = None) -> CheckResult:
        passed = not any(f.severity == ERROR for f in findings)
        return cls(name, passed, round(max(0.0, min(1.0, score)), 4), findings, details or {})

    @property
    def errors(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == ERROR]

    def codes(self) -> list[str]:
        return [f.code for f in self.findings]

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "passed": self.passed, "score": self.score,
                "findings": [f.to_dict() for f in self.findings], "details": self.details}


@dataclass
class CheckReport:
    checks: list[CheckResult]

    @property
    def passed(self) -> bool:
        return all(c.passed for c in self.checks)

    @property
    def score(self) -> float:
        return round(sum(c.score for c in self.checks) / len(self.checks), 4) if self.checks else 1.0

    @property
    def findings(self) -> list[Finding]:
        return [f for c in self.checks for f in c.findings]

    def codes(self, severity: str | None = None) -> list[str]:
        return [f.code for f in self.findings if severity is None or f.severity == severity]

    def __getitem__(self, name: str) -> CheckResult:
        for c in self.checks:
            if c.name == name:
                return c
        raise KeyError(name)

    def to_dict(self) -> dict[str, Any]:
        return {"passed": self.passed, "score": self.score, "checks": {c.name: c.to_dict() for c in self.checks}}
