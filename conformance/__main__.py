"""`python -m conformance` is the same as the `sophon-conformance` command."""

import sys

from conformance.cli.main import main

sys.exit(main())
