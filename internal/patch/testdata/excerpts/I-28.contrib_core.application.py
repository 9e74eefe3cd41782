# jupyter_contrib_core 0.4.2 (PyPI sdist), jupyter_contrib_core/application.py lines 1-40
# coding: utf-8
"""
Common application classes for jupyter_contrib.

Including the root `jupyter-contrib` command.
"""

from __future__ import print_function

import sys

import pkg_resources
from jupyter_core.application import JupyterApp

from jupyter_contrib_core import __version__


class JupyterContribApp(JupyterApp):
    """Root level jupyter_contrib app."""

    name = 'jupyter contrib'
    version = __version__
    description = (
        'community-contributed spice for Jupyter Interactive Computing')

    def __init__(self, *args, **kwargs):
        self._refresh_subcommands()
        super(JupyterContribApp, self).__init__(*args, **kwargs)

    def _refresh_subcommands(self):
        """
        Finds subcommands which have registered entry points.

        Each entry point is a function which returns a subcommands-style dict,
        where the keys are the name of the subcommand, and the values are
        2-tuples containing the sub-application class, and a description of the
        subcommand's action.
        """
        group = 'jupyter_contrib_core.app.subcommands'
        new_subcommands = {}
