"""Data values as plain text: the one place that escapes what comes from data
(store, guide, brand and group names, message text, file headers) before it
reaches a widget that would read it as markup.

- `md(text)` for anything Streamlit renders as markdown (st.markdown, titles,
  subheaders, captions, widget labels, st.info/st.warning): every ASCII
  punctuation character is backslash-escaped, so links, images (a remote image
  is a tracking beacon), KaTeX ($…$), :colour[…] directives, emphasis and
  headings stay literal text.
- `html_text(text)` for our own HTML snippets and Plotly labels (Plotly renders
  <a>, <b>, <br> in tick labels, legends and hover text).
"""
from __future__ import annotations

import html
import re
import string

_MD_SPECIAL = re.compile("([" + re.escape(string.punctuation) + "])")


def md(value) -> str:
    """`value` as markdown source that renders as exactly its own text."""
    text = "" if value is None else str(value)
    text = text.replace("\r", " ").replace("\n", " ")
    return _MD_SPECIAL.sub(r"\\\1", text)


def html_text(value) -> str:
    """`value` escaped for HTML (our snippets) and Plotly text (ticks, legends, hover)."""
    return html.escape("" if value is None else str(value), quote=True)


def html_labels(values) -> list[str]:
    return [html_text(v) for v in values]
