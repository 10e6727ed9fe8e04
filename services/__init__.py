"""The application layer: what handlers and jobs share (the services container,
keyboards, shared texts, notices, the outbox API for "send this later", pacing)."""
