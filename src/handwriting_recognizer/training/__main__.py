import sys

from handwriting_recognizer.training.cli import main

sys.exit(main())
