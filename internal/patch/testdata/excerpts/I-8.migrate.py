# jupyter_contrib_nbextensions 0.7.0 (PyPI sdist), jupyter_contrib_nbextensions/migrate.py lines 1-25
# -*- coding: utf-8 -*-
"""
Functions to remove old installs, and migrate to newer module names.

This may change or disappear at any time, so don't rely on it!
"""

import errno
import io
import os
import shutil
import tempfile

from jupyter_core.paths import jupyter_config_dir, jupyter_data_dir
from notebook.services.config import ConfigManager as FrontendConfigManager
from traitlets.config import Config
from traitlets.config.manager import BaseJSONConfigManager

from jupyter_contrib_nbextensions.install import (
    _set_managed_config, _update_config_list,
)


def _migrate_require_paths(logger=None):
    """Migrate require paths from old to new values."""
