"""Process exit codes shared by every command, so CI can tell a box defect from a harness problem."""

from enum import IntEnum


class ExitCode(IntEnum):
    """Why a `sophon-conformance` command ended."""

    OK = 0
    CHECKS_FAILED = 1  # the box deviates from the documents (or the gate found regressions)
    USAGE_ERROR = 2  # bad flags, bad input file (schema, YAML, summary, waiver)
    BOX_UNREACHABLE = 3  # preflight could not reach the box within its deadline
    HARNESS_ERROR = 4  # the harness itself failed; never reported as a box defect
    TEST_HARNESS_ERRORS = 5  # the run finished, no box deviation, but tests failed without a finding (crash,
    # bare assert, harness timeout): nothing was judged there; a box deviation anywhere makes it 1 instead
    INTERRUPTED = 130
