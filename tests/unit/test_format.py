import math

from dashboard.ui import format as fmt
from dashboard.ui.i18n import set_language


def test_money_uses_wan_and_yi_in_chinese():
    set_language("zh")
    assert fmt.money(123_456) == "¥12.3万"
    assert fmt.money(102_000_000) == "¥1.02亿"
    assert fmt.money(980) == "¥980"
    assert fmt.money(12.5) == "¥12.50"
    assert fmt.money(0) == "¥0"
    assert fmt.money(None) == "—" and fmt.money(math.nan) == "—"


def test_money_in_english_uses_k_and_m():
    set_language("en")
    try:
        assert fmt.money(123_456) == "¥123.5K"
        assert fmt.money(102_000_000) == "¥102.00M"
    finally:
        set_language("zh")


def test_rates_and_arrows():
    assert fmt.pct(0.1234) == "12.3%"
    assert fmt.arrow(0.05) == "▲5.0%" and fmt.arrow(-0.5) == "▼50.0%" and fmt.arrow(None) == "—"
    assert fmt.arrow(0.0) == "0.0%"


def test_rise_red_fall_green_by_default_and_switchable():
    fmt.set_colour_scheme("cn")
    assert fmt.delta_colour(0.1) == fmt.RED and fmt.delta_colour(-0.1) == fmt.GREEN
    fmt.set_colour_scheme("intl")
    try:
        assert fmt.delta_colour(0.1) == fmt.GREEN and fmt.delta_colour(-0.1) == fmt.RED
    finally:
        fmt.set_colour_scheme("cn")


def test_rank_change_marks_new_entries():
    set_language("zh")
    assert fmt.rank_change(3) == "↑3" and fmt.rank_change(-2) == "↓2" and fmt.rank_change(0) == "—"
    assert fmt.rank_change(None) == "新"


def test_a_column_formats_exactly_as_its_cells_one_by_one():
    """shown() is show() per value with the dispatch done once: the same text for
    every kind, including missing values of every flavour and numpy scalars."""
    import numpy as np
    import pandas as pd
    values = [None, float("nan"), pd.NA, np.float64(12345.678), np.int64(7), 0, -3.5, 1e9, True, "nan", "文本"]
    for kind in ("money", "rate", "growth", "count", "rank", "rank_change", "number", "flag", "text"):
        # numeric kinds never get free text (only the "nan" a CSV may carry)
        safe = [v for v in values if kind in ("text", "flag") or not (isinstance(v, str) and v == "文本")]
        if kind in ("rank", "rank_change"):
            safe = [v for v in safe if not isinstance(v, str)]
        assert fmt.shown(kind, safe) == [fmt.show(kind, v) for v in safe], kind
    days = [pd.Timestamp("2026-11-02"), pd.NaT, None]
    assert fmt.shown("date", days) == ["2026-11-02", "—", "—"]


def test_a_long_curve_is_thinned_to_what_the_chart_draws_keeping_both_ends():
    import pandas as pd
    from dashboard.ui.leaderboard_view import thinned
    curve = pd.DataFrame({"guide_share": [i / 5819 for i in range(5820)]})
    few = thinned(curve, points=600)
    assert len(few) == 600
    assert few["guide_share"].iloc[0] == 0 and few["guide_share"].iloc[-1] == 1
    assert few["guide_share"].is_monotonic_increasing
    assert thinned(curve.head(10), points=600).equals(curve.head(10))


def test_a_numeric_column_formats_exactly_as_its_cells_one_by_one_in_both_languages():
    """The column path (masks per formatting case) against the cell formatters,
    over every boundary of ¥/万/亿, K/M/B, signs, integers, halves and NaN."""
    import numpy as np
    import pandas as pd
    rng = np.random.default_rng(3)
    edges = [0.0, -0.0, 0.004, 0.005, 0.5, 1.0, 99.99, 99.995, 100.0, 999.5, 1000.0, 9999.94, 9999.96, 1e4,
             12345.678, 99999999.0, 1e8, 123456789.0, 999.95e6, 1e9, 2.5e9, float("nan")]
    floats = np.array(edges + [-e for e in edges] + list(rng.lognormal(6, 4, 3000) * rng.choice([-1, 1], 3000))
                      + list(np.round(rng.normal(0, 3, 300))) + list(rng.normal(0, 0.5, 300)))
    ints = np.array([0, 1, -1, 7, 99, 100, 9999, 10000, -123456, 10**9], dtype="int64")
    for lang in ("zh", "en"):
        set_language(lang)
        for kind in ("money", "rate", "growth", "count", "rank", "rank_change", "number"):
            for column in (floats, ints, pd.Series(floats)):
                if kind in ("rank", "rank_change"):
                    column = np.round(column)
                want = [fmt.show(kind, v) for v in column]
                assert fmt.shown(kind, column) == want, (lang, kind)
    set_language("zh")
