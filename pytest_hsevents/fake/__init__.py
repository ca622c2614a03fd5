"""The fake HubSpot: a backend with no HTTP in it, handlers, and thin transports over them."""
