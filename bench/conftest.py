# Benchmarks share the test suite's fixtures (the cast, fast password hashing, settings).
from tests.conftest import *  # noqa: F403

# A star import leaves out the names with a leading underscore: the shared data's session
# fixture (which `cast` uses) and the autouse fixtures of the suite.
from tests.conftest import (  # noqa: F401
    _eager_celery_unless_a_worker_is_asked_for,
    _force_login_passes_the_second_factor,
    _shared_data_session,
    _test_settings,
)
