"""Every UI text a page or the frame asks for is in the catalog, in both languages."""
import re
from pathlib import Path

from dashboard.ui.i18n import CATALOG

ROOT = Path(__file__).resolve().parents[2]
KEY = re.compile(r"""\bt\(\s*["']([a-z_]+\.[A-Za-z0-9_.]+)["']""")


def test_every_literal_key_exists_with_both_languages():
    sources = [ROOT / "app.py", *ROOT.glob("pages/*.py"), *ROOT.glob("dashboard/**/*.py")]
    used = {m.group(1) for f in sources for m in KEY.finditer(f.read_text(encoding="utf-8"))}
    assert used, "no t() calls found: the scan is broken"
    missing = sorted(k for k in used if k not in CATALOG)
    assert not missing, f"keys missing from the catalog: {missing}"
    for key in used:
        zh, en = CATALOG[key]
        assert zh.strip() and en.strip(), key


def test_every_declared_metric_column_has_a_label_in_both_languages():
    from dashboard.columns import DECLARED
    from dashboard.metrics import METRICS
    assert METRICS and DECLARED
    missing = sorted(c.name for c in DECLARED.values() if c.label not in CATALOG)
    assert not missing, f"declared columns without a label: {missing}"
