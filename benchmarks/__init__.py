"""mlplab's benchmarks: ``python -m benchmarks`` (the suite) and the scripts it runs as parts."""
