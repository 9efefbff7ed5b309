"""The web channel: an HTTP API, the chat widget, and the one server every channel mounts on."""
