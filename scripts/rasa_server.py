"""`rasa …` (the Procfile and the end-to-end stack run `rasa run` through this), with skops
imported before Rasa.

The model's intent and FAQ classifiers (nlu_components/linear.py) are persisted with skops,
and importing skops.io walks every loaded module once per NumPy/SciPy ufunc to name it: after
Rasa has imported TensorFlow that took 5.7 s of a restart on two cores, before it 1.2 s
(issue 14). Nothing else changes: the arguments go to Rasa's own command line as they are.
When the classifiers stop using skops this import should go too.
"""

import sys

import skops.io  # noqa: F401  (first, while few modules are loaded; see above)
from rasa.__main__ import main

if __name__ == "__main__":
    sys.exit(main())
