"""Problems found while loading, and the report written next to the database:
<db dir>/load_reports/<timestamp>/report.json + rejected.csv."""
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


CSV_COLUMNS = ["file", "row", "column", "value", "reason_zh", "reason_en", "kind"]


def new_report_dir(db_path: Path) -> Path:
    base = Path(db_path).resolve().parent / "load_reports"
    stamp = ops.now_text().replace("-", "").replace(":", "").replace("T", "-")  # China time, like the history
    for n in range(1000):
        candidate = base / (stamp if n == 0 else f"{stamp}-{n}")
        try:
            candidate.mkdir(parents=True)
            return candidate
        except FileExistsError:
            continue
    raise RuntimeError(f"cannot create a report folder under {base}")


def write_report(folder: Path, summary: dict, problems: list[Problem]) -> None:
    with open(folder / "rejected.csv", "w", newline="", encoding="utf-8-sig") as fh:  # BOM: Excel opens it right
        w = csv.DictWriter(fh, fieldnames=CSV_COLUMNS)
        w.writeheader()
        for p in problems:
            w.writerow(p.as_row())
    tmp = folder / "report.json.tmp"
    tmp.write_text(json.dumps(summary, ensure_ascii=False, indent=2, default=str), encoding="utf-8")
    os.replace(tmp, folder / "report.json")
