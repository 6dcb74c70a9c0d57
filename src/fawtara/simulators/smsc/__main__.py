"""`python -m fawtara.simulators.smsc --port 2775 --http-port 2776 …`"""

from fawtara.simulators.smsc.cli import main

main()
