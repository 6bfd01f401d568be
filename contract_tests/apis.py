"""The APIs the suite knows, and how a TARGET URL picks one."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

SPEC_DIR = Path(
    os.environ.get("MQTT_API_SPECS", Path(__file__).resolve().parent.parent / "openapi")
)


@dataclass(frozen=True, slots=True)
class Api:
    name: str
    base_path: str
    spec_file: Path
    default_auth: str | None  # the broker's out-of-the-box credentials


APIS = {
    "emqx-v4": Api("emqx-v4", "/api/v4", SPEC_DIR / "emqx-v4.yaml", "admin:public"),
    "emqx-v2": Api("emqx-v2", "/api/v2", SPEC_DIR / "emqx-v2.yaml", "admin:public"),
    "hivemq": Api("hivemq", "/api/v1", SPEC_DIR / "hivemq.yaml", None),  # open by default
}


# API name → family: how the robustness profile recognises a rejection.
FAMILIES = {"emqx-v4": "emqx", "emqx-v2": "emqx", "hivemq": "hivemq"}
# API name → a cheap GET (relative to the base) that needs credentials: the preflight.
PROBES = {
    "emqx-v4": "/clients?_limit=1",
    "emqx-v2": "/management/nodes",
    "hivemq": "/mqtt/clients?limit=50",
}
# EMQX Cloud serves the 4.x API under plain `/api` (https://xxx.emqx.cloud:8443/api/clients).
CLOUD_BASE = "/api"


def detect(url: str) -> Api | None:
    """The API whose base path ends the URL's path (`http://h:8081/api/v4` → emqx-v4;
    EMQX Cloud's `https://x.emqx.cloud:8443/api` → emqx-v4)."""
    path = urlsplit(url).path.rstrip("/")
    for api in APIS.values():
        if path.endswith(api.base_path):
            return api
    if path.endswith(CLOUD_BASE):
        return APIS["emqx-v4"]
    return None
