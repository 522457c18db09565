"""`make bench`: our build timed against the engines alone and the peer PDF plugin."""
