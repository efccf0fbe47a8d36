from tests.sandbox.fixtures import sandbox, sandbox_bot, seeded_sandbox

__all__ = ["sandbox", "sandbox_bot", "seeded_sandbox"]
