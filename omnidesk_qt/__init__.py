"""The OmniDesk desktop application (composition root, session, outbox, settings)."""
