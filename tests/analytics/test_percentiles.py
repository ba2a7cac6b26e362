"""Percentile interpolation and rounding, checked against the definition of percentile_cont."""

from __future__ import annotations

import pytest

from totrackit.analytics.percentiles import interpolated_percentile, round_half_up


@pytest.mark.parametrize(
    ("values", "fraction", "expected"),
    [
        ([100.0, 300.0], 0.5, 200.0),
        ([100.0, 300.0], 0.9, 280.0),
        ([100.0, 300.0], 0.99, 298.0),
        ([42.0], 0.99, 42.0),
        ([1.0, 2.0, 3.0, 4.0], 0.5, 2.5),
        ([1.0, 2.0, 3.0, 4.0, 5.0], 0.5, 3.0),
    ],
)
def test_interpolation_between_order_statistics(
    values: list[float], fraction: float, expected: float
) -> None:
    assert interpolated_percentile(values, fraction) == pytest.approx(expected)


@pytest.mark.parametrize(
    ("value", "expected"), [(0.05, 0.1), (0.04, 0.0), (2.25, 2.3), (-0.05, 0.0), (199.99, 200.0)]
)
def test_rounding_is_half_up_to_one_decimal(value: float, expected: float) -> None:
    assert round_half_up(value) == expected
