"""Never listens: an endless loop at start-up."""

print("spin-app: about to loop forever", flush=True)
while True:
    pass
