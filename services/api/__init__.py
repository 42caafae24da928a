"""The gateway's edges: the command registry, the operator socket, the HTTP application."""
