import sys

from lsdesk import main

sys.exit(main())
