"""Entry point of ``python -m yibao_sdk.demo``."""

import sys

from yibao_sdk.demo.run import main

sys.exit(main())
