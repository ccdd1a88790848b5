new Function("a")
