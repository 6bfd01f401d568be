"""A Schemathesis contract suite for MQTT broker management APIs.

It knows the OpenAPI documents in `openapi/` and nothing of the mock: point it at any broker.
Public surface: `runner.main(argv)` (also `mqtt-api test`) and the checks in `checks`.
"""
