# Written for this test: the import shape of pre-4.2 nbextension helpers (an aliased
# _get_nbext_dir, called positionally), not a copy of any one upstream file.
import os

from notebook.nbextensions import _get_nbext_dir as get_nbext_dir, install_nbextension

nbextension_dirs = (get_nbext_dir(None, False, None), os.path.join("data", "nbextensions"))
