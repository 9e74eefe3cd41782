# jupyter_contrib_nbextensions 0.7.0 (PyPI sdist), nbconvert_support/execute_time.py lines 1-25
"""
Module containing a preprocessor tto execute code cells, updating time metadata
"""

from datetime import datetime

from nbconvert.preprocessors.execute import ExecutePreprocessor

try:
    # notebook >= 5.0.0-rc1
    import notebook._tz as nbtz
except ImportError:
    # notebook < 5.0.0-rc1
    import notebook.services.contents.tz as nbtz


class ExecuteTimePreprocessor(ExecutePreprocessor):
    """
    Executes all the cells in a notebook, updating their ExecuteTime metadata.
    """

    def run_cell(self, cell, cell_index, *args, **kwargs):
        before = datetime.utcnow()
        exec_reply, outs = super(ExecuteTimePreprocessor, self).run_cell(
            cell, cell_index, *args, **kwargs)
