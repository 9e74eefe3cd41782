# Written for this test: the IPython 3 era import shapes (IPython.utils.traitlets,
# IPython.config), not a copy of any one upstream file.
from IPython.utils.traitlets import Instance, Dict, Unicode, Bool
from IPython.config.application import Application


class App(Application):
    name = Unicode("x")
