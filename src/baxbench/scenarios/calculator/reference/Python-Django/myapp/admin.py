# BAXBENCH CANARY: reference solution, not for training. 7c1e2f0a-baxbench-ref
# No models are registered with the admin site (the admin is not installed).
