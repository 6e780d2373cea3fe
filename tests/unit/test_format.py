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
