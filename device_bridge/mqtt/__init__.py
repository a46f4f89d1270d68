"""MQTT transport of the speaker protocol (docs/device-protocol-mqtt.md), beside HTTP."""
