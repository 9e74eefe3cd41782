# jupyter_nbextensions_configurator 0.6.4 (PyPI wheel), __init__.py lines 1-40
# -*- coding: utf-8 -*-
# - Copyright (c) 2001-2016, IPython-Contrib Development Team
# - Copyright (c) 2016-, jupyter-contrib development team

"""Jupyter server extension to enable, disable and configure nbextensions."""

from __future__ import unicode_literals

import io
import json
import logging
import os.path
import posixpath
import re

import yaml
from jupyter_server.base.handlers import APIHandler, JupyterHandler
from jupyter_server.utils import url_path_join as ujoin
from jupyter_server.utils import path2url
from notebook._version import version_info as nb_version_info
from tornado import web

# attempt to use LibYaml if available
try:
    from yaml import CSafeLoader as SafeLoader
except ImportError:
    from yaml import SafeLoader

if nb_version_info < (5, 2, 0):
    from notebook.base.handlers import json_errors
else:
    # for notebook >= 5.2.0, instead of using json_errors, we must subclass
    # APIHandler. Since we already do this, just do nothing extra
    def json_errors(method):
        return method

__version__ = '0.6.4'

absolute_url_re = re.compile(r'^(f|ht)tps?://')

