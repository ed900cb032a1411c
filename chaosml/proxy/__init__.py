"""chaosml's fault-injecting proxy: an asyncio TCP/HTTP proxy with a Toxiproxy-compatible API."""
