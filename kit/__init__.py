"""mqtt-api-kit: a contract kit for MQTT broker management APIs.

The distribution installs one import package, `mqtt_api_kit`, whose parts are the repository's
top-level folders (see ARCHITECTURE.md, "One namespace"):

* `mqtt_api_kit.openapi`: the OpenAPI documents, one per API, and their loader;
* `mqtt_api_kit.registry`: one frozen description per API, shared by the mock and the suite;
* `mqtt_api_kit.fixtures`: the seeded virtual cluster (no HTTP);
* `mqtt_api_kit.mock_server`: the mock, serving that world through every API;
* `mqtt_api_kit.contract_tests`: the Schemathesis suite for any broker.
"""

__version__ = "0.2.0"

__all__ = ["__version__"]
