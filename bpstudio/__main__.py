"""`python -m bpstudio`: the same as the `bpstudio` command."""

from bpstudio.cli import main

raise SystemExit(main())
