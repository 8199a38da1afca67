"""Entry script of the frozen app (PyInstaller runs it as __main__): the `bpstudio` command."""

import sys

from bpstudio.cli import main

if __name__ == "__main__":
    sys.exit(main())
