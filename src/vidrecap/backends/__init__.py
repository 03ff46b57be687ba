"""Model backends, one registry per role (see ``vidrecap.registry``)."""
