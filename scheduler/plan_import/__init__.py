"""``baocao plan import``: draft a plan file from a plan's official text (.txt, .docx, .pdf).

The steps, one module each, in the order they run:

- :mod:`.reading` turns the file into paragraphs and tables (Word's automatic numbering kept);
- :mod:`.outline` finds the sections and the numbered tree of the task section;
- :mod:`.tasks` turns the tree (or a Phụ lục table) into tasks with their assignment texts;
- :mod:`.agencies` resolves the agency names against a directory of known agencies;
- :mod:`.wording` reads time frames and the reporting clause;
- :mod:`.header` reads number, date, issuer and title;
- :mod:`.draft` puts it together, records what is unsure, validates and writes the file.
"""

from scheduler.plan_import.draft import Draft, PlanImportError, import_plan, write_draft

__all__ = ["Draft", "PlanImportError", "import_plan", "write_draft"]
