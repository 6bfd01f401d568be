"""The mock builds its Connexion specifications without Connexion's meta-schema validation
(mock_server/specs.py says why); the validation runs here instead, on every document."""

from __future__ import annotations

import pytest
from connexion.spec import Specification

from mqtt_api_kit.mock_server import specs
from mqtt_api_kit.openapi import document_copy
from mqtt_api_kit.registry import APIS


@pytest.mark.parametrize("name", sorted({api.document for api in APIS.values()}))
def test_every_served_document_passes_connexions_validation(name: str) -> None:
    specs.connexion_validate(name)


@pytest.mark.parametrize("name", sorted({api.document for api in APIS.values()}))
def test_the_mock_specification_is_what_connexion_would_build(name: str) -> None:
    ours = specs.specification(name)
    theirs = Specification.from_dict(document_copy(name))
    assert ours.raw == theirs.raw
    assert ours.spec == theirs.spec
