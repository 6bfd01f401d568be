"""The mock is a broker too: MQTT listeners whose sessions are clients of the world.

`server.run` serves the HTTP APIs and the listeners on one event loop; `Listeners` binds TCP
(1883) and MQTT over WebSocket (8083, `/mqtt`); `Broker` joins live connections to the
world's hooks; `session.Connection` is one connection's protocol; `v311`/`v5` are the two
codecs (amqtt for MQTT 3.1/3.1.1, moat-lib-mqtt for 5.0). The world learns of real clients
only through its parts' writes (`world.channels`, `world.messaging`, `world.sessions`).
"""

from .server import DEFAULT_MQTT_PORT, DEFAULT_WS_PORT, Listeners, MqttSettings, run

__all__ = ["DEFAULT_MQTT_PORT", "DEFAULT_WS_PORT", "Listeners", "MqttSettings", "run"]
