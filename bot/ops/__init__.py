"""Running the service: health heartbeat, knowledge watcher, doctor, log set-up."""
