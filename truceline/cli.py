"""The `truceline` console command: every Django management command, under friendlier names.

`truceline load-scenario FILE` is `manage.py load_scenario FILE`; hyphens in the first word are
read as underscores so that the documented names work as typed.
"""

from __future__ import annotations

import os
import sys


def main(argv: list[str] | None = None) -> None:
    args = list(sys.argv if argv is None else argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "truceline.settings")
    if len(args) > 1 and not args[1].startswith("-"):
        args[1] = args[1].replace("-", "_")
    args[0] = "truceline"
    from django.core.management import execute_from_command_line

    execute_from_command_line(args)


if __name__ == "__main__":
    main()
