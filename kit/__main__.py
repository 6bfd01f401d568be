"""`python -m mqtt_api_kit` is the `mqtt-api` command."""

import sys

from .cli import main

sys.exit(main())
