# Help + support (da-DK)
