# Benchmarks share the test suite's fixtures (the cast, fast password hashing, settings).
from tests.conftest import *  # noqa: F403
