"""Ralph's LRS (the same `ralph.api` app `ralph runserver -b fs` serves), on loopback for the tests.

Ralph 5.1's file-system LRS backend writes every request with operation "index" into one file, so only the
first statement ever stored succeeds and later ones answer 500 ("Statement indexation failed"). Here the
backend appends instead; everything else (authentication, validation, duplicate ids -> 409) is Ralph's own.
Usage: python -m tests.lms.ralph_lrs PORT   (RALPH_APP_DIR and RALPH_RUNSERVER_BACKEND=fs in the environment)
"""
import sys

import uvicorn
from ralph.backends.data.base import BaseOperationType
from ralph.backends.lrs.fs import FSLRSBackend

FSLRSBackend.default_operation_type = BaseOperationType.APPEND

if __name__ == "__main__":
    uvicorn.run("ralph.api:app", host="127.0.0.1", port=int(sys.argv[1]), log_level="warning")
