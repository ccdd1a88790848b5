eval(code)
