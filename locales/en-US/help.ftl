# Help + support (en-US)
