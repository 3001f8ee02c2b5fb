"""Test mode: test cases an admin files and walks on a draft version (issue 11, item 4)."""
