request = "not a function"
