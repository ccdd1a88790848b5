eval(c)
