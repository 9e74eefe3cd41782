# jupyter_dashboards 0.7.0 (PyPI sdist), jupyter_dashboards/extensionapp.py lines 1-30 and 110-125
# Copyright (c) Jupyter Development Team.
# Distributed under the terms of the Modified BSD License.
import os.path
import sys

from ._version import __version__

from notebook.nbextensions import (InstallNBExtensionApp, EnableNBExtensionApp,
                                   DisableNBExtensionApp, flags, aliases)

try:
    from notebook.extensions import BaseExtensionApp
    _new_extensions = True
except ImportError:
    try:
        from notebook.nbextensions import BaseNBExtensionApp
        BaseExtensionApp = BaseNBExtensionApp
        _new_extensions = True
    except ImportError:
        BaseExtensionApp = object
        _new_extensions = False

from traitlets import Unicode
from traitlets.config.application import catch_config_error
from traitlets.config.application import Application

# Make copies to reuse flags and aliases
INSTALL_FLAGS = {}
INSTALL_FLAGS.update(flags)

class ExtensionQuickSetupApp(BaseExtensionApp):
    """Installs and enables all parts of this extension"""
    name = "jupyter dashboards quick-setup"
    version = __version__
    description = "Installs and enables all features of the jupyter_dashboards extension"

    def start(self):
        self.argv.extend(['--py', 'jupyter_dashboards'])

        from notebook import nbextensions
        install = nbextensions.InstallNBExtensionApp()
        install.initialize(self.argv)
        install.start()
        enable = nbextensions.EnableNBExtensionApp()
        enable.initialize(self.argv)
        enable.start()
