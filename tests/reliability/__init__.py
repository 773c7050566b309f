"""lsdesk's reliability suite: the fault matrix, fuzzing and the soak.

The fault matrix and a small soak run in the normal test run
(tests/test_fault_matrix.py, tests/test_soak.py, tests/test_fuzz.py); the
full versions, with their figures, are commands:

    python -m tests.reliability matrix   # operation x fault table and its totals
    python -m tests.reliability soak     # 1,000 checks and 100 rotations in one process
    python -m tests.reliability fuzz     # the fuzz tests with many more examples
"""
