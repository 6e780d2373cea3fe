"""What pages and the frame use of the Streamlit side of the data layer. The
work is split by job in dashboard/runtime/ (database handle and per-rerun
version pin, demo build, current view, caches); this module re-exports it so a
page imports from one place: `from dashboard.app_context import current_view, run_metric`."""
from __future__ import annotations

from .runtime.cache import (RESULTS, as_of_default, filter_options, options_for, result_key, run_metric,  # noqa: F401
                            settings_in_force)
from .runtime.database import pin_for_this_run, pinned  # noqa: F401
from .runtime.demo_build import ensure_demo_database  # noqa: F401
from .runtime.view import (View, current_role, current_view, forget_view, set_current_view,  # noqa: F401
                           set_running_page)


def database():
    """This rerun's pinned version of the published database (see runtime.database)."""
    return pin_for_this_run()
