eval(a)
