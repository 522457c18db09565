"""Acknowledgements (issue 26): the roster, the register, who owes what, the sign-off sheets and
the import of an online form's export.

- `csvfile`: HR's CSV files read as Excel saves them, each row with its line.
- `roster`: `people.csv`.
- `register`: `acknowledgements/*.csv`, each row checked.
- `status`: each person's required acknowledgements and their status; the JSON.
- `project`: everything loaded and checked at once (the handbook and editions via the pipeline).
- `intake`: `handbook acks import`, a form's export appended to the register.
- `sheets`: `handbook signoff`, the sign-off sheets as PDFs.

People's names and ids never leave these modules for `site/` or `editions/`: the build does not
read the roster at all.
"""

from __future__ import annotations

from .intake import PRESETS, ColumnsRefused, column_map, import_export
from .project import AckProject, load_ack_project
from .sheets import SIGNOFF_DIR, SignoffRefused, write_sheets
from .status import AckReport, AckStatus, acknowledgement_report

__all__ = [
    "PRESETS",
    "SIGNOFF_DIR",
    "AckProject",
    "AckReport",
    "AckStatus",
    "ColumnsRefused",
    "SignoffRefused",
    "acknowledgement_report",
    "column_map",
    "import_export",
    "load_ack_project",
    "write_sheets",
]
