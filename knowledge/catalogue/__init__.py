"""Catalogue importers: the national portal crawl, the Ministry of Defence files and the
project's own normalised JSONL, behind one entry point, :func:`import_catalogues`.

>>> result = import_catalogues(["../shared/data/catalogue/bqp-2025"])  # doctest: +SKIP
>>> result.procedures["1.013124"].channels[0].kind  # doctest: +SKIP
'in_person'
>>> print("\\n".join(result.report.summary()))  # doctest: +SKIP
"""

from knowledge.catalogue.importer import ImportResult, import_catalogues
from knowledge.catalogue.normalised import write_normalised
from knowledge.catalogue.report import (
    FieldWarning,
    ImportReport,
    Quarantined,
    Skipped,
    SourceReport,
)

__all__ = [
    "FieldWarning",
    "ImportReport",
    "ImportResult",
    "Quarantined",
    "Skipped",
    "SourceReport",
    "import_catalogues",
    "write_normalised",
]
