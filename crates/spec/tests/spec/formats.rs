// filled later
