"""Where exports and charts are written (``RANKINGS_EXPORT_DIR``)."""

from __future__ import annotations

from pathlib import Path

import dagster as dg

from rankings_etl.settings import DEFAULTS


class ExportDirectory(dg.ConfigurableResource):
    """A folder for published files; created on first use."""

    path: str = DEFAULTS.export_dir

    def ensure(self) -> Path:
        folder = Path(self.path).expanduser()
        folder.mkdir(parents=True, exist_ok=True)
        return folder
