"""Schemathesis hooks module of the suite (`SCHEMATHESIS_HOOKS=mqtt_api_kit.contract_tests.checks`).

Importing registers every custom check and the read-only guard. One module per API family;
a check that does not apply to a response (another API's shape) returns without judging.
"""

from . import emqx_v2, emqx_v4, emqx_v5, hivemq, robustness, safety

__all__ = ["emqx_v2", "emqx_v4", "emqx_v5", "hivemq", "robustness", "safety"]
