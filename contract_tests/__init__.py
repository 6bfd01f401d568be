"""A Schemathesis contract suite for MQTT broker management APIs.

It knows the OpenAPI documents in `openapi/` and nothing of the mock: point it at any broker.
Public surface: `runner.main(argv)` (also `mqtt-api test`) and the checks in `checks`.
"""

# The package itself exports nothing; its public modules are `runner` (`main`, also `mqtt-api
# test`), `profiles` and `checks` (importing it registers the checks with Schemathesis).
__all__: list[str] = []
