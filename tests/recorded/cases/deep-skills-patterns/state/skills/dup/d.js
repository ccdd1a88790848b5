eval(d)
