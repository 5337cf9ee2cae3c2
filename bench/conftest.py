# Benchmarks share the test suite's fixtures (the cast, fast password hashing, settings).
from tests.conftest import *  # noqa: F403

# A star import leaves out the names that start with an underscore: the autouse fixtures too.
from tests.conftest import (  # noqa: F401
    _eager_celery_unless_a_worker_is_asked_for,
    _force_login_passes_the_second_factor,
    _test_settings,
)
from tests.shared_data import _shared_data_session  # noqa: F401
