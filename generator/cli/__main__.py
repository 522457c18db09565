"""`python -m generator.cli ...`: the `handbook` command without its console script."""

import sys

from . import main

if __name__ == "__main__":
    sys.exit(main())
