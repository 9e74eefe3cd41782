# jupyter_contrib_nbextensions 0.7.0 (PyPI sdist), jupyter_contrib_nbextensions/install.py lines 1-20
# -*- coding: utf-8 -*-
"""API to install/remove all jupyter_contrib_nbextensions."""

import errno
import os

import jupyter_highlight_selected_word
from jupyter_contrib_core.notebook_compat import nbextensions
from jupyter_nbextensions_configurator.application import (
    EnableJupyterNbextensionsConfiguratorApp,
)
from notebook.notebookapp import list_running_servers
from traitlets.config import Config
from traitlets.config.manager import BaseJSONConfigManager

import jupyter_contrib_nbextensions.nbconvert_support


class NotebookRunningError(Exception):
    pass
