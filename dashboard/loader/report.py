"""Problems found while loading, and the report written next to the database:
<db dir>/load_reports/<timestamp>/report.json + rejected.csv. The rejected rows'
values are business data: folders 0700, files 0600 (the service account only)."""
from __future__ import annotations

import csv
import json
import os
from dataclasses import asdict, dataclass
from pathlib import Path

from .. import ops


@dataclass
class Problem:
    file: str
    row: int | None           # row number as seen in the source file; None for the whole file
    column: str
    value: object
    reason_zh: str
    reason_en: str
    kind: str = "rejected"    # rejected (a bad row), excluded (not data, by the mapping), file (cannot load)

    @property
    def value_text(self) -> str:
        return "（空）" if self.value is None or self.value == "" else str(self.value)

    @property
    def message_zh(self) -> str:
        where = f"{self.file} 第 {self.row} 行" if self.row is not None else self.file
        return f"{where} {self.column}={self.value_text}：{self.reason_zh}" if self.column else f"{where}：{self.reason_zh}"

    @property
    def message_en(self) -> str:
        where = f"{self.file} row {self.row}" if self.row is not None else self.file
        value = "(empty)" if self.value is None or self.value == "" else str(self.value)
        return f"{where} {self.column}={value}: {self.reason_en}" if self.column else f"{where}: {self.reason_en}"

    @property
    def message(self) -> str:
        """「orders.csv 第 7 行 refund_amount=120：退款须在 0 与金额之间 / refund_amount must be between 0 and amount」"""
        return f"{self.message_zh} / {self.reason_en}"

    def as_row(self) -> dict:
        d = asdict(self)
        d["value"] = "" if self.value is None else str(self.value)
        d["row"] = "" if self.row is None else self.row
        return d


def by_reason(problems: list[Problem]) -> list[tuple[tuple, list[Problem]]]:
    """Problems grouped by (kind, file, column, reason), in order of first
    appearance: what the CLI summarises (the full list is in rejected.csv)."""
    groups: dict[tuple, list[Problem]] = {}
    for p in problems:
        groups.setdefault((p.kind, p.file, p.column, p.reason_zh, p.reason_en), []).append(p)
    return list(groups.items())


CSV_COLUMNS = ["file", "row", "column", "value", "reason_zh", "reason_en", "kind"]


def new_report_dir(db_path: Path) -> Path:
    base = Path(db_path).resolve().parent / "load_reports"
    base.mkdir(mode=0o700, parents=True, exist_ok=True)
    private(base)
    stamp = ops.now_text().replace("-", "").replace(":", "").replace("T", "-")  # China time, like the history
    for n in range(1000):
        candidate = base / (stamp if n == 0 else f"{stamp}-{n}")
        try:
            candidate.mkdir(mode=0o700)
            private(candidate)
            return candidate
        except FileExistsError:
            continue
    raise RuntimeError(f"cannot create a report folder under {base}")


def private(path: Path) -> None:
    """Folders 0700 whatever the umask; an existing folder we own is tightened."""
    try:
        if path.stat().st_uid == os.getuid():
            os.chmod(path, 0o700)
    except OSError:
        pass


def open_private(path: Path, newline=None, encoding="utf-8"):
    """Open a report file for writing, created 0600."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    return os.fdopen(fd, "w", newline=newline, encoding=encoding)


def write_report(folder: Path, summary: dict, problems: list[Problem]) -> None:
    with open_private(folder / "rejected.csv", newline="", encoding="utf-8-sig") as fh:  # BOM: Excel opens it right
        w = csv.DictWriter(fh, fieldnames=CSV_COLUMNS)
        w.writeheader()
        for p in problems:
            w.writerow(p.as_row())
    tmp = folder / "report.json.tmp"
    with open_private(tmp) as fh:
        fh.write(json.dumps(summary, ensure_ascii=False, indent=2, default=str))
    os.replace(tmp, folder / "report.json")
