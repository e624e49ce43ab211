from tests.api.conftest import api_settings, client  # noqa: F401 - the real app on a real small index
