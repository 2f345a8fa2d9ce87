"""Turning a :class:`~rankings_etl.checks.CheckOutcome` into what Dagster records."""

import dagster as dg

from rankings_etl.checks import CheckOutcome


def check_result(asset: str, outcome: CheckOutcome) -> dg.AssetCheckResult:
    """Pass/fail, severity, a one-line summary and the failing dates for the UI."""
    return dg.AssetCheckResult(
        asset_key=asset,
        check_name=outcome.spec.name,
        passed=outcome.passed,
        severity=dg.AssetCheckSeverity(outcome.severity),
        description=outcome.summary(),
        metadata=outcome.metadata(),
    )
