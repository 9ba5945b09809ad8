"""The test kit: helpers the test modules share (no test module imports another)."""
