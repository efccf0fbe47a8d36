from tests.sandbox.fixtures import sandbox, sandbox_bot, seeded_sandbox
from tests.sandbox.max_fixtures import max_bot, max_sandbox

__all__ = ["max_bot", "max_sandbox", "sandbox", "sandbox_bot", "seeded_sandbox"]
