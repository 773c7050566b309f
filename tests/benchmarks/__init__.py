"""lsdesk's performance benchmarks: `python -m tests.benchmarks` (see the README's Performance section).

Not part of the test run: pytest ignores this folder, and nothing here is a
timed test. Each figure is measured against a baseline in the same run,
since one run on a busy machine says little on its own.
"""
