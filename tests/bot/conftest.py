from tests.sandbox.fixtures import sandbox, seeded_sandbox

__all__ = ["sandbox", "seeded_sandbox"]
